//! Compatibility levels, modes, and the `/config` and `/mode` bodies.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::contracts::ConfigContracts;

/// Confluent's seven compatibility levels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Level {
    None,
    Backward,
    BackwardTransitive,
    Forward,
    ForwardTransitive,
    Full,
    FullTransitive,
}

impl Level {
    pub const ALL: [Level; 7] = [
        Level::None,
        Level::Backward,
        Level::BackwardTransitive,
        Level::Forward,
        Level::ForwardTransitive,
        Level::Full,
        Level::FullTransitive,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Level::None => "NONE",
            Level::Backward => "BACKWARD",
            Level::BackwardTransitive => "BACKWARD_TRANSITIVE",
            Level::Forward => "FORWARD",
            Level::ForwardTransitive => "FORWARD_TRANSITIVE",
            Level::Full => "FULL",
            Level::FullTransitive => "FULL_TRANSITIVE",
        }
    }

    /// The directions the engine checks under this level.
    pub fn mode(self) -> schema_core::Mode {
        use schema_core::Mode as M;
        match self {
            Level::None => M::None,
            Level::Backward | Level::BackwardTransitive => M::Backward,
            Level::Forward | Level::ForwardTransitive => M::Forward,
            Level::Full | Level::FullTransitive => M::Full,
        }
    }

    /// Whether every earlier live version is checked, not only the latest.
    pub fn transitive(self) -> bool {
        matches!(
            self,
            Level::BackwardTransitive | Level::ForwardTransitive | Level::FullTransitive
        )
    }
}

/// Levels are read without regard to case, as Confluent does.
impl FromStr for Level {
    type Err = String;
    fn from_str(s: &str) -> Result<Level, String> {
        Level::ALL
            .into_iter()
            .find(|l| l.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| format!("unknown compatibility level {s:?}"))
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A subject's (or the registry's) write mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Mode {
    #[serde(rename = "READWRITE")]
    ReadWrite,
    #[serde(rename = "READONLY")]
    ReadOnly,
    /// Read-only, and (Confluent) not to be lifted by a subject's own mode.
    #[serde(rename = "READONLY_OVERRIDE")]
    ReadOnlyOverride,
    /// Registrations keep the ids and versions they bring (migration).
    #[serde(rename = "IMPORT")]
    Import,
}

impl Mode {
    pub const ALL: [Mode; 4] = [
        Mode::ReadWrite,
        Mode::ReadOnly,
        Mode::ReadOnlyOverride,
        Mode::Import,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Mode::ReadWrite => "READWRITE",
            Mode::ReadOnly => "READONLY",
            Mode::ReadOnlyOverride => "READONLY_OVERRIDE",
            Mode::Import => "IMPORT",
        }
    }
}

impl FromStr for Mode {
    type Err = String;
    fn from_str(s: &str) -> Result<Mode, String> {
        Mode::ALL
            .into_iter()
            .find(|m| m.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| format!("unknown mode {s:?}"))
    }
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `PUT /config[/{subject}]`. Confluent spells the level `compatibility` in requests and
/// `compatibilityLevel` in answers; both are read. Strings, validated by the server.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConfigRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compatibility: Option<String>,
    #[serde(
        default,
        rename = "compatibilityLevel",
        skip_serializing_if = "Option::is_none"
    )]
    pub compatibility_level: Option<String>,
    /// schemagate's rule set: `events`, `standard` or `lenient`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rules: Option<String>,
    #[serde(flatten)]
    pub contracts: ConfigContracts,
}

impl ConfigRequest {
    /// The level asked for, under either spelling.
    pub fn level(&self) -> Option<&str> {
        self.compatibility
            .as_deref()
            .or(self.compatibility_level.as_deref())
    }
}

/// `GET /config[/{subject}]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConfigAnswer {
    #[serde(rename = "compatibilityLevel")]
    pub compatibility_level: Level,
    /// Absent from registries other than schemagate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rules: Option<String>,
    /// The dialect of schemas without `$schema` (global config only; schemagate).
    #[serde(
        default,
        rename = "defaultDialect",
        skip_serializing_if = "Option::is_none"
    )]
    pub default_dialect: Option<String>,
    #[serde(flatten)]
    pub contracts: ConfigContracts,
}

/// The answer of `PUT /config`: what was set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConfigUpdate {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compatibility: Option<Level>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rules: Option<String>,
    #[serde(flatten)]
    pub contracts: ConfigContracts,
}

/// `PUT /mode[/{subject}]`: a string, validated by the server (42204).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ModeRequest {
    pub mode: String,
}

/// `GET /mode[/{subject}]`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ModeAnswer {
    pub mode: Mode,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_parse_in_any_case_and_serialize_as_confluent_spells_them() {
        for l in Level::ALL {
            assert_eq!(l.as_str().to_lowercase().parse::<Level>(), Ok(l));
            assert_eq!(serde_json::to_value(l).unwrap(), l.as_str());
        }
        assert!("FULLTRANSITIVE".parse::<Level>().is_err());
        assert!("".parse::<Level>().is_err());
    }

    #[test]
    fn modes_parse_in_any_case_and_serialize_as_confluent_spells_them() {
        for m in Mode::ALL {
            assert_eq!(m.as_str().to_lowercase().parse::<Mode>(), Ok(m));
            assert_eq!(serde_json::to_value(m).unwrap(), m.as_str());
        }
        assert!("READ_WRITE".parse::<Mode>().is_err());
    }

    #[test]
    fn transitive_levels_and_their_directions() {
        assert!(Level::FullTransitive.transitive());
        assert!(!Level::Full.transitive());
        assert_eq!(Level::ForwardTransitive.mode(), schema_core::Mode::Forward);
        assert_eq!(Level::None.mode(), schema_core::Mode::None);
    }
}
