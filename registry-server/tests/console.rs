//! The console at `/ui` keeps the API's tokens and roles: signed out, every page it links to
//! and every form it shows sends the browser to the sign-in (found by crawling the console as
//! an admin, so a new page or form cannot skip this); a read token reads and checks but cannot
//! register or read the audit log; a scoped token sees its subjects only; the sign-in cookie
//! opens the console and nothing else. And the pages say what they should: the change kinds and
//! the witness of a comparison, the errors of a bad payload, names escaped.

mod common;

use std::collections::{BTreeSet, VecDeque};

use common::{create_token, sqlite_url, temp_dir, wait_ready, Process};
use reqwest::{header, StatusCode};
use serde_json::{json, Value};

fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

struct Page {
    status: StatusCode,
    location: String,
    body: String,
}

async fn get(base: &str, path: &str, token: Option<&str>) -> Page {
    let mut req = browser().get(format!("{base}{path}"));
    if let Some(t) = token {
        req = req.header(header::COOKIE, format!("schemagate_console={t}"));
    }
    answer(req).await
}

async fn post(base: &str, path: &str, token: Option<&str>, form: &[(&str, &str)]) -> Page {
    let mut req = browser().post(format!("{base}{path}")).form(form);
    if let Some(t) = token {
        req = req.header(header::COOKIE, format!("schemagate_console={t}"));
    }
    answer(req).await
}

async fn answer(req: reqwest::RequestBuilder) -> Page {
    let r = req.send().await.unwrap();
    Page {
        status: r.status(),
        location: r
            .headers()
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string(),
        body: r.text().await.unwrap(),
    }
}

/// The values of `attr="…"` in a page, HTML entities for `&` undone.
fn attrs(body: &str, attr: &str) -> Vec<String> {
    let needle = format!("{attr}=\"");
    body.match_indices(&needle)
        .filter_map(|(i, _)| {
            let rest = &body[i + needle.len()..];
            rest.find('"').map(|end| rest[..end].replace("&amp;", "&"))
        })
        .collect()
}

