//! Operations on lists of raw changes as they travel up the walk: a path segment prefixed,
//! directions masked, and repeats of one change along many instance paths bounded.

use std::collections::HashMap;

use crate::kinds::{Breaks, ChangeKind};
use crate::report::{Raw, Seg};

/// How many instance paths one change keeps (the same change of a shared `$defs` type reached
/// under several fields is reported at each, up to this many).
const PATHS_PER_CHANGE: usize = 2;

/// A change's place and judgement, without its instance path.
type PlaceKey<'r> = (
    ChangeKind,
    &'r str,
    &'r str,
    Breaks,
    bool,
    bool,
    Option<Breaks>,
    bool,
);

/// Bounds how often one change is repeated: the same change reached along many instance paths
/// (a shared type under every branch of a recursive union) is kept at its first
/// [`PATHS_PER_CHANGE`] paths. Without this, results grow with the number of paths,
/// exponentially in the nesting.
pub(super) fn dedup(raws: Vec<Raw>) -> Vec<Raw> {
    if raws.len() <= PATHS_PER_CHANGE {
        return raws;
    }
    let mut seen: HashMap<PlaceKey<'_>, Vec<&[Seg]>> = HashMap::new();
    let mut keep = vec![false; raws.len()];
    for (i, r) in raws.iter().enumerate() {
        let key = (
            r.kind,
            &*r.old_ptr,
            &*r.new_ptr,
            r.mask,
            r.inverted,
            r.negated,
            r.scope,
            r.inert,
        );
        let paths = seen.entry(key).or_default();
        if paths.len() < PATHS_PER_CHANGE && !paths.contains(&r.rev_segs.as_slice()) {
            paths.push(&r.rev_segs);
            keep[i] = true;
        }
    }
    if keep.iter().all(|k| *k) {
        return raws;
    }
    raws.into_iter()
        .zip(keep)
        .filter_map(|(r, k)| k.then_some(r))
        .collect()
}

/// Restricts changes to the directions in `dirs`.
pub(crate) fn masked(raws: Vec<Raw>, dirs: Breaks) -> impl Iterator<Item = Raw> {
    raws.into_iter().map(move |mut r| {
        r.mask = r.mask.and(dirs);
        r
    })
}

/// Prefixes the instance path of `raws` with `seg`.
pub(crate) fn nest(raws: Vec<Raw>, seg: Seg) -> impl Iterator<Item = Raw> {
    raws.into_iter().map(move |mut r| {
        r.rev_segs.push(seg.clone());
        r
    })
}
