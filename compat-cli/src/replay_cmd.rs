//! `compat-cli replay --schema CANDIDATE ARCHIVE…`: before a schema change ships, how many of
//! the events already archived would the candidate refuse? Archives are NDJSON files, gzip'd or
//! not, and folders of them, as archivers write them; with `--envelope`/`--only` each line is an
//! envelope holding one event of many types. The first refusals are shown by file and line.
//! `check --replay DIR` runs the same for every changed subject that has an archive folder.
//!
//! Archived events were written under earlier versions, so the candidate's `schema_version`
//! pin (a `const`) would refuse every one of them; a replay judges their content, with the pin
//! relaxed to any version string.

use std::path::{Path, PathBuf};

use indicatif::ProgressBar;
use schema_core::validate::Violation;

use crate::archive::Unwrap;
use crate::cli::ReplayArgs;
use crate::validate_cmd::{judge_inputs, schema_file, Example, Schemas, Sinks};
use crate::Outcome;

/// What a replay found.
#[derive(Debug, serde::Serialize)]
pub struct Summary {
    pub files: usize,
    /// Events judged (skipped lines not counted).
    pub replayed: u64,
    pub rejected: u64,
    /// Lines holding other subjects' events.
    pub skipped: u64,
    pub examples: Vec<Located>,
}

/// A refused archived event.
#[derive(Debug, serde::Serialize)]
pub struct Located {
    pub file: String,
    pub line: u64,
    pub errors: Vec<Violation>,
}

/// Replays the events of `archives` against `schemas`, keeping the first `examples` refusals.
pub fn replay(
    schemas: &Schemas,
    archives: &[PathBuf],
    unwrap: &Unwrap,
    jobs: Option<u16>,
    examples: u64,
) -> anyhow::Result<Summary> {
    let files = crate::archive::files(archives)?;
    let mut sinks = Sinks::new(None, None, examples, ProgressBar::hidden());
    sinks.examples = Some(Vec::new());
    judge_inputs(schemas, &mut sinks, &files, jobs, unwrap)?;
    Ok(Summary {
        files: files.len(),
        replayed: sinks.valid_count + sinks.invalid_count,
        rejected: sinks.invalid_count,
        skipped: sinks.skipped_count,
        examples: sinks
            .examples
            .take()
            .unwrap_or_default()
            .into_iter()
            .map(|Example { file, line, errors }| Located { file, line, errors })
            .collect(),
    })
}

impl Summary {
    /// "N archived events from F files: R rejected (p%)", and the examples, one error a line.
    pub fn lines(&self, against: &str) -> String {
        let share = if self.replayed == 0 {
            0.0
        } else {
            100.0 * self.rejected as f64 / self.replayed as f64
        };
        let mut out = format!(
            "replayed {} archived events from {} files against {against}: {} rejected ({share:.2}%)",
            self.replayed, self.files, self.rejected
        );
        if self.skipped > 0 {
            out.push_str(&format!(
                ", {} lines of other subjects skipped",
                self.skipped
            ));
        }
        out.push('\n');
        for ex in &self.examples {
            for e in &ex.errors {
                let at = if e.instance_pointer.is_empty() {
                    "/"
                } else {
                    &e.instance_pointer
                };
                out.push_str(&format!(
                    "  {}:{}: {at}: {} ({})\n",
                    ex.file, ex.line, e.message, e.keyword
                ));
            }
        }
        if self.rejected > self.examples.len() as u64 {
            out.push_str(&format!(
                "  … and {} more\n",
                self.rejected - self.examples.len() as u64
            ));
        }
        out
    }
}

/// `--only FIELD=VALUE`.
pub fn parse_only(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((k, v)) if !k.is_empty() => Ok((k.to_string(), v.to_string())),
        _ => Err(format!(
            "expected FIELD=VALUE, e.g. type=WidgetCreated; got {s:?}"
        )),
    }
}

pub fn unwrap_of(envelope: &Option<String>, only: &Option<(String, String)>) -> Unwrap {
    if envelope.is_none() && only.is_none() {
        Unwrap::Line
    } else {
        Unwrap::Envelope {
            field: envelope.clone(),
            only: only.clone(),
        }
    }
}

pub fn run(args: &ReplayArgs) -> anyhow::Result<Outcome> {
    let schemas = schema_file(&args.schema, args.max_schema_bytes, None, true)?;
    let summary = replay(
        &schemas,
        &args.archives,
        &unwrap_of(&args.envelope, &args.only),
        args.jobs,
        args.examples,
    )?;
    print!("{}", summary.lines(&display(&args.schema)));
    Ok(if summary.rejected == 0 {
        Outcome::Clean
    } else {
        Outcome::Findings
    })
}

fn display(p: &Path) -> String {
    p.display().to_string()
}
