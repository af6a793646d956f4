//! Any bytes as a payload: the tape reader and the serde_json path must agree on whether it is
//! JSON, and on its validity under a fixed event schema. A disagreement is a crash.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use schema_core::payload::Reader;
use schema_core::validate::Compiled;
use schema_core::Document;

const SCHEMA: &str = r#"{
  "type": "object",
  "required": ["schema_version", "id"],
  "properties": {
    "schema_version": {"const": "1.0.0"},
    "id": {"type": "string", "minLength": 1, "maxLength": 8},
    "n": {"type": "integer", "minimum": -5, "multipleOf": 1},
    "tags": {"type": "array", "items": {"enum": ["a", "b", 1, null]}, "uniqueItems": true},
    "nested": {"type": "object", "additionalProperties": {"type": "number"}}
  }
}"#;

fuzz_target!(|data: &[u8]| {
    static COMPILED: OnceLock<Compiled> = OnceLock::new();
    let c = COMPILED.get_or_init(|| Compiled::new(&Document::parse("s", SCHEMA).unwrap()).unwrap());
    let by_serde = serde_json::from_slice::<serde_json::Value>(data)
        .ok()
        .map(|v| c.is_valid(&v));
    let by_tape = Reader::default()
        .read(data)
        .ok()
        .map(|p| c.is_valid_payload(&p));
    assert_eq!(by_serde, by_tape, "{:?}", String::from_utf8_lossy(data));
});
