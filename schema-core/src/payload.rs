//! Payloads read for validation. A payload is parsed by serde_json, the same parser as the
//! `serde_json::Value` path, but into a flat tape: one `Vec` of slots, strings borrowed from the
//! payload's bytes unless they hold escapes, no map per object. The `jsonschema` validator reads
//! the tape in place through its custom-representation trait. What is JSON, the nesting limit
//! and every number are therefore serde_json's on both paths; the one difference, duplicate
//! keys (a `Value` keeps the last), sends such a payload to the `Value` path.
//!
//! (A first version parsed with simd-json; fuzzing found it accepting a NUL byte, bytes after a
//! bare scalar and a number with two decimal points, so the parse is serde_json's.)

use std::borrow::Cow;
use std::fmt;

use jsonschema::json::{Array, Json, JsonNumber, Node, NodeIdentity, Object};
use jsonschema::types::JsonType;
use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

/// One line of an NDJSON stream as every reader here takes it (the CLI, the server's batch
/// endpoint): the line end (LF or CRLF) is not part of the payload, a UTF-8 byte-order mark
/// before the first line is not either, and a line of only whitespace holds no payload (`None`;
/// it still counts in line numbers). `line` is 1-based.
pub fn ndjson_payload(line: u64, raw: &[u8]) -> Option<&[u8]> {
    let raw = raw.strip_suffix(b"\n").unwrap_or(raw);
    let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
    let raw = match line {
        1 => raw.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(raw),
        _ => raw,
    };
    (!raw.iter().all(u8::is_ascii_whitespace)).then_some(raw)
}

#[cfg(test)]
mod ndjson_tests {
    use super::ndjson_payload;

    #[test]
    fn line_ends_bom_and_blank_lines() {
        assert_eq!(ndjson_payload(1, b"\xEF\xBB\xBF{}\r\n"), Some(&b"{}"[..]));
        // A mark anywhere but before the first line is the payload's (and not JSON).
        assert_eq!(
            ndjson_payload(2, b"\xEF\xBB\xBF{}\n"),
            Some(&b"\xEF\xBB\xBF{}"[..])
        );
        assert_eq!(ndjson_payload(3, b"{}"), Some(&b"{}"[..]));
        assert_eq!(ndjson_payload(4, b"  \t\r\n"), None);
        assert_eq!(ndjson_payload(1, b"\xEF\xBB\xBF\n"), None);
    }
}

/// One tape slot. Containers are followed by their entries (objects: key, value, key, ...);
/// `count` is how many slots the entries take.
#[derive(Debug, Clone, PartialEq)]
pub enum Slot<'a> {
    Null,
    Bool(bool),
    U64(u64),
    I64(i64),
    F64(f64),
    Str(Cow<'a, str>),
    Object { len: usize, count: usize },
    Array { len: usize, count: usize },
}

/// Reads many payloads, reusing what it learns of their size.
#[derive(Default)]
pub struct Reader {
    /// The last tape's length: the next one starts with room for it.
    hint: usize,
}

/// One parsed payload.
pub enum Payload<'a> {
    Tape(Vec<Slot<'a>>),
    Value(Value),
}

/// A top-level string field of a payload, as `schema_version` routing needs it.
pub enum Field<'a> {
    Missing,
    Str(Cow<'a, str>),
    /// Present but not a string: its JSON text.
    Other(String),
}

impl Reader {
    /// Parses one payload. The error is serde_json's, with its line and column.
    pub fn read<'r>(&mut self, raw: &'r [u8]) -> Result<Payload<'r>, serde_json::Error> {
        let mut tape = Vec::with_capacity(self.hint.max(16));
        // One UTF-8 check of the whole payload, then the `&str` reader, which skips the check
        // per string that the byte reader makes (measured: 17% of a parse).
        match std::str::from_utf8(raw) {
            Ok(text) => build(serde_json::Deserializer::from_str(text), &mut tape)?,
            Err(_) => build(serde_json::Deserializer::from_slice(raw), &mut tape)?,
        }
        self.hint = tape.len();
        if has_duplicate_keys(&tape) {
            return serde_json::from_slice(raw).map(Payload::Value);
        }
        Ok(Payload::Tape(tape))
    }
}

