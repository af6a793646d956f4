//! The GitHub Action (`action.yml`, composite): its steps run as a runner would run them, on a
//! throwaway repository cloned from a throwaway "origin" with a pull-request branch, with this
//! build's compat-cli as the action's `compat-cli` input. A breaking change fails the step with
//! annotations on the changed file; a compatible one passes.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::json;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn schema(max_length: u64) -> String {
    let mut s: serde_json::Value =
        serde_json::from_str(include_str!("../../schemas/widgets/WidgetCreated.json")).unwrap();
    s["properties"]["name"]["maxLength"] = json!(max_length);
    serde_json::to_string_pretty(&s).unwrap() + "\n"
}

/// Runs one of the action's step scripts as its `run:` line does, with the step's inputs as
/// the environment the runner gives it.
fn step(script: &str, cwd: &Path, env: &[(&str, &str)], path: &str) -> Output {
    Command::new("bash")
        .arg(root().join(".github/action").join(script))
        .current_dir(cwd)
        .envs(env.iter().copied())
        .env("PATH", path)
        .output()
        .unwrap()
}

#[test]
fn action_yml_names_its_inputs_and_step_scripts() {
    let text = std::fs::read_to_string(root().join("action.yml")).unwrap();
    for needed in [
        "using: composite",
        "  against:",
        "  dir:",
        "  format:",
        "  compat-cli:",
        ".github/action/install.sh",
        ".github/action/check.sh",
        "SCHEMAGATE_AGAINST: ${{ inputs.against }}",
        "SCHEMAGATE_BIN: ${{ inputs.compat-cli }}",
    ] {
        assert!(text.contains(needed), "action.yml lacks {needed:?}");
    }
    for script in ["install.sh", "check.sh"] {
        let p = root().join(".github/action").join(script);
        let out = Command::new("bash").arg("-n").arg(&p).output().unwrap();
        assert!(
            out.status.success(),
            "{script}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn the_action_checks_a_pull_request_branch_against_origin_main() {
    let work = std::env::temp_dir().join(format!("schemagate-action-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&work);
    let (origin, repo, tools) = (work.join("origin"), work.join("repo"), work.join("tools"));
    for d in [&origin, &tools] {
        std::fs::create_dir_all(d).unwrap();
    }
    // The origin holds main with one schema.
    git(&origin, &["init", "-q", "-b", "main"]);
    git(&origin, &["config", "user.email", "ci@example.com"]);
    git(&origin, &["config", "user.name", "ci"]);
    std::fs::create_dir_all(origin.join("schemas/widgets")).unwrap();
    std::fs::write(
        origin.join("schemas/widgets/WidgetCreated.json"),
        schema(64),
    )
    .unwrap();
    std::fs::write(
        origin.join("schemagate.toml"),
        "dir = \"schemas\"\nmode = \"full\"\nrules = \"standard\"\n",
    )
    .unwrap();
    git(&origin, &["add", "-A"]);
    git(&origin, &["commit", "-q", "-m", "main"]);
    // The runner's checkout: a shallow clone of the pull request's branch only.
    git(&origin, &["checkout", "-q", "-b", "pr"]);
    std::fs::write(
        origin.join("schemas/widgets/WidgetCreated.json"),
        schema(10),
    )
    .unwrap();
    git(&origin, &["commit", "-q", "-am", "narrow name"]);
    let url = format!("file://{}", origin.display());
    let out = Command::new("git")
        .args(["clone", "-q", "--depth", "1", "--branch", "pr", &url])
        .arg(&repo)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let github_path = work.join("github_path");
    std::fs::write(&github_path, "").unwrap();
    let path = std::env::var("PATH").unwrap_or_default();
    let install = step(
        "install.sh",
        &repo,
        &[
            ("SCHEMAGATE_ACTION_DIR", root().to_str().unwrap()),
            ("SCHEMAGATE_BIN", env!("CARGO_BIN_EXE_compat-cli")),
            ("RUNNER_TOOL_CACHE", tools.to_str().unwrap()),
            ("GITHUB_PATH", github_path.to_str().unwrap()),
        ],
        &path,
    );
    assert!(
        install.status.success(),
        "{}",
        String::from_utf8_lossy(&install.stderr)
    );
    // The runner puts what the step appended to GITHUB_PATH first on PATH for later steps.
    let added = std::fs::read_to_string(&github_path).unwrap();
    let path = format!("{}:{path}", added.trim());

    let inputs = |against: &str| {
        vec![
            ("SCHEMAGATE_AGAINST", against.to_string()),
            ("SCHEMAGATE_DIR", String::new()),
            ("SCHEMAGATE_FORMAT", "github".to_string()),
        ]
    };
    let run = |against: &str| {
        let env = inputs(against);
        let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
        step("check.sh", &repo, &env, &path)
    };
    // origin/main is not in the shallow clone: the step fetches it, then judges.
    let out = run("origin/main");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("::error file=schemas/widgets/WidgetCreated.json")
            && stdout.contains("max-length-decreased"),
        "{stdout}"
    );
    // Against its own branch the schema is unchanged: the step passes.
    let out = run("HEAD");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    std::fs::remove_dir_all(work).ok();
}
