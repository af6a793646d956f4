//! The HTTP layer: one `router()` per resource module merged here, the Confluent content type,
//! and the request helpers every handler shares (JSON bodies, version ids, query flags).

pub(crate) mod audit;
pub mod auth;
mod compat;
mod config;
pub mod error;
mod fast;
mod front;
mod guard;
mod openapi;
mod schemas;
mod subjects;
mod ui;
mod validate;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{ConnectInfo, FromRequest, Request, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde::de::DeserializeOwned;
use serde::Serialize;

pub use error::{ApiError, ApiResult};
pub use fast::FastLane;
pub use front::FrontLayer;
pub use guard::GuardLayer;

use crate::domain::{Audit, Registry};

pub use registry_api::CONTENT_TYPE;

/// The handlers' state. Cloned for every request and every middleware, so it is one `Arc`.
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

impl AppState {
    pub fn new(shared: Shared) -> AppState {
        AppState(Arc::new(shared))
    }
}

impl std::ops::Deref for AppState {
    type Target = Shared;
    fn deref(&self) -> &Shared {
        &self.0
    }
}

pub struct Shared {
    pub registry: Arc<Registry>,
    pub max_body: usize,
    /// API tokens; `None` (or none in the table) runs open.
    pub tokens: Option<Arc<crate::auth::Tokens>>,
    /// See `AppOptions::open_without_tokens`.
    pub open_without_tokens: bool,
    /// Answers that never change, kept serialized (see [`rendered`]).
    pub rendered: Rendered,
}

/// What an immutable answer is keyed by.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum RenderKey {
    /// `GET /schemas/ids/{id}`.
    SchemaById(i64),
    /// `GET /subjects/{s}/versions/{v}`: a version's answer never changes for one schema id.
    Version(String, i64, i64),
}

/// Serialized immutable answers, bounded by bytes (keys can come from clients).
pub type Rendered = moka::sync::Cache<RenderKey, Bytes>;

/// At most this many bytes of serialized answers are kept.
const RENDERED_BYTES: u64 = 64 << 20;

pub fn rendered_cache() -> Rendered {
    moka::sync::Cache::builder()
        .weigher(|_, v: &Bytes| u32::try_from(v.len()).unwrap_or(u32::MAX))
        .max_capacity(RENDERED_BYTES)
        .build()
}

/// An immutable answer: served from its serialized form when held, else made, kept and
/// served. Serializing a schema (a JSON text inside JSON) costs more than the rest of a read.
pub async fn rendered<T, F>(s: &AppState, key: RenderKey, make: F) -> ApiResult<Response>
where
    T: Serialize,
    F: std::future::Future<Output = Result<T, crate::domain::Error>>,
{
    if let Some(b) = s.rendered.get(&key) {
        return Ok(bytes_answer(b));
    }
    let body = Bytes::from(
        serde_json::to_vec(&make.await?)
            .map_err(|e| crate::domain::Error::Internal(format!("serializing an answer: {e}")))?,
    );
    s.rendered.insert(key, body.clone());
    Ok(bytes_answer(body))
}

pub(super) fn bytes_answer(body: Bytes) -> Response {
    (StatusCode::OK, [(header::CONTENT_TYPE, CONTENT_TYPE)], body).into_response()
}

pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/", get(|| async { ok(&serde_json::json!({})) }))
        .route("/healthz", get(healthz))
        .route("/openapi.json", get(|| async { ok(&openapi::document()) }))
        .route("/readyz", get(readyz))
        .route("/audit", get(audit::audit))
        .route("/metrics", get(metrics))
        .route("/v1/metadata/id", get(server_id))
        .route("/v1/metadata/version", get(server_version))
        .merge(subjects::router())
        .merge(schemas::router())
        .merge(config::router())
        .merge(compat::router())
        .merge(validate::router())
        .merge(ui::router())
        .fallback(
            |uri: axum::http::Uri, method: axum::http::Method| async move {
                ApiError::NoRoute(format!("{method} {}", uri.path()))
            },
        )
        .with_state(state)
}

/// Confluent's server identity: clients and UIs read the registry's cluster id here.
#[utoipa::path(get, path = "/v1/metadata/id", tag = "ops", responses((status = 200, description = "the registry's scope and cluster id")))]
async fn server_id() -> Response {
    ok(&serde_json::json!({
        "scope": {"path": [], "clusters": {"schema-registry-cluster": "schemagate"}},
        "id": "schemagate"
    }))
}

/// Confluent's server version: this registry's own version, and no commit id.
#[utoipa::path(get, path = "/v1/metadata/version", tag = "ops", responses((status = 200, description = "the registry's version")))]
async fn server_version() -> Response {
    ok(&serde_json::json!({
        "version": env!("CARGO_PKG_VERSION"),
        "commitId": ""
    }))
}

#[utoipa::path(get, path = "/healthz", tag = "ops", responses((status = 200, description = "the process is up")))]
async fn healthz() -> Response {
    ok(&serde_json::json!({"status": "ok"}))
}

#[utoipa::path(get, path = "/readyz", tag = "ops", responses((status = 200, description = "database reachable"), (status = 503, description = "database unreachable")))]
async fn readyz(State(s): State<AppState>) -> Response {
    if s.registry.ready().await {
        ok(&serde_json::json!({"status": "ready"}))
    } else {
        reply(
            StatusCode::SERVICE_UNAVAILABLE,
            &serde_json::json!({"status": "database unreachable"}),
        )
    }
}