fn build<'de, R: serde_json::de::Read<'de>>(
    mut de: serde_json::Deserializer<R>,
    tape: &mut Vec<Slot<'de>>,
) -> Result<(), serde_json::Error> {
    Build { tape }.deserialize(&mut de)?;
    de.end()
}

/// Appends one value to the tape as serde_json reads it.
struct Build<'t, 'de> {
    tape: &'t mut Vec<Slot<'de>>,
}

impl<'de> DeserializeSeed<'de> for Build<'_, 'de> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Build<'_, 'de> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_unit<E>(self) -> Result<(), E> {
        self.tape.push(Slot::Null);
        Ok(())
    }

    fn visit_none<E>(self) -> Result<(), E> {
        self.tape.push(Slot::Null);
        Ok(())
    }

    fn visit_bool<E>(self, b: bool) -> Result<(), E> {
        self.tape.push(Slot::Bool(b));
        Ok(())
    }

    fn visit_u64<E>(self, n: u64) -> Result<(), E> {
        self.tape.push(Slot::U64(n));
        Ok(())
    }

    fn visit_i64<E>(self, n: i64) -> Result<(), E> {
        self.tape.push(Slot::I64(n));
        Ok(())
    }

    fn visit_f64<E>(self, n: f64) -> Result<(), E> {
        self.tape.push(Slot::F64(n));
        Ok(())
    }

    fn visit_borrowed_str<E>(self, s: &'de str) -> Result<(), E> {
        self.tape.push(Slot::Str(Cow::Borrowed(s)));
        Ok(())
    }

    fn visit_str<E>(self, s: &str) -> Result<(), E> {
        // Only strings with escapes arrive here: they need their own storage.
        self.tape.push(Slot::Str(Cow::Owned(s.to_owned())));
        Ok(())
    }

    fn visit_string<E>(self, s: String) -> Result<(), E> {
        self.tape.push(Slot::Str(Cow::Owned(s)));
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let at = self.tape.len();
        self.tape.push(Slot::Array { len: 0, count: 0 });
        let mut len = 0;
        while seq
            .next_element_seed(Build {
                tape: &mut *self.tape,
            })?
            .is_some()
        {
            len += 1;
        }
        let count = self.tape.len() - at - 1;
        self.tape[at] = Slot::Array { len, count };
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let at = self.tape.len();
        self.tape.push(Slot::Object { len: 0, count: 0 });
        let mut len = 0;
        while map
            .next_key_seed(Build {
                tape: &mut *self.tape,
            })?
            .is_some()
        {
            map.next_value_seed(Build {
                tape: &mut *self.tape,
            })?;
            len += 1;
        }
        let count = self.tape.len() - at - 1;
        self.tape[at] = Slot::Object { len, count };
        Ok(())
    }
}

const SMALL_OBJECT: usize = 16;

/// Whether any object on the tape repeats a key (a `Value` would keep only the last).
fn has_duplicate_keys(tape: &[Slot<'_>]) -> bool {
    tape.iter().enumerate().any(|(i, slot)| match slot {
        Slot::Object { len, .. } if *len > 1 => object_repeats(&tape[i..], *len),
        _ => false,
    })
}

fn object_repeats(object: &[Slot<'_>], len: usize) -> bool {
    let mut keys = TapeObject { nodes: object, len }.members().map(|(k, _)| k);
    if len <= SMALL_OBJECT {
        // Pairwise on the stack: event objects are small, and this runs for every one.
        let mut seen = [""; SMALL_OBJECT];
        for (i, k) in keys.enumerate() {
            if seen[..i].contains(&k) {
                return true;
            }
            seen[i] = k;
        }
        return false;
    }
    let mut seen = std::collections::HashSet::with_capacity(len);
    !keys.all(|k| seen.insert(k))
}

impl Payload<'_> {
    /// A top-level field, for routing by `schema_version`.
    pub fn field(&self, name: &str) -> Field<'_> {
        match self {
            Payload::Value(v) => match v.get(name) {
                None => Field::Missing,
                Some(Value::String(s)) => Field::Str(Cow::Borrowed(s)),
                Some(other) => Field::Other(other.to_string()),
            },
            Payload::Tape(t) => {
                // Called per payload (routing): no key allocation, unlike `Object::get`.
                let member = TapeNode(t)
                    .as_object()
                    .and_then(|o| o.members().find(|(k, _)| *k == name).map(|(_, v)| v));
                match member {
                    None => Field::Missing,
                    Some(TapeNode([Slot::Str(s), ..])) => Field::Str(Cow::Borrowed(s)),
                    Some(other) => Field::Other(other.to_value().to_string()),
                }
            }
        }
    }

    /// The payload as a `Value` (for error reports and dead-letter records).
    pub fn to_value(&self) -> Value {
        match self {
            Payload::Value(v) => v.clone(),
            Payload::Tape(t) => TapeNode(t).to_value().into_owned(),
        }
    }
}

