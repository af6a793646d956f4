//! The rows the store reads and writes.

use sqlx::any::AnyRow;
use sqlx::Row;

pub use registry_api::Reference;
use registry_api::{Metadata, RuleSet};

#[derive(Debug, Clone)]
pub struct SchemaRow {
    pub id: i64,
    pub schema_type: String,
    pub text: String,
    pub refs: Vec<Reference>,
    /// SHA-256 (hex) of the content and its contracts: the schema's identity.
    pub fingerprint: String,
    pub metadata: Option<Metadata>,
    pub rule_set: Option<RuleSet>,
}

/// A schema's contracts as stored: JSON text, NULL for none.
pub struct Contracts {
    pub metadata: Option<String>,
    pub rule_set: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionRow {
    pub subject: String,
    pub version: i64,
    pub schema_id: i64,
    pub deleted: bool,
    /// When it was registered, in milliseconds since the epoch (0 when not known: before
    /// migration 0004 no time was kept).
    pub created_ms: i64,
}

pub(super) fn version_row(r: &AnyRow) -> Result<VersionRow, sqlx::Error> {
    Ok(VersionRow {
        subject: r.try_get("subject")?,
        version: r.try_get("version")?,
        schema_id: r.try_get("schema_id")?,
        deleted: r.try_get::<i64, _>("deleted")? != 0,
        created_ms: r.try_get::<Option<i64>, _>("created_ms")?.unwrap_or(0),
    })
}

/// The columns [`schema_row`] reads.
pub(super) const SCHEMA_COLUMNS: &str =
    "id, schema_type, schema_text, refs, fingerprint, metadata, rule_set";

pub(super) fn schema_row(r: &AnyRow) -> Result<SchemaRow, sqlx::Error> {
    fn json<T: serde::de::DeserializeOwned>(
        column: &str,
        text: Option<String>,
    ) -> Result<Option<T>, sqlx::Error> {
        text.map(|t| serde_json::from_str(&t))
            .transpose()
            .map_err(|e| sqlx::Error::ColumnDecode {
                index: column.into(),
                source: Box::new(e),
            })
    }
    Ok(SchemaRow {
        id: r.try_get("id")?,
        schema_type: r.try_get("schema_type")?,
        text: r.try_get("schema_text")?,
        refs: json("refs", Some(r.try_get("refs")?))?.unwrap_or_default(),
        fingerprint: r.try_get("fingerprint")?,
        metadata: json("metadata", r.try_get("metadata")?)?,
        rule_set: json("rule_set", r.try_get("rule_set")?)?,
    })
}
