//! The API token table. Only a SHA-256 of each secret is stored.

use sqlx::Row;

use super::{now, Store, StoreResult};

/// One token row, as stored.
#[derive(Debug, Clone)]
pub struct TokenRow {
    pub id: String,
    pub name: String,
    pub secret_sha256: String,
    pub role: String,
    pub scope: Option<String>,
    pub revoked_at: Option<String>,
}

impl Store {
    pub async fn insert_token(&self, t: &TokenRow) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO api_tokens (id, name, secret_sha256, role, scope, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&t.id)
        .bind(&t.name)
        .bind(&t.secret_sha256)
        .bind(&t.role)
        .bind(t.scope.clone())
        .bind(now())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Every token, revoked ones included, oldest first.
    pub async fn tokens(&self) -> StoreResult<Vec<TokenRow>> {
        let rows = sqlx::query(
            "SELECT id, name, secret_sha256, role, scope, revoked_at FROM api_tokens ORDER BY created_at, id",
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
                revoked_at: r.try_get("revoked_at")?,
            });
        }
        Ok(out)
    }

    /// Revokes a live token; false when there is no such live token.
    pub async fn revoke_token(&self, id: &str) -> StoreResult<bool> {
        let done = sqlx::query(
            "UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL",
        )
        .bind(now())
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() > 0)
    }
}
