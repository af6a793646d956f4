//! Reads: subjects, versions, schemas by id, usages, references, the audit log. Subject
//! versions and schemas come from the caches when they can.

use std::sync::Arc;

use registry_api::{SchemaById, SubjectVersion, SubjectVersionPair};

use super::cache::Held;

/// What a listing keeps (Confluent's `subjectPrefix`, `deleted`, `deletedOnly`, `latestOnly`).
#[derive(Debug, Clone, Default)]
pub struct Listing {
    pub prefix: String,
    pub deleted: bool,
    pub deleted_only: bool,
    pub latest_only: bool,
}

impl Listing {
    /// Whether something (a subject whose versions are all soft-deleted, or a version) with
    /// this deleted state is listed.
    pub fn keeps(&self, deleted: bool) -> bool {
        match (self.deleted_only, self.deleted) {
            (true, _) => deleted,
            (false, true) => true,
            (false, false) => !deleted,
        }
    }
}
use super::{AuditFilter, AuditRecord, Error, Registry, Result, SchemaRow, VersionId, VersionRow};
use crate::store::StoreError;

impl Registry {
    /// Subject names, in order: live ones, with `deleted` soft-deleted ones too, with
    /// `deleted_only` only those; with a prefix, only names that start with it.
    pub async fn subjects(&self, filter: &Listing) -> Result<Vec<String>> {
        Ok(self
            .store
            .subject_states()
            .await?
            .into_iter()
            .filter(|(name, all_deleted)| {
                name.starts_with(&filter.prefix) && filter.keeps(*all_deleted)
            })
            .map(|(name, _)| name)
            .collect())
    }

    /// `GET /schemas`: the versions of every subject the filter keeps (with `latest_only`, each
    /// subject's newest visible one), in subject and version order.
    pub async fn list_schemas(&self, filter: &Listing) -> Result<Vec<SubjectVersion>> {
        // `deletedOnly` is not one of this listing's filters.
        let filter = Listing {
            deleted_only: false,
            ..filter.clone()
        };
        let mut out = Vec::new();
        for subject in self.subjects(&filter).await? {
            let rows = self.all_versions(&subject).await?;
            let visible: Vec<&VersionRow> =
                rows.iter().filter(|v| filter.keeps(v.deleted)).collect();
            let chosen: Vec<&VersionRow> = if filter.latest_only {
                visible.last().copied().into_iter().collect()
            } else {
                visible
            };
            for row in chosen {
                out.push(self.subject_version(row).await?);
            }
        }
        Ok(out)
    }

    /// Every version row of a subject, deleted ones included (none: an empty list).
    pub(super) async fn all_versions(&self, subject: &str) -> Result<Arc<Vec<VersionRow>>> {
        let stale = match self.caches.versions.get(subject) {
            Some(Held::Fresh(v)) => return Ok(v),
            Some(Held::Stale(v)) => Some(v),
            None => None,
        };
        let ticket = self.caches.versions.ticket();
        match (self.store.versions(subject).await, stale) {
            (Ok(rows), _) => {
                let rows = Arc::new(rows);
                self.caches
                    .versions
                    .fill(ticket, subject.to_string(), rows.clone());
                Ok(rows)
            }
            // The store does not answer: what was read before is what it holds.
            (Err(StoreError::Unreachable(_)), Some(stale)) => Ok(stale),
            (Err(e), _) => Err(e.into()),
        }
    }

    /// A subject's version numbers: live ones, with `deleted` soft-deleted ones too, with
    /// `deleted_only` only those; 40401 when it has none of them.
    pub async fn version_numbers(&self, subject: &str, filter: &Listing) -> Result<Vec<i64>> {
        let rows = self.all_versions(subject).await?;
        let out: Vec<i64> = rows
            .iter()
            .filter(|v| filter.keeps(v.deleted))
            .map(|v| v.version)
            .collect();
        // A subject with no deleted versions answers `deletedOnly` with an empty list; one
        // with no versions at all does not exist.
        let exists = filter.deleted_only && !rows.is_empty();
        if out.is_empty() && !exists {
            return Err(Error::SubjectNotFound(subject.to_string()));
        }
        Ok(out)
    }

