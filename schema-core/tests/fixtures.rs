//! The fixture suite: every `tests/fixtures/<keyword>/<case>.json` holds an old and a new schema
//! and the verdicts expected under `events` (and, where stated, `standard`). For each fixture:
//! the verdicts hold, the JSON report matches its accepted snapshot, diffing a schema with
//! itself yields nothing, every pointer resolves in its schema, and every witness is valid
//! under one schema and invalid under the other.

mod support;

use schema_core::validate::Compiled;
use schema_core::{check, Mode, Options, Rules, Side};
use serde_json::Value;
use support::{as_seen_by, fixture_paths, Fixture};

#[test]
fn fixtures_verdicts_and_snapshots() {
    let mut failures = Vec::new();
    let paths = fixture_paths();
    assert!(paths.len() > 90, "fixtures missing");
    for path in &paths {
        let fx = Fixture::load(path);
        for rules in [Rules::Events, Rules::Standard, Rules::Lenient] {
            for backward in [true, false] {
                let Some(expected) = fx.expected(rules, backward) else {
                    continue;
                };
                let mode = if backward {
                    Mode::Backward
                } else {
                    Mode::Forward
                };
                let report = check(&fx.old, &fx.new, fx.options(mode, rules)).unwrap();
                if report.compatible != expected {
                    let kinds: Vec<String> = report
                        .changes
                        .iter()
                        .map(|c| format!("{} {:?}", c.kind.id(), c.breaks))
                        .collect();
                    failures.push(format!(
                        "{} [{rules} {mode}] expected compatible={expected}, got {kinds:?}",
                        fx.name
                    ));
                }
            }
        }
        let report = check(&fx.old, &fx.new, fx.options(Mode::Full, Rules::Events)).unwrap();
        let mut json = serde_json::to_value(&report).unwrap();
        for c in json["changes"].as_array_mut().unwrap() {
            c.as_object_mut().unwrap().remove("file");
        }
        let mut settings = insta::Settings::clone_current();
        settings.set_snapshot_path("snapshots");
        settings.set_prepend_module_to_snapshot(false);
        settings.set_description(fx.raw.get("about").and_then(Value::as_str).unwrap_or(""));
        settings.bind(|| {
            insta::assert_snapshot!(
                fx.name.replace('/', "__"),
                serde_json::to_string_pretty(&json).unwrap()
            )
        });
    }
    assert!(
        failures.is_empty(),
        "{} verdicts wrong:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn diff_with_itself_is_empty() {
    for path in fixture_paths() {
        let fx = Fixture::load(&path);
        for doc in [&fx.old, &fx.new] {
            for rules in [Rules::Events, Rules::Standard] {
                let r = check(
                    doc,
                    doc,
                    Options {
                        rules,
                        ..Options::default()
                    },
                )
                .unwrap();
                assert!(r.changes.is_empty(), "{}: {:?}", fx.name, r.changes);
            }
        }
    }
}

#[test]
fn every_pointer_resolves() {
    for path in fixture_paths() {
        let fx = Fixture::load(&path);
        for rules in [Rules::Events, Rules::Standard, Rules::Lenient] {
            let r = check(
                &fx.old,
                &fx.new,
                Options {
                    rules,
                    ..Options::default()
                },
            )
            .unwrap();
            for c in &r.changes {
                assert!(
                    fx.old.root.pointer(&c.old_pointer).is_some(),
                    "{}: old pointer {:?} of {}",
                    fx.name,
                    c.old_pointer,
                    c.kind.id()
                );
                assert!(
                    fx.new.root.pointer(&c.new_pointer).is_some(),
                    "{}: new pointer {:?} of {}",
                    fx.name,
                    c.new_pointer,
                    c.kind.id()
                );
            }
        }
    }
}

/// Counts breaking changes and those with a witness across the fixtures and asserts that every
/// witness shown separates the two schemas. The share is printed for the notes.
#[test]
fn witnesses_separate_the_schemas() {
    let (mut breaking, mut witnessed, mut semantic) = (0, 0, 0);
    let mut missing = Vec::new();
    for path in fixture_paths() {
        let fx = Fixture::load(&path);
        let (vo, vn) = (
            Compiled::new(&fx.old).unwrap(),
            Compiled::new(&fx.new).unwrap(),
        );
        for rules in [Rules::Events, Rules::Standard] {
            let r = check(&fx.old, &fx.new, fx.options(Mode::Full, rules)).unwrap();
            for c in r.breaking() {
                breaking += 1;
                if c.kind.policy_only() || undecided(c.kind.id()) {
                    continue;
                }
                semantic += 1;
                match &c.witness {
                    Some(w) => {
                        witnessed += 1;
                        let (acc, rej, rej_doc) = if w.valid_under == Side::Old {
                            (&vo, &vn, &fx.new)
                        } else {
                            (&vn, &vo, &fx.old)
                        };
                        assert!(
                            acc.is_valid(&w.instance),
                            "{}: witness {} not valid",
                            fx.name,
                            w.instance
                        );
                        assert!(
                            !rej.is_valid(&as_seen_by(&w.instance, rej_doc)),
                            "{}: witness {} not rejected",
                            fx.name,
                            w.instance
                        );
                    }
                    None => missing.push(format!("{} {}", fx.name, c.kind.id())),
                }
            }
        }
    }
    println!("witnesses: {witnessed} of {semantic} semantic breaking changes ({:.1}%), {breaking} breaking changes in all", 100.0 * witnessed as f64 / semantic.max(1) as f64);
    for m in &missing {
        println!("  no witness: {m}");
    }
    assert!(
        witnessed * 10 >= semantic * 9,
        "witness share below 90%: {witnessed}/{semantic}"
    );
}

/// Changes that break because inclusion is not decided (or not decided precisely): a witness
/// may exist but is not promised.
fn undecided(kind: &str) -> bool {
    matches!(
        kind,
        "one-of-overlap"
            | "undecidable"
            | "pattern-changed"
            | "format-changed"
            | "enum-changed"
            | "const-changed"
            | "multiple-of-changed"
            | "type-changed"
    )
}

/// Every change kind of the rule table is shown by at least one fixture (its accepted
/// snapshot), so a new rule row comes with a case that exercises it. The kinds listed here are
/// produced outside a two-schema diff and tested where they arise.
#[test]
fn every_change_kind_has_a_fixture() {
    const ELSEWHERE: &[(&str, &str)] = &[(
        "subject-removed",
        "compat-cli/tests/check.rs deleted_schema_is_a_removed_subject",
    )];
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots");
    let mut seen = std::collections::HashSet::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap_or_default();
        for rule in schema_core::RULES {
            if text.contains(&format!("\"kind\": \"{}\"", rule.id)) {
                seen.insert(rule.id);
            }
        }
    }
    let missing: Vec<&str> = schema_core::RULES
        .iter()
        .map(|r| r.id)
        .filter(|id| !seen.contains(id) && !ELSEWHERE.iter().any(|(k, _)| k == id))
        .collect();
    assert!(
        missing.is_empty(),
        "change kinds without a fixture: {missing:?}"
    );
}
