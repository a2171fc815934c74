//! Late-payment interest and compensation (issue #20): `late_payment` in
//! folio.yaml and its diagnostics, waivers, the status document and table,
//! message drafts, `folio statement`, and the statement and written-record
//! pages of the site (with the commit that recorded each entry).
use crate::common::{self, ACCOUNT, FOLIO_YAML, Fixture, invoice};
use crate::git_fixture::Git;
use serde_json::{Value, json};

/// margin 8% over 2.15% (10.15% a year), EU compensation.
const LATE_PAYMENT: &str = "\
late_payment:
  interest:
    margin: 8%
    period: half_year
    reference_rates:
      - { from: 2026-01-01, rate: 2.15% }
      - { from: 2026-07-01, rate: 2.15% }
  compensation: eu
";

const INV: &str = "accounts/acme/invoices/inv-1.md";

/// INV-1: 1,000 EUR due 2026-10-01, unpaid.
fn late_invoice(extra: &str) -> String {
    invoice("INV-1", &format!("due: 2026-10-01\n{extra}"))
}

fn configured() -> Fixture {
    let f = Fixture::new();
    f.write("folio.yaml", format!("{FOLIO_YAML}{LATE_PAYMENT}"));
    f.write(INV, late_invoice(""));
    f
}

fn first_invoice(doc: &Value) -> &Value {
    &doc["invoices"][0]
}

#[test]
fn nothing_is_computed_or_shown_without_late_payment() {
    let f = Fixture::new();
    f.write(INV, late_invoice(""));
    let doc = f.status_json("2026-10-31", &[]);
    let inv = first_invoice(&doc).as_object().unwrap();
    assert!(!inv.contains_key("interest"), "{inv:?}");
    assert!(!inv.contains_key("compensation"));
    assert!(
        !doc["accounts"][0]
            .as_object()
            .unwrap()
            .contains_key("interest")
    );
    let table = f.run(&["--as-of", "2026-10-31", "status"]);
    assert!(!table.stdout.contains("INTEREST"), "{}", table.stdout);
}

#[test]
fn status_shows_interest_and_compensation_per_invoice_and_account() {
    let f = configured();
    // 2-31 October: 30 days × 1000 × 10.15% / 365 = 8.342… → 8.34.
    let doc = f.status_json("2026-10-31", &[]);
    common::assert_includes(
        first_invoice(&doc),
        &json!({"number": "INV-1", "interest": "8.34", "compensation": "40.00"}),
    );
    common::assert_includes(
        &doc["accounts"][0],
        &json!({"interest": {"EUR": "8.34"}, "compensation": {"EUR": "40.00"}}),
    );
    // Not late yet on its due date: "0.00", and no account total.
    let doc = f.status_json("2026-10-01", &[]);
    common::assert_includes(
        first_invoice(&doc),
        &json!({"interest": "0.00", "compensation": "0.00"}),
    );
    assert_eq!(doc["accounts"][0]["interest"], json!({}));

    let table = f.run(&["--as-of", "2026-10-31", "status"]);
    assert_eq!(table.code, 0, "{}", table.stderr);
    let row = table
        .stdout
        .lines()
        .find(|l| l.contains("INV-1"))
        .expect("the invoice's row");
    assert!(
        row.contains("8.34 EUR") && row.contains("40.00 EUR"),
        "{row}"
    );
    assert!(table.stdout.contains("INTEREST"), "{}", table.stdout);
}

#[test]
fn a_part_payment_lowers_the_principal_from_its_day() {
    let f = configured();
    f.write(
        INV,
        late_invoice("payments:\n  - { date: 2026-10-11, amount: 600 }\n"),
    );
    // 2-10 Oct: 9 days on 1000; 11-31 Oct: 21 days on 400.
    // (9000 + 8400) × 10.15 / 36500 = 4.8386… → 4.84.
    let doc = f.status_json("2026-10-31", &[]);
    common::assert_includes(first_invoice(&doc), &json!({"interest": "4.84"}));
}

#[test]
fn an_account_or_an_invoice_waives_it() {
    let f = configured();
    let waived_account = ACCOUNT.replace(
        "billing:\n  email: finance@acme.example\n",
        "billing:\n  email: finance@acme.example\n  late_payment: false\n",
    );
    assert_ne!(waived_account, ACCOUNT);
    f.write("accounts/acme/account.md", &waived_account);
    f.write(
        "accounts/acme/invoices/inv-2.md",
        invoice("INV-2", "due: 2026-10-01\nlate_payment: true\n"),
    );
    let doc = f.status_json("2026-10-31", &[]);
    let by_number = |n: &str| {
        doc["invoices"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["number"] == n)
            .cloned()
            .unwrap()
    };
    common::assert_includes(
        &by_number("INV-1"),
        &json!({"interest": "0.00", "compensation": "0.00"}),
    );
    // The invoice's own `late_payment: true` overrides its account's waiver.
    common::assert_includes(
        &by_number("INV-2"),
        &json!({"interest": "8.34", "compensation": "40.00"}),
    );

    let f = configured();
    f.write(INV, late_invoice("late_payment: false\n"));
    let doc = f.status_json("2026-10-31", &[]);
    common::assert_includes(
        first_invoice(&doc),
        &json!({"interest": "0.00", "compensation": "0.00"}),
    );
}

