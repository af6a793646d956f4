//! `/subjects`: listing, versions, registration, look-up by schema, soft and permanent deletes,
//! and the text diff between two versions.

use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use serde_json::json;

use super::{audit_of, ok, parse_version, AppState, Body, Client, Flags, VersionId};
use crate::error::{ApiError, ApiResult};
use crate::registry::SchemaRequest;
use crate::store::VersionRow;

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
}

#[utoipa::path(get, path = "/subjects", tag = "subjects", params(("deleted" = Option<bool>, Query, description = "include soft-deleted subjects")), responses((status = 200, description = "subject names")))]
async fn list(State(s): State<AppState>, f: Flags) -> ApiResult<Response> {
    Ok(ok(&s.registry.store.subjects(f.deleted).await?))
}

/// The subject's rows, or 40401 when it has none visible.
async fn rows(s: &AppState, subject: &str, deleted: bool) -> ApiResult<Vec<VersionRow>> {
    let rows: Vec<VersionRow> = s
        .registry
        .store
        .versions(subject)
        .await?
        .into_iter()
        .filter(|v| deleted || !v.deleted)
        .collect();
    if rows.is_empty() {
        return Err(ApiError::SubjectNotFound(subject.to_string()));
    }
    Ok(rows)
}

pub async fn find_version(
    s: &AppState,
    subject: &str,
    version: &str,
    deleted: bool,
) -> ApiResult<VersionRow> {
    let id = parse_version(version)?;
    let rows = rows(s, subject, deleted).await?;
    let found = match id {
        VersionId::Latest => rows.iter().rev().find(|v| !v.deleted).or(rows.last()),
        VersionId::Number(n) => rows.iter().find(|v| v.version == n),
    };
    found
        .cloned()
        .ok_or_else(|| ApiError::VersionNotFound(version.to_string()))
}

#[utoipa::path(get, path = "/subjects/{subject}/versions", tag = "subjects", params(("subject" = String, Path, description = "subject name"), ("deleted" = Option<bool>, Query, description = "include soft-deleted versions")), responses((status = 200, description = "version numbers"), (status = 404, description = "40401 subject not found")))]
async fn versions(
    State(s): State<AppState>,
    Path(subject): Path<String>,
    f: Flags,
) -> ApiResult<Response> {
    let rows = rows(&s, &subject, f.deleted).await?;
    Ok(ok(&rows.iter().map(|v| v.version).collect::<Vec<_>>()))
}

#[utoipa::path(post, path = "/subjects/{subject}/versions", tag = "subjects", params(("subject" = String, Path, description = "subject name"), ("normalize" = Option<bool>, Query, description = "store the canonical form")), request_body = SchemaRequest, responses((status = 200, description = "{\"id\": n}"), (status = 409, description = "incompatible: every breaking change with its pointer"), (status = 422, description = "42201 invalid schema, 42205 not permitted in this mode")))]
async fn register(
    State(s): State<AppState>,
    addr: Client,
    Path(subject): Path<String>,
    f: Flags,
    Body(req): Body<SchemaRequest>,
) -> ApiResult<Response> {
    let (id, _version) = s
        .registry
        .register(&subject, &req, f.normalize, &audit_of(addr))
        .await?;
    Ok(ok(&json!({"id": id})))
}

async fn version_body(s: &AppState, row: &VersionRow) -> ApiResult<serde_json::Value> {
    let schema = s
        .registry
        .schema(row.schema_id)
        .await?
        .ok_or_else(|| ApiError::SchemaNotFound(row.schema_id.to_string()))?;
    let mut body = json!({"subject": row.subject, "version": row.version, "id": row.schema_id, "schemaType": schema.schema_type, "schema": schema.text});
    if !schema.refs.is_empty() {
        body["references"] = json!(schema.refs);
    }
    Ok(body)
}

#[utoipa::path(get, path = "/subjects/{subject}/versions/{version}", tag = "subjects", params(("subject" = String, Path, description = "subject name"), ("version" = String, Path, description = "a version number or `latest`")), responses((status = 200, description = "subject, version, id, schemaType, schema"), (status = 404, description = "40401, 40402"), (status = 422, description = "42202 invalid version")))]
async fn version(
    State(s): State<AppState>,
    Path((subject, version)): Path<(String, String)>,
    f: Flags,
) -> ApiResult<Response> {
    let row = find_version(&s, &subject, &version, f.deleted).await?;
    Ok(ok(&version_body(&s, &row).await?))
}

