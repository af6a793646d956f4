//! Data contracts over the API (Confluent 7.4+ and 8): metadata and rule sets stored with a
//! version and part of its identity; inherited by the next version, laid over and under by the
//! subject's config; found by metadata; compatibility groups; GUIDs; the server's metadata; CEL
//! domain rules compiled at registration and run by the validate endpoints.
//! The same scenario on a real SQLite file and a real PostgreSQL server.

mod common;

use common::{get, post, put, sqlite_url, start, temp_dir, Postgres};
use reqwest::StatusCode;
use serde_json::{json, Value};

const VERSIONS: &str = "/subjects/orders-value/versions";

fn order(title: &str, amount_type: &str) -> String {
    json!({"type": "object", "title": title, "properties": {"amount": {"type": amount_type}}})
        .to_string()
}

fn rule(on_failure: &str) -> Value {
    json!({"name": "positiveAmount", "kind": "CONDITION", "mode": "WRITE", "type": "CEL",
           "expr": "message.amount > 0", "onFailure": on_failure})
}

async fn register(base: &str, path: &str, body: Value) -> Value {
    let (s, answer) = post(base, path, body).await;
    assert_eq!(s, StatusCode::OK, "{answer}");
    answer
}

async fn stored_and_returned(base: &str) {
    put(
        base,
        "/config",
        json!({"compatibility": "BACKWARD", "rules": "standard"}),
    )
    .await;
    let first = register(
        base,
        VERSIONS,
        json!({"schema": order("o", "number"),
               "metadata": {"properties": {"owner": "team-a"}, "tags": {"$.amount": ["PII"]}},
               "ruleSet": {"domainRules": [rule("ERROR")]}}),
    )
    .await;
    let id1 = first["id"].as_i64().unwrap();
    let guid = first["guid"].as_str().unwrap().to_string();
    assert_eq!(guid.len(), 36, "{guid}");

    let (_, v1) = get(base, &format!("{VERSIONS}/1")).await;
    assert_eq!(v1["metadata"]["properties"]["owner"], "team-a");
    assert_eq!(v1["metadata"]["tags"]["$.amount"], json!(["PII"]));
    assert_eq!(v1["ruleSet"]["domainRules"][0], rule("ERROR"));
    assert_eq!(v1["guid"], guid.as_str());
    let (_, by_id) = get(base, &format!("/schemas/ids/{id1}")).await;
    assert_eq!(by_id["metadata"], v1["metadata"]);
    assert_eq!(by_id["ruleSet"], v1["ruleSet"]);
    let (s, by_guid) = get(base, &format!("/schemas/guids/{guid}")).await;
    assert_eq!(s, StatusCode::OK, "{by_guid}");
    assert_eq!(by_guid["schema"], by_id["schema"]);

    // Without contracts, the same schema inherits the latest version's: nothing new.
    let again = register(base, VERSIONS, json!({"schema": order("o", "number")})).await;
    assert_eq!(again["id"], id1);
    assert_eq!(get(base, VERSIONS).await.1, json!([1]));

    // Other metadata: another identity, a new version (the rule set is inherited).
    let second = register(
        base,
        VERSIONS,
        json!({"schema": order("o", "number"), "metadata": {"properties": {"owner": "team-b"}}}),
    )
    .await;
    assert_ne!(second["id"], id1);
    let (_, v2) = get(base, &format!("{VERSIONS}/2")).await;
    assert_eq!(v2["metadata"]["properties"]["owner"], "team-b");
    assert_eq!(v2["ruleSet"], v1["ruleSet"]);

    // `{}` means none, not "inherit".
    let third = register(
        base,
        VERSIONS,
        json!({"schema": order("o", "number"), "metadata": {}, "ruleSet": {}}),
    )
    .await;
    assert_ne!(third["id"], second["id"]);
    let (_, v3) = get(base, &format!("{VERSIONS}/3")).await;
    assert!(
        v3.get("metadata").is_none() && v3.get("ruleSet").is_none(),
        "{v3}"
    );
    assert_eq!(get(base, VERSIONS).await.1, json!([1, 2, 3]));

    // Found by metadata: the newest version with every property asked for.
    let by_meta = |q: &str| format!("/subjects/orders-value/metadata?{q}");
    let (_, found) = get(base, &by_meta("key=owner&value=team-a")).await;
    assert_eq!(found["version"], 1, "{found}");
    let (_, found) = get(base, &by_meta("key=owner&value=team-b")).await;
    assert_eq!(found["version"], 2, "{found}");
    let (s, none) = get(base, &by_meta("key=owner&value=nobody")).await;
    assert_eq!(
        (s, none["error_code"].as_i64()),
        (StatusCode::NOT_FOUND, Some(40403))
    );
    let (s, _) = get(base, &by_meta("key=owner")).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let (s, none) = get(base, "/subjects/nosuch/metadata?key=a&value=b").await;
    assert_eq!(
        (s, none["error_code"].as_i64()),
        (StatusCode::NOT_FOUND, Some(40401))
    );

    // Look-up: without contracts, the newest version of the content; with, the exact one.
    let (_, hit) = post(
        base,
        "/subjects/orders-value",
        json!({"schema": order("o", "number")}),
    )
    .await;
    assert_eq!(hit["version"], 3, "{hit}");
    let (_, hit) = post(
        base,
        "/subjects/orders-value",
        json!({"schema": order("o", "number"),
               "metadata": {"properties": {"owner": "team-a"}, "tags": {"$.amount": ["PII"]}},
               "ruleSet": {"domainRules": [rule("ERROR")]}}),
    )
    .await;
    assert_eq!(hit["version"], 1, "{hit}");
}

