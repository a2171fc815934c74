//! A cache of parsed record files, so that `check`, `status` and `build` on
//! a large repository do not parse 60,000 unchanged front matters again.
//!
//! It lives in `.folio-cache/records` beside the history cache and holds, per
//! record file, what parsing it gave (the typed record or its diagnostics)
//! with the file's size, modification and change times, inode and device. A
//! file is parsed again whenever any of those differ, as git decides whether
//! a work-tree file changed. Files modified within the last two seconds are
//! never cached: a second write within the file system's timestamp
//! granularity could leave every stamp equal ("racily clean" in git's
//! words). The cache is keyed by folio's build, ignored when damaged, and
//! `FOLIO_NO_CACHE=1` turns it off.

use super::{FsSource, Parsed, classify, parse_file, parse_files};
use crate::history::cache::{DIR, build_stamp, enabled, write_in};
use rayon::prelude::*;
use std::borrow::Cow;
use std::collections::HashMap;
use std::path::Path;

const FILE: &str = "records";
const MAGIC: &str = "folio-records 1";

/// What identifies one version of a file, as `stat` reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Stamp([i64; 7]);

impl Stamp {
    #[cfg(unix)]
    fn of(path: &Path) -> Option<Stamp> {
        use std::os::unix::fs::MetadataExt;
        let m = std::fs::metadata(path).ok()?;
        Some(Stamp([
            m.len() as i64,
            m.mtime(),
            m.mtime_nsec(),
            m.ctime(),
            m.ctime_nsec(),
            m.ino() as i64,
            m.dev() as i64,
        ]))
    }

    /// Without inode and change time a stamp is too weak: no caching.
    #[cfg(not(unix))]
    fn of(_: &Path) -> Option<Stamp> {
        None
    }

    fn modified(&self) -> i64 {
        self.0[1]
    }

    fn parse(fields: &[&str]) -> Option<Stamp> {
        let mut out = [0i64; 7];
        for (slot, text) in out.iter_mut().zip(fields) {
            *slot = text.parse().ok()?;
        }
        (fields.len() == 7).then_some(Stamp(out))
    }
}

/// One cached file: its stamp, its parse as JSON, and its whole line (kept
/// as it is when the file is unchanged).
struct Line<'c> {
    stamp: Stamp,
    json: &'c str,
    line: &'c str,
}

/// The cached lines of a cache file's text, by relative path.
fn index(text: &str) -> HashMap<&str, Line<'_>> {
    let mut lines = text.split('\n');
    let header = format!("{MAGIC}\t{}", build_stamp());
    if lines.next() != Some(header.as_str()) {
        return HashMap::new();
    }
    lines
        .filter_map(|line| {
            let fields: Vec<&str> = line.splitn(9, '\t').collect();
            let [rel, stamp @ .., json] = fields.as_slice() else {
                return None;
            };
            let stamp = Stamp::parse(stamp)?;
            Some((*rel, Line { stamp, json, line }))
        })
        .collect()
}

/// Parses the record files `files` (relative to `root`), reusing what the
/// cache holds for unchanged files, and refreshes the cache.
pub(super) fn parse_all(root: &Path, files: Vec<String>) -> Vec<Parsed> {
    let source = FsSource(root);
    if !enabled() {
        return parse_files(&source, files);
    }
    let t = std::time::Instant::now();
    let dir = root.join(DIR);
    let is_folder = std::fs::symlink_metadata(&dir).is_ok_and(|m| m.is_dir());
    let text = if is_folder {
        std::fs::read_to_string(dir.join(FILE)).unwrap_or_default()
    } else {
        String::new()
    };
    let cached = index(&text);
    // Anything modified after this is too recent to be trusted later.
    let settled = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
        - 2;
    let results: Vec<(Parsed, Option<Cow<str>>, bool)> = files
        .into_par_iter()
        .filter_map(|rel| {
            let kind = classify(&rel)?;
            let stamp = Stamp::of(&root.join(&rel));
            let hit = stamp.zip(cached.get(rel.as_str())).and_then(|(now, line)| {
                (now == line.stamp)
                    .then(|| {
                        crate::model::in_cache_format(|| serde_json::from_str::<Parsed>(line.json))
                    })
                    .and_then(Result::ok)
                    .map(|parsed| (parsed, Cow::Borrowed(line.line)))
            });
            if let Some((parsed, line)) = hit {
                return Some((parsed, Some(line), false));
            }
            let parsed = parse_file(&source, rel.clone(), kind);
            let line = stamp.filter(|s| s.modified() < settled).and_then(|s| {
                let json = crate::model::in_cache_format(|| serde_json::to_string(&parsed));
                entry(&rel, s, &json.ok()?).map(Cow::Owned)
            });
            Some((parsed, line, true))
        })
        .collect();
    crate::timing("load: parse (cached)", t);
    let changed = results.iter().any(|(_, _, parsed)| *parsed) || results.len() != cached.len();
    let (parsed, lines): (Vec<Parsed>, Vec<Option<Cow<str>>>) =
        results.into_iter().map(|(p, line, _)| (p, line)).unzip();
    if changed {
        let t = std::time::Instant::now();
        let mut out = format!("{MAGIC}\t{}\n", build_stamp());
        for line in lines.iter().flatten() {
            out.push_str(line);
            out.push('\n');
        }
        // A cache that cannot be written costs only time.
        let _ = write_in(&dir, FILE, out.as_bytes());
        crate::timing("load: write cache", t);
    }
    parsed
}

/// The cache line of one file, without its line end; `None` for paths the
/// line format cannot hold (a tab or a newline in a file name).
fn entry(rel: &str, stamp: Stamp, json: &str) -> Option<String> {
    if rel.contains(['\t', '\n']) || json.contains('\n') {
        return None;
    }
    let s = stamp.0;
    Some(format!(
        "{rel}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{json}",
        s[0], s[1], s[2], s[3], s[4], s[5], s[6]
    ))
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

    fn cached_lines(root: &Path) -> usize {
        std::fs::read_to_string(root.join(DIR).join(FILE))
            .map_or(0, |t| t.lines().count().saturating_sub(1))
    }

    /// Records read back from the cache are exactly what parsing gives:
    /// every record kind, positions, exact amounts, and broken files with
    /// their diagnostics; a changed file is parsed again.
    #[test]
    fn cached_records_equal_parsed_ones() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("records");
        let bundled = crate::embedded::EXAMPLE.iter().map(|(p, t)| (*p, *t));
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
        for (rel, text) in bundled.chain(broken) {
            let p = root.join(rel);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        }
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

        // A damaged cache is ignored.
        std::fs::write(root.join(DIR).join(FILE), "garbage\n\u{0}").unwrap();
        assert_eq!(format!("{:?}", super::super::load(&root)), want);
    }
}
