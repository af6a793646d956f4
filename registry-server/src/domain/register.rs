//! Registration: idempotent for content already there, checked against the subject's level,
//! numbered inside the subject's transaction.

use registry_api::{Mode, SchemaRequest};

use super::compat::against;
use super::{Audit, Error, Registry, Result};
use crate::store::Change;

/// What a registration did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Registered {
    pub id: i64,
    pub version: i64,
    /// False when the content was already the subject's: nothing was written.
    pub created: bool,
}

/// The newest live version holding schema `id`: the content is already registered there.
fn already(versions: &[crate::store::VersionRow], id: i64) -> Option<Registered> {
    let v = versions
        .iter()
        .rev()
        .find(|v| !v.deleted && v.schema_id == id)?;
    Some(Registered {
        id,
        version: v.version,
        created: false,
    })
}

impl Registry {
    /// The versions of `rows` in the new version's compatibility group: those whose metadata
    /// property `group` has the same value (or, like it, none). A new major version starts a
    /// group of its own and is checked against none of the old one.
    async fn in_group<'r>(
        &self,
        rows: Vec<&'r crate::store::VersionRow>,
        group: &str,
        new: &super::Resolved,
    ) -> Result<Vec<&'r crate::store::VersionRow>> {
        let wanted = new.metadata.as_ref().and_then(|m| m.property(group));
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let schema = self.schema_of(row).await?;
            let value = schema.metadata.as_ref().and_then(|m| m.property(group));
            if value == wanted {
                out.push(row);
            }
        }
        Ok(out)
    }

    pub async fn register(
        &self,
        subject: &str,
        req: &SchemaRequest,
        normalize: bool,
        audit: &Audit,
    ) -> Result<Registered> {
        super::subject::check(subject)?;
        let mode = self.writable(subject).await?;
        let import = mode == Mode::Import;
        if (req.id.is_some() || req.version.is_some()) && !import {
            return Err(Error::NotPermitted(
                "an id or version can only be given in IMPORT mode".into(),
            ));
        }
        let explicit_version = import && req.version.is_some();
        self.check_rules(req.rule_set.as_ref()).await?;
        // An import keeps exactly what the source registry held: nothing inherited or laid over.
        let contracts = if import {
            super::contracts::exact(req)
        } else {
            let versions = self.all_versions(subject).await?;
            self.contracts_for(subject, req, &versions).await?
        };
        // Re-registering what is already there is the common case (every producer start, every
        // serializer with auto-register): answered from the caches, without parsing the
        // schema or taking the subject lock.
        let mut parsed = None;
        if !explicit_version {
            let content = match self.known_identity(req, normalize) {
                Some(f) => f,
                None => {
                    let cand = self.candidate(req, normalize).await?;
                    let f = cand.fingerprint.clone();
                    parsed = Some(cand);
                    f
                }
            };
            if let Some(id) = self.id_of(&contracts.fingerprint(&content)).await? {
                if let Some(done) = already(&self.all_versions(subject).await?, id) {
                    return Ok(done);
                }
            }
        }
        let cand = match parsed {
            Some(c) => c,
            None => self.candidate(req, normalize).await?,
        };
        let settings = self.settings(subject).await?;
        let group = self.contract_settings(subject).await?.compatibility_group;
        let mut tx = self.store.lock_subject(subject).await?;
        let versions = tx.versions().await?;
        // What is inherited is read again under the lock: another registration may have added
        // the subject's latest version since the look above.
        let contracts = if import {
            contracts
        } else {
            self.contracts_for(subject, req, &versions).await?
        };
        let fingerprint = contracts.fingerprint(&cand.fingerprint);
        if !explicit_version {
            if let Some(id) = tx.schema_id_by_fingerprint(&fingerprint).await? {
                if let Some(done) = already(&versions, id) {
                    return Ok(done);
                }
            }
        }
        if !import {
            let mut rows = against(settings.level, &versions);
            if let Some(group) = &group {
                rows = self.in_group(rows, group, &contracts).await?;
            }
            let verdict = self
                .verdict(&cand, &rows, settings.level.mode(), settings.rules)
                .await?;
            if !verdict.changes.is_empty() || !verdict.compatible {
                let kinds: Vec<&str> = verdict.changes.iter().map(|c| c.kind.as_str()).collect();
                self.metrics.rejected(&kinds);
                return Err(Error::Incompatible {
                    subject: subject.to_string(),
                    changes: verdict.changes,
                });
            }
        }
        if let Some(v) = req.version {
            if versions.iter().any(|x| x.version == v) {
                return Err(Error::NotPermitted(format!(
                    "version {v} of {subject} already exists"
                )));
            }
        }
        let id = tx
            .schema_id(
                &fingerprint,
                "JSON",
                &cand.text,
                &cand.references,
                &contracts.stored(),
                if import { req.id } else { None },
            )
            .await?;
        let mut audit = audit.clone();
        audit.subject = Some(subject.to_string());
        audit.detail = serde_json::json!({
            "fingerprint": fingerprint,
            "level": settings.level.as_str(),
            "rules": settings.rules.to_string(),
        });
        let version = tx
            .add_version(id, if import { req.version } else { None }, &audit)
            .await?;
        self.changed(&Change::Subject(subject.to_string()));
        self.metrics.registered();
        tracing::info!(subject, id, version, "registered");
        Ok(Registered {
            id,
            version,
            created: true,
        })
    }
}
