//! Reading schema files from git objects with the `git` command (no checkout, no temporary
//! clone): the repository root, whether a ref exists, the files under a directory at a ref, and
//! a file's content at a ref.

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
        bail!("unknown git ref {rev:?} in {}", repo.display());
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// Paths (relative to the repository root) of the files under `dir` at `commit`.
pub fn files_at(repo: &Path, commit: &str, dir: &str) -> anyhow::Result<Vec<String>> {
    let out = git(
        repo,
        &["ls-tree", "-r", "--name-only", "-z", commit, "--", dir],
    )?;
    if !out.status.success() {
        bail!(
            "listing {dir} at {commit}: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(out
        .stdout
        .split(|b| *b == 0)
        .filter(|p| !p.is_empty())
        .map(|p| String::from_utf8_lossy(p).into_owned())
        .collect())
}

/// A file's content at `commit`.
pub fn show(repo: &Path, commit: &str, path: &str) -> anyhow::Result<String> {
    let out = git(repo, &["show", &format!("{commit}:{path}")])?;
    if !out.status.success() {
        bail!(
            "reading {path} at {commit}: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    String::from_utf8(out.stdout).with_context(|| format!("{path} at {commit} is not UTF-8"))
}
