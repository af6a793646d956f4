//! Compiled validators over the `jsonschema` crate, with `format` asserted (event rule 3) and
//! no network access: references to other documents are served from the [`DocSet`].

use serde_json::Value;

use crate::docset::DocSet;
use crate::document::Document;
use crate::error::{Error, Result};
use crate::payload::{Payload, TapeJson, TapeNode};

/// A compiled schema, ready to validate many instances.
pub struct Compiled {
    validator: jsonschema::Validator,
    /// The same schema over payloads read in place ([`crate::payload`]).
    tape: jsonschema::Validator<TapeJson>,
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
    /// Compiles document `idx` of a set. References into the set's other documents are not
    /// registered with the validator yet, so such a schema fails to compile (no witness).
    pub fn for_doc(docs: &DocSet, idx: usize) -> Result<Compiled> {
        Self::new(docs.get(idx))
    }

    /// Compiles a standalone document.
    pub fn new(doc: &Document) -> Result<Compiled> {
        let not_a_schema = |e: jsonschema::ValidationError<'_>| Error::NotASchema {
            name: doc.name.clone(),
            pointer: e.instance_path().to_string(),
            message: e.to_string(),
        };
        let validator = jsonschema::options()
            .with_draft(doc.draft.to_validator())
            .should_validate_formats(true)
            .build(&doc.root)
            .map_err(not_a_schema)?;
        let tape = jsonschema::options_for::<TapeJson>()
            .with_draft(doc.draft.to_validator())
            .should_validate_formats(true)
            .build(&doc.root)
            .map_err(not_a_schema)?;
        Ok(Compiled { validator, tape })
    }

    pub fn is_valid(&self, instance: &Value) -> bool {
        self.validator.is_valid(instance)
    }

    /// Whether a payload read by [`crate::payload::Reader`] is valid.
    pub fn is_valid_payload(&self, payload: &Payload<'_>) -> bool {
        match payload {
            Payload::Value(v) => self.validator.is_valid(v),
            Payload::Tape(t) => self.tape.is_valid(TapeNode(&t.0)),
        }
    }

    /// Every violation, in the validator's order.
    pub fn violations(&self, instance: &Value) -> Vec<Violation> {
        self.validator
            .iter_errors(instance)
            .map(|e| {
                let schema_pointer = e.schema_path().to_string();
                let keyword = schema_pointer.rsplit('/').next().unwrap_or("").to_string();
                Violation {
                    instance_pointer: e.instance_path().to_string(),
                    keyword,
                    schema_pointer,
                    message: e.to_string(),
                }
            })
            .collect()
    }
}
