//! Every kind of change the engine detects, and in one table what each kind breaks under each
//! rule set. Detection (the walker) never decides a verdict; this table does. To add a rule: add
//! one row here, a fixture folder under `tests/fixtures/`, and accept its snapshot.
//!
//! Columns: the kind, its id, the directions it breaks under `events`, `standard` and `lenient`,
//! the event rule it falls under, a summary and the help shown to the user.
//! `B` breaks backward (new cannot read old), `F` forward (old cannot read new), `BF` both, `N` none.

use serde::{Deserialize, Serialize};

/// Directions a change breaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Breaks {
    pub backward: bool,
    pub forward: bool,
}

impl Breaks {
    pub const NONE: Breaks = Breaks {
        backward: false,
        forward: false,
    };
    pub const BACKWARD: Breaks = Breaks {
        backward: true,
        forward: false,
    };
    pub const FORWARD: Breaks = Breaks {
        backward: false,
        forward: true,
    };
    pub const BOTH: Breaks = Breaks {
        backward: true,
        forward: true,
    };

    pub fn any(self) -> bool {
        self.backward || self.forward
    }
    pub fn swapped(self) -> Breaks {
        Breaks {
            backward: self.forward,
            forward: self.backward,
        }
    }
    pub fn and(self, mask: Breaks) -> Breaks {
        Breaks {
            backward: self.backward && mask.backward,
            forward: self.forward && mask.forward,
        }
    }
    pub fn or(self, other: Breaks) -> Breaks {
        Breaks {
            backward: self.backward || other.backward,
            forward: self.forward || other.forward,
        }
    }
}

const N: Breaks = Breaks::NONE;
const B: Breaks = Breaks::BACKWARD;
const F: Breaks = Breaks::FORWARD;
const BF: Breaks = Breaks::BOTH;

/// One row of the rule table.
#[derive(Debug)]
pub struct Rule {
    pub kind: ChangeKind,
    pub id: &'static str,
    pub events: Breaks,
    pub standard: Breaks,
    pub lenient: Breaks,
    /// The event rule (DESIGN section 3) this kind falls under.
    pub rule: &'static str,
    pub summary: &'static str,
    pub help: &'static str,
}

