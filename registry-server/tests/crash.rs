//! Crash safety: a server process is killed with SIGKILL in the middle of 1,000 concurrent
//! registrations (20 subjects, 50 distinct schemas each), on a real SQLite file and on a real
//! PostgreSQL. After a restart on the same database, every registration acknowledged with 2xx
//! is there under its id, no schema is registered twice in a subject, and each subject's
//! versions are 1..n with no gap.

mod common;

use std::collections::{BTreeMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{client, sqlite_url, temp_dir, wait_ready, Postgres, Process};
use serde_json::{json, Value};

const SUBJECTS: usize = 20;
const PER_SUBJECT: usize = 50;

fn schema(subject: usize, n: usize) -> String {
    json!({
        "type": "object",
        "description": format!("crash test subject {subject} schema {n}"),
        "properties": {"id": {"type": "string"}}
    })
    .to_string()
}

/// (subject, schema text) → id, for every 2xx answer.
type Acked = Arc<Mutex<Vec<(String, String, i64)>>>;

async fn register_until_killed(base: &str, pid: u32) -> (Acked, usize) {
    let c = client();
    // Compatibility off: this test is about durability, not verdicts.
    let r = c
        .put(format!("{base}/config"))
        .json(&json!({"compatibility": "NONE"}))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success());
    let acked: Acked = Arc::default();
    let gate = Arc::new(tokio::sync::Semaphore::new(64));
    let mut tasks = Vec::new();
    for n in 0..PER_SUBJECT {
        for s in 0..SUBJECTS {
            let (c, acked, gate) = (c.clone(), acked.clone(), gate.clone());
            let base = base.to_string();
            tasks.push(tokio::spawn(async move {
                let _slot = gate.acquire_owned().await.unwrap();
                let subject = format!("crash.S{s}");
                let text = schema(s, n);
                let r = c
                    .post(format!("{base}/subjects/{subject}/versions"))
                    .json(&json!({"schema": text}))
                    .timeout(Duration::from_secs(20))
                    .send()
                    .await;
                if let Ok(r) = r {
                    if r.status().is_success() {
                        if let Ok(body) = r.json::<Value>().await {
                            let id = body["id"].as_i64().unwrap();
                            acked.lock().unwrap().push((subject, text, id));
                        }
                    }
                }
            }));
        }
    }
    // Kill once a third has been acknowledged (bounded wait).
    for _ in 0..600 {
        if acked.lock().unwrap().len() >= SUBJECTS * PER_SUBJECT / 3 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let status = std::process::Command::new("kill")
        .args(["-9", &pid.to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    for t in tasks {
        let _ = t.await;
    }
    let n = acked.lock().unwrap().len();
    (acked, n)
}

async fn verify(base: &str, acked: &Acked) {
    let c = client();
    let acked = acked.lock().unwrap().clone();
    for (subject, text, id) in &acked {
        let r = c
            .post(format!("{base}/subjects/{subject}"))
            .json(&json!({"schema": text}))
            .send()
            .await
            .unwrap();
        assert!(
            r.status().is_success(),
            "acknowledged registration lost: {subject} id {id}"
        );
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["id"].as_i64(), Some(*id), "{subject}: id changed");
    }
    let mut per_subject: BTreeMap<String, usize> = BTreeMap::new();
    for s in 0..SUBJECTS {
        let subject = format!("crash.S{s}");
        let r = c
            .get(format!("{base}/subjects/{subject}/versions"))
            .send()
            .await
            .unwrap();
        if r.status().as_u16() == 404 {
            continue;
        }
        let versions: Vec<i64> = r.json().await.unwrap();
        let expect: Vec<i64> = (1..=versions.len() as i64).collect();
        assert_eq!(versions, expect, "{subject}: versions not contiguous");
        let mut seen = HashSet::new();
        for v in &versions {
            let body: Value =
                common::json_of(c.get(format!("{base}/subjects/{subject}/versions/{v}"))).await;
            assert!(
                seen.insert(body["id"].as_i64().unwrap()),
                "{subject}: a schema registered twice"
            );
        }
        per_subject.insert(subject, versions.len());
    }
    let stored: usize = per_subject.values().sum();
    assert!(
        stored >= acked.len(),
        "{stored} stored < {} acknowledged",
        acked.len()
    );
    println!(
        "{} acknowledged before the kill, {stored} stored after restart, 0 lost, 0 duplicated",
        acked.len()
    );
}

async fn crash_and_restart(url: &str) {
    let server = Process::start(url);
    wait_ready(&server.base).await;
    let (acked, n) = register_until_killed(&server.base, server.pid()).await;
    assert!(
        n > 0 && n < SUBJECTS * PER_SUBJECT,
        "{n} acknowledged: the kill came too early or too late"
    );
    drop(server);
    let again = Process::start(url);
    wait_ready(&again.base).await;
    verify(&again.base, &acked).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn kill_9_during_registrations_on_sqlite() {
    let dir = temp_dir("crash");
    crash_and_restart(&sqlite_url(&dir)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn kill_9_during_registrations_on_postgres() {
    let pg = Postgres::start();
    crash_and_restart(&pg.database("crash").await).await;
}
