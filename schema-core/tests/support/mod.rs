//! Shared by the fixture and soundness tests: loading fixture files and the schema_version
//! substitution of event rule 4.

#![allow(dead_code)]

pub mod peers;
pub mod probe;

use std::path::{Path, PathBuf};

use schema_core::{Document, Draft, Options, Rules};
use serde_json::Value;

pub struct Fixture {
    pub name: String,
    pub folder: String,
    pub old: Document,
    pub new: Document,
    pub raw: Value,
}

impl Fixture {
    pub fn load(path: &Path) -> Fixture {
        let text = std::fs::read_to_string(path).unwrap();
        let raw: Value = serde_json::from_str(&text).unwrap();
        let folder = path
            .parent()
            .unwrap()
            .file_name()
            .unwrap()
            .to_string_lossy()
            .to_string();
        let name = format!("{folder}/{}", path.file_stem().unwrap().to_string_lossy());
        // Fixtures are written in 2020-12 unless they say otherwise.
        let (o, n) = (raw["old"].clone(), raw["new"].clone());
        let old = Document::from_value_in(&format!("{name}:old"), o, Draft::Draft202012).unwrap();
        let new = Document::from_value_in(&format!("{name}:new"), n, Draft::Draft202012).unwrap();
        Fixture {
            name,
            folder,
            old,
            new,
            raw,
        }
    }

    /// Event rule 4 applies to the fixtures that are events (they carry a schema_version).
    pub fn versioned(&self) -> bool {
        self.old
            .root
            .pointer("/properties/schema_version")
            .is_some()
    }

    pub fn options(&self, mode: schema_core::Mode, rules: Rules) -> Options {
        Options {
            mode,
            rules,
            witnesses: true,
            schema_version: self.versioned(),
            ..Options::default()
        }
    }

    /// The expected verdict for a rule set and direction, when the fixture states one.
    pub fn expected(&self, rules: Rules, backward: bool) -> Option<bool> {
        let dir = if backward { "backward" } else { "forward" };
        self.raw["compatible"][rules.to_string()][dir].as_bool()
    }
}

pub fn fixture_paths() -> Vec<PathBuf> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut out = Vec::new();
    for dir in std::fs::read_dir(&root).unwrap() {
        let dir = dir.unwrap().path();
        if dir.is_dir() {
            for f in std::fs::read_dir(&dir).unwrap() {
                let f = f.unwrap().path();
                if f.extension().is_some_and(|e| e == "json") {
                    out.push(f);
                }
            }
        }
    }
    out.sort();
    out
}

/// The instance as the other schema sees it: rule 4 excludes the schema_version value from the
/// comparison, so the event carries that schema's own version.
pub fn as_seen_by(instance: &Value, target: &Document) -> Value {
    let mut v = instance.clone();
    if let (Some(ver), Some(obj)) = (
        target.root.pointer("/properties/schema_version/const"),
        v.as_object_mut(),
    ) {
        if obj.contains_key("schema_version") {
            obj.insert("schema_version".into(), ver.clone());
        }
    }
    v
}

/// The 2020-12 file has one trailing comma (see the corpus README); strip `,` before `}`/`]`.
pub fn lenient_json(text: &str) -> Value {
    let mut out = String::with_capacity(text.len());
    let chars: Vec<char> = text.chars().collect();
    let mut in_str = false;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if in_str {
            out.push(c);
            if c == '\\' {
                out.push(chars[i + 1]);
                i += 1;
            } else if c == '"' {
                in_str = false;
            }
        } else if c == '"' {
            in_str = true;
            out.push(c);
        } else if c == ',' {
            let next = chars[i + 1..].iter().find(|c| !c.is_whitespace());
            if !matches!(next, Some('}') | Some(']')) {
                out.push(c);
            }
        } else {
            out.push(c);
        }
        i += 1;
    }
    serde_json::from_str(&out).expect("corpus parses")
}

/// `shared/` (other projects' suites): `$SCHEMAGATE_SHARED`, else `../shared` beside the
/// repository. `None`, with a note on stderr saying how to get it, when it is not there.
pub fn shared_dir(what: &str) -> Option<PathBuf> {
    let dir = match std::env::var("SCHEMAGATE_SHARED") {
        Ok(d) => PathBuf::from(d),
        Err(_) => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared"),
    };
    if dir.join("conformance").is_dir() {
        return Some(dir);
    }
    // Written past the test harness's capture, so a skip shows in every run.
    use std::io::Write;
    let _ = writeln!(
        std::io::stderr(),
        "SKIPPED {what}: needs the conformance suites in {} (set SCHEMAGATE_SHARED to the \
         folder holding conformance/; see docs/conformance.md)",
        dir.display()
    );
    if std::env::var("SCHEMAGATE_REQUIRE_SHARED").is_ok() {
        panic!("{what}: SCHEMAGATE_REQUIRE_SHARED is set and the suites are missing");
    }
    None
}
