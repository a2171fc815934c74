//! A cache of the history pass (issue #7), the file `history` of the
//! records' cache folder (`plumbing::cache_file`: its envelope, build stamp
//! and checksum, and what happens to a damaged file, are every cache's).
//!
//! What it holds is what the walk found: for each commit on the first-parent
//! chain that changed record files, those changes (paths and blob ids), the
//! renames and the commit's description. The per-file lists are folded from
//! it on every run, exactly as from a fresh walk, so a cached history and a
//! fresh one cannot differ in how they are put together.
//!
//! It must never give a wrong answer, so it is only used when everything the
//! walk depends on is the same: the format, folio's build (both checked by
//! the envelope), the repository's id length, the records' folder inside the
//! repository and the shallow-clone boundary. A commit id names the
//! commit's whole history, so the first-parent chain below any commit the
//! cached walk compared, and what each of those commits changed, are known:
//! a walk from a new HEAD stops at the first such commit and takes the rest
//! from the cache. After a fast-forward only the new commits are compared,
//! after an amend or a rebase those not on the cached line, after a reset to
//! an older commit none; a HEAD that shares no commit with the cache
//! (another root) is walked in full.
//!
//! The body ([`Stored`]) keeps the file small and quick to read: author
//! names, emails and dates are interned (a few people make thousands of
//! commits), paths are listed once, sorted, each as the length it shares
//! with the one before and the rest, and changes refer to them by index.

use super::Commit;
use super::walk::{Change, CommitChanges};
use crate::plumbing::cache_file::CacheFile;
use git2::Oid;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::collections::HashMap;
use std::path::Path;

const FILE: &str = "history";
/// Raised whenever [`Stored`] or what the walk records changes.
const FORMAT: u32 = 2;

/// The result of a history walk, as cached.
#[derive(Debug, PartialEq)]
pub struct Walked {
    /// The commit the walk started from.
    pub head: Oid,
    /// The commits of the first-parent chain that were compared, newest
    /// first.
    pub chain: Vec<Oid>,
    /// The chain ends at a shallow boundary (or a missing object).
    pub truncated: bool,
    /// It ends at a missing object: the repository is damaged or partial,
    /// and a later run may see more, so this walk is not cached.
    pub lost: bool,
    /// The commits that changed record files, newest first.
    pub changes: Vec<CommitChanges>,
    /// Their positions in `chain`, aligned with `changes`.
    pub at: Vec<usize>,
    /// Their descriptions, aligned with `changes`.
    pub commits: Vec<Commit>,
}

impl Walked {
    /// Appends `older`'s walk from its commit at `from` on: the chain below
    /// the last commit of `self` (`older.chain[from]` is its first parent).
    pub fn append(&mut self, older: Walked, from: usize) {
        let offset = self.chain.len();
        self.chain
            .extend_from_slice(older.chain.get(from..).unwrap_or_default());
        self.truncated = older.truncated;
        self.lost = older.lost;
        let keep = older.at.partition_point(|&at| at < from);
        let rest = older.changes.into_iter().zip(older.at).zip(older.commits);
        for ((cc, at), c) in rest.skip(keep) {
            self.changes.push(cc);
            self.at.push(at - from + offset);
            self.commits.push(c);
        }
    }
}

/// The cache of one records folder, for one set of walk conditions.
pub struct Cache {
    file: CacheFile,
    prefix: String,
    /// The shallow boundary's ids, one after the other.
    grafts: Vec<u8>,
    id_len: usize,
}

impl Cache {
    /// The cache of the records at `root` whose folder in the repository is
    /// `prefix` (`a/b/` or ""), with the shallow boundary `grafts` (sorted)
    /// and ids of `id_len` bytes.
    pub fn new(root: &Path, prefix: &str, grafts: &[Oid], id_len: usize) -> Cache {
        Cache {
            file: CacheFile::new(root, FILE, FORMAT),
            prefix: prefix.to_string(),
            grafts: grafts.iter().flat_map(|g| g.as_bytes()).copied().collect(),
            id_len,
        }
    }

