//! Records read straight from git objects, for `folio diff`: a revision is
//! resolved to the records folder's tree and loaded through the loader's
//! [`Source`] trait, without a checkout (the work tree is never touched).

use super::locate::{self, Located};
use super::walk::{self, Kind, kind_of, may_hold_records};
use crate::diagnostic::{Code, Diagnostic, Pos};
use crate::load::{self, FsSource, Source, frontmatter};
use crate::model::{Repo, classify};
use git2::{ObjectType, Oid, Repository};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The git repository holding a records folder.
pub struct Records {
    located: Located,
}

/// One side of a comparison: the loaded records and each record file's git
/// blob id (for the working tree, the id its bytes would have).
pub struct Snapshot {
    pub repo: Repo,
    pub blobs: BTreeMap<String, Oid>,
}

impl Records {
    /// The repository holding `root`, or why there is none.
    pub fn open(root: &Path) -> Result<Records, String> {
        super::configure_libgit2();
        locate::locate(root)
            .map(|located| Records { located })
            .map_err(|e| e.0)
    }

    /// The records folder's tree at `revision` (anything `git rev-parse`
    /// takes: a branch, a tag, `origin/main`, `HEAD~2`, an id). `Ok(None)`
    /// when the revision exists but has no records folder yet.
    pub fn tree_at(&self, revision: &str) -> Result<Option<Oid>, String> {
        let repo = &self.located.repo;
        let commit = repo
            .revparse_single(revision)
            .and_then(|o| o.peel_to_commit())
            .map_err(|e| {
                format!(
                    "unknown revision `{revision}`: {} (in a shallow CI checkout, fetch the history with `fetch-depth: 0`)",
                    e.message()
                )
            })?;
        walk::subtree(repo, commit.tree_id(), &self.located.prefix)
            .map_err(|e| format!("cannot read revision `{revision}`: {}", e.message()))
    }

    /// Loads the records of a tree (from [`Records::tree_at`]).
    pub fn load_tree(&self, tree: Option<Oid>, label: &str) -> Result<Snapshot, String> {
        let repo = &self.located.repo;
        let mut blobs = BTreeMap::new();
        if let Some(tree) = tree {
            list(repo, tree, &mut String::new(), &mut blobs)
                .map_err(|e| format!("cannot read the records of `{label}`: {}", e.message()))?;
        }
        let source = TreeSource {
            git_dir: self.located.git_dir(),
            blobs: blobs.clone(),
            handles: Mutex::new(vec![]),
        };
        let mut loaded = load::load_from(&source, blobs.keys().cloned().collect());
        if !blobs.contains_key("folio.yaml") {
            loaded.diagnostics.push(no_config(label));
        }
        Ok(Snapshot {
            repo: loaded,
            blobs,
        })
    }
}

/// Loads the records of the working tree at `root`, as `folio check` reads
/// them, noting each file's blob id on the way.
pub fn load_work_tree(root: &Path) -> Snapshot {
    let listing = load::walk::walk(root);
    let source = Hashing {
        inner: FsSource(root),
        ids: Mutex::new(BTreeMap::new()),
    };
    let mut repo = load::load_from(&source, listing.files);
    repo.diagnostics.extend(listing.diagnostics);
    repo.root = root.to_path_buf();
    let blobs = source.ids.into_inner().unwrap_or_else(|e| e.into_inner());
    Snapshot { repo, blobs }
}

fn no_config(label: &str) -> Diagnostic {
    Diagnostic::new(
        Code::ReadError,
        "folio.yaml",
        Pos::START,
        format!("no folio.yaml in `{label}`: this is not a folio records repository"),
        "run `folio init` here, or point -C at the records repository",
    )
}

/// Appends the record files under `tree` (paths relative to the records
/// root) with their blob ids. Symbolic links and submodules are skipped.
fn list(
    repo: &Repository,
    tree: Oid,
    dir: &mut String,
    out: &mut BTreeMap<String, Oid>,
) -> Result<(), git2::Error> {
    let tree = repo.find_tree(tree)?;
    for entry in tree.iter() {
        let Ok(name) = std::str::from_utf8(entry.name_bytes()) else {
            continue;
        };
        let len = dir.len();
        dir.push_str(name);
        match kind_of(entry.filemode()) {
            Kind::File if classify(dir).is_some() => {
                out.insert(dir.clone(), entry.id());
            }
            Kind::Tree => {
                dir.push('/');
                if may_hold_records(dir) {
                    list(repo, entry.id(), dir, out)?;
                }
            }
            _ => {}
        }
        dir.truncate(len);
    }
    Ok(())
}

/// Reads record files from git blobs. The loader reads in parallel and a
/// git2 `Repository` must not be shared between threads, so each read
/// borrows a handle from a small pool.
struct TreeSource {
    git_dir: PathBuf,
    blobs: BTreeMap<String, Oid>,
    handles: Mutex<Vec<Repository>>,
}

impl TreeSource {
    fn handle(&self) -> std::io::Result<Repository> {
        let pooled = self.handles.lock().unwrap_or_else(|e| e.into_inner()).pop();
        match pooled {
            Some(repo) => Ok(repo),
            None => Repository::open(&self.git_dir).map_err(std::io::Error::other),
        }
    }
}

impl Source for TreeSource {
    fn read(&self, rel: &str) -> std::io::Result<Vec<u8>> {
        let id = self
            .blobs
            .get(rel)
            .ok_or_else(|| std::io::Error::from(std::io::ErrorKind::NotFound))?;
        let repo = self.handle()?;
        let bytes = repo
            .find_blob(*id)
            .map_err(std::io::Error::other)
            .map(|blob| {
                // Like a file read: at most one byte more than a record may have,
                // so the loader reports an oversized record the same way.
                let content = blob.content();
                content[..content.len().min(frontmatter::MAX_FILE_BYTES + 1)].to_vec()
            });
        self.handles
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(repo);
        bytes
    }
}

/// A source that notes the git blob id of every file it reads.
struct Hashing<S> {
    inner: S,
    ids: Mutex<BTreeMap<String, Oid>>,
}

impl<S: Source> Source for Hashing<S> {
    fn read(&self, rel: &str) -> std::io::Result<Vec<u8>> {
        let bytes = self.inner.read(rel)?;
        if let Ok(id) = Oid::hash_object(ObjectType::Blob, &bytes) {
            self.ids
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .insert(rel.to_string(), id);
        }
        Ok(bytes)
    }
}
