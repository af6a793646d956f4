//! Compiled validators keyed by (subject, schema_version), for validating payloads where they
//! arrive. A registered version never changes, so an entry stays once compiled; what moves is
//! which versions exist (new ones, deleted ones) and which is latest, and a background task
//! refreshes that. When the registry cannot be reached the cache keeps serving what it holds and
//! says so in its stats; a version it has never seen is then refused (fail-closed, the default)
//! or passed unchecked (fail-open, by option).
//!
//! Subject names and `schema_version`s come from clients (a header, a payload field), so
//! everything keyed by them is bounded: subjects the registry does not know are remembered in a
//! bounded negative cache only, known subjects are capped (least recently used go first), and
//! per-subject misses and fetch locks are pruned.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock, Weak};
use std::time::{Duration, Instant};

use schema_core::domain_rules::Contract;
use schema_core::validate::Compiled;
use schema_core::Document;

use crate::client::Client;
use crate::error::Error;

/// How the cache behaves.
#[derive(Debug, Clone)]
pub struct CacheOptions {
    /// How often the background task re-reads each subject's versions.
    pub refresh: Duration,
    /// How long "no such version" is remembered, so a stream of bad payloads does not turn into
    /// a stream of registry calls.
    pub negative_ttl: Duration,
    /// A version never seen, while the registry is unreachable: pass unchecked (true) or refuse.
    pub fail_open: bool,
    /// Known subjects held at most; past it the least recently used one is dropped.
    pub max_subjects: usize,
    /// Unknown subjects remembered at most (for `negative_ttl`).
    pub max_absent: u64,
    /// How schemas without `$schema` are read (draft-07 unless told, as Confluent reads them).
    pub dialect: schema_core::Draft,
}

/// Referenced schemas loaded for one version at most (references of references included).
const MAX_REFERENCES: usize = 256;

/// Unknown `schema_version`s remembered per subject at most.
const MAX_MISSING_PER_SUBJECT: usize = 256;

impl Default for CacheOptions {
    fn default() -> Self {
        CacheOptions {
            refresh: Duration::from_secs(30),
            negative_ttl: Duration::from_secs(5),
            fail_open: false,
            max_subjects: 10_000,
            max_absent: 10_000,
            dialect: schema_core::Draft::DEFAULT,
        }
    }
}

/// One compiled, registered version.
pub struct Entry {
    pub subject: String,
    /// The registry's version number and global id.
    pub version: i64,
    pub id: i64,
    /// The `schema_version` the schema declares, if it declares one.
    pub schema_version: Option<String>,
    /// Shared by every entry with the same global id (one schema under many subjects).
    pub compiled: Arc<Compiled>,
    /// The version's CEL domain rules, run on payloads that pass the schema.
    pub contract: Arc<Contract>,
}

/// What a payload is validated with.
#[derive(Clone)]
pub enum Lookup {
    Validator(Arc<Entry>),
    /// Fail-open while the registry is unreachable: the payload passes unchecked.
    Unchecked,
}

/// Why there is no validator.
#[derive(Debug, Clone, thiserror::Error)]
pub enum CacheError {
    #[error("subject {subject} is not registered")]
    UnknownSubject { subject: String },
    #[error("{subject} has no registered version with schema_version {schema_version:?} (never registered, or deleted)")]
    UnknownVersion {
        subject: String,
        schema_version: String,
    },
    #[error("the registry is unreachable and {subject} {what} is not cached: {message}")]
    Unavailable {
        subject: String,
        what: String,
        message: String,
    },
    #[error("the registry refused the request: {0}")]
    Registry(String),
    #[error("{subject} version {version} cannot be compiled: {message}")]
    BadSchema {
        subject: String,
        version: i64,
        message: String,
    },
}

/// Counters, for metrics.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct CacheStats {
    pub entries: u64,
    pub hits: u64,
    pub misses: u64,
    pub fetches: u64,
    pub fetch_errors: u64,
    /// Hits served while the registry was unreachable.
    pub served_stale: u64,
    pub unknown_versions: u64,
    pub fail_open_passes: u64,
    pub registry_up: bool,
    /// Known subjects held.
    pub subjects: u64,
    /// Unknown subjects remembered.
    pub absent_subjects: u64,
    /// Fetch locks held (one per subject being fetched right now).
    pub fetch_locks: u64,
}

