//! `compat-cli check --against REF`: the CI `check_compat` step. Every schema file under the
//! schema directory in the working tree is paired by subject with the same subject at REF (read
//! from git objects) and judged with that subject's mode and rules. A deleted subject breaks; a
//! moved file whose subject is unchanged is no change; a new subject is fine. With
//! `--against registry:URL` the baseline is what a registry holds, at the registry's level.
//! Every changed event schema gets the `schema_version` it should carry.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use anyhow::Context;
use schema_core::{Document, Mode, Options, Rules};

use crate::cli::CheckArgs;
use crate::input::Siblings;
use crate::output;
use crate::output::check::{CheckOutput, Checked};
use crate::replay_cmd::Summary;
use crate::repo_config::RepoConfig;
use crate::{git, Outcome};

/// The subject of a schema file: `x-schemagate-subject` in the schema, else the file's entry in
/// `schemagate.toml`, else its path below the schema directory with `/` as `.` and no `.json`
/// (`schemas/widgets/WidgetCreated.json` is `widgets.WidgetCreated`).
pub fn subject_of(config: &RepoConfig, dir: &str, path: &str, doc: &Document) -> String {
    if let Some(s) = doc
        .root
        .get("x-schemagate-subject")
        .and_then(|v| v.as_str())
    {
        return s.to_string();
    }
    if let Some(s) = config.subject_for_file(path) {
        return s.to_string();
    }
    let rel = path
        .strip_prefix(dir)
        .unwrap_or(path)
        .trim_start_matches('/');
    rel.trim_end_matches(".json").replace('/', ".")
}

fn parse(path: &str, text: &str) -> anyhow::Result<Document> {
    crate::input::parse_schema(path, text)
}

