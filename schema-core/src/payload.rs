//! Payloads read for validation. The fast path parses a payload into a flat simd-json tape that
//! borrows the payload's bytes (no tree of maps, no allocation per node) and validates that in
//! place: measured 2.5x faster to parse than a `serde_json::Value` (bench/README.md). Anything
//! the two parsers might read differently takes the `serde_json` path instead, so a verdict never
//! depends on which path a payload took: a line simd-json refuses, nesting deeper than
//! serde_json's 128 levels, duplicate keys (serde_json keeps the last), non-finite numbers,
//! `\u` escapes and NUL bytes.

use std::borrow::Cow;

use jsonschema::json::{Array, Json, JsonNumber, Node, NodeIdentity, Object};
use jsonschema::types::JsonType;
use serde_json::{Map, Number, Value};
use simd_json::{tape, StaticNode};

/// serde_json refuses the 128th nested container (its recursion limit): deeper payloads are not
/// JSON to it, so not to us either.
const MAX_DEPTH: usize = 127;

/// Reusable buffers for reading many payloads.
#[derive(Default)]
pub struct Reader {
    buffers: simd_json::Buffers,
    /// simd-json unescapes strings in place, so it parses a copy: the caller keeps the payload
    /// exactly as read (`--valid-out` writes it byte for byte).
    scratch: Vec<u8>,
}

/// One parsed payload.
pub enum Payload<'a> {
    Tape(tape::Tape<'a>),
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
    pub fn read<'s>(&'s mut self, raw: &[u8]) -> Result<Payload<'s>, serde_json::Error> {
        // The syntax is serde_json's to judge: a pass that builds nothing (about a quarter of
        // the tape's cost) and makes "is it JSON" the same on both paths. simd-json alone let
        // through a NUL byte, bytes after a bare scalar and a number with two decimal points
        // (all found by fuzz/fuzz_targets/payload.rs).
        serde_json::from_slice::<serde::de::IgnoredAny>(raw)?;
        if !u_escape(raw) && !negative_zero(raw) {
            self.scratch.clear();
            self.scratch.extend_from_slice(raw);
            if let Ok(tape) = simd_json::to_tape_with_buffers(&mut self.scratch, &mut self.buffers)
            {
                if plain(&tape.0) {
                    return Ok(Payload::Tape(tape));
                }
            }
        }
        match std::str::from_utf8(raw) {
            Ok(text) => serde_json::from_str(text),
            Err(_) => serde_json::from_slice(raw),
        }
        .map(Payload::Value)
    }
}

fn u_escape(raw: &[u8]) -> bool {
    memchr::memmem::find(raw, b"\\u").is_some()
}

/// A bare `-0`: serde_json reads it as the float -0.0 (not an integer under draft 4), simd-json
/// as the integer 0. Dates and offsets (`-05:00`) are followed by a digit and do not count.
fn negative_zero(raw: &[u8]) -> bool {
    memchr::memmem::find_iter(raw, b"-0")
        .any(|at| !matches!(raw.get(at + 2), Some(b'0'..=b'9' | b'.' | b'e' | b'E')))
}

/// Whether a tape reads the same as serde_json would read its text: depth within the limit,
/// no duplicate keys, every number finite and of a kind serde_json has.
fn plain(nodes: &[tape::Node<'_>]) -> bool {
    // `ends[d]`: the tape index where the container open at depth `d` ends.
    let mut ends: Vec<usize> = Vec::with_capacity(16);
    let mut i = 0;
    while i < nodes.len() {
        while ends.last() == Some(&i) {
            ends.pop();
        }
        match nodes[i] {
            tape::Node::Object { len, count } => {
                if ends.len() >= MAX_DEPTH || has_duplicate_keys(&nodes[i..], len) {
                    return false;
                }
                ends.push(i + count + 1);
            }
            tape::Node::Array { count, .. } => {
                if ends.len() >= MAX_DEPTH {
                    return false;
                }
                ends.push(i + count + 1);
            }
            tape::Node::String(_) => {}
            tape::Node::Static(s) => {
                if !known_static(s) {
                    return false;
                }
            }
        }
        i += 1;
    }
    true
}

#[allow(unreachable_patterns)] // simd-json has 128-bit variants behind a feature
fn known_static(s: StaticNode) -> bool {
    match s {
        StaticNode::F64(f) => f.is_finite(),
        StaticNode::I64(_) | StaticNode::U64(_) | StaticNode::Bool(_) | StaticNode::Null => true,
        _ => false,
    }
}

const SMALL_OBJECT: usize = 16;

fn has_duplicate_keys(object: &[tape::Node<'_>], len: usize) -> bool {
    if len < 2 {
        return false;
    }
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
                let member = TapeNode(&t.0)
                    .as_object()
                    .and_then(|o| o.get(&name.to_string()));
                match member {
                    None => Field::Missing,
                    Some(TapeNode([tape::Node::String(s), ..])) => Field::Str(Cow::Borrowed(s)),
                    Some(other) => Field::Other(other.to_value().to_string()),
                }
            }
        }
    }

    /// The payload as a `Value` (for error reports and dead-letter records).
    pub fn to_value(&self) -> Value {
        match self {
            Payload::Value(v) => v.clone(),
            Payload::Tape(t) => TapeNode(&t.0).to_value().into_owned(),
        }
    }
}

/// The tape as a representation the `jsonschema` validator reads.
pub struct TapeJson;

