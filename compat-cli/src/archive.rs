//! Event archives as archivers write them: NDJSON files, gzip'd or not (told by their first
//! bytes, not their names), and folders of them; and how a line of one becomes the event to
//! judge (the line itself, a dead-letter record's event, or an envelope's field).

use std::borrow::Cow;
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};

use anyhow::Context;
use serde_json::value::RawValue;

/// The files of `inputs`: files as given, folders walked (hidden entries skipped), each folder's
/// files in name order so reports are reproducible.
pub fn files(inputs: &[PathBuf]) -> anyhow::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for input in inputs {
        if input == Path::new("-") {
            out.push(input.clone());
            continue;
        }
        let meta =
            std::fs::metadata(input).with_context(|| format!("reading {}", input.display()))?;
        if meta.is_dir() {
            walk(input, &mut out)?;
        } else {
            out.push(input.clone());
        }
    }
    Ok(out)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> anyhow::Result<()> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("reading {}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            !p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with('.'))
        })
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            walk(&p, out)?;
        } else {
            out.push(p);
        }
    }
    Ok(())
}

/// A file's bytes, decompressed when it starts with gzip's magic number (concatenated gzip
/// members, as appending archivers write them, are read through).
pub fn open(path: &Path) -> anyhow::Result<Box<dyn Read + Send>> {
    let mut file = BufReader::with_capacity(
        1 << 20,
        File::open(path).with_context(|| format!("reading {}", path.display()))?,
    );
    let head = std::io::BufRead::fill_buf(&mut file)
        .with_context(|| format!("reading {}", path.display()))?;
    if head.starts_with(&[0x1f, 0x8b]) {
        Ok(Box::new(flate2::bufread::MultiGzDecoder::new(file)))
    } else {
        Ok(Box::new(file))
    }
}

/// How a line becomes the event judged.
#[derive(Debug, Clone, Default)]
pub enum Unwrap {
    /// The line is the event.
    #[default]
    Line,
    /// The line is a dead-letter record (`validate --dlq`) holding the event.
    DeadLetter,
    /// The line is an archiver's envelope: the event is its top-level `field` (a JSON value, or
    /// a string holding the event's text), and with `only`, lines whose top-level field does
    /// not hold that string are someone else's events and are skipped.
    Envelope {
        field: Option<String>,
        only: Option<(String, String)>,
    },
}

impl Unwrap {
    /// The event a line holds, `None` for a line to skip, or why the line cannot be read
    /// (a dead-letter file that is not one stops the run; an envelope that is not JSON is the
    /// event's problem, judged as not JSON).
    pub fn event<'a>(&self, line: &'a [u8]) -> Result<Option<Cow<'a, [u8]>>, String> {
        match self {
            Unwrap::Line => Ok(Some(Cow::Borrowed(line))),
            Unwrap::DeadLetter => {
                schema_core::dead_letter::payload_of(line).map(|e| Some(e.into()))
            }
            Unwrap::Envelope { field, only } => {
                let Ok(envelope) =
                    serde_json::from_slice::<std::collections::HashMap<String, &RawValue>>(line)
                else {
                    // Not an envelope: judged as it is, so it is reported as not JSON.
                    return Ok(Some(Cow::Borrowed(line)));
                };
                if let Some((key, want)) = only {
                    let is = envelope
                        .get(key)
                        .and_then(|v| serde_json::from_str::<Cow<'_, str>>(v.get()).ok());
                    if is.as_deref() != Some(want.as_str()) {
                        return Ok(None);
                    }
                }
                let Some(field) = field else {
                    return Ok(Some(Cow::Borrowed(line)));
                };
                let Some(raw) = envelope.get(field) else {
                    return Ok(Some(Cow::Owned(
                        format!("(the envelope has no field {field:?})").into_bytes(),
                    )));
                };
                // A string holds the event's text (Redis stream fields are strings); anything
                // else is the event itself, kept as written.
                match serde_json::from_str::<String>(raw.get()) {
                    Ok(text) => Ok(Some(Cow::Owned(text.into_bytes()))),
                    Err(_) => Ok(Some(Cow::Owned(raw.get().as_bytes().to_vec()))),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn envelope(field: Option<&str>, only: Option<(&str, &str)>) -> Unwrap {
        Unwrap::Envelope {
            field: field.map(String::from),
            only: only.map(|(k, v)| (k.to_string(), v.to_string())),
        }
    }

    #[test]
    fn envelopes_give_their_event_as_written() {
        let u = envelope(Some("payload"), Some(("type", "WidgetCreated")));
        let line = br#"{"type":"WidgetCreated","payload":{"b":1E2, "a":-0}}"#;
        assert_eq!(
            u.event(line).unwrap().unwrap().as_ref(),
            br#"{"b":1E2, "a":-0}"#
        );
        let line = br#"{"type":"WidgetCreated","payload":"{\"b\":1E2}"}"#;
        assert_eq!(u.event(line).unwrap().unwrap().as_ref(), br#"{"b":1E2}"#);
        // Someone else's event, or no type at all: skipped.
        assert!(u
            .event(br#"{"type":"Other","payload":{}}"#)
            .unwrap()
            .is_none());
        assert!(u.event(br#"{"payload":{}}"#).unwrap().is_none());
        // Not an envelope: judged as is (and found not JSON).
        assert_eq!(u.event(b"{oops").unwrap().unwrap().as_ref(), b"{oops");
        // Escaped type names compare by their value.
        assert!(u
            .event(br#"{"type":"Widget\u0043reated","payload":{}}"#)
            .unwrap()
            .is_some());
    }

    #[test]
    fn gzip_is_told_by_its_bytes() {
        use std::io::Write;
        let dir = std::env::temp_dir().join(format!("schemagate-archive-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("sub")).unwrap();
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(b"{\"a\":1}\n").unwrap();
        let mut bytes = gz.finish().unwrap();
        // A second member, as an appending archiver writes it.
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(b"{\"a\":2}\n").unwrap();
        bytes.extend(gz.finish().unwrap());
        std::fs::write(dir.join("sub/part-1.ndjson"), &bytes).unwrap();
        std::fs::write(dir.join("part-0.ndjson"), b"{\"a\":0}\n").unwrap();
        std::fs::write(dir.join(".partial"), b"x").unwrap();
        let found = files(std::slice::from_ref(&dir)).unwrap();
        assert_eq!(
            found,
            vec![dir.join("part-0.ndjson"), dir.join("sub/part-1.ndjson")]
        );
        let mut text = String::new();
        open(&found[1]).unwrap().read_to_string(&mut text).unwrap();
        assert_eq!(text, "{\"a\":1}\n{\"a\":2}\n");
        std::fs::remove_dir_all(dir).ok();
    }
}
