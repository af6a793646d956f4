//! The outer middleware as one service: the request id (taken from `x-request-id` or made up,
//! echoed on the answer), load shedding, the request timeout, a caught panic answered 500, and
//! the request's trace span. One service instead of five layers: each layer cost 2–6 % of a
//! cached read (bench/README.md), mostly in the futures and clones between them.

use std::convert::Infallible;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use futures_util::future::BoxFuture;
use futures_util::FutureExt;
use tracing::Instrument;

const REQUEST_ID: &str = "x-request-id";

/// Request ids for requests that come without one: a per-process prefix and a counter, unique
/// per process start and free to make (a random UUID per request costs a system call).
#[derive(Clone)]
struct RequestIds {
    prefix: Arc<str>,
    next: Arc<std::sync::atomic::AtomicU64>,
}

impl RequestIds {
    fn new() -> RequestIds {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64);
        RequestIds {
            prefix: format!("{:x}{:08x}", std::process::id(), nanos & 0xffff_ffff).into(),
            next: Arc::default(),
        }
    }

    fn next(&self) -> HeaderValue {
        use std::io::Write;
        let n = self.next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        // Written on the stack, copied once into the header (a `format!` would allocate twice).
        let mut buf = [0u8; 64];
        let mut w = &mut buf[..];
        let len = match write!(w, "{}-{n}", self.prefix) {
            Ok(()) => 64 - w.len(),
            Err(_) => 0,
        };
        // Hex digits, a dash and a number: always a valid header value.
        buf.get(..len)
            .and_then(|b| HeaderValue::from_bytes(b).ok())
            .unwrap_or_else(|| HeaderValue::from_static("-"))
    }
}

/// See the module documentation.
#[derive(Clone)]
pub struct FrontLayer {
    ids: RequestIds,
    in_flight: Arc<tokio::sync::Semaphore>,
    timeout: Duration,
    fast: Option<super::FastLane>,
}

impl FrontLayer {
    pub fn new(max_in_flight: usize, timeout: Duration) -> FrontLayer {
        FrontLayer {
            ids: RequestIds::new(),
            in_flight: Arc::new(tokio::sync::Semaphore::new(max_in_flight)),
            timeout,
            fast: None,
        }
    }

    /// Serves what the fast lane can answer before routing.
    pub fn with_fast_lane(mut self, fast: super::FastLane) -> FrontLayer {
        self.fast = Some(fast);
        self
    }
}

impl<S> tower::Layer<S> for FrontLayer {
    type Service = Front<S>;
    fn layer(&self, inner: S) -> Front<S> {
        Front {
            inner,
            front: self.clone(),
        }
    }
}

#[derive(Clone)]
pub struct Front<S> {
    inner: S,
    front: FrontLayer,
}

/// An answer in Confluent's error shape, with the request id.
fn refuse(status: StatusCode, code: i64, message: String, retry: Option<&'static str>) -> Response {
    let body = registry_api::ErrorBody {
        error_code: code,
        message,
        changes: Vec::new(),
    };
    let mut r = super::reply(status, &body);
    if let Some(after) = retry {
        r.headers_mut().insert(
            axum::http::header::RETRY_AFTER,
            HeaderValue::from_static(after),
        );
    }
    r
}

impl<S> tower::Service<Request> for Front<S>
where
    S: tower::Service<Request, Response = Response, Error = Infallible> + Clone + Send + 'static,
    S::Future: Send + 'static,
{
    type Response = Response;
    type Error = Infallible;
    type Future = BoxFuture<'static, Result<Response, Infallible>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut req: Request) -> Self::Future {
        let id = match req.headers().get(REQUEST_ID) {
            Some(v) => v.clone(),
            None => {
                let made = self.front.ids.next();
                req.headers_mut().insert(REQUEST_ID, made.clone());
                made
            }
        };
        let with_id = move |mut r: Response| {
            r.headers_mut().insert(REQUEST_ID, id.clone());
            r
        };
        if let Some(r) = self.front.fast.as_ref().and_then(|f| f.answer(&mut req)) {
            return Box::pin(std::future::ready(Ok(with_id(r))));
        }
        // Past the in-flight limit a request is answered at once instead of queueing without
        // bound; the probes always pass, so a busy replica is not taken for a dead one.
        let probe = matches!(req.uri().path(), "/healthz" | "/readyz");
        let permit = if probe {
            None
        } else {
            match self.front.in_flight.clone().try_acquire_owned() {
                Ok(p) => Some(p),
                Err(_) => {
                    let r = refuse(
                        StatusCode::SERVICE_UNAVAILABLE,
                        50301,
                        "the registry is at its in-flight request limit; retry shortly".into(),
                        Some("1"),
                    );
                    return Box::pin(std::future::ready(Ok(with_id(r))));
                }
            }
        };
        let span = tracing::info_span!(
            "request",
            method = %req.method(),
            uri = %req.uri(),
            request_id = ?req.headers().get(REQUEST_ID),
        );
        // The clone that was made ready is the one called (tower's usual swap).
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        let timeout = self.front.timeout;
        Box::pin(
            async move {
                let answer = AssertUnwindSafe(inner.call(req)).catch_unwind();
                let r = match tokio::time::timeout(timeout, answer).await {
                    Ok(Ok(Ok(r))) => r,
                    Ok(Ok(Err(never))) => match never {},
                    Ok(Err(panic)) => super::panic_response(panic),
                    Err(_) => refuse(
                        StatusCode::REQUEST_TIMEOUT,
                        40801,
                        format!(
                            "the request took longer than the registry's {} ms",
                            timeout.as_millis()
                        ),
                        None,
                    ),
                };
                drop(permit);
                Ok(with_id(r.into_response()))
            }
            .instrument(span),
        )
    }
}
