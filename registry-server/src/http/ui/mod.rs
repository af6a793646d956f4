//! The registry console at `/ui`: server-rendered pages over the same domain layer as the API,
//! behind the same tokens and roles (`auth::admit` decides every request before a handler runs;
//! the console adds only a sign-in that keeps the token in an HttpOnly, SameSite=Strict cookie
//! scoped to `/ui`). Reads need `read`; checking a candidate or a payload needs `read`;
//! registering needs `write`.

mod audit;
mod page;
mod tokens;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Extension, Form, Router};
use maud::{html, Markup};
use registry_api::Level;
use registry_client::segment;
use serde::Deserialize;

use super::auth::Seen;
use super::{audit_of, ApiResult, AppState, Client};
use crate::auth::Principal;
use crate::domain::{pretty, AuditFilter, AuditRecord, Listing};
use page::{html as page_html, json_block, layout, numbered, text_diff};

/// The cookie that carries a console session's token.
pub const COOKIE: &str = "schemagate_console";

/// Subjects per page of the list.
const PAGE: usize = 50;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/ui", get(subjects))
        .route("/ui/", get(subjects))
        .route("/ui/assets/console.css", get(css))
        .route("/ui/assets/console.js", get(js))
        .route("/ui/login", get(login_form).post(login))
        .route("/ui/logout", post(logout))
        .route("/ui/audit", get(audit::audit))
        .route("/ui/tokens", get(tokens::list).post(tokens::create))
        .route("/ui/tokens/{id}/revoke", post(tokens::revoke))
        .route("/ui/subjects/{subject}", get(subject))
        .route("/ui/subjects/{subject}/versions/{version}", get(version))
        .route("/ui/subjects/{subject}/compare", get(compare))
        .route("/ui/subjects/{subject}/check", get(check_form).post(check))
        .route(
            "/ui/subjects/{subject}/validate",
            get(validate_form).post(validate),
        )
        .route("/ui/subjects/{subject}/register", post(register))
        .route("/ui/subjects/{subject}/config", post(set_config))
}

fn who(p: &Option<Extension<Principal>>) -> Option<String> {
    p.as_ref().map(|Extension(p)| p.0.to_string())
}

/// A console page for the signed-in principal.
fn page(title: &str, principal: &Option<Extension<Principal>>, body: Markup) -> Response {
    page_html(layout(title, who(principal).as_deref(), body)).into_response()
}

async fn css() -> Response {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8")],
        page::CSS,
    )
        .into_response()
}

async fn js() -> Response {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
        page::JS,
    )
        .into_response()
}

/// The page for a console request the token may not make (403).
pub fn refused_page(why: &str) -> axum::response::Html<String> {
    page_html(layout(
        "Not allowed",
        None,
        html! {
            p.verdict.bad #refused { "Refused: " (why) "." }
            p { a href="/ui" { "Back to the subjects" } " · " a href="/ui/login" { "Sign in with another token" } }
        },
    ))
}

// ---- sign-in ----

async fn login_form() -> Response {
    page_html(layout(
        "Sign in",
        None,
        html! {
            p.muted { "The console takes the same API tokens as the registry (" code { "registry-server token create" } ")." }
            form.inline method="post" action="/ui/login" {
                label for="token" { "Token" }
                input #token type="password" name="token" autocomplete="off" size="48" autofocus;
                button type="submit" { "Sign in" }
            }
        },
    ))
    .into_response()
}

#[derive(Deserialize)]
struct LoginForm {
    token: String,
}

async fn login(State(s): State<AppState>, Form(f): Form<LoginForm>) -> Response {
    // An open registry needs no sign-in (and keeps no cookie).
    let open = s
        .tokens
        .as_ref()
        .is_none_or(|t| t.is_empty() && s.open_without_tokens);
    if open {
        return Redirect::to("/ui").into_response();
    }
    let presented = f.token.trim();
    // A token that verifies is `sg_ID_SECRET` (hex), so it is safe as a cookie value.
    let valid = s
        .tokens
        .as_ref()
        .is_some_and(|t| t.verify(presented).is_some());
    if !valid {
        let body = layout(
            "Sign in",
            None,
            html! {
                p.verdict.bad { "That token is not valid (unknown, revoked or mistyped)." }
                p { a href="/ui/login" { "Try again" } }
            },
        );
        return (StatusCode::UNAUTHORIZED, page_html(body)).into_response();
    }
    let cookie = format!("{COOKIE}={presented}; Path=/ui; HttpOnly; SameSite=Strict");
    ([(header::SET_COOKIE, cookie)], Redirect::to("/ui")).into_response()
}

