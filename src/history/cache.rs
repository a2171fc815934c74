//! A cache of the history pass (issue #7), in `.folio-cache/history.bin`
//! under the records root.
//!
//! What it holds is what the walk found: for each commit on the first-parent
//! chain that changed record files, those changes (paths and blob ids), the
//! renames and the commit's description. The per-file lists are folded from
//! it on every run, exactly as from a fresh walk, so a cached history and a
//! fresh one cannot differ in how they are put together.
//!
//! It must never give a wrong answer, so it is only used when everything the
//! walk depends on is the same: the format, folio's build, the
//! repository's id length, the records' folder inside the repository and the
//! shallow-clone boundary. A commit id names the commit's whole history, so
//! the first-parent chain below any commit the cached walk compared, and
//! what each of those commits changed, are known: a walk from a new HEAD
//! stops at the first such commit and takes the rest from the cache. After a
//! fast-forward only the new commits are compared, after an amend or a
//! rebase those not on the cached line, after a reset to an older commit
//! none; a HEAD that shares no commit with the cache (another root) is
//! walked in full. A file that cannot be read, is damaged (every
//! file ends with a checksum) or does not parse is ignored, and a cache that
//! cannot be written (a read-only folder) costs nothing but the next run's
//! time.
//!
//! The file format, all integers LEB128 unless said otherwise:
//!
//! ```text
//! magic "folio-history\n", format version (u32 LE)
//! folio's build stamp, id length (u8), records prefix, shallow boundary ids
//! HEAD id, truncated (u8), chain: count, ids (newest first)
//! names: count, strings (authors, emails, dates; interned)
//! paths: count, (shared prefix length with the previous path, rest) sorted
//! commits: count, per commit:
//!   position in the chain, author, email, date (name indices), time
//!   (zigzag), summary,
//!   changes: count, (path index, flags: 1 old, 2 new, [old id], [new id])
//!   renames: count, (from path index, to path index)
//! checksum (u64 LE) of everything before it
//! ```