#[utoipa::path(get, path = "/metrics", tag = "ops", responses((status = 200, description = "Prometheus text format")))]
async fn metrics(State(s): State<AppState>) -> Response {
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        s.registry.metrics.render(),
    )
        .into_response()
}

/// A JSON response with Confluent's content type.
pub fn reply<T: Serialize + ?Sized>(status: StatusCode, body: &T) -> Response {
    let text = serde_json::to_string(body).unwrap_or_else(|_| "{}".into());
    (status, [(header::CONTENT_TYPE, CONTENT_TYPE)], text).into_response()
}

pub fn ok<T: Serialize + ?Sized>(body: &T) -> Response {
    reply(StatusCode::OK, body)
}

/// A stored schema text served as the JSON document it is, byte for byte.
pub fn raw_json(text: String) -> Response {
    (StatusCode::OK, [(header::CONTENT_TYPE, CONTENT_TYPE)], text).into_response()
}

/// A JSON request body, whatever its content type (Confluent clients send their own), with
/// parse errors and oversized bodies answered in Confluent's error format.
pub struct Body<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Body<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let limit = req
            .extensions()
            .get::<BodyLimit>()
            .map(|l| l.0)
            .unwrap_or(usize::MAX);
        let bytes = Bytes::from_request(req, state).await.map_err(|e| {
            if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::PayloadTooLarge(limit)
            } else {
                ApiError::BadRequest(e.body_text())
            }
        })?;
        serde_json::from_slice(&bytes)
            .map(Body)
            .map_err(|e| ApiError::BadRequest(e.to_string()))
    }
}

/// The configured body limit, for error messages.
#[derive(Clone, Copy)]
pub struct BodyLimit(pub usize);

/// Query flags Confluent spells `?deleted=true`, `?permanent=true`, `?normalize=true`,
/// `?verbose=true`. Clients write booleans as `true`, `True` or `1`; unknown parameters are
/// ignored, as Confluent does.
#[derive(Debug, Default)]
pub struct Flags {
    pub deleted: bool,
    pub permanent: bool,
    pub normalize: bool,
    pub verbose: bool,
    pub default_to_global: bool,
    pub against: Option<String>,
    pub deleted_only: bool,
    pub latest_only: bool,
    pub subject_prefix: String,
    /// Paging: skip `offset`, keep at most `limit` (negative: all).
    pub offset: usize,
    pub limit: i64,
}

impl Flags {
    /// The listing filter these flags ask for.
    pub fn listing(&self) -> crate::domain::Listing {
        crate::domain::Listing {
            prefix: self.subject_prefix.clone(),
            deleted: self.deleted,
            deleted_only: self.deleted_only,
            latest_only: self.latest_only,
        }
    }

    /// One page of a listing.
    pub fn page<T>(&self, items: Vec<T>) -> Vec<T> {
        let keep = usize::try_from(self.limit).unwrap_or(usize::MAX);
        items.into_iter().skip(self.offset).take(keep).collect()
    }
}

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for Flags {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, ApiError> {
        let axum::extract::Query(q) = axum::extract::Query::<
            std::collections::HashMap<String, String>,
        >::from_request_parts(parts, state)
        .await
        .map_err(|e| ApiError::BadRequest(e.body_text()))?;
        let number = |k: &str, default: i64| -> Result<i64, ApiError> {
            match q.get(k) {
                None => Ok(default),
                Some(v) => v.trim().parse().map_err(|_| {
                    ApiError::BadRequest(format!("{k} must be an integer, got {v:?}"))
                }),
            }
        };
        let flag = |k: &str| {
            q.get(k)
                .is_some_and(|v| matches!(v.to_ascii_lowercase().as_str(), "true" | "1" | "yes"))
        };
        Ok(Flags {
            deleted: flag("deleted"),
            permanent: flag("permanent"),
            normalize: flag("normalize"),
            verbose: flag("verbose"),
            default_to_global: flag("defaultToGlobal"),
            deleted_only: flag("deletedOnly"),
            latest_only: flag("latestOnly"),
            subject_prefix: q.get("subjectPrefix").cloned().unwrap_or_default(),
            offset: number("offset", 0)?.max(0) as usize,
            limit: number("limit", -1)?,
            against: q.get("against").cloned(),
        })
    }
}

/// The peer address of a request (when the server was started with connect info) and the
/// principal the auth middleware found.
pub struct Client(pub Option<SocketAddr>, pub String);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for Client {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _: &S,
    ) -> Result<Self, Self::Rejection> {
        Ok(Client(
            parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|c| c.0),
            parts
                .extensions
                .get::<crate::auth::Principal>()
                .map(|p| p.0.to_string())
                .unwrap_or_else(|| "anonymous".into()),
        ))
    }
}

/// Who and where a mutation came from, for the audit log.
pub fn audit_of(client: Client) -> Audit {
    Audit {
        principal: client.1,
        address: client
            .0
            .map(|a| a.ip().to_string())
            .unwrap_or_else(|| "unknown".into()),
        subject: None,
        detail: serde_json::json!({}),
    }
}

/// A handler that panicked: a 500 with Confluent's internal error code and a log line, never a
/// dropped connection.
pub fn panic_response(panic: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let msg = crate::panic::panic_message(panic.as_ref());
    ApiError::from(crate::domain::Error::Internal(format!(
        "a handler panicked: {msg}"
    )))
    .into_response()
}
