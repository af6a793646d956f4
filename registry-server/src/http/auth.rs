//! Who may call what. Every request but the public probes needs a token once any token exists;
//! the role a route needs, and the subject it touches, are decided here from the method and
//! path alone, so a route added to the router is covered before any handler runs (and
//! `tests/auth.rs` walks `/openapi.json` to prove it).

use axum::extract::Request;
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};

use super::AppState;
use crate::auth::{Principal, Role};

/// What a route needs: nothing (public), or a role, on a subject when the path names one.
#[derive(Debug, PartialEq, Eq)]
pub enum Need {
    Public,
    Role(Role, Option<String>),
}

/// The permission table, as data: (method, path shape) → role. Shapes match segment by segment;
/// `{s}` is the subject, `*` any one segment, `**` the rest.
const TABLE: &[(&str, &str, Option<Role>)] = &[
    ("GET", "/", None),
    ("GET", "/healthz", None),
    ("GET", "/readyz", None),
    ("GET", "/openapi.json", None),
    ("GET", "/audit", Some(Role::Admin)),
    // The console: its sign-in and static assets are public; its pages are reads, checking a
    // candidate or a payload is a read (as the API's compatibility and validate routes),
    // registering is a write, the audit log and the tokens are admin's.
    ("GET", "/ui/login", None),
    ("POST", "/ui/login", None),
    ("POST", "/ui/logout", None),
    ("GET", "/ui/assets/**", None),
    ("GET", "/ui/audit", Some(Role::Admin)),
    ("GET", "/ui/tokens", Some(Role::Admin)),
    ("POST", "/ui/tokens", Some(Role::Admin)),
    ("POST", "/ui/tokens/*/revoke", Some(Role::Admin)),
    ("POST", "/ui/subjects/{s}/check", Some(Role::Read)),
    ("POST", "/ui/subjects/{s}/validate", Some(Role::Read)),
    ("POST", "/ui/subjects/{s}/register", Some(Role::Write)),
    ("POST", "/ui/subjects/{s}/config", Some(Role::Admin)),
    ("POST", "/subjects/{s}/versions", Some(Role::Write)),
    ("POST", "/subjects/{s}", Some(Role::Read)),
    (
        "POST",
        "/subjects/{s}/versions/*/validate",
        Some(Role::Read),
    ),
    (
        "POST",
        "/subjects/{s}/versions/*/validate/batch",
        Some(Role::Read),
    ),
    ("POST", "/compatibility/subjects/{s}/**", Some(Role::Read)),
    ("DELETE", "/subjects/{s}/**", Some(Role::Admin)),
    ("DELETE", "/subjects/{s}", Some(Role::Admin)),
    ("PUT", "/config", Some(Role::Admin)),
    ("PUT", "/config/{s}", Some(Role::Admin)),
    ("DELETE", "/config", Some(Role::Admin)),
    ("DELETE", "/config/{s}", Some(Role::Admin)),
    ("PUT", "/mode", Some(Role::Admin)),
    ("PUT", "/mode/{s}", Some(Role::Admin)),
    ("DELETE", "/mode", Some(Role::Admin)),
    ("DELETE", "/mode/{s}", Some(Role::Admin)),
];