/// Every form of a page as (method, action, the formactions of its buttons).
fn forms(body: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (i, _) in body.match_indices("<form") {
        let end = body[i..].find("</form>").map_or(body.len(), |e| i + e);
        let tag_end = body[i..].find('>').map_or(end, |e| i + e);
        let tag = &body[i..tag_end];
        let method = attrs(tag, "method").pop().unwrap_or_else(|| "get".into());
        for action in attrs(tag, "action")
            .into_iter()
            .chain(attrs(&body[tag_end..end], "formaction"))
        {
            out.push((method.to_lowercase(), action));
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_console_keeps_the_apis_tokens_and_roles() {
    let dir = temp_dir("console");
    let db = sqlite_url(&dir);
    let admin = create_token(&db, "admin", "admin", None);
    let writer = create_token(&db, "ci", "write", None);
    let reader = create_token(&db, "dash", "read", None);
    let scoped = create_token(&db, "widgets-team", "read", Some("widgets.*"));
    let server = Process::start_with(&db, &[]);
    wait_ready(&server.base).await;
    let base = server.base.as_str();

    // Two versions of a widget event, the second removing an enum value, and an oddly named
    // subject.
    let api = |method: reqwest::Method, path: &str, body: Value| {
        reqwest::Client::new()
            .request(method, format!("{base}{path}"))
            .bearer_auth(&admin)
            .json(&body)
            .send()
    };
    let mut widget: Value =
        serde_json::from_str(include_str!("../../schemas/widgets/WidgetCreated.json")).unwrap();
    let r = api(
        reqwest::Method::POST,
        "/subjects/widgets.WidgetCreated/versions",
        json!({"schema": widget.to_string()}),
    )
    .await
    .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    api(
        reqwest::Method::PUT,
        "/config/widgets.WidgetCreated",
        json!({"compatibility": "NONE"}),
    )
    .await
    .unwrap();
    widget["properties"]["schema_version"]["const"] = json!("2.0.0");
    widget["properties"]["color"]["enum"] = json!(["red", "green"]);
    let r = api(
        reqwest::Method::POST,
        "/subjects/widgets.WidgetCreated/versions",
        json!({"schema": widget.to_string()}),
    )
    .await
    .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let r = api(
        reqwest::Method::POST,
        "/subjects/odd%3Cb%3Ename/versions",
        json!({"schema": "{\"type\": \"object\"}"}),
    )
    .await
    .unwrap();
    assert_eq!(r.status(), StatusCode::OK);

    // Sign-in: the page, a wrong token, a right one (the cookie's attributes).
    let signed_out = get(base, "/ui", None).await;
    assert_eq!(signed_out.status, StatusCode::SEE_OTHER);
    assert_eq!(signed_out.location, "/ui/login");
    assert_eq!(get(base, "/ui/login", None).await.status, StatusCode::OK);
    let wrong = post(base, "/ui/login", None, &[("token", "sg_nope_00")]).await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    let r = browser()
        .post(format!("{base}/ui/login"))
        .form(&[("token", reader.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let cookie = r.headers()[header::SET_COOKIE]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        cookie.starts_with(&format!("schemagate_console={reader}")),
        "{cookie}"
    );
    for attr in ["HttpOnly", "SameSite=Strict", "Path=/ui"] {
        assert!(cookie.contains(attr), "{cookie}");
    }
    // The cookie opens the console, never the API.
    let api_with_cookie = browser()
        .get(format!("{base}/subjects"))
        .header(header::COOKIE, format!("schemagate_console={reader}"))
        .send()
        .await
        .unwrap();
    assert_eq!(api_with_cookie.status(), StatusCode::UNAUTHORIZED);

    // Crawl as admin: every page linked, every form shown.
    let mut pages = BTreeSet::new();
    let mut actions = BTreeSet::new();
    let mut queue = VecDeque::from(["/ui".to_string()]);
    while let Some(path) = queue.pop_front() {
        if !pages.insert(path.clone()) || pages.len() > 200 {
            continue;
        }
        let p = get(base, &path, Some(&admin)).await;
        assert_eq!(p.status, StatusCode::OK, "{path}: {}", p.body);
        for href in attrs(&p.body, "href") {
            let href = href.split('#').next().unwrap_or("").to_string();
            if href.starts_with("/ui") && !href.starts_with("/ui/assets/") && !pages.contains(&href)
            {
                queue.push_back(href);
            }
        }
        for f in forms(&p.body) {
            actions.insert(f);
        }
    }
    for want in [
        "/ui/audit",
        "/ui/subjects/widgets.WidgetCreated",
        "/ui/subjects/widgets.WidgetCreated/versions/2",
        "/ui/subjects/widgets.WidgetCreated/compare?from=1&to=2",
        "/ui/subjects/widgets.WidgetCreated/check",
        "/ui/subjects/widgets.WidgetCreated/validate",
    ] {
        assert!(pages.contains(want), "{want} not reached: {pages:?}");
    }
    assert!(
        actions.contains(&(
            "post".into(),
            "/ui/subjects/widgets.WidgetCreated/register".into()
        )),
        "{actions:?}"
    );
    // Signed out, each of them goes to the sign-in, but the sign-in itself.
    let public = ["/ui/login", "/ui/logout"];
    for path in &pages {
        let p = get(base, path, None).await;
        assert_eq!(
            (p.status, p.location.as_str()),
            (StatusCode::SEE_OTHER, "/ui/login"),
            "GET {path}"
        );
    }
    for (method, action) in &actions {
        if public.contains(&action.as_str()) {
            continue;
        }
        let p = match method.as_str() {
            "post" => post(base, action, None, &[("schema", "{}"), ("payload", "{}")]).await,
            _ => get(base, action, None).await,
        };
        assert_eq!(
            (p.status, p.location.as_str()),
            (StatusCode::SEE_OTHER, "/ui/login"),
            "{method} {action}"
        );
    }

    // A read token: reads and checks, but neither registers nor reads the audit log.
    let list = get(base, "/ui", Some(&reader)).await;
    assert!(list.body.contains("widgets.WidgetCreated"), "{}", list.body);
    assert!(
        list.body.contains("odd&lt;b&gt;name"),
        "names are escaped: {}",
        list.body
    );
    assert!(!list.body.contains("odd<b>name"));
    let cmp = get(
        base,
        "/ui/subjects/widgets.WidgetCreated/compare?from=1&to=2",
        Some(&reader),
    )
    .await;
    assert!(cmp.body.contains("enum-value-removed"), "{}", cmp.body);
    assert!(cmp.body.contains("witness event"), "{}", cmp.body);
    assert!(
        cmp.body.contains("&quot;color&quot;: &quot;blue&quot;"),
        "the witness carries the removed value: {}",
        cmp.body
    );
    let bad = post(
        base,
        "/ui/subjects/widgets.WidgetCreated/validate",
        Some(&reader),
        &[
            ("payload", r#"{"schema_version": "2.0.0", "color": "blue"}"#),
            ("version", ""),
        ],
    )
    .await;
    assert_eq!(bad.status, StatusCode::OK);
    assert!(
        bad.body.contains("Invalid against version 2"),
        "{}",
        bad.body
    );
    assert!(bad.body.contains("<code>/color</code>"), "{}", bad.body);
    let checked = post(
        base,
        "/ui/subjects/widgets.WidgetCreated/check",
        Some(&reader),
        &[("schema", &widget.to_string())],
    )
    .await;
    assert!(checked.body.contains("Compatible"), "{}", checked.body);
    let refused = post(
        base,
        "/ui/subjects/widgets.WidgetCreated/register",
        Some(&reader),
        &[("schema", &widget.to_string())],
    )
    .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(
        refused.body.contains("this needs write"),
        "{}",
        refused.body
    );
    assert_eq!(
        get(base, "/ui/audit", Some(&reader)).await.status,
        StatusCode::FORBIDDEN
    );

    // A write token registers from the console; the audit log names it.
    let mut v3 = widget.clone();
    v3["description"] = json!("v3 from the console");
    let done = post(
        base,
        "/ui/subjects/widgets.WidgetCreated/register",
        Some(&writer),
        &[("schema", &v3.to_string())],
    )
    .await;
    assert!(
        done.body.contains("Registered as version 3"),
        "{}",
        done.body
    );
    let audit = get(
        base,
        "/ui/audit?subject=widgets.WidgetCreated",
        Some(&admin),
    )
    .await;
    assert!(audit.body.contains(":ci"), "{}", audit.body);

    // A scoped token sees its subjects only.
    let list = get(base, "/ui", Some(&scoped)).await;
    assert!(list.body.contains("widgets.WidgetCreated"));
    assert!(!list.body.contains("odd&lt;b&gt;name"), "{}", list.body);
    assert_eq!(
        get(base, "/ui/subjects/odd%3Cb%3Ename", Some(&scoped))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    std::fs::remove_dir_all(dir).ok();
}
