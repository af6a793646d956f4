//! `compat-cli check --against REF`: the CI `check_compat` step. Every schema file under the
//! schema directory in the working tree is paired by subject with the same subject at REF (read
//! from git objects) and judged with that subject's mode and rules. A deleted subject breaks; a
//! moved file whose subject is unchanged is no change; a new subject is fine.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use anyhow::Context;
use schema_core::{Document, Mode, Options, Report, Rules};

use crate::cli::CheckArgs;
use crate::input::located;
use crate::output::{self, Rendered};
use crate::repo_config::RepoConfig;
use crate::{git, Outcome};

/// The subject of a schema file: `x-schemagate-subject` in the schema, else its path below the
/// schema directory with `/` as `.` and no `.json` (`schemas/widgets/WidgetCreated.json` is
/// `widgets.WidgetCreated`).
pub fn subject_of(dir: &str, path: &str, doc: &Document) -> String {
    if let Some(s) = doc
        .root
        .get("x-schemagate-subject")
        .and_then(|v| v.as_str())
    {
        return s.to_string();
    }
    let rel = path
        .strip_prefix(dir)
        .unwrap_or(path)
        .trim_start_matches('/');
    rel.trim_end_matches(".json").replace('/', ".")
}

fn parse(path: &str, text: &str) -> anyhow::Result<Document> {
    Document::parse(path, text).map_err(|e| located(e, path, text))
}

/// Schema files under `dir` in the working tree, as repository-relative paths.
fn working_files(root: &Path, dir: &str) -> anyhow::Result<Vec<String>> {
    let mut out = Vec::new();
    let mut stack = vec![root.join(dir)];
    while let Some(d) = stack.pop() {
        let entries = match std::fs::read_dir(&d) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(e).with_context(|| format!("reading {}", d.display())),
        };
        for entry in entries {
            let p = entry?.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|e| e == "json") {
                let rel = p
                    .strip_prefix(root)
                    .unwrap_or(&p)
                    .to_string_lossy()
                    .replace('\\', "/");
                out.push(rel);
            }
        }
    }
    out.sort();
    Ok(out)
}

pub fn run(args: &CheckArgs) -> anyhow::Result<Outcome> {
    let cwd = std::env::current_dir()?;
    let root = git::toplevel(&cwd)?;
    let config = RepoConfig::load(&root)?;
    let dir = args
        .dir
        .clone()
        .or(config.dir.clone())
        .unwrap_or_else(|| "schemas".into());
    let commit = git::resolve(&root, &args.against)?;
    // Flags given on the command line win over `schemagate.toml`, which wins over the defaults.
    let settings = |subject: &str| -> anyhow::Result<Options> {
        let (mode, rules) = config.for_subject(subject, (Mode::Full, Rules::Events))?;
        let mode = args.mode.map(Into::into).unwrap_or(mode);
        let rules = args.rules.map(Into::into).unwrap_or(rules);
        Ok(Options {
            mode,
            rules,
            ..Options::default()
        })
    };

    let mut new: BTreeMap<String, Document> = BTreeMap::new();
    for path in working_files(&root, &dir)? {
        let text =
            std::fs::read_to_string(root.join(&path)).with_context(|| format!("reading {path}"))?;
        let doc = parse(&path, &text)?;
        new.insert(subject_of(&dir, &path, &doc), doc);
    }
    let mut old: BTreeMap<String, Document> = BTreeMap::new();
    for path in git::files_at(&root, &commit, &dir)?
        .into_iter()
        .filter(|p| p.ends_with(".json"))
    {
        let text = git::show(&root, &commit, &path)?;
        let doc = parse(&path, &text)?;
        old.insert(subject_of(&dir, &path, &doc), doc);
    }

    let mut reports: Vec<(Document, Document, Report)> = Vec::new();
    let (mut changed, mut added) = (0, 0);
    for (subject, doc) in &new {
        let Some(before) = old.get(subject) else {
            added += 1;
            continue;
        };
        let report = schema_core::check(before, doc, settings(subject)?)?;
        if !report.changes.is_empty() {
            changed += 1;
            reports.push((before.clone(), doc.clone(), report));
        }
    }
    for (subject, before) in &old {
        if !new.contains_key(subject) {
            let report = schema_core::diff::removed_subject(before, settings(subject)?);
            changed += 1;
            reports.push((before.clone(), before.clone(), report));
        }
    }
    let breaking = reports.iter().filter(|(_, _, r)| !r.compatible).count();
    let items: Vec<Rendered> = reports
        .iter()
        .map(|(o, n, r)| Rendered {
            old: o,
            new: n,
            report: r,
        })
        .collect();
    let mut text = output::render(args.format, &items, output::use_color(args.color))?;
    if args.format == crate::cli::Format::Human {
        text.push_str(&format!("{} subjects checked against {}: {changed} changed, {added} added, {breaking} breaking\n", new.len() + old.keys().filter(|s| !new.contains_key(*s)).count(), args.against));
    }
    std::io::stdout().lock().write_all(text.as_bytes())?;
    Ok(if breaking == 0 {
        Outcome::Clean
    } else {
        Outcome::Findings
    })
}
