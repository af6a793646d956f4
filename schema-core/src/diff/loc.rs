//! A schema location in one of the documents being compared: where it is (document, pointer,
//! dialect), which of its keywords take part, and the instance types it is restricted to.

use serde_json::Value;

use crate::draft::Draft;
use crate::keywords::ANY;

/// The schema that accepts everything, standing in for an absent keyword.
pub(crate) static TRUE: Value = Value::Bool(true);

/// Which keywords of a location take part.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum View {
    Whole,
    /// Only the location's own keywords: its combinators are compared as separate parts.
    Plain,
}

/// A schema location in one of the documents.
#[derive(Debug, Clone)]
pub(crate) struct Loc<'a> {
    pub doc: usize,
    pub ptr: String,
    pub v: &'a Value,
    pub view: View,
    pub draft: Draft,
    /// The instance types the comparison is restricted to (`ANY` but where a union's branch
    /// is compared for the types no other branch covers). Children at deeper instance
    /// locations are never restricted.
    pub only: u8,
}

impl<'a> Loc<'a> {
    /// The child at `key` (`tokens` joined below this pointer), or `true` standing at this
    /// location when absent.
    pub fn child(&self, tokens: &[&str], v: Option<&'a Value>) -> Loc<'a> {
        match v {
            Some(v) => Loc {
                doc: self.doc,
                ptr: crate::pointer::join(&self.ptr, tokens),
                v,
                view: View::Whole,
                draft: self.draft,
                only: ANY,
            },
            None => self.absent(),
        }
    }

    /// `true` located here: what an absent subschema means.
    pub fn absent(&self) -> Loc<'a> {
        Loc {
            doc: self.doc,
            ptr: self.ptr.clone(),
            v: &TRUE,
            view: View::Whole,
            draft: self.draft,
            only: ANY,
        }
    }

    /// The pointer of keyword `kw` here, or of this location when the keyword is absent (a
    /// change's pointer must resolve in its schema).
    pub fn keyword_ptr(&self, kw: &str) -> String {
        match self.get(kw) {
            Some(_) => crate::pointer::join(&self.ptr, &[kw]),
            None => self.ptr.clone(),
        }
    }

    pub fn get(&self, key: &str) -> Option<&'a Value> {
        self.v.as_object().and_then(|o| o.get(key))
    }

    pub(super) fn key(&self) -> LocKey {
        (
            self.doc,
            self.ptr.clone(),
            self.view,
            std::ptr::eq(self.v, &TRUE),
            self.only,
        )
    }

    /// This location restricted to instances of the given types.
    pub fn within(mut self, only: u8) -> Loc<'a> {
        self.only &= only;
        self
    }
}

pub(super) type LocKey = (usize, String, View, bool, u8);

/// Keywords that never affect validation.
pub(crate) fn is_annotation_keyword(k: &str) -> bool {
    crate::keywords::is_annotation(k)
}

/// Whether a subtree holds a reference (its meaning then depends on the rest of its document).
pub(crate) fn contains_ref(v: &Value) -> bool {
    match v {
        Value::Object(m) => m.iter().any(|(k, v)| {
            k == "$ref" || k == "$dynamicRef" || k == "$recursiveRef" || contains_ref(v)
        }),
        Value::Array(a) => a.iter().any(contains_ref),
        _ => false,
    }
}
