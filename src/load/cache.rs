//! A cache of parsed record files, so that `check`, `status` and `build` on
//! a large repository do not parse 60,000 unchanged front matters again.
//!
//! It is the file `records` of the cache folder (`plumbing::cache_file`:
//! the envelope, build stamp, checksum and what happens to a damaged file
//! are every cache's) and holds, per record file, what parsing it gave (the
//! typed record or its diagnostics, in postcard's binary form) with the
//! file's size, modification and change times, inode and device, as the
//! walk found them. A file is parsed again whenever any of those differ, as
//! git decides whether a work-tree file changed. Files modified within the
//! last two seconds are never cached: a second write within the file
//! system's timestamp granularity could leave every stamp equal ("racily
//! clean" in git's words). `FOLIO_NO_CACHE=1` turns it off.

use super::walk::Stamp;
use super::{FsSource, Parsed, classify, parse_file, parse_files};
use crate::plumbing::cache_file::{self, CacheFile};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::collections::HashMap;
use std::path::Path;

const FILE: &str = "records";
/// Raised whenever [`Entry`] or a record type's cached form changes.
const FORMAT: u32 = 3;

/// One cached file: the relative path, the stamp and the parse. The body of
/// the cache file is the list of them, in the walk's order. Each parse is
/// a postcard value of its own inside it, so that the list is read in one
/// quick pass that copies nothing, and only the parses of unchanged files
/// are decoded (in parallel); an unchanged file's parse is written back as
/// the bytes it was read as.
#[derive(Serialize, Deserialize)]
struct Entry<'c> {
    #[serde(borrow)]
    rel: Cow<'c, str>,
    stamp: [i64; 7],
    #[serde(borrow)]
    parsed: Bytes<'c>,
}

/// Bytes stored as one run (postcard's byte string, not a list of numbers),
/// read back without a copy.
struct Bytes<'c>(Cow<'c, [u8]>);

impl Serialize for Bytes<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_bytes(&self.0)
    }
}

impl<'de: 'c, 'c> Deserialize<'de> for Bytes<'c> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        <&'de [u8]>::deserialize(d).map(|b| Bytes(Cow::Borrowed(b)))
    }
}

/// The entries of a cache body; none when it does not hold a list of them.
fn entries(body: &[u8]) -> Vec<Entry<'_>> {
    postcard::from_bytes(body).unwrap_or_default()
}

/// The cached entry of each file of `files`, by position. The cache is
/// written in the walk's order, so entries are matched in step; a lookup
/// table is built only once they fall out of step (files added or gone).
fn align<'c>(files: &[String], entries: &'c [Entry<'c>]) -> Vec<Option<&'c Entry<'c>>> {
    let mut next = 0;
    let mut by_path: Option<HashMap<&str, usize>> = None;
    files
        .iter()
        .map(|rel| {
            let found = if entries.get(next).is_some_and(|e| e.rel == rel.as_str()) {
                Some(next)
            } else {
                by_path
                    .get_or_insert_with(|| {
                        entries
                            .iter()
                            .enumerate()
                            .map(|(i, e)| (e.rel.as_ref(), i))
                            .collect()
                    })
                    .get(rel.as_str())
                    .copied()
            };
            if let Some(i) = found {
                next = i + 1;
            }
            found.map(|i| &entries[i])
        })
        .collect()
}

