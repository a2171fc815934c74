//! Finding record files on disk: SPEC §1's layout, hidden entries skipped,
//! symlinks followed only when they stay inside the repository (and never
//! into folders, which could loop). Each file is stamped as it is found, for
//! the records cache.

use super::{classify, slug_diagnostic};
use crate::diagnostic::{Code, Diagnostic, Pos};
use crate::model::is_slug;
use rayon::prelude::*;
use std::path::Path;

#[derive(Default)]
pub struct Listing {
    /// Relative, `/`-separated paths of files to read, sorted.
    pub files: Vec<String>,
    /// The stamp of each file in `files`, where the system gives one.
    pub stamps: Vec<Option<Stamp>>,
    pub diagnostics: Vec<Diagnostic>,
}

impl Listing {
    fn push(&mut self, rel: String, stamp: Option<Stamp>) {
        self.files.push(rel);
        self.stamps.push(stamp);
    }

    fn append(&mut self, other: Listing) {
        self.files.extend(other.files);
        self.stamps.extend(other.stamps);
        self.diagnostics.extend(other.diagnostics);
    }
}

/// What identifies one version of a file, as `stat` reports it: its size,
/// modification and change times, inode and device. Git decides whether a
/// work-tree file changed from the same facts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stamp(pub [i64; 7]);

impl Stamp {
    /// The stamp of the file `path` leads to (links followed).
    pub fn of(path: &Path) -> Option<Stamp> {
        Stamp::from_metadata(&std::fs::metadata(path).ok()?)
    }

    #[cfg(unix)]
    fn from_metadata(m: &std::fs::Metadata) -> Option<Stamp> {
        use std::os::unix::fs::MetadataExt;
        Some(Stamp([
            m.len() as i64,
            m.mtime(),
            m.mtime_nsec(),
            m.ctime(),
            m.ctime_nsec(),
            m.ino() as i64,
            m.dev() as i64,
        ]))
    }

    /// Without inode and change time a stamp is too weak: no caching.
    #[cfg(not(unix))]
    fn from_metadata(_: &std::fs::Metadata) -> Option<Stamp> {
        None
    }

    /// Seconds since the epoch of the last modification.
    pub fn modified(&self) -> i64 {
        self.0[1]
    }
}

/// Lists every record file: folio.yaml, the handbook and every account.
pub fn walk(root: &Path) -> Listing {
    walk_tops(root, &["handbook", "accounts"])
}

/// Lists folio.yaml and the handbook only: what a handbook-only site is
/// made of. No account folder is opened, so nothing about a client (not
/// even a badly named folder) can reach what is reported.
pub fn walk_handbook_only(root: &Path) -> Listing {
    walk_tops(root, &["handbook"])
}

/// Lists folio.yaml and the record files under `tops` (`handbook`,
/// `accounts`).
fn walk_tops(root: &Path, tops: &[&str]) -> Listing {
    let mut listing = Listing::default();
    let canonical_root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    let config = root.join("folio.yaml");
    if config.is_file() && !stays_inside(&canonical_root, &config) {
        listing.diagnostics.push(Diagnostic::new(
            Code::ReadError,
            "folio.yaml",
            Pos::START,
            "folio.yaml is a symbolic link to a file outside the records repository; it is not read",
            "replace the link with the file itself",
        ));
    } else if config.is_file() {
        listing.push("folio.yaml".into(), Stamp::of(&config));
    } else {
        listing.diagnostics.push(Diagnostic::new(
            Code::ReadError,
            "folio.yaml",
            Pos::START,
            format!(
                "no folio.yaml in `{}`: this is not a folio records repository",
                root.display()
            ),
            "run `folio init` here, or point -C at the records repository",
        ));
    }
    // The handbook, then each account folder: account folders are walked in
    // parallel, since listing 60,000 files one stat at a time is slow.
    let mut folders = vec![];
    for &top in tops {
        let dir = root.join(top);
        if !stays_inside(&canonical_root, &dir) {
            listing.diagnostics.push(outside_link(top));
        } else if top == "handbook" {
            folders.push((dir, 3));
        } else {
            let dirs = account_folders(&canonical_root, &dir, &mut listing.diagnostics);
            folders.extend(dirs.into_iter().map(|d| (d, 2)));
        }
    }
    let parts: Vec<Listing> = folders
        .into_par_iter()
        .map(|(dir, depth)| walk_folder(root, &canonical_root, &dir, depth))
        .collect();
    for part in parts {
        listing.append(part);
    }
    listing
}

/// Lists one account folder, as [`walk`] would (for `folio serve`, which
/// re-reads only the folders that changed). A folder that is gone, hidden or
/// not a folder lists nothing.
pub fn walk_account(root: &Path, id: &str) -> Listing {
    let canonical_root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    let accounts = root.join("accounts");
    if id.starts_with('.') || id.contains('/') || !stays_inside(&canonical_root, &accounts) {
        return Listing::default();
    }
    let dir = accounts.join(id);
    if !stays_inside(&canonical_root, &dir) {
        return Listing {
            diagnostics: vec![outside_link(&format!("accounts/{id}"))],
            ..Listing::default()
        };
    }
    walk_folder(root, &canonical_root, &dir, 2)
}

