//! A throwaway `redis-server` (Debian's package) for tests and benchmarks.
#![allow(dead_code)]

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A `redis-server` (Debian's package) on a free port, without persistence, stopped on drop.
pub struct Redis {
    child: Child,
    pub port: u16,
}

impl Redis {
    /// Started, or `None` (with a line saying how to get it) where `redis-server` is not
    /// installed; CI (`SCHEMAGATE_REQUIRE_SHARED`) installs it and fails without it.
    pub fn start(what: &str) -> Option<Redis> {
        let found = Command::new("redis-server")
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success());
        if !found {
            assert!(
                std::env::var_os("SCHEMAGATE_REQUIRE_SHARED").is_none(),
                "{what} needs redis-server (apt-get install redis-server)"
            );
            println!(
                "SKIPPED {what}: needs redis-server on PATH (Debian: apt-get install redis-server)"
            );
            return None;
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new("redis-server")
            .args([
                "--port",
                &port.to_string(),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ])
            .stdout(Stdio::null())
            .spawn()
            .expect("starting redis-server");
        let r = Redis { child, port };
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if r.connection().is_some() {
                return Some(r);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("redis-server did not answer on port {port}");
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    fn connection(&self) -> Option<redis::Connection> {
        let mut c = redis::Client::open(self.url())
            .ok()?
            .get_connection()
            .ok()?;
        redis::cmd("PING").query::<String>(&mut c).ok()?;
        Some(c)
    }

    pub fn connect(&self) -> redis::Connection {
        self.connection()
            .expect("connecting to the test redis-server")
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
