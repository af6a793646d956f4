//! `compat-cli register` against a real registry on a real socket (the schemagate server over a
//! throwaway SQLite file), and `compat-cli lint` on event schemas with and without the rules
//! that need no baseline.

use std::process::Command;
use std::sync::Arc;

use serde_json::{json, Value};

mod common;
use common::{cli, open_registry, text};

#[test]
fn register_accepts_refuses_and_reports() {
    let (dir, _rt, base) = open_registry("register");
    let v1 = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../schemas/widgets/WidgetCreated.json"
    );
    let o = cli(&[
        "register",
        "--registry",
        &base,
        "--subject",
        "widgets.WidgetCreated",
        v1,
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(text(&o).contains("id 1"), "{}", text(&o));
    let o = cli(&[
        "register",
        "--registry",
        &base,
        "--subject",
        "widgets.WidgetCreated",
        v1,
    ]);
    assert!(text(&o).contains("id 1"), "idempotent: {}", text(&o));

    let mut broken: Value = serde_json::from_str(&std::fs::read_to_string(v1).unwrap()).unwrap();
    broken["properties"]["schema_version"]["const"] = json!("2.0.0");
    broken["properties"]["name"]["maxLength"] = json!(10);
    let v2 = dir.join("v2.json");
    std::fs::write(&v2, serde_json::to_string_pretty(&broken).unwrap()).unwrap();
    let o = cli(&[
        "register",
        "--registry",
        &base,
        "--subject",
        "widgets.WidgetCreated",
        v2.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(
        text(&o).contains("max-length-decreased")
            && text(&o).contains("/properties/name/maxLength"),
        "{}",
        text(&o)
    );
    // one item per breaking change the registry found, each whole (help texts hold "; " and
    // commas, which once split items apart)
    let out = text(&o);
    let items: Vec<&str> = out.lines().filter(|l| l.starts_with("  - ")).collect();
    let registry =
        registry_client::blocking::Client::new(&base, None, std::time::Duration::from_secs(30))
            .unwrap();
    let answer = registry
        .compatibility(
            "widgets.WidgetCreated",
            "latest",
            &std::fs::read_to_string(&v2).unwrap(),
        )
        .unwrap();
    let changes = answer.changes.unwrap();
    assert!(!changes.is_empty());
    assert_eq!(items.len(), changes.len(), "{out}");
    for (item, change) in items.iter().zip(&changes) {
        assert!(
            item.contains(&change.kind) && item.contains("against version 1"),
            "{item}"
        );
    }

    // validate against the registered versions, picked by each payload's schema_version
    let mut v101: Value = serde_json::from_str(&std::fs::read_to_string(v1).unwrap()).unwrap();
    v101["properties"]["schema_version"]["const"] = json!("1.0.1");
    v101["description"] = json!("Reworded.");
    let v101_path = dir.join("v101.json");
    std::fs::write(&v101_path, serde_json::to_string_pretty(&v101).unwrap()).unwrap();
    let o = cli(&[
        "register",
        "--registry",
        &base,
        "--subject",
        "widgets.WidgetCreated",
        v101_path.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let event = |version: &str, color: &str| {
        json!({"schema_version": version, "event_id": "123e4567-e89b-12d3-a456-426614174000", "occurred_at": "2026-11-24T12:00:00Z",
               "widget_id": "123e4567-e89b-12d3-a456-426614174001", "name": "a", "color": color})
        .to_string()
    };
    let payloads = [
        event("1.0.0", "red"),
        event("1.0.1", "blue"),
        event("9.9.9", "red"),
        event("1.0.0", "purple"),
    ]
    .join("\n");
    std::fs::write(dir.join("events.ndjson"), payloads + "\n").unwrap();
    let o = cli(&[
        "validate",
        "--registry",
        &base,
        "--subject",
        "widgets.WidgetCreated",
        dir.join("events.ndjson").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let out = text(&o);
    assert!(out.contains("2 valid, 2 invalid"), "{out}");
    assert!(out.contains(":3: /schema_version: widgets.WidgetCreated has no registered version with schema_version \"9.9.9\""), "{out}");
    assert!(out.contains(":4: /color:"), "{out}");

    // nothing listens on this port
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let o = cli(&[
        "register",
        "--registry",
        &format!("http://127.0.0.1:{closed}"),
        "--subject",
        "s",
        v1,
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o).contains("cannot reach the registry"),
        "{}",
        text(&o)
    );
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn lint_finds_event_rule_violations() {
    let dir = std::env::temp_dir().join(format!("schemagate-lint-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("bad.json"),
        "{\n  \"type\": \"array\",\n  \"items\": {\"$ref\": \"https://example.com/x.json\"}\n}\n",
    )
    .unwrap();
    let o = cli(&["lint", dir.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let out = text(&o);
    assert!(out.contains("bad.json:1:1: object-root"), "{out}");
    assert!(
        out.contains("schema-version: the schema declares no `schema_version`"),
        "{out}"
    );
    assert!(out.contains("bad.json:3:21: no-remote-ref"), "{out}");
    let o = cli(&["lint", concat!(env!("CARGO_MANIFEST_DIR"), "/../schemas")]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(text(&o).contains("7 files linted, 0 findings"));
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn register_sends_credentials_and_explains_refusals() {
    let dir = std::env::temp_dir().join(format!("schemagate-register-auth-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.join("r.db").display());
    let (base, token, scoped) = rt.block_on(async {
        let store = registry_server::store::Store::connect(&url, 4)
            .await
            .unwrap();
        let audit = registry_server::store::Audit {
            principal: "test".into(),
            address: "local".into(),
            subject: None,
            detail: serde_json::Value::Null,
        };
        let (_, token) = registry_server::auth::create(
            &store,
            "ci",
            registry_server::auth::Role::Write,
            None,
            &audit,
        )
        .await
        .unwrap();
        let (_, scoped) = registry_server::auth::create(
            &store,
            "orders-ci",
            registry_server::auth::Role::Write,
            Some("orders.".into()),
            &audit,
        )
        .await
        .unwrap();
        let tokens = registry_server::auth::Tokens::load(&store).await.unwrap();
        let options = registry_server::AppOptions {
            tokens: Some(Arc::new(tokens)),
            ..registry_server::AppOptions::open(1 << 20)
        };
        let (addr, _) = registry_server::serve_local(store, 0, options)
            .await
            .unwrap();
        (format!("http://{addr}"), token, scoped)
    });
    let file = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../schemas/widgets/WidgetCreated.json"
    );
    let args = |subject: &'static str| {
        ["register", "--registry", &base, "--subject", subject, file].map(String::from)
    };
    let o = cli(&args("widgets.WidgetCreated").each_ref().map(String::as_str));
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("refused the credentials"), "{}", text(&o));
    let mut with_token = args("widgets.WidgetCreated").to_vec();
    with_token.extend(["--token".to_string(), token.clone()]);
    let o = cli(&with_token.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let o = Command::new(env!("CARGO_BIN_EXE_compat-cli"))
        .args(args("widgets.Again"))
        .env("SCHEMAGATE_BASIC_AUTH", format!("ci:{token}"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    // A valid token outside its scope is told apart from a wrong one.
    let mut outside = args("widgets.WidgetCreated").to_vec();
    outside.extend(["--token".to_string(), scoped]);
    let o = cli(&outside.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        text(&o).contains("403") && text(&o).contains("scope that covers this subject"),
        "{}",
        text(&o)
    );
    assert!(
        !text(&o).contains("refused the credentials"),
        "{}",
        text(&o)
    );
}

/// `publish` registers a directory with references, referenced schemas first; a second run
/// registers nothing; a refused schema is listed and what references it is skipped.
#[test]
fn publish_registers_a_directory_in_dependency_order_once() {
    let (dir, _rt, base) = open_registry("publish");
    let repo = dir.join("repo");
    let write = |path: &str, v: &Value| {
        let p = repo.join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, serde_json::to_string_pretty(v).unwrap()).unwrap();
    };
    let money = json!({"type": "object", "properties": {"amount": {"type": "integer"}, "currency": {"type": "string", "maxLength": 3}}});
    // `zz` sorts after `orders`: only the references put Money first.
    write("schemas/zz/Money.json", &money);
    write(
        "schemas/orders/Order.json",
        &json!({"type": "object", "properties": {"total": {"$ref": "../zz/Money.json"}}}),
    );
    write(
        "schemas/widgets/WidgetCreated.json",
        &serde_json::from_str::<Value>(include_str!("../../schemas/widgets/WidgetCreated.json"))
            .unwrap(),
    );
    let publish = |extra: &[&str]| {
        let o = Command::new(env!("CARGO_BIN_EXE_compat-cli"))
            .args(["publish", "--registry", &base])
            .args(extra)
            .current_dir(&repo)
            .output()
            .unwrap();
        (
            o.status.code(),
            String::from_utf8_lossy(&o.stdout).to_string() + &String::from_utf8_lossy(&o.stderr),
        )
    };
    let (code, out) = publish(&["--dry-run"]);
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("3 schemas: 3 to register"), "{out}");
    let (code, out) = publish(&[]);
    assert_eq!(code, Some(0), "{out}");
    assert!(
        out.contains("3 schemas: 3 registered, 0 unchanged"),
        "{out}"
    );
    let money_at = out.find("registered zz.Money").expect("Money registered");
    let order_at = out
        .find("registered orders.Order")
        .expect("Order registered");
    assert!(money_at < order_at, "referenced first: {out}");
    let (code, out) = publish(&[]);
    assert_eq!(code, Some(0), "{out}");
    assert!(
        out.contains("3 schemas: 0 registered, 3 unchanged"),
        "second run: {out}"
    );

    // Order compiles with the Money it references, from the registry, for `validate`.
    let events = dir.join("orders.ndjson");
    std::fs::write(
        &events,
        "{\"total\": {\"amount\": 5, \"currency\": \"EUR\"}}\n{\"total\": {\"amount\": 5, \"currency\": \"EURO\"}}\n",
    )
    .unwrap();
    for pin in [&[][..], &["--version", "1"][..]] {
        let o = Command::new(env!("CARGO_BIN_EXE_compat-cli"))
            .args(["validate", "--registry", &base, "--subject", "orders.Order"])
            .args(pin)
            .arg(&events)
            .output()
            .unwrap();
        let out = text(&o);
        assert_eq!(o.status.code(), Some(1), "{out}");
        assert!(out.contains("1 valid, 1 invalid"), "{out}");
        assert!(out.contains("orders.ndjson:2: /total/currency:"), "{out}");
    }

    // Narrowing Money breaks: it is refused, and Order, which references it, is skipped.
    let mut narrowed = money.clone();
    narrowed["properties"]["currency"]["maxLength"] = json!(2);
    write("schemas/zz/Money.json", &narrowed);
    let (code, out) = publish(&[]);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("refused    zz.Money"), "{out}");
    assert!(out.contains("max-length-decreased"), "{out}");
    assert!(out.contains("skipped    orders.Order"), "{out}");
    assert!(out.contains("1 refused, 1 skipped"), "{out}");
    std::fs::remove_dir_all(dir).ok();
}
