//! What the machine formats (`github`, `sarif`) print for every command: one annotation per
//! thing found at a place in a file. A breaking change, a lint finding and a refused archive
//! become the same shape, so a format means the same in `diff`, `check` and `lint`.

use schema_core::ChangeKind;
use serde_json::{json, Value};

use super::Rendered;

/// How much an annotation matters: an error fails the command (exit 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    Error,
    Note,
}

impl Severity {
    /// GitHub's workflow command.
    pub fn github(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Note => "notice",
        }
    }

    /// SARIF's `level`.
    pub fn sarif(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Note => "note",
        }
    }
}

/// One thing found at a place.
#[derive(Debug, Clone)]
pub struct Annotation {
    pub severity: Severity,
    /// The rule's id: a change kind (`enum-value-removed`), a lint rule (`object-root`) or
    /// `archived-event-refused`.
    pub rule: String,
    pub message: String,
    /// Said after the message on an error (the fix).
    pub help: String,
    pub file: Option<String>,
    pub line: Option<usize>,
    pub column: Option<usize>,
    /// What SARIF keeps in `properties` (pointers, directions, the witness).
    pub properties: Value,
}

/// A rule as SARIF describes it once per run.
#[derive(Debug, Clone)]
pub struct RuleInfo {
    pub id: String,
    pub summary: String,
    pub help: String,
    /// The rule of the DESIGN it applies, or the lint rule's name.
    pub rule: String,
}

impl RuleInfo {
    pub fn of_kind(kind: ChangeKind) -> RuleInfo {
        let r = kind.rule();
        RuleInfo {
            id: r.id.to_string(),
            summary: r.summary.to_string(),
            help: r.help.to_string(),
            rule: r.rule.to_string(),
        }
    }
}

/// Every change of the reports: an error when it breaks a direction the mode checks, a note
/// otherwise; and the rules of the kinds seen, each once, in kind order.
pub fn of_changes(items: &[Rendered<'_>]) -> (Vec<RuleInfo>, Vec<Annotation>) {
    let mut kinds = std::collections::BTreeSet::new();
    let mut out = Vec::new();
    for item in items {
        let checks = item.report.mode.checks();
        for c in &item.report.changes {
            kinds.insert(c.kind);
            let mut properties = json!({
                "old_pointer": c.old_pointer,
                "new_pointer": c.new_pointer,
                "breaks": c.breaks,
            });
            if let Some(w) = &c.witness {
                properties["witness"] = w.instance.clone();
            }
            out.push(Annotation {
                severity: if c.breaks_set().and(checks).any() {
                    Severity::Error
                } else {
                    Severity::Note
                },
                rule: c.kind.id().to_string(),
                message: c.message.clone(),
                help: c.help.clone(),
                file: c.file.clone(),
                line: c.line,
                column: c.column,
                properties,
            });
        }
    }
    (kinds.into_iter().map(RuleInfo::of_kind).collect(), out)
}
