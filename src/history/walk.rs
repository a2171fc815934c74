//! The history pass: one walk down the first-parent chain from HEAD, and for
//! each commit a tree-to-tree comparison limited to the record paths.
//!
//! Speed comes from pruning: two trees (or blobs) with the same id are
//! equal, so a commit that changes three invoices costs a look at the few
//! trees on the way to them, not at the tens of thousands of files around
//! them. Folders that cannot hold records (`templates/`, `public/`, a
//! project's source code next to the records) are never opened.

use super::locate::Located;
use super::rawtree::{Entries, RawEntry, TreeReader};
use crate::model::classify;
use git2::{Oid, Repository};
use rayon::prelude::*;
use std::cmp::Ordering;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

/// One record file changed by one commit. Paths are relative to the records
/// root; `None` is "absent on that side".
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    pub path: String,
    pub old: Option<Oid>,
    pub new: Option<Oid>,
}

/// One link of the first-parent chain.
struct Link {
    commit: Oid,
    /// The records folder's tree in this commit and in its first parent.
    new: Option<Oid>,
    old: Option<Oid>,
    /// The whole commit trees, for rename detection.
    new_root: Oid,
    old_root: Option<Oid>,
}

/// The first-parent chain from HEAD, newest first, and whether it ends at a
/// shallow-clone boundary (or a missing object) instead of a root commit.
pub struct Chain {
    links: Vec<Link>,
    pub truncated: bool,
    /// Truncated by a missing object rather than a shallow boundary (a
    /// damaged or partial repository, whose history may come back).
    pub lost: bool,
    /// The commit the walk was told to stop at (one a cached walk already
    /// compared), when it came to one: the chain is the part above it.
    pub stopped_at: Option<Oid>,
}

/// The records-relevant changes of one commit, renames resolved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommitChanges {
    pub commit: Oid,
    pub changes: Vec<Change>,
    /// (old path, new path) pairs.
    pub renames: Vec<(String, String)>,
}

/// The commit HEAD points at; `Ok(None)` for a repository without commits
/// (an unborn branch).
pub fn head(repo: &Repository) -> Result<Option<Oid>, git2::Error> {
    match repo.head() {
        Ok(head) => Ok(Some(head.peel_to_commit()?.id())),
        Err(e)
            if e.code() == git2::ErrorCode::UnbornBranch
                || e.code() == git2::ErrorCode::NotFound =>
        {
            Ok(None)
        }
        Err(e) => Err(e),
    }
}

/// Follows first parents from `head`, stopping before the first commit for
/// which `stop` is true (the part of the chain a cache already holds).
pub fn chain(
    loc: &Located,
    head: Oid,
    grafts: &[Oid],
    stop: impl Fn(Oid) -> bool,
) -> Result<Chain, git2::Error> {
    let repo = &loc.repo;
    let mut commit = repo.find_commit(head)?;
    let mut links = vec![];
    let mut truncated = false;
    let mut lost = false;
    let mut stopped_at = None;
    let mut seen = HashSet::new();
    loop {
        if stop(commit.id()) {
            stopped_at = Some(commit.id());
            break;
        }
        if !seen.insert(commit.id()) {
            break; // a corrupt repository with a loop; never spin
        }
        let graft = grafts.binary_search(&commit.id()).is_ok();
        let new_root = commit.tree_id();
        let new = subtree(repo, new_root, &loc.prefix)?;
        let parent = if graft {
            None
        } else {
            commit.parent_id(0).ok()
        };
        let parent = match parent {
            None if commit.parent_count() == 0 && !graft => None,
            None => {
                // A shallow clone's boundary: what this commit changed is
                // unknown, since its parent is not here.
                truncated = true;
                break;
            }
            Some(id) => match repo.find_commit(id) {
                Ok(p) => Some(p),
                Err(_) => {
                    truncated = true;
                    lost = true;
                    break;
                }
            },
        };
        let old_root = parent.as_ref().map(|p| p.tree_id());
        let old = match old_root {
            Some(t) => subtree(repo, t, &loc.prefix)?,
            None => None,
        };
        links.push(Link {
            commit: commit.id(),
            new,
            old,
            new_root,
            old_root,
        });
        match parent {
            Some(p) => commit = p,
            None => break,
        }
    }
    Ok(Chain {
        links,
        truncated,
        lost,
        stopped_at,
    })
}

impl Chain {
    pub fn len(&self) -> usize {
        self.links.len()
    }

    /// The commits compared, newest first.
    pub fn commits(&self) -> Vec<Oid> {
        self.links.iter().map(|l| l.commit).collect()
    }
}

