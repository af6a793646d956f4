//! Payload validation against a registered version: one payload, or an NDJSON batch answered
//! line for line. Validators are compiled once per schema id and kept (ids are immutable).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use schema_core::payload::Reader;
use schema_core::validate::{Compiled, Violation};
use serde_json::json;

use super::{ok, ApiResult, AppState};
use crate::domain::VersionRow;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/subjects/{subject}/versions/{version}/validate", post(one))
        .route(
            "/subjects/{subject}/versions/{version}/validate/batch",
            post(batch),
        )
}

/// The registered version a request names, and its validator.
async fn target(
    s: &AppState,
    subject: &str,
    version: &str,
) -> ApiResult<(VersionRow, Arc<Compiled>)> {
    let row = s.registry.find_version(subject, version, false).await?;
    let compiled = s.registry.validator(row.schema_id).await?;
    Ok((row, compiled))
}

/// `valid`, and the errors when there are any, on an answer object.
fn mark(answer: &mut serde_json::Value, verdict: Result<(), Vec<Violation>>) {
    match verdict {
        Ok(()) => answer["valid"] = json!(true),
        Err(errors) => {
            answer["valid"] = json!(false);
            answer["errors"] = json!(errors);
        }
    }
}

fn judge(compiled: &Compiled, reader: &mut Reader, raw: &[u8]) -> Result<(), Vec<Violation>> {
    match reader.read(raw) {
        Ok(p) if compiled.is_valid_payload(&p) => Ok(()),
        Ok(p) => Err(compiled.payload_violations(&p)),
        Err(e) => Err(vec![Violation {
            instance_pointer: String::new(),
            keyword: "json".into(),
            schema_pointer: String::new(),
            message: format!("not JSON: {e}"),
        }]),
    }
}

#[utoipa::path(post, path = "/subjects/{subject}/versions/{version}/validate", tag = "validate", params(("subject" = String, Path, description = "subject name"), ("version" = String, Path, description = "a version number or `latest`")), request_body(content = String, description = "one JSON payload", content_type = "application/json"), responses((status = 200, description = "{valid, subject, version, id, errors?}: each error with instance_pointer, keyword, schema_pointer, message"), (status = 404, description = "40401, 40402")))]
async fn one(
    State(s): State<AppState>,
    Path((subject, version)): Path<(String, String)>,
    body: Bytes,
) -> ApiResult<Response> {
    let (row, compiled) = target(&s, &subject, &version).await?;
    let mut answer = json!({"subject": row.subject, "version": row.version, "id": row.schema_id});
    mark(&mut answer, judge(&compiled, &mut Reader::default(), &body));
    Ok(ok(&answer))
}

#[utoipa::path(post, path = "/subjects/{subject}/versions/{version}/validate/batch", tag = "validate", params(("subject" = String, Path, description = "subject name"), ("version" = String, Path, description = "a version number or `latest`")), request_body(content = String, description = "NDJSON: one payload per line", content_type = "application/x-ndjson"), responses((status = 200, description = "NDJSON: one {line, valid, errors?} per input line, in order"), (status = 404, description = "40401, 40402")))]
async fn batch(
    State(s): State<AppState>,
    Path((subject, version)): Path<(String, String)>,
    body: Bytes,
) -> ApiResult<Response> {
    let (_, compiled) = target(&s, &subject, &version).await?;
    let mut reader = Reader::default();
    let mut out = Vec::with_capacity(body.len() / 8 + 64);
    // One answer per payload line, numbered as the lines are; blank lines, line ends and a
    // leading byte-order mark read as everywhere else (`schema_core::payload::ndjson_payload`).
    for (i, line) in body.split_inclusive(|b| *b == b'\n').enumerate() {
        let n = i as u64 + 1;
        let Some(payload) = schema_core::payload::ndjson_payload(n, line) else {
            continue;
        };
        let mut answer = json!({"line": n});
        mark(&mut answer, judge(&compiled, &mut reader, payload));
        serde_json::to_writer(&mut out, &answer)
            .map_err(|e| crate::domain::Error::Internal(e.to_string()))?;
        out.push(b'\n');
    }
    Ok((
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/x-ndjson")],
        out,
    )
        .into_response())
}
