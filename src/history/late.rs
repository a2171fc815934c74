//! Late records: a log entry committed more than a week after the date it
//! claims. A written record is only as good as its timeliness, so `check`
//! warns about these (W010) and the site flags them.
//!
//! Each log entry of the current record is traced back through the versions
//! of its file (first-parent history, renames followed) to the commit that
//! added it: the oldest commit of the unbroken run of versions that contain
//! it. An entry is recognised across versions by its date, its kind (account
//! log) or stage (invoice log) and its author, so fixing a typo in a note
//! does not make the entry new again, while changing its date does.
//!
//! Entries that came with a file's first commit are not judged: they are
//! history written down when the record was first committed (an import of
//! existing accounts would otherwise be flagged entry by entry, forever).

use super::blobkeys::BlobKeys;
use super::{Commit, History, walk::Version};
use crate::load::{frontmatter, parse_yaml};
use crate::model::{Date, Repo, Sp};
use chrono::NaiveDate;
use git2::{Oid, Repository};
use rayon::prelude::*;
use serde::Deserialize;
use std::collections::HashMap;

/// A log entry may be committed this many days after the date it claims.
pub const GRACE_DAYS: i64 = 7;

/// A log entry that was committed late.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct LateRecord {
    /// The record file, relative to the records root.
    pub file: String,
    /// Where the entry's date is in the file (1-based).
    pub line: u32,
    pub column: u32,
    /// The date the entry claims, `YYYY-MM-DD`.
    pub claimed_date: String,
    /// Calendar days between the claimed date and the commit's date.
    pub days_late: i64,
    /// The commit that added the entry.
    pub commit: Commit,
}

/// What identifies a log entry across versions of its file.
#[derive(Clone, Debug, PartialEq, Eq, Hash, serde::Serialize, Deserialize)]
struct Key {
    date: String,
    what: String,
    by: String,
}

/// One entry of the current record.
struct Current {
    key: Key,
    /// How many entries before this one have the same key.
    occurrence: usize,
    date: NaiveDate,
    line: u32,
    column: u32,
}

/// The log of an old version, read leniently: other keys are ignored, so a
/// version that predates a schema change still yields its log.
#[derive(Deserialize)]
struct LogOnly {
    #[serde(default)]
    log: Vec<RawEntry>,
}

#[derive(Deserialize)]
struct RawEntry {
    date: Option<String>,
    kind: Option<String>,
    stage: Option<String>,
    by: Option<String>,
}

impl History {
    /// Every log entry (account logs and invoice logs) of `repo` that was
    /// committed more than [`GRACE_DAYS`] after the date it claims, sorted
    /// by file and line. Entries not committed yet, and entries older than a
    /// shallow clone's history, are never flagged.
    pub fn late_records(&self, repo: &Repo) -> Vec<LateRecord> {
        let Some(git_dir) = &self.git_dir else {
            return vec![];
        };
        let files = logged_files(repo);
        if files.is_empty() {
            return vec![];
        }
        let logs = LogCache::load(self.cache_root.as_deref(), LOG_CACHE_FILE);
        let mut out: Vec<LateRecord> = files
            .par_iter()
            .map_init(
                || Repository::open(git_dir).ok(),
                |git, (file, entries)| match git {
                    Some(git) => self.late_in_file(git, &logs, file, entries),
                    None => vec![],
                },
            )
            .flatten()
            .collect();
        logs.store(self.cache_root.as_deref(), LOG_CACHE_FILE);
        out.sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
        out
    }

    fn late_in_file(
        &self,
        git: &Repository,
        logs: &LogCache,
        file: &str,
        entries: &[Current],
    ) -> Vec<LateRecord> {
        let (Some(versions), Some(commits)) = (self.versions.get(file), self.files.get(file))
        else {
            return vec![];
        };
        let added = adding_versions(git, logs, versions, entries);
        entries
            .iter()
            .zip(added)
            .filter_map(|(entry, version)| {
                let commit = &commits[version?];
                let recorded: NaiveDate = commit.date.parse().ok()?;
                let days_late = (recorded - entry.date).num_days();
                (days_late > GRACE_DAYS).then(|| LateRecord {
                    file: file.to_string(),
                    line: entry.line,
                    column: entry.column,
                    claimed_date: entry.key.date.clone(),
                    days_late,
                    commit: commit.clone(),
                })
            })
            .collect()
    }
}

