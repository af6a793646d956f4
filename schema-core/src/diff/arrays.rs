//! Array keywords: positional items (`prefixItems` + `items` in 2020-12, `items` arrays +
//! `additionalItems` before it) compared position by position with the schema that governs each
//! index on either side, `contains` with `minContains`/`maxContains`, `min/maxItems` and
//! `uniqueItems`. An absent schema is `true`, so adding, removing or closing items needs no
//! special case: comparing `true` or `false` with the other side's schema says it all.

use serde_json::Value;

use super::loc::Loc;
use super::raws::nest;
use super::scalars::bound;
use super::walk::Walker;
use crate::kinds::{Breaks, ChangeKind as K};
use crate::report::{Raw, Seg};

/// Positional schemas and the schema for every later index.
struct Tuple<'a> {
    prefix: Vec<Loc<'a>>,
    rest: Loc<'a>,
}

fn tuple<'a>(l: &Loc<'a>) -> Tuple<'a> {
    let (prefix_kw, mut rest_kw) = if l.draft.tuple_items() {
        ("items", "additionalItems")
    } else {
        ("prefixItems", "items")
    };
    // Without `items`, `contains` or in-place applicators (the walker makes those opaque),
    // `unevaluatedItems` governs exactly the items after the prefix.
    if !l.draft.tuple_items()
        && l.get("items").is_none()
        && l.get("contains").is_none()
        && l.get("unevaluatedItems").is_some()
    {
        rest_kw = "unevaluatedItems";
    }
    match l.get(prefix_kw) {
        Some(Value::Array(a)) => Tuple {
            prefix: a
                .iter()
                .enumerate()
                .map(|(i, s)| l.child(&[prefix_kw, &i.to_string()], Some(s)))
                .collect(),
            rest: l.child(&[rest_kw], l.get(rest_kw)),
        },
        _ if l.draft.tuple_items() => Tuple {
            prefix: Vec::new(),
            rest: l.child(&["items"], l.get("items")),
        },
        _ => Tuple {
            prefix: Vec::new(),
            rest: l.child(&[rest_kw], l.get(rest_kw)),
        },
    }
}

impl<'a> Walker<'a> {
    pub(crate) fn compare_arrays(&mut self, o: &Loc<'a>, n: &Loc<'a>) -> Vec<Raw> {
        let mut out = Vec::new();
        let (ot, nt) = (tuple(o), tuple(n));
        let len = ot.prefix.len().max(nt.prefix.len());
        for i in 0..len {
            let a = ot.prefix.get(i).unwrap_or(&ot.rest).clone();
            let b = nt.prefix.get(i).unwrap_or(&nt.rest).clone();
            out.extend(nest(self.compare(a, b), Seg::Index(i)));
        }
        out.extend(nest(
            self.compare(ot.rest.clone(), nt.rest.clone()),
            Seg::AnyIndex(len),
        ));
        // Confluent compares `additionalItems` even where it has no effect (no tuple `items`);
        // its rule sets keep that verdict, `events` keeps to the instance semantics.
        let lone =
            |l: &Loc<'a>| l.draft.tuple_items() && !matches!(l.get("items"), Some(Value::Array(_)));
        if lone(o) && lone(n) && o.get("additionalItems") != n.get("additionalItems") {
            let sub = self.compare(
                o.child(&["additionalItems"], o.get("additionalItems")),
                n.child(&["additionalItems"], n.get("additionalItems")),
            );
            out.extend(nest(sub, Seg::AnyIndex(0)).map(|mut r| {
                r.inert = true;
                r
            }));
        }
        self.compare_contains(o, n, &mut out);
        bound(
            o,
            n,
            "minItems",
            [
                K::MinItemsAdded,
                K::MinItemsIncreased,
                K::MinItemsDecreased,
                K::MinItemsRemoved,
            ],
            &mut out,
        );
        bound(
            o,
            n,
            "maxItems",
            [
                K::MaxItemsAdded,
                K::MaxItemsIncreased,
                K::MaxItemsDecreased,
                K::MaxItemsRemoved,
            ],
            &mut out,
        );
        let unique = |l: &Loc<'a>| l.get("uniqueItems") == Some(&Value::Bool(true));
        match (unique(o), unique(n)) {
            (false, true) => out.push(Raw::new(
                K::UniqueItemsAdded,
                &o.ptr,
                &format!("{}/uniqueItems", n.ptr),
                String::new(),
            )),
            (true, false) => out.push(Raw::new(
                K::UniqueItemsRemoved,
                &format!("{}/uniqueItems", o.ptr),
                &n.ptr,
                String::new(),
            )),
            _ => {}
        }
        out
    }

