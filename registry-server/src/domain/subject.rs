//! Subject names, with Confluent's schema contexts: `:.staging:orders-value` is the subject
//! `orders-value` in the context `.staging`; a name without that prefix is in the default
//! context `.`. Contexts are namespaces of names here; ids stay global (see the README).

use super::{Error, Result};

/// The context a subject name is in (`.` for the default one), when the name is well formed.
pub fn context_of(name: &str) -> Option<&str> {
    let Some(rest) = name.strip_prefix(':') else {
        return Some(".");
    };
    let (context, subject) = rest.split_once(':')?;
    let well_formed = context.starts_with('.')
        && context
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
        && !subject.is_empty();
    well_formed.then_some(context)
}

/// Refuses a name no subject may have (Confluent's 42208): control characters, or a context
/// prefix that is not `:.context:` followed by a name.
pub fn check(name: &str) -> Result<()> {
    if name.is_empty() || name.chars().any(char::is_control) {
        return Err(Error::InvalidSubject(format!(
            "{name:?}: a subject name is not empty and has no control characters"
        )));
    }
    if context_of(name).is_none() {
        return Err(Error::InvalidSubject(format!(
            "{name:?}: a context-qualified name is `:.context:subject` (the context starts with a dot and holds letters, digits, `.`, `_` and `-`)"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contexts_are_read_from_names() {
        assert_eq!(context_of("orders-value"), Some("."));
        assert_eq!(context_of(":.staging:orders-value"), Some(".staging"));
        assert_eq!(context_of(":.a.b:x:y"), Some(".a.b"));
        for bad in [
            ":staging:orders",
            ":.staging",
            ":.staging:",
            ":.st ag:x",
            ":",
        ] {
            assert_eq!(context_of(bad), None, "{bad}");
            assert!(check(bad).is_err(), "{bad}");
        }
        assert!(check("a\u{0}b").is_err());
        assert!(check("orders-value").is_ok());
    }
}
