//! `/schemas`: schemas by global id (immutable, served from the cache), the subjects and versions
//! that use an id, and the supported schema types.

use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use registry_api::{SchemaById, SubjectVersionPair};

use super::auth::Seen;
use super::{ok, ApiResult, AppState};
use crate::domain::Error;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/schemas", get(list))
        .route("/contexts", get(contexts))
        .route("/schemas/types", get(types))
        .route("/schemas/ids/{id}", get(by_id))
        .route("/schemas/ids/{id}/schema", get(raw))
        .route("/schemas/ids/{id}/subjects", get(subjects))
        .route("/schemas/ids/{id}/versions", get(versions))
        .route("/schemas/guids/{guid}", get(by_guid))
}

#[utoipa::path(get, path = "/schemas/guids/{guid}", tag = "schemas", params(("guid" = String, Path, description = "the schema's GUID (Confluent 8)")), responses((status = 200, description = "the schema", body = SchemaById), (status = 404, description = "40403", body = registry_api::ErrorBody)))]
async fn by_guid(
    State(s): State<AppState>,
    Path(guid): Path<String>,
    seen: Seen,
) -> ApiResult<Response> {
    let (id, schema) = s.registry.schema_by_guid(&guid).await?;
    visible(&s, &seen, id).await?;
    Ok(ok(&schema))
}

#[utoipa::path(get, path = "/schemas", tag = "schemas", params(("subjectPrefix" = Option<String>, Query, description = "only subjects starting with this"), ("deleted" = Option<bool>, Query, description = "include soft-deleted versions"), ("latestOnly" = Option<bool>, Query, description = "only each subject's latest version"), ("offset" = Option<i64>, Query, description = "skip this many"), ("limit" = Option<i64>, Query, description = "at most this many (negative: all)")), responses((status = 200, description = "subject versions with their schemas", body = Vec<registry_api::SubjectVersion>)))]
async fn list(State(s): State<AppState>, f: super::Flags, seen: Seen) -> ApiResult<Response> {
    let mut all = s.registry.list_schemas(&f.listing()).await?;
    all.retain(|v| seen.covers(&v.subject));
    Ok(ok(&f.page(all)))
}

/// An id from a path, when the token may see its schema.
async fn visible_id(s: &AppState, seen: &Seen, id: &str) -> Result<i64, Error> {
    let id = parse_id(id)?;
    visible(s, seen, id).await?;
    Ok(id)
}

/// A scoped token sees a schema only when a subject in its scope uses it: else 40403, as for
/// an id that does not exist.
async fn visible(s: &AppState, seen: &Seen, id: i64) -> Result<(), Error> {
    if seen.0.is_none() {
        return Ok(());
    }
    let usages = s.registry.usages(id).await?;
    if usages.iter().any(|u| seen.covers(&u.subject)) {
        Ok(())
    } else {
        Err(Error::SchemaNotFound(id.to_string()))
    }
}

/// Confluent's schema contexts: the default one and each named by a context-qualified
/// subject (`:.staging:orders-value`), as far as the token sees them.
#[utoipa::path(get, path = "/contexts", tag = "schemas", responses((status = 200, description = "[\".\", \".staging\", …]", body = Vec<String>)))]
async fn contexts(State(s): State<AppState>, seen: Seen) -> ApiResult<Response> {
    let mut all = s.registry.contexts().await?;
    if let Some(prefix) = &seen.0 {
        // A scoped token learns only of contexts its own subjects are in.
        let own = prefix
            .strip_prefix(':')
            .and_then(|r| r.split_once(':'))
            .map_or(".", |(c, _)| c);
        all.retain(|c| c == "." || c == own);
    }
    Ok(ok(&all))
}

#[utoipa::path(get, path = "/schemas/types", tag = "schemas", responses((status = 200, description = "[\"JSON\"]", body = Vec<String>)))]
async fn types() -> Response {
    ok(&["JSON"])
}

/// An id as written in a path: anything but a positive number is no schema.
pub(super) fn parse_id(id: &str) -> Result<i64, Error> {
    id.parse::<i64>()
        .ok()
        .filter(|i| *i > 0)
        .ok_or_else(|| Error::SchemaNotFound(id.to_string()))
}

#[utoipa::path(get, path = "/schemas/ids/{id}", tag = "schemas", params(("id" = i64, Path, description = "global schema id")), responses((status = 200, description = "the schema", body = SchemaById), (status = 404, description = "40403", body = registry_api::ErrorBody)))]
async fn by_id(
    State(s): State<AppState>,
    Path(id): Path<String>,
    seen: Seen,
) -> ApiResult<Response> {
    let id = visible_id(&s, &seen, &id).await?;
    super::rendered(
        &s,
        super::RenderKey::SchemaById(id),
        s.registry.schema_by_id(id),
    )
    .await
}

#[utoipa::path(get, path = "/schemas/ids/{id}/schema", tag = "schemas", params(("id" = i64, Path, description = "global schema id")), responses((status = 200, description = "the schema document")))]
async fn raw(State(s): State<AppState>, Path(id): Path<String>, seen: Seen) -> ApiResult<Response> {
    let id = visible_id(&s, &seen, &id).await?;
    let schema = s.registry.schema_by_id(id).await?;
    Ok(super::raw_json(schema.schema))
}

#[utoipa::path(get, path = "/schemas/ids/{id}/subjects", tag = "schemas", params(("id" = i64, Path, description = "global schema id")), responses((status = 200, description = "subjects using the id", body = Vec<String>)))]
async fn subjects(
    State(s): State<AppState>,
    Path(id): Path<String>,
    seen: Seen,
) -> ApiResult<Response> {
    let id = visible_id(&s, &seen, &id).await?;
    let mut names: Vec<String> = s
        .registry
        .usages(id)
        .await?
        .into_iter()
        .map(|v| v.subject)
        .filter(|n| seen.covers(n))
        .collect();
    names.dedup();
    Ok(ok(&names))
}

#[utoipa::path(get, path = "/schemas/ids/{id}/versions", tag = "schemas", params(("id" = i64, Path, description = "global schema id")), responses((status = 200, description = "subject-version pairs using the id", body = Vec<SubjectVersionPair>)))]
async fn versions(
    State(s): State<AppState>,
    Path(id): Path<String>,
    seen: Seen,
) -> ApiResult<Response> {
    let id = visible_id(&s, &seen, &id).await?;
    let mut pairs = s.registry.usages(id).await?;
    pairs.retain(|p| seen.covers(&p.subject));
    Ok(ok(&pairs))
}
