//! Matching the parts of two locations: a product (every part of one side implied by some part
//! of the other), a sum (every alternative covered, type by type where a union splits by
//! instance type), a negation (the inner comparison with directions swapped), and two
//! conditionals with the same `if` (each branch held with the location's other parts). Every
//! match is a sufficient condition for inclusion, so a missing one is reported as breaking.

use foldhash::{HashMap, HashMapExt};
use std::rc::Rc;

use serde_json::Value;

use super::loc::{contains_ref, is_annotation_keyword, Loc};
use super::parts::{complement_of_types, complemented, Part, CONDITIONAL};
use super::raws::masked;
use super::scalars::{json_eq, value_set};
use super::walk::Walker;
use crate::keywords::{types, OBJ};
use crate::kinds::{Breaks, ChangeKind};
use crate::report::Raw;

/// Pairwise results of one matching (indexes into the two part or branch lists).
type PairCache = HashMap<(usize, usize), (Rc<Vec<Raw>>, Breaks)>;

impl<'a> Walker<'a> {
    pub(super) fn compare_parts_by_keyword(&mut self, o: &Loc<'a>, n: &Loc<'a>) -> Vec<Raw> {
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
        } else if let Some(raws) = self.compare_tagged(o, n, &op, &np) {
            raws
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

    /// old = ∧ op, new = ∧ np. Backward holds if every new part is implied by some old part;
    /// forward if every old part is implied by some new part.
    pub(super) fn compare_product(
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
            // Else the first of the same kind, so a part with no counterpart is still explained
            // by what differs from the nearest one.
            let (tag, ord) = (from[i].tag(), ordinal(from, i));
            (0..to.len())
                .find(|&j| to[j].tag() == tag && ordinal(to, j) == ord)
                .or_else(|| (0..to.len()).find(|&j| to[j].tag() == tag))
        };
        for dir in [Breaks::BACKWARD, Breaks::FORWARD] {
            let backward = dir == Breaks::BACKWARD;
            // For backward: each new part j needs an old part i with no backward break.
            let (targets, sources) = if backward { (np, op) } else { (op, np) };
            for t in 0..targets.len() {
                // A tagged variant the other side never sends holds for all its events.
                if self.never_triggered(&targets[t], if backward { o } else { n }) {
                    continue;
                }
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
        compute: impl FnOnce(&mut Self) -> Rc<Vec<Raw>>,
    ) -> (Rc<Vec<Raw>>, Breaks) {
        if let Some((r, b)) = cache.get(&pair) {
            return (r.clone(), *b);
        }
        let r = compute(self);
        let b = self.breaks(&r);
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
        self.cached(cache, pair, |w| {
            Rc::new(w.compare_part(&op[pair.0], &np[pair.1]))
        })
    }

    pub(super) fn compare_part(&mut self, a: &Part<'a>, b: &Part<'a>) -> Vec<Raw> {
        match (a, b) {
            (Part::Plain(x), Part::Plain(y)) => self.compare_plain(x, y),
            (Part::Sum { .. }, _) | (_, Part::Sum { .. }) => self.compare_sum(a, b),
            (Part::Not(x), Part::Not(y)) => {
                let inner = self.compare_same(x.clone(), y.clone());
                inner
                    .into_iter()
                    .map(|mut r| {
                        r.inverted = !r.inverted;
                        r.negated = true;
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
    pub(super) fn compare_sum(&mut self, a: &Part<'a>, b: &Part<'a>) -> Vec<Raw> {
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
        self.work(dst.len());
        let resolved = self.deref(src.clone());
        let own = types(resolved.v) & src.only;
        let mut free = 0u8;
        for d in dst {
            let d = self.deref(d.clone());
            let admitted = types(d.v) & d.only;
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
            w.compare_same_shared(ob[pair.0].clone(), nb[pair.1].clone())
        })
    }

    /// Whether a conditional part holds for every event of `whole` because its `if` never does:
    /// the tagged-union pattern, `{"if": {"properties": {"kind": {"const": "c"}}, "required":
    /// ["kind"]}, "then": …}` with no `else`, against a location that admits only objects and
    /// whose own `kind` takes only other values (and is required, here or in the `if`).
    fn never_triggered(&self, part: &Part<'a>, whole: &Loc<'a>) -> bool {
        let Part::Opaque(c, _, keys) = part else {
            return false;
        };
        if *keys != CONDITIONAL || c.get("else").is_some() {
            return false;
        }
        let Some(Value::Object(cond)) = c.get("if") else {
            return false;
        };
        if cond.keys().any(|k| {
            !matches!(k.as_str(), "properties" | "required" | "type") && !is_annotation_keyword(k)
        }) {
            return false;
        }
        let Some(Value::Object(props)) = cond.get("properties") else {
            return false;
        };
        let Some((tag, test)) = props.iter().next().filter(|_| props.len() == 1) else {
            return false;
        };
        let Some(tested) = value_set(test) else {
            return false;
        };
        let whole = self.deref(whole.clone());
        let requires = |v: Option<&Value>| {
            v.and_then(Value::as_array)
                .is_some_and(|a| a.iter().any(|x| x.as_str() == Some(tag.as_str())))
        };
        if !requires(cond.get("required")) && !requires(whole.get("required")) {
            return false;
        }
        // `properties` and `required` pass anything but an object: the `if` holds for those.
        let objects_only = types(whole.v) & whole.only & !OBJ == 0;
        if !objects_only && cond.get("type") != Some(&Value::from("object")) {
            return false;
        }
        let Some(own) = whole.get("properties").and_then(|p| p.get(tag.as_str())) else {
            return false;
        };
        let own = self.deref(whole.child(&["properties", tag], Some(own)));
        value_set(own.v)
            .is_some_and(|values| values.iter().all(|v| !tested.iter().any(|t| json_eq(v, t))))
    }

    fn pairwise_disjoint(&mut self, branches: &[Loc<'a>]) -> bool {
        let Some(first) = branches.first() else {
            return true;
        };
        let key = (first.doc, first.ptr.clone(), first.only, branches.len());
        if let Some(&known) = self.disjoint.get(&key) {
            return known;
        }
        let resolved: Vec<Loc<'a>> = branches.iter().map(|b| self.deref(b.clone())).collect();
        let all = (0..resolved.len()).all(|i| {
            (i + 1..resolved.len()).all(|j| {
                let (a, b) = (&resolved[i], &resolved[j]);
                let pair = (
                    std::ptr::from_ref(a.v) as usize,
                    std::ptr::from_ref(b.v) as usize,
                );
                if let Some(&known) = self.disjoint_pairs.get(&pair) {
                    return known;
                }
                let d = super::scalars::disjoint(a, b, self);
                self.work(1);
                self.disjoint_pairs.insert(pair, d);
                d
            })
        });
        self.disjoint.insert(key, all);
        all
    }
}
