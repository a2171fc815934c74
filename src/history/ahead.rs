//! Reading the history on another thread while the records load, so a
//! command that needs both waits for the slower of the two rather than for
//! their sum.
//!
//! A command calls [`read_ahead`] first; whatever later calls
//! [`super::read`] for the same folder (however deep in the library) gets
//! that thread's result. The returned guard waits for the thread when it is
//! dropped, so a command that ends early never leaves a cache write half
//! done.

use super::History;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::thread::JoinHandle;

struct Pending {
    id: u64,
    root: PathBuf,
    thread: JoinHandle<History>,
}

static PENDING: Mutex<Vec<Pending>> = Mutex::new(vec![]);
static NEXT: AtomicU64 = AtomicU64::new(0);

/// Waits, when dropped, for the read it started if nothing took it.
#[must_use = "the history is read ahead only while the guard lives"]
pub struct ReadAhead {
    id: u64,
}

/// Starts reading the history of the records at `root` on a new thread.
pub fn read_ahead(root: &Path) -> ReadAhead {
    let id = NEXT.fetch_add(1, Ordering::Relaxed);
    let owned = root.to_path_buf();
    let spawned = std::thread::Builder::new()
        .name("folio-history".into())
        .spawn(move || {
            let t = std::time::Instant::now();
            let history = super::read_inner(&owned);
            crate::timing("history (read ahead)", t);
            history
        });
    if let Ok(thread) = spawned {
        lock().push(Pending {
            id,
            root: canonical(root),
            thread,
        });
    }
    ReadAhead { id }
}

/// The result of a read started ahead for `root`, if there is one.
pub(super) fn take(root: &Path) -> Option<History> {
    let pending = {
        let mut list = lock();
        if list.is_empty() {
            return None;
        }
        let root = canonical(root);
        let at = list.iter().position(|p| p.root == root)?;
        list.swap_remove(at)
    };
    let t = std::time::Instant::now();
    let history = pending.thread.join().ok();
    crate::timing("history: waited for the read ahead", t);
    history
}

impl Drop for ReadAhead {
    fn drop(&mut self) {
        let pending = {
            let mut list = lock();
            list.iter()
                .position(|p| p.id == self.id)
                .map(|at| list.swap_remove(at))
        };
        if let Some(p) = pending {
            let _ = p.thread.join();
        }
    }
}

fn lock() -> std::sync::MutexGuard<'static, Vec<Pending>> {
    PENDING.lock().unwrap_or_else(|e| e.into_inner())
}

fn canonical(p: &Path) -> PathBuf {
    p.canonicalize().unwrap_or_else(|_| p.to_path_buf())
}