async fn refused(base: &str) {
    for (why, rule_set) in [
        (
            "an unknown action",
            json!({"domainRules": [rule("EXPLODE")]}),
        ),
        (
            "no name",
            json!({"domainRules": [{"name": "", "type": "CEL", "expr": "true"}]}),
        ),
        (
            "no type",
            json!({"domainRules": [{"name": "r", "expr": "true"}]}),
        ),
        (
            "a name twice",
            json!({"domainRules": [rule("ERROR"), rule("DLQ")]}),
        ),
    ] {
        let (s, body) = post(
            base,
            "/subjects/bad-value/versions",
            json!({"schema": order("o", "number"), "ruleSet": rule_set}),
        )
        .await;
        assert_eq!(
            (s, body["error_code"].as_i64()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some(42210)),
            "{why}: {body}"
        );
    }
    let (s, body) = post(
        base,
        "/subjects/bad-value/versions",
        json!({"schema": order("o", "number"), "ruleSet": {"domainRules": "nope"}}),
    )
    .await;
    assert_eq!(s.as_u16() / 100, 4, "{body}");
    let (s, body) = put(
        base,
        "/config/bad-value",
        json!({"defaultRuleSet": {"domainRules": [rule("EXPLODE")]}}),
    )
    .await;
    assert_eq!(
        (s, body["error_code"].as_i64()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some(42210))
    );
    // A CEL expression that does not compile is refused with the rule and the place.
    let broken = json!({"name": "broken", "kind": "CONDITION", "mode": "WRITE", "type": "CEL",
                        "expr": "message.amount >", "onFailure": "ERROR"});
    let (s, body) = post(
        base,
        "/subjects/bad-value/versions",
        json!({"schema": order("o", "number"), "ruleSet": {"domainRules": [broken]}}),
    )
    .await;
    assert_eq!(
        (s, body["error_code"].as_i64()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some(42210))
    );
    let message = body["message"].as_str().unwrap();
    assert!(
        message.contains("\"broken\"") && message.contains("line 1, column"),
        "{message}"
    );
    for guid in ["nosuch", "00000000-0000-0000-0000-000000000000"] {
        let (s, body) = get(base, &format!("/schemas/guids/{guid}")).await;
        assert_eq!(
            (s, body["error_code"].as_i64()),
            (StatusCode::NOT_FOUND, Some(40403))
        );
    }
}

