//! Object keywords: `properties` with `required` and the content model each name falls under
//! (open, closed, partially open through `additionalProperties` or `patternProperties`),
//! `additionalProperties`, `patternProperties`, `propertyNames`, `min/maxProperties` and the
//! dependency keywords in their draft-07 (`dependencies`) and 2019-09+ spellings.
//!
//! The NOT_SET assumption lives here: under `events`, a property only the new schema declares is
//! never carried by old events, and one only the old schema declares is never sent by new
//! producers, so the comparison of such a property with the content model it falls under counts
//! only in the direction where events can carry it.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::LazyLock;

use serde_json::Value;

use super::loc::{is_annotation_keyword, Loc};
use super::patterns::{pattern_matches, patterns_disjoint};
use super::raws::{masked, nest};
use super::walk::Walker;
use crate::kinds::{Breaks, ChangeKind as K};
use crate::report::{Raw, Seg};

static EMPTY: LazyLock<serde_json::Map<String, Value>> = LazyLock::new(serde_json::Map::new);

/// What governs a property name that a schema does not declare.
enum Model<'a> {
    /// Any value is allowed under the name.
    Open,
    /// The name is rejected (`additionalProperties: false`).
    Closed,
    /// The name is checked against these schemas (matching `patternProperties`, or
    /// `additionalProperties` when no pattern matches).
    Partial(Vec<Loc<'a>>),
}

fn is_open_value(v: Option<&Value>) -> bool {
    matches!(v, None | Some(Value::Bool(true)))
}

/// Whether a schema constrains nothing (`true`, `{}`, or only annotations).
pub(crate) fn is_empty_schema(v: &Value) -> bool {
    match v {
        Value::Bool(b) => *b,
        Value::Object(o) => o.keys().all(|k| is_annotation_keyword(k)),
        _ => false,
    }
}

