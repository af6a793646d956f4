//! `compat-cli validate --schema FILE [PAYLOAD…|-] [--dlq FILE] [--valid-out FILE]`: validates
//! JSON payload files (`.json`: one payload) and NDJSON streams (anything else, or stdin, one
//! payload per line) against a schema. Every invalid payload is reported with its file, line,
//! instance pointer, schema keyword and message; `--dlq` receives each invalid payload with its
//! errors as one JSON line, `--valid-out` each valid payload exactly as read. Streaming: one line
//! in memory at a time. Every payload lands in exactly one place, and the counts add up.

use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};
use std::sync::Arc;

use registry_client::verdict::rule_violation;
use registry_client::{CacheOptions, Entry, Lookup, ValidatorCache};
use schema_core::dead_letter::{DeadLetter, Kept};
use schema_core::domain_rules::{self, Contract, Outcome as RuleOutcome};
use schema_core::payload::{Field, Payload, Reader};
use schema_core::validate::{Compiled, Violation};

use crate::archive::Unwrap;
use crate::cli::ValidateArgs;
use crate::input::read_schema;
use crate::Outcome;

/// Where invalid and valid payloads go.
pub(crate) struct Sinks {
    dlq: Option<BufWriter<File>>,
    valid: Option<BufWriter<File>>,
    pub(crate) valid_count: u64,
    pub(crate) invalid_count: u64,
    /// Lines that hold another subject's event (an archive envelope's filter).
    pub(crate) skipped_count: u64,
    /// Invalid payloads reported (the first `report_limit`; the DLQ has all of them).
    reported: u64,
    report_limit: u64,
    /// With `Some`, the reported payloads are kept here instead of printed.
    pub(crate) examples: Option<Vec<Example>>,
    pub(crate) progress: ProgressBar,
}

/// An invalid payload where it was found.
pub(crate) struct Example {
    pub file: String,
    pub line: u64,
    pub errors: Vec<Violation>,
}

const REPORT_LIMIT: u64 = 200;

/// What one payload came to.
pub(crate) enum Verdict {
    Valid,
    /// Valid, with failed `NONE` rules to print.
    Recorded(Vec<Violation>),
    Invalid(Vec<Violation>),
    /// Another subject's event: counted, nothing else.
    Skipped,
}

impl Sinks {
    pub(crate) fn new(
        dlq: Option<BufWriter<File>>,
        valid: Option<BufWriter<File>>,
        report_limit: u64,
        progress: ProgressBar,
    ) -> Sinks {
        Sinks {
            dlq,
            valid,
            valid_count: 0,
            invalid_count: 0,
            skipped_count: 0,
            reported: 0,
            report_limit,
            examples: None,
            progress,
        }
    }

    /// Counts, prints and writes one payload's verdict.
    pub(crate) fn apply(
        &mut self,
        (file, line): (&str, u64),
        raw: &[u8],
        verdict: Verdict,
    ) -> anyhow::Result<()> {
        match verdict {
            Verdict::Valid => self.accept(raw),
            Verdict::Recorded(errors) => {
                if self.reported < self.report_limit && self.examples.is_none() {
                    self.progress.suspend(|| report(file, line, &errors));
                }
                self.accept(raw)
            }
            Verdict::Invalid(errors) => self.reject(file, line, raw, errors),
            Verdict::Skipped => {
                self.skipped_count += 1;
                Ok(())
            }
        }
    }

    fn accept(&mut self, raw: &[u8]) -> anyhow::Result<()> {
        self.valid_count += 1;
        if let Some(w) = &mut self.valid {
            w.write_all(trim_eol(raw))?;
            w.write_all(b"\n")?;
        }
        Ok(())
    }

    fn reject(
        &mut self,
        file: &str,
        line: u64,
        raw: &[u8],
        errors: Vec<Violation>,
    ) -> anyhow::Result<()> {
        self.invalid_count += 1;
        if self.reported < self.report_limit {
            self.reported += 1;
            if let Some(kept) = &mut self.examples {
                kept.push(Example {
                    file: file.to_string(),
                    line,
                    errors: errors.clone(),
                });
            } else {
                // Printed around the bar so it is not torn.
                self.progress.suspend(|| report(file, line, &errors));
                if self.reported == self.report_limit {
                    self.progress.suspend(|| {
                        eprintln!(
                            "… further invalid payloads are only counted (and written to --dlq)"
                        )
                    });
                }
            }
        }
        if let Some(w) = &mut self.dlq {
            // The event as it arrived, byte for byte (never a re-serialization).
            let rec = DeadLetter {
                source: file,
                line,
                subject: None,
                version: None,
                errors: &errors,
                payload: Kept::of(trim_eol(raw)),
            };
            serde_json::to_writer(&mut *w, &rec)?;
            w.write_all(b"\n")?;
        }
        Ok(())
    }
}

