//! `schemagate.toml` at the repository root: where the schemas live, the default mode and rules,
//! and per-subject overrides.
//!
//! ```toml
//! dir = "schemas"
//! mode = "full"          # backward | forward | full | none
//! rules = "events"       # events | standard | lenient
//! dialect = "draft-07"   # of schemas without `$schema` (draft-07 unless set)
//!
//! [subjects."components.Money"]
//! rules = "standard"     # components carry no schema_version
//!
//! [subjects."widgets.Created"]
//! file = "schemas/legacy/widget_created_v2.json"   # the subject this file holds
//! ```

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::Context;
use schema_core::{Mode, Rules};
use serde::Deserialize;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RepoConfig {
    pub dir: Option<String>,
    pub mode: Option<String>,
    pub rules: Option<String>,
    pub dialect: Option<String>,
    #[serde(default)]
    pub subjects: BTreeMap<String, SubjectConfig>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubjectConfig {
    pub mode: Option<String>,
    pub rules: Option<String>,
    /// The schema file holding this subject, relative to the repository root: names a subject
    /// whose path would give another name (`file = "schemas/legacy/widget_v2.json"`).
    pub file: Option<String>,
}

impl RepoConfig {
    /// Reads `schemagate.toml` from the repository root; absent means defaults.
    pub fn load(root: &Path) -> anyhow::Result<RepoConfig> {
        let path = root.join("schemagate.toml");
        match std::fs::read_to_string(&path) {
            Ok(text) => {
                let config: RepoConfig =
                    toml::from_str(&text).with_context(|| format!("reading {}", path.display()))?;
                // Whole, before any work: a typo is reported where it is, not when some schema
                // first changes (and then blamed on that subject).
                config
                    .check()
                    .with_context(|| format!("reading {}", path.display()))?;
                Ok(config)
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(RepoConfig::default()),
            Err(e) => Err(e).with_context(|| format!("reading {}", path.display())),
        }
    }

    /// Every value the file sets, checked: modes, rule sets, the dialect.
    fn check(&self) -> anyhow::Result<()> {
        let mode = |at: &str, m: &Option<String>| -> anyhow::Result<()> {
            if let Some(m) = m {
                m.parse::<Mode>()
                    .map_err(|e| anyhow::anyhow!("{at}mode: {e}"))?;
            }
            Ok(())
        };
        let rules = |at: &str, r: &Option<String>| -> anyhow::Result<()> {
            if let Some(r) = r {
                r.parse::<Rules>()
                    .map_err(|e| anyhow::anyhow!("{at}rules: {e}"))?;
            }
            Ok(())
        };
        mode("", &self.mode)?;
        rules("", &self.rules)?;
        self.dialect()?;
        for (name, s) in &self.subjects {
            let at = format!("[subjects.{name:?}] ");
            mode(&at, &s.mode)?;
            rules(&at, &s.rules)?;
        }
        Ok(())
    }

    /// The dialect of schemas without `$schema`, when the file sets one.
    pub fn dialect(&self) -> anyhow::Result<Option<schema_core::Draft>> {
        self.dialect
            .as_deref()
            .map(|d| {
                schema_core::Draft::from_name(d).ok_or_else(|| {
                    anyhow::anyhow!("schemagate.toml: unknown dialect {d:?}; expected draft-04, draft-06, draft-07, 2019-09 or 2020-12")
                })
            })
            .transpose()
    }

    /// The subject `schemagate.toml` names for a schema file, if it names one.
    pub fn subject_for_file(&self, path: &str) -> Option<&str> {
        self.subjects
            .iter()
            .find(|(_, s)| s.file.as_deref().map(|f| f.trim_start_matches("./")) == Some(path))
            .map(|(name, _)| name.as_str())
    }

    /// Mode and rules for a subject: its own, else the file's defaults, else `fallback`.
    pub fn for_subject(
        &self,
        subject: &str,
        fallback: (Mode, Rules),
    ) -> anyhow::Result<(Mode, Rules)> {
        let own = self.subjects.get(subject);
        let mode = own.and_then(|s| s.mode.as_deref()).or(self.mode.as_deref());
        let rules = own
            .and_then(|s| s.rules.as_deref())
            .or(self.rules.as_deref());
        let mode = match mode {
            Some(m) => m
                .parse()
                .map_err(|e: String| anyhow::anyhow!("schemagate.toml, subject {subject}: {e}"))?,
            None => fallback.0,
        };
        let rules = match rules {
            Some(r) => r
                .parse()
                .map_err(|e: String| anyhow::anyhow!("schemagate.toml, subject {subject}: {e}"))?,
            None => fallback.1,
        };
        Ok((mode, rules))
    }
}
