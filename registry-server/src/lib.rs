//! schemagate's registry server: a Confluent Schema Registry compatible HTTP API for JSON event
//! schemas, judged by the engine, stored in SQLite (default) or PostgreSQL (shared by replicas).

pub mod auth;
pub mod config;
pub mod domain;
pub mod http;
pub mod metrics;
pub mod migrate;
mod panic;
pub mod store;
pub mod time;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::DefaultBodyLimit;

pub use config::{Cli, Command, Config, TokenAction};

/// How the HTTP side is set up.
#[derive(Clone)]
pub struct AppOptions {
    pub max_body: usize,
    /// API tokens; `None` runs open (the loopback default, or `--insecure`).
    pub tokens: Option<Arc<auth::Tokens>>,
    /// Whether an empty token table means open (loopback or `--insecure`); otherwise it means
    /// nobody gets in, so revoking the last token never opens a networked registry.
    pub open_without_tokens: bool,
    pub request_timeout: Duration,
    pub max_in_flight: usize,
}

impl AppOptions {
    /// Open, with default timeouts and load shedding: what tests and loopback use.
    pub fn open(max_body: usize) -> AppOptions {
        AppOptions {
            max_body,
            tokens: None,
            open_without_tokens: true,
            request_timeout: Duration::from_secs(30),
            max_in_flight: 512,
        }
    }
}

/// The whole application as one service: serve it with
/// `axum::ServiceExt::into_make_service_with_connect_info`.
pub type App = tower::util::BoxCloneSyncService<
    axum::extract::Request,
    axum::response::Response,
    std::convert::Infallible,
>;

/// The application, open (no tokens): see [`app_with`].
pub fn app(registry: Arc<domain::Registry>, max_body: usize) -> App {
    app_with(registry, AppOptions::open(max_body))
}

/// Builds the application over a connected store: routes, auth, metrics, body limit, request
/// timeout, load shedding, and request ids (taken from `x-request-id` or made up, echoed back,
/// and recorded in the trace span).
pub fn app_with(registry: Arc<domain::Registry>, options: AppOptions) -> App {
    let max_body = options.max_body;
    let state = http::AppState::new(http::Shared {
        registry,
        max_body,
        tokens: options.tokens.clone(),
        open_without_tokens: options.open_without_tokens,
        rendered: http::rendered_cache(),
    });
    // Authorization and metrics run per route (metrics count by route template, known only
    // once routed), as one typed service; everything else wraps the router once, so a request
    // does not clone the whole stack (axum clones a route's service for every call).
    let routed = http::router(state.clone()).layer(http::GuardLayer::new(state.clone()));
    let stack = tower::ServiceBuilder::new()
        .layer(
            http::FrontLayer::new(options.max_in_flight, options.request_timeout)
                .with_fast_lane(http::FastLane::new(state)),
        )
        .map_response(axum::response::IntoResponse::into_response)
        .layer(DefaultBodyLimit::max(max_body))
        .layer(axum::Extension(http::BodyLimit(max_body)))
        .service(routed);
    App::new(stack)
}

/// Serves the registry over `store` on 127.0.0.1:`port` (0: a free one) from the current tokio
/// runtime, plain HTTP: for tests, benchmarks and services that embed a registry. Answers the
/// address and the serving task.
pub async fn serve_local(
    store: store::Store,
    port: u16,
    options: AppOptions,
) -> std::io::Result<(SocketAddr, tokio::task::JoinHandle<()>)> {
    let registry = Arc::new(domain::Registry::new(store));
    registry
        .follow_changes()
        .await
        .map_err(std::io::Error::other)?;
    let app = app_with(registry, options);
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    let addr = listener.local_addr()?;
    let task = tokio::spawn(async move {
        let app = axum::ServiceExt::into_make_service_with_connect_info::<SocketAddr>(app);
        if let Err(e) = axum::serve(listener, app).await {
            tracing::error!(error = %e, "local registry stopped");
        }
    });
    Ok((addr, task))
}

/// How long one registry call of import/export may take.
const MIGRATE_TIMEOUT: Duration = Duration::from_secs(60);

