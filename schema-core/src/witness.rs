//! Witnesses: for a breaking change, an event that the accepting schema validates and the other
//! rejects. Built by taking a minimal valid event of the accepting schema and setting the place
//! the change concerns to candidate values drawn from both sides' keywords (bounds and their
//! neighbours, enum values, type samples, format samples, absence). A witness is shown only after
//! both validators agree on it, so it is never a guess.

use serde_json::{json, Map, Value};

use crate::diff::{Breaks, Change, Seg, Side, Witness};
use crate::docset::DocSet;
use crate::validate::Compiled;

/// How many candidate values are tried per change.
const MAX_CANDIDATES: usize = 200;

/// The largest size (string length, item or property count) a witness is built with: a bound
/// taken from a hostile schema (`"minLength": 1e15`) must not become an allocation. A witness
/// that would need more is simply not found.
const MAX_SIZE: u64 = 4096;

/// A size keyword's value, capped at [`MAX_SIZE`].
fn size(obj: &Map<String, Value>, kw: &str) -> Option<u64> {
    obj.get(kw).and_then(Value::as_u64).map(|v| v.min(MAX_SIZE))
}

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
    let bases = |doc: usize, v: &Compiled| -> Vec<Value> {
        let g = Gen::new(docs, doc);
        let root = &docs.get(doc).root;
        let mut out: Vec<Value> = [g.minimal(root, 0), g.full(root, 0)]
            .into_iter()
            .flatten()
            .filter(|i| v.is_valid(i))
            .collect();
        out.dedup();
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
            let g = Gen::new(docs, doc);
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
                    Seg::Key(k) => k.clone(),
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

/// Values of every JSON type, tried after the schema-derived ones.
fn generic() -> Vec<Value> {
    vec![
        Value::Null,
        json!(true),
        json!(false),
        json!(0),
        json!(-1),
        json!(1.5),
        json!(""),
        json!("x"),
        json!([]),
        json!({}),
        json!({"witness_extra_key": 1}),
    ]
}

/// Sample strings per `format`, valid ones first.
pub(crate) fn format_sample(format: &str) -> Option<&'static str> {
    Some(match format {
        "date-time" => "2024-01-01T00:00:00Z",
        "date" => "2024-01-01",
        "time" => "12:00:00Z",
        "email" | "idn-email" => "user@example.com",
        "uuid" => "123e4567-e89b-12d3-a456-426614174000",
        "uri" | "iri" => "https://example.com/x",
        "uri-reference" | "iri-reference" => "/x",
        "hostname" | "idn-hostname" => "example.com",
        "ipv4" => "192.0.2.1",
        "ipv6" => "2001:db8::1",
        "duration" => "P1D",
        "regex" => "a+",
        "json-pointer" => "/a",
        _ => return None,
    })
}

/// Builds minimal and boundary instances from schemas of one document.
pub(crate) struct Gen<'d> {
    docs: &'d DocSet,
    doc: usize,
}

