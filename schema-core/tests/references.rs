//! Cross-document references (Confluent `references`): a `$ref` to another registered
//! document is resolved through a [`Resolver`] and compared like a local one; a reference the
//! resolver does not know, or a remote URL, is an error naming the place, never a silent pass.

use std::collections::HashMap;

use schema_core::{check_refs, check_with, Document, Error, Mode, Options, Rules};
use serde_json::{json, Value};

fn money(amount_type: &str) -> Document {
    Document::from_value("money.json", json!({"type": "object", "properties": {"amount": {"type": amount_type}, "currency": {"type": "string"}}, "required": ["amount", "currency"]})).unwrap()
}

fn order() -> Document {
    Document::from_value("order", json!({"type": "object", "properties": {"total": {"$ref": "money.json"}, "tax": {"$ref": "money.json#/properties/amount"}}})).unwrap()
}

/// The same referencing schema over two versions of the referenced one (amount number →
/// integer): each side resolves its own. The report, and the new side's references.
fn amount_narrowed() -> (schema_core::Report, HashMap<String, Document>) {
    let old_refs = HashMap::from([("money.json".to_string(), money("number"))]);
    let new_refs = HashMap::from([("money.json".to_string(), money("integer"))]);
    let opts = Options {
        mode: Mode::Backward,
        rules: Rules::Standard,
        ..Options::default()
    };
    let report = check_refs(&order(), &old_refs, &order(), &new_refs, opts).unwrap();
    (report, new_refs)
}

#[test]
fn a_change_in_a_referenced_document_is_found() {
    let (report, _) = amount_narrowed();
    assert!(!report.compatible);
    let narrowed: Vec<_> = report
        .breaking()
        .map(|c| (c.kind.id(), c.instance_pointer.as_str()))
        .collect();
    assert!(
        narrowed.contains(&("type-narrowed", "/total/amount")),
        "{narrowed:?}"
    );
    assert!(
        narrowed.contains(&("type-narrowed", "/tax")),
        "{narrowed:?}"
    );
}

#[test]
fn an_unknown_reference_is_an_error() {
    let none: HashMap<String, Document> = HashMap::new();
    match check_with(&order(), &order(), &none, Options::default()) {
        Err(Error::UnresolvedRef {
            pointer, reference, ..
        }) => {
            assert_eq!(reference, "money.json");
            assert!(
                pointer == "/properties/total" || pointer == "/properties/tax",
                "{pointer}"
            );
        }
        other => panic!("expected an unresolved reference, got {other:?}"),
    }
}

/// Witnesses and validators follow references into other documents: the narrowed amount gets
/// an event that proves it, and a validator of the set checks the referenced document too.
#[test]
fn referenced_documents_are_compiled() {
    let (report, new_refs) = amount_narrowed();
    let witnessed: Vec<_> = report
        .breaking()
        .filter_map(|c| {
            c.witness
                .as_ref()
                .map(|w| (c.instance_pointer.clone(), w.instance.clone()))
        })
        .collect();
    assert!(
        witnessed
            .iter()
            .any(|(p, _)| p == "/total/amount" || p == "/tax"),
        "{witnessed:?}"
    );
    let mut set = schema_core::DocSet::new();
    let idx = set.add(order(), &new_refs).unwrap();
    let compiled = schema_core::validate::Compiled::in_set(&set, idx).unwrap();
    assert!(compiled.is_valid(&json!({"total": {"amount": 3, "currency": "EUR"}})));
    assert!(!compiled.is_valid(&json!({"total": {"amount": 3.5, "currency": "EUR"}})));
    assert!(!compiled.is_valid(&json!({"tax": "x"})));
}

