//! The documents one diff may touch: the old and the new schema plus every document their
//! `$ref`s reach in other subjects. Cross-document references are loaded through a [`Resolver`]
//! (the registry implements it over Confluent `references`); nothing is ever fetched from the
//! network, so an unresolved remote `$ref` is an error, never a silent pass.

use std::collections::HashMap;

use serde_json::Value;

use crate::document::Document;
use crate::error::{Error, Result};
use crate::resources::Target;
use crate::subschemas::for_each_subschema;

/// Supplies the documents that `$ref`s to other documents name.
pub trait Resolver {
    /// The document a reference's base (the part before `#`) names, or `None`.
    fn resolve(&self, base: &str) -> Option<Document>;

    /// Why `base` was not served, when the resolver knows better than "not there" (outside the
    /// repository, not a schema).
    fn why_not(&self, _base: &str) -> Option<String> {
        None
    }
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
        self.push(doc, idx);
        let mut queue = vec![idx];
        while let Some(i) = queue.pop() {
            for (ptr, literal, uri) in external_refs(&self.docs[i]) {
                if self.by_name.contains_key(&(idx, uri.clone())) {
                    continue;
                }
                // A reference names a registered document as written (Confluent `references`)
                // or by the URI it resolves to (a sibling file, an absolute `$id`).
                let Some(found) = resolver
                    .resolve(&literal)
                    .or_else(|| resolver.resolve(&uri))
                else {
                    let remote = literal.starts_with("http://") || literal.starts_with("https://");
                    return Err(Error::UnresolvedRef {
                        name: self.docs[i].name.clone(),
                        pointer: ptr,
                        reference: literal.clone(),
                        reason: if let Some(why) = resolver
                            .why_not(&uri)
                            .or_else(|| resolver.why_not(&literal))
                        {
                            why
                        } else if remote {
                            "remote references are never fetched; register it as a reference".into()
                        } else {
                            "no such document among the references".into()
                        },
                    });
                };
                let j = self.docs.len();
                self.by_name.insert((idx, uri), j);
                self.push(found, idx);
                queue.push(j);
            }
        }
        Ok(idx)
    }

    /// Adds a document to a scope, reachable there by each of its resource URIs.
    fn push(&mut self, doc: Document, scope: usize) {
        let j = self.docs.len();
        for uri in doc.resources().uris() {
            self.by_name.entry((scope, uri.to_string())).or_insert(j);
        }
        self.docs.push(doc);
        self.scope.push(scope);
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

    /// The document and pointer a `$ref`, written in document `doc` at the schema `site`,
    /// points at.
    pub fn resolve_ref(&self, doc: usize, site: &str, reference: &str) -> Option<(usize, String)> {
        match self.docs[doc].resolve_at(site, reference) {
            Target::Here(p) => Some((doc, p)),
            Target::Missing => None,
            Target::Elsewhere { uri, fragment } => {
                let j = *self.by_name.get(&(self.scope[doc], uri.clone()))?;
                let d = &self.docs[j];
                match d.resources().resolve_absolute(&d.root, &uri, &fragment) {
                    Target::Here(p) => Some((j, p)),
                    _ => None,
                }
            }
        }
    }

    /// The other documents that document `idx` may reach, by each URI they are known under in
    /// its scope (what a validator of `idx` is given instead of fetching).
    pub fn documents_of(&self, idx: usize) -> HashMap<String, Value> {
        let scope = self.scope[idx];
        self.by_name
            .iter()
            .filter(|((s, _), j)| *s == scope && **j != idx)
            .map(|((_, uri), j)| (uri.clone(), self.docs[*j].root.clone()))
            .collect()
    }

    /// A value by document and pointer.
    pub fn value(&self, doc: usize, ptr: &str) -> Option<&Value> {
        self.docs[doc].at(ptr)
    }
}

/// The references of a document that point into other documents: (site, the reference's
/// part before `#` as written, the absolute URI it resolves to).
fn external_refs(doc: &Document) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    for_each_subschema(&doc.root, doc.draft, "", &mut |ptr, schema| {
        if let Some(Value::String(r)) = schema.get("$ref") {
            if let Target::Elsewhere { uri, .. } = doc.resolve_at(ptr, r) {
                let literal = r.split_once('#').map(|(b, _)| b).unwrap_or(r);
                out.push((ptr.to_string(), literal.to_string(), uri));
            }
        }
    });
    out
}