/// For each current entry, the index (into `versions`, newest first) of the
/// version that added it; `None` when it is not committed yet, came with the
/// file's first commit, or its origin lies beyond a shallow history.
fn adding_versions(
    git: &Repository,
    logs: &LogCache,
    versions: &[Version],
    entries: &[Current],
) -> Vec<Option<usize>> {
    let mut added: Vec<Option<usize>> = vec![None; entries.len()];
    if versions.first().is_some_and(|v| v.created) {
        // The file has not changed since its first commit: each entry either
        // came with it or is not committed yet, and neither is judged (no
        // need to read the blob).
        return added;
    }
    // Entries still present in every version looked at so far.
    let mut running: Vec<usize> = (0..entries.len()).collect();
    for (index, version) in versions.iter().enumerate() {
        let Some(blob) = version.blob else { break };
        let Some(counts) = logs.keys(git, blob, log_keys) else {
            // An unreadable version says nothing either way: skip it.
            continue;
        };
        running.retain(|&e| {
            let present = counts.get(&entries[e].key).copied().unwrap_or(0) > entries[e].occurrence;
            if present {
                added[e] = Some(index);
            }
            present
        });
        if running.is_empty() || version.created {
            break;
        }
    }
    // Entries still running were already in the oldest version looked at:
    // the one that created the file (history written down when the record
    // was first committed, such as an import of existing accounts, is not
    // judged), or the oldest one a shallow clone has (their origin is
    // unknown).
    for e in running {
        added[e] = None;
    }
    added
}

/// The logs read from old versions of record files, by blob id, kept in
/// `.folio-cache/log-keys`: reading and parsing every version of every
/// logged file is most of the late-record pass, and a blob never changes.
type LogCache = BlobKeys<Key>;

const LOG_CACHE_FILE: &str = "log-keys";

/// How many times each key occurs in the log of the blob's front matter;
/// `None` when the version cannot be read.
fn log_keys(git: &Repository, blob: Oid) -> Option<HashMap<Key, usize>> {
    let blob = git.find_blob(blob).ok()?;
    if blob.size() > frontmatter::MAX_FILE_BYTES {
        return None;
    }
    let text = frontmatter::decode(blob.content()).ok()?;
    let doc = frontmatter::split(text).ok()?;
    let parsed: LogOnly = parse_yaml(doc.yaml(), "").ok()?;
    let mut counts = HashMap::new();
    for e in parsed.log {
        let key = Key {
            date: e.date.unwrap_or_default().trim().to_string(),
            what: e.kind.or(e.stage).unwrap_or_default().trim().to_string(),
            by: e.by.unwrap_or_default().trim().to_string(),
        };
        *counts.entry(key).or_insert(0) += 1;
    }
    Some(counts)
}

/// The account and invoice files of `repo` that have log entries, with
/// their entries.
fn logged_files(repo: &Repo) -> Vec<(String, Vec<Current>)> {
    let mut files = vec![];
    for dir in &repo.accounts {
        if let Some(a) = dir.account.as_ref().filter(|a| !a.data.log.is_empty()) {
            let entries = a
                .data
                .log
                .iter()
                .map(|e| (&e.date, Some(&e.kind), e.by.as_ref()));
            files.push((a.file.clone(), current(entries)));
        }
        for i in dir.invoices.iter().filter(|i| !i.data.log.is_empty()) {
            let entries = i
                .data
                .log
                .iter()
                .map(|e| (&e.date, e.stage.as_ref(), e.by.as_ref()));
            files.push((i.file.clone(), current(entries)));
        }
    }
    files
}

fn current<'a>(
    entries: impl Iterator<Item = (&'a Sp<Date>, Option<&'a Sp<String>>, Option<&'a Sp<String>>)>,
) -> Vec<Current> {
    let mut seen: HashMap<Key, usize> = HashMap::new();
    entries
        .map(|(date, what, by)| {
            let key = Key {
                date: date.value.0.format("%Y-%m-%d").to_string(),
                what: what.map(|w| w.value.trim().to_string()).unwrap_or_default(),
                by: by.map(|b| b.value.trim().to_string()).unwrap_or_default(),
            };
            let occurrence = seen.entry(key.clone()).or_insert(0);
            let c = Current {
                key,
                occurrence: *occurrence,
                date: date.value.0,
                line: date.pos.line,
                column: date.pos.column,
            };
            *occurrence += 1;
            c
        })
        .collect()
}
