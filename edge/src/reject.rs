//! Why the layer refused a request, as the client sees it: a status, a stable `error_code`, a
//! message, and for invalid payloads each violation.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use registry_client::CacheError;
use schema_core::domain_rules::Failure;
use schema_core::validate::Violation;
use serde_json::json;

#[derive(Debug)]
pub enum Rejection {
    TooLarge {
        limit: usize,
    },
    NotJson {
        message: String,
    },
    NoSubject {
        message: String,
    },
    BadVersion {
        message: String,
    },
    Invalid {
        subject: String,
        version: i64,
        errors: Vec<Violation>,
    },
    /// Valid under the schema, refused by the version's CEL domain rules.
    RuleFailed {
        subject: String,
        version: i64,
        /// Only DLQ rules failed: the producer should dead-letter the event.
        dead_letter: bool,
        failures: Vec<Failure>,
    },
    Lookup(CacheError),
}

impl Rejection {
    pub fn status(&self) -> StatusCode {
        match self {
            Rejection::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            Rejection::NotJson { .. } => StatusCode::BAD_REQUEST,
            Rejection::NoSubject { .. } | Rejection::BadVersion { .. } => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            Rejection::Invalid { .. } | Rejection::RuleFailed { .. } => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            Rejection::Lookup(e) => match e {
                CacheError::UnknownSubject { .. } | CacheError::UnknownVersion { .. } => {
                    StatusCode::UNPROCESSABLE_ENTITY
                }
                CacheError::Unavailable { .. } => StatusCode::SERVICE_UNAVAILABLE,
                CacheError::Registry(_) | CacheError::BadSchema { .. } => StatusCode::BAD_GATEWAY,
            },
        }
    }

    /// Stable codes clients can branch on.
    pub fn code(&self) -> &'static str {
        match self {
            Rejection::TooLarge { .. } => "payload_too_large",
            Rejection::NotJson { .. } => "invalid_json",
            Rejection::NoSubject { .. } => "missing_subject",
            Rejection::BadVersion { .. } => "invalid_schema_version",
            Rejection::Invalid { .. } => "invalid_payload",
            Rejection::RuleFailed {
                dead_letter: true, ..
            } => "rule_dead_letter",
            Rejection::RuleFailed { .. } => "rule_failed",
            Rejection::Lookup(e) => match e {
                CacheError::UnknownSubject { .. } => "unknown_subject",
                CacheError::UnknownVersion { .. } => "unknown_schema_version",
                CacheError::Unavailable { .. } => "registry_unavailable",
                CacheError::Registry(_) => "registry_error",
                CacheError::BadSchema { .. } => "schema_not_compilable",
            },
        }
    }

    fn message(&self) -> String {
        match self {
            Rejection::TooLarge { limit } => format!("the body is larger than {limit} bytes"),
            Rejection::NotJson { message }
            | Rejection::NoSubject { message }
            | Rejection::BadVersion { message } => message.clone(),
            Rejection::Invalid {
                subject,
                version,
                errors,
            } => format!(
                "the payload does not match {subject} version {version}: {} error(s)",
                errors.len()
            ),
            Rejection::RuleFailed {
                subject,
                version,
                failures,
                ..
            } => format!(
                "the payload fails the data contract of {subject} version {version}: rule(s) {}",
                failures
                    .iter()
                    .map(|f| f.rule.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Rejection::Lookup(e) => e.to_string(),
        }
    }
}

impl IntoResponse for Rejection {
    fn into_response(self) -> Response {
        let mut body = json!({"error_code": self.code(), "message": self.message()});
        match &self {
            Rejection::Invalid { errors, .. } => body["errors"] = json!(errors),
            Rejection::RuleFailed { failures, .. } => body["rules"] = json!(failures),
            _ => {}
        }
        let mut response = (self.status(), axum::Json(body)).into_response();
        if self.status() == StatusCode::SERVICE_UNAVAILABLE {
            // The registry may be back soon; at-least-once producers retry.
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
        }
        response
    }
}
