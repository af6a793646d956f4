//! The audit log: who did a mutation, from where, and what, written in the mutation's own
//! transaction.

use sqlx::Row;

use super::{now_ms, rfc3339, Store, StoreResult};

/// A mutation's author and details, before it is written.
#[derive(Debug, Clone)]
pub struct Audit {
    pub principal: String,
    pub address: String,
    pub subject: Option<String>,
    pub detail: serde_json::Value,
}

/// One written audit record.
#[derive(Debug, Clone, serde::Serialize)]
pub struct AuditRecord {
    pub id: i64,
    /// RFC 3339, UTC.
    pub at: String,
    pub at_ms: i64,
    pub principal: String,
    pub address: String,
    pub action: String,
    pub subject: Option<String>,
    pub detail: serde_json::Value,
}

impl Audit {
    pub(super) async fn write(
        &self,
        tx: &mut sqlx::Transaction<'static, sqlx::Any>,
        action: &str,
    ) -> Result<(), sqlx::Error> {
        sqlx::query("INSERT INTO audit_log (at_ms, principal, address, action, subject, detail) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(now_ms())
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

impl Store {
    /// The latest `limit` records, newest first.
    pub async fn audit_log(&self, limit: i64) -> StoreResult<Vec<AuditRecord>> {
        let rows = sqlx::query("SELECT id, at_ms, principal, address, action, subject, detail FROM audit_log ORDER BY id DESC LIMIT $1")
            .bind(limit)
            .fetch_all(&self.pool)
            .await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let detail: String = r.try_get("detail")?;
            let at_ms: i64 = r.try_get("at_ms")?;
            out.push(AuditRecord {
                id: r.try_get("id")?,
                at: rfc3339(at_ms),
                at_ms,
                principal: r.try_get("principal")?,
                address: r.try_get("address")?,
                action: r.try_get("action")?,
                subject: r.try_get("subject")?,
                detail: serde_json::from_str(&detail).unwrap_or_default(),
            });
        }
        Ok(out)
    }
}