    /// The cached walk, when there is a readable one made under the same
    /// conditions (its HEAD may differ from today's).
    pub fn load(&self) -> Option<Walked> {
        let body = self.file.read()?;
        self.decode(body.bytes())
    }

    /// Writes `walked`; any failure leaves the cache as it was and is not an
    /// error.
    pub fn store(&self, walked: &Walked) {
        if walked.lost {
            return;
        }
        self.file.store(&self.encode(walked));
    }

    fn encode<'w>(&'w self, w: &'w Walked) -> Stored<'w> {
        let mut names = Interner::default();
        for c in &w.commits {
            names.add(&c.author);
            names.add(&c.email);
            names.add(&c.date);
        }
        let mut paths: Vec<&str> = w
            .changes
            .iter()
            .flat_map(|cc| {
                cc.changes.iter().map(|c| c.path.as_str()).chain(
                    cc.renames
                        .iter()
                        .flat_map(|(from, to)| [from.as_str(), to.as_str()]),
                )
            })
            .collect();
        paths.sort_unstable();
        paths.dedup();
        let index: HashMap<&str, usize> = paths.iter().enumerate().map(|(i, p)| (*p, i)).collect();
        let mut previous = "";
        let paths = paths
            .iter()
            .map(|p| {
                let shared = shared_prefix(previous, p);
                previous = p;
                (shared, &p[shared..])
            })
            .collect();
        let mut stored = Stored {
            id_len: self.id_len,
            prefix: &self.prefix,
            grafts: Ids(Cow::Borrowed(&self.grafts)),
            head: Ids(Cow::Borrowed(w.head.as_bytes())),
            truncated: w.truncated,
            chain: Ids(Cow::Owned(
                w.chain
                    .iter()
                    .flat_map(|id| id.as_bytes())
                    .copied()
                    .collect(),
            )),
            names: names.list.clone(),
            paths,
            commits: Vec::with_capacity(w.commits.len()),
            changes: vec![],
            ids: Ids(Cow::Owned(vec![])),
            renames: vec![],
        };
        let mut ids = vec![];
        for ((cc, c), at) in w.changes.iter().zip(&w.commits).zip(&w.at) {
            stored.commits.push(StoredCommit {
                at: *at,
                author: names.index[c.author.as_str()],
                email: names.index[c.email.as_str()],
                date: names.index[c.date.as_str()],
                time: c.time,
                summary: &c.summary,
                changes: cc.changes.len(),
                renames: cc.renames.len(),
            });
            for change in &cc.changes {
                let flags = u8::from(change.old.is_some()) | u8::from(change.new.is_some()) << 1;
                stored.changes.push((index[change.path.as_str()], flags));
                for id in [change.old, change.new].into_iter().flatten() {
                    ids.extend_from_slice(id.as_bytes());
                }
            }
            for (from, to) in &cc.renames {
                stored
                    .renames
                    .push((index[from.as_str()], index[to.as_str()]));
            }
        }
        stored.ids = Ids(Cow::Owned(ids));
        stored
    }

