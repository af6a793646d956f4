//! `compat-cli gate`: the seeds' "validate in your stream processor" as a tool. It reads a Redis
//! Stream in a consumer group, judges each entry against the registry (subject from the entry or
//! the command line, version from the payload's `schema_version`, then the version's CEL rules,
//! the same [`registry_client::ValidatorCache`] and verdict as the edge layer), and writes valid
//! entries to an output stream and the others, byte for byte with their errors, to a dead-letter
//! stream.
//!
//! Delivery is at-least-once and nothing is lost: an entry is acknowledged only in the same
//! MULTI/EXEC transaction that writes it ([`streams`]). A gate that dies leaves its unacknowledged
//! entries pending; restarted under the same `--consumer` it reads them first, and another
//! consumer claims them after `--claim-idle-ms`. Entries read more than once carry
//! `schemagate-deliveries`. An entry delivered `--max-deliveries` times without a verdict (the
//! gate keeps dying on it, or the registry keeps failing) is parked in the dead-letter stream so
//! it never blocks the group.

pub mod report;
pub mod streams;

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use registry_client::verdict::rule_violation;
use registry_client::{CacheError, CacheOptions, Lookup, ValidatorCache, Verdict};
use schema_core::payload::{Field, Reader};
use schema_core::validate::Violation;

use crate::cli::GateArgs;
use crate::Outcome;
use report::{Counters, Reason, Reporter};
use streams::{Entry, Streams, Target, Write};

/// Fields the gate adds to the entries it writes.
pub const SOURCE: &str = "schemagate-source";
pub const DELIVERIES: &str = "schemagate-deliveries";
pub const REASON: &str = "schemagate-reason";
pub const SUBJECT: &str = "schemagate-subject";
pub const VERSION: &str = "schemagate-version";
pub const ERRORS: &str = "schemagate-errors";

/// What became of one entry.
enum Decision {
    Pass,
    Dead {
        reason: Reason,
        subject: Option<String>,
        version: Option<i64>,
        errors: Vec<Violation>,
    },
    /// No verdict now (the registry could not be asked): leave it pending and try again.
    Retry(String),
}

fn dead(reason: Reason, subject: Option<&str>, message: String) -> Decision {
    Decision::Dead {
        reason,
        subject: subject.map(str::to_string),
        version: None,
        errors: vec![Violation {
            instance_pointer: String::new(),
            keyword: reason.as_str().to_string(),
            schema_pointer: String::new(),
            message,
        }],
    }
}

struct Gate<'a> {
    args: &'a GateArgs,
    cache: Arc<ValidatorCache>,
    runtime: tokio::runtime::Runtime,
    reader: Reader,
    counters: Counters,
}

