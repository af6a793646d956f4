//! Schemas and subject versions.

use serde::{Deserialize, Serialize};

use crate::contracts::{Metadata, RuleSet};

/// A Confluent schema reference: the name a `$ref` uses, and the subject version it means.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Reference {
    pub name: String,
    pub subject: String,
    pub version: i64,
}

/// The body of a registration, look-up or compatibility request.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct SchemaRequest {
    pub schema: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema_type: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub references: Vec<Reference>,
    /// IMPORT mode only: keep the source registry's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<i64>,
    /// IMPORT mode only: keep the source registry's version number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<i64>,
    /// Absent: inherited from the subject's latest version (or the configured default);
    /// `{}`: explicitly none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Metadata>,
    /// As `metadata`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule_set: Option<RuleSet>,
}

impl SchemaRequest {
    /// A JSON schema with no references.
    pub fn json(schema: impl Into<String>) -> SchemaRequest {
        SchemaRequest {
            schema: schema.into(),
            schema_type: Some("JSON".into()),
            ..SchemaRequest::default()
        }
    }
}

/// The answer of a registration: the schema's global id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RegisterAnswer {
    pub id: i64,
    /// The schema's GUID (Confluent 8): one per content, as the id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guid: Option<String>,
}

/// One version of a subject, as `GET /subjects/{s}/versions/{v}` and a look-up answer it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct SubjectVersion {
    pub subject: String,
    pub version: i64,
    pub id: i64,
    /// Absent means JSON in answers of this registry; Confluent omits it for Avro.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema_type: Option<String>,
    pub schema: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub references: Vec<Reference>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Metadata>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule_set: Option<RuleSet>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guid: Option<String>,
}

/// A schema by its global id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct SchemaById {
    pub schema: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema_type: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub references: Vec<Reference>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Metadata>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule_set: Option<RuleSet>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guid: Option<String>,
}

/// A (subject, version) that uses a schema id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SubjectVersionPair {
    pub subject: String,
    pub version: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_without_optional_fields_reads_and_writes_confluents_shape() {
        let r: SchemaRequest = serde_json::from_str(r#"{"schema":"{}"}"#).unwrap();
        assert_eq!(
            r,
            SchemaRequest {
                schema: "{}".into(),
                ..SchemaRequest::default()
            }
        );
        let out = serde_json::to_value(SchemaRequest::json("{}")).unwrap();
        assert_eq!(
            out,
            serde_json::json!({"schema": "{}", "schemaType": "JSON"})
        );
    }

    #[test]
    fn references_are_omitted_when_empty() {
        let v = SubjectVersion {
            subject: "s".into(),
            version: 1,
            id: 7,
            schema_type: Some("JSON".into()),
            schema: "{}".into(),
            references: vec![],
            metadata: None,
            rule_set: None,
            guid: None,
        };
        let out = serde_json::to_value(&v).unwrap();
        assert!(out.get("references").is_none());
        assert_eq!(out["schemaType"], "JSON");
    }
}
