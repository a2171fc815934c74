//! The cache folder, `.folio-cache/` under the records root, and the one
//! format of every file in it (the parsed records, the history walk, what
//! old versions of files held).
//!
//! A cache only ever saves time: a file that is missing, damaged, written
//! by another build of folio, or not a cache file at all is ignored (the
//! caller rebuilds what it held), and a file that cannot be written (a
//! read-only folder) costs the next run its time, never an error to the
//! user. `FOLIO_NO_CACHE=1` turns every cache off.
//!
//! Every file is an envelope around a postcard body:
//!
//! ```text
//! folio-cache\n                  the magic line
//! NAME VERSION\n                 which cache, and its body's format version
//! BUILD\n                        folio's build stamp (plumbing::build_stamp)
//! CHECKSUM                       u64 LE of the body
//! BODY                           the cached value, postcard's binary form
//! ```
//!
//! The checksum makes any damage (a disk error, a file cut short) read as
//! no cache rather than as a wrong answer. The folder is never used when
//! it is a symbolic link or a file, and it keeps itself out of commits with
//! a `.gitignore` of its own.

use super::atomic;
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::hash::Hasher as _;
use std::path::{Path, PathBuf};

/// The folder under the records root.
pub const DIR: &str = ".folio-cache";

const MAGIC: &str = "folio-cache\n";

/// What the folder's `.gitignore` says.
const GITIGNORE: &[u8] = b"# folio's cache: never committed\n*\n";

/// Whether caches are used: `FOLIO_NO_CACHE` set to anything but "" or "0"
/// turns them off (the benchmark's uncached figures).
pub fn enabled() -> bool {
    match std::env::var_os("FOLIO_NO_CACHE") {
        None => true,
        Some(v) => v.is_empty() || v == "0",
    }
}

/// One cache file: `.folio-cache/NAME` under a records root, whose body has
/// the format `version` (raised by its owner whenever what it stores
/// changes; a new folio build is noticed by the build stamp anyway).
#[derive(Clone, Debug)]
pub struct CacheFile {
    dir: PathBuf,
    name: &'static str,
    version: u32,
}

/// The body of a cache file as read: the file's bytes, of which the body
/// is the end (kept whole, so a body can be decoded borrowing from them
/// without a copy of the cache).
pub struct Body {
    bytes: Vec<u8>,
    start: usize,
}

impl Body {
    pub fn bytes(&self) -> &[u8] {
        &self.bytes[self.start..]
    }
}

impl CacheFile {
    /// The cache `name` of the records at `root`.
    pub fn new(root: &Path, name: &'static str, version: u32) -> CacheFile {
        CacheFile {
            dir: root.join(DIR),
            name,
            version,
        }
    }

    /// The path of the file.
    pub fn path(&self) -> PathBuf {
        self.dir.join(self.name)
    }

    /// The body, when the file is there, whole, of this cache and this
    /// build; `None` otherwise (and always when caching is off).
    pub fn read(&self) -> Option<Body> {
        if !enabled() || !is_real_folder(&self.dir) {
            return None;
        }
        let bytes = std::fs::read(self.path()).ok()?;
        let start = self.body_start(&bytes)?;
        Some(Body { bytes, start })
    }

    /// The value the file holds, as [`CacheFile::read`] finds it; `None` as
    /// well when the body does not decode to a `T`.
    pub fn load<T: DeserializeOwned>(&self) -> Option<T> {
        postcard::from_bytes(self.read()?.bytes()).ok()
    }

    /// Replaces the file with `value`, in one step. Failures are ignored: a
    /// cache that cannot be written only costs time.
    pub fn store<T: Serialize + ?Sized>(&self, value: &T) {
        if !enabled() {
            return;
        }
        let _ = self.try_store(value);
    }

    fn try_store<T: Serialize + ?Sized>(&self, value: &T) -> std::io::Result<()> {
        let mut bytes = self.header().into_bytes();
        let sum_at = bytes.len();
        bytes.extend_from_slice(&[0; 8]);
        let mut bytes = postcard::to_extend(value, bytes).map_err(std::io::Error::other)?;
        let sum = checksum(&bytes[sum_at + 8..]);
        bytes[sum_at..sum_at + 8].copy_from_slice(&sum.to_le_bytes());
        self.write(&bytes)
    }

