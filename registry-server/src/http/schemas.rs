//! `/schemas`: schemas by global id (immutable, served from the cache), the subjects and versions
//! that use an id, and the supported schema types.

use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use serde_json::json;

use super::{ok, AppState};
use crate::error::{ApiError, ApiResult};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/schemas/types", get(types))
        .route("/schemas/ids/{id}", get(by_id))
        .route("/schemas/ids/{id}/schema", get(raw))
        .route("/schemas/ids/{id}/subjects", get(subjects))
        .route("/schemas/ids/{id}/versions", get(versions))
}

#[utoipa::path(get, path = "/schemas/types", tag = "schemas", responses((status = 200, description = "[\"JSON\"]")))]
async fn types() -> Response {
    ok(&["JSON"])
}

fn parse_id(id: &str) -> ApiResult<i64> {
    id.parse::<i64>()
        .ok()
        .filter(|i| *i > 0)
        .ok_or_else(|| ApiError::SchemaNotFound(id.to_string()))
}

#[utoipa::path(get, path = "/schemas/ids/{id}", tag = "schemas", params(("id" = i64, Path, description = "global schema id")), responses((status = 200, description = "schema, schemaType, references"), (status = 404, description = "40403")))]
async fn by_id(State(s): State<AppState>, Path(id): Path<String>) -> ApiResult<Response> {
    let schema = s
        .registry
        .schema(parse_id(&id)?)
        .await?
        .ok_or(ApiError::SchemaNotFound(id))?;
    let mut body = json!({"schema": schema.text, "schemaType": schema.schema_type});
    if !schema.refs.is_empty() {
        body["references"] = json!(schema.refs);
    }
    Ok(ok(&body))
}

#[utoipa::path(get, path = "/schemas/ids/{id}/schema", tag = "schemas", params(("id" = i64, Path, description = "global schema id")), responses((status = 200, description = "the schema document")))]
async fn raw(State(s): State<AppState>, Path(id): Path<String>) -> ApiResult<Response> {
    let schema = s
        .registry
        .schema(parse_id(&id)?)
        .await?
        .ok_or(ApiError::SchemaNotFound(id))?;
    let value: serde_json::Value =
        serde_json::from_str(&schema.text).map_err(|e| ApiError::Internal(e.to_string()))?;
    Ok(ok(&value))
}

#[utoipa::path(get, path = "/schemas/ids/{id}/subjects", tag = "schemas", params(("id" = i64, Path, description = "global schema id")), responses((status = 200, description = "subjects using the id")))]
async fn subjects(State(s): State<AppState>, Path(id): Path<String>) -> ApiResult<Response> {
    let id_n = parse_id(&id)?;
    s.registry
        .schema(id_n)
        .await?
        .ok_or_else(|| ApiError::SchemaNotFound(id.clone()))?;
    let mut names: Vec<String> = s
        .registry
        .store
        .usages(id_n)
        .await?
        .into_iter()
        .map(|v| v.subject)
        .collect();
    names.dedup();
    Ok(ok(&names))
}

#[utoipa::path(get, path = "/schemas/ids/{id}/versions", tag = "schemas", params(("id" = i64, Path, description = "global schema id")), responses((status = 200, description = "subject-version pairs using the id")))]
async fn versions(State(s): State<AppState>, Path(id): Path<String>) -> ApiResult<Response> {
    let id_n = parse_id(&id)?;
    s.registry
        .schema(id_n)
        .await?
        .ok_or_else(|| ApiError::SchemaNotFound(id.clone()))?;
    let pairs: Vec<_> = s
        .registry
        .store
        .usages(id_n)
        .await?
        .into_iter()
        .map(|v| json!({"subject": v.subject, "version": v.version}))
        .collect();
    Ok(ok(&pairs))
}
