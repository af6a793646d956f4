//! Two versions of a subject side by side: the engine's typed changes (both directions, the
//! subject's rules) and a unified text diff.

use schema_core::{Mode, Report};

use super::{Registry, Result};

/// `GET /subjects/{s}/versions/{v}/diff`.
#[derive(Debug, serde::Serialize)]
pub struct VersionDiff {
    pub subject: String,
    pub from: i64,
    pub to: i64,
    pub report: Report,
    pub text_diff: String,
    /// Both schemas as the text diff compares them (the console shows them line by line).
    #[serde(skip)]
    pub old_text: String,
    #[serde(skip)]
    pub new_text: String,
}

/// A schema text pretty-printed, ending in a newline (as stored when it is not JSON).
pub fn pretty(text: &str) -> String {
    let mut out = serde_json::from_str::<serde_json::Value>(text)
        .ok()
        .and_then(|v| serde_json::to_string_pretty(&v).ok())
        .unwrap_or_else(|| text.to_string());
    out.push('\n');
    out
}

impl Registry {
    /// Version `version` against `against` (default: the version before it).
    pub async fn diff(
        &self,
        subject: &str,
        version: &str,
        against: Option<&str>,
    ) -> Result<VersionDiff> {
        let new_row = self.find_version(subject, version, true).await?;
        let old_row = match against {
            Some(w) => self.find_version(subject, w, true).await?,
            None => self
                .versions(subject, true)
                .await?
                .into_iter()
                .rev()
                .find(|v| v.version < new_row.version)
                .ok_or_else(|| {
                    super::Error::VersionNotFound(format!("before {}", new_row.version))
                })?,
        };
        let new_schema = self.schema_of(&new_row).await?;
        let old_schema = self.schema_of(&old_row).await?;
        let cand = self.stored_candidate(&new_schema).await?;
        let rules = self.settings(subject).await?.rules;
        let report = self.compare(&old_row, &cand, Mode::Full, rules).await?;
        let (a, b) = (pretty(&old_schema.text), pretty(&new_schema.text));
        let (from, to) = (old_row.version, new_row.version);
        let (text_diff, old_text, new_text) = self
            .cpu("a text diff", move || {
                let diff = similar::TextDiff::from_lines(&a, &b)
                    .unified_diff()
                    .header(&format!("v{from}"), &format!("v{to}"))
                    .to_string();
                (diff, a, b)
            })
            .await?;
        Ok(VersionDiff {
            subject: subject.to_string(),
            from,
            to,
            report,
            text_diff,
            old_text,
            new_text,
        })
    }
}
