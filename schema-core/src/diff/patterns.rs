//! What the engine knows about `pattern` / `patternProperties` regexes without deciding regex
//! inclusion: whether a pattern matches a given name, and a sufficient condition for two patterns
//! never matching the same string (anchored literal prefixes or suffixes that diverge). Patterns
//! are ECMA-262; the `regex` crate approximates them. Every answer errs towards "may overlap".

use regex_syntax::hir::literal::{ExtractKind, Extractor, Seq};
use regex_syntax::hir::{Hir, Look};

/// Whether `pattern` matches `name`. A pattern the crate cannot compile is taken to match: that
/// compares more, never less.
pub(crate) fn pattern_matches(pattern: &str, name: &str) -> bool {
    regex::Regex::new(pattern)
        .map(|r| r.is_match(name))
        .unwrap_or(true)
}

/// Whether a pattern matches every string: it can match the empty string and asserts nothing
/// about where (no anchors or word boundaries), so it matches at the start of any input.
pub(crate) fn pattern_is_vacuous(p: &str) -> bool {
    parse(p).is_some_and(|h| {
        h.properties().minimum_len() == Some(0) && h.properties().look_set().is_empty()
    })
}

/// Whether no string can match both patterns. `false` means "may overlap".
pub(crate) fn patterns_disjoint(a: &str, b: &str) -> bool {
    if a == b {
        return false;
    }
    let (Some(ha), Some(hb)) = (parse(a), parse(b)) else {
        return false;
    };
    diverge(&ha, &hb, Look::Start, ExtractKind::Prefix)
        || diverge(&ha, &hb, Look::End, ExtractKind::Suffix)
}

fn parse(p: &str) -> Option<Hir> {
    regex_syntax::ParserBuilder::new()
        .nest_limit(64)
        .build()
        .parse(p)
        .ok()
}

/// Both patterns anchored at the same end, and every literal one must begin (end) with is
/// incompatible with every literal the other must begin (end) with.
fn diverge(a: &Hir, b: &Hir, anchor: Look, kind: ExtractKind) -> bool {
    let anchored = |h: &Hir| match anchor {
        Look::Start => h.properties().look_set_prefix().contains(Look::Start),
        _ => h.properties().look_set_suffix().contains(Look::End),
    };
    if !anchored(a) || !anchored(b) {
        return false;
    }
    let extract = |h: &Hir| -> Seq {
        let mut e = Extractor::new();
        e.kind(kind.clone());
        e.extract(h)
    };
    let (sa, sb) = (extract(a), extract(b));
    let (Some(la), Some(lb)) = (sa.literals(), sb.literals()) else {
        return false;
    };
    if la.is_empty() || lb.is_empty() {
        // A pattern with no possible match is disjoint from everything; say so only when sure.
        return false;
    }
    let compatible = |x: &[u8], y: &[u8]| match kind {
        ExtractKind::Prefix => x.starts_with(y) || y.starts_with(x),
        _ => x.ends_with(y) || y.ends_with(x),
    };
    la.iter()
        .all(|x| lb.iter().all(|y| !compatible(x.as_bytes(), y.as_bytes())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anchored_diverging_prefixes_are_disjoint() {
        assert!(patterns_disjoint("^a_", "^b_"));
        assert!(patterns_disjoint("^(foo|bar)_", "^baz"));
        assert!(patterns_disjoint("_id$", "_at$"));
    }

    #[test]
    fn vacuous_patterns_match_everything() {
        for p in ["a*", ".*", "", "(x|)", "[a-z]*"] {
            assert!(pattern_is_vacuous(p), "{p}");
        }
        for p in ["^a*$", "a", "^", "\\b", "a+", "^.*x"] {
            assert!(!pattern_is_vacuous(p), "{p}");
        }
    }

    #[test]
    fn overlapping_or_unanchored_patterns_may_overlap() {
        for (a, b) in [
            ("^x", "x$"),
            ("^x", "^xy"),
            ("a", "b"),
            ("^a", "b$"),
            ("^.*", "^b"),
            ("^[a-z]+", "^q"),
            ("^x", "^x"),
            ("(", "^a"),
        ] {
            assert!(!patterns_disjoint(a, b), "{a} / {b}");
        }
    }
}
