//! One meaning of an NDJSON stream everywhere schemagate validates: `compat-cli validate
//! --registry`, the registry's batch endpoint and the edge layer (a line posted as a body) give
//! the same verdict for each line of the same bytes: a byte-order mark before the first line,
//! CRLF line ends, blank and whitespace-only lines (no payload), a broken line, an invalid one,
//! a last line without a newline.

mod common;

use std::time::Duration;

use axum::routing::post;
use axum::Router;
use common::{open_registry, text};
use registry_client::{CacheOptions, Client, ValidatorCache};
use schemagate_edge::{EdgeConfig, SubjectFrom, ValidateEventsLayer};
use serde_json::{json, Value};

const SUBJECT: &str = "orders.OrderPlaced";

#[test]
fn the_cli_the_batch_endpoint_and_the_edge_agree_line_by_line() {
    let (dir, rt, base) = open_registry("one-path");
    let schema = json!({"type": "object", "properties": {"amount": {"type": "integer"}}, "required": ["amount"]});
    let file = dir.join("schema.json");
    std::fs::write(&file, schema.to_string()).unwrap();
    let o = common::cli(&[
        "register",
        "--registry",
        &base,
        "--subject",
        SUBJECT,
        file.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text(&o));

    let stream = b"\xEF\xBB\xBF{\"amount\": 1}\r\n\n   \t\r\n{\"amount\": \"x\"}\n{\"amount\": \n{\"amount\": 2}";
    // (line, valid) for every line that holds a payload.
    let expected: Vec<(u64, bool)> = vec![(1, true), (4, false), (5, false), (6, true)];

    // The CLI: invalid lines are reported by number, the rest counted.
    let events = dir.join("events.ndjson");
    std::fs::write(&events, stream).unwrap();
    let o = common::cli(&[
        "validate",
        "--registry",
        &base,
        "--subject",
        SUBJECT,
        events.to_str().unwrap(),
    ]);
    let out = text(&o);
    let invalid: Vec<u64> = expected.iter().filter(|e| !e.1).map(|e| e.0).collect();
    for n in &invalid {
        assert!(out.contains(&format!("events.ndjson:{n}: ")), "{out}");
    }
    assert!(out.contains("2 valid, 2 invalid"), "{out}");

    rt.block_on(async {
        // The batch endpoint: one answer per payload line.
        let r = reqwest::Client::new()
            .post(format!(
                "{base}/subjects/{SUBJECT}/versions/latest/validate/batch"
            ))
            .header("Content-Type", "application/x-ndjson")
            .body(stream.to_vec())
            .send()
            .await
            .unwrap();
        let batch: Vec<(u64, bool)> = r
            .text()
            .await
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str::<Value>(l).unwrap())
            .map(|v| (v["line"].as_u64().unwrap(), v["valid"].as_bool().unwrap()))
            .collect();
        assert_eq!(batch, expected);

        // The edge: each line of the stream, as it is in the stream (BOM and CR included), as a
        // request body. Lines without a payload are refused as holding no JSON.
        let client = Client::new(&base, None, Duration::from_secs(5)).unwrap();
        let cache = ValidatorCache::new(client, CacheOptions::default());
        let layer =
            ValidateEventsLayer::new(cache, EdgeConfig::new(SubjectFrom::Route(SUBJECT.into())));
        let echo =
            |body: axum::body::Bytes| async move { (axum::http::StatusCode::ACCEPTED, body) };
        let app = Router::new().route("/events", post(echo).layer(layer));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        let mut edge = Vec::new();
        for (i, line) in stream.split_inclusive(|b| *b == b'\n').enumerate() {
            let r = reqwest::Client::new()
                .post(format!("http://{addr}/events"))
                .body(line.to_vec())
                .send()
                .await
                .unwrap();
            let status = r.status().as_u16();
            let body = r.bytes().await.unwrap();
            match status {
                202 => {
                    // Passed on byte for byte, mark and line end included.
                    assert_eq!(&body[..], line);
                    edge.push((i as u64 + 1, true));
                }
                422 => edge.push((i as u64 + 1, false)),
                400 => {
                    let v: Value = serde_json::from_slice(&body).unwrap();
                    if v["message"]
                        .as_str()
                        .unwrap_or("")
                        .contains("holds no JSON")
                    {
                        continue; // a line without a payload
                    }
                    edge.push((i as u64 + 1, false));
                }
                other => panic!("{other}: {}", String::from_utf8_lossy(&body)),
            }
        }
        assert_eq!(edge, expected);
    });
    std::fs::remove_dir_all(dir).ok();
}
