//! What the store can fail with, in the store's own terms: the layers above decide what a
//! caller is told.

/// A failed store operation.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database did not answer (down, restarting, pool exhausted): may succeed later.
    #[error("the database is unreachable: {0}")]
    Unreachable(#[source] sqlx::Error),
    /// Any other database failure.
    #[error("database error: {0}")]
    Database(#[source] sqlx::Error),
    /// An explicit id or version (IMPORT mode) is already taken.
    #[error("{0}")]
    Conflict(String),
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> StoreError {
        if unreachable(&e) {
            StoreError::Unreachable(e)
        } else {
            StoreError::Database(e)
        }
    }
}

impl From<tokio::sync::AcquireError> for StoreError {
    fn from(_: tokio::sync::AcquireError) -> StoreError {
        StoreError::Unreachable(sqlx::Error::PoolClosed)
    }
}

fn unreachable(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Io(_) | sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed => true,
        sqlx::Error::Tls(_) => true,
        // PostgreSQL shutting down, or refusing connections while starting.
        sqlx::Error::Database(d) => matches!(
            d.code().as_deref(),
            Some("57P01" | "57P02" | "57P03" | "08006" | "08001" | "08004")
        ),
        _ => false,
    }
}

pub type StoreResult<T> = Result<T, StoreError>;