    /// The subject's rows (`deleted`: soft-deleted ones too), or 40401 when none is visible.
    pub async fn versions(&self, subject: &str, deleted: bool) -> Result<Vec<VersionRow>> {
        let rows: Vec<VersionRow> = self
            .all_versions(subject)
            .await?
            .iter()
            .filter(|v| deleted || !v.deleted)
            .cloned()
            .collect();
        if rows.is_empty() {
            return Err(Error::SubjectNotFound(subject.to_string()));
        }
        Ok(rows)
    }

    /// One version by id (`latest`: the newest live one, or with `deleted` the newest).
    pub async fn find_version(
        &self,
        subject: &str,
        version: &str,
        deleted: bool,
    ) -> Result<VersionRow> {
        let id: VersionId = version.parse()?;
        // Straight from the cached list: only the row found is copied.
        let all = self.all_versions(subject).await?;
        if !all.iter().any(|v| deleted || !v.deleted) {
            return Err(Error::SubjectNotFound(subject.to_string()));
        }
        id.pick(&all, deleted)
            .cloned()
            .ok_or_else(|| Error::VersionNotFound(version.to_string()))
    }

    /// A stored schema by id, 40403 when there is none.
    pub async fn schema(&self, id: i64) -> Result<Arc<SchemaRow>> {
        if let Some(s) = self.caches.schemas.get(&id) {
            return Ok(s);
        }
        let row = self
            .store
            .schema(id)
            .await?
            .ok_or_else(|| Error::SchemaNotFound(id.to_string()))?;
        let row = Arc::new(row);
        self.caches.schemas.insert(id, row.clone());
        Ok(row)
    }

    /// A schema row a version row names: missing means the database broke an invariant.
    pub(super) async fn schema_of(&self, row: &VersionRow) -> Result<Arc<SchemaRow>> {
        self.schema(row.schema_id).await.map_err(|e| match e {
            Error::SchemaNotFound(_) => Error::Internal(format!(
                "{} v{} names missing schema {}",
                row.subject, row.version, row.schema_id
            )),
            e => e,
        })
    }

    /// A version as the API answers it.
    pub async fn subject_version(&self, row: &VersionRow) -> Result<SubjectVersion> {
        let schema = self.schema_of(row).await?;
        Ok(SubjectVersion {
            subject: row.subject.clone(),
            version: row.version,
            id: row.schema_id,
            schema_type: Some(schema.schema_type.clone()),
            schema: schema.text.clone(),
            references: schema.refs.clone(),
            metadata: schema.metadata.clone(),
            rule_set: schema.rule_set.clone(),
            guid: super::guid(&schema.fingerprint),
        })
    }

    pub async fn schema_by_id(&self, id: i64) -> Result<SchemaById> {
        let schema = self.schema(id).await?;
        Ok(by_id(&schema))
    }

    /// `GET /schemas/guids/{guid}` (Confluent 8): 40403 for a GUID no schema has.
    pub async fn schema_by_guid(&self, guid: &str) -> Result<(i64, SchemaById)> {
        let not_found = || Error::SchemaNotFound(format!("with GUID {guid:?}"));
        let prefix = super::contracts::guid_prefix(guid).ok_or_else(not_found)?;
        let row = self
            .store
            .schema_by_fingerprint_prefix(&prefix)
            .await?
            .ok_or_else(not_found)?;
        Ok((row.id, by_id(&row)))
    }

    /// Every context holding a subject (`.`, the default one, always), in order.
    pub async fn contexts(&self) -> Result<Vec<String>> {
        let mut out: std::collections::BTreeSet<String> = [".".to_string()].into();
        for (name, _) in self.store.subject_states().await? {
            if let Some(c) = super::subject::context_of(&name) {
                out.insert(c.to_string());
            }
        }
        Ok(out.into_iter().collect())
    }

