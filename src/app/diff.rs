//! What a change does to the records (`folio diff`): files added, removed
//! and changed, invoices whose state, stage or outstanding amount moved, and
//! the `check` problems it introduces or fixes. Both sides are evaluated at
//! the same date, so every difference comes from the records themselves.

use crate::check;
use crate::diagnostic::{Diagnostic, Severity};
use crate::history::tree::Snapshot;
use crate::ladder::report::{self, InvoiceRow};
use crate::ladder::{Ledger, Settings};
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashSet};

/// The comparison, also the `--format json` document.
#[derive(Serialize)]
pub struct DiffDoc {
    pub base: String,
    pub head: String,
    pub as_of: String,
    pub records: RecordChanges,
    pub invoices: Vec<InvoiceChange>,
    pub errors: Changes,
    pub warnings: Changes,
}

/// Record files (paths relative to the records root) by what happened to them.
#[derive(Serialize, Default)]
pub struct RecordChanges {
    pub added: Vec<String>,
    pub removed: Vec<String>,
    pub changed: Vec<String>,
}

#[derive(Serialize)]
pub struct InvoiceChange {
    pub number: String,
    pub account: String,
    /// `added`, `removed` or `changed`.
    pub change: &'static str,
    /// In words, e.g. `paid` or `stage reminder → due-notice`.
    pub summary: String,
    pub before: Option<InvoiceState>,
    pub after: Option<InvoiceState>,
}

/// The parts of an invoice's status that a reviewer cares about.
#[derive(Serialize, Clone, PartialEq, Eq)]
pub struct InvoiceState {
    pub state: String,
    pub stage: Option<String>,
    pub outstanding: String,
    pub currency: String,
    pub file: String,
}

/// Diagnostics that appear (`new`) or disappear (`fixed`) with the change.
#[derive(Serialize, Default)]
pub struct Changes {
    pub new: Vec<Problem>,
    pub fixed: Vec<Problem>,
}

/// A diagnostic in the JSON shape of `check --format json` (SPEC §2).
#[derive(Serialize, Clone)]
pub struct Problem {
    pub file: String,
    pub line: u32,
    pub column: u32,
    pub code: &'static str,
    pub name: &'static str,
    pub message: String,
    pub hint: String,
}

impl From<&Diagnostic> for Problem {
    fn from(d: &Diagnostic) -> Problem {
        Problem {
            file: d.file.clone(),
            line: d.pos.line,
            column: d.pos.column,
            code: d.code.id(),
            name: d.code.name(),
            message: d.message.clone(),
            hint: d.hint.clone(),
        }
    }
}

/// One side, evaluated.
pub struct Evaluated {
    pub label: String,
    pub snapshot: Snapshot,
    pub settings: Settings,
}

impl Evaluated {
    pub fn new(label: String, snapshot: Snapshot) -> Evaluated {
        let settings = Settings::from_config(snapshot.repo.config.as_ref().map(|c| &c.data));
        Evaluated {
            label,
            snapshot,
            settings,
        }
    }

    /// Each invoice's state by number (the first one when a number is used
    /// twice, which `check` reports) and every diagnostic.
    fn evaluate(
        &self,
        as_of: NaiveDate,
    ) -> (BTreeMap<String, (String, InvoiceState)>, Vec<Diagnostic>) {
        let t = std::time::Instant::now();
        let ledger = Ledger::new(&self.snapshot.repo, &self.settings, as_of);
        crate::timing("diff: ledger", t);
        let diagnostics = check::check_ledger(&ledger);
        let t = std::time::Instant::now();
        let mut invoices = BTreeMap::new();
        let doc = report::build(&ledger, None);
        crate::timing("diff: status", t);
        for row in doc.invoices {
            let account = row.account.clone();
            invoices
                .entry(row.number.clone())
                .or_insert((account, state_of(row)));
        }
        (invoices, diagnostics)
    }
}

fn state_of(row: InvoiceRow) -> InvoiceState {
    InvoiceState {
        state: row.state.to_string(),
        stage: row.stage,
        outstanding: row.outstanding,
        currency: row.currency,
        file: row.file,
    }
}

