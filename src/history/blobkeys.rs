//! What was read from old versions of record files, by blob id, cached in
//! the records' cache folder (`plumbing::cache_file`): reading and parsing every version of every file is most
//! of a pass over old versions, and a blob never changes, so what it yields
//! stays right for as long as folio's build is the same (the file is keyed
//! by it). The late-record pass keeps log entries (`log-keys`), the written
//! record keeps every dated entry of an invoice (`record-keys`).

use crate::plumbing::cache_file::CacheFile;
use git2::{Oid, Repository};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::collections::HashMap;
use std::hash::Hash;
use std::path::Path;
use std::sync::Mutex;

pub(super) struct BlobKeys<K> {
    known: HashMap<Vec<u8>, Vec<(K, usize)>>,
    /// The blobs read (not found in `known`) in this run.
    read: Mutex<Vec<BlobEntry<K>>>,
}

/// A blob's id and each key read from it with how often it occurs.
type BlobEntry<K> = (Vec<u8>, Vec<(K, usize)>);

impl<K: Clone + Eq + Hash + Serialize + DeserializeOwned> BlobKeys<K> {
    /// The cache `name` of the records at `root`; empty when there is
    /// none, it is damaged or was written by another build, or `root` is
    /// `None` (caching is off).
    pub fn load(root: Option<&Path>, name: &'static str) -> BlobKeys<K> {
        let known = root
            .and_then(|root| file(root, name).load::<Vec<BlobEntry<K>>>())
            .unwrap_or_default()
            .into_iter()
            .collect();
        BlobKeys {
            known,
            read: Mutex::new(vec![]),
        }
    }

    /// Adds the blobs this run read to the file, when there are any. (A
    /// run over a few accounts, as `serve` makes, must not drop the others'
    /// entries, so nothing is dropped: delete the folder to start over.) A
    /// cache that cannot be written only costs time.
    pub fn store(self, root: Option<&Path>, name: &'static str) {
        let Some(root) = root else { return };
        let read = self.read.into_inner().unwrap_or_else(|e| e.into_inner());
        if read.is_empty() {
            return;
        }
        let mut all: Vec<BlobEntry<K>> = self.known.into_iter().chain(read).collect();
        all.sort_by(|a, b| a.0.cmp(&b.0));
        all.dedup_by(|a, b| a.0 == b.0);
        file(root, name).store(&all);
    }

    /// How many times each key occurs in the blob, as `read` finds them;
    /// `None` when the version cannot be read.
    pub fn keys(
        &self,
        git: &Repository,
        blob: Oid,
        read: impl Fn(&Repository, Oid) -> Option<HashMap<K, usize>>,
    ) -> Option<HashMap<K, usize>> {
        let id = blob.as_bytes();
        if let Some(list) = self.known.get(id) {
            return Some(list.iter().cloned().collect());
        }
        let counts = read(git, blob)?;
        if let Ok(mut r) = self.read.lock() {
            r.push((id.to_vec(), counts.clone().into_iter().collect()));
        }
        Some(counts)
    }
}

/// The cache file `name` of the records at `root`.
fn file(root: &Path, name: &'static str) -> CacheFile {
    /// Raised whenever what a blob's entry holds changes.
    const FORMAT: u32 = 1;
    CacheFile::new(root, name, FORMAT)
}
