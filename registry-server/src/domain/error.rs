//! What the registry's rules refuse, in the domain's terms. The HTTP layer maps each variant to
//! Confluent's status and `error_code` (`http/error.rs`); nothing here knows about HTTP.

use registry_api::BreakingChange;

use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("Subject '{0}' not found.")]
    SubjectNotFound(String),
    #[error("Version {0} not found.")]
    VersionNotFound(String),
    #[error("Schema {0} not found")]
    SchemaNotFound(String),
    #[error("Subject '{0}' was soft deleted. Set permanent=true to delete permanently")]
    SubjectSoftDeleted(String),
    #[error("Subject '{0}' was not deleted first before being permanently deleted")]
    SubjectNotSoftDeleted(String),
    #[error(
        "Subject '{0}' Version {1} was soft deleted. Set permanent=true to delete permanently"
    )]
    VersionSoftDeleted(String, i64),
    #[error("Subject '{0}' Version {1} was not deleted first before being permanently deleted")]
    VersionNotSoftDeleted(String, i64),
    /// The subject exists but has no settings of its own (Confluent's 40408).
    #[error("Subject '{0}' does not have subject-level compatibility configured")]
    SubjectConfigNotFound(String),
    /// The subject has no mode of its own (Confluent's 40409).
    #[error("Subject '{0}' does not have subject-level mode configured")]
    SubjectModeNotFound(String),
    #[error("Invalid schema: {0}")]
    InvalidSchema(String),
    #[error("The specified version '{0}' is not a valid version id. Allowed values are between [1, 2^31-1] and the string \"latest\"")]
    InvalidVersion(String),
    #[error("Invalid compatibility level. Valid values are none, backward, forward, full, backward_transitive, forward_transitive, and full_transitive; got {0:?}")]
    InvalidCompatibility(String),
    #[error("Invalid mode. Valid values are READWRITE, READONLY, READONLY_OVERRIDE and IMPORT; got {0:?}")]
    InvalidMode(String),
    #[error("Invalid rules. Valid values are events, standard and lenient; got {0:?}")]
    InvalidRules(String),
    #[error("Invalid subject {0}")]
    InvalidSubject(String),
    /// A rule set (or metadata) that is malformed, or a rule that does not compile.
    #[error("Invalid ruleset: {0}")]
    InvalidRuleSet(String),
    /// A token the console was asked to create with a bad name, role or scope.
    #[error("Invalid token: {0}")]
    InvalidToken(String),
    #[error("{0}")]
    NotPermitted(String),
    #[error("Subject {0} is in read-only mode")]
    ReadOnly(String),
    #[error("Schema being registered is incompatible with an earlier schema for subject \"{subject}\", details: [{}]", changes.iter().map(BreakingChange::line).collect::<Vec<_>>().join(", "))]
    Incompatible {
        subject: String,
        changes: Vec<BreakingChange>,
    },
    #[error("One or more references exist to the schema {{subject={0},version={1}}}")]
    Referenced(String, i64),
    /// The database does not answer: may succeed later.
    #[error("the database is unreachable: {0}")]
    Unavailable(#[source] StoreError),
    /// The database failed: logged, never echoed.
    #[error("the database failed: {0}")]
    Storage(#[source] StoreError),
    /// A bug or a broken invariant: logged, never echoed.
    #[error("Internal error")]
    Internal(String),
}

impl From<StoreError> for Error {
    fn from(e: StoreError) -> Error {
        match e {
            StoreError::Unreachable(_) => Error::Unavailable(e),
            StoreError::Conflict(m) => Error::NotPermitted(m),
            StoreError::Database(_) => Error::Storage(e),
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