fn decode(segment: &str) -> String {
    let b = segment.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        match (
            b[i],
            b.get(i + 1).copied().and_then(hex),
            b.get(i + 2).copied().and_then(hex),
        ) {
            (b'%', Some(h), Some(l)) => {
                out.push((h * 16 + l) as u8);
                i += 3;
            }
            (c, _, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Matches a path against a shape; answers the subject segment when the shape names one.
fn matches(shape: &str, path: &str) -> Option<Option<String>> {
    let (mut s, mut p) = (shape.split('/'), path.split('/'));
    let mut subject = None;
    loop {
        match (s.next(), p.next()) {
            (None, None) => return Some(subject),
            (Some("**"), Some(_)) => return Some(subject),
            (Some("{s}"), Some(seg)) if !seg.is_empty() => subject = Some(decode(seg)),
            (Some("*"), Some(seg)) if !seg.is_empty() => {}
            (Some(a), Some(b)) if a == b => {}
            _ => return None,
        }
    }
}

/// What a request needs. Reads (GET, HEAD) need `read`; anything the table does not list needs
/// `admin`, so an unlisted mutation is never open to a lesser token.
pub fn need(method: &Method, path: &str) -> Need {
    let path = path.trim_end_matches('/');
    let path = if path.is_empty() { "/" } else { path };
    let m = if method == Method::HEAD {
        "GET"
    } else {
        method.as_str()
    };
    for (tm, shape, role) in TABLE {
        if *tm == m {
            if let Some(subject) = matches(shape, path) {
                return match role {
                    None => Need::Public,
                    Some(r) => Need::Role(*r, subject),
                };
            }
        }
    }
    let subject = [
        "/subjects/{s}/**",
        "/subjects/{s}",
        "/ui/subjects/{s}/**",
        "/ui/subjects/{s}",
        "/config/{s}",
        "/mode/{s}",
    ]
    .iter()
    .find_map(|shape| matches(shape, path).flatten());
    if m == "GET" {
        Need::Role(Role::Read, subject)
    } else {
        Need::Role(Role::Admin, subject)
    }
}

/// Why a request was not admitted.
#[derive(Debug)]
pub enum Refusal {
    /// No valid token: 401.
    Unauthenticated,
    /// A valid token without the role or the subject scope: 403, saying which.
    Forbidden(String),
}

impl Refusal {
    /// The answer for a request to `path`: on the console, a sign-in redirect (no token) or a
    /// page saying what is missing (403); elsewhere the API's JSON error.
    pub fn answer(self, path: &str) -> Response {
        if !is_console(path) {
            return self.into_response();
        }
        match self {
            Refusal::Unauthenticated => axum::response::Redirect::to("/ui/login").into_response(),
            Refusal::Forbidden(why) => {
                (StatusCode::FORBIDDEN, super::ui::refused_page(&why)).into_response()
            }
        }
    }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let (status, code, message) = match self {
            Refusal::Unauthenticated => (
                StatusCode::UNAUTHORIZED,
                40101,
                "a valid API token is required (Authorization: Bearer TOKEN, or Basic with the token as the password)".to_string(),
            ),
            Refusal::Forbidden(why) => (StatusCode::FORBIDDEN, 40301, why),
        };
        let body = serde_json::json!({"error_code": code, "message": message});
        let mut r = (status, axum::Json(body)).into_response();
        if status == StatusCode::UNAUTHORIZED {
            r.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Basic realm=\"schemagate\", Bearer"),
            );
        }
        r
    }
}

/// The token a request presents: `Bearer TOKEN`, or Basic with the token as the password; on
/// the console's paths only, also its sign-in cookie (so no API route can be driven by a
/// cookie a browser sends on its own).
fn presented(req: &Request) -> Option<String> {
    let Some(value) = req.headers().get(header::AUTHORIZATION) else {
        return is_console(req.uri().path())
            .then(|| console_cookie(req))
            .flatten();
    };
    let value = value.to_str().ok()?;
    let (scheme, rest) = value.split_once(' ')?;
    if scheme.eq_ignore_ascii_case("bearer") {
        return Some(rest.trim().to_string());
    }
    if scheme.eq_ignore_ascii_case("basic") {
        let decoded = base64_decode(rest.trim())?;
        let text = String::from_utf8(decoded).ok()?;
        return text
            .split_once(':')
            .map(|(_, password)| password.to_string());
    }
    None
}

/// A console form posted from another site: the browser names the page's origin, and it is not
/// this registry. The sign-in cookie is SameSite=Strict already; this also stops a foreign
/// page from signing a browser in under the foreign page's token.
fn cross_site_form(req: &Request) -> Option<String> {
    if req.method() != axum::http::Method::POST || !is_console(req.uri().path()) {
        return None;
    }
    let header = |name: &str| req.headers().get(name).and_then(|v| v.to_str().ok());
    if header("sec-fetch-site") == Some("cross-site") {
        return Some("a console form posted from another site".into());
    }
    let origin = header("origin")?;
    let host = header("host").or_else(|| req.uri().authority().map(|a| a.as_str()))?;
    let authority = origin.split_once("://").map_or(origin, |(_, a)| a);
    // Behind a proxy that rewrites Host, the browser's host is the forwarded one.
    let forwarded = header("x-forwarded-host").is_some_and(|f| f.eq_ignore_ascii_case(authority));
    (!authority.eq_ignore_ascii_case(host) && !forwarded)
        .then(|| format!("a console form posted from {origin}, not from this registry ({host})"))
}

/// Whether a path is the console's.
pub fn is_console(path: &str) -> bool {
    path == "/ui" || path.starts_with("/ui/")
}

