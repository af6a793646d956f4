//! Canonical form and fingerprint. Two schemas that differ only in key order, whitespace, or
//! equivalent spellings (`"type": ["string"]` for `"type": "string"`, the order of `required`,
//! `type` arrays and `dependentRequired` lists) have the same canonical text and so the same
//! SHA-256 fingerprint; the registry keys idempotent registration on it.

use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::draft::Draft;
use crate::subschemas::for_each_subschema;

/// The canonical JSON value of a schema.
pub fn canonical(schema: &Value, draft: Draft) -> Value {
    let mut out = schema.clone();
    let mut pointers = Vec::new();
    for_each_subschema(schema, draft, "", &mut |ptr, _| {
        pointers.push(ptr.to_string())
    });
    for ptr in pointers {
        if let Some(Value::Object(obj)) = out.pointer_mut(&ptr) {
            if let Some(Value::Array(types)) = obj.get_mut("type") {
                sort_dedup(types);
                if types.len() == 1 {
                    let single = types.pop().unwrap_or(Value::Null);
                    obj.insert("type".into(), single);
                }
            }
            if let Some(Value::Array(req)) = obj.get_mut("required") {
                sort_dedup(req);
            }
            for kw in ["dependentRequired", "dependencies"] {
                if let Some(Value::Object(m)) = obj.get_mut(kw) {
                    for v in m.values_mut() {
                        if let Value::Array(a) = v {
                            sort_dedup(a);
                        }
                    }
                }
            }
        }
    }
    out
}

fn sort_dedup(a: &mut Vec<Value>) {
    a.sort_by_key(|v| v.to_string());
    a.dedup();
}

/// Canonical text: keys sorted (serde_json's map is ordered), no insignificant whitespace.
pub fn canonical_text(schema: &Value, draft: Draft) -> String {
    canonical(schema, draft).to_string()
}

/// Lowercase hex SHA-256 of some bytes.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Lowercase hex SHA-256 of the canonical text.
pub fn fingerprint(schema: &Value, draft: Draft) -> String {
    let digest = Sha256::digest(canonical_text(schema, draft).as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn spelling_and_order_do_not_change_the_fingerprint() {
        let a = json!({"type": "object", "required": ["b", "a"], "properties": {"a": {"type": ["string"]}, "b": {"type": ["null", "integer"]}}});
        let b = json!({"properties": {"b": {"type": ["integer", "null", "integer"]}, "a": {"type": "string"}}, "required": ["a", "b"], "type": "object"});
        assert_eq!(
            fingerprint(&a, Draft::Draft202012),
            fingerprint(&b, Draft::Draft202012)
        );
    }

    #[test]
    fn a_real_change_changes_the_fingerprint() {
        let a = json!({"type": "string"});
        let b = json!({"type": "string", "maxLength": 3});
        assert_ne!(
            fingerprint(&a, Draft::Draft202012),
            fingerprint(&b, Draft::Draft202012)
        );
    }

    #[test]
    fn enum_values_are_not_schemas() {
        // `required` inside an enum value is data, and stays as written.
        let a = json!({"enum": [{"required": ["b", "a"]}]});
        assert_eq!(canonical(&a, Draft::Draft202012), a);
    }
}
