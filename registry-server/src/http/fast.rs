//! The fast lane for the hottest read, `GET /schemas/ids/{id}` (every deserializer asks it):
//! when the answer is already held serialized, it is served in front of the router, with the
//! same authorization (`auth::admit`) and the same metrics as the routed request. Anything else
//! (a query string, a miss, another method) goes through the router, which fills the cache.
//! It saves routing, extraction, the timer of the request timeout and a boxed future: the
//! answer is a cache look-up, it cannot hang or need a timeout.

use std::time::Instant;

use axum::extract::Request;
use axum::http::Method;
use axum::response::{IntoResponse, Response};

use super::{AppState, RenderKey};

/// The template the router gives the same route: one series in `/metrics` for both lanes.
const ROUTE: &str = "/schemas/ids/{id}";

#[derive(Clone)]
pub struct FastLane {
    state: AppState,
}

impl FastLane {
    pub fn new(state: AppState) -> FastLane {
        FastLane { state }
    }

    /// The answer when this lane can give it; `None` sends the request to the router.
    pub fn answer(&self, req: &mut Request) -> Option<Response> {
        if req.method() != Method::GET || req.uri().query().is_some() {
            return None;
        }
        let id = req.uri().path().strip_prefix("/schemas/ids/")?;
        // Digits only (`parse` also takes `+5`): the router answers anything else.
        if !id.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let id = super::schemas::parse_id(id).ok()?;
        let body = self.state.rendered.get(&RenderKey::SchemaById(id))?;
        let start = Instant::now();
        let answer = match super::auth::admit(&self.state, req) {
            // A scoped token sees a schema only through a subject in its scope: the router
            // checks which subjects use it.
            Ok(()) if req.extensions().get::<super::auth::Visible>().is_some() => return None,
            Ok(()) => super::bytes_answer(body),
            Err(refused) => refused.into_response(),
        };
        self.state.registry.metrics.request(
            "GET",
            ROUTE,
            answer.status().as_u16(),
            start.elapsed(),
        );
        Some(answer)
    }
}
