//! The page folders of a fresh site, made ahead of its pages by a thread of
//! their own.
//!
//! Every invoice page is a folder of its own (`invoices/<slug>/index.html`,
//! SPEC §5). On ext4 a `mkdir` costs about 25 µs of a core (a new inode and
//! the folder's first block): 1.5 s at 60,000 invoices, and two render
//! threads making folders in one parent also queue on its lock. So the
//! driver hands the folders, account by account, to one thread, which
//! starts as soon as the checks find no error (a refused build makes no
//! folder it would then have to delete); it makes them while the rest of
//! the history is read and the render is planned, and the render takes the
//! accounts in the same order, waiting only for an account whose folders
//! are not made yet. A folder the maker could not make is made (or its
//! error reported) by the page's own write.

use rustc_hash::FxHashMap;
use std::path::{Path, PathBuf};
use std::sync::{Condvar, Mutex};

pub struct FoldersAhead {
    dir: PathBuf,
    /// The folders of each account's pages (relative to `dir`), in the
    /// order the render takes the accounts.
    batches: Vec<Vec<String>>,
    /// Account id → its batch.
    batch_of: FxHashMap<String, usize>,
    state: Mutex<State>,
    changed: Condvar,
}

#[derive(Default)]
struct State {
    /// Told to start ([`FoldersAhead::go`]) or to stop.
    go: bool,
    stopped: bool,
    /// How many batches are made; every batch counts as made once the
    /// maker has stopped, so no page waits for a maker that is gone.
    made: usize,
}

impl FoldersAhead {
    /// The folders to make under `dir`: `(account id, its pages' folders)`,
    /// in the order the render takes the accounts.
    pub fn new(dir: &Path, accounts: Vec<(String, Vec<String>)>) -> FoldersAhead {
        let mut batch_of = FxHashMap::default();
        let mut batches = Vec::with_capacity(accounts.len());
        for (i, (id, folders)) in accounts.into_iter().enumerate() {
            batch_of.insert(id, i);
            batches.push(folders);
        }
        FoldersAhead {
            dir: dir.to_path_buf(),
            batches,
            batch_of,
            state: Mutex::new(State::default()),
            changed: Condvar::new(),
        }
    }

    /// Once told to [go](FoldersAhead::go), makes the folders, batch by
    /// batch, until all are made or [`FoldersAhead::stop`] is called. Runs
    /// on a thread of its own.
    pub fn make(&self) {
        // Every batch counts as made when this returns, however it returns.
        let _finished = OnDrop(|| self.update(|s| s.made = usize::MAX));
        drop(
            self.changed
                .wait_while(self.lock(), |s| !s.go && !s.stopped)
                .unwrap_or_else(|e| e.into_inner()),
        );
        for (i, batch) in self.batches.iter().enumerate() {
            if self.lock().stopped {
                return;
            }
            for folder in batch {
                // An error is met again, and reported, by the page's write.
                let _ = std::fs::create_dir_all(self.dir.join(folder));
            }
            self.update(|s| s.made = i + 1);
        }
    }

    /// Lets the maker start: the records have no error, so the site will
    /// be rendered.
    pub fn go(&self) {
        self.update(|s| s.go = true);
    }

    /// Stops the maker (the build is over, or failed): it returns before
    /// its next account's folders, or without making any when it has not
    /// started.
    pub fn stop(&self) {
        self.update(|s| s.stopped = true);
    }

    /// Stops the maker when the value returned is dropped.
    pub fn stop_on_drop(&self) -> impl Drop + '_ {
        OnDrop(|| self.stop())
    }

    /// Waits until the folders of `account`'s pages are made (at once for
    /// an account the maker was not given).
    pub fn wait_for(&self, account: &str) {
        let Some(&batch) = self.batch_of.get(account) else {
            return;
        };
        drop(
            self.changed
                .wait_while(self.lock(), |s| s.made <= batch)
                .unwrap_or_else(|e| e.into_inner()),
        );
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn update(&self, change: impl FnOnce(&mut State)) {
        change(&mut self.lock());
        self.changed.notify_all();
    }
}

/// Runs its function when dropped, on every way out of a scope.
struct OnDrop<F: Fn()>(F);

impl<F: Fn()> Drop for OnDrop<F> {
    fn drop(&mut self) {
        (self.0)();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accounts(n: usize) -> Vec<(String, Vec<String>)> {
        (0..n)
            .map(|i| {
                (
                    format!("a{i}"),
                    vec![format!("accounts/a{i}"), format!("invoices/a{i}-1")],
                )
            })
            .collect()
    }

    #[test]
    fn a_waiter_goes_on_once_its_folders_exist() {
        let dir = tempfile::tempdir().unwrap();
        let ahead = FoldersAhead::new(dir.path(), accounts(50));
        std::thread::scope(|s| {
            s.spawn(|| ahead.make());
            ahead.go();
            for i in (0..50).rev() {
                ahead.wait_for(&format!("a{i}"));
                assert!(dir.path().join(format!("invoices/a{i}-1")).is_dir());
            }
        });
    }

    #[test]
    fn a_stopped_maker_releases_every_waiter() {
        let dir = tempfile::tempdir().unwrap();
        let ahead = FoldersAhead::new(dir.path(), accounts(50));
        ahead.stop();
        std::thread::scope(|s| {
            s.spawn(|| ahead.make());
            ahead.wait_for("a49");
        });
        assert!(!dir.path().join("accounts").exists());
    }

    #[test]
    fn a_maker_never_told_to_go_makes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let ahead = FoldersAhead::new(dir.path(), accounts(50));
        std::thread::scope(|s| {
            s.spawn(|| ahead.make());
            std::thread::sleep(std::time::Duration::from_millis(50));
            // The checks found errors: the build stops without a site.
            ahead.stop();
        });
        assert!(!dir.path().join("accounts").exists());
        // Nothing waits on it either.
        ahead.wait_for("a49");
    }

    #[test]
    fn an_account_not_given_does_not_wait() {
        let dir = tempfile::tempdir().unwrap();
        let ahead = FoldersAhead::new(dir.path(), accounts(1));
        // No maker runs at all: still no wait.
        ahead.wait_for("elsewhere");
    }
}
