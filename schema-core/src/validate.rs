//! Compiled validators over the `jsonschema` crate, with `format` asserted (event rule 3) and
//! no network access: references to other documents are served from the [`DocSet`].

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use serde_json::Value;

use crate::docset::DocSet;
use crate::document::Document;
use crate::error::{Error, Result};
use crate::payload::{Payload, TapeJson, TapeNode};

/// A compiled schema, ready to validate many instances: a validator over payloads read in place
/// ([`crate::payload::Reader`]) and one over `serde_json::Value`. The constructor compiles the
/// one its caller uses (which also proves the schema compiles); the other is compiled on first
/// use, so a cache of thousands of versions holds one validator each, not two.
pub struct Compiled {
    tape: OnceLock<Option<jsonschema::Validator<TapeJson>>>,
    value: OnceLock<Option<jsonschema::Validator>>,
    /// The schema as compact text: a tenth of its `Value` tree, for a validator rarely built.
    source: String,
    draft: jsonschema::Draft,
    /// The document's URI (relative references resolve against it) and the other documents
    /// its references reach, by URI. Nothing else is ever fetched.
    base: String,
    documents: Arc<HashMap<String, Value>>,
}

/// Characters percent-encoded in a URI fragment made from a JSON pointer.
const FRAGMENT: &percent_encoding::AsciiSet = &percent_encoding::CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'<')
    .add(b'>')
    .add(b'[')
    .add(b'\\')
    .add(b']')
    .add(b'^')
    .add(b'`')
    .add(b'{')
    .add(b'|')
    .add(b'}');

/// The schema the validator compiles. Before 2019-09, `$defs` is no keyword to the `jsonschema`
/// crate, so an `$id` under it does not move the base and a `#/…` reference inside resolves
/// against the root. The engine reads such documents as Confluent does (the `$id` is a
/// resource); so that validation agrees, each reference the engine resolves inside the
/// document is handed to the validator as the document's URI with the pointer it reaches,
/// which means the same whatever base the validator assumes.
fn validator_root(doc: &Document) -> std::borrow::Cow<'_, Value> {
    use std::borrow::Cow;
    let resources = doc.resources();
    if doc.draft >= crate::draft::Draft::Draft201909 || resources.uris().nth(1).is_none() {
        return Cow::Borrowed(&doc.root);
    }
    let mut rewrites: Vec<(String, String)> = Vec::new();
    crate::subschemas::for_each_subschema(&doc.root, doc.draft, "", &mut |site, s| {
        if let Some(Value::String(r)) = s.get("$ref") {
            if let crate::resources::Target::Here(p) = doc.resolve_at(site, r) {
                let fragment = percent_encoding::utf8_percent_encode(&p, FRAGMENT);
                rewrites.push((site.to_string(), format!("{}#{fragment}", resources.base)));
            }
        }
    });
    let mut root = doc.root.clone();
    for (site, to) in rewrites {
        if let Some(Value::Object(o)) = root.pointer_mut(&site) {
            o.insert("$ref".into(), Value::String(to));
        }
    }
    Cow::Owned(root)
}

/// Serves the documents of a [`DocSet`] to the validator; refuses every other URI.
struct Documents(Arc<HashMap<String, Value>>);

impl jsonschema::Retrieve for Documents {
    fn retrieve(
        &self,
        uri: &jsonschema::Uri<String>,
    ) -> std::result::Result<Value, Box<dyn std::error::Error + Send + Sync>> {
        self.0.get(uri.as_str()).cloned().ok_or_else(|| {
            format!("{uri} is not among the documents given (nothing is fetched)").into()
        })
    }
}

/// One reason a payload is invalid.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Violation {
    /// Where in the payload (RFC 6901).
    pub instance_pointer: String,
    /// Which schema keyword rejected it, with its place in the schema.
    pub keyword: String,
    pub schema_pointer: String,
    pub message: String,
}

impl Compiled {
    /// Compiles document `idx` of a set for `Value` instances (witnesses), with the documents
    /// its references reach in the set.
    pub fn for_doc(docs: &DocSet, idx: usize) -> Result<Compiled> {
        let doc = docs.get(idx);
        let mut c = Self::empty(doc);
        c.documents = Arc::new(docs.documents_of(idx));
        let value = c
            .build_value(&validator_root(doc))
            .map_err(|e| not_a_schema(doc, &e))?;
        let _ = c.value.set(Some(value));
        Ok(c)
    }

    /// Compiles a standalone document for payloads (the tape validator first).
    pub fn new(doc: &Document) -> Result<Compiled> {
        Self::compile(Self::empty(doc), doc)
    }

