//! HTTPS: given a certificate and key the server speaks TLS (rustls) and nothing else on that
//! port; import and export reach a token-protected HTTPS registry and keep its ids. The
//! certificate is made here with `openssl`, and `curl` is one client (`.ci/run` installs both
//! when missing).

mod common;

use std::process::Command;

use common::{free_port, sqlite_url, temp_dir, wait_ready, Process};

fn openssl(args: &[&str], dir: &std::path::Path) {
    let made = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("openssl runs");
    assert!(
        made.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&made.stderr)
    );
}

/// A throwaway CA and a server certificate it signed for localhost and 127.0.0.1:
/// (ca, cert, key). (rustls, unlike OpenSSL, refuses a CA certificate presented as a server's
/// own, so the server gets a leaf.)
fn make_cert(
    dir: &std::path::Path,
) -> (std::path::PathBuf, std::path::PathBuf, std::path::PathBuf) {
    openssl(
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=schemagate test CA",
            "-keyout",
            "ca.key",
            "-out",
            "ca.pem",
        ],
        dir,
    );
    openssl(
        &[
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-subj",
            "/CN=localhost",
            "-keyout",
            "key.pem",
            "-out",
            "leaf.csr",
        ],
        dir,
    );
    std::fs::write(
        dir.join("leaf.ext"),
        "basicConstraints=CA:FALSE\nsubjectAltName=DNS:localhost,IP:127.0.0.1\n",
    )
    .unwrap();
    openssl(
        &[
            "x509",
            "-req",
            "-in",
            "leaf.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-days",
            "1",
            "-extfile",
            "leaf.ext",
            "-out",
            "cert.pem",
        ],
        dir,
    );
    (
        dir.join("ca.pem"),
        dir.join("cert.pem"),
        dir.join("key.pem"),
    )
}

/// A TLS registry process on a free port; killed on drop.
struct TlsServer {
    base: String,
    child: std::process::Child,
}

impl TlsServer {
    fn start(db: &str, cert: &std::path::Path, key: &std::path::Path) -> TlsServer {
        let port = free_port();
        let child = Command::new(env!("CARGO_BIN_EXE_registry-server"))
            .args(["--listen", &format!("127.0.0.1:{port}")])
            .args(["--database-url", db])
            .arg("--tls-cert")
            .arg(cert)
            .arg("--tls-key")
            .arg(key)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        TlsServer {
            base: format!("https://127.0.0.1:{port}"),
            child,
        }
    }
}

impl Drop for TlsServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn server_cmd(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_registry-server"))
        .args(args)
        .env_remove("SCHEMAGATE_TOKEN")
        .env_remove("SCHEMAGATE_BASIC_AUTH")
        .output()
        .unwrap()
}

#[test]
fn serves_https_with_the_given_certificate() {
    let dir = temp_dir("tls");
    let (ca, cert, key) = make_cert(&dir);
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut server = Command::new(env!("CARGO_BIN_EXE_registry-server"))
        .args(["--listen", &format!("127.0.0.1:{port}")])
        .args(["--database-url", &sqlite_url(&dir)])
        .arg("--tls-cert")
        .arg(&cert)
        .arg("--tls-key")
        .arg(&key)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let curl = |url: &str| {
        Command::new("curl")
            .args(["-sS", "--max-time", "5", "--cacert"])
            .arg(&ca)
            .arg(url)
            .output()
            .expect("curl runs")
    };
    let mut answer = None;
    for _ in 0..50 {
        let o = curl(&format!("https://127.0.0.1:{port}/healthz"));
        if o.status.success() {
            answer = Some(String::from_utf8_lossy(&o.stdout).to_string());
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let plain = curl(&format!("http://127.0.0.1:{port}/healthz"));
    let _ = server.kill();
    let _ = server.wait();
    assert_eq!(answer.as_deref(), Some(r#"{"status":"ok"}"#));
    assert!(
        !plain.status.success() || !String::from_utf8_lossy(&plain.stdout).contains("ok"),
        "plain HTTP answered on the TLS port"
    );
}

/// Export and import against a token-protected HTTPS registry, trusting its self-signed
/// certificate with `--ca-cert`: without the token the export is refused (401, said so), with
/// it every version lands in the target with its id and version.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn import_and_export_reach_a_token_protected_https_registry() {
    use registry_client::{Auth, Client};
    let dir = temp_dir("tls-migrate");
    let (ca, cert, key) = make_cert(&dir);
    std::fs::create_dir_all(dir.join("src")).unwrap();
    let src_db = sqlite_url(&dir.join("src"));
    let out = server_cmd(&[
        "--database-url",
        &src_db,
        "token",
        "create",
        "--name",
        "mover",
        "--role",
        "admin",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let token = String::from_utf8_lossy(&out.stdout).trim().to_string();
    let src = TlsServer::start(&src_db, &cert, &key);
    let pem = std::fs::read(&ca).unwrap();
    let timeout = std::time::Duration::from_secs(10);
    let c = Client::with_tls(&src.base, Some(Auth::Bearer(token.clone())), timeout, &pem).unwrap();
    let mut last = None;
    for _ in 0..100 {
        match c.subjects().await {
            Ok(_) => {
                last = None;
                break;
            }
            Err(e) => last = Some(e),
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(
        last.is_none(),
        "the HTTPS registry did not answer: {last:?}"
    );
    let _: serde_json::Value = c
        .put("/config", &serde_json::json!({"compatibility": "NONE"}))
        .await
        .unwrap();
    // Ids not in subject order: a, b, a.
    let mut ids = Vec::new();
    for (subject, title) in [("a", "one"), ("b", "two"), ("a", "three")] {
        let schema = serde_json::json!({"type": "object", "title": title}).to_string();
        ids.push(c.register(subject, &schema).await.unwrap());
    }

    let file = dir.join("export.json");
    let no_token = server_cmd(&[
        "export",
        "--from",
        &src.base,
        "--ca-cert",
        ca.to_str().unwrap(),
        "--out",
        file.to_str().unwrap(),
    ]);
    assert!(!no_token.status.success());
    let err = String::from_utf8_lossy(&no_token.stderr);
    assert!(err.contains("401"), "{err}");
    assert!(!file.exists(), "no half-written export");

    let dst = Process::start(&sqlite_url(&dir));
    wait_ready(&dst.base).await;
    let out = server_cmd(&[
        "import",
        "--from",
        &src.base,
        "--from-token",
        &token,
        "--ca-cert",
        ca.to_str().unwrap(),
        "--to",
        &dst.base,
    ]);
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("3 imported"));
    let target = Client::new(&dst.base, None, timeout).unwrap();
    for (subject, version, id) in [("a", 1, ids[0]), ("b", 1, ids[1]), ("a", 2, ids[2])] {
        let v = target.version(subject, &version.to_string()).await.unwrap();
        assert_eq!(
            (v.subject.as_str(), v.version, v.id),
            (subject, version, id)
        );
        let there = c.version(subject, &version.to_string()).await.unwrap();
        assert_eq!(v.schema, there.schema);
    }
    // And export with the token writes the same versions.
    let out = server_cmd(&[
        "export",
        "--from",
        &src.base,
        "--token",
        &token,
        "--ca-cert",
        ca.to_str().unwrap(),
        "--out",
        file.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let dump: serde_json::Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    assert_eq!(dump["entries"].as_array().unwrap().len(), 3);
    std::fs::remove_dir_all(dir).ok();
}
