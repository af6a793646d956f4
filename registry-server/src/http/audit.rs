//! `GET /audit`: the audit log, filtered by subject, principal, action and time; the console's
//! audit page reads it through the same query.

use std::collections::HashMap;

use axum::extract::{Query, State};
use axum::response::Response;

use super::{ok, ApiError, ApiResult, AppState};
use crate::domain::AuditFilter;
use crate::time::parse_time;

/// Records answered when no `limit` is given, and at most.
const DEFAULT_LIMIT: i64 = 1000;
const MAX_LIMIT: i64 = 10_000;

/// The filter as a query string spells it; empty fields filter nothing (an HTML form sends
/// every field), unknown ones are ignored, a repeated one counts once (the last).
#[derive(Debug, Default, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// Records of this subject only.
    #[param(required = false)]
    pub subject: String,
    /// Records whose principal contains this text (any case).
    #[param(required = false)]
    pub principal: String,
    /// Records of this action only (`schema.register`, `config.set`, `token.create`, ...).
    #[param(required = false)]
    pub action: String,
    /// From this time on: RFC 3339, or `YYYY-MM-DD[THH:MM[:SS]]` in UTC.
    #[param(required = false)]
    pub since: String,
    /// Before this time, written as `since`.
    #[param(required = false)]
    pub until: String,
    /// At most this many records, newest first (1000 by default, at most 10,000).
    #[param(value_type = Option<i64>)]
    pub limit: String,
}

/// Read by hand from the pairs, so every mistake is a 400 in the API's error format (axum's own
/// query rejection answers plain text).
impl<S: Send + Sync> axum::extract::FromRequestParts<S> for AuditQuery {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, ApiError> {
        let Query(mut q) = Query::<HashMap<String, String>>::from_request_parts(parts, state)
            .await
            .map_err(|e| ApiError::BadParameter(e.body_text()))?;
        let mut take = |k: &str| q.remove(k).unwrap_or_default();
        Ok(AuditQuery {
            subject: take("subject"),
            principal: take("principal"),
            action: take("action"),
            since: take("since"),
            until: take("until"),
            limit: take("limit"),
        })
    }
}

impl AuditQuery {
    pub fn filter(&self) -> ApiResult<AuditFilter> {
        let text = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
        let limit = match self.limit.trim() {
            "" => DEFAULT_LIMIT,
            l => l.parse().map_err(|_| {
                ApiError::BadParameter(format!("limit={l:?}: a whole number from 1 to {MAX_LIMIT}"))
            })?,
        };
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(ApiError::BadParameter(format!(
                "limit={limit}: between 1 and {MAX_LIMIT}"
            )));
        }
        Ok(AuditFilter {
            subject: text(&self.subject),
            principal: text(&self.principal),
            action: text(&self.action),
            since_ms: time_of("since", &self.since)?,
            until_ms: time_of("until", &self.until)?,
            limit,
        })
    }
}

/// A time parameter: empty is none; one that does not parse is a 400 naming it.
fn time_of(name: &str, text: &str) -> ApiResult<Option<i64>> {
    match text.trim() {
        "" => Ok(None),
        t => parse_time(t).map(Some).ok_or_else(|| {
            ApiError::BadParameter(format!(
                "{name}={t:?}: a time as RFC 3339 (2026-12-02T11:30:00Z) or YYYY-MM-DD[THH:MM] in UTC"
            ))
        }),
    }
}

#[utoipa::path(get, path = "/audit", tag = "ops", params(AuditQuery), responses((status = 200, description = "the audit records the filter selects, newest first"), (status = 400, description = "a time or limit that does not parse", body = registry_api::ErrorBody)))]
pub async fn audit(State(s): State<AppState>, q: AuditQuery) -> ApiResult<Response> {
    Ok(ok(&s.registry.audit(&q.filter()?).await?))
}
