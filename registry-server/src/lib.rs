//! schemagate's registry server: a Confluent Schema Registry compatible HTTP API for JSON event
//! schemas, judged by the engine, stored in SQLite (default) or PostgreSQL (shared by replicas).

pub mod config;
pub mod error;
pub mod http;
pub mod registry;
pub mod store;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use tower_http::trace::TraceLayer;

pub use config::Config;

/// Builds the application over a connected store.
pub fn app(registry: Arc<registry::Registry>, max_body: usize) -> axum::Router {
    let state = http::AppState { registry, max_body };
    http::router(state)
        .layer(axum::Extension(http::BodyLimit(max_body)))
        .layer(DefaultBodyLimit::max(max_body))
        .layer(TraceLayer::new_for_http())
}

/// Connects, migrates, and serves until SIGTERM or Ctrl-C; requests in flight finish first.
pub async fn run(config: Config) -> anyhow::Result<()> {
    tracing::info!(config = %config.describe(), "starting schemagate registry");
    let store = store::Store::connect(&config.database_url, config.db_connections).await?;
    let registry = Arc::new(registry::Registry::new(store));
    let listener = tokio::net::TcpListener::bind(&config.listen).await?;
    let addr = listener.local_addr()?;
    tracing::info!(%addr, "listening");
    println!("schemagate registry listening on http://{addr}");
    axum::serve(
        listener,
        app(registry, config.max_body_bytes).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown())
    .await?;
    Ok(())
}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down");
}