async fn configured(base: &str) {
    put(
        base,
        "/config",
        json!({"compatibility": "BACKWARD", "rules": "standard"}),
    )
    .await;
    let (s, body) = put(
        base,
        "/config/accounts-value",
        json!({"defaultMetadata": {"properties": {"tier": "gold", "owner": "unknown"}},
               "overrideMetadata": {"properties": {"owner": "platform"}},
               "defaultRuleSet": {"domainRules": [rule("NONE")]}}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert_eq!(body["overrideMetadata"]["properties"]["owner"], "platform");
    let (_, config) = get(base, "/config/accounts-value").await;
    assert_eq!(config["defaultMetadata"]["properties"]["tier"], "gold");
    assert_eq!(config["compatibilityLevel"], "BACKWARD");
    register(
        base,
        "/subjects/accounts-value/versions",
        json!({"schema": order("a", "number"), "metadata": {"properties": {"owner": "team-c"}}}),
    )
    .await;
    let (_, v) = get(base, "/subjects/accounts-value/versions/1").await;
    assert_eq!(
        v["metadata"]["properties"],
        json!({"owner": "platform", "tier": "gold"}),
        "{v}"
    );
    assert_eq!(v["ruleSet"]["domainRules"][0], rule("NONE"));
    // A later PUT of one field keeps the others.
    put(
        base,
        "/config/accounts-value",
        json!({"compatibilityGroup": "major"}),
    )
    .await;
    let (_, config) = get(base, "/config/accounts-value").await;
    assert_eq!(config["compatibilityGroup"], "major");
    assert_eq!(config["defaultMetadata"]["properties"]["tier"], "gold");

    // Compatibility groups: a new major version is checked against none of the old group.
    put(
        base,
        "/config/payments-value",
        json!({"compatibility": "BACKWARD", "compatibilityGroup": "major"}),
    )
    .await;
    let versions = "/subjects/payments-value/versions";
    let with_major = |amount: &str, major: &str| json!({"schema": order("p", amount), "metadata": {"properties": {"major": major}}});
    register(base, versions, with_major("number", "1")).await;
    let (s, body) = post(base, versions, with_major("string", "1")).await;
    assert_eq!(s, StatusCode::CONFLICT, "{body}");
    register(base, versions, with_major("string", "2")).await;
    let (s, body) = post(base, versions, with_major("boolean", "2")).await;
    assert_eq!(s, StatusCode::CONFLICT, "{body}");

    let (s, id) = get(base, "/v1/metadata/id").await;
    assert_eq!(s, StatusCode::OK);
    assert!(id["scope"]["clusters"].is_object(), "{id}");
    let (s, version) = get(base, "/v1/metadata/version").await;
    assert_eq!(s, StatusCode::OK);
    assert!(version["version"].is_string(), "{version}");
}

/// The validate endpoints run the version's CEL domain rules on schema-valid payloads, with
/// each rule's `onFailure`.
async fn enforced(base: &str) {
    let cel = |name: &str, expr: &str, on_failure: &str| {
        json!({"name": name, "kind": "CONDITION", "mode": "WRITE", "type": "CEL",
               "expr": expr, "onFailure": on_failure})
    };
    let tagged = json!({"type": "object", "properties": {
        "amount": {"type": "number"},
        "email": {"type": "string", "confluent:tags": ["PII"]}}});
    register(
        base,
        VERSIONS,
        json!({"schema": tagged.to_string(), "ruleSet": {"domainRules": [
            cel("positiveAmount", "message.amount > 0", "ERROR"),
            cel("smallAmount", "message.amount < 1000", "DLQ"),
            cel("roundAmount", "message.amount == double(int(message.amount))", "NONE"),
            {"name": "emailHasAt", "kind": "CONDITION", "mode": "WRITE", "type": "CEL_FIELD",
             "tags": ["PII"], "expr": "value.contains('@')", "onFailure": "ERROR"},
        ]}}),
    )
    .await;
    let one = |payload: Value| async move {
        let (s, answer) = post(base, &format!("{VERSIONS}/1/validate"), payload).await;
        assert_eq!(s, StatusCode::OK, "{answer}");
        let rules: Vec<String> = answer["rules"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|r| r["rule"].as_str().unwrap().to_string())
                    .collect()
            })
            .unwrap_or_default();
        (
            answer["valid"].as_bool().unwrap(),
            answer["outcome"].as_str().unwrap().to_string(),
            rules,
        )
    };
    assert_eq!(
        one(json!({"amount": 5})).await,
        (true, "pass".into(), vec![])
    );
    assert_eq!(
        one(json!({"amount": 2.5})).await,
        (true, "record".into(), vec!["roundAmount".to_string()])
    );
    assert_eq!(
        one(json!({"amount": 5000})).await,
        (false, "dead-letter".into(), vec!["smallAmount".to_string()])
    );
    assert_eq!(
        one(json!({"amount": -1})).await,
        (false, "reject".into(), vec!["positiveAmount".to_string()])
    );
    assert_eq!(
        one(json!({"amount": 1, "email": "nobody"})).await,
        (false, "reject".into(), vec!["emailHasAt".to_string()])
    );
    // schema violations come first: the rules are not run on an invalid event
    let (_, answer) = post(
        base,
        &format!("{VERSIONS}/1/validate"),
        json!({"amount": "x"}),
    )
    .await;
    assert_eq!(
        (answer["valid"].as_bool(), answer.get("rules")),
        (Some(false), None),
        "{answer}"
    );
    // the batch endpoint answers the same, line by line
    let body = "{\"amount\": 5}\n{\"amount\": -1}\n{\"amount\": 5000}\n";
    let r = common::client()
        .post(format!("{base}{VERSIONS}/1/validate/batch"))
        .body(body)
        .send()
        .await
        .unwrap();
    let text = r.text().await.unwrap();
    let outcomes: Vec<String> = text
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["outcome"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(outcomes, ["pass", "reject", "dead-letter"], "{text}");
}

async fn suite(url_for: impl AsyncFnMut(&str) -> String) {
    let mut url_for = url_for;
    for (name, scenario) in [
        ("stored", 0),
        ("refused", 1),
        ("configured", 2),
        ("enforced", 3),
    ] {
        let server = start(&url_for(name).await).await;
        match scenario {
            0 => stored_and_returned(&server.base).await,
            1 => refused(&server.base).await,
            2 => configured(&server.base).await,
            _ => enforced(&server.base).await,
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_contracts() {
    let dir = temp_dir("contracts");
    suite(async |name: &str| {
        let d = dir.join(name);
        std::fs::create_dir_all(&d).unwrap();
        sqlite_url(&d)
    })
    .await;
    std::fs::remove_dir_all(dir).ok();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_contracts() {
    let pg = Postgres::start();
    suite(async |name: &str| pg.database(&format!("c_{name}")).await).await;
}