impl Gate<'_> {
    /// Judges one entry (the CPU work runs here, on the gate's own thread; only a cache miss
    /// waits on the runtime for the registry).
    fn decide(&mut self, entry: &Entry) -> Decision {
        let subject = match &self.args.subject {
            Some(s) => s.clone(),
            None => match entry
                .field(&self.args.subject_field)
                .map(std::str::from_utf8)
            {
                Some(Ok(s)) if !s.is_empty() => s.to_string(),
                _ => {
                    return dead(
                        Reason::UnknownSubject,
                        None,
                        format!(
                            "the entry has no field {:?} naming its subject",
                            self.args.subject_field
                        ),
                    )
                }
            },
        };
        let Some(raw) = entry.field(&self.args.payload_field) else {
            return dead(
                Reason::NotJson,
                Some(&subject),
                format!("the entry has no field {:?}", self.args.payload_field),
            );
        };
        let payload = match self.reader.read(raw) {
            Ok(p) => p,
            Err(e) => return dead(Reason::NotJson, Some(&subject), format!("not JSON: {e}")),
        };
        let field = &self.args.version_field;
        let version = match payload.field(field) {
            Field::Missing => None,
            Field::Str(v) => Some(v.into_owned()),
            Field::Other(text) => {
                return dead(
                    Reason::UnknownVersion,
                    Some(&subject),
                    format!("{field} must be a string, found {text}"),
                )
            }
        };
        let looked_up = match self.cache.cached(&subject, version.as_deref()) {
            Ok(Some(l)) => Ok(l),
            Ok(None) => self
                .runtime
                .block_on(self.cache.get(&subject, version.as_deref())),
            Err(e) => Err(e),
        };
        let entry = match looked_up {
            Ok(Lookup::Validator(e)) => e,
            // Fail-open is not offered by the gate's options; a pass unchecked is still a pass.
            Ok(Lookup::Unchecked) => return Decision::Pass,
            Err(e) => {
                let reason = match &e {
                    CacheError::UnknownSubject { .. } => Reason::UnknownSubject,
                    CacheError::UnknownVersion { .. } => Reason::UnknownVersion,
                    CacheError::BadSchema { .. } => Reason::BadSchema,
                    CacheError::Unavailable { .. } | CacheError::Registry(_) => {
                        return Decision::Retry(e.to_string())
                    }
                };
                return dead(reason, Some(&subject), e.to_string());
            }
        };
        let (reason, errors) = match entry.judge(&payload, raw) {
            Verdict::Valid | Verdict::Recorded(_) => return Decision::Pass,
            Verdict::Invalid(errors) => (Reason::Invalid, errors),
            Verdict::RuleFailed { failures, .. } => {
                (Reason::Rule, failures.iter().map(rule_violation).collect())
            }
        };
        Decision::Dead {
            reason,
            subject: Some(subject),
            version: Some(entry.version),
            errors,
        }
    }

    /// Judges a batch and writes it. Entries put off (the registry could not be asked) are
    /// answered, still pending, with the first reason, to be tried again.
    fn process(
        &mut self,
        streams: &mut Streams,
        batch: Vec<Entry>,
    ) -> anyhow::Result<(Vec<Entry>, Option<String>)> {
        let mut writes = Vec::with_capacity(batch.len());
        let mut put_off = Vec::new();
        let mut why = None;
        for mut entry in batch {
            self.counters.read += 1;
            if entry.deliveries > 1 {
                self.counters.redelivered += 1;
            }
            if entry.fields.is_none() {
                self.counters.vanished += 1;
                writes.push(Write {
                    id: entry.id,
                    target: Target::Nowhere,
                    reason: None,
                    fields: Vec::new(),
                });
                continue;
            }
            // Past the limit the entry is not even judged: judging it may be what kills the gate.
            let decision = if entry.deliveries > self.args.max_deliveries {
                dead(
                    Reason::Poison,
                    None,
                    format!(
                        "delivered {} times without a verdict (the gate died on it or the registry kept failing)",
                        entry.deliveries
                    ),
                )
            } else {
                match self.decide(&entry) {
                    Decision::Retry(e) if entry.deliveries >= self.args.max_deliveries => dead(
                        Reason::Poison,
                        None,
                        format!(
                            "delivered {} times without a verdict: {e}",
                            entry.deliveries
                        ),
                    ),
                    d => d,
                }
            };
            let (target, dead_reason) = match decision {
                Decision::Pass => {
                    self.counters.valid += 1;
                    (Target::Output, None)
                }
                Decision::Dead { reason, .. } => {
                    self.counters.dead_letter(reason);
                    (Target::DeadLetter, Some(reason))
                }
                Decision::Retry(e) => {
                    self.counters.retries += 1;
                    why.get_or_insert(e);
                    put_off.push(entry);
                    continue;
                }
            };
            let mut out = entry.fields.take().unwrap_or_default();
            out.push((SOURCE.into(), entry.id.clone().into_bytes()));
            if entry.deliveries > 1 {
                out.push((DELIVERIES.into(), entry.deliveries.to_string().into_bytes()));
            }
            if let Decision::Dead {
                reason,
                subject,
                version,
                errors,
            } = decision
            {
                out.push((REASON.into(), reason.as_str().into()));
                if let Some(s) = subject {
                    out.push((SUBJECT.into(), s.into_bytes()));
                }
                if let Some(v) = version {
                    out.push((VERSION.into(), v.to_string().into_bytes()));
                }
                out.push((ERRORS.into(), serde_json::to_vec(&errors)?));
            }
            writes.push(Write {
                id: entry.id,
                target,
                reason: dead_reason,
                fields: out,
            });
        }
        for w in streams.commit(&writes)? {
            self.counters.write_failed(w.reason);
        }
        self.counters.batches += 1;
        Ok((put_off, why))
    }
}

/// Entries put off (still pending in Redis) until their next try, with a doubling backoff.
struct Retries {
    entries: Vec<Entry>,
    at: Instant,
    backoff: Duration,
}

impl Default for Retries {
    fn default() -> Retries {
        Retries {
            entries: Vec::new(),
            at: Instant::now(),
            backoff: Duration::from_millis(200),
        }
    }
}

impl Retries {
    fn add(&mut self, reporter: &mut Reporter, (later, why): (Vec<Entry>, Option<String>)) {
        if let Some(why) = why {
            reporter.note(&why);
        }
        if later.is_empty() {
            if self.entries.is_empty() {
                self.backoff = Duration::from_millis(200);
            }
            return;
        }
        self.entries.extend(later);
        self.at = Instant::now() + self.backoff;
        self.backoff = (self.backoff * 2).min(Duration::from_secs(30));
    }

