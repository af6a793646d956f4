//! The edge layer in front of a real axum service on a real socket, with a real registry server
//! (schemagate's, over a throwaway SQLite file) that the test stops and starts again: valid,
//! invalid, unknown and malformed versions, bad bodies, the registry going away (cached versions
//! still validated, new ones refused or passed per option) and coming back, deleted versions.

use std::sync::Arc;
use std::time::Duration;

use axum::routing::post;
use axum::Router;
use registry_client::{CacheOptions, Client, ValidatorCache};
use schemagate_edge::{EdgeConfig, EdgeMetrics, SubjectFrom, ValidateEventsLayer};
use serde_json::{json, Value};
use tokio::runtime::Runtime;

const SUBJECT: &str = "orders.OrderPlaced";

/// A registry server on its own runtime, so stopping it drops every connection it holds.
struct TestRegistry {
    runtime: Option<Runtime>,
    port: u16,
    db: String,
}

impl TestRegistry {
    fn start(db: &str, port: u16) -> TestRegistry {
        let runtime = Runtime::new().unwrap();
        let port = runtime.block_on(async {
            let store = registry_server::store::Store::connect(db, 4).await.unwrap();
            let options = registry_server::AppOptions::open(1 << 20);
            let (addr, _) = registry_server::serve_local(store, port, options)
                .await
                .unwrap();
            addr.port()
        });
        TestRegistry {
            runtime: Some(runtime),
            port,
            db: db.to_string(),
        }
    }

    fn stop(&mut self) {
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_background();
        }
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

/// An ingest service with the layer in front of `/events` (subject fixed by the route) and
/// `/any` (subject from `X-Event-Type`). The handler echoes the body it received.
async fn ingest(cache: Arc<ValidatorCache>) -> (String, Arc<EdgeMetrics>) {
    let by_route = ValidateEventsLayer::new(
        cache.clone(),
        EdgeConfig::new(SubjectFrom::Route(SUBJECT.into())).max_body(1 << 20),
    );
    let metrics = by_route.metrics();
    let by_header = ValidateEventsLayer::new(
        cache,
        EdgeConfig::new(SubjectFrom::Header("x-event-type".into())),
    );
    let echo = |body: axum::body::Bytes| async move { (axum::http::StatusCode::ACCEPTED, body) };
    let app = Router::new()
        .route("/events", post(echo).layer(by_route))
        .route("/any", post(echo).layer(by_header));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}"), metrics)
}

struct Answer {
    status: u16,
    body: String,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or(Value::Null)
    }
    fn code(&self) -> String {
        self.json()["error_code"].as_str().unwrap_or("").to_string()
    }
}

async fn send(url: &str, body: impl Into<reqwest::Body>, header: Option<&str>) -> Answer {
    let mut req = reqwest::Client::new().post(url).body(body);
    if let Some(h) = header {
        req = req.header("X-Event-Type", h);
    }
    let r = req.send().await.unwrap();
    Answer {
        status: r.status().as_u16(),
        body: r.text().await.unwrap(),
    }
}

/// Writes a raw request (as far as the server reads it) and returns the response's head and body.
async fn raw(base: &str, request: &str) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let addr = base.trim_start_matches("http://");
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    // The server may answer and close before taking everything: a failed write is expected.
    let _ = s.write_all(request.as_bytes()).await;
    let mut out = vec![0u8; 4096];
    let mut n = 0;
    while n < out.len() {
        match tokio::time::timeout(Duration::from_secs(5), s.read(&mut out[n..])).await {
            Ok(Ok(0)) | Ok(Err(_)) | Err(_) => break,
            Ok(Ok(k)) => {
                n += k;
                if String::from_utf8_lossy(&out[..n]).contains("}") {
                    break;
                }
            }
        }
    }
    String::from_utf8_lossy(&out[..n]).to_string()
}

fn order(version: &str) -> String {
    json!({"schema_version": version, "order_id": "o-1", "amount_cents": 1250}).to_string()
}