/// The commits listed in `.git/shallow` (shared by linked work trees),
/// sorted: their parents were not fetched.
pub fn shallow_boundary(common_dir: &Path) -> Vec<Oid> {
    let mut grafts: Vec<Oid> = std::fs::read_to_string(common_dir.join("shallow"))
        .map(|text| {
            text.lines()
                .filter_map(|l| Oid::from_str(l.trim()).ok())
                .collect()
        })
        .unwrap_or_default();
    grafts.sort();
    grafts.dedup();
    grafts
}

/// The tree at `prefix` (`a/b/`) inside `tree`, if there is one.
pub fn subtree(repo: &Repository, tree: Oid, prefix: &str) -> Result<Option<Oid>, git2::Error> {
    let mut id = tree;
    for part in prefix.split('/').filter(|p| !p.is_empty()) {
        let t = repo.find_tree(id)?;
        match t.get_name(part) {
            Some(e) if i64::from(e.filemode()) == MODE_TREE => id = e.id(),
            _ => return Ok(None),
        }
    }
    Ok(Some(id))
}

/// Compares every link's trees, in parallel: each worker opens its own
/// handle on the repository (handles must not be shared between threads).
pub fn changes(
    git_dir: &Path,
    prefix: &str,
    chain: &Chain,
) -> Result<Vec<CommitChanges>, git2::Error> {
    let chunk = (chain.links.len() / (4 * rayon::current_num_threads()).max(1)).clamp(64, 4096);
    let parts: Vec<Result<Vec<CommitChanges>, git2::Error>> = chain
        .links
        .par_chunks(chunk)
        .map(|links| {
            let repo = Repository::open(git_dir)?;
            let id_len = links.first().map_or(20, |l| l.commit.as_bytes().len());
            let odb = repo.odb()?;
            let mut trees = TreeReader::new(&odb, id_len);
            links
                .iter()
                .map(|l| {
                    trees.next_commit();
                    link_changes(&repo, &mut trees, prefix, l)
                })
                .collect()
        })
        .collect();
    let mut out = Vec::with_capacity(chain.links.len());
    for part in parts {
        out.extend(part?);
    }
    Ok(out)
}

fn link_changes(
    repo: &Repository,
    trees: &mut TreeReader,
    prefix: &str,
    link: &Link,
) -> Result<CommitChanges, git2::Error> {
    let mut changes = vec![];
    if link.old != link.new {
        let mut dir = String::new();
        diff_trees(trees, link.old, link.new, &mut dir, &mut changes)?;
    }
    let deletes = changes.iter().any(|c| c.new.is_none());
    let adds = changes.iter().any(|c| c.old.is_none());
    let renames = match (deletes && adds, link.old_root) {
        (true, Some(old_root)) => detect_renames(repo, prefix, old_root, link.new_root, &changes)?,
        _ => vec![],
    };
    Ok(CommitChanges {
        commit: link.commit,
        changes,
        renames,
    })
}

const MODE_TREE: i64 = 0o040000;
const MODE_BLOB: i64 = 0o100644;
const MODE_EXEC: i64 = 0o100755;

/// What a tree entry is, for the comparison: a folder, a regular file, or
/// something folio never reads (symbolic links, submodules).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Tree,
    File,
    Other,
}

pub(super) fn kind_of(mode: impl Into<i64>) -> Kind {
    match mode.into() {
        MODE_TREE => Kind::Tree,
        MODE_BLOB | MODE_EXEC => Kind::File,
        _ => Kind::Other,
    }
}

/// Git's order of tree entries: by name, a folder's name compared as if it
/// ended with `/`. Both trees are sorted this way, so one merge pass pairs
/// up their entries.
fn git_order(a: &[u8], a_tree: bool, b: &[u8], b_tree: bool) -> Ordering {
    let n = a.len().min(b.len());
    match a[..n].cmp(&b[..n]) {
        Ordering::Equal => {}
        other => return other,
    }
    let next = |name: &[u8], tree: bool| {
        name.get(n)
            .copied()
            .or(if tree { Some(b'/') } else { None })
    };
    next(a, a_tree).cmp(&next(b, b_tree))
}

/// Whether a folder (relative path with a trailing `/`, or "" for the
/// records root) can hold record files, so it is worth opening.
pub(super) fn may_hold_records(dir: &str) -> bool {
    let parts: Vec<&str> = dir.split('/').filter(|p| !p.is_empty()).collect();
    if parts.iter().any(|p| p.starts_with('.')) {
        return false;
    }
    matches!(
        parts.as_slice(),
        [] | ["handbook"]
            | ["accounts"]
            | ["accounts", _]
            | ["accounts", _, "projects" | "invoices"]
    )
}

