//! Reading schema files into engine documents, with errors that name the file and the place.

use std::cell::RefCell;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

use anyhow::{anyhow, Context};
use schema_core::locate::Locator;
use schema_core::{Document, Draft, Error, Resolver};

/// The dialect of documents without `$schema`, for this process (`--default-dialect`,
/// schemagate.toml's `dialect`); draft-07 unless set.
static DEFAULT_DIALECT: std::sync::OnceLock<Draft> = std::sync::OnceLock::new();

/// Sets the default dialect once (the first setting wins: the flag before the config file).
pub fn set_default_dialect(d: Draft) {
    let _ = DEFAULT_DIALECT.set(d);
}

/// The dialect of documents without `$schema`.
pub fn default_dialect() -> Draft {
    DEFAULT_DIALECT.get().copied().unwrap_or(Draft::DEFAULT)
}

/// Parses schema text in the default dialect, errors located in `name`.
pub fn parse_schema(name: &str, text: &str) -> anyhow::Result<Document> {
    Document::parse_in(name, text, default_dialect()).map_err(|e| located(e, name, text))
}

/// The size limit for files that `$ref`s name where no flag sets one (the default of
/// `--max-schema-bytes`).
pub const MAX_REFERENCED_BYTES: u64 = 16 * 1024 * 1024;

/// Reads and parses a schema file of at most `max_bytes`. Errors name the file, and the line
/// and column where known.
pub fn read_schema(path: &Path, max_bytes: u64) -> anyhow::Result<Document> {
    let name = path.display().to_string();
    let size = std::fs::metadata(path)
        .with_context(|| format!("reading {name}"))?
        .len();
    if size > max_bytes {
        anyhow::bail!("{name}: the file is {size} bytes, over the {max_bytes}-byte schema limit (raise it with --max-schema-bytes)");
    }
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {name}"))?;
    let doc = parse_schema(&name, &text)?;
    // Known under its file URI, so relative references name its sibling files.
    Siblings::around(path, max_bytes).locate(doc, path)
}

/// `doc` with every document its references reach (sibling files), checked to resolve: the
/// set and the index of `doc` in it.
pub fn with_references(
    doc: Document,
    path: &Path,
    max_bytes: u64,
) -> anyhow::Result<(schema_core::DocSet, usize)> {
    let mut set = schema_core::DocSet::new();
    let (name, text) = (doc.name.clone(), doc.source.clone());
    let idx = set
        .add(doc, &Siblings::around(path, max_bytes))
        .map_err(|e| located(e, &name, text.as_deref().unwrap_or("")))?;
    Ok((set, idx))
}

/// An engine error with the file position of its pointer added.
pub fn located(e: Error, name: &str, text: &str) -> anyhow::Error {
    let at = |ptr: &str| {
        Locator::new(text)
            .position(ptr)
            .map(|(l, c)| format!("{name}:{l}:{c}"))
            .unwrap_or_else(|| name.to_string())
    };
    match &e {
        Error::Json {
            line,
            column,
            message,
            ..
        } => anyhow!("{name}:{line}:{column}: invalid JSON: {message}"),
        Error::NotASchema {
            pointer, message, ..
        } => {
            anyhow!(
                "{}: not a valid JSON Schema at {pointer:?}: {message}",
                at(pointer)
            )
        }
        Error::UnresolvedRef {
            pointer,
            reference,
            reason,
            ..
        } => {
            anyhow!(
                "{}: $ref {reference:?} at {pointer:?} does not resolve: {reason}",
                at(pointer)
            )
        }
        Error::RefCycle { pointer, .. } => {
            anyhow!(
                "{}: $ref at {pointer:?} loops back to itself without constraining anything",
                at(pointer)
            )
        }
        Error::UnknownDialect { uri, .. } => anyhow!("{}: unknown $schema {uri:?}", at("/$schema")),
        Error::Limit { .. } => anyhow!("{e}"),
    }
}

/// Where sibling schema files are read from.
enum Source {
    /// The working tree.
    Tree,
    /// A commit: `git cat-file` of the path at it.
    Commit(String),
}

/// Serves the files that relative `$ref`s name (`"common.json#/$defs/Money"`): each reference
/// resolves against the referencing file's `file:` URI, and is read only when it lies inside
/// the repository (or, outside one, the schema's own directory). Nothing is fetched.
pub struct Siblings {
    root: PathBuf,
    source: Source,
    max_bytes: u64,
    refused: RefCell<HashMap<String, String>>,
}

impl Siblings {
    /// Files of the working tree around `path`.
    pub fn around(path: &Path, max_bytes: u64) -> Siblings {
        let abs = absolute(path);
        let dir = abs.parent().map(Path::to_path_buf).unwrap_or_default();
        Siblings {
            root: root_of(&dir),
            source: Source::Tree,
            max_bytes,
            refused: RefCell::default(),
        }
    }

    /// Files of the working tree of the repository at `root`.
    pub fn tree(root: &Path, max_bytes: u64) -> Siblings {
        Siblings {
            root: root.canonicalize().unwrap_or_else(|_| root.to_path_buf()),
            source: Source::Tree,
            max_bytes,
            refused: RefCell::default(),
        }
    }

