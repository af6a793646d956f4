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

/// Decodes the `%XX` escapes a URI fragment may carry (`#/$defs/a%20b`).
pub fn percent_decode(s: &str) -> String {
    if !s.contains('%') {
        return s.to_string();
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let Ok(b) = u8::from_str_radix(&s[i + 1..i + 3], 16) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_round_trip() {
        let p = join("", &["properties", "a/b~c"]);
        assert_eq!(p, "/properties/a~1b~0c");
        assert_eq!(tokens(&p), vec!["properties", "a/b~c"]);
        assert_eq!(percent_decode("/a%20b"), "/a b");
    }
}
