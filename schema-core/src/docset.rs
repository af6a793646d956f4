//! The documents one diff may touch: the old and the new schema plus every document their
//! `$ref`s reach in other subjects. Cross-document references are loaded through a [`Resolver`]
//! (the registry implements it over Confluent `references`); nothing is ever fetched from the
//! network, so an unresolved remote `$ref` is an error, never a silent pass.

use std::collections::HashMap;

use serde_json::Value;

use crate::document::{for_each_subschema, is_local, Document};
use crate::error::{Error, Result};

/// Supplies the documents that `$ref`s to other documents name.
pub trait Resolver {
    /// The document a reference's base (the part before `#`) names, or `None`.
    fn resolve(&self, base: &str) -> Option<Document>;
}

/// A resolver that knows no other document.
pub struct NoResolver;

impl Resolver for NoResolver {
    fn resolve(&self, _base: &str) -> Option<Document> {
        None
    }
}

/// A resolver over an in-memory map from reference name to document.
impl Resolver for HashMap<String, Document> {
    fn resolve(&self, base: &str) -> Option<Document> {
        self.get(base).cloned()
    }
}

/// Documents addressed by index. Each document added with [`DocSet::add`] opens a scope: the
/// references it reaches are looked up by name within that scope only, so an old and a new
/// version may reference different versions of a document under the same name.
#[derive(Debug, Default)]
pub struct DocSet {
    docs: Vec<Document>,
    /// The scope (index of the root that loaded it) of each document.
    scope: Vec<usize>,
    by_name: HashMap<(usize, String), usize>,
}

impl DocSet {
    pub fn new() -> DocSet {
        DocSet::default()
    }

    /// Adds a document and, through `resolver`, every document its references reach.
    pub fn add(&mut self, doc: Document, resolver: &dyn Resolver) -> Result<usize> {
        let idx = self.docs.len();
        self.docs.push(doc);
        self.scope.push(idx);
        let mut queue = vec![idx];
        while let Some(i) = queue.pop() {
            for (ptr, base) in external_bases(&self.docs[i]) {
                if self.by_name.contains_key(&(idx, base.clone()))
                    || self.docs[i].embedded(&base).is_some()
                {
                    continue;
                }
                let Some(found) = resolver.resolve(&base) else {
                    let remote = base.starts_with("http://") || base.starts_with("https://");
                    return Err(Error::UnresolvedRef {
                        name: self.docs[i].name.clone(),
                        pointer: ptr,
                        reference: base,
                        reason: if remote {
                            "remote references are never fetched; register it as a reference".into()
                        } else {
                            "no such document among the references".into()
                        },
                    });
                };
                let j = self.docs.len();
                self.by_name.insert((idx, base), j);
                self.docs.push(found);
                self.scope.push(idx);
                queue.push(j);
            }
        }
        Ok(idx)
    }

    /// Adds a document without loading what its references name.
    pub fn add_unresolved(&mut self, doc: Document) -> usize {
        self.docs.push(doc);
        self.scope.push(self.docs.len() - 1);
        self.docs.len() - 1
    }

    pub fn get(&self, i: usize) -> &Document {
        &self.docs[i]
    }

    pub fn try_get(&self, i: usize) -> Option<&Document> {
        self.docs.get(i)
    }

    pub fn len(&self) -> usize {
        self.docs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.docs.is_empty()
    }

    /// The document and pointer a `$ref` found in document `doc` points at.
    pub fn resolve_ref(&self, doc: usize, reference: &str) -> Option<(usize, String)> {
        let d = &self.docs[doc];
        if is_local(reference) {
            return d.local_target(reference).map(|p| (doc, p));
        }
        if let Some(p) = d.embedded(reference) {
            return Some((doc, p));
        }
        let (base, fragment) = reference.split_once('#').unwrap_or((reference, ""));
        if let Some(p) = d.embedded(base) {
            let sub = crate::pointer::percent_decode(fragment)?;
            return Some((doc, format!("{p}{sub}")));
        }
        let j = *self.by_name.get(&(self.scope[doc], base.to_string()))?;
        self.docs[j]
            .local_target(&format!("#{fragment}"))
            .map(|p| (j, p))
    }

    /// A value by document and pointer.
    pub fn value(&self, doc: usize, ptr: &str) -> Option<&Value> {
        self.docs[doc].at(ptr)
    }
}

fn external_bases(doc: &Document) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for_each_subschema(&doc.root, doc.draft, "", &mut |ptr, schema| {
        if let Some(Value::String(r)) = schema.get("$ref") {
            if !is_local(r) && doc.embedded(r).is_none() {
                let base = r.split_once('#').map(|(b, _)| b).unwrap_or(r);
                if doc.embedded(base).is_none() {
                    out.push((ptr.to_string(), base.to_string()));
                }
            }
        }
    });
    out
}
