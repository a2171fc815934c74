//! The written record of an invoice: for every dated entry of its file (its
//! issue and due dates, log entries, promises, holds, extensions and
//! payments) the commit that recorded it, traced back through the file's
//! versions as the late-record pass traces log entries: the oldest commit
//! of the unbroken run of versions that contain the entry.

use super::blobkeys::BlobKeys;
use super::{Commit, History};
use crate::diagnostic::Pos;
use crate::load::{frontmatter, parse_yaml};
use crate::model::{Invoice, Repo, Scalar};
use git2::{Oid, Repository};
use rayon::prelude::*;
use rust_decimal::Decimal;
use serde::Deserialize;
use std::collections::HashMap;
use std::path::Path;
use std::str::FromStr;

/// Who recorded an entry, and how that is known.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    /// A commit added it to the file.
    Added(Commit),
    /// It came with the commit that created the file.
    WithFile(Commit),
    /// Not committed yet (in the working tree only).
    Uncommitted,
    /// Older than a shallow clone's history, or unreadable.
    Unknown,
}

/// Origins by record file and the position of the entry's date in it.
pub type Origins = rustc_hash::FxHashMap<(String, Pos), Origin>;

const CACHE_FILE: &str = "record-keys";

/// What identifies an entry across versions: its kind and the values that
/// make it that entry (a note edited later does not make it new).
#[derive(Clone, Debug, PartialEq, Eq, Hash, serde::Serialize, Deserialize)]
struct Key {
    kind: String,
    date: String,
    what: String,
}

fn key(kind: &str, date: &str, what: &str) -> Key {
    Key {
        kind: kind.into(),
        date: date.trim().into(),
        what: what.trim().into(),
    }
}

/// A number written in YAML, as the same text whatever its spelling (`5000`,
/// `5000.0`).
fn number(text: &str) -> String {
    Decimal::from_str(text.trim())
        .map_or_else(|_| text.trim().to_string(), |d| d.normalize().to_string())
}

/// The current invoice's entries: each key with where its date is written.
fn current(inv: &Invoice) -> Vec<(Key, Pos)> {
    let d = |date: &crate::model::Date| date.to_string();
    let mut out = vec![(key("issued", &d(&inv.issued.value), ""), inv.issued.pos)];
    if let Some(due) = &inv.due {
        out.push((key("due", &d(&due.value), ""), due.pos));
    }
    for l in &inv.log {
        let what = format!(
            "{}|{}",
            l.stage.as_ref().map_or("", |s| s.value.as_str()),
            l.by.as_ref().map_or("", |b| b.value.as_str())
        );
        out.push((key("log", &d(&l.date.value), &what), l.date.pos));
    }
    for p in &inv.payments {
        let amount = number(&p.amount.value.0.to_string());
        out.push((key("payment", &d(&p.date.value), &amount), p.date.pos));
    }
    for p in &inv.promises {
        out.push((
            key("promise", &d(&p.made.value), &d(&p.pay_by.value)),
            p.made.pos,
        ));
    }
    for h in &inv.holds {
        out.push((key("hold", &d(&h.from.value), ""), h.from.pos));
    }
    for x in &inv.extensions {
        let days = x.days.value.to_string();
        out.push((key("extension", &d(&x.granted.value), &days), x.granted.pos));
    }
    out
}

/// An old version read leniently: any other key or value is ignored, so a
/// version that predates a schema change still yields its entries.
#[derive(Deserialize, Default)]
#[serde(default)]
struct Lenient {
    issued: Option<Scalar>,
    due: Option<Scalar>,
    log: Vec<HashMap<String, Option<Scalar>>>,
    payments: Vec<HashMap<String, Option<Scalar>>>,
    promises: Vec<HashMap<String, Option<Scalar>>>,
    holds: Vec<HashMap<String, Option<Scalar>>>,
    extensions: Vec<HashMap<String, Option<Scalar>>>,
}

fn field<'a>(item: &'a HashMap<String, Option<Scalar>>, name: &str) -> &'a str {
    item.get(name)
        .and_then(|v| v.as_ref())
        .map_or("", |s| s.0.as_str())
}

fn keys_of(git: &Repository, blob: Oid) -> Option<HashMap<Key, usize>> {
    let blob = git.find_blob(blob).ok()?;
    if blob.size() > frontmatter::MAX_FILE_BYTES {
        return None;
    }
    let text = frontmatter::decode(blob.content()).ok()?;
    let doc = frontmatter::split(text).ok()?;
    let v: Lenient = parse_yaml(doc.yaml(), "").ok()?;
    let mut keys = vec![];
    if let Some(i) = &v.issued {
        keys.push(key("issued", &i.0, ""));
    }
    if let Some(d) = &v.due {
        keys.push(key("due", &d.0, ""));
    }
    for l in &v.log {
        let what = format!("{}|{}", field(l, "stage").trim(), field(l, "by").trim());
        keys.push(key("log", field(l, "date"), &what));
    }
    for p in &v.payments {
        keys.push(key(
            "payment",
            field(p, "date"),
            &number(field(p, "amount")),
        ));
    }
    for p in &v.promises {
        keys.push(key("promise", field(p, "made"), field(p, "pay_by")));
    }
    for h in &v.holds {
        keys.push(key("hold", field(h, "from"), ""));
    }
    for x in &v.extensions {
        keys.push(key(
            "extension",
            field(x, "granted"),
            &number(field(x, "days")),
        ));
    }
    Some(counts_of(keys))
}

