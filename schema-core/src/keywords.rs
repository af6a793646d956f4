//! What the engine knows about each JSON Schema keyword, in one table: its role (annotation,
//! assertion, in-place applicator, subschema at a child location, reference, identifier) and
//! which JSON types it constrains. Code that asks "does this keyword matter here?" reads this
//! table instead of keeping its own list.

use serde_json::{Map, Value};

/// JSON types as bits; `number` is `NUM | INT` (an integer is a number).
pub(crate) const NULL: u8 = 1;
pub(crate) const BOOL: u8 = 2;
pub(crate) const OBJ: u8 = 4;
pub(crate) const ARR: u8 = 8;
pub(crate) const STR: u8 = 16;
pub(crate) const NUM: u8 = 32;
pub(crate) const INT: u8 = 64;
pub(crate) const ANY: u8 = 127;
const NUMBERS: u8 = NUM | INT;

/// The types a schema's `type` keyword admits (all when absent, none for `false`).
pub(crate) fn types(v: &Value) -> u8 {
    match v {
        Value::Bool(true) => ANY,
        Value::Bool(false) => 0,
        Value::Object(o) => types_of_map(o),
        _ => ANY,
    }
}

/// [`types`] of a schema object.
pub(crate) fn types_of_map(o: &Map<String, Value>) -> u8 {
    match o.get("type") {
        None => ANY,
        Some(Value::String(s)) => type_bit(s),
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(Value::as_str)
            .map(type_bit)
            .fold(0, |x, y| x | y),
        Some(_) => ANY,
    }
}

pub(crate) fn type_bit(s: &str) -> u8 {
    match s {
        "null" => NULL,
        "boolean" => BOOL,
        "object" => OBJ,
        "array" => ARR,
        "string" => STR,
        "number" => NUM | INT,
        "integer" => INT,
        _ => 0,
    }
}

pub(crate) fn type_names(t: u8) -> String {
    if t == ANY {
        return "any".into();
    }
    if t == 0 {
        return "nothing".into();
    }
    let mut names = Vec::new();
    for (bit, name) in [
        (NULL, "null"),
        (BOOL, "boolean"),
        (OBJ, "object"),
        (ARR, "array"),
        (STR, "string"),
    ] {
        if t & bit != 0 {
            names.push(name);
        }
    }
    if t & NUM != 0 {
        names.push("number");
    } else if t & INT != 0 {
        names.push("integer");
    }
    names.join(", ")
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    /// Never affects validation.
    Annotation,
    /// Identifies or holds schemas (`$id`, `$defs`, `$schema`): no constraint by itself.
    Core,
    /// Constrains the instance at this location.
    Assertion,
    /// Applies subschemas at child locations (properties, items).
    Child,
    /// Applies subschemas at this same location (allOf, anyOf, not, if, dependentSchemas).
    InPlace,
    /// Applies another schema at this location by reference.
    Reference,
}

/// Where a keyword's value holds subschemas.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Holds {
    /// No subschema (a value, a list of names, a number).
    Nothing,
    /// The value is a schema.
    Schema,
    /// An object whose values are schemas (`properties`, `$defs`); in `dependencies`, the
    /// values that are not arrays of names.
    Map,
    /// An array of schemas (`allOf`, `prefixItems`).
    List,
    /// A schema or an array of schemas (`items`: both spellings across drafts).
    SchemaOrList,
}

pub(crate) struct Keyword {
    pub name: &'static str,
    pub role: Role,
    /// The instance types the keyword constrains (0 for annotations and core keywords).
    pub applies: u8,
    pub holds: Holds,
}

macro_rules! table {
    ($($name:literal $role:ident $applies:expr, $holds:ident;)*) => {
        pub(crate) static KEYWORDS: &[Keyword] = &[
            $(Keyword { name: $name, role: Role::$role, applies: $applies, holds: Holds::$holds },)*
        ];
    };
}

