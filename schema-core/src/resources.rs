//! Where each `$ref` of one document points, by the specification's rules: every schema has a
//! base URI, set by the nearest enclosing `$id` (`id` in draft-04) and otherwise by the
//! document's own URI; a subschema with an `$id` is an embedded resource with anchors of its own
//! (`$anchor`, `$dynamicAnchor`, and the `"$id": "#name"` anchors of draft-07 and earlier). A
//! reference is resolved against the base URI in force where it is written.
//!
//! A document with no absolute `$id` gets a made-up URI under `DOC_BASE` from its name, so
//! relative references between documents ("common.json#/$defs/Money") resolve the same way.

use std::collections::HashMap;

use serde_json::Value;
use url::Url;

use crate::draft::Draft;

/// The made-up home of documents that have no absolute `$id`.
pub const DOC_BASE: &str = "https://schemagate.invalid/";

/// Where a reference points.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A schema in this document, by JSON pointer.
    Here(String),
    /// Another document: its URI (no fragment) and the fragment (a JSON pointer or an anchor).
    Elsewhere { uri: String, fragment: String },
    /// A location in this document that does not exist, or a fragment that is not UTF-8.
    Missing,
}

/// The resources, anchors and base URIs of one document.
#[derive(Debug, Clone, Default)]
pub struct Resources {
    /// The document's URI (its root `$id`, or one made from its name).
    pub base: String,
    /// Resource URI (no fragment) → pointer of the schema that is that resource.
    ids: HashMap<String, String>,
    /// (resource URI, anchor name) → pointer.
    anchors: HashMap<(String, String), String>,
    /// Pointer of a schema holding a reference → the base URI in force there.
    bases: HashMap<String, String>,
}

/// Characters kept as they are in a made-up document URI: RFC 3986 unreserved ones (anything
/// else, `[` or a space included, is percent-encoded so every URI parser accepts it).
const SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

fn parse_base(name: &str) -> Url {
    // Names are file paths, subject names or URIs; anything not already an absolute URI is
    // placed under the made-up base, each path segment percent-encoded.
    if let Ok(u) = Url::parse(name) {
        if !u.cannot_be_a_base() && !u.as_str().contains(['[', ']', ' ']) {
            return u;
        }
    }
    let path: Vec<String> = name
        .trim_start_matches('/')
        .split('/')
        .map(|seg| percent_encoding::utf8_percent_encode(seg, SEGMENT).to_string())
        .collect();
    let base = Url::parse(DOC_BASE).expect("a valid base");
    base.join(&path.join("/"))
        .unwrap_or_else(|_| base.join("document").expect("a valid name"))
}

fn without_fragment(mut u: Url) -> (String, String) {
    let fragment = u.fragment().unwrap_or("").to_string();
    u.set_fragment(None);
    (u.to_string(), fragment)
}

impl Resources {
    /// Indexes a document named `name` (its URI when it has no absolute `$id`).
    pub fn index(root: &Value, draft: Draft, name: &str) -> Resources {
        let mut r = Resources::default();
        let doc_uri = parse_base(name);
        let (base, _) = without_fragment(doc_uri.clone());
        r.ids.insert(base.clone(), String::new());
        r.base = base;
        let start = Url::parse(&r.base).unwrap_or(doc_uri);
        crate::subschemas::for_each_subschema_with(
            root,
            draft,
            "",
            start,
            &mut |ptr, schema, base| {
                let Some(obj) = schema.as_object() else {
                    return base.clone();
                };
                let id_key = if draft == Draft::Draft4 { "id" } else { "$id" };
                // Before 2019-09, `$ref` makes its siblings (`$id` included) ignored.
                let id_applies = draft >= Draft::Draft201909 || !obj.contains_key("$ref");
                let mut here = base.clone();
                if let (Some(Value::String(id)), true) = (obj.get(id_key), id_applies) {
                    if let Some(name) = id.strip_prefix('#').filter(|_| draft <= Draft::Draft7) {
                        // A plain-name `$id` is an anchor in draft-07 and earlier.
                        let (res, _) = without_fragment(base.clone());
                        r.anchors.insert((res, name.to_string()), ptr.to_string());
                    } else if let Ok(u) = base.join(id) {
                        let (res, frag) = without_fragment(u.clone());
                        r.ids.entry(res.clone()).or_insert_with(|| ptr.to_string());
                        if !frag.is_empty() && draft <= Draft::Draft7 {
                            r.anchors.insert((res, frag), ptr.to_string());
                        }
                        here = u;
                        here.set_fragment(None);
                    }
                }
                let (res, _) = without_fragment(here.clone());
                for key in ["$anchor", "$dynamicAnchor"] {
                    if let Some(Value::String(a)) = obj.get(key) {
                        r.anchors.insert((res.clone(), a.clone()), ptr.to_string());
                    }
                }
                if obj.contains_key("$ref") || obj.contains_key("$dynamicRef") {
                    r.bases.insert(ptr.to_string(), res);
                }
                here
            },
        );
        r
    }

