//! `compat-cli register --registry URL --subject S FILE`: the publish-time path, over the
//! Confluent REST API (ours or any compatible registry). A refusal prints the registry's reasons.

use anyhow::bail;

use crate::cli::RegisterArgs;
use crate::input::read_schema;
use crate::registry::{client, explain};
use crate::Outcome;

pub fn run(args: &RegisterArgs) -> anyhow::Result<Outcome> {
    // Parse first: a broken file is reported with its place before anything is sent.
    let doc = read_schema(&args.file, args.max_schema_bytes)?;
    let text = doc.source.as_deref().unwrap_or_default();
    let registry = client(&args.registry, &args.auth)?;
    match registry.register(&args.subject, text) {
        Ok(id) => {
            println!(
                "registered {} under {}: id {id}",
                args.file.display(),
                args.subject
            );
            Ok(Outcome::Clean)
        }
        Err(registry_client::Error::Api {
            status: 409,
            message,
            changes,
            ..
        }) => {
            eprintln!(
                "the registry refused {} for {}: incompatible with an earlier version",
                args.file.display(),
                args.subject
            );
            // Typed changes, one item each; a registry that sends none (Confluent) has only
            // its message, printed whole rather than cut at guessed separators.
            if changes.is_empty() {
                eprintln!("  - {message}");
            }
            for c in &changes {
                eprintln!("  - {}", c.line());
                if let Some(w) = &c.witness {
                    eprintln!("    witness: {w}");
                }
            }
            Ok(Outcome::Findings)
        }
        Err(e) => bail!("{}", explain(&e)),
    }
}
