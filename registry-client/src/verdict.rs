//! What a payload comes to under one registered version: its schema first, then the version's
//! CEL domain rules. The edge layer and the stream gate both judge with this, so an event gets
//! the same answer wherever it is checked.

use schema_core::domain_rules::{self, Failure, Outcome};
use schema_core::payload::Payload;
use schema_core::validate::Violation;

use crate::cache::Entry;

/// One payload's verdict.
#[derive(Debug)]
pub enum Verdict {
    Valid,
    /// Valid; rules with `onFailure: NONE` failed and are to be recorded.
    Recorded(Vec<Failure>),
    /// The schema refuses it.
    Invalid(Vec<Violation>),
    /// The schema accepts it, a domain rule refuses it (`DLQ` when only DLQ rules failed).
    RuleFailed {
        failures: Vec<Failure>,
        dead_letter: bool,
    },
}

impl Entry {
    /// Judges a parsed payload; `raw` is its text, which the domain rules read.
    pub fn judge(&self, payload: &Payload<'_>, raw: &[u8]) -> Verdict {
        // `is_valid` short-circuits; the full error list is built only for invalid payloads.
        if !self.compiled.is_valid_payload(payload) {
            return Verdict::Invalid(self.compiled.payload_violations(payload));
        }
        let failures = self.contract.failures_of_raw(raw);
        match domain_rules::outcome(&failures) {
            Outcome::Pass => Verdict::Valid,
            Outcome::Record => Verdict::Recorded(failures),
            outcome => Verdict::RuleFailed {
                failures,
                dead_letter: outcome == Outcome::DeadLetter,
            },
        }
    }
}

/// A failed domain rule as error lists and dead-letter records show it.
pub fn rule_violation(f: &Failure) -> Violation {
    Violation {
        instance_pointer: f.instance_pointer.clone(),
        keyword: format!("rule:{}", f.rule),
        schema_pointer: String::new(),
        message: format!("{} (onFailure {})", f.message, f.on_failure),
    }
}
