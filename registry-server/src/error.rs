//! The API's one error type. Each variant documents its HTTP status and Confluent `error_code`;
//! `IntoResponse` turns it into Confluent's body `{"error_code": …, "message": …}`. Database and
//! internal errors become 500 with the detail logged, never echoed.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 404 / 40401
    #[error("Subject '{0}' not found.")]
    SubjectNotFound(String),
    /// 404 / 40402
    #[error("Version {0} not found.")]
    VersionNotFound(String),
    /// 404 / 40403
    #[error("Schema {0} not found")]
    SchemaNotFound(String),
    /// 404 / 40404
    #[error("Subject '{0}' was soft deleted. Set permanent=true to delete permanently")]
    SubjectSoftDeleted(String),
    /// 404 / 40405
    #[error("Subject '{0}' was not deleted first before being permanently deleted")]
    SubjectNotSoftDeleted(String),
    /// 404 / 40406
    #[error(
        "Subject '{0}' Version {1} was soft deleted. Set permanent=true to delete permanently"
    )]
    VersionSoftDeleted(String, i64),
    /// 404 / 40407
    #[error("Subject '{0}' Version {1} was not deleted first before being permanently deleted")]
    VersionNotSoftDeleted(String, i64),
    /// 422 / 42201
    #[error("Invalid schema: {0}")]
    InvalidSchema(String),
    /// 422 / 42202
    #[error("The specified version '{0}' is not a valid version id. Allowed values are between [1, 2^31-1] and the string \"latest\"")]
    InvalidVersion(String),
    /// 422 / 42203
    #[error("Invalid compatibility level. Valid values are none, backward, forward, full, backward_transitive, forward_transitive, and full_transitive; got {0:?}")]
    InvalidCompatibility(String),
    /// 422 / 42204
    #[error("Invalid mode. Valid values are READWRITE, READONLY and IMPORT; got {0:?}")]
    InvalidMode(String),
    /// 422 / 42205
    #[error("{0}")]
    NotPermitted(String),
    /// 422 / 42206: a rule set we do not know.
    #[error("Invalid rules. Valid values are events, standard and lenient; got {0:?}")]
    InvalidRules(String),
    /// 409 / 409
    #[error("Schema being registered is incompatible with an earlier schema for subject \"{subject}\", details: {}", details.join("; "))]
    Incompatible {
        subject: String,
        details: Vec<String>,
    },
    /// 409 / 42209: a referenced version cannot be deleted.
    #[error("One or more references exist to the schema {{subject={0},version={1}}}")]
    Referenced(String, i64),
    /// 413 / 413
    #[error("Request body larger than {0} bytes")]
    PayloadTooLarge(usize),
    /// 404 / 404: no such route.
    #[error("HTTP 404 Not Found: no route for {0}")]
    NoRoute(String),
    /// 400 / 400: the request body is not the JSON the route expects.
    #[error("Invalid request body: {0}")]
    BadRequest(String),
    /// 500 / 50001: logged, not echoed.
    #[error("Error in the backend data store")]
    Store(#[from] sqlx::Error),
    /// 500 / 50001
    #[error("Internal error")]
    Internal(String),
}

impl ApiError {
    pub fn status_and_code(&self) -> (StatusCode, u32) {
        use ApiError::*;
        match self {
            SubjectNotFound(_) => (StatusCode::NOT_FOUND, 40401),
            VersionNotFound(_) => (StatusCode::NOT_FOUND, 40402),
            SchemaNotFound(_) => (StatusCode::NOT_FOUND, 40403),
            SubjectSoftDeleted(_) => (StatusCode::NOT_FOUND, 40404),
            SubjectNotSoftDeleted(_) => (StatusCode::NOT_FOUND, 40405),
            VersionSoftDeleted(..) => (StatusCode::NOT_FOUND, 40406),
            VersionNotSoftDeleted(..) => (StatusCode::NOT_FOUND, 40407),
            InvalidSchema(_) => (StatusCode::UNPROCESSABLE_ENTITY, 42201),
            InvalidVersion(_) => (StatusCode::UNPROCESSABLE_ENTITY, 42202),
            InvalidCompatibility(_) => (StatusCode::UNPROCESSABLE_ENTITY, 42203),
            InvalidMode(_) => (StatusCode::UNPROCESSABLE_ENTITY, 42204),
            NotPermitted(_) => (StatusCode::UNPROCESSABLE_ENTITY, 42205),
            InvalidRules(_) => (StatusCode::UNPROCESSABLE_ENTITY, 42206),
            Incompatible { .. } => (StatusCode::CONFLICT, 409),
            Referenced(..) => (StatusCode::UNPROCESSABLE_ENTITY, 42206),
            BadRequest(_) => (StatusCode::BAD_REQUEST, 400),
            NoRoute(_) => (StatusCode::NOT_FOUND, 404),
            PayloadTooLarge(_) => (StatusCode::PAYLOAD_TOO_LARGE, 413),
            Store(e) if unreachable(e) => (StatusCode::SERVICE_UNAVAILABLE, 50302),
            Store(_) | Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, 50001),
        }
    }
}

/// The database did not answer (down, restarting, pool exhausted): the request may succeed
/// later, so it is a 503 with `Retry-After`, not a 500.
fn unreachable(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Io(_) | sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed => true,
        sqlx::Error::Tls(_) => true,
        sqlx::Error::Database(d) => {
            // PostgreSQL shutting down, or refusing connections while starting.
            matches!(
                d.code().as_deref(),
                Some("57P01" | "57P02" | "57P03" | "08006" | "08001" | "08004")
            )
        }
        _ => false,
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code) = self.status_and_code();
        match &self {
            ApiError::Store(e) => tracing::error!(error = %e, "store error"),
            ApiError::Internal(e) => tracing::error!(error = %e, "internal error"),
            _ => {}
        }
        let message = if code == 50302 {
            "the database is unreachable; retry shortly".to_string()
        } else {
            self.to_string()
        };
        let body = json!({"error_code": code, "message": message});
        let mut r = crate::http::reply(status, &body);
        if status == StatusCode::SERVICE_UNAVAILABLE {
            r.headers_mut().insert(
                axum::http::header::RETRY_AFTER,
                axum::http::HeaderValue::from_static("2"),
            );
        }
        r
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

/// What a caught panic says, for the log.
pub fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_default()
}
