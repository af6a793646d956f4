//! Witnesses: for a breaking change, an event that the accepting schema validates and the other
//! rejects. Built by taking a minimal valid event of the accepting schema and setting the place
//! the change concerns to candidate values drawn from both sides' keywords (bounds and their
//! neighbours, enum values, type samples, format samples, absence). A witness is shown only after
//! both validators agree on it, so it is never a guess.

use serde_json::{json, Map, Value};

use crate::docset::DocSet;
use crate::kinds::Breaks;
use crate::report::{Change, Seg, Side, Witness};
use crate::validate::Compiled;

mod candidates;
mod events;

use candidates::generic;
use events::{Gen, Sites};

/// How many candidate values are tried per change.
const MAX_CANDIDATES: usize = 200;

/// How many breaking changes of one report get a witness search: the search is bounded like
/// the comparison (a hostile schema with thousands of changes gets witnesses for the first
/// ones, the rest are reported without).
const MAX_WITNESSED: usize = 256;

pub(crate) fn attach(
    docs: &DocSet,
    old: usize,
    new: usize,
    changes: &mut [Change],
    checks: Breaks,
) {
    let (vo, vn) = (Compiled::for_doc(docs, old), Compiled::for_doc(docs, new));
    let (Ok(vo), Ok(vn)) = (vo, vn) else {
        return;
    };
    let sites = Sites::of(docs);
    let (gen_old, gen_new) = (Gen::new(docs, old, &sites), Gen::new(docs, new, &sites));
    let mut named = Vec::new();
    tag_values(&gen_old, &docs.get(old).root, &mut named);
    tag_values(&gen_new, &docs.get(new).root, &mut named);
    let bases = |doc: usize, v: &Compiled| -> Vec<Value> {
        let g = Gen::new(docs, doc, &sites);
        let root = &docs.get(doc).root;
        let first: Vec<Value> = [g.minimal(root, 0), g.full(root, 0)]
            .into_iter()
            .flatten()
            .collect();
        let mut out: Vec<Value> = Vec::new();
        for base in first.iter().cloned().chain(with_tags(&first, &named)) {
            if !out.contains(&base) && v.is_valid(&base) {
                out.push(base);
            }
        }
        out
    };
    let (base_old, base_new) = (bases(old, &vo), bases(new, &vn));
    // Event rule 4 excludes the schema_version value from the comparison: an event is checked
    // against the other schema with that schema's own version.
    let version_of = |doc: usize| {
        docs.get(doc)
            .root
            .pointer("/properties/schema_version/const")
            .cloned()
    };
    let (ver_old, ver_new) = (version_of(old), version_of(new));
    let mut searched = 0;
    for change in changes.iter_mut() {
        let b = change.breaks_set().and(checks);
        if !b.any() || change.kind.policy_only() {
            continue;
        }
        searched += 1;
        if searched > MAX_WITNESSED {
            break;
        }
        // Backward breaks: old accepts, new rejects. Forward: the other way round.
        let (acc_side, acc, rej, bases, acc_doc, acc_ptr, rej_doc, rej_ptr, rej_ver) = if b.backward
        {
            (
                Side::Old,
                &vo,
                &vn,
                &base_old,
                old,
                &change.old_pointer,
                new,
                &change.new_pointer,
                &ver_new,
            )
        } else {
            (
                Side::New,
                &vn,
                &vo,
                &base_new,
                new,
                &change.new_pointer,
                old,
                &change.old_pointer,
                &ver_old,
            )
        };
        let mut cands: Vec<Option<Value>> = vec![None];
        for (doc, ptr) in [(acc_doc, acc_ptr), (rej_doc, rej_ptr)] {
            let g = Gen::new(docs, doc, &sites);
            if let Some(schema) = enclosing_schema(&docs.get(doc).root, ptr) {
                cands.extend(g.candidates(schema).into_iter().map(Some));
            }
        }
        cands.extend(generic().into_iter().map(Some));
        let mut segments = change.segments.clone();
        if let Some(i) = segments.iter().position(|s| *s == Seg::PropertyName) {
            // A `propertyNames` change: try objects whose keys are the string candidates.
            segments.truncate(i);
            let names: Vec<String> = cands
                .iter()
                .flatten()
                .filter_map(|v| v.as_str().map(String::from))
                .collect();
            cands = names
                .into_iter()
                .map(|n| {
                    let mut m = Map::new();
                    m.insert(n, json!(1));
                    Some(Value::Object(m))
                })
                .collect();
        }
        let dep_objects = dependency_candidates(&cands);
        cands.extend(dep_objects);
        cands.truncate(MAX_CANDIDATES);
        // Bases the rejecting schema accepts too come first: then the rejection is caused by
        // the value set at the change's place, not by something else that differs.
        let seen_by_rej = |v: &Value| -> Value {
            let mut v = v.clone();
            if let (Some(ver), Some(obj)) = (rej_ver, v.as_object_mut()) {
                if obj.contains_key("schema_version") {
                    obj.insert("schema_version".into(), ver.clone());
                }
            }
            v
        };
        let mut common: Vec<Value> = Vec::new();
        let mut rest: Vec<Value> = Vec::new();
        for b in bases {
            if rej.is_valid(&seen_by_rej(b)) {
                common.push(b.clone());
            } else {
                // Drop top-level keys the accepting schema does not need until the rejecting
                // schema accepts the base too (a removed field, say).
                let mut fixed = b.clone();
                if let Some(obj) = fixed.as_object_mut() {
                    let keys: Vec<String> = obj.keys().cloned().collect();
                    for k in keys {
                        let saved = obj.remove(&k);
                        let probe = Value::Object(obj.clone());
                        if !acc.is_valid(&probe) {
                            if let Some(v) = saved {
                                obj.insert(k, v);
                            }
                        } else if rej.is_valid(&seen_by_rej(&probe)) {
                            break;
                        }
                    }
                }
                if rej.is_valid(&seen_by_rej(&fixed)) {
                    common.push(fixed);
                }
                rest.push(b.clone());
            }
        }
        let ordered: Vec<Value> = if common.is_empty() { rest } else { common };
        // The fullest accepting instance supplies missing positional items and siblings.
        let filler = bases.last();
        'search: for base in &ordered {
            for cand in &cands {
                let Some(inst) = set_path(base.clone(), &segments, cand.clone(), filler) else {
                    continue;
                };
                if !acc.is_valid(&inst) {
                    continue;
                }
                if !rej.is_valid(&seen_by_rej(&inst)) {
                    change.witness = Some(Witness {
                        instance: inst,
                        valid_under: acc_side,
                        invalid_under: if acc_side == Side::Old {
                            Side::New
                        } else {
                            Side::Old
                        },
                    });
                    break 'search;
                }
            }
        }
    }
}

