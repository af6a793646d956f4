//! What the layer is told: where a payload's subject comes from, which field names its version,
//! how large a body may be.

/// Where the subject of a payload is found.
#[derive(Debug, Clone)]
pub enum SubjectFrom {
    /// One subject for the route the layer wraps.
    Route(String),
    /// A request header, e.g. `X-Event-Type`.
    Header(String),
    /// A top-level string field of the payload, e.g. `event_type`.
    Field(String),
}

#[derive(Debug, Clone)]
pub struct EdgeConfig {
    pub subject: SubjectFrom,
    /// The payload field naming the schema version (absent: the subject's latest version).
    pub version_field: String,
    /// Bodies larger than this are refused with 413 before they are read in full.
    pub max_body: usize,
}

impl EdgeConfig {
    pub fn new(subject: SubjectFrom) -> EdgeConfig {
        EdgeConfig {
            subject,
            version_field: "schema_version".into(),
            max_body: 1 << 20,
        }
    }

    pub fn max_body(mut self, bytes: usize) -> Self {
        self.max_body = bytes;
        self
    }

    pub fn version_field(mut self, field: &str) -> Self {
        self.version_field = field.to_string();
        self
    }
}
