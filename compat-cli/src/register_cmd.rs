//! `compat-cli register --registry URL --subject S FILE`: the publish-time path, over the
//! Confluent REST API (ours or any compatible registry). A refusal prints the registry's reasons.

use anyhow::{bail, Context};
use serde_json::{json, Value};

use crate::cli::RegisterArgs;
use crate::input::read_schema;
use crate::subject_segment;
use crate::Outcome;

pub fn run(args: &RegisterArgs) -> anyhow::Result<Outcome> {
    // Parse first: a broken file is reported with its place before anything is sent.
    let doc = read_schema(&args.file, args.max_schema_bytes)?;
    let text = doc.source.as_deref().unwrap_or_default().to_string();
    let url = format!(
        "{}/subjects/{}/versions",
        args.registry.trim_end_matches('/'),
        subject_segment(&args.subject)
    );
    let client = reqwest::blocking::Client::builder()
        .timeout(std::time::Duration::from_secs(30))
        .build()?;
    let response = client
        .post(&url)
        .header("Content-Type", "application/vnd.schemaregistry.v1+json")
        .json(&json!({"schema": text, "schemaType": "JSON"}))
        .send()
        .with_context(|| format!("cannot reach the registry at {}", args.registry))?;
    let status = response.status().as_u16();
    let body: Value = response.json().unwrap_or(Value::Null);
    let message = body["message"].as_str().unwrap_or("").to_string();
    match status {
        200 => {
            println!(
                "registered {} under {}: id {}",
                args.file.display(),
                args.subject,
                body["id"]
            );
            Ok(Outcome::Clean)
        }
        409 => {
            eprintln!(
                "the registry refused {} for {}: incompatible with an earlier version",
                args.file.display(),
                args.subject
            );
            let details = message
                .split_once("details: ")
                .map(|(_, d)| d)
                .unwrap_or(&message);
            for d in details.split("; ") {
                eprintln!("  - {d}");
            }
            Ok(Outcome::Findings)
        }
        401 | 403 => bail!(
            "the registry at {} refused the credentials ({status}): {message}",
            args.registry
        ),
        _ => bail!(
            "the registry answered {status} (error_code {}): {message}",
            body["error_code"]
        ),
    }
}
