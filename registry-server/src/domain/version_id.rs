//! Version ids as clients write them.

use super::{Error, Result, VersionRow};

/// A version id: a number in [1, 2^31-1], or `latest` (also spelled `-1`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VersionId {
    Latest,
    Number(i64),
}

impl std::str::FromStr for VersionId {
    type Err = Error;
    fn from_str(s: &str) -> Result<VersionId> {
        if s == "latest" || s == "-1" {
            return Ok(VersionId::Latest);
        }
        match s.parse::<i64>() {
            Ok(n) if (1..=i32::MAX as i64).contains(&n) => Ok(VersionId::Number(n)),
            _ => Err(Error::InvalidVersion(s.to_string())),
        }
    }
}

impl VersionId {
    /// The row this id names among a subject's rows (in version order), soft-deleted rows
    /// counting only with `deleted`: `latest` is the newest live version, else (with
    /// `deleted`) the newest of all.
    pub fn pick(self, rows: &[VersionRow], deleted: bool) -> Option<&VersionRow> {
        let visible = |v: &&VersionRow| deleted || !v.deleted;
        match self {
            VersionId::Latest => rows
                .iter()
                .rev()
                .find(|v| !v.deleted)
                .or_else(|| rows.iter().rev().find(visible)),
            VersionId::Number(n) => rows.iter().filter(visible).find(|v| v.version == n),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::VersionId;

    #[test]
    fn numbers_latest_and_nonsense() {
        assert_eq!("latest".parse::<VersionId>().unwrap(), VersionId::Latest);
        assert_eq!("-1".parse::<VersionId>().unwrap(), VersionId::Latest);
        assert_eq!("7".parse::<VersionId>().unwrap(), VersionId::Number(7));
        for bad in ["0", "-2", "2147483648", "1.0", "", "latest "] {
            assert!(bad.parse::<VersionId>().is_err(), "{bad}");
        }
    }
}
