//! Plain keyword comparison: booleans, `type`, `enum`/`const`, annotations, string and number
//! constraints. Object and array keywords are in [`super::objects`] and [`super::arrays`].
//! Keyword groups are compared only for the JSON types both schemas accept: constraints on a
//! type that one side rejects cannot widen or narrow anything the type change did not.

use serde_json::Value;

use super::loc::{is_annotation_keyword, Loc};
use super::walk::Walker;
use crate::keywords::{type_names, types, ARR, INT, NUM, OBJ, STR};
use crate::kinds::ChangeKind as K;
use crate::report::Raw;

/// JSON equality with numbers compared by value (`1` equals `1.0`).
pub(crate) fn json_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| json_eq(a, b))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| json_eq(v, w)))
        }
        _ => a == b,
    }
}

/// The finite set of values a schema allows by `const`/`enum`, if it has one.
pub(crate) fn value_set(v: &Value) -> Option<Vec<&Value>> {
    let o = v.as_object()?;
    if let Some(c) = o.get("const") {
        return Some(vec![c]);
    }
    o.get("enum")
        .and_then(Value::as_array)
        .map(|a| a.iter().collect())
}

impl<'a> Walker<'a> {
    /// Compares the own keywords of two locations.
    pub(crate) fn compare_plain(&mut self, o: &Loc<'a>, n: &Loc<'a>) -> Vec<Raw> {
        let mut out = Vec::new();
        let (ot, nt) = (types(o.v) & o.only, types(n.v) & n.only);
        if ot == 0 || nt == 0 {
            if ot != nt {
                let kind = if nt == 0 {
                    K::TypeNarrowed
                } else {
                    K::TypeWidened
                };
                out.push(Raw::new(
                    kind,
                    &o.ptr,
                    &n.ptr,
                    format!("{} → {}", schema_word(o.v), schema_word(n.v)),
                ));
            }
            return out;
        }
        annotations(o, n, &mut out);
        let type_ptr = |l: &Loc<'a>| l.keyword_ptr("type");
        let narrowed = ot & !nt != 0;
        let widened = nt & !ot != 0;
        if narrowed || widened {
            let kind = match (narrowed, widened) {
                (true, true) => K::TypeChanged,
                (true, false) => K::TypeNarrowed,
                _ => K::TypeWidened,
            };
            out.push(Raw::new(
                kind,
                &type_ptr(o),
                &type_ptr(n),
                format!("{} → {}", type_names(ot), type_names(nt)),
            ));
        }
        let common = ot & nt;
        if common == 0 {
            return out;
        }
        self.compare_values(o, n, &mut out);
        if common & STR != 0 {
            compare_strings(o, n, &mut out);
        }
        if common & (NUM | INT) != 0 {
            compare_numbers(o, n, &mut out);
        }
        if common & OBJ != 0 {
            out.extend(self.compare_objects(o, n));
        }
        if common & ARR != 0 {
            out.extend(self.compare_arrays(o, n));
        }
        out
    }

    /// `enum` and `const` as finite value sets.
    fn compare_values(&self, o: &Loc<'a>, n: &Loc<'a>, out: &mut Vec<Raw>) {
        // Event rule 4: the schema_version const is compared by the version check, not here.
        if o.ptr == "/properties/schema_version" && n.ptr == "/properties/schema_version" {
            return;
        }
        let kw_ptr = |l: &Loc<'a>| {
            if l.get("const").is_some() {
                format!("{}/const", l.ptr)
            } else if l.get("enum").is_some() {
                format!("{}/enum", l.ptr)
            } else {
                l.ptr.clone()
            }
        };
        let both_const = o.get("const").is_some() && n.get("const").is_some();
        match (value_set(o.v), value_set(n.v)) {
            (None, None) => {}
            (None, Some(_)) => {
                let kind = if n.get("const").is_some() {
                    K::ConstAdded
                } else {
                    K::EnumAdded
                };
                out.push(Raw::new(kind, &o.ptr, &kw_ptr(n), String::new()));
            }
            (Some(_), None) => {
                let kind = if o.get("const").is_some() {
                    K::ConstRemoved
                } else {
                    K::EnumRemoved
                };
                out.push(Raw::new(kind, &kw_ptr(o), &n.ptr, String::new()));
            }
            (Some(ov), Some(nv)) => {
                let removed: Vec<&&Value> = ov
                    .iter()
                    .filter(|v| !nv.iter().any(|w| json_eq(v, w)))
                    .collect();
                let added: Vec<&&Value> = nv
                    .iter()
                    .filter(|v| !ov.iter().any(|w| json_eq(v, w)))
                    .collect();
                let list = |vs: &[&&Value]| {
                    vs.iter()
                        .map(|v| v.to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                };
                let kind = match (removed.is_empty(), added.is_empty()) {
                    (true, true) => return,
                    _ if both_const => K::ConstChanged,
                    (false, false) => K::EnumChanged,
                    (false, true) => K::EnumValueRemoved,
                    (true, false) => K::EnumValueAdded,
                };
                let mut detail = Vec::new();
                if !removed.is_empty() {
                    detail.push(format!("removed {}", list(&removed)));
                }
                if !added.is_empty() {
                    detail.push(format!("added {}", list(&added)));
                }
                out.push(Raw::new(kind, &kw_ptr(o), &kw_ptr(n), detail.join("; ")));
            }
        }
    }
}

