//! The engine's modules form no cycle: every `crate::…` and `super::…` path in a module's code
//! is an edge to the module it names, and the graph must be acyclic, so each module can be read
//! knowing only the ones below it (the walker below the comparison, the report types below
//! both, the witness search beside them). The crate root (`lib.rs`, the public facade that
//! re-exports) is left out; test modules at the end of a file are too.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// `src/a/b.rs` and `src/a/b/mod.rs` → `["a", "b"]`; `src/lib.rs` → `[]`.
fn module_of(src: &Path, file: &Path) -> Vec<String> {
    let rel = file.strip_prefix(src).unwrap().with_extension("");
    let mut parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if matches!(parts.last().map(String::as_str), Some("mod" | "lib")) {
        parts.pop();
    }
    parts
}

/// The paths a line of code names, as segments from the crate root: `crate::a::b` as written,
/// `super::x` from the module's parent, and each item of a `use …::{x, y::z}` group.
fn paths(module: &[String], code: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    for start in ["crate::", "super::"] {
        let mut rest = code;
        while let Some(i) = rest.find(start) {
            let before = rest[..i].chars().last();
            let tail = &rest[i + start.len()..];
            rest = tail;
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                continue;
            }
            let mut base: Vec<String> = if start == "crate::" {
                Vec::new()
            } else {
                module[..module.len().saturating_sub(1)].to_vec()
            };
            let path: String = tail
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
                .collect();
            let mut segs: Vec<String> = path
                .split("::")
                .filter(|s| !s.is_empty())
                .map(String::from)
                .collect();
            // `super::super::x`
            while segs.first().map(String::as_str) == Some("super") {
                segs.remove(0);
                base.pop();
            }
            base.extend(segs);
            // A group `…::{a, b::c}` names each of its items.
            let after = &tail[path.len()..];
            if path.ends_with("::") && after.starts_with('{') {
                let group = &after[1..after.find('}').unwrap_or(after.len())];
                for item in group.split(',') {
                    let mut p = base.clone();
                    p.extend(
                        item.trim()
                            .split(" as ")
                            .next()
                            .unwrap_or("")
                            .split("::")
                            .filter(|s| !s.is_empty())
                            .map(String::from),
                    );
                    out.push(p);
                }
            } else {
                out.push(base);
            }
        }
    }
    out
}

#[test]
fn engine_modules_form_no_cycle() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut list = Vec::new();
    files(&src, &mut list);
    let modules: BTreeSet<Vec<String>> = list.iter().map(|f| module_of(&src, f)).collect();
    let mut edges: BTreeMap<Vec<String>, BTreeSet<Vec<String>>> = BTreeMap::new();
    for f in &list {
        let module = module_of(&src, f);
        if module.is_empty() {
            continue;
        }
        let text = std::fs::read_to_string(f).unwrap();
        for line in text.lines() {
            if line.trim_start().starts_with("#[cfg(test)]") {
                break;
            }
            let code = line.split("//").next().unwrap_or("");
            for p in paths(&module, code) {
                // The longest prefix that is a module is the module named.
                let target = (1..=p.len())
                    .rev()
                    .map(|n| p[..n].to_vec())
                    .find(|m| modules.contains(m));
                if let Some(t) = target {
                    if t != module {
                        edges.entry(module.clone()).or_default().insert(t);
                    }
                }
            }
        }
    }
    // Depth-first search; a back edge closes a cycle, reported as the path around it.
    fn visit(
        m: &Vec<String>,
        edges: &BTreeMap<Vec<String>, BTreeSet<Vec<String>>>,
        stack: &mut Vec<Vec<String>>,
        done: &mut BTreeSet<Vec<String>>,
        cycles: &mut Vec<String>,
    ) {
        if done.contains(m) {
            return;
        }
        if let Some(i) = stack.iter().position(|s| s == m) {
            let names: Vec<String> = stack[i..].iter().chain([m]).map(|s| s.join("::")).collect();
            cycles.push(names.join(" → "));
            return;
        }
        stack.push(m.clone());
        for t in edges.get(m).into_iter().flatten() {
            visit(t, edges, stack, done, cycles);
        }
        stack.pop();
        done.insert(m.clone());
    }
    let mut cycles = Vec::new();
    let mut done = BTreeSet::new();
    for m in &modules {
        visit(m, &edges, &mut Vec::new(), &mut done, &mut cycles);
    }
    assert!(
        edges.values().map(BTreeSet::len).sum::<usize>() > 20,
        "too few edges found: the path reader is broken ({edges:?})"
    );
    assert!(cycles.is_empty(), "module cycles:\n{}", cycles.join("\n"));
}

#[test]
fn the_path_reader_sees_groups_and_parents() {
    let m = vec!["diff".to_string(), "walk".to_string()];
    let p = paths(
        &m,
        "use super::loc::{contains_ref, Loc}; x(crate::report::judge)",
    );
    assert!(p.contains(&vec!["diff".into(), "loc".into(), "Loc".into()]));
    assert!(p.contains(&vec!["report".into(), "judge".into()]));
    assert_eq!(paths(&m, "ab_crate::x").len(), 0);
}

/// Detection records facts; only the judge (`report::judge`, reading the rule table) decides
/// what a rule set makes of them. No file of the walker names a rule set.
#[test]
fn the_walker_never_branches_on_a_rule_set() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/diff");
    let mut list = Vec::new();
    files(&dir, &mut list);
    let mut found = Vec::new();
    for f in list {
        let text = std::fs::read_to_string(&f).unwrap();
        for (n, line) in text.lines().enumerate() {
            if line.trim_start().starts_with("#[cfg(test)]") {
                break;
            }
            let code = line.split("//").next().unwrap_or("");
            if code.contains("Rules::") {
                found.push(format!("{}:{}: {}", f.display(), n + 1, line.trim()));
            }
        }
    }
    assert!(found.is_empty(), "{}", found.join("\n"));
}
