//! Data contracts (Confluent 7.4+): metadata and rule sets that travel with a schema, are part
//! of its identity, and are inherited by the subject's next version when it brings none.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

/// User metadata of a schema: tags by field path, free properties, sensitive property names.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Metadata {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<BTreeMap<String, BTreeSet<String>>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub properties: Option<BTreeMap<String, String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sensitive: Option<BTreeSet<String>>,
    /// Fields this registry does not know, kept as sent.
    #[serde(flatten)]
    pub extra: BTreeMap<String, serde_json::Value>,
}

impl Metadata {
    /// `a` with `b` laid over it: `b`'s properties win, tags and sensitive names are joined.
    pub fn merged(a: Option<&Metadata>, b: Option<&Metadata>) -> Option<Metadata> {
        match (a, b) {
            (None, None) => None,
            (Some(x), None) | (None, Some(x)) => Some(x.clone()),
            (Some(a), Some(b)) => {
                let mut out = a.clone();
                if let Some(tags) = &b.tags {
                    let into = out.tags.get_or_insert_with(BTreeMap::new);
                    for (path, t) in tags {
                        into.entry(path.clone())
                            .or_default()
                            .extend(t.iter().cloned());
                    }
                }
                if let Some(props) = &b.properties {
                    let into = out.properties.get_or_insert_with(BTreeMap::new);
                    into.extend(props.iter().map(|(k, v)| (k.clone(), v.clone())));
                }
                if let Some(s) = &b.sensitive {
                    let into = out.sensitive.get_or_insert_with(BTreeSet::new);
                    into.extend(s.iter().cloned());
                }
                Some(out)
            }
        }
    }

    /// The value of one property.
    pub fn property(&self, key: &str) -> Option<&str> {
        self.properties.as_ref()?.get(key).map(String::as_str)
    }
}

/// The contract settings of a subject (or of the registry): metadata and rules laid under
/// (`default*`) and over (`override*`) what a registration brings, and the metadata property
/// whose value splits a subject into compatibility groups.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ConfigContracts {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compatibility_group: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_metadata: Option<Metadata>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub override_metadata: Option<Metadata>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_rule_set: Option<RuleSet>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub override_rule_set: Option<RuleSet>,
}

impl ConfigContracts {
    /// Each field of `self`, else of `under`.
    pub fn over(&self, under: &ConfigContracts) -> ConfigContracts {
        ConfigContracts {
            compatibility_group: self
                .compatibility_group
                .clone()
                .or_else(|| under.compatibility_group.clone()),
            default_metadata: self
                .default_metadata
                .clone()
                .or_else(|| under.default_metadata.clone()),
            override_metadata: self
                .override_metadata
                .clone()
                .or_else(|| under.override_metadata.clone()),
            default_rule_set: self
                .default_rule_set
                .clone()
                .or_else(|| under.default_rule_set.clone()),
            override_rule_set: self
                .override_rule_set
                .clone()
                .or_else(|| under.override_rule_set.clone()),
        }
    }

    pub fn is_empty(&self) -> bool {
        *self == ConfigContracts::default()
    }
}

/// Rules of a schema: migration rules (run by clients between versions), domain rules (run
/// on every payload) and encoding rules (run by clients on the bytes).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct RuleSet {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub migration_rules: Option<Vec<Rule>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain_rules: Option<Vec<Rule>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encoding_rules: Option<Vec<Rule>>,
    /// Fields this registry does not know (`enableAt`…), kept as sent.
    #[serde(flatten)]
    pub extra: BTreeMap<String, serde_json::Value>,
}

impl RuleSet {
    /// `a` with `b` laid over it: a rule of `b` replaces the rule of `a` with its name.
    pub fn merged(a: Option<&RuleSet>, b: Option<&RuleSet>) -> Option<RuleSet> {
        fn join(a: &Option<Vec<Rule>>, b: &Option<Vec<Rule>>) -> Option<Vec<Rule>> {
            match (a, b) {
                (None, None) => None,
                (Some(x), None) | (None, Some(x)) => Some(x.clone()),
                (Some(a), Some(b)) => {
                    let mut out: Vec<Rule> = a
                        .iter()
                        .filter(|r| !b.iter().any(|o| o.name == r.name))
                        .cloned()
                        .collect();
                    out.extend(b.iter().cloned());
                    Some(out)
                }
            }
        }
        match (a, b) {
            (None, None) => None,
            (Some(x), None) | (None, Some(x)) => Some(x.clone()),
            (Some(a), Some(b)) => Some(RuleSet {
                migration_rules: join(&a.migration_rules, &b.migration_rules),
                domain_rules: join(&a.domain_rules, &b.domain_rules),
                encoding_rules: join(&a.encoding_rules, &b.encoding_rules),
                extra: a
                    .extra
                    .iter()
                    .chain(&b.extra)
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect(),
            }),
        }
    }

    /// The domain rules as the engine runs them (`schema_core::domain_rules`).
    pub fn domain_specs(&self) -> Vec<schema_core::domain_rules::RuleSpec> {
        self.domain_rules
            .iter()
            .flatten()
            .map(|r| schema_core::domain_rules::RuleSpec {
                name: r.name.clone(),
                rule_type: r.rule_type.clone().unwrap_or_default(),
                kind: r.kind.clone(),
                mode: r.mode.clone(),
                expr: r.expr.clone().unwrap_or_default(),
                on_failure: r.on_failure.clone(),
                disabled: r.disabled,
                tags: r.tags.iter().flatten().cloned().collect(),
            })
            .collect()
    }

