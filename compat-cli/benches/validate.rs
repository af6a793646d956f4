//! `compat-cli validate` throughput (`cargo bench -p compat-cli --bench validate -- FILE`), on
//! NDJSON exposure events from `shared/bench/gen_payloads.py` against
//! `shared/bench/exposure.schema.json`, compared in the same run with parsing alone (serde_json
//! to `Value`) and with the bare `jsonschema` crate (parse + `is_valid`), with `--jobs 1` and
//! `--jobs 2`. Medians of 3 runs. Run unpinned on an otherwise idle two-core machine: the
//! baselines use one thread, and `--jobs 2` needs both cores. Prints events per second and the
//! valid count.

use std::io::BufRead;
use std::path::PathBuf;
use std::time::Instant;

use std::process::{Command, Stdio};

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

fn main() {
    let file = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with("--"))
        .map(PathBuf::from)
        .expect("usage: validate FILE.ndjson");
    let shared =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/bench/exposure.schema.json");
    let schema_text = std::fs::read_to_string(&shared).unwrap();
    let schema: serde_json::Value = serde_json::from_str(&schema_text).unwrap();
    let lines: Vec<String> = std::io::BufReader::new(std::fs::File::open(&file).unwrap())
        .lines()
        .map(|l| l.unwrap())
        .collect();
    let n = lines.len() as f64;

    let mut parse = Vec::new();
    let mut bare = Vec::new();
    let mut ours = [Vec::new(), Vec::new()];
    let mut bare_valid = 0;
    let mut ours_summary = String::new();
    for _ in 0..3 {
        let t = Instant::now();
        for l in &lines {
            std::hint::black_box(serde_json::from_str::<serde_json::Value>(l).ok());
        }
        parse.push(n / t.elapsed().as_secs_f64());

        let validator = jsonschema::options()
            .should_validate_formats(true)
            .build(&schema)
            .unwrap();
        let t = Instant::now();
        bare_valid = 0;
        for l in &lines {
            if let Ok(v) = serde_json::from_str::<serde_json::Value>(l) {
                if validator.is_valid(&v) {
                    bare_valid += 1;
                }
            }
        }
        bare.push(n / t.elapsed().as_secs_f64());

        // The shipped binary (with its allocator), as users run it: process start, schema
        // compile, reading the file and the summary line are all inside the timing.
        for (jobs, times) in ["1", "2"].iter().zip(ours.iter_mut()) {
            let t = Instant::now();
            let out = Command::new(env!("CARGO_BIN_EXE_compat-cli"))
                .args(["validate", "--jobs", jobs, "--schema"])
                .arg(&shared)
                .arg(&file)
                .stderr(Stdio::null())
                .output()
                .unwrap();
            times.push(n / t.elapsed().as_secs_f64());
            ours_summary = String::from_utf8_lossy(&out.stdout).trim().to_string();
        }
    }
    let [one, two] = ours;
    let (p, b, o, o2) = (median(parse), median(bare), median(one), median(two));
    println!("| what | events/s | ratio to bare crate |");
    println!("|---|---:|---:|");
    println!(
        "| serde_json parse to Value only | {p:.0} | {:.2}x |",
        p / b
    );
    println!("| jsonschema crate, parse + is_valid | {b:.0} | 1.00x |");
    println!(
        "| compat-cli validate --jobs 1 (binary, streaming, counts, reports) | {o:.0} | {:.2}x |",
        o / b
    );
    println!(
        "| compat-cli validate --jobs 2 | {o2:.0} | {:.2}x ({:.2}x --jobs 1) |",
        o2 / b,
        o2 / o
    );
    println!("bare crate valid count: {bare_valid} of {}", lines.len());
    println!("compat-cli: {ours_summary}");
}