macro_rules! rules {
    ($( $(#[$doc:meta])* $kind:ident $id:literal $ev:ident $st:ident $le:ident $rule:literal $summary:literal $help:literal; )*) => {
        /// What changed between two schemas at one place. Serialized as its kebab-case id.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "kebab-case")]
        pub enum ChangeKind { $( $(#[$doc])* $kind, )* }

        /// The rule table, one row per kind, in declaration order.
        pub static RULES: &[Rule] = &[ $( Rule {
            kind: ChangeKind::$kind, id: $id, events: $ev, standard: $st, lenient: $le,
            rule: $rule, summary: $summary, help: $help,
        }, )* ];
    };
}

rules! {
    // ---- annotations: never a verdict change -------------------------------------------------
    /// `title` changed.
    TitleChanged "title-changed" N N N "annotation" "title changed" "";
    /// `description` changed.
    DescriptionChanged "description-changed" N N N "annotation" "description changed" "";
    /// `$comment`, `examples`, `readOnly`, `writeOnly` or an unknown keyword changed.
    AnnotationChanged "annotation-changed" N N N "annotation" "annotation changed" "";
    /// `default` changed on a property that both versions declare.
    DefaultChanged "default-changed" N N N "annotation" "default changed" "";
    /// `$id` changed.
    IdChanged "id-changed" N N N "annotation" "$id changed" "";
    /// `$schema` names another dialect.
    DialectChanged "dialect-changed" N N N "annotation" "$schema dialect changed" "";
    /// A property is newly marked `deprecated: true` (a note: the way to retire a field).
    DeprecatedAdded "deprecated-added" N N N "annotation" "marked deprecated" "consumers should stop relying on this field; it stays in the schema";
    /// `deprecated` was removed.
    DeprecatedRemoved "deprecated-removed" N N N "annotation" "no longer deprecated" "";

    // ---- types and values --------------------------------------------------------------------
    /// The new schema accepts fewer JSON types (`number` → `integer`, `["string","null"]` → `string`).
    TypeNarrowed "type-narrowed" B B B "no-narrowing" "type narrowed" "keep the old types; to change a field's type, add a new field and deprecate the old one";
    /// The new schema accepts more JSON types (`integer` → `number`).
    TypeWidened "type-widened" F F F "no-narrowing" "type widened" "consumers on the old schema reject the new types; upgrade them first or keep the old types";
    /// Types changed both ways (`string` → `integer`).
    TypeChanged "type-changed" BF BF BF "no-narrowing" "type changed" "a type change breaks every reader; add a new field (or a new event) instead";
    /// `enum` added where any value was allowed.
    EnumAdded "enum-added" B B B "no-narrowing" "enum added" "existing events may carry values outside the new enum";
    /// `enum` removed.
    EnumRemoved "enum-removed" F F F "no-narrowing" "enum removed" "old consumers reject values outside the old enum";
    /// Values were added to `enum`.
    EnumValueAdded "enum-value-added" F F F "no-narrowing" "enum values added" "old consumers reject the new values; upgrade consumers first";
    /// Values were removed from `enum`.
    EnumValueRemoved "enum-value-removed" B B B "no-narrowing" "enum values removed" "keep the old values (mark them deprecated in the description)";
    /// Values were both added to and removed from `enum`.
    EnumChanged "enum-changed" BF BF BF "no-narrowing" "enum values changed" "only add enum values, and only where forward compatibility allows it";
    /// `const` added.
    ConstAdded "const-added" B B B "no-narrowing" "const added" "existing events may carry other values";
    /// `const` removed.
    ConstRemoved "const-removed" F F F "no-narrowing" "const removed" "old consumers reject other values";
    /// `const` changed.
    ConstChanged "const-changed" BF BF BF "no-narrowing" "const changed" "a changed const breaks every reader";

    // ---- strings -----------------------------------------------------------------------------
    MinLengthAdded "min-length-added" B B B "no-narrowing" "minLength added" "existing events may hold shorter strings";
    MinLengthIncreased "min-length-increased" B B B "no-narrowing" "minLength increased" "existing events may hold shorter strings; keep the old bound";
    MinLengthDecreased "min-length-decreased" F F F "no-narrowing" "minLength decreased" "old consumers reject the shorter strings";
    MinLengthRemoved "min-length-removed" F F F "no-narrowing" "minLength removed" "old consumers reject the shorter strings";
    MaxLengthAdded "max-length-added" B B B "no-narrowing" "maxLength added" "existing events may hold longer strings";
    MaxLengthDecreased "max-length-decreased" B B B "no-narrowing" "maxLength decreased" "existing events may hold longer strings; keep the old bound";
    MaxLengthIncreased "max-length-increased" F F F "no-narrowing" "maxLength increased" "old consumers reject the longer strings";
    MaxLengthRemoved "max-length-removed" F F F "no-narrowing" "maxLength removed" "old consumers reject the longer strings";
    PatternAdded "pattern-added" B B B "no-narrowing" "pattern added" "existing events may not match the new pattern";
    PatternRemoved "pattern-removed" F F F "no-narrowing" "pattern removed" "old consumers reject strings outside the old pattern";
    /// Regular-language inclusion is not decided: a changed pattern breaks both ways.
    PatternChanged "pattern-changed" BF BF BF "no-narrowing" "pattern changed" "patterns are not compared for inclusion; keep the old pattern";
    /// `format` is an assertion under `events`, an annotation under Confluent's rules.
    FormatAdded "format-added" B N N "no-narrowing" "format added" "existing events may not satisfy the new format";
    FormatRemoved "format-removed" F N N "no-narrowing" "format removed" "old consumers reject values outside the old format";
    FormatChanged "format-changed" BF N N "no-narrowing" "format changed" "keep the old format";
    /// `contentEncoding` or `contentMediaType` added where the dialect asserts it (draft-06
    /// and draft-07; later drafts read them as annotations).
    ContentAdded "content-added" B B B "no-narrowing" "contentEncoding/contentMediaType added" "existing events may not be in the new encoding or media type";
    ContentRemoved "content-removed" F F F "no-narrowing" "contentEncoding/contentMediaType removed" "old consumers reject values outside the old encoding or media type";
    ContentChanged "content-changed" BF BF BF "no-narrowing" "contentEncoding/contentMediaType changed" "keep the old encoding and media type";

    // ---- numbers -----------------------------------------------------------------------------
    MinimumAdded "minimum-added" B B B "no-narrowing" "lower bound added" "existing events may hold smaller numbers";
    MinimumIncreased "minimum-increased" B B B "no-narrowing" "lower bound raised" "existing events may hold smaller numbers; keep the old bound";
    MinimumDecreased "minimum-decreased" F F F "no-narrowing" "lower bound lowered" "old consumers reject the smaller numbers";
    MinimumRemoved "minimum-removed" F F F "no-narrowing" "lower bound removed" "old consumers reject the smaller numbers";
    MaximumAdded "maximum-added" B B B "no-narrowing" "upper bound added" "existing events may hold larger numbers";
    MaximumDecreased "maximum-decreased" B B B "no-narrowing" "upper bound lowered" "existing events may hold larger numbers; keep the old bound";
    MaximumIncreased "maximum-increased" F F F "no-narrowing" "upper bound raised" "old consumers reject the larger numbers";
    MaximumRemoved "maximum-removed" F F F "no-narrowing" "upper bound removed" "old consumers reject the larger numbers";
    MultipleOfAdded "multiple-of-added" B B B "no-narrowing" "multipleOf added" "existing events may hold other numbers";
    MultipleOfRemoved "multiple-of-removed" F F F "no-narrowing" "multipleOf removed" "old consumers reject the other numbers";
    /// The new `multipleOf` divides the old one (every old value still passes).
    MultipleOfReduced "multiple-of-reduced" F F F "no-narrowing" "multipleOf reduced to a divisor" "old consumers reject the new multiples";
    /// The new `multipleOf` is a multiple of the old one.
    MultipleOfExpanded "multiple-of-expanded" B B B "no-narrowing" "multipleOf expanded to a multiple" "existing events may hold numbers that are not multiples of the new value";
    MultipleOfChanged "multiple-of-changed" BF BF BF "no-narrowing" "multipleOf changed" "keep the old multipleOf";

    // ---- objects: properties and content models ----------------------------------------------
    /// A property added where the old schema allowed any undeclared key with any value.
    PropertyAddedToOpenModel "property-added-to-open-model" N B N "optional-additions" "optional property added to an open content model" "Confluent's STRICT rules assume old events may already carry this name with any value; close the old model first, or use the `events` rules (NOT_SET)";
    /// The same, with an empty (`{}` or `true`) schema.
    PropertyWithEmptySchemaAddedToOpenModel "property-with-empty-schema-added-to-open-model" N N N "optional-additions" "property with an empty schema added to an open content model" "";
    /// A property added where the old schema rejected undeclared keys.
    PropertyAddedToClosedModel "property-added-to-closed-model" F F F "optional-additions" "property added to a closed content model" "old consumers reject events that carry it: open the old model first, or upgrade consumers first";
    /// A property added where the old schema constrained undeclared keys (`additionalProperties`
    /// or `patternProperties` schema): the comparison with that schema is reported beside it.
    PropertyAddedToPartiallyOpenModel "property-added-to-partially-open-model" N N N "optional-additions" "property added to a partially open content model" "";
    /// An added property is required: old events do not carry it.
    RequiredPropertyAdded "required-property-added" B B B "optional-additions" "required property added" "add it as optional (not in `required`), with no default: absent means NOT_SET";
    /// An added property is required and declares a `default` (Confluent accepts this).
    RequiredPropertyWithDefaultAdded "required-property-with-default-added" B N N "optional-additions" "required property with a default added" "add it as optional without a default: a default invents data for every old event";
    /// An added optional property declares a `default`.
    AddedPropertyHasDefault "added-property-has-default" B N N "optional-additions" "added property declares a default" "drop the default: absence is the NOT_SET sentinel, a default invents data for old events";
    /// A property was removed; the new schema still allows any value under its name.
    PropertyRemovedFromOpenModel "property-removed-from-open-model" B F N "no-removals" "property removed" "mark it `\"deprecated\": true` instead of removing it";
    /// A property was removed and the new schema rejects undeclared keys.
    PropertyRemovedFromClosedModel "property-removed-from-closed-model" B B B "no-removals" "property removed from a closed content model" "mark it `\"deprecated\": true` instead of removing it";
    /// A property declared `false` was removed from a closed model (a reservation given up).
    PropertyWithFalseRemovedFromClosedModel "property-with-false-removed-from-closed-model" B N N "no-removals" "reserved (false) property removed" "keep the reservation so the name cannot come back with another meaning";
    /// A property was removed; its name now falls under `additionalProperties`/`patternProperties`.
    PropertyRemovedFromPartiallyOpenModel "property-removed-from-partially-open-model" B N N "no-removals" "property removed from a partially open content model" "mark it `\"deprecated\": true` instead of removing it";
    /// A removed property was required: old consumers require it.
    RequiredPropertyRemoved "required-property-removed" F F F "no-removals" "required property removed" "old consumers require it; keep it";
    /// An existing property became required.
    RequiredAdded "required-added" B B B "no-narrowing" "property became required" "existing events may lack it; keep it optional";
    /// An existing property became required and declares a `default` (Confluent accepts this).
    RequiredWithDefaultAdded "required-with-default-added" B N N "no-narrowing" "property with a default became required" "existing events may lack it; keep it optional";
    /// A property is no longer required.
    RequiredRemoved "required-removed" F F F "no-narrowing" "property no longer required" "old consumers require it; upgrade them first";
    /// `additionalProperties` went from open to `false`.
    AdditionalPropertiesClosed "additional-properties-closed" B B N "no-narrowing" "content model closed" "old events may carry undeclared keys; keep the model open";
    /// `additionalProperties` went from `false` to open (or a schema).
    AdditionalPropertiesOpened "additional-properties-opened" F F N "no-narrowing" "content model opened" "old consumers reject undeclared keys";
    /// `additionalProperties` went from open to a schema.
    AdditionalPropertiesNarrowed "additional-properties-narrowed" B B N "no-narrowing" "additionalProperties narrowed to a schema" "old events may carry undeclared keys of any type";
    /// `additionalProperties` went from a schema to open.
    AdditionalPropertiesWidened "additional-properties-widened" F F N "no-narrowing" "additionalProperties widened to any value" "old consumers check undeclared keys against the old schema";
    /// A `patternProperties` entry added: matching keys were governed by the old
    /// `additionalProperties`; that comparison is reported beside it and carries the verdict.
    PatternPropertyAdded "pattern-property-added" N N N "no-narrowing" "patternProperties entry added" "";
    /// A `patternProperties` entry removed (compared with the new `additionalProperties`).
    PatternPropertyRemoved "pattern-property-removed" N N N "no-narrowing" "patternProperties entry removed" "";
    MinPropertiesAdded "min-properties-added" B B B "no-narrowing" "minProperties added" "existing events may hold fewer properties";
    MinPropertiesIncreased "min-properties-increased" B B B "no-narrowing" "minProperties increased" "existing events may hold fewer properties";
    MinPropertiesDecreased "min-properties-decreased" F F F "no-narrowing" "minProperties decreased" "old consumers reject smaller objects";
    MinPropertiesRemoved "min-properties-removed" F F F "no-narrowing" "minProperties removed" "old consumers reject smaller objects";
    MaxPropertiesAdded "max-properties-added" B B B "no-narrowing" "maxProperties added" "existing events may hold more properties";
    MaxPropertiesDecreased "max-properties-decreased" B B B "no-narrowing" "maxProperties decreased" "existing events may hold more properties";
    MaxPropertiesIncreased "max-properties-increased" F F F "no-narrowing" "maxProperties increased" "old consumers reject larger objects";
    MaxPropertiesRemoved "max-properties-removed" F F F "no-narrowing" "maxProperties removed" "old consumers reject larger objects";
    DependentRequiredAdded "dependent-required-added" B B B "no-narrowing" "dependentRequired entry added" "existing events may lack the dependent properties";
    DependentRequiredRemoved "dependent-required-removed" F F F "no-narrowing" "dependentRequired entry removed" "old consumers require the dependent properties";
    DependentRequiredExtended "dependent-required-extended" B B B "no-narrowing" "dependentRequired list extended" "existing events may lack the new dependent properties";
    DependentRequiredNarrowed "dependent-required-narrowed" F F F "no-narrowing" "dependentRequired list shortened" "old consumers require the removed dependent properties";
    DependentRequiredChanged "dependent-required-changed" BF BF BF "no-narrowing" "dependentRequired list changed" "keep the old dependent properties";
    DependentSchemaAdded "dependent-schema-added" B B B "no-narrowing" "dependentSchemas entry added" "existing events may not satisfy the new dependent schema";
    DependentSchemaRemoved "dependent-schema-removed" F F F "no-narrowing" "dependentSchemas entry removed" "old consumers check the old dependent schema";

    // ---- arrays ------------------------------------------------------------------------------
    MinItemsAdded "min-items-added" B B B "no-narrowing" "minItems added" "existing events may hold shorter arrays";
    MinItemsIncreased "min-items-increased" B B B "no-narrowing" "minItems increased" "existing events may hold shorter arrays";
    MinItemsDecreased "min-items-decreased" F F F "no-narrowing" "minItems decreased" "old consumers reject shorter arrays";
    MinItemsRemoved "min-items-removed" F F F "no-narrowing" "minItems removed" "old consumers reject shorter arrays";
    MaxItemsAdded "max-items-added" B B B "no-narrowing" "maxItems added" "existing events may hold longer arrays";
    MaxItemsDecreased "max-items-decreased" B B B "no-narrowing" "maxItems decreased" "existing events may hold longer arrays";
    MaxItemsIncreased "max-items-increased" F F F "no-narrowing" "maxItems increased" "old consumers reject longer arrays";
    MaxItemsRemoved "max-items-removed" F F F "no-narrowing" "maxItems removed" "old consumers reject longer arrays";
    UniqueItemsAdded "unique-items-added" B B B "no-narrowing" "uniqueItems added" "existing events may hold repeated items";
    UniqueItemsRemoved "unique-items-removed" F F F "no-narrowing" "uniqueItems removed" "old consumers reject repeated items";
    ContainsAdded "contains-added" B B B "no-narrowing" "contains added" "existing events may hold no matching item";
    ContainsRemoved "contains-removed" F F F "no-narrowing" "contains removed" "old consumers require a matching item";
    MinContainsIncreased "min-contains-increased" B B B "no-narrowing" "minContains increased" "existing events may hold fewer matching items";
    MinContainsDecreased "min-contains-decreased" F F F "no-narrowing" "minContains decreased" "old consumers require more matching items";
    MaxContainsDecreased "max-contains-decreased" B B B "no-narrowing" "maxContains decreased" "existing events may hold more matching items";
    MaxContainsIncreased "max-contains-increased" F F F "no-narrowing" "maxContains increased" "old consumers reject more matching items";

    // ---- combinators -------------------------------------------------------------------------
    /// An `anyOf`/`oneOf` branch of the old schema is covered by no branch of the new one.
    SumBranchRemoved "sum-branch-removed" B B B "no-narrowing" "anyOf/oneOf alternative removed or narrowed" "existing events may match only the removed alternative; keep it";
    /// A branch of the new `anyOf`/`oneOf` is covered by no branch of the old one.
    SumBranchAdded "sum-branch-added" F F F "no-narrowing" "anyOf/oneOf alternative added or widened" "old consumers reject events of the new alternative";
    /// A constraint of the new `allOf` (or schema) is implied by no constraint of the old one.
    ProductConstraintAdded "product-constraint-added" B B B "no-narrowing" "allOf constraint added" "existing events may fail the new constraint";
    /// A constraint of the old `allOf` is implied by no constraint of the new one.
    ProductConstraintRemoved "product-constraint-removed" F F F "no-narrowing" "allOf constraint removed" "old consumers still check the removed constraint";
    /// `anyOf` became `oneOf` over several alternatives (Confluent: COMBINED_TYPE_CHANGED).
    AnyOfBecameOneOf "any-of-became-one-of" N B B "no-narrowing" "anyOf became oneOf" "events matching several alternatives are now rejected";
    /// `oneOf` became `anyOf` over several alternatives.
    OneOfBecameAnyOf "one-of-became-any-of" N F F "no-narrowing" "oneOf became anyOf" "old consumers reject events matching several alternatives";
    /// A changed `oneOf` whose alternatives are not provably disjoint: an event may match two.
    OneOfOverlap "one-of-overlap" BF N N "undecidable" "oneOf alternatives may overlap" "make the alternatives disjoint (a distinct `const` discriminator or distinct types), or use anyOf";
    /// What the engine cannot decide: treated as breaking both ways, never passed silently.
    Undecidable "undecidable" BF BF BF "undecidable" "cannot decide compatibility" "simplify the construct, or check this change by hand and register under a new subject";

    // ---- schema_version discipline (event rule 4) --------------------------------------------
    SchemaVersionMissing "schema-version-missing" BF N N "schema-version" "schema_version missing or malformed" "declare `\"schema_version\": {\"type\": \"string\", \"const\": \"1.0.0\"}` and list it in `required`";
    SchemaVersionNotIncreased "schema-version-not-increased" BF N N "schema-version" "schema_version not increased" "a changed schema needs a greater schema_version";
    SchemaVersionBumpTooSmall "schema-version-bump-too-small" BF N N "schema-version" "schema_version bump too small for the change" "";

    // ---- subjects ------------------------------------------------------------------------------
    /// A schema file (a subject) was deleted: every consumer and every archived event of it breaks.
    SubjectRemoved "subject-removed" BF BF BF "no-removals" "subject removed" "keep the schema file; to retire an event type, deprecate it in its description and stop producing it";
}

impl ChangeKind {
    /// This kind's row in [`RULES`].
    pub fn rule(self) -> &'static Rule {
        // The table is declared in enum order, so the discriminant is the index.
        &RULES[self as usize]
    }

    pub fn id(self) -> &'static str {
        self.rule().id
    }

    /// Whether this kind breaks by an event rule (policy) rather than by instance semantics:
    /// no event can tell the two schemas apart, so it never carries a witness.
    pub fn policy_only(self) -> bool {
        use ChangeKind::*;
        matches!(
            self,
            PropertyRemovedFromOpenModel
                | PropertyRemovedFromPartiallyOpenModel
                | PropertyWithFalseRemovedFromClosedModel
                | AddedPropertyHasDefault
                | RequiredPropertyWithDefaultAdded
                | RequiredWithDefaultAdded
                | PropertyAddedToOpenModel
                | SchemaVersionMissing
                | SchemaVersionNotIncreased
                | SchemaVersionBumpTooSmall
        )
    }

    /// Whether `standard` deliberately keeps a Confluent verdict here that instance semantics
    /// contradicts (listed with witnesses in `docs/confluent-exceptions.md`).
    pub fn confluent_exception(self) -> bool {
        use ChangeKind::*;
        matches!(
            self,
            FormatAdded
                | FormatRemoved
                | FormatChanged
                | OneOfOverlap
                | RequiredPropertyWithDefaultAdded
                | RequiredWithDefaultAdded
        )
    }

    /// Whether this kind is only an annotation (no verdict under any rule set).
    pub fn is_annotation(self) -> bool {
        self.rule().rule == "annotation"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_in_enum_order_and_ids_are_unique() {
        let mut ids = std::collections::HashSet::new();
        for (i, r) in RULES.iter().enumerate() {
            assert_eq!(r.kind as usize, i, "{} out of order", r.id);
            assert!(ids.insert(r.id), "duplicate id {}", r.id);
            let json = serde_json::to_value(r.kind).unwrap();
            assert_eq!(json, r.id, "serde name and id differ");
        }
    }

    #[test]
    fn every_breaking_kind_has_help() {
        for r in RULES {
            if r.events.any() || r.standard.any() || r.lenient.any() {
                assert!(
                    r.kind == ChangeKind::SchemaVersionBumpTooSmall || !r.help.is_empty(),
                    "{}",
                    r.id
                );
            }
        }
    }
}
