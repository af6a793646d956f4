//! What the command-line tests share: running the binary, a registry on a real socket over a
//! throwaway SQLite file, and a throwaway `redis-server` on a free port.
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::{Command, Output};

pub fn cli(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_compat-cli"))
        .args(args)
        .output()
        .unwrap()
}

pub fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// An open registry over a fresh SQLite file in a temp folder, served from its own runtime
/// (kept alive by the caller): (folder, runtime, base URL).
pub fn open_registry(tag: &str) -> (PathBuf, tokio::runtime::Runtime, String) {
    let dir = std::env::temp_dir().join(format!("schemagate-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.join("r.db").display());
    let base = rt.block_on(async {
        let store = registry_server::store::Store::connect(&url, 4)
            .await
            .unwrap();
        let options = registry_server::AppOptions::open(1 << 20);
        let (addr, _) = registry_server::serve_local(store, 0, options)
            .await
            .unwrap();
        format!("http://{addr}")
    });
    (dir, rt, base)
}

mod redis_server;
#[allow(unused_imports)]
pub use redis_server::Redis;
