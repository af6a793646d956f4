//! A database written by an earlier release upgrades in place: the first two migrations are
//! applied and filled the way that release wrote (references as JSON text, times as
//! `<seconds>.<millis>` text), then the current server starts on it. References move to their
//! own table (and still block a delete), times become milliseconds. SQLite and PostgreSQL.

mod common;

use common::{client, sqlite_url, start, temp_dir, Postgres};
use serde_json::{json, Value};

/// Applies only the migrations up to `upto` of a backend, the way an earlier release did.
async fn old_release(url: &str, backend: &str, upto: i64) {
    let dir = temp_dir("old-migrations");
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../migrations")
        .join(backend);
    for e in std::fs::read_dir(&src).unwrap() {
        let e = e.unwrap();
        let name = e.file_name().to_string_lossy().to_string();
        let n: i64 = name[..4].parse().unwrap();
        if n <= upto {
            std::fs::copy(e.path(), dir.join(&name)).unwrap();
        }
    }
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(url).await.unwrap();
    sqlx::migrate::Migrator::new(dir.as_path())
        .await
        .unwrap()
        .run(&pool)
        .await
        .unwrap();
    let refs = json!([{"name": "money", "subject": "money", "version": 1}]).to_string();
    for q in [
        "INSERT INTO schemas (id, fingerprint, schema_type, schema_text, refs, created_at) VALUES (1, 'f1', 'JSON', '{\"type\":\"integer\"}', '[]', '1796211000.123')".to_string(),
        format!("INSERT INTO schemas (id, fingerprint, schema_type, schema_text, refs, created_at) VALUES (2, 'f2', 'JSON', '{{\"$ref\":\"money\"}}', '{refs}', '1796211000.123')"),
        "INSERT INTO subject_versions (subject, version, schema_id, deleted, created_at) VALUES ('money', 1, 1, 0, '1796211000.123')".to_string(),
        "INSERT INTO subject_versions (subject, version, schema_id, deleted, created_at) VALUES ('order', 1, 2, 0, '1796211000.123')".to_string(),
        "INSERT INTO audit_log (at, principal, address, action, subject, detail) VALUES ('1796211000.123', 'old', '127.0.0.1', 'schema.register', 'order', '{}')".to_string(),
        "INSERT INTO api_tokens (id, name, secret_sha256, role, scope, created_at, revoked_at) VALUES ('t1', 'old', 'x', 'read', NULL, '1796211000.123', '1796211001.5')".to_string(),
    ] {
        sqlx::query(&q).execute(&pool).await.unwrap();
    }
    if backend == "postgres" {
        // As the earlier release's IMPORT mode did after explicit ids.
        sqlx::query("SELECT setval(pg_get_serial_sequence('schemas', 'id'), 2)")
            .execute(&pool)
            .await
            .unwrap();
    }
    pool.close().await;
    std::fs::remove_dir_all(dir).ok();
}

async fn check_upgraded(url: &str) {
    let server = start(url).await;
    let base = &server.base;
    let get = |path: String| async move {
        let r = client().get(format!("{base}{path}")).send().await.unwrap();
        (r.status().as_u16(), r.json::<Value>().await.unwrap())
    };
    assert_eq!(
        get("/subjects/money/versions/1/referencedby".into()).await,
        (200, json!([2]))
    );
    let r = client()
        .delete(format!("{base}/subjects/money/versions/1"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 422, "a referenced version stays");
    let (_, v) = get("/subjects/order/versions/1".into()).await;
    assert_eq!(v["references"][0]["subject"], "money");
    let (_, audit) = get("/audit".into()).await;
    let old = audit
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["principal"] == "old")
        .unwrap()
        .clone();
    assert_eq!(old["at"], "2026-12-02T11:30:00.123Z");
    assert_eq!(old["at_ms"], 1_796_211_000_123i64);
    let store = registry_server::store::Store::connect(url, 2)
        .await
        .unwrap();
    let tokens = registry_server::auth::list(&store).await.unwrap();
    assert_eq!(tokens.len(), 1);
    assert_eq!(
        tokens[0].revoked.as_deref(),
        Some("2026-12-02T11:30:01.500Z")
    );
    // New references land in the table too.
    let r = client()
        .post(format!("{base}/subjects/order2/versions"))
        .json(
            &json!({"schema": json!({"properties": {"m": {"$ref": "money"}}}).to_string(),
                      "references": [{"name": "money", "subject": "money", "version": 1}]}),
        )
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{}", r.text().await.unwrap());
    let (_, by) = get("/subjects/money/versions/1/referencedby".into()).await;
    assert_eq!(by.as_array().unwrap().len(), 2, "{by}");
    // Creation times became milliseconds, old rows converted, new rows written so.
    let pool = sqlx::AnyPool::connect(url).await.unwrap();
    let ms = |q: &'static str| {
        let pool = pool.clone();
        async move {
            let row = sqlx::query(q).fetch_one(&pool).await.unwrap();
            sqlx::Row::try_get::<i64, _>(&row, 0).unwrap()
        }
    };
    assert_eq!(
        ms("SELECT created_ms FROM schemas WHERE id = 1").await,
        1_796_211_000_123
    );
    assert_eq!(
        ms("SELECT created_ms FROM subject_versions WHERE subject = 'order'").await,
        1_796_211_000_123
    );
    let newest = ms("SELECT MAX(created_ms) FROM subject_versions").await;
    assert!(
        newest > 1_700_000_000_000,
        "a new row in milliseconds: {newest}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_database_of_an_earlier_release_upgrades() {
    let dir = temp_dir("upgrade");
    let url = sqlite_url(&dir);
    old_release(&url, "sqlite", 2).await;
    check_upgraded(&url).await;
    std::fs::remove_dir_all(dir).ok();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_database_of_an_earlier_release_upgrades() {
    let pg = Postgres::start();
    let url = pg.database("upgrade").await;
    old_release(&url, "postgres", 2).await;
    check_upgraded(&url).await;
}
