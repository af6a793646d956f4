//! What a schema may cost before the registry stores it: size, nesting depth, properties, and
//! `pattern`s that can be matched without backtracking. Payload validators compile these
//! patterns; one needing backtracking (lookaround, backreferences) can take exponential time on
//! a crafted string, so it is refused at registration with its place in the schema.

use schema_core::subschemas::for_each_subschema;
use schema_core::Document;
use serde_json::Value;

#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_schema_bytes: usize,
    pub max_depth: usize,
    pub max_properties: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_schema_bytes: 1024 * 1024,
            max_depth: 64,
            max_properties: 10_000,
        }
    }
}

/// The compiled size a `pattern` may reach.
const PATTERN_SIZE: usize = 1 << 20;

fn depth(v: &Value) -> usize {
    // Iterative: the document may be as deep as the JSON parser allowed.
    let mut deepest = 0;
    let mut stack = vec![(v, 1)];
    while let Some((v, d)) = stack.pop() {
        deepest = deepest.max(d);
        match v {
            Value::Object(m) => stack.extend(m.values().map(|c| (c, d + 1))),
            Value::Array(a) => stack.extend(a.iter().map(|c| (c, d + 1))),
            _ => {}
        }
    }
    deepest
}

impl Limits {
    /// The raw text's size, before anything parses it.
    pub fn check_text(&self, text: &str) -> Result<(), String> {
        if text.len() > self.max_schema_bytes {
            return Err(format!(
                "the schema is {} bytes; the limit is {}",
                text.len(),
                self.max_schema_bytes
            ));
        }
        Ok(())
    }

    /// Depth, property count and patterns of a parsed schema; the error names the place.
    pub fn check(&self, doc: &Document) -> Result<(), String> {
        let d = depth(&doc.root);
        if d > self.max_depth {
            return Err(format!(
                "the schema nests {d} levels deep; the limit is {}",
                self.max_depth
            ));
        }
        let mut properties = 0;
        let mut problem = None;
        for_each_subschema(&doc.root, doc.draft, "", &mut |at, s| {
            if let Some(Value::Object(p)) = s.get("properties") {
                properties += p.len();
            }
            let mut patterns: Vec<(String, &str)> = Vec::new();
            if let Some(Value::String(p)) = s.get("pattern") {
                patterns.push((format!("{at}/pattern"), p));
            }
            if let Some(Value::Object(pp)) = s.get("patternProperties") {
                for k in pp.keys() {
                    patterns.push((format!("{at}/patternProperties"), k));
                }
            }
            for (pointer, p) in patterns {
                if problem.is_some() {
                    break;
                }
                if let Err(e) = regex::RegexBuilder::new(p).size_limit(PATTERN_SIZE).build() {
                    let why = match e {
                        regex::Error::CompiledTooBig(_) => "it compiles too large".to_string(),
                        other => format!(
                            "it needs a backtracking engine (lookaround or backreferences), which a crafted string can keep busy for exponential time: {}",
                            other.to_string().lines().last().unwrap_or("")
                        ),
                    };
                    problem = Some(format!("pattern {p:?} at {pointer} is refused: {why}"));
                }
            }
        });
        if let Some(p) = problem {
            return Err(p);
        }
        if properties > self.max_properties {
            return Err(format!(
                "the schema declares {properties} properties; the limit is {}",
                self.max_properties
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(schema: &str) -> Result<(), String> {
        Limits {
            max_schema_bytes: 1 << 20,
            max_depth: 8,
            max_properties: 3,
        }
        .check(&Document::parse("t", schema).unwrap())
    }

    #[test]
    fn safe_patterns_pass_backtracking_ones_are_named() {
        assert!(check(r#"{"properties":{"a":{"pattern":"^[a-z]+$"}}}"#).is_ok());
        let e = check(r#"{"properties":{"a":{"pattern":"^(?=a)a+$"}}}"#).unwrap_err();
        assert!(e.contains("/properties/a/pattern"), "{e}");
        assert!(e.contains("backtracking"), "{e}");
        let e = check(r#"{"patternProperties":{"(a)\\1":{}}}"#).unwrap_err();
        assert!(e.contains("/patternProperties"), "{e}");
    }

    #[test]
    fn depth_and_property_counts_are_bounded() {
        let deep = format!(
            "{}{}",
            r#"{"items":"#.repeat(10),
            "{}".to_string() + &"}".repeat(10)
        );
        assert!(check(&deep).unwrap_err().contains("levels deep"));
        let many = r#"{"properties":{"a":{},"b":{},"c":{},"d":{}}}"#;
        assert!(check(many).unwrap_err().contains("4 properties"));
    }
}
