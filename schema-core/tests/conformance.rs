//! Runs every case of the Confluent JSON Schema diff corpus (`shared/conformance/confluent`)
//! through the engine with `--rules standard --mode backward` (and `lenient` where the case
//! carries `compatible_lenient`). Every case must pass, except the deliberate deviations listed
//! in `conformance-deviations.json`, each of which carries a witness instance proving the peer's
//! verdict wrong; the witness is checked here too.

mod support;

use std::path::PathBuf;

use schema_core::validate::Compiled;
use schema_core::{check, Document, Mode, Options, Rules};
use serde_json::Value;
use support::lenient_json;

const FILES: [&str; 4] = [
    "diff-schema-examples.json",
    "diff-schema-examples-2020-12.json",
    "diff-combined-schema-examples.json",
    "diff-combined-schema-examples-2020-12.json",
];

fn corpus_dir(what: &str) -> Option<PathBuf> {
    support::shared_dir(what).map(|d| d.join("conformance/confluent"))
}

struct Deviation {
    file: String,
    index: usize,
    rules: String,
    witness: Value,
    valid_under: String,
}

fn deviations() -> Vec<Deviation> {
    let text = include_str!("conformance-deviations.json");
    let v: Value = serde_json::from_str(text).expect("deviations file is JSON");
    v.as_array()
        .expect("array")
        .iter()
        .map(|d| Deviation {
            file: d["file"].as_str().unwrap().into(),
            index: d["index"].as_u64().unwrap() as usize,
            rules: d["rules"].as_str().unwrap().into(),
            witness: d["witness"].clone(),
            valid_under: d["valid_under"].as_str().unwrap().into(),
        })
        .collect()
}

#[test]
fn confluent_corpus_verdicts() {
    let Some(dir) = corpus_dir("Confluent corpus verdicts") else {
        return;
    };
    let devs = deviations();
    let (mut passed, mut failed, mut deviated) = (0, 0, 0);
    let mut failures = Vec::new();
    for file in FILES {
        let text = std::fs::read_to_string(dir.join(file))
            .unwrap_or_else(|e| panic!("{}: {e}", dir.join(file).display()));
        let cases = lenient_json(&text);
        for (index, case) in cases.as_array().unwrap().iter().enumerate() {
            // No `$schema` injected: the draft-07 files carry none and are read as the
            // default dialect (draft-07), as Confluent reads them.
            let old = Document::from_value("original_schema", case["original_schema"].clone())
                .expect("old parses");
            let new = Document::from_value("update_schema", case["update_schema"].clone())
                .expect("new parses");
            let strict = case["compatible"].as_bool().unwrap();
            let mut runs = vec![(Rules::Standard, strict)];
            if let Some(l) = case.get("compatible_lenient").and_then(Value::as_bool) {
                runs.push((Rules::Lenient, l));
            }
            for (rules, expected) in runs {
                let report = check(
                    &old,
                    &new,
                    Options {
                        mode: Mode::Backward,
                        rules,
                        witnesses: false,
                        ..Options::default()
                    },
                )
                .unwrap();
                if report.compatible == expected {
                    passed += 1;
                    continue;
                }
                if let Some(d) = devs
                    .iter()
                    .find(|d| d.file == file && d.index == index && d.rules == rules.to_string())
                {
                    // A deviation stands only with a witness proving the peer wrong.
                    let (acc, rej) = if d.valid_under == "old" {
                        (&old, &new)
                    } else {
                        (&new, &old)
                    };
                    assert!(
                        Compiled::new(acc).unwrap().is_valid(&d.witness),
                        "{file}#{index}: witness not valid under {}",
                        d.valid_under
                    );
                    assert!(
                        !Compiled::new(rej).unwrap().is_valid(&d.witness),
                        "{file}#{index}: witness not rejected"
                    );
                    deviated += 1;
                    continue;
                }
                failed += 1;
                let kinds: Vec<String> = report
                    .changes
                    .iter()
                    .map(|c| format!("{} {} {:?}", c.kind.id(), c.new_pointer, c.breaks))
                    .collect();
                failures.push(format!(
                    "{file}#{index} [{rules}] {:?}: expected compatible={expected}; confluent {:?}; ours {kinds:?}",
                    case["description"].as_str().unwrap_or(""),
                    case["changes"]
                ));
            }
        }
    }
    for f in &failures {
        eprintln!("FAIL {f}");
    }
    println!("conformance: {passed} passed, {failed} failed, {deviated} deliberate deviations");
    assert_eq!(failed, 0, "conformance failures:\n{}", failures.join("\n"));
}

/// Witness coverage on the corpus: every breaking change (standard rules, full mode) that is not
/// policy-only gets a witness where one can be built, and every witness separates the schemas.
#[test]
fn confluent_corpus_witnesses() {
    let Some(dir) = corpus_dir("Confluent corpus witnesses") else {
        return;
    };
    let (mut semantic, mut witnessed) = (0, 0);
    for file in FILES {
        let cases = lenient_json(&std::fs::read_to_string(dir.join(file)).unwrap());
        for case in cases.as_array().unwrap() {
            let old = Document::from_value("old", case["original_schema"].clone()).unwrap();
            let new = Document::from_value("new", case["update_schema"].clone()).unwrap();
            let report = check(
                &old,
                &new,
                Options {
                    rules: Rules::Standard,
                    ..Options::default()
                },
            )
            .unwrap();
            let (vo, vn) = (Compiled::new(&old).unwrap(), Compiled::new(&new).unwrap());
            for c in report.breaking() {
                if c.kind.policy_only() || c.kind.id() == "undecidable" {
                    continue;
                }
                semantic += 1;
                if let Some(w) = &c.witness {
                    witnessed += 1;
                    let (acc, rej) = if w.valid_under == schema_core::Side::Old {
                        (&vo, &vn)
                    } else {
                        (&vn, &vo)
                    };
                    assert!(
                        acc.is_valid(&w.instance) && !rej.is_valid(&w.instance),
                        "{file}: bad witness {}",
                        w.instance
                    );
                } else if std::env::var("SHOW_MISSING").is_ok() {
                    println!(
                        "no witness: {file} {} {} {} {:?}",
                        c.kind.id(),
                        c.old_pointer,
                        c.new_pointer,
                        c.breaks
                    );
                }
            }
        }
    }
    println!(
        "corpus witnesses: {witnessed} of {semantic} breaking changes ({:.1}%)",
        100.0 * witnessed as f64 / semantic.max(1) as f64
    );
    assert!(
        witnessed * 10 >= semantic * 9,
        "witness share below 90%: {witnessed}/{semantic}"
    );
}