use super::Commit;
use super::walk::{Change, CommitChanges};
use git2::Oid;
use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The folder under the records root (git-ignored: it writes a `.gitignore`
/// of its own that ignores everything in it).
pub const DIR: &str = ".folio-cache";
const FILE: &str = "history.bin";
const MAGIC: &[u8] = b"folio-history\n";
/// Raised whenever the format or what the walk records changes.
const FORMAT: u32 = 1;

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

/// Whether the cache is used: `FOLIO_NO_CACHE` set to anything but "" or
/// "0" turns it off (the benchmark's uncached figures).
pub fn enabled() -> bool {
    match std::env::var_os("FOLIO_NO_CACHE") {
        None => true,
        Some(v) => v.is_empty() || v == "0",
    }
}

/// The cache of one records folder, for one set of walk conditions.
pub struct Cache {
    dir: PathBuf,
    version: String,
    prefix: String,
    grafts: Vec<Oid>,
    id_len: usize,
}

impl Cache {
    /// The cache of the records at `root` whose folder in the repository is
    /// `prefix` (`a/b/` or ""), with the shallow boundary `grafts` (sorted)
    /// and ids of `id_len` bytes.
    pub fn new(root: &Path, prefix: &str, grafts: &[Oid], id_len: usize) -> Cache {
        Cache {
            dir: root.join(DIR),
            version: build_stamp().to_string(),
            prefix: prefix.to_string(),
            grafts: grafts.to_vec(),
            id_len,
        }
    }

    /// The cached walk, when there is a readable one made under the same
    /// conditions (its HEAD may differ from today's).
    pub fn load(&self) -> Option<Walked> {
        if !self.is_real_folder() {
            return None;
        }
        let bytes = std::fs::read(self.dir.join(FILE)).ok()?;
        self.decode(&bytes)
    }

    /// Writes `walked` atomically (a temporary file renamed over the old
    /// one); any failure leaves the cache as it was and is not an error.
    pub fn store(&self, walked: &Walked) {
        if walked.lost {
            return;
        }
        let _ = self.try_store(walked);
    }

    fn try_store(&self, walked: &Walked) -> std::io::Result<()> {
        let written = write_in(&self.dir, FILE, &self.encode(walked));
        self.remove_abandoned();
        written
    }

    /// Removes temporary files more than an hour old: left by a folio that
    /// was killed while writing (another one's file is seconds old).
    fn remove_abandoned(&self) {
        let Ok(entries) = std::fs::read_dir(&self.dir) else {
            return;
        };
        let hour = std::time::Duration::from_secs(3600);
        for entry in entries.flatten() {
            let abandoned = entry.file_name().to_string_lossy().ends_with(".tmp")
                && entry
                    .metadata()
                    .and_then(|m| m.modified())
                    .is_ok_and(|t| t.elapsed().is_ok_and(|age| age > hour));
            if abandoned {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }

    /// `.folio-cache` is a folder of its own, not a symbolic link that could
    /// lead reads and writes elsewhere.
    fn is_real_folder(&self) -> bool {
        std::fs::symlink_metadata(&self.dir).is_ok_and(|m| m.is_dir())
    }

    fn encode(&self, w: &Walked) -> Vec<u8> {
        let mut out = Out::default();
        out.bytes(MAGIC);
        out.bytes(&FORMAT.to_le_bytes());
        self.encode_key(&mut out);
        out.oid(w.head);
        out.byte(u8::from(w.truncated));
        out.uint(w.chain.len() as u64);
        for id in &w.chain {
            out.oid(*id);
        }

        let mut names = Interner::default();
        for c in &w.commits {
            names.add(&c.author);
            names.add(&c.email);
            names.add(&c.date);
        }
        out.uint(names.list.len() as u64);
        for name in &names.list {
            out.str(name);
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
        out.uint(paths.len() as u64);
        let mut previous = "";
        for p in &paths {
            let shared = shared_prefix(previous, p);
            out.uint(shared as u64);
            out.str(&p[shared..]);
            previous = p;
        }
        let index: HashMap<&str, usize> = paths.iter().enumerate().map(|(i, p)| (*p, i)).collect();

        out.uint(w.changes.len() as u64);
        for ((cc, c), at) in w.changes.iter().zip(&w.commits).zip(&w.at) {
            out.uint(*at as u64);
            out.uint(names.index[c.author.as_str()] as u64);
            out.uint(names.index[c.email.as_str()] as u64);
            out.uint(names.index[c.date.as_str()] as u64);
            out.uint(zigzag(c.time));
            out.str(&c.summary);
            out.uint(cc.changes.len() as u64);
            for change in &cc.changes {
                out.uint(index[change.path.as_str()] as u64);
                let flags = u8::from(change.old.is_some()) | u8::from(change.new.is_some()) << 1;
                out.byte(flags);
                for id in [change.old, change.new].into_iter().flatten() {
                    out.oid(id);
                }
            }
            out.uint(cc.renames.len() as u64);
            for (from, to) in &cc.renames {
                out.uint(index[from.as_str()] as u64);
                out.uint(index[to.as_str()] as u64);
            }
        }
        let sum = checksum(&out.0);
        out.bytes(&sum.to_le_bytes());
        out.0
    }

    fn encode_key(&self, out: &mut Out) {
        out.str(&self.version);
        out.byte(self.id_len as u8);
        out.str(&self.prefix);
        out.uint(self.grafts.len() as u64);
        for g in &self.grafts {
            out.oid(*g);
        }
    }

    /// The walk in `bytes`, or `None` when they are damaged, of another
    /// format, or made under other conditions.
    fn decode(&self, bytes: &[u8]) -> Option<Walked> {
        let (body, sum) = bytes.split_at_checked(bytes.len().checked_sub(8)?)?;
        if checksum(body) != u64::from_le_bytes(sum.try_into().ok()?) {
            return None;
        }
        let mut r = In {
            data: body,
            id_len: self.id_len,
        };
        if r.bytes(MAGIC.len())? != MAGIC || r.bytes(4)? != FORMAT.to_le_bytes() {
            return None;
        }
        // The conditions it was made under, compared byte for byte.
        let mut key = Out::default();
        self.encode_key(&mut key);
        if r.bytes(key.0.len())? != key.0 {
            return None;
        }
        let head = r.oid()?;
        let truncated = match r.byte()? {
            0 => false,
            1 => true,
            _ => return None,
        };
        let chain: Vec<Oid> = (0..r.count()?).map(|_| r.oid()).collect::<Option<_>>()?;
        if chain.first().is_some_and(|first| *first != head) {
            return None;
        }

        let names: Vec<&str> = (0..r.count()?).map(|_| r.str()).collect::<Option<_>>()?;
        let name = |r: &mut In| names.get(usize::try_from(r.uint()?).ok()?).copied();

        let path_count = r.count()?;
        let mut paths: Vec<String> = Vec::with_capacity(path_count);
        for _ in 0..path_count {
            let shared = usize::try_from(r.uint()?).ok()?;
            let previous = paths.last().map_or("", String::as_str);
            let start = previous.get(..shared)?;
            let mut path = String::with_capacity(shared + 32);
            path.push_str(start);
            path.push_str(r.str()?);
            paths.push(path);
        }
        let path = |r: &mut In| paths.get(usize::try_from(r.uint()?).ok()?).cloned();

        let commit_count = r.count()?;
        let mut changes = Vec::with_capacity(commit_count);
        let mut at: Vec<usize> = Vec::with_capacity(commit_count);
        let mut commits = Vec::with_capacity(commit_count);
        for _ in 0..commit_count {
            let position = usize::try_from(r.uint()?).ok()?;
            if at.last().is_some_and(|&last| position <= last) {
                return None; // newest first, each commit once
            }
            let id = *chain.get(position)?;
            at.push(position);
            let author = name(&mut r)?;
            let email = name(&mut r)?;
            let date = name(&mut r)?;
            let time = unzigzag(r.uint()?);
            let summary = r.str()?;
            let n = r.count()?;
            let mut list = Vec::with_capacity(n);
            for _ in 0..n {
                let path = path(&mut r)?;
                let flags = r.byte()?;
                if flags & !3 != 0 {
                    return None;
                }
                let old = if flags & 1 != 0 { Some(r.oid()?) } else { None };
                let new = if flags & 2 != 0 { Some(r.oid()?) } else { None };
                list.push(Change { path, old, new });
            }
            if list.is_empty() {
                return None; // only commits that changed records are kept
            }
            let renames = (0..r.count()?)
                .map(|_| Some((path(&mut r)?, path(&mut r)?)))
                .collect::<Option<_>>()?;
            let full = id.to_string();
            commits.push(Commit {
                short: full.chars().take(8).collect(),
                id: full,
                author: author.to_string(),
                email: email.to_string(),
                date: date.to_string(),
                time,
                summary: summary.to_string(),
            });
            changes.push(CommitChanges {
                commit: id,
                changes: list,
                renames,
            });
        }
        if !r.data.is_empty() {
            return None;
        }
        Some(Walked {
            head,
            chain,
            truncated,
            lost: false,
            changes,
            at,
            commits,
        })
    }
}

/// folio's version and the running program's size and modification time:
/// what the walk records (which paths are records, how renames are found)
/// may change with any build, not only between releases.
pub(crate) fn build_stamp() -> &'static str {
    static STAMP: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    STAMP.get_or_init(|| {
        let exe = std::env::current_exe().and_then(std::fs::metadata);
        let (size, modified) = exe.map_or((0, 0), |m| {
            let modified = m
                .modified()
                .ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .map_or(0, |d| d.as_nanos());
            (m.len(), modified)
        });
        format!("{} {size} {modified}", env!("CARGO_PKG_VERSION"))
    })
}

/// Writes `bytes` as `dir/name` atomically (a temporary file renamed over
/// the old one), creating `dir` with a `.gitignore` that keeps it out of
/// commits. Never writes through a `dir` that is a symbolic link or a file.
pub(crate) fn write_in(dir: &Path, name: &str, bytes: &[u8]) -> std::io::Result<()> {
    match std::fs::create_dir(dir) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
        Err(e) => return Err(e),
    }
    if !std::fs::symlink_metadata(dir).is_ok_and(|m| m.is_dir()) {
        return Ok(());
    }
    let ignore = dir.join(".gitignore");
    if std::fs::symlink_metadata(&ignore).is_err() {
        let _ = create_new(&ignore, b"# folio's cache: never committed\n*\n");
    }
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let temp = dir.join(format!("{name}.{}.{nanos}.tmp", std::process::id()));
    let written = create_new(&temp, bytes).and_then(|()| std::fs::rename(&temp, dir.join(name)));
    if written.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    written
}

fn create_new(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)?;
    f.write_all(bytes)
}

/// The length of the longest common prefix, on a character boundary.
fn shared_prefix(a: &str, b: &str) -> usize {
    let mut n = a.bytes().zip(b.bytes()).take_while(|(x, y)| x == y).count();
    while !b.is_char_boundary(n) {
        n -= 1;
    }
    n
}

fn zigzag(v: i64) -> u64 {
    ((v << 1) ^ (v >> 63)) as u64
}

fn unzigzag(v: u64) -> i64 {
    ((v >> 1) as i64) ^ -((v & 1) as i64)
}

/// A 64-bit checksum over 8-byte words, to notice a damaged file (not an
/// adversary: the file is the user's own).
fn checksum(data: &[u8]) -> u64 {
    const K: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut h = K ^ data.len() as u64;
    let mut words = data.chunks_exact(8);
    for w in &mut words {
        let w = u64::from_le_bytes(w.try_into().unwrap_or_default());
        h = (h ^ w).wrapping_mul(K).rotate_left(31);
    }
    for &b in words.remainder() {
        h = (h ^ u64::from(b)).wrapping_mul(K).rotate_left(31);
    }
    h ^ (h >> 29)
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

#[derive(Default)]
struct Out(Vec<u8>);

impl Out {
    fn byte(&mut self, b: u8) {
        self.0.push(b);
    }
    fn bytes(&mut self, b: &[u8]) {
        self.0.extend_from_slice(b);
    }
    fn uint(&mut self, mut v: u64) {
        while v >= 0x80 {
            self.0.push(v as u8 | 0x80);
            v >>= 7;
        }
        self.0.push(v as u8);
    }
    fn str(&mut self, s: &str) {
        self.uint(s.len() as u64);
        self.bytes(s.as_bytes());
    }
    fn oid(&mut self, id: Oid) {
        self.bytes(id.as_bytes());
    }
}

/// A reader that fails (`None`) instead of reading past the end.
struct In<'a> {
    data: &'a [u8],
    id_len: usize,
}

impl<'a> In<'a> {
    fn bytes(&mut self, n: usize) -> Option<&'a [u8]> {
        let (head, rest) = self.data.split_at_checked(n)?;
        self.data = rest;
        Some(head)
    }
    fn byte(&mut self) -> Option<u8> {
        Some(self.bytes(1)?[0])
    }
    fn uint(&mut self) -> Option<u64> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.byte()?;
            v |= u64::from(b & 0x7f).checked_shl(shift)?;
            if b & 0x80 == 0 {
                return Some(v);
            }
        }
        None
    }
    /// A count of items that each take at least one byte, so a damaged
    /// count cannot ask for a huge allocation.
    fn count(&mut self) -> Option<usize> {
        let n = usize::try_from(self.uint()?).ok()?;
        (n <= self.data.len()).then_some(n)
    }
    fn str(&mut self) -> Option<&'a str> {
        let n = usize::try_from(self.uint()?).ok()?;
        std::str::from_utf8(self.bytes(n)?).ok()
    }
    fn oid(&mut self) -> Option<Oid> {
        Oid::from_bytes(self.bytes(self.id_len)?).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let c = cache(Path::new("/nonexistent"));
        let bytes = c.encode(&sample());
        for i in 0..bytes.len() {
            let mut damaged = bytes.clone();
            damaged[i] ^= 0x10;
            assert!(c.decode(&damaged).is_none(), "byte {i}");
            assert!(c.decode(&bytes[..i]).is_none(), "cut at {i}");
        }
    }

    #[test]
    fn abandoned_temporary_files_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        let c = cache(dir.path());
        std::fs::create_dir(dir.path().join(DIR)).unwrap();
        let old = dir.path().join(DIR).join("history.bin.1.2.tmp");
        let fresh = dir.path().join(DIR).join("history.bin.3.4.tmp");
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
    fn varints_and_zigzag_round_trip() {
        for v in [0i64, 1, -1, 63, -64, 1 << 40, i64::MIN, i64::MAX] {
            let mut out = Out::default();
            out.uint(zigzag(v));
            let mut r = In {
                data: &out.0,
                id_len: 20,
            };
            assert_eq!(r.uint().map(unzigzag), Some(v));
        }
        assert_eq!(shared_prefix("abé", "abê"), 2);
    }
}
