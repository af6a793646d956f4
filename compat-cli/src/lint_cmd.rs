//! `compat-cli lint [PATH…]`: the event-schema rules that need no baseline. Each file must parse
//! as a valid JSON Schema whose `$ref`s resolve (otherwise exit 2, as everywhere); findings are
//! an object root, a well-formed required `schema_version` const holding a semver, and no remote
//! `$ref` (registries never fetch them).

use std::path::{Path, PathBuf};

use schema_core::subschemas::for_each_subschema;
use schema_core::Document;
use serde_json::Value;

use crate::cli::LintArgs;
use crate::input::read_schema;
use crate::output::lint::{Finding, LintOutput};
use crate::output::RuleInfo;
use crate::Outcome;

/// The rules, as data: (id, what it asks, how to fix it).
const RULES: [(&str, &str, &str); 4] = [
    (
        "object-root",
        "an event schema's root is an object",
        "give the root `\"type\": \"object\"`: an event is a JSON object",
    ),
    (
        "dialect",
        "the schema names its dialect",
        "add `$schema` (for example \"https://json-schema.org/draft/2020-12/schema\")",
    ),
    (
        "schema-version",
        "the event carries a required `schema_version` const holding a semver",
        "add `\"schema_version\": {\"const\": \"1.0.0\"}` to `properties` and to `required`",
    ),
    (
        "no-remote-ref",
        "no `$ref` to a remote URL",
        "register the referenced schema as a subject and use a reference",
    ),
];

/// A rule broken at a pointer, before it is located.
struct Found {
    pointer: String,
    rule: &'static str,
    message: String,
}

fn lint(doc: &Document) -> Vec<Found> {
    let mut out = Vec::new();
    let mut push = |pointer: &str, rule, message: String| {
        out.push(Found {
            pointer: pointer.to_string(),
            rule,
            message,
        })
    };
    if doc.root.get("type").and_then(Value::as_str) != Some("object") {
        push(
            "",
            "object-root",
            "an event schema's root must be `\"type\": \"object\"`".into(),
        );
    }
    if doc.root.get("$schema").is_none() {
        push(
            "",
            "dialect",
            format!(
                "declare the dialect with `$schema` (read as {} without it, which other tools may not share)",
                doc.draft.name()
            ),
        );
    }
    if let Err(why) = schema_core::version::declared(&doc.root) {
        let at = if doc.root.pointer("/properties/schema_version").is_some() {
            "/properties/schema_version"
        } else {
            ""
        };
        push(at, "schema-version", why);
    }
    for_each_subschema(&doc.root, doc.draft, "", &mut |ptr, s| {
        if let Some(r) = s.get("$ref").and_then(Value::as_str) {
            if r.starts_with("http://") || r.starts_with("https://") {
                out.push(Found {
                    pointer: format!("{ptr}/$ref"),
                    rule: "no-remote-ref",
                    message: format!(
                        "remote $ref {r:?}: register it as a subject and use a reference"
                    ),
                });
            }
        }
    });
    out
}

fn files(paths: &[PathBuf]) -> anyhow::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            let mut stack = vec![p.clone()];
            while let Some(d) = stack.pop() {
                for e in std::fs::read_dir(&d)? {
                    let e = e?.path();
                    if e.is_dir() {
                        stack.push(e);
                    } else if e.extension().is_some_and(|x| x == "json") {
                        out.push(e);
                    }
                }
            }
        } else {
            out.push(p.clone());
        }
    }
    out.sort();
    Ok(out)
}

pub fn run(args: &LintArgs) -> anyhow::Result<Outcome> {
    let paths = if args.paths.is_empty() {
        let dir = crate::git::toplevel(&std::env::current_dir()?)
            .ok()
            .and_then(|root| {
                crate::repo_config::RepoConfig::load(&root)
                    .ok()
                    .and_then(|c| c.dir)
                    .map(|d| root.join(d))
            })
            .unwrap_or_else(|| Path::new("schemas").to_path_buf());
        vec![dir]
    } else {
        args.paths.clone()
    };
    let files = files(&paths)?;
    let mut findings = Vec::new();
    for f in &files {
        let doc = read_schema(f, args.max_schema_bytes)?;
        let found = lint(&doc);
        // Every `$ref` must resolve: in the file, or to a sibling file of the repository
        // (remote ones are a finding of their own).
        if let Err(e) = crate::input::with_references(doc.clone(), f, args.max_schema_bytes) {
            if !found.iter().any(|x| x.rule == "no-remote-ref") {
                return Err(e);
            }
        }
        for f in found {
            let (line, column) = doc.position(&f.pointer).unwrap_or((1, 1));
            findings.push(Finding {
                file: doc.name.clone(),
                pointer: f.pointer,
                line,
                column,
                rule: f.rule,
                message: f.message,
            });
        }
    }
    let rules: Vec<RuleInfo> = RULES
        .iter()
        .map(|(id, summary, help)| RuleInfo {
            id: id.to_string(),
            summary: summary.to_string(),
            help: help.to_string(),
            rule: id.to_string(),
        })
        .collect();
    let text = LintOutput {
        files: files.len(),
        findings: &findings,
        rules: &rules,
    }
    .render(args.format)?;
    std::io::Write::write_all(&mut std::io::stdout().lock(), text.as_bytes())?;
    Ok(if findings.is_empty() {
        Outcome::Clean
    } else {
        Outcome::Findings
    })
}
