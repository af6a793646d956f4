//! The official JSON Schema test suite (`shared/conformance/json-schema-test-suite/`): every
//! schema of draft-04, draft-07, 2019-09 and 2020-12 loads (groups that need the suite's remote
//! server aside), and payload validation, through the same reader and validator as
//! `compat-cli validate`, agrees with every test. The one documented difference: `format` is
//! asserted (event rule 3), so the tests that expect it to be an annotation are counted apart.

mod support;

use std::path::{Path, PathBuf};

use schema_core::payload::Reader;
use schema_core::validate::Compiled;
use schema_core::{Document, Draft};
use serde_json::Value;

const DRAFTS: [(&str, Draft); 4] = [
    ("draft4", Draft::Draft4),
    ("draft7", Draft::Draft7),
    ("draft2019-09", Draft::Draft201909),
    ("draft2020-12", Draft::Draft202012),
];

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = rd.map(|e| e.unwrap().path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            files(&p, out);
        } else if p.extension().is_some_and(|e| e == "json") {
            out.push(p);
        }
    }
}

/// Groups that reference documents (or a meta-schema) the suite serves from its remote server.
fn needs_remote(schema: &Value) -> bool {
    let text = schema.to_string();
    text.contains("localhost:1234")
        && (text.contains("$ref") || text.contains("$dynamicRef") || text.contains("$schema"))
}

/// Where format is read as an annotation by the suite (we assert it by design).
fn annotation_format(file: &str) -> bool {
    file.ends_with("/format.json")
}

#[test]
fn official_suite_loads_and_agrees() {
    let Some(shared) = support::shared_dir("official JSON Schema test suite") else {
        return;
    };
    let root = shared.join("conformance/json-schema-test-suite/tests");
    let mut reader = Reader::default();
    let mut refused = Vec::new();
    let mut disagree = Vec::new();
    for (dir, draft) in DRAFTS {
        let (mut groups, mut remote, mut tests, mut agreed, mut format_diff) = (0, 0, 0, 0, 0);
        let mut paths = Vec::new();
        files(&root.join(dir), &mut paths);
        for path in paths {
            let file = path.strip_prefix(&root).unwrap().display().to_string();
            let text = std::fs::read_to_string(&path).unwrap();
            let cases: Value = serde_json::from_str(&text).unwrap();
            for group in cases.as_array().unwrap() {
                let schema = &group["schema"];
                if needs_remote(schema) {
                    remote += 1;
                    continue;
                }
                groups += 1;
                let name = format!("{file}: {}", group["description"].as_str().unwrap_or(""));
                let compiled = Document::from_value_in(&name, schema.clone(), draft)
                    .map_err(|e| e.to_string())
                    .and_then(|d| Compiled::new(&d).map_err(|e| e.to_string()));
                let compiled = match compiled {
                    Ok(c) => c,
                    Err(e) => {
                        refused.push(format!("{name}: {e}"));
                        continue;
                    }
                };
                for t in group["tests"].as_array().unwrap() {
                    tests += 1;
                    let expected = t["valid"].as_bool().unwrap();
                    let bytes = t["data"].to_string();
                    let got = match reader.read(bytes.as_bytes()) {
                        Ok(payload) => compiled.is_valid_payload(&payload),
                        Err(_) => compiled.is_valid(&t["data"]),
                    };
                    if got == expected {
                        agreed += 1;
                    } else if annotation_format(&file) && expected && !got {
                        format_diff += 1;
                    } else {
                        disagree.push(format!(
                            "{name} / {}: expected {expected}",
                            t["description"].as_str().unwrap_or("")
                        ));
                    }
                }
            }
        }
        println!(
            "{dir}: {groups} groups loaded ({remote} need the remote server), {tests} tests, \
             {agreed} agree, {format_diff} differ only because format is asserted"
        );
    }
    for r in &refused {
        eprintln!("REFUSED {r}");
    }
    for d in &disagree {
        eprintln!("DISAGREE {d}");
    }
    println!(
        "{} refused, {} disagreements",
        refused.len(),
        disagree.len()
    );
    assert!(refused.is_empty() && disagree.is_empty());
}
