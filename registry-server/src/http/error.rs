//! The HTTP face of every failure: Confluent's status and `error_code` for each domain error,
//! plus the request errors only HTTP has. Store and internal errors become 500 (or 503 when
//! the database does not answer) with the detail logged, never echoed.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use registry_api::ErrorBody;

use crate::domain::Error;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error(transparent)]
    Domain(#[from] Error),
    /// 413 / 413
    #[error("Request body larger than {0} bytes")]
    PayloadTooLarge(usize),
    /// 404 / 404: no such route.
    #[error("HTTP 404 Not Found: no route for {0}")]
    NoRoute(String),
    /// 400 / 400: the request body is not the JSON the route expects.
    #[error("Invalid request body: {0}")]
    BadRequest(String),
    /// 400 / 400: a query parameter that does not parse.
    #[error("Invalid query parameter: {0}")]
    BadParameter(String),
}

impl ApiError {
    pub fn status_and_code(&self) -> (StatusCode, i64) {
        use Error::*;
        let e = match self {
            ApiError::PayloadTooLarge(_) => return (StatusCode::PAYLOAD_TOO_LARGE, 413),
            ApiError::NoRoute(_) => return (StatusCode::NOT_FOUND, 404),
            ApiError::BadRequest(_) | ApiError::BadParameter(_) => {
                return (StatusCode::BAD_REQUEST, 400)
            }
            ApiError::Domain(e) => e,
        };
        match e {
            SubjectNotFound(_) => (StatusCode::NOT_FOUND, 40401),
            VersionNotFound(_) => (StatusCode::NOT_FOUND, 40402),
            SchemaNotFound(_) => (StatusCode::NOT_FOUND, 40403),
            SubjectSoftDeleted(_) => (StatusCode::NOT_FOUND, 40404),
            SubjectNotSoftDeleted(_) => (StatusCode::NOT_FOUND, 40405),
            VersionSoftDeleted(..) => (StatusCode::NOT_FOUND, 40406),
            VersionNotSoftDeleted(..) => (StatusCode::NOT_FOUND, 40407),
            SubjectConfigNotFound(_) => (StatusCode::NOT_FOUND, 40408),
            SubjectModeNotFound(_) => (StatusCode::NOT_FOUND, 40409),
            InvalidSchema(_) => (StatusCode::UNPROCESSABLE_ENTITY, 42201),
            InvalidVersion(_) => (StatusCode::UNPROCESSABLE_ENTITY, 42202),
            InvalidCompatibility(_) => (StatusCode::UNPROCESSABLE_ENTITY, 42203),
            InvalidMode(_) => (StatusCode::UNPROCESSABLE_ENTITY, 42204),
            NotPermitted(_) | ReadOnly(_) => (StatusCode::UNPROCESSABLE_ENTITY, 42205),
            InvalidRules(_) | Referenced(..) => (StatusCode::UNPROCESSABLE_ENTITY, 42206),
            InvalidSubject(_) => (StatusCode::UNPROCESSABLE_ENTITY, 42208),
            InvalidRuleSet(_) => (StatusCode::UNPROCESSABLE_ENTITY, 42210),
            InvalidToken(_) => (StatusCode::UNPROCESSABLE_ENTITY, 42211),
            Incompatible { .. } => (StatusCode::CONFLICT, registry_api::CONFLICT_INCOMPATIBLE),
            Unavailable(_) => (StatusCode::SERVICE_UNAVAILABLE, 50302),
            Storage(_) | Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, 50001),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code) = self.status_and_code();
        let message = match &self {
            ApiError::Domain(e @ Error::Storage(_)) => {
                tracing::error!(error = %e, "store error");
                "Error in the backend data store".to_string()
            }
            ApiError::Domain(e @ Error::Unavailable(_)) => {
                tracing::warn!(error = %e, "database unreachable");
                "the database is unreachable; retry shortly".to_string()
            }
            ApiError::Domain(Error::Internal(e)) => {
                tracing::error!(error = %e, "internal error");
                "Internal error".to_string()
            }
            e => e.to_string(),
        };
        let changes = match self {
            ApiError::Domain(Error::Incompatible { changes, .. }) => changes,
            _ => Vec::new(),
        };
        let body = ErrorBody {
            error_code: code,
            message,
            changes,
        };
        let mut r = super::reply(status, &body);
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