#[test]
fn bad_late_payment_values_are_located_errors_in_folio_yaml() {
    let f = Fixture::new();
    let base_lines = FOLIO_YAML.lines().count();
    f.write(
        "folio.yaml",
        format!(
            "{FOLIO_YAML}late_payment:
  interest:
    margin: 8
    period: monthly
    reference_rates:
      - {{ from: 2026-07-01, rate: 2% }}
      - {{ from: 2026-01-01, rate: two }}
  compensation: eur
"
        ),
    );
    let (code, doc) = f.check_json(&[]);
    assert_eq!(code, 1, "{doc:#}");
    let located: Vec<(String, String, u64)> = doc["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap().to_string(),
                d["file"].as_str().unwrap().to_string(),
                d["line"].as_u64().unwrap() - base_lines as u64,
            )
        })
        .collect();
    let want = [
        ("E035", 3),
        ("E036", 4),
        ("E037", 7),
        ("E035", 7),
        ("E038", 8),
    ];
    for (code, line) in want {
        assert!(
            located.contains(&(code.to_string(), "folio.yaml".to_string(), line)),
            "{code} at line {line} of late_payment: {located:?}"
        );
    }
    for d in doc["errors"].as_array().unwrap() {
        assert!(!d["hint"].as_str().unwrap().is_empty());
    }

    // No rates at all.
    f.write(
        "folio.yaml",
        format!("{FOLIO_YAML}late_payment:\n  interest: {{ margin: 8% }}\n"),
    );
    let (code, doc) = f.check_json(&[]);
    assert_eq!(code, 1);
    assert_eq!(common::error_codes(&doc), vec!["E039"]);
}

#[test]
fn rates_that_do_not_cover_the_late_days_are_warned_about() {
    let f = Fixture::new();
    f.write(
        "folio.yaml",
        format!(
            "{FOLIO_YAML}late_payment:\n  interest:\n    margin: 8%\n    reference_rates:\n      - {{ from: 2026-01-01, rate: 2% }}\n"
        ),
    );
    f.write(
        INV,
        invoice("INV-1", "issued: 2025-11-01\ndue: 2025-12-01\n")
            .replace("issued: 2026-10-01\n", ""),
    );
    let (code, doc) = f.check_json(&[]);
    assert_eq!(code, 0, "{doc:#}");
    // December 2025 has no rate in force: W016 on the invoice's due date.
    let w016 = common::with_code(&doc, "W016");
    assert_eq!(w016.len(), 1, "{doc:#}");
    assert_eq!(w016[0]["file"], INV);
    // As of 2026-10-27 the half-year from 2026-07-01 has no rate: W017.
    let w017 = common::with_code(&doc, "W017");
    assert_eq!(w017.len(), 1, "{doc:#}");
    assert_eq!(w017[0]["file"], "folio.yaml");
    assert!(w017[0]["hint"].as_str().unwrap().contains("2026-07-01"));
}

#[test]
fn the_demand_letter_and_formal_claim_state_the_claim() {
    let f = configured();
    f.write(INV, late_invoice("policy: gradual\n"));
    let letter = f.run(&[
        "--as-of",
        "2026-10-31",
        "remind",
        "INV-1",
        "--stage",
        "demand-letter",
    ]);
    assert_eq!(letter.code, 0, "{}", letter.stderr);
    assert!(
        letter.stdout.contains("interest of 8.34 EUR"),
        "{}",
        letter.stdout
    );
    assert!(letter.stdout.contains("compensation of 40.00 EUR"));
    assert!(
        letter.stdout.contains("1,048.34 EUR"),
        "total claim: {}",
        letter.stdout
    );
    let claim = f.run(&[
        "--as-of",
        "2026-10-31",
        "remind",
        "INV-1",
        "--stage",
        "formal-claim",
    ]);
    assert!(
        claim.stdout.contains("statutory interest of 8.34 EUR"),
        "{}",
        claim.stdout
    );
    assert!(claim.stdout.contains("1,048.34 EUR"));

    // Without late_payment the letter keeps its general warning.
    let f = Fixture::new();
    f.write(INV, late_invoice("policy: gradual\n"));
    let letter = f.run(&[
        "--as-of",
        "2026-10-31",
        "remind",
        "INV-1",
        "--stage",
        "demand-letter",
    ]);
    assert!(!letter.stdout.contains("interest of"), "{}", letter.stdout);
    assert!(letter.stdout.contains("interest and penalties"));

    // A template of the repository gets the values too.
    let f = configured();
    f.write(
        "templates/messages/agency/due-notice.txt",
        "{{ interest }}|{{ compensation }}|{{ total_claim }}",
    );
    let run = f.run(&[
        "--as-of",
        "2026-10-31",
        "remind",
        "INV-1",
        "--stage",
        "due-notice",
    ]);
    assert!(
        run.stdout.contains("8.34 EUR|40.00 EUR|1,048.34 EUR"),
        "{}",
        run.stdout
    );
}