async fn logout() -> Response {
    let cookie = format!("{COOKIE}=; Path=/ui; HttpOnly; SameSite=Strict; Max-Age=0");
    ([(header::SET_COOKIE, cookie)], Redirect::to("/ui/login")).into_response()
}

// ---- subjects ----

#[derive(Deserialize, Default)]
struct ListQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    prefix: String,
    #[serde(default)]
    page: usize,
}

/// The subject list: by prefix and by text, a page at a time; the columns are read for the
/// page's subjects only, so the page costs the same with 10 or 10,000 subjects but the listing.
async fn subjects(
    State(s): State<AppState>,
    seen: Seen,
    principal: Option<Extension<Principal>>,
    Query(q): Query<ListQuery>,
) -> ApiResult<Response> {
    let listing = Listing {
        prefix: q.prefix.clone(),
        ..Listing::default()
    };
    let needle = q.q.to_lowercase();
    let names: Vec<String> = s
        .registry
        .subjects(&listing)
        .await?
        .into_iter()
        .filter(|n| seen.covers(n) && (needle.is_empty() || n.to_lowercase().contains(&needle)))
        .collect();
    let total = names.len();
    let pages = total.div_ceil(PAGE).max(1);
    let current = q.page.min(pages - 1);
    let shown: Vec<String> = names
        .iter()
        .skip(current * PAGE)
        .take(PAGE)
        .cloned()
        .collect();
    let mut last_changes = s.registry.last_changes(&shown).await?;
    let mut rows = Vec::new();
    for name in &shown {
        let versions = s.registry.versions(name, false).await?;
        let latest = versions.iter().rev().find(|v| !v.deleted);
        let settings = s.registry.settings(name).await?;
        let (schema_version, rules) = match latest {
            Some(v) => {
                let schema = s.registry.schema(v.schema_id).await?;
                let declared = declared(&schema.text);
                let rules = schema.rule_set.as_ref().map_or(0, |r| {
                    r.domain_rules.as_ref().map_or(0, Vec::len)
                        + r.migration_rules.as_ref().map_or(0, Vec::len)
                });
                (declared, rules)
            }
            None => (None, 0),
        };
        let last = last_changes.remove(name);
        rows.push((
            name.clone(),
            latest.map(|v| v.version),
            schema_version,
            settings.level.as_str(),
            rules,
            last,
        ));
    }
    let link = |p: usize| {
        format!(
            "/ui?q={}&prefix={}&page={p}",
            segment(&q.q),
            segment(&q.prefix)
        )
    };
    let body = html! {
        form.inline method="get" action="/ui" role="search" {
            input #q type="search" name="q" value=(q.q) placeholder="text in the name (press /)";
            input type="text" name="prefix" value=(q.prefix) placeholder="prefix";
            button type="submit" { "Search" }
        }
        p.muted { (total) " subjects" @if pages > 1 { ", page " (current + 1) " of " (pages) } }
        table #subjects {
            thead { tr { th { "Subject" } th { "Latest" } th { "schema_version" } th { "Level" } th.wide { "Rules" } th.wide { "Last change" } } }
            tbody {
                @for (name, latest, sv, level, rules, last) in &rows {
                    tr {
                        td { a href=(format!("/ui/subjects/{}", segment(name))) { (name) } }
                        td { @if let Some(v) = latest { "v" (v) } @else { span.muted { "deleted" } } }
                        td { @if let Some(sv) = sv { code { (sv) } } }
                        td { span.tag { (level) } }
                        td.wide { @if *rules > 0 { (rules) } }
                        td.wide { @if let Some(r) = last { (r.action) " by " (r.principal) br; span.muted { (r.at) } } }
                    }
                }
            }
        }
        @if pages > 1 {
            nav.inline {
                @if current > 0 { a rel="prev" href=(link(current - 1)) { "← previous" } " " }
                @if current + 1 < pages { a rel="next" href=(link(current + 1)) { "next →" } }
            }
        }
    };
    Ok(page("Subjects", &principal, body))
}

