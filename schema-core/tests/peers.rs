//! The compatibility suites of other registries and checkers (`shared/conformance/peers/`:
//! Karapace, Apicurio, jsoncompat, getsentry's json-schema-diff), run through the engine with
//! `--rules standard`. Prints the agreement per peer. Every disagreement must be listed in
//! `peer-deviations.json` with its reason, and the reason is checked here:
//!
//! - `witness`: the peer calls a change compatible that is not; the listed instance must be
//!   valid under one schema and invalid under the other, in the direction the case checks.
//! - `no-instance-breaks`: the peer calls breaking a change that no instance can show (an
//!   equivalent rewrite or a widening in the checked direction); the soundness probe of
//!   `support/probe.rs` runs over the case and must find no counterexample.
//! - `policy`: the peer applies a rule of its own (named in `why`); schemagate's verdict is
//!   the instance-semantics one, and is probed for soundness the same way.
//! - `refused`: schemagate refuses the schema itself (a `$ref` loop that a validator would
//!   follow forever); the case must still be refused.
//!
//! Entries group cases that share a reason (`ids`). A listed case that no longer disagrees
//! fails the test, so the list stays true.

mod support;

use std::collections::{BTreeMap, HashMap};

use support::peers::{default_draft, load, Case};

use schema_core::validate::Compiled;
use schema_core::{check, Document, Mode, Options, Report, Rules};
use serde_json::Value;

enum Outcome {
    Verdict(Box<Report>),
    Refused(String),
}

fn run(case: &Case) -> (Outcome, Option<(Document, Document)>) {
    let draft = default_draft(&case.peer);
    let parsed = Document::from_value_in("old", case.old.clone(), draft)
        .and_then(|o| Document::from_value_in("new", case.new.clone(), draft).map(|n| (o, n)));
    match parsed {
        Err(e) => (Outcome::Refused(e.to_string()), None),
        Ok((o, n)) => {
            let options = Options {
                mode: case.mode,
                rules: Rules::Standard,
                schema_version: false,
                ..Options::default()
            };
            match check(&o, &n, options) {
                Ok(r) => (Outcome::Verdict(Box::new(r)), Some((o, n))),
                Err(e) => (Outcome::Refused(e.to_string()), Some((o, n))),
            }
        }
    }
}

struct Deviation {
    reason: String,
    witness: Option<(Value, String)>,
}

fn deviations() -> HashMap<String, Deviation> {
    let v: Value = serde_json::from_str(include_str!("peer-deviations.json")).unwrap();
    let mut out = HashMap::new();
    for d in v.as_array().unwrap() {
        let reason = d["reason"].as_str().unwrap().to_string();
        assert!(
            ["witness", "no-instance-breaks", "policy", "refused"].contains(&reason.as_str()),
            "unknown reason {reason}"
        );
        assert!(
            d["why"].as_str().is_some_and(|w| w.len() > 20),
            "a deviation says why: {d}"
        );
        let witness = d.get("witness").map(|w| {
            (
                w.clone(),
                d["valid_under"].as_str().expect("valid_under").to_string(),
            )
        });
        for id in d["ids"].as_array().unwrap() {
            let id = id.as_str().unwrap().to_string();
            let dev = Deviation {
                reason: reason.clone(),
                witness: witness.clone(),
            };
            assert!(out.insert(id.clone(), dev).is_none(), "{id} listed twice");
        }
    }
    out
}

#[test]
fn peer_suites_agree_or_are_listed() {
    let Some(shared) = support::shared_dir("peer compatibility suites") else {
        return;
    };
    let cases = load(&shared);
    let devs = deviations();
    let mut per_peer: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let mut unlisted = Vec::new();
    let mut stale = Vec::new();
    let mut bad = Vec::new();
    let mut seen = 0;
    for case in &cases {
        let (outcome, docs) = run(case);
        let agree = matches!(&outcome, Outcome::Verdict(r) if r.compatible == case.compatible);
        let e = per_peer.entry(case.peer.clone()).or_default();
        e.1 += 1;
        if agree {
            e.0 += 1;
            if devs.contains_key(&case.id) {
                stale.push(case.id.clone());
            }
            continue;
        }
        let describe = || match &outcome {
            Outcome::Refused(e) => format!("refused: {e}"),
            Outcome::Verdict(r) => format!(
                "ours compatible={} ({}), peer {}",
                r.compatible,
                r.breaking()
                    .map(|c| format!("{} {} {:?}", c.kind.id(), c.new_pointer, c.breaks))
                    .collect::<Vec<_>>()
                    .join("; "),
                case.compatible
            ),
        };
        let Some(dev) = devs.get(&case.id) else {
            unlisted.push(format!("{} [{}] {}", case.id, case.mode, describe()));
            continue;
        };
        seen += 1;
        if dev.reason == "refused" {
            if !matches!(outcome, Outcome::Refused(_)) {
                bad.push(format!(
                    "{}: listed as refused, but {}",
                    case.id,
                    describe()
                ));
            }
            continue;
        }
        let (Outcome::Verdict(report), Some((old, new))) = (&outcome, docs) else {
            bad.push(format!(
                "{}: listed, but we refuse it: {}",
                case.id,
                describe()
            ));
            continue;
        };
        match dev.reason.as_str() {
            "witness" => {
                // The peer said compatible; the witness proves a checked direction broken.
                let Some((w, valid_under)) = &dev.witness else {
                    bad.push(format!("{}: reason witness without a witness", case.id));
                    continue;
                };
                let (acc, rej) = if valid_under == "old" {
                    (&old, &new)
                } else {
                    (&new, &old)
                };
                let direction_checked = matches!(
                    (valid_under.as_str(), case.mode),
                    ("old", Mode::Backward | Mode::Full) | ("new", Mode::Forward | Mode::Full)
                );
                let ok = case.compatible
                    && !report.compatible
                    && direction_checked
                    && Compiled::new(acc).unwrap().is_valid(w)
                    && !Compiled::new(rej).unwrap().is_valid(w);
                if !ok {
                    bad.push(format!(
                        "{}: the witness does not prove the peer wrong",
                        case.id
                    ));
                }
            }
            _ => {
                // We call it compatible (or the peer does on a policy of its own): our
                // compatible verdicts must survive the soundness probe.
                if report.compatible {
                    let found = support::probe::probe_counterexample(&old, &new, case.mode, 300);
                    if let Some(x) = found {
                        bad.push(format!("{}: counterexample to our verdict: {x}", case.id));
                    }
                }
            }
        }
    }
    println!("peer agreement (--rules standard):");
    let (mut a, mut t) = (0, 0);
    for (peer, (agree, total)) in &per_peer {
        println!(
            "  {peer:18} {agree:4} of {total:4} ({:.1}%)",
            100.0 * *agree as f64 / *total as f64
        );
        a += agree;
        t += total;
    }
    println!("  {:18} {a:4} of {t:4}; {seen} listed deviations", "all");
    for u in &unlisted {
        eprintln!("UNLISTED {u}");
    }
    assert!(
        bad.is_empty(),
        "deviations that do not hold:\n{}",
        bad.join("\n")
    );
    assert!(stale.is_empty(), "listed but now agreeing: {stale:?}");
    assert!(
        unlisted.is_empty(),
        "{} disagreements not listed in peer-deviations.json",
        unlisted.len()
    );
}
