//! Candidate values for the place a change concerns: bounds and their neighbours, enum and
//! const values, samples of each type and format, sizes around each size bound.

use serde_json::{json, Map, Value};

use super::events::{format_sample, push_num, size, Gen};

impl<'d> Gen<'d> {
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

/// Values of every JSON type, tried after the schema-derived ones.
pub(super) fn generic() -> Vec<Value> {
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