fn string_set(v: Option<&Value>) -> BTreeSet<String> {
    v.and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

/// Whether `propertyNames` (without references) rejects `name`, so no instance holds it. Read
/// without `format` assertions: a name counts as possible under either reading.
fn property_name_rejected(l: &Loc<'_>, name: &str) -> bool {
    let Some(pn) = l.get("propertyNames") else {
        return false;
    };
    if super::loc::contains_ref(pn) {
        return false;
    }
    jsonschema::options()
        .with_draft(l.draft.to_validator())
        .should_validate_formats(false)
        .build(pn)
        .is_ok_and(|v| !v.is_valid(&Value::String(name.to_string())))
}

/// The keyword that governs undeclared names: `additionalProperties`, or where it is absent
/// `unevaluatedProperties` (equivalent on a location without in-place applicators, which the
/// walker compares as opaque otherwise).
fn additional_kw(l: &Loc<'_>) -> &'static str {
    if l.get("additionalProperties").is_none() && l.get("unevaluatedProperties").is_some() {
        "unevaluatedProperties"
    } else {
        "additionalProperties"
    }
}

impl<'a> Walker<'a> {
    fn model(&self, l: &Loc<'a>, name: &str) -> Model<'a> {
        if property_name_rejected(l, name) {
            return Model::Closed; // the name can never appear
        }
        let mut matching = Vec::new();
        if let Some(Value::Object(pats)) = l.get("patternProperties") {
            for (p, s) in pats {
                if pattern_matches(p, name) {
                    matching.push(l.child(&["patternProperties", p], Some(s)));
                }
            }
        }
        if !matching.is_empty() {
            return Model::Partial(matching);
        }
        let kw = additional_kw(l);
        match l.get(kw) {
            None | Some(Value::Bool(true)) => Model::Open,
            Some(Value::Bool(false)) => Model::Closed,
            Some(s) => Model::Partial(vec![l.child(&[kw], Some(s))]),
        }
    }

    fn has_default(&self, l: &Loc<'a>) -> bool {
        self.resolved(l.clone()).get("default").is_some()
    }

    pub(crate) fn compare_objects(&mut self, o: &Loc<'a>, n: &Loc<'a>) -> Vec<Raw> {
        let mut out = Vec::new();
        let oprops = o
            .get("properties")
            .and_then(Value::as_object)
            .unwrap_or(&EMPTY);
        let nprops = n
            .get("properties")
            .and_then(Value::as_object)
            .unwrap_or(&EMPTY);
        let oreq = string_set(o.get("required"));
        let nreq = string_set(n.get("required"));
        let req_ptr = |l: &Loc<'a>, name: &str| -> String {
            match l.get("required").and_then(Value::as_array) {
                Some(a) => match a.iter().position(|v| v.as_str() == Some(name)) {
                    Some(i) => format!("{}/required/{i}", l.ptr),
                    None => format!("{}/required", l.ptr),
                },
                None => l.ptr.clone(),
            }
        };
        // A `required` toggle of `name`, placed at the instance key it concerns.
        let required_change = |kind: K, name: &str| -> Vec<Raw> {
            let raw = Raw::new(
                kind,
                &req_ptr(o, name),
                &req_ptr(n, name),
                format!("`{name}`"),
            );
            nest(vec![raw], Seg::Key(name.into())).collect()
        };
        let names: BTreeSet<&String> = oprops.keys().chain(nprops.keys()).collect();
        for name in names {
            let seg = Seg::Key(name.as_str().into());
            let (ro, rn) = (oreq.contains(name), nreq.contains(name));
            // Whether an arm below already reported the `required` toggle of this name.
            let mut toggled = false;
            match (oprops.get(name.as_str()), nprops.get(name.as_str())) {
                (Some(a), Some(b)) => {
                    let (la, lb) = (
                        o.child(&["properties", name], Some(a)),
                        n.child(&["properties", name], Some(b)),
                    );
                    let mut sub = self.compare(la.clone(), lb.clone());
                    sub.extend(self.pattern_constraints(o, n, &la, &lb, name));
                    out.extend(nest(sub, seg.clone()));
                }
                (None, Some(b)) if self.declared_elsewhere(name, true) => {
                    // Declared by another part of the old schema: not an addition, so NOT_SET
                    // does not apply; this part of the old schema lets any value through its model.
                    let lb = n.child(&["properties", name], Some(b));
                    let raws = self.against_model(o, lb, name, true);
                    out.extend(nest(raws, seg));
                }
                (Some(a), None) if self.declared_elsewhere(name, false) => {
                    let la = o.child(&["properties", name], Some(a));
                    let raws = self.against_model(n, la, name, false);
                    out.extend(nest(raws, seg));
                }
                (None, Some(b)) => {
                    let lb = n.child(&["properties", name], Some(b));
                    let mut raws = self.property_added(o, &lb, name);
                    if rn && !ro {
                        toggled = true;
                        let kind = if self.has_default(&lb) {
                            K::RequiredPropertyWithDefaultAdded
                        } else {
                            K::RequiredPropertyAdded
                        };
                        raws.push(Raw::new(
                            kind,
                            &o.ptr,
                            &req_ptr(n, name),
                            format!("`{name}`"),
                        ));
                    } else if self.has_default(&lb) {
                        raws.push(Raw::new(
                            K::AddedPropertyHasDefault,
                            &o.ptr,
                            &lb.ptr,
                            format!("`{name}`"),
                        ));
                    }
                    out.extend(nest(raws, seg));
                }
                (Some(a), None) => {
                    let la = o.child(&["properties", name], Some(a));
                    let mut raws = self.property_removed(&la, n, name);
                    if ro && !rn {
                        toggled = true;
                        raws.push(Raw::new(
                            K::RequiredPropertyRemoved,
                            &req_ptr(o, name),
                            &n.ptr,
                            format!("`{name}`"),
                        ));
                    }
                    out.extend(nest(raws, seg));
                }
                (None, None) => unreachable!("name comes from one of the maps"),
            }
            // A name declared on one side only (in this part) can still change its `required`.
            if !toggled && !ro && rn {
                let declared = nprops.get(name.as_str()).or(oprops.get(name.as_str()));
                let with_default = declared.is_some_and(|d| {
                    let at = if nprops.contains_key(name.as_str()) {
                        n
                    } else {
                        o
                    };
                    self.has_default(&at.child(&["properties", name], Some(d)))
                });
                let kind = if with_default {
                    K::RequiredWithDefaultAdded
                } else {
                    K::RequiredAdded
                };
                out.extend(required_change(kind, name));
            } else if !toggled && ro && !rn {
                out.extend(required_change(K::RequiredRemoved, name));
            }
        }
        // `required` names that neither schema declares as a property.
        for name in oreq.symmetric_difference(&nreq) {
            if oprops.contains_key(name) || nprops.contains_key(name) {
                continue;
            }
            let kind = if nreq.contains(name) {
                K::RequiredAdded
            } else {
                K::RequiredRemoved
            };
            out.extend(required_change(kind, name));
        }
        self.compare_additional(o, n, &mut out);
        self.compare_patterns(o, n, &mut out);
        if o.get("propertyNames").is_some() || n.get("propertyNames").is_some() {
            let sub = self.compare(
                o.child(&["propertyNames"], o.get("propertyNames")),
                n.child(&["propertyNames"], n.get("propertyNames")),
            );
            out.extend(nest(sub, Seg::PropertyName));
        }
        use super::scalars::bound;
        bound(
            o,
            n,
            "minProperties",
            [
                K::MinPropertiesAdded,
                K::MinPropertiesIncreased,
                K::MinPropertiesDecreased,
                K::MinPropertiesRemoved,
            ],
            &mut out,
        );
        // A closed model without patterns holds at most its declared names, whatever
        // maxProperties says beyond that.
        let max = |l: &Loc<'a>| {
            let m = super::scalars::num(l, "maxProperties")?;
            let closed = l.get("additionalProperties") == Some(&Value::Bool(false))
                && l.get("patternProperties")
                    .and_then(Value::as_object)
                    .is_none_or(|p| p.is_empty());
            let declared = l
                .get("properties")
                .and_then(Value::as_object)
                .map_or(0, |p| p.len());
            Some(if closed { m.min(declared as f64) } else { m })
        };
        super::scalars::bound_values(
            o,
            n,
            "maxProperties",
            (max(o), max(n)),
            [
                K::MaxPropertiesAdded,
                K::MaxPropertiesIncreased,
                K::MaxPropertiesDecreased,
                K::MaxPropertiesRemoved,
            ],
            &mut out,
        );
        self.compare_dependencies(o, n, &mut out);
        out
    }

    /// `patternProperties` apply to declared properties too: a pattern that matches `name` on
    /// one side only adds a conjunct there. A new conjunct can only narrow (checked backward),
    /// a dropped one only widen (checked forward).
    fn pattern_constraints(
        &mut self,
        o: &Loc<'a>,
        n: &Loc<'a>,
        la: &Loc<'a>,
        lb: &Loc<'a>,
        name: &str,
    ) -> Vec<Raw> {
        let matching = |l: &Loc<'a>| -> Vec<(String, Loc<'a>)> {
            match l.get("patternProperties") {
                Some(Value::Object(pats)) => pats
                    .iter()
                    .filter(|(p, _)| pattern_matches(p, name))
                    .map(|(p, s)| (p.clone(), l.child(&["patternProperties", p], Some(s))))
                    .collect(),
                _ => Vec::new(),
            }
        };
        let (om, nm) = (matching(o), matching(n));
        let mut out = Vec::new();
        for (p, pl) in &nm {
            if !om.iter().any(|(q, ql)| q == p && ql.v == pl.v) {
                out.extend(super::raws::masked(
                    self.compare(la.clone(), pl.clone()),
                    Breaks::BACKWARD,
                ));
            }
        }
        for (p, pl) in &om {
            if !nm.iter().any(|(q, ql)| q == p && ql.v == pl.v) {
                out.extend(super::raws::masked(
                    self.compare(pl.clone(), lb.clone()),
                    Breaks::FORWARD,
                ));
            }
        }
        out
    }

    /// Whether another part of the old (`old`) or new schema at this location declares `name`.
    fn declared_elsewhere(&self, name: &str, old: bool) -> bool {
        self.declared.as_ref().is_some_and(|d| {
            if old {
                d.old.contains(name)
            } else {
                d.new.contains(name)
            }
        })
    }

    /// Plain instance semantics for a name this part does not declare but the schema does:
    /// compare the property with whatever governs the name in the other part.
    fn against_model(
        &mut self,
        other: &Loc<'a>,
        prop: Loc<'a>,
        name: &str,
        other_is_old: bool,
    ) -> Vec<Raw> {
        static FALSE: Value = Value::Bool(false);
        let governing = match self.model(other, name) {
            Model::Open => vec![other.absent()],
            Model::Closed => vec![Loc {
                v: &FALSE,
                ..other.absent()
            }],
            Model::Partial(g) => g,
        };
        let mut out = Vec::new();
        for g in governing {
            out.extend(if other_is_old {
                self.compare(g, prop.clone())
            } else {
                self.compare(prop.clone(), g)
            });
        }
        out
    }

    /// A property only the new schema declares.
    fn property_added(&mut self, o: &Loc<'a>, lb: &Loc<'a>, name: &str) -> Vec<Raw> {
        let detail = format!("`{name}`");
        match self.model(o, name) {
            Model::Open => {
                let kind = if is_empty_schema(self.resolved(lb.clone()).v) {
                    K::PropertyWithEmptySchemaAddedToOpenModel
                } else {
                    K::PropertyAddedToOpenModel
                };
                vec![Raw::new(kind, &o.ptr, &lb.ptr, detail)]
            }
            Model::Closed => vec![Raw::new(
                K::PropertyAddedToClosedModel,
                &o.ptr,
                &lb.ptr,
                detail,
            )],
            Model::Partial(governing) => {
                let mut out = Vec::new();
                for g in &governing {
                    out.extend(self.compare(g.clone(), lb.clone()));
                }
                // NOT_SET: old events never carry the new name, so only forward counts.
                self.scope(&mut out, Breaks::FORWARD);
                out.push(Raw::new(
                    K::PropertyAddedToPartiallyOpenModel,
                    &governing[0].ptr,
                    &lb.ptr,
                    detail,
                ));
                out
            }
        }
    }

    /// A property only the old schema declares.
    fn property_removed(&mut self, la: &Loc<'a>, n: &Loc<'a>, name: &str) -> Vec<Raw> {
        let detail = format!("`{name}`");
        match self.model(n, name) {
            Model::Open => vec![Raw::new(
                K::PropertyRemovedFromOpenModel,
                &la.ptr,
                &n.ptr,
                detail,
            )],
            Model::Closed => {
                let kind = if la.v == &Value::Bool(false) {
                    K::PropertyWithFalseRemovedFromClosedModel
                } else {
                    K::PropertyRemovedFromClosedModel
                };
                vec![Raw::new(kind, &la.ptr, &n.ptr, detail)]
            }
            Model::Partial(governing) => {
                let mut out = Vec::new();
                for g in &governing {
                    out.extend(self.compare(la.clone(), g.clone()));
                }
                // NOT_SET: new producers never send the removed name; removal itself is the
                // break under `events` (rule 2), so the comparison counts in no direction.
                self.scope(&mut out, Breaks::NONE);
                out.push(Raw::new(
                    K::PropertyRemovedFromPartiallyOpenModel,
                    &la.ptr,
                    &governing[0].ptr,
                    detail,
                ));
                out
            }
        }
    }

    /// Marks changes about a one-sided property name: under `events` they break only `keep`
    /// (the judge applies it).
    fn scope(&self, raws: &mut [Raw], keep: Breaks) {
        for r in raws {
            r.scope = Some(r.scope.map_or(keep, |k| k.and(keep)));
        }
    }

    fn compare_additional(&mut self, o: &Loc<'a>, n: &Loc<'a>, out: &mut Vec<Raw>) {
        let (okw, nkw) = (additional_kw(o), additional_kw(n));
        let (a, b) = (o.get(okw), n.get(nkw));
        let closed = |v: Option<&Value>| v == Some(&Value::Bool(false));
        let (pa, pb) = (o.keyword_ptr(okw), n.keyword_ptr(nkw));
        let kind = match (is_open_value(a), closed(a), is_open_value(b), closed(b)) {
            (true, _, true, _) => return,
            (true, _, _, true) => K::AdditionalPropertiesClosed,
            (true, _, _, _) => K::AdditionalPropertiesNarrowed,
            (_, true, _, true) => return,
            (_, true, _, _) => K::AdditionalPropertiesOpened,
            (_, _, true, _) => K::AdditionalPropertiesWidened,
            (_, _, _, true) => K::AdditionalPropertiesClosed,
            _ => {
                let sub = self.compare(o.child(&[okw], a), n.child(&[nkw], b));
                out.extend(nest(sub, Seg::AnyKey));
                return;
            }
        };
        out.push(Raw::new(kind, &pa, &pb, String::new()));
    }

    fn compare_patterns(&mut self, o: &Loc<'a>, n: &Loc<'a>, out: &mut Vec<Raw>) {
        let op = o
            .get("patternProperties")
            .and_then(Value::as_object)
            .unwrap_or(&EMPTY);
        let np = n
            .get("patternProperties")
            .and_then(Value::as_object)
            .unwrap_or(&EMPTY);
        let pats: BTreeSet<&String> = op.keys().chain(np.keys()).collect();
        for p in pats {
            let seg = Seg::PatternKey(p.as_str().into());
            match (op.get(p.as_str()), np.get(p.as_str())) {
                (Some(a), Some(b)) => {
                    let sub = self.compare(
                        o.child(&["patternProperties", p], Some(a)),
                        n.child(&["patternProperties", p], Some(b)),
                    );
                    out.extend(nest(sub, seg));
                }
                // Keys matching an added pattern were governed by the old additional schema (and
                // the other way round for a removed one): compare with that.
                (None, Some(b)) => {
                    let kw = additional_kw(o);
                    let sub = self.compare(
                        o.child(&[kw], o.get(kw)),
                        n.child(&["patternProperties", p], Some(b)),
                    );
                    if !sub.is_empty() {
                        out.push(Raw::new(
                            K::PatternPropertyAdded,
                            &o.ptr,
                            &crate::pointer::join(&n.ptr, &["patternProperties", p]),
                            format!("`{p}`"),
                        ));
                    }
                    out.extend(nest(sub, seg));
                    // A key matching `p` may also match an old pattern: every old event holds
                    // such a key under that pattern's schema, which must fit `p`'s.
                    let added = n.child(&["patternProperties", p], Some(b));
                    self.overlapping_patterns(o, op, p, added, true, out);
                }
                (Some(a), None) => {
                    let kw = additional_kw(n);
                    let sub = self.compare(
                        o.child(&["patternProperties", p], Some(a)),
                        n.child(&[kw], n.get(kw)),
                    );
                    if !sub.is_empty() {
                        out.push(Raw::new(
                            K::PatternPropertyRemoved,
                            &crate::pointer::join(&o.ptr, &["patternProperties", p]),
                            &n.ptr,
                            format!("`{p}`"),
                        ));
                    }
                    out.extend(nest(sub, seg));
                    // A key matching `p` may also match a new pattern: new events may hold it
                    // under that pattern's schema, which must fit `p`'s for old consumers.
                    let removed = o.child(&["patternProperties", p], Some(a));
                    self.overlapping_patterns(n, np, p, removed, false, out);
                }
                (None, None) => {}
            }
        }
    }

    /// A pattern `p` only one side has (`lone`, in the old schema unless `lone_is_new`) against
    /// each pattern of the other side (`other`, at `at`) that may match the same keys: keys
    /// matching both are held to both, so the other side's schema must fit `p`'s in the
    /// direction in which the other side's events reach `p`'s readers.
    fn overlapping_patterns(
        &mut self,
        at: &Loc<'a>,
        other: &'a serde_json::Map<String, Value>,
        p: &str,
        lone: Loc<'a>,
        lone_is_new: bool,
        out: &mut Vec<Raw>,
    ) {
        for (q, c) in other.iter().filter(|(q, _)| !patterns_disjoint(q, p)) {
            let theirs = at.child(&["patternProperties", q], Some(c));
            let (sub, dir) = if lone_is_new {
                (self.compare(theirs, lone.clone()), Breaks::BACKWARD)
            } else {
                (self.compare(lone.clone(), theirs), Breaks::FORWARD)
            };
            out.extend(nest(masked(sub, dir).collect(), Seg::PatternKey(p.into())));
        }
    }

    fn compare_dependencies(&mut self, o: &Loc<'a>, n: &Loc<'a>, out: &mut Vec<Raw>) {
        let (oreq, osch) = dependencies(o);
        let (nreq, nsch) = dependencies(n);
        let names: BTreeSet<&String> = oreq.keys().chain(nreq.keys()).collect();
        for name in names {
            let (a, b) = (oreq.get(name), nreq.get(name));
            let kind = match (a, b) {
                (None, Some(_)) => K::DependentRequiredAdded,
                (Some(_), None) => K::DependentRequiredRemoved,
                (Some((_, x)), Some((_, y))) if x == y => continue,
                (Some((_, x)), Some((_, y))) if x.is_subset(y) => K::DependentRequiredExtended,
                (Some((_, x)), Some((_, y))) if y.is_subset(x) => K::DependentRequiredNarrowed,
                _ => K::DependentRequiredChanged,
            };
            let optr = a.map(|(p, _)| p.clone()).unwrap_or_else(|| o.ptr.clone());
            let nptr = b.map(|(p, _)| p.clone()).unwrap_or_else(|| n.ptr.clone());
            out.push(Raw::new(
                kind,
                &optr,
                &nptr,
                format!("when `{name}` is present"),
            ));
        }
        let names: BTreeSet<&String> = osch.keys().chain(nsch.keys()).collect();
        for name in names {
            match (osch.get(name), nsch.get(name)) {
                (Some(a), Some(b)) => out.extend(self.compare(a.clone(), b.clone())),
                (None, Some(b)) => out.push(Raw::new(
                    K::DependentSchemaAdded,
                    &o.ptr,
                    &b.ptr,
                    format!("when `{name}` is present"),
                )),
                (Some(a), None) => out.push(Raw::new(
                    K::DependentSchemaRemoved,
                    &a.ptr,
                    &n.ptr,
                    format!("when `{name}` is present"),
                )),
                (None, None) => {}
            }
        }
    }
}

type DepRequired = BTreeMap<String, (String, BTreeSet<String>)>;

/// Dependencies of a location: required-name lists and schemas, from either spelling.
fn dependencies<'a>(l: &Loc<'a>) -> (DepRequired, BTreeMap<String, Loc<'a>>) {
    let mut req = BTreeMap::new();
    let mut sch = BTreeMap::new();
    for kw in ["dependencies", "dependentRequired", "dependentSchemas"] {
        if let Some(Value::Object(m)) = l.get(kw) {
            for (name, v) in m {
                if v.is_array() && kw != "dependentSchemas" {
                    req.insert(
                        name.clone(),
                        (
                            crate::pointer::join(&l.ptr, &[kw, name]),
                            string_set(Some(v)),
                        ),
                    );
                } else if kw != "dependentRequired" {
                    sch.insert(name.clone(), l.child(&[kw, name], Some(v)));
                }
            }
        }
    }
    (req, sch)
}