/// Parses the record files `files` (relative to `root`, with their stamps
/// from the walk), reusing what the cache holds for unchanged files, and
/// refreshes the cache.
pub(super) fn parse_all(
    root: &Path,
    files: Vec<String>,
    stamps: Vec<Option<Stamp>>,
) -> Vec<Parsed> {
    let source = FsSource(root);
    if !cache_file::enabled() {
        return parse_files(&source, files);
    }
    let t = std::time::Instant::now();
    let file = CacheFile::new(root, FILE, FORMAT);
    let body = file.read();
    let cached = body.as_ref().map_or_else(Vec::new, |b| entries(b.bytes()));
    let matched = align(&files, &cached);
    // Anything modified after this is too recent to be trusted later.
    let settled = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
        - 2;
    let results: Vec<Outcome> = files
        .into_par_iter()
        .zip(stamps)
        .zip(matched)
        .filter_map(|((rel, stamp), entry)| {
            let kind = classify(&rel)?;
            let hit = stamp.zip(entry).and_then(|(now, entry)| {
                (now.0 == entry.stamp)
                    .then(|| crate::model::in_cache_format(|| decode(&entry.parsed.0)))
                    .flatten()
                    .map(|parsed| Outcome {
                        parsed,
                        entry: Some(Entry {
                            rel: Cow::Borrowed(entry.rel.as_ref()),
                            stamp: entry.stamp,
                            parsed: Bytes(Cow::Borrowed(entry.parsed.0.as_ref())),
                        }),
                        fresh: false,
                    })
            });
            if hit.is_some() {
                return hit;
            }
            let parsed = parse_file(&source, rel.clone(), kind);
            let entry = stamp.filter(|s| s.modified() < settled).and_then(|s| {
                let encoded = crate::model::in_cache_format(|| encode(&parsed))?;
                Some(Entry {
                    rel: Cow::Owned(rel),
                    stamp: s.0,
                    parsed: Bytes(Cow::Owned(encoded)),
                })
            });
            Some(Outcome {
                parsed,
                entry,
                fresh: true,
            })
        })
        .collect();
    crate::timing("load: parse (cached)", t);
    let changed = results.iter().any(|o| o.fresh) || results.len() != cached.len();
    let mut parsed = Vec::with_capacity(results.len());
    let mut entries = Vec::with_capacity(results.len());
    for o in results {
        parsed.push(o.parsed);
        entries.extend(o.entry);
    }
    if changed {
        let t = std::time::Instant::now();
        file.store(&entries);
        crate::timing("load: write cache", t);
    }
    parsed
}

/// What became of one file: its parse, its cache entry (none for a file
/// too recent to cache), and whether it was parsed afresh.
struct Outcome<'c> {
    parsed: Parsed,
    entry: Option<Entry<'c>>,
    fresh: bool,
}

/// A parse in postcard's compact binary form: reading it back is several
/// times faster than JSON, and the cache is what `check` spends its time on.
fn encode(parsed: &Parsed) -> Option<Vec<u8>> {
    postcard::to_allocvec(parsed).ok()
}

