//! How a command-line tool reaches a registry: credentials and extra trusted certificates, the
//! same flags and variables for every tool (`compat-cli`, `registry-server import/export`).
//! With the `cli` feature they are a `clap` argument group to flatten into a command.

use std::path::PathBuf;
use std::time::Duration;

use crate::client::{Auth, Client};
use crate::error::Error;

/// Credentials for a registry. Prefer the environment variables: flags show in `ps`.
#[derive(Debug, Clone, Default)]
#[cfg_attr(feature = "cli", derive(clap::Args))]
pub struct Credentials {
    /// HTTP Basic credentials `USER:PASSWORD` (Confluent's `basic.auth.user.info`).
    #[cfg_attr(
        feature = "cli",
        arg(long, env = "SCHEMAGATE_BASIC_AUTH", hide_env_values = true)
    )]
    pub basic_auth: Option<String>,
    /// A bearer token (`registry-server token create`).
    #[cfg_attr(
        feature = "cli",
        arg(
            long,
            env = "SCHEMAGATE_TOKEN",
            hide_env_values = true,
            conflicts_with = "basic_auth"
        )
    )]
    pub token: Option<String>,
    /// PEM certificates to trust for an https:// registry besides the Web PKI roots (a private
    /// CA, or the registry's self-signed certificate).
    #[cfg_attr(
        feature = "cli",
        arg(long, env = "SCHEMAGATE_CA_CERT", value_name = "PEM")
    )]
    pub ca_cert: Option<PathBuf>,
}

impl Credentials {
    /// The credentials to send (Basic wins when both are set).
    pub fn auth(&self) -> Result<Option<Auth>, Error> {
        match (&self.basic_auth, &self.token) {
            (Some(info), _) => Auth::from_user_info(info).map(Some).ok_or_else(|| {
                Error::Config("basic auth wants USER:PASSWORD (with a colon)".into())
            }),
            (None, Some(t)) => Ok(Some(Auth::Bearer(t.clone()))),
            (None, None) => Ok(None),
        }
    }

    /// The extra trusted certificates, PEM (empty without `--ca-cert`).
    pub fn roots(&self) -> Result<Vec<u8>, Error> {
        match &self.ca_cert {
            Some(p) => std::fs::read(p)
                .map_err(|e| Error::Config(format!("--ca-cert {}: {e}", p.display()))),
            None => Ok(Vec::new()),
        }
    }

    /// An async client of `url` with these credentials.
    pub fn client(&self, url: &str, timeout: Duration) -> Result<Client, Error> {
        Client::with_tls(url, self.auth()?, timeout, &self.roots()?)
    }

    /// A blocking client of `url` with these credentials.
    pub fn blocking(&self, url: &str, timeout: Duration) -> Result<crate::blocking::Client, Error> {
        crate::blocking::Client::with_tls(url, self.auth()?, timeout, &self.roots()?)
    }

    /// The same certificates with other credentials (a second registry).
    pub fn with(&self, token: Option<String>, basic_auth: Option<String>) -> Credentials {
        Credentials {
            basic_auth,
            token,
            ca_cert: self.ca_cert.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_auth_needs_a_colon_and_wins_over_a_token() {
        let c = Credentials {
            basic_auth: Some("nocolon".into()),
            ..Credentials::default()
        };
        assert!(matches!(c.auth(), Err(Error::Config(_))));
        let c = Credentials {
            basic_auth: Some("u:p".into()),
            token: Some("t".into()),
            ca_cert: None,
        };
        assert!(matches!(c.auth(), Ok(Some(Auth::Basic { .. }))));
        assert!(Credentials::default().auth().unwrap().is_none());
    }

    #[test]
    fn a_missing_ca_file_is_named() {
        let c = Credentials {
            ca_cert: Some("/no/such/ca.pem".into()),
            ..Credentials::default()
        };
        let e = c.roots().unwrap_err().to_string();
        assert!(e.contains("/no/such/ca.pem"), "{e}");
    }
}
