//! The Confluent-compatible API over a real socket, with the same test bodies against a real
//! SQLite file and a real PostgreSQL server: registration and reads, compatibility enforcement
//! with the event rules, configuration, deletes, bad input, and concurrent registrations
//! (including three server replicas sharing one PostgreSQL).

mod common;

use common::{client, delete, get, post, put, sqlite_url, start, temp_dir, Postgres};
use reqwest::StatusCode;
use serde_json::{json, Value};

fn widget(version: &str, extra: Option<(&str, Value)>) -> String {
    let mut s: Value =
        serde_json::from_str(include_str!("../../schemas/widgets/WidgetCreated.json")).unwrap();
    s["properties"]["schema_version"]["const"] = json!(version);
    if let Some((k, v)) = extra {
        s["properties"][k] = v;
    }
    s.to_string()
}

const SUBJECT: &str = "widgets.WidgetCreated";

async fn registration_and_reads(base: &str) {
    let (s, v) = post(
        base,
        &format!("/subjects/{SUBJECT}/versions"),
        json!({"schema": widget("1.0.0", None), "schemaType": "JSON"}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let id = v["id"].as_i64().unwrap();
    // idempotent: same content (even re-formatted) gives the same id and no new version
    let reformatted: Value = serde_json::from_str(&widget("1.0.0", None)).unwrap();
    let (_, again) = post(
        base,
        &format!("/subjects/{SUBJECT}/versions"),
        json!({"schema": reformatted.to_string()}),
    )
    .await;
    assert_eq!(again["id"], id);
    assert_eq!(
        get(base, &format!("/subjects/{SUBJECT}/versions")).await.1,
        json!([1])
    );
    assert_eq!(get(base, "/subjects").await.1, json!([SUBJECT]));
    let (_, latest) = get(base, &format!("/subjects/{SUBJECT}/versions/latest")).await;
    assert_eq!(
        (
            latest["version"].as_i64(),
            latest["id"].as_i64(),
            latest["schemaType"].as_str()
        ),
        (Some(1), Some(id), Some("JSON"))
    );
    let (_, raw) = get(base, &format!("/subjects/{SUBJECT}/versions/1/schema")).await;
    assert_eq!(raw["title"], "WidgetCreated");
    let (_, by_id) = get(base, &format!("/schemas/ids/{id}")).await;
    assert!(by_id["schema"].as_str().unwrap().contains("WidgetCreated"));
    assert_eq!(
        get(base, &format!("/schemas/ids/{id}/subjects")).await.1,
        json!([SUBJECT])
    );
    assert_eq!(
        get(base, &format!("/schemas/ids/{id}/versions")).await.1,
        json!([{"subject": SUBJECT, "version": 1}])
    );
    assert_eq!(get(base, "/schemas/types").await.1, json!(["JSON"]));
    // the same content under another subject keeps its global id
    let (_, other) = post(
        base,
        "/subjects/copy-value/versions",
        json!({"schema": widget("1.0.0", None)}),
    )
    .await;
    assert_eq!(other["id"], id);
    // look-up by schema
    let (s, found) = post(
        base,
        &format!("/subjects/{SUBJECT}"),
        json!({"schema": widget("1.0.0", None)}),
    )
    .await;
    assert_eq!((s, found["version"].as_i64()), (StatusCode::OK, Some(1)));
    let (s, missing) = post(
        base,
        &format!("/subjects/{SUBJECT}"),
        json!({"schema": widget("9.0.0", None)}),
    )
    .await;
    assert_eq!(
        (s, missing["error_code"].as_i64()),
        (StatusCode::NOT_FOUND, Some(40403))
    );
    // request ids: given ones are echoed, missing ones are made up
    let r = client()
        .get(format!("{base}/subjects"))
        .header("x-request-id", "req-42")
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["x-request-id"], "req-42");
    let r = client()
        .get(format!("{base}/subjects"))
        .send()
        .await
        .unwrap();
    assert!(!r.headers()["x-request-id"].is_empty());
    let (_, audit) = get(base, "/audit").await;
    assert!(audit
        .as_array()
        .unwrap()
        .iter()
        .any(|a| a["action"] == "schema.register"
            && a["subject"] == SUBJECT
            && a["address"] == "127.0.0.1"));
    // Filters, in SQL on both backends: principal text in any case, `%` and `_` literal.
    let (_, filtered) = get(
        base,
        &format!("/audit?subject={SUBJECT}&action=schema.register&principal=ANONYM"),
    )
    .await;
    let filtered = filtered.as_array().unwrap();
    assert!(!filtered.is_empty());
    assert!(filtered
        .iter()
        .all(|a| a["action"] == "schema.register" && a["subject"] == SUBJECT));
    for (query, want) in [
        ("principal=%25", Some(0)),
        ("principal=anonymou_", Some(0)),
        ("since=2999-01-01", Some(0)),
        ("until=2000-01-01T00:00:00Z", Some(0)),
        ("limit=1", Some(1)),
        ("since=2000-01-01&until=2999-01-01", None),
    ] {
        let (s, answer) = get(base, &format!("/audit?{query}")).await;
        assert_eq!(s, StatusCode::OK, "{query}: {answer}");
        let n = answer.as_array().unwrap().len();
        match want {
            Some(w) => assert_eq!(n, w, "{query}: {answer}"),
            None => assert!(n > 0, "{query}"),
        }
    }
    // The console's subject list shows each subject's last change (one grouped query).
    let page = common::text_of(client().get(format!("{base}/ui?q={SUBJECT}"))).await;
    assert!(page.contains("schema.register by anonymous"), "{page}");
    for bad in [
        "since=soon",
        "until=2026-02-30",
        "limit=0",
        "limit=10001",
        "limit=abc",
        "limit=99999999999999999999",
    ] {
        let (s, answer) = get(base, &format!("/audit?{bad}")).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{bad}: {answer}");
        assert_eq!(answer["error_code"], 400, "{bad}: {answer}");
    }
}

async fn compatibility_enforced(base: &str) {
    post(
        base,
        &format!("/subjects/{SUBJECT}/versions"),
        json!({"schema": widget("1.0.0", None)}),
    )
    .await;
    // default FULL_TRANSITIVE + events: an optional field added to the closed model breaks forward
    let added = widget("1.1.0", Some(("owner_id", json!({"type": "string"}))));
    let (s, err) = post(
        base,
        &format!("/subjects/{SUBJECT}/versions"),
        json!({"schema": added}),
    )
    .await;
    assert_eq!(
        (s, err["error_code"].as_i64()),
        (StatusCode::CONFLICT, Some(409)),
        "{err}"
    );
    let msg = err["message"].as_str().unwrap();
    assert!(
        msg.contains("property-added-to-closed-model") && msg.contains("/properties/owner_id"),
        "{msg}"
    );
    // the 409 carries each breaking change typed, with the event that shows it
    let change = &err["changes"][0];
    assert_eq!(change["kind"], "property-added-to-closed-model", "{err}");
    assert_eq!(change["new_pointer"], "/properties/owner_id", "{err}");
    assert_eq!(change["version"], 1, "{err}");
    assert_eq!(change["breaks"], json!(["forward"]), "{err}");
    assert!(change["witness"].is_object(), "{err}");
    let metrics = common::text_of(client().get(format!("{base}/metrics"))).await;
    assert!(
        metrics.contains("schemagate_rejections_total{kind=\"property-added-to-closed-model\"} 1"),
        "{metrics}"
    );
    assert!(metrics.contains("schemagate_http_requests_total{method=\"POST\",route=\"/subjects/{subject}/versions\",status=\"409\"} 1"), "{metrics}");
    assert!(metrics.contains("schemagate_http_request_duration_seconds_count{route=\"/subjects/{subject}/versions\"}"), "{metrics}");
    let (_, verbose) = post(
        base,
        &format!("/compatibility/subjects/{SUBJECT}/versions/latest?verbose=true"),
        json!({"schema": added}),
    )
    .await;
    assert_eq!(verbose["is_compatible"], false);
    // Confluent clients read messages as strings; the typed changes sit beside them
    let line = verbose["messages"][0].as_str().unwrap();
    assert!(line.contains("property-added-to-closed-model"), "{verbose}");
    assert_eq!(
        verbose["changes"][0]["kind"],
        "property-added-to-closed-model"
    );
    let (_, quiet) = post(
        base,
        &format!("/compatibility/subjects/{SUBJECT}/versions/latest"),
        json!({"schema": added}),
    )
    .await;
    assert_eq!(quiet, json!({"is_compatible": false}));
    // under BACKWARD the same change is fine with a minor bump
    let (s, _) = put(
        base,
        &format!("/config/{SUBJECT}"),
        json!({"compatibility": "BACKWARD"}),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let (_, cfg) = get(base, &format!("/config/{SUBJECT}")).await;
    assert_eq!(
        (cfg["compatibilityLevel"].as_str(), cfg["rules"].as_str()),
        (Some("BACKWARD"), Some("events"))
    );
    let (s, v) = post(
        base,
        &format!("/subjects/{SUBJECT}/versions"),
        json!({"schema": added}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(
        get(base, &format!("/subjects/{SUBJECT}/versions")).await.1,
        json!([1, 2])
    );
    // a required field breaks backward whatever the bump
    let required = {
        let mut s: Value = serde_json::from_str(&widget(
            "2.0.0",
            Some(("owner_id", json!({"type": "string"}))),
        ))
        .unwrap();
        s["required"]
            .as_array_mut()
            .unwrap()
            .push(json!("owner_id"));
        s.to_string()
    };
    let (s, err) = post(
        base,
        &format!("/subjects/{SUBJECT}/versions"),
        json!({"schema": required}),
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT, "{err}");
    assert!(
        err["message"].as_str().unwrap().contains("required-added"),
        "{err}"
    );
    // rules: standard judges like Confluent STRICT
    let (s, _) = put(
        base,
        &format!("/config/{SUBJECT}"),
        json!({"rules": "standard"}),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(
        get(base, &format!("/config/{SUBJECT}")).await.1["rules"],
        "standard"
    );
    let (s, v) = put(base, "/config", json!({"compatibility": "NONE"})).await;
    assert_eq!((s, &v["compatibility"]), (StatusCode::OK, &json!("NONE")));
    assert_eq!(get(base, "/config").await.1["compatibilityLevel"], "NONE");
}

async fn deletes(base: &str) {
    put(
        base,
        &format!("/config/{SUBJECT}"),
        json!({"compatibility": "NONE"}),
    )
    .await;
    post(
        base,
        &format!("/subjects/{SUBJECT}/versions"),
        json!({"schema": widget("1.0.0", None)}),
    )
    .await;
    post(
        base,
        &format!("/subjects/{SUBJECT}/versions"),
        json!({"schema": widget("2.0.0", None)}),
    )
    .await;
    let (s, e) = delete(
        base,
        &format!("/subjects/{SUBJECT}/versions/1?permanent=true"),
    )
    .await;
    assert_eq!(
        (s, e["error_code"].as_i64()),
        (StatusCode::NOT_FOUND, Some(40407)),
        "must soft delete first"
    );
    assert_eq!(
        delete(base, &format!("/subjects/{SUBJECT}/versions/1"))
            .await
            .1,
        json!(1)
    );
    assert_eq!(
        get(base, &format!("/subjects/{SUBJECT}/versions")).await.1,
        json!([2])
    );
    assert_eq!(
        get(base, &format!("/subjects/{SUBJECT}/versions?deleted=true"))
            .await
            .1,
        json!([1, 2])
    );
    let (s, e) = delete(base, &format!("/subjects/{SUBJECT}/versions/1")).await;
    assert_eq!(
        (s, e["error_code"].as_i64()),
        (StatusCode::NOT_FOUND, Some(40406))
    );
    assert_eq!(
        delete(
            base,
            &format!("/subjects/{SUBJECT}/versions/1?permanent=true")
        )
        .await
        .1,
        json!(1)
    );
    assert_eq!(
        get(base, &format!("/subjects/{SUBJECT}/versions?deleted=true"))
            .await
            .1,
        json!([2])
    );
    // a new registration continues the numbering
    post(
        base,
        &format!("/subjects/{SUBJECT}/versions"),
        json!({"schema": widget("3.0.0", None)}),
    )
    .await;
    assert_eq!(
        get(base, &format!("/subjects/{SUBJECT}/versions")).await.1,
        json!([2, 3])
    );
    let (s, e) = delete(base, &format!("/subjects/{SUBJECT}?permanent=true")).await;
    assert_eq!(
        (s, e["error_code"].as_i64()),
        (StatusCode::NOT_FOUND, Some(40405))
    );
    assert_eq!(
        delete(base, &format!("/subjects/{SUBJECT}")).await.1,
        json!([2, 3])
    );
    let (s, e) = get(base, &format!("/subjects/{SUBJECT}/versions")).await;
    assert_eq!(
        (s, e["error_code"].as_i64()),
        (StatusCode::NOT_FOUND, Some(40401))
    );
    assert_eq!(
        delete(base, &format!("/subjects/{SUBJECT}?permanent=true"))
            .await
            .1,
        json!([2, 3])
    );
}

async fn bad_input(base: &str) {
    let cases: Vec<(reqwest::RequestBuilder, StatusCode, i64)> = vec![
        (
            client().get(format!("{base}/subjects/nope/versions")),
            StatusCode::NOT_FOUND,
            40401,
        ),
        (
            client().get(format!("{base}/subjects/nope/versions/0")),
            StatusCode::UNPROCESSABLE_ENTITY,
            42202,
        ),
        (
            client().get(format!("{base}/subjects/nope/versions/-5")),
            StatusCode::UNPROCESSABLE_ENTITY,
            42202,
        ),
        (
            client().get(format!("{base}/subjects/nope/versions/abc")),
            StatusCode::UNPROCESSABLE_ENTITY,
            42202,
        ),
        (
            client().get(format!("{base}/schemas/ids/999999")),
            StatusCode::NOT_FOUND,
            40403,
        ),
        (
            client()
                .post(format!("{base}/subjects/s/versions"))
                .body("{not json"),
            StatusCode::BAD_REQUEST,
            400,
        ),
        (
            client()
                .post(format!("{base}/subjects/s/versions"))
                .body(json!({"schema": "{\"type\": 5}"}).to_string()),
            StatusCode::UNPROCESSABLE_ENTITY,
            42201,
        ),
        (
            client()
                .post(format!("{base}/subjects/s/versions"))
                .body(json!({"schema": "not json at all"}).to_string()),
            StatusCode::UNPROCESSABLE_ENTITY,
            42201,
        ),
        (
            client()
                .post(format!("{base}/subjects/s/versions"))
                .body(json!({"schema": "{\"type\":\"string\"}", "schemaType": "AVRO"}).to_string()),
            StatusCode::UNPROCESSABLE_ENTITY,
            42201,
        ),
        (
            client()
                .post(format!("{base}/subjects/s/versions"))
                .body(json!({"schema": "{\"$ref\": \"#\"}"}).to_string()),
            StatusCode::UNPROCESSABLE_ENTITY,
            42201,
        ),
        (
            client()
                .put(format!("{base}/config"))
                .body(json!({"compatibility": "SIDEWAYS"}).to_string()),
            StatusCode::UNPROCESSABLE_ENTITY,
            42203,
        ),
        (
            client()
                .put(format!("{base}/mode"))
                .body(json!({"mode": "WRITEONLY"}).to_string()),
            StatusCode::UNPROCESSABLE_ENTITY,
            42204,
        ),
        (
            client()
                .post(format!("{base}/subjects/s/versions"))
                .body(format!("{{\"schema\": \"{}\"}}", "x".repeat(100 * 1024))),
            StatusCode::PAYLOAD_TOO_LARGE,
            413,
        ),
    ];
    for (req, status, code) in cases {
        let r = req.send().await.unwrap();
        let got = r.status();
        let body: Value = r.json().await.unwrap();
        assert_eq!(
            (got, body["error_code"].as_i64()),
            (status, Some(code)),
            "{body}"
        );
        assert!(body["message"].as_str().is_some_and(|m| !m.is_empty()));
    }
}

/// Every operation `/openapi.json` documents is routed (not our 404 for unknown routes, not 405),
/// so the document cannot drift from the router.
async fn openapi_matches_routes(base: &str) {
    let (s, doc) = get(base, "/openapi.json").await;
    assert_eq!(s, StatusCode::OK);
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let mut operations = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        let concrete = path
            .replace("{subject}", "s")
            .replace("{version}", "1")
            .replace("{id}", "1");
        for method in item.as_object().unwrap().keys() {
            let m = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let r = client()
                .request(m, format!("{base}{concrete}"))
                .body("{}")
                .send()
                .await
                .unwrap();
            let status = r.status();
            let body: Value = r.json().await.unwrap_or(Value::Null);
            assert_ne!(status, StatusCode::METHOD_NOT_ALLOWED, "{method} {path}");
            assert!(
                !(status == StatusCode::NOT_FOUND && body["error_code"] == 404),
                "{method} {path} is documented but not routed"
            );
            operations += 1;
        }
    }
    assert!(operations >= 30, "{operations} operations documented");
}

/// IMPORT mode keeps the source registry's ids and versions; new registrations afterwards get
/// fresh ids that do not collide with imported ones.
async fn import_mode(base: &str) {
    let (s, _) = put(base, "/mode", json!({"mode": "IMPORT"})).await;
    assert_eq!(s, StatusCode::OK);
    let (s, v) = post(
        base,
        &format!("/subjects/{SUBJECT}/versions"),
        json!({"schema": widget("1.0.0", None), "id": 100, "version": 7}),
    )
    .await;
    assert_eq!((s, &v["id"]), (StatusCode::OK, &json!(100)), "{v}");
    let (_, got) = get(base, &format!("/subjects/{SUBJECT}/versions/7")).await;
    assert_eq!(
        (got["id"].as_i64(), got["version"].as_i64()),
        (Some(100), Some(7))
    );
    put(base, "/mode", json!({"mode": "READWRITE"})).await;
    let (s, e) = post(
        base,
        "/subjects/other/versions",
        json!({"schema": widget("1.0.0", None), "id": 5}),
    )
    .await;
    assert_eq!(
        (s, e["error_code"].as_i64()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some(42205)),
        "ids only in IMPORT mode"
    );
    let (_, fresh) = post(
        base,
        "/subjects/other/versions",
        json!({"schema": json!({"type": "object"}).to_string()}),
    )
    .await;
    assert!(fresh["id"].as_i64().unwrap() > 100, "{fresh}");
    assert_eq!(
        get(base, &format!("/subjects/{SUBJECT}/versions/latest"))
            .await
            .1["version"],
        7
    );
}

async fn read_only_mode(base: &str) {
    let (s, _) = put(base, "/mode", json!({"mode": "READONLY"})).await;
    assert_eq!(s, StatusCode::OK);
    let (s, e) = post(
        base,
        &format!("/subjects/{SUBJECT}/versions"),
        json!({"schema": widget("1.0.0", None)}),
    )
    .await;
    assert_eq!(
        (s, e["error_code"].as_i64()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some(42205))
    );
    put(base, "/mode", json!({"mode": "READWRITE"})).await;

    // A subject's own mode wins over the global one, except over READONLY_OVERRIDE; deleting
    // the subject's mode (40409 once gone) hands it back to the global one.
    let own = format!("/mode/{SUBJECT}");
    assert_eq!(
        put(base, &own, json!({"mode": "READWRITE"})).await.0,
        StatusCode::OK
    );
    let (s, m) = put(
        base,
        "/mode?force=true",
        json!({"mode": "READONLY_OVERRIDE"}),
    )
    .await;
    assert_eq!(
        (s, &m["mode"]),
        (StatusCode::OK, &json!("READONLY_OVERRIDE"))
    );
    let (s, e) = post(
        base,
        &format!("/subjects/{SUBJECT}/versions"),
        json!({"schema": widget("1.0.0", None)}),
    )
    .await;
    assert_eq!(
        (s, e["error_code"].as_i64()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some(42205)),
        "{e}"
    );
    assert_eq!(get(base, &own).await.1["mode"], "READWRITE");
    put(base, "/mode", json!({"mode": "READWRITE"})).await;
    let (s, m) = delete(base, &own).await;
    assert_eq!((s, &m["mode"]), (StatusCode::OK, &json!("READWRITE")));
    let (s, e) = get(base, &own).await;
    assert_eq!(
        (s, e["error_code"].as_i64()),
        (StatusCode::NOT_FOUND, Some(40409)),
        "{e}"
    );
    assert_eq!(
        get(base, &format!("{own}?defaultToGlobal=true")).await.1["mode"],
        "READWRITE"
    );
}

/// 64 concurrent registrations of distinct compatible versions: versions 1..64, no gap, no
/// duplicate, every acknowledged one readable. 64 of one schema: one version, one id.
async fn concurrent(bases: &[String]) {
    let base = &bases[0];
    let subject = "concurrent-value";
    let component = |i: usize| {
        json!({"type": "object", "description": format!("variant {i}"), "properties": {"a": {"type": "string"}}}).to_string()
    };
    let mut tasks = Vec::new();
    for i in 0..64 {
        let b = bases[i % bases.len()].clone();
        let body = json!({"schema": component(i)});
        tasks.push(tokio::spawn(async move {
            post(&b, &format!("/subjects/{subject}/versions"), body).await
        }));
    }
    let mut ids = Vec::new();
    for t in tasks {
        let (s, v) = t.await.unwrap();
        assert_eq!(s, StatusCode::OK, "{v}");
        ids.push(v["id"].as_i64().unwrap());
    }
    let (_, versions) = get(base, &format!("/subjects/{subject}/versions")).await;
    assert_eq!(versions, json!((1..=64).collect::<Vec<i64>>()));
    for id in &ids {
        let (s, _) = get(
            &bases[(*id as usize) % bases.len()],
            &format!("/schemas/ids/{id}"),
        )
        .await;
        assert_eq!(s, StatusCode::OK);
    }
    let same = json!({"schema": json!({"type": "object", "title": "same"}).to_string()});
    let mut tasks = Vec::new();
    for i in 0..64 {
        let b = bases[i % bases.len()].clone();
        let body = same.clone();
        tasks.push(tokio::spawn(async move {
            post(&b, "/subjects/same-value/versions", body).await
        }));
    }
    let mut seen = std::collections::BTreeSet::new();
    for t in tasks {
        let (s, v) = t.await.unwrap();
        assert_eq!(s, StatusCode::OK, "{v}");
        seen.insert(v["id"].as_i64().unwrap());
    }
    assert_eq!(seen.len(), 1, "one id for one schema");
    assert_eq!(
        get(base, "/subjects/same-value/versions").await.1,
        json!([1])
    );
}

/// `POST .../validate` for one payload and `.../validate/batch` for NDJSON, line for line.
async fn validate_endpoints(base: &str) {
    let (status, _) = post(
        base,
        "/subjects/widgets.WidgetCreated/versions",
        json!({"schema": widget("1.0.0", None)}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let good = json!({"schema_version": "1.0.0", "event_id": "7f0c1a9e-2b3c-4d5e-8f90-1a2b3c4d5e6f", "occurred_at": "2026-11-24T12:00:00Z", "widget_id": "7f0c1a9e-2b3c-4d5e-8f90-1a2b3c4d5e6f", "name": "w"});
    let mut bad = good.clone();
    bad["name"] = json!("");
    bad["color"] = json!("mauve");
    let (status, answer) = post(
        base,
        "/subjects/widgets.WidgetCreated/versions/1/validate",
        good.clone(),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        (answer["valid"].clone(), answer["version"].clone()),
        (json!(true), json!(1))
    );
    let (_, answer) = post(
        base,
        "/subjects/widgets.WidgetCreated/versions/latest/validate",
        bad.clone(),
    )
    .await;
    assert_eq!(answer["valid"], json!(false), "{answer}");
    let pointers: Vec<&str> = answer["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["instance_pointer"].as_str().unwrap())
        .collect();
    assert_eq!(pointers.len(), 2, "{answer}");
    assert!(
        pointers.contains(&"/name") && pointers.contains(&"/color"),
        "{answer}"
    );
    let (status, answer) = post(
        base,
        "/subjects/widgets.WidgetCreated/versions/7/validate",
        good.clone(),
    )
    .await;
    assert_eq!(
        (status.as_u16(), answer["error_code"].clone()),
        (404, json!(40402))
    );
    let (status, answer) = post(base, "/subjects/nope/versions/1/validate", good.clone()).await;
    assert_eq!(
        (status.as_u16(), answer["error_code"].clone()),
        (404, json!(40401))
    );

    // Batch: one answer per payload line, in order, numbered as the lines are; a broken line is
    // answered invalid, a blank one holds no payload, and a byte-order mark before the first
    // line and CRLF line ends read as the CLI reads them.
    let body = format!("\u{feff}{good}\r\n{bad}\n{{\"schema_version\": \n\n{good}");
    let r = client()
        .post(format!(
            "{base}/subjects/widgets.WidgetCreated/versions/1/validate/batch"
        ))
        .header("Content-Type", "application/x-ndjson")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "application/x-ndjson");
    let lines: Vec<Value> = r
        .text()
        .await
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let verdicts: Vec<(u64, bool)> = lines
        .iter()
        .map(|l| (l["line"].as_u64().unwrap(), l["valid"].as_bool().unwrap()))
        .collect();
    assert_eq!(verdicts, [(1, true), (2, false), (3, false), (5, true)]);
    assert_eq!(lines[2]["errors"][0]["keyword"], "json");
}

/// Confluent's listing surface: prefixes, deleted and deleted-only, latest-only, paging, and
/// `GET /schemas` and `/contexts`.
async fn listings(base: &str) {
    put(base, "/config", json!({"compatibility": "NONE"})).await;
    for (subject, n) in [("a.one", 3), ("a.two", 1), ("b.one", 2)] {
        for i in 0..n {
            let schema = json!({"type": "object", "title": format!("{subject} {i}")}).to_string();
            let (s, body) = post(
                base,
                &format!("/subjects/{subject}/versions"),
                json!({"schema": schema}),
            )
            .await;
            assert_eq!(s, StatusCode::OK, "{body}");
        }
    }
    delete(base, "/subjects/a.one/versions/2").await;
    delete(base, "/subjects/a.two").await;
    let names = |v: Value| {
        v.as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(names(get(base, "/subjects").await.1), ["a.one", "b.one"]);
    assert_eq!(
        names(get(base, "/subjects?deleted=true").await.1),
        ["a.one", "a.two", "b.one"]
    );
    assert_eq!(
        names(get(base, "/subjects?deletedOnly=true").await.1),
        ["a.two"]
    );
    assert_eq!(
        names(get(base, "/subjects?subjectPrefix=a.&deleted=true").await.1),
        ["a.one", "a.two"]
    );
    assert_eq!(
        names(get(base, "/subjects?offset=1&limit=1").await.1),
        ["b.one"]
    );
    assert_eq!(get(base, "/subjects/a.one/versions").await.1, json!([1, 3]));
    assert_eq!(
        get(base, "/subjects/a.one/versions?deletedOnly=true")
            .await
            .1,
        json!([2])
    );
    assert_eq!(
        get(
            base,
            "/subjects/a.one/versions?deleted=true&offset=1&limit=5"
        )
        .await
        .1,
        json!([2, 3])
    );
    let (s, body) = get(base, "/subjects?limit=x").await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{body}");

    let (_, all) = get(base, "/schemas").await;
    let pairs: Vec<(String, i64)> = all
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            (
                v["subject"].as_str().unwrap().to_string(),
                v["version"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        pairs,
        [
            ("a.one".to_string(), 1),
            ("a.one".into(), 3),
            ("b.one".into(), 1),
            ("b.one".into(), 2)
        ]
    );
    assert!(all[0]["schema"].as_str().unwrap().contains("a.one 0"));
    let (_, latest) = get(base, "/schemas?latestOnly=true&subjectPrefix=b.").await;
    assert_eq!(latest.as_array().unwrap().len(), 1);
    assert_eq!(latest[0]["version"], 2);
    let (_, paged) = get(base, "/schemas?deleted=true&offset=2&limit=2").await;
    assert_eq!(paged.as_array().unwrap().len(), 2);
    assert_eq!(
        (paged[0]["subject"].as_str(), paged[0]["version"].as_i64()),
        (Some("a.one"), Some(3))
    );
    assert_eq!(get(base, "/contexts").await.1, json!(["."]));

    // Context-qualified subjects: namespaces of names, listed as contexts.
    let staged = json!({"schema": json!({"type": "object", "title": "staged"}).to_string()});
    let (s, body) = post(
        base,
        "/subjects/:.staging:orders-value/versions",
        staged.clone(),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert_eq!(get(base, "/contexts").await.1, json!([".", ".staging"]));
    assert_eq!(
        names(get(base, "/subjects?subjectPrefix=:.staging:").await.1),
        [":.staging:orders-value"]
    );
    let (s, _) = get(base, "/subjects/:.nosuch:orders-value/versions").await;
    assert_eq!(
        s,
        StatusCode::NOT_FOUND,
        "an unknown context holds no subject"
    );
    for bad in [":staging:orders", ":.staging:", ":.st%20ag:x", "a%01b"] {
        let (s, body) = post(base, &format!("/subjects/{bad}/versions"), staged.clone()).await;
        assert_eq!(
            (s, body["error_code"].as_i64()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some(42208)),
            "{bad}: {body}"
        );
    }
}

async fn suite(url_for: impl AsyncFnMut(&str) -> String) {
    let mut url_for = url_for;
    for (name, scenario) in [
        ("reads", 0),
        ("compat", 1),
        ("deletes", 2),
        ("bad", 3),
        ("readonly", 4),
        ("openapi", 5),
        ("import", 6),
        ("validate", 7),
        ("listings", 8),
    ] {
        let server = start(&url_for(name).await).await;
        match scenario {
            0 => registration_and_reads(&server.base).await,
            1 => compatibility_enforced(&server.base).await,
            2 => deletes(&server.base).await,
            3 => bad_input(&server.base).await,
            4 => read_only_mode(&server.base).await,
            5 => openapi_matches_routes(&server.base).await,
            7 => validate_endpoints(&server.base).await,
            8 => listings(&server.base).await,
            _ => import_mode(&server.base).await,
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_api() {
    let dir = temp_dir("sqlite");
    suite(async |name: &str| {
        let d = dir.join(name);
        std::fs::create_dir_all(&d).unwrap();
        sqlite_url(&d)
    })
    .await;
    let d = dir.join("concurrent");
    std::fs::create_dir_all(&d).unwrap();
    let server = start(&sqlite_url(&d)).await;
    concurrent(std::slice::from_ref(&server.base)).await;
    std::fs::remove_dir_all(dir).ok();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_api() {
    let pg = Postgres::start();
    suite(async |name: &str| pg.database(&format!("t_{name}")).await).await;
    // three server processes, one database
    let url = pg.database("t_replicas").await;
    let replicas = [
        common::Process::start(&url),
        common::Process::start(&url),
        common::Process::start(&url),
    ];
    let bases: Vec<String> = replicas.iter().map(|p| p.base.clone()).collect();
    for b in &bases {
        common::wait_ready(b).await;
    }
    concurrent(&bases).await;
}
