//! Rebuilding a served site after an edit without redoing the whole build.
//!
//! A [`ServedSite`] keeps what a build read (the records, the templates, the
//! git history) in memory. When files change it re-reads only the account
//! folders (or the handbook) that changed, then:
//! 1. [`ServedSite::preview`] renders the changed accounts' own pages (account
//!    and invoice pages) from a repository that holds just those accounts,
//!    and writes them over the served site: the edit shows in a fraction of
//!    a second even on a repository of 60,000 files;
//! 2. [`ServedSite::update`] checks the whole repository again and re-renders
//!    every page that sums up all accounts (dashboard, agenda, account
//!    index, role pages, status.json, calendar, search index) together with
//!    the changed accounts' pages, removes the pages that no longer exist,
//!    and leaves the served site byte for byte what `folio build` writes.
//!
//! Changes to folio.yaml or the templates, a new day, or a git HEAD that
//! moved (timelines and histories change everywhere) read everything again.

use crate::app::build::{Inputs, Parts, Summary, check_and_render};
use crate::app::session::AsOf;
use crate::site::output;
use crate::site::render::{BuildError, Plan, Rendered, Scope, Write};
use chrono::NaiveDate;
use std::collections::{BTreeSet, HashSet};
use std::path::{Path, PathBuf};

/// What a changed path invalidates.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Change {
    /// folio.yaml, the templates, or something folio cannot place.
    Everything,
    /// The handbook's pages.
    Handbook,
    /// One `accounts/<id>/` folder.
    Account(String),
}

impl Change {
    /// What a change to `rel` (relative to the records root, `/`-separated)
    /// invalidates; `None` for paths that are not part of the site.
    pub fn of(rel: &str) -> Option<Change> {
        let mut parts = rel.split('/').filter(|p| !p.is_empty());
        let first = parts.next()?;
        if first.starts_with('.') {
            return None;
        }
        match first {
            "folio.yaml" | "templates" => Some(Change::Everything),
            "handbook" => Some(Change::Handbook),
            "accounts" => match parts.next() {
                Some(id) if id.starts_with('.') => None,
                Some(id) => Some(Change::Account(id.to_string())),
                None => Some(Change::Everything),
            },
            _ => None,
        }
    }
}

/// A served site and what it was built from.
pub struct ServedSite {
    inputs: Inputs,
    /// The git HEAD the history was read at (`None` outside git).
    head: Option<String>,
    /// The folder holding the complete site, once one was rendered.
    dir: Option<PathBuf>,
    /// Every file of that site.
    files: HashSet<String>,
    /// Accounts re-read since the site was last brought up to date (kept
    /// while the records have errors, so the fix re-renders them all).
    dirty: BTreeSet<String>,
    handbook_dirty: bool,
    /// The day the site was last rendered as of.
    day: Option<NaiveDate>,
}

impl ServedSite {
    /// Reads the records, templates and history at `root`.
    pub fn read(root: &Path, as_of: AsOf) -> ServedSite {
        let head = head_of(root);
        ServedSite {
            inputs: Inputs::read(root, as_of),
            head,
            dir: None,
            files: HashSet::new(),
            dirty: BTreeSet::new(),
            handbook_dirty: false,
            day: None,
        }
    }

    fn root(&self) -> &Path {
        &self.inputs.session.root
    }

    /// The day to render as of, by the served repository's settings.
    pub fn day(&self, as_of: AsOf) -> NaiveDate {
        as_of.resolve(&self.inputs.session.settings)
    }

    /// Whether the site was rendered as of another day than `as_of` is
    /// now: true once a server left running without `--as-of` passes
    /// midnight where the agency is.
    pub fn is_outdated(&self, as_of: AsOf) -> bool {
        self.day.is_some_and(|day| day != self.day(as_of))
    }

    /// Whether the git history moved since it was read.
    pub fn history_moved(&self) -> bool {
        head_of(self.root()) != self.head
    }

    /// Whether a site is being served that [`ServedSite::update`] can bring up
    /// to date in place.
    pub fn has_site(&self) -> bool {
        self.dir.is_some()
    }

    /// Renders the whole site into `dir`, a new folder, and serves from it
    /// from now on.
    pub fn render_all(&mut self, as_of: NaiveDate, dir: &Path) -> Result<Summary, BuildError> {
        std::fs::create_dir_all(dir)
            .map_err(|e| BuildError::Failed(format!("cannot create `{}`: {e}", dir.display())))?;
        let (summary, rendered) = check_and_render(
            &self.inputs.parts(),
            &Plan {
                as_of,
                handbook_only: false,
                scope: Scope::Everything,
                dir,
                write: Write::Fresh { previous: None },
            },
        )?;
        self.day = Some(as_of);
        self.dir = Some(dir.to_path_buf());
        self.files = rendered.files.into_iter().collect();
        self.dirty.clear();
        self.handbook_dirty = false;
        Ok(summary)
    }

