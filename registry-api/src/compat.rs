//! Compatibility answers, and the typed breaking change both they and a refused registration
//! (409) carry.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One breaking change found by the engine, against one earlier version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BreakingChange {
    /// The earlier version this change breaks against.
    pub version: i64,
    /// The change kind's id (`property-removed`, …; `docs/change-kinds.md`).
    pub kind: String,
    pub old_pointer: String,
    pub new_pointer: String,
    /// The directions it breaks: `backward`, `forward`.
    pub breaks: Vec<String>,
    pub message: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub help: String,
    /// The constraint before and after (`maxLength` 10 → 5), when the pointers name one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub old_value: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_value: Option<Value>,
    /// An event one version accepts and the other rejects, checked by validation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub witness: Option<Value>,
}

impl BreakingChange {
    /// The pointer of the place that changed: in the new schema, else in the old.
    pub fn pointer(&self) -> &str {
        if self.new_pointer.is_empty() {
            &self.old_pointer
        } else {
            &self.new_pointer
        }
    }

    /// One line for people and for Confluent clients, which read messages as strings.
    pub fn line(&self) -> String {
        let mut s = format!(
            "{} at {:?} breaks {} against version {}: {}",
            self.kind,
            self.pointer(),
            self.breaks.join("+"),
            self.version,
            self.message
        );
        if !self.help.is_empty() {
            s.push_str(" (");
            s.push_str(&self.help);
            s.push(')');
        }
        s
    }
}

/// `POST /compatibility/subjects/{s}/versions[/{v}]`. Confluent's clients read `messages` as
/// strings (`verbose=true`); the same changes, typed, are in `changes`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CompatibilityAnswer {
    pub is_compatible: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub messages: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub changes: Option<Vec<BreakingChange>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_names_kind_place_directions_version_and_help() {
        let c = BreakingChange {
            version: 3,
            kind: "property-removed".into(),
            old_pointer: "/properties/a".into(),
            new_pointer: String::new(),
            breaks: vec!["backward".into()],
            message: "property a removed".into(),
            help: "keep it; a; b".into(),
            old_value: None,
            new_value: None,
            witness: None,
        };
        assert_eq!(
            c.line(),
            "property-removed at \"/properties/a\" breaks backward against version 3: property a removed (keep it; a; b)"
        );
    }
}
