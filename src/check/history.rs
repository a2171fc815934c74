//! Warnings that need the git history: log entries recorded late (W010).

use crate::diagnostic::{Code, Diagnostic, Pos, sort_unique};
use crate::history::{GRACE_DAYS, History, LateRecord};
use crate::model::Repo;

/// Adds a W010 warning for every log entry of `repo` committed more than a
/// week after the date it claims, from the git history of `repo.root`
/// ([`crate::history::read`], which `folio check` runs while the records
/// load); a folder outside git (or without commits) adds nothing.
pub fn check(repo: &Repo, history: &History, out: &mut Vec<Diagnostic>) {
    let t = std::time::Instant::now();
    out.extend(history.late_records(repo).iter().map(late_record));
    crate::timing("check late records", t);
    sort_unique(out);
}

/// The W010 warning for one late log entry.
pub fn late_record(late: &LateRecord) -> Diagnostic {
    let c = &late.commit;
    Diagnostic::new(
        Code::LateRecord,
        &late.file,
        Pos::new(late.line, late.column),
        format!(
            "log entry dated {} was recorded {} days later, on {} (commit {} by {})",
            late.claimed_date, late.days_late, c.date, c.short, c.author
        ),
        format!(
            "write log entries within {GRACE_DAYS} days of what they record; a late record is weaker evidence"
        ),
    )
}