    /// Re-reads what `changes` name (never [`Change::Everything`]: that
    /// needs a new [`ServedSite`]) and returns the accounts among them.
    pub fn reload(&mut self, changes: &BTreeSet<Change>) -> BTreeSet<String> {
        let mut accounts = BTreeSet::new();
        for change in changes {
            match change {
                Change::Everything => {}
                Change::Handbook => {
                    self.inputs.session.repo.reload_handbook();
                    self.handbook_dirty = true;
                }
                Change::Account(id) => {
                    self.inputs.session.repo.reload_account(id);
                    self.dirty.insert(id.clone());
                    accounts.insert(id.clone());
                }
            }
        }
        accounts
    }

    /// The quick first answer to an edit: renders the account and invoice
    /// pages of `accounts` over the served site, checking only those
    /// accounts. Returns the pages written; [`ServedSite::update`] must follow.
    pub fn preview(
        &mut self,
        as_of: NaiveDate,
        accounts: &BTreeSet<String>,
    ) -> Result<usize, BuildError> {
        let Some(dir) = self.dir.clone() else {
            return Ok(0);
        };
        // A repository holding only the changed accounts, folio.yaml and
        // their diagnostics, borrowed from the served site's for the render.
        let repo = &mut self.inputs.session.repo;
        let mut part = crate::model::Repo {
            root: repo.root.clone(),
            config: repo.config.take(),
            ..Default::default()
        };
        let (taken, kept): (Vec<_>, Vec<_>) = std::mem::take(&mut repo.accounts)
            .into_iter()
            .partition(|a| accounts.contains(&a.id));
        repo.accounts = kept;
        part.accounts = taken;
        part.diagnostics = repo
            .diagnostics
            .iter()
            .filter(|d| {
                d.file == "folio.yaml"
                    || crate::model::account_of(&d.file).is_some_and(|id| accounts.contains(id))
            })
            .cloned()
            .collect();
        let result = check_and_render(
            &Parts {
                repo: &part,
                ..self.inputs.parts()
            },
            &Plan {
                as_of,
                handbook_only: false,
                scope: Scope::Pages { known: &self.files },
                dir: &dir,
                write: Write::InPlace,
            },
        );
        // Everything goes back where it came from, whatever the render did.
        let repo = &mut self.inputs.session.repo;
        repo.config = part.config.take();
        repo.accounts.append(&mut part.accounts);
        repo.accounts.sort_by(|a, b| a.id.cmp(&b.id));
        result.map(|(_, r)| r.written)
    }

    /// Brings the served site up to date with the re-read records: checks
    /// everything, re-renders the changed accounts' pages and every page
    /// that sums up all accounts, and removes pages that are gone.
    pub fn update(&mut self, as_of: NaiveDate) -> Result<Summary, BuildError> {
        let Some(dir) = self.dir.clone() else {
            return Err(BuildError::Failed("no site to update".into()));
        };
        let (summary, Rendered { files, .. }) = check_and_render(
            &self.inputs.parts(),
            &Plan {
                as_of,
                handbook_only: false,
                scope: Scope::Changed {
                    accounts: &self.dirty,
                    handbook: self.handbook_dirty,
                },
                dir: &dir,
                write: Write::InPlace,
            },
        )?;
        let now: HashSet<String> = files.into_iter().collect();
        let mut stale: Vec<String> = self.files.difference(&now).cloned().collect();
        stale.sort();
        output::remove_stale(&dir, &stale);
        self.day = Some(as_of);
        self.files = now;
        self.dirty.clear();
        self.handbook_dirty = false;
        Ok(summary)
    }
}

/// The commit id HEAD points at, for telling whether history moved.
fn head_of(root: &Path) -> Option<String> {
    let repo = git2::Repository::discover(root).ok()?;
    let head = repo.head().ok()?;
    head.target().map(|id| id.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A server left running without `--as-of` rebuilds once the agency's
    /// day moves past the one its site was rendered for; with a fixed day,
    /// never.
    #[test]
    fn a_site_is_outdated_once_the_day_moves() {
        let records = tempfile::tempdir().unwrap();
        std::fs::write(records.path().join("folio.yaml"), "company: T\n").unwrap();
        let day = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        let next = day.succ_opt().unwrap();
        let mut site = ServedSite::read(records.path(), AsOf::Day(day));
        assert!(!site.is_outdated(AsOf::Day(next)), "nothing rendered yet");
        let out = tempfile::tempdir().unwrap();
        site.render_all(day, &out.path().join("site")).unwrap();
        assert!(!site.is_outdated(AsOf::Day(day)));
        assert!(site.is_outdated(AsOf::Day(next)));
    }

    #[test]
    fn changes_are_placed() {
        let cases = [
            ("folio.yaml", Some(Change::Everything)),
            ("templates/site/base.html", Some(Change::Everything)),
            ("handbook/producer.md", Some(Change::Handbook)),
            ("handbook", Some(Change::Handbook)),
            (
                "accounts/acme/invoices/a.md",
                Some(Change::Account("acme".into())),
            ),
            ("accounts/acme", Some(Change::Account("acme".into()))),
            ("accounts", Some(Change::Everything)),
            ("accounts/.tmp/x.md", None),
            (".git/HEAD", None),
            ("public/index.html", None),
        ];
        for (rel, want) in cases {
            assert_eq!(Change::of(rel), want, "{rel}");
        }
    }
}