fn schema_word(v: &Value) -> &'static str {
    match v {
        Value::Bool(false) => "false (nothing)",
        _ => "a schema",
    }
}

fn annotations(o: &Loc<'_>, n: &Loc<'_>, out: &mut Vec<Raw>) {
    let (Some(oo), Some(no)) = (o.v.as_object(), n.v.as_object()) else {
        // `true` against an object: only the object's annotations can differ.
        let empty = serde_json::Map::new();
        let (oo, no) = (
            o.v.as_object().unwrap_or(&empty),
            n.v.as_object().unwrap_or(&empty),
        );
        return annotation_maps(o, n, oo, no, out);
    };
    annotation_maps(o, n, oo, no, out)
}

fn annotation_maps(
    o: &Loc<'_>,
    n: &Loc<'_>,
    oo: &serde_json::Map<String, Value>,
    no: &serde_json::Map<String, Value>,
    out: &mut Vec<Raw>,
) {
    let mut keys: Vec<&String> = oo.keys().chain(no.keys()).collect();
    keys.sort();
    keys.dedup();
    for k in keys {
        let (a, b) = (oo.get(k.as_str()), no.get(k.as_str()));
        if a == b {
            continue;
        }
        let kind = match k.as_str() {
            "title" => K::TitleChanged,
            "description" => K::DescriptionChanged,
            "default" => K::DefaultChanged,
            "$id" | "id" if o.ptr.is_empty() || a.is_some_and(Value::is_string) => K::IdChanged,
            "deprecated" => {
                if b == Some(&Value::Bool(true)) {
                    K::DeprecatedAdded
                } else {
                    K::DeprecatedRemoved
                }
            }
            "$schema" | "$defs" | "definitions" => continue,
            "contentEncoding" | "contentMediaType"
                if crate::keywords::content_asserted(o.draft)
                    || crate::keywords::content_asserted(n.draft) =>
            {
                continue; // compared as assertions with the string keywords
            }
            "contentEncoding" | "contentMediaType" => K::AnnotationChanged,
            k if is_annotation_keyword(k) => K::AnnotationChanged,
            k if crate::keywords::is_known_constraint(k) => continue,
            _ => K::AnnotationChanged, // unknown keywords are annotations
        };
        out.push(Raw::new(
            kind,
            &o.keyword_ptr(k),
            &n.keyword_ptr(k),
            format!("`{k}`"),
        ));
    }
}

pub(crate) fn num(l: &Loc<'_>, k: &str) -> Option<f64> {
    l.get(k).and_then(Value::as_f64)
}

/// Compares an optional numeric keyword; `kinds` = (added, increased, decreased, removed).
/// Which of those narrows is the rule table's business, not this helper's.
pub(crate) fn bound(o: &Loc<'_>, n: &Loc<'_>, kw: &str, kinds: [K; 4], out: &mut Vec<Raw>) {
    // A lower bound of zero on a length or count constrains nothing: the same as no bound.
    let vacuous_zero = matches!(kw, "minLength" | "minItems" | "minProperties");
    let get = |l: &Loc<'_>| num(l, kw).filter(|v| !(vacuous_zero && *v == 0.0));
    bound_values(o, n, kw, (get(o), get(n)), kinds, out)
}

/// [`bound`] over the keyword's effective values.
pub(crate) fn bound_values(
    o: &Loc<'_>,
    n: &Loc<'_>,
    kw: &str,
    (a, b): (Option<f64>, Option<f64>),
    kinds: [K; 4],
    out: &mut Vec<Raw>,
) {
    let kind = match (a, b) {
        (None, Some(_)) => kinds[0],
        (Some(x), Some(y)) if y > x => kinds[1],
        (Some(x), Some(y)) if y < x => kinds[2],
        (Some(_), None) => kinds[3],
        _ => return,
    };
    let (optr, nptr) = (o.keyword_ptr(kw), n.keyword_ptr(kw));
    let show = |v: Option<f64>| v.map(fmt_num).unwrap_or_else(|| "none".into());
    out.push(Raw::new(
        kind,
        &optr,
        &nptr,
        format!("{kw} {} → {}", show(a), show(b)),
    ));
}

