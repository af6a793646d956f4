//! The tower layer. A request's body is read (up to the limit), parsed once into a tape
//! (`schema_core::payload`), routed to a validator by subject and `schema_version`, and either
//! handed on to the inner service byte for byte or answered with a [`Rejection`]. The common
//! case, a cached validator, runs without an `.await`; only a cache miss waits for the registry.

use std::borrow::Cow;
use std::cell::RefCell;
use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use registry_client::{Lookup, ValidatorCache, Verdict};
use schema_core::payload::{Field, Reader};
use tower::{Layer, Service};

use crate::config::{EdgeConfig, SubjectFrom};
use crate::metrics::EdgeMetrics;
use crate::reject::Rejection;

struct Shared {
    cache: Arc<ValidatorCache>,
    config: EdgeConfig,
    metrics: Arc<EdgeMetrics>,
}

/// Validates JSON bodies before the wrapped service sees them.
#[derive(Clone)]
pub struct ValidateEventsLayer {
    shared: Arc<Shared>,
}

impl ValidateEventsLayer {
    pub fn new(cache: Arc<ValidatorCache>, config: EdgeConfig) -> ValidateEventsLayer {
        ValidateEventsLayer {
            shared: Arc::new(Shared {
                cache,
                config,
                metrics: Arc::new(EdgeMetrics::default()),
            }),
        }
    }

    /// The layer's counters (shared by every service it makes).
    pub fn metrics(&self) -> Arc<EdgeMetrics> {
        self.shared.metrics.clone()
    }
}

impl<S> Layer<S> for ValidateEventsLayer {
    type Service = ValidateEvents<S>;

    fn layer(&self, inner: S) -> ValidateEvents<S> {
        ValidateEvents {
            inner,
            shared: self.shared.clone(),
        }
    }
}

#[derive(Clone)]
pub struct ValidateEvents<S> {
    inner: S,
    shared: Arc<Shared>,
}

impl<S> Service<Request> for ValidateEvents<S>
where
    S: Service<Request, Response = Response, Error = Infallible> + Clone + Send + 'static,
    S::Future: Send + 'static,
{
    type Response = Response;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Response, Infallible>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        // The clone is the one polled ready; `self.inner` stays for the next call.
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        let shared = self.shared.clone();
        Box::pin(async move {
            let (parts, body) = request.into_parts();
            match admit(&shared, &parts.headers, body).await {
                Ok(bytes) => {
                    inner
                        .call(Request::from_parts(parts, Body::from(bytes)))
                        .await
                }
                Err(rejection) => {
                    count(&shared.metrics, &rejection);
                    Ok(rejection.into_response())
                }
            }
        })
    }
}

fn count(m: &EdgeMetrics, r: &Rejection) {
    use registry_client::CacheError as C;
    let counter = match r {
        Rejection::TooLarge { .. } => &m.too_large,
        Rejection::NotJson { .. } => &m.not_json,
        Rejection::NoSubject { .. } | Rejection::Lookup(C::UnknownSubject { .. }) => {
            &m.unknown_subject
        }
        Rejection::BadVersion { .. } | Rejection::Lookup(C::UnknownVersion { .. }) => {
            &m.unknown_version
        }
        Rejection::Invalid { .. } => &m.invalid,
        Rejection::RuleFailed {
            dead_letter: true, ..
        } => &m.rules_dead_letter,
        Rejection::RuleFailed { .. } => &m.rules_rejected,
        Rejection::Lookup(_) => &m.unavailable,
    };
    EdgeMetrics::bump(counter);
}

/// Reads and judges a body; answers the bytes to pass on.
async fn admit(shared: &Shared, headers: &HeaderMap, body: Body) -> Result<Bytes, Rejection> {
    let limit = shared.config.max_body;
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(Rejection::TooLarge { limit });
    }
    let bytes = axum::body::to_bytes(body, limit).await.map_err(|e| {
        let too_large = std::error::Error::source(&e)
            .is_some_and(|s| s.to_string().contains("length limit"))
            || e.to_string().contains("length limit");
        if too_large {
            Rejection::TooLarge { limit }
        } else {
            Rejection::NotJson {
                message: format!("cannot read the body: {e}"),
            }
        }
    })?;
    match judge(shared, headers, &bytes, None) {
        Step::Done(verdict) => verdict.map(|()| bytes),
        Step::Fetch { subject, version } => {
            let lookup = shared
                .cache
                .get(&subject, version.as_deref())
                .await
                .map_err(Rejection::Lookup)?;
            match judge(shared, headers, &bytes, Some(lookup)) {
                Step::Done(verdict) => verdict.map(|()| bytes),
                Step::Fetch { .. } => unreachable!("a lookup was given"),
            }
        }
    }
}

