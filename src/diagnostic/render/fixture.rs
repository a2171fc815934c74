//! The one set of diagnostics every renderer's snapshot tests render:
//! errors and warnings, with and without a hint (the note under a problem),
//! with a source line and without one (a file-level problem, a file that is
//! not there), a multi-line hint, Unicode before the caret, a long line, and
//! text that each format must escape (`%`, `,`, `:`, newlines, `<`, `&`).

use crate::diagnostic::{Code, Diagnostic, Pos};
use std::collections::BTreeMap;
use std::path::PathBuf;

const ACCOUNT: &str = "---\nname: Acme Corp\nnmae: Acme\nstatus: active\n---\nNotes.\n";

/// Where a line is this long, the text format shows no source line.
const OVERLONG: usize = 1200;

/// An invoice saved on Windows (CRLF), with Unicode and a tab on one line,
/// a line of 200 characters and one too long to quote.
fn invoice() -> String {
    [
        "---",
        "number: A-1",
        "issued: 2026-10-01",
        "amount: \"12,000.50\"",
        "note: Café 日本\t— pago em 3 prestações",
        &format!("summary: {}", "z".repeat(191)),
        &format!("long: {}", "y".repeat(OVERLONG)),
        "---",
        "",
    ]
    .join("\r\n")
}

/// The diagnostics; renderers keep the order they are given in.
pub fn diagnostics() -> Vec<Diagnostic> {
    vec![
        Diagnostic::new(
            Code::UnknownKey,
            "accounts/acme/account.md",
            Pos::new(3, 1),
            "unknown key `nmae`",
            "did you mean `name`?",
        ),
        Diagnostic::new(
            Code::NoHandover,
            "accounts/acme/account.md",
            Pos::START,
            "no handover brief, so a new producer starts from nothing",
            "",
        ),
        Diagnostic::new(
            Code::BadAmount,
            "accounts/acme/invoices/a-1.md",
            Pos::new(4, 9),
            "`amount` must be a number, not the text \"12,000.50\": 50% of the <total> & more",
            "write it without quotes or thousands separators:\n  amount: 12000.50\nthen run `folio check` again",
        ),
        Diagnostic::new(
            Code::BadValue,
            "accounts/acme/invoices/a-1.md",
            Pos::new(5, 12),
            "café 日本 🎉 is not a value `note` takes",
            "name one of `number`, `issued`",
        ),
        Diagnostic::new(
            Code::BadValue,
            "accounts/acme/invoices/a-1.md",
            Pos::new(6, 190),
            "a value at the end of a long line",
            "shorten it",
        ),
        Diagnostic::new(
            Code::BadValue,
            "accounts/acme/invoices/a-1.md",
            Pos::new(7, 7),
            format!("a line too long to quote ({OVERLONG} characters)"),
            "split it",
        ),
        Diagnostic::new(
            Code::MissingAccountFile,
            "accounts/orphan",
            Pos::START,
            "the folder `accounts/orphan/` has no `account.md`",
            "add accounts/orphan/account.md, or move the folder out of accounts/",
        ),
        // Twice: two identical problems in one file (GitLab must see two).
        Diagnostic::new(
            Code::MissedStep,
            "accounts/zé/invoices/gone.md",
            Pos::new(12, 3),
            "missed step `reminder` of 2026-11-02",
            "log it: folio record step zé/gone reminder",
        ),
        Diagnostic::new(
            Code::MissedStep,
            "accounts/zé/invoices/gone.md",
            Pos::new(12, 3),
            "missed step `reminder` of 2026-11-02",
            "log it: folio record step zé/gone reminder",
        ),
    ]
}

/// The records' files the diagnostics point into (`gone.md` and the
/// orphan folder are not there), and a root where no file is: the text
/// renderer takes its source lines from these bytes.
pub fn sources() -> (PathBuf, BTreeMap<String, Vec<u8>>) {
    let mut files = BTreeMap::new();
    files.insert("accounts/acme/account.md".to_string(), ACCOUNT.into());
    files.insert(
        "accounts/acme/invoices/a-1.md".to_string(),
        invoice().into_bytes(),
    );
    (PathBuf::from("/nonexistent/folio-render-fixture"), files)
}
