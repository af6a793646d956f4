//! The async client: one method per registry call it needs, typed answers, typed errors.

use std::time::Duration;

use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::{json, Value};

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
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Registered {
    pub subject: String,
    pub id: i64,
    pub version: i64,
    pub schema: String,
    #[serde(default)]
    pub schema_type: Option<String>,
    #[serde(default)]
    pub references: Vec<Value>,
}

/// A compatibility test's answer.
#[derive(Debug, Clone, Deserialize)]
pub struct Compatibility {
    pub is_compatible: bool,
    #[serde(default)]
    pub messages: Vec<String>,
}

/// A registry client. Cheap to clone (the connection pool is shared).
#[derive(Debug, Clone)]
pub struct Client {
    base: String,
    http: reqwest::Client,
    auth: Option<Auth>,
}

const CONTENT_TYPE: &str = "application/vnd.schemaregistry.v1+json";

impl Client {
    /// A client of the registry at `base` (`http://host:8081`), with a per-request timeout.
    pub fn new(base: &str, auth: Option<Auth>, timeout: Duration) -> Result<Client, Error> {
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(5)))
            .build()
            .map_err(|e| Error::Unreachable {
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
            let body: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
            return Err(Error::Api {
                url,
                status,
                code: body["error_code"].as_i64().unwrap_or(i64::from(status)),
                message: body["message"]
                    .as_str()
                    .map(str::to_string)
                    .unwrap_or_else(|| String::from_utf8_lossy(&bytes).chars().take(200).collect()),
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
        #[derive(Deserialize)]
        struct Id {
            id: i64,
        }
        let path = format!("/subjects/{}/versions", segment(subject));
        let body = json!({"schema": schema, "schemaType": "JSON"});
        let id: Id = self.call(reqwest::Method::POST, &path, Some(body)).await?;
        Ok(id.id)
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
        let body = json!({"schema": schema, "schemaType": "JSON"});
        self.call(reqwest::Method::POST, &path, Some(body)).await
    }

    /// The compatibility level that applies to a subject (its own, else the global one).
    pub async fn level(&self, subject: &str) -> Result<String, Error> {
        let path = format!("/config/{}?defaultToGlobal=true", segment(subject));
        let body: Value = self.call(reqwest::Method::GET, &path, None).await?;
        body["compatibilityLevel"]
            .as_str()
            .or(body["compatibility"].as_str())
            .map(str::to_string)
            .ok_or_else(|| Error::Decode {
                url: format!("{}{path}", self.base),
                message: "no compatibilityLevel in the answer".into(),
            })
    }
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