/// `$ref`s inside an embedded resource resolve against its `$id`, and a `$ref` may name the
/// document's own `$id`: the verdict follows the schema the reference really points at.
#[test]
fn references_resolve_against_their_base() {
    let doc = |inner_type: &str| {
        Document::from_value(
            "root.json",
            json!({
                "$schema": "https://json-schema.org/draft/2020-12/schema",
                "$id": "https://example.com/s/root",
                "type": "object",
                "properties": {
                    "a": {"$ref": "https://example.com/s/inner#/$defs/n"},
                    "b": {"$ref": "root#/$defs/n"}
                },
                "$defs": {
                    "n": {"type": "string"},
                    "inner": {
                        "$id": "inner",
                        "$defs": {"n": {"type": inner_type}},
                        "properties": {"x": {"$ref": "#/$defs/n"}}
                    }
                }
            }),
        )
        .unwrap()
    };
    let opts = Options {
        mode: Mode::Backward,
        rules: Rules::Standard,
        ..Options::default()
    };
    let report = check_with(
        &doc("number"),
        &doc("integer"),
        &HashMap::<String, Document>::new(),
        opts,
    )
    .unwrap();
    let changed: Vec<_> = report
        .breaking()
        .map(|c| (c.kind.id(), c.instance_pointer.clone()))
        .collect();
    assert_eq!(
        changed,
        vec![("type-narrowed", "/a".to_string())],
        "{changed:?}"
    );
}

/// A draft-07 document (no `$schema`: the default) with an embedded resource under `$defs`:
/// the engine reads the `$id` as a resource, as Confluent does, and so must the validator,
/// which on its own resolves the inner `#/$defs/n` against the root and refuses the schema.
/// Both agree now: it compiles, validates by the inner definition, and a change there has a
/// witness that the two validators check.
#[test]
fn embedded_resources_under_defs_validate_in_draft_7() {
    use schema_core::validate::Compiled;
    let doc = |inner_type: &str| {
        Document::from_value(
            "events.json",
            json!({
                "type": "object",
                "properties": {"x": {"$ref": "#/$defs/inner"}},
                "$defs": {"inner": {
                    "$id": "inner.json",
                    "type": "object",
                    "properties": {"v": {"$ref": "#/$defs/n"}},
                    "$defs": {"n": {"type": inner_type}}
                }}
            }),
        )
        .unwrap()
    };
    let (old, new) = (doc("number"), doc("integer"));
    assert_eq!(old.draft, schema_core::Draft::Draft7);
    let v = Compiled::new(&old).expect("compiles");
    assert!(v.is_valid(&json!({"x": {"v": 1.5}})));
    assert!(!v.is_valid(&json!({"x": {"v": "a"}})));
    let opts = Options {
        mode: Mode::Backward,
        rules: Rules::Standard,
        ..Options::default()
    };
    let report = check_with(&old, &new, &HashMap::<String, Document>::new(), opts).unwrap();
    let change = report.breaking().next().expect("a breaking change");
    assert_eq!(change.instance_pointer, "/x/v");
    let w = change.witness.as_ref().expect("a witness");
    assert!(v.is_valid(&w.instance), "{}", w.instance);
    assert!(!Compiled::new(&new).unwrap().is_valid(&w.instance));
}

/// A witness is built by following each `$ref` where it is written: against an embedded
/// resource's `$id`, not the root, whose `$defs` has a decoy of the same name. Before, the
/// change was found but had no witness.
#[test]
fn witnesses_follow_references_where_they_are_written() {
    let embedded = |colors: Value| {
        Document::from_value(
            "root.json",
            json!({
                "$schema": "https://json-schema.org/draft/2020-12/schema",
                "$id": "https://example.com/events/root.json",
                "type": "object",
                "required": ["a", "b"],
                "properties": {
                    "a": {
                        "$id": "https://example.com/shared/a.json",
                        "$defs": {"color": {"type": "string", "enum": colors}},
                        "$ref": "#/$defs/color"
                    },
                    "b": {"$ref": "#/$defs/count"}
                },
                "$defs": {"count": {"type": "integer", "minimum": 1}, "color": {"type": "integer"}}
            }),
        )
        .unwrap()
    };
    let opts = Options {
        mode: Mode::Backward,
        rules: Rules::Standard,
        witnesses: true,
        ..Options::default()
    };
    let report = check_with(
        &embedded(json!(["red", "green", "blue"])),
        &embedded(json!(["red", "green"])),
        &HashMap::<String, Document>::new(),
        opts,
    )
    .unwrap();
    let removed = report
        .breaking()
        .find(|c| c.kind.id() == "enum-value-removed")
        .expect("the removed value is found");
    let w = removed.witness.as_ref().expect("and has a witness");
    assert_eq!(w.instance, json!({"a": "blue", "b": 1}));
}
