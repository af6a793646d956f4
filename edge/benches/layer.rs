//! Events per second through the edge layer (`cargo bench -p schemagate-edge --bench layer --
//! FILE.ndjson [--versions N]`), in-process on one thread: each payload is an axum request
//! through a router with the layer in front of a handler, validators served from a warm cache
//! (no network in the timed loop). Compared in the same run with the bare `jsonschema` crate
//! (parse to `Value` + `is_valid`) on the same payloads; both on the system allocator. Medians of
//! 3; run pinned (`taskset -c 1`). Then the resident memory of N cached versions (default
//! 10,000), filled from a real registry server on a socket.

use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::http::{Request, StatusCode};
use axum::routing::post;
use axum::Router;
use registry_client::{CacheOptions, Client, ValidatorCache};
use schemagate_edge::{EdgeConfig, SubjectFrom, ValidateEventsLayer};
use tower::{Service, ServiceExt};

// Both sides of the comparison run on the same allocator, chosen at build time:
// `--features bench-mimalloc` (what a service would link), or the system one by default.
#[cfg(feature = "bench-mimalloc")]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

fn rss_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|n| n.parse().ok())
        })
        .unwrap_or(0)
}

async fn registry() -> String {
    let dir = std::env::temp_dir().join(format!("schemagate-edge-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let _ = std::fs::remove_file(dir.join("r.db"));
    let url = format!("sqlite://{}?mode=rwc", dir.join("r.db").display());
    let store = registry_server::store::Store::connect(&url, 4)
        .await
        .unwrap();
    let options = registry_server::AppOptions::open(1 << 24);
    let (addr, _) = registry_server::serve_local(store, 0, options)
        .await
        .unwrap();
    format!("http://{addr}")
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let file = args
        .iter()
        .find(|a| !a.starts_with("--") && a.ends_with(".ndjson"))
        .expect("usage: layer FILE.ndjson [--versions N]");
    let versions: usize = args
        .iter()
        .position(|a| a == "--versions")
        .and_then(|i| args.get(i + 1))
        .and_then(|n| n.parse().ok())
        .unwrap_or(10_000);
    let schema_path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/bench/exposure.schema.json"
    );
    let schema_text = std::fs::read_to_string(schema_path).unwrap();
    let schema: serde_json::Value = serde_json::from_str(&schema_text).unwrap();
    let text = std::fs::read_to_string(file).unwrap();
    let strs: Vec<&str> = text.lines().collect();
    let lines: Vec<Bytes> = strs
        .iter()
        .map(|l| Bytes::copy_from_slice(l.as_bytes()))
        .collect();
    let n = lines.len() as f64;

    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let base = rt.block_on(registry());
    let client = Client::new(&base, None, Duration::from_secs(30)).unwrap();
    rt.block_on(client.register("recs.Exposure", &schema_text))
        .unwrap();
    let cache = ValidatorCache::new(client.clone(), CacheOptions::default());
    let layer = ValidateEventsLayer::new(
        cache.clone(),
        EdgeConfig::new(SubjectFrom::Route("recs.Exposure".into())),
    );
    let mut app = Router::new().route(
        "/events",
        post(|| async { StatusCode::ACCEPTED }).layer(layer),
    );

    let (mut bare, mut ours) = (Vec::new(), Vec::new());
    let (mut bare_valid, mut ours_valid) = (0, 0);
    for _ in 0..3 {
        let validator = jsonschema::options()
            .should_validate_formats(true)
            .build(&schema)
            .unwrap();
        let t = Instant::now();
        bare_valid = 0;
        // From `&str`: the bare crate's fastest way in (no per-string UTF-8 check).
        for l in &strs {
            if let Ok(v) = serde_json::from_str::<serde_json::Value>(l) {
                if validator.is_valid(&v) {
                    bare_valid += 1;
                }
            }
        }
        bare.push(n / t.elapsed().as_secs_f64());

        ours_valid = 0;
        let t = Instant::now();
        rt.block_on(async {
            for l in &lines {
                let req = Request::post("/events")
                    .header("content-type", "application/json")
                    .body(Body::from(l.clone()))
                    .unwrap();
                let svc = <Router as ServiceExt<Request<Body>>>::ready(&mut app)
                    .await
                    .unwrap();
                let r = svc.call(req).await.unwrap();
                if r.status() == StatusCode::ACCEPTED {
                    ours_valid += 1;
                }
            }
        });
        ours.push(n / t.elapsed().as_secs_f64());
    }
    let (b, o) = (median(bare), median(ours));
    println!("| what | events/s | ratio to bare crate |");
    println!("|---|---:|---:|");
    println!("| jsonschema crate, parse + is_valid | {b:.0} | 1.00x |");
    println!(
        "| request through the edge layer (router, body, cache, tape) | {o:.0} | {:.2}x |",
        o / b
    );
    println!("valid: bare crate {bare_valid}, layer {ours_valid}, of {n}");

    // Memory: N subjects of one version each, every one a distinct schema (its own global
    // id, so nothing is shared), every one compiled into the cache.
    let big = ValidatorCache::new(client.clone(), CacheOptions::default());
    rt.block_on(async {
        for i in 0..versions {
            let mut s = schema.clone();
            s["title"] = serde_json::json!(format!("bench.Event{i}"));
            client
                .register(&format!("bench.Event{i}"), &s.to_string())
                .await
                .unwrap();
        }
    });
    let before = rss_kb();
    let t = Instant::now();
    rt.block_on(async {
        for i in 0..versions {
            big.get(&format!("bench.Event{i}"), Some("1.4.0"))
                .await
                .unwrap();
        }
    });
    let after = rss_kb();
    println!(
        "{} cached versions: RSS {} MB -> {} MB ({:.1} KB per version), filled in {:.1} s",
        big.stats().entries,
        before / 1024,
        after / 1024,
        (after - before) as f64 / versions as f64,
        t.elapsed().as_secs_f64()
    );
}
