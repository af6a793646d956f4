//! The walker: compares two schema locations and returns the changes between them, for both
//! directions at once. A location is first split into the parts whose conjunction it is (its own
//! keywords, each `allOf` branch, an `anyOf`/`oneOf` alternative set, a `not`, a conditional);
//! parts are matched by implication, alternatives by coverage, plain keywords one by one in
//! [`super::scalars`], [`super::objects`] and [`super::arrays`].
//!
//! Soundness: every matching is a sufficient condition for inclusion, so a missing match is
//! reported as breaking. Recursive schemas are compared coinductively: a pair of locations
//! already under comparison is assumed to hold, and its changes are reported where it started.

use std::collections::{HashMap, HashSet};
use std::rc::Rc;

use serde_json::Value;

use super::kinds::{Breaks, ChangeKind};
use super::{judge, Budget, Raw, Rules, Seg};
use crate::docset::DocSet;
use crate::draft::Draft;
use crate::keywords::ANY;

/// The schema that accepts everything, standing in for an absent keyword.
pub(crate) static TRUE: Value = Value::Bool(true);

/// The keywords of a conditional part.
const CONDITIONAL: [&str; 3] = ["if", "then", "else"];

/// How deep comparisons may nest before the walker gives up with an `undecidable` change.
const MAX_DEPTH: usize = 400;

/// Which keywords of a location take part.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum View {
    Whole,
    /// Only the location's own keywords: its combinators are compared as separate parts.
    Plain,
}

/// A schema location in one of the documents.
#[derive(Debug, Clone)]
pub(crate) struct Loc<'a> {
    pub doc: usize,
    pub ptr: String,
    pub v: &'a Value,
    pub view: View,
    pub draft: Draft,
    /// The instance types the comparison is restricted to (`ANY` but where a union's branch
    /// is compared for the types no other branch covers). Children at deeper instance
    /// locations are never restricted.
    pub only: u8,
}

impl<'a> Loc<'a> {
    /// The child at `key` (`tokens` joined below this pointer), or `true` standing at this
    /// location when absent.
    pub fn child(&self, tokens: &[&str], v: Option<&'a Value>) -> Loc<'a> {
        match v {
            Some(v) => Loc {
                doc: self.doc,
                ptr: crate::pointer::join(&self.ptr, tokens),
                v,
                view: View::Whole,
                draft: self.draft,
                only: ANY,
            },
            None => self.absent(),
        }
    }

    /// `true` located here: what an absent subschema means.
    pub fn absent(&self) -> Loc<'a> {
        Loc {
            doc: self.doc,
            ptr: self.ptr.clone(),
            v: &TRUE,
            view: View::Whole,
            draft: self.draft,
            only: ANY,
        }
    }

    /// The pointer of keyword `kw` here, or of this location when the keyword is absent (a
    /// change's pointer must resolve in its schema).
    pub fn keyword_ptr(&self, kw: &str) -> String {
        match self.get(kw) {
            Some(_) => crate::pointer::join(&self.ptr, &[kw]),
            None => self.ptr.clone(),
        }
    }

    pub fn get(&self, key: &str) -> Option<&'a Value> {
        self.v.as_object().and_then(|o| o.get(key))
    }

    fn key(&self) -> LocKey {
        (
            self.doc,
            self.ptr.clone(),
            self.view,
            std::ptr::eq(self.v, &TRUE),
            self.only,
        )
    }

    /// This location restricted to instances of the given types.
    pub fn within(mut self, only: u8) -> Loc<'a> {
        self.only &= only;
        self
    }
}

type LocKey = (usize, String, View, bool, u8);
/// Pairwise results of one matching (indexes into the two part or branch lists).
type PairCache = HashMap<(usize, usize), (Rc<Vec<Raw>>, Breaks)>;
type PairKey = (LocKey, LocKey);

