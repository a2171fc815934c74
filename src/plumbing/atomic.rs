//! Writing a file in one step: the bytes go to a temporary file beside it,
//! which is then renamed over it, so a reader (a browser of a served site,
//! another folio reading a cache, the user's editor) sees the old file or
//! the new one, never half of one, and a folio killed while writing leaves
//! the file as it was.
//!
//! One primitive for every writer: the caches, the served site's pages and
//! the commands that edit records (which add their own checks before the
//! rename through [`Pending`]). Written by hand rather than with the
//! `tempfile` crate: it is twenty lines, and `tempfile` would bring `rustix`
//! and `getrandom` into the normal dependency tree.

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// The suffix of every temporary file; what [`remove_abandoned`] looks for.
pub const TEMP_SUFFIX: &str = ".folio-tmp";

/// Replaces (or creates) `path` with `bytes` in one step.
pub fn write(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut pending = Pending::create(path)?;
    pending.file().write_all(bytes)?;
    pending.commit()
}

/// A new version of a file being written under a temporary name beside it.
/// [`Pending::commit`] renames it over the file; dropped without a commit,
/// the temporary file is removed.
pub struct Pending {
    temp: PathBuf,
    target: PathBuf,
    file: Option<File>,
}

impl Pending {
    /// Starts a new version of `path`. The temporary name starts with a dot
    /// (the loader never takes a left-over one for a record) and holds the
    /// process id and the time, so two folios never share one.
    pub fn create(path: &Path) -> io::Result<Pending> {
        let name = path
            .file_name()
            .ok_or_else(|| io::Error::other("a file to write has no name"))?
            .to_string_lossy();
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let temp = path.with_file_name(format!(
            ".{name}.{}.{nanos}{TEMP_SUFFIX}",
            std::process::id()
        ));
        let file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temp)?;
        Ok(Pending {
            temp,
            target: path.to_path_buf(),
            file: Some(file),
        })
    }

    /// The temporary file, to write into.
    pub fn file(&mut self) -> &mut File {
        self.file.as_mut().expect("the file is open until commit")
    }

    /// Renames the new version over the file.
    pub fn commit(mut self) -> io::Result<()> {
        drop(self.file.take());
        std::fs::rename(&self.temp, &self.target)?;
        self.temp = PathBuf::new();
        Ok(())
    }
}

impl Drop for Pending {
    fn drop(&mut self) {
        if !self.temp.as_os_str().is_empty() {
            drop(self.file.take());
            let _ = std::fs::remove_file(&self.temp);
        }
    }
}

/// Removes temporary files in `dir` more than an hour old: left by a folio
/// that was killed while writing (another one's file is seconds old).
pub fn remove_abandoned(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let hour = std::time::Duration::from_secs(3600);
    for entry in entries.flatten() {
        let abandoned = entry.file_name().to_string_lossy().ends_with(TEMP_SUFFIX)
            && entry
                .metadata()
                .and_then(|m| m.modified())
                .is_ok_and(|t| t.elapsed().is_ok_and(|age| age > hour));
        if abandoned {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn a_write_replaces_the_file_and_leaves_nothing_else() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.txt");
        write(&path, b"one").unwrap();
        write(&path, b"two").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"two");
        assert_eq!(names(dir.path()), ["a.txt"]);
    }

    #[test]
    fn an_uncommitted_version_is_removed_and_the_file_kept() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.txt");
        write(&path, b"kept").unwrap();
        let mut pending = Pending::create(&path).unwrap();
        pending.file().write_all(b"dropped").unwrap();
        drop(pending);
        assert_eq!(std::fs::read(&path).unwrap(), b"kept");
        assert_eq!(names(dir.path()), ["a.txt"]);
    }

    #[test]
    fn a_write_into_a_missing_folder_fails_without_leftovers() {
        let dir = tempfile::tempdir().unwrap();
        assert!(write(&dir.path().join("no/a.txt"), b"x").is_err());
        assert!(names(dir.path()).is_empty());
    }

    #[test]
    fn only_old_temporary_files_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        let old = dir.path().join(format!(".a.1.2{TEMP_SUFFIX}"));
        let fresh = dir.path().join(format!(".a.3.4{TEMP_SUFFIX}"));
        let other = dir.path().join("kept");
        for p in [&old, &fresh, &other] {
            std::fs::write(p, b"x").unwrap();
        }
        let two_hours_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(7200);
        for p in [&old, &other] {
            let f = File::options().write(true).open(p).unwrap();
            f.set_modified(two_hours_ago).unwrap();
        }
        remove_abandoned(dir.path());
        assert!(!old.exists());
        assert!(fresh.exists(), "another folio may be writing it");
        assert!(other.exists(), "not a temporary file");
    }
}
