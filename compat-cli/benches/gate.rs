//! `compat-cli gate` throughput (`cargo bench -p compat-cli --bench gate -- FILE.ndjson [N]`)
//! against a real `redis-server`, with the floor measured in the same run on the same server:
//!
//! - `xadd`: filling the input stream, pipelined XADDs of 1,000 (the producer side);
//! - `relay`: the least any gate does per entry: XREADGROUP of 500, then XADD of each to an
//!   output stream and XACK, in one MULTI/EXEC, one batch at a time; no validation;
//! - `gate`: `compat-cli gate --drain --batch 500` against a registry holding the exposure
//!   schema (`shared/bench/exposure.schema.json`), the whole process timed.
//!
//! Entries per second, medians of 3. Run unpinned on an otherwise idle two-core machine: Redis,
//! the gate and (for the gate) the registry share the cores.

#[path = "../tests/common/mod.rs"]
mod common;

use std::io::BufRead;
use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;

use redis::Value;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

fn main() {
    let mut args = std::env::args().skip(1).filter(|a| !a.starts_with("--"));
    let file = PathBuf::from(args.next().expect("usage: gate FILE.ndjson [N]"));
    let n: usize = args.next().map_or(200_000, |s| s.parse().unwrap());
    let lines: Vec<String> = std::io::BufReader::new(std::fs::File::open(&file).unwrap())
        .lines()
        .take(n)
        .map(|l| l.unwrap())
        .collect();
    let n = lines.len();
    let redis = common::Redis::start("the gate benchmark").expect("redis-server");
    let mut con = redis.connect();
    // The registry, in this process, over a throwaway SQLite file.
    let (dir, _rt, base) = common::open_registry("gate-bench");
    let schema =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/bench/exposure.schema.json");
    let cli = env!("CARGO_BIN_EXE_compat-cli");
    let o = Command::new(cli)
        .args(["register", "--registry", &base, "--subject", "exposure"])
        .arg(&schema)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));

    let (mut xadd, mut relay, mut gate) = (Vec::new(), Vec::new(), Vec::new());
    let mut summary = String::new();
    for _ in 0..3 {
        for key in ["in", "in:valid", "in:dlq", "relay"] {
            let _: i64 = redis::cmd("DEL").arg(key).query(&mut con).unwrap();
        }
        let t = Instant::now();
        for chunk in lines.chunks(1000) {
            let mut pipe = redis::pipe();
            for l in chunk {
                pipe.cmd("XADD")
                    .arg("in")
                    .arg("*")
                    .arg("subject")
                    .arg("exposure")
                    .arg("payload")
                    .arg(l)
                    .ignore();
            }
            let () = pipe.query(&mut con).unwrap();
        }
        xadd.push(n as f64 / t.elapsed().as_secs_f64());

        let _: Value = redis::cmd("XGROUP")
            .arg("CREATE")
            .arg("in")
            .arg("raw")
            .arg("0")
            .query(&mut con)
            .unwrap();
        let t = Instant::now();
        let mut moved = 0;
        while moved < n {
            let reply: Value = redis::cmd("XREADGROUP")
                .arg("GROUP")
                .arg("raw")
                .arg("c")
                .arg("COUNT")
                .arg(500)
                .arg("STREAMS")
                .arg("in")
                .arg(">")
                .query(&mut con)
                .unwrap();
            let entries = entries_of(reply);
            if entries.is_empty() {
                break;
            }
            let mut pipe = redis::pipe();
            pipe.atomic();
            for (id, fields) in &entries {
                let mut c = redis::cmd("XADD");
                c.arg("relay").arg("*");
                for (k, v) in fields {
                    c.arg(k.as_slice()).arg(v.as_slice());
                }
                c.arg("source").arg(id);
                pipe.add_command(c).ignore();
            }
            pipe.cmd("XACK").arg("in").arg("raw");
            for (id, _) in &entries {
                pipe.arg(id);
            }
            pipe.ignore();
            let () = pipe.query(&mut con).unwrap();
            moved += entries.len();
        }
        relay.push(moved as f64 / t.elapsed().as_secs_f64());

        let t = Instant::now();
        let o = Command::new(cli)
            .args([
                "gate",
                "--redis",
                &redis.url(),
                "--stream",
                "in",
                "--registry",
                &base,
            ])
            .args(["--batch", "500", "--drain", "--progress-secs", "3600"])
            .output()
            .unwrap();
        gate.push(n as f64 / t.elapsed().as_secs_f64());
        summary = String::from_utf8_lossy(&o.stderr).trim().to_string();
        let valid: u64 = redis::cmd("XLEN").arg("in:valid").query(&mut con).unwrap();
        let dead: u64 = redis::cmd("XLEN").arg("in:dlq").query(&mut con).unwrap();
        assert_eq!(valid + dead, n as u64, "{summary}");
    }
    let (x, r, g) = (median(xadd), median(relay), median(gate));
    println!("{n} entries of {}, medians of 3", file.display());
    println!("  xadd (pipelined 1,000)          {x:>10.0} entries/s");
    println!("  relay (no validation, the floor) {r:>10.0} entries/s");
    println!(
        "  gate                             {g:>10.0} entries/s  ({:.2}x the relay)",
        g / r
    );
    println!("  last gate run: {summary}");
    std::fs::remove_dir_all(dir).ok();
}

type Fields = Vec<(Vec<u8>, Vec<u8>)>;

fn entries_of(reply: Value) -> Vec<(String, Fields)> {
    let Value::Array(streams) = reply else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for s in streams {
        let Value::Array(parts) = s else { continue };
        let Some(Value::Array(items)) = parts.into_iter().nth(1) else {
            continue;
        };
        for item in items {
            let Value::Array(pair) = item else { continue };
            let [Value::BulkString(id), Value::Array(flat)] = &pair[..] else {
                continue;
            };
            let fields = flat
                .chunks(2)
                .filter_map(|kv| match kv {
                    [Value::BulkString(k), Value::BulkString(v)] => Some((k.clone(), v.clone())),
                    _ => None,
                })
                .collect();
            out.push((String::from_utf8_lossy(id).into_owned(), fields));
        }
    }
    out
}
