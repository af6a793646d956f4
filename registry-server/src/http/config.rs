//! `/config` and `/mode`, global and per subject. Besides Confluent's `compatibility`, a config
//! carries the rule set (`events`, `standard`, `lenient`) that judges changes.

use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use serde::Deserialize;
use serde_json::json;

use super::{audit_of, ok, AppState, Body, Client};
use crate::error::{ApiError, ApiResult};
use crate::registry::{LEVELS, MODES};

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/config",
            get(get_global).put(put_global).delete(delete_global),
        )
        .route(
            "/config/{subject}",
            get(get_subject).put(put_subject).delete(delete_subject),
        )
        .route("/mode", get(get_mode_global).put(put_mode_global))
        .route("/mode/{subject}", get(get_mode).put(put_mode))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct ConfigBody {
    compatibility: Option<String>,
    #[serde(rename = "compatibilityLevel")]
    compatibility_level: Option<String>,
    rules: Option<String>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct ModeBody {
    mode: String,
}

#[utoipa::path(get, path = "/config", tag = "config", responses((status = 200, description = "compatibilityLevel and rules")))]
async fn get_global(State(s): State<AppState>) -> ApiResult<Response> {
    let (level, rules) = s.registry.effective_config("").await?;
    Ok(ok(&json!({"compatibilityLevel": level, "rules": rules})))
}

#[utoipa::path(get, path = "/config/{subject}", tag = "config", params(("subject" = String, Path, description = "subject name")), responses((status = 200, description = "compatibilityLevel and rules"), (status = 404, description = "40401 no subject config")))]
async fn get_subject(
    State(s): State<AppState>,
    Path(subject): Path<String>,
) -> ApiResult<Response> {
    match s.registry.store.config(&subject).await? {
        Some((level, rules)) => {
            let (eff_level, eff_rules) = s.registry.effective_config(&subject).await?;
            Ok(ok(
                &json!({"compatibilityLevel": level.unwrap_or(eff_level), "rules": rules.unwrap_or(eff_rules)}),
            ))
        }
        None => Err(ApiError::SubjectNotFound(subject)),
    }
}

async fn put(s: &AppState, subject: &str, body: ConfigBody, addr: Client) -> ApiResult<Response> {
    let level = body
        .compatibility
        .or(body.compatibility_level)
        .map(|l| l.to_ascii_uppercase());
    if let Some(l) = &level {
        if !LEVELS.contains(&l.as_str()) {
            return Err(ApiError::InvalidCompatibility(l.clone()));
        }
    }
    let rules = body.rules.map(|r| r.to_ascii_lowercase());
    if let Some(r) = &rules {
        r.parse::<schema_core::Rules>()
            .map_err(|_| ApiError::InvalidRules(r.clone()))?;
    }
    if level.is_none() && rules.is_none() {
        return Err(ApiError::InvalidCompatibility("nothing given".into()));
    }
    let mut audit = audit_of(addr);
    audit.subject = (!subject.is_empty()).then(|| subject.to_string());
    audit.detail = json!({"compatibility": level, "rules": rules});
    s.registry
        .store
        .set_config(subject, level.as_deref(), rules.as_deref(), &audit)
        .await?;
    let mut out = json!({});
    if let Some(l) = level {
        out["compatibility"] = json!(l);
    }
    if let Some(r) = rules {
        out["rules"] = json!(r);
    }
    Ok(ok(&out))
}

#[utoipa::path(put, path = "/config", tag = "config", request_body = ConfigBody, responses((status = 200, description = "the new values"), (status = 422, description = "42203 invalid level, 42206 invalid rules")))]
async fn put_global(
    State(s): State<AppState>,
    addr: Client,
    Body(body): Body<ConfigBody>,
) -> ApiResult<Response> {
    put(&s, "", body, addr).await
}

#[utoipa::path(put, path = "/config/{subject}", tag = "config", params(("subject" = String, Path, description = "subject name")), request_body = ConfigBody, responses((status = 200, description = "the new values")))]
async fn put_subject(
    State(s): State<AppState>,
    addr: Client,
    Path(subject): Path<String>,
    Body(body): Body<ConfigBody>,
) -> ApiResult<Response> {
    put(&s, &subject, body, addr).await
}

#[utoipa::path(delete, path = "/config", tag = "config", responses((status = 200, description = "the level before")))]
async fn delete_global(State(s): State<AppState>, addr: Client) -> ApiResult<Response> {
    let (level, _) = s.registry.effective_config("").await?;
    s.registry.store.delete_config("", &audit_of(addr)).await?;
    Ok(ok(&json!({"compatibilityLevel": level})))
}

#[utoipa::path(delete, path = "/config/{subject}", tag = "config", params(("subject" = String, Path, description = "subject name")), responses((status = 200, description = "the level before")))]
async fn delete_subject(
    State(s): State<AppState>,
    addr: Client,
    Path(subject): Path<String>,
) -> ApiResult<Response> {
    let Some((level, _)) = s.registry.store.config(&subject).await? else {
        return Err(ApiError::SubjectNotFound(subject));
    };
    let mut audit = audit_of(addr);
    audit.subject = Some(subject.clone());
    s.registry.store.delete_config(&subject, &audit).await?;
    Ok(ok(&json!({"compatibilityLevel": level})))
}

#[utoipa::path(get, path = "/mode", tag = "mode", responses((status = 200, description = "the global mode")))]
async fn get_mode_global(State(s): State<AppState>) -> ApiResult<Response> {
    Ok(ok(&json!({"mode": s.registry.effective_mode("").await?})))
}

#[utoipa::path(get, path = "/mode/{subject}", tag = "mode", params(("subject" = String, Path, description = "subject name")), responses((status = 200, description = "the subject mode")))]
async fn get_mode(State(s): State<AppState>, Path(subject): Path<String>) -> ApiResult<Response> {
    Ok(ok(
        &json!({"mode": s.registry.effective_mode(&subject).await?}),
    ))
}

async fn set_mode(
    s: &AppState,
    subject: &str,
    body: ModeBody,
    addr: Client,
) -> ApiResult<Response> {
    let mode = body.mode.to_ascii_uppercase();
    if !MODES.contains(&mode.as_str()) {
        return Err(ApiError::InvalidMode(body.mode));
    }
    let mut audit = audit_of(addr);
    audit.subject = (!subject.is_empty()).then(|| subject.to_string());
    audit.detail = json!({"mode": mode});
    s.registry.store.set_mode(subject, &mode, &audit).await?;
    Ok(ok(&json!({"mode": mode})))
}

#[utoipa::path(put, path = "/mode", tag = "mode", request_body = ModeBody, responses((status = 200, description = "the new mode"), (status = 422, description = "42204")))]
async fn put_mode_global(
    State(s): State<AppState>,
    addr: Client,
    Body(body): Body<ModeBody>,
) -> ApiResult<Response> {
    set_mode(&s, "", body, addr).await
}

#[utoipa::path(put, path = "/mode/{subject}", tag = "mode", params(("subject" = String, Path, description = "subject name")), request_body = ModeBody, responses((status = 200, description = "the new mode")))]
async fn put_mode(
    State(s): State<AppState>,
    addr: Client,
    Path(subject): Path<String>,
    Body(body): Body<ModeBody>,
) -> ApiResult<Response> {
    set_mode(&s, &subject, body, addr).await
}
