//! Change notices between replicas: a write to a subject, or to settings, tells every process
//! sharing the database so their caches drop what it made stale. On PostgreSQL the notice is a
//! `NOTIFY` sent inside the writing transaction (delivered only if it commits); SQLite has one
//! process per file, which invalidates its own caches.

use super::{Backend, Store, StoreResult};

/// The PostgreSQL channel the notices travel on.
pub const CHANGES_CHANNEL: &str = "schemagate_changes";

/// What changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// A subject's versions (registration, delete).
    Subject(String),
    /// A subject's (or, for `""`, the global) level, rules or mode.
    Settings(String),
    /// Notices may have been missed (the listener reconnected): drop everything.
    Lost,
}

impl Change {
    fn payload(&self) -> String {
        // PostgreSQL refuses payloads of 8,000 bytes or more: a subject that long is
        // announced as "everything changed".
        if matches!(self, Change::Subject(s) | Change::Settings(s) if s.len() > 4000) {
            return "*".into();
        }
        match self {
            Change::Subject(s) => format!("s:{s}"),
            Change::Settings(s) => format!("c:{s}"),
            Change::Lost => "*".into(),
        }
    }

    fn parse(payload: &str) -> Change {
        match payload.split_once(':') {
            Some(("s", s)) => Change::Subject(s.to_string()),
            Some(("c", s)) => Change::Settings(s.to_string()),
            _ => Change::Lost,
        }
    }
}

pub(super) async fn notify(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    change: &Change,
) -> Result<(), sqlx::Error> {
    sqlx::query("SELECT pg_notify($1, $2)")
        .bind(CHANGES_CHANNEL)
        .bind(change.payload())
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Notices from other replicas, on a connection of its own.
pub struct ChangeListener {
    inner: sqlx::postgres::PgListener,
    url: String,
}

async fn listener(url: &str) -> Result<sqlx::postgres::PgListener, sqlx::Error> {
    let mut l = sqlx::postgres::PgListener::connect(url).await?;
    l.listen(CHANGES_CHANNEL).await?;
    Ok(l)
}

impl ChangeListener {
    /// The next notice. When the connection breaks, notices sent meanwhile are lost: a new
    /// connection is made (retried until the database answers; the caches keep serving, since
    /// nobody can write while it is down) and, once it listens, [`Change::Lost`] is reported
    /// so everything read before is read again.
    pub async fn next(&mut self) -> Change {
        match self.inner.try_recv().await {
            Ok(Some(n)) => return Change::parse(n.payload()),
            Ok(None) => tracing::warn!("change listener lost its connection; reconnecting"),
            Err(e) => tracing::warn!(error = %e, "change listener failed; reconnecting"),
        }
        loop {
            match listener(&self.url).await {
                Ok(l) => {
                    self.inner = l;
                    return Change::Lost;
                }
                Err(_) => tokio::time::sleep(std::time::Duration::from_millis(250)).await,
            }
        }
    }
}

impl Store {
    pub(super) async fn notify(
        &self,
        tx: &mut sqlx::Transaction<'static, sqlx::Any>,
        change: Change,
    ) -> Result<(), sqlx::Error> {
        if self.backend == Backend::Postgres {
            notify(tx, &change).await?;
        }
        Ok(())
    }

    /// A listener of other replicas' changes; `None` on SQLite (one process per file).
    pub async fn listen(&self) -> StoreResult<Option<ChangeListener>> {
        if self.backend != Backend::Postgres {
            return Ok(None);
        }
        Ok(Some(ChangeListener {
            inner: listener(&self.url).await?,
            url: self.url.clone(),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::Change;

    #[test]
    fn payloads_round_trip_even_with_colons_in_subjects() {
        for c in [
            Change::Subject("a:b".into()),
            Change::Settings(String::new()),
            Change::Lost,
        ] {
            assert_eq!(Change::parse(&c.payload()), c);
        }
    }
}
