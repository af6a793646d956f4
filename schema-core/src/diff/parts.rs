//! A location as the conjunction of its parts: its own keywords, the parts of each `allOf`
//! branch and of a `$ref` beside other keywords, an `anyOf`/`oneOf` alternative set, a `not`,
//! and what is compared only for equality (conditionals with a changed `if`, `unevaluated*`
//! across applicators, dynamic references).

use serde_json::Value;

use super::loc::{is_annotation_keyword, Loc, View};
use super::walk::Walker;
use crate::draft::Draft;
use crate::keywords::{keyword, types, Role, ANY, INT, NUM};

/// The keywords of a conditional part.
pub(super) const CONDITIONAL: [&str; 3] = ["if", "then", "else"];

#[derive(Debug, Clone)]
pub(super) enum Part<'a> {
    Plain(Loc<'a>),
    Sum {
        one_of: bool,
        at: Loc<'a>,
        branches: Vec<Loc<'a>>,
    },
    Not(Loc<'a>),
    /// Compared only for equality of the listed keywords (all of them when empty):
    /// if/then/else, unevaluated*, dynamic references.
    Opaque(Loc<'a>, &'static str, &'static [&'static str]),
}

impl<'a> Part<'a> {
    pub(super) fn tag(&self) -> u8 {
        match self {
            Part::Plain(_) => 0,
            Part::Sum { .. } => 1,
            Part::Not(_) => 3,
            Part::Opaque(..) => 4,
        }
    }
    pub(super) fn loc(&self) -> &Loc<'a> {
        match self {
            Part::Plain(l) | Part::Not(l) | Part::Opaque(l, _, _) => l,
            Part::Sum { at, .. } => at,
        }
    }
}

impl<'a> Walker<'a> {
    /// The parts whose conjunction a location is.
    pub(super) fn parts(&self, loc: &Loc<'a>, out: &mut Vec<Part<'a>>) {
        let loc = self.deref(loc.clone());
        let Some(obj) = loc.v.as_object() else {
            out.push(Part::Plain(loc));
            return;
        };
        out.push(Part::Plain(Loc {
            view: View::Plain,
            ..loc.clone()
        }));
        if loc.view == View::Plain {
            return;
        }
        if loc.draft >= Draft::Draft201909 {
            if let Some(Value::String(r)) = obj.get("$ref") {
                if let Some(target) = self.follow(loc.doc, &loc.ptr, r) {
                    let target = Loc {
                        only: loc.only,
                        ..target
                    };
                    self.parts(&target, out);
                }
            }
        }
        if let Some(Value::Array(all)) = obj.get("allOf") {
            for (i, b) in all.iter().enumerate() {
                let branch = loc.child(&["allOf", &i.to_string()], Some(b));
                self.parts(&branch.within(loc.only), out);
            }
        }
        for (kw, one_of) in [("anyOf", false), ("oneOf", true)] {
            if let Some(Value::Array(alts)) = obj.get(kw) {
                let branches = alts
                    .iter()
                    .enumerate()
                    .map(|(i, b)| loc.child(&[kw, &i.to_string()], Some(b)).within(loc.only))
                    .collect();
                out.push(Part::Sum {
                    one_of,
                    at: loc.child(&[kw], obj.get(kw)),
                    branches,
                });
            }
        }
        if let Some(not) = obj.get("not") {
            out.push(Part::Not(loc.child(&["not"], Some(not))));
        }
        if obj.contains_key("if") || obj.contains_key("then") || obj.contains_key("else") {
            out.push(Part::Opaque(
                loc.clone(),
                "a changed `if` condition is not compared for inclusion",
                &CONDITIONAL,
            ));
        }
        // Without in-place applicators, unevaluated* mean what additionalProperties and items
        // mean, and the keyword modules read them so; with applicators they look across parts.
        let applicators = obj.keys().any(|k| {
            keyword(k).is_some_and(|kw| matches!(kw.role, Role::InPlace | Role::Reference))
        });
        for kw in ["unevaluatedProperties", "unevaluatedItems"] {
            if obj.contains_key(kw) && applicators {
                out.push(Part::Opaque(
                    loc.clone(),
                    "unevaluatedProperties/unevaluatedItems depend on every subschema",
                    &[],
                ));
                break;
            }
        }
        for kw in ["$dynamicRef", "$recursiveRef"] {
            if obj.contains_key(kw) {
                out.push(Part::Opaque(
                    loc.clone(),
                    "dynamic references are resolved only at validation time",
                    &[],
                ));
                break;
            }
        }
    }
}

/// `{"type": [...]}` accepting exactly what `not: {"type": ...}` accepts, when the negated
/// schema holds only `type` (and annotations) and its complement is a list of types (not of
/// `integer` alone: "numbers that are not integers" has no `type`).
pub(super) fn complement_of_types(not: &Value) -> Option<&'static Value> {
    static COMPLEMENTS: std::sync::LazyLock<Vec<Value>> = std::sync::LazyLock::new(|| {
        let names = [
            (1u8, "null"),
            (2, "boolean"),
            (4, "object"),
            (8, "array"),
            (16, "string"),
            (NUM | INT, "number"),
        ];
        (0..=ANY)
            .map(|mask: u8| {
                let list: Vec<Value> = names
                    .iter()
                    .filter(|(bit, _)| mask & bit == *bit)
                    .map(|(_, n)| Value::from(*n))
                    .collect();
                serde_json::json!({ "type": list })
            })
            .collect()
    });
    let obj = not.as_object()?;
    if !obj.contains_key("type") || obj.keys().any(|k| k != "type" && !is_annotation_keyword(k)) {
        return None;
    }
    let t = types(not);
    if t & (NUM | INT) == INT {
        return None;
    }
    COMPLEMENTS.get(usize::from(ANY & !t))
}

/// A `not` of bare types as the plain schema of the other types.
pub(super) fn complemented<'a>(not: &Loc<'a>) -> Loc<'a> {
    Loc {
        v: complement_of_types(not.v).unwrap_or(not.v),
        view: View::Plain,
        ..not.clone()
    }
}
