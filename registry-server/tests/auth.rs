//! Authorization over every route the OpenAPI document lists: a route without an expectation
//! here fails the test, so a new route cannot skip it. Each operation is called with no token,
//! a wrong one, a revoked one, each role below the one it needs (401 or 403) and the one it
//! needs (neither). Scoped tokens stay inside their subjects; HTTP Basic carries a token as the
//! password (Confluent's `basic.auth.user.info`); the audit log names the token. The console's
//! routes, read from its router, keep the same roles.

mod common;

use std::process::Command;

use common::{
    client, create_token as create, sqlite_url, temp_dir, token_cmd, wait_ready, Process,
};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

/// The role each operation needs; `None` is public. Every operation in `/openapi.json` must be
/// here.
fn expected(method: &str, path: &str) -> Option<Option<&'static str>> {
    let role = match (method, path) {
        ("get", "/healthz" | "/readyz") => None,
        ("get", "/audit") => Some("admin"),
        ("get", _) => Some("read"),
        ("post", "/subjects/{subject}/versions") => Some("write"),
        ("post", "/subjects/{subject}") => Some("read"),
        ("post", p) if p.starts_with("/compatibility/") => Some("read"),
        ("post", p) if p.ends_with("/validate") || p.ends_with("/validate/batch") => Some("read"),
        ("delete", p) if p.starts_with("/subjects/") => Some("admin"),
        ("put" | "delete", p) if p.starts_with("/config") || p.starts_with("/mode") => {
            Some("admin")
        }
        _ => return None,
    };
    Some(role)
}

/// A role below the one needed is refused (403); the one needed, or more, is let through.
fn judged_by_role(status: StatusCode, role: &str, need: &str, what: &str) {
    let rank = |r: &str| ["read", "write", "admin"].iter().position(|x| *x == r);
    if rank(role) < rank(need) {
        assert_eq!(status, StatusCode::FORBIDDEN, "{what} as {role}");
    } else {
        assert!(
            status != StatusCode::UNAUTHORIZED && status != StatusCode::FORBIDDEN,
            "{what} as {role}: {status}"
        );
    }
}

