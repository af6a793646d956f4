//! `/subjects`: listing, versions, registration, look-up by schema, soft and permanent deletes,
//! and the diff between two versions.

use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use registry_api::{RegisterAnswer, SchemaRequest, SubjectVersion};

use super::auth::Seen;
use super::{audit_of, ok, ApiResult, AppState, Body, Client, Flags};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/subjects", get(list))
        .route("/subjects/{subject}", post(lookup).delete(delete_subject))
        .route("/subjects/{subject}/versions", get(versions).post(register))
        .route(
            "/subjects/{subject}/versions/{version}",
            get(version).delete(delete_version),
        )
        .route(
            "/subjects/{subject}/versions/{version}/schema",
            get(version_schema),
        )
        .route(
            "/subjects/{subject}/versions/{version}/referencedby",
            get(referenced_by),
        )
        .route("/subjects/{subject}/versions/{version}/diff", get(diff))
        .route("/subjects/{subject}/metadata", get(with_metadata))
}

/// `GET /subjects/{s}/metadata?key=k&value=v[&key=…&value=…]`: keys and values pair up in
/// order, as Confluent's clients send them.
#[utoipa::path(get, path = "/subjects/{subject}/metadata", tag = "subjects", params(("subject" = String, Path, description = "subject name"), ("key" = Vec<String>, Query, description = "metadata property names"), ("value" = Vec<String>, Query, description = "their values, in the same order"), ("deleted" = Option<bool>, Query, description = "include soft-deleted versions")), responses((status = 200, description = "the newest version with those metadata properties", body = SubjectVersion), (status = 404, description = "40401 subject not found, 40403 no version has them", body = registry_api::ErrorBody)))]
async fn with_metadata(
    State(s): State<AppState>,
    Path(subject): Path<String>,
    f: Flags,
    axum::extract::Query(pairs): axum::extract::Query<Vec<(String, String)>>,
) -> ApiResult<Response> {
    let keys = pairs.iter().filter(|(k, _)| k == "key").map(|(_, v)| v);
    let values = pairs.iter().filter(|(k, _)| k == "value").map(|(_, v)| v);
    let (nk, nv) = (keys.clone().count(), values.clone().count());
    if nk != nv {
        return Err(super::ApiError::BadRequest(format!(
            "{nk} key(s) and {nv} value(s): each key needs its value"
        )));
    }
    let wanted: Vec<(String, String)> = keys.cloned().zip(values.cloned()).collect();
    let found = s
        .registry
        .latest_with_metadata(&subject, &wanted, f.deleted)
        .await?;
    Ok(ok(&found))
}

#[utoipa::path(get, path = "/subjects", tag = "subjects", params(("subjectPrefix" = Option<String>, Query, description = "only subjects starting with this"), ("deleted" = Option<bool>, Query, description = "include soft-deleted subjects"), ("deletedOnly" = Option<bool>, Query, description = "only soft-deleted subjects"), ("offset" = Option<i64>, Query, description = "skip this many"), ("limit" = Option<i64>, Query, description = "at most this many (negative: all)")), responses((status = 200, description = "subject names", body = Vec<String>)))]
async fn list(State(s): State<AppState>, f: Flags, seen: Seen) -> ApiResult<Response> {
    let mut names = s.registry.subjects(&f.listing()).await?;
    names.retain(|n| seen.covers(n));
    Ok(ok(&f.page(names)))
}

#[utoipa::path(get, path = "/subjects/{subject}/versions", tag = "subjects", params(("subject" = String, Path, description = "subject name"), ("deleted" = Option<bool>, Query, description = "include soft-deleted versions"), ("deletedOnly" = Option<bool>, Query, description = "only soft-deleted versions"), ("offset" = Option<i64>, Query, description = "skip this many"), ("limit" = Option<i64>, Query, description = "at most this many (negative: all)")), responses((status = 200, description = "version numbers", body = Vec<i64>), (status = 404, description = "40401 subject not found", body = registry_api::ErrorBody)))]
async fn versions(
    State(s): State<AppState>,
    Path(subject): Path<String>,
    f: Flags,
) -> ApiResult<Response> {
    let numbers = s.registry.version_numbers(&subject, &f.listing()).await?;
    Ok(ok(&f.page(numbers)))
}

#[utoipa::path(post, path = "/subjects/{subject}/versions", tag = "subjects", params(("subject" = String, Path, description = "subject name"), ("normalize" = Option<bool>, Query, description = "store the canonical form")), request_body = SchemaRequest, responses((status = 200, description = "the schema's global id", body = RegisterAnswer), (status = 409, description = "incompatible: every breaking change, typed, in `changes`", body = registry_api::ErrorBody), (status = 422, description = "42201 invalid schema, 42205 not permitted in this mode, 42210 invalid rule set", body = registry_api::ErrorBody)))]
async fn register(
    State(s): State<AppState>,
    addr: Client,
    Path(subject): Path<String>,
    f: Flags,
    Body(req): Body<SchemaRequest>,
) -> ApiResult<Response> {
    let done = s
        .registry
        .register(&subject, &req, f.normalize, &audit_of(addr))
        .await?;
    let guid = s.registry.schema_by_id(done.id).await?.guid;
    Ok(ok(&RegisterAnswer { id: done.id, guid }))
}

