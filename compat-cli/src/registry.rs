//! The registry as the command line reaches it: a blocking client with the credentials given.

use std::time::Duration;

use registry_client::blocking::Client;
use registry_client::Auth;

use crate::cli::AuthArgs;

pub fn client(base: &str, auth: &AuthArgs) -> anyhow::Result<Client> {
    let auth =
        match (&auth.basic_auth, &auth.token) {
            (Some(info), _) => Some(Auth::from_user_info(info).ok_or_else(|| {
                anyhow::anyhow!("--basic-auth wants USER:PASSWORD (with a colon)")
            })?),
            (None, Some(token)) => Some(Auth::Bearer(token.clone())),
            (None, None) => None,
        };
    Ok(Client::new(base, auth, Duration::from_secs(30))?)
}

/// The user-facing sentence for a failed call, with what to do about auth failures.
pub fn explain(e: &registry_client::Error) -> String {
    if e.is_auth() {
        format!("{e}\n  the registry refused the credentials: pass --basic-auth USER:PASSWORD or --token (or SCHEMAGATE_BASIC_AUTH / SCHEMAGATE_TOKEN)")
    } else {
        e.to_string()
    }
}
