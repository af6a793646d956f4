//! JSON Schema dialects the engine accepts and how each one spells the keywords that changed
//! between drafts (tuple `items`, boolean exclusive bounds, `dependencies`).

use serde_json::Value;

/// A JSON Schema dialect, chosen by `$schema`; [`Draft::DEFAULT`] (draft-07) when absent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub enum Draft {
    Draft4,
    Draft6,
    Draft7,
    Draft201909,
    Draft202012,
}

impl Draft {
    /// The dialect of a document without `$schema`: draft-07, as Confluent Schema Registry and
    /// Karapace read such documents, so schemas moved from them keep their meaning.
    pub const DEFAULT: Draft = Draft::Draft7;

    /// Parses a dialect name as users write it (`draft-07`, `7`, `2020-12`, or a `$schema` URI).
    pub fn from_name(name: &str) -> Option<Draft> {
        match name.trim().to_ascii_lowercase().as_str() {
            "draft-04" | "draft4" | "4" => Some(Draft::Draft4),
            "draft-06" | "draft6" | "6" => Some(Draft::Draft6),
            "draft-07" | "draft7" | "7" => Some(Draft::Draft7),
            "2019-09" | "draft2019-09" | "draft-2019-09" => Some(Draft::Draft201909),
            "2020-12" | "draft2020-12" | "draft-2020-12" => Some(Draft::Draft202012),
            other => Draft::from_uri(other),
        }
    }

    /// The name [`Draft::from_name`] reads back.
    pub fn name(self) -> &'static str {
        match self {
            Draft::Draft4 => "draft-04",
            Draft::Draft6 => "draft-06",
            Draft::Draft7 => "draft-07",
            Draft::Draft201909 => "2019-09",
            Draft::Draft202012 => "2020-12",
        }
    }

    /// The dialect a `$schema` URI names, `None` for an unknown one. Trailing `#` and the
    /// `http`/`https` spelling do not matter.
    pub fn from_uri(uri: &str) -> Option<Draft> {
        let u = uri.trim_end_matches('#').trim_end_matches('/');
        let u = u
            .strip_prefix("https://")
            .or_else(|| u.strip_prefix("http://"))?;
        match u {
            "json-schema.org/draft-04/schema" => Some(Draft::Draft4),
            "json-schema.org/draft-06/schema" => Some(Draft::Draft6),
            "json-schema.org/draft-07/schema" => Some(Draft::Draft7),
            "json-schema.org/draft/2019-09/schema" => Some(Draft::Draft201909),
            "json-schema.org/draft/2020-12/schema" => Some(Draft::Draft202012),
            _ => None,
        }
    }

    /// The dialect of a root schema; `Err(uri)` when `$schema` is present but unknown.
    pub fn detect(root: &Value) -> Result<Draft, String> {
        match root.get("$schema") {
            None => Ok(Draft::DEFAULT),
            Some(Value::String(s)) => Draft::from_uri(s).ok_or_else(|| s.clone()),
            Some(other) => Err(other.to_string()),
        }
    }

    /// Whether `items` may be an array of positional schemas (before 2020-12).
    pub fn tuple_items(self) -> bool {
        self < Draft::Draft202012
    }

    /// Whether `exclusiveMinimum`/`exclusiveMaximum` are booleans modifying `minimum`/`maximum`.
    pub fn boolean_exclusive_bounds(self) -> bool {
        self == Draft::Draft4
    }

    /// The matching dialect of the `jsonschema` crate, used to validate witnesses and payloads.
    pub fn to_validator(self) -> jsonschema::Draft {
        match self {
            Draft::Draft4 => jsonschema::Draft::Draft4,
            Draft::Draft6 => jsonschema::Draft::Draft6,
            Draft::Draft7 => jsonschema::Draft::Draft7,
            Draft::Draft201909 => jsonschema::Draft::Draft201909,
            Draft::Draft202012 => jsonschema::Draft::Draft202012,
        }
    }
}