    /// The entries whose next try is due, each counted as delivered once more.
    fn due(&mut self) -> Option<Vec<Entry>> {
        if self.entries.is_empty() || Instant::now() < self.at {
            return None;
        }
        let mut batch = std::mem::take(&mut self.entries);
        for e in &mut batch {
            e.deliveries += 1;
        }
        Some(batch)
    }

    /// How long until the next try, if any entry waits.
    fn waiting(&self) -> Option<Duration> {
        (!self.entries.is_empty()).then(|| self.at.saturating_duration_since(Instant::now()))
    }
}

pub fn run(args: &GateArgs) -> anyhow::Result<Outcome> {
    let output = args
        .output
        .clone()
        .unwrap_or_else(|| format!("{}:valid", args.stream));
    let dead_letter = args
        .dead_letter
        .clone()
        .unwrap_or_else(|| format!("{}:dlq", args.stream));
    if output == args.stream || dead_letter == args.stream || output == dead_letter {
        anyhow::bail!("--stream, --output and --dead-letter must be three different streams");
    }
    let connect = || {
        Streams::connect(
            &args.redis,
            &args.stream,
            &args.group,
            &args.consumer,
            &output,
            &dead_letter,
        )
    };
    let mut streams = connect()?;
    let client = args
        .auth
        .client(&args.registry, Duration::from_secs(10))
        .with_context(|| format!("--registry {}", args.registry))?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()?;
    let cache = ValidatorCache::new(client, CacheOptions::default());
    {
        let _in = runtime.enter();
        cache.spawn_refresh();
    }
    let mut gate = Gate {
        args,
        cache,
        runtime,
        reader: Reader::default(),
        counters: Counters::default(),
    };
    let mut reporter = Reporter::new(
        Duration::from_secs(args.progress_secs.max(1)),
        args.metrics.clone(),
    );
    let claim_idle = Duration::from_millis(args.claim_idle_ms);
    let block = if args.drain {
        Duration::from_millis(100)
    } else {
        Duration::from_secs(1)
    };
    let mut retry = Retries::default();
    // First what a previous run of this consumer read and did not finish, before reading on.
    let mut after = "0".to_string();
    loop {
        let batch = streams.read_own_pending(&after, args.batch)?;
        let Some(last) = batch.last() else { break };
        after = last.id.clone();
        retry.add(&mut reporter, gate.process(&mut streams, batch)?);
    }

    // New entries are read one batch ahead on a second connection, while this thread judges and
    // writes the one before: Redis and the validator work at the same time.
    let mut ahead = connect()?;
    let (tx, rx) = std::sync::mpsc::sync_channel::<anyhow::Result<Vec<Entry>>>(1);
    let batch_size = args.batch;
    let looped: anyhow::Result<()> = std::thread::scope(|scope| {
        scope.spawn(move || loop {
            let read = ahead.read_new(batch_size, block);
            let failed = read.is_err();
            if tx.send(read).is_err() || failed {
                return;
            }
        });
        // Owned here, so that leaving the loop closes the channel and ends the reader.
        let rx = rx;
        let mut claim_at = Instant::now();
        loop {
            let mut idle = true;
            if let Some(batch) = retry.due() {
                idle = false;
                retry.add(&mut reporter, gate.process(&mut streams, batch)?);
            }
            if Instant::now() >= claim_at {
                claim_at = Instant::now() + (claim_idle / 2).max(Duration::from_millis(100));
                let batch = streams.claim_abandoned(claim_idle, args.batch)?;
                if !batch.is_empty() {
                    idle = false;
                    claim_at = Instant::now();
                    retry.add(&mut reporter, gate.process(&mut streams, batch)?);
                }
            }
            let batch = rx
                .recv()
                .map_err(|_| anyhow::anyhow!("the stream reader stopped"))??;
            if !batch.is_empty() {
                idle = false;
                retry.add(&mut reporter, gate.process(&mut streams, batch)?);
            }
            reporter.tick(&gate.counters, &args.stream, &gate.cache.stats());
            if args.drain && idle {
                match retry.waiting() {
                    None if !streams.has_undelivered()? => return Ok(()),
                    None => {}
                    Some(wait) => std::thread::sleep(wait),
                }
            }
        }
    });
    looped?;
    reporter.finish(&gate.counters, &args.stream, &gate.cache.stats());
    let left = streams.pending_in_group()?;
    if left > 0 {
        eprintln!(
            "gate: {left} entries of the group are still pending with other consumers (claimed after --claim-idle-ms)"
        );
    }
    Ok(if gate.counters.dead_total() == 0 {
        Outcome::Clean
    } else {
        Outcome::Findings
    })
}
