//! A parsed schema document: its JSON, dialect, source text (for line and column of any pointer),
//! and an index of embedded `$id`s and `$anchor`s. Parsing checks everything a diff relies on, so
//! the walker never meets a malformed schema: valid JSON, a schema root, a known `$schema`, the
//! meta-schema, every local `$ref` resolving, and no `$ref` loop that constrains nothing.

use std::collections::HashMap;
use std::sync::Arc;

use serde_json::Value;

use crate::draft::Draft;
use crate::error::{Error, Result};
use crate::locate::Locator;
use crate::pointer;
use crate::resources::{Resources, Target};
use crate::subschemas::for_each_subschema;

/// One schema document, immutable once parsed.
#[derive(Debug, Clone)]
pub struct Document {
    /// What the user calls it: a file path, a subject name, a reference name.
    pub name: String,
    pub draft: Draft,
    pub root: Value,
    /// The text it was parsed from, when it came from text.
    pub source: Option<Arc<str>>,
    locator: Option<Arc<Locator>>,
    /// Base URIs, embedded resources and anchors: where each `$ref` points.
    resources: Arc<Resources>,
}

impl Document {
    /// Parses and checks a schema document from text. `name` is used in errors. A document
    /// without `$schema` is read as [`Draft::DEFAULT`] (draft-07).
    pub fn parse(name: &str, text: &str) -> Result<Document> {
        Self::parse_in(name, text, Draft::DEFAULT)
    }

    /// As [`Document::parse`], reading a document without `$schema` as `default`.
    pub fn parse_in(name: &str, text: &str, default: Draft) -> Result<Document> {
        let root: Value = serde_json::from_str(text).map_err(|e| Error::Json {
            name: name.to_string(),
            line: e.line(),
            column: e.column().max(1), // serde_json says 0 at end of input
            message: strip_position(&e.to_string()),
        })?;
        let mut doc = Document::from_value_in(name, root, default)?;
        doc.locator = Some(Arc::new(Locator::new(text)));
        doc.source = Some(Arc::from(text));
        Ok(doc)
    }

    /// Checks a schema document given as a JSON value (no source positions); without
    /// `$schema` it is read as [`Draft::DEFAULT`] (draft-07).
    pub fn from_value(name: &str, root: Value) -> Result<Document> {
        Self::from_value_in(name, root, Draft::DEFAULT)
    }

    /// As [`Document::from_value`], reading a document without `$schema` as `default`.
    pub fn from_value_in(name: &str, root: Value, default: Draft) -> Result<Document> {
        if !(root.is_object() || root.is_boolean()) {
            return Err(Error::NotASchema {
                name: name.to_string(),
                pointer: String::new(),
                message: format!(
                    "the root must be an object or a boolean, found {}",
                    kind_of(&root)
                ),
            });
        }
        let draft = match root.get("$schema") {
            None => default,
            Some(_) => Draft::detect(&root).map_err(|uri| Error::UnknownDialect {
                name: name.to_string(),
                uri,
            })?,
        };
        if let Err(e) = meta_validate(&root, draft) {
            return Err(Error::NotASchema {
                name: name.to_string(),
                pointer: e.0,
                message: e.1,
            });
        }
        let resources = Arc::new(Resources::index(&root, draft, name));
        let doc = Document {
            name: name.to_string(),
            draft,
            root,
            source: None,
            locator: None,
            resources,
        };
        doc.check_local_refs()?;
        Ok(doc)
    }

    /// The same document known under another URI (a file's `file:` URI): relative references
    /// resolve against it.
    pub fn at_uri(mut self, uri: &str) -> Result<Document> {
        self.resources = Arc::new(Resources::index(&self.root, self.draft, uri));
        self.check_local_refs()?;
        Ok(self)
    }

    /// The schema at `ptr`, if any.
    pub fn at(&self, ptr: &str) -> Option<&Value> {
        self.root.pointer(ptr)
    }

    /// Line and column (1-based) of the value at `ptr` in the source text, when known. A pointer
    /// that does not resolve falls back to its longest resolving prefix.
    pub fn position(&self, ptr: &str) -> Option<(usize, usize)> {
        self.locator.as_ref()?.position(ptr)
    }

    /// Line and column of many pointers in one pass over the source text.
    pub fn positions(&self, ptrs: &[String]) -> HashMap<String, (usize, usize)> {
        let (Some(locator), Some(text)) = (&self.locator, &self.source) else {
            return HashMap::new();
        };
        let wanted: std::collections::HashSet<&str> = ptrs.iter().map(String::as_str).collect();
        let offsets = locator.offsets(&wanted);
        let line_starts: Vec<usize> = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        let mut out = HashMap::new();
        for p in ptrs {
            // A pointer that does not resolve falls back to its longest resolving prefix.
            let off = offsets
                .get(p.as_str())
                .copied()
                .or_else(|| locator.offset(p));
            if let Some(off) = off {
                let line = line_starts.partition_point(|&s| s <= off);
                let start = line_starts[line - 1];
                out.insert(p.clone(), (line, text[start..off].chars().count() + 1));
            }
        }
        out
    }

    /// Byte offset of the value at `ptr` in the source text, when known.
    pub fn offset(&self, ptr: &str) -> Option<usize> {
        self.locator.as_ref()?.offset(ptr)
    }

    /// Where a `$ref` written at the document's root points, when in this document.
    pub fn local_target(&self, reference: &str) -> Option<String> {
        match self.resolve_at("", reference) {
            Target::Here(p) => Some(p),
            _ => None,
        }
    }

