//! What can go wrong talking to a registry.

/// A failed registry call.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// No answer: connection refused, DNS, timeout.
    #[error("cannot reach the registry at {url}: {message}")]
    Unreachable { url: String, message: String },
    /// The registry answered with an error (Confluent's `error_code` and `message`).
    #[error("{url} answered {status} (error_code {code}): {message}")]
    Api {
        url: String,
        status: u16,
        code: i64,
        message: String,
        /// A refused registration's breaking changes (409), typed.
        changes: Vec<registry_api::BreakingChange>,
    },
    /// The client was set up wrong (credentials, certificate files, URL).
    #[error("{0}")]
    Config(String),
    /// The registry answered 2xx with a body this client cannot read.
    #[error("{url}: unexpected answer: {message}")]
    Decode { url: String, message: String },
}

impl Error {
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Api { status, .. } => Some(*status),
            _ => None,
        }
    }

    pub fn is_not_found(&self) -> bool {
        self.status() == Some(404)
    }

    /// 401 or 403: missing, wrong or insufficient credentials.
    pub fn is_auth(&self) -> bool {
        matches!(self.status(), Some(401 | 403))
    }

    pub fn is_unreachable(&self) -> bool {
        matches!(self, Error::Unreachable { .. })
    }
}