pub(crate) fn fmt_num(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        v.to_string()
    }
}

fn compare_strings(o: &Loc<'_>, n: &Loc<'_>, out: &mut Vec<Raw>) {
    bound(
        o,
        n,
        "minLength",
        [
            K::MinLengthAdded,
            K::MinLengthIncreased,
            K::MinLengthDecreased,
            K::MinLengthRemoved,
        ],
        out,
    );
    bound(
        o,
        n,
        "maxLength",
        [
            K::MaxLengthAdded,
            K::MaxLengthIncreased,
            K::MaxLengthDecreased,
            K::MaxLengthRemoved,
        ],
        out,
    );
    // A pattern that matches every string (`a*`, `.*`, `^`) constrains nothing.
    let pattern = |l: &Loc<'_>| {
        l.get("pattern")
            .filter(|p| !p.as_str().is_some_and(super::patterns::pattern_is_vacuous))
            .cloned()
    };
    keyword_values_change(
        o,
        n,
        "pattern",
        (pattern(o).as_ref(), pattern(n).as_ref()),
        [K::PatternAdded, K::PatternRemoved, K::PatternChanged],
        out,
    );
    keyword_change(
        o,
        n,
        "format",
        [K::FormatAdded, K::FormatRemoved, K::FormatChanged],
        out,
    );
    for kw in ["contentEncoding", "contentMediaType"] {
        let asserted = |l: &Loc<'_>| {
            l.get(kw)
                .filter(|_| crate::keywords::content_asserted(l.draft))
                .cloned()
        };
        keyword_values_change(
            o,
            n,
            kw,
            (asserted(o).as_ref(), asserted(n).as_ref()),
            [K::ContentAdded, K::ContentRemoved, K::ContentChanged],
            out,
        );
    }
}

/// A keyword compared for equality only: added narrows, removed widens, changed does both.
fn keyword_change(o: &Loc<'_>, n: &Loc<'_>, kw: &str, kinds: [K; 3], out: &mut Vec<Raw>) {
    keyword_values_change(o, n, kw, (o.get(kw), n.get(kw)), kinds, out)
}

/// [`keyword_change`] over the keyword's effective values (`None`: absent or vacuous).
fn keyword_values_change(
    o: &Loc<'_>,
    n: &Loc<'_>,
    kw: &str,
    (a, b): (Option<&Value>, Option<&Value>),
    kinds: [K; 3],
    out: &mut Vec<Raw>,
) {
    let kind = match (a, b) {
        (None, Some(_)) => kinds[0],
        (Some(_), None) => kinds[1],
        (Some(x), Some(y)) if x != y => kinds[2],
        _ => return,
    };
    let (optr, nptr) = (o.keyword_ptr(kw), n.keyword_ptr(kw));
    let show = |v: Option<&Value>| v.map(|v| v.to_string()).unwrap_or_else(|| "none".into());
    out.push(Raw::new(
        kind,
        &optr,
        &nptr,
        format!("{kw} {} → {}", show(a), show(b)),
    ));
}

/// A numeric bound: value, exclusive, and the keyword that set it.
#[derive(Debug, Clone, Copy)]
struct Bound {
    value: f64,
    exclusive: bool,
    keyword: &'static str,
}

/// The effective lower (`lower`) or upper bound of a location, in either draft's spelling.
fn effective_bound(l: &Loc<'_>, lower: bool) -> Option<Bound> {
    let (inc, exc) = if lower {
        ("minimum", "exclusiveMinimum")
    } else {
        ("maximum", "exclusiveMaximum")
    };
    let inclusive = num(l, inc);
    let exclusive = match l.get(exc) {
        Some(Value::Bool(true)) => inclusive.map(|v| Bound {
            value: v,
            exclusive: true,
            keyword: inc,
        }),
        Some(v) => v.as_f64().map(|v| Bound {
            value: v,
            exclusive: true,
            keyword: exc,
        }),
        None => None,
    };
    let inclusive = match l.get(exc) {
        Some(Value::Bool(true)) => None,
        _ => inclusive.map(|v| Bound {
            value: v,
            exclusive: false,
            keyword: inc,
        }),
    };
    match (inclusive, exclusive) {
        (Some(i), Some(e)) => Some(if tighter(e, i, lower) { e } else { i }),
        (i, e) => i.or(e),
    }
}