#[utoipa::path(get, path = "/subjects/{subject}/versions/{version}", tag = "subjects", params(("subject" = String, Path, description = "subject name"), ("version" = String, Path, description = "a version number or `latest`")), responses((status = 200, description = "the version", body = SubjectVersion), (status = 404, description = "40401, 40402", body = registry_api::ErrorBody), (status = 422, description = "42202 invalid version", body = registry_api::ErrorBody)))]
async fn version(
    State(s): State<AppState>,
    Path((subject, version)): Path<(String, String)>,
    f: Flags,
) -> ApiResult<Response> {
    let row = s
        .registry
        .find_version(&subject, &version, f.deleted)
        .await?;
    // One version's answer never changes for its schema id: served serialized once made.
    let key = super::RenderKey::Version(row.subject.clone(), row.version, row.schema_id);
    super::rendered(&s, key, s.registry.subject_version(&row)).await
}

#[utoipa::path(get, path = "/subjects/{subject}/versions/{version}/schema", tag = "subjects", params(("subject" = String, Path, description = "subject name"), ("version" = String, Path, description = "a version number or `latest`")), responses((status = 200, description = "the schema document")))]
async fn version_schema(
    State(s): State<AppState>,
    Path((subject, version)): Path<(String, String)>,
    f: Flags,
) -> ApiResult<Response> {
    let row = s
        .registry
        .find_version(&subject, &version, f.deleted)
        .await?;
    let schema = s.registry.subject_version(&row).await?.schema;
    Ok(super::raw_json(schema))
}

#[utoipa::path(get, path = "/subjects/{subject}/versions/{version}/referencedby", tag = "subjects", params(("subject" = String, Path, description = "subject name"), ("version" = String, Path, description = "a version number or `latest`")), responses((status = 200, description = "ids of schemas referencing this version", body = Vec<i64>)))]
async fn referenced_by(
    State(s): State<AppState>,
    Path((subject, version)): Path<(String, String)>,
) -> ApiResult<Response> {
    Ok(ok(&s.registry.referenced_by(&subject, &version).await?))
}

/// `POST /subjects/{subject}`: is this schema registered under the subject, and as which version?
#[utoipa::path(post, path = "/subjects/{subject}", tag = "subjects", params(("subject" = String, Path, description = "subject name")), request_body = SchemaRequest, responses((status = 200, description = "the version holding this schema", body = SubjectVersion), (status = 404, description = "40401, 40403", body = registry_api::ErrorBody)))]
async fn lookup(
    State(s): State<AppState>,
    Path(subject): Path<String>,
    f: Flags,
    Body(req): Body<SchemaRequest>,
) -> ApiResult<Response> {
    Ok(ok(&s
        .registry
        .lookup(&subject, &req, f.normalize, f.deleted)
        .await?))
}

#[utoipa::path(delete, path = "/subjects/{subject}/versions/{version}", tag = "subjects", params(("subject" = String, Path, description = "subject name"), ("version" = String, Path, description = "a version number or `latest`"), ("permanent" = Option<bool>, Query, description = "permanent delete (after a soft one)")), responses((status = 200, description = "the deleted version", body = i64), (status = 404, description = "40406, 40407", body = registry_api::ErrorBody)))]
async fn delete_version(
    State(s): State<AppState>,
    addr: Client,
    Path((subject, version)): Path<(String, String)>,
    f: Flags,
) -> ApiResult<Response> {
    let v = s
        .registry
        .delete_version(&subject, &version, f.permanent, &audit_of(addr))
        .await?;
    Ok(ok(&v))
}

#[utoipa::path(delete, path = "/subjects/{subject}", tag = "subjects", params(("subject" = String, Path, description = "subject name"), ("permanent" = Option<bool>, Query, description = "permanent delete (after a soft one)")), responses((status = 200, description = "the deleted versions", body = Vec<i64>), (status = 404, description = "40401, 40404, 40405", body = registry_api::ErrorBody)))]
async fn delete_subject(
    State(s): State<AppState>,
    addr: Client,
    Path(subject): Path<String>,
    f: Flags,
) -> ApiResult<Response> {
    let versions = s
        .registry
        .delete_subject(&subject, f.permanent, &audit_of(addr))
        .await?;
    Ok(ok(&versions))
}

/// `GET /subjects/{s}/versions/{v}/diff?against=w`: typed changes of v against w (default: the
/// version before v) under the subject's rules, and a unified text diff.
#[utoipa::path(get, path = "/subjects/{subject}/versions/{version}/diff", tag = "subjects", params(("subject" = String, Path, description = "subject name"), ("version" = String, Path, description = "a version number or `latest`"), ("against" = Option<String>, Query, description = "the other version (default: the previous one)")), responses((status = 200, description = "typed changes and a unified text diff")))]
async fn diff(
    State(s): State<AppState>,
    Path((subject, version)): Path<(String, String)>,
    f: Flags,
) -> ApiResult<Response> {
    Ok(ok(&s
        .registry
        .diff(&subject, &version, f.against.as_deref())
        .await?))
}