    /// Compiles document `idx` of a set for payloads, with the documents its references reach
    /// (registry references, sibling files).
    pub fn in_set(docs: &DocSet, idx: usize) -> Result<Compiled> {
        let doc = docs.get(idx);
        let mut c = Self::empty(doc);
        c.documents = Arc::new(docs.documents_of(idx));
        Self::compile(c, doc)
    }

    fn compile(c: Compiled, doc: &Document) -> Result<Compiled> {
        let tape = c
            .build_tape(&validator_root(doc))
            .map_err(|e| not_a_schema(doc, &e))?;
        let _ = c.tape.set(Some(tape));
        Ok(c)
    }

    fn empty(doc: &Document) -> Compiled {
        Compiled {
            tape: OnceLock::new(),
            value: OnceLock::new(),
            source: validator_root(doc).to_string(),
            draft: doc.draft.to_validator(),
            base: doc.resources().base.clone(),
            documents: Arc::default(),
        }
    }

    fn build_value(
        &self,
        root: &Value,
    ) -> std::result::Result<jsonschema::Validator, jsonschema::ValidationError<'static>> {
        jsonschema::options()
            .with_draft(self.draft)
            .should_validate_formats(true)
            .with_base_uri(self.base.clone())
            .with_retriever(Documents(self.documents.clone()))
            .build(root)
    }

    fn build_tape(
        &self,
        root: &Value,
    ) -> std::result::Result<jsonschema::Validator<TapeJson>, jsonschema::ValidationError<'static>>
    {
        jsonschema::options_for::<TapeJson>()
            .with_draft(self.draft)
            .should_validate_formats(true)
            .with_base_uri(self.base.clone())
            .with_retriever(Documents(self.documents.clone()))
            .build(root)
    }

    // The lazily built validators: the same schema and options as the one that compiled.
    fn value_validator(&self) -> Option<&jsonschema::Validator> {
        self.value
            .get_or_init(|| {
                let root: Value = serde_json::from_str(&self.source).ok()?;
                self.build_value(&root).ok()
            })
            .as_ref()
    }

    fn tape_validator(&self) -> Option<&jsonschema::Validator<TapeJson>> {
        self.tape
            .get_or_init(|| {
                let root: Value = serde_json::from_str(&self.source).ok()?;
                self.build_tape(&root).ok()
            })
            .as_ref()
    }

    /// Whether an instance is valid (false if the schema could not be compiled for values).
    pub fn is_valid(&self, instance: &Value) -> bool {
        self.value_validator().is_some_and(|v| v.is_valid(instance))
    }

    /// Whether a payload read by [`crate::payload::Reader`] is valid.
    pub fn is_valid_payload(&self, payload: &Payload<'_>) -> bool {
        match payload {
            Payload::Value(v) => self.is_valid(v),
            Payload::Tape(t) => self
                .tape_validator()
                .is_some_and(|v| v.is_valid(TapeNode(t))),
        }
    }

    /// Every violation of a payload, in the validator's order.
    pub fn payload_violations(&self, payload: &Payload<'_>) -> Vec<Violation> {
        match payload {
            Payload::Value(v) => self.violations(v),
            Payload::Tape(t) => match self.tape_validator() {
                Some(v) => v.iter_errors(TapeNode(t)).map(|e| violation(&e)).collect(),
                None => uncompiled(),
            },
        }
    }

    /// Every violation, in the validator's order.
    pub fn violations(&self, instance: &Value) -> Vec<Violation> {
        match self.value_validator() {
            Some(v) => v.iter_errors(instance).map(|e| violation(&e)).collect(),
            None => uncompiled(),
        }
    }
}

fn not_a_schema(doc: &Document, e: &jsonschema::ValidationError<'_>) -> Error {
    Error::NotASchema {
        name: doc.name.clone(),
        pointer: e.instance_path().to_string(),
        message: e.to_string(),
    }
}

fn uncompiled() -> Vec<Violation> {
    vec![Violation {
        instance_pointer: String::new(),
        keyword: "schema".into(),
        schema_pointer: String::new(),
        message: "the schema could not be compiled for this instance".into(),
    }]
}

fn violation(e: &jsonschema::ValidationError<'_>) -> Violation {
    let schema_pointer = e.schema_path().to_string();
    let keyword = schema_pointer.rsplit('/').next().unwrap_or("").to_string();
    Violation {
        instance_pointer: e.instance_path().to_string(),
        keyword,
        schema_pointer,
        message: e.to_string(),
    }
}
