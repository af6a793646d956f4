//! One comparison from start to end: the walker's raw changes ([`crate::diff`]) judged by the
//! rule table, merged, located on lines, checked for schema_version discipline
//! ([`crate::version`]) and given witnesses ([`crate::witness`]).

use crate::docset::DocSet;
use crate::kinds::ChangeKind;
use crate::report::{
    judge, negated_scope, unmasked, Change, Direction, Mode, Options, Raw, Report, Rules, Seg,
};

/// The report for a subject whose schema is gone: one `subject-removed` change located at the
/// old document's root.
pub fn removed_subject(old: &crate::Document, options: Options) -> Report {
    let mut docs = DocSet::new();
    let idx = docs.add_unresolved(old.clone());
    let raw = Raw::new(
        ChangeKind::SubjectRemoved,
        "",
        "",
        format!("{} no longer exists", old.name),
    );
    let mut change = finish(raw, &docs, idx, idx, options.rules);
    change.line = Some(1);
    change.column = Some(1);
    let compatible = !change.breaks_set().and(options.mode.checks()).any();
    Report {
        compatible,
        mode: options.mode,
        rules: options.rules,
        changes: vec![change],
    }
}

/// Diffs the first two documents of `docs` (old, new).
pub fn diff_docs(docs: &DocSet, old: usize, new: usize, options: Options) -> Report {
    let raws = crate::diff::changes(docs, old, new, options.rules, options.budget);
    // A change masked to no direction is the other direction's copy of one that is reported
    // where it counts (branch matching, NOT_SET); notes that never break stay.
    let raws: Vec<Raw> = raws
        .into_iter()
        .filter(|r| judge(r, options.rules).any() || !unmasked(r, options.rules).any())
        .collect();
    let mut changes: Vec<Change> = Vec::new();
    let mut seen: std::collections::HashMap<(ChangeKind, String, String, String), usize> =
        std::collections::HashMap::new();
    for raw in raws {
        let c = finish(raw, docs, old, new, options.rules);
        // The same change found along two paths (both directions, shared $defs): one entry,
        // breaking every direction either found.
        let key = (
            c.kind,
            c.old_pointer.clone(),
            c.new_pointer.clone(),
            c.instance_pointer.clone(),
        );
        match seen.get(&key).map(|&i| &mut changes[i]) {
            Some(d) => {
                for dir in c.breaks {
                    if !d.breaks.contains(&dir) {
                        d.breaks.push(dir);
                    }
                }
                d.breaks.sort_by_key(|d| *d != Direction::Backward);
            }
            None => {
                seen.insert(key, changes.len());
                changes.push(c);
            }
        }
    }
    if options.rules == Rules::Events && options.schema_version && options.mode != Mode::None {
        let root = |i| &docs.get(i).root;
        let versioning = crate::version::check(root(old), root(new), &changes, options.mode);
        changes.extend(
            versioning
                .into_iter()
                .map(|raw| finish(raw, docs, old, new, options.rules)),
        );
    }
    changes.sort_by(|a, b| {
        (b.breaks_set().any(), &a.new_pointer, &a.old_pointer, a.kind).cmp(&(
            a.breaks_set().any(),
            &b.new_pointer,
            &b.old_pointer,
            b.kind,
        ))
    });
    locate_all(&mut changes, docs, old, new);
    let checks = options.mode.checks();
    if options.witnesses && checks.any() {
        crate::witness::attach(docs, old, new, &mut changes, checks);
    }
    let compatible = !changes.iter().any(|c| c.breaks_set().and(checks).any());
    Report {
        compatible,
        mode: options.mode,
        rules: options.rules,
        changes,
    }
}

