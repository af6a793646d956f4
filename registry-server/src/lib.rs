//! schemagate's registry server: a Confluent Schema Registry compatible HTTP API for JSON event
//! schemas, judged by the engine, stored in SQLite (default) or PostgreSQL (shared by replicas).

pub mod config;
pub mod error;
pub mod http;
pub mod metrics;
pub mod migrate;
pub mod registry;
pub mod store;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use tower_http::trace::TraceLayer;

pub use config::{Cli, Command, Config};

/// Builds the application over a connected store: routes, metrics, body limit, and request
/// ids (taken from `x-request-id` or made up, echoed back, and recorded in the trace span).
pub fn app(registry: Arc<registry::Registry>, max_body: usize) -> axum::Router {
    let state = http::AppState { registry, max_body };
    let trace = TraceLayer::new_for_http().make_span_with(|req: &axum::http::Request<_>| {
        let id = req
            .headers()
            .get("x-request-id")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("-");
        tracing::info_span!("request", method = %req.method(), uri = %req.uri(), request_id = %id)
    });
    http::router(state.clone())
        .layer(axum::middleware::from_fn_with_state(
            state,
            http::record_metrics,
        ))
        .layer(axum::Extension(http::BodyLimit(max_body)))
        .layer(DefaultBodyLimit::max(max_body))
        .layer(tower_http::request_id::PropagateRequestIdLayer::x_request_id())
        .layer(trace)
        .layer(tower_http::request_id::SetRequestIdLayer::x_request_id(
            tower_http::request_id::MakeRequestUuid,
        ))
}

/// Runs one command line: serve (default), export or import.
pub async fn run_cli(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        None | Some(Command::Serve) => run(cli.config).await,
        Some(Command::Export { from, out }) => {
            let dump = migrate::export(&from).await?;
            let tmp = out.with_extension("partial");
            std::fs::write(&tmp, serde_json::to_vec_pretty(&dump)?)?;
            std::fs::rename(&tmp, &out)?; // never leave a half-written export behind
            println!(
                "exported {} subject versions and {} configs to {}",
                dump.entries.len(),
                dump.configs.len(),
                out.display()
            );
            Ok(())
        }
        Some(Command::Import { from, file, to }) => {
            let dump = match (from, file) {
                (Some(url), _) => migrate::export(&url).await?,
                (None, Some(path)) => serde_json::from_slice(&std::fs::read(&path)?)?,
                (None, None) => anyhow::bail!("give --from URL or --file FILE"),
            };
            let counts = migrate::load(
                &dump,
                &to,
                std::io::IsTerminal::is_terminal(&std::io::stderr()),
            )
            .await?;
            println!(
                "source {} versions: {} imported, {} already there; target now holds {}",
                counts.source, counts.imported, counts.skipped, counts.target
            );
            if counts.target < counts.source {
                anyhow::bail!("the target holds fewer versions than the source");
            }
            Ok(())
        }
    }
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
