//! Finding record files on disk: walkdir over SPEC §1's layout, hidden
//! entries skipped, symlinks followed only when they stay inside the
//! repository (and never into folders, which could loop).

use super::{classify, slug_diagnostic};
use crate::diagnostic::{Code, Diagnostic, Pos};
use crate::model::is_slug;
use rayon::prelude::*;
use std::path::Path;
use walkdir::WalkDir;

pub struct Listing {
    /// Relative, `/`-separated paths of files to read, sorted.
    pub files: Vec<String>,
    pub diagnostics: Vec<Diagnostic>,
}

pub fn walk(root: &Path) -> Listing {
    let mut listing = Listing {
        files: vec![],
        diagnostics: vec![],
    };
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
        listing.files.push("folio.yaml".into());
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
    for top in ["handbook", "accounts"] {
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
        listing.files.extend(part.files);
        listing.diagnostics.extend(part.diagnostics);
    }
    listing
}

/// Lists one account folder, as [`walk`] would (for `folio serve`, which
/// re-reads only the folders that changed). A folder that is gone, hidden or
/// not a folder lists nothing.
pub fn walk_account(root: &Path, id: &str) -> Listing {
    let canonical_root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    let accounts = root.join("accounts");
    let mut diagnostics = vec![];
    if id.starts_with('.') || id.contains('/') || !stays_inside(&canonical_root, &accounts) {
        return Listing {
            files: vec![],
            diagnostics,
        };
    }
    let dir = accounts.join(id);
    if !stays_inside(&canonical_root, &dir) {
        diagnostics.push(outside_link(&format!("accounts/{id}")));
        return Listing {
            files: vec![],
            diagnostics,
        };
    }
    let mut listing = walk_folder(root, &canonical_root, &dir, 2);
    listing.diagnostics.extend(diagnostics);
    listing
}

/// Lists `handbook/`, as [`walk`] would.
pub fn walk_handbook(root: &Path) -> Listing {
    let canonical_root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    let dir = root.join("handbook");
    if !stays_inside(&canonical_root, &dir) {
        return Listing {
            files: vec![],
            diagnostics: vec![outside_link("handbook")],
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

/// Lists the record files under one folder (`handbook/` or an account folder).
fn walk_folder(root: &Path, canonical_root: &Path, dir: &Path, max_depth: usize) -> Listing {
    let mut listing = Listing {
        files: vec![],
        diagnostics: vec![],
    };
    if !dir.is_dir() {
        return listing;
    }
    let walker = WalkDir::new(dir)
        .follow_links(false)
        .max_depth(max_depth)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'));
    for entry in walker.flatten() {
        let Ok(rel_path) = entry.path().strip_prefix(root) else {
            continue;
        };
        let rel = rel_path
            .components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/");
        if entry.depth() == 0 {
            if rel.starts_with("accounts/") {
                check_account_dir(entry.path(), &rel, &mut listing.diagnostics);
            }
            continue;
        }
        if classify(&rel).is_none() {
            continue;
        }
        if entry.path_is_symlink() {
            match entry.path().canonicalize() {
                Ok(target) if target.starts_with(canonical_root) && target.is_file() => {}
                _ => {
                    listing.diagnostics.push(outside_link(&rel));
                    continue;
                }
            }
        } else if !entry.file_type().is_file() {
            continue;
        }
        listing.files.push(rel);
    }
    listing
}

fn check_account_dir(path: &Path, rel: &str, diagnostics: &mut Vec<Diagnostic>) {
    let name = rel.trim_start_matches("accounts/");
    if !is_slug(name) {
        diagnostics.push(slug_diagnostic(rel, "account folder", name));
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
