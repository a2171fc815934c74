//! Git history as the written record (issue #5): which commits touched each
//! record file, read with git2 (never the `git` binary).
//!
//! The site and `check` only use the small API below; how the history pass
//! walks the repository is private to this module.

mod blobkeys;
mod cache;

mod late;
mod locate;
mod origins;
mod rawtree;
pub mod tree;
mod walk;

pub use late::{GRACE_DAYS, LateRecord};
pub use origins::{Origin, Origins};

use crate::plumbing::cache_file;
use git2::Oid;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

/// One commit that changed a record file.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Commit {
    /// Full hex id.
    pub id: String,
    /// The first 8 hex digits.
    pub short: String,
    pub author: String,
    pub email: String,
    /// Author date, `YYYY-MM-DD` in the commit's own offset.
    pub date: String,
    /// Author time as seconds since the epoch, for ordering.
    pub time: i64,
    pub summary: String,
}

/// How complete the history is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Coverage {
    /// The whole first-parent history was walked.
    Complete,
    /// A shallow clone: history stops at the graft.
    Truncated,
    /// Not a git repository, or no commits yet.
    Missing,
}

/// Per record file (path relative to the records root, `/`-separated),
/// the commits that changed it, newest first.
#[derive(Clone, Debug)]
pub struct History {
    pub coverage: Coverage,
    pub files: BTreeMap<String, Vec<Commit>>,
    /// Why the history is `Missing` or `Truncated`, in words for a reader.
    pub note: Option<String>,
    /// Per file, aligned with `files`: the file's blob after each commit,
    /// for reading old versions (late records).
    versions: BTreeMap<String, Vec<walk::Version>>,
    /// The git folder, to read those blobs again.
    git_dir: Option<PathBuf>,
    /// The records root whose cache folder keeps what was read from those
    /// blobs, when the history cache may be used at all.
    cache_root: Option<PathBuf>,
}

impl History {
    pub fn missing() -> History {
        History {
            coverage: Coverage::Missing,
            files: BTreeMap::new(),
            note: None,
            versions: BTreeMap::new(),
            git_dir: None,
            cache_root: None,
        }
    }

    fn missing_because(note: String) -> History {
        History {
            note: Some(note),
            ..History::missing()
        }
    }

    /// The commits that changed `file`, newest first.
    pub fn of(&self, file: &str) -> &[Commit] {
        self.files.get(file).map(Vec::as_slice).unwrap_or(&[])
    }

    /// The commits that changed any file under `prefix` (e.g.
    /// `accounts/acme/`), newest first, each once.
    pub fn under(&self, prefix: &str) -> Vec<&Commit> {
        let mut seen = std::collections::BTreeSet::new();
        let mut out: Vec<&Commit> = self
            .files
            .range(prefix.to_string()..)
            .take_while(|(k, _)| k.starts_with(prefix))
            .flat_map(|(_, v)| v.iter())
            .filter(|c| seen.insert(c.id.as_str()))
            .collect();
        out.sort_by(|a, b| b.time.cmp(&a.time).then(a.id.cmp(&b.id)));
        out
    }
}

/// Reads the history of the records at `root` (which may be a subfolder of a
/// git repository). Never fails: a folder outside git gives `Missing`, a
/// shallow clone `Truncated`, each with a `note` saying why.
///
/// The walk is cached in `.folio-cache/` under `root` (see `cache.rs`;
/// `FOLIO_NO_CACHE=1` turns that off).
pub fn read(root: &Path) -> History {
    let t = std::time::Instant::now();
    let history = read_inner(root);
    crate::timing("history", t);
    history
}

/// The records folder `root` inside its git repository's work tree
/// (`records/`, with the trailing `/`), or "" when it is the top of one or
/// in no repository at all.
pub fn folder_in_repository(root: &Path) -> String {
    locate::locate(root)
        .map(|loc| loc.prefix)
        .unwrap_or_default()
}

/// libgit2 checks every object it reads against its id, which is half the
/// time of the history pass; `git log` does not, and neither does folio:
/// it only reads, and a damaged object shows up as a parse error anyway.
fn configure_libgit2() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| git2::opts::strict_hash_verification(false));
}

fn read_inner(root: &Path) -> History {
    configure_libgit2();
    let loc = match locate::locate(root) {
        Ok(loc) => loc,
        Err(locate::NotFound(why)) => return History::missing_because(why),
    };
    let cannot = |e: git2::Error| {
        History::missing_because(format!("cannot read the git history: {}", e.message()))
    };
    let head = match walk::head(&loc.repo) {
        Ok(Some(head)) => head,
        Ok(None) => {
            return History::missing_because("the git repository has no commits yet".into());
        }
        Err(e) => return cannot(e),
    };
    let grafts = walk::shallow_boundary(loc.repo.commondir());
    let cache = (cache_file::enabled() && !tracks_cache(&loc, head))
        .then(|| cache::Cache::new(root, &loc.prefix, &grafts, head.as_bytes().len()));
    let t = std::time::Instant::now();
    let cached = cache.as_ref().and_then(cache::Cache::load);
    crate::timing("history: cache read", t);
    let walked = match cached {
        Some(walked) if walked.head == head => walked,
        cached => {
            let walked = match walk_from(&loc, head, &grafts, cached) {
                Ok(w) => w,
                Err(e) => return cannot(e),
            };
            if let Some(cache) = &cache {
                let t = std::time::Instant::now();
                cache.store(&walked);
                crate::timing("history: cache write", t);
            }
            walked
        }
    };
    let t = std::time::Instant::now();
    let mut history = assemble(&loc, walked);
    history.cache_root = cache.map(|_| root.to_path_buf());
    crate::timing("history: per-file lists", t);
    history
}

