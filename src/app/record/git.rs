//! `--commit`: one git commit of the one edited file, made with git2 (never
//! the git binary) under the user's git identity. Everything that could
//! refuse the commit is checked before the file is written.

use super::Fail;
use std::path::{Path, PathBuf};

/// A commit ready to be made once the file is written.
pub struct Committer {
    repo: git2::Repository,
    /// The file's path inside the git work tree.
    path: PathBuf,
    signature: git2::Signature<'static>,
}

fn refuse(msg: impl std::fmt::Display) -> Fail {
    Fail::Refused(format!(
        "error: cannot commit: {msg}; nothing was written\n"
    ))
}

impl Committer {
    /// Opens the git repository holding `root` and checks that a commit of
    /// `rel` alone is possible: an identity is configured, nothing else is
    /// staged, and the file holds no uncommitted changes of its own (they
    /// would go into a commit whose message does not describe them).
    pub fn prepare(root: &Path, rel: &str, original: &[u8]) -> Result<Committer, Fail> {
        let repo = git2::Repository::discover(root)
            .map_err(|_| refuse(format!("{} is not inside a git repository", root.display())))?;
        let workdir = repo
            .workdir()
            .ok_or_else(|| refuse("the git repository has no work tree"))?
            .canonicalize()
            .map_err(refuse)?;
        let file = root.join(rel).canonicalize().map_err(refuse)?;
        let path = file
            .strip_prefix(&workdir)
            .map_err(|_| refuse(format!("{rel} is outside the git work tree")))?
            .to_path_buf();
        let signature = repo
            .signature()
            .map_err(|_| {
                refuse("no git identity: set user.name and user.email (`git config user.name ...`)")
            })?
            .to_owned();
        Self::check_clean(&repo, &path, rel, original)?;
        Ok(Committer {
            repo,
            path,
            signature,
        })
    }

    /// Nothing else staged, and the file as committed in HEAD.
    fn check_clean(
        repo: &git2::Repository,
        path: &Path,
        rel: &str,
        original: &[u8],
    ) -> Result<(), Fail> {
        let head_tree = match repo.head() {
            Ok(head) => Some(head.peel_to_tree().map_err(|e| refuse(e.message()))?),
            Err(_) => None,
        };
        let staged = repo
            .diff_tree_to_index(head_tree.as_ref(), None, None)
            .map_err(|e| refuse(e.message()))?;
        if let Some(delta) = staged.deltas().next() {
            let other = delta
                .new_file()
                .path()
                .or(delta.old_file().path())
                .map(|p| p.display().to_string())
                .unwrap_or_default();
            return Err(refuse(format!(
                "other changes are staged ({other}); commit or unstage them first"
            )));
        }
        let committed = head_tree
            .as_ref()
            .and_then(|t| t.get_path(path).ok())
            .and_then(|entry| entry.to_object(repo).ok())
            .and_then(|o| o.as_blob().map(|b| b.content().to_vec()));
        match committed {
            Some(bytes) if bytes == original => {}
            Some(_) => {
                return Err(refuse(format!(
                    "{rel} has changes that are not committed; commit them first, or leave out --commit"
                )));
            }
            None => {
                return Err(refuse(format!(
                    "{rel} is not committed yet; commit it first, or leave out --commit"
                )));
            }
        }
        Ok(())
    }

    /// Stages the written file and commits it on HEAD; returns the commit id.
    pub fn commit(self, message: &str) -> Result<String, Fail> {
        let failed = |e: git2::Error| {
            Fail::Refused(format!(
                "error: the file was written but the commit failed: {}\n",
                e.message()
            ))
        };
        let mut index = self.repo.index().map_err(failed)?;
        index.add_path(&self.path).map_err(failed)?;
        index.write().map_err(failed)?;
        let tree_id = index.write_tree().map_err(failed)?;
        let tree = self.repo.find_tree(tree_id).map_err(failed)?;
        let parent = self.repo.head().and_then(|h| h.peel_to_commit()).ok();
        let parents: Vec<&git2::Commit> = parent.iter().collect();
        let id = self
            .repo
            .commit(
                Some("HEAD"),
                &self.signature,
                &self.signature,
                message,
                &tree,
                &parents,
            )
            .map_err(failed)?;
        Ok(id.to_string())
    }
}
