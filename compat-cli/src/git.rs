//! Reading schema files from git objects with the `git` command (no checkout, no temporary
//! clone): the repository root, the commit a ref names, the files that differ from it, and
//! their contents at it.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context};

fn git(repo: &Path, args: &[&str]) -> anyhow::Result<std::process::Output> {
    Command::new("git")
        .arg("-C")
        .arg(repo)
        .args(args)
        .output()
        .with_context(|| format!("running git {}", args.join(" ")))
}

/// The top of the work tree containing `dir`.
pub fn toplevel(dir: &Path) -> anyhow::Result<PathBuf> {
    let out = git(dir, &["rev-parse", "--show-toplevel"])?;
    if !out.status.success() {
        bail!("{} is not inside a git repository", dir.display());
    }
    Ok(PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()))
}

/// The commit a ref names, or an error naming the ref.
pub fn resolve(repo: &Path, rev: &str) -> anyhow::Result<String> {
    let out = git(
        repo,
        &[
            "rev-parse",
            "--verify",
            "--quiet",
            &format!("{rev}^{{commit}}"),
        ],
    )?;
    if !out.status.success() {
        let shallow = Command::new("git")
            .arg("-C")
            .arg(repo)
            .args(["rev-parse", "--is-shallow-repository"])
            .output()
            .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "true");
        if shallow {
            bail!(
                "unknown git ref {rev:?} in {}: the clone is shallow, so older commits and other branches are missing; fetch them (`git fetch --unshallow`, or `fetch-depth: 0` in actions/checkout)",
                repo.display()
            );
        }
        bail!("unknown git ref {rev:?} in {}", repo.display());
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// How a path differs between `commit` and the working tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Added,
    Modified,
    Deleted,
}

/// Files under `dir` that differ between `commit` and the working tree (staged or not), and
/// untracked files: what `check` has to read. Renames are a deletion and an addition; pairing
/// by subject finds moves.
pub fn changed(repo: &Path, commit: &str, dir: &str) -> anyhow::Result<Vec<(Status, String)>> {
    let out = git(
        repo,
        &[
            "diff",
            "--name-status",
            "-z",
            "--no-renames",
            commit,
            "--",
            dir,
        ],
    )?;
    if !out.status.success() {
        bail!(
            "comparing {dir} with {commit}: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    let fields: Vec<String> = out
        .stdout
        .split(|b| *b == 0)
        .filter(|p| !p.is_empty())
        .map(|p| String::from_utf8_lossy(p).into_owned())
        .collect();
    let mut result = Vec::new();
    for pair in fields.chunks(2) {
        let [code, path] = pair else { break };
        let status = match code.chars().next() {
            Some('A') => Status::Added,
            Some('D') => Status::Deleted,
            // Modified, type change: read both sides.
            _ => Status::Modified,
        };
        result.push((status, path.clone()));
    }
    let untracked = git(
        repo,
        &[
            "ls-files",
            "--others",
            "--exclude-standard",
            "-z",
            "--",
            dir,
        ],
    )?;
    result.extend(
        untracked
            .stdout
            .split(|b| *b == 0)
            .filter(|p| !p.is_empty())
            .map(|p| (Status::Added, String::from_utf8_lossy(p).into_owned())),
    );
    Ok(result)
}

/// The contents of many files at `commit`, through one `git cat-file --batch` (one process,
/// not one per file).
pub fn show_many(repo: &Path, commit: &str, paths: &[String]) -> anyhow::Result<Vec<String>> {
    use std::io::{BufRead, BufReader, Read, Write};
    use std::process::Stdio;
    if paths.is_empty() {
        return Ok(Vec::new());
    }
    let mut child = Command::new("git")
        .arg("-C")
        .arg(repo)
        .args(["cat-file", "--batch"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .context("running git cat-file --batch")?;
    let mut stdin = child.stdin.take().context("git cat-file stdin")?;
    let names: Vec<String> = paths.iter().map(|p| format!("{commit}:{p}\n")).collect();
    // Written from a thread: git answers as it reads, and a full pipe must not stall both.
    let writer = std::thread::spawn(move || -> std::io::Result<()> {
        for n in names {
            stdin.write_all(n.as_bytes())?;
        }
        Ok(())
    });
    let mut out = BufReader::new(child.stdout.take().context("git cat-file stdout")?);
    let mut contents = Vec::with_capacity(paths.len());
    for path in paths {
        let mut header = String::new();
        out.read_line(&mut header)?;
        let size: usize = match header.trim_end().rsplit_once(' ') {
            Some((_, n)) if header.contains(" blob ") => n.parse().unwrap_or(0),
            _ => bail!("reading {path} at {commit}: {}", header.trim()),
        };
        let mut body = vec![0; size + 1]; // the content and git's trailing newline
        out.read_exact(&mut body)?;
        body.pop();
        contents.push(
            String::from_utf8(body).with_context(|| format!("{path} at {commit} is not UTF-8"))?,
        );
    }
    let _ = writer.join();
    let _ = child.wait();
    Ok(contents)
}

/// The work tree's top and the commit `rev` names, from one `git` process (the check's fixed
/// cost is mostly process starts); the errors name what is wrong.
pub fn toplevel_and_commit(dir: &Path, rev: &str) -> anyhow::Result<(PathBuf, String)> {
    let out = git(
        dir,
        &[
            "rev-parse",
            "--show-toplevel",
            "--verify",
            "--quiet",
            &format!("{rev}^{{commit}}"),
        ],
    )?;
    let text = String::from_utf8_lossy(&out.stdout);
    let mut lines = text.lines();
    match (out.status.success(), lines.next(), lines.next()) {
        (true, Some(top), Some(commit)) => Ok((PathBuf::from(top), commit.trim().to_string())),
        _ => {
            // Which one failed: not a repository, or an unknown ref.
            let root = toplevel(dir)?;
            resolve(&root, rev).map(|c| (root, c))
        }
    }
}
