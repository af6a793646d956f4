//! `/compatibility/subjects/{s}/versions[/{v}]`: would this schema be accepted against that
//! version (or the versions the subject's level names), under the subject's level and rules?
//! `verbose=true` lists the breaking changes: as strings in `messages` (what Confluent's
//! clients read) and typed in `changes`.

use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::post;
use axum::Router;
use registry_api::{CompatibilityAnswer, SchemaRequest};

use super::{ok, ApiResult, AppState, Body, Flags};
use crate::domain::Verdict;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/compatibility/subjects/{subject}/versions/{version}",
            post(check),
        )
        .route(
            "/compatibility/subjects/{subject}/versions",
            post(check_all),
        )
}

fn answer(v: Verdict, verbose: bool) -> CompatibilityAnswer {
    CompatibilityAnswer {
        is_compatible: v.compatible,
        messages: verbose.then(|| v.changes.iter().map(|c| c.line()).collect()),
        changes: verbose.then_some(v.changes),
    }
}

#[utoipa::path(post, path = "/compatibility/subjects/{subject}/versions/{version}", tag = "compatibility", params(("subject" = String, Path, description = "subject name"), ("version" = String, Path, description = "a version number or `latest`"), ("verbose" = Option<bool>, Query, description = "list the breaking changes")), request_body = SchemaRequest, responses((status = 200, description = "the verdict", body = CompatibilityAnswer)))]
async fn check(
    State(s): State<AppState>,
    Path((subject, version)): Path<(String, String)>,
    f: Flags,
    Body(req): Body<SchemaRequest>,
) -> ApiResult<Response> {
    let v = s
        .registry
        .compatibility(&subject, Some(&version), &req, f.normalize)
        .await?;
    Ok(ok(&answer(v, f.verbose)))
}

#[utoipa::path(post, path = "/compatibility/subjects/{subject}/versions", tag = "compatibility", params(("subject" = String, Path, description = "subject name"), ("verbose" = Option<bool>, Query, description = "list the breaking changes")), request_body = SchemaRequest, responses((status = 200, description = "the verdict against the versions the level names", body = CompatibilityAnswer)))]
async fn check_all(
    State(s): State<AppState>,
    Path(subject): Path<String>,
    f: Flags,
    Body(req): Body<SchemaRequest>,
) -> ApiResult<Response> {
    let v = s
        .registry
        .compatibility(&subject, None, &req, f.normalize)
        .await?;
    Ok(ok(&answer(v, f.verbose)))
}
