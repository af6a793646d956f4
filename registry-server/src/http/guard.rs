//! Per-route work as one typed service: authorization (`auth::admit`) and the request's
//! metrics by route template. It runs inside the router because only there is the matched
//! template known; a hand-written future instead of two `from_fn` layers saves two boxed
//! futures and two state clones per request (bench/README.md).

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Instant;

use axum::extract::{MatchedPath, Request};
use axum::http::Method;
use axum::response::Response;

use super::AppState;

#[derive(Clone)]
pub struct GuardLayer {
    state: AppState,
}

impl GuardLayer {
    pub fn new(state: AppState) -> GuardLayer {
        GuardLayer { state }
    }
}

impl<S> tower::Layer<S> for GuardLayer {
    type Service = Guard<S>;
    fn layer(&self, inner: S) -> Guard<S> {
        Guard {
            inner,
            state: self.state.clone(),
        }
    }
}

#[derive(Clone)]
pub struct Guard<S> {
    inner: S,
    state: AppState,
}

/// What the metrics need once the answer is there.
struct Seen {
    state: AppState,
    // Clones that share their text (an `Arc` and a standard method): no allocation.
    route: Option<MatchedPath>,
    method: Method,
    start: Instant,
}

impl Seen {
    fn record(&self, r: &Response) {
        let route = self.route.as_ref().map_or("unmatched", |r| r.as_str());
        self.state.registry.metrics.request(
            self.method.as_str(),
            route,
            r.status().as_u16(),
            self.start.elapsed(),
        );
    }
}

impl<S> tower::Service<Request> for Guard<S>
where
    S: tower::Service<Request, Response = Response, Error = Infallible>,
{
    type Response = Response;
    type Error = Infallible;
    type Future = GuardFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut req: Request) -> Self::Future {
        let seen = Seen {
            state: self.state.clone(),
            route: req.extensions().get::<MatchedPath>().cloned(),
            method: req.method().clone(),
            start: Instant::now(),
        };
        match super::auth::admit(&self.state, &mut req) {
            Ok(()) => GuardFuture::Admitted {
                inner: self.inner.call(req),
                seen,
            },
            Err(refused) => {
                let refused = refused.answer(req.uri().path());
                seen.record(&refused);
                GuardFuture::Refused {
                    answer: Some(refused),
                }
            }
        }
    }
}

pin_project_lite::pin_project! {
    #[project = GuardProj]
    pub enum GuardFuture<F> {
        Admitted { #[pin] inner: F, seen: Seen },
        Refused { answer: Option<Response> },
    }
}

impl<F> Future for GuardFuture<F>
where
    F: Future<Output = Result<Response, Infallible>>,
{
    type Output = Result<Response, Infallible>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.project() {
            GuardProj::Admitted { inner, seen } => {
                let Ok(r) = std::task::ready!(inner.poll(cx));
                seen.record(&r);
                Poll::Ready(Ok(r))
            }
            GuardProj::Refused { answer } => match answer.take() {
                Some(r) => Poll::Ready(Ok(r)),
                // Polled again after it answered: tower never does this.
                None => Poll::Pending,
            },
        }
    }
}
