//! An opened records repository: every record read from it, by kind, with
//! where each came from, and every problem met on the way. `load` builds
//! it (from a folder, a git tree or bytes in memory); everything above
//! reads it.

use super::{Account, Config, Invoice, Page, Project};
use crate::diagnostic::Diagnostic;
use std::path::PathBuf;

/// A parsed record with where it came from.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub struct Record<T> {
    /// Path relative to the repository root, `/`-separated.
    pub file: String,
    /// The file stem (project id, handbook page slug).
    pub id: String,
    pub data: T,
    pub body: String,
    pub body_line: u32,
}

/// One `accounts/<id>/` folder.
#[derive(Debug, Default)]
pub struct AccountDir {
    pub id: String,
    pub account: Option<Record<Account>>,
    pub projects: Vec<Record<Project>>,
    pub invoices: Vec<Record<Invoice>>,
}

/// Everything read from a records repository, and every problem met on the way.
#[derive(Debug, Default)]
pub struct Repo {
    pub root: PathBuf,
    pub config: Option<Record<Config>>,
    pub handbook: Vec<Record<Page>>,
    /// Sorted by account id.
    pub accounts: Vec<AccountDir>,
    pub diagnostics: Vec<Diagnostic>,
}

impl Repo {
    pub fn account(&self, id: &str) -> Option<&AccountDir> {
        self.accounts
            .binary_search_by(|a| a.id.as_str().cmp(id))
            .ok()
            .map(|i| &self.accounts[i])
    }
    pub fn invoices(&self) -> impl Iterator<Item = (&AccountDir, &Record<Invoice>)> {
        self.accounts
            .iter()
            .flat_map(|a| a.invoices.iter().map(move |i| (a, i)))
    }
}
