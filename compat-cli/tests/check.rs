//! End-to-end tests of `compat-cli check --against REF` on throwaway git repositories: two
//! commits on main and a feature branch, schemas changed in each way the rules care about, and
//! the exit code, the finding and its file and line asserted.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::{json, Value};

struct Repo {
    dir: PathBuf,
}

impl Repo {
    fn new(tag: &str) -> Repo {
        let dir =
            std::env::temp_dir().join(format!("schemagate-check-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let repo = Repo { dir };
        repo.git(&["init", "-q", "-b", "main"]);
        repo.git(&["config", "user.email", "ci@example.com"]);
        repo.git(&["config", "user.name", "ci"]);
        repo
    }

    fn git(&self, args: &[&str]) {
        let out = Command::new("git")
            .arg("-C")
            .arg(&self.dir)
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    fn write(&self, path: &str, value: &Value) {
        let p = self.dir.join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, serde_json::to_string_pretty(value).unwrap() + "\n").unwrap();
    }

    fn write_text(&self, path: &str, text: &str) {
        let p = self.dir.join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }

    fn commit(&self, msg: &str) {
        self.git(&["add", "-A"]);
        self.git(&["commit", "-q", "-m", msg]);
    }

    fn check(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_compat-cli"))
            .arg("check")
            .args(args)
            .current_dir(&self.dir)
            .env("NO_COLOR", "1")
            .output()
            .unwrap()
    }
}

impl Drop for Repo {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn widget(version: &str) -> Value {
    let mut s: Value =
        serde_json::from_str(include_str!("../../schemas/widgets/WidgetCreated.json")).unwrap();
    s["properties"]["schema_version"]["const"] = json!(version);
    s
}

fn json_out(o: &Output) -> Value {
    serde_json::from_str(&String::from_utf8_lossy(&o.stdout))
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&o.stdout)))
}

fn all_changes(v: &Value) -> Vec<Value> {
    match v.get("reports") {
        Some(r) => r
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|r| r["changes"].as_array().unwrap().clone())
            .collect(),
        None => v["changes"].as_array().cloned().unwrap_or_default(),
    }
}

/// Two commits on main, a feature branch with a change, checked against main.
fn base_repo(tag: &str) -> Repo {
    let r = Repo::new(tag);
    r.write("schemas/widgets/WidgetCreated.json", &widget("1.0.0"));
    r.write(
        "schemas/ads/AdClick.json",
        &serde_json::from_str::<Value>(include_str!("../../schemas/ads/AdClick.json")).unwrap(),
    );
    r.commit("first");
    r.write("schemas/widgets/WidgetCreated.json", &{
        let mut w = widget("1.0.1");
        w["description"] = json!("A widget was created.");
        w
    });
    r.commit("second");
    r.git(&["checkout", "-q", "-b", "feature"]);
    r
}

