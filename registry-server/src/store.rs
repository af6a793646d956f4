//! Persistence over `sqlx::Any`: one set of queries (placeholders `$n` work on both drivers) for
//! SQLite, the embedded default, and PostgreSQL, the production store shared by replicas.
//! Migrations live per backend under `migrations/` and are applied at start.
//!
//! Writes to one subject are serialized inside the database transaction: a transaction-scoped
//! advisory lock on PostgreSQL (so any number of replicas can share the database) and one
//! writer at a time on SQLite (one process owns the file). Version numbers and ids are read and
//! assigned inside that transaction, never from process memory.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{AnyPool, Row};
use tokio::sync::{Mutex, OwnedMutexGuard};

use crate::error::{ApiError, ApiResult};

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/postgres");

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A Confluent schema reference: the name a `$ref` uses, and the subject version it means.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Reference {
    pub name: String,
    pub subject: String,
    pub version: i64,
}

#[derive(Debug, Clone)]
pub struct SchemaRow {
    pub id: i64,
    pub schema_type: String,
    pub text: String,
    pub refs: Vec<Reference>,
}

#[derive(Debug, Clone)]
pub struct VersionRow {
    pub subject: String,
    pub version: i64,
    pub schema_id: i64,
    pub deleted: bool,
}

pub struct Store {
    pool: AnyPool,
    pub backend: Backend,
    sqlite_writer: Arc<Mutex<()>>,
    /// One local writer per subject: requests queue here, not in the database, so waiting
    /// writers never hold the connections the lock holder needs for its reads.
    subject_writers: std::sync::Mutex<std::collections::HashMap<String, Arc<Mutex<()>>>>,
    /// Bounds the write transactions open at once to half the pool.
    writers: Arc<tokio::sync::Semaphore>,
}

fn version_row(r: &AnyRow) -> Result<VersionRow, sqlx::Error> {
    Ok(VersionRow {
        subject: r.try_get("subject")?,
        version: r.try_get("version")?,
        schema_id: r.try_get("schema_id")?,
        deleted: r.try_get::<i64, _>("deleted")? != 0,
    })
}

fn schema_row(r: &AnyRow) -> Result<SchemaRow, sqlx::Error> {
    let refs: String = r.try_get("refs")?;
    Ok(SchemaRow {
        id: r.try_get("id")?,
        schema_type: r.try_get("schema_type")?,
        text: r.try_get("schema_text")?,
        refs: serde_json::from_str(&refs).unwrap_or_default(),
    })
}