/// Appends the record files that differ between two trees under `dir`.
fn diff_trees(
    trees: &mut TreeReader,
    old: Option<Oid>,
    new: Option<Oid>,
    dir: &mut String,
    out: &mut Vec<Change>,
) -> Result<(), git2::Error> {
    if old == new {
        return Ok(());
    }
    let old_tree = old.map(|id| trees.read(id)).transpose()?;
    let new_tree = new.map(|id| trees.read(id)).transpose()?;
    let id_len = trees.id_len();
    let a_data: &[u8] = old_tree.as_ref().map_or(&[], |t| t.data());
    let b_data: &[u8] = new_tree.as_ref().map_or(&[], |t| t.data());
    let mut a = Entries::new(a_data, id_len).peekable();
    let mut b = Entries::new(b_data, id_len).peekable();
    let mut pending = vec![];
    loop {
        let (x, y) = match (a.peek(), b.peek()) {
            (None, None) => break,
            (Some(x), Some(y)) if x.bytes == y.bytes => {
                // Same mode, name and id: unchanged (the common case).
                a.next();
                b.next();
                continue;
            }
            (Some(x), Some(y)) => {
                let tree = |e: &RawEntry| kind_of(e.mode) == Kind::Tree;
                match git_order(x.name, tree(x), y.name, tree(y)) {
                    Ordering::Less => (a.next(), None),
                    Ordering::Greater => (None, b.next()),
                    Ordering::Equal => (a.next(), b.next()),
                }
            }
            (Some(_), None) => (a.next(), None),
            (None, Some(_)) => (None, b.next()),
        };
        pending.push(Pair::of(x, y));
    }
    for pair in pending {
        let Ok(name) = std::str::from_utf8(pair.name) else {
            continue;
        };
        let len = dir.len();
        dir.push_str(name);
        if (pair.old_file.is_some() || pair.new_file.is_some())
            && pair.old_file != pair.new_file
            && classify(dir).is_some()
        {
            out.push(Change {
                path: dir.clone(),
                old: pair.old_file,
                new: pair.new_file,
            });
        }
        if pair.old_sub.is_some() || pair.new_sub.is_some() {
            dir.push('/');
            if may_hold_records(dir) {
                diff_trees(trees, pair.old_sub, pair.new_sub, dir, out)?;
            }
        }
        dir.truncate(len);
    }
    Ok(())
}

/// An entry name present on one or both sides, as folder and file ids.
struct Pair<'a> {
    name: &'a [u8],
    old_sub: Option<Oid>,
    new_sub: Option<Oid>,
    old_file: Option<Oid>,
    new_file: Option<Oid>,
}

impl<'a> Pair<'a> {
    fn of(x: Option<RawEntry<'a>>, y: Option<RawEntry<'a>>) -> Pair<'a> {
        let pick = |e: Option<RawEntry>, kind: Kind| {
            e.filter(|e| kind_of(e.mode) == kind).map(|e| e.oid())
        };
        Pair {
            name: x.or(y).map_or(&[][..], |e| e.name),
            old_sub: pick(x, Kind::Tree),
            new_sub: pick(y, Kind::Tree),
            old_file: pick(x, Kind::File),
            new_file: pick(y, Kind::File),
        }
    }
}