fn cache(registry: &str, fail_open: bool) -> Arc<ValidatorCache> {
    let client = Client::new(registry, None, Duration::from_secs(2)).unwrap();
    ValidatorCache::new(
        client,
        CacheOptions {
            // The test drives refreshes itself.
            refresh: Duration::from_secs(3600),
            negative_ttl: Duration::from_millis(1),
            fail_open,
            ..CacheOptions::default()
        },
    )
}

#[test]
fn layer_validates_degrades_and_recovers_with_the_registry() {
    let dir = std::env::temp_dir().join(format!("schemagate-edge-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let db = format!("sqlite://{}?mode=rwc", dir.join("r.db").display());
    let mut registry = TestRegistry::start(&db, 0);
    let rt = Runtime::new().unwrap();
    let admin = Client::new(&registry.url(), None, Duration::from_secs(5)).unwrap();
    rt.block_on(async {
        for v in ["order-1.0.0.json", "order-1.1.0.json"] {
            admin.register(SUBJECT, &fixture(v)).await.unwrap();
        }
    });

    let closed = cache(&registry.url(), false);
    let open = cache(&registry.url(), true);
    let (base, metrics) = rt.block_on(ingest(closed.clone()));
    let (open_base, _) = rt.block_on(ingest(open.clone()));
    let events = format!("{base}/events");

    rt.block_on(async {
        // Valid: passed on byte for byte.
        let body = order("1.0.0");
        let a = send(&events, body.clone(), None).await;
        assert_eq!((a.status, a.body.as_str()), (202, body.as_str()));
        let a = send(&events, order("1.1.0"), None).await;
        assert_eq!(a.status, 202, "{}", a.body);

        // Invalid: each error with its pointer and keyword.
        let a = send(
            &events,
            json!({"schema_version": "1.0.0", "order_id": "", "amount_cents": -1}).to_string(),
            None,
        )
        .await;
        assert_eq!((a.status, a.code().as_str()), (422, "invalid_payload"), "{}", a.body);
        let errors = a.json()["errors"].as_array().unwrap().clone();
        let at: Vec<(&str, &str)> = errors
            .iter()
            .map(|e| {
                (
                    e["instance_pointer"].as_str().unwrap(),
                    e["keyword"].as_str().unwrap(),
                )
            })
            .collect();
        assert!(at.contains(&("/order_id", "minLength")), "{at:?}");
        assert!(at.contains(&("/amount_cents", "minimum")), "{at:?}");

        // Versions: unknown, wrong type.
        let a = send(&events, order("9.9.9"), None).await;
        assert_eq!((a.status, a.code().as_str()), (422, "unknown_schema_version"));
        assert!(a.body.contains("9.9.9"), "{}", a.body);
        let a = send(
            &events,
            r#"{"schema_version": 1, "order_id": "o", "amount_cents": 1}"#,
            None,
        )
        .await;
        assert_eq!((a.status, a.code().as_str()), (422, "invalid_schema_version"));

        // Bodies: truncated, 100 MB, 10,000 levels deep.
        let a = send(&events, r#"{"schema_version": "1.0.0", "order_"#, None).await;
        assert_eq!((a.status, a.code().as_str()), (400, "invalid_json"), "{}", a.body);
        // 100 MB declared: refused from the headers, before the body is read.
        let head = raw(&base, &format!("POST /events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{{", 100 << 20)).await;
        assert!(head.starts_with("HTTP/1.1 413"), "{head}");
        assert!(head.contains("payload_too_large"), "{head}");
        // 2 MB chunked (no length declared): refused once the limit is crossed.
        let chunk = " ".repeat(64 << 10);
        let mut req = String::from("POST /events HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n");
        for _ in 0..32 {
            req.push_str(&format!("{:x}\r\n{chunk}\r\n", chunk.len()));
        }
        req.push_str("0\r\n\r\n");
        let head = raw(&base, &req).await;
        assert!(head.starts_with("HTTP/1.1 413"), "{head}");
        let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
        let a = send(&events, deep, None).await;
        assert_eq!((a.status, a.code().as_str()), (400, "invalid_json"), "{}", a.body);
        assert!(a.body.contains("recursion limit"), "{}", a.body);

        // Subject from a header: missing, unknown, known.
        let any = format!("{base}/any");
        let a = send(&any, order("1.0.0"), None).await;
        assert_eq!((a.status, a.code().as_str()), (422, "missing_subject"));
        let a = send(&any, order("1.0.0"), Some("orders.Nope")).await;
        assert_eq!((a.status, a.code().as_str()), (422, "unknown_subject"));
        let a = send(&any, order("1.0.0"), Some(SUBJECT)).await;
        assert_eq!(a.status, 202, "{}", a.body);

        // The fail-open cache has seen 1.0.0 before the outage.
        let a = send(&format!("{open_base}/events"), order("1.0.0"), None).await;
        assert_eq!(a.status, 202, "{}", a.body);

        // A version registered now, never seen by either cache before the registry stops.
        admin
            .register(SUBJECT, &fixture("order-1.2.0.json"))
            .await
            .unwrap();
    });

    registry.stop();
    rt.block_on(async {
        // A version never seen: refused (fail-closed) with a retry hint, or passed (fail-open).
        let a = send(&events, order("1.2.0"), None).await;
        assert_eq!(
            (a.status, a.code().as_str()),
            (503, "registry_unavailable"),
            "{}",
            a.body
        );
        let a = send(&format!("{open_base}/events"), order("1.2.0"), None).await;
        assert_eq!(a.status, 202, "{}", a.body);
        // Cached versions are still validated, both ways.
        let a = send(&events, order("1.0.0"), None).await;
        assert_eq!(a.status, 202, "{}", a.body);
        let a = send(
            &events,
            json!({"schema_version": "1.1.0", "order_id": "o", "amount_cents": "1"}).to_string(),
            None,
        )
        .await;
        assert_eq!((a.status, a.code().as_str()), (422, "invalid_payload"));
        let stats = closed.stats();
        assert!(!stats.registry_up);
        assert!(stats.served_stale >= 2, "{stats:?}");
        assert_eq!(open.stats().fail_open_passes, 1);
    });

    // The registry comes back on the same port and file: no restart of the service needed.
    registry = TestRegistry::start(&registry.db.clone(), registry.port);
    rt.block_on(async {
        let a = send(&events, order("1.2.0"), None).await;
        assert_eq!(a.status, 202, "{}", a.body);
        assert!(closed.stats().registry_up);

        // A deleted version disappears at the next refresh.
        let r = reqwest::Client::new()
            .delete(format!("{}/subjects/{SUBJECT}/versions/3", registry.url()))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 200);
        closed.refresh().await;
        let a = send(&events, order("1.2.0"), None).await;
        assert_eq!(
            (a.status, a.code().as_str()),
            (422, "unknown_schema_version"),
            "{}",
            a.body
        );
        assert!(a.body.contains("deleted"), "{}", a.body);

        let text = metrics.render(&closed.stats());
        for line in [
            "schemagate_edge_payloads_total{outcome=\"valid\"} 4",
            "schemagate_edge_payloads_total{outcome=\"invalid\"} 2",
            "schemagate_edge_payloads_total{outcome=\"too_large\"} 2",
            "schemagate_edge_payloads_total{outcome=\"registry_unavailable\"} 1",
            "schemagate_edge_registry_up 1",
        ] {
            assert!(text.contains(line), "{line} missing from\n{text}");
        }
    });
    registry.stop();
}

/// Subject names come from a header, so a client can send any number of them: 10,000 distinct
/// names through the layer leave the cache holding at most its bound of unknown subjects, no
/// known subject it did not ask for, and no fetch lock; a known subject is still served.
#[test]
fn distinct_subjects_from_clients_leave_the_cache_bounded() {
    let dir = std::env::temp_dir().join(format!("schemagate-edge-many-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let db = format!("sqlite://{}?mode=rwc", dir.join("r.db").display());
    let registry = TestRegistry::start(&db, 0);
    let rt = Runtime::new().unwrap();
    let admin = Client::new(&registry.url(), None, Duration::from_secs(5)).unwrap();
    rt.block_on(admin.register(SUBJECT, &fixture("order-1.0.0.json")))
        .unwrap();
    let client = Client::new(&registry.url(), None, Duration::from_secs(5)).unwrap();
    let bounded = ValidatorCache::new(
        client,
        CacheOptions {
            refresh: Duration::from_secs(3600),
            negative_ttl: Duration::from_secs(3600),
            max_absent: 500,
            max_subjects: 100,
            ..CacheOptions::default()
        },
    );
    let (base, _) = rt.block_on(ingest(bounded.clone()));
    let url = format!("{base}/any");
    let statuses = rt.block_on(async {
        let http = reqwest::Client::new();
        let mut tasks = tokio::task::JoinSet::new();
        let mut statuses = std::collections::BTreeMap::<u16, usize>::new();
        for i in 0..10_000 {
            let (http, url) = (http.clone(), url.clone());
            tasks.spawn(async move {
                http.post(&url)
                    .header("X-Event-Type", format!("made.up.Subject{i}"))
                    .body(order("1.0.0"))
                    .send()
                    .await
                    .map(|r| r.status().as_u16())
                    .unwrap_or(0)
            });
            // At most 32 in flight.
            if tasks.len() >= 32 {
                if let Some(Ok(s)) = tasks.join_next().await {
                    *statuses.entry(s).or_default() += 1;
                }
            }
        }
        while let Some(Ok(s)) = tasks.join_next().await {
            *statuses.entry(s).or_default() += 1;
        }
        statuses
    });
    assert_eq!(statuses.values().sum::<usize>(), 10_000);
    assert!(
        statuses.keys().all(|s| (400..500).contains(s)),
        "every made-up subject refused: {statuses:?}"
    );
    let stats = bounded.stats();
    assert!(stats.absent_subjects <= 500, "{stats:?}");
    assert_eq!(stats.subjects, 0, "{stats:?}");
    assert_eq!(stats.fetch_locks, 0, "{stats:?}");
    // The real subject still works beside them.
    let a = rt.block_on(send(&url, order("1.0.0"), Some(SUBJECT)));
    assert_eq!(a.status, 202, "{}", a.body);
    assert_eq!(bounded.stats().subjects, 1);
    drop(registry);
    std::fs::remove_dir_all(dir).ok();
}

/// A data contract's CEL rule decides the same at the edge and at the registry's validate
/// endpoint: the same bad payload is refused by both, naming the rule; a DLQ rule's failure is
/// refused with its own code (for the producer to dead-letter it); a NONE rule's only counted.
#[test]
fn cel_rules_decide_the_same_at_the_edge_and_the_validate_endpoint() {
    let dir = std::env::temp_dir().join(format!("schemagate-edge-cel-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let db = format!("sqlite://{}?mode=rwc", dir.join("r.db").display());
    let registry = TestRegistry::start(&db, 0);
    let rt = Runtime::new().unwrap();
    let admin = Client::new(&registry.url(), None, Duration::from_secs(5)).unwrap();
    // The route's own subject, so the counters read are the route layer's.
    let subject = SUBJECT;
    let rule = |name: &str, expr: &str, on_failure: &str| json!({"name": name, "kind": "CONDITION", "mode": "WRITE", "type": "CEL", "expr": expr, "onFailure": on_failure});
    let request: registry_api::SchemaRequest = serde_json::from_value(json!({
        "schema": json!({"type": "object", "properties": {"amount": {"type": "number"}}, "required": ["amount"]}).to_string(),
        "ruleSet": {"domainRules": [
            rule("positiveAmount", "message.amount > 0", "ERROR"),
            rule("smallAmount", "message.amount < 1000", "DLQ"),
            rule("wholeAmount", "message.amount == double(int(message.amount))", "NONE"),
        ]}
    }))
    .unwrap();
    rt.block_on(async {
        admin.register_request(subject, &request).await.unwrap();
        let (base, metrics) = ingest(cache(&registry.url(), false)).await;
        let at_edge = |body: Value| {
            let base = base.clone();
            async move { send(&format!("{base}/events"), body.to_string(), None).await }
        };
        let at_registry = |body: Value| {
            let url = format!(
                "{}/subjects/{subject}/versions/latest/validate",
                registry.url()
            );
            async move {
                let r = reqwest::Client::new()
                    .post(url)
                    .body(body.to_string())
                    .send()
                    .await
                    .unwrap();
                r.json::<Value>().await.unwrap()
            }
        };
        let ok = at_edge(json!({"amount": 5})).await;
        assert_eq!(ok.status, 202, "{}", ok.body);
        assert_eq!(at_registry(json!({"amount": 5})).await["outcome"], "pass");

        let bad = json!({"amount": -3});
        let edge = at_edge(bad.clone()).await;
        assert_eq!(
            (edge.status, edge.code().as_str()),
            (422, "rule_failed"),
            "{}",
            edge.body
        );
        assert_eq!(edge.json()["rules"][0]["rule"], "positiveAmount");
        let endpoint = at_registry(bad).await;
        assert_eq!(endpoint["valid"], false);
        assert_eq!(endpoint["rules"][0]["rule"], "positiveAmount");

        let large = json!({"amount": 5000});
        let edge = at_edge(large.clone()).await;
        assert_eq!(
            (edge.status, edge.code().as_str()),
            (422, "rule_dead_letter"),
            "{}",
            edge.body
        );
        assert_eq!(at_registry(large).await["outcome"], "dead-letter");

        let fractional = json!({"amount": 2.5});
        assert_eq!(at_edge(fractional.clone()).await.status, 202);
        assert_eq!(at_registry(fractional).await["outcome"], "record");

        use std::sync::atomic::Ordering::Relaxed;
        assert_eq!(
            (
                metrics.rules_rejected.load(Relaxed),
                metrics.rules_dead_letter.load(Relaxed),
                metrics.rules_recorded.load(Relaxed)
            ),
            (1, 1, 1)
        );
    });
    std::fs::remove_dir_all(dir).ok();
}

/// A schema that `$ref`s another registered schema through Confluent references (and that one a
/// third in turn) compiles at the edge, and the edge and the registry's validate endpoint agree
/// on what it accepts.
#[test]
fn registry_references_compile_at_the_edge_as_at_the_registry() {
    let dir = std::env::temp_dir().join(format!("schemagate-edge-refs-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let db = format!("sqlite://{}?mode=rwc", dir.join("r.db").display());
    let registry = TestRegistry::start(&db, 0);
    let rt = Runtime::new().unwrap();
    let admin = Client::new(&registry.url(), None, Duration::from_secs(5)).unwrap();
    let register = |subject: &str, body: Value| {
        let request: registry_api::SchemaRequest = serde_json::from_value(body).unwrap();
        rt.block_on(admin.register_request(subject, &request))
            .unwrap()
    };
    register(
        "common.Currency",
        json!({"schema": json!({"type": "string", "enum": ["EUR", "USD"]}).to_string()}),
    );
    register(
        "common.Money",
        json!({
            "schema": json!({"type": "object", "properties": {
                "cents": {"type": "integer"}, "currency": {"$ref": "currency.json"}},
                "required": ["cents", "currency"]}).to_string(),
            "references": [{"name": "currency.json", "subject": "common.Currency", "version": 1}],
        }),
    );
    register(
        SUBJECT,
        json!({
            "schema": json!({"type": "object", "properties": {
                "total": {"$ref": "money.json"}}, "required": ["total"]}).to_string(),
            "references": [
                {"name": "money.json", "subject": "common.Money", "version": 1},
                {"name": "currency.json", "subject": "common.Currency", "version": 1}
            ],
        }),
    );
    rt.block_on(async {
        let (base, _) = ingest(cache(&registry.url(), false)).await;
        for (body, ok) in [
            (json!({"total": {"cents": 5, "currency": "EUR"}}), true),
            (json!({"total": {"cents": 5, "currency": "JPY"}}), false),
            (json!({"total": {"cents": "5", "currency": "USD"}}), false),
        ] {
            let edge = send(&format!("{base}/events"), body.to_string(), None).await;
            assert_eq!(edge.status == 202, ok, "{body}: {}", edge.body);
            if !ok {
                assert_eq!(edge.code(), "invalid_payload", "{}", edge.body);
            }
            let endpoint: Value = reqwest::Client::new()
                .post(format!(
                    "{}/subjects/{SUBJECT}/versions/latest/validate",
                    registry.url()
                ))
                .body(body.to_string())
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            assert_eq!(endpoint["valid"], ok, "{endpoint}");
        }
    });
    drop(registry);
    std::fs::remove_dir_all(dir).ok();
}
