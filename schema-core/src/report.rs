//! What a comparison answers and how it is asked: the rule sets and modes, the options and
//! budget, each change as reported (kind, places, directions, witness) and the report. Below the
//! walker, the schema_version check and the witness search, which all speak these types; the
//! rule table itself is in [`crate::kinds`].

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

use serde::Serialize;
use serde_json::Value;

use crate::kinds::{Breaks, ChangeKind};

/// Which rule set judges the changes (DESIGN section 3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Rules {
    /// Instance semantics under the NOT_SET assumption plus the four event rules (default).
    #[default]
    Events,
    /// Confluent Schema Registry's STRICT verdicts.
    Standard,
    /// Confluent Schema Registry's LENIENT verdicts.
    Lenient,
}

/// Which directions must hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// New can read old: V(old) ⊆ V(new).
    Backward,
    /// Old can read new: V(new) ⊆ V(old).
    Forward,
    /// Both (default).
    #[default]
    Full,
    /// No check.
    None,
}

impl Mode {
    /// The directions this mode checks.
    pub fn checks(self) -> Breaks {
        match self {
            Mode::Backward => Breaks::BACKWARD,
            Mode::Forward => Breaks::FORWARD,
            Mode::Full => Breaks::BOTH,
            Mode::None => Breaks::NONE,
        }
    }
}

macro_rules! parse_enum {
    ($t:ty, $what:literal, $($s:literal => $v:path),*) => {
        impl FromStr for $t {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, String> {
                match s.to_ascii_lowercase().as_str() {
                    $($s => Ok($v),)*
                    _ => Err(format!(concat!("unknown ", $what, " {:?}; expected one of: "), s)
                        + &[$($s),*].join(", ")),
                }
            }
        }
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                let s = match self { $($v => $s,)* };
                f.write_str(s)
            }
        }
    };
}
parse_enum!(Rules, "rule set", "events" => Rules::Events, "standard" => Rules::Standard, "lenient" => Rules::Lenient);
parse_enum!(Mode, "mode", "backward" => Mode::Backward, "forward" => Mode::Forward, "full" => Mode::Full, "none" => Mode::None);

/// A compatibility direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    Backward,
    Forward,
}

/// Which schema accepts a witness.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    Old,
    New,
}

/// An event that one schema accepts and the other rejects, checked with the validator.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Witness {
    pub instance: Value,
    pub valid_under: Side,
    pub invalid_under: Side,
}

/// How to diff.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// Default `full`.
    pub mode: Mode,
    /// Default `events`.
    pub rules: Rules,
    /// Build and verify witnesses for breaking changes (costs a validator compile per schema).
    /// Default on.
    pub witnesses: bool,
    /// Apply event rule 4 (schema_version discipline) under `events`. Default on; off for
    /// schemas that are not events (components referenced by events, single-keyword tests).
    pub schema_version: bool,
    /// How much work the comparison may do before the undecided rest is reported as
    /// `undecidable` (breaking both ways).
    pub budget: Budget,
}

/// The work one comparison may do. Steps count the pairs of locations compared; changes count
/// what the walker holds in memory. Either running out ends the comparison with an
/// `undecidable` change, never with a guess.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    pub steps: u64,
    pub changes: u64,
}

impl Default for Budget {
    /// Far above what real event schemas need (a few thousand steps), low enough that a hostile
    /// schema is cut off within about a second and a few tens of megabytes.
    fn default() -> Budget {
        Budget {
            steps: 500_000,
            changes: 200_000,
        }
    }
}

impl Default for Options {
    fn default() -> Options {
        Options {
            mode: Mode::Full,
            rules: Rules::Events,
            witnesses: true,
            schema_version: true,
            budget: Budget::default(),
        }
    }
}

/// One change between the old and the new schema.
#[derive(Debug, Clone, Serialize)]
pub struct Change {
    pub kind: ChangeKind,
    /// Where in the old schema (the closest existing place when the change is an addition).
    pub old_pointer: String,
    /// Where in the new schema (the closest existing place when the change is a removal).
    pub new_pointer: String,
    /// The place in an event this change concerns (`*` stands for any key, `-` any index).
    pub instance_pointer: String,
    /// The directions this change breaks under the rule set (empty: a compatible change or note).
    pub breaks: Vec<Direction>,
    pub rule: &'static str,
    pub message: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub help: String,
    /// The constraint before the change, when the old pointer names one (`maxLength`,
    /// `type`, `enum`, `required`…): the change as data, for tools that act on it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub old_value: Option<Value>,
    /// The constraint after the change, when the new pointer names one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new_value: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub witness: Option<Witness>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<usize>,
    #[serde(skip)]
    pub(crate) segments: Vec<Seg>,
}

