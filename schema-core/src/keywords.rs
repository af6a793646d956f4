//! What the engine knows about each JSON Schema keyword, in one table: its role (annotation,
//! assertion, in-place applicator, subschema at a child location, reference, identifier) and
//! which JSON types it constrains. Code that asks "does this keyword matter here?" reads this
//! table instead of keeping its own list.

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

pub(crate) struct Keyword {
    pub name: &'static str,
    pub role: Role,
    /// The instance types the keyword constrains (0 for annotations and core keywords).
    pub applies: u8,
}

macro_rules! table {
    ($($name:literal $role:ident $applies:expr;)*) => {
        pub(crate) static KEYWORDS: &[Keyword] = &[
            $(Keyword { name: $name, role: Role::$role, applies: $applies },)*
        ];
    };
}

table! {
    "title" Annotation 0;
    "description" Annotation 0;
    "$comment" Annotation 0;
    "examples" Annotation 0;
    "default" Annotation 0;
    "deprecated" Annotation 0;
    "readOnly" Annotation 0;
    "writeOnly" Annotation 0;
    "$id" Core 0;
    "id" Core 0;
    "$schema" Core 0;
    "$anchor" Core 0;
    "$defs" Core 0;
    "definitions" Core 0;
    "$vocabulary" Core 0;
    "type" Assertion ANY;
    "enum" Assertion ANY;
    "const" Assertion ANY;
    "minLength" Assertion STR;
    "maxLength" Assertion STR;
    "pattern" Assertion STR;
    "format" Assertion STR | NUMBERS;
    "minimum" Assertion NUMBERS;
    "maximum" Assertion NUMBERS;
    "exclusiveMinimum" Assertion NUMBERS;
    "exclusiveMaximum" Assertion NUMBERS;
    "multipleOf" Assertion NUMBERS;
    "required" Assertion OBJ;
    "minProperties" Assertion OBJ;
    "maxProperties" Assertion OBJ;
    "dependentRequired" Assertion OBJ;
    "minItems" Assertion ARR;
    "maxItems" Assertion ARR;
    "uniqueItems" Assertion ARR;
    "minContains" Assertion ARR;
    "maxContains" Assertion ARR;
    "properties" Child OBJ;
    "additionalProperties" Child OBJ;
    "patternProperties" Child OBJ;
    "propertyNames" Child OBJ;
    "unevaluatedProperties" Child OBJ;
    "dependencies" Child OBJ;
    "items" Child ARR;
    "prefixItems" Child ARR;
    "additionalItems" Child ARR;
    "contains" Child ARR;
    "unevaluatedItems" Child ARR;
    "contentSchema" Child STR;
    // Asserted by draft-06 and draft-07 validators, annotations from 2019-09 on: listed as
    // assertions so that no shortcut ever skips them; `content_asserted` says which applies.
    "contentEncoding" Assertion STR;
    "contentMediaType" Assertion STR;
    "dependentSchemas" InPlace OBJ;
    "allOf" InPlace ANY;
    "anyOf" InPlace ANY;
    "oneOf" InPlace ANY;
    "not" InPlace ANY;
    "if" InPlace ANY;
    "then" InPlace ANY;
    "else" InPlace ANY;
    "$ref" Reference ANY;
    "$dynamicRef" Reference ANY;
    "$recursiveRef" Reference ANY;
    "$dynamicAnchor" Core 0;
    "$recursiveAnchor" Core 0;
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
pub(crate) fn universal_types(schema: &serde_json::Value, admitted: u8) -> u8 {
    let Some(obj) = schema.as_object() else {
        return if schema == &serde_json::Value::Bool(true) {
            ANY
        } else {
            0
        };
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
