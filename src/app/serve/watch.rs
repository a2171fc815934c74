//! Watching the records: file events under folio.yaml and the records' own
//! folders, debounced into one set of [`Change`]s per rebuild; without
//! `--as-of`, the start of a new day too.

use super::report::{Report, Reporter};
use crate::app::incremental::Change;

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// File events closer together than this make one rebuild.
const DEBOUNCE: Duration = Duration::from_millis(40);
/// How often a server without --as-of checks whether the day has changed.
const CLOCK_CHECK: Duration = Duration::from_secs(30);
/// The folders under the records root whose files make up the site.
const WATCHED_FOLDERS: [&str; 3] = ["accounts", "handbook", "templates"];
const CONFIG_FILE: &str = "folio.yaml";

/// Rebuilds on changes to folio.yaml and the records' folders; hidden
/// entries (`.git`, editor swap files), reads, and everything else under the
/// root (such as a `public/` site from `folio build`) are ignored. Only those
/// folders are watched recursively, so a large `.git` costs no watches.
/// Dropping it stops the watching thread.
pub struct Watcher {
    _watcher: Arc<Mutex<notify::RecommendedWatcher>>,
}

impl Watcher {
    /// Watches the records at `root` and calls `rebuild` (from the watching
    /// thread) with the records root, canonical, and what changed. Events
    /// under `ignored` (the served workspace) are not changes. `outdated`,
    /// asked every [`CLOCK_CHECK`] while nothing changes, says whether the
    /// served site is as of an earlier day than today: then everything is
    /// rebuilt.
    pub fn start(
        root: &Path,
        outdated: impl Fn() -> bool + Send + 'static,
        ignored: PathBuf,
        report: Reporter,
        mut rebuild: impl FnMut(&Path, &BTreeSet<Change>) + Send + 'static,
    ) -> Result<Watcher, String> {
        use notify::{RecursiveMode, Watcher as _};
        let root = fs::canonicalize(root).map_err(|e| e.to_string())?;
        let (tx, rx) = std::sync::mpsc::channel::<notify::Result<notify::Event>>();
        let cannot = |e: notify::Error| format!("cannot watch the records: {e}");
        let mut watcher = notify::recommended_watcher(tx).map_err(cannot)?;
        watcher
            .watch(&root, RecursiveMode::NonRecursive)
            .map_err(cannot)?;
        let watcher = Arc::new(Mutex::new(watcher));
        let mut watched = vec![];
        watch_folders(&watcher, &root, &mut watched, &report);
        // The thread holds the watcher weakly: dropping `Watcher` drops it,
        // which closes the channel and ends the thread.
        let weak = Arc::downgrade(&watcher);
        std::thread::spawn(move || {
            let changes_of = |event: &notify::Result<notify::Event>| -> Vec<Change> {
                match event {
                    Ok(e) if e.need_rescan() => vec![Change::Everything],
                    Ok(e) => changes(&root, &ignored, e),
                    // Events were lost: only a full build is sure to be right.
                    Err(_) => vec![Change::Everything],
                }
            };
            use std::sync::mpsc::RecvTimeoutError;
            // Without --as-of, stages move with the calendar: a server left
            // running past midnight rebuilds for the new day.
            loop {
                let mut pending: BTreeSet<Change> = BTreeSet::new();
                match rx.recv_timeout(CLOCK_CHECK) {
                    Ok(event) => {
                        pending.extend(changes_of(&event));
                        if pending.is_empty() {
                            continue;
                        }
                    }
                    Err(RecvTimeoutError::Timeout) => {
                        if !outdated() {
                            continue;
                        }
                        pending.insert(Change::Everything);
                    }
                    Err(RecvTimeoutError::Disconnected) => return,
                }
                // Debounce: an editor's save or a `git checkout` is many
                // events; wait until they stop for a moment.
                loop {
                    match rx.recv_timeout(DEBOUNCE) {
                        Ok(event) => pending.extend(changes_of(&event)),
                        Err(RecvTimeoutError::Timeout) => break,
                        Err(RecvTimeoutError::Disconnected) => return,
                    }
                }
                if let Some(watcher) = weak.upgrade() {
                    watch_folders(&watcher, &root, &mut watched, &report);
                }
                // The reads this build makes come back as events; `changes`
                // ignores them.
                rebuild(&root, &pending);
            }
        });
        Ok(Watcher { _watcher: watcher })
    }
}

