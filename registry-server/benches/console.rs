//! Console page times (`cargo bench -p registry-server --bench console`): the subjects page of a
//! registry holding 10,000 subjects (first page, a text search, a late page), and the comparison
//! of two versions of a 1,000-property schema, each fetched over loopback from an in-process
//! server on a throwaway SQLite file. Medians of 21 requests after one warm-up; the time is the
//! client's (request to last byte), an upper bound of the server's. Goal: under 100 ms.

use std::time::{Duration, Instant};

use serde_json::{json, Value};

#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

const SUBJECTS: usize = 10_000;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

async fn time(client: &reqwest::Client, url: &str) -> (Duration, usize) {
    let r = client.get(url).send().await.unwrap();
    assert!(r.status().is_success(), "{url}: {}", r.status());
    r.bytes().await.unwrap();
    let mut times = Vec::new();
    let mut size = 0;
    for _ in 0..21 {
        let t = Instant::now();
        let r = client.get(url).send().await.unwrap();
        size = r.bytes().await.unwrap().len();
        times.push(t.elapsed());
    }
    (median(times), size)
}

fn big(n: usize, narrowed: usize) -> String {
    let mut props = serde_json::Map::new();
    for i in 0..n {
        let max = if i < narrowed { 16 } else { 64 };
        props.insert(
            format!("field_{i}"),
            json!({"type": "string", "maxLength": max}),
        );
    }
    json!({"type": "object", "properties": props}).to_string()
}

#[tokio::main]
async fn main() {
    let dir = std::env::temp_dir().join(format!("schemagate-console-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.join("r.db").display());
    let store = registry_server::store::Store::connect(&url, 8)
        .await
        .unwrap();
    let options = registry_server::AppOptions::open(8 << 20);
    let (addr, _) = registry_server::serve_local(store, 0, options)
        .await
        .unwrap();
    let base = format!("http://{addr}");
    let client = reqwest::Client::new();

    let t = Instant::now();
    let mut pending = Vec::new();
    for i in 0..SUBJECTS {
        let (client, base) = (client.clone(), base.clone());
        pending.push(tokio::spawn(async move {
            let schema = json!({"type": "object", "title": format!("event {i}"), "properties": {"schema_version": {"type": "string", "const": "1.0.0"}}, "required": ["schema_version"]}).to_string();
            let r = client
                .post(format!("{base}/subjects/team{}.Event{i}/versions", i % 40))
                .json(&json!({"schema": schema}))
                .send()
                .await
                .unwrap();
            assert!(r.status().is_success());
        }));
        if pending.len() == 32 {
            for p in pending.drain(..) {
                p.await.unwrap();
            }
        }
    }
    for p in pending {
        p.await.unwrap();
    }
    eprintln!(
        "{SUBJECTS} subjects registered in {:.1} s",
        t.elapsed().as_secs_f64()
    );

    client
        .put(format!("{base}/config/big"))
        .json(&json!({"compatibility": "NONE"}))
        .send()
        .await
        .unwrap();
    for schema in [big(1000, 0), big(1000, 10)] {
        let r: Value = client
            .post(format!("{base}/subjects/big/versions"))
            .json(&json!({"schema": schema}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert!(r["id"].is_i64(), "{r}");
    }

    println!("| page | median | bytes |\n|---|---:|---:|");
    for (what, path) in [
        ("subjects, first page (10,000 subjects)", "/ui".to_string()),
        (
            "subjects, text search `Event99`",
            "/ui?q=Event99".to_string(),
        ),
        ("subjects, page 150", "/ui?page=150".to_string()),
        ("a subject", "/ui/subjects/team7.Event4087".to_string()),
        (
            "compare two 1,000-property versions (10 changes)",
            "/ui/subjects/big/compare?from=1&to=2".to_string(),
        ),
    ] {
        let (d, size) = time(&client, &format!("{base}{path}")).await;
        println!("| {what} | {:.1} ms | {size} |", d.as_secs_f64() * 1000.0);
    }
    std::fs::remove_dir_all(dir).ok();
}
