//! The walker: compares two schemas side by side and records what differs as raw changes
//! (kind, places, instance path, masks) for [`crate::compare`] to judge. Detection is split by
//! what it compares: locations and their parts ([`walk`], [`parts`], [`combinators`]), plain
//! keywords ([`scalars`]), objects ([`objects`]), arrays ([`arrays`]), finite value sets
//! ([`exact`]), regular expressions ([`patterns`]) and tagged unions ([`tagged`]).

mod arrays;
mod combinators;
mod exact;
mod loc;
mod objects;
mod parts;
mod patterns;
mod raws;
mod scalars;
mod tagged;
mod walk;

use crate::docset::DocSet;
use crate::report::{Budget, Raw, Rules};

/// The raw changes between documents `old` and `new` of `docs`, for both directions.
pub(crate) fn changes(
    docs: &DocSet,
    old: usize,
    new: usize,
    rules: Rules,
    budget: Budget,
) -> Vec<Raw> {
    walk::Walker::new(docs, rules, budget).diff_roots(old, new)
}