/// How many discriminator properties, and values of each, vary the bases.
const MAX_TAGS: (usize, usize) = (8, 16);

/// The values a schema names for each top-level property (its own `const`/`enum`, or what an
/// `if` tests it against): the discriminators of a tagged union.
fn tag_values<'v>(g: &'v Gen<'_>, root: &'v Value, named: &mut Vec<(&'v str, Vec<&'v Value>)>) {
    let root = g.deref(root);
    let mut add = |props: Option<&'v Value>| {
        for (name, s) in props.and_then(Value::as_object).into_iter().flatten() {
            let s = g.deref(s);
            let values = s.get("const").map(|c| vec![c]).or_else(|| {
                s.get("enum")
                    .and_then(Value::as_array)
                    .map(|a| a.iter().collect())
            });
            for value in values.into_iter().flatten() {
                match named.iter_mut().find(|(n, _)| n == name) {
                    Some((_, vals)) if !vals.contains(&value) => vals.push(value),
                    Some(_) => {}
                    None => named.push((name, vec![value])),
                }
            }
        }
    };
    add(root.get("properties"));
    let conds = std::iter::once(root).chain(
        root.get("allOf")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(|b| g.deref(b)),
    );
    for c in conds {
        add(c.get("if").and_then(|i| i.get("properties")));
    }
}

/// The bases with one top-level property set to each of its named values: each variant of a
/// tagged union, and the values only the other side names.
fn with_tags(bases: &[Value], named: &[(&str, Vec<&Value>)]) -> Vec<Value> {
    let mut out = Vec::new();
    for (name, values) in named.iter().take(MAX_TAGS.0) {
        for value in values.iter().take(MAX_TAGS.1) {
            for base in bases {
                if let Value::Object(m) = base {
                    let mut m = m.clone();
                    m.insert((*name).to_string(), (*value).clone());
                    out.push(Value::Object(m));
                }
            }
        }
    }
    out
}