/// Which deleted record files reappear as added ones in the same commit:
/// identical content first, then libgit2's similarity detection over just
/// the remaining paths.
fn detect_renames(
    repo: &Repository,
    prefix: &str,
    old_root: Oid,
    new_root: Oid,
    changes: &[Change],
) -> Result<Vec<(String, String)>, git2::Error> {
    let mut renames = vec![];
    let mut added: HashMap<Oid, Vec<&str>> = HashMap::new();
    for c in changes.iter().filter(|c| c.old.is_none()) {
        if let Some(id) = c.new {
            added.entry(id).or_default().push(&c.path);
        }
    }
    let mut matched_new: HashSet<&str> = HashSet::new();
    let mut unmatched_old = vec![];
    for c in changes.iter().filter(|c| c.new.is_none()) {
        let target = c.old.and_then(|id| added.get_mut(&id)).and_then(|paths| {
            let p = paths.first().copied()?;
            paths.remove(0);
            Some(p)
        });
        match target {
            Some(new_path) => {
                matched_new.insert(new_path);
                renames.push((c.path.clone(), new_path.to_string()));
            }
            None => unmatched_old.push(c.path.as_str()),
        }
    }
    let unmatched_new: Vec<&str> = changes
        .iter()
        .filter(|c| c.old.is_none() && !matched_new.contains(c.path.as_str()))
        .map(|c| c.path.as_str())
        .collect();
    if unmatched_old.is_empty() || unmatched_new.is_empty() {
        return Ok(renames);
    }
    let mut opts = git2::DiffOptions::new();
    opts.disable_pathspec_match(true);
    for p in unmatched_old.iter().chain(&unmatched_new) {
        opts.pathspec(format!("{prefix}{p}"));
    }
    let old_tree = repo.find_tree(old_root)?;
    let new_tree = repo.find_tree(new_root)?;
    let mut diff = repo.diff_tree_to_tree(Some(&old_tree), Some(&new_tree), Some(&mut opts))?;
    // The limit is set rather than read from the repository's
    // `diff.renameLimit`, so the history (and its cache, keyed by folio's
    // build) does not depend on someone's git config. 1,000 is git's default.
    let mut find = git2::DiffFindOptions::new();
    find.renames(true).rename_limit(1000);
    diff.find_similar(Some(&mut find))?;
    let strip = |p: Option<&Path>| -> Option<String> {
        let s = p?.to_str()?.replace('\\', "/");
        s.strip_prefix(prefix).map(str::to_string)
    };
    for delta in diff.deltas().filter(|d| d.status() == git2::Delta::Renamed) {
        if let (Some(from), Some(to)) = (
            strip(delta.old_file().path()),
            strip(delta.new_file().path()),
        ) {
            renames.push((from, to));
        }
    }
    Ok(renames)
}

/// One version of a record file: the commit (an index into the walk's
/// commits) and the file's blob after it (`None` once deleted).
#[derive(Clone, Copy, Debug)]
pub struct Version {
    pub commit: usize,
    pub blob: Option<Oid>,
    /// The commit created the file (it had no earlier version): the file's
    /// history is complete back to here.
    pub created: bool,
}

/// Folds the per-commit changes (newest first) into per-file histories,
/// keyed by each file's latest path: a rename's older commits belong to the
/// file under its new name.
pub fn fold(changes: &[CommitChanges]) -> (Vec<Oid>, BTreeMap<String, Vec<Version>>) {
    let mut commits = vec![];
    let mut files: BTreeMap<String, Vec<Version>> = BTreeMap::new();
    // A path as it was in older commits → the file's latest path.
    let mut renamed: HashMap<String, String> = HashMap::new();
    for cc in changes.iter().filter(|cc| !cc.changes.is_empty()) {
        let index = commits.len();
        commits.push(cc.commit);
        let gone: HashSet<&str> = cc.renames.iter().map(|(from, _)| from.as_str()).collect();
        for c in cc
            .changes
            .iter()
            .filter(|c| !(c.new.is_none() && gone.contains(c.path.as_str())))
        {
            let key = resolve(&renamed, &c.path);
            let renamed_here = cc.renames.iter().any(|(_, to)| to == &c.path);
            files.entry(key).or_default().push(Version {
                commit: index,
                blob: c.new,
                created: c.old.is_none() && !renamed_here,
            });
        }
        for (from, to) in &cc.renames {
            let key = resolve(&renamed, to);
            renamed.insert(from.clone(), key);
        }
    }
    (commits, files)
}

fn resolve(renamed: &HashMap<String, String>, path: &str) -> String {
    renamed
        .get(path)
        .cloned()
        .unwrap_or_else(|| path.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folders_sort_as_if_they_ended_with_a_slash() {
        // "a.md" < "a" (folder, i.e. "a/") because '.' < '/'.
        assert_eq!(git_order(b"a.md", false, b"a", true), Ordering::Less);
        assert_eq!(git_order(b"a", false, b"a.md", false), Ordering::Less);
        assert_eq!(git_order(b"a", true, b"a0", false), Ordering::Less);
        assert_eq!(git_order(b"a", true, b"a", true), Ordering::Equal);
        assert_eq!(git_order(b"a", false, b"a", true), Ordering::Less);
    }

    #[test]
    fn only_record_folders_are_opened() {
        for yes in [
            "",
            "accounts/",
            "accounts/acme/",
            "accounts/acme/invoices/",
            "handbook/",
        ] {
            assert!(may_hold_records(yes), "{yes}");
        }
        for no in [
            "templates/",
            "accounts/acme/notes/",
            ".git/",
            "accounts/.x/",
            "handbook/x/",
        ] {
            assert!(!may_hold_records(no), "{no}");
        }
    }
}
