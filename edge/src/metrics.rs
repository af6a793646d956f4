//! Counters of what the layer decided, and their Prometheus text with the cache's own counters.

use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};

use registry_client::CacheStats;

#[derive(Debug, Default)]
pub struct EdgeMetrics {
    pub valid: AtomicU64,
    pub invalid: AtomicU64,
    pub unknown_version: AtomicU64,
    pub unknown_subject: AtomicU64,
    pub not_json: AtomicU64,
    pub too_large: AtomicU64,
    /// Refused because the registry was unreachable and the version was not cached.
    pub unavailable: AtomicU64,
    /// Passed unchecked (fail-open) while the registry was unreachable.
    pub unchecked: AtomicU64,
    /// Refused by a CEL domain rule with onFailure ERROR.
    pub rules_rejected: AtomicU64,
    /// Refused by a CEL domain rule with onFailure DLQ (for the producer's dead-letter path).
    pub rules_dead_letter: AtomicU64,
    /// Passed, with a failed CEL domain rule of onFailure NONE recorded.
    pub rules_recorded: AtomicU64,
}

impl EdgeMetrics {
    pub(crate) fn bump(counter: &AtomicU64) {
        counter.fetch_add(1, Ordering::Relaxed);
    }

    /// Prometheus text exposition of these counters and the cache's.
    pub fn render(&self, cache: &CacheStats) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "# HELP schemagate_edge_payloads_total Payloads seen by the edge validator, by outcome.\n# TYPE schemagate_edge_payloads_total counter"
        );
        for (outcome, c) in [
            ("valid", &self.valid),
            ("invalid", &self.invalid),
            ("unknown_version", &self.unknown_version),
            ("unknown_subject", &self.unknown_subject),
            ("not_json", &self.not_json),
            ("too_large", &self.too_large),
            ("registry_unavailable", &self.unavailable),
            ("unchecked", &self.unchecked),
            ("rule_rejected", &self.rules_rejected),
            ("rule_dead_letter", &self.rules_dead_letter),
            ("rule_recorded", &self.rules_recorded),
        ] {
            let _ = writeln!(
                out,
                "schemagate_edge_payloads_total{{outcome=\"{outcome}\"}} {}",
                c.load(Ordering::Relaxed)
            );
        }
        for (name, help, v) in [
            (
                "cache_entries",
                "Compiled validators cached.",
                cache.entries,
            ),
            (
                "cache_hits_total",
                "Lookups served from the cache.",
                cache.hits,
            ),
            (
                "cache_misses_total",
                "Lookups that went to the registry.",
                cache.misses,
            ),
            (
                "registry_fetch_errors_total",
                "Registry calls that failed.",
                cache.fetch_errors,
            ),
            (
                "cache_served_stale_total",
                "Lookups served from the cache while the registry was unreachable.",
                cache.served_stale,
            ),
            (
                "registry_up",
                "1 when the last registry call got an answer.",
                u64::from(cache.registry_up),
            ),
        ] {
            let kind = if name.ends_with("_total") {
                "counter"
            } else {
                "gauge"
            };
            let _ = writeln!(
                out,
                "# HELP schemagate_edge_{name} {help}\n# TYPE schemagate_edge_{name} {kind}\nschemagate_edge_{name} {v}"
            );
        }
        out
    }
}
