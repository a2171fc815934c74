//! The opened repository a command works on, resolved once at the edge (as
//! ripgrep resolves its arguments once, `crates/core/flags/hiargs.rs`): the
//! root, the records, the settings of folio.yaml and the date to evaluate
//! at. Below this, the date is a plain date.

use crate::ladder::Settings;
use crate::load;
use crate::model::Repo;
use chrono::NaiveDate;
use std::path::{Path, PathBuf};

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
pub fn open(root: &Path, as_of: Option<NaiveDate>) -> Result<Session, NotAFolder> {
    if !root.is_dir() {
        return Err(NotAFolder(root.to_path_buf()));
    }
    let t = std::time::Instant::now();
    let repo = load::load(root);
    crate::timing("load", t);
    let settings = Settings::from_config(repo.config.as_ref().map(|c| &c.data));
    let as_of = as_of.unwrap_or_else(|| settings.today());
    Ok(Session {
        root: root.to_path_buf(),
        repo,
        settings,
        as_of,
    })
}
