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
    let (admin, writer, reader) = common::role_tokens(&db);
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
    // The version field offers the live versions.
    for v in [
        "<option value=\"latest\">",
        "<option value=\"2\">",
        "<option value=\"1\">",
    ] {
        assert!(bad.body.contains(v), "{v}: {}", bad.body);
    }
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

/// An API answer's JSON body, read with a bearer token.
async fn api_json(base: &str, path: &str, token: &str) -> Value {
    reqwest::Client::new()
        .get(format!("{base}{path}"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// The admin's pages: tokens created (the secret shown once, usable at once), refused with a
/// reason, revoked (refused at once), each audited; the audit log filtered by action and time;
/// a subject's level and rule sets edited, a rule that does not compile refused; who registered
/// each version; and forms posted from another site refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admins_manage_tokens_settings_and_see_who_did_what() {
    let dir = temp_dir("console-admin");
    let db = sqlite_url(&dir);
    let (admin, writer, reader) = common::role_tokens(&db);
    let server = Process::start_with(&db, &[]);
    wait_ready(&server.base).await;
    let base = server.base.as_str();
    let api_get = |path: &str, token: &str| {
        reqwest::Client::new()
            .get(format!("{base}{path}"))
            .bearer_auth(token)
            .send()
    };
    let r = reqwest::Client::new()
        .post(format!("{base}/subjects/orders.Placed/versions"))
        .bearer_auth(&writer)
        .json(&json!({"schema": json!({"type": "object", "properties": {"amount": {"type": "number"}}}).to_string()}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);

    // Only an admin reaches the tokens page or creates one.
    assert_eq!(
        get(base, "/ui/tokens", Some(&reader)).await.status,
        StatusCode::FORBIDDEN
    );
    let form = [
        ("name", "billing-reader"),
        ("role", "read"),
        ("scope", "orders.*"),
    ];
    assert_eq!(
        post(base, "/ui/tokens", Some(&writer), &form).await.status,
        StatusCode::FORBIDDEN
    );
    let r = browser()
        .post(format!("{base}/ui/tokens"))
        .header(header::COOKIE, format!("schemagate_console={admin}"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()[header::CACHE_CONTROL], "no-store");
    let body = r.text().await.unwrap();
    let secret = body
        .split("<pre id=\"new-token\">")
        .nth(1)
        .and_then(|rest| rest.split('<').next())
        .unwrap_or_else(|| panic!("no secret shown: {body}"))
        .to_string();
    assert!(secret.starts_with("sg_"), "{secret}");
    // Usable at once on this replica, within its scope only.
    assert_eq!(
        api_get("/subjects/orders.Placed/versions", &secret)
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
    assert_eq!(
        api_get("/subjects/other/versions", &secret)
            .await
            .unwrap()
            .status(),
        StatusCode::FORBIDDEN
    );
    // The list shows it without its secret; a second look never shows the secret again.
    let list = get(base, "/ui/tokens", Some(&admin)).await;
    assert!(list.body.contains("billing-reader"), "{}", list.body);
    assert!(list.body.contains("orders.*"), "{}", list.body);
    let (_, secret_part) = secret.rsplit_once('_').unwrap();
    assert!(!list.body.contains(secret_part));
    // Refused creations say why and keep the form.
    for (form, why) in [
        (
            [("name", "x"), ("role", "root"), ("scope", "")],
            "role &quot;root&quot;",
        ),
        (
            [("name", "x"), ("role", "read"), ("scope", "a*b*")],
            "scope",
        ),
        ([("name", " "), ("role", "read"), ("scope", "")], "a name"),
    ] {
        let p = post(base, "/ui/tokens", Some(&admin), &form).await;
        assert_eq!(p.status, StatusCode::OK);
        assert!(
            p.body.contains("Invalid token") && p.body.contains(why),
            "{why}: {}",
            p.body
        );
        assert!(!p.body.contains("new-token"));
    }
    // Revoked: refused at once; revoking twice is a clear error.
    let id = secret.split('_').nth(1).unwrap().to_string();
    let p = post(base, &format!("/ui/tokens/{id}/revoke"), Some(&admin), &[]).await;
    assert_eq!(
        (p.status, p.location.as_str()),
        (
            StatusCode::SEE_OTHER,
            format!("/ui/tokens?revoked={id}").as_str()
        )
    );
    assert_eq!(
        api_get("/subjects/orders.Placed/versions", &secret)
            .await
            .unwrap()
            .status(),
        StatusCode::UNAUTHORIZED
    );
    let again = post(base, &format!("/ui/tokens/{id}/revoke"), Some(&admin), &[]).await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        again.body.contains("No live token with id"),
        "{}",
        again.body
    );

    // Both are in the audit log, by the admin, never with the secret; the API filters it.
    let created: Value =
        api_json(base, "/audit?action=token.create&principal=token:", &admin).await;
    let created = created.as_array().unwrap();
    assert_eq!(created.len(), 1, "{created:?}");
    assert!(created[0]["principal"]
        .as_str()
        .unwrap()
        .ends_with(":admin"));
    assert_eq!(created[0]["detail"]["name"], "billing-reader");
    assert!(!created[0].to_string().contains(secret_part));
    let revoked: Value = api_json(base, "/audit?action=token.revoke&principal=ADMIN", &admin).await;
    assert_eq!(revoked[0]["detail"]["id"], id.as_str(), "{revoked}");
    let future: Value = api_json(base, "/audit?since=2999-01-01", &admin).await;
    assert_eq!(future, json!([]));
    let bad = api_get("/audit?since=yesterday", &admin).await.unwrap();
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    assert!(bad
        .text()
        .await
        .unwrap()
        .contains("since=\\\"yesterday\\\""));
    let page = get(
        base,
        "/ui/audit?action=token.create&since=2000-01-01T00:00",
        Some(&admin),
    )
    .await;
    assert!(
        page.body.contains("<td>token.create</td>") && !page.body.contains("<td>token.revoke</td>"),
        "{}",
        page.body
    );
    let page = get(base, "/ui/audit?since=nope", Some(&admin)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("since=&quot;nope&quot;"),
        "{}",
        page.body
    );

    // Who registered each version, and the last change in the list.
    let subject = get(base, "/ui/subjects/orders.Placed", Some(&admin)).await;
    let registered = subject.body.split("registered\">").nth(1).unwrap_or("");
    assert!(
        registered.starts_with("token:") && registered.contains(":ci<br>"),
        "{}",
        subject.body
    );
    let list = get(base, "/ui", Some(&admin)).await;
    assert!(
        list.body.contains("schema.register by token:"),
        "{}",
        list.body
    );

    // The level and rule sets: a rule that does not compile is refused and nothing is saved;
    // one that compiles is saved; a box sent back as shown is left alone.
    let rule = |expr: &str| {
        json!({"domainRules": [{"name": "positive", "kind": "CONDITION", "mode": "WRITE",
                                "type": "CEL", "expr": expr}]})
        .to_string()
    };
    let settings = |level: &'static str, default: String, was: String| {
        vec![
            ("level", level.to_string()),
            ("rules", "events".to_string()),
            ("default_rule_set", default),
            ("default_rule_set_was", was),
            ("override_rule_set", String::new()),
            ("override_rule_set_was", String::new()),
        ]
    };
    let send = |form: Vec<(&'static str, String)>| {
        browser()
            .post(format!("{base}/ui/subjects/orders.Placed/config"))
            .header(header::COOKIE, format!("schemagate_console={admin}"))
            .form(&form)
            .send()
    };
    let r = send(settings("FULL", rule("message.amount >"), String::new()))
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("Not saved"));
    let config: Value = api_json(base, "/config/orders.Placed", &admin).await;
    assert_ne!(config["compatibilityLevel"], "FULL", "{config}");
    let r = send(settings("FULL", rule("message.amount > 0"), String::new()))
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let config: Value = api_json(base, "/config/orders.Placed", &admin).await;
    assert_eq!(config["compatibilityLevel"], "FULL", "{config}");
    assert_eq!(
        config["defaultRuleSet"]["domainRules"][0]["expr"],
        "message.amount > 0"
    );
    // The page shows it in the editor; sent back unchanged (with CRLF, as browsers do) with
    // another level, it stays as it was.
    let subject = get(base, "/ui/subjects/orders.Placed", Some(&admin)).await;
    assert!(
        subject.body.contains("message.amount &gt; 0"),
        "{}",
        subject.body
    );
    let shown = serde_json::to_string_pretty(&config["defaultRuleSet"]).unwrap();
    let r = send(settings("BACKWARD", shown.replace('\n', "\r\n"), shown))
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let after: Value = api_json(base, "/config/orders.Placed", &admin).await;
    assert_eq!(after["compatibilityLevel"], "BACKWARD");
    assert_eq!(after["defaultRuleSet"], config["defaultRuleSet"]);

    // Forms posted from another site are refused, the sign-in included.
    let foreign = browser()
        .post(format!("{base}/ui/login"))
        .header(header::ORIGIN, "https://evil.example")
        .form(&[("token", reader.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(foreign.status(), StatusCode::FORBIDDEN);
    let host = base.trim_start_matches("http://");
    let own = browser()
        .post(format!("{base}/ui/login"))
        .header(header::ORIGIN, format!("http://{host}"))
        .form(&[("token", reader.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(own.status(), StatusCode::SEE_OTHER);
    let cross = browser()
        .post(format!("{base}/ui/subjects/orders.Placed/check"))
        .header(header::COOKIE, format!("schemagate_console={admin}"))
        .header("sec-fetch-site", "cross-site")
        .form(&[("schema", "{}")])
        .send()
        .await
        .unwrap();
    assert_eq!(cross.status(), StatusCode::FORBIDDEN);
    std::fs::remove_dir_all(dir).ok();
}