    /// Where `reference`, written in the schema at `site`, points.
    pub fn resolve(&self, root: &Value, site: &str, reference: &str) -> Target {
        let base = self.bases.get(site).unwrap_or(&self.base);
        let Ok(base) = Url::parse(base) else {
            return Target::Missing;
        };
        let Ok(abs) = base.join(reference) else {
            return Target::Missing;
        };
        let (uri, fragment) = without_fragment(abs);
        let Some(fragment) = crate::pointer::percent_decode(&fragment) else {
            return Target::Missing;
        };
        if !self.ids.contains_key(&uri) {
            return Target::Elsewhere { uri, fragment };
        }
        self.resolve_absolute(root, &uri, &fragment)
    }

    /// Where `uri#fragment` points in this document (the fragment decoded). A URI that names
    /// none of its resources is taken as the document itself (it was found under that name).
    pub fn resolve_absolute(&self, root: &Value, uri: &str, fragment: &str) -> Target {
        let resource = self.ids.get(uri).cloned().unwrap_or_default();
        if fragment.is_empty() {
            return Target::Here(resource);
        }
        if fragment.starts_with('/') {
            let ptr = format!("{resource}{fragment}");
            return match root.pointer(&ptr) {
                Some(_) => Target::Here(ptr),
                None => Target::Missing,
            };
        }
        let uri = if self.ids.contains_key(uri) {
            uri
        } else {
            &self.base
        };
        match self.anchors.get(&(uri.to_string(), fragment.to_string())) {
            Some(p) => Target::Here(p.clone()),
            None => Target::Missing,
        }
    }

    /// The URIs of the document and of its embedded resources.
    pub fn uris(&self) -> impl Iterator<Item = &str> {
        self.ids.keys().map(String::as_str)
    }

    /// Whether `uri` (no fragment) names this document or one of its embedded resources.
    pub fn holds(&self, uri: &str) -> bool {
        self.ids.contains_key(uri)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn at(root: &Value, draft: Draft, site: &str, r: &str) -> Target {
        Resources::index(root, draft, "s.json").resolve(root, site, r)
    }

    #[test]
    fn fragments_resolve_inside_the_embedded_resource() {
        let root = json!({
            "$id": "https://example.com/root",
            "$defs": {
                "inner": {
                    "$id": "inner",
                    "$defs": {"x": {"type": "integer"}},
                    "properties": {"a": {"$ref": "#/$defs/x"}}
                },
                "x": {"type": "string"}
            },
            "properties": {"b": {"$ref": "#/$defs/x"}, "c": {"$ref": "root#/$defs/x"}, "d": {"$ref": "https://example.com/inner#/$defs/x"}}
        });
        let d = Draft::Draft202012;
        assert_eq!(
            at(&root, d, "/$defs/inner/properties/a", "#/$defs/x"),
            Target::Here("/$defs/inner/$defs/x".into())
        );
        assert_eq!(
            at(&root, d, "/properties/b", "#/$defs/x"),
            Target::Here("/$defs/x".into())
        );
        assert_eq!(
            at(&root, d, "/properties/c", "root#/$defs/x"),
            Target::Here("/$defs/x".into())
        );
        assert_eq!(
            at(
                &root,
                d,
                "/properties/d",
                "https://example.com/inner#/$defs/x"
            ),
            Target::Here("/$defs/inner/$defs/x".into())
        );
    }

    #[test]
    fn anchors_by_resource() {
        let root = json!({
            "$defs": {
                "a": {"$anchor": "thing", "type": "string"},
                "b": {"$dynamicAnchor": "node", "type": "object"},
                "c": {"$id": "other.json", "$defs": {"t": {"$anchor": "thing", "type": "integer"}}}
            }
        });
        let d = Draft::Draft202012;
        assert_eq!(at(&root, d, "", "#thing"), Target::Here("/$defs/a".into()));
        assert_eq!(at(&root, d, "", "#node"), Target::Here("/$defs/b".into()));
        assert_eq!(
            at(&root, d, "", "other.json#thing"),
            Target::Here("/$defs/c/$defs/t".into())
        );
        assert_eq!(at(&root, d, "", "#nothing"), Target::Missing);
    }

    #[test]
    fn draft7_plain_name_ids_and_ref_siblings() {
        let root = json!({
            "definitions": {"a": {"$id": "#foo", "type": "string"}},
            "properties": {"x": {"$ref": "#foo", "$id": "ignored/"}}
        });
        assert_eq!(
            at(&root, Draft::Draft7, "/properties/x", "#foo"),
            Target::Here("/definitions/a".into())
        );
    }

    #[test]
    fn other_documents_are_elsewhere() {
        let root = json!({"properties": {"m": {"$ref": "common.json#/$defs/Money"}}});
        match at(
            &root,
            Draft::Draft202012,
            "/properties/m",
            "common.json#/$defs/Money",
        ) {
            Target::Elsewhere { uri, fragment } => {
                assert_eq!(uri, format!("{DOC_BASE}common.json"));
                assert_eq!(fragment, "/$defs/Money");
            }
            t => panic!("{t:?}"),
        }
        assert_eq!(at(&root, Draft::Draft202012, "", "#/%aé"), Target::Missing);
    }
}
