//! The rows the store reads and writes.

use sqlx::any::AnyRow;
use sqlx::Row;

pub use registry_api::Reference;

#[derive(Debug, Clone)]
pub struct SchemaRow {
    pub id: i64,
    pub schema_type: String,
    pub text: String,
    pub refs: Vec<Reference>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionRow {
    pub subject: String,
    pub version: i64,
    pub schema_id: i64,
    pub deleted: bool,
}

pub(super) fn version_row(r: &AnyRow) -> Result<VersionRow, sqlx::Error> {
    Ok(VersionRow {
        subject: r.try_get("subject")?,
        version: r.try_get("version")?,
        schema_id: r.try_get("schema_id")?,
        deleted: r.try_get::<i64, _>("deleted")? != 0,
    })
}

pub(super) fn schema_row(r: &AnyRow) -> Result<SchemaRow, sqlx::Error> {
    let refs: String = r.try_get("refs")?;
    Ok(SchemaRow {
        id: r.try_get("id")?,
        schema_type: r.try_get("schema_type")?,
        text: r.try_get("schema_text")?,
        refs: serde_json::from_str(&refs).map_err(|e| sqlx::Error::ColumnDecode {
            index: "refs".into(),
            source: Box::new(e),
        })?,
    })
}
