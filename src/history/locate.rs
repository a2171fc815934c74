//! Finding the git repository that holds a records folder, which may be a
//! subfolder of the repository's work tree.

use git2::Repository;
use std::path::{Path, PathBuf};

/// A git repository and where the records live inside its trees.
pub struct Located {
    pub repo: Repository,
    /// The records folder relative to the work tree, `/`-separated, with a
    /// trailing `/` (empty when the records are at the top).
    pub prefix: String,
}

impl Located {
    /// The folder of the repository's objects, to open more handles (one per
    /// thread: a `Repository` must not be shared between threads).
    pub fn git_dir(&self) -> PathBuf {
        self.repo.path().to_path_buf()
    }
}

/// Why there is no history to read.
#[derive(Debug)]
pub struct NotFound(pub String);

/// Finds the repository whose work tree contains `root`.
pub fn locate(root: &Path) -> Result<Located, NotFound> {
    let repo = Repository::discover(root).map_err(|e| {
        NotFound(format!(
            "`{}` is not in a git repository ({})",
            root.display(),
            e.message()
        ))
    })?;
    let workdir = repo
        .workdir()
        .ok_or_else(|| NotFound("the git repository is bare (it has no work tree)".into()))?;
    let prefix = relative(workdir, root).ok_or_else(|| {
        NotFound(format!(
            "`{}` is not inside the work tree of `{}`",
            root.display(),
            workdir.display()
        ))
    })?;
    Ok(Located { repo, prefix })
}

/// `root` relative to `workdir` as a tree path prefix (`records/`), or "".
fn relative(workdir: &Path, root: &Path) -> Option<String> {
    let canonical = |p: &Path| p.canonicalize().unwrap_or_else(|_| p.to_path_buf());
    let (workdir, root) = (canonical(workdir), canonical(root));
    let rel = root.strip_prefix(&workdir).ok()?;
    let mut prefix = String::new();
    for part in rel.components() {
        prefix.push_str(part.as_os_str().to_str()?);
        prefix.push('/');
    }
    Some(prefix)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_of_a_subfolder() {
        let dir = tempfile::tempdir().unwrap();
        let sub = dir.path().join("ops/records");
        std::fs::create_dir_all(&sub).unwrap();
        assert_eq!(relative(dir.path(), &sub).as_deref(), Some("ops/records/"));
        assert_eq!(relative(dir.path(), dir.path()).as_deref(), Some(""));
        assert_eq!(relative(&sub, dir.path()), None);
    }
}