fn console_cookie(req: &Request) -> Option<String> {
    req.headers()
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|pair| {
            let (k, v) = pair.trim().split_once('=')?;
            (k == super::ui::COOKIE && !v.is_empty()).then(|| v.to_string())
        })
}

fn base64_decode(s: &str) -> Option<Vec<u8>> {
    let value = |c: u8| match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'+' | b'-' => Some(62),
        b'/' | b'_' => Some(63),
        _ => None,
    };
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0);
    for c in s.bytes().filter(|c| *c != b'=') {
        acc = (acc << 6) | u32::from(value(c)?);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    Some(out)
}

/// Admits a request or answers it: open while no token exists on loopback (or with
/// `--insecure`), otherwise 401 without a valid token and 403 without the role or the subject
/// scope. A networked registry whose last token was revoked lets nobody in, rather than
/// everybody. The principal found is left in the request's extensions for the audit log.
pub fn admit(s: &AppState, req: &mut Request) -> Result<(), Refusal> {
    if let Some(why) = cross_site_form(req) {
        return Err(Refusal::Forbidden(why));
    }
    let tokens = match &s.tokens {
        Some(t) if !t.is_empty() || !s.open_without_tokens => t,
        _ => {
            req.extensions_mut()
                .insert(Principal(std::borrow::Cow::Borrowed("anonymous")));
            return Ok(());
        }
    };
    let (role, subject) = match need(req.method(), req.uri().path()) {
        Need::Public => return Ok(()),
        Need::Role(r, s) => (r, s),
    };
    let Some(token) = presented(req).and_then(|p| tokens.verify(&p)) else {
        return Err(Refusal::Unauthenticated);
    };
    if token.role < role {
        return Err(Refusal::Forbidden(format!(
            "token {} has role {}; this needs {}",
            token.id,
            token.role.as_str(),
            role.as_str()
        )));
    }
    let in_scope = match (&subject, &token.scope) {
        (_, None) => true,
        (Some(subject), Some(_)) => token.covers(subject),
        // A scoped token reaches subject-less routes only to read.
        (None, Some(_)) => role == Role::Read,
    };
    if !in_scope {
        return Err(Refusal::Forbidden(format!(
            "token {} is scoped to subjects starting with {:?}",
            token.id,
            token.scope.as_deref().unwrap_or("")
        )));
    }
    if let Some(prefix) = &token.scope {
        req.extensions_mut().insert(Visible(prefix.clone()));
    }
    req.extensions_mut().insert(Principal(
        format!("token:{}:{}", token.id, token.name).into(),
    ));
    Ok(())
}

/// The subject prefix a scoped token sees: listings and reads by id leave out every subject
/// (and every schema only such subjects use) outside it.
#[derive(Debug, Clone)]
pub struct Visible(pub String);

/// What the request's token may see: `None` for everything.
pub struct Seen(pub Option<String>);

impl Seen {
    pub fn covers(&self, subject: &str) -> bool {
        self.0.as_deref().is_none_or(|p| subject.starts_with(p))
    }
}

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for Seen {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _: &S,
    ) -> Result<Self, Self::Rejection> {
        Ok(Seen(parts.extensions.get::<Visible>().map(|v| v.0.clone())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_decides_role_and_subject() {
        let post = Method::POST;
        assert_eq!(
            need(&post, "/subjects/widgets.Created/versions"),
            Need::Role(Role::Write, Some("widgets.Created".into()))
        );
        assert_eq!(
            need(&post, "/subjects/a%2Fb/versions"),
            Need::Role(Role::Write, Some("a/b".into()))
        );
        assert_eq!(
            need(&Method::GET, "/subjects/x/versions/1"),
            Need::Role(Role::Read, Some("x".into()))
        );
        assert_eq!(need(&Method::GET, "/healthz"), Need::Public);
        assert_eq!(
            need(&Method::PUT, "/config/x"),
            Need::Role(Role::Admin, Some("x".into()))
        );
        assert_eq!(
            need(&Method::PATCH, "/anything"),
            Need::Role(Role::Admin, None)
        );
        assert_eq!(
            need(&post, "/compatibility/subjects/x/versions/latest"),
            Need::Role(Role::Read, Some("x".into()))
        );
    }

    #[test]
    fn basic_credentials_carry_the_token_as_password() {
        assert_eq!(
            base64_decode("Y2k6c2dfYWJjX2RlZg==").unwrap(),
            b"ci:sg_abc_def"
        );
    }
}
