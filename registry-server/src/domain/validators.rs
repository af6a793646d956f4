//! Compiled payload checkers by schema id (immutable, so kept until evicted): the schema's
//! validator and its data contract (CEL domain rules).

use std::sync::Arc;

use schema_core::domain_rules::Contract;
use schema_core::validate::Compiled;
use schema_core::Document;

use super::{Error, Registry, Result};

/// Everything a payload of one schema id is checked with.
pub struct Checker {
    pub compiled: Compiled,
    pub contract: Contract,
}

impl Registry {
    /// The compiled checker of a schema id.
    pub async fn validator(&self, id: i64) -> Result<Arc<Checker>> {
        if let Some(v) = self.caches.validators.get(&id) {
            return Ok(v);
        }
        let row = self.schema(id).await?;
        // The schemas its references name compile with it, as at registration.
        let ref_texts = self.reference_texts(&row.refs).await?;
        let dialect = self.dialect;
        let checker = self
            .cpu("compiling a validator", move || {
                let doc = Document::parse_in(&format!("schema {id}"), &row.text, dialect)
                    .map_err(|e| Error::InvalidSchema(e.to_string()))?;
                let refs =
                    super::candidate::parse_references(ref_texts, dialect).map_err(
                        |e| match e {
                            Error::InvalidSchema(m) => {
                                Error::InvalidSchema(format!("schema {id}: {m}"))
                            }
                            e => e,
                        },
                    )?;
                let cannot = |e: String| {
                    Error::InvalidSchema(format!("schema {id} cannot be used to validate: {e}"))
                };
                let mut set = schema_core::DocSet::new();
                let idx = set
                    .add(doc.clone(), &refs)
                    .map_err(|e| cannot(e.to_string()))?;
                let compiled = Compiled::in_set(&set, idx).map_err(|e| cannot(e.to_string()))?;
                let specs = row
                    .rule_set
                    .as_ref()
                    .map(|r| r.domain_specs())
                    .unwrap_or_default();
                let contract = Contract::compile(&specs, &doc.root)
                    .map_err(|e| Error::Internal(format!("schema {id}: stored rule: {e}")))?;
                Ok::<_, Error>(Checker { compiled, contract })
            })
            .await??;
        let checker = Arc::new(checker);
        self.caches.validators.insert(id, checker.clone());
        Ok(checker)
    }
}
