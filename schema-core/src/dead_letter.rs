//! Dead-letter records: an event that failed validation, kept byte for byte with where it came
//! from and why it failed, one JSON line each. A JSON event is embedded as written (its numbers,
//! key order, duplicate keys and spacing untouched: `123456789012345678901234567890` stays
//! that, `-0` stays `-0`); text that is not JSON is kept as a string; bytes that are not UTF-8
//! are kept in base64. [`payload_of`] reads the event back, so a dead-letter file can be
//! validated or replayed again and yields the bytes that arrived.

use base64::Engine;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use crate::validate::Violation;

/// One dead-letter line as written.
#[derive(Debug, Serialize)]
pub struct DeadLetter<'a> {
    /// The input the event came from (file, stream).
    pub source: &'a str,
    /// Its line (or record number) in that input, from 1.
    pub line: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<i64>,
    pub errors: &'a [Violation],
    #[serde(flatten)]
    pub payload: Kept<'a>,
}

/// The event, in the most faithful form its bytes allow.
#[derive(Debug, Serialize)]
pub enum Kept<'a> {
    /// Valid JSON, embedded exactly as written.
    #[serde(rename = "payload")]
    Json(&'a RawValue),
    /// UTF-8 text that is not one JSON value.
    #[serde(rename = "payload_raw")]
    Text(&'a str),
    /// Bytes that are not UTF-8.
    #[serde(rename = "payload_base64")]
    Bytes(String),
}

impl<'a> Kept<'a> {
    /// Keeps `bytes` (one event, line end already removed).
    pub fn of(bytes: &'a [u8]) -> Kept<'a> {
        let Ok(text) = std::str::from_utf8(bytes) else {
            return Kept::Bytes(base64::engine::general_purpose::STANDARD.encode(bytes));
        };
        // A line break (pretty-printed JSON) would split the record's line; surrounding spaces
        // are not part of a raw JSON value: such events are kept as text.
        if text.contains(['\n', '\r']) {
            return Kept::Text(text);
        }
        match serde_json::from_str::<&RawValue>(text) {
            Ok(raw) if raw.get() == text => Kept::Json(raw),
            _ => Kept::Text(text),
        }
    }
}

/// What a dead-letter line holds, for reading it back.
#[derive(Deserialize)]
struct Record<'a> {
    #[serde(borrow, default)]
    payload: Option<&'a RawValue>,
    #[serde(default)]
    payload_raw: Option<String>,
    #[serde(default)]
    payload_base64: Option<String>,
}

/// The event bytes a dead-letter line holds, exactly as they arrived.
pub fn payload_of(line: &[u8]) -> Result<Vec<u8>, String> {
    let record: Record<'_> = serde_json::from_slice(line)
        .map_err(|e| format!("not a dead-letter record (a JSON object per line): {e}"))?;
    match (record.payload, record.payload_raw, record.payload_base64) {
        (Some(raw), None, None) => Ok(raw.get().as_bytes().to_vec()),
        (None, Some(text), None) => Ok(text.into_bytes()),
        (None, None, Some(b64)) => base64::engine::general_purpose::STANDARD
            .decode(b64)
            .map_err(|e| format!("payload_base64 is not base64: {e}")),
        _ => Err(
            "a dead-letter record holds exactly one of payload, payload_raw and payload_base64"
                .into(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(bytes: &[u8]) -> (String, Vec<u8>) {
        let line = serde_json::to_string(&DeadLetter {
            source: "in.ndjson",
            line: 7,
            subject: None,
            version: None,
            errors: &[],
            payload: Kept::of(bytes),
        })
        .unwrap();
        let back = payload_of(line.as_bytes()).unwrap();
        (line, back)
    }

    #[test]
    fn every_kind_of_event_comes_back_byte_for_byte() {
        let cases: [&[u8]; 9] = [
            b"{\n  \"pretty\": 5\r\n}",
            br#"{"n":123456789012345678901234567890}"#,
            br#"{"z":-0,"a":1E2,"b":1.50}"#,
            br#"{"k":1,"k":2}"#,
            br#"{ "spaced" :  [1, 2] }"#,
            b"{\"broken\": ",
            b" 1 ",
            b"\xff\xfe not utf-8",
            br#""caf\u00e9 \ud83d\ude00""#,
        ];
        for bytes in cases {
            let (line, back) = round_trip(bytes);
            assert_eq!(back, bytes, "{line}");
            // One line: the record never breaks the NDJSON it is part of.
            assert!(!line.contains('\n'), "{line}");
        }
        let (line, _) = round_trip(br#"{"n":123456789012345678901234567890}"#);
        assert!(
            line.contains(r#""payload":{"n":123456789012345678901234567890}"#),
            "{line}"
        );
    }

    #[test]
    fn a_line_that_is_not_a_record_is_refused() {
        assert!(payload_of(b"{}").is_err());
        assert!(payload_of(b"not json").is_err());
        assert!(payload_of(br#"{"payload":1,"payload_raw":"1"}"#).is_err());
    }
}
