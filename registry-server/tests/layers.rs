//! The server's layers call downward only: `http/` → `domain/` → `store/`. Each layer's files
//! are read and checked against what it must not name (rules as data below), so a shortcut
//! (a handler reaching the store, an HTTP type in the domain) fails here.

use std::path::{Path, PathBuf};

/// (folder under src/, what its files must not contain, why).
const RULES: &[(&str, &[&str], &str)] = &[
    (
        "store",
        &["crate::domain", "crate::http", "axum", "StatusCode"],
        "the store knows rows, not rules or HTTP",
    ),
    (
        "domain",
        &["crate::http", "axum", "StatusCode", "sqlx"],
        "the domain knows neither HTTP nor SQL",
    ),
    (
        "http",
        &["crate::store", "sqlx", ".store."],
        "handlers go through the domain, never the store",
    ),
];

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

#[test]
fn layers_call_downward_only() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut broken = Vec::new();
    for (folder, forbidden, why) in RULES {
        let mut list = Vec::new();
        files(&src.join(folder), &mut list);
        assert!(!list.is_empty(), "src/{folder} has no files");
        for f in list {
            let text = std::fs::read_to_string(&f).unwrap();
            for (n, line) in text.lines().enumerate() {
                // Comments may name other layers.
                let code = line.split("//").next().unwrap_or("");
                for word in *forbidden {
                    if code.contains(word) {
                        broken.push(format!(
                            "{}:{}: {word:?} ({why})",
                            f.strip_prefix(&src).unwrap().display(),
                            n + 1
                        ));
                    }
                }
            }
        }
    }
    assert!(broken.is_empty(), "layering broken:\n{}", broken.join("\n"));
}
