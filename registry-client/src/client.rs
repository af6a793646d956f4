//! The async client: one method per registry call it needs, typed answers, typed errors.

use std::time::Duration;

use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::error::Error;
use crate::subject::segment;

/// Credentials sent with every request.
#[derive(Clone)]
pub enum Auth {
    /// HTTP Basic, as Confluent clients send `basic.auth.user.info`.
    Basic { user: String, password: String },
    /// `Authorization: Bearer TOKEN`.
    Bearer(String),
}

impl Auth {
    /// `user:password` (Confluent's `basic.auth.user.info`).
    pub fn from_user_info(info: &str) -> Option<Auth> {
        let (user, password) = info.split_once(':')?;
        Some(Auth::Basic {
            user: user.to_string(),
            password: password.to_string(),
        })
    }
}

impl std::fmt::Debug for Auth {
    // Never print a secret, not even in a debug dump.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Auth::Basic { user, .. } => write!(f, "Basic({user}:***)"),
            Auth::Bearer(_) => f.write_str("Bearer(***)"),
        }
    }
}

/// One registered version of a subject.
pub type Registered = registry_api::SubjectVersion;

/// A compatibility test's answer.
pub type Compatibility = registry_api::CompatibilityAnswer;

/// A registry client. Cheap to clone (the connection pool is shared).
#[derive(Debug, Clone)]
pub struct Client {
    base: String,
    http: reqwest::Client,
    auth: Option<Auth>,
}

use registry_api::{ConfigAnswer, ErrorBody, RegisterAnswer, SchemaRequest, CONTENT_TYPE};

impl Client {
    /// A client of the registry at `base` (`http://host:8081` or `https://…`), with a
    /// per-request timeout. HTTPS trusts the Web PKI roots.
    pub fn new(base: &str, auth: Option<Auth>, timeout: Duration) -> Result<Client, Error> {
        Client::with_tls(base, auth, timeout, &[])
    }

