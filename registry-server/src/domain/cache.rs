//! The registry's caches: bounded (every key but a schema id can come from a client) and
//! dropped on change, locally at once and on other replicas through the store's notices.
//!
//! A read-through fill races with an invalidation: a fill that read the store before a change
//! must not put its stale answer in after the change dropped the entry. Each cache has an epoch,
//! bumped by every invalidation; a fill only lands if the epoch it started under still holds.

use std::hash::Hash;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use moka::sync::Cache;
use schema_core::validate::Compiled;

use crate::store::{SchemaRow, VersionRow};

/// A subject's own settings, as stored (`None`: not set for this subject).
#[derive(Debug, Clone, Default)]
pub struct OwnSettings {
    pub config: Option<(Option<String>, Option<String>)>,
    pub mode: Option<String>,
}

/// What a registration request's exact bytes were found to be, so an idempotent
/// re-registration skips parsing and meta-validation.
#[derive(Debug, Clone)]
pub struct Identity {
    pub fingerprint: String,
}

pub struct Epoched<K, V> {
    cache: Cache<K, V>,
    epoch: AtomicU64,
}

impl<K, V> Epoched<K, V>
where
    K: Hash + Eq + Send + Sync + 'static,
    V: Clone + Send + Sync + 'static,
{
    fn new(capacity: u64) -> Self {
        Epoched {
            cache: Cache::new(capacity),
            epoch: AtomicU64::new(0),
        }
    }

    pub fn get(&self, k: &K) -> Option<V> {
        self.cache.get(k)
    }

    /// The epoch to pass to [`Epoched::fill`] for a read that starts now.
    pub fn epoch(&self) -> u64 {
        self.epoch.load(Ordering::Acquire)
    }

    /// Keeps a value read under `epoch`, unless something was invalidated since.
    pub fn fill(&self, epoch: u64, k: K, v: V) {
        if self.epoch() == epoch {
            self.cache.insert(k, v);
            // An invalidation between the check and the insert: undo.
            if self.epoch() != epoch {
                self.cache.invalidate_all();
            }
        }
    }

    pub fn invalidate(&self, k: &K) {
        self.epoch.fetch_add(1, Ordering::AcqRel);
        self.cache.invalidate(k);
    }

    pub fn invalidate_all(&self) {
        self.epoch.fetch_add(1, Ordering::AcqRel);
        self.cache.invalidate_all();
    }

    pub fn entry_count(&self) -> u64 {
        self.cache.run_pending_tasks();
        self.cache.entry_count()
    }
}

/// Past these counts the least used entries go.
pub struct Capacities {
    pub schemas: u64,
    pub validators: u64,
    pub subjects: u64,
    pub identities: u64,
}

impl Default for Capacities {
    fn default() -> Self {
        // Schemas are at most 1 MB each but typically a few KB; validators about 35 KB each
        // (bench/README.md).
        Capacities {
            schemas: 20_000,
            validators: 5_000,
            subjects: 50_000,
            identities: 50_000,
        }
    }
}

pub struct Caches {
    /// Schemas by id: immutable once written, so never invalidated, only evicted.
    pub schemas: Cache<i64, Arc<SchemaRow>>,
    /// Compiled validators by schema id (immutable too).
    pub validators: Cache<i64, Arc<Compiled>>,
    /// Every version row of a subject.
    pub versions: Epoched<String, Arc<Vec<VersionRow>>>,
    /// A subject's own settings (`""`: the global ones).
    pub settings: Epoched<String, Arc<OwnSettings>>,
    /// Request identity by a hash of the request's bytes (immutable: same bytes, same identity).
    pub identities: Cache<String, Arc<Identity>>,
    /// Schema ids by content fingerprint (a fingerprint's id never changes once assigned).
    pub ids: Cache<String, i64>,
}

impl Caches {
    pub fn new(c: &Capacities) -> Caches {
        Caches {
            schemas: Cache::new(c.schemas),
            validators: Cache::new(c.validators),
            versions: Epoched::new(c.subjects),
            settings: Epoched::new(c.subjects),
            identities: Cache::new(c.identities),
            ids: Cache::new(c.identities),
        }
    }
}