pub(crate) fn report(file: &str, line: u64, errors: &[Violation]) {
    for e in errors {
        let at = if e.instance_pointer.is_empty() {
            "/"
        } else {
            &e.instance_pointer
        };
        eprintln!("{file}:{line}: {at}: {} ({})", e.message, e.keyword);
    }
}

pub(crate) fn trim_eol(raw: &[u8]) -> &[u8] {
    let end = raw
        .iter()
        .rposition(|b| !matches!(b, b'\n' | b'\r'))
        .map_or(0, |i| i + 1);
    &raw[..end]
}

fn parse_error(e: serde_json::Error) -> Vec<Violation> {
    vec![Violation {
        instance_pointer: String::new(),
        keyword: "json".into(),
        schema_pointer: String::new(),
        message: format!("not JSON: {e}"),
    }]
}

/// One schema's validator and its data contract (CEL domain rules, possibly none).
pub struct Checked {
    compiled: Compiled,
    contract: Contract,
}

/// What payloads are validated against: a schema file, one registered version, or a subject's
/// registered versions, each payload by the `schema_version` it carries. Registered versions
/// come from the validator cache the edge layer and the gate use, compiled with their registry
/// references and rules.
pub enum Schemas {
    One(Checked),
    Pinned(Arc<Entry>),
    ByVersion {
        subject: String,
        cache: Arc<ValidatorCache>,
        /// Runs the registry calls of a cache miss; validation stays on the caller's thread.
        runtime: tokio::runtime::Runtime,
    },
}

/// The validator a payload was routed to.
enum Picked<'a> {
    Local(&'a Checked),
    Registered(Arc<Entry>),
}

impl Picked<'_> {
    fn parts(&self) -> (&Compiled, &Contract) {
        match self {
            Picked::Local(c) => (&c.compiled, &c.contract),
            Picked::Registered(e) => (&e.compiled, &e.contract),
        }
    }
}

