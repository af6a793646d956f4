//! Times as the registry writes them (RFC 3339, UTC, milliseconds) and reads them from people
//! and clients.

/// Milliseconds since the epoch as RFC 3339 UTC (`2026-12-02T11:30:00.123Z`).
pub fn rfc3339(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms).map_or_else(
        || format!("{ms}ms"),
        |t| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
    )
}

/// A time a person or a client writes, as milliseconds since the epoch: RFC 3339
/// (`2026-12-02T11:30:00Z`), or without a zone as UTC (`2026-12-02T11:30`, what a browser's
/// date-time field sends), or a day (`2026-12-02`, its midnight UTC).
pub fn parse_time(text: &str) -> Option<i64> {
    use chrono::{NaiveDate, NaiveDateTime};
    let text = text.trim();
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(text) {
        return Some(t.timestamp_millis());
    }
    for format in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
    ] {
        if let Ok(t) = NaiveDateTime::parse_from_str(text, format) {
            return Some(t.and_utc().timestamp_millis());
        }
    }
    let day = NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()?;
    Some(day.and_hms_opt(0, 0, 0)?.and_utc().timestamp_millis())
}

#[cfg(test)]
mod tests {
    #[test]
    fn rfc3339_of_known_instants() {
        assert_eq!(super::rfc3339(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(super::rfc3339(951_782_400_000), "2000-02-29T00:00:00.000Z");
        assert_eq!(
            super::rfc3339(1_796_211_000_123),
            "2026-12-02T11:30:00.123Z"
        );
        assert_eq!(super::rfc3339(-1), "1969-12-31T23:59:59.999Z");
    }

    #[test]
    fn times_as_people_and_browsers_write_them() {
        let at = Some(1_796_211_000_123);
        assert_eq!(super::parse_time("2026-12-02T11:30:00.123Z"), at);
        assert_eq!(super::parse_time("2026-12-02T12:30:00.123+01:00"), at);
        assert_eq!(super::parse_time("2026-12-02T11:30:00.123"), at);
        assert_eq!(
            super::parse_time(" 2026-12-02T11:30 "),
            Some(1_796_211_000_000)
        );
        assert_eq!(
            super::parse_time("2026-12-02 11:30"),
            Some(1_796_211_000_000)
        );
        assert_eq!(super::parse_time("2026-12-02"), Some(1_796_169_600_000));
        for bad in [
            "",
            "yesterday",
            "2026-13-01",
            "2026-12-02T25:00",
            "1796211000123",
        ] {
            assert_eq!(super::parse_time(bad), None, "{bad:?}");
        }
    }
}
