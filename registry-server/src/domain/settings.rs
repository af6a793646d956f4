//! Levels, rule sets and modes: per subject, global (`""`), or the defaults. Parsed into their
//! types when read: a stored value nobody can parse is an internal error, never `NONE`.

use std::sync::Arc;

use registry_api::{ConfigAnswer, ConfigContracts, ConfigRequest, ConfigUpdate, Level, Mode};
use schema_core::Rules;

use super::cache::{Held, OwnSettings};
use super::{Audit, Error, Registry, Result};
use crate::store::{Change, ConfigRow, StoreError};

/// Producers and consumers deploy independently and archives are replayed (DESIGN section 2).
pub const DEFAULT_LEVEL: Level = Level::FullTransitive;
pub const DEFAULT_RULES: Rules = Rules::Events;

/// The level and rule set in force for a subject.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Settings {
    pub level: Level,
    pub rules: Rules,
}

fn contracts(stored: Option<&str>) -> Result<ConfigContracts> {
    stored
        .map(serde_json::from_str)
        .transpose()
        .map_err(|e| Error::Internal(format!("stored contract settings: {e}")))
        .map(Option::unwrap_or_default)
}

fn level(stored: &str) -> Result<Level> {
    stored
        .parse()
        .map_err(|e| Error::Internal(format!("stored level: {e}")))
}

fn rules(stored: &str) -> Result<Rules> {
    stored
        .parse()
        .map_err(|e| Error::Internal(format!("stored rules: {e}")))
}

fn mode(stored: &str) -> Result<Mode> {
    stored
        .parse()
        .map_err(|e| Error::Internal(format!("stored mode: {e}")))
}

impl Registry {
    /// A subject's own settings (`""`: the global ones), from the cache when held.
    async fn own(&self, subject: &str) -> Result<Arc<OwnSettings>> {
        let stale = match self.caches.settings.get(subject) {
            Some(Held::Fresh(s)) => return Ok(s),
            Some(Held::Stale(s)) => Some(s),
            None => None,
        };
        let ticket = self.caches.settings.ticket();
        let read = async {
            Ok::<_, StoreError>(OwnSettings {
                config: self.store.config(subject).await?,
                mode: self.store.mode(subject).await?,
            })
        };
        match (read.await, stale) {
            (Ok(own), _) => {
                let own = Arc::new(own);
                self.caches
                    .settings
                    .fill(ticket, subject.to_string(), own.clone());
                Ok(own)
            }
            // The store does not answer: what was read before is what it holds.
            (Err(StoreError::Unreachable(_)), Some(stale)) => Ok(stale),
            (Err(e), _) => Err(e.into()),
        }
    }

    /// The level and rules in force for a subject: its own, else the global ones, else the
    /// defaults, each separately.
    pub async fn settings(&self, subject: &str) -> Result<Settings> {
        let own = self.own(subject).await?;
        let global = self.own("").await?;
        let own = own.config.clone().unwrap_or_default();
        let global = global.config.clone().unwrap_or_default();
        let (own_level, own_rules) = (own.compatibility, own.rules);
        let (global_level, global_rules) = (global.compatibility, global.rules);
        Ok(Settings {
            level: match own_level.or(global_level) {
                Some(l) => level(&l)?,
                None => DEFAULT_LEVEL,
            },
            rules: match own_rules.or(global_rules) {
                Some(r) => rules(&r)?,
                None => DEFAULT_RULES,
            },
        })
    }

    /// The contract settings in force for a subject: its own fields, else the global ones.
    pub async fn contract_settings(&self, subject: &str) -> Result<ConfigContracts> {
        let read =
            |c: &Option<ConfigRow>| contracts(c.as_ref().and_then(|c| c.contracts.as_deref()));
        let global = read(&self.own("").await?.config)?;
        if subject.is_empty() {
            return Ok(global);
        }
        Ok(read(&self.own(subject).await?.config)?.over(&global))
    }

    /// `GET /config`: the global settings in force.
    pub async fn global_config(&self) -> Result<ConfigAnswer> {
        let s = self.settings("").await?;
        Ok(ConfigAnswer {
            compatibility_level: s.level,
            rules: Some(s.rules.to_string()),
            default_dialect: Some(self.dialect.name().to_string()),
            contracts: self.contract_settings("").await?,
        })
    }

    /// `GET /config/{subject}`: the subject's own settings (what it does not set comes from
    /// the global ones). Without settings of its own: the global ones if `default_to_global`,
    /// else 40408 for an existing subject and 40401 for an unknown one.
    pub async fn subject_config(
        &self,
        subject: &str,
        default_to_global: bool,
    ) -> Result<ConfigAnswer> {
        let own = self.own(subject).await?;
        if own.config.is_none() && !default_to_global {
            return Err(if self.all_versions(subject).await?.is_empty() {
                Error::SubjectNotFound(subject.to_string())
            } else {
                Error::SubjectConfigNotFound(subject.to_string())
            });
        }
        let s = self.settings(subject).await?;
        Ok(ConfigAnswer {
            compatibility_level: s.level,
            rules: Some(s.rules.to_string()),
            default_dialect: None,
            contracts: self.contract_settings(subject).await?,
        })
    }

