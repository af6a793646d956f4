//! API tokens as the console manages them: listed without secrets, created and revoked with an
//! audit record each, and the live set reloaded at once so this replica honours the change
//! without waiting for its refresh (other replicas pick it up within their refresh interval).

use super::{Audit, Error, Registry, Result};
use crate::auth::{self, Listed, Role, Token, Tokens};

/// Longest token name kept.
const NAME_MAX: usize = 100;

impl Registry {
    /// Every token, revoked ones included, oldest first.
    pub async fn tokens(&self) -> Result<Vec<Listed>> {
        auth::list(&self.store)
            .await
            .map_err(|e| Error::Internal(format!("listing tokens: {e:#}")))
    }

    /// Creates a token; answers it with its secret, which is shown this once.
    pub async fn create_token(
        &self,
        name: &str,
        role: &str,
        scope: &str,
        audit: &Audit,
        live: Option<&Tokens>,
    ) -> Result<(Token, String)> {
        let name = name.trim();
        if name.is_empty() || name.len() > NAME_MAX || name.chars().any(char::is_control) {
            return Err(Error::InvalidToken(format!(
                "a name of 1 to {NAME_MAX} characters, without control characters"
            )));
        }
        let role = Role::parse(role)
            .ok_or_else(|| Error::InvalidToken(format!("role {role:?}: read, write or admin")))?;
        let scope = auth::parse_scope(Some(scope)).map_err(Error::InvalidToken)?;
        let made = auth::create(&self.store, name, role, scope, audit)
            .await
            .map_err(|e| Error::Internal(format!("creating a token: {e:#}")))?;
        self.reload(live).await;
        Ok(made)
    }

    /// Revokes a live token; false when there is no such live token.
    pub async fn revoke_token(
        &self,
        id: &str,
        audit: &Audit,
        live: Option<&Tokens>,
    ) -> Result<bool> {
        let done = auth::revoke(&self.store, id, audit)
            .await
            .map_err(|e| Error::Internal(format!("revoking a token: {e:#}")))?;
        self.reload(live).await;
        Ok(done)
    }

    /// Reloads the live tokens; a failure keeps the old set, which the periodic refresh
    /// replaces later.
    async fn reload(&self, live: Option<&Tokens>) {
        if let Some(live) = live {
            if let Err(e) = live.refresh(&self.store).await {
                tracing::warn!(error = %e, "reloading tokens after a change failed");
            }
        }
    }
}
