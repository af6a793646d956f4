//! The walker: compares two schema locations and returns the changes between them, for both
//! directions at once. A location is first split into the parts whose conjunction it is
//! ([`super::parts`]); parts are matched by implication, alternatives by coverage
//! ([`super::combinators`]), plain keywords one by one in [`super::scalars`],
//! [`super::objects`] and [`super::arrays`]. This module holds the walker's state: memos, the
//! budget, recursion and `$ref` following.
//!
//! Soundness: every matching is a sufficient condition for inclusion, so a missing match is
//! reported as breaking. Recursive schemas are compared coinductively: a pair of locations
//! already under comparison is assumed to hold, and its changes are reported where it started.

use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};
use std::cell::RefCell;
use std::rc::Rc;

use serde_json::Value;

use super::loc::{contains_ref, is_annotation_keyword, Loc, LocKey, View};
use super::raws::{dedup, masked};
use crate::docset::DocSet;
use crate::draft::Draft;
use crate::keywords::ANY;
use crate::kinds::{Breaks, ChangeKind};
use crate::report::{judge, Budget, Raw, Rules};

/// How deep comparisons may nest before the walker gives up with an `undecidable` change.
const MAX_DEPTH: usize = 400;

type PairKey = (LocKey, LocKey);

/// Property names a location declares across all its parts (allOf, anyOf, oneOf, $ref, ...):
/// what the NOT_SET assumption calls "declared by its own schema".
#[derive(Debug, Clone, Default)]
pub(crate) struct Declared {
    pub old: Rc<std::collections::BTreeSet<String>>,
    pub new: Rc<std::collections::BTreeSet<String>>,
    /// A fingerprint of both sets, for memo keys (computed once per location).
    pub key: u64,
}

pub(crate) struct Walker<'a> {
    pub docs: &'a DocSet,
    pub rules: Rules,
    in_progress: HashSet<PairKey>,
    memo: HashMap<PairKey, Rc<Vec<Raw>>>,
    /// Comparisons at the caller's instance location (combinator branches), by pair and the
    /// declared names in force: sum and product matching try the same pairs many times.
    memo_same: HashMap<(PairKey, u64), Rc<Vec<Raw>>>,
    depth: usize,
    /// Names declared at the instance location being compared, when it has several parts.
    pub declared: Option<Declared>,
    budget: Budget,
    steps: u64,
    held: u64,
    /// Where the budget ran out (old and new pointer); from then on nothing more is compared.
    exhausted: Option<(String, String)>,
    /// Whether a `oneOf`'s branches are pairwise disjoint, by its first branch (document,
    /// pointer, restriction) and branch count: a union is matched against many others, and the
    /// check is quadratic in its branches.
    pub(super) disjoint: HashMap<(usize, String, u8, usize), bool>,
    /// Where the `$ref` written at a place leads (see `follow`): resolving parses URIs and
    /// pointers, and a recursive schema follows the same references at every comparison.
    refs: RefCell<HashMap<(usize, usize, usize), Option<Loc<'a>>>>,
    /// Facts about pairs of subtrees, by their addresses (the documents do not move while the
    /// walker lives), which recursive unions ask about the same subtrees many times: whether
    /// two are identical and reference-free ...
    identical: RefCell<HashMap<(usize, usize), bool>>,
    /// ... and whether two branches are disjoint.
    pub(super) disjoint_pairs: HashMap<(usize, usize), bool>,
}