/// Whether HEAD's records folder has a `.folio-cache` entry: a committed
/// cache (or a link in its place) came from whoever made the commit, so it
/// is neither read nor written.
fn tracks_cache(loc: &locate::Located, head: Oid) -> bool {
    let records = loc
        .repo
        .find_commit(head)
        .and_then(|c| walk::subtree(&loc.repo, c.tree_id(), &loc.prefix));
    match records {
        Ok(Some(tree)) => loc
            .repo
            .find_tree(tree)
            .map_or(true, |t| t.get_name(cache_file::DIR).is_some()),
        Ok(None) => false,
        Err(_) => true,
    }
}

/// Walks the first-parent chain from `head`; when it comes to a commit that
/// `cached` compared, only the commits above it are compared and the cached
/// walk supplies the rest.
fn walk_from(
    loc: &locate::Located,
    head: Oid,
    grafts: &[Oid],
    cached: Option<cache::Walked>,
) -> Result<cache::Walked, git2::Error> {
    let t = std::time::Instant::now();
    let known: HashMap<Oid, usize> = cached.as_ref().map_or_else(HashMap::new, |c| {
        c.chain.iter().enumerate().map(|(i, id)| (*id, i)).collect()
    });
    let chain = walk::chain(loc, head, grafts, |id| known.contains_key(&id))?;
    crate::timing("history: first-parent chain", t);
    let t = std::time::Instant::now();
    let (at, changes): (Vec<usize>, Vec<walk::CommitChanges>) =
        walk::changes(&loc.git_dir(), &loc.prefix, &chain)?
            .into_iter()
            .enumerate()
            .filter(|(_, cc)| !cc.changes.is_empty())
            .unzip();
    crate::timing(
        &format!("history: tree comparisons ({} commits)", chain.len()),
        t,
    );
    let commits = changes
        .iter()
        .map(|cc| describe(&loc.repo, cc.commit))
        .collect();
    let mut walked = cache::Walked {
        head,
        chain: chain.commits(),
        truncated: chain.truncated,
        lost: chain.lost,
        changes,
        at,
        commits,
    };
    if let (Some(stop), Some(older)) = (chain.stopped_at, cached) {
        walked.append(older, known[&stop]);
    }
    Ok(walked)
}

/// The per-file lists of a walk.
fn assemble(loc: &locate::Located, walked: cache::Walked) -> History {
    let (_, versions) = walk::fold(&walked.changes);
    let files = versions
        .iter()
        .map(|(path, vs)| {
            (
                path.clone(),
                vs.iter()
                    .map(|v| walked.commits[v.commit].clone())
                    .collect(),
            )
        })
        .collect();
    let (coverage, note) = if walked.truncated {
        let note = format!(
            "the git history is shallow: only the latest {} commits are here (fetch with `fetch-depth: 0`)",
            walked.chain.len()
        );
        (Coverage::Truncated, Some(note))
    } else {
        (Coverage::Complete, None)
    };
    History {
        coverage,
        files,
        note,
        versions,
        git_dir: Some(loc.git_dir()),
        cache_root: None,
    }
}

/// A commit's id, author, date and summary; text that is not UTF-8 is
/// decoded lossily rather than dropped.
fn describe(repo: &git2::Repository, id: git2::Oid) -> Commit {
    let full = id.to_string();
    let short = full.chars().take(8).collect();
    let Ok(c) = repo.find_commit(id) else {
        return Commit {
            id: full,
            short,
            author: String::new(),
            email: String::new(),
            date: String::new(),
            time: 0,
            summary: String::new(),
        };
    };
    let author = c.author();
    let when = author.when();
    Commit {
        id: full,
        short,
        author: String::from_utf8_lossy(author.name_bytes()).into_owned(),
        email: String::from_utf8_lossy(author.email_bytes()).into_owned(),
        date: local_date(when)
            .map(|d| d.format("%Y-%m-%d").to_string())
            .unwrap_or_default(),
        time: when.seconds(),
        summary: summary(&c),
    }
}

/// The commit's first line; for a merge commit whose message has a body
/// (GitHub writes the pull request's title there), the body's first line,
/// which says what changed rather than which branch was merged.
fn summary(c: &git2::Commit) -> String {
    let first = c
        .summary_bytes()
        .map(|s| String::from_utf8_lossy(s).into_owned());
    let title = (c.parent_count() > 1)
        .then(|| c.body_bytes())
        .flatten()
        .map(String::from_utf8_lossy)
        .and_then(|body| {
            body.lines()
                .map(str::trim)
                .find(|l| !l.is_empty())
                .map(str::to_string)
        });
    title.or(first).unwrap_or_default()
}

/// The calendar date of a git time in its own UTC offset.
fn local_date(when: git2::Time) -> Option<chrono::NaiveDate> {
    let offset = chrono::FixedOffset::east_opt(when.offset_minutes() * 60)?;
    Some(
        chrono::DateTime::from_timestamp(when.seconds(), 0)?
            .with_timezone(&offset)
            .date_naive(),
    )
}