impl<'d> Gen<'d> {
    pub fn new(docs: &'d DocSet, doc: usize) -> Gen<'d> {
        Gen { docs, doc }
    }

    fn deref<'v>(&'v self, s: &'v Value) -> &'v Value {
        let mut s = s;
        for _ in 0..32 {
            match s
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(|r| self.docs.resolve_ref(self.doc, "", r))
            {
                Some((d, p)) => match self.docs.value(d, &p) {
                    Some(v) => s = v,
                    None => break,
                },
                None => break,
            }
        }
        s
    }

    /// A small instance meant to be valid under `s` (checked by the caller).
    pub fn minimal(&self, s: &Value, depth: usize) -> Option<Value> {
        if depth > 24 {
            return None;
        }
        let s = self.deref(s);
        let obj = match s {
            Value::Bool(true) => return Some(Value::Null),
            Value::Bool(false) => return None,
            Value::Object(o) => o,
            _ => return None,
        };
        if let Some(c) = obj.get("const") {
            return Some(c.clone());
        }
        if let Some(Value::Array(e)) = obj.get("enum") {
            return e.first().cloned();
        }
        if let Some(Value::Array(all)) = obj.get("allOf") {
            let mut acc: Option<Value> = None;
            for b in all {
                let v = self.minimal(b, depth + 1)?;
                acc = Some(match (acc, v) {
                    (Some(Value::Object(mut a)), Value::Object(b)) => {
                        for (k, v) in b {
                            a.entry(k).or_insert(v);
                        }
                        Value::Object(a)
                    }
                    (None, v) => v,
                    (Some(a), _) => a,
                });
            }
            if let Some(Value::Object(mut a)) = acc {
                if let Some(Value::Object(own)) = self.minimal_plain(obj, depth) {
                    for (k, v) in own {
                        a.entry(k).or_insert(v);
                    }
                }
                return Some(Value::Object(a));
            }
        }
        for kw in ["anyOf", "oneOf"] {
            if let Some(Value::Array(alts)) = obj.get(kw) {
                if let Some(v) = alts.iter().find_map(|b| self.minimal(b, depth + 1)) {
                    return Some(v);
                }
            }
        }
        self.minimal_plain(obj, depth)
    }

    /// Like [`Gen::minimal`], but with every declared property and one item per array, so a
    /// witness can reach optional and nested places.
    pub fn full(&self, s: &Value, depth: usize) -> Option<Value> {
        if depth > 8 {
            return self.minimal(s, depth);
        }
        let s = self.deref(s);
        let obj = s.as_object()?;
        if obj.contains_key("const")
            || obj.contains_key("enum")
            || obj.contains_key("anyOf")
            || obj.contains_key("oneOf")
            || obj.contains_key("allOf")
        {
            return self.minimal(s, depth);
        }
        let mut v = self.minimal(s, depth)?;
        match &mut v {
            Value::Object(m) => {
                if let Some(Value::Object(props)) = obj.get("properties") {
                    let max = obj
                        .get("maxProperties")
                        .and_then(Value::as_u64)
                        .unwrap_or(u64::MAX) as usize;
                    for (name, ps) in props {
                        if m.len() >= max {
                            break;
                        }
                        if !m.contains_key(name) {
                            if let Some(pv) = self.full(ps, depth + 1) {
                                m.insert(name.clone(), pv);
                            }
                        } else if let Some(pv) = self.full(ps, depth + 1) {
                            m.insert(name.clone(), pv);
                        }
                    }
                }
            }
            Value::Array(a) => {
                // Every positional item, then one item of the rest, within maxItems.
                let max = obj
                    .get("maxItems")
                    .and_then(Value::as_u64)
                    .unwrap_or(u64::MAX) as usize;
                let tuple = self.docs.get(self.doc).draft.tuple_items();
                let prefix = if tuple {
                    obj.get("items").and_then(Value::as_array)
                } else {
                    obj.get("prefixItems").and_then(Value::as_array)
                };
                let rest = if tuple {
                    if prefix.is_some() {
                        obj.get("additionalItems")
                    } else {
                        obj.get("items")
                    }
                } else {
                    obj.get("items")
                };
                let n = prefix.map_or(0, Vec::len);
                for i in a.len()..(n + 1).min(max) {
                    let s = prefix
                        .and_then(|p| p.get(i))
                        .or(rest)
                        .unwrap_or(&Value::Bool(true));
                    match self.full(s, depth + 1) {
                        Some(item) => a.push(item),
                        None => break,
                    }
                }
            }
            _ => {}
        }
        Some(v)
    }

    fn minimal_plain(&self, obj: &Map<String, Value>, depth: usize) -> Option<Value> {
        use crate::diff::scalars::{ARR, BOOL, INT, NULL, NUM, OBJ, STR};
        let t = crate::diff::scalars::types_of_map(obj);
        let has = |ks: &[&str]| ks.iter().any(|k| obj.contains_key(*k));
        let looks_object = has(&[
            "properties",
            "required",
            "additionalProperties",
            "patternProperties",
            "minProperties",
            "maxProperties",
            "dependencies",
            "dependentRequired",
            "dependentSchemas",
            "propertyNames",
        ]);
        let looks_array = has(&[
            "items",
            "prefixItems",
            "additionalItems",
            "contains",
            "minItems",
            "maxItems",
            "uniqueItems",
        ]);
        if t & OBJ != 0 && (looks_object || t == OBJ) {
            return Some(self.minimal_object(obj, depth));
        }
        if t & ARR != 0 && (looks_array || t == ARR) {
            return Some(self.minimal_array(obj, depth));
        }
        if t & STR != 0 {
            return Some(Value::String(self.minimal_string(obj)));
        }
        if t & INT != 0 {
            return Some(minimal_number(obj, true));
        }
        if t & NUM != 0 {
            return Some(minimal_number(obj, false));
        }
        if t & OBJ != 0 {
            return Some(self.minimal_object(obj, depth));
        }
        if t & BOOL != 0 {
            return Some(json!(false));
        }
        if t & ARR != 0 {
            return Some(self.minimal_array(obj, depth));
        }
        if t & NULL != 0 {
            return Some(Value::Null);
        }
        None
    }

    fn minimal_object(&self, obj: &Map<String, Value>, depth: usize) -> Value {
        let mut out = Map::new();
        let props = obj.get("properties").and_then(Value::as_object);
        if let Some(Value::Array(req)) = obj.get("required") {
            for name in req.iter().filter_map(Value::as_str) {
                let schema = props
                    .and_then(|p| p.get(name))
                    .or_else(|| obj.get("additionalProperties"))
                    .unwrap_or(&Value::Bool(true));
                out.insert(
                    name.to_string(),
                    self.minimal(schema, depth + 1).unwrap_or(Value::Null),
                );
            }
        }
        let min = size(obj, "minProperties").unwrap_or(0) as usize;
        if let Some(props) = props {
            for (name, schema) in props {
                if out.len() >= min {
                    break;
                }
                if let Some(v) = self.minimal(schema, depth + 1) {
                    out.entry(name.clone()).or_insert(v);
                }
            }
        }
        // Undeclared filler keys, where the model admits them, up to minProperties.
        let extra = obj
            .get("additionalProperties")
            .unwrap_or(&Value::Bool(true));
        let mut i = 0;
        while out.len() < min && i < min + 8 {
            match self.minimal(extra, depth + 1) {
                Some(v) => out.insert(format!("k{i}"), v),
                None => break,
            };
            i += 1;
        }
        Value::Object(out)
    }

    fn minimal_array(&self, obj: &Map<String, Value>, depth: usize) -> Value {
        let min = size(obj, "minItems").unwrap_or(0) as usize;
        let mut out = Vec::new();
        let prefix = obj
            .get("prefixItems")
            .or_else(|| obj.get("items").filter(|i| i.is_array()))
            .and_then(Value::as_array);
        let rest = obj
            .get("items")
            .filter(|i| !i.is_array())
            .or_else(|| obj.get("additionalItems"));
        for i in 0..min.max(obj.get("contains").map(|_| 1).unwrap_or(0)) {
            let s = prefix
                .and_then(|p| p.get(i))
                .or(rest)
                .or_else(|| obj.get("contains"))
                .unwrap_or(&Value::Bool(true));
            out.push(self.minimal(s, depth + 1).unwrap_or(Value::Null));
        }
        if out.is_empty() {
            if let Some(c) = obj.get("contains") {
                out.push(self.minimal(c, depth + 1).unwrap_or(Value::Null));
            }
        }
        Value::Array(out)
    }

    fn minimal_string(&self, obj: &Map<String, Value>) -> String {
        let min = size(obj, "minLength").unwrap_or(0) as usize;
        if let Some(f) = obj
            .get("format")
            .and_then(Value::as_str)
            .and_then(format_sample)
        {
            return f.to_string();
        }
        let plain = "x".repeat(min.max(1));
        if let Some(p) = obj.get("pattern").and_then(Value::as_str) {
            if let Ok(re) = regex::Regex::new(p) {
                let tries = [
                    plain.clone(),
                    "a".into(),
                    "A".into(),
                    "0".into(),
                    "a1".into(),
                    "abc".into(),
                    "ABC".into(),
                    "a-b".into(),
                    "a_b".into(),
                    "123".into(),
                    "x".repeat(min.max(8)),
                ];
                if let Some(t) = tries
                    .iter()
                    .find(|t| re.is_match(t) && t.chars().count() >= min)
                {
                    return t.clone();
                }
            }
        }
        plain
    }

    /// Values around the constraints of one schema: in and out of every bound.
    pub fn candidates(&self, s: &Value) -> Vec<Value> {
        let s = self.deref(s);
        let mut out = Vec::new();
        if let Some(v) = self.minimal(s, 0) {
            out.push(v);
        }
        if let Some(v) = self.full(s, 0) {
            out.push(v);
        }
        let Some(obj) = s.as_object() else { return out };
        if let Some(c) = obj.get("const") {
            out.push(c.clone());
        }
        if let Some(Value::Array(e)) = obj.get("enum") {
            out.extend(e.iter().cloned());
        }
        let n = |k: &str| obj.get(k).and_then(Value::as_f64);
        for k in ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"] {
            if let Some(v) = n(k) {
                for d in [0.0, -1.0, 1.0, -0.5, 0.5] {
                    push_num(&mut out, v + d);
                }
            }
        }
        if let Some(m) = n("multipleOf") {
            for f in [1.0, 0.5, 2.0, 3.0, 1.5] {
                push_num(&mut out, m * f);
            }
        }
        for k in ["minLength", "maxLength"] {
            if let Some(v) = size(obj, k) {
                for len in [v.saturating_sub(1), v, v + 1] {
                    out.push(Value::String("x".repeat(len as usize)));
                }
            }
        }
        if let Some(f) = obj.get("format").and_then(Value::as_str) {
            if let Some(sample) = format_sample(f) {
                out.push(json!(sample));
            }
            out.push(json!("not-a-valid-value"));
        }
        if obj.contains_key("pattern") {
            out.push(json!("!!!"));
        }
        let item = obj
            .get("items")
            .filter(|i| !i.is_array())
            .and_then(|i| self.minimal(i, 1))
            .unwrap_or(Value::Null);
        for k in ["minItems", "maxItems"] {
            if let Some(v) = size(obj, k) {
                for len in [v.saturating_sub(1), v, v + 1] {
                    out.push(Value::Array(vec![item.clone(); len as usize]));
                }
            }
        }
        if obj.contains_key("uniqueItems") {
            out.push(Value::Array(vec![item.clone(), item.clone()]));
        }
        if let Some(Value::Object(min)) = self.minimal(s, 0) {
            let mut extra = min.clone();
            extra.insert("witness_extra_key".into(), json!("x"));
            out.push(Value::Object(extra));
        }
        for k in ["minProperties", "maxProperties"] {
            if let Some(v) = size(obj, k) {
                let mut m = Map::new();
                for i in 0..=v + 1 {
                    if m.len() as u64 + 1 >= v {
                        out.push(Value::Object(m.clone()));
                    }
                    m.insert(format!("k{i}"), json!(1));
                }
                out.push(Value::Object(m));
            }
        }
        // Dependency keywords trigger on a present key: objects that carry each trigger.
        let base = match self.full(s, 0) {
            Some(Value::Object(m)) => m,
            _ => Map::new(),
        };
        for kw in ["dependencies", "dependentRequired", "dependentSchemas"] {
            if let Some(Value::Object(deps)) = obj.get(kw) {
                for trigger in deps.keys() {
                    let mut m = base.clone();
                    m.entry(trigger.clone()).or_insert(json!("x"));
                    out.push(Value::Object(m.clone()));
                    if let Some(Value::Array(need)) = deps.get(trigger) {
                        for n in need.iter().filter_map(Value::as_str) {
                            m.remove(n);
                        }
                        out.push(Value::Object(m));
                    }
                }
            }
        }
        for t in [
            "null", "boolean", "integer", "number", "string", "array", "object",
        ] {
            let mut typed = obj.clone();
            typed.insert("type".into(), json!(t));
            if let Some(v) = self.minimal_plain(&typed, 0) {
                out.push(v);
            }
        }
        out
    }
}