/// How many times each key occurs.
fn counts_of(keys: impl IntoIterator<Item = Key>) -> HashMap<Key, usize> {
    let mut counts = HashMap::new();
    for k in keys {
        *counts.entry(k).or_insert(0) += 1;
    }
    counts
}

/// The id git gives the file at `path` as it is on disk (none when it
/// cannot be read). A file checked out with its line ends converted does
/// not match its blob, and is read from git as any other version.
fn working_blob(path: &Path) -> Option<Oid> {
    let bytes = std::fs::read(path).ok()?;
    Oid::hash_object(git2::ObjectType::Blob, &bytes).ok()
}

impl History {
    /// Every dated entry of the invoices of `repo` whose file `keep`
    /// accepts, with the commit that recorded it (see [`Origin`]).
    pub fn record_origins(&self, repo: &Repo, keep: impl Fn(&str) -> bool) -> Origins {
        let invoices: Vec<_> = repo
            .invoices()
            .map(|(_, i)| i)
            .filter(|i| keep(&i.file))
            .collect();
        let Some(git_dir) = &self.git_dir else {
            return invoices
                .iter()
                .flat_map(|i| {
                    current(&i.data)
                        .into_iter()
                        .map(|(_, pos)| ((i.file.clone(), pos), Origin::Unknown))
                })
                .collect();
        };
        let t = std::time::Instant::now();
        let cache = BlobKeys::<Key>::load(self.cache_root.as_deref(), CACHE_FILE);
        let out: Origins = invoices
            .par_iter()
            .map_init(
                || Repository::open(git_dir).ok(),
                |git, inv| {
                    let entries = current(&inv.data);
                    let origins = match git {
                        Some(git) => {
                            self.origins_in_file(git, &cache, &repo.root, &inv.file, &entries)
                        }
                        None => vec![Origin::Unknown; entries.len()],
                    };
                    entries
                        .into_iter()
                        .zip(origins)
                        .map(|((_, pos), o)| ((inv.file.clone(), pos), o))
                        .collect::<Vec<_>>()
                },
            )
            .flatten()
            .collect();
        cache.store(self.cache_root.as_deref(), CACHE_FILE);
        crate::timing("history: record origins", t);
        out
    }

    fn origins_in_file(
        &self,
        git: &Repository,
        cache: &BlobKeys<Key>,
        root: &Path,
        file: &str,
        entries: &[(Key, Pos)],
    ) -> Vec<Origin> {
        let (Some(versions), Some(commits)) = (self.versions.get(file), self.files.get(file))
        else {
            // Never committed.
            return vec![Origin::Uncommitted; entries.len()];
        };
        // Which occurrence of its key each entry is.
        let mut seen: HashMap<&Key, usize> = HashMap::new();
        let occurrence: Vec<usize> = entries
            .iter()
            .map(|(k, _)| {
                let n = seen.entry(k).or_insert(0);
                *n += 1;
                *n - 1
            })
            .collect();
        let mut origin = vec![Origin::Unknown; entries.len()];
        let mut added: Vec<Option<usize>> = vec![None; entries.len()];
        let mut running: Vec<usize> = (0..entries.len()).collect();
        let mut reached_creation = false;
        for (index, version) in versions.iter().enumerate() {
            let Some(blob) = version.blob else { break };
            // The newest version is most often the file as it is: then its
            // entries are those just read, and the blob need not be
            // inflated and parsed again (a third of a first build's reading).
            let read = |git: &Repository, blob: Oid| {
                if index == 0 && working_blob(&root.join(file)) == Some(blob) {
                    Some(counts_of(entries.iter().map(|(k, _)| k.clone())))
                } else {
                    keys_of(git, blob)
                }
            };
            let Some(counts) = cache.keys(git, blob, read) else {
                continue;
            };
            running.retain(|&e| {
                let present = counts.get(&entries[e].0).copied().unwrap_or(0) > occurrence[e];
                if present {
                    added[e] = Some(index);
                } else if index == 0 {
                    origin[e] = Origin::Uncommitted;
                }
                present
            });
            if running.is_empty() {
                break;
            }
            if version.created {
                reached_creation = true;
                break;
            }
        }
        for (e, version) in added.iter().enumerate() {
            let Some(v) = version else { continue };
            let commit = commits[*v].clone();
            origin[e] = if running.contains(&e) {
                if reached_creation {
                    Origin::WithFile(commit)
                } else {
                    // Beyond a shallow clone's first commit: unknown.
                    Origin::Unknown
                }
            } else {
                Origin::Added(commit)
            };
        }
        origin
    }
}
