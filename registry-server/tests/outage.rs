//! Database outage: PostgreSQL is stopped in the middle of a read and write load and started
//! again. While it is down, schemas by id (immutable) and subject versions (cached until a change) are still served, writes and
//! other reads fail fast with 503 and `Retry-After`, `/readyz` says not ready; when it returns,
//! everything works again without restarting the server. The counts are printed.

mod common;

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{client, wait_ready, Postgres, Process};
use serde_json::{json, Value};

#[derive(Default)]
struct Tally {
    ok: AtomicU64,
    unavailable: AtomicU64,
    other: AtomicU64,
    slowest_failure_ms: AtomicU64,
}

impl Tally {
    fn record(&self, status: u16, took: Duration, retry_after: bool) {
        match status {
            200..=299 => self.ok.fetch_add(1, Ordering::Relaxed),
            503 if retry_after => {
                self.slowest_failure_ms
                    .fetch_max(took.as_millis() as u64, Ordering::Relaxed);
                self.unavailable.fetch_add(1, Ordering::Relaxed)
            }
            _ => self.other.fetch_add(1, Ordering::Relaxed),
        };
    }
    fn line(&self, what: &str) -> String {
        format!(
            "{what}: {} ok, {} failed fast with 503 (slowest {} ms), {} other",
            self.ok.load(Ordering::Relaxed),
            self.unavailable.load(Ordering::Relaxed),
            self.slowest_failure_ms.load(Ordering::Relaxed),
            self.other.load(Ordering::Relaxed)
        )
    }
}

fn schema(n: u64) -> String {
    json!({"type": "object", "description": format!("outage {n}")}).to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_outage_fails_fast_and_recovers() {
    let pg = Postgres::start();
    let url = pg.database("outage").await;
    let server = Process::start(&url);
    wait_ready(&server.base).await;
    let base = server.base.clone();
    let c = client();
    c.put(format!("{base}/config"))
        .json(&json!({"compatibility": "NONE"}))
        .send()
        .await
        .unwrap();
    let r: Value = common::json_of(
        c.post(format!("{base}/subjects/outage.A/versions"))
            .json(&json!({"schema": schema(0)})),
    )
    .await;
    let id = r["id"].as_i64().unwrap();
    c.get(format!("{base}/schemas/ids/{id}"))
        .send()
        .await
        .unwrap();
    // A subject nobody writes during the test: its versions stay cached. (A subject being
    // written is dropped from the cache at each write, and cannot be read back while the
    // database is down.)
    let _: Value = common::json_of(
        c.post(format!("{base}/subjects/outage.B/versions"))
            .json(&json!({"schema": schema(7)})),
    )
    .await;

    // Phase tallies: during the outage, and after the database is back.
    let down = Arc::new(AtomicBool::new(false));
    let (cached, reads, writes) = (
        Arc::new(Tally::default()),
        Arc::new(Tally::default()),
        Arc::new(Tally::default()),
    );
    let stop = Arc::new(AtomicBool::new(false));
    let mut tasks = Vec::new();
    for worker in 0..3u64 {
        let (c, base, stop, down) = (c.clone(), base.clone(), stop.clone(), down.clone());
        let (cached, reads, writes) = (cached.clone(), reads.clone(), writes.clone());
        tasks.push(tokio::spawn(async move {
            let mut n = worker * 1_000_000;
            while !stop.load(Ordering::Relaxed) {
                n += 1;
                let (req, tally) = match worker {
                    // Served from the caches: a schema by id, a subject's versions.
                    0 if n % 2 == 0 => (c.get(format!("{base}/schemas/ids/{id}")), &cached),
                    0 => (c.get(format!("{base}/subjects/outage.B/versions")), &cached),
                    1 => (c.get(format!("{base}/subjects")), &reads),
                    _ => (
                        c.post(format!("{base}/subjects/outage.A/versions"))
                            .json(&json!({"schema": schema(n)})),
                        &writes,
                    ),
                };
                let t = Instant::now();
                let r = req.timeout(Duration::from_secs(10)).send().await;
                if down.load(Ordering::Relaxed) {
                    match r {
                        Ok(r) => tally.record(
                            r.status().as_u16(),
                            t.elapsed(),
                            r.headers().contains_key("retry-after"),
                        ),
                        Err(_) => tally.record(0, t.elapsed(), false),
                    }
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }));
    }
    tokio::time::sleep(Duration::from_millis(500)).await;

    assert!(pg.stop(), "pg_ctl stop");
    down.store(true, Ordering::Relaxed);
    tokio::time::sleep(Duration::from_secs(4)).await;
    let ready = c.get(format!("{base}/readyz")).send().await.unwrap();
    assert_eq!(ready.status().as_u16(), 503);
    down.store(false, Ordering::Relaxed);
    println!("{}", cached.line("schema by id, versions (cached)"));
    println!("{}", reads.line("subjects list"));
    println!("{}", writes.line("registrations"));
    assert!(
        cached.ok.load(Ordering::Relaxed) > 10,
        "{}",
        cached.line("cached")
    );
    assert_eq!(cached.unavailable.load(Ordering::Relaxed), 0);
    for t in [&reads, &writes] {
        assert!(
            t.unavailable.load(Ordering::Relaxed) > 0,
            "{}",
            t.line("db")
        );
        assert_eq!(t.other.load(Ordering::Relaxed), 0, "{}", t.line("db"));
        assert!(
            t.slowest_failure_ms.load(Ordering::Relaxed) < 5_000,
            "{}",
            t.line("db")
        );
    }

    assert!(pg.restart(), "pg_ctl start");
    let back = Instant::now();
    let mut recovered = false;
    while back.elapsed() < Duration::from_secs(20) {
        let r = c
            .post(format!("{base}/subjects/outage.A/versions"))
            .json(&json!({"schema": schema(999_999_999)}))
            .send()
            .await
            .unwrap();
        if r.status().is_success() {
            recovered = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(recovered, "writes did not recover");
    println!(
        "recovered {} ms after the database restarted",
        back.elapsed().as_millis()
    );
    let ready = c.get(format!("{base}/readyz")).send().await.unwrap();
    assert_eq!(ready.status().as_u16(), 200);
    stop.store(true, Ordering::Relaxed);
    for t in tasks {
        let _ = t.await;
    }
    // Versions stay contiguous across the outage.
    let versions: Vec<i64> =
        common::json_of(c.get(format!("{base}/subjects/outage.A/versions"))).await;
    assert_eq!(versions, (1..=versions.len() as i64).collect::<Vec<_>>());
}