fn push_num(out: &mut Vec<Value>, v: f64) {
    if v.fract() == 0.0 && v.abs() < 9e15 {
        out.push(json!(v as i64));
    } else if let Some(n) = serde_json::Number::from_f64(v) {
        out.push(Value::Number(n));
    }
}

fn minimal_number(obj: &Map<String, Value>, integer: bool) -> Value {
    let n = |k: &str| obj.get(k).and_then(Value::as_f64);
    let step = if integer { 1.0 } else { 0.5 };
    let mut lo = n("minimum");
    if let Some(e) = obj.get("exclusiveMinimum") {
        match e {
            Value::Bool(true) => lo = lo.map(|v| v + step),
            v => {
                if let Some(x) = v.as_f64() {
                    lo = Some(lo.map_or(x + step, |l| l.max(x + step)));
                }
            }
        }
    }
    let hi = n("maximum").or_else(|| n("exclusiveMaximum").map(|v| v - step));
    let mut v = match (lo, hi) {
        (Some(l), _) => l,
        (None, Some(h)) if h < 0.0 => h,
        _ => 0.0,
    };
    if integer {
        v = v.ceil();
    }
    if let Some(m) = n("multipleOf") {
        if m > 0.0 {
            v = (v / m).ceil() * m;
        }
    }
    let mut out = Vec::new();
    push_num(&mut out, v);
    out.pop().unwrap_or(json!(0))
}