#[utoipa::path(get, path = "/subjects/{subject}/versions/{version}/schema", tag = "subjects", params(("subject" = String, Path, description = "subject name"), ("version" = String, Path, description = "a version number or `latest`")), responses((status = 200, description = "the schema document")))]
async fn version_schema(
    State(s): State<AppState>,
    Path((subject, version)): Path<(String, String)>,
    f: Flags,
) -> ApiResult<Response> {
    let row = find_version(&s, &subject, &version, f.deleted).await?;
    let schema = s
        .registry
        .schema(row.schema_id)
        .await?
        .ok_or_else(|| ApiError::SchemaNotFound(row.schema_id.to_string()))?;
    let value: serde_json::Value =
        serde_json::from_str(&schema.text).map_err(|e| ApiError::Internal(e.to_string()))?;
    Ok(ok(&value))
}

#[utoipa::path(get, path = "/subjects/{subject}/versions/{version}/referencedby", tag = "subjects", params(("subject" = String, Path, description = "subject name"), ("version" = String, Path, description = "a version number or `latest`")), responses((status = 200, description = "ids of schemas referencing this version")))]
async fn referenced_by(
    State(s): State<AppState>,
    Path((subject, version)): Path<(String, String)>,
) -> ApiResult<Response> {
    let row = find_version(&s, &subject, &version, false).await?;
    Ok(ok(&s
        .registry
        .store
        .referenced_by(&subject, row.version)
        .await?))
}

/// `POST /subjects/{subject}`: is this schema registered under the subject, and as which version?
#[utoipa::path(post, path = "/subjects/{subject}", tag = "subjects", params(("subject" = String, Path, description = "subject name")), request_body = SchemaRequest, responses((status = 200, description = "the version holding this schema"), (status = 404, description = "40401, 40403")))]
async fn lookup(
    State(s): State<AppState>,
    Path(subject): Path<String>,
    f: Flags,
    Body(req): Body<SchemaRequest>,
) -> ApiResult<Response> {
    let rows = rows(&s, &subject, f.deleted).await?;
    let cand = s.registry.candidate(&req, f.normalize).await?;
    let schema = s
        .registry
        .store
        .schema_by_fingerprint(&cand.fingerprint)
        .await?;
    let found = schema.and_then(|sc| rows.iter().rev().find(|v| v.schema_id == sc.id).cloned());
    match found {
        Some(row) => Ok(ok(&version_body(&s, &row).await?)),
        None => Err(ApiError::SchemaNotFound(
            "not registered under this subject".into(),
        )),
    }
}

#[utoipa::path(delete, path = "/subjects/{subject}/versions/{version}", tag = "subjects", params(("subject" = String, Path, description = "subject name"), ("version" = String, Path, description = "a version number or `latest`"), ("permanent" = Option<bool>, Query, description = "permanent delete (after a soft one)")), responses((status = 200, description = "the deleted version"), (status = 404, description = "40406, 40407")))]
async fn delete_version(
    State(s): State<AppState>,
    addr: Client,
    Path((subject, version)): Path<(String, String)>,
    f: Flags,
) -> ApiResult<Response> {
    if s.registry.effective_mode(&subject).await? == "READONLY" {
        return Err(ApiError::NotPermitted(format!(
            "Subject {subject} is in read-only mode"
        )));
    }
    let row = find_version(&s, &subject, &version, true).await?;
    if f.permanent && !row.deleted {
        return Err(ApiError::VersionNotSoftDeleted(subject, row.version));
    }
    if !f.permanent && row.deleted {
        return Err(ApiError::VersionSoftDeleted(subject, row.version));
    }
    if !s
        .registry
        .store
        .referenced_by(&subject, row.version)
        .await?
        .is_empty()
    {
        return Err(ApiError::Referenced(subject, row.version));
    }
    let mut audit = audit_of(addr);
    audit.subject = Some(subject.clone());
    let tx = s.registry.store.lock_subject(&subject).await?;
    tx.delete_versions(&[row.version], f.permanent, &audit)
        .await?;
    Ok(ok(&row.version))
}

