//! The registry's wire contract, one definition for every side of it: the server's handlers
//! answer with these types, `registry-client` reads them, and import/export moves them.
//!
//! Request bodies keep Confluent's loose fields as strings (a level or mode a client misspells
//! must reach the server's validation and get Confluent's 422 code, not a generic 400); answers
//! use the enums.

mod compat;
mod config;
mod contracts;
mod error;
mod schemas;

pub use compat::{BreakingChange, CompatibilityAnswer};
pub use config::{ConfigAnswer, ConfigRequest, ConfigUpdate, Level, Mode, ModeAnswer, ModeRequest};
pub use contracts::{
    ConfigContracts, Metadata, Rule, RuleSet, RULE_ACTIONS, RULE_KINDS, RULE_MODES,
};
pub use error::{ErrorBody, CONFLICT_INCOMPATIBLE};
pub use schemas::{
    Reference, RegisterAnswer, SchemaById, SchemaRequest, SubjectVersion, SubjectVersionPair,
};

/// Confluent's media type, sent and accepted by every call.
pub const CONTENT_TYPE: &str = "application/vnd.schemaregistry.v1+json";
