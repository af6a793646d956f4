//! SARIF 2.1.0: one run of the `schemagate` tool, one rule per change kind used, one result per
//! change (`error` when it breaks a checked direction, `note` otherwise).

use std::collections::BTreeSet;

use serde_json::{json, Value};

use super::Rendered;

pub fn render(items: &[Rendered<'_>]) -> anyhow::Result<String> {
    let mut kinds = BTreeSet::new();
    let mut results = Vec::new();
    for item in items {
        let checks = item.report.mode.checks();
        for c in &item.report.changes {
            kinds.insert(c.kind);
            let mut location = json!({"physicalLocation": {"artifactLocation": {"uri": c.file.clone().unwrap_or_default()}}});
            if let (Some(l), Some(col)) = (c.line, c.column) {
                location["physicalLocation"]["region"] =
                    json!({"startLine": l, "startColumn": col});
            }
            let mut result = json!({
                "ruleId": c.kind.id(),
                "level": if c.breaks_set().and(checks).any() { "error" } else { "note" },
                "message": {"text": c.message},
                "locations": [location],
                "properties": {"old_pointer": c.old_pointer, "new_pointer": c.new_pointer, "breaks": c.breaks},
            });
            if let Some(w) = &c.witness {
                result["properties"]["witness"] = w.instance.clone();
            }
            results.push(result);
        }
    }
    let rules: Vec<Value> = kinds
        .iter()
        .map(|k| {
            let r = k.rule();
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