#[derive(Default)]
struct Subject {
    by_schema_version: HashMap<String, Arc<Entry>>,
    latest: Option<Arc<Entry>>,
    /// Registry versions already fetched (compiled or without a schema_version).
    fetched: HashSet<i64>,
    missing: HashMap<String, Instant>,
    /// Milliseconds since the cache started, at the last lookup: what eviction goes by.
    used: AtomicU64,
}

#[derive(Default)]
struct Counters {
    hits: AtomicU64,
    misses: AtomicU64,
    fetches: AtomicU64,
    fetch_errors: AtomicU64,
    served_stale: AtomicU64,
    unknown_versions: AtomicU64,
    fail_open_passes: AtomicU64,
}

pub struct ValidatorCache {
    client: Client,
    options: CacheOptions,
    subjects: RwLock<HashMap<String, Subject>>,
    /// Subjects the registry said it does not have, for `negative_ttl`.
    absent: moka::sync::Cache<String, ()>,
    started: Instant,
    /// One fetch per subject at a time: a burst of misses makes one set of registry calls.
    fetching: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
    /// Validators by global schema id, so a schema registered under many subjects compiles once.
    by_id: Mutex<HashMap<i64, Weak<Compiled>>>,
    up: AtomicBool,
    counters: Counters,
}

impl ValidatorCache {
    pub fn new(client: Client, options: CacheOptions) -> Arc<ValidatorCache> {
        Arc::new(ValidatorCache {
            client,
            subjects: RwLock::new(HashMap::new()),
            absent: moka::sync::Cache::builder()
                .max_capacity(options.max_absent)
                .time_to_live(options.negative_ttl)
                .build(),
            started: Instant::now(),
            fetching: Mutex::new(HashMap::new()),
            by_id: Mutex::new(HashMap::new()),
            up: AtomicBool::new(true),
            counters: Counters::default(),
            options,
        })
    }

    /// The validator for a payload of `subject` carrying `schema_version` (or none: latest).
    pub async fn get(
        &self,
        subject: &str,
        schema_version: Option<&str>,
    ) -> Result<Lookup, CacheError> {
        if let Some(found) = self.cached(subject, schema_version)? {
            return Ok(found);
        }
        self.counters.misses.fetch_add(1, Ordering::Relaxed);
        let lock = self.fetch_lock(subject);
        let _one_fetch = lock.lock().await;
        // Another task may have fetched it while this one waited.
        if let Some(found) = self.cached(subject, schema_version)? {
            return Ok(found);
        }
        match self.fetch(subject, schema_version).await {
            Ok(()) => {}
            Err(Fetch::Down(message)) => {
                if self.options.fail_open {
                    self.counters
                        .fail_open_passes
                        .fetch_add(1, Ordering::Relaxed);
                    return Ok(Lookup::Unchecked);
                }
                return Err(CacheError::Unavailable {
                    subject: subject.to_string(),
                    what: schema_version.map_or("latest".into(), |v| format!("schema_version {v}")),
                    message,
                });
            }
            Err(Fetch::Failed(e)) => return Err(e),
        }
        match self.cached(subject, schema_version)? {
            Some(found) => Ok(found),
            None => {
                let v = schema_version.unwrap_or("latest").to_string();
                let ttl = self.options.negative_ttl;
                self.write(subject, |s| {
                    if s.missing.len() >= MAX_MISSING_PER_SUBJECT {
                        s.missing.retain(|_, at| at.elapsed() < ttl);
                        if s.missing.len() >= MAX_MISSING_PER_SUBJECT {
                            s.missing.clear();
                        }
                    }
                    s.missing.insert(v.clone(), Instant::now());
                });
                self.counters
                    .unknown_versions
                    .fetch_add(1, Ordering::Relaxed);
                Err(CacheError::UnknownVersion {
                    subject: subject.to_string(),
                    schema_version: v,
                })
            }
        }
    }