pub fn now() -> String {
    let d = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    format!("{}.{:03}", d.as_secs(), d.subsec_millis())
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
        let pool = options.connect(url).await?;
        match backend {
            Backend::Sqlite => SQLITE_MIGRATIONS.run(&pool).await?,
            Backend::Postgres => POSTGRES_MIGRATIONS.run(&pool).await?,
        }
        Ok(Store {
            pool,
            backend,
            sqlite_writer: Arc::new(Mutex::new(())),
            subject_writers: Default::default(),
            writers: Arc::new(tokio::sync::Semaphore::new(
                (max_connections as usize / 2).max(1),
            )),
        })
    }

    /// The pool, for tables outside the registry's own (API tokens).
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    pub async fn ping(&self) -> bool {
        let probe = sqlx::query("SELECT 1").execute(&self.pool);
        matches!(
            tokio::time::timeout(std::time::Duration::from_secs(2), probe).await,
            Ok(Ok(_))
        )
    }

    pub async fn subjects(&self, include_deleted: bool) -> ApiResult<Vec<String>> {
        let rows = sqlx::query("SELECT DISTINCT subject FROM subject_versions WHERE ($1 = 1 OR deleted = 0) ORDER BY subject")
            .bind(include_deleted as i64)
            .fetch_all(&self.pool)
            .await?;
        Ok(rows
            .iter()
            .map(|r| r.try_get("subject"))
            .collect::<Result<_, _>>()?)
    }

    /// Every version row of a subject, deleted ones included, in order.
    pub async fn versions(&self, subject: &str) -> ApiResult<Vec<VersionRow>> {
        let rows = sqlx::query("SELECT subject, version, schema_id, deleted FROM subject_versions WHERE subject = $1 ORDER BY version")
            .bind(subject)
            .fetch_all(&self.pool)
            .await?;
        Ok(rows.iter().map(version_row).collect::<Result<_, _>>()?)
    }

    pub async fn schema(&self, id: i64) -> ApiResult<Option<SchemaRow>> {
        let row =
            sqlx::query("SELECT id, schema_type, schema_text, refs FROM schemas WHERE id = $1")
                .bind(id)
                .fetch_optional(&self.pool)
                .await?;
        Ok(row.as_ref().map(schema_row).transpose()?)
    }

    pub async fn schema_by_fingerprint(&self, fingerprint: &str) -> ApiResult<Option<SchemaRow>> {
        let row = sqlx::query(
            "SELECT id, schema_type, schema_text, refs FROM schemas WHERE fingerprint = $1",
        )
        .bind(fingerprint)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.as_ref().map(schema_row).transpose()?)
    }

    /// Live (subject, version) pairs that use a schema id.
    pub async fn usages(&self, id: i64) -> ApiResult<Vec<VersionRow>> {
        let rows = sqlx::query("SELECT subject, version, schema_id, deleted FROM subject_versions WHERE schema_id = $1 AND deleted = 0 ORDER BY subject, version")
            .bind(id)
            .fetch_all(&self.pool)
            .await?;
        Ok(rows.iter().map(version_row).collect::<Result<_, _>>()?)
    }

    /// Ids of schemas whose references name `subject` at `version`.
    pub async fn referenced_by(&self, subject: &str, version: i64) -> ApiResult<Vec<i64>> {
        let rows = sqlx::query(
            "SELECT id, schema_type, schema_text, refs FROM schemas WHERE refs <> '[]' ORDER BY id",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut out = Vec::new();
        for r in &rows {
            let s = schema_row(r)?;
            if s.refs
                .iter()
                .any(|x| x.subject == subject && x.version == version)
                && !self.usages(s.id).await?.is_empty()
            {
                out.push(s.id);
            }
        }
        Ok(out)
    }

    /// (compatibility, rules) configured for a subject (`""` is global).
    pub async fn config(
        &self,
        subject: &str,
    ) -> ApiResult<Option<(Option<String>, Option<String>)>> {
        let row = sqlx::query("SELECT compatibility, rules FROM configs WHERE subject = $1")
            .bind(subject)
            .fetch_optional(&self.pool)
            .await?;
        Ok(match row {
            Some(r) => Some((r.try_get("compatibility")?, r.try_get("rules")?)),
            None => None,
        })
    }

    pub async fn set_config(
        &self,
        subject: &str,
        compatibility: Option<&str>,
        rules: Option<&str>,
        audit: &Audit,
    ) -> ApiResult<()> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO configs (subject, compatibility, rules) VALUES ($1, $2, $3) \
             ON CONFLICT (subject) DO UPDATE SET compatibility = COALESCE($2, configs.compatibility), rules = COALESCE($3, configs.rules)",
        )
        .bind(subject)
        .bind(compatibility.map(str::to_string))
        .bind(rules.map(str::to_string))
        .execute(&mut *tx)
        .await?;
        audit.write(&mut tx, "config.set").await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn delete_config(&self, subject: &str, audit: &Audit) -> ApiResult<()> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("DELETE FROM configs WHERE subject = $1")
            .bind(subject)
            .execute(&mut *tx)
            .await?;
        audit.write(&mut tx, "config.delete").await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn mode(&self, subject: &str) -> ApiResult<Option<String>> {
        let row = sqlx::query("SELECT mode FROM modes WHERE subject = $1")
            .bind(subject)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(|r| r.try_get("mode")).transpose()?)
    }

    pub async fn set_mode(&self, subject: &str, mode: &str, audit: &Audit) -> ApiResult<()> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("INSERT INTO modes (subject, mode) VALUES ($1, $2) ON CONFLICT (subject) DO UPDATE SET mode = $2")
            .bind(subject)
            .bind(mode)
            .execute(&mut *tx)
            .await?;
        audit.write(&mut tx, "mode.set").await?;
        tx.commit().await?;
        Ok(())
    }

    /// Opens the write transaction of one subject, holding its lock until commit or drop.
    pub async fn lock_subject(&self, subject: &str) -> ApiResult<SubjectTx> {
        let local = {
            let mut map = self
                .subject_writers
                .lock()
                .map_err(|_| ApiError::Internal("lock poisoned".into()))?;
            map.retain(|_, m| Arc::strong_count(m) > 1);
            map.entry(subject.to_string()).or_default().clone()
        };
        let local = local.lock_owned().await;
        let permit = self
            .writers
            .clone()
            .acquire_owned()
            .await
            .map_err(|e| ApiError::Internal(e.to_string()))?;
        let guard = match self.backend {
            Backend::Sqlite => Some(self.sqlite_writer.clone().lock_owned().await),
            Backend::Postgres => None,
        };
        let mut tx = self.pool.begin().await?;
        if self.backend == Backend::Postgres {
            sqlx::query("SELECT pg_advisory_xact_lock(hashtext($1))")
                .bind(subject)
                .execute(&mut *tx)
                .await?;
        }
        Ok(SubjectTx {
            backend: self.backend,
            tx,
            _guard: guard,
            _local: local,
            _permit: permit,
            subject: subject.to_string(),
        })
    }

    pub async fn audit_log(&self, limit: i64) -> ApiResult<Vec<serde_json::Value>> {
        let rows = sqlx::query("SELECT id, at, principal, address, action, subject, detail FROM audit_log ORDER BY id DESC LIMIT $1")
            .bind(limit)
            .fetch_all(&self.pool)
            .await?;
        let mut out = Vec::new();
        for r in rows {
            out.push(serde_json::json!({
                "id": r.try_get::<i64, _>("id")?,
                "at": r.try_get::<String, _>("at")?,
                "principal": r.try_get::<String, _>("principal")?,
                "address": r.try_get::<String, _>("address")?,
                "action": r.try_get::<String, _>("action")?,
                "subject": r.try_get::<Option<String>, _>("subject")?,
                "detail": serde_json::from_str::<serde_json::Value>(&r.try_get::<String, _>("detail")?).unwrap_or_default(),
            }));
        }
        Ok(out)
    }
}

