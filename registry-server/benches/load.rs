//! Registry load benchmark (`cargo bench -p registry-server --bench load`): a Rust load
//! generator drives the registry over loopback (SQLite file, in-process server) and, in the same
//! run, a trivial axum handler returning the same bytes as a schema-by-id read: the floor that
//! HTTP, the runtime and the client cost by themselves. Reported as requests per second, p50/p99 latency
//! and the ratio to the floor. Pin it: `taskset -c 1 target/release/deps/load-* --bench`.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use registry_server::domain::Registry;
use registry_server::store::Store;
use serde_json::json;

// As in the server binary.
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

const CONCURRENCY: usize = 16;
const DURATION: Duration = Duration::from_secs(3);
/// The cached reads are close to the floor, so they are measured in rounds that alternate with
/// it (a second each): drift of a shared machine then hits both sides of a ratio alike.
const ROUNDS: usize = 7;
const ROUND: Duration = Duration::from_secs(1);

struct Result {
    rps: f64,
    p50: Duration,
    p99: Duration,
}

async fn drive<F, Fut>(make: F) -> Result
where
    F: Fn(reqwest::Client, usize) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = ()> + Send,
{
    drive_for(DURATION, make).await
}

async fn drive_for<F, Fut>(duration: Duration, make: F) -> Result
where
    F: Fn(reqwest::Client, usize) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = ()> + Send,
{
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(CONCURRENCY)
        .build()
        .unwrap();
    let make = Arc::new(make);
    let start = Instant::now();
    let mut tasks = Vec::new();
    for w in 0..CONCURRENCY {
        let (client, make) = (client.clone(), make.clone());
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            let mut i = 0;
            while start.elapsed() < duration {
                let t = Instant::now();
                make(client.clone(), w * 1_000_000 + i).await;
                lat.push(t.elapsed());
                i += 1;
            }
            lat
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    let secs = start.elapsed().as_secs_f64();
    all.sort();
    Result {
        rps: all.len() as f64 / secs,
        p50: all[all.len() / 2],
        p99: all[all.len() * 99 / 100],
    }
}

/// GETs of one URL for `duration`, each checked for success.
async fn drive_get(duration: Duration, url: String) -> Result {
    drive_for(duration, move |c, _| {
        let u = url.clone();
        async move {
            let r = c.get(u).send().await.unwrap();
            assert!(r.status().is_success());
            r.bytes().await.unwrap();
        }
    })
    .await
}

async fn serve<S>(app: S) -> String
where
    S: tower::Service<
            axum::extract::Request,
            Response = axum::response::Response,
            Error = std::convert::Infallible,
        > + Clone
        + Send
        + Sync
        + 'static,
    S::Future: Send,
{
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(
            listener,
            axum::ServiceExt::into_make_service_with_connect_info::<SocketAddr>(app),
        )
        .await
        .unwrap()
    });
    format!("http://{addr}")
}