#[utoipa::path(delete, path = "/subjects/{subject}", tag = "subjects", params(("subject" = String, Path, description = "subject name"), ("permanent" = Option<bool>, Query, description = "permanent delete (after a soft one)")), responses((status = 200, description = "the deleted versions"), (status = 404, description = "40401, 40404, 40405")))]
async fn delete_subject(
    State(s): State<AppState>,
    addr: Client,
    Path(subject): Path<String>,
    f: Flags,
) -> ApiResult<Response> {
    if s.registry.effective_mode(&subject).await? == "READONLY" {
        return Err(ApiError::NotPermitted(format!(
            "Subject {subject} is in read-only mode"
        )));
    }
    let all = rows(&s, &subject, true).await?;
    let live: Vec<i64> = all
        .iter()
        .filter(|v| !v.deleted)
        .map(|v| v.version)
        .collect();
    if f.permanent && !live.is_empty() {
        return Err(ApiError::SubjectNotSoftDeleted(subject));
    }
    if !f.permanent && live.is_empty() {
        return Err(ApiError::SubjectSoftDeleted(subject));
    }
    let targets: Vec<i64> = if f.permanent {
        all.iter().map(|v| v.version).collect()
    } else {
        live
    };
    let mut audit = audit_of(addr);
    audit.subject = Some(subject.clone());
    let tx = s.registry.store.lock_subject(&subject).await?;
    tx.delete_versions(&targets, f.permanent, &audit).await?;
    Ok(ok(&targets))
}

/// `GET /subjects/{s}/versions/{v}/diff?against=w`: typed changes of v against w (default: the
/// version before v) under the subject's rules, and a unified text diff.
#[utoipa::path(get, path = "/subjects/{subject}/versions/{version}/diff", tag = "subjects", params(("subject" = String, Path, description = "subject name"), ("version" = String, Path, description = "a version number or `latest`"), ("against" = Option<String>, Query, description = "the other version (default: the previous one)")), responses((status = 200, description = "typed changes and a unified text diff")))]
async fn diff(
    State(s): State<AppState>,
    Path((subject, version)): Path<(String, String)>,
    f: Flags,
) -> ApiResult<Response> {
    let new_row = find_version(&s, &subject, &version, true).await?;
    let old_row = match &f.against {
        Some(w) => find_version(&s, &subject, w, true).await?,
        None => {
            let all = rows(&s, &subject, true).await?;
            all.iter()
                .rev()
                .find(|v| v.version < new_row.version)
                .cloned()
                .ok_or_else(|| ApiError::VersionNotFound(format!("before {}", new_row.version)))?
        }
    };
    let new_schema = s
        .registry
        .schema(new_row.schema_id)
        .await?
        .ok_or_else(|| ApiError::SchemaNotFound(new_row.schema_id.to_string()))?;
    let old_schema = s
        .registry
        .schema(old_row.schema_id)
        .await?
        .ok_or_else(|| ApiError::SchemaNotFound(old_row.schema_id.to_string()))?;
    let req = crate::registry::SchemaRequest {
        schema: new_schema.text.clone(),
        schema_type: None,
        references: new_schema.refs.clone(),
        id: None,
        version: None,
    };
    let cand = s.registry.candidate(&req, false).await?;
    let (_, rules) = s.registry.effective_config(&subject).await?;
    let rules = rules.parse().map_err(ApiError::InvalidRules)?;
    let report = s
        .registry
        .compare(&old_row, &cand, schema_core::Mode::Full, rules)
        .await?;
    let pretty = |t: &str| {
        serde_json::from_str::<serde_json::Value>(t)
            .ok()
            .and_then(|v| serde_json::to_string_pretty(&v).ok())
            .unwrap_or_else(|| t.to_string())
    };
    let (a, b) = (
        pretty(&old_schema.text) + "\n",
        pretty(&new_schema.text) + "\n",
    );
    let text = similar::TextDiff::from_lines(&a, &b)
        .unified_diff()
        .header(
            &format!("{subject} v{}", old_row.version),
            &format!("{subject} v{}", new_row.version),
        )
        .to_string();
    Ok(ok(
        &json!({"subject": subject, "from": old_row.version, "to": new_row.version, "report": report, "text_diff": text}),
    ))
}