fn declared(text: &str) -> Option<String> {
    let v: serde_json::Value = serde_json::from_str(text).ok()?;
    schema_core::version::declared(&v)
        .ok()
        .map(|v| v.to_string())
}

// ---- one subject ----

/// Audit records read for a subject's page (its history, and who registered each version).
const HISTORY: i64 = 500;

async fn subject(
    State(s): State<AppState>,
    Path(name): Path<String>,
    principal: Option<Extension<Principal>>,
) -> ApiResult<Response> {
    let versions = s.registry.versions(&name, true).await?;
    let settings = s.registry.settings(&name).await?;
    let contracts = s.registry.contract_settings(&name).await?;
    let history = s
        .registry
        .audit(&AuditFilter {
            subject: Some(name.clone()),
            limit: HISTORY,
            ..AuditFilter::default()
        })
        .await?;
    let mut rows = Vec::new();
    for v in &versions {
        let schema = s.registry.schema(v.schema_id).await?;
        rows.push((
            v.clone(),
            declared(&schema.text),
            registered_by(&history, v),
        ));
    }
    let latest = versions.iter().rev().find(|v| !v.deleted);
    let (refs_out, refs_in, rule_set) = match latest {
        Some(v) => {
            let schema = s.registry.schema(v.schema_id).await?;
            let used_by = s
                .registry
                .referenced_by(&name, &v.version.to_string())
                .await
                .unwrap_or_default();
            (schema.refs.clone(), used_by, schema.rule_set.clone())
        }
        None => (Vec::new(), Vec::new(), None),
    };
    let enc = segment(&name);
    let rule_text = |r: &Option<registry_api::RuleSet>| {
        r.as_ref()
            .and_then(|r| serde_json::to_string_pretty(r).ok())
            .unwrap_or_default()
    };
    let body = html! {
        p { "Level " span.tag { (settings.level.as_str()) } " · rules " span.tag { (settings.rules.to_string()) }
            @if contracts.default_rule_set.is_some() || contracts.override_rule_set.is_some() { " · " span.tag { "subject rule sets" } } }
        details #level-editor {
            summary { "Change the level and rules (admin, as " code { "PUT /config/{subject}" } ")" }
            form method="post" action=(format!("/ui/subjects/{enc}/config")) {
                p.inline {
                    label for="level" { "Level" }
                    select #level name="level" {
                        @for l in Level::ALL { option value=(l.as_str()) selected[l == settings.level] { (l.as_str()) } }
                    }
                    label for="rules" { "Checks" }
                    select #rules name="rules" {
                        @for r in ["events", "standard", "lenient"] { option value=(r) selected[r == settings.rules.to_string()] { (r) } }
                    }
                }
                div.cols {
                    div {
                        label for="default_rule_set" { "defaultRuleSet " span.muted { "(given to versions registered without one)" } }
                        textarea.short #default_rule_set name="default_rule_set" spellcheck="false" placeholder="{\"domainRules\": [...]}" { (rule_text(&contracts.default_rule_set)) }
                        input type="hidden" name="default_rule_set_was" value=(rule_text(&contracts.default_rule_set));
                    }
                    div {
                        label for="override_rule_set" { "overrideRuleSet " span.muted { "(merged over every new version's)" } }
                        textarea.short #override_rule_set name="override_rule_set" spellcheck="false" placeholder="{\"domainRules\": [...]}" { (rule_text(&contracts.override_rule_set)) }
                        input type="hidden" name="override_rule_set_was" value=(rule_text(&contracts.override_rule_set));
                    }
                }
                p.muted { "Rules are CEL (" code { "CONDITION" } ") and must compile. A box left as shown is not saved (an inherited rule set stays inherited); emptied, the subject keeps no rule set of that kind." }
                button type="submit" { "Save" }
            }
        }
        p.inline {
            a href=(format!("/ui/subjects/{enc}/check")) { "Check a candidate" } " · "
            a href=(format!("/ui/subjects/{enc}/validate")) { "Validate a payload" }
        }
        h2 { "Versions" }
        table #versions {
            thead { tr { th { "Version" } th { "schema_version" } th { "Id" } th.wide { "Registered" } th { "" } } }
            tbody {
                @for (i, (v, sv, by)) in rows.iter().enumerate() {
                    tr class=[v.deleted.then_some("deleted")] {
                        td { a href=(format!("/ui/subjects/{enc}/versions/{}", v.version)) { "v" (v.version) } @if v.deleted { " (deleted)" } }
                        td { @if let Some(sv) = sv { code { (sv) } } }
                        td { (v.schema_id) }
                        td.wide.registered {
                            @if let Some(who) = by { (who) br; }
                            @if v.created_ms > 0 { span.muted { (crate::time::rfc3339(v.created_ms)) } }
                        }
                        td { @if let Some((prev, _, _)) = i.checked_sub(1).and_then(|j| rows.get(j)) {
                            a href=(format!("/ui/subjects/{enc}/compare?from={}&to={}", prev.version, v.version)) { "compare with v" (prev.version) }
                        } }
                    }
                }
            }
        }
        h2 { "References" }
        @if refs_out.is_empty() && refs_in.is_empty() { p.muted { "None." } }
        @if !refs_out.is_empty() {
            p { "Uses: " @for r in &refs_out { a href=(format!("/ui/subjects/{}/versions/{}", segment(&r.subject), r.version)) { (r.subject) " v" (r.version) } " (as " code { (r.name) } ") " } }
        }
        @if !refs_in.is_empty() {
            p { "Used by schema ids: " @for id in &refs_in { span.tag { (id) } " " } }
        }
        @if let Some(rs) = &rule_set {
            h2 { "Rules of the latest version" }
            (json_block(rs))
        }
        h2 { "History" }
        @if history.is_empty() { p.muted { "Nothing in the audit log." } }
        @else {
            table #history {
                thead { tr { th { "When" } th { "Who" } th { "What" } th.wide { "Detail" } } }
                tbody { @for r in &history { tr { td { (r.at) } td { (r.principal) } td { (r.action) } td.wide { code { (r.detail.to_string()) } } } } }
            }
        }
    };
    Ok(page(&name, &principal, body))
}

