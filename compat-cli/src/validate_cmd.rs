//! `compat-cli validate --schema FILE [PAYLOAD…|-] [--dlq FILE] [--valid-out FILE]`: validates
//! JSON payload files (`.json`: one payload) and NDJSON streams (anything else, or stdin, one
//! payload per line) against a schema. Every invalid payload is reported with its file, line,
//! instance pointer, schema keyword and message; `--dlq` receives each invalid payload with its
//! errors as one JSON line, `--valid-out` each valid payload exactly as read. Streaming: one line
//! in memory at a time. Every payload lands in exactly one place, and the counts add up.

use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;
use schema_core::validate::{Compiled, Violation};
use serde_json::{json, Value};

use crate::cli::ValidateArgs;
use crate::input::read_schema;
use crate::Outcome;

/// Where invalid and valid payloads go.
struct Sinks {
    dlq: Option<BufWriter<File>>,
    valid: Option<BufWriter<File>>,
    valid_count: u64,
    invalid_count: u64,
    /// Human lines reported (the first few hundred; the DLQ has all of them).
    reported: u64,
}

const REPORT_LIMIT: u64 = 200;

impl Sinks {
    fn accept(&mut self, raw: &str) -> anyhow::Result<()> {
        self.valid_count += 1;
        if let Some(w) = &mut self.valid {
            w.write_all(raw.trim_end_matches(['\n', '\r']).as_bytes())?;
            w.write_all(b"\n")?;
        }
        Ok(())
    }

    fn reject(
        &mut self,
        file: &str,
        line: u64,
        raw: &str,
        parsed: Option<&Value>,
        errors: &[Violation],
    ) -> anyhow::Result<()> {
        self.invalid_count += 1;
        if self.reported < REPORT_LIMIT {
            for e in errors {
                eprintln!(
                    "{file}:{line}: {}: {} ({})",
                    if e.instance_pointer.is_empty() {
                        "/"
                    } else {
                        &e.instance_pointer
                    },
                    e.message,
                    e.keyword
                );
            }
            self.reported += 1;
            if self.reported == REPORT_LIMIT {
                eprintln!("… further invalid payloads are only counted (and written to --dlq)");
            }
        }
        if let Some(w) = &mut self.dlq {
            let mut rec = json!({"file": file, "line": line, "errors": errors});
            match parsed {
                Some(v) => rec["payload"] = v.clone(),
                None => rec["payload_raw"] = json!(raw.trim_end_matches(['\n', '\r'])),
            }
            serde_json::to_writer(&mut *w, &rec)?;
            w.write_all(b"\n")?;
        }
        Ok(())
    }
}

fn parse_error(e: serde_json::Error) -> Vec<Violation> {
    vec![Violation {
        instance_pointer: String::new(),
        keyword: "json".into(),
        schema_pointer: String::new(),
        message: format!("not JSON: {e}"),
    }]
}

fn check_one(
    v: &Compiled,
    sinks: &mut Sinks,
    file: &str,
    line: u64,
    raw: &str,
) -> anyhow::Result<()> {
    match serde_json::from_str::<Value>(raw) {
        // `is_valid` short-circuits; the full error list is built only for invalid payloads.
        Ok(value) if v.is_valid(&value) => sinks.accept(raw),
        Ok(value) => sinks.reject(file, line, raw, Some(&value), &v.violations(&value)),
        Err(e) => sinks.reject(file, line, raw, None, &parse_error(e)),
    }
}

fn stream(v: &Compiled, sinks: &mut Sinks, name: &str, reader: impl Read) -> anyhow::Result<()> {
    let mut reader = BufReader::with_capacity(1 << 20, reader);
    let mut line = String::new();
    let mut n = 0u64;
    loop {
        line.clear();
        if reader
            .read_line(&mut line)
            .with_context(|| format!("reading {name}"))?
            == 0
        {
            return Ok(());
        }
        n += 1;
        if line.trim().is_empty() {
            continue;
        }
        check_one(v, sinks, name, n, &line)?;
    }
}

fn create(path: &Option<PathBuf>) -> anyhow::Result<Option<BufWriter<File>>> {
    path.as_ref()
        .map(|p| {
            File::create(p)
                .map(BufWriter::new)
                .with_context(|| format!("creating {}", p.display()))
        })
        .transpose()
}

pub fn run(args: &ValidateArgs) -> anyhow::Result<Outcome> {
    let doc = read_schema(&args.schema, args.max_schema_bytes)?;
    let compiled = Compiled::new(&doc).map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut sinks = Sinks {
        dlq: create(&args.dlq)?,
        valid: create(&args.valid_out)?,
        valid_count: 0,
        invalid_count: 0,
        reported: 0,
    };
    let inputs: Vec<PathBuf> = if args.payloads.is_empty() {
        vec![PathBuf::from("-")]
    } else {
        args.payloads.clone()
    };
    for input in &inputs {
        if input == Path::new("-") {
            stream(&compiled, &mut sinks, "<stdin>", std::io::stdin().lock())?;
            continue;
        }
        let name = input.display().to_string();
        let file = File::open(input).with_context(|| format!("reading {name}"))?;
        if input.extension().is_some_and(|e| e == "json") {
            let mut text = String::new();
            BufReader::new(file)
                .read_to_string(&mut text)
                .with_context(|| format!("reading {name}"))?;
            check_one(&compiled, &mut sinks, &name, 1, &text)?;
        } else {
            stream(&compiled, &mut sinks, &name, file)?;
        }
    }
    for w in [&mut sinks.dlq, &mut sinks.valid].into_iter().flatten() {
        w.flush()?;
    }
    println!(
        "{} valid, {} invalid",
        sinks.valid_count, sinks.invalid_count
    );
    Ok(if sinks.invalid_count == 0 {
        Outcome::Clean
    } else {
        Outcome::Findings
    })
}
