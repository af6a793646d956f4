//! Moving a registry: `import --from URL` copies every subject version, id and config from a
//! running Confluent-API registry (ours or another) into a target registry through its IMPORT
//! mode, keeping ids and version numbers; `export` writes a whole registry to one JSON file and
//! `import --file` loads it back. Both talk HTTP only, so they work against any peer.
//!
//! Resumable: a version the target already holds with the same id is skipped, so an interrupted
//! import is simply run again. Versions go in id order, so referenced schemas land first.

use std::collections::BTreeMap;

use anyhow::{bail, Context};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

/// One subject version as a registry serves it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    pub subject: String,
    pub version: i64,
    pub id: i64,
    #[serde(rename = "schemaType", default)]
    pub schema_type: Option<String>,
    pub schema: String,
    #[serde(default)]
    pub references: Vec<Value>,
}

/// A whole registry: every live version, and the compatibility configs.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Dump {
    pub entries: Vec<Entry>,
    /// Subject ("" for global) → config body as served.
    pub configs: BTreeMap<String, Value>,
}

/// What an import did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub source: usize,
    pub imported: usize,
    pub skipped: usize,
    pub target: usize,
}

async fn get_json(c: &reqwest::Client, url: &str) -> anyhow::Result<(u16, Value)> {
    let r = c
        .get(url)
        .send()
        .await
        .with_context(|| format!("GET {url}"))?;
    let status = r.status().as_u16();
    Ok((status, r.json().await.unwrap_or(Value::Null)))
}

/// Reads every live subject version and config from a registry.
pub async fn export(from: &str) -> anyhow::Result<Dump> {
    let c = reqwest::Client::new();
    let from = from.trim_end_matches('/');
    let (status, subjects) = get_json(&c, &format!("{from}/subjects")).await?;
    if status != 200 {
        bail!("{from}/subjects answered {status}: {subjects}");
    }
    let mut dump = Dump::default();
    for s in subjects
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
    {
        let enc = registry_client::segment(s);
        let (_, versions) = get_json(&c, &format!("{from}/subjects/{enc}/versions")).await?;
        for v in versions
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_i64)
        {
            let (st, body) = get_json(&c, &format!("{from}/subjects/{enc}/versions/{v}")).await?;
            if st != 200 {
                bail!("{from}: {s} version {v} answered {st}: {body}");
            }
            dump.entries
                .push(serde_json::from_value(body).with_context(|| format!("{s} version {v}"))?);
        }
        if let (200, cfg) = get_json(&c, &format!("{from}/config/{enc}")).await? {
            dump.configs.insert(s.to_string(), cfg);
        }
    }
    if let (200, cfg) = get_json(&c, &format!("{from}/config")).await? {
        dump.configs.insert(String::new(), cfg);
    }
    dump.entries
        .sort_by_key(|e| (e.id, e.subject.clone(), e.version));
    Ok(dump)
}

/// Writes a dump into a registry through IMPORT mode, keeping ids and versions; configs follow.
/// `progress` shows a bar (on a terminal).
pub async fn load(dump: &Dump, to: &str, progress: bool) -> anyhow::Result<Counts> {
    let c = reqwest::Client::new();
    let to = to.trim_end_matches('/');
    let (_, mode) = get_json(&c, &format!("{to}/mode")).await?;
    let previous = mode["mode"].as_str().unwrap_or("READWRITE").to_string();
    let r = c
        .put(format!("{to}/mode"))
        .json(&json!({"mode": "IMPORT"}))
        .send()
        .await?;
    if !r.status().is_success() {
        bail!(
            "{to} refused IMPORT mode: {}",
            r.text().await.unwrap_or_default()
        );
    }
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
            let enc = registry_client::segment(&e.subject);
            let (st, have) = get_json(&c, &format!("{to}/subjects/{enc}/versions/{}?deleted=true", e.version)).await?;
            if st == 200 {
                if have["id"].as_i64() != Some(e.id) {
                    bail!("{} version {} exists in the target with id {} (source id {})", e.subject, e.version, have["id"], e.id);
                }
                counts.skipped += 1;
            } else {
                let body = json!({"schema": e.schema, "schemaType": e.schema_type.clone().unwrap_or_else(|| "JSON".into()), "references": e.references, "id": e.id, "version": e.version});
                let r = c.post(format!("{to}/subjects/{enc}/versions")).json(&body).send().await?;
                if !r.status().is_success() {
                    bail!("importing {} version {} (id {}): {}", e.subject, e.version, e.id, r.text().await.unwrap_or_default());
                }
                counts.imported += 1;
            }
            bar.inc(1);
        }
        for (subject, cfg) in &dump.configs {
            let level = cfg.get("compatibilityLevel").or_else(|| cfg.get("compatibility"));
            let mut body = json!({});
            if let Some(l) = level {
                body["compatibility"] = l.clone();
            }
            if let Some(r) = cfg.get("rules") {
                body["rules"] = r.clone();
            }
            let url = if subject.is_empty() { format!("{to}/config") } else { format!("{to}/config/{}", registry_client::segment(subject)) };
            c.put(url).json(&body).send().await?;
        }
        Ok(())
    }
    .await;
    bar.finish_and_clear();
    c.put(format!("{to}/mode"))
        .json(&json!({"mode": previous}))
        .send()
        .await?;
    result?;
    counts.target = export(to).await?.entries.len();
    Ok(counts)
}