/// Compares two evaluated sides as of `as_of`.
pub fn compare(base: &Evaluated, head: &Evaluated, as_of: NaiveDate) -> DiffDoc {
    let ((before, base_diags), (after, head_diags)) =
        rayon::join(|| base.evaluate(as_of), || head.evaluate(as_of));
    let t = std::time::Instant::now();
    let doc = DiffDoc {
        base: base.label.clone(),
        head: head.label.clone(),
        as_of: as_of.format("%Y-%m-%d").to_string(),
        records: record_changes(&base.snapshot.blobs, &head.snapshot.blobs),
        invoices: invoice_changes(&before, &after, &base.snapshot.blobs, &head.snapshot.blobs),
        errors: diagnostic_changes(&base_diags, &head_diags, Severity::Error),
        warnings: diagnostic_changes(&base_diags, &head_diags, Severity::Warning),
    };
    crate::timing("diff: differences", t);
    doc
}

fn record_changes(
    base: &BTreeMap<String, git2::Oid>,
    head: &BTreeMap<String, git2::Oid>,
) -> RecordChanges {
    let mut out = RecordChanges::default();
    for (path, id) in head {
        match base.get(path) {
            None => out.added.push(path.clone()),
            Some(old) if old != id => out.changed.push(path.clone()),
            Some(_) => {}
        }
    }
    out.removed = base
        .keys()
        .filter(|p| !head.contains_key(*p))
        .cloned()
        .collect();
    out
}

/// Invoices that appear, disappear or move. An invoice whose file is on
/// both sides but could not be read on one of them (a record with errors)
/// is said to be so, rather than added or removed outright.
fn invoice_changes(
    before: &BTreeMap<String, (String, InvoiceState)>,
    after: &BTreeMap<String, (String, InvoiceState)>,
    base_files: &BTreeMap<String, git2::Oid>,
    head_files: &BTreeMap<String, git2::Oid>,
) -> Vec<InvoiceChange> {
    let numbers: BTreeSet<&String> = before.keys().chain(after.keys()).collect();
    numbers
        .into_iter()
        .filter_map(|number| {
            let old = before.get(number);
            let new = after.get(number);
            let (change, summary) = match (old, new) {
                (None, Some((_, s))) if base_files.contains_key(&s.file) => (
                    "added",
                    format!("readable again (its record had errors): {}", describe(s)),
                ),
                (None, Some((_, s))) => ("added", format!("new: {}", describe(s))),
                (Some((_, s)), None) if head_files.contains_key(&s.file) => (
                    "removed",
                    "not evaluated: its record has errors".to_string(),
                ),
                (Some(_), None) => ("removed", "removed".to_string()),
                (Some((_, a)), Some((_, b))) => ("changed", movement(a, b)?),
                (None, None) => return None,
            };
            let account = new.or(old).map(|(a, _)| a.clone()).unwrap_or_default();
            Some(InvoiceChange {
                number: number.clone(),
                account,
                change,
                summary,
                before: old.map(|(_, s)| s.clone()),
                after: new.map(|(_, s)| s.clone()),
            })
        })
        .collect()
}

/// A new invoice in words: `open, 1000.00 EUR outstanding, stage reminder`.
fn describe(s: &InvoiceState) -> String {
    let mut parts = vec![s.state.replace('_', " ")];
    if s.state != "paid" {
        parts.push(format!("{} {} outstanding", s.outstanding, s.currency));
    }
    if let Some(stage) = &s.stage {
        parts.push(format!("stage {stage}"));
    }
    parts.join(", ")
}

/// What moved between two states of one invoice; `None` when nothing a
/// reviewer cares about did.
fn movement(a: &InvoiceState, b: &InvoiceState) -> Option<String> {
    let mut parts = vec![];
    if a.state != b.state {
        parts.push(match b.state.as_str() {
            "paid" | "void" | "draft" => b.state.clone(),
            "written_off" => "written off".to_string(),
            "on_hold" => "put on hold".to_string(),
            "promised" => "payment promised".to_string(),
            _ => format!(
                "{} → {}",
                a.state.replace('_', " "),
                b.state.replace('_', " ")
            ),
        });
    }
    // A closed invoice has no stage: "paid" says it, "stage x → none" is noise.
    let closed = matches!(b.state.as_str(), "paid" | "void" | "draft" | "written_off");
    if a.stage != b.stage && !(closed && b.stage.is_none() && a.state != b.state) {
        let name = |s: &Option<String>| s.clone().unwrap_or_else(|| "none".into());
        parts.push(format!("stage {} → {}", name(&a.stage), name(&b.stage)));
    }
    if a.outstanding != b.outstanding || a.currency != b.currency {
        parts.push(format!(
            "outstanding {} {} → {} {}",
            a.outstanding, a.currency, b.outstanding, b.currency
        ));
    }
    (!parts.is_empty()).then(|| parts.join("; "))
}