/// Lists `handbook/`, as [`walk`] would.
pub fn walk_handbook(root: &Path) -> Listing {
    let canonical_root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    let dir = root.join("handbook");
    if !stays_inside(&canonical_root, &dir) {
        return Listing {
            diagnostics: vec![outside_link("handbook")],
            ..Listing::default()
        };
    }
    walk_folder(root, &canonical_root, &dir, 3)
}

/// Whether `path` stays inside the repository: it is no symbolic link, or
/// one that resolves to a place inside `canonical_root`. A link that points
/// nowhere does not stay inside.
fn stays_inside(canonical_root: &Path, path: &Path) -> bool {
    match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_symlink() => path
            .canonicalize()
            .is_ok_and(|target| target.starts_with(canonical_root)),
        _ => true,
    }
}

/// Whether `path` (inside the records repository `root`) is a symbolic link
/// that leaves the repository, or points nowhere: such links are never
/// followed.
pub fn leaves_repository(root: &Path, path: &Path) -> bool {
    let canonical_root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    !stays_inside(&canonical_root, path)
}

/// The warning for a link that [`leaves_repository`].
pub fn outside_link(rel: &str) -> Diagnostic {
    Diagnostic::new(
        Code::SymlinkOutside,
        rel,
        Pos::START,
        "symbolic link points outside the records repository (or nowhere); it is ignored",
        "replace the link with the file or folder itself",
    )
}

/// The entries of `accounts/` that are folders (hidden ones skipped), sorted.
/// A symbolic link to a folder inside the repository counts as a folder; one
/// that leaves it is reported and skipped.
fn account_folders(
    canonical_root: &Path,
    accounts: &Path,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<std::path::PathBuf> {
    let Ok(entries) = std::fs::read_dir(accounts) else {
        return vec![];
    };
    let mut dirs = vec![];
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if name.starts_with('.') {
            continue;
        }
        if kind.is_symlink() && !stays_inside(canonical_root, &entry.path()) {
            diagnostics.push(outside_link(&format!("accounts/{name}")));
        } else if entry.path().is_dir() {
            dirs.push(entry.path());
        }
    }
    dirs.sort();
    dirs
}

/// Lists the record files under one folder (`handbook/` or an account
/// folder), at most `max_depth` levels down.
fn walk_folder(root: &Path, canonical_root: &Path, dir: &Path, max_depth: usize) -> Listing {
    let mut listing = Listing::default();
    let Some(rel) = relative(root, dir).filter(|_| dir.is_dir()) else {
        return listing;
    };
    if rel.starts_with("accounts/") {
        check_account_dir(dir, &rel, &mut listing.diagnostics);
    }
    list(canonical_root, dir, &rel, max_depth, &mut listing);
    listing
}

/// `path` relative to `root`, `/`-separated.
pub fn relative(root: &Path, path: &Path) -> Option<String> {
    let rel = path.strip_prefix(root).ok()?;
    Some(
        rel.components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/"),
    )
}

/// Adds the record files under `dir` (`rel` from the root) to `listing`:
/// entries in name order, a folder's files right after it, hidden entries
/// skipped, only real folders entered (a linked one could loop), `depth`
/// levels down at most.
///
/// std's `read_dir` rather than walkdir, because its entries are stamped
/// relative to the open folder: for 60,000 files that is a third cheaper
/// than a `stat` by full path, which walkdir's entries would need.
fn list(canonical_root: &Path, dir: &Path, rel: &str, depth: usize, listing: &mut Listing) {
    if depth == 0 {
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<(std::ffi::OsString, std::fs::DirEntry)> = entries
        .flatten()
        .map(|e| (e.file_name(), e))
        .filter(|(name, _)| !name.as_encoded_bytes().starts_with(b"."))
        .collect();
    entries.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    for (name, entry) in entries {
        let child = format!("{rel}/{}", name.to_string_lossy());
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_dir() {
            list(canonical_root, &entry.path(), &child, depth - 1, listing);
            continue;
        }
        if classify(&child).is_none() {
            continue;
        }
        let stamp = if kind.is_symlink() {
            let path = entry.path();
            match path.canonicalize() {
                Ok(target) if target.starts_with(canonical_root) && target.is_file() => {
                    Stamp::of(&path)
                }
                _ => {
                    listing.diagnostics.push(outside_link(&child));
                    continue;
                }
            }
        } else if kind.is_file() {
            entry.metadata().ok().and_then(|m| Stamp::from_metadata(&m))
        } else {
            continue;
        };
        listing.push(child, stamp);
    }
}

fn check_account_dir(path: &Path, rel: &str, diagnostics: &mut Vec<Diagnostic>) {
    let name = rel.trim_start_matches("accounts/");
    if !is_slug(name) {
        // Located on the record inside, so a pull request annotation (which
        // needs a file) shows where to act.
        diagnostics.push(slug_diagnostic(
            &format!("{rel}/account.md"),
            "account folder",
            name,
        ));
    }
    if !path.join("account.md").exists() {
        diagnostics.push(Diagnostic::new(
            Code::MissingAccountFile,
            format!("{rel}/account.md"),
            Pos::START,
            format!("account folder `{name}` has no account.md"),
            format!("create it with `folio new account {name}`, or remove the folder"),
        ));
    }
}