fn finish(raw: Raw, docs: &DocSet, old: usize, new: usize, rules: Rules) -> Change {
    let b = judge(&raw, rules);
    let mut breaks = Vec::new();
    if b.backward {
        breaks.push(Direction::Backward);
    }
    if b.forward {
        breaks.push(Direction::Forward);
    }
    let rule = raw.kind.rule();
    let segments: Vec<Seg> = raw.rev_segs.iter().rev().cloned().collect();
    let instance_pointer: String = segments.iter().map(|s| format!("/{}", s.token())).collect();
    let mut message = if raw.detail.is_empty() {
        rule.summary.to_string()
    } else {
        format!("{}: {}", rule.summary, raw.detail)
    };
    if negated_scope(&raw, rules) {
        message.push_str(
            " (under `not`: the NOT_SET assumption does not carry over a negation, so this is \
             undecidable and judged breaking both ways)",
        );
    }
    // Removals are located in the old file, everything else in the new one.
    let doc = if located_in_old(raw.kind) {
        docs.get(old)
    } else {
        docs.get(new)
    };
    Change {
        kind: raw.kind,
        old_pointer: raw.old_ptr.to_string(),
        new_pointer: raw.new_ptr.to_string(),
        instance_pointer,
        breaks,
        rule: rule.rule,
        message,
        help: rule.help.to_string(),
        old_value: constraint_at(docs.get(old), &raw.old_ptr),
        new_value: constraint_at(docs.get(new), &raw.new_ptr),
        witness: None,
        file: Some(doc.name.clone()),
        line: None,
        column: None,
        segments,
    }
}

/// The value of the keyword a pointer ends at, when that keyword is a constraint (an
/// assertion in the keyword table). The pointer is read from the root with the table, so a
/// property named `type` under `properties` is taken for a name, not for the keyword.
fn constraint_at(doc: &crate::Document, ptr: &str) -> Option<serde_json::Value> {
    use crate::keywords::{keyword, Holds, Role};
    #[derive(Clone, Copy, PartialEq)]
    enum At {
        Schema,
        Name,
        Index,
        Value,
    }
    let mut at = At::Schema;
    let mut prefix = String::new();
    let mut constraint = false;
    for token in crate::pointer::tokens(ptr) {
        prefix = crate::pointer::join(&prefix, &[&token]);
        let kw = if at == At::Schema {
            keyword(&token)
        } else {
            None
        };
        constraint = kw.is_some_and(|k| k.role == Role::Assertion);
        at = match (at, kw.map(|k| k.holds)) {
            (At::Name | At::Index, _) => At::Schema,
            (At::Schema, Some(Holds::Schema)) => At::Schema,
            (At::Schema, Some(Holds::Map)) => At::Name,
            (At::Schema, Some(Holds::List)) => At::Index,
            (At::Schema, Some(Holds::SchemaOrList)) => match doc.at(&prefix) {
                Some(serde_json::Value::Array(_)) => At::Index,
                _ => At::Schema,
            },
            _ => At::Value,
        };
    }
    if constraint {
        doc.at(ptr).cloned()
    } else {
        None
    }
}

/// Whether a change is located in the old file (removals) rather than the new one.
fn located_in_old(kind: ChangeKind) -> bool {
    matches!(
        kind,
        ChangeKind::PropertyRemovedFromOpenModel
            | ChangeKind::PropertyRemovedFromClosedModel
            | ChangeKind::PropertyRemovedFromPartiallyOpenModel
            | ChangeKind::PropertyWithFalseRemovedFromClosedModel
            | ChangeKind::RequiredPropertyRemoved
            | ChangeKind::SumBranchRemoved
            | ChangeKind::ProductConstraintRemoved
    )
}

