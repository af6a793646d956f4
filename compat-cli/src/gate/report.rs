//! What the gate has done, for people (a progress line) and for scrapers (a Prometheus text file
//! written whole and renamed into place, so a reader never sees half of it).

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};
use registry_client::CacheStats;

/// Why an entry went to the dead-letter stream (its `schemagate-reason` field).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    /// The schema refuses the payload.
    Invalid,
    /// A CEL domain rule (ERROR or DLQ) refuses it.
    Rule,
    /// The payload field is missing or is not JSON.
    NotJson,
    /// No subject, or one the registry does not know.
    UnknownSubject,
    /// A `schema_version` the subject never had (or not a string).
    UnknownVersion,
    /// The registered version does not compile.
    BadSchema,
    /// Delivered `--max-deliveries` times without a verdict.
    Poison,
    /// Judged, but its stream refused the write (it turned into another type of key).
    WriteFailed,
}

impl Reason {
    pub const ALL: [Reason; 8] = [
        Reason::Invalid,
        Reason::Rule,
        Reason::NotJson,
        Reason::UnknownSubject,
        Reason::UnknownVersion,
        Reason::BadSchema,
        Reason::Poison,
        Reason::WriteFailed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Reason::Invalid => "invalid",
            Reason::Rule => "rule",
            Reason::NotJson => "not-json",
            Reason::UnknownSubject => "unknown-subject",
            Reason::UnknownVersion => "unknown-version",
            Reason::BadSchema => "bad-schema",
            Reason::Poison => "poison",
            Reason::WriteFailed => "write-failed",
        }
    }
}

#[derive(Debug, Default)]
pub struct Counters {
    pub read: u64,
    pub valid: u64,
    pub dead: [u64; Reason::ALL.len()],
    /// Entries read again (after a restart, a retry, or claimed from a dead consumer).
    pub redelivered: u64,
    /// Verdicts put off because the registry could not be asked.
    pub retries: u64,
    /// Entries deleted from the stream while pending: acknowledged, nothing written.
    pub vanished: u64,
    pub batches: u64,
}

impl Counters {
    fn dead_of(&mut self, r: Reason) -> Option<&mut u64> {
        Reason::ALL
            .iter()
            .position(|x| *x == r)
            .and_then(|i| self.dead.get_mut(i))
    }

    pub fn dead_letter(&mut self, r: Reason) {
        if let Some(n) = self.dead_of(r) {
            *n += 1;
        }
    }

    /// An entry counted as valid (`None`) or dead-lettered for `was` whose write failed: it is
    /// in the dead-letter stream as `write-failed` now, and counted so.
    pub fn write_failed(&mut self, was: Option<Reason>) {
        let from = match was {
            None => Some(&mut self.valid),
            Some(r) => self.dead_of(r),
        };
        if let Some(n) = from {
            *n = n.saturating_sub(1);
        }
        self.dead_letter(Reason::WriteFailed);
    }

    pub fn dead_total(&self) -> u64 {
        self.dead.iter().sum()
    }

    fn parked(&self) -> u64 {
        Reason::ALL
            .iter()
            .position(|x| *x == Reason::Poison)
            .and_then(|i| self.dead.get(i))
            .copied()
            .unwrap_or(0)
    }

    pub fn line(&self, rate: f64) -> String {
        format!(
            "{} read, {} valid, {} dead-lettered ({} parked), {} redelivered, {} retries, {:.0} entries/s",
            self.read,
            self.valid,
            self.dead_total(),
            self.parked(),
            self.redelivered,
            self.retries,
            rate
        )
    }

    /// Prometheus' text format.
    pub fn prometheus(&self, stream: &str, cache: &CacheStats) -> String {
        let s = escape(stream);
        let mut out = String::new();
        let mut metric = |name: &str, help: &str, kind: &str, rows: Vec<(String, u64)>| {
            out.push_str(&format!("# HELP {name} {help}\n# TYPE {name} {kind}\n"));
            for (labels, v) in rows {
                out.push_str(&format!("{name}{{stream=\"{s}\"{labels}}} {v}\n"));
            }
        };
        metric(
            "schemagate_gate_entries_read_total",
            "Stream entries read, redeliveries included.",
            "counter",
            vec![(String::new(), self.read)],
        );
        metric(
            "schemagate_gate_entries_valid_total",
            "Entries written to the output stream.",
            "counter",
            vec![(String::new(), self.valid)],
        );
        metric(
            "schemagate_gate_entries_dead_lettered_total",
            "Entries written to the dead-letter stream, by reason.",
            "counter",
            Reason::ALL
                .iter()
                .zip(self.dead)
                .map(|(r, n)| (format!(",reason=\"{}\"", r.as_str()), n))
                .collect(),
        );
        metric(
            "schemagate_gate_entries_redelivered_total",
            "Entries read more than once (restart, retry, claimed from a dead consumer).",
            "counter",
            vec![(String::new(), self.redelivered)],
        );
        metric(
            "schemagate_gate_retries_total",
            "Verdicts put off because the registry could not be asked.",
            "counter",
            vec![(String::new(), self.retries)],
        );
        metric(
            "schemagate_gate_batches_total",
            "Batches written and acknowledged.",
            "counter",
            vec![(String::new(), self.batches)],
        );
        metric(
            "schemagate_gate_registry_up",
            "1 when the last registry call succeeded.",
            "gauge",
            vec![(String::new(), u64::from(cache.registry_up))],
        );
        metric(
            "schemagate_gate_validators_cached",
            "Compiled schema versions held.",
            "gauge",
            vec![(String::new(), cache.entries)],
        );
        out
    }
}

