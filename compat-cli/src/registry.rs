//! The registry as the command line reaches it: a blocking client with the credentials given.

use std::time::Duration;

use registry_client::blocking::Client;
use registry_client::Auth;

use crate::cli::AuthArgs;

pub fn client(base: &str, auth_args: &AuthArgs) -> anyhow::Result<Client> {
    let auth =
        match (&auth_args.basic_auth, &auth_args.token) {
            (Some(info), _) => Some(Auth::from_user_info(info).ok_or_else(|| {
                anyhow::anyhow!("--basic-auth wants USER:PASSWORD (with a colon)")
            })?),
            (None, Some(token)) => Some(Auth::Bearer(token.clone())),
            (None, None) => None,
        };
    let roots = match &auth_args.ca_cert {
        Some(path) => {
            std::fs::read(path).map_err(|e| anyhow::anyhow!("--ca-cert {}: {e}", path.display()))?
        }
        None => Vec::new(),
    };
    Ok(Client::with_tls(
        base,
        auth,
        Duration::from_secs(30),
        &roots,
    )?)
}

/// The user-facing sentence for a failed call, with what to do about auth failures.
pub fn explain(e: &registry_client::Error) -> String {
    if e.is_auth() {
        format!("{e}\n  the registry refused the credentials: pass --basic-auth USER:PASSWORD or --token (or SCHEMAGATE_BASIC_AUTH / SCHEMAGATE_TOKEN)")
    } else {
        e.to_string()
    }
}
