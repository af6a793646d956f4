//! The tokens page (admin, as the `registry-server token` commands): every token without its
//! secret, creating one (its secret shown once, on the answer to the form, never stored or
//! cached) and revoking one. Both changes are audited and take effect on this replica at once.

use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use maud::{html, Markup};
use serde::Deserialize;

use super::{page, segment};
use crate::auth::Principal;
use crate::http::{audit_of, ApiResult, AppState, Client};

#[derive(Deserialize, Default)]
pub(super) struct Shown {
    #[serde(default)]
    revoked: String,
}

pub(super) async fn list(
    State(s): State<AppState>,
    principal: Option<Extension<Principal>>,
    Query(shown): Query<Shown>,
) -> ApiResult<Response> {
    let note = (!shown.revoked.is_empty()).then(|| {
        html! { p.verdict.ok #verdict { "Revoked token " code { (shown.revoked) } "." } }
    });
    Ok(page("Tokens", &principal, body(&s, note, None).await?))
}

#[derive(Deserialize)]
pub(super) struct NewToken {
    name: String,
    role: String,
    #[serde(default)]
    scope: String,
}

pub(super) async fn create(
    State(s): State<AppState>,
    principal: Option<Extension<Principal>>,
    client: Client,
    Form(f): Form<NewToken>,
) -> ApiResult<Response> {
    let made = s
        .registry
        .create_token(
            &f.name,
            &f.role,
            &f.scope,
            &audit_of(client),
            s.tokens.as_deref(),
        )
        .await;
    let note = match made {
        Ok((token, secret)) => html! {
            div.verdict.ok #verdict {
                p { "Created token " code { (token.id) } " (" (token.name) ", role " (token.role.as_str()) "). Copy it now: it is shown this once." }
                pre #new-token { (secret) }
            }
        },
        Err(e) => html! { p.verdict.bad #verdict { (e.to_string()) } },
    };
    let form = Some((f.name.as_str(), f.role.as_str(), f.scope.as_str()));
    let mut r = page("Tokens", &principal, body(&s, Some(note), form).await?);
    // The answer carries a secret: no cache may keep it.
    r.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    Ok(r)
}

pub(super) async fn revoke(
    State(s): State<AppState>,
    Path(id): Path<String>,
    principal: Option<Extension<Principal>>,
    client: Client,
) -> ApiResult<Response> {
    if s.registry
        .revoke_token(&id, &audit_of(client), s.tokens.as_deref())
        .await?
    {
        return Ok(Redirect::to(&format!("/ui/tokens?revoked={}", segment(&id))).into_response());
    }
    // Revoked already (a second click, another admin) or never there: said on the page.
    let note = html! { p.verdict.bad #verdict { "No live token with id " code { (id) } "." } };
    let mut r = page("Tokens", &principal, body(&s, Some(note), None).await?);
    *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    Ok(r)
}

/// The list and the creation form (refilled after a refused creation).
async fn body(
    s: &AppState,
    note: Option<Markup>,
    form: Option<(&str, &str, &str)>,
) -> ApiResult<Markup> {
    let tokens = s.registry.tokens().await?;
    let (name, role, scope) = form.unwrap_or(("", "read", ""));
    Ok(html! {
        @if let Some(n) = note { (n) }
        form.inline #create method="post" action="/ui/tokens" {
            input type="text" name="name" value=(name) placeholder="name (who holds it)" required maxlength="100";
            select name="role" aria-label="role" {
                @for r in ["read", "write", "admin"] { option value=(r) selected[r == role] { (r) } }
            }
            input type="text" name="scope" value=(scope) placeholder="scope: widgets.* (empty: all)";
            button type="submit" { "Create a token" }
        }
        table #tokens {
            thead { tr { th { "Id" } th { "Name" } th { "Role" } th { "Scope" } th.wide { "Created" } th { "" } } }
            tbody {
                @for l in &tokens {
                    tr class=[l.revoked.is_some().then_some("deleted")] {
                        td { code { (l.token.id) } }
                        td { (l.token.name) }
                        td { span.tag { (l.token.role.as_str()) } }
                        td { @match &l.token.scope { Some(p) => code { (p) "*" }, None => span.muted { "all subjects" } } }
                        td.wide { (l.created) }
                        td {
                            @if let Some(at) = &l.revoked { "revoked " (at) }
                            @else {
                                form method="post" action=(format!("/ui/tokens/{}/revoke", segment(&l.token.id))) data-confirm=(format!("Revoke token {} ({})?", l.token.id, l.token.name)) {
                                    button type="submit" { "Revoke" }
                                }
                            }
                        }
                    }
                }
            }
        }
    })
}
