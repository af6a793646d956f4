//! The audit log: who did a mutation, from where, and what, written in the mutation's own
//! transaction.

use sqlx::Row;

use super::{now_ms, Store, StoreResult};
use crate::time::rfc3339;

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

/// Which audit records to read: each set field narrows the answer.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// Records of this subject only.
    pub subject: Option<String>,
    /// Records whose principal contains this text.
    pub principal: Option<String>,
    /// Records at or after this time (milliseconds since the epoch).
    pub since_ms: Option<i64>,
    /// Records before this time (milliseconds since the epoch).
    pub until_ms: Option<i64>,
    /// Records of this action only (`schema.register`, `token.create`, ...).
    pub action: Option<String>,
    /// At most this many records, newest first.
    pub limit: i64,
}

impl Store {
    /// The records a filter selects, newest first. A subject's records are read through the
    /// `(subject, id)` index, so a subject's history costs the same in a long log.
    pub async fn audit_search(&self, f: &AuditFilter) -> StoreResult<Vec<AuditRecord>> {
        let mut sql = String::from(
            "SELECT id, at_ms, principal, address, action, subject, detail FROM audit_log WHERE 1 = 1",
        );
        let mut n = 0;
        let mut next = |cond: &str| {
            n += 1;
            format!(" AND {cond} ${n}")
        };
        let principal = f.principal.as_ref().map(|p| {
            let escaped = p
                .to_lowercase()
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_");
            format!("%{escaped}%")
        });
        if f.subject.is_some() {
            sql += &next("subject =");
        }
        if principal.is_some() {
            // Lowered on both sides: SQLite's LIKE ignores ASCII case, PostgreSQL's does not.
            sql += &next("LOWER(principal) LIKE");
            sql += " ESCAPE '\\'";
        }
        if f.since_ms.is_some() {
            sql += &next("at_ms >=");
        }
        if f.until_ms.is_some() {
            sql += &next("at_ms <");
        }
        if f.action.is_some() {
            sql += &next("action =");
        }
        sql += &format!(" ORDER BY id DESC LIMIT ${}", n + 1);
        let mut q = sqlx::query(&sql);
        if let Some(s) = &f.subject {
            q = q.bind(s.clone());
        }
        if let Some(p) = principal {
            q = q.bind(p);
        }
        if let Some(t) = f.since_ms {
            q = q.bind(t);
        }
        if let Some(t) = f.until_ms {
            q = q.bind(t);
        }
        if let Some(a) = &f.action {
            q = q.bind(a.clone());
        }
        let rows = q.bind(f.limit.max(0)).fetch_all(&self.pool).await?;
        Ok(rows.iter().map(record).collect::<Result<_, _>>()?)
    }

    /// Each subject's latest record (subjects without one are left out), in one query.
    pub async fn last_changes(&self, subjects: &[String]) -> StoreResult<Vec<AuditRecord>> {
        if subjects.is_empty() {
            return Ok(Vec::new());
        }
        let marks: Vec<String> = (1..=subjects.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT id, at_ms, principal, address, action, subject, detail FROM audit_log \
             WHERE id IN (SELECT MAX(id) FROM audit_log WHERE subject IN ({}) GROUP BY subject)",
            marks.join(", ")
        );
        let mut q = sqlx::query(&sql);
        for s in subjects {
            q = q.bind(s.clone());
        }
        let rows = q.fetch_all(&self.pool).await?;
        Ok(rows.iter().map(record).collect::<Result<_, _>>()?)
    }
}

fn record(r: &sqlx::any::AnyRow) -> Result<AuditRecord, sqlx::Error> {
    let detail: String = r.try_get("detail")?;
    let at_ms: i64 = r.try_get("at_ms")?;
    Ok(AuditRecord {
        id: r.try_get("id")?,
        at: rfc3339(at_ms),
        at_ms,
        principal: r.try_get("principal")?,
        address: r.try_get("address")?,
        action: r.try_get("action")?,
        subject: r.try_get("subject")?,
        detail: serde_json::from_str(&detail).unwrap_or_default(),
    })
}