/// Watches the records' folders that exist and are not watched yet (a
/// `templates/` folder may be created while serving).
fn watch_folders(
    watcher: &Mutex<notify::RecommendedWatcher>,
    root: &Path,
    watched: &mut Vec<&'static str>,
    report: &Reporter,
) {
    use notify::{RecursiveMode, Watcher as _};
    let mut watcher = watcher.lock().unwrap_or_else(|e| e.into_inner());
    for name in WATCHED_FOLDERS {
        let dir = root.join(name);
        let present = dir.is_dir();
        let known = watched.contains(&name);
        if present && !known {
            match watcher.watch(&dir, RecursiveMode::Recursive) {
                Ok(()) => watched.push(name),
                // Tried again before each rebuild; said each time, since
                // edits there are not seen until it works.
                Err(e) => report(Report::Warning(&format!(
                    "cannot watch `{name}/` for changes ({e}); edits there do not rebuild the site{}",
                    if matches!(e.kind, notify::ErrorKind::MaxFilesWatch) {
                        " (raise the limit: sysctl fs.inotify.max_user_watches)"
                    } else {
                        ""
                    }
                ))),
            }
        } else if !present && known {
            let _ = watcher.unwatch(&dir);
            watched.retain(|w| *w != name);
        }
    }
}

/// What a file event changes in the site: nothing for reads (the build
/// itself opens every record) and for paths outside the records.
fn changes(root: &Path, ignored: &Path, event: &notify::Event) -> Vec<Change> {
    use notify::EventKind;
    use notify::event::{AccessKind, AccessMode};
    let writes = match event.kind {
        EventKind::Access(AccessKind::Close(AccessMode::Write)) => true,
        EventKind::Access(_) => false,
        _ => true,
    };
    if !writes {
        return vec![];
    }
    event
        .paths
        .iter()
        .filter(|p| !p.starts_with(ignored) && is_record_path(root, p))
        .filter_map(|p| {
            let rel = crate::load::walk::relative(root, p)?;
            // A path folio cannot place (not UTF-8, say) rebuilds everything.
            Some(Change::of(&rel).unwrap_or(Change::Everything))
        })
        .collect()
}

/// Whether a changed path can change the site: folio.yaml, or a non-hidden
/// entry inside one of the records' folders (or the folder itself).
fn is_record_path(root: &Path, path: &Path) -> bool {
    let Ok(rel) = path.strip_prefix(root) else {
        return false;
    };
    let mut parts = rel.components().map(|c| c.as_os_str().to_string_lossy());
    let Some(first) = parts.next() else {
        return false;
    };
    if first == CONFIG_FILE {
        return true;
    }
    WATCHED_FOLDERS.contains(&first.as_ref())
        && rel
            .components()
            .all(|c| !c.as_os_str().to_string_lossy().starts_with('.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_paths() {
        let root = Path::new("/r");
        assert!(is_record_path(root, Path::new("/r/folio.yaml")));
        assert!(is_record_path(
            root,
            Path::new("/r/accounts/a/invoices/x.md")
        ));
        assert!(is_record_path(root, Path::new("/r/templates")));
        assert!(!is_record_path(root, Path::new("/r/accounts/a/.x.md.swp")));
        assert!(!is_record_path(root, Path::new("/r/.git/index")));
        assert!(!is_record_path(root, Path::new("/r/public/index.html")));
        assert!(!is_record_path(root, Path::new("/elsewhere/folio.yaml")));
    }
}