/// Objects that lack one of their keys: dependency keywords trigger on present keys, so an
/// object with the trigger and without the dependent key tells the two versions apart.
fn dependency_candidates(cands: &[Option<Value>]) -> Vec<Option<Value>> {
    let mut out = Vec::new();
    for c in cands.iter().flatten().take(8) {
        if let Value::Object(m) = c {
            for k in m.keys() {
                let mut fewer = m.clone();
                fewer.remove(k);
                out.push(Some(Value::Object(fewer)));
            }
        }
    }
    out
}

/// The nearest schema object at or above a pointer (a change may point at a keyword's value).
fn enclosing_schema<'v>(root: &'v Value, ptr: &str) -> Option<&'v Value> {
    let mut tokens = crate::pointer::tokens(ptr);
    loop {
        let p: String = tokens
            .iter()
            .map(|t| format!("/{}", crate::pointer::escape(t)))
            .collect();
        let v = root.pointer(&p)?;
        // A dependency schema applies to the object that holds it: describe that object.
        if tokens.len() >= 2
            && matches!(
                tokens[tokens.len() - 2].as_str(),
                "dependencies" | "dependentSchemas" | "dependentRequired"
            )
        {
            tokens.truncate(tokens.len() - 2);
            continue;
        }
        let is_schema_slot = tokens.len() < 2
            || !matches!(
                tokens[tokens.len() - 2].as_str(),
                "required" | "enum" | "type" | "examples"
            );
        if v.is_object()
            && is_schema_slot
            && !matches!(
                tokens.last().map(String::as_str),
                Some(
                    "properties"
                        | "patternProperties"
                        | "$defs"
                        | "definitions"
                        | "dependentRequired"
                        | "dependentSchemas"
                        | "dependencies"
                )
            )
        {
            return Some(v);
        }
        tokens.pop()?;
    }
}

/// Sets (or with `None` removes) the value at an instance path, creating containers on the way.
/// Containers and slots missing on the way are copied from `filler` (a fuller valid instance
/// of the accepting schema) at the same place, so positional items and required siblings stay.
fn set_path(
    mut inst: Value,
    segs: &[Seg],
    value: Option<Value>,
    filler: Option<&Value>,
) -> Option<Value> {
    if segs.is_empty() {
        return value;
    }
    let mut fill_at = filler;
    let mut cur = &mut inst;
    for (i, seg) in segs.iter().enumerate() {
        let last = i + 1 == segs.len();
        match seg {
            Seg::Key(_) | Seg::AnyKey | Seg::PatternKey(_) => {
                let key = match seg {
                    Seg::Key(k) => k.to_string(),
                    Seg::PatternKey(p) => key_matching(p)?,
                    _ => "witness_extra_key".to_string(),
                };
                if !cur.is_object() {
                    *cur = Value::Object(Map::new());
                }
                let obj = cur.as_object_mut()?;
                if last {
                    match value {
                        Some(v) => obj.insert(key, v),
                        None => obj.remove(&key),
                    };
                    return Some(inst);
                }
                fill_at = fill_at.and_then(|f| f.get(&key));
                let default = fill_at.cloned().unwrap_or(Value::Null);
                cur = obj.entry(key).or_insert(default);
            }
            Seg::Index(idx) | Seg::AnyIndex(idx) => {
                if !cur.is_array() {
                    *cur = Value::Array(Vec::new());
                }
                let arr = cur.as_array_mut()?;
                let fill = value.clone().unwrap_or(Value::Null);
                while arr.len() <= *idx {
                    let from_filler = fill_at.and_then(|f| f.get(arr.len())).cloned();
                    let next = match from_filler {
                        Some(v) if !last || arr.len() < *idx => v,
                        _ if last => fill.clone(),
                        _ => arr.last().cloned().unwrap_or(Value::Null),
                    };
                    arr.push(next);
                }
                fill_at = fill_at.and_then(|f| f.get(*idx));
                if last {
                    match value {
                        Some(v) => arr[*idx] = v,
                        None => {
                            arr.truncate(*idx);
                        }
                    }
                    return Some(inst);
                }
                cur = &mut arr[*idx];
            }
            Seg::PropertyName => return None,
        }
    }
    Some(inst)
}

fn key_matching(pattern: &str) -> Option<String> {
    let re = regex::Regex::new(pattern).ok()?;
    let literal: String = pattern
        .chars()
        .filter(|c| c.is_alphanumeric() || *c == '_')
        .collect();
    [
        literal.as_str(),
        "a",
        "x",
        "x_1",
        "A",
        "0",
        "ab",
        "foo",
        "_x",
    ]
    .iter()
    .find(|k| re.is_match(k))
    .map(|s| s.to_string())
}