/// The identity of a problem across the two sides: its code, file and
/// message (lines move when a file is edited above them).
fn identity(d: &Diagnostic) -> (&'static str, &str, &str) {
    (d.code.id(), d.file.as_str(), d.message.as_str())
}

fn diagnostic_changes(base: &[Diagnostic], head: &[Diagnostic], severity: Severity) -> Changes {
    fn of(ds: &[Diagnostic], severity: Severity) -> Vec<&Diagnostic> {
        ds.iter().filter(|d| d.severity() == severity).collect()
    }
    let (old, new) = (of(base, severity), of(head, severity));
    let old_ids: HashSet<_> = old.iter().map(|d| identity(d)).collect();
    let new_ids: HashSet<_> = new.iter().map(|d| identity(d)).collect();
    Changes {
        new: new
            .iter()
            .filter(|d| !old_ids.contains(&identity(d)))
            .map(|d| Problem::from(*d))
            .collect(),
        fixed: old
            .iter()
            .filter(|d| !new_ids.contains(&identity(d)))
            .map(|d| Problem::from(*d))
            .collect(),
    }
}

/// At most this many lines per list in the Markdown, so a sweeping change
/// still fits in a pull-request comment.
const MAX_ITEMS: usize = 50;

/// The comparison as Markdown for a pull-request comment. Everything that
/// comes from the records is escaped, so a record cannot inject links,
/// images or mentions into the comment.
pub fn markdown(doc: &DiffDoc) -> String {
    let mut out = String::from("<!-- folio diff -->\n");
    out += &format!("### folio: {} → {}\n\n", code(&doc.base), code(&doc.head));
    out += &format!("Stages computed as of {} on both sides.\n\n", doc.as_of);
    let records = &doc.records;
    let files = records.added.len() + records.removed.len() + records.changed.len();
    let problems = [
        &doc.errors.new,
        &doc.errors.fixed,
        &doc.warnings.new,
        &doc.warnings.fixed,
    ];
    if files == 0 && doc.invoices.is_empty() && problems.iter().all(|p| p.is_empty()) {
        out += "No record changes.\n";
        return out;
    }
    invoices_section(doc, &mut out);
    checks_section(doc, &mut out);
    records_section(records, &mut out);
    out
}

fn invoices_section(doc: &DiffDoc, out: &mut String) {
    if doc.invoices.is_empty() {
        out.push_str("**Invoices:** no state, stage or outstanding amount changes.\n\n");
        return;
    }
    out.push_str(&format!(
        "**Invoices** ({})\n\n",
        count(doc.invoices.len(), "change")
    ));
    out.push_str("| Invoice | Account | Change |\n| --- | --- | --- |\n");
    for c in doc.invoices.iter().take(MAX_ITEMS) {
        out.push_str(&format!(
            "| {} | {} | {} |\n",
            cell(&code(&c.number)),
            cell(&code(&c.account)),
            cell(&text(&c.summary))
        ));
    }
    more(doc.invoices.len(), out);
    out.push('\n');
}

fn checks_section(doc: &DiffDoc, out: &mut String) {
    let lists = [
        ("New errors", &doc.errors.new),
        ("Fixed errors", &doc.errors.fixed),
        ("New warnings", &doc.warnings.new),
        ("Fixed warnings", &doc.warnings.fixed),
    ];
    out.push_str(&format!(
        "**Checks:** {}, {} fixed; {}, {} fixed.\n\n",
        count(doc.errors.new.len(), "new error"),
        doc.errors.fixed.len(),
        count(doc.warnings.new.len(), "new warning"),
        doc.warnings.fixed.len(),
    ));
    for (title, list) in lists.into_iter().filter(|(_, l)| !l.is_empty()) {
        out.push_str(&format!("{title}:\n\n"));
        for p in list.iter().take(MAX_ITEMS) {
            out.push_str(&format!(
                "- {} {} {}\n",
                code(&format!("{}:{}", p.file, p.line)),
                p.code,
                message(&p.message)
            ));
        }
        more(list.len(), out);
        out.push('\n');
    }
}