    /// The walk in `bytes` (a postcard [`Stored`]), or `None` when they do
    /// not hold one, or one made under other conditions.
    fn decode(&self, bytes: &[u8]) -> Option<Walked> {
        let stored: Stored = postcard::from_bytes(bytes).ok()?;
        let same_conditions = stored.id_len == self.id_len
            && stored.prefix == self.prefix
            && *stored.grafts.0 == self.grafts;
        if !same_conditions || self.id_len == 0 {
            return None;
        }
        let id_len = self.id_len;
        let ids_in = |run: &[u8]| -> Option<Vec<Oid>> {
            if !run.len().is_multiple_of(id_len) {
                return None;
            }
            run.chunks_exact(id_len)
                .map(|id| Oid::from_bytes(id).ok())
                .collect()
        };
        let head = *ids_in(&stored.head.0)?.first()?;
        let chain = ids_in(&stored.chain.0)?;
        if chain.first().is_some_and(|first| *first != head) || stored.head.0.len() != id_len {
            return None;
        }
        let name = |i: usize| stored.names.get(i).copied();

        let mut paths: Vec<String> = Vec::with_capacity(stored.paths.len());
        for (shared, rest) in &stored.paths {
            let previous = paths.last().map_or("", String::as_str);
            let start = previous.get(..*shared)?;
            let mut path = String::with_capacity(shared + rest.len());
            path.push_str(start);
            path.push_str(rest);
            paths.push(path);
        }
        let path = |i: usize| paths.get(i).cloned();

        let mut change_list = stored.changes.iter();
        let mut rename_list = stored.renames.iter();
        let mut ids = stored.ids.0.chunks_exact(id_len);
        if !stored.ids.0.len().is_multiple_of(id_len) {
            return None;
        }
        let mut next_id = |present: bool| -> Option<Option<Oid>> {
            if !present {
                return Some(None);
            }
            Oid::from_bytes(ids.next()?).ok().map(Some)
        };
        let count = stored.commits.len();
        let mut changes = Vec::with_capacity(count);
        let mut at: Vec<usize> = Vec::with_capacity(count);
        let mut commits = Vec::with_capacity(count);
        for c in &stored.commits {
            if at.last().is_some_and(|&last| c.at <= last) {
                return None; // newest first, each commit once
            }
            let id = *chain.get(c.at)?;
            at.push(c.at);
            if c.changes == 0 {
                return None; // only commits that changed records are kept
            }
            let mut list = Vec::with_capacity(c.changes.min(stored.changes.len()));
            for _ in 0..c.changes {
                let &(index, flags) = change_list.next()?;
                if flags & !3 != 0 {
                    return None;
                }
                list.push(Change {
                    path: path(index)?,
                    old: next_id(flags & 1 != 0)?,
                    new: next_id(flags & 2 != 0)?,
                });
            }
            let renames = (0..c.renames)
                .map(|_| {
                    let &(from, to) = rename_list.next()?;
                    Some((path(from)?, path(to)?))
                })
                .collect::<Option<_>>()?;
            let full = id.to_string();
            commits.push(Commit {
                short: full.chars().take(8).collect(),
                id: full,
                author: name(c.author)?.to_string(),
                email: name(c.email)?.to_string(),
                date: name(c.date)?.to_string(),
                time: c.time,
                summary: c.summary.to_string(),
            });
            changes.push(CommitChanges {
                commit: id,
                changes: list,
                renames,
            });
        }
        let all_used =
            change_list.next().is_none() && rename_list.next().is_none() && ids.next().is_none();
        all_used.then_some(Walked {
            head,
            chain,
            truncated: stored.truncated,
            lost: false,
            changes,
            at,
            commits,
        })
    }
}

/// The cache file's body. Strings and ids borrow from the file's bytes
/// when read; what each commit changed is in flat lists, in commit order,
/// so that reading allocates per list rather than per commit.
#[derive(Serialize, Deserialize)]
struct Stored<'a> {
    /// The conditions the walk was made under.
    id_len: usize,
    prefix: &'a str,
    #[serde(borrow)]
    grafts: Ids<'a>,
    /// The walk.
    #[serde(borrow)]
    head: Ids<'a>,
    truncated: bool,
    /// Newest first.
    #[serde(borrow)]
    chain: Ids<'a>,
    /// Authors, emails and dates, each once.
    #[serde(borrow)]
    names: Vec<&'a str>,
    /// Sorted; each as (bytes shared with the path before, the rest).
    #[serde(borrow)]
    paths: Vec<(usize, &'a str)>,
    /// The commits that changed records, newest first.
    #[serde(borrow)]
    commits: Vec<StoredCommit<'a>>,
    /// Every commit's changes: (path index, flags: 1 old, 2 new).
    changes: Vec<(usize, u8)>,
    /// The old and new ids of those changes, in order.
    #[serde(borrow)]
    ids: Ids<'a>,
    /// Every commit's renames: (from, to) path indices.
    renames: Vec<(usize, usize)>,
}