/// Fills line and column of every change, one pass over each source text.
fn locate_all(changes: &mut [Change], docs: &DocSet, old: usize, new: usize) {
    for (idx, in_old) in [(old, true), (new, false)] {
        let doc = docs.get(idx);
        let ptr = |c: &Change| {
            if in_old {
                c.old_pointer.clone()
            } else {
                c.new_pointer.clone()
            }
        };
        let mine: Vec<usize> = (0..changes.len())
            .filter(|&i| located_in_old(changes[i].kind) == in_old)
            .collect();
        let wanted: Vec<String> = mine.iter().map(|&i| ptr(&changes[i])).collect();
        let positions = doc.positions(&wanted);
        for (&i, p) in mine.iter().zip(&wanted) {
            if let Some(&(line, column)) = positions.get(p) {
                changes[i].line = Some(line);
                changes[i].column = Some(column);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::{check, Document, Mode, Options, Rules};

    fn verdict(old: &str, new: &str, rules: Rules) -> crate::Report {
        verdict_in(Mode::Full, old, new, rules)
    }

    fn verdict_in(mode: Mode, old: &str, new: &str, rules: Rules) -> crate::Report {
        let o = Document::parse("old.json", old).unwrap();
        let n = Document::parse("new.json", new).unwrap();
        let options = Options {
            mode,
            rules,
            schema_version: false,
            ..Options::default()
        };
        check(&o, &n, options).unwrap()
    }

    #[test]
    fn an_inert_keyword_is_judged_by_confluents_rules_only() {
        // draft-07 `additionalItems` without tuple `items` has no effect on validation.
        let old = r#"{"$schema":"http://json-schema.org/draft-07/schema#","type":"array","additionalItems":false}"#;
        let new = r#"{"$schema":"http://json-schema.org/draft-07/schema#","type":"array"}"#;
        assert!(verdict(old, new, Rules::Events).compatible);
        assert!(!verdict(old, new, Rules::Standard).compatible);
    }

    #[test]
    fn a_one_sided_name_under_not_is_undecidable_under_events() {
        // A name added to a partially open model: NOT_SET would keep forward only, but not
        // under a negation.
        let old = r#"{"type":"object","not":{"additionalProperties":{"type":"integer"}}}"#;
        let new = r#"{"type":"object","not":{"properties":{"a":{"type":"string"}},"additionalProperties":{"type":"integer"}}}"#;
        let events = verdict(old, new, Rules::Events);
        let c = events.breaking().next().expect("breaking under events");
        assert_eq!(c.breaks.len(), 2, "{c:?}");
        assert!(
            c.message.contains("does not carry over a negation"),
            "{c:?}"
        );
        let standard = verdict(old, new, Rules::Standard);
        assert!(standard
            .changes
            .iter()
            .all(|c| !c.message.contains("negation")));
    }

    #[test]
    fn a_change_carries_the_constraint_before_and_after() {
        let old = r#"{"type":"object","properties":{"type":{"type":"string","maxLength":10}}}"#;
        let new = r#"{"type":"object","properties":{"type":{"type":"string","maxLength":5}}}"#;
        let r = verdict(old, new, Rules::Standard);
        let c = r.breaking().next().expect("a narrowing");
        assert_eq!(c.new_pointer, "/properties/type/maxLength");
        assert_eq!(c.old_value, Some(serde_json::json!(10)));
        assert_eq!(c.new_value, Some(serde_json::json!(5)));
        // A property named like a keyword is a name, not a constraint.
        let doc = Document::parse("d.json", old).unwrap();
        assert_eq!(super::constraint_at(&doc, "/properties/type"), None);
        assert_eq!(
            super::constraint_at(&doc, "/properties/type/type"),
            Some(serde_json::json!("string"))
        );
        assert_eq!(super::constraint_at(&doc, ""), None);
    }

    #[test]
    fn a_variant_for_a_tag_never_sent_holds() {
        let variant = |tag: &str, field: &str| {
            format!(
                r#"{{"if":{{"properties":{{"kind":{{"const":"{tag}"}}}},"required":["kind"]}},"then":{{"required":["{field}"]}}}}"#
            )
        };
        let schema = |tags: &str, variants: &[String]| {
            format!(
                r#"{{"type":"object","required":["kind"],"properties":{{"kind":{{"enum":[{tags}]}}}},"allOf":[{}]}}"#,
                variants.join(",")
            )
        };
        let old = schema(r#""a","b""#, &[variant("a", "x"), variant("b", "y")]);
        let new = schema(
            r#""a","b","c""#,
            &[variant("a", "x"), variant("b", "y"), variant("c", "z")],
        );
        let backward = |old: &str, new: &str| verdict_in(Mode::Backward, old, new, Rules::Standard);
        // Old events never carry `kind: c`: the new variant holds for all of them.
        let r = backward(&old, &new);
        assert!(r.compatible, "{:?}", r.changes);
        // Forward, new events with `kind: c` are refused by the old enum.
        assert!(!verdict(&old, &new, Rules::Standard).compatible);
        // A variant for a tag old events may carry is still not taken on trust.
        let narrowed = schema(
            r#""a","b""#,
            &[variant("a", "x"), variant("b", "y"), variant("b", "z")],
        );
        assert!(!backward(&old, &narrowed).compatible);
    }
}
