//! A cache of parsed record files, so that `check`, `status` and `build` on
//! a large repository do not parse 60,000 unchanged front matters again.
//!
//! It lives in `.folio-cache/records` beside the history cache and holds, per
//! record file, what parsing it gave (the typed record or its diagnostics,
//! in postcard's binary form) with the file's size, modification and change
//! times, inode and device, as the walk found them. A
//! file is parsed again whenever any of those differ, as git decides whether
//! a work-tree file changed. Files modified within the last two seconds are
//! never cached: a second write within the file system's timestamp
//! granularity could leave every stamp equal ("racily clean" in git's
//! words). The cache is keyed by folio's build, ignored when damaged, and
//! `FOLIO_NO_CACHE=1` turns it off.

use super::walk::Stamp;
use super::{FsSource, Parsed, classify, parse_file, parse_files};
use crate::history::cache::{DIR, build_stamp, enabled, write_in};
use rayon::prelude::*;
use std::borrow::Cow;
use std::collections::HashMap;
use std::path::Path;

const FILE: &str = "records";
const MAGIC: &str = "folio-records 2";

/// One cached file as the cache file holds it: the relative path, the
/// stamp, the parse, and the entry's bytes whole (copied as they are when
/// the file is unchanged).
struct Entry<'c> {
    rel: &'c str,
    stamp: Stamp,
    parsed: &'c [u8],
    bytes: &'c [u8],
}

/// The header line: the format and the build of folio that wrote it.
fn header() -> String {
    format!("{MAGIC}\t{}\n", build_stamp())
}

/// The entries of a cache file, in file order; none when the file is of
/// another format or build, or damaged anywhere.
///
/// After the header line, each entry is: the path's length (u32) and the
/// path, the stamp (7 × i64), the parse's length (u32) and the parse, all
/// little-endian. Lengths rather than separators, so nothing is searched
/// or unescaped when 60,000 entries are read back.
fn entries(bytes: &[u8]) -> Vec<Entry<'_>> {
    let Some(mut rest) = bytes.strip_prefix(header().as_bytes()) else {
        return vec![];
    };
    let mut out = vec![];
    while !rest.is_empty() {
        match read_entry(rest) {
            Some((entry, after)) => {
                out.push(entry);
                rest = after;
            }
            None => return vec![],
        }
    }
    out
}

fn read_entry(bytes: &[u8]) -> Option<(Entry<'_>, &[u8])> {
    fn take(b: &[u8], n: usize) -> Option<(&[u8], &[u8])> {
        (b.len() >= n).then(|| b.split_at(n))
    }
    fn length(b: &[u8]) -> Option<(usize, &[u8])> {
        let (n, rest) = take(b, 4)?;
        Some((u32::from_le_bytes(n.try_into().ok()?) as usize, rest))
    }
    let (n, rest) = length(bytes)?;
    let (rel, rest) = take(rest, n)?;
    let (stamp_bytes, rest) = take(rest, 7 * 8)?;
    let mut stamp = [0i64; 7];
    for (slot, b) in stamp.iter_mut().zip(stamp_bytes.chunks_exact(8)) {
        *slot = i64::from_le_bytes(b.try_into().ok()?);
    }
    let (n, rest) = length(rest)?;
    let (parsed, rest) = take(rest, n)?;
    let entry = Entry {
        rel: std::str::from_utf8(rel).ok()?,
        stamp: Stamp(stamp),
        parsed,
        bytes: &bytes[..bytes.len() - rest.len()],
    };
    Some((entry, rest))
}

/// The bytes of one entry; `None` when a length does not fit the format.
fn entry_bytes(rel: &str, stamp: Stamp, parsed: &[u8]) -> Option<Vec<u8>> {
    let rel_len = u32::try_from(rel.len()).ok()?;
    let parsed_len = u32::try_from(parsed.len()).ok()?;
    let mut out = Vec::with_capacity(4 + rel.len() + 7 * 8 + 4 + parsed.len());
    out.extend_from_slice(&rel_len.to_le_bytes());
    out.extend_from_slice(rel.as_bytes());
    for field in stamp.0 {
        out.extend_from_slice(&field.to_le_bytes());
    }
    out.extend_from_slice(&parsed_len.to_le_bytes());
    out.extend_from_slice(parsed);
    Some(out)
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
            let found = if entries.get(next).is_some_and(|e| e.rel == rel) {
                Some(next)
            } else {
                by_path
                    .get_or_insert_with(|| {
                        entries
                            .iter()
                            .enumerate()
                            .map(|(i, e)| (e.rel, i))
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
    if !enabled() {
        return parse_files(&source, files);
    }
    let t = std::time::Instant::now();
    let dir = root.join(DIR);
    let is_folder = std::fs::symlink_metadata(&dir).is_ok_and(|m| m.is_dir());
    let bytes = if is_folder {
        std::fs::read(dir.join(FILE)).unwrap_or_default()
    } else {
        vec![]
    };
    let cached = entries(&bytes);
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
                (now == entry.stamp)
                    .then(|| crate::model::in_cache_format(|| decode(entry.parsed)))
                    .flatten()
                    .map(|parsed| Outcome {
                        parsed,
                        entry: Some(Cow::Borrowed(entry.bytes)),
                        fresh: false,
                    })
            });
            if hit.is_some() {
                return hit;
            }
            let parsed = parse_file(&source, rel.clone(), kind);
            let entry = stamp.filter(|s| s.modified() < settled).and_then(|s| {
                let encoded = crate::model::in_cache_format(|| encode(&parsed))?;
                entry_bytes(&rel, s, &encoded).map(Cow::Owned)
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
        let mut out = header().into_bytes();
        for entry in &entries {
            out.extend_from_slice(entry);
        }
        // A cache that cannot be written costs only time.
        let _ = write_in(&dir, FILE, &out);
        crate::timing("load: write cache", t);
    }
    parsed
}

/// What became of one file: its parse, its cache entry (none for a file
/// too recent to cache), and whether it was parsed afresh.
struct Outcome<'c> {
    parsed: Parsed,
    entry: Option<Cow<'c, [u8]>>,
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
        entries(&std::fs::read(root.join(DIR).join(FILE)).unwrap_or_default()).len()
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
        assert!(entries(&std::fs::read(&cache).unwrap()).is_empty());
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