    /// Where `reference`, written in the schema at `site`, points: resolved against the base
    /// URI in force there (the nearest enclosing `$id`).
    pub fn resolve_at(&self, site: &str, reference: &str) -> Target {
        self.resources.resolve(&self.root, site, reference)
    }

    /// The document's resources (its URI, embedded `$id`s, anchors).
    pub fn resources(&self) -> &Resources {
        &self.resources
    }

    fn check_local_refs(&self) -> Result<()> {
        let mut refs = Vec::new();
        for_each_subschema(&self.root, self.draft, "", &mut |ptr, schema| {
            if let Some(Value::String(r)) = schema.get("$ref") {
                refs.push((ptr.to_string(), r.clone()));
            }
        });
        let mut edges: HashMap<String, Vec<String>> = HashMap::new();
        for (ptr, r) in &refs {
            match self.resolve_at(ptr, r) {
                Target::Here(target) => edges.entry(ptr.clone()).or_default().push(target),
                Target::Missing => {
                    return Err(Error::UnresolvedRef {
                        name: self.name.clone(),
                        pointer: ptr.clone(),
                        reference: r.clone(),
                        reason: "no such location in the document".into(),
                    })
                }
                // Other documents are loaded and checked by `DocSet::add`.
                Target::Elsewhere { .. } => {}
            }
        }
        self.check_cycles(&edges)
    }

    /// A cycle through `$ref` and in-place applicators (allOf, anyOf, oneOf, not, if/then/else,
    /// dependentSchemas) never reaches a deeper instance: a validator would loop on it.
    fn check_cycles(&self, ref_edges: &HashMap<String, Vec<String>>) -> Result<()> {
        const IN_PLACE: [&str; 6] = ["allOf", "anyOf", "oneOf", "not", "if", "then"];
        let children = |ptr: &str| -> Vec<String> {
            let mut out = ref_edges.get(ptr).cloned().unwrap_or_default();
            if let Some(obj) = self.root.pointer(ptr).and_then(Value::as_object) {
                for k in IN_PLACE.iter().chain(["else", "dependentSchemas"].iter()) {
                    match obj.get(*k) {
                        Some(Value::Array(a)) => {
                            out.extend((0..a.len()).map(|i| format!("{ptr}/{k}/{i}")))
                        }
                        Some(Value::Object(m)) if *k == "dependentSchemas" => {
                            out.extend(m.keys().map(|n| pointer::join(ptr, &[k, n.as_str()])))
                        }
                        Some(Value::Object(_)) | Some(Value::Bool(_)) => {
                            out.push(format!("{ptr}/{k}"))
                        }
                        _ => {}
                    }
                }
            }
            out
        };
        // 0 = unseen, 1 = on the stack, 2 = done. Iterative so a long chain cannot overflow.
        let mut state: HashMap<String, u8> = HashMap::new();
        for start in ref_edges.keys() {
            if state.get(start).copied().unwrap_or(0) != 0 {
                continue;
            }
            let mut stack: Vec<(String, Vec<String>)> = vec![(start.clone(), children(start))];
            state.insert(start.clone(), 1);
            while let Some((node, pending)) = stack.last_mut() {
                if let Some(next) = pending.pop() {
                    match state.get(&next).copied().unwrap_or(0) {
                        1 => {
                            return Err(Error::RefCycle {
                                name: self.name.clone(),
                                pointer: next,
                            });
                        }
                        0 => {
                            state.insert(next.clone(), 1);
                            let c = children(&next);
                            stack.push((next, c));
                        }
                        _ => {}
                    }
                } else {
                    state.insert(node.clone(), 2);
                    stack.pop();
                }
            }
        }
        Ok(())
    }
}

/// Whether a `$ref` points into its own document.
pub fn is_local(reference: &str) -> bool {
    reference.starts_with('#')
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn strip_position(msg: &str) -> String {
    match msg.rfind(" at line ") {
        Some(i) => msg[..i].to_string(),
        None => msg.to_string(),
    }
}

fn meta_validate(root: &Value, draft: Draft) -> std::result::Result<(), (String, String)> {
    // The meta-schema of the declared dialect (or of the default one when `$schema` is absent).
    let meta = match draft {
        Draft::Draft4 => jsonschema::draft4::meta::validate(root),
        Draft::Draft6 => jsonschema::draft6::meta::validate(root),
        Draft::Draft7 => jsonschema::draft7::meta::validate(root),
        Draft::Draft201909 => jsonschema::draft201909::meta::validate(root),
        Draft::Draft202012 => jsonschema::draft202012::meta::validate(root),
    };
    meta.map_err(|e| (e.instance_path().to_string(), e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn self_reference_is_a_cycle() {
        let err = Document::parse("x.json", r##"{"$ref": "#"}"##).unwrap_err();
        assert!(matches!(err, Error::RefCycle { .. }), "{err}");
    }

    #[test]
    fn recursion_through_properties_is_fine() {
        let text = r##"{"type":"object","properties":{"child":{"$ref":"#"}}}"##;
        Document::parse("x.json", text).unwrap();
    }

    #[test]
    fn missing_ref_target_names_the_pointer() {
        let text = r##"{"properties":{"a":{"$ref":"#/$defs/nope"}}}"##;
        match Document::parse("x.json", text).unwrap_err() {
            Error::UnresolvedRef { pointer, .. } => assert_eq!(pointer, "/properties/a"),
            e => panic!("unexpected {e}"),
        }
    }

    #[test]
    fn invalid_json_has_line_and_column() {
        match Document::parse("x.json", "{\n  \"type\": \n}").unwrap_err() {
            Error::Json { line, .. } => assert_eq!(line, 3),
            e => panic!("unexpected {e}"),
        }
    }
}