impl<'a> Walker<'a> {
    pub fn new(docs: &'a DocSet, rules: Rules, budget: Budget) -> Walker<'a> {
        Walker {
            docs,
            rules,
            in_progress: HashSet::new(),
            memo: HashMap::new(),
            memo_same: HashMap::new(),
            depth: 0,
            declared: None,
            budget,
            steps: 0,
            held: 0,
            exhausted: None,
            disjoint: HashMap::new(),
            refs: RefCell::default(),
            identical: RefCell::default(),
            disjoint_pairs: HashMap::new(),
        }
    }

    /// Whether two subtrees are the same text with no reference inside: they then accept the
    /// same events wherever they stand.
    fn identical(&self, a: &'a Value, b: &'a Value) -> bool {
        if !(a.is_object() || a.is_array()) {
            return a == b;
        }
        let key = (
            std::ptr::from_ref(a) as usize,
            std::ptr::from_ref(b) as usize,
        );
        if let Some(&known) = self.identical.borrow().get(&key) {
            return known;
        }
        let same = a == b && !contains_ref(a);
        self.identical.borrow_mut().insert(key, same);
        same
    }

    /// The location the `$ref` `r` written at `site` in document `doc` leads to (whole view,
    /// unrestricted), resolved and looked up once.
    pub(super) fn follow(&self, doc: usize, site: &str, r: &'a str) -> Option<Loc<'a>> {
        // By the address of the reference's text, which is unique to the place it is written
        // at (the documents do not move while the walker lives): no allocation per look-up.
        let key = (doc, r.as_ptr() as usize, r.len());
        if let Some(known) = self.refs.borrow().get(&key) {
            return known.clone();
        }
        let docs: &'a DocSet = self.docs;
        let found = docs.resolve_ref(doc, site, r).and_then(|(doc, ptr)| {
            let d = docs.get(doc);
            let v = d.at(&ptr)?;
            Some(Loc {
                doc,
                ptr,
                v,
                view: View::Whole,
                draft: d.draft,
                only: ANY,
            })
        });
        self.refs.borrow_mut().insert(key, found.clone());
        found
    }

    /// Counts one comparison step; `false` once the budget is spent.
    pub(super) fn step(&mut self, o: &Loc<'a>, n: &Loc<'a>) -> bool {
        if self.exhausted.is_some() {
            return false;
        }
        self.steps += 1;
        if self.steps > self.budget.steps || self.held > self.budget.changes {
            self.exhausted = Some((o.ptr.clone(), n.ptr.clone()));
            return false;
        }
        true
    }

    /// Counts the work of copying a remembered result: results grow with the schema, so a
    /// memo hit is not free (without this a recursive union spends seconds on copies within
    /// a small step count).
    pub(super) fn charge(&mut self, copied: usize) {
        self.steps += (copied / 4) as u64;
    }

    /// Counts work that is not a comparison of two locations but grows with the schema (a
    /// union's branches scanned, names collected across applicators): the budget bounds time
    /// only if it sees all of it.
    pub(super) fn work(&mut self, units: usize) {
        self.steps += units as u64;
    }

    /// Counts changes the walker keeps (memo entries and their copies).
    pub(super) fn hold(&mut self, n: usize) {
        self.held += n as u64;
    }

    pub fn diff_roots(&mut self, old: usize, new: usize) -> Vec<Raw> {
        let o = self.root(old);
        let n = self.root(new);
        let mut out = Vec::new();
        if o.draft != n.draft {
            out.push(Raw::new(
                ChangeKind::DialectChanged,
                "",
                "",
                format!("{:?} → {:?}", o.draft, n.draft),
            ));
        }
        // The same text on both sides, with nothing but the two documents to refer to: every
        // reference resolves alike on both sides, so they accept the same events (a recursive
        // schema compared with itself would otherwise be walked, and could spend the budget).
        let alone = self.docs.len() == 2 || old == new;
        if alone && o.draft == n.draft && o.v == n.v {
            return out;
        }
        out.extend(self.compare(o, n));
        if let Some((optr, nptr)) = self.exhausted.take() {
            out.push(Raw::new(
                ChangeKind::Undecidable,
                &optr,
                &nptr,
                format!(
                    "the comparison budget ran out here ({} steps, {} changes held); what was not compared counts as breaking",
                    self.budget.steps, self.budget.changes
                ),
            ));
        }
        out
    }

    pub(super) fn root(&self, doc: usize) -> Loc<'a> {
        let d = self.docs.get(doc);
        Loc {
            doc,
            ptr: String::new(),
            v: &d.root,
            view: View::Whole,
            draft: d.draft,
            only: ANY,
        }
    }

    /// Whether `raws` break the direction(s) in `dir` under the current rules.
    pub fn breaks(&self, raws: &[Raw]) -> Breaks {
        raws.iter()
            .fold(Breaks::NONE, |acc, r| acc.or(judge(r, self.rules)))
    }

    /// Compares two locations; the changes' instance paths are relative to them.
    pub fn compare(&mut self, o: Loc<'a>, n: Loc<'a>) -> Vec<Raw> {
        let o = self.deref(o);
        let n = self.deref(n);
        if o.view == n.view && o.draft == n.draft && self.identical(o.v, n.v) {
            return Vec::new();
        }
        let key = (o.key(), n.key());
        if let Some(done) = self.memo.get(&key).cloned() {
            self.charge(done.len());
            return done.as_ref().clone();
        }
        if self.in_progress.contains(&key) {
            return Vec::new(); // coinductive hypothesis: assume the pair holds
        }
        if !self.step(&o, &n) {
            return Vec::new();
        }
        if self.depth >= MAX_DEPTH {
            return vec![Raw::new(
                ChangeKind::Undecidable,
                &o.ptr,
                &n.ptr,
                format!("schemas nest deeper than {MAX_DEPTH} levels"),
            )];
        }
        self.in_progress.insert(key.clone());
        self.depth += 1;
        // A new instance location: names declared around the caller's location do not apply.
        let outer = self.declared.take();
        let out = dedup(grow_stack(|| self.compare_parts(&o, &n)));
        self.declared = outer;
        self.depth -= 1;
        self.in_progress.remove(&key);
        self.hold(out.len());
        self.memo.insert(key, Rc::new(out.clone()));
        out
    }

    /// Follows a `$ref` that stands alone (or whose siblings the dialect ignores).
    pub(super) fn deref(&self, mut loc: Loc<'a>) -> Loc<'a> {
        for _ in 0..64 {
            let Some(obj) = loc.v.as_object() else {
                return loc;
            };
            let Some(Value::String(r)) = obj.get("$ref") else {
                return loc;
            };
            let alone = loc.draft < Draft::Draft201909
                || obj.keys().all(|k| k == "$ref" || is_annotation_keyword(k));
            if !alone {
                return loc;
            }
            let Some(target) = self.follow(loc.doc, &loc.ptr, r) else {
                return loc;
            };
            loc = Loc {
                only: loc.only,
                ..target
            };
        }
        loc
    }

    pub(super) fn compare_parts(&mut self, o: &Loc<'a>, n: &Loc<'a>) -> Vec<Raw> {
        let out = self.compare_parts_by_keyword(o, n);
        if out.is_empty() || o.view != View::Whole || n.view != View::Whole {
            return out;
        }
        // Where one side admits finitely many values, validation decides that direction.
        let exact = super::exact::holds(o, n);
        if !exact.any() {
            return out;
        }
        let keep = Breaks {
            backward: !exact.backward,
            forward: !exact.forward,
        };
        masked(out, keep).collect()
    }

    /// Compares two schemas that apply to the same instance location as the caller's (branches
    /// of a combinator): the caller's declared names stay in force.
    pub(super) fn compare_same(&mut self, o: Loc<'a>, n: Loc<'a>) -> Vec<Raw> {
        let out = self.compare_same_shared(o, n);
        Rc::try_unwrap(out).unwrap_or_else(|shared| shared.as_ref().clone())
    }

    /// [`Walker::compare_same`], shared with its memo: a union's branch pairs are compared
    /// many times and mostly only read, so a remembered result is not copied.
    pub(super) fn compare_same_shared(&mut self, o: Loc<'a>, n: Loc<'a>) -> Rc<Vec<Raw>> {
        let o = self.deref(o);
        let n = self.deref(n);
        if o.view == n.view && o.draft == n.draft && self.identical(o.v, n.v) {
            return Rc::default();
        }
        let key = ((o.key(), n.key()), self.declared_key());
        if let Some(done) = self.memo_same.get(&key) {
            let done = done.clone();
            self.charge(done.len());
            return done;
        }
        if !self.step(&o, &n) {
            return Rc::default();
        }
        if self.depth >= MAX_DEPTH {
            return Rc::new(vec![Raw::new(
                ChangeKind::Undecidable,
                &o.ptr,
                &n.ptr,
                format!("schemas nest deeper than {MAX_DEPTH} levels"),
            )]);
        }
        self.depth += 1;
        let out = dedup(grow_stack(|| self.compare_parts(&o, &n)));
        self.depth -= 1;
        self.hold(out.len());
        // A result that leaned on a coinductive hypothesis still open above is only valid
        // while that hypothesis stands; the memo of `compare` has the same reach.
        let out = Rc::new(out);
        self.memo_same.insert(key, out.clone());
        out
    }

    /// A fingerprint of the declared names in force (part of what a comparison depends on).
    pub(super) fn declared_key(&self) -> u64 {
        self.declared.as_ref().map_or(0, |d| d.key)
    }

    /// Every property name declared at a location through in-place applicators.
    pub(super) fn declared_names(&mut self, loc: &Loc<'a>) -> Vec<String> {
        let mut out = Vec::new();
        let mut stack = vec![(loc.clone(), 0usize)];
        while let Some((l, depth)) = stack.pop() {
            self.work(1);
            let l = self.deref(l);
            let Some(obj) = l.v.as_object() else { continue };
            if depth > 32 {
                continue;
            }
            if let Some(Value::Object(props)) = obj.get("properties") {
                out.extend(props.keys().cloned());
            }
            if let Some(Value::String(r)) = obj.get("$ref") {
                if let Some(target) = self.follow(l.doc, &l.ptr, r) {
                    stack.push((target, depth + 1));
                }
            }
            for kw in ["allOf", "anyOf", "oneOf"] {
                if let Some(Value::Array(a)) = obj.get(kw) {
                    for (i, b) in a.iter().enumerate() {
                        stack.push((l.child(&[kw, &i.to_string()], Some(b)), depth + 1));
                    }
                }
            }
            for kw in ["not", "if", "then", "else"] {
                if let Some(b) = obj.get(kw) {
                    stack.push((l.child(&[kw], Some(b)), depth + 1));
                }
            }
            if let Some(Value::Object(m)) = obj.get("dependentSchemas") {
                for (k, b) in m {
                    stack.push((l.child(&["dependentSchemas", k], Some(b)), depth + 1));
                }
            }
        }
        out
    }

    /// Resolves `$ref` at a location the way comparisons see it (used by keyword modules).
    pub fn resolved(&self, loc: Loc<'a>) -> Loc<'a> {
        self.deref(loc)
    }
}

/// Runs a recursive step on a fresh heap-allocated stack segment when the current one runs low:
/// nesting is bounded by [`MAX_DEPTH`], not by the caller's stack (an async worker has 2 MB).
fn grow_stack<R>(f: impl FnOnce() -> R) -> R {
    stacker::maybe_grow(256 * 1024, 4 * 1024 * 1024, f)
}
