//! `check`'s output: per subject its status, level and reports, the `schema_version` each
//! changed event schema should carry, the archived events its new schema refuses (`--replay`),
//! and the summary, in each format.

use schema_core::version::Advice;
use schema_core::{Document, Options, Report};
use serde_json::{json, Value};

use super::annotation::{self, Annotation, RuleInfo, Severity};
use super::{github, human, json_text, sarif, Rendered};
use crate::cli::Format;
use crate::replay_cmd::Summary;

/// One subject's outcome.
pub struct Checked {
    pub subject: String,
    /// `changed`, `unchanged`, `added` or `removed`.
    pub status: &'static str,
    /// The schema file in the working tree (repository-relative), when there is one.
    pub file: Option<String>,
    pub options: Options,
    /// (baseline, current, report) per compared baseline version.
    pub reports: Vec<(Document, Document, Report)>,
    pub advice: Option<Advice>,
    /// With `--replay`: the subject's archived events judged by its new schema.
    pub replay: Option<Summary>,
}

impl Checked {
    /// No breaking change, and no archived event the new schema refuses.
    pub fn compatible(&self) -> bool {
        self.reports.iter().all(|(_, _, r)| r.compatible)
            && self.replay.as_ref().is_none_or(|r| r.rejected == 0)
    }
}

/// What a check found.
pub struct CheckOutput<'a> {
    /// The baseline (`HEAD~1`, `origin/main`, `registry:URL`).
    pub against: &'a str,
    pub checked: &'a [Checked],
    /// Subjects whose schema file is the same at the baseline (not read again).
    pub unchanged: usize,
}

impl CheckOutput<'_> {
    pub fn breaking(&self) -> usize {
        self.checked.iter().filter(|c| !c.compatible()).count()
    }

    fn count(&self, status: &str) -> usize {
        self.checked.iter().filter(|c| c.status == status).count()
    }

    fn items(&self) -> Vec<Rendered<'_>> {
        self.checked
            .iter()
            .flat_map(|c| &c.reports)
            .map(|(o, n, r)| Rendered {
                old: o,
                new: n,
                report: r,
            })
            .collect()
    }

    /// The changes' annotations, then one per subject whose archived events are refused.
    fn annotations(&self) -> (Vec<RuleInfo>, Vec<Annotation>) {
        let (mut rules, mut out) = annotation::of_changes(&self.items());
        for c in self.checked {
            if let Some(r) = c.replay.as_ref().filter(|r| r.rejected > 0) {
                out.push(Annotation {
                    severity: Severity::Error,
                    rule: REPLAY_RULE.into(),
                    message: format!(
                        "{} of {} archived events of {} are refused by the new schema (first: {})",
                        r.rejected,
                        r.replayed,
                        c.subject,
                        r.examples
                            .first()
                            .map_or(String::new(), |e| format!("{}:{}", e.file, e.line)),
                    ),
                    help: "keep accepting what was written before, or migrate the archive".into(),
                    file: c.file.clone(),
                    line: Some(1),
                    column: None,
                    properties: json!({"subject": c.subject, "replay": r}),
                });
            }
        }
        if out.iter().any(|a| a.rule == REPLAY_RULE) {
            rules.push(RuleInfo {
                id: REPLAY_RULE.into(),
                summary: "archived events are refused by the new schema".into(),
                help: "a replay of the archive would dead-letter them".into(),
                rule: "replay".into(),
            });
        }
        (rules, out)
    }

    fn summary(&self) -> String {
        format!(
            "{} subjects checked against {}: {} changed, {} added, {} breaking\n",
            self.checked.len() + self.unchanged,
            self.against,
            self.count("changed") + self.count("removed"),
            self.count("added"),
            self.breaking(),
        )
    }

    pub fn render(&self, format: Format, color: bool) -> anyhow::Result<String> {
        Ok(match format {
            Format::Json => json_text(&self.json()?)?,
            Format::Human => {
                let mut text = human::render(&self.items(), color);
                text.push_str(&self.advice_lines());
                for c in self.checked {
                    if let Some(r) = &c.replay {
                        text.push_str(&r.lines(&format!("{}'s new schema", c.subject)));
                    }
                }
                text.push_str(&self.summary());
                text
            }
            Format::Github => github::render(&self.annotations().1),
            Format::Sarif => {
                let (rules, annotations) = self.annotations();
                sarif::render(&rules, &annotations)?
            }
        })
    }

    /// "schema_version" lines for every changed event schema: what it carries, what it needs.
    fn advice_lines(&self) -> String {
        let rows: Vec<(&str, &Advice)> = self
            .checked
            .iter()
            .filter_map(|c| c.advice.as_ref().map(|a| (c.subject.as_str(), a)))
            .collect();
        if rows.is_empty() {
            return String::new();
        }
        let width = rows.iter().map(|(s, _)| s.len()).max().unwrap_or(0);
        let mut out = String::from("schema_version:\n");
        for (subject, a) in rows {
            let show = |v: &Option<String>| v.clone().unwrap_or_else(|| "(none)".into());
            let need = format!("{:?}", a.needed).to_lowercase();
            let verdict = match (&a.suggested, a.ok) {
                (_, true) => "ok".to_string(),
                (Some(s), false) => format!("bump `schema_version` to {s}"),
                (None, false) => "declare a `schema_version`".to_string(),
            };
            out.push_str(&format!(
                "  {subject:<width$}  {} → {}  needs {need}: {verdict}\n",
                show(&a.old),
                show(&a.new),
            ));
        }
        out
    }

    /// DESIGN section 4's object (`compatible`, `changes` with file, line and column), with each
    /// change's subject, and per subject its status, level and `schema_version` advice.
    fn json(&self) -> anyhow::Result<Value> {
        let mut changes = Vec::new();
        for c in self.checked {
            for (_, _, r) in &c.reports {
                for change in &r.changes {
                    let mut v = serde_json::to_value(change)?;
                    v["subject"] = json!(c.subject);
                    changes.push(v);
                }
            }
        }
        let subjects: Vec<Value> = self
            .checked
            .iter()
            .map(|c| {
                let mut v = json!({
                    "subject": c.subject,
                    "status": c.status,
                    "compatible": c.compatible(),
                    "mode": c.options.mode,
                    "rules": c.options.rules,
                    "schema_version": c.advice,
                });
                // Only with `--replay` and an archive for the subject.
                if let Some(r) = &c.replay {
                    v["replay"] = json!(r);
                }
                v
            })
            .collect();
        Ok(json!({
            "compatible": self.breaking() == 0,
            "against": self.against,
            "changes": changes,
            "subjects": subjects,
            "summary": {
                "checked": self.checked.len() + self.unchanged,
                "changed": self.count("changed") + self.count("removed"),
                "added": self.count("added"),
                "breaking": self.breaking(),
            },
        }))
    }
}

/// The annotation rule of archived events a new schema refuses.
const REPLAY_RULE: &str = "archived-events-refused";
