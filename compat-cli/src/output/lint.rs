//! `lint`'s output: each finding at its file, line, column and pointer, in each format.

use serde_json::{json, Value};

use super::annotation::{Annotation, RuleInfo, Severity};
use super::{github, json_text, sarif};
use crate::cli::Format;

/// One rule broken at one place.
#[derive(Debug, Clone)]
pub struct Finding {
    pub file: String,
    pub pointer: String,
    pub line: usize,
    pub column: usize,
    pub rule: &'static str,
    pub message: String,
}

/// What a lint found over `files` files, with the rules it applies (described in SARIF).
pub struct LintOutput<'a> {
    pub files: usize,
    pub findings: &'a [Finding],
    pub rules: &'a [RuleInfo],
}

impl LintOutput<'_> {
    fn annotations(&self) -> Vec<Annotation> {
        self.findings
            .iter()
            .map(|f| Annotation {
                severity: Severity::Error,
                rule: f.rule.to_string(),
                message: f.message.clone(),
                help: self
                    .rules
                    .iter()
                    .find(|r| r.id == f.rule)
                    .map_or(String::new(), |r| r.help.clone()),
                file: Some(f.file.clone()),
                line: Some(f.line),
                column: Some(f.column),
                properties: json!({"pointer": f.pointer}),
            })
            .collect()
    }

    pub fn render(&self, format: Format) -> anyhow::Result<String> {
        Ok(match format {
            Format::Human => {
                let mut text = String::new();
                for f in self.findings {
                    text.push_str(&format!(
                        "{}:{}:{}: {}: {}\n",
                        f.file, f.line, f.column, f.rule, f.message
                    ));
                }
                text.push_str(&format!(
                    "{} files linted, {} findings\n",
                    self.files,
                    self.findings.len()
                ));
                text
            }
            Format::Json => {
                let findings: Vec<Value> = self
                    .findings
                    .iter()
                    .map(|f| {
                        json!({"rule": f.rule, "message": f.message, "file": f.file,
                               "line": f.line, "column": f.column, "pointer": f.pointer})
                    })
                    .collect();
                json_text(&json!({
                    "clean": self.findings.is_empty(),
                    "findings": findings,
                    "summary": {"files": self.files, "findings": self.findings.len()},
                }))?
            }
            Format::Github => github::render(&self.annotations()),
            Format::Sarif => {
                let used: Vec<RuleInfo> = self
                    .rules
                    .iter()
                    .filter(|r| self.findings.iter().any(|f| f.rule == r.id))
                    .cloned()
                    .collect();
                sarif::render(&used, &self.annotations())?
            }
        })
    }
}