/// Schema files under `dir` in the working tree, as repository-relative paths.
pub fn working_files(root: &Path, dir: &str) -> anyhow::Result<Vec<String>> {
    let mut out = Vec::new();
    let mut stack = vec![root.join(dir)];
    while let Some(d) = stack.pop() {
        let entries = match std::fs::read_dir(&d) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(e).with_context(|| format!("reading {}", d.display())),
        };
        for entry in entries {
            let entry = entry?;
            let p = entry.path();
            // The directory entry's own type: no stat per file.
            if entry.file_type()?.is_dir() {
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

/// What the working tree is compared with: per subject, the versions to check against (one,
/// or every registered one under a transitive level), and the mode a registry sets.
struct Baseline {
    docs: BTreeMap<String, Vec<Document>>,
    /// A registry's level (as directions) and rule set per subject: the registry judges
    /// registrations with them, so the check does too.
    modes: BTreeMap<String, (Mode, Option<Rules>)>,
    /// Git baselines hold the whole repository, so a subject missing now was removed; a registry
    /// also holds other repositories' subjects.
    removals: bool,
}

/// The REF side of the files that differ (a file identical on both sides has the same subject
/// and no change, so it is neither read nor judged).
fn git_baseline(
    root: &Path,
    config: &RepoConfig,
    dir: &str,
    commit: &str,
    changed: &[(git::Status, String)],
) -> anyhow::Result<Baseline> {
    let paths: Vec<String> = changed
        .iter()
        .filter(|(s, p)| *s != git::Status::Added && p.ends_with(".json"))
        .map(|(_, p)| p.clone())
        .collect();
    let mut docs = BTreeMap::new();
    let at_ref = Siblings::commit(root, commit, crate::input::MAX_REFERENCED_BYTES);
    for (path, text) in paths.iter().zip(git::show_many(root, commit, &paths)?) {
        let doc = at_ref.locate(parse(path, &text)?, Path::new(path))?;
        docs.insert(subject_of(config, dir, path, &doc), vec![doc]);
    }
    Ok(Baseline {
        docs,
        modes: BTreeMap::new(),
        removals: true,
    })
}

fn registry_baseline(url: &str, args: &CheckArgs, subjects: &[String]) -> anyhow::Result<Baseline> {
    let client = crate::registry::client(url, &args.auth)?;
    let fail = |e: registry_client::Error| anyhow::anyhow!("{}", crate::registry::explain(&e));
    let mut docs = BTreeMap::new();
    let mut modes = BTreeMap::new();
    for subject in subjects {
        let versions = match client.versions(subject) {
            Ok(v) => v,
            Err(e) if e.is_not_found() => continue, // not registered yet: a new subject
            Err(e) => return Err(fail(e)),
        };
        let transitive = match client.config(subject) {
            Ok(config) => {
                let level = config.compatibility_level;
                // A rule set this version does not know: the repository's settings decide.
                let rules = config
                    .rules
                    .as_deref()
                    .and_then(|r| r.parse::<Rules>().ok());
                modes.insert(subject.clone(), (level.mode(), rules));
                level.transitive()
            }
            // A registry without per-subject config: the repository's settings decide.
            Err(e) if e.is_not_found() => false,
            Err(e) => return Err(fail(e)),
        };
        let wanted: Vec<i64> = if transitive {
            versions
        } else {
            versions.last().copied().into_iter().collect()
        };
        let mut list = Vec::new();
        for v in wanted {
            let r = client.version(subject, &v.to_string()).map_err(fail)?;
            let name = format!("{url} {subject} v{v}");
            list.push(parse(&name, &r.schema)?);
        }
        docs.insert(subject.clone(), list);
    }
    Ok(Baseline {
        docs,
        modes,
        removals: false,
    })
}

/// `--replay DIR`: the subject's archive (`DIR/SUBJECT`, a folder or a file) replayed against
/// the working tree's schema at `path`; `None` when the subject has no archive.
fn replay_subject(
    args: &CheckArgs,
    root: &Path,
    subject: &str,
    path: &str,
) -> anyhow::Result<Option<Summary>> {
    let Some(dir) = &args.replay else {
        return Ok(None);
    };
    let archive = dir.join(subject);
    if !archive.exists() {
        return Ok(None);
    }
    let schemas = crate::validate_cmd::schema_file(
        &root.join(path),
        crate::input::MAX_REFERENCED_BYTES,
        None,
        true,
    )?;
    let unwrap = crate::replay_cmd::unwrap_of(&args.replay_envelope, &None);
    crate::replay_cmd::replay(&schemas, &[archive], &unwrap, None, 5).map(Some)
}

pub fn run(args: &CheckArgs) -> anyhow::Result<Outcome> {
    let cwd = std::env::current_dir()?;
    let registry = args.against.strip_prefix("registry:");
    let (root, commit) = match registry {
        Some(_) => (git::toplevel(&cwd)?, None),
        None => {
            let (root, commit) = git::toplevel_and_commit(&cwd, &args.against)?;
            (root, Some(commit))
        }
    };
    let config = RepoConfig::load(&root)?;
    if let Some(d) = config.dialect()? {
        crate::input::set_default_dialect(d); // a --default-dialect flag was set first and wins
    }
    let dir = args
        .dir
        .clone()
        .or(config.dir.clone())
        .unwrap_or_else(|| "schemas".into());

    let files = working_files(&root, &dir)?;
    // A gate that checks nothing must not pass: a missing or empty schema directory (a typo
    // in `--dir` or `dir`) is an error.
    let where_from = if args.dir.is_some() {
        "--dir"
    } else if config.dir.is_some() {
        "`dir` in schemagate.toml"
    } else {
        "the default `schemas` (set `dir` in schemagate.toml or pass --dir)"
    };
    if !root.join(&dir).is_dir() {
        anyhow::bail!(
            "the schema directory {dir:?} does not exist in {} (from {where_from})",
            root.display()
        );
    }
    if files.is_empty() {
        anyhow::bail!("no schema files (*.json) under {dir:?} (from {where_from})");
    }
    // Against git, only files that differ from REF are read; a registry needs them all.
    let (to_read, git_side) = match commit {
        None => (files.clone(), None),
        Some(commit) => {
            let mut changed = git::changed(&root, &commit, &dir)?;
            // A file that references a changed file changes with it: read it too (its text
            // naming the changed file's name is enough to be re-checked; a false match costs
            // one comparison).
            let names: Vec<String> = changed
                .iter()
                .filter_map(|(_, p)| {
                    Path::new(p)
                        .file_name()
                        .map(|n| n.to_string_lossy().into_owned())
                })
                .collect();
            let listed: std::collections::BTreeSet<String> =
                changed.iter().map(|(_, p)| p.clone()).collect();
            if !names.is_empty() {
                for f in &files {
                    if listed.contains(f) {
                        continue;
                    }
                    let text = std::fs::read_to_string(root.join(f)).unwrap_or_default();
                    if text.contains("$ref") && names.iter().any(|n| text.contains(n.as_str())) {
                        changed.push((git::Status::Modified, f.clone()));
                    }
                }
            }
            let differ: std::collections::BTreeSet<&str> = changed
                .iter()
                .filter(|(s, _)| *s != git::Status::Deleted)
                .map(|(_, p)| p.as_str())
                .collect();
            let read: Vec<String> = files
                .iter()
                .filter(|f| differ.contains(f.as_str()))
                .cloned()
                .collect();
            (read, Some((commit, changed)))
        }
    };
    let unchanged = files.len() - to_read.len();
    // Sibling files that `$ref`s name: the working tree on one side, REF on the other.
    let tree = Siblings::tree(&root, crate::input::MAX_REFERENCED_BYTES);
    let at_ref = match &git_side {
        Some((commit, _)) => Siblings::commit(&root, commit, crate::input::MAX_REFERENCED_BYTES),
        None => Siblings::tree(&root, crate::input::MAX_REFERENCED_BYTES),
    };
    let mut new: BTreeMap<String, Document> = BTreeMap::new();
    let mut paths: BTreeMap<String, String> = BTreeMap::new();
    for path in to_read {
        let text =
            std::fs::read_to_string(root.join(&path)).with_context(|| format!("reading {path}"))?;
        let doc = tree.locate(parse(&path, &text)?, Path::new(&path))?;
        let subject = subject_of(&config, &dir, &path, &doc);
        if let Some(other) = new.get(&subject) {
            anyhow::bail!(
                "{path} and {} both hold subject {subject}: rename one, or name it with x-schemagate-subject or schemagate.toml",
                other.name
            );
        }
        paths.insert(subject.clone(), path);
        new.insert(subject, doc);
    }
    if let Some(dir) = &args.replay {
        if !dir.is_dir() {
            anyhow::bail!(
                "--replay {}: not a folder (it holds one archive folder or file per subject)",
                dir.display()
            );
        }
    }
    let Baseline {
        docs: mut baseline_docs,
        modes,
        removals,
    } = match (registry, &git_side) {
        (Some(url), _) => {
            let subjects: Vec<String> = new.keys().cloned().collect();
            registry_baseline(url, args, &subjects)?
        }
        (None, Some((commit, changed))) => git_baseline(&root, &config, &dir, commit, changed)?,
        (None, None) => unreachable!("a git baseline has its commit"),
    };

    // Flags win over the registry's level, which wins over `schemagate.toml` and the defaults.
    let settings = |subject: &str| -> anyhow::Result<Options> {
        let (mode, rules) = config.for_subject(subject, (Mode::Full, Rules::Events))?;
        let (mode, rules) = match modes.get(subject) {
            Some((m, r)) => (*m, r.unwrap_or(rules)),
            None => (mode, rules),
        };
        Ok(Options {
            mode: args.mode.map(Into::into).unwrap_or(mode),
            rules: args.rules.map(Into::into).unwrap_or(rules),
            ..Options::default()
        })
    };

    let mut checked: Vec<Checked> = Vec::new();
    let current: std::collections::BTreeSet<String> = new.keys().cloned().collect();
    for (subject, doc) in new {
        let options = settings(&subject)?;
        let path = paths.get(&subject).map_or("", String::as_str);
        let Some(before) = baseline_docs.remove(&subject) else {
            checked.push(Checked {
                subject: subject.clone(),
                status: "added",
                file: Some(path.to_string()),
                options,
                reports: Vec::new(),
                advice: None,
                replay: replay_subject(args, &root, &subject, path)?,
            });
            continue;
        };
        let latest = before.last().map(|d| d.root.clone());
        let mut reports = Vec::new();
        for old in before {
            let report = schema_core::check_refs(&old, &at_ref, &doc, &tree, options)
                .map_err(|e| anyhow::anyhow!("{}: {e}", doc.name))?;
            if !report.changes.is_empty() {
                reports.push((old, doc.clone(), report));
            }
        }
        let advice = match &latest {
            Some(old) if old != &doc.root && options.rules == Rules::Events => {
                let changes = reports
                    .last()
                    .map(|(_, _, r)| r.changes.clone())
                    .unwrap_or_default();
                Some(schema_core::version::advise(
                    old,
                    &doc.root,
                    &changes,
                    options.mode,
                ))
            }
            _ => None,
        };
        let status = if reports.is_empty() {
            "unchanged"
        } else {
            "changed"
        };
        // Only a schema that differs from its baseline can refuse what was accepted before.
        let replay = match latest {
            Some(old) if old != doc.root => replay_subject(args, &root, &subject, path)?,
            _ => None,
        };
        checked.push(Checked {
            subject,
            status,
            file: Some(path.to_string()),
            options,
            reports,
            advice,
            replay,
        });
    }
    if removals {
        for (subject, mut before) in baseline_docs {
            if current.contains(&subject) {
                continue;
            }
            let options = settings(&subject)?;
            let old = before.swap_remove(0);
            let report = schema_core::removed_subject(&old, options);
            checked.push(Checked {
                subject,
                status: "removed",
                file: None,
                options,
                reports: vec![(old.clone(), old, report)],
                advice: None,
                replay: None,
            });
        }
    }

    let found = CheckOutput {
        against: &args.against,
        checked: &checked,
        unchanged,
    };
    let text = found.render(args.format, output::use_color(args.color))?;
    std::io::stdout().lock().write_all(text.as_bytes())?;
    Ok(if found.breaking() == 0 {
        Outcome::Clean
    } else {
        Outcome::Findings
    })
}