    /// Files of the repository at `root` as they are at `commit`.
    pub fn commit(root: &Path, commit: &str, max_bytes: u64) -> Siblings {
        Siblings {
            source: Source::Commit(commit.to_string()),
            ..Siblings::tree(root, max_bytes)
        }
    }

    /// `doc`, read from `path` (repository-relative for a commit), known under its file URI.
    pub fn locate(&self, doc: Document, path: &Path) -> anyhow::Result<Document> {
        // Canonical, like the root it is compared with (a repository under a symlinked
        // folder, /tmp on some systems, must not look like outside itself).
        let abs = match self.source {
            Source::Tree => {
                let abs = absolute(path);
                abs.canonicalize().unwrap_or(abs)
            }
            Source::Commit(_) => self.root.join(path),
        };
        let Ok(uri) = url::Url::from_file_path(&abs) else {
            return Ok(doc);
        };
        let (name, text) = (doc.name.clone(), doc.source.clone());
        doc.at_uri(uri.as_str())
            .map_err(|e| located(e, &name, text.as_deref().unwrap_or("")))
    }

    fn read(&self, uri: &str) -> Result<Document, String> {
        let url = url::Url::parse(uri).map_err(|_| "not a file reference".to_string())?;
        if url.scheme() != "file" {
            return Err("only files of the repository are read; nothing is fetched".into());
        }
        let path = url
            .to_file_path()
            .map_err(|_| "not a file path".to_string())?;
        let rel = lexical_relative(&path, &self.root).ok_or_else(|| {
            format!(
                "{} is outside the repository ({}); references never leave it",
                path.display(),
                self.root.display()
            )
        })?;
        let shown = rel.display().to_string();
        let text = match &self.source {
            Source::Tree => {
                let full = self.root.join(&rel);
                // A symlink must not lead out of the repository either.
                let canon = full.canonicalize().map_err(|e| format!("{shown}: {e}"))?;
                if !canon.starts_with(&self.root) {
                    return Err(format!("{shown} links outside the repository"));
                }
                let size = std::fs::metadata(&canon)
                    .map_err(|e| format!("{shown}: {e}"))?
                    .len();
                if size > self.max_bytes {
                    return Err(format!(
                        "{shown} is over the {}-byte schema limit",
                        self.max_bytes
                    ));
                }
                std::fs::read_to_string(&canon).map_err(|e| format!("{shown}: {e}"))?
            }
            Source::Commit(commit) => {
                let rel = rel.to_string_lossy().replace('\\', "/");
                crate::git::show_many(&self.root, commit, &[rel])
                    .ok()
                    .and_then(|mut t| t.pop())
                    .ok_or_else(|| format!("{shown} does not exist at {commit}"))?
            }
        };
        let doc = parse_schema(&shown, &text).map_err(|e| e.to_string())?;
        doc.at_uri(uri).map_err(|e| e.to_string())
    }
}

impl Resolver for Siblings {
    fn resolve(&self, base: &str) -> Option<Document> {
        match self.read(base) {
            Ok(d) => Some(d),
            Err(why) => {
                self.refused.borrow_mut().insert(base.to_string(), why);
                None
            }
        }
    }

    fn why_not(&self, base: &str) -> Option<String> {
        // Remote URIs get the engine's own "never fetched" message.
        if !base.starts_with("file:") {
            return None;
        }
        self.refused.borrow().get(base).cloned()
    }
}

/// The repository root around a folder (the git top level, else the folder itself), asked of
/// git once per folder: `lint` reads many files of few folders.
fn root_of(dir: &Path) -> PathBuf {
    static ROOTS: std::sync::Mutex<Option<HashMap<PathBuf, PathBuf>>> = std::sync::Mutex::new(None);
    let mut roots = ROOTS.lock().unwrap_or_else(|p| p.into_inner());
    let roots = roots.get_or_insert_with(HashMap::new);
    roots
        .entry(dir.to_path_buf())
        .or_insert_with(|| {
            let root = crate::git::toplevel(dir).unwrap_or_else(|_| dir.to_path_buf());
            root.canonicalize().unwrap_or(root)
        })
        .clone()
}

fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

/// `path` relative to `root` after resolving `.` and `..` by name (no file system access),
/// `None` when it leaves `root`.
fn lexical_relative(path: &Path, root: &Path) -> Option<PathBuf> {
    use std::path::Component;
    let mut parts: Vec<std::ffi::OsString> = Vec::new();
    for c in path.components() {
        match c {
            Component::ParentDir => {
                parts.pop()?;
            }
            Component::CurDir => {}
            Component::RootDir | Component::Prefix(_) => parts.clear(),
            Component::Normal(s) => parts.push(s.to_os_string()),
        }
    }
    let normal: PathBuf = std::iter::once(std::ffi::OsString::from("/"))
        .chain(parts)
        .collect();
    normal.strip_prefix(root).ok().map(Path::to_path_buf)
}
