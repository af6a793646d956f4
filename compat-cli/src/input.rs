//! Reading schema files into engine documents, with errors that name the file and the place.

use std::path::Path;

use anyhow::{anyhow, Context};
use schema_core::locate::Locator;
use schema_core::{Document, Error};

/// Reads and parses a schema file of at most `max_bytes`. Errors name the file, and the line
/// and column where known.
pub fn read_schema(path: &Path, max_bytes: u64) -> anyhow::Result<Document> {
    let name = path.display().to_string();
    let size = std::fs::metadata(path)
        .with_context(|| format!("reading {name}"))?
        .len();
    if size > max_bytes {
        anyhow::bail!("{name}: the file is {size} bytes, over the {max_bytes}-byte schema limit (raise it with --max-schema-bytes)");
    }
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {name}"))?;
    Document::parse(&name, &text).map_err(|e| located(e, &name, &text))
}

/// An engine error with the file position of its pointer added.
pub fn located(e: Error, name: &str, text: &str) -> anyhow::Error {
    let at = |ptr: &str| {
        Locator::new(text)
            .position(ptr)
            .map(|(l, c)| format!("{name}:{l}:{c}"))
            .unwrap_or_else(|| name.to_string())
    };
    match &e {
        Error::Json {
            line,
            column,
            message,
            ..
        } => anyhow!("{name}:{line}:{column}: invalid JSON: {message}"),
        Error::NotASchema {
            pointer, message, ..
        } => {
            anyhow!(
                "{}: not a valid JSON Schema at {pointer:?}: {message}",
                at(pointer)
            )
        }
        Error::UnresolvedRef {
            pointer,
            reference,
            reason,
            ..
        } => {
            anyhow!(
                "{}: $ref {reference:?} at {pointer:?} does not resolve: {reason}",
                at(pointer)
            )
        }
        Error::RefCycle { pointer, .. } => {
            anyhow!(
                "{}: $ref at {pointer:?} loops back to itself without constraining anything",
                at(pointer)
            )
        }
        Error::UnknownDialect { uri, .. } => anyhow!("{}: unknown $schema {uri:?}", at("/$schema")),
        Error::Limit { .. } => anyhow!("{e}"),
    }
}