#[derive(Serialize, Deserialize)]
struct StoredCommit<'a> {
    /// Its position in the chain.
    at: usize,
    /// Indices into the names.
    author: usize,
    email: usize,
    date: usize,
    time: i64,
    summary: &'a str,
    /// How many entries of the change and rename lists are its.
    changes: usize,
    renames: usize,
}

/// Object ids, one after the other, stored as one run of bytes (not a list
/// of numbers) and read back without a copy.
struct Ids<'a>(Cow<'a, [u8]>);

impl Serialize for Ids<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_bytes(&self.0)
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Ids<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        <&'de [u8]>::deserialize(d).map(|b| Ids(Cow::Borrowed(b)))
    }
}

/// The length of the longest common prefix, on a character boundary.
fn shared_prefix(a: &str, b: &str) -> usize {
    let mut n = a.bytes().zip(b.bytes()).take_while(|(x, y)| x == y).count();
    while !b.is_char_boundary(n) {
        n -= 1;
    }
    n
}

#[derive(Default)]
struct Interner<'a> {
    list: Vec<&'a str>,
    index: HashMap<&'a str, usize>,
}

impl<'a> Interner<'a> {
    fn add(&mut self, s: &'a str) {
        if !self.index.contains_key(s) {
            self.index.insert(s, self.list.len());
            self.list.push(s);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plumbing::atomic::TEMP_SUFFIX;
    use crate::plumbing::cache_file::DIR;

    fn oid(n: u8) -> Oid {
        Oid::from_bytes(&[n; 20]).unwrap()
    }

    fn commit(n: u8, author: &str) -> Commit {
        let id = oid(n).to_string();
        Commit {
            short: id[..8].to_string(),
            id,
            author: author.into(),
            email: format!("{author}@example.com"),
            date: "2026-10-01".into(),
            time: -5 + i64::from(n),
            summary: format!("commit {n} ✓"),
        }
    }

    fn sample() -> Walked {
        let change = |path: &str, old: Option<u8>, new: Option<u8>| Change {
            path: path.into(),
            old: old.map(oid),
            new: new.map(oid),
        };
        Walked {
            head: oid(9),
            chain: vec![oid(9), oid(3), oid(7), oid(2)],
            truncated: true,
            lost: false,
            at: vec![1, 3],
            changes: vec![
                CommitChanges {
                    commit: oid(3),
                    changes: vec![
                        change("accounts/a/invoices/é.md", Some(4), None),
                        change("accounts/a/invoices/ê.md", None, Some(4)),
                    ],
                    renames: vec![(
                        "accounts/a/invoices/é.md".into(),
                        "accounts/a/invoices/ê.md".into(),
                    )],
                },
                CommitChanges {
                    commit: oid(2),
                    changes: vec![change("accounts/a/invoices/é.md", None, Some(4))],
                    renames: vec![],
                },
            ],
            commits: vec![commit(3, "Rui"), commit(2, "Ana")],
        }
    }

    fn cache(dir: &Path) -> Cache {
        Cache::new(dir, "records/", &[oid(1)], 20)
    }

    #[test]
    fn what_is_written_reads_back_the_same() {
        let dir = tempfile::tempdir().unwrap();
        let c = cache(dir.path());
        assert_eq!(c.load(), None);
        c.store(&sample());
        assert_eq!(c.load(), Some(sample()));
        assert!(dir.path().join(DIR).join(".gitignore").is_file());
        let names: Vec<_> = std::fs::read_dir(dir.path().join(DIR))
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names.len(), 2, "no temporary file left: {names:?}");
    }

    #[test]
    fn other_conditions_do_not_match() {
        let dir = tempfile::tempdir().unwrap();
        cache(dir.path()).store(&sample());
        assert!(Cache::new(dir.path(), "", &[oid(1)], 20).load().is_none());
        assert!(Cache::new(dir.path(), "records/", &[], 20).load().is_none());
        assert!(
            Cache::new(dir.path(), "records/", &[oid(1)], 32)
                .load()
                .is_none()
        );
    }

    #[test]
    fn any_damage_is_noticed() {
        let dir = tempfile::tempdir().unwrap();
        let c = cache(dir.path());
        c.store(&sample());
        let path = dir.path().join(DIR).join(FILE);
        let bytes = std::fs::read(&path).unwrap();
        for i in 0..bytes.len() {
            let mut damaged = bytes.clone();
            damaged[i] ^= 0x10;
            std::fs::write(&path, &damaged).unwrap();
            assert!(c.load().is_none(), "byte {i}");
            std::fs::write(&path, &bytes[..i]).unwrap();
            assert!(c.load().is_none(), "cut at {i}");
        }
        std::fs::write(&path, &bytes).unwrap();
        assert_eq!(c.load(), Some(sample()));
    }

    /// A body that passes the envelope's checks but does not hold a walk
    /// that fits together is no cache either.
    #[test]
    fn an_inconsistent_walk_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let c = cache(dir.path());
        let walked = sample();
        let mut stored = c.encode(&walked);
        stored.changes[0].0 = 99;
        assert!(c.decode(&postcard::to_allocvec(&stored).unwrap()).is_none());
        let mut stored = c.encode(&walked);
        stored.commits[1].at = 1;
        assert!(c.decode(&postcard::to_allocvec(&stored).unwrap()).is_none());
        let mut stored = c.encode(&walked);
        stored.head = Ids(Cow::Borrowed(&[7; 20]));
        assert!(c.decode(&postcard::to_allocvec(&stored).unwrap()).is_none());
        let stored = c.encode(&walked);
        assert_eq!(
            c.decode(&postcard::to_allocvec(&stored).unwrap()),
            Some(walked)
        );
    }

