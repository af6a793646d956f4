//! `compat-cli lint [PATH…]`: the event-schema rules that need no baseline. Each file must parse
//! as a valid JSON Schema whose `$ref`s resolve (otherwise exit 2, as everywhere); findings are
//! an object root, a well-formed required `schema_version` const holding a semver, and no remote
//! `$ref` (registries never fetch them).

use std::path::{Path, PathBuf};

use schema_core::subschemas::for_each_subschema;
use schema_core::Document;
use serde_json::Value;

use crate::cli::{LintArgs, LintFormat};
use crate::input::read_schema;
use crate::Outcome;

struct Finding {
    file: String,
    pointer: String,
    rule: &'static str,
    message: String,
}

fn lint(doc: &Document) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut push = |pointer: &str, rule, message: String| {
        out.push(Finding {
            file: doc.name.clone(),
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
                out.push(Finding {
                    file: doc.name.clone(),
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
        for finding in found {
            let (line, col) = doc.position(&finding.pointer).unwrap_or((1, 1));
            findings.push((finding, line, col));
        }
    }
    for (f, line, col) in &findings {
        match args.format {
            LintFormat::Human => println!("{}:{line}:{col}: {}: {}", f.file, f.rule, f.message),
            LintFormat::Github => println!(
                "::error file={},line={line},col={col},title={}::{}",
                f.file, f.rule, f.message
            ),
        }
    }
    println!("{} files linted, {} findings", files.len(), findings.len());
    Ok(if findings.is_empty() {
        Outcome::Clean
    } else {
        Outcome::Findings
    })
}