/// Whether bound `a` admits strictly fewer numbers than `b`.
fn tighter(a: Bound, b: Bound, lower: bool) -> bool {
    if a.value == b.value {
        return a.exclusive && !b.exclusive;
    }
    if lower {
        a.value > b.value
    } else {
        a.value < b.value
    }
}

fn compare_numbers(o: &Loc<'_>, n: &Loc<'_>, out: &mut Vec<Raw>) {
    for lower in [true, false] {
        let (a, b) = (effective_bound(o, lower), effective_bound(n, lower));
        let kinds = if lower {
            [
                K::MinimumAdded,
                K::MinimumIncreased,
                K::MinimumDecreased,
                K::MinimumRemoved,
            ]
        } else {
            [
                K::MaximumAdded,
                K::MaximumDecreased,
                K::MaximumIncreased,
                K::MaximumRemoved,
            ]
        };
        // kinds = [added, narrowed, widened, removed]
        let kind = match (a, b) {
            (None, Some(_)) => kinds[0],
            (Some(x), Some(y)) if tighter(y, x, lower) => kinds[1],
            (Some(x), Some(y)) if tighter(x, y, lower) => kinds[2],
            (Some(_), None) => kinds[3],
            _ => continue,
        };
        let ptr = |l: &Loc<'_>, bd: Option<Bound>| match bd {
            Some(bd) => crate::pointer::join(&l.ptr, &[bd.keyword]),
            None => l.ptr.clone(),
        };
        let show = |bd: Option<Bound>| match bd {
            Some(bd) => format!(
                "{}{}",
                if bd.exclusive {
                    if lower {
                        ">"
                    } else {
                        "<"
                    }
                } else if lower {
                    "≥"
                } else {
                    "≤"
                },
                fmt_num(bd.value)
            ),
            None => "none".into(),
        };
        out.push(Raw::new(
            kind,
            &ptr(o, a),
            &ptr(n, b),
            format!("{} → {}", show(a), show(b)),
        ));
    }
    let (a, b) = (num(o, "multipleOf"), num(n, "multipleOf"));
    let divides = |d: f64, m: f64| {
        let r = m / d;
        (r - r.round()).abs() < 1e-9
    };
    let kind = match (a, b) {
        (None, Some(_)) => K::MultipleOfAdded,
        (Some(_), None) => K::MultipleOfRemoved,
        (Some(x), Some(y)) if x == y => return,
        (Some(x), Some(y)) if divides(y, x) => K::MultipleOfReduced,
        (Some(x), Some(y)) if divides(x, y) => K::MultipleOfExpanded,
        (Some(_), Some(_)) => K::MultipleOfChanged,
        (None, None) => return,
    };
    let (optr, nptr) = (o.keyword_ptr("multipleOf"), n.keyword_ptr("multipleOf"));
    let show = |v: Option<f64>| v.map(fmt_num).unwrap_or_else(|| "none".into());
    out.push(Raw::new(
        kind,
        &optr,
        &nptr,
        format!("multipleOf {} → {}", show(a), show(b)),
    ));
}

/// Whether no instance can satisfy both schemas: disjoint types, disjoint value sets, or a
/// property both require with disjoint value sets (a discriminator).
pub(crate) fn disjoint<'a>(a: &Loc<'a>, b: &Loc<'a>, w: &Walker<'a>) -> bool {
    if types(a.v) & types(b.v) == 0 {
        return true;
    }
    if let (Some(x), Some(y)) = (value_set(a.v), value_set(b.v)) {
        if !x.iter().any(|v| y.iter().any(|u| json_eq(v, u))) {
            return true;
        }
    }
    let req = |l: &Loc<'_>| -> Vec<String> {
        l.get("required")
            .and_then(Value::as_array)
            .map(|r| {
                r.iter()
                    .filter_map(|s| s.as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default()
    };
    let (ra, rb) = (req(a), req(b));
    for p in ra.iter().filter(|p| rb.contains(p)) {
        let pa = a.get("properties").and_then(|m| m.get(p.as_str()));
        let pb = b.get("properties").and_then(|m| m.get(p.as_str()));
        if let (Some(pa), Some(pb)) = (pa, pb) {
            let la = w.resolved(a.child(&["properties", p], Some(pa)));
            let lb = w.resolved(b.child(&["properties", p], Some(pb)));
            if let (Some(x), Some(y)) = (value_set(la.v), value_set(lb.v)) {
                if !x.iter().any(|v| y.iter().any(|u| json_eq(v, u))) {
                    return true;
                }
            }
        }
    }
    false
}
