//! Edge validation for axum services: [`ValidateEventsLayer`] checks each JSON body against the
//! registered version its `schema_version` names (through a
//! [`registry_client::ValidatorCache`]) before the handler sees it. Valid payloads pass on
//! untouched; the rest get a JSON error naming each violation. See `examples/ingest.rs`.

mod config;
mod layer;
mod metrics;
mod reject;

pub use config::{EdgeConfig, SubjectFrom};
pub use layer::{ValidateEvents, ValidateEventsLayer};
pub use metrics::EdgeMetrics;
pub use reject::Rejection;
