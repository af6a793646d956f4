//! Moving a registry: `import --from URL` copies every subject version, id and config from a
//! running Confluent-API registry (ours or another) into a target registry through its IMPORT
//! mode, keeping ids and version numbers; `export` writes a whole registry to one JSON file and
//! `import --file` loads it back. Both talk to registries through `registry-client` (HTTP or
//! HTTPS, with the same credentials as `compat-cli`), so they work against any peer.
//!
//! Resumable: a version the target already holds with the same id is skipped, so an interrupted
//! import is simply run again. Versions go in id order, so referenced schemas land first.

use std::collections::BTreeMap;

use anyhow::{bail, Context};
use registry_api::{ConfigAnswer, ConfigRequest, ModeAnswer, ModeRequest, SchemaRequest};
use registry_client::{segment, Client, Registered};
use serde::{Deserialize, Serialize};

/// One subject version as a registry serves it.
pub type Entry = Registered;

/// A whole registry: every live version, and the compatibility configs.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Dump {
    pub entries: Vec<Entry>,
    /// Subject ("" for global) → its settings.
    pub configs: BTreeMap<String, ConfigRequest>,
}

/// What an import did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub source: usize,
    pub imported: usize,
    pub skipped: usize,
    pub target: usize,
}

fn settings(a: ConfigAnswer) -> ConfigRequest {
    ConfigRequest {
        compatibility: None,
        compatibility_level: Some(a.compatibility_level.as_str().to_string()),
        rules: a.rules,
        contracts: a.contracts,
    }
}

/// Reads every live subject version and config from a registry.
pub async fn export(from: &Client) -> anyhow::Result<Dump> {
    let base = from.base().to_string();
    let subjects = from.subjects().await.context("listing subjects")?;
    let mut dump = Dump::default();
    for s in &subjects {
        for v in from
            .versions(s)
            .await
            .with_context(|| format!("{s}: versions"))?
        {
            let entry = from
                .version(s, &v.to_string())
                .await
                .with_context(|| format!("{base}: {s} version {v}"))?;
            dump.entries.push(entry);
        }
        // Only a subject's own settings; none of its own is a 404.
        match from
            .get::<ConfigAnswer>(&format!("/config/{}", segment(s)))
            .await
        {
            Ok(a) => {
                dump.configs.insert(s.to_string(), settings(a));
            }
            Err(e) if e.is_not_found() => {}
            Err(e) => return Err(e).with_context(|| format!("{s}: config")),
        }
    }
    let global: ConfigAnswer = from.get("/config").await.context("global config")?;
    dump.configs.insert(String::new(), settings(global));
    dump.entries
        .sort_by_key(|e| (e.id, e.subject.clone(), e.version));
    Ok(dump)
}

/// Writes a dump into a registry through IMPORT mode, keeping ids and versions; configs follow.
/// `progress` shows a bar (on a terminal). The target's mode is put back afterwards, whatever
/// happened.
pub async fn load(dump: &Dump, to: &Client, progress: bool) -> anyhow::Result<Counts> {
    let base = to.base().to_string();
    let previous: ModeAnswer = to.get("/mode").await.context("reading the target's mode")?;
    let import = ModeRequest {
        mode: "IMPORT".into(),
    };
    to.put::<ModeAnswer, _>("/mode", &import)
        .await
        .with_context(|| format!("{base} refused IMPORT mode"))?;
    let bar = if progress {
        indicatif::ProgressBar::new(dump.entries.len() as u64)
    } else {
        indicatif::ProgressBar::hidden()
    };
    bar.set_style(
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} {msg}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let mut counts = Counts {
        source: dump.entries.len(),
        ..Counts::default()
    };
    let result: anyhow::Result<()> = async {
        for e in &dump.entries {
            bar.set_message(format!("{} v{}", e.subject, e.version));
            let path = format!(
                "/subjects/{}/versions/{}?deleted=true",
                segment(&e.subject),
                e.version
            );
            match to.get::<Registered>(&path).await {
                Ok(have) if have.id == e.id => counts.skipped += 1,
                Ok(have) => bail!(
                    "{} version {} exists in the target with id {} (source id {})",
                    e.subject,
                    e.version,
                    have.id,
                    e.id
                ),
                Err(err) if err.is_not_found() => {
                    let req = SchemaRequest {
                        schema: e.schema.clone(),
                        schema_type: Some(e.schema_type.clone().unwrap_or_else(|| "JSON".into())),
                        references: e.references.clone(),
                        id: Some(e.id),
                        version: Some(e.version),
                        metadata: e.metadata.clone(),
                        rule_set: e.rule_set.clone(),
                    };
                    to.register_request(&e.subject, &req)
                        .await
                        .with_context(|| {
                            format!(
                                "importing {} version {} (id {})",
                                e.subject, e.version, e.id
                            )
                        })?;
                    counts.imported += 1;
                }
                Err(err) => return Err(err.into()),
            }
            bar.inc(1);
        }
        for (subject, cfg) in &dump.configs {
            let path = if subject.is_empty() {
                "/config".to_string()
            } else {
                format!("/config/{}", segment(subject))
            };
            to.put::<serde_json::Value, _>(&path, cfg)
                .await
                .with_context(|| format!("setting {path}"))?;
        }
        Ok(())
    }
    .await;
    bar.finish_and_clear();
    let restore = ModeRequest {
        mode: previous.mode.as_str().to_string(),
    };
    to.put::<ModeAnswer, _>("/mode", &restore)
        .await
        .with_context(|| format!("putting {base} back in {} mode", previous.mode))?;
    result?;
    counts.target = export(to).await?.entries.len();
    Ok(counts)
}
