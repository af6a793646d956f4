//! The registry's rules, between the HTTP layer and the store: modes, levels and rule sets,
//! references, registration, deletes, and compatibility against the live versions. Handlers
//! call [`Registry`] only; the store is private to this layer. Nothing here knows HTTP.

mod cache;
mod candidate;
mod compat;
mod contracts;
mod delete;
mod diff;
mod error;
pub mod limits;
mod reads;
mod register;
mod settings;
pub mod subject;
mod tokens;
mod validators;
mod version_id;

use std::sync::Arc;

pub use cache::Capacities;
pub use candidate::Candidate;
pub use compat::Verdict;
pub use contracts::{guid, Resolved};
pub use diff::{pretty, VersionDiff};
pub use error::{Error, Result};
pub use reads::Listing;
pub use settings::{DEFAULT_LEVEL, DEFAULT_RULES};
pub use validators::Checker;
pub use version_id::VersionId;

pub use crate::store::{Audit, AuditFilter, AuditRecord, Reference, SchemaRow, VersionRow};
use crate::store::{Change, Store};

pub struct Registry {
    store: Arc<Store>,
    pub metrics: crate::metrics::Metrics,
    /// What a candidate schema may cost.
    pub limits: limits::Limits,
    /// The dialect of schemas without `$schema` (draft-07, as Confluent reads them).
    pub dialect: schema_core::Draft,
    /// Permits for CPU-bound engine work (see [`Registry::cpu`]).
    cpu: Arc<tokio::sync::Semaphore>,
    caches: cache::Caches,
}

impl Registry {
    pub fn new(store: Store) -> Registry {
        Registry::shared(Arc::new(store))
    }

    /// Over a store the caller keeps using too (API tokens).
    pub fn shared(store: Arc<Store>) -> Registry {
        Registry::with_capacities(store, &Capacities::default())
    }

    pub fn with_capacities(store: Arc<Store>, capacities: &Capacities) -> Registry {
        Registry {
            store,
            metrics: Default::default(),
            limits: limits::Limits::default(),
            dialect: schema_core::Draft::DEFAULT,
            cpu: Arc::new(tokio::sync::Semaphore::new(
                std::thread::available_parallelism().map_or(2, |n| n.get()),
            )),
            caches: cache::Caches::new(capacities),
        }
    }

    pub fn with_limits(mut self, limits: limits::Limits) -> Registry {
        self.limits = limits;
        self
    }

    /// Reads schemas without `$schema` in `dialect`. Set at start for the registry's lifetime:
    /// it decides what stored schemas mean.
    pub fn with_dialect(mut self, dialect: schema_core::Draft) -> Registry {
        self.dialect = dialect;
        self
    }

    /// Runs CPU-bound engine work (parsing and meta-validation, diffs and witness search,
    /// validator compiles) on the blocking pool, at most one job per core at a time, so the
    /// async workers keep serving and the request timeout can fire. The permit travels with
    /// the job: a request that times out does not let a new job start beside one still
    /// running (the engine's budget ends that one). A panic becomes an internal error, logged.
    pub async fn cpu<T: Send + 'static>(
        &self,
        what: &'static str,
        job: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T> {
        let permit = self
            .cpu
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| Error::Internal("the CPU pool is closed".into()))?;
        let run = move || {
            let out = std::panic::catch_unwind(std::panic::AssertUnwindSafe(job));
            drop(permit);
            out
        };
        match tokio::task::spawn_blocking(run).await {
            Ok(Ok(v)) => Ok(v),
            Ok(Err(panic)) => {
                let msg = crate::panic::panic_message(panic.as_ref());
                Err(Error::Internal(format!("{what} panicked: {msg}")))
            }
            Err(e) => Err(Error::Internal(format!("{what} did not finish: {e}"))),
        }
    }

    /// Whether the database answers.
    pub async fn ready(&self) -> bool {
        self.store.ping().await
    }

    /// Drops what a change made stale, here; other replicas hear of it through the store.
    fn changed(&self, change: &Change) {
        match change {
            Change::Subject(s) => self.caches.versions.invalidate(s),
            // The global settings feed every subject's effective ones, but only the global
            // entry holds them: dropping it is enough.
            Change::Settings(s) => self.caches.settings.invalidate(s),
            Change::Lost => {
                self.caches.versions.mark_stale();
                self.caches.settings.mark_stale();
            }
        }
    }

    /// Follows other replicas' changes for as long as the registry lives (PostgreSQL; SQLite
    /// has one process per file). Answers once listening, so a caller knows notices flow.
    pub async fn follow_changes(self: &Arc<Self>) -> Result<()> {
        let Some(mut listener) = self.store.listen().await? else {
            return Ok(());
        };
        // Anything changed before the listener started is unknown: start clean.
        self.changed(&Change::Lost);
        let weak = Arc::downgrade(self);
        tokio::spawn(async move {
            loop {
                let change = listener.next().await;
                let Some(registry) = weak.upgrade() else {
                    return;
                };
                registry.changed(&change);
            }
        });
        Ok(())
    }
}