/// Who registered a version, from the subject's audit records (the register record names the
/// version it made).
fn registered_by(history: &[AuditRecord], v: &crate::domain::VersionRow) -> Option<String> {
    history
        .iter()
        .find(|r| r.action == "schema.register" && r.detail["version"].as_i64() == Some(v.version))
        .map(|r| r.principal.clone())
}

#[derive(Deserialize)]
struct SettingsForm {
    level: String,
    rules: String,
    #[serde(default)]
    default_rule_set: String,
    #[serde(default)]
    default_rule_set_was: String,
    #[serde(default)]
    override_rule_set: String,
    #[serde(default)]
    override_rule_set_was: String,
}

/// Sets the subject's level, checks and rule sets (the route needs `admin`, as
/// `PUT /config/{s}`). A rule set that does not parse or compile is said on a page, not saved.
async fn set_config(
    State(s): State<AppState>,
    Path(name): Path<String>,
    principal: Option<Extension<Principal>>,
    client: Client,
    Form(f): Form<SettingsForm>,
) -> ApiResult<Response> {
    // A box as it was shown is left alone (so saving a level does not copy an inherited rule
    // set into the subject); an emptied one becomes an empty set, the only way to take one away.
    let rule_set =
        |field: &str, text: &str, was: &str| -> Result<Option<registry_api::RuleSet>, String> {
            // Browsers send a textarea's lines ending in CRLF.
            let text = text.replace("\r\n", "\n");
            match text.trim() {
                t if t == was.replace("\r\n", "\n").trim() => Ok(None),
                "" => Ok(Some(registry_api::RuleSet::default())),
                t => serde_json::from_str(t)
                    .map(Some)
                    .map_err(|e| format!("{field}: not a rule set: {e}")),
            }
        };
    let saved = match (
        rule_set(
            "defaultRuleSet",
            &f.default_rule_set,
            &f.default_rule_set_was,
        ),
        rule_set(
            "overrideRuleSet",
            &f.override_rule_set,
            &f.override_rule_set_was,
        ),
    ) {
        (Ok(default_rule_set), Ok(override_rule_set)) => {
            let req = registry_api::ConfigRequest {
                compatibility: Some(f.level),
                rules: Some(f.rules),
                contracts: registry_api::ConfigContracts {
                    default_rule_set,
                    override_rule_set,
                    ..Default::default()
                },
                ..Default::default()
            };
            s.registry
                .set_config(&name, &req, &audit_of(client))
                .await
                .map(|_| ())
                .map_err(|e| e.to_string())
        }
        (Err(e), _) | (_, Err(e)) => Err(e),
    };
    match saved {
        Ok(()) => Ok(Redirect::to(&format!("/ui/subjects/{}", segment(&name))).into_response()),
        Err(why) => {
            let body = html! {
                p.verdict.bad #verdict { "Not saved: " (why) }
                p { a href=(format!("/ui/subjects/{}", segment(&name))) { "Back to " (name) } }
            };
            let mut r = page(&format!("Settings of {name}"), &principal, body);
            *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(r)
        }
    }
}

