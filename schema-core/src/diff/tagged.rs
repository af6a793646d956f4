//! Tagged unions: conditionals whose `if` tests one discriminator property against constants
//! (`{"if": {"properties": {"kind": {"const": "a"}}}, "then": …}`), the common event pattern.
//! When every conditional on both sides tests the same property, each `if` is decided case by
//! case (not an object, no tag, each tag value named, any other value), and each case compares
//! the parts that then apply, so a changed, added or reordered variant is compared for
//! inclusion instead of for equality.

use std::collections::HashSet;

use serde_json::Value;

use super::loc::{is_annotation_keyword, Loc};
use super::parts::{Part, CONDITIONAL};
use super::raws::{dedup, masked};
use super::scalars::{json_eq, value_set};
use super::walk::Walker;
use crate::keywords::{types, OBJ};
use crate::kinds::Breaks;
use crate::report::Raw;

/// More named tag values than this and the union is compared the general way.
const MAX_TAGS: usize = 64;

/// What one conditional's `if` tests.
struct TagTest<'a> {
    tag: &'a str,
    values: Vec<&'a Value>,
    /// `required` names the tag: an object without it fails the `if`.
    required: bool,
    /// `type: object`: anything else fails the `if`.
    objects: bool,
}

/// The instances one case stands for.
#[derive(Clone, Copy)]
enum Case<'a> {
    NotObject,
    NoTag,
    Tag(&'a Value),
    /// An object whose tag is none of the values any `if` names.
    OtherTag,
}

impl TagTest<'_> {
    fn holds(&self, case: Case<'_>) -> bool {
        match case {
            Case::NotObject => !self.objects,
            Case::NoTag => !self.required,
            Case::Tag(v) => self.values.iter().any(|t| json_eq(t, v)),
            Case::OtherTag => false,
        }
    }
}

/// The discriminator test of a conditional part, when its `if` is only that.
fn tag_test<'a>(part: &Part<'a>) -> Option<TagTest<'a>> {
    let Part::Opaque(c, _, keys) = part else {
        return None;
    };
    if *keys != CONDITIONAL {
        return None;
    }
    let cond = c.get("if")?.as_object()?;
    if cond.keys().any(|k| {
        !matches!(k.as_str(), "properties" | "required" | "type") && !is_annotation_keyword(k)
    }) {
        return None;
    }
    let props = cond.get("properties")?.as_object()?;
    if props.len() != 1 {
        return None;
    }
    let (tag, test) = props.iter().next()?;
    // Only `const` or `enum` (and annotations): both together, or beside other keywords, and
    // the named values would no longer be exactly the ones that pass.
    let test_keys = test.as_object()?;
    let asserting: Vec<&String> = test_keys
        .keys()
        .filter(|k| !is_annotation_keyword(k))
        .collect();
    if asserting.len() != 1 {
        return None;
    }
    let values = value_set(test)?;
    let required = match cond.get("required") {
        None => false,
        Some(Value::Array(names)) if names.iter().all(|n| n.as_str() == Some(tag)) => {
            !names.is_empty()
        }
        Some(_) => return None,
    };
    let objects = match cond.get("type") {
        None => false,
        Some(t) if t.as_str() == Some("object") => true,
        Some(_) => return None,
    };
    Some(TagTest {
        tag,
        values,
        required,
        objects,
    })
}

