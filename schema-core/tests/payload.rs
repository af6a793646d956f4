//! The tape fast path (`payload::Reader`) must give every payload the verdict the `serde_json`
//! path gives it: the same parse failures, the same validity, under schemas that exercise each
//! way the two readings could drift (numbers, duplicate keys, escapes, depth, Unicode lengths).
//! Cases live in `tests/data/payload-edges.json`; the soundness test adds generated instances.

use schema_core::payload::{Payload, Reader};
use schema_core::validate::Compiled;
use schema_core::Document;
use serde_json::Value;

fn serde_verdict(c: &Compiled, raw: &[u8]) -> Option<bool> {
    serde_json::from_slice::<Value>(raw)
        .ok()
        .map(|v| c.is_valid(&v))
}

#[test]
fn tape_and_serde_agree_on_edge_cases() {
    let data: Value = serde_json::from_str(include_str!("data/payload-edges.json")).unwrap();
    let mut reader = Reader::default();
    let (mut checked, mut taped, mut bad) = (0, 0, Vec::new());
    for (i, schema) in data["schemas"].as_array().unwrap().iter().enumerate() {
        let doc = Document::parse(&format!("schema {i}"), &schema.to_string()).unwrap();
        let c = Compiled::new(&doc).unwrap();
        for inst in data["instances"].as_array().unwrap() {
            let raw = inst.as_str().unwrap().as_bytes();
            let expected = serde_verdict(&c, raw);
            let got = match reader.read(raw) {
                Ok(p) => {
                    taped += usize::from(matches!(p, Payload::Tape(_)));
                    let valid = c.is_valid_payload(&p);
                    // Error lists must match too (they are what a producer is told); the order
                    // may not: a tape lists members as written, a `Value` sorted.
                    let sorted = |mut v: Vec<schema_core::validate::Violation>| {
                        v.sort_by(|a, b| a.instance_pointer.cmp(&b.instance_pointer));
                        v
                    };
                    let by_value = sorted(c.violations(&serde_json::from_slice(raw).unwrap()));
                    if !valid && sorted(c.payload_violations(&p)) != by_value {
                        bad.push(format!("schema {i}: {inst}: error lists differ"));
                    }
                    Some(valid)
                }
                Err(_) => None,
            };
            checked += 1;
            if got != expected {
                let shown: String = inst.as_str().unwrap().chars().take(80).collect();
                bad.push(format!(
                    "schema {i} {schema}: {shown}: serde {expected:?}, tape {got:?}"
                ));
            }
        }
    }
    println!(
        "{checked} verdicts compared, {taped} through the tape, {} differ",
        bad.len()
    );
    assert!(
        taped > checked / 2,
        "the fast path was hardly used: {taped} of {checked}"
    );
    assert!(bad.is_empty(), "verdicts differ:\n{}", bad.join("\n"));
}

#[test]
fn invalid_utf8_is_not_json_on_either_path() {
    let doc = Document::parse("any", "{}").unwrap();
    let c = Compiled::new(&doc).unwrap();
    for raw in [&b"\"\xff\""[..], b"{\"a\":\"\xc3\"}", b"\xef\xbb\xbf{}"] {
        assert_eq!(serde_verdict(&c, raw), None);
        assert!(Reader::default().read(raw).is_err(), "{raw:?}");
    }
}

#[test]
fn routing_field_reads_the_same_on_both_paths() {
    let mut reader = Reader::default();
    for (raw, expected) in [
        (r#"{"schema_version":"1.2.0","x":[1]}"#, "Str(1.2.0)"),
        (r#"{"schema_version":"1.\u0032.0"}"#, "Str(1.2.0)"),
        (r#"{"schema_version":1.5}"#, "Other(1.5)"),
        (r#"{"x":1}"#, "Missing"),
        (r#"[1]"#, "Missing"),
    ] {
        let p = reader.read(raw.as_bytes()).unwrap();
        let got = match p.field("schema_version") {
            schema_core::payload::Field::Missing => "Missing".to_string(),
            schema_core::payload::Field::Str(s) => format!("Str({s})"),
            schema_core::payload::Field::Other(o) => format!("Other({o})"),
        };
        assert_eq!(got, expected, "{raw}");
    }
}