// ---- one version ----

async fn version(
    State(s): State<AppState>,
    Path((name, v)): Path<(String, String)>,
    principal: Option<Extension<Principal>>,
) -> ApiResult<Response> {
    let row = s.registry.find_version(&name, &v, true).await?;
    let schema = s.registry.schema(row.schema_id).await?;
    let text = pretty(&schema.text);
    let enc = segment(&name);
    let body = html! {
        p { a href=(format!("/ui/subjects/{enc}")) { (name) } " · version " (row.version) " · id " (row.schema_id)
            @if row.deleted { " · " span.bad { "deleted" } }
            @if let Some(sv) = declared(&schema.text) { " · schema_version " code { (sv) } } }
        (numbered("schema", &text, &[]))
        @if !schema.refs.is_empty() { h2 { "References" } (json_block(&schema.refs)) }
        @if let Some(m) = &schema.metadata { h2 { "Metadata" } (json_block(m)) }
        @if let Some(r) = &schema.rule_set { h2 { "Rule set" } (json_block(r)) }
    };
    let title = format!("{name} v{}", row.version);
    Ok(page(&title, &principal, body))
}

// ---- compare ----

#[derive(Deserialize)]
struct CompareQuery {
    from: String,
    to: String,
}

/// Two versions: the typed changes (kind, direction, rule, help, witness), each linked to its
/// lines in both schemas, and the text diff beside them. The URL is the link to share.
async fn compare(
    State(s): State<AppState>,
    Path(name): Path<String>,
    principal: Option<Extension<Principal>>,
    Query(q): Query<CompareQuery>,
) -> ApiResult<Response> {
    let d = s.registry.diff(&name, &q.to, Some(&q.from)).await?;
    let (old_text, new_text) = (&d.old_text, &d.new_text);
    let (old_loc, new_loc) = (
        schema_core::locate::Locator::new(old_text),
        schema_core::locate::Locator::new(new_text),
    );
    let line = |loc: &schema_core::locate::Locator, ptr: &str| loc.position(ptr).map(|(l, _)| l);
    let changes: Vec<_> = d
        .report
        .changes
        .iter()
        .map(|c| {
            (
                c,
                line(&old_loc, &c.old_pointer),
                line(&new_loc, &c.new_pointer),
            )
        })
        .collect();
    let old_marked: Vec<usize> = changes.iter().filter_map(|c| c.1).collect();
    let new_marked: Vec<usize> = changes.iter().filter_map(|c| c.2).collect();
    let breaking = d.report.breaking().count();
    let body = html! {
        p { a href=(format!("/ui/subjects/{}", segment(&name))) { (name) } " · v" (d.from) " → v" (d.to)
            " · rules " span.tag { (d.report.rules.to_string()) } }
        @if breaking == 0 {
            p.verdict.ok #verdict { "Compatible both ways: " (d.report.changes.len()) " changes, none breaking." }
        } @else {
            p.verdict.bad #verdict { (breaking) " breaking of " (d.report.changes.len()) " changes." }
        }
        table #changes {
            thead { tr { th { "Change" } th { "Breaks" } th { "Where" } th.wide { "Rule" } } }
            tbody {
                @for (c, ol, nl) in &changes {
                    tr {
                        td {
                            code.kind { (c.kind.id()) } br;
                            (c.message)
                            @if !c.help.is_empty() { br; span.muted { "fix: " (c.help) } }
                            @if let Some(w) = &c.witness {
                                details.witness { summary { "witness event" }
                                    pre { (serde_json::to_string_pretty(&w.instance).unwrap_or_default()) }
                                    p.muted { "valid under the " (format!("{:?}", w.valid_under).to_lowercase()) " schema, rejected by the " (format!("{:?}", w.invalid_under).to_lowercase()) } }
                            }
                        }
                        td { @if c.breaks.is_empty() { span.ok { "none" } } @else { @for b in &c.breaks { span.bad.tag { (format!("{b:?}").to_lowercase()) } " " } } }
                        td {
                            @if let Some(l) = ol { a href=(format!("#old-L{l}")) { "old:" (l) } " " }
                            @if let Some(l) = nl { a href=(format!("#new-L{l}")) { "new:" (l) } }
                            br; code.muted { (c.instance_pointer) }
                        }
                        td.wide { code { (c.rule) } }
                    }
                }
            }
        }
        div.cols {
            div { h2 { "v" (d.from) } (numbered("old", old_text, &old_marked)) }
            div { h2 { "v" (d.to) } (numbered("new", new_text, &new_marked)) }
        }
        h2 { "Text diff" }
        (text_diff(&d.text_diff))
    };
    let title = format!("{name}: v{} → v{}", d.from, d.to);
    Ok(page(&title, &principal, body))
}