async fn call(base: &str, method: &str, path: &str, auth: Option<&str>) -> StatusCode {
    let url = format!(
        "{base}{}",
        path.replace("{subject}", "widgets.WidgetCreated")
            .replace("{version}", "1")
            .replace("{id}", "1")
    );
    let m = Method::from_bytes(method.to_ascii_uppercase().as_bytes()).unwrap();
    let mut req = client().request(m, url);
    if method != "get" && method != "delete" {
        req = req
            .header("Content-Type", "application/vnd.schemaregistry.v1+json")
            .body(
                json!({"schema": "{}", "compatibility": "BACKWARD", "mode": "READWRITE"})
                    .to_string(),
            );
    }
    if let Some(t) = auth {
        req = req.bearer_auth(t);
    }
    req.send().await.unwrap().status()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_refuses_what_it_should() {
    let dir = temp_dir("auth");
    let db = sqlite_url(&dir);
    let (admin, writer, reader) = common::role_tokens(&db);
    let scoped = create(&db, "widgets-team", "write", Some("widgets.*"));
    let revoked = create(&db, "old", "admin", None);
    let revoked_id = revoked.split('_').nth(1).unwrap().to_string();
    token_cmd(&db, &["revoke", &revoked_id]);
    let listed = token_cmd(&db, &["list"]);
    assert!(
        listed.contains("widgets.*") && listed.contains(&revoked_id),
        "{listed}"
    );
    assert!(
        !listed.contains(admin.split('_').nth(2).unwrap()),
        "a secret was listed"
    );

    let server = Process::start_with(&db, &["--token-refresh-ms", "200"]);
    wait_ready(&server.base).await;
    let base = server.base.as_str();
    let widget = include_str!("../../schemas/widgets/WidgetCreated.json");
    let r = client()
        .post(format!("{base}/subjects/widgets.WidgetCreated/versions"))
        .bearer_auth(&writer)
        .json(&json!({"schema": widget}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let id = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();

    // Once a schema's answer is held, `GET /schemas/ids/{id}` is served in front of the router
    // (http/fast.rs): the same tokens decide there, and it is counted under the same route.
    let by_id = format!("/schemas/ids/{id}");
    assert_eq!(
        call(base, "get", &by_id, Some(&reader)).await,
        StatusCode::OK
    );
    assert_eq!(
        call(base, "get", &by_id, Some(&reader)).await,
        StatusCode::OK
    );
    assert_eq!(
        call(base, "get", &by_id, None).await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        call(base, "get", &by_id, Some(&revoked)).await,
        StatusCode::UNAUTHORIZED
    );
    let metrics =
        common::text_of(client().get(format!("{base}/metrics")).bearer_auth(&reader)).await;
    for (status, count) in [("200", 2), ("401", 2)] {
        let series = format!(
            "schemagate_http_requests_total{{method=\"GET\",route=\"/schemas/ids/{{id}}\",status=\"{status}\"}} {count}"
        );
        assert!(metrics.contains(&series), "{series} not in:\n{metrics}");
    }

    let doc: Value = common::json_of(client().get(format!("{base}/openapi.json"))).await;
    let roles = [("read", &reader), ("write", &writer), ("admin", &admin)];
    let mut operations = 0;
    let mut missing = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            let Some(need) = expected(method, path) else {
                missing.push(format!("{method} {path}"));
                continue;
            };
            operations += 1;
            let Some(need) = need else {
                assert!(
                    call(base, method, path, None).await.is_success(),
                    "{method} {path}"
                );
                continue;
            };
            for bad in [None, Some("sg_deadbeef_00"), Some(revoked.as_str())] {
                let s = call(base, method, path, bad).await;
                assert_eq!(s, StatusCode::UNAUTHORIZED, "{method} {path} with {bad:?}");
            }
            for (role, token) in roles {
                let s = call(base, method, path, Some(token)).await;
                judged_by_role(s, role, need, &format!("{method} {path}"));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "routes without an auth expectation: {missing:?}"
    );
    assert!(operations >= 30, "only {operations} operations checked");

    // Scoped tokens stay in their subjects; subject-less mutations need an unscoped admin.
    let post = |subject: &str, token: &str| {
        client()
            .post(format!("{base}/subjects/{subject}/versions"))
            .bearer_auth(token.to_string())
            .json(&json!({"schema": widget}))
            .send()
    };
    assert_eq!(
        post("widgets.Other", &scoped).await.unwrap().status(),
        StatusCode::OK
    );
    assert_eq!(
        post("ads.Click", &scoped).await.unwrap().status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        post("widgets%2Fx", &scoped).await.unwrap().status(),
        StatusCode::FORBIDDEN
    );

    // Listings and reads by id show a scoped token only its own subjects (and the schemas
    // they use).
    let ads_schema = json!({"type": "object", "title": "click"}).to_string();
    let ads: Value = common::json_of(
        client()
            .post(format!("{base}/subjects/ads.Click/versions"))
            .bearer_auth(&admin)
            .json(&json!({"schema": ads_schema})),
    )
    .await;
    let ads_id = ads["id"].as_i64().unwrap();
    let read_as = |path: String, token: String| async move {
        let r = client()
            .get(format!("{base}{path}"))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        (r.status(), r.json::<Value>().await.unwrap_or(Value::Null))
    };
    let (_, all) = read_as("/subjects".into(), admin.clone()).await;
    assert!(
        all.as_array().unwrap().contains(&json!("ads.Click")),
        "{all}"
    );
    let (_, mine) = read_as("/subjects".into(), scoped.clone()).await;
    let mine: Vec<&str> = mine
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(
        !mine.is_empty() && mine.iter().all(|n| n.starts_with("widgets.")),
        "{mine:?}"
    );
    let (_, schemas) = read_as("/schemas".into(), scoped.clone()).await;
    assert!(
        schemas
            .as_array()
            .unwrap()
            .iter()
            .all(|v| v["subject"].as_str().unwrap().starts_with("widgets.")),
        "{schemas}"
    );
    // by id: the admin reads it twice (the second from the fast lane's cache), the scoped
    // token gets 40403 from both lanes, as for an id that does not exist
    for _ in 0..2 {
        assert_eq!(
            read_as(format!("/schemas/ids/{ads_id}"), admin.clone())
                .await
                .0,
            StatusCode::OK
        );
        let (status, body) = read_as(format!("/schemas/ids/{ads_id}"), scoped.clone()).await;
        assert_eq!(
            (status, body["error_code"].as_i64()),
            (StatusCode::NOT_FOUND, Some(40403)),
            "{body}"
        );
    }
    for path in ["schema", "subjects", "versions"] {
        let (status, _) = read_as(format!("/schemas/ids/{ads_id}/{path}"), scoped.clone()).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
    }
    let guid = read_as(format!("/schemas/ids/{ads_id}"), admin.clone())
        .await
        .1["guid"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        read_as(format!("/schemas/guids/{guid}"), scoped.clone())
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        read_as(format!("/schemas/guids/{guid}"), admin.clone())
            .await
            .0,
        StatusCode::OK
    );

    // HTTP Basic with the token as the password, as Confluent clients send it.
    let r = client()
        .get(format!("{base}/subjects"))
        .basic_auth("dash", Some(&reader))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let r = client()
        .get(format!("{base}/subjects"))
        .send()
        .await
        .unwrap();
    assert!(r.headers()["www-authenticate"]
        .to_str()
        .unwrap()
        .contains("Basic"));

    // A token revoked while the server runs stops working within the refresh interval.
    let reader_id = reader.split('_').nth(1).unwrap().to_string();
    token_cmd(&db, &["revoke", &reader_id]);
    tokio::time::sleep(std::time::Duration::from_millis(600)).await;
    assert_eq!(
        call(base, "get", "/subjects", Some(&reader)).await,
        StatusCode::UNAUTHORIZED
    );

    // The audit log names the token behind each mutation.
    let audit: Value =
        common::json_of(client().get(format!("{base}/audit")).bearer_auth(&admin)).await;
    let principals: Vec<&str> = audit
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["principal"].as_str())
        .collect();
    let writer_id = writer.split('_').nth(1).unwrap();
    assert!(
        principals.contains(&format!("token:{writer_id}:ci").as_str()),
        "{principals:?}"
    );
    assert!(!principals.contains(&"anonymous"), "{principals:?}");
}

#[test]
fn no_tokens_on_a_network_address_refuses_to_start() {
    let dir = temp_dir("insecure");
    let db = sqlite_url(&dir);
    let o = Command::new(env!("CARGO_BIN_EXE_registry-server"))
        .args(["--listen", "0.0.0.0:0", "--database-url", &db])
        .output()
        .unwrap();
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("refusing to serve") && err.contains("--insecure"),
        "{err}"
    );
}

#[tokio::test]
async fn revoking_the_last_token_of_a_networked_registry_lets_nobody_in() {
    use std::sync::Arc;
    let dir = temp_dir("lasttoken");
    let store = registry_server::store::Store::connect(&sqlite_url(&dir), 2)
        .await
        .unwrap();
    // What `run` builds for a non-loopback address whose token table is now empty.
    let options = registry_server::AppOptions {
        tokens: Some(Arc::new(registry_server::auth::Tokens::default())),
        open_without_tokens: false,
        ..registry_server::AppOptions::open(1 << 20)
    };
    let (addr, _) = registry_server::serve_local(store, 0, options)
        .await
        .unwrap();
    let base = format!("http://{addr}");
    assert_eq!(
        call(&base, "get", "/subjects", None).await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(call(&base, "get", "/healthz", None).await, StatusCode::OK);
}

/// The role each console route needs (`None`: public), read from the console's router source so
/// a new console route without an expectation here fails the test.
fn console_expected(method: &str, path: &str) -> Option<Option<&'static str>> {
    let role = match (method, path) {
        ("get", "/ui/login" | "/ui/assets/console.css" | "/ui/assets/console.js") => None,
        ("post", "/ui/login" | "/ui/logout") => None,
        ("get", "/ui/audit" | "/ui/tokens") => Some("admin"),
        ("post", "/ui/tokens" | "/ui/tokens/{id}/revoke") => Some("admin"),
        ("post", "/ui/subjects/{subject}/config") => Some("admin"),
        ("post", "/ui/subjects/{subject}/register") => Some("write"),
        ("post", "/ui/subjects/{subject}/check" | "/ui/subjects/{subject}/validate") => {
            Some("read")
        }
        ("get", p) if p == "/ui" || p == "/ui/" || p.starts_with("/ui/subjects/") => Some("read"),
        _ => return None,
    };
    Some(role)
}

/// Every (method, path) the console's router declares.
fn console_routes() -> Vec<(String, String)> {
    let source = include_str!("../src/http/ui/mod.rs");
    let route = regex::Regex::new(
        r#"\.route\(\s*"([^"]+)",\s*((?:[a-z_]+(?:::[a-z_]+)*\([a-z_:]+\)\.?)+)"#,
    )
    .unwrap();
    let method = regex::Regex::new(r"(get|post|put|delete)\(").unwrap();
    let mut out = Vec::new();
    for c in route.captures_iter(source) {
        for m in method.captures_iter(&c[2]) {
            out.push((m[1].to_string(), c[1].to_string()));
        }
    }
    out
}

/// The console keeps the API's roles on each of its routes: signed out it sends to the sign-in,
/// a role below the one needed is refused (403), the one needed is let through. A form posted
/// with a cookie from another site is refused whatever the role.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_console_route_keeps_the_apis_roles() {
    let dir = temp_dir("auth-console");
    let db = sqlite_url(&dir);
    let (admin, writer, reader) = common::role_tokens(&db);
    let server = Process::start_with(&db, &[]);
    wait_ready(&server.base).await;
    let base = server.base.as_str();
    let r = client()
        .post(format!("{base}/subjects/widgets.WidgetCreated/versions"))
        .bearer_auth(&admin)
        .json(&json!({"schema": "{\"type\": \"object\"}"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let no_redirect = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let call = |method: &str, path: &str, token: Option<&str>| {
        let url = format!(
            "{base}{}",
            path.replace("{subject}", "widgets.WidgetCreated")
                .replace("{version}", "1")
                .replace("{id}", "nosuch")
        );
        let mut req = match method {
            "post" => no_redirect.post(url).form(&[
                ("schema", "{\"type\": \"object\"}"),
                ("payload", "{}"),
                ("version", ""),
                ("level", "BACKWARD"),
                ("rules", "events"),
                ("name", "console-auth"),
                ("role", "read"),
                ("token", "sg_nope_00"),
            ]),
            _ => no_redirect.get(url),
        };
        if let Some(t) = token {
            req = req.header("Cookie", format!("schemagate_console={t}"));
        }
        req.send()
    };
    let routes = console_routes();
    assert!(
        routes.len() >= 18,
        "only {} console routes read: {routes:?}",
        routes.len()
    );
    let mut missing = Vec::new();
    for (method, path) in &routes {
        let Some(need) = console_expected(method, path) else {
            missing.push(format!("{method} {path}"));
            continue;
        };
        let Some(need) = need else {
            // Public: the handler answers without a token (the gate would send to the
            // sign-in; the sign-out does so itself, and a wrong token at the sign-in is 401).
            let r = call(method, path, None).await.unwrap();
            let to_login = r
                .headers()
                .get("location")
                .is_some_and(|l| l == "/ui/login");
            assert!(
                r.status() != StatusCode::FORBIDDEN && (!to_login || path == "/ui/logout"),
                "{method} {path} is public: {}",
                r.status()
            );
            continue;
        };
        let r = call(method, path, None).await.unwrap();
        assert_eq!(
            (
                r.status(),
                r.headers().get("location").and_then(|l| l.to_str().ok())
            ),
            (StatusCode::SEE_OTHER, Some("/ui/login")),
            "{method} {path} signed out"
        );
        for (role, token) in [("read", &reader), ("write", &writer), ("admin", &admin)] {
            let s = call(method, path, Some(token)).await.unwrap().status();
            judged_by_role(s, role, need, &format!("{method} {path}"));
        }
        if method == "post" {
            let s = no_redirect
                .post(format!(
                    "{base}{}",
                    path.replace("{subject}", "widgets.WidgetCreated")
                        .replace("{id}", "nosuch")
                ))
                .header("Cookie", format!("schemagate_console={admin}"))
                .header("Origin", "https://elsewhere.example")
                .form(&[("schema", "{}")])
                .send()
                .await
                .unwrap()
                .status();
            assert_eq!(
                s,
                StatusCode::FORBIDDEN,
                "{method} {path} from another site"
            );
        }
    }
    assert!(
        missing.is_empty(),
        "console routes without an auth expectation: {missing:?}"
    );
    std::fs::remove_dir_all(dir).ok();
}
