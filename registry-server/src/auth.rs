//! API tokens: roles, subject scopes, how a request proves it holds one, and the token table.
//!
//! A token reads `sg_<id>_<secret>`: the id names the row, the secret (32 random bytes) is
//! checked against its SHA-256 (a fast hash is enough for a random secret of that size; there
//! is nothing to brute-force). Tokens arrive as `Authorization: Bearer <token>` or, because
//! Confluent clients send `basic.auth.user.info`, as HTTP Basic with the token as the password.

use std::collections::HashMap;
use std::sync::RwLock;

use crate::store::{Audit, Store, TokenRow};
use schema_core::canonical::sha256_hex;

/// What a token may do; each role includes the ones before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Role {
    Read,
    Write,
    Admin,
}

impl Role {
    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "read" => Some(Role::Read),
            "write" => Some(Role::Write),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Read => "read",
            Role::Write => "write",
            Role::Admin => "admin",
        }
    }
}

/// A live token as the server holds it (never the secret).
#[derive(Debug, Clone)]
pub struct Token {
    pub id: String,
    pub name: String,
    pub secret_sha256: String,
    pub role: Role,
    /// A subject prefix, or `None` for every subject.
    pub scope: Option<String>,
}

impl Token {
    pub fn covers(&self, subject: &str) -> bool {
        self.scope.as_deref().is_none_or(|p| subject.starts_with(p))
    }
}

/// Who made a request, as the audit log names it.
#[derive(Debug, Clone)]
pub struct Principal(pub std::borrow::Cow<'static, str>);

/// `widgets.*` → `widgets.`; `*` or nothing → every subject.
pub fn parse_scope(scope: Option<&str>) -> Result<Option<String>, String> {
    match scope.map(str::trim) {
        None | Some("") | Some("*") => Ok(None),
        Some(s) => match s.strip_suffix('*') {
            Some(prefix) if !prefix.contains('*') => Ok(Some(prefix.to_string())),
            None if !s.contains('*') => Ok(Some(s.to_string())),
            _ => Err(format!(
                "scope {s:?}: a subject prefix, optionally ending in `*` (like `widgets.*`)"
            )),
        },
    }
}

fn random_hex(bytes: usize) -> std::io::Result<String> {
    use std::io::Read;
    let mut buf = vec![0u8; bytes];
    std::fs::File::open("/dev/urandom")?.read_exact(&mut buf)?;
    Ok(buf.iter().map(|b| format!("{b:02x}")).collect())
}

/// Splits `sg_<id>_<secret>`.
pub fn split(token: &str) -> Option<(&str, &str)> {
    let rest = token.strip_prefix("sg_")?;
    let (id, secret) = rest.split_once('_')?;
    (!id.is_empty() && !secret.is_empty()).then_some((id, secret))
}

/// Tokens by id, read from the database and refreshed in the background, so a request costs no
/// query; a revocation takes effect within one refresh interval on every replica.
#[derive(Default)]
pub struct Tokens {
    live: RwLock<HashMap<String, Token>>,
}

impl Tokens {
    pub async fn load(store: &Store) -> anyhow::Result<Tokens> {
        let t = Tokens::default();
        t.refresh(store).await?;
        Ok(t)
    }

    pub async fn refresh(&self, store: &Store) -> anyhow::Result<()> {
        let live: HashMap<String, Token> = list(store)
            .await?
            .into_iter()
            .filter(|l| l.revoked.is_none())
            .map(|l| (l.token.id.clone(), l.token))
            .collect();
        if let Ok(mut l) = self.live.write() {
            *l = live;
        }
        Ok(())
    }

    pub fn is_empty(&self) -> bool {
        self.live.read().map(|l| l.is_empty()).unwrap_or(true)
    }

    /// The token a presented string proves, if any. The comparison of hashes does not stop at
    /// the first differing byte.
    pub fn verify(&self, presented: &str) -> Option<Token> {
        let (id, secret) = split(presented)?;
        let live = self.live.read().ok()?;
        let token = live.get(id)?;
        let want = token.secret_sha256.as_bytes();
        let got = sha256_hex(secret.as_bytes());
        let same = want.len() == got.len()
            && want
                .iter()
                .zip(got.as_bytes())
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0;
        same.then(|| token.clone())
    }
}

/// Creates a token, audited as `token.create`; answers it in full (the only time it is ever
/// shown).
pub async fn create(
    store: &Store,
    name: &str,
    role: Role,
    scope: Option<String>,
    audit: &Audit,
) -> anyhow::Result<(Token, String)> {
    let id = random_hex(4)?;
    let secret = random_hex(32)?;
    let token = Token {
        id: id.clone(),
        name: name.to_string(),
        secret_sha256: sha256_hex(secret.as_bytes()),
        role,
        scope,
    };
    store
        .insert_token(
            &TokenRow {
                id: token.id.clone(),
                name: token.name.clone(),
                secret_sha256: token.secret_sha256.clone(),
                role: role.as_str().to_string(),
                scope: token.scope.clone(),
                created_ms: crate::store::now_ms(),
                revoked_ms: None,
            },
            audit,
        )
        .await?;
    Ok((token, format!("sg_{id}_{secret}")))
}

/// A token as listed: never its secret.
#[derive(Debug, Clone)]
pub struct Listed {
    pub token: Token,
    /// RFC 3339.
    pub created: String,
    /// RFC 3339, when revoked.
    pub revoked: Option<String>,
}

/// Every token with its creation and revocation times, oldest first. A row with a role this
/// version does not know is refused rather than read as something weaker or stronger.
pub async fn list(store: &Store) -> anyhow::Result<Vec<Listed>> {
    let mut out = Vec::new();
    for r in store.tokens().await? {
        let role = Role::parse(&r.role)
            .ok_or_else(|| anyhow::anyhow!("token {} has unknown role {:?}", r.id, r.role))?;
        out.push(Listed {
            token: Token {
                id: r.id,
                name: r.name,
                secret_sha256: r.secret_sha256,
                role,
                scope: r.scope,
            },
            created: crate::time::rfc3339(r.created_ms),
            revoked: r.revoked_ms.map(crate::time::rfc3339),
        });
    }
    Ok(out)
}

/// Revokes a token by id, audited as `token.revoke`; false when there is no such live token.
pub async fn revoke(store: &Store, id: &str, audit: &Audit) -> anyhow::Result<bool> {
    Ok(store.revoke_token(id, audit).await?)
}