// ---- check a candidate ----

#[derive(Deserialize)]
struct SchemaForm {
    schema: String,
}

async fn check_form(Path(name): Path<String>, principal: Option<Extension<Principal>>) -> Response {
    let body = candidate_form(&name, "", None);
    page(&format!("Check a candidate for {name}"), &principal, body)
}

fn candidate_form(name: &str, text: &str, verdict: Option<Markup>) -> Markup {
    let enc = segment(name);
    html! {
        p { a href=(format!("/ui/subjects/{enc}")) { (name) } }
        @if let Some(v) = verdict { (v) }
        form method="post" action=(format!("/ui/subjects/{enc}/check")) {
            textarea #schema name="schema" spellcheck="false" placeholder="the candidate schema (JSON)" { (text) }
            p.inline {
                label { "or load a file: " input #schema-file type="file" accept=".json,application/json" data-into="schema"; }
            }
            p.inline {
                button type="submit" { "Check at the subject's level" }
                " "
                button type="submit" formaction=(format!("/ui/subjects/{enc}/register")) { "Register (write role)" }
            }
        }
    }
}

/// The verdict the registry would give at registration, each breaking change located on the
/// candidate's lines.
async fn check(
    State(s): State<AppState>,
    Path(name): Path<String>,
    principal: Option<Extension<Principal>>,
    Form(f): Form<SchemaForm>,
) -> ApiResult<Response> {
    let req = registry_api::SchemaRequest {
        schema: f.schema.clone(),
        ..Default::default()
    };
    let verdict = match s.registry.compatibility(&name, None, &req, false).await {
        Ok(v) => {
            let loc = schema_core::locate::Locator::new(&f.schema);
            html! {
                @if v.compatible {
                    p.verdict.ok #verdict { "Compatible: the registry would accept it." }
                } @else {
                    div.verdict.bad #verdict {
                        p { "Refused: " (v.changes.len()) " breaking changes." }
                        ul { @for c in &v.changes { li {
                            code { (c.kind) } " (against v" (c.version) ") "
                            @if let Some((l, col)) = loc.position(&c.new_pointer) { "line " (l) ":" (col) " " }
                            (c.message)
                        } } }
                    }
                }
            }
        }
        Err(e) => {
            html! { p.verdict.bad #verdict { "Not a schema the registry takes: " (e.to_string()) } }
        }
    };
    let body = candidate_form(&name, &f.schema, Some(verdict));
    Ok(page(
        &format!("Check a candidate for {name}"),
        &principal,
        body,
    ))
}

/// Registers the candidate (the route needs `write`: `auth::admit` refused lesser tokens).
async fn register(
    State(s): State<AppState>,
    Path(name): Path<String>,
    principal: Option<Extension<Principal>>,
    client: Client,
    Form(f): Form<SchemaForm>,
) -> ApiResult<Response> {
    let req = registry_api::SchemaRequest {
        schema: f.schema.clone(),
        ..Default::default()
    };
    let audit = audit_of(client);
    let verdict = match s.registry.register(&name, &req, false, &audit).await {
        Ok(r) => {
            html! { p.verdict.ok #verdict { "Registered as version " (r.version) ", id " (r.id) "." } }
        }
        Err(e) => html! { p.verdict.bad #verdict { "Refused: " (e.to_string()) } },
    };
    let body = candidate_form(&name, &f.schema, Some(verdict));
    Ok(page(
        &format!("Check a candidate for {name}"),
        &principal,
        body,
    ))
}

// ---- validate a payload ----

#[derive(Deserialize)]
struct PayloadForm {
    payload: String,
    #[serde(default)]
    version: String,
}

async fn validate_form(
    State(s): State<AppState>,
    Path(name): Path<String>,
    principal: Option<Extension<Principal>>,
) -> ApiResult<Response> {
    let body = payload_form(&s, &name, "", "", None).await?;
    Ok(page(
        &format!("Validate a payload of {name}"),
        &principal,
        body,
    ))
}

/// The payload form; the version field offers the subject's live versions.
async fn payload_form(
    s: &AppState,
    name: &str,
    payload: &str,
    version: &str,
    answer: Option<Markup>,
) -> ApiResult<Markup> {
    let versions = s.registry.versions(name, false).await?;
    let enc = segment(name);
    Ok(html! {
        p { a href=(format!("/ui/subjects/{enc}")) { (name) } }
        @if let Some(a) = answer { (a) }
        form method="post" action=(format!("/ui/subjects/{enc}/validate")) {
            textarea #payload name="payload" spellcheck="false" placeholder="one event (JSON)" { (payload) }
            p.inline {
                label { "or load a file: " input #payload-file type="file" accept=".json,application/json" data-into="payload"; }
            }
            p.inline {
                label for="version" { "Version " }
                input #version type="text" name="version" value=(version) placeholder="from its schema_version" size="24" list="version-list";
                datalist #version-list {
                    option value="latest" {}
                    @for v in versions.iter().rev().filter(|v| !v.deleted) { option value=(v.version) {} }
                }
                button type="submit" { "Validate" }
            }
        }
    })
}

/// One event against the version named, or the one whose `schema_version` it carries (else
/// the latest), with each error at its pointer.
async fn validate(
    State(s): State<AppState>,
    Path(name): Path<String>,
    principal: Option<Extension<Principal>>,
    Form(f): Form<PayloadForm>,
) -> ApiResult<Response> {
    let version = match f.version.trim() {
        "" => by_schema_version(&s, &name, &f.payload).await?,
        v => v.to_string(),
    };
    let answer = match super::validate::validate_one(
        &s,
        &name,
        &version,
        Bytes::from(f.payload.clone()),
    )
    .await
    {
        Ok(a) => {
            let valid = a["valid"].as_bool().unwrap_or(false);
            let errors = a["errors"].as_array().cloned().unwrap_or_default();
            let rules = a["rules"].as_array().cloned().unwrap_or_default();
            html! {
                div.verdict.(if valid { "ok" } else { "bad" }) #verdict {
                    p { @if valid { "Valid" } @else { "Invalid" } " against version " (a["version"]) " (outcome " (a["outcome"].as_str().unwrap_or("")) ")." }
                    @if !errors.is_empty() { ul #errors { @for e in &errors { li {
                        code { (e["instance_pointer"].as_str().filter(|p| !p.is_empty()).unwrap_or("/")) } " " (e["message"].as_str().unwrap_or("")) " " span.muted { "(" (e["keyword"].as_str().unwrap_or("")) ")" }
                    } } } }
                    @if !rules.is_empty() { ul { @for r in &rules { li { "rule " code { (r["rule"].as_str().unwrap_or("")) } ": " (r["message"].as_str().unwrap_or("")) } } } }
                }
            }
        }
        Err(e) => html! { p.verdict.bad #verdict { (e.to_string()) } },
    };
    let body = payload_form(&s, &name, &f.payload, &f.version, Some(answer)).await?;
    Ok(page(
        &format!("Validate a payload of {name}"),
        &principal,
        body,
    ))
}

/// The version whose declared `schema_version` the payload carries; `latest` when it carries
/// none or one no version declares (the answer then says which version judged it).
async fn by_schema_version(s: &AppState, name: &str, payload: &str) -> ApiResult<String> {
    let carried = serde_json::from_str::<serde_json::Value>(payload)
        .ok()
        .and_then(|v| {
            v.get("schema_version")
                .and_then(|v| v.as_str())
                .map(String::from)
        });
    let Some(carried) = carried else {
        return Ok("latest".into());
    };
    for v in s.registry.versions(name, false).await?.iter().rev() {
        let schema = s.registry.schema(v.schema_id).await?;
        if declared(&schema.text).as_deref() == Some(carried.as_str()) {
            return Ok(v.version.to_string());
        }
    }
    Ok("latest".into())
}