#[test]
fn compatible_change_passes() {
    let r = base_repo("ok");
    let mut w = widget("1.0.2");
    w["description"] = json!("A widget was created (reworded).");
    r.write("schemas/widgets/WidgetCreated.json", &w);
    r.commit("reword");
    let o = r.check(&["--against", "main"]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(String::from_utf8_lossy(&o.stdout)
        .contains("2 subjects checked against main: 1 changed, 0 added, 0 breaking"));
}

#[test]
fn narrowing_is_found_with_file_and_line() {
    let r = base_repo("narrow");
    let mut w = widget("2.0.0");
    w["properties"]["name"]["maxLength"] = json!(50);
    r.write("schemas/widgets/WidgetCreated.json", &w);
    let o = r.check(&["--against", "main", "--format", "json"]);
    assert_eq!(o.status.code(), Some(1));
    let changes = all_changes(&json_out(&o));
    let c = changes
        .iter()
        .find(|c| c["kind"] == "max-length-decreased")
        .expect("finding");
    assert_eq!(c["file"], "schemas/widgets/WidgetCreated.json");
    let line = c["line"].as_u64().unwrap() as usize;
    let text = std::fs::read_to_string(r.dir.join("schemas/widgets/WidgetCreated.json")).unwrap();
    assert!(
        text.lines()
            .nth(line - 1)
            .unwrap()
            .contains("\"maxLength\": 50"),
        "line {line}"
    );
    let gh = r.check(&["--against", "main", "--format", "github"]);
    let out = String::from_utf8_lossy(&gh.stdout);
    assert!(
        out.contains(&format!(
            "::error file=schemas/widgets/WidgetCreated.json,line={line},"
        )),
        "{out}"
    );
    let human = r.check(&["--against", "main", "--color", "never"]);
    assert!(String::from_utf8_lossy(&human.stdout).contains("1 breaking"));
}

#[test]
fn deleted_schema_is_a_removed_subject() {
    let r = base_repo("deleted");
    std::fs::remove_file(r.dir.join("schemas/ads/AdClick.json")).unwrap();
    let o = r.check(&["--against", "main", "--format", "json"]);
    assert_eq!(o.status.code(), Some(1));
    let changes = all_changes(&json_out(&o));
    assert!(
        changes
            .iter()
            .any(|c| c["kind"] == "subject-removed" && c["file"] == "schemas/ads/AdClick.json"),
        "{changes:?}"
    );
}

#[test]
fn moved_file_with_the_same_subject_is_no_change() {
    let r = Repo::new("moved");
    let mut w = widget("1.0.0");
    w["x-schemagate-subject"] = json!("widgets.WidgetCreated");
    r.write("schemas/widgets/WidgetCreated.json", &w);
    r.commit("first");
    r.git(&[
        "mv",
        "schemas/widgets/WidgetCreated.json",
        "schemas/widget-created.json",
    ]);
    let o = r.check(&["--against", "HEAD"]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
    assert!(String::from_utf8_lossy(&o.stdout)
        .contains("1 subjects checked against HEAD: 0 changed, 0 added, 0 breaking"));
}

#[test]
fn new_schema_is_fine_and_config_sets_levels() {
    let r = base_repo("config");
    r.write(
        "schemas/ads/AdImpression.json",
        &serde_json::from_str::<Value>(include_str!("../../schemas/ads/AdImpression.json"))
            .unwrap(),
    );
    let mut w = widget("2.0.0");
    w["properties"]["name"]["maxLength"] = json!(50);
    r.write("schemas/widgets/WidgetCreated.json", &w);
    // a subject at level NONE accepts the breaking change
    r.write_text(
        "schemagate.toml",
        "dir = \"schemas\"\n\n[subjects.\"widgets.WidgetCreated\"]\nmode = \"none\"\n",
    );
    let o = r.check(&["--against", "main"]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
    assert!(String::from_utf8_lossy(&o.stdout).contains("1 added"));
    // the command line wins over the file
    let o = r.check(&["--against", "main", "--mode", "backward"]);
    assert_eq!(o.status.code(), Some(1));
}

#[test]
fn bad_input_is_exit_2() {
    let r = base_repo("bad");
    let o = r.check(&["--against", "no-such-branch"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("unknown git ref \"no-such-branch\""));
    r.write_text(
        "schemas/widgets/WidgetCreated.json",
        "{\n  \"type\": \"object\",\n  \"properties\": {\n",
    );
    let o = r.check(&["--against", "main"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&o.stderr)
            .contains("schemas/widgets/WidgetCreated.json:4:1: invalid JSON"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    r.write_text("schemagate.toml", "mode = \"sideways\"\n");
    r.write("schemas/widgets/WidgetCreated.json", &widget("1.0.1"));
    let o = r.check(&["--against", "main"]);
    assert_eq!(
        o.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
    let outside = std::env::temp_dir().join(format!("schemagate-norepo-{}", std::process::id()));
    std::fs::create_dir_all(&outside).unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_compat-cli"))
        .args(["check", "--against", "main"])
        .current_dir(&outside)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("not inside a git repository"));
    let _ = Path::new(&outside);
    std::fs::remove_dir_all(outside).ok();
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).to_string()
}

#[test]
fn every_changed_schema_gets_its_schema_version() {
    let r = base_repo("advice");
    // An edit without a bump: a patch is needed.
    let mut w = widget("1.0.1");
    w["description"] = json!("Reworded again.");
    r.write("schemas/widgets/WidgetCreated.json", &w);
    let o = r.check(&["--against", "main"]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    assert!(
        stdout(&o).contains(
            "widgets.WidgetCreated  1.0.1 → 1.0.1  needs patch: bump `schema_version` to 1.0.2"
        ),
        "{}",
        stdout(&o)
    );
    // A narrowing with a minor bump: a major one is needed, and JSON says so per subject.
    let mut w = widget("1.1.0");
    w["properties"]["name"]["maxLength"] = json!(50);
    r.write("schemas/widgets/WidgetCreated.json", &w);
    let v = json_out(&r.check(&["--against", "main", "--format", "json"]));
    let s = v["subjects"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["subject"] == "widgets.WidgetCreated")
        .unwrap()
        .clone();
    assert_eq!(
        s["schema_version"],
        json!({"old": "1.0.1", "new": "1.1.0", "needed": "major", "suggested": "2.0.0", "ok": false})
    );
    assert_eq!(s["status"], "changed");
    // A compatible change with the right bump is printed as fine.
    let mut w = widget("1.0.2");
    w["description"] = json!("Reworded again.");
    r.write("schemas/widgets/WidgetCreated.json", &w);
    let o = r.check(&["--against", "main"]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(
        stdout(&o).contains("widgets.WidgetCreated  1.0.1 → 1.0.2  needs patch: ok"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn schemagate_toml_names_the_subject_of_a_file() {
    let r = base_repo("naming");
    std::fs::create_dir_all(r.dir.join("schemas/legacy")).unwrap();
    r.git(&[
        "mv",
        "schemas/widgets/WidgetCreated.json",
        "schemas/legacy/widget_created_v2.json",
    ]);
    // Without a name the move is a removal (breaking) and a new subject.
    let o = r.check(&["--against", "main"]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    assert!(
        stdout(&o).contains("1 changed, 1 added, 1 breaking"),
        "{}",
        stdout(&o)
    );
    r.write_text(
        "schemagate.toml",
        "[subjects.\"widgets.WidgetCreated\"]\nfile = \"schemas/legacy/widget_created_v2.json\"\n",
    );
    let o = r.check(&["--against", "main"]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(
        stdout(&o).contains("2 subjects checked against main: 0 changed, 0 added, 0 breaking"),
        "{}",
        stdout(&o)
    );
}

/// The human and JSON reports of one breaking change, as snapshots (color off; every path in
/// them is relative to the repository, so nothing needs redacting).
#[test]
fn check_output_snapshots() {
    let r = base_repo("snap");
    let mut w = widget("2.0.0");
    w["properties"]["name"]["maxLength"] = json!(50);
    w["properties"]["color"]["enum"] = json!(["red", "green"]);
    r.write("schemas/widgets/WidgetCreated.json", &w);
    let human = r.check(&["--against", "main", "--color", "never"]);
    assert_eq!(human.status.code(), Some(1));
    insta::assert_snapshot!("check_human", stdout(&human));
    let json = r.check(&["--against", "main", "--format", "json"]);
    insta::assert_snapshot!("check_json", stdout(&json));
}

#[test]
fn against_a_registry() {
    let r = base_repo("registry");
    let rt = tokio::runtime::Runtime::new().unwrap();
    let url = format!("sqlite://{}?mode=rwc", r.dir.join("r.db").display());
    let base = rt.block_on(async {
        let store = registry_server::store::Store::connect(&url, 4)
            .await
            .unwrap();
        let options = registry_server::AppOptions::open(1 << 20);
        let (addr, _) = registry_server::serve_local(store, 0, options)
            .await
            .unwrap();
        format!("http://{addr}")
    });
    let client =
        registry_client::blocking::Client::new(&base, None, std::time::Duration::from_secs(5))
            .unwrap();
    client
        .register("widgets.WidgetCreated", &widget("1.0.1").to_string())
        .unwrap();
    let against = format!("registry:{base}");

    let mut w = widget("2.0.0");
    w["properties"]["name"]["maxLength"] = json!(50);
    r.write("schemas/widgets/WidgetCreated.json", &w);
    let o = r.check(&["--against", &against, "--format", "json"]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    let v = json_out(&o);
    let c = all_changes(&v)
        .into_iter()
        .find(|c| c["kind"] == "max-length-decreased")
        .expect("finding");
    assert_eq!(c["file"], "schemas/widgets/WidgetCreated.json");
    assert!(c["line"].as_u64().unwrap() > 1);
    let statuses: Vec<(String, String)> = v["subjects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["subject"].as_str().unwrap().into(),
                s["status"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert!(
        statuses.contains(&("ads.AdClick".into(), "added".into())),
        "{statuses:?}"
    );

    // The registry's level for the subject decides: NONE accepts the narrowing.
    let http = reqwest::blocking::Client::new();
    let put = http
        .put(format!("{base}/config/widgets.WidgetCreated"))
        .json(&json!({"compatibility": "NONE"}))
        .send()
        .unwrap();
    assert_eq!(put.status().as_u16(), 200);
    let o = r.check(&["--against", &against]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));

    // Level and rule set both come from the registry: the check's verdict is the one the
    // registry itself gives the same schema, whatever the subject is set to.
    let mut extended = widget("1.1.0");
    extended["properties"]["note"] = json!({"type": "string"});
    r.write("schemas/widgets/WidgetCreated.json", &extended);
    let mut verdicts = std::collections::BTreeSet::new();
    for level in ["BACKWARD", "FORWARD", "FULL"] {
        for rules in ["events", "standard", "lenient"] {
            let put = http
                .put(format!("{base}/config/widgets.WidgetCreated"))
                .json(&json!({"compatibility": level, "rules": rules}))
                .send()
                .unwrap();
            assert_eq!(put.status().as_u16(), 200);
            let registry = client
                .compatibility("widgets.WidgetCreated", "latest", &extended.to_string())
                .unwrap()
                .is_compatible;
            let o = r.check(&["--against", &against, "--format", "json"]);
            let ours = json_out(&o)["subjects"]
                .as_array()
                .unwrap()
                .iter()
                .find(|s| s["subject"] == "widgets.WidgetCreated")
                .map(|s| s["compatible"].as_bool().unwrap())
                .unwrap();
            assert_eq!(ours, registry, "{level} {rules}: {}", stdout(&o));
            verdicts.insert(registry);
        }
    }
    assert_eq!(
        verdicts.len(),
        2,
        "the settings must matter for this change"
    );

    let o = r.check(&["--against", "registry:http://127.0.0.1:9"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("cannot reach the registry"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

/// A schema whose `$ref` names a sibling file: changing only the sibling changes the schema
/// that references it, so `check` re-checks that one and finds the narrowing through the
/// reference, reading the sibling at REF and in the working tree.
#[test]
fn a_changed_sibling_file_is_checked_through_its_references() {
    let r = Repo::new("siblings");
    let money = |amount: &str| {
        json!({
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$defs": {"Money": {"type": "object", "properties": {"amount": {"type": amount}, "currency": {"type": "string"}}}}
        })
    };
    let mut order = widget("1.0.0");
    order["properties"]["total"] = json!({"$ref": "../common/money.json#/$defs/Money"});
    r.write("schemas/orders/OrderPlaced.json", &order);
    r.write("schemas/common/money.json", &money("number"));
    r.write_text(
        "schemagate.toml",
        "[subjects.\"common.money\"]\nrules = \"standard\"\n",
    );
    r.commit("first");
    r.git(&["checkout", "-q", "-b", "feature"]);
    r.write("schemas/common/money.json", &money("integer"));
    let o = r.check(&["--against", "main", "--format", "json"]);
    let out = json_out(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    let narrowed: Vec<Value> = all_changes(&out)
        .into_iter()
        .filter(|c| c["kind"] == "type-narrowed" && c["instance_pointer"] == "/total/amount")
        .collect();
    assert!(!narrowed.is_empty(), "{out}");

    // A reference that leaves the repository is refused, naming the place.
    order["properties"]["total"] = json!({"$ref": "../../../outside.json"});
    r.write("schemas/orders/OrderPlaced.json", &order);
    let o = r.check(&["--against", "main"]);
    let err = String::from_utf8_lossy(&o.stderr).to_string();
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("outside the repository"), "{err}");
    assert!(err.contains("/properties/total"), "{err}");
}

/// A gate that checks nothing must not pass, and a typo in `schemagate.toml` is reported where it
/// is before any work, even when no schema it governs changed.
#[test]
fn missing_schema_directory_and_bad_settings_exit_2() {
    let r = base_repo("nothing");
    let stderr = |o: &Output| String::from_utf8_lossy(&o.stderr).to_string();
    let o = r.check(&["--against", "main", "--dir", "nosuch"]);
    assert_eq!(o.status.code(), Some(2), "{}", stdout(&o));
    assert!(
        stderr(&o).contains("\"nosuch\" does not exist") && stderr(&o).contains("--dir"),
        "{}",
        stderr(&o)
    );
    std::fs::create_dir_all(r.dir.join("empty")).unwrap();
    let o = r.check(&["--against", "main", "--dir", "empty"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("no schema files"), "{}", stderr(&o));

    r.write_text("schemagate.toml", "dir = \"schemaz\"\n");
    let o = r.check(&["--against", "main"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("\"schemaz\"") && stderr(&o).contains("schemagate.toml"),
        "{}",
        stderr(&o)
    );

    // An unknown mode for a subject nothing changed is still found, with its place.
    r.write_text(
        "schemagate.toml",
        "[subjects.\"nobody.Changed\"]\nmode = \"sideways\"\n",
    );
    let o = r.check(&["--against", "HEAD"]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(
        err.contains("schemagate.toml")
            && err.contains("[subjects.\"nobody.Changed\"] mode")
            && err.contains("sideways"),
        "{err}"
    );
}

/// In a shallow clone (CI's default checkout) a missing base commit says why and what to do.
#[test]
fn a_shallow_clone_is_named_as_the_cause() {
    let r = base_repo("shallow-src");
    let clone = std::env::temp_dir().join(format!("schemagate-shallow-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&clone);
    let out = Command::new("git")
        .args(["clone", "-q", "--depth", "1"])
        .arg(format!("file://{}", r.dir.display()))
        .arg(&clone)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let o = Command::new(env!("CARGO_BIN_EXE_compat-cli"))
        .args(["check", "--against", "HEAD~1"])
        .current_dir(&clone)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("shallow") && err.contains("fetch-depth: 0"),
        "{err}"
    );
    std::fs::remove_dir_all(clone).ok();
}

#[test]
fn replay_adds_the_archived_events_a_change_refuses() {
    let r = base_repo("replay");
    // Blue widgets are no longer allowed: statically breaking, and the archive says how much.
    let mut w = widget("2.0.0");
    w["properties"]["color"]["enum"] = json!(["red", "green"]);
    r.write("schemas/widgets/WidgetCreated.json", &w);
    r.commit("no more blue");
    let archive = r.dir.join("archive/widgets.WidgetCreated");
    std::fs::create_dir_all(&archive).unwrap();
    let event = |color: &str| {
        format!(
            r#"{{"schema_version":"1.0.1","event_id":"0b5c6f0e-8d4c-4c0e-9a53-3f2d6b0f7a11","occurred_at":"2026-11-01T10:00:00Z","widget_id":"6d1f3f9e-1f5b-4b7e-8c1a-2a9f6c3d4e5f","name":"w","color":"{color}"}}"#
        )
    };
    std::fs::write(
        archive.join("2026-11-01.ndjson"),
        [event("red"), event("blue"), event("green"), event("blue")].join("\n") + "\n",
    )
    .unwrap();
    let o = r.check(&["--against", "main", "--replay", "archive"]);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(
        out.contains("replayed 4 archived events from 1 files against widgets.WidgetCreated's new schema: 2 rejected (50.00%)"),
        "{out}"
    );
    assert!(out.contains("2026-11-01.ndjson:2: /color:"), "{out}");
    let o = r.check(&[
        "--against",
        "main",
        "--replay",
        "archive",
        "--format",
        "json",
    ]);
    let v = json_out(&o);
    let widgets = v["subjects"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["subject"] == "widgets.WidgetCreated")
        .unwrap();
    assert_eq!(widgets["replay"]["rejected"], 2, "{widgets}");
    assert_eq!(widgets["replay"]["replayed"], 4);
    assert_eq!(widgets["replay"]["examples"][0]["line"], 2);
    let o = r.check(&[
        "--against",
        "main",
        "--replay",
        "archive",
        "--format",
        "github",
    ]);
    assert!(
        stdout(&o).contains("::error file=schemas/widgets/WidgetCreated.json,line=1,title=archived-events-refused::2 of 4 archived events of widgets.WidgetCreated"),
        "{}",
        stdout(&o)
    );
    // A replay folder that is not there is an error, not a pass.
    let o = r.check(&["--against", "main", "--replay", "nosuch"]);
    assert_eq!(o.status.code(), Some(2), "{}", stdout(&o));
}

/// `diff`, `check` and `lint` print through one output module: in each format the same thing
/// found fails the same way (exit 1, the JSON verdict false, a `::error` titled with a rule id,
/// a SARIF error whose rule the run describes), and nothing found prints no error.
#[test]
fn every_format_means_the_same_in_diff_check_and_lint() {
    let r = base_repo("formats");
    let mut narrowed = widget("2.0.0");
    narrowed["properties"]["color"]["enum"] = json!(["red", "green"]);
    r.write("schemas/widgets/WidgetCreated.json", &narrowed);
    r.write("schemas/bare/Bare.json", &json!({"type": "object"}));
    r.write("old/WidgetCreated.json", &widget("1.0.1"));
    r.write("old/Clean.json", &widget("1.0.1"));
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_compat-cli"))
            .args(args)
            .current_dir(&r.dir)
            .env("NO_COLOR", "1")
            .output()
            .unwrap()
    };
    let commands: [(&str, Vec<&str>, &str); 3] = [
        (
            "diff",
            vec![
                "diff",
                "old/WidgetCreated.json",
                "schemas/widgets/WidgetCreated.json",
            ],
            "compatible",
        ),
        ("check", vec!["check", "--against", "main"], "compatible"),
        ("lint", vec!["lint", "schemas/bare"], "clean"),
    ];
    for (name, args, verdict) in &commands {
        for format in ["human", "json", "github", "sarif"] {
            let mut a = args.clone();
            a.extend(["--format", format]);
            let o = run(&a);
            let out = String::from_utf8_lossy(&o.stdout).to_string();
            assert_eq!(o.status.code(), Some(1), "{name} --format {format}: {out}");
            match format {
                "json" => {
                    let v = json_out(&o);
                    assert_eq!(v[verdict], false, "{name}: {v}");
                }
                "github" => {
                    let errors: Vec<&str> =
                        out.lines().filter(|l| l.starts_with("::error ")).collect();
                    assert!(!errors.is_empty(), "{name}: {out}");
                    for e in errors {
                        let title = e
                            .split("title=")
                            .nth(1)
                            .unwrap()
                            .split("::")
                            .next()
                            .unwrap();
                        assert!(
                            title.chars().all(|c| c.is_ascii_lowercase() || c == '-'),
                            "{name}: the title is a rule id: {e}"
                        );
                        assert!(e.contains("file="), "{name}: {e}");
                    }
                }
                "sarif" => {
                    let v = json_out(&o);
                    assert_eq!(v["version"], "2.1.0");
                    let run = &v["runs"][0];
                    let rules: Vec<&str> = run["tool"]["driver"]["rules"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|r| r["id"].as_str().unwrap())
                        .collect();
                    let results = run["results"].as_array().unwrap();
                    assert!(results.iter().any(|x| x["level"] == "error"), "{name}: {v}");
                    for x in results {
                        assert!(
                            rules.contains(&x["ruleId"].as_str().unwrap()),
                            "{name}: {x} has no rule in {rules:?}"
                        );
                    }
                }
                _ => assert!(!out.is_empty()),
            }
        }
    }
    // Nothing found: exit 0, the verdict true, no error in any machine format.
    let clean: [(Vec<&str>, &str); 2] = [
        (
            vec!["diff", "old/WidgetCreated.json", "old/Clean.json"],
            "compatible",
        ),
        (vec!["lint", "old/Clean.json"], "clean"),
    ];
    for (args, verdict) in &clean {
        for format in ["json", "github", "sarif"] {
            let mut a = args.clone();
            a.extend(["--format", format]);
            let o = run(&a);
            let out = String::from_utf8_lossy(&o.stdout).to_string();
            assert_eq!(o.status.code(), Some(0), "{a:?}: {out}");
            match format {
                "json" => assert_eq!(json_out(&o)[verdict], true),
                "github" => assert!(!out.contains("::error"), "{out}"),
                _ => assert!(
                    json_out(&o)["runs"][0]["results"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .all(|x| x["level"] != "error"),
                    "{out}"
                ),
            }
        }
    }
}