    /// Whether every array `side` accepts holds, at a position below its `minItems`, an item
    /// whose positional schema fits `contains` (`side_is_old`: `side` is the old schema).
    fn guarantees(&mut self, side: &Loc<'a>, contains: Loc<'a>, side_is_old: bool) -> bool {
        let min_items = side.get("minItems").and_then(Value::as_u64).unwrap_or(0) as usize;
        let prefix_kw = if side.draft.tuple_items() {
            "items"
        } else {
            "prefixItems"
        };
        let Some(Value::Array(prefix)) = side.get(prefix_kw) else {
            return false;
        };
        (0..min_items.min(prefix.len())).any(|i| {
            let item = side.child(&[prefix_kw, &i.to_string()], prefix.get(i));
            let (raws, dir) = if side_is_old {
                (self.compare(item, contains.clone()), Breaks::BACKWARD)
            } else {
                (self.compare(contains.clone(), item), Breaks::FORWARD)
            };
            !self.breaks(&raws).and(dir).any()
        })
    }

    fn compare_contains(&mut self, o: &Loc<'a>, n: &Loc<'a>, out: &mut Vec<Raw>) {
        let (a, b) = (o.get("contains"), n.get("contains"));
        let min = |l: &Loc<'a>| l.get("minContains").and_then(Value::as_f64).unwrap_or(1.0);
        let max = |l: &Loc<'a>| l.get("maxContains").and_then(Value::as_f64);
        match (a, b) {
            (None, None) => {}
            // An array that must hold an item of the `contains` schema at a fixed position
            // meets `contains` without saying so.
            (None, Some(y))
                if min(n) <= 1.0
                    && max(n).is_none()
                    && self.guarantees(o, n.child(&["contains"], Some(y)), true) => {}
            (Some(x), None)
                if min(o) <= 1.0
                    && max(o).is_none()
                    && self.guarantees(n, o.child(&["contains"], Some(x)), false) => {}
            (None, Some(_)) => out.push(Raw::new(
                K::ContainsAdded,
                &o.ptr,
                &format!("{}/contains", n.ptr),
                String::new(),
            )),
            (Some(_), None) => out.push(Raw::new(
                K::ContainsRemoved,
                &format!("{}/contains", o.ptr),
                &n.ptr,
                String::new(),
            )),
            (Some(x), Some(y)) => {
                let (lx, ly) = (
                    o.child(&["contains"], Some(x)),
                    n.child(&["contains"], Some(y)),
                );
                let sub = self.compare(lx.clone(), ly.clone());
                if !sub.is_empty() && (max(o).is_some() || max(n).is_some()) {
                    // With an upper count, a wider `contains` can push an array over the limit:
                    // inclusion is no longer monotone in the subschema.
                    out.push(Raw::new(
                        K::Undecidable,
                        &lx.ptr,
                        &ly.ptr,
                        "`contains` changed together with `maxContains`".into(),
                    ));
                } else {
                    out.extend(nest(sub, Seg::AnyIndex(0)));
                }
                let (mo, mn) = (min(o), min(n));
                if mn > mo {
                    out.push(Raw::new(
                        K::MinContainsIncreased,
                        &o.ptr,
                        &n.ptr,
                        format!("minContains {mo} → {mn}"),
                    ));
                } else if mn < mo {
                    out.push(Raw::new(
                        K::MinContainsDecreased,
                        &o.ptr,
                        &n.ptr,
                        format!("minContains {mo} → {mn}"),
                    ));
                }
                match (max(o), max(n)) {
                    (None, Some(y)) => out.push(Raw::new(
                        K::MaxContainsDecreased,
                        &o.ptr,
                        &n.ptr,
                        format!("maxContains none → {y}"),
                    )),
                    (Some(x), None) => out.push(Raw::new(
                        K::MaxContainsIncreased,
                        &o.ptr,
                        &n.ptr,
                        format!("maxContains {x} → none"),
                    )),
                    (Some(x), Some(y)) if y < x => out.push(Raw::new(
                        K::MaxContainsDecreased,
                        &o.ptr,
                        &n.ptr,
                        format!("maxContains {x} → {y}"),
                    )),
                    (Some(x), Some(y)) if y > x => out.push(Raw::new(
                        K::MaxContainsIncreased,
                        &o.ptr,
                        &n.ptr,
                        format!("maxContains {x} → {y}"),
                    )),
                    _ => {}
                }
            }
        }
    }
}
