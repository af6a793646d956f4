//! The registry's rules over the store: configuration and mode resolution, schema parsing and
//! references, idempotent registration by canonical fingerprint, and compatibility checks with
//! the engine under each subject's level and rule set.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use schema_core::validate::Compiled;
use schema_core::{check_refs, Document, Mode, Options, Report, Rules};
use serde::Deserialize;

use crate::error::{ApiError, ApiResult};
use crate::store::{Audit, Reference, SchemaRow, Store, VersionRow};

/// Confluent's seven compatibility levels.
pub const LEVELS: [&str; 7] = [
    "NONE",
    "BACKWARD",
    "BACKWARD_TRANSITIVE",
    "FORWARD",
    "FORWARD_TRANSITIVE",
    "FULL",
    "FULL_TRANSITIVE",
];
/// Producers and consumers deploy independently and archives are replayed (DESIGN section 2).
pub const DEFAULT_LEVEL: &str = "FULL_TRANSITIVE";
pub const DEFAULT_RULES: &str = "events";
pub const MODES: [&str; 3] = ["READWRITE", "READONLY", "IMPORT"];

/// A level's directions and whether it checks every earlier live version.
pub fn level_mode(level: &str) -> (Mode, bool) {
    match level {
        "BACKWARD" => (Mode::Backward, false),
        "BACKWARD_TRANSITIVE" => (Mode::Backward, true),
        "FORWARD" => (Mode::Forward, false),
        "FORWARD_TRANSITIVE" => (Mode::Forward, true),
        "FULL" => (Mode::Full, false),
        "FULL_TRANSITIVE" => (Mode::Full, true),
        _ => (Mode::None, false),
    }
}

/// The body of a registration, look-up or compatibility request.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SchemaRequest {
    pub schema: String,
    #[serde(default)]
    pub schema_type: Option<String>,
    #[serde(default)]
    pub references: Vec<Reference>,
    /// IMPORT mode only: keep the source registry's id and version.
    #[serde(default)]
    pub id: Option<i64>,
    #[serde(default)]
    pub version: Option<i64>,
}

/// A parsed candidate: its document, its references' documents, and its identity.
pub struct Candidate {
    pub doc: Document,
    pub refs: HashMap<String, Document>,
    pub text: String,
    pub fingerprint: String,
    pub references: Vec<Reference>,
}

pub struct Registry {
    pub store: Store,
    pub metrics: crate::metrics::Metrics,
    /// Schemas by id are immutable: cached for good.
    cache: RwLock<HashMap<i64, Arc<SchemaRow>>>,
    /// Compiled validators by schema id (the validate endpoints), bounded.
    validators: RwLock<HashMap<i64, Arc<Compiled>>>,
    /// What a candidate schema may cost.
    pub limits: crate::limits::Limits,
    /// Permits for CPU-bound engine work (see [`Registry::cpu`]).
    cpu: Arc<tokio::sync::Semaphore>,
}

/// Past this many compiled validators the map starts over: memory stays bounded (about 35 KB
/// each, bench/README.md) and the hot ones come back on their next use.
const MAX_VALIDATORS: usize = 10_000;

impl Registry {
    pub fn new(store: Store) -> Registry {
        Registry {
            store,
            metrics: Default::default(),
            cache: RwLock::new(HashMap::new()),
            validators: RwLock::new(HashMap::new()),
            limits: crate::limits::Limits::default(),
            cpu: Arc::new(tokio::sync::Semaphore::new(
                std::thread::available_parallelism().map_or(2, |n| n.get()),
            )),
        }
    }

