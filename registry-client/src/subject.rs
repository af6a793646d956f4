//! Subjects in URLs.

/// A subject as one URL path segment, percent-encoded: Confluent subjects may hold `/`, `:` and
/// spaces, which must not split the path.
pub fn segment(subject: &str) -> String {
    let mut out = String::with_capacity(subject.len());
    for b in subject.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::segment;

    #[test]
    fn reserved_bytes_are_escaped() {
        assert_eq!(segment("widgets.WidgetCreated"), "widgets.WidgetCreated");
        assert_eq!(segment("a/b c:d"), "a%2Fb%20c%3Ad");
        assert_eq!(segment("é"), "%C3%A9");
    }
}
