//! The registry as the command line reaches it: a blocking client with the credentials given.

use std::time::Duration;

use registry_client::blocking::Client;

use crate::cli::AuthArgs;

pub fn client(base: &str, auth: &AuthArgs) -> anyhow::Result<Client> {
    Ok(auth.blocking(base, Duration::from_secs(30))?)
}

/// The user-facing sentence for a failed call, with what to do about auth failures.
pub fn explain(e: &registry_client::Error) -> String {
    match e.status() {
        Some(401) => format!("{e}\n  the registry refused the credentials: pass --basic-auth USER:PASSWORD or --token (or SCHEMAGATE_BASIC_AUTH / SCHEMAGATE_TOKEN)"),
        Some(403) => format!("{e}\n  the credentials are valid but not allowed this: the token needs a higher role, or a scope that covers this subject"),
        _ => e.to_string(),
    }
}
