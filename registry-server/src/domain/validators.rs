//! Compiled payload checkers by schema id (immutable, so kept until evicted): the schema's
//! validator and its CEL domain rules.

use std::sync::Arc;

use schema_core::domain_rules::{DomainRules, Failure};
use schema_core::validate::Compiled;
use schema_core::Document;
use serde_json::Value;

use super::{Error, Registry, Result};

/// Everything a payload of one schema id is checked with.
pub struct Checker {
    pub compiled: Compiled,
    pub rules: DomainRules,
    /// The schema, for the field tags of `CEL_FIELD` rules (`Null` without rules).
    schema: Value,
}

impl Checker {
    /// The domain rules a schema-valid payload fails (none without rules). A payload that is
    /// not JSON has already failed its schema.
    pub fn rule_failures(&self, raw: &[u8]) -> Vec<Failure> {
        if self.rules.is_empty() {
            return Vec::new();
        }
        match serde_json::from_slice::<Value>(raw) {
            Ok(v) => self.rules.check(&v, &self.schema),
            Err(_) => Vec::new(),
        }
    }
}

impl Registry {
    /// The compiled checker of a schema id.
    pub async fn validator(&self, id: i64) -> Result<Arc<Checker>> {
        if let Some(v) = self.caches.validators.get(&id) {
            return Ok(v);
        }
        let row = self.schema(id).await?;
        let dialect = self.dialect;
        let checker = self
            .cpu("compiling a validator", move || {
                let doc = Document::parse_in(&format!("schema {id}"), &row.text, dialect)
                    .map_err(|e| Error::InvalidSchema(e.to_string()))?;
                let compiled = Compiled::new(&doc).map_err(|e| {
                    Error::InvalidSchema(format!("schema {id} cannot be used to validate: {e}"))
                })?;
                let specs = super::contracts::rule_specs(row.rule_set.as_ref());
                let rules = DomainRules::compile(&specs)
                    .map_err(|e| Error::Internal(format!("schema {id}: stored rule: {e}")))?;
                let schema = if rules.is_empty() {
                    Value::Null
                } else {
                    doc.root.clone()
                };
                Ok::<_, Error>(Checker {
                    compiled,
                    rules,
                    schema,
                })
            })
            .await??;
        let checker = Arc::new(checker);
        self.caches.validators.insert(id, checker.clone());
        Ok(checker)
    }
}
