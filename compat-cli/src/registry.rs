//! The registry as the command line reaches it: a blocking client with the credentials given.

use std::time::Duration;

use registry_client::blocking::Client;

use crate::cli::AuthArgs;

pub fn client(base: &str, auth: &AuthArgs) -> anyhow::Result<Client> {
    Ok(auth.blocking(base, Duration::from_secs(30))?)
}

/// The user-facing sentence for a failed call, with what to do about auth failures.
pub fn explain(e: &registry_client::Error) -> String {
    if e.is_auth() {
        format!("{e}\n  the registry refused the credentials: pass --basic-auth USER:PASSWORD or --token (or SCHEMAGATE_BASIC_AUTH / SCHEMAGATE_TOKEN)")
    } else {
        e.to_string()
    }
}
