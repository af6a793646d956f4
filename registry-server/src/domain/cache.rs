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

use crate::store::{SchemaRow, VersionRow};

/// A subject's own settings, as stored (`None`: not set for this subject).
#[derive(Debug, Clone, Default)]
pub struct OwnSettings {
    pub config: Option<crate::store::ConfigRow>,
    pub mode: Option<String>,
}

/// What a registration request's exact bytes were found to be, so an idempotent
/// re-registration skips parsing and meta-validation.
#[derive(Debug, Clone)]
pub struct Identity {
    pub fingerprint: String,
}

pub struct Epoched<K, V> {
    cache: Cache<K, (u64, V)>,
    epoch: AtomicU64,
    /// Entries filled under an older generation are stale: read again, but still served when
    /// the store does not answer (see [`Epoched::mark_stale`]).
    generation: AtomicU64,
}

/// When a read-through fill started (see [`Epoched::fill`]).
#[derive(Debug, Clone, Copy)]
pub struct Ticket {
    epoch: u64,
    generation: u64,
}

/// A cached value, and whether it may have missed a change.
pub enum Held<V> {
    Fresh(V),
    Stale(V),
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
            generation: AtomicU64::new(0),
        }
    }

    pub fn get<Q>(&self, k: &Q) -> Option<Held<V>>
    where
        K: std::borrow::Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let (generation, v) = self.cache.get(k)?;
        Some(if generation == self.generation.load(Ordering::Acquire) {
            Held::Fresh(v)
        } else {
            Held::Stale(v)
        })
    }

    /// The ticket to pass to [`Epoched::fill`] for a read that starts now.
    pub fn ticket(&self) -> Ticket {
        Ticket {
            epoch: self.epoch.load(Ordering::Acquire),
            generation: self.generation.load(Ordering::Acquire),
        }
    }

    /// Keeps a value read under `ticket`, unless something was invalidated since.
    pub fn fill(&self, ticket: Ticket, k: K, v: V) {
        if self.epoch.load(Ordering::Acquire) == ticket.epoch {
            self.cache.insert(k, (ticket.generation, v));
            // An invalidation between the check and the insert: undo.
            if self.epoch.load(Ordering::Acquire) != ticket.epoch {
                self.cache.invalidate_all();
            }
        }
    }

    pub fn invalidate(&self, k: &K) {
        self.epoch.fetch_add(1, Ordering::AcqRel);
        self.cache.invalidate(k);
    }

    /// Every entry may have missed a change (notices were lost): each is read again on its
    /// next use, and served as it is only if the store cannot answer then. While the database
    /// is down nobody can change it, so serving what was read before is what it holds.
    pub fn mark_stale(&self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
        self.epoch.fetch_add(1, Ordering::AcqRel);
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
    pub validators: Cache<i64, Arc<super::validators::Checker>>,
    /// Every version row of a subject.
    pub versions: Epoched<String, Arc<Vec<VersionRow>>>,
    /// A subject's own settings (`""`: the global ones).
    pub settings: Epoched<String, Arc<OwnSettings>>,
    /// Request identity by a hash of the request's bytes (immutable: same bytes, same identity).
    pub identities: Cache<[u8; 32], Arc<Identity>>,
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
