//! Event rule 4, schema_version discipline: every event schema declares `schema_version` as a
//! required string `const` holding a semver, and a changed schema carries a strictly greater
//! one, bumped at least as much as its changes need (patch for annotations, minor for
//! compatible changes, major for breaking ones).

use serde_json::Value;

use crate::kinds::ChangeKind;
use crate::report::{Change, Mode, Raw};

const PTR: &str = "/properties/schema_version";

/// The declared `schema_version` of an event schema, or why it is malformed.
pub fn declared(root: &Value) -> Result<semver::Version, String> {
    let prop = root
        .pointer(PTR)
        .ok_or("the schema declares no `schema_version` property")?;
    if prop.get("type").and_then(Value::as_str) != Some("string") {
        return Err("`schema_version` must have `\"type\": \"string\"`".into());
    }
    let value = prop
        .get("const")
        .and_then(Value::as_str)
        .ok_or("`schema_version` must hold its version as a string `const`")?;
    let required = root.get("required").and_then(Value::as_array);
    if !required.is_some_and(|r| r.iter().any(|v| v == "schema_version")) {
        return Err("`schema_version` must be listed in `required`".into());
    }
    semver::Version::parse(value)
        .map_err(|e| format!("`schema_version` {value:?} is not a semver: {e}"))
}

/// The bump a set of judged changes needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Bump {
    None,
    Patch,
    Minor,
    Major,
}

pub fn needed(changes: &[Change], mode: Mode) -> Bump {
    let checks = mode.checks();
    changes
        .iter()
        .filter(|c| c.rule != "schema-version")
        .map(|c| {
            if c.breaks_set().and(checks).any() {
                Bump::Major
            } else if c.kind.is_annotation() {
                Bump::Patch
            } else {
                Bump::Minor
            }
        })
        .max()
        .unwrap_or(Bump::None)
}

/// What a changed event schema's `schema_version` should be, for every changed schema (not only
/// the ones whose bump is too small): the CI check prints it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Advice {
    pub old: Option<String>,
    pub new: Option<String>,
    pub needed: Bump,
    /// The smallest version after `old` that carries the needed bump.
    pub suggested: Option<String>,
    /// Whether `new` is bumped at least as much as needed.
    pub ok: bool,
}

pub fn advise(old: &Value, new: &Value, changes: &[Change], mode: Mode) -> Advice {
    let need = if old == new {
        Bump::None
    } else {
        needed(changes, mode).max(Bump::Patch)
    };
    let (ov, nv) = (declared(old).ok(), declared(new).ok());
    let ok = match (&ov, &nv) {
        _ if need == Bump::None => true,
        (Some(o), Some(n)) => bump_between(o, n) >= need,
        _ => false,
    };
    Advice {
        suggested: ov.as_ref().map(|v| match need {
            Bump::None => v.to_string(),
            _ => suggest(v, need).to_string(),
        }),
        old: ov.map(|v| v.to_string()),
        new: nv.map(|v| v.to_string()),
        needed: need,
        ok,
    }
}

/// The smallest version after `v` with the given bump.
pub fn suggest(v: &semver::Version, bump: Bump) -> semver::Version {
    match bump {
        Bump::Major => semver::Version::new(v.major + 1, 0, 0),
        Bump::Minor => semver::Version::new(v.major, v.minor + 1, 0),
        _ => semver::Version::new(v.major, v.minor, v.patch + 1),
    }
}

fn bump_between(old: &semver::Version, new: &semver::Version) -> Bump {
    if new.major > old.major {
        Bump::Major
    } else if new.major == old.major && new.minor > old.minor {
        Bump::Minor
    } else if new > old {
        Bump::Patch
    } else {
        Bump::None
    }
}

pub(crate) fn check(old: &Value, new: &Value, changes: &[Change], mode: Mode) -> Vec<Raw> {
    let at = |root: &Value| match root.pointer(&format!("{PTR}/const")) {
        Some(_) => format!("{PTR}/const"),
        None if root.pointer(PTR).is_some() => PTR.to_string(),
        None => String::new(),
    };
    let (op, np) = (at(old), at(new));
    if old == new {
        return Vec::new(); // the same schema: nothing to version
    }
    // Any other edit, even one that only touches schema_version, needs at least a patch.
    let need = needed(changes, mode).max(Bump::Patch);
    let nv = match declared(new) {
        Ok(v) => v,
        Err(why) => return vec![Raw::new(ChangeKind::SchemaVersionMissing, &op, &np, why)],
    };
    let Ok(ov) = declared(old) else {
        return Vec::new();
    };
    let have = bump_between(&ov, &nv);
    if have == Bump::None {
        let want = suggest(&ov, need);
        return vec![Raw::new(
            ChangeKind::SchemaVersionNotIncreased,
            &op,
            &np,
            format!("{ov} → {nv}; bump `schema_version` to {want}"),
        )];
    }
    if have < need {
        let want = suggest(&ov, need);
        let level = format!("{need:?}").to_lowercase();
        return vec![Raw::new(
            ChangeKind::SchemaVersionBumpTooSmall,
            &op,
            &np,
            format!(
                "{ov} → {nv} but the change needs a {level} bump; bump `schema_version` to {want}"
            ),
        )];
    }
    Vec::new()
}
