//! Test harness: real servers on real sockets over a real SQLite file or a real PostgreSQL
//! cluster. When `SCHEMAGATE_TEST_POSTGRES` is not set, a throwaway cluster is created with
//! `initdb` and started with `pg_ctl` on a free port (as the `postgres` user when run as root)
//! and stopped when the harness is dropped.

#![allow(dead_code)]

use std::path::PathBuf;
use std::process::Command;

use registry_server::store::Store;
use reqwest::StatusCode;
use serde_json::Value;

pub struct Server {
    pub base: String,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Starts a server process-internally on 127.0.0.1 with an OS-chosen port.
pub async fn start(database_url: &str) -> Server {
    let _ = tracing_subscriber::fmt()
        .with_env_filter("error")
        .with_test_writer()
        .try_init();
    let store = Store::connect(database_url, 8)
        .await
        .expect("store connects");
    let options = registry_server::AppOptions::open(64 * 1024);
    let (addr, task) = registry_server::serve_local(store, 0, options)
        .await
        .unwrap();
    Server {
        base: format!("http://{addr}"),
        task,
    }
}

/// A `registry-server` process on a free port; killed on drop.
pub struct Process {
    pub base: String,
    child: std::process::Child,
}

impl Process {
    pub fn start(database_url: &str) -> Process {
        Self::start_with(database_url, &[])
    }

