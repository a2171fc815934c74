//! `folio build`: the static site of SPEC §5 (owned by the site work, issue #4).
//!
//! Public API used by `folio build` and `folio serve`:
//! [`build`] renders the records at `root` into `opts.out`, atomically.

use crate::diagnostic::Diagnostic;
use chrono::NaiveDate;
use std::path::{Path, PathBuf};

/// What to build.
#[derive(Clone, Debug)]
pub struct Options {
    pub out: PathBuf,
    pub handbook_only: bool,
    /// `None`: today in folio.yaml's time zone.
    pub as_of: Option<NaiveDate>,
}

/// What a successful build wrote, and the warnings met on the way.
#[derive(Debug, Default)]
pub struct Summary {
    pub pages: usize,
    pub files: usize,
    pub warnings: Vec<Diagnostic>,
}

/// Why a build failed. The previous output is left untouched in every case.
#[derive(Debug)]
pub enum BuildError {
    /// The records have errors (as `folio check` reports them).
    Records(Vec<Diagnostic>),
    /// The output folder is refused (the records root, holds records, or not folio's).
    Refused(String),
    /// A broken internal link, a template that fails to render, I/O.
    Failed(String),
}

/// Renders the site. Not implemented yet.
pub fn build(root: &Path, opts: &Options) -> Result<Summary, BuildError> {
    let _ = (root, opts);
    Err(BuildError::Failed("the site builder is not implemented yet".into()))
}