    /// Every rule, domain rules first.
    pub fn rules(&self) -> impl Iterator<Item = &Rule> {
        [
            &self.domain_rules,
            &self.migration_rules,
            &self.encoding_rules,
        ]
        .into_iter()
        .flatten()
        .flatten()
    }
}

/// One rule. `kind`, `mode`, `onSuccess` and `onFailure` keep Confluent's spellings
/// (`CONDITION`/`TRANSFORM`, `WRITE`/`READ`/`UPGRADE`/…, `NONE`/`ERROR`/`DLQ`); the registry
/// checks them when a schema is registered.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Rule {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub doc: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<String>,
    /// `CEL`, `CEL_FIELD`, `JSONATA`, `ENCRYPT`…
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub rule_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<BTreeSet<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub params: Option<BTreeMap<String, String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expr: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_success: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_failure: Option<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub disabled: bool,
    /// Fields this registry does not know, kept as sent.
    #[serde(flatten)]
    pub extra: BTreeMap<String, serde_json::Value>,
}

/// The values Confluent defines for a rule's enumerated fields.
pub const RULE_KINDS: &[&str] = &["TRANSFORM", "CONDITION"];
pub const RULE_MODES: &[&str] = &[
    "UPGRADE",
    "DOWNGRADE",
    "UPDOWN",
    "WRITE",
    "READ",
    "WRITEREAD",
];
pub const RULE_ACTIONS: &[&str] = &["NONE", "ERROR", "DLQ"];

impl Rule {
    /// What is wrong with the rule's shape, if anything (its expression is checked by the
    /// registry, which knows the rule types it runs).
    pub fn shape_error(&self) -> Option<String> {
        if self.name.trim().is_empty() {
            return Some("a rule needs a name".into());
        }
        let one_of = |field: &str, v: &Option<String>, allowed: &[&str]| -> Option<String> {
            let v = v.as_deref()?;
            // `onSuccess`/`onFailure` may name two actions, for WRITEREAD and UPDOWN rules.
            let ok = v.split(',').all(|p| allowed.contains(&p.trim())) || allowed.contains(&v);
            (!ok).then(|| {
                format!(
                    "rule {:?}: {field} {v:?} is not one of {}",
                    self.name,
                    allowed.join(", ")
                )
            })
        };
        one_of("kind", &self.kind, RULE_KINDS)
            .or_else(|| one_of("mode", &self.mode, RULE_MODES))
            .or_else(|| one_of("onSuccess", &self.on_success, RULE_ACTIONS))
            .or_else(|| one_of("onFailure", &self.on_failure, RULE_ACTIONS))
            .or_else(|| {
                self.rule_type
                    .as_deref()
                    .is_none_or(|t| t.trim().is_empty())
                    .then(|| format!("rule {:?} needs a type", self.name))
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata_overrides_win_and_tags_join() {
        let a: Metadata = serde_json::from_value(serde_json::json!({
            "properties": {"owner": "a", "tier": "1"}, "tags": {"$.x": ["PII"]}
        }))
        .unwrap();
        let b: Metadata = serde_json::from_value(serde_json::json!({
            "properties": {"owner": "b"}, "tags": {"$.x": ["GDPR"]}
        }))
        .unwrap();
        let m = Metadata::merged(Some(&a), Some(&b)).unwrap();
        assert_eq!(m.property("owner"), Some("b"));
        assert_eq!(m.property("tier"), Some("1"));
        assert_eq!(m.tags.unwrap()["$.x"].len(), 2);
    }

    #[test]
    fn rule_sets_merge_by_name_and_shapes_are_checked() {
        let rule = |name: &str, expr: &str| Rule {
            name: name.into(),
            kind: Some("CONDITION".into()),
            mode: Some("WRITE".into()),
            rule_type: Some("CEL".into()),
            expr: Some(expr.into()),
            ..Rule::default()
        };
        let a = RuleSet {
            domain_rules: Some(vec![rule("r1", "true"), rule("r2", "true")]),
            ..RuleSet::default()
        };
        let b = RuleSet {
            domain_rules: Some(vec![rule("r2", "false")]),
            ..RuleSet::default()
        };
        let m = RuleSet::merged(Some(&a), Some(&b)).unwrap();
        let exprs: Vec<_> = m.rules().map(|r| r.expr.clone().unwrap()).collect();
        assert_eq!(exprs, ["true", "false"]);
        assert!(rule("r", "x").shape_error().is_none());
        let mut bad = rule("r", "x");
        bad.on_failure = Some("EXPLODE".into());
        assert!(bad.shape_error().unwrap().contains("onFailure"));
        let mut two = rule("r", "x");
        two.on_failure = Some("DLQ,NONE".into());
        assert!(two.shape_error().is_none());
    }

    #[test]
    fn confluents_shape_reads_and_writes_with_fields_unknown_here() {
        let text = r#"{"domainRules":[{"name":"checkAmount","kind":"CONDITION","mode":"WRITE","type":"CEL","expr":"message.amount > 0","onFailure":"ERROR","futureField":[1]}],"enableAt":"2026-01-01"}"#;
        let rs: RuleSet = serde_json::from_str(text).unwrap();
        assert_eq!(serde_json::to_string(&rs).unwrap(), text);
        let m: Metadata = serde_json::from_str(r#"{"properties":{"a":"b"},"x":true}"#).unwrap();
        assert_eq!(m.extra["x"], serde_json::json!(true));
    }
}
