//! `compat-cli publish [DIR] --registry URL`: the post-merge step. Every schema file of the
//! schema directory is registered under its subject (as `check` names subjects), files that
//! others reference by relative `$ref` first, each with Confluent references to the versions
//! its siblings hold. What the registry holds already is looked up, not registered again, so a
//! second run registers nothing. A refused schema (409) is reported with its breaking changes,
//! and the schemas that reference it are skipped.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Component, Path, PathBuf};

use anyhow::Context;
use registry_api::{Reference, SchemaRequest};
use schema_core::Document;
use serde_json::Value;

use crate::check_cmd::{subject_of, working_files};
use crate::cli::PublishArgs;
use crate::registry::{client, explain};
use crate::repo_config::RepoConfig;
use crate::Outcome;

/// One schema file to publish.
struct Item {
    path: String,
    subject: String,
    text: String,
    /// `$ref` targets naming sibling files: (the reference as written, the file's path).
    refs: Vec<(String, String)>,
}

/// Every `$ref` value in a document.
fn refs_of(v: &Value, out: &mut BTreeSet<String>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                match (k.as_str(), x) {
                    ("$ref", Value::String(r)) => {
                        out.insert(r.clone());
                    }
                    _ => refs_of(x, out),
                }
            }
        }
        Value::Array(a) => a.iter().for_each(|x| refs_of(x, out)),
        _ => {}
    }
}

/// `base/../x.json` as a plain repository path, or `None` when it leaves the repository.
fn normalize(base: &Path, rel: &str) -> Option<String> {
    let mut parts: Vec<String> = Vec::new();
    for c in base.join(rel).components() {
        match c {
            Component::Normal(p) => parts.push(p.to_string_lossy().into_owned()),
            Component::ParentDir => {
                parts.pop()?;
            }
            Component::CurDir => {}
            _ => return None,
        }
    }
    Some(parts.join("/"))
}

/// The files a schema names by relative `$ref` (not fragments, not absolute URIs).
fn sibling_refs(path: &str, doc: &Document) -> Vec<(String, String)> {
    let mut all = BTreeSet::new();
    refs_of(&doc.root, &mut all);
    let folder = Path::new(path).parent().unwrap_or(Path::new(""));
    let mut out = BTreeSet::new();
    for r in all {
        let file = r.split('#').next().unwrap_or("");
        if file.is_empty() || file.contains(':') {
            continue;
        }
        if let Some(target) = normalize(folder, file) {
            out.insert((file.to_string(), target));
        }
    }
    out.into_iter().collect()
}

/// Referenced files before the files that reference them; a cycle is an error naming it.
fn order(items: &BTreeMap<String, Item>) -> anyhow::Result<Vec<String>> {
    let mut done: Vec<String> = Vec::new();
    let mut placed = BTreeSet::new();
    let mut visiting = Vec::new();
    fn visit(
        path: &str,
        items: &BTreeMap<String, Item>,
        placed: &mut BTreeSet<String>,
        visiting: &mut Vec<String>,
        done: &mut Vec<String>,
    ) -> anyhow::Result<()> {
        if placed.contains(path) {
            return Ok(());
        }
        if let Some(at) = visiting.iter().position(|p| p == path) {
            let mut cycle = visiting[at..].to_vec();
            cycle.push(path.to_string());
            anyhow::bail!(
                "the schema files reference each other in a cycle: {}; a Confluent registry needs referenced schemas registered first",
                cycle.join(" → ")
            );
        }
        visiting.push(path.to_string());
        for (_, target) in &items[path].refs {
            visit(target, items, placed, visiting, done)?;
        }
        visiting.pop();
        placed.insert(path.to_string());
        done.push(path.to_string());
        Ok(())
    }
    for path in items.keys() {
        visit(path, items, &mut placed, &mut visiting, &mut done)?;
    }
    Ok(done)
}

