//! The compatibility diff: walks two schemas side by side ([`walk`]), records typed changes, and
//! judges each change by the rule table ([`kinds`]) under the chosen rule set and mode.
//!
//! A [`Change`] names its kind, the RFC 6901 pointer of the place in the old and in the new
//! schema, the instance location it concerns, and the directions it breaks. Breaking changes get
//! a witness (see [`crate::witness`]) when one can be built and verified.

mod arrays;
mod exact;
pub mod kinds;
mod objects;
mod patterns;
pub(crate) mod scalars;
mod walk;

use std::fmt;
use std::str::FromStr;

use serde::Serialize;
use serde_json::Value;

pub use kinds::{Breaks, ChangeKind, Rule, RULES};

use crate::docset::DocSet;

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
    Key(String),
    /// A key declared nowhere (governed by `additionalProperties`).
    AnyKey,
    /// A key matching a `patternProperties` regex.
    PatternKey(String),
    Index(usize),
    /// The `contains` item or any index from here on.
    AnyIndex(usize),
    /// The name of a property, not its value (`propertyNames`).
    PropertyName,
}

impl Seg {
    fn token(&self) -> String {
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
    pub old_ptr: String,
    pub new_ptr: String,
    pub detail: String,
    /// Instance path segments, innermost first (parents push as results travel up).
    pub rev_segs: Vec<Seg>,
    /// Directions this occurrence may break at all (cleared by branch matching and NOT_SET).
    pub mask: Breaks,
    /// Under a `not`: the table's directions are swapped.
    pub inverted: bool,
    /// Recorded under a NOT_SET-masked scope (added or removed property name).
    pub scoped: bool,
}

impl Raw {
    pub fn new(kind: ChangeKind, old_ptr: &str, new_ptr: &str, detail: String) -> Raw {
        Raw {
            kind,
            old_ptr: old_ptr.to_string(),
            new_ptr: new_ptr.to_string(),
            detail,
            rev_segs: Vec::new(),
            mask: Breaks::BOTH,
            inverted: false,
            scoped: false,
        }
    }
}

/// What the table says the change breaks, before branch matching and NOT_SET masks.
fn unmasked(raw: &Raw, rules: Rules) -> Breaks {
    judge(
        &Raw {
            mask: Breaks::BOTH,
            ..raw.clone()
        },
        rules,
    )
}

/// The report for a subject whose schema is gone: one `subject-removed` change located at the
/// old document's root.
pub fn removed_subject(old: &crate::Document, options: Options) -> Report {
    let mut docs = DocSet::new();
    let idx = docs.add_unresolved(old.clone());
    let raw = Raw::new(
        ChangeKind::SubjectRemoved,
        "",
        "",
        format!("{} no longer exists", old.name),
    );
    let mut change = finish(raw, &docs, idx, idx, options.rules);
    change.line = Some(1);
    change.column = Some(1);
    let compatible = !change.breaks_set().and(options.mode.checks()).any();
    Report {
        compatible,
        mode: options.mode,
        rules: options.rules,
        changes: vec![change],
    }
}

/// The directions a recorded change breaks under `rules`.
pub(crate) fn judge(raw: &Raw, rules: Rules) -> Breaks {
    let rule = raw.kind.rule();
    let b = match rules {
        Rules::Events => rule.events,
        Rules::Standard => rule.standard,
        Rules::Lenient => rule.lenient,
    };
    let b = if raw.inverted { b.swapped() } else { b };
    b.and(raw.mask)
}

/// Diffs the first two documents of `docs` (old, new).
pub fn diff_docs(docs: &DocSet, old: usize, new: usize, options: Options) -> Report {
    let mut walker = walk::Walker::new(docs, options.rules, options.budget);
    let raws = walker.diff_roots(old, new);
    // A change masked to no direction is the other direction's copy of one that is reported
    // where it counts (branch matching, NOT_SET); notes that never break stay.
    let raws: Vec<Raw> = raws
        .into_iter()
        .filter(|r| judge(r, options.rules).any() || !unmasked(r, options.rules).any())
        .collect();
    let mut changes: Vec<Change> = Vec::new();
    let mut seen: std::collections::HashMap<(ChangeKind, String, String, String), usize> =
        std::collections::HashMap::new();
    for raw in raws {
        let c = finish(raw, docs, old, new, options.rules);
        // The same change found along two paths (both directions, shared $defs): one entry,
        // breaking every direction either found.
        let key = (
            c.kind,
            c.old_pointer.clone(),
            c.new_pointer.clone(),
            c.instance_pointer.clone(),
        );
        match seen.get(&key).map(|&i| &mut changes[i]) {
            Some(d) => {
                for dir in c.breaks {
                    if !d.breaks.contains(&dir) {
                        d.breaks.push(dir);
                    }
                }
                d.breaks.sort_by_key(|d| *d != Direction::Backward);
            }
            None => {
                seen.insert(key, changes.len());
                changes.push(c);
            }
        }
    }
    if options.rules == Rules::Events && options.schema_version && options.mode != Mode::None {
        let root = |i| &docs.get(i).root;
        let versioning = crate::version::check(root(old), root(new), &changes, options.mode);
        changes.extend(
            versioning
                .into_iter()
                .map(|raw| finish(raw, docs, old, new, options.rules)),
        );
    }
    changes.sort_by(|a, b| {
        (b.breaks_set().any(), &a.new_pointer, &a.old_pointer, a.kind).cmp(&(
            a.breaks_set().any(),
            &b.new_pointer,
            &b.old_pointer,
            b.kind,
        ))
    });
    locate_all(&mut changes, docs, old, new);
    let checks = options.mode.checks();
    if options.witnesses && checks.any() {
        crate::witness::attach(docs, old, new, &mut changes, checks);
    }
    let compatible = !changes.iter().any(|c| c.breaks_set().and(checks).any());
    Report {
        compatible,
        mode: options.mode,
        rules: options.rules,
        changes,
    }
}

fn finish(raw: Raw, docs: &DocSet, old: usize, new: usize, rules: Rules) -> Change {
    let b = judge(&raw, rules);
    let mut breaks = Vec::new();
    if b.backward {
        breaks.push(Direction::Backward);
    }
    if b.forward {
        breaks.push(Direction::Forward);
    }
    let rule = raw.kind.rule();
    let segments: Vec<Seg> = raw.rev_segs.iter().rev().cloned().collect();
    let instance_pointer: String = segments.iter().map(|s| format!("/{}", s.token())).collect();
    let message = if raw.detail.is_empty() {
        rule.summary.to_string()
    } else {
        format!("{}: {}", rule.summary, raw.detail)
    };
    // Removals are located in the old file, everything else in the new one.
    let doc = if located_in_old(raw.kind) {
        docs.get(old)
    } else {
        docs.get(new)
    };
    Change {
        kind: raw.kind,
        old_pointer: raw.old_ptr,
        new_pointer: raw.new_ptr,
        instance_pointer,
        breaks,
        rule: rule.rule,
        message,
        help: rule.help.to_string(),
        witness: None,
        file: Some(doc.name.clone()),
        line: None,
        column: None,
        segments,
    }
}

/// Whether a change is located in the old file (removals) rather than the new one.
fn located_in_old(kind: ChangeKind) -> bool {
    matches!(
        kind,
        ChangeKind::PropertyRemovedFromOpenModel
            | ChangeKind::PropertyRemovedFromClosedModel
            | ChangeKind::PropertyRemovedFromPartiallyOpenModel
            | ChangeKind::PropertyWithFalseRemovedFromClosedModel
            | ChangeKind::RequiredPropertyRemoved
            | ChangeKind::SumBranchRemoved
            | ChangeKind::ProductConstraintRemoved
    )
}

/// Fills line and column of every change, one pass over each source text.
fn locate_all(changes: &mut [Change], docs: &DocSet, old: usize, new: usize) {
    for (idx, in_old) in [(old, true), (new, false)] {
        let doc = docs.get(idx);
        let ptr = |c: &Change| {
            if in_old {
                c.old_pointer.clone()
            } else {
                c.new_pointer.clone()
            }
        };
        let mine: Vec<usize> = (0..changes.len())
            .filter(|&i| located_in_old(changes[i].kind) == in_old)
            .collect();
        let wanted: Vec<String> = mine.iter().map(|&i| ptr(&changes[i])).collect();
        let positions = doc.positions(&wanted);
        for (&i, p) in mine.iter().zip(&wanted) {
            if let Some(&(line, column)) = positions.get(p) {
                changes[i].line = Some(line);
                changes[i].column = Some(column);
            }
        }
    }
}