    /// Writes the file's bytes, creating the folder (with its
    /// `.gitignore`) when there is none; never through a folder that is a
    /// symbolic link or a file.
    fn write(&self, bytes: &[u8]) -> std::io::Result<()> {
        match std::fs::create_dir(&self.dir) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(e),
        }
        if !is_real_folder(&self.dir) {
            return Ok(());
        }
        let ignore = self.dir.join(".gitignore");
        if std::fs::symlink_metadata(&ignore).is_err() {
            let _ = atomic::write(&ignore, GITIGNORE);
        }
        let written = atomic::write(&self.path(), bytes);
        atomic::remove_abandoned(&self.dir);
        written
    }

    /// The lines before the checksum: which file format, which cache, which
    /// build.
    fn header(&self) -> String {
        format!(
            "{MAGIC}{} {}\n{}\n",
            self.name,
            self.version,
            super::build_stamp()
        )
    }

    /// Where the body starts in `bytes`, when they are this cache's, of this
    /// build, and whole.
    fn body_start(&self, bytes: &[u8]) -> Option<usize> {
        let after_header = bytes.strip_prefix(self.header().as_bytes())?;
        let (sum, body) = after_header.split_at_checked(8)?;
        (checksum(body) == u64::from_le_bytes(sum.try_into().ok()?))
            .then(|| bytes.len() - body.len())
    }
}

/// `.folio-cache` is a folder of its own, not a symbolic link that could
/// lead reads and writes elsewhere.
fn is_real_folder(dir: &Path) -> bool {
    std::fs::symlink_metadata(dir).is_ok_and(|m| m.is_dir())
}

/// A 64-bit checksum, to notice a damaged file (not an adversary: the file
/// is the user's own). rustc-hash's byte hashing reads 16 bytes a step,
/// fast enough for the tens of megabytes of a large repository's records
/// cache; its values may change between versions of the crate, which only
/// happens with a new build of folio, and the build stamp keys the file.
fn checksum(body: &[u8]) -> u64 {
    let mut h = rustc_hash::FxHasher::default();
    h.write(body);
    h.write_usize(body.len());
    h.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Vec<(String, u64)> {
        vec![("é".into(), 1), ("b".into(), u64::MAX)]
    }

    #[test]
    fn what_is_stored_reads_back_the_same() {
        let dir = tempfile::tempdir().unwrap();
        let cache = CacheFile::new(dir.path(), "test", 1);
        assert_eq!(cache.load::<Vec<(String, u64)>>(), None);
        cache.store(&sample());
        assert_eq!(cache.load(), Some(sample()));
        let mut names: Vec<_> = std::fs::read_dir(dir.path().join(DIR))
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        assert_eq!(names, [".gitignore", "test"], "no temporary file left");
    }

    #[test]
    fn another_cache_version_or_kind_is_ignored() {
        let dir = tempfile::tempdir().unwrap();
        CacheFile::new(dir.path(), "test", 1).store(&sample());
        let newer = CacheFile::new(dir.path(), "test", 2);
        assert_eq!(newer.load::<Vec<(String, u64)>>(), None);
        std::fs::copy(
            dir.path().join(DIR).join("test"),
            dir.path().join(DIR).join("other"),
        )
        .unwrap();
        let other = CacheFile::new(dir.path(), "other", 1);
        assert_eq!(other.load::<Vec<(String, u64)>>(), None);
    }

    /// Every byte flipped and every cut is read as no cache.
    #[test]
    fn any_damage_is_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let cache = CacheFile::new(dir.path(), "test", 1);
        cache.store(&sample());
        let whole = std::fs::read(cache.path()).unwrap();
        for i in 0..whole.len() {
            let mut damaged = whole.clone();
            damaged[i] ^= 0x10;
            assert!(cache.body_start(&damaged).is_none(), "byte {i}");
            assert!(cache.body_start(&whole[..i]).is_none(), "cut at {i}");
        }
        std::fs::write(cache.path(), b"garbage\n\0").unwrap();
        assert_eq!(cache.load::<Vec<(String, u64)>>(), None);
        cache.store(&sample());
        assert_eq!(cache.load(), Some(sample()), "rebuilt over the junk");
    }

    /// A body that is whole but not of the type asked for is no cache.
    #[test]
    fn a_body_of_another_shape_is_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let cache = CacheFile::new(dir.path(), "test", 1);
        cache.store(&vec![u64::MAX; 3]);
        assert_eq!(cache.load::<Vec<(String, u64)>>(), None);
    }

    #[cfg(unix)]
    #[test]
    fn a_linked_folder_is_neither_read_nor_written() {
        let dir = tempfile::tempdir().unwrap();
        let other = dir.path().join("other");
        std::fs::create_dir(&other).unwrap();
        CacheFile::new(&other, "test", 1).store(&sample());
        let before = std::fs::read(other.join(DIR).join("test")).unwrap();
        let root = dir.path().join("records");
        std::fs::create_dir(&root).unwrap();
        std::os::unix::fs::symlink(other.join(DIR), root.join(DIR)).unwrap();
        let cache = CacheFile::new(&root, "test", 1);
        assert_eq!(cache.load::<Vec<(String, u64)>>(), None);
        cache.store(&vec![("changed".to_string(), 0u64)]);
        assert_eq!(std::fs::read(other.join(DIR).join("test")).unwrap(), before);
    }
}