pub fn run(args: &PublishArgs) -> anyhow::Result<Outcome> {
    let cwd = std::env::current_dir()?;
    let root = crate::git::toplevel(&cwd).unwrap_or(cwd);
    let config = RepoConfig::load(&root)?;
    let dir = args
        .dir
        .clone()
        .or(config.dir.clone())
        .unwrap_or_else(|| "schemas".into());
    let dir = dir.trim_end_matches('/').to_string();
    if !root.join(&dir).is_dir() {
        anyhow::bail!(
            "the schema directory {dir:?} does not exist in {}",
            root.display()
        );
    }
    let files = working_files(&root, &dir)?;
    if files.is_empty() {
        anyhow::bail!("no schema files (*.json) under {dir:?}");
    }
    let mut items: BTreeMap<String, Item> = BTreeMap::new();
    let mut subjects: BTreeMap<String, String> = BTreeMap::new();
    for path in &files {
        let full: PathBuf = root.join(path);
        let doc = crate::input::read_schema(&full, args.max_schema_bytes)?;
        let subject = subject_of(&config, &dir, path, &doc);
        if let Some(other) = subjects.insert(subject.clone(), path.clone()) {
            anyhow::bail!("{path} and {other} both hold subject {subject}");
        }
        let text = std::fs::read_to_string(&full).with_context(|| format!("reading {path}"))?;
        let refs = sibling_refs(path, &doc);
        items.insert(
            path.clone(),
            Item {
                path: path.clone(),
                subject,
                text,
                refs,
            },
        );
    }
    for item in items.values() {
        for (written, target) in &item.refs {
            if !items.contains_key(target) {
                anyhow::bail!(
                    "{}: `$ref` {written:?} names {target}, which is not a schema file under {dir:?}",
                    item.path
                );
            }
        }
    }
    let registry = client(&args.registry, &args.auth)?;
    // The registered version of each file published (or found) in this run.
    let mut versions: BTreeMap<String, i64> = BTreeMap::new();
    let (mut registered, mut unchanged, mut refused, mut skipped) = (0, 0, 0, 0);
    for path in order(&items)? {
        let item = &items[&path];
        let mut references = Vec::new();
        let mut missing = None;
        for (written, target) in &item.refs {
            match versions.get(target) {
                Some(v) => references.push(Reference {
                    name: written.clone(),
                    subject: items[target].subject.clone(),
                    version: *v,
                }),
                None => missing = Some(target.clone()),
            }
        }
        if let Some(target) = missing {
            println!(
                "skipped    {} ({path}): it references {target}, which was not published",
                item.subject
            );
            skipped += 1;
            continue;
        }
        let after_dry = args.dry_run && references.iter().any(|r| r.version == 0);
        let req = SchemaRequest {
            references,
            ..SchemaRequest::json(item.text.clone())
        };
        if after_dry {
            // It references a schema this dry run would register: it would change too.
            println!("would register {} ({path})", item.subject);
            registered += 1;
            versions.insert(path.clone(), 0);
            continue;
        }
        match registry.lookup(&item.subject, &req) {
            Ok(found) => {
                println!(
                    "unchanged  {} v{} (id {})",
                    item.subject, found.version, found.id
                );
                versions.insert(path.clone(), found.version);
                unchanged += 1;
                continue;
            }
            Err(e) if e.is_not_found() => {}
            Err(e) => anyhow::bail!("{}", explain(&e)),
        }
        if args.dry_run {
            println!("would register {} ({path})", item.subject);
            registered += 1;
            // Dependents are looked up against no version of it: they would be registered too.
            versions.insert(path.clone(), 0);
            continue;
        }
        match registry.register_request(&item.subject, &req) {
            Ok(id) => {
                let found = registry
                    .lookup(&item.subject, &req)
                    .map_err(|e| anyhow::anyhow!("{}", explain(&e)))?;
                println!(
                    "registered {} v{} (id {id}) from {path}",
                    item.subject, found.version
                );
                versions.insert(path.clone(), found.version);
                registered += 1;
            }
            Err(registry_client::Error::Api {
                status: 409,
                message,
                changes,
                ..
            }) => {
                println!(
                    "refused    {} ({path}): incompatible with an earlier version",
                    item.subject
                );
                if changes.is_empty() {
                    println!("  - {message}");
                }
                for c in &changes {
                    println!("  - {}", c.line());
                }
                refused += 1;
            }
            Err(e) => anyhow::bail!("{}: {}", item.subject, explain(&e)),
        }
    }
    let verb = if args.dry_run {
        "to register"
    } else {
        "registered"
    };
    println!(
        "{} schemas: {registered} {verb}, {unchanged} unchanged, {refused} refused, {skipped} skipped",
        items.len()
    );
    Ok(if refused + skipped == 0 {
        Outcome::Clean
    } else {
        Outcome::Findings
    })
}

#[cfg(test)]
mod tests {
    use super::normalize;
    use std::path::Path;

    #[test]
    fn relative_references_become_repository_paths() {
        let at = Path::new("schemas/orders");
        assert_eq!(
            normalize(at, "../components/Money.json").as_deref(),
            Some("schemas/components/Money.json")
        );
        assert_eq!(
            normalize(at, "./Line.json").as_deref(),
            Some("schemas/orders/Line.json")
        );
        assert_eq!(normalize(Path::new("a"), "../../x.json"), None);
    }
}
