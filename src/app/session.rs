//! The opened repository a command works on, resolved once at the edge (as
//! ripgrep resolves its arguments once, `crates/core/flags/hiargs.rs`): the
//! root, the records, the settings of folio.yaml and the date to evaluate
//! at. Below this, the date is a plain date.

use crate::ladder::Settings;
use crate::load;
use crate::model::Repo;
use chrono::NaiveDate;
use std::path::{Path, PathBuf};

/// The date a command evaluates the records at, as the command line gave
/// it: a fixed day (`--as-of`), or today where the agency is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AsOf {
    Day(NaiveDate),
    Today,
}

impl AsOf {
    /// `--as-of` when given, else today.
    pub fn from_flag(flag: Option<NaiveDate>) -> AsOf {
        flag.map_or(AsOf::Today, AsOf::Day)
    }

    /// The date itself: the fixed day, or today in folio.yaml's time zone
    /// (`timezone`). The one place the evaluation date is decided; a
    /// long-running `folio serve` asks again at each build, so a server
    /// left running past midnight moves to the new day.
    pub fn resolve(self, settings: &Settings) -> NaiveDate {
        match self {
            AsOf::Day(day) => day,
            AsOf::Today => settings.today(),
        }
    }
}

pub struct Session {
    pub root: PathBuf,
    pub repo: Repo,
    pub settings: Settings,
    /// `--as-of`, or today in folio.yaml's time zone.
    pub as_of: NaiveDate,
}

/// Why a repository cannot be opened: the folder is not one.
#[derive(Debug)]
pub struct NotAFolder(pub PathBuf);

impl std::fmt::Display for NotAFolder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "`{}` is not a folder", self.0.display())
    }
}

/// Loads the records under `root` and resolves the evaluation date:
/// `as_of` when given, else today where the agency is (folio.yaml's
/// `timezone`).
pub fn open(root: &Path, as_of: AsOf) -> Result<Session, NotAFolder> {
    if !root.is_dir() {
        return Err(NotAFolder(root.to_path_buf()));
    }
    let t = std::time::Instant::now();
    let repo = load::load(root);
    crate::timing("load", t);
    Ok(of_repo(root, repo, as_of))
}

/// The session of records already loaded from `root` (all of them, or the
/// handbook only): folio.yaml's settings and the evaluation date.
pub fn of_repo(root: &Path, repo: Repo, as_of: AsOf) -> Session {
    let settings = Settings::from_config(repo.config.as_ref().map(|c| &c.data));
    let as_of = as_of.resolve(&settings);
    Session {
        root: root.to_path_buf(),
        repo,
        settings,
        as_of,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn today_is_read_in_the_records_time_zone() {
        let dir = |zone: &str| {
            let d = tempfile::tempdir().unwrap();
            std::fs::write(
                d.path().join("folio.yaml"),
                format!("company: Test\ntimezone: {zone}\n"),
            )
            .unwrap();
            d
        };
        let today = |root: &Path| open(root, AsOf::Today).unwrap().as_of;
        // UTC+14 and UTC-11 are always on different dates.
        let east = dir("Pacific/Kiritimati");
        let west = dir("Pacific/Pago_Pago");
        assert!(today(east.path()) > today(west.path()));
        let utc = chrono::Utc::now().date_naive();
        let none = tempfile::tempdir().unwrap();
        assert!((today(none.path()) - utc).num_days().abs() <= 1);
        let fixed = NaiveDate::from_ymd_opt(2026, 2, 28).unwrap();
        assert_eq!(open(east.path(), AsOf::Day(fixed)).unwrap().as_of, fixed);
    }
}
