//! The command line's output, whole, as insta snapshots (under
//! `snapshots/`): `folio check` in each format and `folio status` as a
//! table and as JSON, on one small repository written at test time and
//! read as of a fixed date. A change to any of them shows as a diff in
//! `cargo insta review`; CI (`CI=true`) never writes a snapshot.

use crate::common::{Fixture, invoice};

const AS_OF: &str = "2026-11-02";

/// Two accounts (one with a Unicode name); invoices with an unknown key
/// (one in Unicode), with a quoted amount, past their due date with a step
/// logged and steps missed, not yet due, and paid.
fn records() -> Fixture {
    let f = Fixture::new();
    f.write(
        "accounts/acme/invoices/a-1.md",
        invoice(
            "A-1",
            "due: 2026-10-31\nlog:\n  - { date: 2026-10-24, stage: reminder, channel: slack, by: ana }\n",
        ),
    );
    f.write(
        "accounts/acme/invoices/a-2.md",
        "---\nnumber: A-2\nisued: 2026-10-01\namount: 1000\n---\n",
    );
    f.write(
        "accounts/acme/invoices/a-3.md",
        "---\nnumber: A-3\nissued: 2026-10-01\namount: \"12,000.50\"\n---\n",
    );
    f.write(
        "accounts/acme/invoices/a-4.md",
        invoice(
            "A-4",
            "payments:\n  - { date: 2026-10-20, amount: 1000, ref: \"TRF 1\" }\n",
        ),
    );
    f.write(
        "accounts/sao-joao/account.md",
        crate::common::ACCOUNT.replace("Acme Corp", "Padaria São João — Café"),
    );
    f.write(
        "accounts/sao-joao/invoices/sj-1.md",
        SAO_JOAO_INVOICE.replace("amount:", "descrição: Pão e café\namount:"),
    );
    f
}

const SAO_JOAO_INVOICE: &str =
    "---\nnumber: SJ-1\nissued: 2026-10-10\namount: 2450.75\ncurrency: EUR\n---\nPão e café.\n";

/// Runs folio on the records as of [`AS_OF`]; returns the exit status and
/// what it printed on stdout.
fn folio(f: &Fixture, args: &[&str]) -> (i32, String) {
    let mut all = vec!["--as-of", AS_OF];
    all.extend_from_slice(args);
    let run = f.run(&all);
    (run.code, run.stdout)
}

#[test]
fn check_text() {
    let (code, out) = folio(&records(), &["check"]);
    assert_eq!(code, 1);
    insta::assert_snapshot!(out);
}

#[test]
fn check_json() {
    let (code, out) = folio(&records(), &["check", "--format", "json"]);
    assert_eq!(code, 1);
    insta::assert_snapshot!(out);
}

#[test]
fn check_github() {
    let (code, out) = folio(&records(), &["check", "--format", "github"]);
    assert_eq!(code, 1);
    insta::assert_snapshot!(out);
}

#[test]
fn check_gitlab() {
    let (code, out) = folio(&records(), &["check", "--format", "gitlab"]);
    assert_eq!(code, 1);
    insta::assert_snapshot!(out);
}

/// The records without their errors, for `status` (which refuses errors).
fn valid_records() -> Fixture {
    let f = records();
    f.write(
        "accounts/acme/invoices/a-2.md",
        invoice("A-2", "due: 2026-12-15\n"),
    );
    f.write(
        "accounts/acme/invoices/a-3.md",
        "---\nnumber: A-3\nissued: 2026-10-01\namount: 12000.50\n---\n",
    );
    f.write("accounts/sao-joao/invoices/sj-1.md", SAO_JOAO_INVOICE);
    f
}

#[test]
fn status_table() {
    let (code, out) = folio(&valid_records(), &["status"]);
    assert_eq!(code, 0);
    insta::assert_snapshot!(out);
}

#[test]
fn status_table_with_paid_invoices() {
    let (code, out) = folio(&valid_records(), &["status", "--all"]);
    assert_eq!(code, 0);
    insta::assert_snapshot!(out);
}

#[test]
fn status_json() {
    let (code, out) = folio(&valid_records(), &["status", "--format", "json"]);
    assert_eq!(code, 0);
    insta::assert_snapshot!(out);
}
