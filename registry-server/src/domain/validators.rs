//! Compiled payload validators by schema id (immutable, so kept until evicted).

use std::sync::Arc;

use schema_core::validate::Compiled;
use schema_core::Document;

use super::{Error, Registry, Result};

impl Registry {
    /// The compiled validator of a schema id.
    pub async fn validator(&self, id: i64) -> Result<Arc<Compiled>> {
        if let Some(v) = self.caches.validators.get(&id) {
            return Ok(v);
        }
        let row = self.schema(id).await?;
        let dialect = self.dialect;
        let compiled = self
            .cpu("compiling a validator", move || {
                let doc = Document::parse_in(&format!("schema {id}"), &row.text, dialect)
                    .map_err(|e| Error::InvalidSchema(e.to_string()))?;
                Compiled::new(&doc).map_err(|e| {
                    Error::InvalidSchema(format!("schema {id} cannot be used to validate: {e}"))
                })
            })
            .await??;
        let compiled = Arc::new(compiled);
        self.caches.validators.insert(id, compiled.clone());
        Ok(compiled)
    }
}