impl<'a> Walker<'a> {
    /// Both sides compared case by case on their discriminator, or `None` when the
    /// conditionals are not all tests of one tag.
    pub(super) fn compare_tagged(
        &mut self,
        o: &Loc<'a>,
        n: &Loc<'a>,
        op: &[Part<'a>],
        np: &[Part<'a>],
    ) -> Option<Vec<Raw>> {
        let is_cond = |p: &Part<'a>| matches!(p, Part::Opaque(_, _, k) if *k == CONDITIONAL);
        let oc: Vec<&Part<'a>> = op.iter().filter(|p| is_cond(p)).collect();
        let nc: Vec<&Part<'a>> = np.iter().filter(|p| is_cond(p)).collect();
        if oc.is_empty() && nc.is_empty() {
            return None;
        }
        // The same conditionals on both sides are matched for equality by the product.
        if oc.len() == nc.len() && oc.iter().zip(&nc).all(|(a, b)| a.loc().v == b.loc().v) {
            return None;
        }
        let otests: Vec<TagTest<'a>> = oc.iter().map(|p| tag_test(p)).collect::<Option<_>>()?;
        let ntests: Vec<TagTest<'a>> = nc.iter().map(|p| tag_test(p)).collect::<Option<_>>()?;
        let tag = otests.iter().chain(&ntests).next()?.tag;
        if otests.iter().chain(&ntests).any(|t| t.tag != tag) {
            return None;
        }
        let mut named: Vec<&'a Value> = Vec::new();
        for v in otests.iter().chain(&ntests).flat_map(|t| t.values.iter()) {
            if !named.iter().any(|x| json_eq(x, v)) {
                named.push(v);
            }
        }
        if named.len() > MAX_TAGS {
            return None;
        }
        let cases: Vec<Case<'a>> = [Case::NotObject, Case::NoTag, Case::OtherTag]
            .into_iter()
            .chain(named.iter().map(|v| Case::Tag(v)))
            .collect();
        let (ow, nw) = (self.deref(o.clone()), self.deref(n.clone()));
        let osib: Vec<Part<'a>> = op.iter().filter(|p| !is_cond(p)).cloned().collect();
        let nsib: Vec<Part<'a>> = np.iter().filter(|p| !is_cond(p)).cloned().collect();
        let mut done: HashSet<(Vec<bool>, Vec<bool>, bool)> = HashSet::new();
        let mut out = Vec::new();
        for case in cases {
            self.work(1);
            let ochosen: Vec<bool> = otests.iter().map(|t| t.holds(case)).collect();
            let nchosen: Vec<bool> = ntests.iter().map(|t| t.holds(case)).collect();
            // Backward quantifies over the old side's events, forward over the new side's.
            for (dir, whole) in [(Breaks::BACKWARD, &ow), (Breaks::FORWARD, &nw)] {
                let backward = dir == Breaks::BACKWARD;
                if !admits(whole, tag, case, &named)
                    || !done.insert((ochosen.clone(), nchosen.clone(), backward))
                {
                    continue;
                }
                let held_old = self.applying(&osib, &oc, &ochosen);
                let held_new = self.applying(&nsib, &nc, &nchosen);
                let raws = self.compare_product(o, n, &held_old, &held_new);
                out.extend(masked(raws, dir));
            }
        }
        Some(dedup(out))
    }

    /// The parts that apply in one case: the other parts, and each conditional's `then` or
    /// `else` as its `if` holds or not (nothing when that branch is absent).
    fn applying(&self, sib: &[Part<'a>], conds: &[&Part<'a>], chosen: &[bool]) -> Vec<Part<'a>> {
        let mut held = sib.to_vec();
        for (c, holds) in conds.iter().zip(chosen) {
            let c = c.loc();
            let kw = if *holds { "then" } else { "else" };
            if let Some(branch) = c.get(kw) {
                self.parts(&c.child(&[kw], Some(branch)), &mut held);
            }
        }
        held
    }
}

/// Whether a location may hold instances of a case, read from its own `type`, `required` and
/// the tag's `const`/`enum` (a case it may hold is compared even when it holds none).
fn admits(whole: &Loc<'_>, tag: &str, case: Case<'_>, named: &[&Value]) -> bool {
    let objects_only = types(whole.v) & whole.only & !OBJ == 0;
    let required = whole
        .get("required")
        .and_then(Value::as_array)
        .is_some_and(|a| a.iter().any(|x| x.as_str() == Some(tag)));
    let own = whole
        .get("properties")
        .and_then(|p| p.get(tag))
        .and_then(value_set);
    match case {
        Case::NotObject => !objects_only,
        Case::NoTag => !required,
        Case::Tag(v) => own.is_none_or(|vals| vals.iter().any(|x| json_eq(x, v))),
        Case::OtherTag => {
            own.is_none_or(|vals| vals.iter().any(|x| !named.iter().any(|t| json_eq(t, x))))
        }
    }
}