    /// `PUT /config[/{subject}]`: sets what the request gives.
    pub async fn set_config(
        &self,
        subject: &str,
        req: &ConfigRequest,
        audit: &Audit,
    ) -> Result<ConfigUpdate> {
        let level = req
            .level()
            .map(|l| {
                l.parse::<Level>()
                    .map_err(|_| Error::InvalidCompatibility(l.to_string()))
            })
            .transpose()?;
        let rules = req
            .rules
            .as_deref()
            .map(|r| {
                r.parse::<Rules>()
                    .map_err(|_| Error::InvalidRules(r.to_string()))
            })
            .transpose()?;
        let given = &req.contracts;
        if level.is_none() && rules.is_none() && given.is_empty() {
            return Err(Error::InvalidCompatibility("nothing given".into()));
        }
        for rs in [&given.default_rule_set, &given.override_rule_set] {
            self.check_rules(rs.as_ref()).await?;
        }
        // Contract fields given replace the subject's own; the others stay.
        let contracts_text = if given.is_empty() {
            None
        } else {
            let own = self.own(subject).await?;
            let stored = contracts(own.config.as_ref().and_then(|c| c.contracts.as_deref()))?;
            let merged = given.over(&stored);
            Some(
                serde_json::to_string(&merged)
                    .map_err(|e| Error::Internal(format!("contract settings: {e}")))?,
            )
        };
        let mut audit = audit.clone();
        audit.subject = (!subject.is_empty()).then(|| subject.to_string());
        audit.detail = serde_json::json!({
            "compatibility": level.map(Level::as_str),
            "rules": rules.map(|r| r.to_string()),
            "contracts": given,
        });
        let rules_text = rules.map(|r| r.to_string());
        let set = ConfigRow {
            compatibility: level.map(|l| l.as_str().to_string()),
            rules: rules_text.clone(),
            contracts: contracts_text,
        };
        self.store.set_config(subject, &set, &audit).await?;
        self.changed(&Change::Settings(subject.to_string()));
        Ok(ConfigUpdate {
            compatibility: level,
            rules: rules_text,
            contracts: given.clone(),
        })
    }

    /// `DELETE /config[/{subject}]`: answers the settings in force before.
    pub async fn delete_config(&self, subject: &str, audit: &Audit) -> Result<ConfigAnswer> {
        let before = if subject.is_empty() {
            self.global_config().await?
        } else {
            self.subject_config(subject, false).await?
        };
        let mut audit = audit.clone();
        audit.subject = (!subject.is_empty()).then(|| subject.to_string());
        self.store.delete_config(subject, &audit).await?;
        self.changed(&Change::Settings(subject.to_string()));
        Ok(before)
    }

    /// The mode in force for a subject: a global READONLY_OVERRIDE, else its own, else the
    /// global one, else READWRITE.
    pub async fn mode(&self, subject: &str) -> Result<Mode> {
        let global = match &self.own("").await?.mode {
            Some(m) => Some(mode(m)?),
            None => None,
        };
        if global == Some(Mode::ReadOnlyOverride) {
            return Ok(Mode::ReadOnlyOverride);
        }
        if let Some(m) = &self.own(subject).await?.mode {
            return mode(m);
        }
        Ok(global.unwrap_or(Mode::ReadWrite))
    }

    /// A subject's own mode: 40409 without one, unless `default_to_global`.
    pub async fn subject_mode(&self, subject: &str, default_to_global: bool) -> Result<Mode> {
        match &self.own(subject).await?.mode {
            Some(m) => mode(m),
            None if default_to_global || subject.is_empty() => self.mode(subject).await,
            None => Err(Error::SubjectModeNotFound(subject.to_string())),
        }
    }

    pub async fn set_mode(&self, subject: &str, wanted: &str, audit: &Audit) -> Result<Mode> {
        let m: Mode = wanted
            .parse()
            .map_err(|_| Error::InvalidMode(wanted.to_string()))?;
        let mut audit = audit.clone();
        audit.subject = (!subject.is_empty()).then(|| subject.to_string());
        audit.detail = serde_json::json!({"mode": m.as_str()});
        self.store.set_mode(subject, m.as_str(), &audit).await?;
        self.changed(&Change::Settings(subject.to_string()));
        Ok(m)
    }

    /// `DELETE /mode/{subject}`: answers the mode the subject had.
    pub async fn delete_mode(&self, subject: &str, audit: &Audit) -> Result<Mode> {
        let before = self.subject_mode(subject, false).await?;
        let mut audit = audit.clone();
        audit.subject = (!subject.is_empty()).then(|| subject.to_string());
        self.store.delete_mode(subject, &audit).await?;
        self.changed(&Change::Settings(subject.to_string()));
        Ok(before)
    }

    /// Refuses writes to a subject in READONLY mode.
    pub(super) async fn writable(&self, subject: &str) -> Result<Mode> {
        match self.mode(subject).await? {
            Mode::ReadOnly | Mode::ReadOnlyOverride => Err(Error::ReadOnly(subject.to_string())),
            m => Ok(m),
        }
    }
}