/// Runs one command line: serve (default), export or import.
pub async fn run_cli(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        None | Some(Command::Serve) => run(cli.config).await,
        Some(Command::Token { action }) => token_command(&cli.config, action).await,
        Some(Command::Export { from, out, auth }) => {
            let dump = migrate::export(&auth.client(&from, MIGRATE_TIMEOUT)?).await?;
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
        Some(Command::Import {
            from,
            file,
            to,
            from_token,
            from_basic_auth,
            auth,
        }) => {
            let dump = match (from, file) {
                (Some(url), _) => {
                    // The target's credentials, unless the source is given its own.
                    let source = if from_token.is_some() || from_basic_auth.is_some() {
                        auth.with(from_token, from_basic_auth)
                    } else {
                        auth.clone()
                    };
                    let source = source.client(&url, MIGRATE_TIMEOUT)?;
                    migrate::export(&source).await?
                }
                (None, Some(path)) => serde_json::from_slice(&std::fs::read(&path)?)?,
                (None, None) => anyhow::bail!("give --from URL or --file FILE"),
            };
            let counts = migrate::load(
                &dump,
                &auth.client(&to, MIGRATE_TIMEOUT)?,
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

/// `registry-server token create|list|revoke`, straight on the database.
async fn token_command(config: &Config, action: TokenAction) -> anyhow::Result<()> {
    // Tokens live in a registry's database. The default URL names a file in the current
    // folder: never make an empty one there by accident. A database named explicitly may be
    // new (a networked registry needs its first token before it starts).
    let explicit = std::env::var_os("DATABASE_URL").is_some()
        || config.database_url != config::DEFAULT_DATABASE_URL;
    let new_file = config.sqlite_file().filter(|f| !f.exists());
    if let (Some(file), false) = (&new_file, explicit) {
        anyhow::bail!(
            "no registry database at {}: pass --database-url (or DATABASE_URL) naming the registry's database (a new SQLite file is created only when named)",
            file.display()
        );
    }
    let created = if new_file.is_some() { " (new)" } else { "" };
    eprintln!("database: {}{created}", config.database());
    let store = store::Store::connect(&config.database_url, 2).await?;
    // The audit log names the operating-system user who ran the command.
    let audit = store::Audit {
        principal: format!(
            "cli:{}",
            std::env::var("USER").unwrap_or_else(|_| "unknown".into())
        ),
        address: "local".into(),
        subject: None,
        detail: serde_json::Value::Null,
    };
    match action {
        TokenAction::Create { name, role, scope } => {
            let role = auth::Role::parse(&role)
                .ok_or_else(|| anyhow::anyhow!("role {role:?}: use read, write or admin"))?;
            let scope = auth::parse_scope(scope.as_deref()).map_err(|e| anyhow::anyhow!(e))?;
            let (token, secret) = auth::create(&store, &name, role, scope, &audit).await?;
            eprintln!(
                "created token {} ({}, role {}); it is shown once:",
                token.id,
                token.name,
                token.role.as_str()
            );
            println!("{secret}");
        }
        TokenAction::List => {
            println!(
                "{:<10} {:<8} {:<24} {:<16} revoked",
                "id", "role", "name", "scope"
            );
            for auth::Listed {
                token: t, revoked, ..
            } in auth::list(&store).await?
            {
                println!(
                    "{:<10} {:<8} {:<24} {:<16} {}",
                    t.id,
                    t.role.as_str(),
                    t.name,
                    t.scope
                        .map(|s| format!("{s}*"))
                        .unwrap_or_else(|| "*".into()),
                    revoked.unwrap_or_else(|| "-".into())
                );
            }
        }
        TokenAction::Revoke { id } => {
            if !auth::revoke(&store, &id, &audit).await? {
                anyhow::bail!("no live token with id {id}");
            }
            println!("revoked {id} (servers drop it within their token refresh interval)");
        }
    }
    Ok(())
}

/// Connects, migrates, and serves until SIGTERM or Ctrl-C; requests in flight finish first.
/// Without API tokens it serves only on loopback, unless `--insecure`.
pub async fn run(config: Config) -> anyhow::Result<()> {
    tracing::info!(config = %config.describe(), "starting schemagate registry");
    let store = Arc::new(store::Store::connect(&config.database_url, config.db_connections).await?);
    let tokens = Arc::new(auth::Tokens::load(&store).await?);
    let listener = tokio::net::TcpListener::bind(&config.listen).await?;
    let addr = listener.local_addr()?;
    let open_without_tokens = addr.ip().is_loopback() || config.insecure;
    if tokens.is_empty() {
        if addr.ip().is_loopback() {
            tracing::warn!("no API tokens: serving OPEN (loopback only); create one with `registry-server token create`");
            eprintln!("warning: no API tokens, so the registry is open to anyone on this machine");
        } else if config.insecure {
            tracing::warn!(%addr, "no API tokens and --insecure: serving OPEN to the network");
            eprintln!("warning: --insecure: the registry is open to anyone who can reach {addr}");
        } else {
            anyhow::bail!(
                "refusing to serve on {addr} without API tokens: create one with `registry-server token create --name NAME --role admin`, bind to 127.0.0.1, or pass --insecure"
            );
        }
    }
    let registry = domain::Registry::shared(store.clone()).with_limits(domain::limits::Limits {
        max_schema_bytes: config.max_schema_bytes,
        max_depth: config.max_schema_depth,
        max_properties: config.max_schema_properties,
    });
    let dialect = schema_core::Draft::from_name(&config.default_dialect)
        .ok_or_else(|| anyhow::anyhow!("unknown dialect {:?}", config.default_dialect))?;
    let registry = registry.with_dialect(dialect);
    let registry = Arc::new(registry);
    registry.follow_changes().await?;
    // Tokens created or revoked by `registry-server token` (or another replica) reach this one.
    let refresh = Duration::from_millis(config.token_refresh_ms.max(100));
    let t = tokens.clone();
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(refresh).await;
            if let Err(e) = t.refresh(&store).await {
                tracing::warn!(error = %e, "token refresh failed; keeping the tokens held");
            }
        }
    });
    let scheme = if config.tls_cert.is_some() {
        "https"
    } else {
        "http"
    };
    tracing::info!(%addr, scheme, "listening");
    println!("schemagate registry listening on {scheme}://{addr}");
    let options = AppOptions {
        max_body: config.max_body_bytes,
        tokens: Some(tokens),
        open_without_tokens,
        request_timeout: Duration::from_millis(config.request_timeout_ms),
        max_in_flight: config.max_in_flight,
    };
    let app = app_with(registry, options);
    if let (Some(cert), Some(key)) = (&config.tls_cert, &config.tls_key) {
        return serve_tls(listener, app, cert, key).await;
    }
    let app = axum::ServiceExt::into_make_service_with_connect_info::<SocketAddr>(app);
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown())
        .await?;
    Ok(())
}

