//! The audit page (admin, as `GET /audit`): the log filtered by subject, principal, action and
//! time, through the API's own query.

use axum::extract::State;
use axum::response::Response;
use axum::Extension;
use maud::html;

use super::{page, segment};
use crate::auth::Principal;
use crate::http::audit::AuditQuery;
use crate::http::{ApiResult, AppState};

pub(super) async fn audit(
    State(s): State<AppState>,
    principal: Option<Extension<Principal>>,
    q: AuditQuery,
) -> ApiResult<Response> {
    // A time that does not parse is said on the page, with the form kept.
    let (records, limit, refused) = match q.filter() {
        Ok(f) => (s.registry.audit(&f).await?, f.limit, None),
        Err(e) => (Vec::new(), 0, Some(e.to_string())),
    };
    let body = html! {
        form.inline #filter method="get" action="/ui/audit" {
            input type="text" name="subject" value=(q.subject) placeholder="subject";
            input type="text" name="principal" value=(q.principal) placeholder="principal";
            input type="text" name="action" value=(q.action) placeholder="action (schema.register)" list="actions";
            datalist #actions { @for a in ACTIONS { option value=(a) {} } }
            label { "from " input type="datetime-local" name="since" value=(q.since); }
            label { "to " input type="datetime-local" name="until" value=(q.until); }
            button type="submit" { "Filter" }
        }
        p.muted { "Times are UTC. " (records.len()) " records" @if limit > 0 && records.len() as i64 >= limit { " (the latest; narrow the filter for older ones)" } "." }
        @if let Some(why) = refused { p.verdict.bad #verdict { (why) } }
        table #audit {
            thead { tr { th { "When" } th { "Who" } th { "What" } th { "Subject" } th.wide { "Detail" } } }
            tbody { @for r in &records { tr {
                td { (r.at) } td { (r.principal) br; span.muted { (r.address) } } td { (r.action) }
                td { @if let Some(sub) = &r.subject { a href=(format!("/ui/subjects/{}", segment(sub))) { (sub) } } }
                td.wide { code { (r.detail.to_string()) } }
            } } }
        }
    };
    Ok(page("Audit", &principal, body))
}

/// The actions the log records, offered by the filter.
const ACTIONS: [&str; 8] = [
    "schema.register",
    "schema.delete",
    "config.set",
    "config.delete",
    "mode.set",
    "mode.delete",
    "token.create",
    "token.revoke",
];