fn escape(label: &str) -> String {
    label
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// The progress line (live on a terminal, every `every` otherwise) and the metrics file.
pub struct Reporter {
    bar: Option<ProgressBar>,
    every: Duration,
    last_line: Instant,
    last_metrics: Instant,
    last_note: Option<Instant>,
    started: Instant,
    metrics: Option<PathBuf>,
}

impl Reporter {
    pub fn new(every: Duration, metrics: Option<PathBuf>) -> Reporter {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = ProgressBar::new_spinner();
            bar.set_style(
                ProgressStyle::with_template("{spinner} gate: {msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            );
            bar
        });
        let now = Instant::now();
        Reporter {
            bar,
            every,
            last_line: now,
            last_metrics: now,
            last_note: None,
            started: now,
            metrics,
        }
    }

    fn rate(&self, c: &Counters) -> f64 {
        c.read as f64 / self.started.elapsed().as_secs_f64().max(1e-3)
    }

    /// Called after every batch and every idle wait; does something only when due.
    pub fn tick(&mut self, c: &Counters, stream: &str, cache: &CacheStats) {
        if let Some(bar) = &self.bar {
            bar.set_message(c.line(self.rate(c)));
            bar.tick();
        } else if self.last_line.elapsed() >= self.every {
            self.last_line = Instant::now();
            eprintln!("gate: {}", c.line(self.rate(c)));
        }
        if self.last_metrics.elapsed() >= Duration::from_secs(1) {
            self.last_metrics = Instant::now();
            self.write_metrics(c, stream, cache);
        }
    }

    /// Says why verdicts were put off, at most once per progress interval (a registry outage
    /// would otherwise print a line per batch).
    pub fn note(&mut self, why: &str) {
        if self.last_note.is_none_or(|t| t.elapsed() >= self.every) {
            self.last_note = Some(Instant::now());
            let line = format!("gate: verdicts put off, retrying: {why}");
            match &self.bar {
                Some(bar) => bar.suspend(|| eprintln!("{line}")),
                None => eprintln!("{line}"),
            }
        }
    }

    pub fn finish(&mut self, c: &Counters, stream: &str, cache: &CacheStats) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
        eprintln!("gate: {}", c.line(self.rate(c)));
        self.write_metrics(c, stream, cache);
    }

    fn write_metrics(&self, c: &Counters, stream: &str, cache: &CacheStats) {
        let Some(path) = &self.metrics else { return };
        if let Err(e) = write_atomically(path, c.prometheus(stream, cache).as_bytes()) {
            // Metrics are a side channel: a full disk must not stop the gate.
            eprintln!("gate: cannot write {}: {e}", path.display());
        }
    }
}

fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = PathBuf::from(tmp);
    let mut f = std::fs::File::create(&tmp)?;
    f.write_all(bytes)?;
    f.sync_data()?;
    std::fs::rename(&tmp, path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prometheus_text_counts_each_reason_and_escapes_the_stream() {
        let mut c = Counters {
            read: 7,
            valid: 4,
            ..Counters::default()
        };
        c.dead_letter(Reason::Invalid);
        c.dead_letter(Reason::Invalid);
        c.dead_letter(Reason::Poison);
        let text = c.prometheus("s\"1", &CacheStats::default());
        assert!(text.contains(
            "schemagate_gate_entries_dead_lettered_total{stream=\"s\\\"1\",reason=\"invalid\"} 2\n"
        ));
        assert!(text.contains("reason=\"poison\"} 1\n"));
        assert!(text.contains("schemagate_gate_entries_read_total{stream=\"s\\\"1\"} 7\n"));
        assert_eq!(c.dead_total(), 3);
        assert!(c.line(1.0).contains("3 dead-lettered (1 parked)"));
    }
}