/// HTTPS with rustls (ring), from PEM files; the same graceful shutdown as plain HTTP.
async fn serve_tls(
    listener: tokio::net::TcpListener,
    app: App,
    cert: &std::path::Path,
    key: &std::path::Path,
) -> anyhow::Result<()> {
    // One process-wide crypto provider; a second install (tests) is harmless.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let tls = axum_server::tls_rustls::RustlsConfig::from_pem_file(cert, key)
        .await
        .map_err(|e| {
            anyhow::anyhow!(
                "reading the TLS certificate {} and key {}: {e}",
                cert.display(),
                key.display()
            )
        })?;
    let handle = axum_server::Handle::new();
    let stopper = handle.clone();
    tokio::spawn(async move {
        shutdown().await;
        stopper.graceful_shutdown(Some(Duration::from_secs(30)));
    });
    // axum-server hands over hyper's body type; the app reads axum's.
    let app = tower::ServiceBuilder::new()
        .map_request(|r: axum::http::Request<hyper::body::Incoming>| r.map(axum::body::Body::new))
        .service(app);
    let app = axum::ServiceExt::into_make_service_with_connect_info::<SocketAddr>(app);
    axum_server::from_tcp_rustls(listener.into_std()?, tls)
        .handle(handle)
        .serve(app)
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