    /// One registered version (a number or `latest`) by itself, compiled with its references
    /// and rules, outside the subject's entries (for a caller that pins a version).
    pub async fn version(&self, subject: &str, version: &str) -> Result<Arc<Entry>, CacheError> {
        let fail = |f: Fetch| match f {
            Fetch::Down(message) => CacheError::Unavailable {
                subject: subject.to_string(),
                what: format!("version {version}"),
                message,
            },
            Fetch::Failed(e) => e,
        };
        let r = match self.client.version(subject, version).await {
            Err(e) if e.is_not_found() => {
                return Err(CacheError::Registry(format!(
                    "{subject} has no version {version}: {e}"
                )))
            }
            r => self.transport(r).map_err(fail)?,
        };
        self.entry(subject, r).await.map_err(fail)
    }

    /// The lock that makes one fetch per subject at a time; locks nobody holds are dropped.
    fn fetch_lock(&self, subject: &str) -> Arc<tokio::sync::Mutex<()>> {
        let mut f = self.fetching.lock().unwrap_or_else(|p| p.into_inner());
        f.retain(|_, m| Arc::strong_count(m) > 1);
        f.entry(subject.to_string()).or_default().clone()
    }

    fn now_ms(&self) -> u64 {
        self.started.elapsed().as_millis() as u64
    }

    /// Without calling the registry: a hit, a remembered miss (as the error), or `None` when
    /// [`ValidatorCache::get`] would have to fetch.
    pub fn cached(
        &self,
        subject: &str,
        schema_version: Option<&str>,
    ) -> Result<Option<Lookup>, CacheError> {
        if self.absent.contains_key(subject) {
            return Err(CacheError::UnknownSubject {
                subject: subject.to_string(),
            });
        }
        let subjects = self.subjects.read().unwrap_or_else(|p| p.into_inner());
        let Some(s) = subjects.get(subject) else {
            return Ok(None);
        };
        s.used.store(self.now_ms(), Ordering::Relaxed);
        let hit = match schema_version {
            Some(v) => s.by_schema_version.get(v),
            None => s.latest.as_ref(),
        };
        if let Some(entry) = hit {
            self.counters.hits.fetch_add(1, Ordering::Relaxed);
            if !self.up.load(Ordering::Relaxed) {
                self.counters.served_stale.fetch_add(1, Ordering::Relaxed);
            }
            return Ok(Some(Lookup::Validator(entry.clone())));
        }
        let key = schema_version.unwrap_or("latest");
        if let Some(at) = s.missing.get(key) {
            if at.elapsed() < self.options.negative_ttl {
                self.counters
                    .unknown_versions
                    .fetch_add(1, Ordering::Relaxed);
                return Err(CacheError::UnknownVersion {
                    subject: subject.to_string(),
                    schema_version: key.to_string(),
                });
            }
        }
        Ok(None)
    }

    fn write<T>(&self, subject: &str, f: impl FnOnce(&mut Subject) -> T) -> T {
        let mut subjects = self.subjects.write().unwrap_or_else(|p| p.into_inner());
        if !subjects.contains_key(subject) && subjects.len() >= self.options.max_subjects.max(1) {
            // Full: the least recently used subject goes (a scan, only when a new one comes).
            let oldest = subjects
                .iter()
                .min_by_key(|(_, s)| s.used.load(Ordering::Relaxed))
                .map(|(k, _)| k.clone());
            if let Some(k) = oldest {
                subjects.remove(&k);
            }
        }
        let s = subjects.entry(subject.to_string()).or_default();
        s.used.store(self.now_ms(), Ordering::Relaxed);
        f(s)
    }

    fn transport<T>(&self, r: Result<T, Error>) -> Result<T, Fetch> {
        self.counters.fetches.fetch_add(1, Ordering::Relaxed);
        match r {
            Ok(v) => {
                self.up.store(true, Ordering::Relaxed);
                Ok(v)
            }
            Err(e) => {
                self.counters.fetch_errors.fetch_add(1, Ordering::Relaxed);
                if e.is_unreachable() || matches!(e.status(), Some(500..)) {
                    self.up.store(false, Ordering::Relaxed);
                    Err(Fetch::Down(e.to_string()))
                } else {
                    Err(Fetch::Failed(CacheError::Registry(e.to_string())))
                }
            }
        }
    }