#[test]
fn folio_statement_lists_what_is_owed_in_three_formats() {
    let f = configured();
    f.write(
        "accounts/acme/invoices/inv-2.md",
        "---\nnumber: INV-2\nissued: 2026-08-01\ndue: 2026-09-01\namount: 1000\npayments:\n  - { date: 2026-09-11, amount: 1000, ref: LATE }\n---\n",
    );
    f.write(
        "accounts/acme/invoices/inv-3.md",
        "---\nnumber: INV-3\nissued: 2026-01-05\ndue: 2026-02-04\namount: 500\npayments:\n  - { date: 2026-02-01, amount: 500, ref: OLD }\n---\n",
    );
    let run = f.run(&[
        "--as-of",
        "2026-10-31",
        "statement",
        "acme",
        "--format",
        "json",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let st = run.json();
    // INV-1 open; INV-2, paid on 11 September, keeps the interest of 2-10
    // September, 1000 × 10.15% × 9 / 365 = 2.50, and its 40; INV-3, paid
    // on time, is not on it.
    let numbers: Vec<&str> = st["invoices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["number"].as_str().unwrap())
        .collect();
    assert_eq!(numbers, vec!["INV-1", "INV-2"]);
    common::assert_includes(
        &st,
        &json!({
            "account": "acme", "name": "Acme Corp", "as_of": "2026-10-31",
            "invoices": [
                {"number": "INV-1", "outstanding": "1000.00", "days_overdue": 30, "interest": "8.34", "compensation": "40.00", "total": "1048.34"},
                {"number": "INV-2", "outstanding": "0.00", "interest": "2.50", "compensation": "40.00", "total": "42.50"}
            ],
            "total_due": {"EUR": "1090.84"},
            "payments_since": "2026-08-03"
        }),
    );
    // Only the last 90 days' payments.
    let refs: Vec<&str> = st["payments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["reference"].as_str().unwrap())
        .collect();
    assert_eq!(refs, vec!["LATE"]);

    let text = f.run(&["--as-of", "2026-10-31", "statement", "acme"]);
    assert_eq!(text.code, 0);
    assert!(
        text.stdout.contains("Statement of account: Acme Corp"),
        "{}",
        text.stdout
    );
    assert!(text.stdout.contains("1,090.84 EUR"), "{}", text.stdout);

    let html = f.run(&[
        "--as-of",
        "2026-10-31",
        "statement",
        "acme",
        "--format",
        "html",
    ]);
    assert_eq!(html.code, 0, "{}", html.stderr);
    assert!(html.stdout.starts_with("<!doctype html>"));
    assert!(html.stdout.contains("<style>"), "the stylesheet is inlined");
    assert!(!html.stdout.contains("assets/site.css"), "it stands alone");
    assert!(html.stdout.contains("1,090.84 EUR"));

    let unknown = f.run(&["statement", "acmee"]);
    assert_eq!(unknown.code, 2);
    assert!(
        unknown.stderr.contains("did you mean `acme`"),
        "{}",
        unknown.stderr
    );
}

fn build(f: &Fixture, extra: &[&str]) -> tempfile::TempDir {
    let out = tempfile::tempdir().unwrap();
    let site = out.path().join("site");
    let mut args = vec![
        "--as-of",
        "2026-10-31",
        "build",
        "--out",
        site.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let run = common::folio_on(f.path(), &args);
    assert_eq!(run.code, 0, "{}", run.stderr);
    out
}

fn page(out: &tempfile::TempDir, rel: &str) -> String {
    std::fs::read_to_string(out.path().join("site").join(rel))
        .unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// The text of the table row of `html` that contains `needle`.
fn row<'a>(html: &'a str, needle: &str) -> &'a str {
    let at = html
        .find(needle)
        .unwrap_or_else(|| panic!("no `{needle}` in the page"));
    let start = html[..at].rfind("<tr").unwrap();
    let end = at + html[at..].find("</tr>").unwrap();
    &html[start..end]
}

#[test]
fn the_site_shows_the_claim_the_statement_and_the_written_record() {
    let f = configured();
    f.write(
        INV,
        late_invoice("payments:\n  - { date: 2026-10-11, amount: 600, ref: TRF 1 }\n"),
    );
    let git = Git::init(f.path());
    let created = git.commit("Ana Lima", "2026-10-01", "Add acme");
    // A log entry committed on time, and one committed 15 days late.
    f.write(
        INV,
        late_invoice("payments:\n  - { date: 2026-10-11, amount: 600, ref: TRF 1 }\nlog:\n  - { date: 2026-10-01, stage: due-notice, channel: email, by: ana, note: Notice sent }\n  - { date: 2026-10-02, channel: call, by: rui, note: Called John }\n"),
    );
    git.commit("Ana Lima", "2026-10-02", "Log the due notice");
    f.write(
        INV,
        late_invoice("payments:\n  - { date: 2026-10-11, amount: 600, ref: TRF 1 }\nlog:\n  - { date: 2026-10-01, stage: due-notice, channel: email, by: ana, note: Notice sent }\n  - { date: 2026-10-02, channel: call, by: rui, note: Called John }\n  - { date: 2026-10-05, channel: email, by: rui, note: Asked for a date }\n"),
    );
    let late = git.commit("Rui Costa", "2026-10-20", "Catch up on the log");
    let out = build(&f, &[]);

    let invoice_page = page(&out, "invoices/inv-1/index.html");
    assert!(invoice_page.contains("Late-payment interest"));
    assert!(invoice_page.contains("4.84 EUR"), "the interest");
    assert!(
        invoice_page.contains("<a href=\"#record\">Written record</a>"),
        "points to its written record"
    );
    // How it was computed: the two stretches with their principal and rate.
    let section = &invoice_page[invoice_page.find("Late-payment interest").unwrap()..];
    assert!(row(section, "1,000.00 EUR").contains("10.15%"));
    assert!(row(section, "400.00 EUR").contains(">21<"));

    let statement = page(&out, "accounts/acme/statement/index.html");
    assert!(statement.contains("Statement of account"));
    assert!(
        row(&statement, ">INV-1<").contains("444.84 EUR"),
        "400 + 4.84 + 40"
    );
    let account = page(&out, "accounts/acme/index.html");
    assert!(
        account.contains("statement/index.html"),
        "the account links its statement"
    );

    // The written record is a section of the invoice page, not a page.
    assert!(!out.path().join("site/invoices/inv-1/record.html").exists());
    let record = &invoice_page[invoice_page.find("<h2 id=\"record\">").unwrap()..];
    let record = &record[..record.find("</section>").unwrap()];
    assert!(
        record.contains(
            "with the commit that added it to <code>accounts/acme/invoices/inv-1.md</code>"
        )
    );
    let first = created.to_string()[..8].to_string();
    let late_short = &late.to_string()[..8];
    // The issue date and the payment came with the file's first commit.
    assert!(
        row(record, "Invoice issued").contains(&first),
        "{}",
        row(record, "Invoice issued")
    );
    assert!(row(record, "Payment of").contains(&first));
    // The entry added in the late commit names it, and is flagged as W010 does.
    let asked = row(record, "Asked for a date");
    assert!(asked.contains(late_short), "{asked}");
    assert!(asked.contains("recorded late"), "{asked}");
    assert!(asked.contains("Rui Costa"));
    let notice = row(record, "Notice sent");
    assert!(!notice.contains("recorded late"), "{notice}");
    // In date order: issue and due on 1 October come first.
    let order: Vec<usize> = [
        "Invoice issued",
        "Notice sent",
        "Called John",
        "Asked for a date",
        "Payment of",
    ]
    .iter()
    .map(|n| record.find(n).unwrap())
    .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{order:?}");

    // An invoice paid on time has no written record on its page.
    let paid_on_time = tempfile::tempdir().unwrap();
    let g = Fixture::new();
    g.write("folio.yaml", format!("{FOLIO_YAML}{LATE_PAYMENT}"));
    g.write(
        INV,
        late_invoice("payments:\n  - { date: 2026-10-01, amount: 1000 }\n"),
    );
    let site = paid_on_time.path().join("site");
    let run = common::folio_on(
        g.path(),
        &[
            "--as-of",
            "2026-10-31",
            "build",
            "--out",
            site.to_str().unwrap(),
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let plain = std::fs::read_to_string(site.join("invoices/inv-1/index.html")).unwrap();
    assert!(!plain.contains("id=\"record\""));
    assert!(!plain.contains("#record"));

    // Client pages: none of them in a handbook-only site.
    let handbook = build(&f, &["--handbook-only"]);
    for gone in [
        "accounts/acme/statement/index.html",
        "invoices/inv-1/index.html",
    ] {
        assert!(!handbook.path().join("site").join(gone).exists(), "{gone}");
    }
}