/// The tape as a representation the `jsonschema` validator reads.
pub struct TapeJson;

/// A node: the tape from the node's header on (its subtree is the first `count()` entries).
#[derive(Clone, Copy)]
pub struct TapeNode<'a>(pub &'a [Slot<'a>]);

#[derive(Clone, Copy)]
pub struct TapeObject<'a> {
    nodes: &'a [Slot<'a>],
    len: usize,
}

#[derive(Clone, Copy)]
pub struct TapeArray<'a> {
    nodes: &'a [Slot<'a>],
    len: usize,
}

#[derive(Clone)]
pub struct TapeNumber(Number);

/// Entries a node takes on the tape, its own header included.
fn span(node: &Slot<'_>) -> usize {
    match node {
        Slot::Object { count, .. } | Slot::Array { count, .. } => count + 1,
        _ => 1,
    }
}

impl<'a> TapeNode<'a> {
    fn head(&self) -> &'a Slot<'a> {
        &self.0[0]
    }
}

impl Json for TapeJson {
    type Node<'a> = TapeNode<'a>;
    type PreparedKey = String;
    type StringBuffer = ();
    // A lookup is a linear scan of the object's keys.
    const KEYS_PER_LOOKUP: usize = 4;
    const ACYCLIC: bool = true;

    fn prepare_key(key: &str) -> String {
        key.to_owned()
    }

    fn with_string_node<T>((): &mut (), string: &str, f: impl FnOnce(TapeNode<'_>) -> T) -> T {
        let node = [Slot::Str(Cow::Borrowed(string))];
        f(TapeNode(&node))
    }
}

impl<'a> Node<'a, TapeJson> for TapeNode<'a> {
    type Object = TapeObject<'a>;
    type Array = TapeArray<'a>;
    type Number = TapeNumber;

    fn as_object(&self) -> Option<TapeObject<'a>> {
        match *self.head() {
            Slot::Object { len, .. } => Some(TapeObject { nodes: self.0, len }),
            _ => None,
        }
    }

    fn as_array(&self) -> Option<TapeArray<'a>> {
        match *self.head() {
            Slot::Array { len, .. } => Some(TapeArray { nodes: self.0, len }),
            _ => None,
        }
    }

    fn as_string(&self) -> Option<Cow<'a, str>> {
        match self.head() {
            Slot::Str(s) => Some(Cow::Borrowed(s.as_ref())),
            _ => None,
        }
    }

    fn as_number(&self) -> Option<TapeNumber> {
        match *self.head() {
            Slot::U64(n) => Some(TapeNumber(Number::from(n))),
            Slot::I64(n) => Some(TapeNumber(Number::from(n))),
            // serde_json never reads a non-finite number.
            Slot::F64(f) => Number::from_f64(f).map(TapeNumber),
            _ => None,
        }
    }

    fn as_boolean(&self) -> Option<bool> {
        match *self.head() {
            Slot::Bool(b) => Some(b),
            _ => None,
        }
    }

    fn is_null(&self) -> bool {
        matches!(self.head(), Slot::Null)
    }

    fn json_type(&self) -> JsonType {
        match self.head() {
            Slot::Str(_) => JsonType::String,
            Slot::Object { .. } => JsonType::Object,
            Slot::Array { .. } => JsonType::Array,
            Slot::Bool(_) => JsonType::Boolean,
            Slot::Null => JsonType::Null,
            Slot::U64(_) | Slot::I64(_) | Slot::F64(_) => JsonType::Number,
        }
    }

    fn equals_value(&self, expected: &Value) -> bool {
        // `const`/`enum` on strings is the common case: compare without building a Value.
        match (self.head(), expected) {
            (Slot::Str(s), Value::String(e)) => s == e,
            (Slot::Str(_), _) => false,
            _ => jsonschema::json::cmp::equal(&self.to_value(), expected),
        }
    }

    fn to_value(&self) -> Cow<'a, Value> {
        Cow::Owned(match self.head() {
            Slot::Str(s) => Value::String(s.to_string()),
            Slot::Null => Value::Null,
            Slot::Bool(b) => Value::Bool(*b),
            Slot::U64(_) | Slot::I64(_) | Slot::F64(_) => {
                self.as_number().map_or(Value::Null, |n| Value::Number(n.0))
            }
            Slot::Object { .. } => Value::Object(
                self.as_object()
                    .into_iter()
                    .flat_map(|o| o.members())
                    .map(|(k, v)| (k.to_owned(), v.to_value().into_owned()))
                    .collect::<Map<_, _>>(),
            ),
            Slot::Array { .. } => Value::Array(
                self.as_array()
                    .into_iter()
                    .flat_map(|a| a.elements())
                    .map(|v| v.to_value().into_owned())
                    .collect(),
            ),
        })
    }

    fn identity(&self) -> Option<NodeIdentity> {
        Some(NodeIdentity::new(self.0.as_ptr() as usize))
    }
}

