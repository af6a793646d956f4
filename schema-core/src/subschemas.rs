//! Every schema position inside a schema, found by what the keyword table says each keyword's
//! value holds ([`crate::keywords::Holds`]), so values inside `enum`, `const`, `default` or
//! `examples` are never taken for schemas and a new applicator is one row of the table.

use serde_json::Value;

use crate::draft::Draft;
use crate::keywords::{keyword, Holds};
use crate::pointer;

/// Calls `f` with every schema position in `schema` (itself included).
pub fn for_each_subschema(
    schema: &Value,
    draft: Draft,
    ptr: &str,
    f: &mut dyn FnMut(&str, &Value),
) {
    for_each_subschema_with(schema, draft, ptr, (), &mut |p, v, _| f(p, v));
}

/// As [`for_each_subschema`], threading a state from each schema to its subschemas: `f` gets
/// the parent's state and returns the one its subschemas see (a base URI, a depth).
pub fn for_each_subschema_with<S: Clone>(
    schema: &Value,
    draft: Draft,
    ptr: &str,
    state: S,
    f: &mut dyn FnMut(&str, &Value, &S) -> S,
) {
    let state = f(ptr, schema, &state);
    let Some(obj) = schema.as_object() else {
        return;
    };
    for (k, v) in obj {
        // Draft-07 spellings are plain data under 2020-12.
        if draft >= Draft::Draft202012 && matches!(k.as_str(), "dependencies" | "additionalItems") {
            continue;
        }
        let holds = keyword(k).map_or(Holds::Nothing, |kw| kw.holds);
        let mut visit = |tokens: &[&str], sub: &Value| {
            let p = pointer::join(ptr, tokens);
            for_each_subschema_with(sub, draft, &p, state.clone(), f);
        };
        match (holds, v) {
            (Holds::Nothing, _) => {}
            (Holds::Schema, _) | (Holds::SchemaOrList, Value::Object(_) | Value::Bool(_)) => {
                visit(&[k], v)
            }
            (Holds::Map, Value::Object(m)) => {
                // In `dependencies`, an array is a list of names, not a schema.
                for (name, sub) in m.iter().filter(|(_, s)| !s.is_array()) {
                    visit(&[k, name], sub);
                }
            }
            (Holds::List | Holds::SchemaOrList, Value::Array(a)) => {
                for (i, sub) in a.iter().enumerate() {
                    visit(&[k, &i.to_string()], sub);
                }
            }
            _ => {}
        }
    }
}