    #[test]
    fn abandoned_temporary_files_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        let c = cache(dir.path());
        std::fs::create_dir(dir.path().join(DIR)).unwrap();
        let old = dir
            .path()
            .join(DIR)
            .join(format!(".history.1.2{TEMP_SUFFIX}"));
        let fresh = dir
            .path()
            .join(DIR)
            .join(format!(".history.3.4{TEMP_SUFFIX}"));
        std::fs::write(&old, b"x").unwrap();
        std::fs::write(&fresh, b"x").unwrap();
        let two_hours_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(7200);
        std::fs::File::options()
            .write(true)
            .open(&old)
            .unwrap()
            .set_modified(two_hours_ago)
            .unwrap();
        c.store(&sample());
        assert!(!old.exists());
        assert!(fresh.exists(), "another folio may be writing it");
    }

    #[test]
    fn lost_walks_are_not_stored() {
        let dir = tempfile::tempdir().unwrap();
        let c = cache(dir.path());
        c.store(&Walked {
            lost: true,
            ..sample()
        });
        assert!(!dir.path().join(DIR).exists());
    }

    #[test]
    fn a_newer_walk_takes_the_older_one_from_a_shared_commit_on() {
        let older = sample(); // chain 9 3 7 2, changes at 3 (1) and 2 (3)
        let mut newer = Walked {
            head: oid(8),
            chain: vec![oid(8), oid(5)],
            truncated: false,
            lost: false,
            changes: vec![older.changes[1].clone()],
            at: vec![1],
            commits: vec![commit(5, "Eve")],
        };
        newer.append(older, 2); // 5's first parent is 7
        assert_eq!(newer.chain, [oid(8), oid(5), oid(7), oid(2)]);
        assert_eq!(newer.at, [1, 3]);
        assert_eq!(newer.commits[1].author, "Ana");
        assert!(newer.truncated);
        let mut from_head = Walked {
            chain: vec![oid(1)],
            changes: vec![],
            at: vec![],
            commits: vec![],
            ..sample()
        };
        from_head.append(sample(), 0);
        assert_eq!(from_head.at, [2, 4]);
        assert_eq!(from_head.chain.len(), 5);
    }

    #[test]
    fn shared_prefixes_end_on_a_character_boundary() {
        assert_eq!(shared_prefix("abé", "abê"), 2);
        assert_eq!(shared_prefix("", "a"), 0);
        assert_eq!(shared_prefix("accounts/a", "accounts/b"), 9);
    }
}
