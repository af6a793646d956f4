//! Soft and permanent deletes of versions and subjects. Preconditions are read inside the
//! subject's transaction, so a concurrent registration or delete cannot slip between the
//! check and the write.

use registry_api::Mode;

use super::{Audit, Error, Registry, Result, VersionId};
use crate::store::Change;

impl Registry {
    /// Deletes one version (soft, or permanent after a soft delete); answers its number.
    pub async fn delete_version(
        &self,
        subject: &str,
        version: &str,
        permanent: bool,
        audit: &Audit,
    ) -> Result<i64> {
        let id: VersionId = version.parse()?;
        self.writable(subject).await?;
        let mut tx = self.store.lock_subject(subject).await?;
        let rows = tx.versions().await?;
        if rows.is_empty() {
            return Err(Error::SubjectNotFound(subject.to_string()));
        }
        let row = id
            .pick(&rows, true)
            .cloned()
            .ok_or_else(|| Error::VersionNotFound(version.to_string()))?;
        if permanent && !row.deleted {
            return Err(Error::VersionNotSoftDeleted(
                subject.to_string(),
                row.version,
            ));
        }
        if !permanent && row.deleted {
            return Err(Error::VersionSoftDeleted(subject.to_string(), row.version));
        }
        if !tx.referenced_by(row.version).await?.is_empty() {
            return Err(Error::Referenced(subject.to_string(), row.version));
        }
        let mut audit = audit.clone();
        audit.subject = Some(subject.to_string());
        tx.delete_versions(&[row.version], permanent, &audit)
            .await?;
        self.changed(&Change::Subject(subject.to_string()));
        Ok(row.version)
    }

    /// Deletes a subject's versions (soft: the live ones; permanent: all, after a soft
    /// delete); answers their numbers.
    pub async fn delete_subject(
        &self,
        subject: &str,
        permanent: bool,
        audit: &Audit,
    ) -> Result<Vec<i64>> {
        let _: Mode = self.writable(subject).await?;
        let mut tx = self.store.lock_subject(subject).await?;
        let all = tx.versions().await?;
        if all.is_empty() {
            return Err(Error::SubjectNotFound(subject.to_string()));
        }
        let live: Vec<i64> = all
            .iter()
            .filter(|v| !v.deleted)
            .map(|v| v.version)
            .collect();
        if permanent && !live.is_empty() {
            return Err(Error::SubjectNotSoftDeleted(subject.to_string()));
        }
        if !permanent && live.is_empty() {
            return Err(Error::SubjectSoftDeleted(subject.to_string()));
        }
        let targets: Vec<i64> = if permanent {
            all.iter().map(|v| v.version).collect()
        } else {
            live
        };
        for v in &targets {
            if !tx.referenced_by(*v).await?.is_empty() {
                return Err(Error::Referenced(subject.to_string(), *v));
            }
        }
        let mut audit = audit.clone();
        audit.subject = Some(subject.to_string());
        tx.delete_versions(&targets, permanent, &audit).await?;
        self.changed(&Change::Subject(subject.to_string()));
        Ok(targets)
    }
}
