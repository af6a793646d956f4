//! The error body of every failed call.

use serde::{Deserialize, Serialize};

use crate::BreakingChange;

/// The `error_code` of a registration refused as incompatible (HTTP 409), as Confluent has it.
pub const CONFLICT_INCOMPATIBLE: i64 = 409;

/// Confluent's `{"error_code": …, "message": …}`; a 409 also lists its breaking changes, typed,
/// so no client has to take the message apart.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorBody {
    pub error_code: i64,
    pub message: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub changes: Vec<BreakingChange>,
}
