//! `/config` and `/mode`, global and per subject. Besides Confluent's `compatibility`, a config
//! carries the rule set (`events`, `standard`, `lenient`) that judges changes.

use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use registry_api::{ConfigAnswer, ConfigRequest, ConfigUpdate, ModeAnswer, ModeRequest};

use super::{audit_of, ok, ApiResult, AppState, Body, Client, Flags};

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
        .route(
            "/mode",
            get(get_mode_global)
                .put(put_mode_global)
                .delete(delete_mode_global),
        )
        .route(
            "/mode/{subject}",
            get(get_mode).put(put_mode).delete(delete_mode),
        )
}

#[utoipa::path(get, path = "/config", tag = "config", responses((status = 200, description = "the global level and rules", body = ConfigAnswer)))]
async fn get_global(State(s): State<AppState>) -> ApiResult<Response> {
    Ok(ok(&s.registry.global_config().await?))
}

#[utoipa::path(get, path = "/config/{subject}", tag = "config", params(("subject" = String, Path, description = "subject name"), ("defaultToGlobal" = Option<bool>, Query, description = "without settings of its own, answer the global ones")), responses((status = 200, description = "the subject's level and rules", body = ConfigAnswer), (status = 404, description = "40401 unknown subject, 40408 no settings of its own", body = registry_api::ErrorBody)))]
async fn get_subject(
    State(s): State<AppState>,
    Path(subject): Path<String>,
    f: Flags,
) -> ApiResult<Response> {
    Ok(ok(&s
        .registry
        .subject_config(&subject, f.default_to_global)
        .await?))
}

#[utoipa::path(put, path = "/config", tag = "config", request_body = ConfigRequest, responses((status = 200, description = "the new values", body = ConfigUpdate), (status = 422, description = "42203 invalid level, 42206 invalid rules", body = registry_api::ErrorBody)))]
async fn put_global(
    State(s): State<AppState>,
    addr: Client,
    Body(body): Body<ConfigRequest>,
) -> ApiResult<Response> {
    Ok(ok(&s
        .registry
        .set_config("", &body, &audit_of(addr))
        .await?))
}

#[utoipa::path(put, path = "/config/{subject}", tag = "config", params(("subject" = String, Path, description = "subject name")), request_body = ConfigRequest, responses((status = 200, description = "the new values", body = ConfigUpdate)))]
async fn put_subject(
    State(s): State<AppState>,
    addr: Client,
    Path(subject): Path<String>,
    Body(body): Body<ConfigRequest>,
) -> ApiResult<Response> {
    Ok(ok(&s
        .registry
        .set_config(&subject, &body, &audit_of(addr))
        .await?))
}

#[utoipa::path(delete, path = "/config", tag = "config", responses((status = 200, description = "the settings before", body = ConfigAnswer)))]
async fn delete_global(State(s): State<AppState>, addr: Client) -> ApiResult<Response> {
    Ok(ok(&s.registry.delete_config("", &audit_of(addr)).await?))
}

#[utoipa::path(delete, path = "/config/{subject}", tag = "config", params(("subject" = String, Path, description = "subject name")), responses((status = 200, description = "the settings before", body = ConfigAnswer), (status = 404, description = "40401, 40408", body = registry_api::ErrorBody)))]
async fn delete_subject(
    State(s): State<AppState>,
    addr: Client,
    Path(subject): Path<String>,
) -> ApiResult<Response> {
    Ok(ok(&s
        .registry
        .delete_config(&subject, &audit_of(addr))
        .await?))
}

#[utoipa::path(get, path = "/mode", tag = "mode", responses((status = 200, description = "the global mode", body = ModeAnswer)))]
async fn get_mode_global(State(s): State<AppState>) -> ApiResult<Response> {
    Ok(ok(&ModeAnswer {
        mode: s.registry.mode("").await?,
    }))
}

#[utoipa::path(get, path = "/mode/{subject}", tag = "mode", params(("subject" = String, Path, description = "subject name"), ("defaultToGlobal" = Option<bool>, Query, description = "without a mode of its own, answer the global one")), responses((status = 200, description = "the subject's mode", body = ModeAnswer), (status = 404, description = "40409 no mode of its own", body = registry_api::ErrorBody)))]
async fn get_mode(
    State(s): State<AppState>,
    Path(subject): Path<String>,
    f: Flags,
) -> ApiResult<Response> {
    Ok(ok(&ModeAnswer {
        mode: s
            .registry
            .subject_mode(&subject, f.default_to_global)
            .await?,
    }))
}

#[utoipa::path(put, path = "/mode", tag = "mode", request_body = ModeRequest, responses((status = 200, description = "the new mode", body = ModeAnswer), (status = 422, description = "42204", body = registry_api::ErrorBody)))]
async fn put_mode_global(
    State(s): State<AppState>,
    addr: Client,
    Body(body): Body<ModeRequest>,
) -> ApiResult<Response> {
    let mode = s.registry.set_mode("", &body.mode, &audit_of(addr)).await?;
    Ok(ok(&ModeAnswer { mode }))
}

#[utoipa::path(put, path = "/mode/{subject}", tag = "mode", params(("subject" = String, Path, description = "subject name")), request_body = ModeRequest, responses((status = 200, description = "the new mode", body = ModeAnswer)))]
async fn put_mode(
    State(s): State<AppState>,
    addr: Client,
    Path(subject): Path<String>,
    Body(body): Body<ModeRequest>,
) -> ApiResult<Response> {
    let mode = s
        .registry
        .set_mode(&subject, &body.mode, &audit_of(addr))
        .await?;
    Ok(ok(&ModeAnswer { mode }))
}

#[utoipa::path(delete, path = "/mode", tag = "mode", responses((status = 200, description = "the global mode before", body = ModeAnswer)))]
async fn delete_mode_global(State(s): State<AppState>, addr: Client) -> ApiResult<Response> {
    let mode = s.registry.delete_mode("", &audit_of(addr)).await?;
    Ok(ok(&ModeAnswer { mode }))
}

#[utoipa::path(delete, path = "/mode/{subject}", tag = "mode", params(("subject" = String, Path, description = "subject name")), responses((status = 200, description = "the subject's mode before", body = ModeAnswer), (status = 404, description = "40409", body = registry_api::ErrorBody)))]
async fn delete_mode(
    State(s): State<AppState>,
    addr: Client,
    Path(subject): Path<String>,
) -> ApiResult<Response> {
    let mode = s.registry.delete_mode(&subject, &audit_of(addr)).await?;
    Ok(ok(&ModeAnswer { mode }))
}