table! {
    "title" Annotation 0, Nothing;
    "description" Annotation 0, Nothing;
    "$comment" Annotation 0, Nothing;
    "examples" Annotation 0, Nothing;
    "default" Annotation 0, Nothing;
    "deprecated" Annotation 0, Nothing;
    "readOnly" Annotation 0, Nothing;
    "writeOnly" Annotation 0, Nothing;
    "$id" Core 0, Nothing;
    "id" Core 0, Nothing;
    "$schema" Core 0, Nothing;
    "$anchor" Core 0, Nothing;
    "$defs" Core 0, Map;
    "definitions" Core 0, Map;
    "$vocabulary" Core 0, Nothing;
    "type" Assertion ANY, Nothing;
    "enum" Assertion ANY, Nothing;
    "const" Assertion ANY, Nothing;
    "minLength" Assertion STR, Nothing;
    "maxLength" Assertion STR, Nothing;
    "pattern" Assertion STR, Nothing;
    "format" Assertion STR | NUMBERS, Nothing;
    "minimum" Assertion NUMBERS, Nothing;
    "maximum" Assertion NUMBERS, Nothing;
    "exclusiveMinimum" Assertion NUMBERS, Nothing;
    "exclusiveMaximum" Assertion NUMBERS, Nothing;
    "multipleOf" Assertion NUMBERS, Nothing;
    "required" Assertion OBJ, Nothing;
    "minProperties" Assertion OBJ, Nothing;
    "maxProperties" Assertion OBJ, Nothing;
    "dependentRequired" Assertion OBJ, Nothing;
    "minItems" Assertion ARR, Nothing;
    "maxItems" Assertion ARR, Nothing;
    "uniqueItems" Assertion ARR, Nothing;
    "minContains" Assertion ARR, Nothing;
    "maxContains" Assertion ARR, Nothing;
    "properties" Child OBJ, Map;
    "additionalProperties" Child OBJ, Schema;
    "patternProperties" Child OBJ, Map;
    "propertyNames" Child OBJ, Schema;
    "unevaluatedProperties" Child OBJ, Schema;
    "dependencies" Child OBJ, Map;
    "items" Child ARR, SchemaOrList;
    "prefixItems" Child ARR, List;
    "additionalItems" Child ARR, Schema;
    "contains" Child ARR, Schema;
    "unevaluatedItems" Child ARR, Schema;
    "contentSchema" Child STR, Schema;
    // Asserted by draft-06 and draft-07 validators, annotations from 2019-09 on: listed as
    // assertions so that no shortcut ever skips them; `content_asserted` says which applies.
    "contentEncoding" Assertion STR, Nothing;
    "contentMediaType" Assertion STR, Nothing;
    "dependentSchemas" InPlace OBJ, Map;
    "allOf" InPlace ANY, List;
    "anyOf" InPlace ANY, List;
    "oneOf" InPlace ANY, List;
    "not" InPlace ANY, Schema;
    "if" InPlace ANY, Schema;
    "then" InPlace ANY, Schema;
    "else" InPlace ANY, Schema;
    "$ref" Reference ANY, Nothing;
    "$dynamicRef" Reference ANY, Nothing;
    "$recursiveRef" Reference ANY, Nothing;
    "$dynamicAnchor" Core 0, Nothing;
    "$recursiveAnchor" Core 0, Nothing;
}

/// Whether a dialect validates `contentEncoding` and `contentMediaType` (the `jsonschema`
/// crate does for draft-06 and draft-07, as those drafts allow).
pub(crate) fn content_asserted(draft: crate::draft::Draft) -> bool {
    use crate::draft::Draft;
    matches!(draft, Draft::Draft6 | Draft::Draft7)
}

/// The table's entry for a keyword; unknown keywords are annotations (the specification
/// ignores them).
pub(crate) fn keyword(name: &str) -> Option<&'static Keyword> {
    KEYWORDS.iter().find(|k| k.name == name)
}

/// Keywords that never affect validation.
pub(crate) fn is_annotation(name: &str) -> bool {
    keyword(name).is_some_and(|k| matches!(k.role, Role::Annotation | Role::Core))
}

/// Keywords compared by their own code (everything that can affect validation).
pub(crate) fn is_known_constraint(name: &str) -> bool {
    keyword(name).is_some_and(|k| !matches!(k.role, Role::Annotation | Role::Core))
        || matches!(name, "$dynamicAnchor" | "$recursiveAnchor")
}

/// The instance types a schema object accepts with no constraint at all: types its `type`
/// admits on which none of its keywords acts. A schema with in-place applicators or references
/// is universal for nothing (its other parts may constrain any type).
pub(crate) fn universal_types(schema: &Value, admitted: u8) -> u8 {
    let Some(obj) = schema.as_object() else {
        return if schema == &Value::Bool(true) { ANY } else { 0 };
    };
    let mut constrained = 0u8;
    for k in obj.keys() {
        match keyword(k) {
            None => {}
            Some(kw) => match kw.role {
                Role::Annotation | Role::Core => {}
                Role::InPlace | Role::Reference => return 0,
                Role::Assertion if k == "type" => {}
                Role::Assertion | Role::Child => constrained |= kw.applies,
            },
        }
    }
    admitted & !constrained
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_keyword_once() {
        let mut names: Vec<&str> = KEYWORDS.iter().map(|k| k.name).collect();
        names.sort_unstable();
        let before = names.len();
        names.dedup();
        assert_eq!(before, names.len());
    }

    #[test]
    fn universality_by_type() {
        assert_eq!(
            universal_types(&json!({"properties": {"a": {}}}), ANY),
            ANY & !OBJ
        );
        assert_eq!(universal_types(&json!({"minLength": 1}), STR | NULL), NULL);
        assert_eq!(universal_types(&json!({"anyOf": [{}]}), ANY), 0);
        assert_eq!(universal_types(&json!({"title": "x"}), ANY), ANY);
        assert_eq!(universal_types(&json!(false), ANY), 0);
    }
}