    /// `GET /subjects/{s}/metadata`: the newest version whose metadata has every property
    /// asked for (40401 for an unknown subject, 40403 when none has).
    pub async fn latest_with_metadata(
        &self,
        subject: &str,
        wanted: &[(String, String)],
        deleted: bool,
    ) -> Result<SubjectVersion> {
        let rows = self.versions(subject, deleted).await?;
        for row in rows.iter().rev() {
            let schema = self.schema_of(row).await?;
            let holds = wanted.iter().all(|(k, v)| {
                schema.metadata.as_ref().and_then(|m| m.property(k)) == Some(v.as_str())
            });
            if holds {
                return self.subject_version(row).await;
            }
        }
        Err(Error::SchemaNotFound(format!(
            "no version of {subject} has that metadata"
        )))
    }

    /// Live subject versions that use a schema id (40403 for an unknown id).
    pub async fn usages(&self, id: i64) -> Result<Vec<SubjectVersionPair>> {
        self.schema(id).await?;
        Ok(self
            .store
            .usages(id)
            .await?
            .into_iter()
            .map(|v| SubjectVersionPair {
                subject: v.subject,
                version: v.version,
            })
            .collect())
    }

    /// Ids of live schemas whose references name this subject version.
    pub async fn referenced_by(&self, subject: &str, version: &str) -> Result<Vec<i64>> {
        let row = self.find_version(subject, version, false).await?;
        Ok(self.store.referenced_by(subject, row.version).await?)
    }

    /// Under which version of `subject` a schema is registered.
    pub async fn lookup(
        &self,
        subject: &str,
        req: &registry_api::SchemaRequest,
        normalize: bool,
        deleted: bool,
    ) -> Result<SubjectVersion> {
        let rows = self.versions(subject, deleted).await?;
        let content = self.identify(req, normalize).await?;
        // With contracts given, they are part of what is looked up; without, any version of
        // the content matches, newest first (Confluent's look-up ignores what was inherited).
        if req.metadata.is_some() || req.rule_set.is_some() {
            let exact = super::contracts::exact(req);
            let id = self.id_of(&exact.fingerprint(&content)).await?;
            if let Some(row) = id.and_then(|id| rows.iter().rev().find(|v| v.schema_id == id)) {
                return self.subject_version(row).await;
            }
        } else {
            for row in rows.iter().rev() {
                let schema = self.schema_of(row).await?;
                if super::Resolved::of(&schema).fingerprint(&content) == schema.fingerprint {
                    return self.subject_version(row).await;
                }
            }
        }
        Err(Error::SchemaNotFound(
            "not registered under this subject".into(),
        ))
    }

    /// The schema id of a content fingerprint, if registered (kept once known: ids of a
    /// fingerprint never change).
    pub(super) async fn id_of(&self, fingerprint: &str) -> Result<Option<i64>> {
        if let Some(id) = self.caches.ids.get(fingerprint) {
            return Ok(Some(id));
        }
        let id = self.store.schema_id_by_fingerprint(fingerprint).await?;
        if let Some(id) = id {
            self.caches.ids.insert(fingerprint.to_string(), id);
        }
        Ok(id)
    }

    /// Each subject's latest audit record, by subject (one query per 500 subjects).
    pub async fn last_changes(
        &self,
        subjects: &[String],
    ) -> Result<std::collections::HashMap<String, AuditRecord>> {
        let mut out = std::collections::HashMap::new();
        for chunk in subjects.chunks(500) {
            for r in self.store.last_changes(chunk).await? {
                if let Some(s) = r.subject.clone() {
                    out.insert(s, r);
                }
            }
        }
        Ok(out)
    }

    /// The audit records a filter selects, newest first.
    pub async fn audit(&self, filter: &AuditFilter) -> Result<Vec<AuditRecord>> {
        Ok(self.store.audit_search(filter).await?)
    }
}

/// A schema as `GET /schemas/ids/{id}` answers it.
fn by_id(schema: &SchemaRow) -> SchemaById {
    SchemaById {
        schema: schema.text.clone(),
        schema_type: Some(schema.schema_type.clone()),
        references: schema.refs.clone(),
        metadata: schema.metadata.clone(),
        rule_set: schema.rule_set.clone(),
        guid: super::guid(&schema.fingerprint),
    }
}
