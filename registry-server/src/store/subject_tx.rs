//! The write transaction of one subject: every change to a subject's versions happens inside
//! one, with the subject's lock held until commit or drop.

use std::sync::Arc;

use sqlx::Row;
use tokio::sync::{Mutex, OwnedMutexGuard};

use super::rows::version_row;
use super::{
    now_ms, Audit, Backend, Change, Contracts, Reference, Store, StoreError, StoreResult,
    VersionRow,
};

pub struct SubjectTx {
    backend: Backend,
    tx: sqlx::Transaction<'static, sqlx::Any>,
    _guard: Option<OwnedMutexGuard<()>>,
    _local: OwnedMutexGuard<()>,
    _permit: tokio::sync::OwnedSemaphorePermit,
    subject: String,
}

impl Store {
    /// Opens the write transaction of one subject, holding its lock until commit or drop.
    pub async fn lock_subject(&self, subject: &str) -> StoreResult<SubjectTx> {
        let local = {
            // A panic while holding this map leaves it consistent: keep using it.
            let mut map = self
                .subject_writers
                .lock()
                .unwrap_or_else(|e| e.into_inner());
            map.retain(|_, m| Arc::strong_count(m) > 1);
            map.entry(subject.to_string())
                .or_insert_with(|| Arc::new(Mutex::new(())))
                .clone()
        };
        let local = local.lock_owned().await;
        let permit = self.writers.clone().acquire_owned().await?;
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
}

impl SubjectTx {
    /// Every version row of the subject, read inside the transaction.
    pub async fn versions(&mut self) -> StoreResult<Vec<VersionRow>> {
        let rows = sqlx::query("SELECT subject, version, schema_id, deleted, created_ms FROM subject_versions WHERE subject = $1 ORDER BY version")
            .bind(&self.subject)
            .fetch_all(&mut *self.tx)
            .await?;
        Ok(rows.iter().map(version_row).collect::<Result<_, _>>()?)
    }

    /// The id of the schema with this fingerprint, read inside the transaction.
    pub async fn schema_id_by_fingerprint(
        &mut self,
        fingerprint: &str,
    ) -> StoreResult<Option<i64>> {
        let row = sqlx::query("SELECT id FROM schemas WHERE fingerprint = $1")
            .bind(fingerprint)
            .fetch_optional(&mut *self.tx)
            .await?;
        Ok(row.map(|r| r.try_get("id")).transpose()?)
    }

    /// Ids of schemas, used by a live version, whose references name this subject at
    /// `version`, read inside the transaction (a delete checks this under the lock).
    pub async fn referenced_by(&mut self, version: i64) -> StoreResult<Vec<i64>> {
        let rows = sqlx::query(super::reads::REFERENCED_BY)
            .bind(&self.subject)
            .bind(version)
            .fetch_all(&mut *self.tx)
            .await?;
        Ok(rows
            .iter()
            .map(|r| r.try_get("schema_id"))
            .collect::<Result<_, _>>()?)
    }

    /// The id for this content: the existing one, a new one, or (IMPORT mode) the given one.
    pub async fn schema_id(
        &mut self,
        fingerprint: &str,
        schema_type: &str,
        text: &str,
        refs: &[Reference],
        contracts: &Contracts,
        explicit: Option<i64>,
    ) -> StoreResult<i64> {
        if let Some(id) = self.schema_id_by_fingerprint(fingerprint).await? {
            if explicit.is_some_and(|e| e != id) {
                return Err(StoreError::Conflict(format!(
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
                return Err(StoreError::Conflict(format!(
                    "schema id {id} is already used by another schema"
                )));
            }
        }
        let refs_json = serde_json::to_string(refs).unwrap_or_else(|_| "[]".into());
        let row = match explicit {
            Some(id) => sqlx::query("INSERT INTO schemas (id, fingerprint, schema_type, schema_text, refs, created_ms, metadata, rule_set) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id")
                .bind(id)
                .bind(fingerprint)
                .bind(schema_type)
                .bind(text)
                .bind(refs_json.clone())
                .bind(now_ms())
                .bind(contracts.metadata.clone())
                .bind(contracts.rule_set.clone())
                .fetch_one(&mut *self.tx)
                .await?,
            // Another subject may insert the same content concurrently: keep whichever won.
            None => {
                let inserted = sqlx::query("INSERT INTO schemas (fingerprint, schema_type, schema_text, refs, created_ms, metadata, rule_set) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (fingerprint) DO NOTHING RETURNING id")
                    .bind(fingerprint)
                    .bind(schema_type)
                    .bind(text)
                    .bind(refs_json)
                    .bind(now_ms())
                    .bind(contracts.metadata.clone())
                    .bind(contracts.rule_set.clone())
                    .fetch_optional(&mut *self.tx)
                    .await?;
                match inserted {
                    Some(r) => r,
                    // Another transaction inserted it, with its references.
                    None => return Ok(sqlx::query("SELECT id FROM schemas WHERE fingerprint = $1").bind(fingerprint).fetch_one(&mut *self.tx).await?.try_get("id")?),
                }
            }
        };
        let id: i64 = row.try_get("id")?;
        for r in refs {
            sqlx::query("INSERT INTO schema_references (schema_id, name, subject, version) VALUES ($1, $2, $3, $4)")
                .bind(id)
                .bind(&r.name)
                .bind(&r.subject)
                .bind(r.version)
                .execute(&mut *self.tx)
                .await?;
        }
        if explicit.is_some() && self.backend == Backend::Postgres {
            // An imported id must not be handed out again by the identity sequence.
            sqlx::query("SELECT setval(pg_get_serial_sequence('schemas', 'id'), (SELECT MAX(id) FROM schemas))")
                .execute(&mut *self.tx)
                .await?;
        }
        Ok(id)
    }

    /// Adds the next version (or, in IMPORT mode, the given one) and commits with its audit row.
    pub async fn add_version(
        mut self,
        schema_id: i64,
        explicit: Option<i64>,
        audit: &Audit,
    ) -> StoreResult<i64> {
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
        sqlx::query("INSERT INTO subject_versions (subject, version, schema_id, deleted, created_ms) VALUES ($1, $2, $3, 0, $4)")
            .bind(&self.subject)
            .bind(version)
            .bind(schema_id)
            .bind(now_ms())
            .execute(&mut *self.tx)
            .await?;
        let mut audit = audit.clone();
        audit.detail["version"] = version.into();
        audit.detail["id"] = schema_id.into();
        audit.write(&mut self.tx, "schema.register").await?;
        self.notify().await?;
        self.tx.commit().await?;
        Ok(version)
    }

    /// Soft (`permanent = false`) or permanent deletion of versions, committed with its audit row.
    pub async fn delete_versions(
        mut self,
        versions: &[i64],
        permanent: bool,
        audit: &Audit,
    ) -> StoreResult<()> {
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
        self.notify().await?;
        self.tx.commit().await?;
        Ok(())
    }

    /// Tells other replicas (PostgreSQL) that this subject changed, delivered at commit.
    async fn notify(&mut self) -> Result<(), sqlx::Error> {
        if self.backend == Backend::Postgres {
            super::changes::notify(&mut self.tx, &Change::Subject(self.subject.clone())).await?;
        }
        Ok(())
    }
}
