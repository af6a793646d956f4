//! Reads outside any subject's write transaction.

use sqlx::Row;

use super::rows::{schema_row, version_row, SCHEMA_COLUMNS};

/// Live schemas referencing a subject version (the references table's index answers it).
pub(super) const REFERENCED_BY: &str = "SELECT DISTINCT r.schema_id FROM schema_references r \
     WHERE r.subject = $1 AND r.version = $2 \
     AND EXISTS (SELECT 1 FROM subject_versions v WHERE v.schema_id = r.schema_id AND v.deleted = 0) \
     ORDER BY r.schema_id";
use super::{SchemaRow, Store, StoreResult, VersionRow};

impl Store {
    /// Every subject with whether all its versions are soft-deleted, in order.
    pub async fn subject_states(&self) -> StoreResult<Vec<(String, bool)>> {
        let rows = sqlx::query(
            "SELECT subject, MIN(deleted) AS all_deleted FROM subject_versions GROUP BY subject ORDER BY subject",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            out.push((
                r.try_get("subject")?,
                r.try_get::<i64, _>("all_deleted")? != 0,
            ));
        }
        Ok(out)
    }

    /// Every version row of a subject, deleted ones included, in order.
    pub async fn versions(&self, subject: &str) -> StoreResult<Vec<VersionRow>> {
        let rows = sqlx::query("SELECT subject, version, schema_id, deleted, created_ms FROM subject_versions WHERE subject = $1 ORDER BY version")
            .bind(subject)
            .fetch_all(&self.pool)
            .await?;
        Ok(rows.iter().map(version_row).collect::<Result<_, _>>()?)
    }

    pub async fn schema(&self, id: i64) -> StoreResult<Option<SchemaRow>> {
        let row = sqlx::query(&format!(
            "SELECT {SCHEMA_COLUMNS} FROM schemas WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.as_ref().map(schema_row).transpose()?)
    }

    /// The schema whose GUID is `prefix`: a GUID is the first 128 bits of the fingerprint, so
    /// the fingerprint index answers it as a range.
    pub async fn schema_by_fingerprint_prefix(
        &self,
        prefix: &str,
    ) -> StoreResult<Option<SchemaRow>> {
        let row = sqlx::query(&format!(
            "SELECT {SCHEMA_COLUMNS} FROM schemas WHERE fingerprint >= $1 AND fingerprint < $2 ORDER BY id LIMIT 1"
        ))
        .bind(prefix.to_string())
        .bind(format!("{prefix}g"))
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.as_ref().map(schema_row).transpose()?)
    }

    /// The id of the schema with this content fingerprint.
    pub async fn schema_id_by_fingerprint(&self, fingerprint: &str) -> StoreResult<Option<i64>> {
        let row = sqlx::query("SELECT id FROM schemas WHERE fingerprint = $1")
            .bind(fingerprint)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(|r| r.try_get("id")).transpose()?)
    }

    /// Live (subject, version) pairs that use a schema id.
    pub async fn usages(&self, id: i64) -> StoreResult<Vec<VersionRow>> {
        let rows = sqlx::query("SELECT subject, version, schema_id, deleted, created_ms FROM subject_versions WHERE schema_id = $1 AND deleted = 0 ORDER BY subject, version")
            .bind(id)
            .fetch_all(&self.pool)
            .await?;
        Ok(rows.iter().map(version_row).collect::<Result<_, _>>()?)
    }

    /// Ids of schemas, used by a live version, whose references name `subject` at `version`.
    pub async fn referenced_by(&self, subject: &str, version: i64) -> StoreResult<Vec<i64>> {
        let rows = sqlx::query(REFERENCED_BY)
            .bind(subject)
            .bind(version)
            .fetch_all(&self.pool)
            .await?;
        Ok(rows
            .iter()
            .map(|r| r.try_get("schema_id"))
            .collect::<Result<_, _>>()?)
    }
}
