//! The peers' compatibility suites (`shared/conformance/peers/`), one format: cases with an
//! old and a new schema, a mode and the peer's verdict.

use schema_core::{Draft, Mode};
use serde_json::Value;

pub const SUITES: [&str; 7] = [
    "karapace/unit-jsonschema-compatibility.json",
    "karapace/integration-jsonschema.json",
    "karapace/unit-compatibility-modes.json",
    "apicurio/compatibility-test-data.json",
    "apicurio/java-tests.json",
    "jsoncompat/backcompat-fixtures.json",
    "json-schema-diff/fixtures.json",
];

pub struct Case {
    pub peer: String,
    pub id: String,
    pub old: Value,
    pub new: Value,
    pub mode: Mode,
    pub compatible: bool,
}

pub fn load(shared: &std::path::Path) -> Vec<Case> {
    let mut out = Vec::new();
    for suite in SUITES {
        let path = shared.join("conformance/peers").join(suite);
        let text =
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let v: Value = serde_json::from_str(&text).expect("suite is JSON");
        let peer = v["peer"].as_str().unwrap().to_string();
        for c in v["cases"].as_array().unwrap() {
            out.push(Case {
                peer: peer.clone(),
                id: c["id"].as_str().unwrap().to_string(),
                old: c["old"].clone(),
                new: c["new"].clone(),
                mode: c["mode"].as_str().unwrap().parse().unwrap(),
                compatible: c["compatible"].as_bool().unwrap(),
            });
        }
    }
    out
}

/// jsoncompat reads documents without `$schema` as 2020-12; the others as draft-07 (the
/// Confluent default, ours too).
pub fn default_draft(peer: &str) -> Draft {
    if peer == "jsoncompat" {
        Draft::Draft202012
    } else {
        Draft::Draft7
    }
}
