//! SARIF 2.1.0: one run of the `schemagate` tool, each rule used described once, one result per
//! annotation (`error` when it fails the command, `note` otherwise).

use serde_json::{json, Value};

use super::annotation::{Annotation, RuleInfo};

pub fn render(rules: &[RuleInfo], annotations: &[Annotation]) -> anyhow::Result<String> {
    let results: Vec<Value> = annotations
        .iter()
        .map(|a| {
            let mut location = json!({"physicalLocation": {"artifactLocation": {"uri": a.file.clone().unwrap_or_default()}}});
            if let (Some(l), Some(col)) = (a.line, a.column) {
                location["physicalLocation"]["region"] =
                    json!({"startLine": l, "startColumn": col});
            }
            json!({
                "ruleId": a.rule,
                "level": a.severity.sarif(),
                "message": {"text": a.message},
                "locations": [location],
                "properties": a.properties,
            })
        })
        .collect();
    let rules: Vec<Value> = rules
        .iter()
        .map(|r| {
            json!({"id": r.id, "shortDescription": {"text": r.summary}, "help": {"text": r.help}, "properties": {"rule": r.rule}})
        })
        .collect();
    let sarif = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "schemagate", "informationUri": "https://github.com/schemagate/schemagate", "version": env!("CARGO_PKG_VERSION"), "rules": rules}},
            "results": results,
        }],
    });
    Ok(serde_json::to_string_pretty(&sarif)? + "\n")
}
