//! Three stateless replicas over one PostgreSQL database, each caching subject versions and
//! settings: a write on one replica (a new version, a delete, a level change) is visible on
//! every other replica within 1 s, carried by PostgreSQL notices. The slowest propagation
//! seen is printed.

mod common;

use std::time::{Duration, Instant};

use common::{client, start, Postgres};
use serde_json::{json, Value};

const SUBJECT: &str = "replicas.Thing";

async fn get(base: &str, path: &str) -> (u16, Value) {
    let r = client().get(format!("{base}{path}")).send().await.unwrap();
    (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
}

async fn send(method: reqwest::Method, base: &str, path: &str, body: Value) -> Value {
    let r = client()
        .request(method, format!("{base}{path}"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{path}: {}", r.status());
    r.json().await.unwrap()
}

/// How long until `check` holds on `base`; panics past 1 s.
async fn visible(base: &str, path: &str, check: impl Fn(&Value) -> bool) -> Duration {
    let start = Instant::now();
    loop {
        let (_, body) = get(base, path).await;
        if check(&body) {
            return start.elapsed();
        }
        assert!(
            start.elapsed() < Duration::from_secs(1),
            "{base}{path} still answers {body} after 1 s"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

fn schema(n: u32) -> String {
    json!({"type": "object", "title": format!("thing {n}")}).to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn writes_on_one_replica_are_visible_on_all_within_a_second() {
    let pg = Postgres::start();
    let url = pg.database("replicas").await;
    let replicas = [start(&url).await, start(&url).await, start(&url).await];
    let bases: Vec<String> = replicas.iter().map(|r| r.base.clone()).collect();
    send(
        reqwest::Method::PUT,
        &bases[0],
        "/config",
        json!({"compatibility": "NONE"}),
    )
    .await;
    let latest = format!("/subjects/{SUBJECT}/versions/latest");
    let mut slowest = Duration::ZERO;
    for round in 0..10u32 {
        let writer = &bases[(round % 3) as usize];
        let v = send(
            reqwest::Method::POST,
            writer,
            &format!("/subjects/{SUBJECT}/versions"),
            json!({"schema": schema(round)}),
        )
        .await;
        let id = v["id"].as_i64().unwrap();
        for base in &bases {
            // Each replica has this subject cached from the round before.
            slowest = slowest.max(visible(base, &latest, |b| b["id"] == id).await);
        }
    }
    // A soft delete of the latest version moves `latest` back everywhere.
    let (_, before) = get(&bases[0], &latest).await;
    let deleted = before["version"].as_i64().unwrap();
    send(
        reqwest::Method::DELETE,
        &bases[1],
        &format!("/subjects/{SUBJECT}/versions/{deleted}"),
        Value::Null,
    )
    .await;
    for base in &bases {
        slowest = slowest.max(visible(base, &latest, |b| b["version"] == deleted - 1).await);
    }
    // A level set on one replica governs registrations on the others.
    for base in &bases {
        get(base, &format!("/config/{SUBJECT}?defaultToGlobal=true")).await;
    }
    send(
        reqwest::Method::PUT,
        &bases[2],
        &format!("/config/{SUBJECT}"),
        json!({"compatibility": "FULL"}),
    )
    .await;
    for base in &bases {
        slowest = slowest.max(
            visible(base, &format!("/config/{SUBJECT}"), |b| {
                b["compatibilityLevel"] == "FULL"
            })
            .await,
        );
    }
    println!(
        "slowest propagation to a replica: {} ms",
        slowest.as_millis()
    );
}
