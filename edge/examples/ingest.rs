//! An ingest service with edge validation: `POST /events` accepts an event only if it matches the
//! registered version its `schema_version` names (subject from the `X-Event-Type` header), then
//! "writes it to the outbox" (here: counts it); `GET /metrics` shows what the layer decided.
//!
//! ```sh
//! cargo run --release -p registry-server &                 # the registry on :8081
//! cargo run -p compat-cli -- register --registry http://127.0.0.1:8081 \
//!     --subject widgets.WidgetCreated schemas/widgets/WidgetCreated.json
//! cargo run -p schemagate-edge --example ingest -- http://127.0.0.1:8081 127.0.0.1:8090
//! curl -i -X POST localhost:8090/events -H 'X-Event-Type: widgets.WidgetCreated' -d '{"schema_version":"1.0.0"}'
//! ```

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::Router;
use registry_client::{CacheOptions, Client, ValidatorCache};
use schemagate_edge::{EdgeConfig, SubjectFrom, ValidateEventsLayer};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    tracing_subscriber::fmt().init();
    let mut args = std::env::args().skip(1);
    let registry = args
        .next()
        .unwrap_or_else(|| "http://127.0.0.1:8081".into());
    let listen = args.next().unwrap_or_else(|| "127.0.0.1:8090".into());

    let cache = ValidatorCache::new(
        Client::new(&registry, None, Duration::from_secs(5))?,
        CacheOptions::default(),
    );
    cache.spawn_refresh();
    let layer = ValidateEventsLayer::new(
        cache.clone(),
        EdgeConfig::new(SubjectFrom::Header("x-event-type".into())).max_body(256 << 10),
    );
    let metrics = layer.metrics();
    let outbox = Arc::new(AtomicU64::new(0));

    let app = Router::new()
        .route(
            "/events",
            post(
                |State(outbox): State<Arc<AtomicU64>>, body: axum::body::Bytes| async move {
                    // A real service writes `body` to its outbox table in the request's transaction.
                    let n = outbox.fetch_add(1, Ordering::Relaxed) + 1;
                    tracing::info!(bytes = body.len(), total = n, "event accepted");
                    StatusCode::ACCEPTED
                },
            )
            .layer(layer),
        )
        .route(
            "/metrics",
            get(move || async move { metrics.render(&cache.stats()) }),
        )
        .with_state(outbox);
    let listener = tokio::net::TcpListener::bind(&listen).await?;
    tracing::info!(%listen, %registry, "ingest service with edge validation");
    axum::serve(listener, app).await?;
    Ok(())
}