/// Steps over `(name, value)` pairs or elements of a container on the tape.
pub struct Entries<'a> {
    rest: &'a [Slot<'a>],
    left: usize,
}

impl<'a> Entries<'a> {
    fn next_node(&mut self) -> TapeNode<'a> {
        let n = span(&self.rest[0]);
        let node = TapeNode(&self.rest[..n]);
        self.rest = &self.rest[n..];
        node
    }
}

/// Members of an object.
pub struct Members<'a>(Entries<'a>);

impl<'a> Iterator for Members<'a> {
    type Item = (&'a str, TapeNode<'a>);

    fn next(&mut self) -> Option<Self::Item> {
        if self.0.left == 0 {
            return None;
        }
        self.0.left -= 1;
        let key = match &self.0.next_node().0[0] {
            Slot::Str(k) => k.as_ref(),
            // serde_json only reads string keys; an odd tape ends the walk.
            _ => return None,
        };
        Some((key, self.0.next_node()))
    }
}

/// Elements of an array.
pub struct Elements<'a>(Entries<'a>);

impl<'a> Iterator for Elements<'a> {
    type Item = TapeNode<'a>;

    fn next(&mut self) -> Option<TapeNode<'a>> {
        if self.0.left == 0 {
            return None;
        }
        self.0.left -= 1;
        Some(self.0.next_node())
    }
}

impl<'a> Object<'a, TapeJson> for TapeObject<'a> {
    type Node = TapeNode<'a>;
    type MemberName = &'a str;
    type MembersIter = Members<'a>;

    fn len(&self) -> usize {
        self.len
    }

    fn get(&self, key: &String) -> Option<TapeNode<'a>> {
        self.members().find(|(k, _)| *k == key).map(|(_, v)| v)
    }

    fn members(&self) -> Members<'a> {
        Members(Entries {
            rest: &self.nodes[1..],
            left: self.len,
        })
    }
}

impl<'a> Array<'a, TapeJson> for TapeArray<'a> {
    type Node = TapeNode<'a>;
    type ElementsIter = Elements<'a>;

    fn len(&self) -> usize {
        self.len
    }

    fn elements(&self) -> Elements<'a> {
        Elements(Entries {
            rest: &self.nodes[1..],
            left: self.len,
        })
    }
}

// A tape number is serde_json's own number, so it answers exactly as a `Value`'s does.
impl JsonNumber for TapeNumber {
    fn as_u64(&self) -> Option<u64> {
        JsonNumber::as_u64(&self.0)
    }

    fn as_i64(&self) -> Option<i64> {
        JsonNumber::as_i64(&self.0)
    }

    fn as_f64(&self) -> Option<f64> {
        JsonNumber::as_f64(&self.0)
    }

    fn as_str(&self) -> Cow<'_, str> {
        JsonNumber::as_str(&self.0)
    }

    fn to_number(&self) -> Cow<'_, Number> {
        Cow::Borrowed(&self.0)
    }

    fn is_integer(&self) -> bool {
        JsonNumber::is_integer(&self.0)
    }

    fn is_written_as_integer(&self) -> bool {
        JsonNumber::is_written_as_integer(&self.0)
    }
}
