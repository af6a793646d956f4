//! RFC 6901 JSON pointers: building them segment by segment and escaping `~` and `/`.
//! Every pointer the engine reports goes through here, so a pointer always resolves with
//! `serde_json::Value::pointer`.

/// Escapes one reference token (`~` → `~0`, `/` → `~1`).
pub fn escape(token: &str) -> String {
    if !token.contains(['~', '/']) {
        return token.to_string();
    }
    token.replace('~', "~0").replace('/', "~1")
}

/// Undoes [`escape`].
pub fn unescape(token: &str) -> String {
    if !token.contains('~') {
        return token.to_string();
    }
    token.replace("~1", "/").replace("~0", "~")
}

/// `base` extended by the given raw (unescaped) tokens.
pub fn join(base: &str, tokens: &[&str]) -> String {
    let mut out = String::with_capacity(base.len() + 16);
    out.push_str(base);
    for t in tokens {
        out.push('/');
        out.push_str(&escape(t));
    }
    out
}

/// Splits a pointer into unescaped tokens. `""` is the root and has none.
pub fn tokens(pointer: &str) -> Vec<String> {
    if pointer.is_empty() {
        return Vec::new();
    }
    pointer
        .trim_start_matches('/')
        .split('/')
        .map(unescape)
        .collect()
}

/// Decodes the `%XX` escapes a URI fragment may carry (`#/$defs/a%20b`). `None` when the
/// decoded bytes are not UTF-8: such a fragment names no location. A `%` not followed by two hex
/// digits stays as it is.
pub fn percent_decode(s: &str) -> Option<String> {
    percent_encoding::percent_decode_str(s)
        .decode_utf8()
        .ok()
        .map(|c| c.into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_round_trip() {
        let p = join("", &["properties", "a/b~c"]);
        assert_eq!(p, "/properties/a~1b~0c");
        assert_eq!(tokens(&p), vec!["properties", "a/b~c"]);
        assert_eq!(percent_decode("/a%20b").as_deref(), Some("/a b"));
    }

    #[test]
    fn odd_fragments_never_panic() {
        // `%a` followed by a multi-byte character once sliced inside the character.
        for f in [
            "/%aé", "/%", "/%%", "/%é", "/%e9", "/%ff%fe", "/é%2", "%", "/%C3%A9",
        ] {
            let _ = percent_decode(f);
        }
        assert_eq!(percent_decode("/%aé").as_deref(), Some("/%aé"));
        assert_eq!(percent_decode("/%ff"), None);
        assert_eq!(percent_decode("/%C3%A9").as_deref(), Some("/é"));
    }
}
