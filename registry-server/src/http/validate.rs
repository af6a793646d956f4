//! Payload validation against a registered version: one payload, or an NDJSON batch answered
//! line for line. Validators are compiled once per schema id and kept (ids are immutable).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use schema_core::domain_rules::{self, Outcome};
use schema_core::payload::Reader;
use schema_core::validate::Violation;
use serde_json::json;

use super::{ok, ApiResult, AppState};
use crate::domain::{Checker, VersionRow};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/subjects/{subject}/versions/{version}/validate", post(one))
        .route(
            "/subjects/{subject}/versions/{version}/validate/batch",
            post(batch),
        )
}

/// The registered version a request names, and its checker.
async fn target(
    s: &AppState,
    subject: &str,
    version: &str,
) -> ApiResult<(VersionRow, Arc<Checker>)> {
    let row = s.registry.find_version(subject, version, false).await?;
    let checker = s.registry.validator(row.schema_id).await?;
    Ok((row, checker))
}

/// One payload checked: its schema violations, then (when it is schema-valid) the CEL domain
/// rules it fails. `valid` is false on a violation or on a failed `ERROR` or `DLQ` rule;
/// `outcome` says what a gate does with it (`pass`, `record`, `dead-letter`, `reject`).
fn judge(checker: &Checker, reader: &mut Reader, raw: &[u8], answer: &mut serde_json::Value) {
    let violations = match reader.read(raw) {
        Ok(p) if checker.compiled.is_valid_payload(&p) => Vec::new(),
        Ok(p) => checker.compiled.payload_violations(&p),
        Err(e) => vec![Violation {
            instance_pointer: String::new(),
            keyword: "json".into(),
            schema_pointer: String::new(),
            message: format!("not JSON: {e}"),
        }],
    };
    if !violations.is_empty() {
        answer["valid"] = json!(false);
        answer["outcome"] = json!(Outcome::Reject);
        answer["errors"] = json!(violations);
        return;
    }
    let failures = checker.contract.failures_of_raw(raw);
    let outcome = domain_rules::outcome(&failures);
    answer["valid"] = json!(matches!(outcome, Outcome::Pass | Outcome::Record));
    answer["outcome"] = json!(outcome);
    if !failures.is_empty() {
        answer["rules"] = json!(failures);
    }
}

#[utoipa::path(post, path = "/subjects/{subject}/versions/{version}/validate", tag = "validate", params(("subject" = String, Path, description = "subject name"), ("version" = String, Path, description = "a version number or `latest`")), request_body(content = String, description = "one JSON payload", content_type = "application/json"), responses((status = 200, description = "{valid, outcome, subject, version, id, errors?, rules?}: each error with instance_pointer, keyword, schema_pointer, message; each failed CEL domain rule with rule, on_failure, instance_pointer, message"), (status = 404, description = "40401, 40402")))]
async fn one(
    State(s): State<AppState>,
    Path((subject, version)): Path<(String, String)>,
    body: Bytes,
) -> ApiResult<Response> {
    Ok(ok(&validate_one(&s, &subject, &version, body).await?))
}

/// One payload against a registered version (the API's answer; the console shows it too). The
/// body reads as a first NDJSON line does everywhere: a byte-order mark and the line end are not
/// the payload's.
pub(super) async fn validate_one(
    s: &AppState,
    subject: &str,
    version: &str,
    body: Bytes,
) -> ApiResult<serde_json::Value> {
    let (row, checker) = target(s, subject, version).await?;
    let mut answer = json!({"subject": row.subject, "version": row.version, "id": row.schema_id});
    let answer = s
        .registry
        .cpu("validating a payload", move || {
            let raw = schema_core::payload::ndjson_payload(1, &body).unwrap_or_default();
            judge(&checker, &mut Reader::default(), raw, &mut answer);
            answer
        })
        .await?;
    Ok(answer)
}

#[utoipa::path(post, path = "/subjects/{subject}/versions/{version}/validate/batch", tag = "validate", params(("subject" = String, Path, description = "subject name"), ("version" = String, Path, description = "a version number or `latest`")), request_body(content = String, description = "NDJSON: one payload per line", content_type = "application/x-ndjson"), responses((status = 200, description = "NDJSON: one {line, valid, outcome, errors?, rules?} per input line, in order"), (status = 404, description = "40401, 40402")))]
async fn batch(
    State(s): State<AppState>,
    Path((subject, version)): Path<(String, String)>,
    body: Bytes,
) -> ApiResult<Response> {
    let (_, checker) = target(&s, &subject, &version).await?;
    // On the CPU pool: a batch is as large as the body limit allows.
    let out = s
        .registry
        .cpu("validating a batch", move || {
            let mut reader = Reader::default();
            let mut out = Vec::with_capacity(body.len() / 8 + 64);
            // One answer per payload line, numbered as the lines are; blank lines, line ends
            // and a leading byte-order mark read as everywhere else
            // (`schema_core::payload::ndjson_payload`).
            for (i, line) in body.split_inclusive(|b| *b == b'\n').enumerate() {
                let n = i as u64 + 1;
                let Some(payload) = schema_core::payload::ndjson_payload(n, line) else {
                    continue;
                };
                let mut answer = json!({"line": n});
                judge(&checker, &mut reader, payload, &mut answer);
                serde_json::to_writer(&mut out, &answer)
                    .map_err(|e| crate::domain::Error::Internal(e.to_string()))?;
                out.push(b'\n');
            }
            Ok::<_, crate::domain::Error>(out)
        })
        .await??;
    Ok((
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/x-ndjson")],
        out,
    )
        .into_response())
}
