//! Data contracts at registration: the metadata and rule set a new version holds, checked and
//! made part of its identity. What a registration brings, or else what the subject's latest
//! version holds, is laid over the configured default, and the configured override over that
//! (Confluent's order). Sending `{}` means none, not "inherit".

use registry_api::{Metadata, RuleSet, SchemaRequest};
use schema_core::domain_rules::DomainRules;

use super::{Error, Registry, Result};
use crate::store::{Contracts, SchemaRow, VersionRow};

/// The contracts of one version.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Resolved {
    pub metadata: Option<Metadata>,
    pub rule_set: Option<RuleSet>,
}

impl Resolved {
    /// The contracts a stored schema holds.
    pub fn of(row: &SchemaRow) -> Resolved {
        Resolved {
            metadata: row.metadata.clone(),
            rule_set: row.rule_set.clone(),
        }
    }

    /// The identity of a content with these contracts: the content's own fingerprint when it
    /// has none (so schemas registered before contracts existed keep their ids).
    pub fn fingerprint(&self, content: &str) -> String {
        if self.metadata.is_none() && self.rule_set.is_none() {
            return content.to_string();
        }
        let identity = format!(
            "{content}\nmetadata {}\nruleSet {}",
            serde_json::to_string(&self.metadata).unwrap_or_default(),
            serde_json::to_string(&self.rule_set).unwrap_or_default()
        );
        schema_core::canonical::sha256_hex(identity.as_bytes())
    }

    /// As the store keeps them.
    pub fn stored(&self) -> Contracts {
        Contracts {
            metadata: self
                .metadata
                .as_ref()
                .and_then(|m| serde_json::to_string(m).ok()),
            rule_set: self
                .rule_set
                .as_ref()
                .and_then(|r| serde_json::to_string(r).ok()),
        }
    }
}

/// A schema's GUID (Confluent 8): the first 128 bits of its fingerprint, so every replica and
/// every import gives the same content the same GUID without storing one.
pub fn guid(fingerprint: &str) -> Option<String> {
    let h = fingerprint.get(..32)?;
    if !h.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    Some(format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    ))
}

/// The fingerprint prefix a GUID stands for, if it is one.
pub fn guid_prefix(guid: &str) -> Option<String> {
    let hex: String = guid.chars().filter(|c| *c != '-').collect();
    (hex.len() == 32 && hex.bytes().all(|b| b.is_ascii_hexdigit()) && guid.len() == 36)
        .then(|| hex.to_ascii_lowercase())
}

/// Empty metadata or rule sets are none: `{}` and absent mean the same once resolved.
fn some_metadata(m: Option<Metadata>) -> Option<Metadata> {
    m.filter(|m| *m != Metadata::default())
}

fn some_rules(r: Option<RuleSet>) -> Option<RuleSet> {
    r.filter(|r| r.rules().next().is_some())
}

/// Refuses a malformed rule set: each rule's shape, names unique within each list, and every
/// CEL domain rule compiled (a rule that does not compile is refused with its place).
fn check_rule_set(rs: &RuleSet) -> Result<()> {
    check_shapes(rs)?;
    DomainRules::compile(&rs.domain_specs())
        .map(drop)
        .map_err(|e| Error::InvalidRuleSet(e.to_string()))
}

fn check_shapes(rs: &RuleSet) -> Result<()> {
    for list in [&rs.domain_rules, &rs.migration_rules, &rs.encoding_rules]
        .into_iter()
        .flatten()
    {
        let mut names = std::collections::HashSet::new();
        for rule in list {
            if let Some(why) = rule.shape_error() {
                return Err(Error::InvalidRuleSet(why));
            }
            if !names.insert(rule.name.as_str()) {
                return Err(Error::InvalidRuleSet(format!(
                    "rule name {:?} is used twice",
                    rule.name
                )));
            }
        }
    }
    Ok(())
}

/// The contracts a request brings, as they are (IMPORT mode, look-ups), unchecked.
pub(super) fn exact(req: &SchemaRequest) -> Resolved {
    Resolved {
        metadata: some_metadata(req.metadata.clone()),
        rule_set: some_rules(req.rule_set.clone()),
    }
}

impl Registry {
    /// Refuses a malformed rule set (see `check_rule_set`), compiling it on the CPU pool.
    pub(super) async fn check_rules(&self, rs: Option<&RuleSet>) -> Result<()> {
        let Some(rs) = rs.cloned() else {
            return Ok(());
        };
        self.cpu("compiling rules", move || check_rule_set(&rs))
            .await?
    }

    /// The contracts a registration of `req` under `subject`, whose versions are `versions`,
    /// gives the new version (the request's rule set is checked by the caller).
    pub(super) async fn contracts_for(
        &self,
        subject: &str,
        req: &SchemaRequest,
        versions: &[VersionRow],
    ) -> Result<Resolved> {
        let config = self.contract_settings(subject).await?;
        let inherited = if req.metadata.is_none() || req.rule_set.is_none() {
            match versions.iter().rev().find(|v| !v.deleted) {
                Some(latest) => Resolved::of(&*self.schema_of(latest).await?),
                None => Resolved::default(),
            }
        } else {
            Resolved::default()
        };
        let metadata = req.metadata.clone().or(inherited.metadata);
        let rule_set = req.rule_set.clone().or(inherited.rule_set);
        let metadata = Metadata::merged(config.default_metadata.as_ref(), metadata.as_ref());
        let metadata = Metadata::merged(metadata.as_ref(), config.override_metadata.as_ref());
        let rule_set = RuleSet::merged(config.default_rule_set.as_ref(), rule_set.as_ref());
        let rule_set = RuleSet::merged(rule_set.as_ref(), config.override_rule_set.as_ref());
        Ok(Resolved {
            metadata: some_metadata(metadata),
            rule_set: some_rules(rule_set),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guids_are_fingerprint_prefixes_and_read_back() {
        let f = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
        let g = guid(f).unwrap();
        assert_eq!(g, "01234567-89ab-cdef-0123-456789abcdef");
        assert_eq!(guid_prefix(&g).as_deref(), Some(&f[..32]));
        assert_eq!(guid_prefix(&g.to_uppercase()).as_deref(), Some(&f[..32]));
        assert_eq!(guid_prefix("0123456789abcdef0123456789abcdef"), None);
        assert_eq!(guid_prefix("zz234567-89ab-cdef-0123-456789abcdef"), None);
        assert_eq!(guid("short"), None);
    }

    #[test]
    fn contracts_change_the_identity_and_none_keeps_it() {
        let content = "c0ffee";
        assert_eq!(Resolved::default().fingerprint(content), content);
        let with = Resolved {
            metadata: Some(Metadata {
                properties: Some([("owner".to_string(), "a".to_string())].into()),
                ..Metadata::default()
            }),
            rule_set: None,
        };
        let f = with.fingerprint(content);
        assert_ne!(f, content);
        assert_eq!(f.len(), 64);
        assert_eq!(f, with.clone().fingerprint(content));
    }
}