impl Schemas {
    /// The validator for a payload, or the reason there is none.
    fn pick(&self, payload: &Payload<'_>) -> Result<Picked<'_>, Violation> {
        let reject = |message: String| Violation {
            instance_pointer: "/schema_version".into(),
            keyword: "schema_version".into(),
            schema_pointer: String::new(),
            message,
        };
        match self {
            Schemas::One(c) => Ok(Picked::Local(c)),
            Schemas::Pinned(e) => Ok(Picked::Registered(e.clone())),
            Schemas::ByVersion {
                subject,
                cache,
                runtime,
            } => {
                let version = match payload.field("schema_version") {
                    Field::Missing => None,
                    Field::Str(v) => Some(v),
                    Field::Other(other) => {
                        return Err(reject(format!(
                            "schema_version must be a string, found {other}"
                        )))
                    }
                };
                let found = match cache.cached(subject, version.as_deref()) {
                    Ok(Some(l)) => Ok(l),
                    Ok(None) => runtime.block_on(cache.get(subject, version.as_deref())),
                    Err(e) => Err(e),
                };
                match found {
                    Ok(Lookup::Validator(e)) => Ok(Picked::Registered(e)),
                    // The CLI's cache is fail-closed: an unchecked pass never comes.
                    Ok(Lookup::Unchecked) => Err(reject("not checked".into())),
                    Err(e) => Err(reject(e.to_string())),
                }
            }
        }
    }
}

/// A subject's registered versions through the validator cache, or the one `--version` names.
fn fetch(args: &ValidateArgs, registry: &str, subject: &str) -> anyhow::Result<Schemas> {
    let client = args
        .auth
        .client(registry, std::time::Duration::from_secs(30))
        .with_context(|| format!("--registry {registry}"))?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()?;
    let cache = ValidatorCache::new(
        client,
        CacheOptions {
            dialect: crate::input::default_dialect(),
            ..CacheOptions::default()
        },
    );
    if let Some(v) = &args.version {
        let entry = runtime
            .block_on(cache.version(subject, v))
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        return Ok(Schemas::Pinned(entry));
    }
    // The subject must exist, and its latest version compile, before any payload is judged.
    runtime
        .block_on(cache.get(subject, None))
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(Schemas::ByVersion {
        subject: subject.to_string(),
        cache,
        runtime,
    })
}

/// Judges one payload: its schema (picked by `schema_version`), then its data contract.
pub(crate) fn judge(schemas: &Schemas, reader: &mut Reader, raw: &[u8]) -> Verdict {
    let payload = match reader.read(raw) {
        Ok(p) => p,
        Err(e) => return Verdict::Invalid(parse_error(e)),
    };
    let picked = match schemas.pick(&payload) {
        Ok(v) => v,
        Err(why) => return Verdict::Invalid(vec![why]),
    };
    let (compiled, contract) = picked.parts();
    // `is_valid` short-circuits; the full error list is built only for invalid payloads.
    if !compiled.is_valid_payload(&payload) {
        return Verdict::Invalid(compiled.payload_violations(&payload));
    }
    let failures = contract.failures_of_raw(raw);
    let errors: Vec<Violation> = failures.iter().map(rule_violation).collect();
    match domain_rules::outcome(&failures) {
        RuleOutcome::Pass => Verdict::Valid,
        RuleOutcome::Record => Verdict::Recorded(errors),
        RuleOutcome::DeadLetter | RuleOutcome::Reject => Verdict::Invalid(errors),
    }
}

fn check_one(
    schemas: &Schemas,
    sinks: &mut Sinks,
    reader: &mut Reader,
    at: (&str, u64),
    raw: &[u8],
) -> anyhow::Result<()> {
    let verdict = judge(schemas, reader, raw);
    sinks.apply(at, raw, verdict)
}

fn stream(
    v: &Schemas,
    sinks: &mut Sinks,
    reader: &mut Reader,
    name: &str,
    input: impl Read,
    unwrap: &Unwrap,
) -> anyhow::Result<()> {
    let mut input = BufReader::with_capacity(1 << 20, input);
    let mut line = Vec::with_capacity(4096);
    let mut n = 0u64;
    let mut unreported = 0u64;
    loop {
        line.clear();
        let read = input
            .read_until(b'\n', &mut line)
            .with_context(|| format!("reading {name}"))?;
        if read == 0 {
            sinks.progress.inc(unreported);
            return Ok(());
        }
        n += 1;
        // The bar is advanced in steps: a per-line update would cost more than validating.
        unreported += read as u64;
        if unreported >= 1 << 20 {
            sinks.progress.inc(unreported);
            unreported = 0;
        }
        let Some(payload) = schema_core::payload::ndjson_payload(n, &line) else {
            continue;
        };
        match unwrap.event(payload) {
            Ok(Some(event)) => check_one(v, sinks, reader, (name, n), &event)?,
            Ok(None) => sinks.apply((name, n), payload, Verdict::Skipped)?,
            Err(why) => anyhow::bail!("{name}:{n}: {why}"),
        }
    }
}

/// A byte-count bar on a terminal for inputs of known size; hidden otherwise (CI logs, pipes).
fn progress_bar(inputs: &[PathBuf]) -> ProgressBar {
    let total: u64 = inputs
        .iter()
        .filter(|p| *p != Path::new("-"))
        .filter_map(|p| std::fs::metadata(p).ok())
        .map(|m| m.len())
        .sum();
    if !std::io::stderr().is_terminal() || total < PROGRESS_MIN_BYTES {
        return ProgressBar::hidden();
    }
    // Compressed inputs count their decompressed bytes: no total to compare with.
    if inputs
        .iter()
        .any(|p| p.extension().is_some_and(|e| e == "gz"))
    {
        let bar = ProgressBar::new_spinner();
        bar.set_style(
            ProgressStyle::with_template("{spinner} {bytes} {bytes_per_sec} {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        return bar;
    }
    let bar = ProgressBar::new(total);
    bar.set_style(
        ProgressStyle::with_template(
            "{bar:40} {bytes}/{total_bytes} {bytes_per_sec} eta {eta} {msg}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar
}

/// Inputs below this size finish before a bar would be worth drawing.
const PROGRESS_MIN_BYTES: u64 = 64 << 20;

fn create(path: &Option<PathBuf>) -> anyhow::Result<Option<BufWriter<File>>> {
    path.as_ref()
        .map(|p| {
            File::create(p)
                .map(BufWriter::new)
                .with_context(|| format!("creating {}", p.display()))
        })
        .transpose()
}

/// A schema file (its sibling references followed) with the CEL domain rules of a rule set
/// file (Confluent's `ruleSet` JSON), if one is given. With `unpinned`, a declared
/// `schema_version` accepts any version string: for judging events written under earlier
/// versions by their content (replays), which the version pin alone would refuse.
pub(crate) fn schema_file(
    path: &Path,
    max_bytes: u64,
    rule_set: Option<&Path>,
    unpinned: bool,
) -> anyhow::Result<Schemas> {
    let mut doc = read_schema(path, max_bytes)?;
    if unpinned && schema_core::version::declared(&doc.root).is_ok() {
        if let Some(pin) = doc.root.pointer_mut("/properties/schema_version") {
            *pin = serde_json::json!({"type": "string"});
        }
    }
    let (set, idx) = crate::input::with_references(doc, path, max_bytes)?;
    let contract = match rule_set {
        None => Contract::default(),
        Some(rules) => {
            let text = std::fs::read_to_string(rules)
                .with_context(|| format!("reading the rule set {}", rules.display()))?;
            let rule_set: registry_api::RuleSet =
                serde_json::from_str(&text).with_context(|| {
                    format!(
                        "{}: not a ruleSet (Confluent's JSON shape)",
                        rules.display()
                    )
                })?;
            Contract::compile(&rule_set.domain_specs(), &set.get(idx).root)
                .map_err(|e| anyhow::anyhow!("{}: {e}", rules.display()))?
        }
    };
    Ok(Schemas::One(Checked {
        compiled: Compiled::in_set(&set, idx).map_err(|e| anyhow::anyhow!("{e}"))?,
        contract,
    }))
}

/// Judges every input (`-` is stdin; `.json` files hold one payload when lines are events;
/// anything else is NDJSON, gzip'd or not) on `jobs` threads (default: one per core).
pub(crate) fn judge_inputs(
    schemas: &Schemas,
    sinks: &mut Sinks,
    inputs: &[PathBuf],
    jobs: Option<u16>,
    unwrap: &Unwrap,
) -> anyhow::Result<()> {
    let jobs = jobs.map_or_else(
        || std::thread::available_parallelism().map_or(1, usize::from),
        usize::from,
    );
    let mut reader = Reader::default();
    // NDJSON on `jobs` threads (one: on this thread, without the pipeline).
    let mut ndjson = |sinks: &mut Sinks, name: &str, input: Box<dyn Read + Send>| {
        if jobs > 1 {
            crate::validate_jobs::stream(schemas, sinks, jobs, name, input, unwrap)
        } else {
            stream(schemas, sinks, &mut reader, name, input, unwrap)
        }
    };
    for input in inputs {
        if input == Path::new("-") {
            ndjson(sinks, "<stdin>", Box::new(std::io::stdin()))?;
            continue;
        }
        let name = input.display().to_string();
        if input.extension().is_some_and(|e| e == "json") && matches!(unwrap, Unwrap::Line) {
            let mut text = Vec::new();
            File::open(input)
                .and_then(|f| BufReader::new(f).read_to_end(&mut text))
                .with_context(|| format!("reading {name}"))?;
            sinks.progress.inc(text.len() as u64);
            let verdict = judge(schemas, &mut Reader::default(), &text);
            sinks.apply((&name, 1), &text, verdict)?;
        } else {
            ndjson(sinks, &name, crate::archive::open(input)?)?;
        }
    }
    Ok(())
}

pub fn run(args: &ValidateArgs) -> anyhow::Result<Outcome> {
    let compiled = match (&args.schema, &args.registry, &args.subject) {
        (Some(path), _, _) => {
            schema_file(path, args.max_schema_bytes, args.rule_set.as_deref(), false)?
        }
        (None, Some(registry), Some(subject)) => fetch(args, registry, subject)?,
        _ => anyhow::bail!("give --schema FILE to validate against a schema file, or --registry URL with --subject S to validate against registered versions"),
    };
    let inputs: Vec<PathBuf> = if args.payloads.is_empty() {
        vec![PathBuf::from("-")]
    } else {
        crate::archive::files(&args.payloads)?
    };
    let mut sinks = Sinks::new(
        create(&args.dlq)?,
        create(&args.valid_out)?,
        REPORT_LIMIT,
        progress_bar(&inputs),
    );
    let unwrap = if args.dead_letters {
        Unwrap::DeadLetter
    } else {
        Unwrap::Line
    };
    judge_inputs(&compiled, &mut sinks, &inputs, args.jobs, &unwrap)?;
    sinks.progress.finish_and_clear();
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
