//! Soundness, the property the engine's verdicts promise: wherever the engine calls a change
//! compatible in a direction, every instance valid under the source schema is valid under the
//! target. For every fixture (and every Confluent corpus case under `standard`), this generates
//! random instances of the source schema, keeps those the validator accepts, and checks them
//! against the target. Under `events`, instances respect the NOT_SET assumption: they carry no
//! property that only the other schema declares. Zero counterexamples allowed.

mod support;

use schema_core::validate::Compiled;
use schema_core::{Document, Mode, Options, Rules};
use support::probe::{all_property_names, probe, Gen, Rng, SAMPLES};
use support::{fixture_paths, Fixture};

#[test]
fn compatible_verdicts_hold_on_fixtures() {
    let (mut checked, mut bad) = (0, Vec::new());
    for (i, path) in fixture_paths().iter().enumerate() {
        let fx = Fixture::load(path);
        for rules in [Rules::Events, Rules::Standard] {
            let (c, b) = probe(
                &fx.old,
                &fx.new,
                fx.options(Mode::Full, rules),
                1000 + i as u64,
                &fx.name,
            );
            checked += c;
            bad.extend(b);
        }
    }
    println!(
        "soundness (fixtures): {checked} valid source instances checked, {} counterexamples",
        bad.len()
    );
    assert!(checked > 5000, "too few instances generated: {checked}");
    assert!(bad.is_empty(), "counterexamples:\n{}", bad.join("\n"));
}

/// The fixtures again, with one root keyword of one side moved into an `allOf` part of its
/// own. The rewrite need not be equivalent (`additionalProperties` apart from `properties`
/// means more): the verdict on the rewritten pair must be sound all the same. Product
/// matching pairs parts that each hold only some keywords; this is where it went wrong before
/// (`required` in a part that declares no properties was not compared).
#[test]
fn compatible_verdicts_hold_when_keywords_move_into_all_of_parts() {
    // Keywords that give the document its meaning or its references stay at the root.
    const STAY: &[&str] = &["$schema", "$id", "$defs", "definitions", "$anchor", "allOf"];
    let (mut checked, mut bad, mut pairs) = (0, Vec::new(), 0);
    for (i, path) in fixture_paths().iter().enumerate() {
        let fx = Fixture::load(path);
        for new_side in [false, true] {
            let doc = if new_side { &fx.new } else { &fx.old };
            let Some(root) = doc.root.as_object() else {
                continue;
            };
            for key in root.keys().filter(|k| !STAY.contains(&k.as_str())) {
                let mut moved = root.clone();
                let value = moved.remove(key).unwrap();
                let part = serde_json::json!({ key.clone(): value });
                match moved.get_mut("allOf").and_then(|a| a.as_array_mut()) {
                    Some(all) => all.push(part),
                    None => {
                        moved.insert("allOf".into(), serde_json::json!([part]));
                    }
                }
                let name = format!("{}:{}", doc.name, key);
                let Ok(rewritten) =
                    Document::from_value_in(&name, moved.into(), schema_core::Draft::Draft202012)
                else {
                    continue;
                };
                let (old, new) = if new_side {
                    (&fx.old, &rewritten)
                } else {
                    (&rewritten, &fx.new)
                };
                pairs += 1;
                for rules in [Rules::Events, Rules::Standard] {
                    let options = fx.options(Mode::Full, rules);
                    let (c, b) = probe(old, new, options, 3000 + i as u64, &name);
                    checked += c;
                    bad.extend(b);
                }
            }
        }
    }
    println!(
        "soundness (keywords moved into allOf): {pairs} pairs, {checked} valid source instances checked, {} counterexamples",
        bad.len()
    );
    assert!(checked > 5000, "too few instances generated: {checked}");
    assert!(bad.is_empty(), "counterexamples:\n{}", bad.join("\n"));
}

