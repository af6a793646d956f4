//! Inclusion decided exactly where one side admits finitely many values (`const`, `enum`, or a
//! number range with `minimum == maximum`): every such value the source accepts is validated
//! against the target. Keyword-by-keyword comparison cannot see that `{"const": 5}` fits
//! `{"type": "number"}` or that `{"enum": [0, 1], "minimum": 1}` is `{"enum": [1]}`; validation
//! can. Only applied to subtrees without references (they are compiled on their own).

use serde_json::Value;

use super::loc::{contains_ref, Loc};
use crate::draft::Draft;
use crate::kinds::Breaks;

/// At most this many values are validated (a larger enum is compared keyword by keyword).
const MAX_VALUES: usize = 64;

/// The values a schema admits at most, when finitely many (its own keywords only: a location
/// whose applicators add alternatives is left to the walker).
fn candidates(v: &Value) -> Option<Vec<Value>> {
    let o = v.as_object()?;
    if ["anyOf", "oneOf", "$ref", "$dynamicRef", "$recursiveRef"]
        .iter()
        .any(|k| o.contains_key(*k))
    {
        return None;
    }
    if let Some(c) = o.get("const") {
        return Some(vec![c.clone()]);
    }
    if let Some(Value::Array(e)) = o.get("enum") {
        return (e.len() <= MAX_VALUES).then(|| e.clone());
    }
    let num = |k: &str| o.get(k).filter(|n| n.is_number());
    if let (Some(lo), Some(hi)) = (num("minimum"), num("maximum")) {
        let numeric_only =
            matches!(o.get("type"), Some(Value::String(t)) if t == "number" || t == "integer");
        if numeric_only && lo.as_f64() == hi.as_f64() {
            return Some(vec![lo.clone()]);
        }
    }
    None
}

fn compile(v: &Value, draft: Draft, formats: bool) -> Option<jsonschema::Validator> {
    jsonschema::options()
        .with_draft(draft.to_validator())
        .should_validate_formats(formats)
        .build(v)
        .ok()
}

/// The directions in which inclusion provably holds because the source side admits finitely
/// many values, each of them accepted by the target.
pub(crate) fn holds(o: &Loc<'_>, n: &Loc<'_>) -> Breaks {
    let mut out = Breaks::NONE;
    for (src, dst, dir) in [(o, n, Breaks::BACKWARD), (n, o, Breaks::FORWARD)] {
        let Some(values) = candidates(src.v) else {
            continue;
        };
        if contains_ref(o.v) || contains_ref(n.v) {
            return Breaks::NONE;
        }
        // The source is read without `format` assertions and the target with them: a value
        // counts wherever either semantics admits it, so the answer holds under both.
        let (Some(vs), Some(vd)) = (
            compile(src.v, src.draft, false),
            compile(dst.v, dst.draft, true),
        ) else {
            continue;
        };
        if values.iter().all(|x| !vs.is_valid(x) || vd.is_valid(x)) {
            out = out.or(dir);
        }
    }
    out
}
