//! The server's command line as a newcomer meets it: options after `serve`, `serve --help`
//! listing them, `token` refusing to make a database in whatever folder it runs in, and logs
//! that are plain text in a file or JSON on request.

mod common;

use std::process::{Command, Stdio};

use common::{free_port, sqlite_url, temp_dir, wait_ready};

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_registry-server"));
    c.env_remove("DATABASE_URL").env_remove("RUST_LOG");
    c
}

#[test]
fn serve_help_lists_the_options() {
    let out = bin().args(["serve", "--help"]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    for option in ["--listen", "--database-url", "--tls-cert", "--log-format"] {
        assert!(text.contains(option), "{option}: {text}");
    }
}

#[test]
fn token_never_makes_a_database_by_accident() {
    let dir = temp_dir("token-cwd");
    let out = bin()
        .args(["token", "create", "--name", "x"])
        .current_dir(&dir)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--database-url"), "{err}");
    assert!(!dir.join("schemagate.db").exists(), "no database made");
    // Named explicitly (after the subcommand), a new database is made and said so.
    let out = bin()
        .args(["token", "create", "--name", "x", "--database-url"])
        .arg(sqlite_url(&dir))
        .current_dir(&dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("database: sqlite://"));
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("sg_"));
    std::fs::remove_dir_all(dir).ok();
}

/// Starts `serve` with options after the subcommand, logs to a file; answers the log text.
async fn served_log(extra: &[&str]) -> String {
    let dir = temp_dir("serve-opts");
    let port = free_port();
    let log = std::fs::File::create(dir.join("log")).unwrap();
    let mut child = bin()
        .arg("serve")
        .args(["--listen", &format!("127.0.0.1:{port}")])
        .args(["--database-url", &sqlite_url(&dir)])
        .args(extra)
        .stdout(Stdio::from(log))
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    wait_ready(&format!("http://127.0.0.1:{port}")).await;
    let _ = child.kill();
    let _ = child.wait();
    let text = std::fs::read_to_string(dir.join("log")).unwrap();
    std::fs::remove_dir_all(dir).ok();
    text
}

#[tokio::test]
async fn serve_takes_options_after_the_subcommand_and_logs_plainly() {
    let text = served_log(&[]).await;
    assert!(text.contains("listening"), "{text}");
    assert!(
        !text.contains('\u{1b}'),
        "no terminal colors in a file: {text:?}"
    );
    let json = served_log(&["--log-format", "json"]).await;
    let lines: Vec<serde_json::Value> = json
        .lines()
        .filter(|l| l.starts_with('{'))
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(
        lines.iter().any(|l| l["fields"]["message"] == "listening"),
        "{json}"
    );
}

/// A database that does not answer is named (host and port, never the password) with what to
/// check.
#[test]
fn an_unreachable_database_is_named() {
    let port = free_port();
    let out = bin()
        .args(["--listen", &format!("127.0.0.1:{}", free_port())])
        .args([
            "--database-url",
            &format!("postgres://schemagate:hunter2@127.0.0.1:{port}/registry"),
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(&format!("127.0.0.1:{port}")), "{err}");
    assert!(err.contains("is PostgreSQL running"), "{err}");
    assert!(!err.contains("hunter2"), "{err}");
}

/// Schemas without `$schema` are draft-07 unless the registry is started otherwise, and
/// `GET /config` says which: Confluent's tuple `items` registers under the default and is
/// refused under 2020-12, where `items` must be one schema.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_default_dialect_is_draft_07_and_settable() {
    let tuple =
        serde_json::json!({"type": "array", "items": [{"type": "string"}, {"type": "number"}]})
            .to_string();
    for (flags, dialect, status) in [
        (vec![], "draft-07", 200),
        (vec!["--default-dialect", "2020-12"], "2020-12", 422),
    ] {
        let dir = temp_dir("dialect");
        let server = common::Process::start_with(&sqlite_url(&dir), &flags);
        wait_ready(&server.base).await;
        let config: serde_json::Value =
            common::json_of(common::client().get(format!("{}/config", server.base))).await;
        assert_eq!(config["defaultDialect"], dialect, "{config}");
        let r = common::client()
            .post(format!("{}/subjects/pair/versions", server.base))
            .json(&serde_json::json!({"schema": tuple}))
            .send()
            .await
            .unwrap();
        assert_eq!(
            r.status().as_u16(),
            status,
            "{dialect}: {}",
            r.text().await.unwrap()
        );
        std::fs::remove_dir_all(dir).ok();
    }
}
