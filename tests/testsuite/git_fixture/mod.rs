//! Fixture git repositories for the history and diff tests, built with git2
//! (never the `git` binary): commits with set authors and dates, branches,
//! merges and shallow clones.

#![allow(dead_code)] // not every helper is used by every module

use chrono::NaiveDate;
use git2::{IndexAddOption, Oid, Repository, Signature, Time};
use std::path::Path;

/// A git repository whose work tree is `dir`.
pub struct Git {
    pub repo: Repository,
}

/// Seconds since the epoch at noon UTC of `day` (`YYYY-MM-DD`).
pub fn noon(day: &str) -> i64 {
    let date: NaiveDate = day.parse().expect("a YYYY-MM-DD date");
    date.and_hms_opt(12, 0, 0).unwrap().and_utc().timestamp()
}

impl Git {
    /// `git init` in `dir`.
    pub fn init(dir: &Path) -> Git {
        Git {
            repo: Repository::init(dir).expect("git init"),
        }
    }

    pub fn open(dir: &Path) -> Git {
        Git {
            repo: Repository::open(dir).expect("open the repository"),
        }
    }

    fn workdir(&self) -> &Path {
        self.repo.workdir().expect("a work tree")
    }

    /// Writes a file of the work tree (relative to the work tree).
    pub fn write(&self, rel: &str, contents: impl AsRef<[u8]>) -> &Git {
        let path = self.workdir().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, contents).unwrap();
        self
    }

    pub fn remove(&self, rel: &str) -> &Git {
        std::fs::remove_file(self.workdir().join(rel)).unwrap();
        self
    }

    pub fn rename(&self, from: &str, to: &str) -> &Git {
        let to_path = self.workdir().join(to);
        std::fs::create_dir_all(to_path.parent().unwrap()).unwrap();
        std::fs::rename(self.workdir().join(from), to_path).unwrap();
        self
    }

    /// Commits the whole work tree on HEAD's branch, with HEAD as parent.
    pub fn commit(&self, author: &str, day: &str, message: &str) -> Oid {
        let parents: Vec<Oid> = self.head().into_iter().collect();
        self.commit_on("HEAD", &parents, author, day, message)
    }

    /// Commits the whole work tree, moving `reference` (e.g. `HEAD` or
    /// `refs/heads/feature`) to the new commit, with the given parents.
    pub fn commit_on(
        &self,
        reference: &str,
        parents: &[Oid],
        author: &str,
        day: &str,
        message: &str,
    ) -> Oid {
        let mut index = self.repo.index().unwrap();
        index.add_all(["*"], IndexAddOption::DEFAULT, None).unwrap();
        index.update_all(["*"], None).unwrap();
        index.write().unwrap();
        let tree = self.repo.find_tree(index.write_tree().unwrap()).unwrap();
        let email = format!("{}@example.com", author.to_lowercase().replace(' ', "."));
        let sig = Signature::new(author, &email, &Time::new(noon(day), 0)).unwrap();
        let parents: Vec<git2::Commit> = parents
            .iter()
            .map(|id| self.repo.find_commit(*id).unwrap())
            .collect();
        let parents: Vec<&git2::Commit> = parents.iter().collect();
        self.repo
            .commit(Some(reference), &sig, &sig, message, &tree, &parents)
            .unwrap()
    }

    pub fn head(&self) -> Option<Oid> {
        self.repo.head().ok().and_then(|h| h.target())
    }
}
