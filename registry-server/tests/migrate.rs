//! Moving a registry: `import --from` copies every subject version, id and config through the
//! target's IMPORT mode, keeping ids and version numbers; running it again imports nothing
//! (resumable); `export` to a file and `import --file` give the same registry.

mod common;

use common::{client, sqlite_url, start, temp_dir};
use registry_server::migrate;
use serde_json::{json, Value};

/// The registry at `base`, as import/export reach it.
fn reg(base: &str) -> registry_client::Client {
    registry_client::Client::new(base, None, std::time::Duration::from_secs(30)).unwrap()
}

async fn post(base: &str, path: &str, body: Value) -> Value {
    let r = client()
        .post(format!("{base}{path}"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert!(
        r.status().is_success(),
        "{path}: {}",
        r.text().await.unwrap()
    );
    r.json().await.unwrap()
}

async fn seed(base: &str) {
    client()
        .put(format!("{base}/config"))
        .json(&json!({"compatibility": "NONE"}))
        .send()
        .await
        .unwrap();
    // ids are not contiguous per subject, and one subject references another
    post(base, "/subjects/money/versions", json!({"schema": json!({"type": "object", "properties": {"amount": {"type": "integer"}}}).to_string()})).await;
    for i in 0..3 {
        post(
            base,
            "/subjects/widgets.WidgetCreated/versions",
            json!({"schema": json!({"type": "object", "title": format!("w{i}")}).to_string()}),
        )
        .await;
    }
    post(base, "/subjects/order/versions", json!({
        "schema": json!({"type": "object", "properties": {"total": {"$ref": "money"}}}).to_string(),
        "references": [{"name": "money", "subject": "money", "version": 1}],
    }))
    .await;
    client()
        .put(format!("{base}/config/order"))
        .json(&json!({"compatibility": "BACKWARD", "rules": "standard"}))
        .send()
        .await
        .unwrap();
    // As a Confluent registry holds them: a subject in a context, and draft-07 without
    // `$schema` (tuple `items`) with metadata, a rule set and contract settings.
    client()
        .put(format!("{base}/config/payments-value"))
        .json(&json!({"defaultMetadata": {"properties": {"tier": "gold"}}, "compatibilityGroup": "major"}))
        .send()
        .await
        .unwrap();
    post(
        base,
        "/subjects/:.staging:payments-value/versions",
        json!({"schema": json!({"type": "object", "title": "staged"}).to_string()}),
    )
    .await;
    let rule = json!({"name": "positive", "kind": "CONDITION", "mode": "WRITE", "type": "CEL", "expr": "message[0] > 0", "onFailure": "DLQ"});
    for (major, owner) in [("1", "team-a"), ("2", "team-b")] {
        post(base, "/subjects/payments-value/versions", json!({
            "schema": json!({"type": "array", "items": [{"type": "number"}, {"type": "string"}], "title": major}).to_string(),
            "metadata": {"properties": {"major": major, "owner": owner}},
            "ruleSet": {"domainRules": [rule]},
        }))
        .await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn import_keeps_ids_versions_and_configs() {
    let dir = temp_dir("migrate");
    for d in ["src", "dst", "dst2"] {
        std::fs::create_dir_all(dir.join(d)).unwrap();
    }
    let src = start(&sqlite_url(&dir.join("src"))).await;
    seed(&src.base).await;
    let dst = start(&sqlite_url(&dir.join("dst"))).await;
    let source = migrate::export(&reg(&src.base)).await.unwrap();
    assert_eq!(source.entries.len(), 8);
    let payments = source
        .entries
        .iter()
        .find(|e| e.subject == "payments-value")
        .unwrap();
    let tier = payments.metadata.as_ref().and_then(|m| m.property("tier"));
    assert_eq!(tier, Some("gold"), "the source laid its default under");
    assert!(payments.rule_set.is_some());

    let counts = migrate::load(&source, &reg(&dst.base), false)
        .await
        .unwrap();
    assert_eq!(
        (
            counts.source,
            counts.imported,
            counts.skipped,
            counts.target
        ),
        (8, 8, 0, 8)
    );
    let copied = migrate::export(&reg(&dst.base)).await.unwrap();
    assert_eq!(
        copied.entries, source.entries,
        "same subjects, versions, ids, schemas and references"
    );
    assert_eq!(copied.configs.get("order"), source.configs.get("order"));
    assert_eq!(
        copied.configs.get("payments-value"),
        source.configs.get("payments-value"),
        "contract settings copied"
    );
    assert!(source.configs["payments-value"]
        .contracts
        .default_metadata
        .is_some());
    let (mode, _) = (
        client()
            .get(format!("{}/mode", dst.base))
            .send()
            .await
            .unwrap()
            .json::<Value>()
            .await
            .unwrap(),
        (),
    );
    assert_eq!(mode["mode"], "READWRITE", "mode restored after the import");

    // resumable: a second run finds everything there
    let again = migrate::load(&source, &reg(&dst.base), false)
        .await
        .unwrap();
    assert_eq!((again.imported, again.skipped, again.target), (0, 8, 8));

    // export file and import --file through the binary
    let file = dir.join("registry.json");
    let bin = env!("CARGO_BIN_EXE_registry-server");
    let out = std::process::Command::new(bin)
        .args([
            "export",
            "--from",
            &src.base,
            "--out",
            file.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let dst2 = start(&sqlite_url(&dir.join("dst2"))).await;
    let out = std::process::Command::new(bin)
        .args([
            "import",
            "--file",
            file.to_str().unwrap(),
            "--to",
            &dst2.base,
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("8 imported"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert_eq!(
        migrate::export(&reg(&dst2.base)).await.unwrap().entries,
        source.entries
    );

    // a target whose ids are taken by other schemas refuses clearly, never a 500
    std::fs::create_dir_all(dir.join("dst3")).unwrap();
    let dst3 = start(&sqlite_url(&dir.join("dst3"))).await;
    post(
        &dst3.base,
        "/subjects/unrelated/versions",
        json!({"schema": json!({"type": "string"}).to_string()}),
    )
    .await;
    let err = migrate::load(&source, &reg(&dst3.base), false)
        .await
        .unwrap_err();
    let err = format!("{err:#}");
    assert!(err.contains("already used"), "{err}");
    std::fs::remove_dir_all(dir).ok();
}

/// The server process: `--help` lists the commands, and SIGTERM ends it cleanly (exit 0)
/// once in-flight requests are done.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn process_starts_and_stops_on_sigterm() {
    let dir = temp_dir("proc");
    let p = common::Process::start(&sqlite_url(&dir));
    common::wait_ready(&p.base).await;
    let r = client()
        .get(format!("{}/subjects", p.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let pid = p.pid();
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = p
        .wait_exit(std::time::Duration::from_secs(10))
        .expect("exits after SIGTERM");
    assert!(status.success(), "{status:?}");
    let help = std::process::Command::new(env!("CARGO_BIN_EXE_registry-server"))
        .arg("--help")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&help.stdout);
    assert!(
        text.contains("import") && text.contains("export") && text.contains("--database-url"),
        "{text}"
    );
    std::fs::remove_dir_all(dir).ok();
}
