//! Compatibility against the live versions, the one implementation behind registration, the
//! compatibility endpoints and the diff endpoint.

use registry_api::{BreakingChange, Level};
use schema_core::{check_refs, Document, Mode, Options, Report, Rules};

use super::{Candidate, Error, Registry, Result, VersionRow};

/// A candidate's verdict against the versions its subject's level names.
#[derive(Debug, Clone, Default)]
pub struct Verdict {
    pub compatible: bool,
    pub changes: Vec<BreakingChange>,
}

/// The versions a level checks a candidate against: every live one (transitive) or the latest.
pub fn against(level: Level, versions: &[VersionRow]) -> Vec<&VersionRow> {
    let mut live = versions.iter().filter(|v| !v.deleted);
    if level.mode() == Mode::None {
        Vec::new()
    } else if level.transitive() {
        live.collect()
    } else {
        live.next_back().into_iter().collect()
    }
}

impl Registry {
    /// The engine's verdict of `new` against a stored version, on the CPU pool under the
    /// engine's budget.
    pub async fn compare(
        &self,
        old: &VersionRow,
        new: &Candidate,
        mode: Mode,
        rules: Rules,
    ) -> Result<Report> {
        let schema = self.schema_of(old).await?;
        let old_name = format!("{} v{}", old.subject, old.version);
        let old_refs = self.reference_texts(&schema.refs).await?;
        // Component schemas (no schema_version) are judged without event rule 4.
        let versioned = new.doc.root.pointer("/properties/schema_version").is_some();
        let options = Options {
            mode,
            rules,
            witnesses: true,
            schema_version: versioned,
            ..Options::default()
        };
        let (new_doc, new_refs) = (new.doc.clone(), new.refs.clone());
        let dialect = self.dialect;
        self.cpu("comparing schemas", move || {
            let old_doc = Document::parse_in(&old_name, &schema.text, dialect)
                .map_err(|e| Error::Internal(e.to_string()))?;
            let mut refs = std::collections::HashMap::new();
            for (name, text) in old_refs {
                let d =
                    Document::parse(&name, &text).map_err(|e| Error::Internal(e.to_string()))?;
                refs.insert(name, d);
            }
            check_refs(&old_doc, &refs, &new_doc, &new_refs, options)
                .map_err(|e| Error::InvalidSchema(e.to_string()))
        })
        .await?
    }

    /// `new` against each of `versions` under `level` and `rules`: every breaking change, typed.
    pub async fn verdict(
        &self,
        new: &Candidate,
        versions: &[&VersionRow],
        mode: Mode,
        rules: Rules,
    ) -> Result<Verdict> {
        let mut verdict = Verdict {
            compatible: true,
            changes: Vec::new(),
        };
        for old in versions {
            let report = self.compare(old, new, mode, rules).await?;
            verdict.compatible &= report.compatible;
            verdict.changes.extend(report.breaking().map(|c| {
                BreakingChange {
                    version: old.version,
                    kind: c.kind.id().to_string(),
                    old_pointer: c.old_pointer.clone(),
                    new_pointer: c.new_pointer.clone(),
                    breaks: c
                        .breaks
                        .iter()
                        .map(|d| format!("{d:?}").to_lowercase())
                        .collect(),
                    message: c.message.clone(),
                    help: c.help.clone(),
                    old_value: c.old_value.clone(),
                    new_value: c.new_value.clone(),
                    witness: c.witness.as_ref().map(|w| w.instance.clone()),
                }
            }));
        }
        Ok(verdict)
    }

    /// Would `req` be accepted under `subject`? Against one version (`Some`), or the versions
    /// its level names (`None`).
    pub async fn compatibility(
        &self,
        subject: &str,
        version: Option<&str>,
        req: &registry_api::SchemaRequest,
        normalize: bool,
    ) -> Result<Verdict> {
        let cand = self.candidate(req, normalize).await?;
        let settings = self.settings(subject).await?;
        let all = self.all_versions(subject).await?;
        let rows: Vec<&VersionRow> = match version {
            Some(v) => {
                let row = self.find_version(subject, v, false).await?;
                all.iter().filter(|r| r.version == row.version).collect()
            }
            None => against(settings.level, &all),
        };
        self.verdict(&cand, &rows, settings.level.mode(), settings.rules)
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(version: i64, deleted: bool) -> VersionRow {
        VersionRow {
            created_ms: 0,
            subject: "s".into(),
            version,
            schema_id: version,
            deleted,
        }
    }

    #[test]
    fn levels_name_the_live_versions_they_check() {
        let rows = [row(1, false), row(2, true), row(3, false), row(4, true)];
        let versions = |l| -> Vec<i64> { against(l, &rows).iter().map(|r| r.version).collect() };
        assert_eq!(versions(Level::FullTransitive), [1, 3]);
        assert_eq!(versions(Level::Backward), [3]);
        assert!(versions(Level::None).is_empty());
    }
}
