//! A candidate schema: parsed, limited, its references resolved, and identified by the
//! fingerprint of its canonical form and references (one id per content).

use std::collections::HashMap;
use std::sync::Arc;

use registry_api::SchemaRequest;
use schema_core::Document;

use super::cache::Identity;
use super::{Error, Reference, Registry, Result};

/// A parsed candidate: its document, its references' documents, and its identity.
pub struct Candidate {
    pub doc: Document,
    pub refs: HashMap<String, Document>,
    /// The text to store: as sent, or canonical with `normalize`.
    pub text: String,
    pub fingerprint: String,
    /// Sorted by name.
    pub references: Vec<Reference>,
}

/// The documents of a schema's references, by reference name (what `DocSet::add` resolves).
pub(super) fn parse_references(
    texts: Vec<(String, Arc<str>)>,
    dialect: schema_core::Draft,
) -> Result<HashMap<String, Document>> {
    let mut refs = HashMap::with_capacity(texts.len());
    for (name, text) in texts {
        let d = Document::parse_in(&name, &text, dialect)
            .map_err(|e| Error::InvalidSchema(format!("reference {name:?}: {e}")))?;
        refs.insert(name, d);
    }
    Ok(refs)
}

/// The exact request, hashed: the key of the identity cache.
fn request_key(req: &SchemaRequest, normalize: bool) -> [u8; 32] {
    use sha2::Digest;
    let mut refs = req.references.clone();
    refs.sort();
    let mut h = sha2::Sha256::new();
    h.update(req.schema_type.as_deref().unwrap_or("JSON"));
    h.update(if normalize { "\n1\n" } else { "\n0\n" });
    h.update(serde_json::to_vec(&refs).unwrap_or_default());
    h.update("\n");
    h.update(&req.schema);
    h.finalize().into()
}

impl Registry {
    /// The texts of the documents a set of references names, by reference name.
    pub(super) async fn reference_texts(
        &self,
        refs: &[Reference],
    ) -> Result<Vec<(String, Arc<str>)>> {
        let mut out = Vec::with_capacity(refs.len());
        for r in refs {
            let versions = self.all_versions(&r.subject).await?;
            let row = versions
                .iter()
                .find(|v| v.version == r.version && !v.deleted)
                .ok_or_else(|| {
                    Error::InvalidSchema(format!(
                        "reference {:?} names {} version {}, which does not exist",
                        r.name, r.subject, r.version
                    ))
                })?;
            let schema = self.schema_of(row).await?;
            out.push((r.name.clone(), Arc::from(schema.text.as_str())));
        }
        Ok(out)
    }

    /// Parses and identifies a candidate schema (on the CPU pool).
    pub async fn candidate(&self, req: &SchemaRequest, normalize: bool) -> Result<Candidate> {
        match req.schema_type.as_deref().unwrap_or("JSON") {
            "JSON" => {}
            other => return Err(Error::InvalidSchema(format!("schema type {other} is not supported: this registry holds JSON Schema only (schemaType \"JSON\")"))),
        }
        let cand = self
            .parse_candidate(req.schema.clone(), &req.references, normalize)
            .await?;
        self.caches.identities.insert(
            request_key(req, normalize),
            Arc::new(Identity {
                fingerprint: cand.fingerprint.clone(),
            }),
        );
        Ok(cand)
    }

    /// A stored schema as a candidate (to compare two stored versions).
    pub(super) async fn stored_candidate(&self, schema: &super::SchemaRow) -> Result<Candidate> {
        self.parse_candidate(schema.text.clone(), &schema.refs, false)
            .await
    }

    /// Parses, limits and identifies a schema text with its references (on the CPU pool).
    async fn parse_candidate(
        &self,
        sent: String,
        references: &[Reference],
        normalize: bool,
    ) -> Result<Candidate> {
        self.limits
            .check_text(&sent)
            .map_err(Error::InvalidSchema)?;
        let ref_texts = self.reference_texts(references).await?;
        let limits = self.limits;
        let dialect = self.dialect;
        let mut references = references.to_vec();
        references.sort();
        self.cpu("parsing a schema", move || {
            let doc = Document::parse_in("schema", &sent, dialect)
                .map_err(|e| Error::InvalidSchema(e.to_string()))?;
            limits.check(&doc).map_err(Error::InvalidSchema)?;
            let refs = parse_references(ref_texts, dialect)?;
            // Every $ref must resolve, within the document or through the references.
            let mut set = schema_core::DocSet::new();
            set.add(doc.clone(), &refs)
                .map_err(|e| Error::InvalidSchema(e.to_string()))?;
            let canonical = schema_core::canonical::canonical_text(&doc.root, doc.draft);
            let identity = format!(
                "JSON\n{canonical}\n{}",
                serde_json::to_string(&references).unwrap_or_default()
            );
            let fingerprint = schema_core::canonical::sha256_hex(identity.as_bytes());
            let text = if normalize { canonical } else { sent };
            Ok::<_, Error>(Candidate {
                doc,
                refs,
                text,
                fingerprint,
                references,
            })
        })
        .await?
    }

    /// The fingerprint of a request's schema: remembered for the exact bytes once parsed, so
    /// re-registering what is there (every producer start) costs no parse.
    pub(super) async fn identify(&self, req: &SchemaRequest, normalize: bool) -> Result<String> {
        match self.known_identity(req, normalize) {
            Some(f) => Ok(f),
            None => Ok(self.candidate(req, normalize).await?.fingerprint),
        }
    }

    /// The fingerprint of these exact request bytes, if parsed before.
    pub(super) fn known_identity(&self, req: &SchemaRequest, normalize: bool) -> Option<String> {
        let i = self.caches.identities.get(&request_key(req, normalize))?;
        Some(i.fingerprint.clone())
    }
}
