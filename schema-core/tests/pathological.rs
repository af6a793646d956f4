//! Hostile schemas: comparisons that grow without bound unless the engine bounds them. Each must
//! end, within the default budget, in a verdict or an honest `undecidable`.

use std::time::Instant;

use schema_core::{check, Budget, Document, Mode, Options, Rules};
use serde_json::{json, Map, Value};

/// `n` mutually recursive object types, each holding an `id`, a `oneOf` over every type and an
/// array of that union; the root is the union too. `changed` gives type `changed`'s `id`
/// another type.
fn recursive_union(n: usize, changed: Option<usize>) -> Value {
    let union = |n: usize| -> Value {
        Value::Array(
            (0..n)
                .map(|j| json!({"$ref": format!("#/$defs/T{j}")}))
                .collect(),
        )
    };
    let mut defs = Map::new();
    for i in 0..n {
        let id_type = if changed == Some(i) {
            "integer"
        } else {
            "string"
        };
        defs.insert(
            format!("T{i}"),
            json!({
                "type": "object",
                "properties": {
                    "id": {"type": id_type},
                    "kind": {"const": format!("t{i}")},
                    "parent": {"oneOf": union(n)},
                    "children": {"type": "array", "items": {"oneOf": union(n)}},
                    "next": {"$ref": format!("#/$defs/T{}", (i + 1) % n)}
                },
                "required": ["id", "kind"]
            }),
        );
    }
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "oneOf": union(n),
        "$defs": defs
    })
}

fn diff(old: Value, new: Value, rules: Rules, budget: Budget) -> schema_core::Report {
    let old = Document::from_value("old", old).unwrap();
    let new = Document::from_value("new", new).unwrap();
    check(
        &old,
        &new,
        Options {
            mode: Mode::Full,
            rules,
            witnesses: true,
            schema_version: false,
            budget,
        },
    )
    .unwrap()
}

fn ran_out(report: &schema_core::Report) -> bool {
    report
        .changes
        .iter()
        .any(|c| c.kind.id() == "undecidable" && c.message.contains("budget ran out"))
}

/// Twelve mutually recursive types behind unions, one `id` type changed: decided (every branch
/// reaches the changed type) within the default budget, under every rule set.
#[test]
fn recursive_unions_are_decided() {
    for rules in [Rules::Events, Rules::Standard, Rules::Lenient] {
        let start = Instant::now();
        let report = diff(
            recursive_union(12, None),
            recursive_union(12, Some(5)),
            rules,
            Budget::default(),
        );
        println!(
            "{rules}: compatible={} changes={} in {:?}",
            report.compatible,
            report.changes.len(),
            start.elapsed()
        );
        assert!(
            !report.compatible,
            "{rules}: a changed id type is not compatible"
        );
        assert!(!ran_out(&report), "{rules}: {:?}", report.changes);
        let same = diff(
            recursive_union(12, Some(5)),
            recursive_union(12, Some(5)),
            rules,
            Budget::default(),
        );
        assert!(same.compatible, "{rules}: {:?}", same.changes);
    }
}

/// Larger generated unions and a small budget: the comparison stops where the budget runs out
/// and says so, breaking both ways, never a guess.
#[test]
fn budget_exhaustion_is_undecidable() {
    for n in [4, 16, 24] {
        let budget = Budget {
            steps: 500,
            changes: 10_000,
        };
        let report = diff(
            recursive_union(n, None),
            recursive_union(n, Some(n - 1)),
            Rules::Standard,
            budget,
        );
        assert!(!report.compatible);
        if ran_out(&report) {
            let c = report
                .changes
                .iter()
                .find(|c| c.kind.id() == "undecidable")
                .unwrap();
            assert_eq!(c.breaks.len(), 2, "{c:?}");
        }
        // Identical schemas are compared without spending the budget.
        let same = diff(
            recursive_union(n, None),
            recursive_union(n, None),
            Rules::Standard,
            budget,
        );
        assert!(same.compatible, "n={n}: {:?}", same.changes);
    }
    let tiny = Budget {
        steps: 10,
        changes: 10,
    };
    let report = diff(
        recursive_union(24, None),
        recursive_union(24, Some(3)),
        Rules::Events,
        tiny,
    );
    assert!(ran_out(&report), "{:?}", report.changes);
}

/// Size keywords far beyond memory (`minLength`, `minItems`, `minProperties` near 2^64) are
/// bounds like any other: the diff reports them, and the witness search gives up on sizes it
/// cannot build instead of allocating them (the fuzzer found `"x".repeat(minLength)`).
#[test]
fn huge_size_bounds_are_not_allocated() {
    let huge = u64::MAX / 2;
    let old = json!({"type": "object", "properties": {
        "s": {"type": "string"},
        "a": {"type": "array", "items": {"type": "string", "minLength": huge}},
        "o": {"type": "object"}
    }});
    let new = json!({"type": "object", "properties": {
        "s": {"type": "string", "minLength": huge, "maxLength": huge},
        "a": {"type": "array", "minItems": huge, "items": {"type": "string", "minLength": huge}},
        "o": {"type": "object", "minProperties": huge, "maxProperties": huge}
    }, "required": ["s", "a", "o"]});
    for rules in [Rules::Events, Rules::Standard] {
        let report = diff(old.clone(), new.clone(), rules, Budget::default());
        assert!(!report.compatible);
        assert!(report
            .changes
            .iter()
            .any(|c| c.kind.id() == "min-length-added"));
    }
}