    /// Brings a subject up to date: drops deleted versions, fetches the latest and, newest first,
    /// versions not yet seen until `wanted` is found (all of them when it is never found).
    async fn fetch(&self, subject: &str, wanted: Option<&str>) -> Result<(), Fetch> {
        let versions = match self.client.versions(subject).await {
            Err(e) if e.is_not_found() => {
                self.counters.fetches.fetch_add(1, Ordering::Relaxed);
                self.up.store(true, Ordering::Relaxed);
                // Unknown subjects live only in the bounded negative cache.
                self.subjects
                    .write()
                    .unwrap_or_else(|p| p.into_inner())
                    .remove(subject);
                self.absent.insert(subject.to_string(), ());
                return Err(Fetch::Failed(CacheError::UnknownSubject {
                    subject: subject.to_string(),
                }));
            }
            r => self.transport(r)?,
        };
        let live: HashSet<i64> = versions.iter().copied().collect();
        let newest = versions.iter().copied().max();
        self.write(subject, |s| {
            s.by_schema_version.retain(|_, e| live.contains(&e.version));
            s.fetched.retain(|v| live.contains(v));
            // Latest moves when a version is added or the newest one deleted.
            if s.latest.as_ref().map(|e| e.version) != newest {
                s.latest = None;
            }
            s.missing.clear();
        });
        self.absent.invalidate(subject);
        let mut order = versions;
        order.sort_unstable_by(|a, b| b.cmp(a));
        for n in order {
            let seen = {
                let subjects = self.subjects.read().unwrap_or_else(|p| p.into_inner());
                // Evicted meanwhile (the cache is full of other subjects): nothing to fill.
                let Some(s) = subjects.get(subject) else {
                    return Ok(());
                };
                let found = match wanted {
                    Some(v) => s.by_schema_version.contains_key(v),
                    None => s.latest.is_some(),
                };
                if found {
                    return Ok(());
                }
                s.fetched.contains(&n) && (Some(n) != newest || s.latest.is_some())
            };
            if seen {
                continue;
            }
            let entry = self.load(subject, n).await?;
            self.write(subject, |s| {
                s.fetched.insert(n);
                if let Some(v) = &entry.schema_version {
                    s.by_schema_version.insert(v.clone(), entry.clone());
                }
                if Some(n) == newest {
                    s.latest = Some(entry.clone());
                }
            });
        }
        Ok(())
    }

    async fn load(&self, subject: &str, version: i64) -> Result<Arc<Entry>, Fetch> {
        let r = self.transport(self.client.version(subject, &version.to_string()).await)?;
        self.entry(subject, r).await
    }

    /// A fetched version compiled (shared by schema id), with its references and rules.
    async fn entry(&self, subject: &str, r: crate::Registered) -> Result<Arc<Entry>, Fetch> {
        let version = r.version;
        let bad = |message: String| {
            Fetch::Failed(CacheError::BadSchema {
                subject: subject.to_string(),
                version,
                message,
            })
        };
        let doc = Document::parse_in(
            &format!("{subject} v{version}"),
            &r.schema,
            self.options.dialect,
        )
        .map_err(|e| bad(e.to_string()))?;
        let schema_version = schema_core::version::declared(&doc.root)
            .ok()
            .map(|v| v.to_string());
        let shared = {
            let by_id = self.by_id.lock().unwrap_or_else(|p| p.into_inner());
            by_id.get(&r.id).and_then(Weak::upgrade)
        };
        let compiled = match shared {
            Some(c) => c,
            None => {
                // Registry references (Confluent's `references`: a name, a subject, a version),
                // followed to what they reference in turn, compile with the schema.
                let refs = self.references(&r.references).await?;
                let mut set = schema_core::DocSet::new();
                let idx = set
                    .add(doc.clone(), &refs)
                    .map_err(|e| bad(e.to_string()))?;
                let c = Arc::new(Compiled::in_set(&set, idx).map_err(|e| bad(e.to_string()))?);
                let mut by_id = self.by_id.lock().unwrap_or_else(|p| p.into_inner());
                by_id.retain(|_, w| w.strong_count() > 0);
                by_id.insert(r.id, Arc::downgrade(&c));
                c
            }
        };
        let specs = r
            .rule_set
            .as_ref()
            .map(|rs| rs.domain_specs())
            .unwrap_or_default();
        let contract = Contract::compile(&specs, &doc.root).map_err(|e| bad(e.to_string()))?;
        Ok(Arc::new(Entry {
            subject: subject.to_string(),
            version,
            id: r.id,
            schema_version,
            compiled,
            contract: Arc::new(contract),
        }))
    }