#[tokio::main]
async fn main() {
    let dir = std::env::temp_dir().join(format!("schemagate-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.join("bench.db").display());
    let store = Store::connect(&url, 8).await.unwrap();
    let registry = Arc::new(Registry::new(store));
    let base = serve(registry_server::app(registry.clone(), 1 << 20)).await;
    // The same routes and handlers without the middleware (auth, metrics, limits, timeout,
    // request ids, tracing): what the layers cost.
    let bare = serve(registry_server::http::router(
        registry_server::http::AppState::new(registry_server::http::Shared {
            registry,
            max_body: 1 << 20,
            tokens: None,
            open_without_tokens: true,
            rendered: registry_server::http::rendered_cache(),
        }),
    ))
    .await;
    let floor_body = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
    let floor_text = floor_body.clone();
    let floor = serve(axum::Router::new().route(
        "/floor",
        axum::routing::get(move || {
            let b = floor_text.lock().unwrap().clone();
            async move {
                (
                    [("content-type", "application/vnd.schemaregistry.v1+json")],
                    b,
                )
            }
        }),
    ))
    .await;

    let widget = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../schemas/widgets/WidgetCreated.json"
    ))
    .unwrap();
    let c = reqwest::Client::new();
    let reg = json!({"schema": widget});
    let r: serde_json::Value = c
        .post(format!("{base}/subjects/w/versions"))
        .json(&reg)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = r["id"].as_i64().unwrap();
    c.put(format!("{base}/config/fresh"))
        .json(&json!({"compatibility": "NONE"}))
        .send()
        .await
        .unwrap();

    // The floor answers the very bytes a schema-by-id read answers: the ratio then measures
    // what the registry adds, not the size of the schema.
    *floor_body.lock().unwrap() = c
        .get(format!("{base}/schemas/ids/{id}"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    // Rows as (name, requests/s, p50, p99, ratio to the floor).
    let mut rows = Vec::new();
    let reads = [
        ("trivial axum handler (floor)", format!("{floor}/floor")),
        (
            "GET /schemas/ids/{id} (cached)",
            format!("{base}/schemas/ids/{id}"),
        ),
        (
            "GET /schemas/ids/{id}, handlers without middleware",
            format!("{bare}/schemas/ids/{id}"),
        ),
        (
            "GET /subjects/{s}/versions/latest (cached)",
            format!("{base}/subjects/w/versions/latest"),
        ),
    ];
    let mut rounds: Vec<Vec<Result>> = reads.iter().map(|_| Vec::new()).collect();
    for _ in 0..ROUNDS {
        for (i, (_, url)) in reads.iter().enumerate() {
            rounds[i].push(drive_get(ROUND, url.clone()).await);
        }
    }
    let median = |mut v: Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    for (i, (name, _)) in reads.iter().enumerate() {
        let ratios = (0..ROUNDS)
            .map(|r| rounds[i][r].rps / rounds[0][r].rps)
            .collect();
        let pick = |f: fn(&Result) -> f64| median(rounds[i].iter().map(f).collect());
        rows.push((
            *name,
            pick(|r| r.rps),
            Duration::from_secs_f64(pick(|r| r.p50.as_secs_f64())),
            Duration::from_secs_f64(pick(|r| r.p99.as_secs_f64())),
            median(ratios),
        ));
    }
    let floor_rps = rows[0].1;
    let b = base.clone();
    let body = reg.clone();
    let r = drive(move |c, _| {
        let (u, body) = (format!("{b}/subjects/w/versions"), body.clone());
        async move {
            let r = c.post(u).json(&body).send().await.unwrap();
            assert!(r.status().is_success());
            r.bytes().await.unwrap();
        }
    })
    .await;
    rows.push((
        "POST register, idempotent",
        r.rps,
        r.p50,
        r.p99,
        r.rps / floor_rps,
    ));
    let b = base.clone();
    let r = drive(move |c, i| {
        let u = format!("{b}/subjects/fresh/versions");
        let body = json!({"schema": json!({"type": "object", "description": format!("v{i}")}).to_string()});
        async move {
            let r = c.post(u).json(&body).send().await.unwrap();
            assert!(r.status().is_success(), "{}", r.status());
            r.bytes().await.unwrap();
        }
    })
    .await;
    rows.push((
        "POST register, new version (level NONE)",
        r.rps,
        r.p50,
        r.p99,
        r.rps / floor_rps,
    ));
    let b = base.clone();
    let mut changed: serde_json::Value = serde_json::from_str(&widget).unwrap();
    changed["properties"]["schema_version"]["const"] = json!("1.0.1");
    changed["description"] = json!("reworded");
    let body = json!({"schema": changed.to_string()});
    let r = drive(move |c, _| {
        let (u, body) = (
            format!("{b}/compatibility/subjects/w/versions/latest"),
            body.clone(),
        );
        async move {
            let r = c.post(u).json(&body).send().await.unwrap();
            assert!(r.status().is_success());
            r.bytes().await.unwrap();
        }
    })
    .await;
    rows.push((
        "POST compatibility check (WidgetCreated)",
        r.rps,
        r.p50,
        r.p99,
        r.rps / floor_rps,
    ));

    println!("| operation | requests/s | p50 | p99 | ratio to floor |");
    println!("|---|---:|---:|---:|---:|");
    for (name, rps, p50, p99, ratio) in rows {
        println!("| {name} | {rps:.0} | {p50:.2?} | {p99:.2?} | {ratio:.2}x |");
    }
    std::fs::remove_dir_all(dir).ok();
}
