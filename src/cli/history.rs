//! `folio history` (hidden) — the map from record files to the commits that
//! changed them, as the site and `check` see it. For tests, for debugging a
//! timeline, and for timing the history pass alone (`--count`).

use super::{Cli, CmdResult, Failure};
use crate::history::{self, Commit, Coverage, History, LateRecord};
use serde::Serialize;
use std::collections::{BTreeMap, HashSet};
use std::io::Write;
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct HistoryArgs {
    /// Print only how many commits changed how many record files (the
    /// history pass alone, without loading the records).
    #[arg(long)]
    pub count: bool,
    #[arg(long, value_enum, default_value_t = HistoryFormat::Text)]
    pub format: HistoryFormat,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum HistoryFormat {
    Text,
    Json,
}

/// The JSON document: the per-file map, and, unless counting, the log
/// entries that were recorded late.
#[derive(Serialize)]
struct Document<'a> {
    coverage: Coverage,
    note: Option<&'a str>,
    commits: usize,
    files: usize,
    changes: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    history: Option<&'a BTreeMap<String, Vec<Commit>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    late_records: Option<Vec<LateRecord>>,
}

pub fn run(cli: &Cli, args: &HistoryArgs) -> CmdResult {
    if !cli.dir.is_dir() {
        return Err(Failure::Usage(format!(
            "`{}` is not a folder",
            cli.dir.display()
        )));
    }
    let history = history::read(&cli.dir);
    let late = (!args.count).then(|| {
        let repo = crate::load::load(&cli.dir);
        history.late_records(&repo)
    });
    let out = match args.format {
        HistoryFormat::Json => json(&history, args.count, late)?,
        HistoryFormat::Text if args.count => count_line(&history),
        HistoryFormat::Text => text(&history, late.as_deref().unwrap_or_default()),
    };
    std::io::stdout().lock().write_all(out.as_bytes())?;
    Ok(ExitCode::SUCCESS)
}

/// Distinct commits, files and (file, commit) changes in the map.
fn totals(history: &History) -> (usize, usize, usize) {
    let mut commits = HashSet::new();
    let mut changes = 0;
    for list in history.files.values() {
        commits.extend(list.iter().map(|c| c.id.as_str()));
        changes += list.len();
    }
    (commits.len(), history.files.len(), changes)
}

fn coverage_word(c: Coverage) -> &'static str {
    match c {
        Coverage::Complete => "complete",
        Coverage::Truncated => "truncated",
        Coverage::Missing => "missing",
    }
}

fn count_line(history: &History) -> String {
    let (commits, files, changes) = totals(history);
    let mut out = format!(
        "{commits} commits changed {files} record files ({changes} file changes); history {}\n",
        coverage_word(history.coverage)
    );
    if let Some(note) = &history.note {
        out.push_str(&format!("note: {note}\n"));
    }
    out
}

fn text(history: &History, late: &[LateRecord]) -> String {
    let mut out = String::new();
    for (file, commits) in &history.files {
        out.push_str(file);
        out.push('\n');
        for c in commits {
            out.push_str(&format!(
                "  {} {} {}: {}\n",
                c.short, c.date, c.author, c.summary
            ));
        }
    }
    for l in late {
        out.push_str(&format!(
            "late: {}:{}: entry dated {} recorded {} days later in {}\n",
            l.file, l.line, l.claimed_date, l.days_late, l.commit.short
        ));
    }
    out.push_str(&count_line(history));
    out
}

fn json(history: &History, count: bool, late: Option<Vec<LateRecord>>) -> Result<String, Failure> {
    let (commits, files, changes) = totals(history);
    let doc = Document {
        coverage: history.coverage,
        note: history.note.as_deref(),
        commits,
        files,
        changes,
        history: (!count).then_some(&history.files),
        late_records: late,
    };
    let mut s = serde_json::to_string_pretty(&doc).map_err(|e| Failure::Usage(e.to_string()))?;
    s.push('\n');
    Ok(s)
}