fn decode(bytes: &[u8]) -> Option<Parsed> {
    postcard::from_bytes(bytes).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plumbing::cache_file::DIR;
    use std::time::{Duration, SystemTime};

    /// Dates every file back, so the cache does not think them too recent.
    fn settle(dir: &Path, age: Duration) {
        for e in walkdir::WalkDir::new(dir).into_iter().flatten() {
            if e.file_type().is_file() && !e.path().starts_with(dir.join(DIR)) {
                let f = std::fs::File::options().write(true).open(e.path()).unwrap();
                f.set_modified(SystemTime::now() - age).unwrap();
            }
        }
    }

    fn uncached(root: &Path) -> String {
        let listing = super::super::walk::walk(root);
        let mut repo = super::super::load_from(&FsSource(root), listing.files);
        repo.diagnostics.extend(listing.diagnostics);
        repo.root = root.to_path_buf();
        format!("{repo:?}")
    }

    /// Writes `files` (relative path, text) under a new `records` folder.
    fn records_with<'f>(
        tmp: &tempfile::TempDir,
        files: impl IntoIterator<Item = (&'f str, &'f str)>,
    ) -> std::path::PathBuf {
        let root = tmp.path().join("records");
        for (rel, text) in files {
            let p = root.join(rel);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        }
        root
    }

    fn example() -> impl Iterator<Item = (&'static str, &'static str)> {
        crate::embedded::EXAMPLE.iter().map(|(p, t)| (*p, *t))
    }

    fn cached_lines(root: &Path) -> usize {
        let body = CacheFile::new(root, FILE, FORMAT).read();
        body.map_or(0, |b| entries(b.bytes()).len())
    }

    /// Records read back from the cache are exactly what parsing gives:
    /// every record kind, positions, exact amounts, and broken files with
    /// their diagnostics; a changed file is parsed again.
    #[test]
    fn cached_records_equal_parsed_ones() {
        let tmp = tempfile::tempdir().unwrap();
        let broken = [
            (
                "accounts/acme/account.md",
                "---\nname: Acme\nstatus: actve\n---\n",
            ),
            (
                "accounts/acme/invoices/a.md",
                "---\nnumber: A-1\nissued: 2026-10-01\namount: \"12,000.50\"\n---\n",
            ),
            (
                "accounts/acme/invoices/b.md",
                "---\nnumber: A-2\nissued: 2026-10-01\namount: 12000.005\n---\nBody\n",
            ),
            ("accounts/acme/projects/p.md", "---\nname: P\n"),
        ];
        let root = records_with(&tmp, example().chain(broken));
        settle(&root, Duration::from_secs(3600));
        let want = uncached(&root);
        let first = format!("{:?}", super::super::load(&root));
        assert_eq!(first, want, "the run that writes the cache");
        let files = super::super::walk::walk(&root).files.len();
        assert_eq!(cached_lines(&root), files, "every settled file is cached");
        let second = format!("{:?}", super::super::load(&root));
        assert_eq!(second, want, "the run that reads the cache");

        // An edit (same size, older time even) is seen: the stamp changed.
        let edited = root.join("accounts/acme/invoices/b.md");
        let text = std::fs::read_to_string(&edited).unwrap();
        std::fs::write(&edited, text.replace("12000.005", "12000.006")).unwrap();
        settle(&root, Duration::from_secs(7200));
        let want = uncached(&root);
        assert!(want.contains("12000.006"));
        assert_eq!(format!("{:?}", super::super::load(&root)), want);

        // A file written just now is parsed but not cached.
        std::fs::write(&edited, text).unwrap();
        let want = uncached(&root);
        assert_eq!(format!("{:?}", super::super::load(&root)), want);
        assert_eq!(cached_lines(&root), files - 1);

        // A damaged cache is ignored: junk, or a valid one cut short.
        let cache = root.join(DIR).join(FILE);
        let whole = std::fs::read(&cache).unwrap();
        std::fs::write(&cache, "garbage\n\u{0}").unwrap();
        assert_eq!(format!("{:?}", super::super::load(&root)), want);
        std::fs::write(&cache, &whole[..whole.len() - 3]).unwrap();
        assert_eq!(cached_lines(&root), 0);
        assert_eq!(format!("{:?}", super::super::load(&root)), want);
    }

    /// Files added and removed between runs put the cache out of step with
    /// the walk; every file still gets its own parse.
    #[test]
    fn files_added_and_removed_are_matched_by_path() {
        let tmp = tempfile::tempdir().unwrap();
        let root = records_with(&tmp, example());
        settle(&root, Duration::from_secs(3600));
        super::super::load(&root);
        let listing = super::super::walk::walk(&root);
        let invoice = listing
            .files
            .iter()
            .find(|f| f.contains("/invoices/"))
            .unwrap()
            .clone();
        let copy = root.join(invoice.replace(".md", "-copy.md"));
        std::fs::copy(root.join(&invoice), &copy).unwrap();
        std::fs::remove_file(root.join(&listing.files[listing.files.len() / 2])).unwrap();
        settle(&root, Duration::from_secs(3600));
        let want = uncached(&root);
        assert_eq!(format!("{:?}", super::super::load(&root)), want);
        assert_eq!(format!("{:?}", super::super::load(&root)), want);
    }

    /// A linked record file is stamped by its target: editing the target is
    /// seen although the link itself never changes.
    #[cfg(unix)]
    #[test]
    fn a_linked_file_is_stamped_by_its_target() {
        let tmp = tempfile::tempdir().unwrap();
        let root = records_with(&tmp, example());
        let page = root.join("handbook/linked.md");
        std::fs::create_dir_all(root.join("shared")).unwrap();
        let target = root.join("shared/page.md");
        std::fs::write(&target, "---\ntitle: First\n---\nBody\n").unwrap();
        std::os::unix::fs::symlink(&target, &page).unwrap();
        settle(&root, Duration::from_secs(3600));
        // The link's own times cannot be set back without libc: wait until
        // it is old enough to be cached, so that a stamp taken from the
        // link rather than its target would give the stale record.
        std::thread::sleep(Duration::from_secs(3));
        assert!(format!("{:?}", super::super::load(&root)).contains("First"));
        std::fs::write(&target, "---\ntitle: Second\n---\nBody\n").unwrap();
        settle(&root, Duration::from_secs(1800));
        let second = format!("{:?}", super::super::load(&root));
        assert!(second.contains("Second") && !second.contains("First"));
    }
}
