//! Engine benchmark (`cargo bench -p schema-core --bench diff`): diffs of generated event
//! schemas with `$ref`s at growing sizes, and a transitive check of one new version against
//! growing numbers of earlier ones. Each figure is the median of several runs and is printed
//! beside a baseline measured in the same run (parsing the same documents with serde_json), so
//! ratios carry over between machines. Run it pinned: `taskset -c 1 cargo bench ...`.

use std::time::{Duration, Instant};

use schema_core::{check, Document, Mode, Options, Rules};
use serde_json::{json, Map, Value};

/// A 5-level schema: `$defs/Level0..4`, each with `per_level` scalar properties and a `child`
/// referencing the next level, plus `extra` optional fields at the root (for versions).
fn schema(per_level: usize, extra: usize, tweak: bool) -> Value {
    let mut defs = Map::new();
    for level in 0..5 {
        let mut props = Map::new();
        for i in 0..per_level {
            let p = match i % 4 {
                0 => {
                    json!({"type": "string", "maxLength": if tweak && i % 40 == 0 { 128 } else { 64 }})
                }
                1 => json!({"type": "integer", "minimum": 0}),
                2 => json!({"type": "string", "enum": ["a", "b", "c"]}),
                _ => {
                    json!({"type": ["number", "null"], "description": format!("field {i} of level {level}")})
                }
            };
            props.insert(format!("f{i}"), p);
        }
        if level < 4 {
            props.insert(
                "child".into(),
                json!({"$ref": format!("#/$defs/Level{}", level + 1)}),
            );
        }
        defs.insert(
            format!("Level{level}"),
            json!({"type": "object", "properties": props, "additionalProperties": false}),
        );
    }
    let mut root_props = Map::new();
    root_props.insert(
        "schema_version".into(),
        json!({"type": "string", "const": format!("1.{extra}.0")}),
    );
    root_props.insert("body".into(), json!({"$ref": "#/$defs/Level0"}));
    for e in 0..extra {
        root_props.insert(format!("added_{e}"), json!({"type": "string"}));
    }
    json!({"type": "object", "properties": root_props, "required": ["schema_version", "body"], "$defs": defs})
}

fn median(mut runs: Vec<Duration>) -> Duration {
    runs.sort();
    runs[runs.len() / 2]
}

fn time<F: FnMut()>(reps: usize, mut f: F) -> Duration {
    f(); // warm up
    median(
        (0..reps)
            .map(|_| {
                let t = Instant::now();
                f();
                t.elapsed()
            })
            .collect(),
    )
}

fn main() {
    let opts = Options {
        mode: Mode::Full,
        rules: Rules::Events,
        witnesses: false,
        schema_version: true,
        ..Options::default()
    };
    println!("## diff of two versions (5 levels, $refs), mode full, rules events\n");
    println!("| properties | parse both (baseline) | diff | diff / parse | diff per property |");
    println!("|---:|---:|---:|---:|---:|");
    for per_level in [50, 100, 200, 400, 800] {
        let (a, b) = (schema(per_level, 0, false), schema(per_level, 1, true));
        let (ta, tb) = (a.to_string(), b.to_string());
        let parse = time(9, || {
            let x: Value = serde_json::from_str(&ta).unwrap();
            let y: Value = serde_json::from_str(&tb).unwrap();
            std::hint::black_box((x, y));
        });
        let (da, db) = (
            Document::parse("a", &ta).unwrap(),
            Document::parse("b", &tb).unwrap(),
        );
        let diff = time(9, || {
            let r = check(&da, &db, opts).unwrap();
            assert!(r.compatible || !r.changes.is_empty());
            std::hint::black_box(r);
        });
        let n = per_level * 5;
        println!(
            "| {n} | {parse:.2?} | {diff:.2?} | {:.2}x | {:.2?} |",
            diff.as_secs_f64() / parse.as_secs_f64(),
            diff / n as u32
        );
    }
    println!("\n## transitive check: one new version against N earlier versions (1,000 properties each)\n");
    println!(
        "| earlier versions | parse all (baseline) | check all | check / parse | per version |"
    );
    println!("|---:|---:|---:|---:|---:|");
    let texts: Vec<String> = (0..1000)
        .map(|v| schema(200, v, false).to_string())
        .collect();
    let docs: Vec<Document> = texts
        .iter()
        .map(|t| Document::parse("v", t).unwrap())
        .collect();
    let newest = Document::parse("new", &schema(200, 1000, false).to_string()).unwrap();
    let backward = Options {
        mode: Mode::Backward,
        ..opts
    };
    for n in [125, 250, 500, 1000] {
        let parse = time(3, || {
            for t in &texts[..n] {
                std::hint::black_box(serde_json::from_str::<Value>(t).unwrap());
            }
        });
        let all = time(3, || {
            for d in &docs[..n] {
                let r = check(d, &newest, backward).unwrap();
                assert!(r.compatible, "{:?}", r.changes.first());
            }
        });
        println!(
            "| {n} | {parse:.2?} | {all:.2?} | {:.2}x | {:.2?} |",
            all.as_secs_f64() / parse.as_secs_f64(),
            all / n as u32
        );
    }
}