/// Every case of the peers' suites, under `events` and `standard`, both directions.
#[test]
fn compatible_verdicts_hold_on_the_peer_suites() {
    let Some(shared) = support::shared_dir("soundness over the peer suites") else {
        return;
    };
    let (mut checked, mut bad, mut cases) = (0, Vec::new(), 0);
    for (i, case) in support::peers::load(&shared).iter().enumerate() {
        let draft = support::peers::default_draft(&case.peer);
        let (Ok(old), Ok(new)) = (
            Document::from_value_in("old", case.old.clone(), draft),
            Document::from_value_in("new", case.new.clone(), draft),
        ) else {
            continue; // refused schemas are listed in peer-deviations.json
        };
        cases += 1;
        for rules in [Rules::Events, Rules::Standard] {
            let options = Options {
                rules,
                schema_version: false,
                ..Options::default()
            };
            let (c, b) = probe(&old, &new, options, 11 + i as u64, &case.id);
            checked += c;
            bad.extend(b);
        }
    }
    println!(
        "soundness (peer suites): {cases} cases, {checked} valid source instances checked, {} counterexamples",
        bad.len()
    );
    assert!(checked > 20_000, "too few instances generated: {checked}");
    assert!(bad.is_empty(), "counterexamples:\n{}", bad.join("\n"));
}

#[test]
fn compatible_verdicts_hold_on_the_confluent_corpus() {
    let Some(shared) = support::shared_dir("soundness over the Confluent corpus") else {
        return;
    };
    let dir = shared.join("conformance/confluent");
    let (mut checked, mut bad) = (0, Vec::new());
    for file in [
        "diff-schema-examples.json",
        "diff-combined-schema-examples.json",
        "diff-schema-examples-2020-12.json",
        "diff-combined-schema-examples-2020-12.json",
    ] {
        let cases = support::lenient_json(&std::fs::read_to_string(dir.join(file)).unwrap());
        for (i, case) in cases.as_array().unwrap().iter().enumerate() {
            let old = Document::from_value("old", case["original_schema"].clone()).unwrap();
            let new = Document::from_value("new", case["update_schema"].clone()).unwrap();
            for rules in [Rules::Events, Rules::Standard] {
                let options = Options {
                    rules,
                    schema_version: false,
                    ..Options::default()
                };
                let (c, b) = probe(&old, &new, options, 7 + i as u64, &format!("{file}#{i}"));
                checked += c;
                bad.extend(b);
            }
        }
    }
    println!(
        "soundness (corpus): {checked} valid source instances checked, {} counterexamples",
        bad.len()
    );
    assert!(bad.is_empty(), "counterexamples:\n{}", bad.join("\n"));
}

/// The payload fast path (`payload::Reader`, a simd-json tape) must agree with the
/// `serde_json::Value` path on every generated instance of every fixture schema, valid or not.
#[test]
fn tape_and_value_paths_agree_on_generated_instances() {
    let mut reader = schema_core::payload::Reader::default();
    let (mut checked, mut taped, mut bad) = (0, 0, Vec::new());
    for (i, path) in fixture_paths().iter().enumerate() {
        let fx = Fixture::load(path);
        for doc in [&fx.old, &fx.new] {
            let Ok(c) = Compiled::new(doc) else { continue };
            let g = Gen {
                doc,
                foreign: all_property_names(doc),
            };
            let mut rng = Rng(7000 + i as u64);
            for _ in 0..SAMPLES {
                let inst = g.gen(&doc.root, &mut rng, 0);
                let text = inst.to_string();
                let payload = reader.read(text.as_bytes()).unwrap();
                taped += usize::from(matches!(payload, schema_core::payload::Payload::Tape(_)));
                let tape = c.is_valid_payload(&payload);
                checked += 1;
                if tape != c.is_valid(&inst) {
                    bad.push(format!("{} ({}): {text}", fx.name, doc.name));
                }
            }
        }
    }
    println!(
        "tape vs value: {checked} instances ({taped} read as a tape), {} disagree",
        bad.len()
    );
    assert!(checked > 50_000, "too few instances: {checked}");
    assert!(taped > checked * 4 / 5, "fast path hardly used: {taped}");
    assert!(bad.is_empty(), "disagreements:\n{}", bad.join("\n"));
}
