//! Events a schema accepts: the smallest one (required properties, lower bounds, the first
//! type it admits) and a fuller one, the starting points a witness is built from. Sizes are
//! capped so that a hostile bound never becomes an allocation.

use std::collections::HashMap;

use serde_json::{json, Map, Value};

use crate::docset::DocSet;
use crate::subschemas::for_each_subschema;

/// The largest size (string length, item or property count) a witness is built with: a bound
/// taken from a hostile schema (`"minLength": 1e15`) must not become an allocation. A witness
/// that would need more is simply not found.
pub(super) const MAX_SIZE: u64 = 4096;

/// A size keyword's value, capped at [`MAX_SIZE`].
pub(super) fn size(obj: &Map<String, Value>, kw: &str) -> Option<u64> {
    obj.get(kw).and_then(Value::as_u64).map(|v| v.min(MAX_SIZE))
}

/// Where each subschema of a document set is written (document, pointer), by its address. The
/// generator passes schemas around as values; a `$ref` must still resolve against the base URI
/// in force where it is written (an embedded `$id`, another document), which only its place
/// says. Built once per judged pair.
pub(super) struct Sites(HashMap<usize, (usize, String)>);

impl Sites {
    pub fn of(docs: &DocSet) -> Sites {
        let mut map = HashMap::new();
        for i in 0..docs.len() {
            let d = docs.get(i);
            for_each_subschema(&d.root, d.draft, "", &mut |ptr, v| {
                map.entry(v as *const Value as usize)
                    .or_insert_with(|| (i, ptr.to_string()));
            });
        }
        Sites(map)
    }

    fn of_value(&self, v: &Value) -> Option<&(usize, String)> {
        self.0.get(&(v as *const Value as usize))
    }
}

/// Builds minimal and boundary instances from schemas of one document.
pub(super) struct Gen<'d> {
    docs: &'d DocSet,
    doc: usize,
    sites: &'d Sites,
}

impl<'d> Gen<'d> {
    pub fn new(docs: &'d DocSet, doc: usize, sites: &'d Sites) -> Gen<'d> {
        Gen { docs, doc, sites }
    }

    /// Follows `$ref`s, each resolved where it is written; a schema whose place is not known
    /// (built by the caller, not read from a document) resolves against its document's root.
    pub(super) fn deref<'v>(&'v self, s: &'v Value) -> &'v Value {
        let mut s = s;
        let mut at = self.sites.of_value(s).cloned();
        for _ in 0..32 {
            let Some(r) = s.get("$ref").and_then(Value::as_str) else {
                break;
            };
            let (doc, site) = at.unwrap_or_else(|| (self.doc, String::new()));
            let Some((d, p)) = self.docs.resolve_ref(doc, &site, r) else {
                break;
            };
            let Some(v) = self.docs.value(d, &p) else {
                break;
            };
            s = v;
            at = Some((d, p));
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
        {
            return self.minimal(s, depth);
        }
        if obj.contains_key("allOf") {
            return self.full_all_of(s, obj, depth);
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

    /// A full object of an `allOf`: the minimal one, with the properties of its own keywords
    /// and of every part added, a conditional part's `then` and `else` included, so each
    /// variant of a tagged union finds its fields.
    fn full_all_of(&self, s: &Value, obj: &Map<String, Value>, depth: usize) -> Option<Value> {
        let mut v = self.minimal(s, depth)?;
        let Value::Object(m) = &mut v else {
            return Some(v);
        };
        let mut own = obj.clone();
        own.remove("allOf");
        let mut parts = vec![Value::Object(own)];
        if let Some(Value::Array(all)) = obj.get("allOf") {
            for b in all {
                let b = self.deref(b);
                parts.push(b.clone());
                for kw in ["then", "else"] {
                    if let Some(branch) = b.get(kw) {
                        parts.push(branch.clone());
                    }
                }
            }
        }
        for part in &parts {
            if let Some(Value::Object(more)) = self.full(part, depth + 1) {
                for (k, pv) in more {
                    m.entry(k).or_insert(pv);
                }
            }
        }
        Some(v)
    }

    pub(super) fn minimal_plain(&self, obj: &Map<String, Value>, depth: usize) -> Option<Value> {
        use crate::keywords::{ARR, BOOL, INT, NULL, NUM, OBJ, STR};
        let t = crate::keywords::types_of_map(obj);
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

/// Sample strings per `format`, valid ones first.
pub(super) fn format_sample(format: &str) -> Option<&'static str> {
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

pub(super) fn push_num(out: &mut Vec<Value>, v: f64) {
    if v.fract() == 0.0 && v.abs() < 9e15 {
        out.push(json!(v as i64));
    } else if let Some(n) = serde_json::Number::from_f64(v) {
        out.push(Value::Number(n));
    }
}
