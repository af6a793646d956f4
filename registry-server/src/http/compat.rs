//! `/compatibility/subjects/{s}/versions/{v}`: would this schema be accepted against that
//! version, under the subject's level and rules? `verbose=true` lists the typed changes.

use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::post;
use axum::Router;
use serde_json::json;

use super::subjects::find_version;
use super::{ok, AppState, Body, Flags};
use crate::error::{ApiError, ApiResult};
use crate::registry::{level_mode, SchemaRequest};

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

async fn run(
    s: &AppState,
    subject: &str,
    version: Option<&str>,
    f: &Flags,
    req: &SchemaRequest,
) -> ApiResult<Response> {
    let cand = s.registry.candidate(req, f.normalize).await?;
    let (level, rules) = s.registry.effective_config(subject).await?;
    let rules = rules.parse().map_err(ApiError::InvalidRules)?;
    let (mode, transitive) = level_mode(&level);
    let against = match version {
        Some(v) => vec![find_version(s, subject, v, false).await?],
        None => {
            let live: Vec<_> = s
                .registry
                .store
                .versions(subject)
                .await?
                .into_iter()
                .filter(|v| !v.deleted)
                .collect();
            if transitive {
                live
            } else {
                live.into_iter().last().into_iter().collect()
            }
        }
    };
    let mut messages = Vec::new();
    let mut compatible = true;
    for old in &against {
        let report = s.registry.compare(old, &cand, mode, rules).await?;
        compatible &= report.compatible;
        for c in report.breaking() {
            messages.push(json!({
                "version": old.version, "kind": c.kind.id(), "old_pointer": c.old_pointer, "new_pointer": c.new_pointer,
                "breaks": c.breaks, "message": c.message, "help": c.help, "witness": c.witness,
            }));
        }
    }
    let mut body = json!({"is_compatible": compatible});
    if f.verbose {
        body["messages"] = json!(messages);
    }
    Ok(ok(&body))
}

#[utoipa::path(post, path = "/compatibility/subjects/{subject}/versions/{version}", tag = "compatibility", params(("subject" = String, Path, description = "subject name"), ("version" = String, Path, description = "a version number or `latest`"), ("verbose" = Option<bool>, Query, description = "list the typed changes")), request_body = SchemaRequest, responses((status = 200, description = "is_compatible and, verbose, messages")))]
async fn check(
    State(s): State<AppState>,
    Path((subject, version)): Path<(String, String)>,
    f: Flags,
    Body(req): Body<SchemaRequest>,
) -> ApiResult<Response> {
    run(&s, &subject, Some(&version), &f, &req).await
}

#[utoipa::path(post, path = "/compatibility/subjects/{subject}/versions", tag = "compatibility", params(("subject" = String, Path, description = "subject name"), ("verbose" = Option<bool>, Query, description = "list the typed changes")), request_body = SchemaRequest, responses((status = 200, description = "is_compatible against the versions the level names")))]
async fn check_all(
    State(s): State<AppState>,
    Path(subject): Path<String>,
    f: Flags,
    Body(req): Body<SchemaRequest>,
) -> ApiResult<Response> {
    run(&s, &subject, None, &f, &req).await
}
