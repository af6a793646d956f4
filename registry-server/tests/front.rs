//! The outer middleware: load shedding (503 with Retry-After, probes exempt), the request
//! timeout (408 in Confluent's error shape), a panicking handler (500, 50001, the connection
//! kept), and the request id on every one of those answers.

mod common;

use std::time::Duration;

use common::{client, sqlite_url, temp_dir};
use registry_server::store::Store;
use serde_json::{json, Value};

async fn serve(options: registry_server::AppOptions) -> String {
    let dir = temp_dir("front");
    let store = Store::connect(&sqlite_url(&dir), 4).await.unwrap();
    let (addr, _) = registry_server::serve_local(store, 0, options)
        .await
        .unwrap();
    format!("http://{addr}")
}

#[tokio::test]
async fn past_the_in_flight_limit_requests_are_shed_but_probes_pass() {
    let base = serve(registry_server::AppOptions {
        max_in_flight: 0,
        ..registry_server::AppOptions::open(1 << 20)
    })
    .await;
    let r = client()
        .get(format!("{base}/subjects"))
        .header("x-request-id", "shed-1")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 503);
    assert_eq!(r.headers()["retry-after"], "1");
    assert_eq!(r.headers()["x-request-id"], "shed-1");
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error_code"], 50301);
    let probe = client()
        .get(format!("{base}/healthz"))
        .send()
        .await
        .unwrap();
    assert_eq!(probe.status().as_u16(), 200);
}

#[tokio::test]
async fn a_request_past_the_timeout_is_answered_408() {
    let base = serve(registry_server::AppOptions {
        request_timeout: Duration::from_nanos(1),
        ..registry_server::AppOptions::open(1 << 20)
    })
    .await;
    let schema = json!({"type": "object", "properties": {"a": {"type": "string"}}}).to_string();
    let r = client()
        .post(format!("{base}/subjects/slow/versions"))
        .json(&json!({"schema": schema}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 408);
    assert!(!r.headers()["x-request-id"].is_empty());
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error_code"], 40801, "{body}");
}

#[tokio::test]
async fn a_panicking_handler_is_a_500_not_a_dropped_connection() {
    let app = tower::ServiceBuilder::new()
        .layer(registry_server::http::FrontLayer::new(
            8,
            Duration::from_secs(5),
        ))
        .service(axum::Router::new().route(
            "/boom",
            axum::routing::get(|| async {
                if std::hint::black_box(true) {
                    panic!("boom");
                }
                "never"
            }),
        ));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(listener, axum::ServiceExt::into_make_service(app))
            .await
            .unwrap()
    });
    let r = client()
        .get(format!("http://{addr}/boom"))
        .send()
        .await
        .expect("an answer, not a dropped connection");
    assert_eq!(r.status().as_u16(), 500);
    assert!(!r.headers()["x-request-id"].is_empty());
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error_code"], 50001);
}
