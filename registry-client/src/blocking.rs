//! The client for command-line tools: each call runs the async client to completion on a
//! private single-threaded runtime.

use std::time::Duration;

use crate::client::{self, Auth, Compatibility, Registered};
use crate::error::Error;

pub struct Client {
    inner: client::Client,
    runtime: tokio::runtime::Runtime,
}

impl Client {
    pub fn new(base: &str, auth: Option<Auth>, timeout: Duration) -> Result<Client, Error> {
        Client::with_tls(base, auth, timeout, &[])
    }

    /// As [`Client::new`], also trusting the PEM certificates given.
    pub fn with_tls(
        base: &str,
        auth: Option<Auth>,
        timeout: Duration,
        extra_roots_pem: &[u8],
    ) -> Result<Client, Error> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| Error::Unreachable {
                url: base.to_string(),
                message: format!("cannot start the I/O runtime: {e}"),
            })?;
        Ok(Client {
            inner: client::Client::with_tls(base, auth, timeout, extra_roots_pem)?,
            runtime,
        })
    }

    pub fn base(&self) -> &str {
        self.inner.base()
    }

    pub fn subjects(&self) -> Result<Vec<String>, Error> {
        self.runtime.block_on(self.inner.subjects())
    }

    pub fn versions(&self, subject: &str) -> Result<Vec<i64>, Error> {
        self.runtime.block_on(self.inner.versions(subject))
    }

    pub fn version(&self, subject: &str, version: &str) -> Result<Registered, Error> {
        self.runtime.block_on(self.inner.version(subject, version))
    }

    pub fn lookup(
        &self,
        subject: &str,
        req: &registry_api::SchemaRequest,
    ) -> Result<Registered, Error> {
        self.runtime.block_on(self.inner.lookup(subject, req))
    }

    pub fn register_request(
        &self,
        subject: &str,
        req: &registry_api::SchemaRequest,
    ) -> Result<i64, Error> {
        self.runtime
            .block_on(self.inner.register_request(subject, req))
    }

    pub fn register(&self, subject: &str, schema: &str) -> Result<i64, Error> {
        self.runtime.block_on(self.inner.register(subject, schema))
    }

    pub fn compatibility(
        &self,
        subject: &str,
        version: &str,
        schema: &str,
    ) -> Result<Compatibility, Error> {
        self.runtime
            .block_on(self.inner.compatibility(subject, version, schema))
    }

    pub fn config(&self, subject: &str) -> Result<registry_api::ConfigAnswer, Error> {
        self.runtime.block_on(self.inner.config(subject))
    }

    pub fn level(&self, subject: &str) -> Result<registry_api::Level, Error> {
        self.runtime.block_on(self.inner.level(subject))
    }
}