enum Step {
    Done(Result<(), Rejection>),
    /// The validator is not cached: fetch it, then judge again.
    Fetch {
        subject: String,
        version: Option<String>,
    },
}

thread_local! {
    // Parse buffers reused across requests on this thread; never held across an `.await`.
    static READER: RefCell<Reader> = RefCell::new(Reader::default());
}

fn judge(shared: &Shared, headers: &HeaderMap, bytes: &[u8], fetched: Option<Lookup>) -> Step {
    // The body is read as the NDJSON readers read a first line (the CLI, the batch endpoint): a
    // byte-order mark and the line end are not the payload's. What is passed on is the body as
    // it came.
    let Some(bytes) = schema_core::payload::ndjson_payload(1, bytes) else {
        return Step::Done(Err(Rejection::NotJson {
            message: "the body holds no JSON (it is empty or only whitespace)".into(),
        }));
    };
    READER.with_borrow_mut(|reader| {
        let payload = match reader.read(bytes) {
            Ok(p) => p,
            Err(e) => {
                return Step::Done(Err(Rejection::NotJson {
                    message: format!("the body is not JSON: {e}"),
                }))
            }
        };
        let subject: Cow<'_, str> = match &shared.config.subject {
            SubjectFrom::Route(s) => Cow::Borrowed(s),
            SubjectFrom::Header(h) => match headers.get(h.as_str()).map(|v| v.to_str()) {
                Some(Ok(s)) if !s.is_empty() => Cow::Owned(s.to_string()),
                _ => {
                    return Step::Done(Err(Rejection::NoSubject {
                        message: format!("the request has no {h} header naming the event type"),
                    }))
                }
            },
            SubjectFrom::Field(f) => match payload.field(f) {
                Field::Str(s) => Cow::Owned(s.into_owned()),
                _ => {
                    return Step::Done(Err(Rejection::NoSubject {
                        message: format!("the payload has no string field {f:?} naming its type"),
                    }))
                }
            },
        };
        let field = &shared.config.version_field;
        let version: Option<Cow<'_, str>> = match payload.field(field) {
            Field::Missing => None,
            Field::Str(v) => Some(v),
            Field::Other(text) => {
                return Step::Done(Err(Rejection::BadVersion {
                    message: format!("{field} must be a string, found {text}"),
                }))
            }
        };
        let lookup = match fetched {
            Some(l) => l,
            None => match shared.cache.cached(&subject, version.as_deref()) {
                Ok(Some(l)) => l,
                Ok(None) => {
                    return Step::Fetch {
                        subject: subject.into_owned(),
                        version: version.map(Cow::into_owned),
                    }
                }
                Err(e) => return Step::Done(Err(Rejection::Lookup(e))),
            },
        };
        let entry = match lookup {
            Lookup::Validator(entry) => entry,
            Lookup::Unchecked => {
                EdgeMetrics::bump(&shared.metrics.unchecked);
                return Step::Done(Ok(()));
            }
        };
        match entry.judge(&payload, bytes) {
            Verdict::Valid => {}
            Verdict::Invalid(errors) => {
                return Step::Done(Err(Rejection::Invalid {
                    subject: entry.subject.clone(),
                    version: entry.version,
                    errors,
                }))
            }
            // The version's CEL domain rules, with their onFailure: ERROR and DLQ refuse the
            // event (a DLQ failure with its own code, for the producer to dead-letter it), NONE
            // records.
            Verdict::Recorded(failures) => {
                EdgeMetrics::bump(&shared.metrics.rules_recorded);
                for f in &failures {
                    tracing::warn!(subject = %entry.subject, rule = %f.rule, message = %f.message, "domain rule failed (onFailure NONE)");
                }
            }
            Verdict::RuleFailed {
                failures,
                dead_letter,
            } => {
                return Step::Done(Err(Rejection::RuleFailed {
                    subject: entry.subject.clone(),
                    version: entry.version,
                    dead_letter,
                    failures,
                }))
            }
        }
        EdgeMetrics::bump(&shared.metrics.valid);
        Step::Done(Ok(()))
    })
}
