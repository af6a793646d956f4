//! Cross-document references (Confluent `references`): a `$ref` to another registered
//! document is resolved through a [`Resolver`] and compared like a local one; a reference the
//! resolver does not know, or a remote URL, is an error naming the place, never a silent pass.

use std::collections::HashMap;

use schema_core::{check_refs, check_with, Document, Error, Mode, Options, Rules};
use serde_json::json;

fn money(amount_type: &str) -> Document {
    Document::from_value("money.json", json!({"type": "object", "properties": {"amount": {"type": amount_type}, "currency": {"type": "string"}}, "required": ["amount", "currency"]})).unwrap()
}

fn order() -> Document {
    Document::from_value("order", json!({"type": "object", "properties": {"total": {"$ref": "money.json"}, "tax": {"$ref": "money.json#/properties/amount"}}})).unwrap()
}

#[test]
fn a_change_in_a_referenced_document_is_found() {
    let old_refs = HashMap::from([("money.json".to_string(), money("number"))]);
    let new_refs = HashMap::from([("money.json".to_string(), money("integer"))]);
    let opts = Options {
        mode: Mode::Backward,
        rules: Rules::Standard,
        ..Options::default()
    };
    // Same referencing schema, different referenced versions: each side resolves its own.
    let report = check_refs(&order(), &old_refs, &order(), &new_refs, opts).unwrap();
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