#[derive(Debug, Clone)]
enum Part<'a> {
    Plain(Loc<'a>),
    Sum {
        one_of: bool,
        at: Loc<'a>,
        branches: Vec<Loc<'a>>,
    },
    Not(Loc<'a>),
    /// Compared only for equality of the listed keywords (all of them when empty):
    /// if/then/else, unevaluated*, dynamic references.
    Opaque(Loc<'a>, &'static str, &'static [&'static str]),
}

impl<'a> Part<'a> {
    fn tag(&self) -> u8 {
        match self {
            Part::Plain(_) => 0,
            Part::Sum { .. } => 1,
            Part::Not(_) => 3,
            Part::Opaque(..) => 4,
        }
    }
    fn loc(&self) -> &Loc<'a> {
        match self {
            Part::Plain(l) | Part::Not(l) | Part::Opaque(l, _, _) => l,
            Part::Sum { at, .. } => at,
        }
    }
}

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
        }
    }

    /// Counts one comparison step; `false` once the budget is spent.
    fn step(&mut self, o: &Loc<'a>, n: &Loc<'a>) -> bool {
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
    fn charge(&mut self, copied: usize) {
        self.steps += (copied / 4) as u64;
    }

    /// Counts changes the walker keeps (memo entries and their copies).
    fn hold(&mut self, n: usize) {
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

    fn root(&self, doc: usize) -> Loc<'a> {
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
        if o.view == n.view && o.draft == n.draft && o.v == n.v && !contains_ref(o.v) {
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
    fn deref(&self, mut loc: Loc<'a>) -> Loc<'a> {
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
            let Some((doc, ptr)) = self.docs.resolve_ref(loc.doc, &loc.ptr, r) else {
                return loc;
            };
            let d = self.docs.get(doc);
            let Some(v) = d.at(&ptr) else { return loc };
            loc = Loc {
                doc,
                ptr,
                v,
                view: View::Whole,
                draft: d.draft,
                only: loc.only,
            };
        }
        loc
    }

    /// The parts whose conjunction a location is.
    fn parts(&self, loc: &Loc<'a>, out: &mut Vec<Part<'a>>) {
        let loc = self.deref(loc.clone());
        let Some(obj) = loc.v.as_object() else {
            out.push(Part::Plain(loc));
            return;
        };
        out.push(Part::Plain(Loc {
            view: View::Plain,
            ..loc.clone()
        }));
        if loc.view == View::Plain {
            return;
        }
        if loc.draft >= Draft::Draft201909 {
            if let Some(Value::String(r)) = obj.get("$ref") {
                if let Some((doc, ptr)) = self.docs.resolve_ref(loc.doc, &loc.ptr, r) {
                    let d = self.docs.get(doc);
                    if let Some(v) = d.at(&ptr) {
                        self.parts(
                            &Loc {
                                doc,
                                ptr,
                                v,
                                view: View::Whole,
                                draft: d.draft,
                                only: loc.only,
                            },
                            out,
                        );
                    }
                }
            }
        }
        if let Some(Value::Array(all)) = obj.get("allOf") {
            for (i, b) in all.iter().enumerate() {
                let branch = loc.child(&["allOf", &i.to_string()], Some(b));
                self.parts(&branch.within(loc.only), out);
            }
        }
        for (kw, one_of) in [("anyOf", false), ("oneOf", true)] {
            if let Some(Value::Array(alts)) = obj.get(kw) {
                let branches = alts
                    .iter()
                    .enumerate()
                    .map(|(i, b)| loc.child(&[kw, &i.to_string()], Some(b)).within(loc.only))
                    .collect();
                out.push(Part::Sum {
                    one_of,
                    at: loc.child(&[kw], obj.get(kw)),
                    branches,
                });
            }
        }
        if let Some(not) = obj.get("not") {
            out.push(Part::Not(loc.child(&["not"], Some(not))));
        }
        if obj.contains_key("if") || obj.contains_key("then") || obj.contains_key("else") {
            out.push(Part::Opaque(
                loc.clone(),
                "a changed `if` condition is not compared for inclusion",
                &CONDITIONAL,
            ));
        }
        // Without in-place applicators, unevaluated* mean what additionalProperties and items
        // mean, and the keyword modules read them so; with applicators they look across parts.
        let applicators = [
            "allOf",
            "anyOf",
            "oneOf",
            "not",
            "if",
            "$ref",
            "dependentSchemas",
            "$dynamicRef",
            "$recursiveRef",
        ];
        for kw in ["unevaluatedProperties", "unevaluatedItems"] {
            if obj.contains_key(kw) && applicators.iter().any(|a| obj.contains_key(*a)) {
                out.push(Part::Opaque(
                    loc.clone(),
                    "unevaluatedProperties/unevaluatedItems depend on every subschema",
                    &[],
                ));
                break;
            }
        }
        for kw in ["$dynamicRef", "$recursiveRef"] {
            if obj.contains_key(kw) {
                out.push(Part::Opaque(
                    loc.clone(),
                    "dynamic references are resolved only at validation time",
                    &[],
                ));
                break;
            }
        }
    }

    fn compare_parts(&mut self, o: &Loc<'a>, n: &Loc<'a>) -> Vec<Raw> {
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

    fn compare_parts_by_keyword(&mut self, o: &Loc<'a>, n: &Loc<'a>) -> Vec<Raw> {
        let mut op = Vec::new();
        let mut np = Vec::new();
        self.parts(o, &mut op);
        self.parts(n, &mut np);
        if op.len() == 1 && np.len() == 1 && self.declared.is_none() {
            return self.compare_part(&op[0], &np[0]);
        }
        // Parts of one location are compared with the names the whole location declares.
        let outer = self.declared.take();
        let mut declared = outer.clone().unwrap_or_default();
        Rc::make_mut(&mut declared.old).extend(self.declared_names(o));
        Rc::make_mut(&mut declared.new).extend(self.declared_names(n));
        declared.key = {
            use std::hash::{Hash, Hasher};
            let mut h = std::collections::hash_map::DefaultHasher::new();
            declared.old.hash(&mut h);
            declared.new.hash(&mut h);
            h.finish() | 1
        };
        self.declared = Some(declared);
        let out = if op.len() == 1 && np.len() == 1 {
            self.compare_part(&op[0], &np[0])
        } else {
            let mut out = Vec::new();
            let cond = |parts: &[Part<'a>]| {
                parts
                    .iter()
                    .position(|p| matches!(p, Part::Opaque(_, _, k) if *k == CONDITIONAL))
            };
            if let (Some(i), Some(j)) = (cond(&op), cond(&np)) {
                let (x, y) = (op[i].loc().clone(), np[j].loc().clone());
                if x.get("if") == y.get("if") && !x.get("if").is_some_and(contains_ref) {
                    op.remove(i);
                    np.remove(j);
                    out.extend(self.compare_conditional(o, n, (&x, &y), (&op, &np)));
                }
            }
            out.extend(self.compare_product(o, n, &op, &np));
            out
        };
        self.declared = outer;
        out
    }

    /// Two conditionals with the same `if`: events that meet it are held to `then`, the others
    /// to `else`. Backward, the old location's other parts with the old branch must imply the
    /// new branch; forward the other way round.
    fn compare_conditional(
        &mut self,
        o: &Loc<'a>,
        n: &Loc<'a>,
        (x, y): (&Loc<'a>, &Loc<'a>),
        (osib, nsib): (&[Part<'a>], &[Part<'a>]),
    ) -> Vec<Raw> {
        if x.get("if").is_none() {
            return Vec::new(); // without `if`, `then` and `else` do nothing
        }
        let mut out = Vec::new();
        for kw in ["then", "else"] {
            let (mut to, mut tn) = (Vec::new(), Vec::new());
            self.parts(&x.child(&[kw], x.get(kw)), &mut to);
            self.parts(&y.child(&[kw], y.get(kw)), &mut tn);
            let held_old: Vec<Part<'a>> = osib.iter().chain(&to).cloned().collect();
            let back = self.compare_product(o, n, &held_old, &tn);
            out.extend(masked(back, Breaks::BACKWARD));
            let held_new: Vec<Part<'a>> = nsib.iter().chain(&tn).cloned().collect();
            let fwd = self.compare_product(o, n, &to, &held_new);
            out.extend(masked(fwd, Breaks::FORWARD));
        }
        out
    }

    /// Compares two schemas that apply to the same instance location as the caller's (branches
    /// of a combinator): the caller's declared names stay in force.
    fn compare_same(&mut self, o: Loc<'a>, n: Loc<'a>) -> Vec<Raw> {
        let o = self.deref(o);
        let n = self.deref(n);
        if o.view == n.view && o.draft == n.draft && o.v == n.v && !contains_ref(o.v) {
            return Vec::new();
        }
        let key = ((o.key(), n.key()), self.declared_key());
        if let Some(done) = self.memo_same.get(&key).cloned() {
            self.charge(done.len());
            return done.as_ref().clone();
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
        self.depth += 1;
        let out = dedup(grow_stack(|| self.compare_parts(&o, &n)));
        self.depth -= 1;
        self.hold(out.len());
        // A result that leaned on a coinductive hypothesis still open above is only valid
        // while that hypothesis stands; the memo of `compare` has the same reach.
        self.memo_same.insert(key, Rc::new(out.clone()));
        out
    }

    /// A fingerprint of the declared names in force (part of what a comparison depends on).
    fn declared_key(&self) -> u64 {
        self.declared.as_ref().map_or(0, |d| d.key)
    }

    /// Every property name declared at a location through in-place applicators.
    fn declared_names(&self, loc: &Loc<'a>) -> Vec<String> {
        let mut out = Vec::new();
        let mut stack = vec![(loc.clone(), 0usize)];
        while let Some((l, depth)) = stack.pop() {
            let l = self.deref(l);
            let Some(obj) = l.v.as_object() else { continue };
            if depth > 32 {
                continue;
            }
            if let Some(Value::Object(props)) = obj.get("properties") {
                out.extend(props.keys().cloned());
            }
            if let Some(Value::String(r)) = obj.get("$ref") {
                if let Some((doc, ptr)) = self.docs.resolve_ref(l.doc, &l.ptr, r) {
                    let d = self.docs.get(doc);
                    if let Some(v) = d.at(&ptr) {
                        stack.push((
                            Loc {
                                doc,
                                ptr,
                                v,
                                view: View::Whole,
                                draft: d.draft,
                                only: ANY,
                            },
                            depth + 1,
                        ));
                    }
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

    /// old = ∧ op, new = ∧ np. Backward holds if every new part is implied by some old part;
    /// forward if every old part is implied by some new part.
    fn compare_product(
        &mut self,
        o: &Loc<'a>,
        n: &Loc<'a>,
        op: &[Part<'a>],
        np: &[Part<'a>],
    ) -> Vec<Raw> {
        let mut cache: PairCache = HashMap::new();
        let mut chosen: HashMap<(usize, usize), Breaks> = HashMap::new();
        let mut out = Vec::new();
        // Natural partner: same kind of part at the same ordinal among that kind.
        let ordinal = |parts: &[Part<'a>], i: usize| {
            parts[..i]
                .iter()
                .filter(|p| p.tag() == parts[i].tag())
                .count()
        };
        let partner = |from: &[Part<'a>], i: usize, to: &[Part<'a>]| -> Option<usize> {
            let (tag, ord) = (from[i].tag(), ordinal(from, i));
            (0..to.len()).find(|&j| to[j].tag() == tag && ordinal(to, j) == ord)
        };
        for dir in [Breaks::BACKWARD, Breaks::FORWARD] {
            let backward = dir == Breaks::BACKWARD;
            // For backward: each new part j needs an old part i with no backward break.
            let (targets, sources) = if backward { (np, op) } else { (op, np) };
            for t in 0..targets.len() {
                let nat = partner(targets, t, sources);
                let order: Vec<usize> = nat
                    .into_iter()
                    .chain((0..sources.len()).filter(|&s| Some(s) != nat))
                    .collect();
                let mut found = None;
                for s in order {
                    let pair = if backward { (s, t) } else { (t, s) };
                    let (_, breaks) = self.cached_part(&mut cache, op, np, pair);
                    if !breaks.and(dir).any() {
                        found = Some(pair);
                        break;
                    }
                }
                match (found, nat) {
                    (Some(pair), _) => {
                        let e = chosen.entry(pair).or_insert(Breaks::NONE);
                        *e = e.or(dir);
                    }
                    (None, Some(s)) => {
                        let pair = if backward { (s, t) } else { (t, s) };
                        let (raws, _) = self.cached_part(&mut cache, op, np, pair);
                        out.extend(masked(self.owned(&raws), dir));
                    }
                    (None, None) => {
                        let (kind, optr, nptr) = if backward {
                            (
                                ChangeKind::ProductConstraintAdded,
                                o.ptr.clone(),
                                targets[t].loc().ptr.clone(),
                            )
                        } else {
                            (
                                ChangeKind::ProductConstraintRemoved,
                                targets[t].loc().ptr.clone(),
                                n.ptr.clone(),
                            )
                        };
                        let mut r = Raw::new(kind, &optr, &nptr, String::new());
                        r.mask = dir;
                        out.push(r);
                    }
                }
            }
        }
        let mut pairs: Vec<_> = chosen.into_iter().collect();
        pairs.sort_by_key(|(p, _)| *p);
        for (pair, dirs) in pairs {
            let (raws, _) = self.cached_part(&mut cache, op, np, pair);
            out.extend(masked(self.owned(&raws), dirs));
        }
        out
    }

    /// A pairwise comparison, computed once per matching, with the directions it breaks:
    /// matching tries many pairs and reads only those; the changes are copied for the pairs
    /// chosen.
    fn cached(
        &mut self,
        cache: &mut PairCache,
        pair: (usize, usize),
        compute: impl FnOnce(&mut Self) -> Vec<Raw>,
    ) -> (Rc<Vec<Raw>>, Breaks) {
        if let Some((r, b)) = cache.get(&pair) {
            return (r.clone(), *b);
        }
        let r = compute(self);
        let b = self.breaks(&r);
        let r = Rc::new(r);
        cache.insert(pair, (r.clone(), b));
        (r, b)
    }

    /// An owned copy of cached changes, charged to the budget.
    fn owned(&mut self, raws: &Rc<Vec<Raw>>) -> Vec<Raw> {
        self.charge(raws.len());
        raws.as_ref().clone()
    }

    fn cached_part(
        &mut self,
        cache: &mut PairCache,
        op: &[Part<'a>],
        np: &[Part<'a>],
        pair: (usize, usize),
    ) -> (Rc<Vec<Raw>>, Breaks) {
        self.cached(cache, pair, |w| w.compare_part(&op[pair.0], &np[pair.1]))
    }

    fn compare_part(&mut self, a: &Part<'a>, b: &Part<'a>) -> Vec<Raw> {
        match (a, b) {
            (Part::Plain(x), Part::Plain(y)) => self.compare_plain(x, y),
            (Part::Sum { .. }, _) | (_, Part::Sum { .. }) => self.compare_sum(a, b),
            (Part::Not(x), Part::Not(y)) => {
                let inner = self.compare_same(x.clone(), y.clone());
                if self.rules == Rules::Events && inner.iter().any(|r| r.scoped) {
                    return vec![Raw::new(
                        ChangeKind::Undecidable,
                        &x.ptr,
                        &y.ptr,
                        "a property added or removed under `not`: the NOT_SET assumption does not carry over a negation".into(),
                    )];
                }
                inner
                    .into_iter()
                    .map(|mut r| {
                        r.inverted = !r.inverted;
                        r.mask = r.mask.swapped();
                        r
                    })
                    .collect()
            }
            // `not` of bare types is the other types: compared like any `type`.
            (Part::Not(x), Part::Plain(y)) if complement_of_types(x.v).is_some() => {
                let x = complemented(x);
                self.compare_plain(&x, y)
            }
            (Part::Plain(x), Part::Not(y)) if complement_of_types(y.v).is_some() => {
                let y = complemented(y);
                self.compare_plain(x, &y)
            }
            (Part::Opaque(x, why, keys), Part::Opaque(y, _, _)) => {
                let same = if keys.is_empty() {
                    x.v == y.v && !contains_ref(x.v)
                } else {
                    keys.iter()
                        .all(|k| x.get(k) == y.get(k) && !x.get(k).is_some_and(contains_ref))
                };
                if same {
                    Vec::new()
                } else {
                    vec![Raw::new(
                        ChangeKind::Undecidable,
                        &x.ptr,
                        &y.ptr,
                        why.to_string(),
                    )]
                }
            }
            (x, y) => {
                let why = match (x, y) {
                    (Part::Opaque(_, w, _), _) | (_, Part::Opaque(_, w, _)) => w.to_string(),
                    _ => "`not` is compared only with another `not`".to_string(),
                };
                vec![Raw::new(
                    ChangeKind::Undecidable,
                    &x.loc().ptr,
                    &y.loc().ptr,
                    why,
                )]
            }
        }
    }

    /// Alternatives: backward holds if every old alternative is covered by a new one; forward if
    /// every new alternative is covered by an old one. A non-sum side is one alternative.
    fn compare_sum(&mut self, a: &Part<'a>, b: &Part<'a>) -> Vec<Raw> {
        let alts = |p: &Part<'a>| -> (Vec<Loc<'a>>, Option<bool>, Loc<'a>) {
            match p {
                Part::Sum {
                    one_of,
                    at,
                    branches,
                } => (branches.clone(), Some(*one_of), at.clone()),
                other => (vec![other.loc().clone()], None, other.loc().clone()),
            }
        };
        let (ob, okind, oat) = alts(a);
        let (nb, nkind, nat) = alts(b);
        let mut cache: PairCache = HashMap::new();
        let mut chosen: HashMap<(usize, usize), Breaks> = HashMap::new();
        let mut out = Vec::new();
        let mut identical = ob.len() == nb.len() && okind == nkind;
        for dir in [Breaks::BACKWARD, Breaks::FORWARD] {
            let backward = dir == Breaks::BACKWARD;
            let (sources, targets) = if backward {
                (ob.len(), nb.len())
            } else {
                (nb.len(), ob.len())
            };
            for s in 0..sources {
                let order: Vec<usize> = (s..targets).chain(0..s.min(targets)).collect();
                let mut found = None;
                for t in order {
                    let pair = if backward { (s, t) } else { (t, s) };
                    let (_, breaks) = self.cached_alt(&mut cache, &ob, &nb, pair);
                    if !breaks.and(dir).any() {
                        found = Some(pair);
                        break;
                    }
                }
                if let Some(pair) = found {
                    if pair.0 != pair.1 || !cache[&pair].0.is_empty() {
                        identical = false;
                    }
                    let e = chosen.entry(pair).or_insert(Breaks::NONE);
                    *e = e.or(dir);
                    continue;
                }
                identical = false;
                // No one alternative covers this one; it may still be covered type by type:
                // types some target alternative accepts unconstrained, and the rest by one.
                let (src, dst) = if backward { (&ob, &nb) } else { (&nb, &ob) };
                if let Some(raws) = self.covered_by_types(&src[s], dst, backward) {
                    out.extend(masked(raws, dir));
                    continue;
                }
                if targets == 1 {
                    let pair = if backward { (s, 0) } else { (0, s) };
                    let (raws, _) = self.cached_alt(&mut cache, &ob, &nb, pair);
                    out.extend(masked(self.owned(&raws), dir));
                } else {
                    let mut r = if backward {
                        Raw::new(
                            ChangeKind::SumBranchRemoved,
                            &ob[s].ptr,
                            &nat.ptr,
                            String::new(),
                        )
                    } else {
                        Raw::new(
                            ChangeKind::SumBranchAdded,
                            &oat.ptr,
                            &nb[s].ptr,
                            String::new(),
                        )
                    };
                    r.mask = dir;
                    out.push(r);
                }
            }
        }
        let mut pairs: Vec<_> = chosen.into_iter().collect();
        pairs.sort_by_key(|(p, _)| *p);
        for (pair, dirs) in pairs {
            let (raws, _) = self.cached_alt(&mut cache, &ob, &nb, pair);
            out.extend(masked(self.owned(&raws), dirs));
        }
        // Confluent's criterion rules: a singleton old anyOf may become oneOf, and the mirror.
        if okind == Some(false) && nkind == Some(true) && ob.len() > 1 {
            out.push(Raw::new(
                ChangeKind::AnyOfBecameOneOf,
                &oat.ptr,
                &nat.ptr,
                String::new(),
            ));
        }
        if okind == Some(true) && nkind == Some(false) && nb.len() > 1 {
            out.push(Raw::new(
                ChangeKind::OneOfBecameAnyOf,
                &oat.ptr,
                &nat.ptr,
                String::new(),
            ));
        }
        if !identical {
            // An event matching two alternatives of a oneOf is rejected: a changed oneOf is only
            // sound where its alternatives cannot overlap.
            for (kind, branches, at, dir) in [
                (nkind, &nb, &nat, Breaks::BACKWARD),
                (okind, &ob, &oat, Breaks::FORWARD),
            ] {
                if kind == Some(true) && branches.len() > 1 && !self.pairwise_disjoint(branches) {
                    let mut r = Raw::new(
                        ChangeKind::OneOfOverlap,
                        &oat.ptr,
                        &nat.ptr,
                        format!("alternatives of {} are not provably disjoint", at.ptr),
                    );
                    r.mask = dir;
                    out.push(r);
                }
            }
        }
        out
    }

    /// Whether `src` is covered by the union `dst` when split by instance type: the types that
    /// some alternative of `dst` accepts with no constraint, and the remaining types by one
    /// alternative. Returns that alternative's changes (empty when the unconstrained types
    /// cover everything), `None` when not covered this way.
    fn covered_by_types(
        &mut self,
        src: &Loc<'a>,
        dst: &[Loc<'a>],
        backward: bool,
    ) -> Option<Vec<Raw>> {
        let dir = if backward {
            Breaks::BACKWARD
        } else {
            Breaks::FORWARD
        };
        let resolved = self.deref(src.clone());
        let own = super::scalars::types(resolved.v) & src.only;
        let mut free = 0u8;
        for d in dst {
            let d = self.deref(d.clone());
            let admitted = super::scalars::types(d.v) & d.only;
            free |= crate::keywords::universal_types(d.v, admitted);
        }
        let rest = own & !free;
        if rest == own {
            return None;
        }
        if rest == 0 {
            return Some(Vec::new());
        }
        let restricted = src.clone().within(rest);
        for d in dst {
            let raws = if backward {
                self.compare_same(restricted.clone(), d.clone())
            } else {
                self.compare_same(d.clone(), restricted.clone())
            };
            if !self.breaks(&raws).and(dir).any() {
                return Some(raws);
            }
        }
        None
    }

    fn cached_alt(
        &mut self,
        cache: &mut PairCache,
        ob: &[Loc<'a>],
        nb: &[Loc<'a>],
        pair: (usize, usize),
    ) -> (Rc<Vec<Raw>>, Breaks) {
        self.cached(cache, pair, |w| {
            w.compare_same(ob[pair.0].clone(), nb[pair.1].clone())
        })
    }

    fn pairwise_disjoint(&self, branches: &[Loc<'a>]) -> bool {
        let resolved: Vec<Loc<'a>> = branches.iter().map(|b| self.deref(b.clone())).collect();
        for i in 0..resolved.len() {
            for j in i + 1..resolved.len() {
                if !super::scalars::disjoint(&resolved[i], &resolved[j], self) {
                    return false;
                }
            }
        }
        true
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

/// How many instance paths one change keeps (the same change of a shared `$defs` type reached
/// under several fields is reported at each, up to this many).
const PATHS_PER_CHANGE: usize = 2;

/// A change's place and judgement, without its instance path.
type PlaceKey<'r> = (ChangeKind, &'r str, &'r str, Breaks, bool, bool);

/// Bounds how often one change is repeated: the same change reached along many instance paths
/// (a shared type under every branch of a recursive union) is kept at its first
/// [`PATHS_PER_CHANGE`] paths. Without this, results grow with the number of paths,
/// exponentially in the nesting.
fn dedup(raws: Vec<Raw>) -> Vec<Raw> {
    if raws.len() <= PATHS_PER_CHANGE {
        return raws;
    }
    let mut seen: HashMap<PlaceKey<'_>, Vec<&[Seg]>> = HashMap::new();
    let mut keep = vec![false; raws.len()];
    for (i, r) in raws.iter().enumerate() {
        let key = (
            r.kind,
            r.old_ptr.as_str(),
            r.new_ptr.as_str(),
            r.mask,
            r.inverted,
            r.scoped,
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

/// `{"type": [...]}` accepting exactly what `not: {"type": ...}` accepts, when the negated
/// schema holds only `type` (and annotations) and its complement is a list of types (not of
/// `integer` alone: "numbers that are not integers" has no `type`).
fn complement_of_types(not: &Value) -> Option<&'static Value> {
    use super::scalars::{types, ANY, INT, NUM};
    static COMPLEMENTS: std::sync::LazyLock<Vec<Value>> = std::sync::LazyLock::new(|| {
        let names = [
            (1u8, "null"),
            (2, "boolean"),
            (4, "object"),
            (8, "array"),
            (16, "string"),
            (NUM | INT, "number"),
        ];
        (0..=ANY)
            .map(|mask: u8| {
                let list: Vec<Value> = names
                    .iter()
                    .filter(|(bit, _)| mask & bit == *bit)
                    .map(|(_, n)| Value::from(*n))
                    .collect();
                serde_json::json!({ "type": list })
            })
            .collect()
    });
    let obj = not.as_object()?;
    if !obj.contains_key("type") || obj.keys().any(|k| k != "type" && !is_annotation_keyword(k)) {
        return None;
    }
    let t = types(not);
    if t & (NUM | INT) == INT {
        return None;
    }
    COMPLEMENTS.get(usize::from(ANY & !t))
}

/// A `not` of bare types as the plain schema of the other types.
fn complemented<'a>(not: &Loc<'a>) -> Loc<'a> {
    Loc {
        v: complement_of_types(not.v).unwrap_or(not.v),
        view: View::Plain,
        ..not.clone()
    }
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

/// Keywords that never affect validation.
pub(crate) fn is_annotation_keyword(k: &str) -> bool {
    crate::keywords::is_annotation(k)
}

/// Whether a subtree holds a reference (its meaning then depends on the rest of its document).
pub(crate) fn contains_ref(v: &Value) -> bool {
    match v {
        Value::Object(m) => m.iter().any(|(k, v)| {
            k == "$ref" || k == "$dynamicRef" || k == "$recursiveRef" || contains_ref(v)
        }),
        Value::Array(a) => a.iter().any(contains_ref),
        _ => false,
    }
}
