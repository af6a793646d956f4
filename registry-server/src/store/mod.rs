//! Persistence over `sqlx::Any`: one set of queries (placeholders `$n` work on both drivers) for
//! SQLite, the embedded default, and PostgreSQL, the production store shared by replicas.
//! Migrations live per backend under `migrations/` and are applied at start.
//!
//! Writes to one subject are serialized inside the database transaction: a transaction-scoped
//! advisory lock on PostgreSQL (so any number of replicas can share the database) and one
//! writer at a time on SQLite (one process owns the file). Version numbers and ids are read and
//! assigned inside that transaction, never from process memory.
//!
//! The store knows rows, not requests: it has its own error type and no HTTP or API types.

mod audit;
mod changes;
mod error;
mod reads;
mod rows;
mod settings;
mod subject_tx;
mod tokens;

use std::sync::Arc;

use sqlx::any::AnyPoolOptions;
use sqlx::AnyPool;
use tokio::sync::Mutex;

pub use audit::{Audit, AuditFilter, AuditRecord};
pub use changes::{Change, ChangeListener, CHANGES_CHANNEL};
pub use error::{StoreError, StoreResult};
pub use rows::{Contracts, Reference, SchemaRow, VersionRow};
pub use settings::ConfigRow;
pub use subject_tx::SubjectTx;
pub use tokens::TokenRow;

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/postgres");

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub struct Store {
    pool: AnyPool,
    pub backend: Backend,
    /// The URL connected to, for the change listener's own connection (PostgreSQL).
    url: String,
    sqlite_writer: Arc<Mutex<()>>,
    /// One local writer per subject: requests queue here, not in the database, so waiting
    /// writers never hold the connections the lock holder needs for its reads.
    subject_writers: std::sync::Mutex<std::collections::HashMap<String, Arc<Mutex<()>>>>,
    /// Bounds the write transactions open at once to half the pool.
    writers: Arc<tokio::sync::Semaphore>,
}

/// A database URL without its credentials, for logs and messages.
pub fn redact_url(url: &str) -> String {
    match url.split_once('@') {
        Some((scheme_user, host)) => {
            let scheme = scheme_user.split("://").next().unwrap_or("db");
            format!("{scheme}://***@{host}")
        }
        None => url.to_string(),
    }
}

/// Milliseconds since the epoch.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

impl Store {
    /// Connects and applies the backend's migrations.
    pub async fn connect(url: &str, max_connections: u32) -> anyhow::Result<Store> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Backend::Postgres
        } else if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else {
            anyhow::bail!("unsupported DATABASE_URL {url:?}: use sqlite://… or postgres://…");
        };
        // A database that does not answer fails requests in seconds (503), not after the
        // default 30 s wait for a connection.
        let mut options = AnyPoolOptions::new()
            .max_connections(max_connections)
            .acquire_timeout(std::time::Duration::from_secs(2));
        if backend == Backend::Sqlite {
            options = options.after_connect(|conn, _| {
                Box::pin(async move {
                    // Readers never wait for the writer; a busy file waits instead of failing.
                    sqlx::query("PRAGMA journal_mode = WAL")
                        .execute(&mut *conn)
                        .await?;
                    sqlx::query("PRAGMA busy_timeout = 10000")
                        .execute(&mut *conn)
                        .await?;
                    sqlx::query("PRAGMA synchronous = FULL")
                        .execute(&mut *conn)
                        .await?;
                    Ok(())
                })
            });
        }
        let pool = options.connect(url).await.map_err(|e| {
            let hint = match backend {
                Backend::Postgres => {
                    "is PostgreSQL running there, and are the host, port, user and database right?"
                }
                Backend::Sqlite => "can the file be created or opened there?",
            };
            anyhow::anyhow!("cannot connect to {}: {e}; {hint}", redact_url(url))
        })?;
        match backend {
            Backend::Sqlite => SQLITE_MIGRATIONS.run(&pool).await?,
            Backend::Postgres => POSTGRES_MIGRATIONS.run(&pool).await?,
        }
        Ok(Store {
            pool,
            backend,
            url: url.to_string(),
            sqlite_writer: Arc::new(Mutex::new(())),
            subject_writers: Default::default(),
            writers: Arc::new(tokio::sync::Semaphore::new(
                (max_connections as usize / 2).max(1),
            )),
        })
    }

    pub async fn ping(&self) -> bool {
        let probe = sqlx::query("SELECT 1").execute(&self.pool);
        matches!(
            tokio::time::timeout(std::time::Duration::from_secs(2), probe).await,
            Ok(Ok(_))
        )
    }

    /// The database URL (for a PostgreSQL change listener's own connection).
    pub fn url(&self) -> &str {
        &self.url
    }
}