    /// The documents a schema's references name, by reference name, with the references of
    /// those documents in turn (at most [`MAX_REFERENCES`] documents).
    async fn references(
        &self,
        direct: &[registry_api::Reference],
    ) -> Result<HashMap<String, Document>, Fetch> {
        let mut docs = HashMap::new();
        let mut queue: Vec<registry_api::Reference> = direct.to_vec();
        while let Some(reference) = queue.pop() {
            if docs.contains_key(&reference.name) {
                continue;
            }
            if docs.len() >= MAX_REFERENCES {
                return Err(Fetch::Failed(CacheError::Registry(format!(
                    "more than {MAX_REFERENCES} referenced schemas"
                ))));
            }
            let r = self.transport(
                self.client
                    .version(&reference.subject, &reference.version.to_string())
                    .await,
            )?;
            let doc = Document::parse_in(&reference.name, &r.schema, self.options.dialect)
                .map_err(|e| {
                    Fetch::Failed(CacheError::BadSchema {
                        subject: reference.subject.clone(),
                        version: reference.version,
                        message: format!("reference {:?}: {e}", reference.name),
                    })
                })?;
            queue.extend(r.references);
            docs.insert(reference.name, doc);
        }
        Ok(docs)
    }

    /// Re-reads every cached subject once: new latest versions, deleted versions, registry
    /// health. The background task calls this every `refresh`.
    pub async fn refresh(&self) {
        let names: Vec<String> = {
            let subjects = self.subjects.read().unwrap_or_else(|p| p.into_inner());
            subjects.keys().cloned().collect()
        };
        for subject in names {
            let lock = self.fetch_lock(&subject);
            let _one_fetch = lock.lock().await;
            // Errors are recorded in the stats; cached entries stay until a live answer drops them.
            if let Err(Fetch::Down(message)) = self.fetch(&subject, None).await {
                tracing::warn!(%subject, %message, "registry unreachable; serving cached validators");
            }
        }
    }

    /// Starts the background refresh; it stops when the cache is dropped.
    pub fn spawn_refresh(self: &Arc<Self>) -> tokio::task::JoinHandle<()> {
        let weak = Arc::downgrade(self);
        let every = self.options.refresh;
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(every);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            tick.tick().await;
            loop {
                tick.tick().await;
                let Some(cache) = weak.upgrade() else { return };
                cache.refresh().await;
            }
        })
    }

    pub fn stats(&self) -> CacheStats {
        let c = &self.counters;
        let (entries, subjects) = {
            let subjects = self.subjects.read().unwrap_or_else(|p| p.into_inner());
            let entries = subjects
                .values()
                .map(|s| s.by_schema_version.len() as u64)
                .sum();
            (entries, subjects.len() as u64)
        };
        self.absent.run_pending_tasks();
        let fetch_locks = self.fetching.lock().map_or(0, |f| {
            f.values().filter(|m| Arc::strong_count(m) > 1).count() as u64
        });
        CacheStats {
            entries,
            hits: c.hits.load(Ordering::Relaxed),
            misses: c.misses.load(Ordering::Relaxed),
            fetches: c.fetches.load(Ordering::Relaxed),
            fetch_errors: c.fetch_errors.load(Ordering::Relaxed),
            served_stale: c.served_stale.load(Ordering::Relaxed),
            unknown_versions: c.unknown_versions.load(Ordering::Relaxed),
            fail_open_passes: c.fail_open_passes.load(Ordering::Relaxed),
            registry_up: self.up.load(Ordering::Relaxed),
            subjects,
            absent_subjects: self.absent.entry_count(),
            fetch_locks,
        }
    }
}

enum Fetch {
    /// The registry did not answer (or answered 5xx).
    Down(String),
    Failed(CacheError),
}
