//! schemagate's engine: parses JSON Schema documents ([`Document`]), resolves `$ref`s
//! ([`DocSet`]), diffs two versions into typed changes judged by the rule table ([`compare`],
//! [`kinds`], [`report`]), builds witnesses,
//! computes canonical forms and fingerprints ([`canonical`]), checks schema_version discipline
//! ([`version`]) and validates payloads ([`validate`]). No HTTP, SQL or CLI code lives here.
//!
//! ```
//! use schema_core::{check, Document, Mode, Options, Rules};
//!
//! let old = Document::parse("v1.json", r#"{"type": "object", "properties": {"price": {"type": "integer"}}}"#).unwrap();
//! let new = Document::parse("v2.json", r#"{"type": "object", "properties": {"price": {"type": "string"}}}"#).unwrap();
//! let report = check(&old, &new, Options { mode: Mode::Backward, rules: Rules::Standard, witnesses: true, ..Options::default() }).unwrap();
//! assert!(!report.compatible);
//! let change = report.breaking().next().unwrap();
//! assert_eq!(change.new_pointer, "/properties/price/type");
//! // the witness is an event the old schema accepts and the new one rejects
//! assert_eq!(change.witness.as_ref().unwrap().instance["price"], 0);
//! ```

pub mod canonical;
pub mod compare;
pub mod dead_letter;
mod diff;
pub mod docset;
pub mod document;
pub mod domain_rules;
pub mod draft;
pub mod error;
mod keywords;
pub mod kinds;
pub mod locate;
pub mod payload;
pub mod pointer;
pub mod report;
pub mod resources;
pub mod subschemas;
pub mod validate;
pub mod version;
mod witness;

pub use compare::{diff_docs, removed_subject};
pub use docset::{DocSet, NoResolver, Resolver};
pub use document::Document;
pub use draft::Draft;
pub use error::{Error, Result};
pub use kinds::{Breaks, ChangeKind, Rule, RULES};
pub use report::{Budget, Change, Direction, Mode, Options, Report, Rules, Side, Witness};

/// Diffs two standalone documents (no references to other documents).
pub fn check(old: &Document, new: &Document, options: Options) -> Result<Report> {
    check_with(old, new, &NoResolver, options)
}

/// Diffs two documents whose `$ref`s name other documents, each side served by its own resolver
/// (the old version may reference an older version of a shared component).
pub fn check_refs(
    old: &Document,
    old_refs: &dyn Resolver,
    new: &Document,
    new_refs: &dyn Resolver,
    options: Options,
) -> Result<Report> {
    let mut docs = DocSet::new();
    let o = docs.add(old.clone(), old_refs)?;
    let n = docs.add(new.clone(), new_refs)?;
    Ok(compare::diff_docs(&docs, o, n, options))
}

/// Diffs two documents whose `$ref`s may name other documents, served by `resolver`.
pub fn check_with(
    old: &Document,
    new: &Document,
    resolver: &dyn Resolver,
    options: Options,
) -> Result<Report> {
    let mut docs = DocSet::new();
    let o = docs.add(old.clone(), resolver)?;
    let n = docs.add(new.clone(), resolver)?;
    Ok(compare::diff_docs(&docs, o, n, options))
}