    /// Runs CPU-bound engine work (parsing and meta-validation, diffs and witness search,
    /// validator compiles) on the blocking pool, at most one job per core at a time, so the
    /// async workers keep serving and the request timeout can fire. The permit travels with
    /// the job: a request that times out does not let a new job start beside one still
    /// running (the engine's budget ends that one). A panic becomes a 500 (50001), logged.
    pub async fn cpu<T: Send + 'static>(
        &self,
        what: &'static str,
        job: impl FnOnce() -> T + Send + 'static,
    ) -> ApiResult<T> {
        let permit = self
            .cpu
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| ApiError::Internal("the CPU pool is closed".into()))?;
        let run = move || {
            let out = std::panic::catch_unwind(std::panic::AssertUnwindSafe(job));
            drop(permit);
            out
        };
        match tokio::task::spawn_blocking(run).await {
            Ok(Ok(v)) => Ok(v),
            Ok(Err(panic)) => {
                let msg = crate::error::panic_message(panic.as_ref());
                Err(ApiError::Internal(format!("{what} panicked: {msg}")))
            }
            Err(e) => Err(ApiError::Internal(format!("{what} did not finish: {e}"))),
        }
    }

    pub fn with_limits(mut self, limits: crate::limits::Limits) -> Registry {
        self.limits = limits;
        self
    }

    /// The compiled validator of a schema id.
    pub async fn validator(&self, id: i64) -> ApiResult<Arc<Compiled>> {
        if let Some(v) = self
            .validators
            .read()
            .ok()
            .and_then(|c| c.get(&id).cloned())
        {
            return Ok(v);
        }
        let row = self
            .schema(id)
            .await?
            .ok_or_else(|| ApiError::SchemaNotFound(id.to_string()))?;
        let text = row.text.clone();
        let compiled = self
            .cpu("compiling a validator", move || {
                let doc = Document::parse(&format!("schema {id}"), &text)
                    .map_err(|e| ApiError::InvalidSchema(e.to_string()))?;
                Compiled::new(&doc).map_err(|e| {
                    ApiError::InvalidSchema(format!("schema {id} cannot be used to validate: {e}"))
                })
            })
            .await??;
        let compiled = Arc::new(compiled);
        if let Ok(mut c) = self.validators.write() {
            if c.len() >= MAX_VALIDATORS {
                c.clear();
            }
            c.insert(id, compiled.clone());
        }
        Ok(compiled)
    }

    pub async fn schema(&self, id: i64) -> ApiResult<Option<Arc<SchemaRow>>> {
        if let Some(s) = self.cache.read().ok().and_then(|c| c.get(&id).cloned()) {
            return Ok(Some(s));
        }
        let Some(row) = self.store.schema(id).await? else {
            return Ok(None);
        };
        let row = Arc::new(row);
        if let Ok(mut c) = self.cache.write() {
            c.insert(id, row.clone());
        }
        Ok(Some(row))
    }

    /// (level, rules) in force for a subject: its own, else the global ones, else the defaults.
    pub async fn effective_config(&self, subject: &str) -> ApiResult<(String, String)> {
        let own = self.store.config(subject).await?.unwrap_or((None, None));
        let global = self.store.config("").await?.unwrap_or((None, None));
        let level = own
            .0
            .or(global.0)
            .unwrap_or_else(|| DEFAULT_LEVEL.to_string());
        let rules = own
            .1
            .or(global.1)
            .unwrap_or_else(|| DEFAULT_RULES.to_string());
        Ok((level, rules))
    }

    pub async fn effective_mode(&self, subject: &str) -> ApiResult<String> {
        Ok(match self.store.mode(subject).await? {
            Some(m) => m,
            None => self
                .store
                .mode("")
                .await?
                .unwrap_or_else(|| "READWRITE".to_string()),
        })
    }

    /// The documents a set of references names, each parsed under its reference name.
    pub async fn resolve_refs(&self, refs: &[Reference]) -> ApiResult<HashMap<String, Document>> {
        let mut out = HashMap::new();
        for r in refs {
            let versions = self.store.versions(&r.subject).await?;
            let row = versions
                .iter()
                .find(|v| v.version == r.version && !v.deleted)
                .ok_or_else(|| {
                    ApiError::InvalidSchema(format!(
                        "reference {:?} names {} version {}, which does not exist",
                        r.name, r.subject, r.version
                    ))
                })?;
            let schema = self
                .schema(row.schema_id)
                .await?
                .ok_or_else(|| ApiError::Internal(format!("missing schema {}", row.schema_id)))?;
            let doc = Document::parse(&r.name, &schema.text)
                .map_err(|e| ApiError::InvalidSchema(e.to_string()))?;
            out.insert(r.name.clone(), doc);
        }
        Ok(out)
    }

    /// Parses and identifies a candidate schema.
    pub async fn candidate(&self, req: &SchemaRequest, normalize: bool) -> ApiResult<Candidate> {
        match req.schema_type.as_deref().unwrap_or("JSON") {
            "JSON" => {}
            other => return Err(ApiError::InvalidSchema(format!("schema type {other} is not supported: this registry holds JSON Schema only (schemaType \"JSON\")"))),
        }
        self.limits
            .check_text(&req.schema)
            .map_err(ApiError::InvalidSchema)?;
        let text = req.schema.clone();
        let limits = self.limits;
        let doc = self
            .cpu("parsing a schema", move || {
                let doc = Document::parse("schema", &text)
                    .map_err(|e| ApiError::InvalidSchema(e.to_string()))?;
                limits.check(&doc).map_err(ApiError::InvalidSchema)?;
                Ok::<_, ApiError>(doc)
            })
            .await??;
        let refs = self.resolve_refs(&req.references).await?;
        // Every $ref must resolve, within the document or through the references.
        let mut set = schema_core::DocSet::new();
        set.add(doc.clone(), &refs)
            .map_err(|e| ApiError::InvalidSchema(e.to_string()))?;
        let canonical = schema_core::canonical::canonical_text(&doc.root, doc.draft);
        let mut references = req.references.clone();
        references.sort_by(|a, b| a.name.cmp(&b.name));
        let identity = format!(
            "JSON\n{canonical}\n{}",
            serde_json::to_string(&references).unwrap_or_default()
        );
        let fingerprint = schema_core::canonical::sha256_hex(identity.as_bytes());
        let text = if normalize {
            canonical
        } else {
            req.schema.clone()
        };
        Ok(Candidate {
            doc,
            refs,
            text,
            fingerprint,
            references,
        })
    }

    /// The engine's verdict of `new` against a stored version.
    pub async fn compare(
        &self,
        old: &VersionRow,
        new: &Candidate,
        mode: Mode,
        rules: Rules,
    ) -> ApiResult<Report> {
        let schema = self
            .schema(old.schema_id)
            .await?
            .ok_or_else(|| ApiError::Internal(format!("missing schema {}", old.schema_id)))?;
        let old_name = format!("{} v{}", old.subject, old.version);
        let old_text = schema.text.clone();
        let old_refs = self.resolve_refs(&schema.refs).await?;
        // Component schemas (no schema_version) are judged without event rule 4.
        let versioned = new.doc.root.pointer("/properties/schema_version").is_some();
        let options = Options {
            mode,
            rules,
            witnesses: true,
            schema_version: versioned,
            ..Options::default()
        };
        let (new_doc, new_refs) = (new.doc.clone(), new.refs.clone());
        self.cpu("comparing schemas", move || {
            let old_doc = Document::parse(&old_name, &old_text)
                .map_err(|e| ApiError::Internal(e.to_string()))?;
            check_refs(&old_doc, &old_refs, &new_doc, &new_refs, options)
                .map_err(|e| ApiError::InvalidSchema(e.to_string()))
        })
        .await?
    }

    /// Registers a schema under a subject: idempotent for content already there, checked against
    /// the subject's level, numbered inside the subject's transaction.
    pub async fn register(
        &self,
        subject: &str,
        req: &SchemaRequest,
        normalize: bool,
        audit: &Audit,
    ) -> ApiResult<(i64, i64)> {
        let mode = self.effective_mode(subject).await?;
        let import = mode == "IMPORT";
        if mode == "READONLY" {
            return Err(ApiError::NotPermitted(format!(
                "Subject {subject} is in read-only mode"
            )));
        }
        if (req.id.is_some() || req.version.is_some()) && !import {
            return Err(ApiError::NotPermitted(
                "an id or version can only be given in IMPORT mode".into(),
            ));
        }
        let cand = self.candidate(req, normalize).await?;
        let (level, rules) = self.effective_config(subject).await?;
        let rules: Rules = rules.parse().map_err(ApiError::InvalidRules)?;
        let (dirs, transitive) = level_mode(&level);
        // Re-registering what is already there is the common case (every producer start, every
        // serializer with auto-register): answer it from a read, without the subject lock.
        let explicit_version = import && req.version.is_some();
        if let Some(existing) = self
            .store
            .schema_by_fingerprint(&cand.fingerprint)
            .await?
            .filter(|_| !explicit_version)
        {
            let versions = self.store.versions(subject).await?;
            if let Some(v) = versions
                .iter()
                .rev()
                .find(|v| !v.deleted && v.schema_id == existing.id)
            {
                return Ok((existing.id, v.version));
            }
        }
        let mut tx = self.store.lock_subject(subject).await?;
        let versions = tx.versions().await?;
        let live: Vec<&VersionRow> = versions.iter().filter(|v| !v.deleted).collect();
        if let Some(existing) = self
            .store
            .schema_by_fingerprint(&cand.fingerprint)
            .await?
            .filter(|_| !explicit_version)
        {
            if let Some(v) = live.iter().find(|v| v.schema_id == existing.id) {
                return Ok((existing.id, v.version));
            }
        }
        if !import && dirs != Mode::None {
            let against: Vec<&VersionRow> = if transitive {
                live.clone()
            } else {
                live.last().copied().into_iter().collect()
            };
            let mut details = Vec::new();
            let mut kinds = Vec::new();
            for old in against {
                let report = self.compare(old, &cand, dirs, rules).await?;
                for c in report.breaking() {
                    kinds.push(c.kind.id());
                    let at = if c.new_pointer.is_empty() {
                        c.old_pointer.clone()
                    } else {
                        c.new_pointer.clone()
                    };
                    let dirs: Vec<String> = c
                        .breaks
                        .iter()
                        .map(|d| format!("{d:?}").to_lowercase())
                        .collect();
                    let mut d = format!(
                        "{{kind: {}, pointer: {:?}, breaks: {}, against version {}}} {}",
                        c.kind.id(),
                        at,
                        dirs.join("+"),
                        old.version,
                        c.message
                    );
                    if !c.help.is_empty() {
                        d.push_str(&format!(" — {}", c.help));
                    }
                    if let Some(w) = &c.witness {
                        d.push_str(&format!(" — witness: {}", w.instance));
                    }
                    details.push(d);
                }
            }
            if !details.is_empty() {
                self.metrics.rejected(&kinds);
                return Err(ApiError::Incompatible {
                    subject: subject.to_string(),
                    details,
                });
            }
        }
        if let Some(v) = req.version {
            if versions.iter().any(|x| x.version == v) {
                return Err(ApiError::NotPermitted(format!(
                    "version {v} of {subject} already exists"
                )));
            }
        }
        let id = tx
            .schema_id(
                &cand.fingerprint,
                "JSON",
                &cand.text,
                &cand.references,
                if import { req.id } else { None },
            )
            .await?;
        let mut audit = audit.clone();
        audit.subject = Some(subject.to_string());
        audit.detail = serde_json::json!({"fingerprint": cand.fingerprint, "level": level, "rules": rules.to_string()});
        let version = tx
            .add_version(id, if import { req.version } else { None }, &audit)
            .await?;
        self.metrics.registered();
        tracing::info!(subject, id, version, "registered");
        Ok((id, version))
    }
}
