//! The engine's one error type. Messages are lowercase and carry their context in fields, so the
//! CLI and the server can render the place (`file`, `pointer`, `line`) their own way.

use thiserror::Error;

/// Why a document could not be used as a schema.
#[derive(Debug, Error)]
pub enum Error {
    /// The text is not JSON (or nests deeper than the parser allows).
    #[error("invalid JSON in {name} at line {line}, column {column}: {message}")]
    Json {
        name: String,
        line: usize,
        column: usize,
        message: String,
    },
    /// The JSON is not a JSON Schema document (wrong root type, or rejected by its meta-schema).
    #[error("{name} is not a valid JSON Schema at {pointer:?}: {message}")]
    NotASchema {
        name: String,
        pointer: String,
        message: String,
    },
    /// `$schema` names a dialect the engine does not know.
    #[error("{name} declares an unknown $schema {uri:?} at \"/$schema\"")]
    UnknownDialect { name: String, uri: String },
    /// A `$ref` whose target does not exist (or is remote and was not supplied by the resolver).
    #[error("{name}: $ref {reference:?} at {pointer:?} does not resolve: {reason}")]
    UnresolvedRef {
        name: String,
        pointer: String,
        reference: String,
        reason: String,
    },
    /// A `$ref` chain that comes back to itself without descending into the instance
    /// (`{"$ref": "#"}`): it constrains nothing and would loop a validator.
    #[error("{name}: $ref at {pointer:?} loops back to itself without constraining anything")]
    RefCycle { name: String, pointer: String },
    /// The document is larger or deeper than the configured limits.
    #[error("{name} exceeds a limit: {what}")]
    Limit { name: String, what: String },
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
