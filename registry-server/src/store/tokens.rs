//! The API token table. Only a SHA-256 of each secret is stored.

use sqlx::Row;

use super::{now_ms, Audit, Store, StoreResult};

/// One token row, as stored.
#[derive(Debug, Clone)]
pub struct TokenRow {
    pub id: String,
    pub name: String,
    pub secret_sha256: String,
    pub role: String,
    pub scope: Option<String>,
    /// When it was created, in milliseconds since the epoch.
    pub created_ms: i64,
    /// When it was revoked, in milliseconds since the epoch.
    pub revoked_ms: Option<i64>,
}

impl Store {
    /// Inserts a token, with its audit record (never the secret) in the same transaction.
    pub async fn insert_token(&self, t: &TokenRow, audit: &Audit) -> StoreResult<()> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO api_tokens (id, name, secret_sha256, role, scope, created_ms) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&t.id)
        .bind(&t.name)
        .bind(&t.secret_sha256)
        .bind(&t.role)
        .bind(t.scope.clone())
        .bind(t.created_ms)
        .execute(&mut *tx)
        .await?;
        let mut audit = audit.clone();
        audit.detail = serde_json::json!({
            "id": t.id, "name": t.name, "role": t.role, "scope": t.scope,
        });
        audit.write(&mut tx, "token.create").await?;
        tx.commit().await?;
        Ok(())
    }

    /// Every token, revoked ones included, oldest first.
    pub async fn tokens(&self) -> StoreResult<Vec<TokenRow>> {
        let rows = sqlx::query(
            "SELECT id, name, secret_sha256, role, scope, created_ms, revoked_ms FROM api_tokens ORDER BY created_ms, id",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            out.push(TokenRow {
                id: r.try_get("id")?,
                name: r.try_get("name")?,
                secret_sha256: r.try_get("secret_sha256")?,
                role: r.try_get("role")?,
                scope: r.try_get("scope")?,
                created_ms: r.try_get("created_ms")?,
                revoked_ms: r.try_get("revoked_ms")?,
            });
        }
        Ok(out)
    }

    /// Revokes a live token, with its audit record; false when there is no such live token.
    pub async fn revoke_token(&self, id: &str, audit: &Audit) -> StoreResult<bool> {
        let mut tx = self.pool.begin().await?;
        let done = sqlx::query(
            "UPDATE api_tokens SET revoked_ms = $1 WHERE id = $2 AND revoked_ms IS NULL",
        )
        .bind(now_ms())
        .bind(id)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Ok(false);
        }
        let mut audit = audit.clone();
        audit.detail = serde_json::json!({ "id": id });
        audit.write(&mut tx, "token.revoke").await?;
        tx.commit().await?;
        Ok(true)
    }
}
