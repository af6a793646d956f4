//! HTTPS: given a certificate and key the server speaks TLS (rustls) and nothing else on that
//! port. The certificate is made here with `openssl`, and `curl` is the client (`.ci/run`
//! installs both when missing).

mod common;

use std::process::Command;

use common::{sqlite_url, temp_dir};

#[test]
fn serves_https_with_the_given_certificate() {
    let dir = temp_dir("tls");
    let (cert, key) = (dir.join("cert.pem"), dir.join("key.pem"));
    let made = Command::new("openssl")
        .args([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
        ])
        .args([
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=DNS:localhost,IP:127.0.0.1",
        ])
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .output()
        .expect("openssl runs");
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
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
            .arg(&cert)
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