/// Who did a mutation, from where, and what: written in the mutation's own transaction.
#[derive(Debug, Clone)]
pub struct Audit {
    pub principal: String,
    pub address: String,
    pub subject: Option<String>,
    pub detail: serde_json::Value,
}

impl Audit {
    async fn write(
        &self,
        tx: &mut sqlx::Transaction<'static, sqlx::Any>,
        action: &str,
    ) -> Result<(), sqlx::Error> {
        sqlx::query("INSERT INTO audit_log (at, principal, address, action, subject, detail) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(now())
            .bind(&self.principal)
            .bind(&self.address)
            .bind(action)
            .bind(self.subject.clone())
            .bind(self.detail.to_string())
            .execute(&mut **tx)
            .await?;
        Ok(())
    }
}

/// The write transaction of one subject.
pub struct SubjectTx {
    backend: Backend,
    tx: sqlx::Transaction<'static, sqlx::Any>,
    _guard: Option<OwnedMutexGuard<()>>,
    _local: OwnedMutexGuard<()>,
    _permit: tokio::sync::OwnedSemaphorePermit,
    subject: String,
}

impl SubjectTx {
    /// Every version row of the subject, read inside the transaction.
    pub async fn versions(&mut self) -> ApiResult<Vec<VersionRow>> {
        let rows = sqlx::query("SELECT subject, version, schema_id, deleted FROM subject_versions WHERE subject = $1 ORDER BY version")
            .bind(&self.subject)
            .fetch_all(&mut *self.tx)
            .await?;
        Ok(rows.iter().map(version_row).collect::<Result<_, _>>()?)
    }

