//! Per-subject and global (`""`) settings: compatibility level, rule set and mode, stored as
//! the strings the domain layer validated.

use sqlx::Row;

use super::{Audit, Store, StoreResult};

/// A subject's own settings row, each possibly unset.
#[derive(Debug, Clone, Default)]
pub struct ConfigRow {
    pub compatibility: Option<String>,
    pub rules: Option<String>,
    /// Contract settings as JSON text.
    pub contracts: Option<String>,
}

impl Store {
    pub async fn config(&self, subject: &str) -> StoreResult<Option<ConfigRow>> {
        let row =
            sqlx::query("SELECT compatibility, rules, contracts FROM configs WHERE subject = $1")
                .bind(subject)
                .fetch_optional(&self.pool)
                .await?;
        Ok(match row {
            Some(r) => Some(ConfigRow {
                compatibility: r.try_get("compatibility")?,
                rules: r.try_get("rules")?,
                contracts: r.try_get("contracts")?,
            }),
            None => None,
        })
    }

    /// Sets what is given, keeps what is not.
    pub async fn set_config(
        &self,
        subject: &str,
        set: &ConfigRow,
        audit: &Audit,
    ) -> StoreResult<()> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO configs (subject, compatibility, rules, contracts) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (subject) DO UPDATE SET compatibility = COALESCE($2, configs.compatibility), \
             rules = COALESCE($3, configs.rules), contracts = COALESCE($4, configs.contracts)",
        )
        .bind(subject)
        .bind(set.compatibility.clone())
        .bind(set.rules.clone())
        .bind(set.contracts.clone())
        .execute(&mut *tx)
        .await?;
        audit.write(&mut tx, "config.set").await?;
        self.notify(&mut tx, super::Change::Settings(subject.to_string()))
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Deletes a subject's (or the global) settings row; false when there was none.
    pub async fn delete_config(&self, subject: &str, audit: &Audit) -> StoreResult<bool> {
        let mut tx = self.pool.begin().await?;
        let done = sqlx::query("DELETE FROM configs WHERE subject = $1")
            .bind(subject)
            .execute(&mut *tx)
            .await?;
        audit.write(&mut tx, "config.delete").await?;
        self.notify(&mut tx, super::Change::Settings(subject.to_string()))
            .await?;
        tx.commit().await?;
        Ok(done.rows_affected() > 0)
    }

    pub async fn mode(&self, subject: &str) -> StoreResult<Option<String>> {
        let row = sqlx::query("SELECT mode FROM modes WHERE subject = $1")
            .bind(subject)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(|r| r.try_get("mode")).transpose()?)
    }

    pub async fn set_mode(&self, subject: &str, mode: &str, audit: &Audit) -> StoreResult<()> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("INSERT INTO modes (subject, mode) VALUES ($1, $2) ON CONFLICT (subject) DO UPDATE SET mode = $2")
            .bind(subject)
            .bind(mode)
            .execute(&mut *tx)
            .await?;
        audit.write(&mut tx, "mode.set").await?;
        self.notify(&mut tx, super::Change::Settings(subject.to_string()))
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Deletes a subject's (or the global) mode; false when there was none.
    pub async fn delete_mode(&self, subject: &str, audit: &Audit) -> StoreResult<bool> {
        let mut tx = self.pool.begin().await?;
        let done = sqlx::query("DELETE FROM modes WHERE subject = $1")
            .bind(subject)
            .execute(&mut *tx)
            .await?;
        audit.write(&mut tx, "mode.delete").await?;
        self.notify(&mut tx, super::Change::Settings(subject.to_string()))
            .await?;
        tx.commit().await?;
        Ok(done.rows_affected() > 0)
    }
}