    /// With extra flags (`--token-refresh-ms 200`, limits).
    pub fn start_with(database_url: &str, extra: &[&str]) -> Process {
        let port = free_port();
        let child = Command::new(env!("CARGO_BIN_EXE_registry-server"))
            .args([
                "--listen",
                &format!("127.0.0.1:{port}"),
                "--database-url",
                database_url,
            ])
            .args(extra)
            .env("RUST_LOG", "error")
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("server starts");
        Process {
            base: format!("http://127.0.0.1:{port}"),
            child,
        }
    }
}

impl Process {
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Waits up to `limit` for the process to exit on its own.
    pub fn wait_exit(mut self, limit: std::time::Duration) -> Option<std::process::ExitStatus> {
        let start = std::time::Instant::now();
        while start.elapsed() < limit {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Some(status);
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        None
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Waits (bounded) until a server answers `/readyz`.
pub async fn wait_ready(base: &str) {
    for _ in 0..100 {
        if let Ok(r) = client().get(format!("{base}/readyz")).send().await {
            if r.status().is_success() {
                return;
            }
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("{base} did not become ready");
}

pub fn temp_dir(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "schemagate-{tag}-{}-{}",
        std::process::id(),
        rand_suffix()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn rand_suffix() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64
        % 1_000_000_007
}

pub fn sqlite_url(dir: &std::path::Path) -> String {
    format!("sqlite://{}?mode=rwc", dir.join("registry.db").display())
}

/// A throwaway PostgreSQL cluster, or the one `SCHEMAGATE_TEST_POSTGRES` names.
pub struct Postgres {
    pub url: String,
    data: Option<PathBuf>,
    /// Server options, to start it again the same way.
    opts: String,
}

fn as_postgres_user(cmd: &str, args: &[&str]) -> Command {
    let root = unsafe_geteuid() == 0;
    if root {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--", cmd]).args(args);
        c
    } else {
        let mut c = Command::new(cmd);
        c.args(args);
        c
    }
}

fn unsafe_geteuid() -> u32 {
    // `id -u` avoids a libc dependency for one call.
    let out = Command::new("id").arg("-u").output().expect("id runs");
    String::from_utf8_lossy(&out.stdout)
        .trim()
        .parse()
        .unwrap_or(1)
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Postgres {
    pub fn start() -> Postgres {
        if let Ok(url) = std::env::var("SCHEMAGATE_TEST_POSTGRES") {
            return Postgres {
                url,
                data: None,
                opts: String::new(),
            };
        }
        // Say what is missing, not what failed three layers down.
        let on_path = std::env::var_os("PATH").is_some_and(|p| {
            std::env::split_paths(&p)
                .any(|d| d.join("initdb").is_file() && d.join("pg_ctl").is_file())
        });
        assert!(
            on_path,
            "PostgreSQL's server binaries (initdb, pg_ctl) are not on PATH: install PostgreSQL 15 \
             (Debian: `apt-get install postgresql`, then add /usr/lib/postgresql/15/bin to PATH), \
             or point SCHEMAGATE_TEST_POSTGRES at a database URL to use instead"
        );
        let dir = temp_dir("pg");
        let data = dir.join("data");
        if unsafe_geteuid() == 0 {
            Command::new("chown")
                .args(["-R", "postgres", dir.to_str().unwrap()])
                .status()
                .unwrap();
        }
        let ok = as_postgres_user(
            "initdb",
            &[
                "-D",
                data.to_str().unwrap(),
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
            ],
        )
        .output()
        .expect("initdb runs (PostgreSQL 15 binaries on PATH)");
        assert!(
            ok.status.success(),
            "initdb failed: {}",
            String::from_utf8_lossy(&ok.stderr)
        );
        let port = free_port();
        let opts = format!(
            "-p {port} -k {} -c listen_addresses=127.0.0.1 -c max_connections=200 -c fsync=off",
            dir.display()
        );
        let ok = as_postgres_user(
            "pg_ctl",
            &[
                "-D",
                data.to_str().unwrap(),
                "-o",
                &opts,
                "-l",
                dir.join("log").to_str().unwrap(),
                "-w",
                "start",
            ],
        )
        .output()
        .expect("pg_ctl runs");
        assert!(
            ok.status.success(),
            "pg_ctl start failed: {}",
            String::from_utf8_lossy(&ok.stderr)
        );
        Postgres {
            url: format!("postgres://postgres@127.0.0.1:{port}/postgres"),
            data: Some(data),
            opts,
        }
    }

    fn pg_ctl(&self, args: &[&str]) -> bool {
        let Some(data) = &self.data else {
            return false;
        };
        let mut all = vec!["-D", data.to_str().unwrap()];
        all.extend(args);
        as_postgres_user("pg_ctl", &all)
            .output()
            .is_ok_and(|o| o.status.success())
    }

    /// Stops the cluster at once (connections are cut), for outage tests.
    pub fn stop(&self) -> bool {
        self.pg_ctl(&["-m", "immediate", "-w", "stop"])
    }

    /// Starts it again on the same port and data.
    pub fn restart(&self) -> bool {
        let log = self.data.as_ref().unwrap().with_file_name("log");
        self.pg_ctl(&["-o", &self.opts, "-l", log.to_str().unwrap(), "-w", "start"])
    }

    /// A fresh database in the cluster, so each suite starts empty.
    pub async fn database(&self, name: &str) -> String {
        use sqlx::Connection;
        sqlx::any::install_default_drivers();
        let mut conn = sqlx::AnyConnection::connect(&self.url)
            .await
            .expect("postgres reachable");
        sqlx::query(&format!("DROP DATABASE IF EXISTS {name}"))
            .execute(&mut conn)
            .await
            .unwrap();
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut conn)
            .await
            .unwrap();
        let (base, _) = self.url.rsplit_once('/').unwrap();
        format!("{base}/{name}")
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        if let Some(data) = &self.data {
            let _ = as_postgres_user(
                "pg_ctl",
                &["-D", data.to_str().unwrap(), "-m", "immediate", "stop"],
            )
            .output();
            // The cluster's folder (about 100 MB) goes with it.
            if let Some(dir) = data.parent() {
                let _ = std::fs::remove_dir_all(dir);
            }
        }
    }
}

pub fn client() -> reqwest::Client {
    reqwest::Client::new()
}

/// Sends a request and reads its JSON answer (any status), panicking with context on failure.
pub async fn json_of<T: serde::de::DeserializeOwned>(req: reqwest::RequestBuilder) -> T {
    req.send()
        .await
        .expect("request sent")
        .json()
        .await
        .expect("a JSON answer")
}

/// Confluent's media type.
pub const CT: &str = "application/vnd.schemaregistry.v1+json";

/// JSON requests over a real socket, answering (status, JSON or null).
/// A response's body as text.
pub async fn text_of(req: reqwest::RequestBuilder) -> String {
    req.send().await.unwrap().text().await.unwrap()
}

pub async fn post(base: &str, path: &str, body: Value) -> (StatusCode, Value) {
    let r = client()
        .post(format!("{base}{path}"))
        .header("Content-Type", CT)
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    let status = r.status();
    assert_eq!(r.headers()["content-type"], CT, "{path}");
    (status, r.json().await.unwrap_or(Value::Null))
}

pub async fn put(base: &str, path: &str, body: Value) -> (StatusCode, Value) {
    let r = client()
        .put(format!("{base}{path}"))
        .json(&body)
        .send()
        .await
        .unwrap();
    (r.status(), r.json().await.unwrap_or(Value::Null))
}

pub async fn get(base: &str, path: &str) -> (StatusCode, Value) {
    let r = client().get(format!("{base}{path}")).send().await.unwrap();
    (r.status(), r.json().await.unwrap_or(Value::Null))
}

pub async fn delete(base: &str, path: &str) -> (StatusCode, Value) {
    let r = client()
        .delete(format!("{base}{path}"))
        .send()
        .await
        .unwrap();
    (r.status(), r.json().await.unwrap_or(Value::Null))
}

/// Runs `registry-server token …` on a database; answers what it printed.
pub fn token_cmd(db: &str, args: &[&str]) -> String {
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_registry-server"))
        .args(["--database-url", db, "token"])
        .args(args)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8_lossy(&o.stdout).trim().to_string()
}

/// A new token with a role (and a subject scope); answers its secret.
/// An admin (`admin`), a write (`ci`) and a read (`dash`) token, in that order.
pub fn role_tokens(db: &str) -> (String, String, String) {
    (
        create_token(db, "admin", "admin", None),
        create_token(db, "ci", "write", None),
        create_token(db, "dash", "read", None),
    )
}

pub fn create_token(db: &str, name: &str, role: &str, scope: Option<&str>) -> String {
    let mut args = vec!["create", "--name", name, "--role", role];
    if let Some(s) = scope {
        args.extend(["--scope", s]);
    }
    token_cmd(db, &args)
}