impl Change {
    pub fn breaks_set(&self) -> Breaks {
        Breaks {
            backward: self.breaks.contains(&Direction::Backward),
            forward: self.breaks.contains(&Direction::Forward),
        }
    }
}

/// The result of a diff.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub compatible: bool,
    pub mode: Mode,
    pub rules: Rules,
    pub changes: Vec<Change>,
}

impl Report {
    /// The changes that break a direction the mode checks.
    pub fn breaking(&self) -> impl Iterator<Item = &Change> {
        let checks = self.mode.checks();
        self.changes
            .iter()
            .filter(move |c| c.breaks_set().and(checks).any())
    }
}

/// A step from an instance location to a child, as a change's place in an event.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum Seg {
    Key(Arc<str>),
    /// A key declared nowhere (governed by `additionalProperties`).
    AnyKey,
    /// A key matching a `patternProperties` regex.
    PatternKey(Arc<str>),
    Index(usize),
    /// The `contains` item or any index from here on.
    AnyIndex(usize),
    /// The name of a property, not its value (`propertyNames`).
    PropertyName,
}

impl Seg {
    pub(crate) fn token(&self) -> String {
        match self {
            Seg::Key(k) => crate::pointer::escape(k),
            Seg::AnyKey | Seg::PatternKey(_) => "*".into(),
            Seg::Index(i) => i.to_string(),
            Seg::AnyIndex(_) => "-".into(),
            Seg::PropertyName => "{name}".into(),
        }
    }
}

/// A change as the walker records it: relative instance path (innermost first) and masks that
/// the judge applies.
#[derive(Debug, Clone)]
pub(crate) struct Raw {
    pub kind: ChangeKind,
    // Shared text: a change in a shared type is copied into every result that encloses it,
    // so a copy must not allocate (the hostile unions spent their time here).
    pub old_ptr: Arc<str>,
    pub new_ptr: Arc<str>,
    pub detail: Arc<str>,
    /// Instance path segments, innermost first (parents push as results travel up).
    pub rev_segs: Vec<Seg>,
    /// Directions this occurrence may break at all (cleared by branch matching and NOT_SET).
    pub mask: Breaks,
    /// Under a `not`: the table's directions are swapped.
    pub inverted: bool,
    /// Under at least one `not`, whatever the count (sticky, unlike `inverted`).
    pub negated: bool,
    /// About a property name present on one side only: the directions the NOT_SET assumption
    /// keeps (`events` applies it; the other rule sets judge instance semantics).
    pub scope: Option<Breaks>,
    /// About a keyword without effect on validation (`additionalItems` without tuple `items`):
    /// Confluent's rule sets judge it, `events` keeps to the instance semantics.
    pub inert: bool,
}

impl Raw {
    pub fn new(kind: ChangeKind, old_ptr: &str, new_ptr: &str, detail: String) -> Raw {
        Raw {
            kind,
            old_ptr: old_ptr.into(),
            new_ptr: new_ptr.into(),
            detail: detail.into(),
            rev_segs: Vec::new(),
            mask: Breaks::BOTH,
            inverted: false,
            negated: false,
            scope: None,
            inert: false,
        }
    }
}

/// What the table says the change breaks, before branch matching and NOT_SET masks.
pub(crate) fn unmasked(raw: &Raw, rules: Rules) -> Breaks {
    judge(
        &Raw {
            mask: Breaks::BOTH,
            scope: None,
            inert: false,
            ..raw.clone()
        },
        rules,
    )
}

/// Whether `events` cannot judge a change: a one-sided property name under a `not`, where the
/// NOT_SET assumption does not carry over the negation. Judged breaking both ways.
pub(crate) fn negated_scope(raw: &Raw, rules: Rules) -> bool {
    rules == Rules::Events && raw.negated && raw.scope.is_some()
}

/// The directions a recorded change breaks under `rules`: the rule table's, swapped under a
/// `not`, within the masks of branch matching, and under `events` within the NOT_SET scope.
/// The walker records facts; this is the one place the rule set decides.
pub(crate) fn judge(raw: &Raw, rules: Rules) -> Breaks {
    if negated_scope(raw, rules) {
        return raw.mask;
    }
    let rule = raw.kind.rule();
    let b = match rules {
        Rules::Events => rule.events,
        Rules::Standard => rule.standard,
        Rules::Lenient => rule.lenient,
    };
    let b = if raw.inverted { b.swapped() } else { b };
    let mask = match (rules, raw.scope) {
        (Rules::Events, _) if raw.inert => Breaks::NONE,
        (Rules::Events, Some(keep)) => raw.mask.and(keep),
        _ => raw.mask,
    };
    b.and(mask)
}