/// A node: the tape from the node's header on (its subtree is the first `count()` entries).
#[derive(Clone, Copy)]
pub struct TapeNode<'a>(pub &'a [tape::Node<'a>]);

#[derive(Clone, Copy)]
pub struct TapeObject<'a> {
    nodes: &'a [tape::Node<'a>],
    len: usize,
}

#[derive(Clone, Copy)]
pub struct TapeArray<'a> {
    nodes: &'a [tape::Node<'a>],
    len: usize,
}

#[derive(Clone, Copy)]
pub struct TapeNumber(StaticNode);

/// Entries a node takes on the tape, its own header included.
fn span(node: &tape::Node<'_>) -> usize {
    match node {
        tape::Node::Object { count, .. } | tape::Node::Array { count, .. } => count + 1,
        _ => 1,
    }
}

impl<'a> TapeNode<'a> {
    fn head(&self) -> &'a tape::Node<'a> {
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
        let node = [tape::Node::String(string)];
        f(TapeNode(&node))
    }
}

impl<'a> Node<'a, TapeJson> for TapeNode<'a> {
    type Object = TapeObject<'a>;
    type Array = TapeArray<'a>;
    type Number = TapeNumber;

    fn as_object(&self) -> Option<TapeObject<'a>> {
        match *self.head() {
            tape::Node::Object { len, .. } => Some(TapeObject { nodes: self.0, len }),
            _ => None,
        }
    }

    fn as_array(&self) -> Option<TapeArray<'a>> {
        match *self.head() {
            tape::Node::Array { len, .. } => Some(TapeArray { nodes: self.0, len }),
            _ => None,
        }
    }

    fn as_string(&self) -> Option<Cow<'a, str>> {
        match *self.head() {
            tape::Node::String(s) => Some(Cow::Borrowed(s)),
            _ => None,
        }
    }

    fn as_number(&self) -> Option<TapeNumber> {
        match *self.head() {
            tape::Node::Static(
                s @ (StaticNode::I64(_) | StaticNode::U64(_) | StaticNode::F64(_)),
            ) => Some(TapeNumber(s)),
            _ => None,
        }
    }

    fn as_boolean(&self) -> Option<bool> {
        match *self.head() {
            tape::Node::Static(StaticNode::Bool(b)) => Some(b),
            _ => None,
        }
    }

    fn is_null(&self) -> bool {
        matches!(self.head(), tape::Node::Static(StaticNode::Null))
    }

    fn json_type(&self) -> JsonType {
        match self.head() {
            tape::Node::String(_) => JsonType::String,
            tape::Node::Object { .. } => JsonType::Object,
            tape::Node::Array { .. } => JsonType::Array,
            tape::Node::Static(StaticNode::Bool(_)) => JsonType::Boolean,
            tape::Node::Static(StaticNode::Null) => JsonType::Null,
            tape::Node::Static(_) => JsonType::Number,
        }
    }

    fn equals_value(&self, expected: &Value) -> bool {
        // `const`/`enum` on strings is the common case: compare without building a Value.
        match (self.head(), expected) {
            (tape::Node::String(s), Value::String(e)) => s == e,
            (tape::Node::String(_), _) => false,
            _ => jsonschema::json::cmp::equal(&self.to_value(), expected),
        }
    }

    fn to_value(&self) -> Cow<'a, Value> {
        Cow::Owned(match *self.head() {
            tape::Node::String(s) => Value::String(s.to_owned()),
            tape::Node::Static(StaticNode::Null) => Value::Null,
            tape::Node::Static(StaticNode::Bool(b)) => Value::Bool(b),
            tape::Node::Static(s) => Value::Number(TapeNumber(s).to_number().into_owned()),
            tape::Node::Object { .. } => Value::Object(
                self.as_object()
                    .into_iter()
                    .flat_map(|o| o.members())
                    .map(|(k, v)| (k.to_owned(), v.to_value().into_owned()))
                    .collect::<Map<_, _>>(),
            ),
            tape::Node::Array { .. } => Value::Array(
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
    rest: &'a [tape::Node<'a>],
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
        let key = match self.0.next_node().0[0] {
            tape::Node::String(k) => k,
            // simd-json only writes string keys; an odd tape ends the walk.
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

impl JsonNumber for TapeNumber {
    fn as_u64(&self) -> Option<u64> {
        match self.0 {
            StaticNode::U64(n) => Some(n),
            StaticNode::I64(n) => u64::try_from(n).ok(),
            _ => None,
        }
    }

    fn as_i64(&self) -> Option<i64> {
        match self.0 {
            StaticNode::I64(n) => Some(n),
            StaticNode::U64(n) => i64::try_from(n).ok(),
            _ => None,
        }
    }

    fn as_f64(&self) -> Option<f64> {
        match self.0 {
            StaticNode::I64(n) => Some(n as f64),
            StaticNode::U64(n) => Some(n as f64),
            StaticNode::F64(f) => Some(f),
            _ => None,
        }
    }

    fn as_str(&self) -> Cow<'_, str> {
        Cow::Owned(self.to_number().to_string())
    }

    fn to_number(&self) -> Cow<'_, Number> {
        Cow::Owned(match self.0 {
            StaticNode::I64(n) => Number::from(n),
            StaticNode::U64(n) => Number::from(n),
            // `plain` admitted only finite floats.
            StaticNode::F64(f) => Number::from_f64(f).unwrap_or_else(|| Number::from(0)),
            _ => Number::from(0),
        })
    }

    fn is_written_as_integer(&self) -> bool {
        !matches!(self.0, StaticNode::F64(_))
    }
}