    /// As [`Client::new`], also trusting the PEM certificates given (a private CA, or a
    /// registry's self-signed certificate).
    pub fn with_tls(
        base: &str,
        auth: Option<Auth>,
        timeout: Duration,
        extra_roots_pem: &[u8],
    ) -> Result<Client, Error> {
        let bad = |message: String| Error::Config(format!("{base}: {message}"));
        match reqwest::Url::parse(base) {
            Ok(u) if matches!(u.scheme(), "http" | "https") => {}
            Ok(u) => {
                return Err(bad(format!(
                    "unsupported scheme {:?}: use http:// or https://",
                    u.scheme()
                )))
            }
            Err(e) => {
                return Err(bad(format!(
                    "not a URL ({e}): write it as http://host:port or https://host:port"
                )))
            }
        }
        // One process-wide crypto provider; installing it twice is harmless.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let mut builder = reqwest::Client::builder()
            .use_rustls_tls()
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(5)));
        if !extra_roots_pem.is_empty() {
            let certs = reqwest::Certificate::from_pem_bundle(extra_roots_pem)
                .map_err(|e| bad(format!("reading the CA certificates: {e}")))?;
            if certs.is_empty() {
                return Err(bad("the CA file holds no PEM certificate".into()));
            }
            for c in certs {
                builder = builder.add_root_certificate(c);
            }
        }
        let http = builder.build().map_err(|e| Error::Unreachable {
            url: base.to_string(),
            message: e.to_string(),
        })?;
        Ok(Client {
            base: base.trim_end_matches('/').to_string(),
            http,
            auth,
        })
    }

    pub fn base(&self) -> &str {
        &self.base
    }

    async fn call<T: DeserializeOwned>(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> Result<T, Error> {
        let url = format!("{}{path}", self.base);
        let mut req = self
            .http
            .request(method, &url)
            .header("Accept", CONTENT_TYPE);
        if let Some(b) = body {
            req = req.header("Content-Type", CONTENT_TYPE).json(&b);
        }
        req = match &self.auth {
            Some(Auth::Basic { user, password }) => req.basic_auth(user, Some(password)),
            Some(Auth::Bearer(t)) => req.bearer_auth(t),
            None => req,
        };
        let response = req.send().await.map_err(|e| Error::Unreachable {
            url: url.clone(),
            message: root_cause(&e),
        })?;
        let status = response.status().as_u16();
        let bytes = response.bytes().await.map_err(|e| Error::Unreachable {
            url: url.clone(),
            message: root_cause(&e),
        })?;
        if !(200..300).contains(&status) {
            // A registry's error body, or (a proxy's page) the start of whatever came.
            let body = serde_json::from_slice::<ErrorBody>(&bytes).unwrap_or_else(|_| ErrorBody {
                error_code: i64::from(status),
                message: String::from_utf8_lossy(&bytes).chars().take(200).collect(),
                changes: Vec::new(),
            });
            return Err(Error::Api {
                url,
                status,
                code: body.error_code,
                message: body.message,
                changes: body.changes,
            });
        }
        serde_json::from_slice(&bytes).map_err(|e| Error::Decode {
            url,
            message: e.to_string(),
        })
    }

    /// Every subject.
    pub async fn subjects(&self) -> Result<Vec<String>, Error> {
        self.call(reqwest::Method::GET, "/subjects", None).await
    }

    /// A subject's live version numbers, oldest first.
    pub async fn versions(&self, subject: &str) -> Result<Vec<i64>, Error> {
        let path = format!("/subjects/{}/versions", segment(subject));
        self.call(reqwest::Method::GET, &path, None).await
    }

    /// One version: a number, or `latest`.
    pub async fn version(&self, subject: &str, version: &str) -> Result<Registered, Error> {
        let path = format!("/subjects/{}/versions/{version}", segment(subject));
        self.call(reqwest::Method::GET, &path, None).await
    }

    /// Registers a JSON schema under a subject; answers its global id. A refusal for
    /// incompatibility is `Error::Api` with status 409 and the registry's reasons.
    pub async fn register(&self, subject: &str, schema: &str) -> Result<i64, Error> {
        self.register_request(subject, &SchemaRequest::json(schema))
            .await
    }

    /// Registers any request (references; in IMPORT mode an id and version).
    pub async fn register_request(&self, subject: &str, req: &SchemaRequest) -> Result<i64, Error> {
        let path = format!("/subjects/{}/versions", segment(subject));
        let a: RegisterAnswer = self
            .call(reqwest::Method::POST, &path, Some(json(req)?))
            .await?;
        Ok(a.id)
    }

    /// The version of `subject` holding this schema (404 when it holds none).
    pub async fn lookup(&self, subject: &str, req: &SchemaRequest) -> Result<Registered, Error> {
        let path = format!("/subjects/{}", segment(subject));
        self.call(reqwest::Method::POST, &path, Some(json(req)?))
            .await
    }

    /// Tests a schema against a version (or all, per the subject's level) without registering.
    pub async fn compatibility(
        &self,
        subject: &str,
        version: &str,
        schema: &str,
    ) -> Result<Compatibility, Error> {
        let path = format!(
            "/compatibility/subjects/{}/versions/{version}?verbose=true",
            segment(subject)
        );
        let body = json(&SchemaRequest::json(schema))?;
        self.call(reqwest::Method::POST, &path, Some(body)).await
    }

    /// The compatibility level that applies to a subject (its own, else the global one).
    pub async fn level(&self, subject: &str) -> Result<registry_api::Level, Error> {
        Ok(self.config(subject).await?.compatibility_level)
    }

    /// The settings that apply to a subject (its own, else the global ones): level and, from
    /// schemagate, the rule set.
    pub async fn config(&self, subject: &str) -> Result<ConfigAnswer, Error> {
        let path = format!("/config/{}?defaultToGlobal=true", segment(subject));
        self.call(reqwest::Method::GET, &path, None).await
    }

    /// Any GET, typed by the caller (import/export reads every kind of answer).
    pub async fn get<T: DeserializeOwned>(&self, path: &str) -> Result<T, Error> {
        self.call(reqwest::Method::GET, path, None).await
    }

    /// Any PUT with a JSON body.
    pub async fn put<T: DeserializeOwned, B: serde::Serialize>(
        &self,
        path: &str,
        body: &B,
    ) -> Result<T, Error> {
        self.call(reqwest::Method::PUT, path, Some(json(body)?))
            .await
    }
}

fn json<B: serde::Serialize>(body: &B) -> Result<Value, Error> {
    serde_json::to_value(body).map_err(|e| Error::Decode {
        url: String::new(),
        message: e.to_string(),
    })
}

/// The innermost cause of a transport error ("connection refused"), which is what a user needs.
fn root_cause(e: &reqwest::Error) -> String {
    let mut source: &dyn std::error::Error = e;
    while let Some(s) = source.source() {
        source = s;
    }
    if e.is_timeout() {
        return format!("timed out ({source})");
    }
    source.to_string()
}
