//! Hostile registrations against a real `registry-server` process: a comparison that explodes
//! without the engine's budget, odd `$ref` fragments that once panicked, and reads served all
//! the while. The server must answer each within its request timeout, stay under 1 GB, and
//! never drop a connection.

mod common;

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{client, sqlite_url, temp_dir, wait_ready, Process};
use serde_json::{json, Value};

const TIMEOUT_MS: u64 = 20_000;

fn data(name: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name);
    std::fs::read_to_string(path).unwrap()
}

/// Peak resident memory of a process, from /proc.
fn peak_rss_kb(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

async fn register(base: &str, subject: &str, schema: &str) -> (u16, Value, Duration) {
    let start = Instant::now();
    let r = client()
        .post(format!("{base}/subjects/{subject}/versions"))
        .json(&json!({"schema": schema}))
        .timeout(Duration::from_millis(TIMEOUT_MS * 3))
        .send()
        .await
        .expect("the server answers (no dropped connection)");
    let status = r.status().as_u16();
    let body = r.json().await.unwrap_or(Value::Null);
    (status, body, start.elapsed())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn hostile_registrations_are_answered_and_bounded() {
    let dir = temp_dir("hostile");
    let server = Process::start_with(
        &sqlite_url(&dir),
        &["--request-timeout-ms", &TIMEOUT_MS.to_string()],
    );
    wait_ready(&server.base).await;
    let base = server.base.clone();

    // Reads keep being served while the expensive registrations run.
    let stop = Arc::new(AtomicBool::new(false));
    let (served, failed) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let reader = {
        let (base, stop, served, failed) =
            (base.clone(), stop.clone(), served.clone(), failed.clone());
        tokio::spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                let ok = client()
                    .get(format!("{base}/subjects"))
                    .timeout(Duration::from_secs(5))
                    .send()
                    .await
                    .is_ok_and(|r| r.status().is_success());
                if ok {
                    served.fetch_add(1, Ordering::Relaxed);
                } else {
                    failed.fetch_add(1, Ordering::Relaxed);
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        })
    };

    for rules in ["standard", "lenient", "events"] {
        let subject = format!("hostile-{rules}");
        let r = client()
            .put(format!("{base}/config/{subject}"))
            .json(&json!({"compatibility": "FULL", "rules": rules}))
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success(), "{rules}: config {}", r.status());
        let (status, body, _) = register(&base, &subject, &data("recursive-union-v1.json")).await;
        assert_eq!(status, 200, "{rules}: first version {body}");
        // Two at once: both must be answered.
        let v2 = data("recursive-union-v2.json");
        let (a, b) = tokio::join!(
            register(&base, &subject, &v2),
            register(&base, &subject, &v2)
        );
        for (status, body, took) in [a, b] {
            println!(
                "{rules}: {status} in {took:?}: {}",
                body["message"]
                    .as_str()
                    .unwrap_or("")
                    .chars()
                    .take(160)
                    .collect::<String>()
            );
            assert!(
                [409, 422, 408].contains(&status),
                "{rules}: a verdict, a refusal or a timeout, got {status} {body}"
            );
            assert!(
                took < Duration::from_millis(TIMEOUT_MS + 5_000),
                "{rules}: answered after {took:?}"
            );
        }
    }

    // Odd `$ref` fragments: a located 422, never a dropped connection.
    for r in ["#/%aé", "#/%", "#/%ff", "#/~2", "#//", "#/%aé/%é"] {
        let schema = json!({"properties": {"a": {"$ref": r}}}).to_string();
        let (status, body, _) = register(&base, "odd", &schema).await;
        assert_eq!(status, 422, "{r}: {body}");
        assert_eq!(body["error_code"], 42201, "{r}: {body}");
        assert!(
            body["message"].as_str().unwrap().contains("/properties/a"),
            "{r}: {body}"
        );
    }

    stop.store(true, Ordering::Relaxed);
    reader.await.unwrap();
    let peak = peak_rss_kb(server.pid());
    println!(
        "reads served {} (failed {}), peak RSS {} MB",
        served.load(Ordering::Relaxed),
        failed.load(Ordering::Relaxed),
        peak / 1024
    );
    assert!(served.load(Ordering::Relaxed) > 0);
    assert_eq!(
        failed.load(Ordering::Relaxed),
        0,
        "a read failed while registrations ran"
    );
    assert!(peak > 0 && peak < 1024 * 1024, "peak RSS {peak} KB");
    std::fs::remove_dir_all(dir).ok();
}
