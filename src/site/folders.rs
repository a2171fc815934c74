//! The page folders of a fresh site, made ahead of its pages by a thread of
//! their own.
//!
//! Every invoice page is a folder of its own (`invoices/<slug>/index.html`,
//! SPEC §5). On ext4 a `mkdir` costs about 25 µs of a core (a new inode and
//! the folder's first block): 1.5 s at 60,000 invoices, and two render
//! threads making folders in one parent also queue on its lock. So the
//! driver hands the folders, account by account, to one thread as soon as
//! the records are evaluated; it makes them while the records are checked
//! and the render is planned (when a core is often idle), and the render
//! takes the accounts in the same order, waiting only for an account whose
//! folders are not made yet. A folder the maker could not make is made (or
//! its error reported) by the page's own write.

use rustc_hash::FxHashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Condvar, Mutex};

pub struct FoldersAhead {
    dir: PathBuf,
    /// The folders of each account's pages (relative to `dir`), in the
    /// order the render takes the accounts.
    batches: Vec<Vec<String>>,
    /// Account id → its batch.
    batch_of: FxHashMap<String, usize>,
    /// How many batches are made; every batch counts as made once the
    /// maker has stopped, so no page waits for a maker that is gone.
    made: Mutex<usize>,
    progress: Condvar,
    stop: AtomicBool,
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
            made: Mutex::new(0),
            progress: Condvar::new(),
            stop: AtomicBool::new(false),
        }
    }

    /// Makes the folders, batch by batch, until all are made or
    /// [`FoldersAhead::stop`] is called. Runs on a thread of its own.
    pub fn make(&self) {
        // Counts every batch as made when this returns, however it returns.
        struct Finished<'f>(&'f FoldersAhead);
        impl Drop for Finished<'_> {
            fn drop(&mut self) {
                self.0.set_made(usize::MAX);
            }
        }
        let _finished = Finished(self);
        for (i, batch) in self.batches.iter().enumerate() {
            for folder in batch {
                if self.stop.load(Ordering::Relaxed) {
                    return;
                }
                // An error is met again, and reported, by the page's write.
                let _ = std::fs::create_dir_all(self.dir.join(folder));
            }
            self.set_made(i + 1);
        }
    }

    /// Stops the maker (the build failed): it returns before its next
    /// folder.
    pub fn stop(&self) {
        self.stop.store(true, Ordering::Relaxed);
    }

    /// Waits until the folders of `account`'s pages are made (at once for
    /// an account the maker was not given).
    pub fn wait_for(&self, account: &str) {
        let Some(&batch) = self.batch_of.get(account) else {
            return;
        };
        let made = self.made.lock().unwrap_or_else(|e| e.into_inner());
        drop(
            self.progress
                .wait_while(made, |made| *made <= batch)
                .unwrap_or_else(|e| e.into_inner()),
        );
    }

    fn set_made(&self, n: usize) {
        let mut made = self.made.lock().unwrap_or_else(|e| e.into_inner());
        *made = n;
        self.progress.notify_all();
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
    fn an_account_not_given_does_not_wait() {
        let dir = tempfile::tempdir().unwrap();
        let ahead = FoldersAhead::new(dir.path(), accounts(1));
        // No maker runs at all: still no wait.
        ahead.wait_for("elsewhere");
    }
}
