//! Structure-aware schemas: the fuzzer's bytes choose keywords from the engine's vocabulary, so
//! almost every input is a schema that parses, with the inputs that broke parsers before made
//! likely: unicode and escaped property names, odd `$ref` fragments (`#/%aé`, stray `~`,
//! anchors, other documents), nested and relative `$id`s, overlapping patterns, recursion.
//! Two such schemas are parsed under a random dialect, diffed under every rule set with a
//! small budget, and compiled for validation. No panic, no hang.
#![no_main]

use libfuzzer_sys::arbitrary::{Result, Unstructured};
use libfuzzer_sys::fuzz_target;
use schema_core::validate::Compiled;
use schema_core::{Budget, Document, Draft, Mode, Options, Rules};
use serde_json::{json, Map, Value};

const NAMES: &[&str] = &["a", "b", "é", "a/b", "~", "~1", "%", "%25", "schema_version", "", " ", "日本", "$ref", "0"];
const REFS: &[&str] = &[
    "#", "#/properties/a", "#/$defs/x", "#/$defs/%C3%A9", "#/%aé", "#/%", "#/~2", "#//",
    "#/definitions/a~1b", "#foo", "#node", "other.json", "other.json#/$defs/x", "inner#/$defs/x",
    "https://example.com/root#/$defs/x", "urn:x", "../up.json", "#/properties/é", "#/items/0",
];
const IDS: &[&str] = &["https://example.com/root", "inner", "#foo", "sub/", "a b", "urn:uuid:1", "../x", "https://example.com/root#frag"];
const PATTERNS: &[&str] = &["^x", "x$", "a*", "(", "^[a-z]+$", "é", "\\d", "^$"];
const TYPES: &[&str] = &["null", "boolean", "object", "array", "string", "number", "integer"];
const DRAFTS: &[Draft] = &[Draft::Draft4, Draft::Draft6, Draft::Draft7, Draft::Draft201909, Draft::Draft202012];

fn pick<'a, T>(u: &mut Unstructured, from: &'a [T]) -> Result<&'a T> {
    Ok(&from[u.choose_index(from.len())?])
}

fn scalar(u: &mut Unstructured) -> Result<Value> {
    Ok(match u.int_in_range(0..=5)? {
        0 => Value::Null,
        1 => json!(u.arbitrary::<bool>()?),
        2 => json!(u.int_in_range(-3..=3)?),
        3 => json!(f64::from(u.int_in_range(-30..=30)?) / 4.0),
        4 => json!(*pick(u, NAMES)?),
        _ => json!([]),
    })
}

fn schema(u: &mut Unstructured, depth: u32) -> Result<Value> {
    if depth > 4 || u.ratio(1, 6)? {
        return Ok(match u.int_in_range(0..=2)? {
            0 => json!(true),
            1 => json!(false),
            _ => json!({}),
        });
    }
    let mut m = Map::new();
    for _ in 0..u.int_in_range(1..=4)? {
        match u.int_in_range(0..=17)? {
            0 => {
                m.insert("type".into(), json!(*pick(u, TYPES)?));
            }
            1 => {
                let mut props = Map::new();
                for _ in 0..u.int_in_range(0..=3)? {
                    props.insert(pick(u, NAMES)?.to_string(), schema(u, depth + 1)?);
                }
                m.insert("properties".into(), Value::Object(props));
            }
            2 => {
                m.insert("required".into(), json!([*pick(u, NAMES)?]));
            }
            3 => {
                m.insert("$ref".into(), json!(*pick(u, REFS)?));
            }
            4 => {
                m.insert("$id".into(), json!(*pick(u, IDS)?));
            }
            5 => {
                m.insert("$anchor".into(), json!(*pick(u, &["foo", "node", "x"])?));
            }
            6 => {
                let mut defs = Map::new();
                defs.insert("x".into(), schema(u, depth + 1)?);
                defs.insert(pick(u, NAMES)?.to_string(), schema(u, depth + 1)?);
                let key = if u.arbitrary::<bool>()? { "$defs" } else { "definitions" };
                m.insert(key.into(), Value::Object(defs));
            }
            7 => {
                let key = *pick(u, &["allOf", "anyOf", "oneOf"])?;
                let n = u.int_in_range(1..=3)?;
                let branches = (0..n).map(|_| schema(u, depth + 1)).collect::<Result<Vec<_>>>()?;
                m.insert(key.into(), Value::Array(branches));
            }
            8 => {
                let key = *pick(u, &["not", "if", "then", "else", "items", "contains", "additionalProperties", "propertyNames"])?;
                m.insert(key.into(), schema(u, depth + 1)?);
            }
            9 => {
                let mut pats = Map::new();
                for _ in 0..u.int_in_range(1..=2)? {
                    pats.insert(pick(u, PATTERNS)?.to_string(), schema(u, depth + 1)?);
                }
                m.insert("patternProperties".into(), Value::Object(pats));
            }
            10 => {
                m.insert("pattern".into(), json!(*pick(u, PATTERNS)?));
            }
            11 => {
                let n = u.int_in_range(0..=3)?;
                m.insert("enum".into(), Value::Array((0..n).map(|_| scalar(u)).collect::<Result<_>>()?));
            }
            12 => {
                m.insert("const".into(), scalar(u)?);
            }
            13 => {
                let key = *pick(u, &["minimum", "maximum", "exclusiveMinimum", "minLength", "maxLength", "minItems", "maxProperties", "multipleOf"])?;
                m.insert(key.into(), json!(u.int_in_range(0..=5)?));
            }
            14 => {
                m.insert("prefixItems".into(), json!([schema(u, depth + 1)?]));
            }
            15 => {
                m.insert("$dynamicRef".into(), json!("#node"));
            }
            16 => {
                m.insert("$dynamicAnchor".into(), json!("node"));
            }
            _ => {
                m.insert("format".into(), json!(*pick(u, &["email", "date-time", "idn-hostname", "uuid"])?));
            }
        }
    }
    Ok(Value::Object(m))
}

fn run(u: &mut Unstructured) -> Result<()> {
    let draft = *pick(u, DRAFTS)?;
    let (a, b) = (schema(u, 0)?, schema(u, 0)?);
    let Ok(old) = Document::from_value_in("old.json", a, draft) else {
        return Ok(());
    };
    let new = Document::from_value_in("new.json", b, draft).unwrap_or_else(|_| old.clone());
    let budget = Budget { steps: 5_000, changes: 5_000 };
    for (mode, rules) in [
        (Mode::Full, Rules::Events),
        (Mode::Backward, Rules::Standard),
        (Mode::Forward, Rules::Lenient),
    ] {
        let options = Options { mode, rules, budget, ..Options::default() };
        let _ = schema_core::check(&old, &new, options);
    }
    if let Ok(c) = Compiled::new(&new) {
        let _ = c.is_valid(&json!({"a": 1, "é": "x"}));
    }
    Ok(())
}

fuzz_target!(|data: &[u8]| {
    let _ = run(&mut Unstructured::new(data));
});
