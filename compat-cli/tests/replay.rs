//! `compat-cli replay`: archived events, plain and gzip'd, in folders, judged by a candidate
//! schema; the refusals counted and located by file and line, the same for any number of jobs.

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};

use common::{cli, text};

fn gz(members: &[&[u8]]) -> Vec<u8> {
    let mut out = Vec::new();
    for m in members {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        e.write_all(m).unwrap();
        out.extend(e.finish().unwrap());
    }
    out
}

fn archive(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("schemagate-replay-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("2026/11")).unwrap();
    dir
}

const CANDIDATE: &str = r#"{
  "type": "object",
  "properties": {"amount": {"type": "integer", "maximum": 100}},
  "required": ["amount"]
}"#;

fn candidate(dir: &Path) -> String {
    let p = dir.join("candidate.schema");
    std::fs::write(&p, CANDIDATE).unwrap();
    p.display().to_string()
}

#[test]
fn archives_in_folders_plain_and_gzipped() {
    let dir = archive("plain");
    let schema = candidate(&dir);
    let events = dir.join("events");
    std::fs::create_dir_all(events.join("2026/11")).unwrap();
    // A byte-order mark, CRLF, a blank line and no final newline: the meaning DESIGN gives them.
    std::fs::write(
        events.join("2026/11/01.ndjson"),
        b"\xef\xbb\xbf{\"amount\":1}\r\n\n{\"amount\":101}\r\n{\"amount\":2}",
    )
    .unwrap();
    // Two gzip members, as an appending archiver writes them; the name does not say gzip.
    std::fs::write(
        events.join("2026/11/02.part"),
        gz(&[
            b"{\"amount\":3}\n{\"amount\":\"x\"}\n",
            b"{oops\n{\"amount\":4}\n",
        ]),
    )
    .unwrap();
    std::fs::write(events.join(".in-progress"), b"{\"amount\":1000}\n").unwrap();
    let ev = events.display().to_string();
    let one = cli(&["replay", "--schema", &schema, &ev, "--jobs", "1"]);
    assert_eq!(one.status.code(), Some(1), "{}", text(&one));
    let out = String::from_utf8_lossy(&one.stdout).to_string();
    assert!(
        out.contains("replayed 7 archived events from 2 files against"),
        "{out}"
    );
    assert!(out.contains(": 3 rejected (42.86%)"), "{out}");
    let first = format!("{}:3: /amount:", events.join("2026/11/01.ndjson").display());
    assert!(out.contains(&first), "{out}");
    assert!(out.contains("02.part:2: /amount:"), "{out}");
    assert!(out.contains("02.part:3: /: not JSON"), "{out}");
    // Any number of jobs: the same report, byte for byte.
    let two = cli(&["replay", "--schema", &schema, &ev, "--jobs", "2"]);
    assert_eq!(one.stdout, two.stdout);
    // Only the first refusals are shown; all are counted.
    let few = cli(&["replay", "--schema", &schema, &ev, "--examples", "1"]);
    let few = String::from_utf8_lossy(&few.stdout).to_string();
    assert!(few.contains("… and 2 more"), "{few}");
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn envelopes_of_many_subjects() {
    let dir = archive("envelope");
    let schema = candidate(&dir);
    let file = dir.join("stream.ndjson.gz");
    std::fs::write(
        &file,
        gz(
            &[br#"{"type":"Payment","id":"1-0","payload":"{\"amount\":5}"}
{"type":"Refund","id":"2-0","payload":"{\"amount\":500}"}
{"type":"Payment","id":"3-0","payload":{"amount":500}}
{"type":"Payment","id":"4-0"}
"#],
        ),
    )
    .unwrap();
    let o = cli(&[
        "replay",
        "--schema",
        &schema,
        "--envelope",
        "payload",
        "--only",
        "type=Payment",
        file.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let out = String::from_utf8_lossy(&o.stdout).to_string();
    assert!(
        out.contains("replayed 3 archived events from 1 files"),
        "{out}"
    );
    assert!(out.contains("2 rejected"), "{out}");
    assert!(out.contains("1 lines of other subjects skipped"), "{out}");
    assert!(out.contains("stream.ndjson.gz:3: /amount:"), "{out}");
    assert!(out.contains("stream.ndjson.gz:4: /: not JSON"), "{out}");
    let bad = cli(&[
        "replay",
        "--schema",
        &schema,
        "--only",
        "type",
        file.to_str().unwrap(),
    ]);
    assert_eq!(bad.status.code(), Some(2), "{}", text(&bad));
    assert!(
        text(&bad).contains("expected FIELD=VALUE"),
        "{}",
        text(&bad)
    );
    let missing = cli(&["replay", "--schema", &schema, "/nonexistent/archive"]);
    assert_eq!(missing.status.code(), Some(2), "{}", text(&missing));
    assert!(
        text(&missing).contains("reading /nonexistent/archive"),
        "{}",
        text(&missing)
    );
    std::fs::remove_dir_all(dir).ok();
}
