//! `validate --jobs N`: an NDJSON stream judged on N threads, written as one thread would. A
//! reader thread cuts the input into blocks of whole lines (counting them, so each block knows
//! its first line's number), N workers split them into lines and judge them, and the calling
//! thread writes the verdicts in input order. The channels are bounded, so at most a
//! few batches per worker are in memory whatever the input's size, and the counts, the report
//! and the files written are the same as with one job.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read};
use std::ops::Range;
use std::sync::mpsc::{sync_channel, Receiver};
use std::sync::{Arc, Mutex};

use anyhow::Context;
use schema_core::payload::Reader;

use crate::archive::Unwrap;
use crate::validate_cmd::{judge, Schemas, Sinks, Verdict};

/// A batch is this many bytes, and the rest of the line it ends in.
const BATCH_BYTES: usize = 256 << 10;

/// Whole lines of the input, numbered.
struct Batch {
    seq: u64,
    /// The number of the first line in `data`.
    first_line: u64,
    data: Vec<u8>,
    /// (line number, its bytes in `data`, newline included); filled by the worker.
    lines: Vec<(u64, Range<usize>)>,
}

impl Batch {
    /// Splits `data` into numbered lines (on a worker thread: the reader only counts them).
    fn split(&mut self) {
        let mut start = 0;
        let mut n = self.first_line;
        for end in memchr::memchr_iter(b'\n', &self.data) {
            self.lines.push((n, start..end + 1));
            n += 1;
            start = end + 1;
        }
        if start < self.data.len() {
            self.lines.push((n, start..self.data.len()));
        }
    }
}

/// A judged line: its index in the batch, the event's bytes when they are not the line's (a
/// dead-letter record holds the event), and its verdict.
type Judged = (usize, Option<Vec<u8>>, Verdict);

/// A batch judged, or why the stream stops.
type Done = (u64, Result<(Batch, Vec<Judged>), String>);

/// Judges every line of `input` on `jobs` threads and applies the verdicts in order.
pub(crate) fn stream(
    schemas: &Schemas,
    sinks: &mut Sinks,
    jobs: usize,
    name: &str,
    input: impl Read + Send,
    unwrap: &Unwrap,
) -> anyhow::Result<()> {
    let jobs = jobs.max(1);
    let (work_tx, work_rx) = sync_channel::<Batch>(jobs * 2);
    // Held by the workers only: when they stop, the reader's sends fail and it stops too.
    let work_rx = Arc::new(Mutex::new(work_rx));
    let (done_tx, done_rx) = sync_channel::<Done>(jobs * 2);
    let progress = sinks.progress.clone();
    std::thread::scope(|scope| {
        let reader_done = done_tx.clone();
        let reading = scope.spawn(move || {
            let out = cut(input, &work_tx, &progress);
            if let Err(e) = &out {
                // Tell the writer, which may be waiting for a batch that never comes.
                let _ = reader_done.send((u64::MAX, Err(format!("{e:#}"))));
            }
            out
        });
        for _ in 0..jobs {
            let (work_rx, done_tx) = (work_rx.clone(), done_tx.clone());
            scope.spawn(move || work(schemas, &work_rx, &done_tx, unwrap, name));
        }
        drop((done_tx, work_rx));
        let written = write(sinks, name, &done_rx);
        // On an early stop the workers and the reader end when their channels close.
        drop(done_rx);
        let read = reading
            .join()
            .map_err(|_| anyhow::anyhow!("the reader of {name} stopped"))?;
        written.and(read.with_context(|| format!("reading {name}")))
    })
}

/// Cuts the input into batches of whole lines.
fn cut(
    input: impl Read,
    work: &std::sync::mpsc::SyncSender<Batch>,
    progress: &indicatif::ProgressBar,
) -> std::io::Result<()> {
    let mut input = BufReader::with_capacity(1 << 20, input);
    let mut next_line = 1u64;
    // The writer starts at batch 1.
    let mut seq = 1u64;
    loop {
        let mut data = Vec::with_capacity(BATCH_BYTES + 4096);
        (&mut input)
            .take(BATCH_BYTES as u64)
            .read_to_end(&mut data)?;
        if data.is_empty() {
            return Ok(());
        }
        if !data.ends_with(b"\n") {
            input.read_until(b'\n', &mut data)?;
        }
        let lines =
            memchr::memchr_iter(b'\n', &data).count() as u64 + u64::from(!data.ends_with(b"\n"));
        progress.inc(data.len() as u64);
        let batch = Batch {
            seq,
            first_line: next_line,
            data,
            lines: Vec::new(),
        };
        seq += 1;
        next_line += lines;
        if work.send(batch).is_err() {
            return Ok(()); // the writer stopped; it reports why
        }
    }
}

/// A worker: judges batches until there are none.
fn work(
    schemas: &Schemas,
    work: &Mutex<Receiver<Batch>>,
    done: &std::sync::mpsc::SyncSender<Done>,
    unwrap: &Unwrap,
    name: &str,
) {
    let mut reader = Reader::default();
    loop {
        let next = work.lock().unwrap_or_else(|p| p.into_inner()).recv();
        let Ok(mut batch) = next else { return };
        batch.split();
        let seq = batch.seq;
        let judged = judge_batch(schemas, &mut reader, &batch, unwrap, name);
        if done.send((seq, judged.map(|j| (batch, j)))).is_err() {
            return;
        }
    }
}

fn judge_batch(
    schemas: &Schemas,
    reader: &mut Reader,
    batch: &Batch,
    unwrap: &Unwrap,
    name: &str,
) -> Result<Vec<Judged>, String> {
    let mut out = Vec::with_capacity(batch.lines.len());
    for (i, (n, range)) in batch.lines.iter().enumerate() {
        let Some(line) = batch.data.get(range.clone()) else {
            continue;
        };
        let Some(payload) = schema_core::payload::ndjson_payload(*n, line) else {
            continue;
        };
        match unwrap.event(payload) {
            Ok(None) => out.push((i, None, Verdict::Skipped)),
            Ok(Some(Cow::Borrowed(event))) => out.push((i, None, judge(schemas, reader, event))),
            Ok(Some(Cow::Owned(event))) => {
                let verdict = judge(schemas, reader, &event);
                out.push((i, Some(event), verdict));
            }
            Err(why) => return Err(format!("{name}:{n}: {why}")),
        }
    }
    Ok(out)
}

/// Applies judged batches in input order, holding those that come early.
fn write(sinks: &mut Sinks, name: &str, done: &Receiver<Done>) -> anyhow::Result<()> {
    let mut next = 1u64;
    let mut early: BTreeMap<u64, (Batch, Vec<Judged>)> = BTreeMap::new();
    for (seq, judged) in done.iter() {
        let judged = judged.map_err(|e| anyhow::anyhow!(e))?;
        early.insert(seq, judged);
        while let Some((batch, judged)) = early.remove(&next) {
            for (i, event, verdict) in judged {
                let Some((n, range)) = batch.lines.get(i) else {
                    continue;
                };
                let line = batch.data.get(range.clone()).unwrap_or_default();
                let raw = match &event {
                    Some(e) => e.as_slice(),
                    None => schema_core::payload::ndjson_payload(*n, line).unwrap_or(line),
                };
                sinks.apply((name, *n), raw, verdict)?;
            }
            next += 1;
        }
    }
    Ok(())
}
