//! A typed client of the registry's REST API (the Confluent Schema Registry API, so it talks to
//! schemagate's server and to any compatible registry), and a cache of compiled validators keyed
//! by (subject, schema_version) for validating payloads at the edge.
//!
//! - [`Client`]: async calls with typed answers and typed errors ([`Error`]).
//! - [`blocking::Client`]: the same calls for command-line tools.
//! - [`ValidatorCache`]: compiled validators that outlive registry outages.

pub mod blocking;
pub mod cache;
pub mod client;
pub mod credentials;
pub mod error;
pub mod subject;
pub mod verdict;

pub use cache::{CacheError, CacheOptions, CacheStats, Entry, Lookup, ValidatorCache};
pub use client::{Auth, Client, Compatibility, Registered};
pub use credentials::Credentials;
pub use error::Error;
pub use subject::segment;
pub use verdict::Verdict;