fn records_section(records: &RecordChanges, out: &mut String) {
    out.push_str(&format!(
        "**Records:** {} added, {} changed, {} removed.\n",
        records.added.len(),
        records.changed.len(),
        records.removed.len()
    ));
    let all: Vec<(&str, &String)> = [
        ("added", &records.added),
        ("changed", &records.changed),
        ("removed", &records.removed),
    ]
    .into_iter()
    .flat_map(|(what, list)| list.iter().map(move |p| (what, p)))
    .collect();
    if all.is_empty() {
        return;
    }
    out.push_str("\n<details><summary>Record files</summary>\n\n");
    for (what, path) in all.iter().take(MAX_ITEMS) {
        out.push_str(&format!("- {what} {}\n", code(path)));
    }
    more(all.len(), out);
    out.push_str("\n</details>\n");
}

fn count(n: usize, what: &str) -> String {
    format!("{n} {what}{}", if n == 1 { "" } else { "s" })
}

fn more(total: usize, out: &mut String) {
    if total > MAX_ITEMS {
        out.push_str(&format!(
            "- … and {} more (see `folio diff --format json`)\n",
            total - MAX_ITEMS
        ));
    }
}

/// An inline code span holding `s` literally, whatever backticks it has.
fn code(s: &str) -> String {
    let s = s.replace(['\n', '\r'], " ");
    let longest = s.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    let pad = if s.starts_with('`') || s.ends_with('`') || s.is_empty() {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{s}{pad}{fence}")
}

/// Plain text with the Markdown-active characters escaped: no emphasis,
/// links, images, HTML, autolinks (`http:`, `www.`) or mentions (`@`).
/// Punctuation that only matters at the start of a line stays as it is,
/// since this text never starts one.
fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\n' | '\r' => out.push(' '),
            '@' => out.push_str("@\u{200B}"),
            '.' if out.len() >= 3
                && out.as_bytes()[out.len() - 3..].eq_ignore_ascii_case(b"www") =>
            {
                out.push_str("\\.")
            }
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '!' | '|' | '~' | '#' | '&' | ':' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

/// A diagnostic message: its backticked names as code spans, the rest as
/// escaped text.
fn message(s: &str) -> String {
    s.split('`')
        .enumerate()
        .map(|(i, part)| if i % 2 == 1 { code(part) } else { text(part) })
        .collect()
}

/// A table cell: `|` would end the cell even inside a code span.
fn cell(s: &str) -> String {
    s.replace('|', "\\|")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_spans_survive_backticks() {
        assert_eq!(code("INV-7"), "`INV-7`");
        assert_eq!(code("a`b"), "``a`b``");
        assert_eq!(code("`x`"), "`` `x` ``");
    }

    #[test]
    fn text_cannot_inject_markdown() {
        assert_eq!(text("![x](http://e) <b>"), "\\!\\[x\\](http\\://e) \\<b\\>");
        assert_eq!(
            text("see www.example.com, *now*"),
            "see www\\.example.com, \\*now\\*"
        );
        assert_eq!(text("@team"), "@\u{200B}team");
        assert_eq!(message("unknown key `amout`"), "unknown key `amout`");
    }

    fn state(state: &str, stage: Option<&str>, outstanding: &str) -> InvoiceState {
        InvoiceState {
            state: state.into(),
            stage: stage.map(String::from),
            outstanding: outstanding.into(),
            currency: "EUR".into(),
            file: "f.md".into(),
        }
    }

    #[test]
    fn movements_in_words() {
        let open = state("open", Some("reminder"), "1000.00");
        assert_eq!(movement(&open, &open), None);
        assert_eq!(
            movement(&open, &state("paid", None, "0.00")).as_deref(),
            Some("paid; outstanding 1000.00 EUR → 0.00 EUR")
        );
        assert_eq!(
            movement(&open, &state("open", Some("due-notice"), "1000.00")).as_deref(),
            Some("stage reminder → due-notice")
        );
    }
}