    /// The id for this content: the existing one, a new one, or (IMPORT mode) the given one.
    pub async fn schema_id(
        &mut self,
        fingerprint: &str,
        schema_type: &str,
        text: &str,
        refs: &[Reference],
        explicit: Option<i64>,
    ) -> ApiResult<i64> {
        let found = sqlx::query("SELECT id FROM schemas WHERE fingerprint = $1")
            .bind(fingerprint)
            .fetch_optional(&mut *self.tx)
            .await?;
        if let Some(r) = found {
            let id: i64 = r.try_get("id")?;
            if explicit.is_some_and(|e| e != id) {
                return Err(ApiError::NotPermitted(format!(
                    "schema already registered with id {id}"
                )));
            }
            return Ok(id);
        }
        if let Some(id) = explicit {
            let taken = sqlx::query("SELECT id FROM schemas WHERE id = $1")
                .bind(id)
                .fetch_optional(&mut *self.tx)
                .await?;
            if taken.is_some() {
                return Err(ApiError::NotPermitted(format!(
                    "schema id {id} is already used by another schema"
                )));
            }
        }
        let refs = serde_json::to_string(refs).map_err(|e| ApiError::Internal(e.to_string()))?;
        let row = match explicit {
            Some(id) => sqlx::query("INSERT INTO schemas (id, fingerprint, schema_type, schema_text, refs, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id")
                .bind(id)
                .bind(fingerprint)
                .bind(schema_type)
                .bind(text)
                .bind(refs)
                .bind(now())
                .fetch_one(&mut *self.tx)
                .await?,
            // Another subject may insert the same content concurrently: keep whichever won.
            None => {
                let inserted = sqlx::query("INSERT INTO schemas (fingerprint, schema_type, schema_text, refs, created_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (fingerprint) DO NOTHING RETURNING id")
                    .bind(fingerprint)
                    .bind(schema_type)
                    .bind(text)
                    .bind(refs)
                    .bind(now())
                    .fetch_optional(&mut *self.tx)
                    .await?;
                match inserted {
                    Some(r) => r,
                    None => sqlx::query("SELECT id FROM schemas WHERE fingerprint = $1").bind(fingerprint).fetch_one(&mut *self.tx).await?,
                }
            }
        };
        if explicit.is_some() && self.backend == Backend::Postgres {
            // An imported id must not be handed out again by the identity sequence.
            sqlx::query("SELECT setval(pg_get_serial_sequence('schemas', 'id'), (SELECT MAX(id) FROM schemas))")
                .execute(&mut *self.tx)
                .await?;
        }
        Ok(row.try_get("id")?)
    }

    /// Adds the next version (or, in IMPORT mode, the given one) and commits with its audit row.
    pub async fn add_version(
        mut self,
        schema_id: i64,
        explicit: Option<i64>,
        audit: &Audit,
    ) -> ApiResult<i64> {
        let version = match explicit {
            Some(v) => v,
            None => {
                let r = sqlx::query("SELECT COALESCE(MAX(version), 0) AS v FROM subject_versions WHERE subject = $1")
                    .bind(&self.subject)
                    .fetch_one(&mut *self.tx)
                    .await?;
                r.try_get::<i64, _>("v")? + 1
            }
        };
        sqlx::query("INSERT INTO subject_versions (subject, version, schema_id, deleted, created_at) VALUES ($1, $2, $3, 0, $4)")
            .bind(&self.subject)
            .bind(version)
            .bind(schema_id)
            .bind(now())
            .execute(&mut *self.tx)
            .await?;
        let mut audit = audit.clone();
        audit.detail["version"] = version.into();
        audit.detail["id"] = schema_id.into();
        audit.write(&mut self.tx, "schema.register").await?;
        self.tx.commit().await?;
        Ok(version)
    }

    /// Soft (`permanent = false`) or permanent deletion of versions, committed with its audit row.
    pub async fn delete_versions(
        mut self,
        versions: &[i64],
        permanent: bool,
        audit: &Audit,
    ) -> ApiResult<()> {
        for v in versions {
            let q = if permanent {
                "DELETE FROM subject_versions WHERE subject = $1 AND version = $2"
            } else {
                "UPDATE subject_versions SET deleted = 1 WHERE subject = $1 AND version = $2"
            };
            sqlx::query(q)
                .bind(&self.subject)
                .bind(*v)
                .execute(&mut *self.tx)
                .await?;
        }
        let mut audit = audit.clone();
        audit.detail["versions"] = serde_json::json!(versions);
        audit.detail["permanent"] = permanent.into();
        audit.write(&mut self.tx, "schema.delete").await?;
        self.tx.commit().await?;
        Ok(())
    }
}
