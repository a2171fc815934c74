//! `folio check` on fixture repositories with one kind of bad input each
//! (issue #2): the code, file, line, column, message and hint of every
//! diagnostic, the exit status, and the three output formats. Every run
//! also proves that no record file was modified (see `common::Fixture::run`).
use crate::common;

use crate::common::{Fixture, all_diagnostics, error_codes, invoice, with_code};
use serde_json::Value;

const INVOICE_FILE: &str = "accounts/acme/invoices/a.md";

/// Checks the fixture and returns its only diagnostic, which must be an error.
fn only_error(f: &Fixture) -> Value {
    let (code, doc) = f.check_json(&[]);
    let all = all_diagnostics(&doc);
    assert_eq!(all.len(), 1, "want exactly one diagnostic: {doc:#}");
    assert_eq!(doc["errors"].as_array().unwrap().len(), 1, "{doc:#}");
    assert_eq!(code, 1, "errors exit 1");
    all[0].clone()
}

/// Asserts code, file, line and column of a diagnostic.
fn at(d: &Value, code: &str, file: &str, line: u64, column: u64) {
    assert_eq!(
        (
            d["code"].as_str().unwrap(),
            d["file"].as_str().unwrap(),
            d["line"].as_u64().unwrap(),
            d["column"].as_u64().unwrap()
        ),
        (code, file, line, column),
        "{d:#}"
    );
}

fn contains(d: &Value, key: &str, text: &str) {
    let value = d[key].as_str().unwrap_or_default();
    assert!(
        value.contains(text),
        "{key} of {d:#} should contain {text:?}"
    );
}

fn bad_invoice(text: impl AsRef<[u8]>) -> Fixture {
    let f = Fixture::new();
    f.write(INVOICE_FILE, text);
    f
}

#[test]
fn a_valid_repository_passes() {
    let f = Fixture::new();
    f.write(INVOICE_FILE, invoice("INV-1", "due: 2026-12-30\n"));
    let (code, doc) = f.check_json(&[]);
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(doc, serde_json::json!({"errors": [], "warnings": []}));
    let text = f.run(&["--as-of", "2026-10-27", "check"]);
    assert_eq!(
        (text.code, text.stdout.as_str()),
        (0, "ok: 0 errors, 0 warnings\n")
    );
}

#[test]
fn misspelled_key_suggests_the_right_one() {
    let f = bad_invoice("---\nnumber: A-1\nisued: 2026-10-01\namount: 1000\n---\n");
    let d = only_error(&f);
    at(&d, "E012", INVOICE_FILE, 3, 1);
    assert_eq!(d["message"], "unknown key `isued`");
    assert_eq!(d["hint"], "did you mean `issued`?");

    // In a nested entry, and in an account.
    let f = Fixture::new();
    f.write(
        INVOICE_FILE,
        "---\nnumber: A-1\nissued: 2026-10-01\namount: 1000\npayments:\n  - { date: 2026-10-02, ammount: 5 }\n---\n",
    );
    let d = only_error(&f);
    at(&d, "E012", INVOICE_FILE, 6, 25);
    assert_eq!(d["hint"], "did you mean `amount`?");
    let f = Fixture::new();
    f.write(
        "accounts/acme/account.md",
        common::ACCOUNT.replace("name: Acme", "nmae: Acme"),
    );
    let d = only_error(&f);
    at(&d, "E012", "accounts/acme/account.md", 2, 1);
    assert_eq!(d["hint"], "did you mean `name`?");
}

#[test]
fn an_impossible_date() {
    let d = only_error(&bad_invoice(
        "---\nnumber: A-1\nissued: 2026-02-30\namount: 1000\n---\n",
    ));
    at(&d, "E014", INVOICE_FILE, 3, 9);
    contains(&d, "message", "2026-02-30");
    contains(&d, "hint", "YYYY-MM-DD");
    let d = only_error(&bad_invoice(
        "---\nnumber: A-1\nissued: 1/10/2026\namount: 1000\n---\n",
    ));
    at(&d, "E014", INVOICE_FILE, 3, 9);
}

#[test]
fn an_amount_with_a_thousands_separator() {
    for amount in ["\"12,000.50\"", "12,000.50", "'12000.50'", "12000.50 EUR"] {
        let text = format!("---\nnumber: A-1\nissued: 2026-10-01\namount: {amount}\n---\n");
        let d = only_error(&bad_invoice(text));
        at(&d, "E015", INVOICE_FILE, 4, 9);
        contains(&d, "message", "not a number");
        contains(&d, "hint", "12000.50");
    }
}

#[test]
fn a_negative_or_zero_amount() {
    for amount in ["-5", "0", "0.00"] {
        let text = format!("---\nnumber: A-1\nissued: 2026-10-01\namount: {amount}\n---\n");
        // One error, and no overpayment warning on top of it.
        let d = only_error(&bad_invoice(text));
        at(&d, "E015", INVOICE_FILE, 4, 9);
        contains(&d, "message", "greater than zero");
    }
    let d = only_error(&bad_invoice(invoice(
        "A-1",
        "due: 2026-12-30\npayments:\n  - { date: 2026-10-02, amount: -3 }\n",
    )));
    at(&d, "E015", INVOICE_FILE, 7, 33);
    contains(&d, "message", "payment must be greater than zero");
}

#[test]
fn amounts_that_are_not_plain_decimals() {
    // YAML's infinities and `1_000` are not amounts; each is one E015 on the value.
    for (amount, message) in [
        (".inf", "`.inf` is not a decimal number"),
        ("-.inf", "`-.inf` is not a decimal number"),
        (".nan", "`.nan` is not a decimal number"),
        ("1_000", "amount `1_000` is text, not a number"),
    ] {
        let text = format!("---\nnumber: A-1\nissued: 2026-10-01\namount: {amount}\n---\n");
        let d = only_error(&bad_invoice(text));
        at(&d, "E015", INVOICE_FILE, 4, 9);
        contains(&d, "message", message);
        contains(&d, "hint", "12000.50");
    }
    // `status: paid` is refused with a hint that payments make an invoice paid.
    let d = only_error(&bad_invoice(invoice("A-1", "status: paid\n")));
    at(&d, "E031", INVOICE_FILE, 5, 9);
    contains(&d, "hint", "payments:");
}

#[test]
fn json_diagnostics_have_exactly_the_spec_keys() {
    // One error and one warning (a missed reminder on the other invoice).
    let f = bad_invoice("---\nnumber: A-1\nisued: 2026-10-01\namount: 1000\n---\n");
    f.write("accounts/acme/invoices/b.md", invoice("B-1", ""));
    let (code, doc) = f.check_json(&[]);
    assert_eq!(code, 1);
    let keys = |v: &Value| -> Vec<String> { v.as_object().unwrap().keys().cloned().collect() };
    assert_eq!(keys(&doc), ["errors", "warnings"]);
    let all = all_diagnostics(&doc);
    assert_eq!(all.len(), 2, "{doc:#}");
    for d in all {
        assert_eq!(
            keys(d),
            ["code", "column", "file", "hint", "line", "message"],
            "{d:#}"
        );
        assert!(d["line"].is_u64() && d["column"].is_u64(), "{d:#}");
    }
    assert_eq!(doc["errors"][0]["code"], "E012");
    assert_eq!(doc["warnings"][0]["code"], "W005");
    assert_eq!(doc["warnings"][0]["file"], "accounts/acme/invoices/b.md");
}

#[test]
fn a_missing_required_key() {
    // At the top level: the front matter's first key.
    let d = only_error(&bad_invoice(
        "---\nnumber: A-1\namount: 1000\nterms: 30 days\n---\n",
    ));
    at(&d, "E010", INVOICE_FILE, 2, 1);
    assert_eq!(d["message"], "missing required key `issued`");
    assert_eq!(d["hint"], "add `issued:` to the front matter");
    // In a list entry: the entry.
    let d = only_error(&bad_invoice(invoice(
        "A-1",
        "due: 2026-12-30\nholds:\n  - from: 2026-10-02\n    until: 2026-10-03\n  - reason: disputed\n    until: 2026-10-09\n",
    )));
    at(&d, "E010", INVOICE_FILE, 9, 3);
    assert_eq!(d["message"], "missing required key `from`");
    assert_eq!(d["hint"], "add `from:` to this entry");
    // folio.yaml with no company: its first line.
    let f = Fixture::new();
    let without_company = common::FOLIO_YAML.replace("company: Test Agency\n", "");
    f.write("folio.yaml", format!("# Our records\n{without_company}"));
    let d = only_error(&f);
    at(&d, "E010", "folio.yaml", 2, 1);
    assert_eq!(d["message"], "missing required key `company`");
    assert_eq!(d["hint"], "add `company:` to folio.yaml");
    // An account with no name.
    let f = Fixture::new();
    f.write("accounts/acme/account.md", "---\nstatus: prospect\n---\n");
    let d = only_error(&f);
    at(&d, "E010", "accounts/acme/account.md", 2, 1);
    assert_eq!(d["message"], "missing required key `name`");
}

#[test]
fn a_value_of_the_wrong_type() {
    for (value, column, message) in [
        ("-3", 34, "`-3` is not a whole number from 0 to 4294967295"),
        (
            "1.5",
            34,
            "`1.5` is not a whole number from 0 to 4294967295",
        ),
        (
            "seven",
            34,
            "`seven` is not a whole number from 0 to 4294967295",
        ),
    ] {
        let d = only_error(&bad_invoice(invoice(
            "A-1",
            &format!(
                "due: 2026-12-30\nextensions:\n  - {{ granted: 2026-10-02, days: {value} }}\n"
            ),
        )));
        at(&d, "E011", INVOICE_FILE, 7, column);
        assert_eq!(d["message"], message);
        assert_eq!(d["hint"], "write a whole number from 0 to 4294967295 here");
    }
    // Values of the wrong shape: a date where a hold belongs, a mapping
    // where a list belongs, a list where one value belongs.
    for (extra, line, column, message) in [
        (
            "holds: [2026-10-02]\n",
            6,
            9,
            "`2026-10-02` is not a mapping of `key: value` pairs",
        ),
        (
            "log:\n  date: 2026-10-02\n",
            7,
            3,
            "this mapping is not a list",
        ),
        (
            "currency: [EUR]\n",
            6,
            11,
            "this list is not a single value (text, a number or a date)",
        ),
    ] {
        let d = only_error(&bad_invoice(invoice(
            "A-1",
            &format!("due: 2026-12-30\n{extra}"),
        )));
        at(&d, "E011", INVOICE_FILE, line, column);
        assert_eq!(d["message"], message);
    }
    // A key with nothing after its colon.
    for (extra, line, column, key, hint) in [
        (
            "extensions:\n  - { granted: 2026-10-02, days: }\n",
            7,
            28,
            "days",
            "write a whole number from 0 to 4294967295 after `days:`",
        ),
        (
            "payments:\n  - date: 2026-10-02\n    amount:\n",
            8,
            5,
            "amount",
            "write a plain decimal number such as 12000 or 12000.50 after `amount:`",
        ),
    ] {
        let d = only_error(&bad_invoice(invoice(
            "A-1",
            &format!("due: 2026-12-30\n{extra}"),
        )));
        at(&d, "E011", INVOICE_FILE, line, column);
        assert_eq!(d["message"], format!("`{key}` has no value"));
        assert_eq!(d["hint"], hint);
    }
    // A list key with nothing after it is a list with no entries yet
    // (`folio hold` and the other recording commands fill it in).
    let f = bad_invoice(invoice(
        "A-1",
        "due: 2026-12-30\nholds:\npayments:   # none yet\n",
    ));
    let (code, doc) = f.check_json(&[]);
    assert_eq!((code, common::error_codes(&doc)), (0, vec![]), "{doc:#}");
    let d = only_error(&bad_invoice(invoice(
        "A-1",
        "due: 2026-12-30\nholds:\n  -\n",
    )));
    assert_eq!(d["message"], "this list entry is empty");
    let f = Fixture::new();
    f.write("accounts/acme/account.md", "---\nname:\n---\n");
    let d = only_error(&f);
    at(&d, "E011", "accounts/acme/account.md", 2, 5);
    assert_eq!(d["message"], "`name` has no value");
    assert_eq!(d["hint"], "write text after `name:`");
    // A handbook page's order is a whole number.
    let f = Fixture::new();
    f.write("handbook/a.md", "---\ntitle: A\norder: first\n---\n");
    let d = only_error(&f);
    at(&d, "E011", "handbook/a.md", 3, 8);
    assert_eq!(d["message"], "`first` is not a whole number");
}

#[test]
fn a_number_in_quotes_is_text_in_every_numeric_field() {
    // An extension's days, where the value is written.
    let d = only_error(&bad_invoice(invoice(
        "A-1",
        "due: 2026-12-30\nextensions:\n  - { granted: 2026-10-02, days: \"7\" }\n",
    )));
    at(&d, "E011", INVOICE_FILE, 7, 34);
    assert_eq!(
        d["message"],
        "the text `7` is not a whole number: a number in quotes is text"
    );
    assert_eq!(d["hint"], "write the number without quotes, e.g. `7`");
    // A handbook page's order.
    let f = Fixture::new();
    f.write("handbook/a.md", "---\ntitle: A\norder: \"3\"\n---\n");
    let d = only_error(&f);
    at(&d, "E011", "handbook/a.md", 3, 8);
    // A stage's offset in folio.yaml.
    let f = Fixture::new();
    f.write(
        "folio.yaml",
        format!(
            "{}policies:\n  quick:\n    days: calendar\n    stages:\n      - {{ id: nudge, offset: \"-2\" }}\n",
            common::FOLIO_YAML
        ),
    );
    let d = only_error(&f);
    assert_eq!(d["code"], "E011");
    assert_eq!(d["file"], "folio.yaml");
    assert_eq!(
        d["message"],
        "the text `-2` is not a whole number: a number in quotes is text"
    );
    // A milestone's share without its `%`, and an amount.
    let f = Fixture::new();
    f.write(
        "accounts/acme/projects/website-redesign.md",
        common::PROJECT.replace("share: 50%, due", "share: \"50\", due"),
    );
    let d = only_error(&f);
    at(
        &d,
        "E031",
        "accounts/acme/projects/website-redesign.md",
        7,
        32,
    );
    contains(&d, "message", "a number in quotes is text");
    let d = only_error(&bad_invoice(
        "---\nnumber: A-1\nissued: 2026-10-01\namount: \"2400\"\n---\n",
    ));
    at(&d, "E015", INVOICE_FILE, 4, 9);
}

#[test]
fn front_matter_never_closed() {
    let d = only_error(&bad_invoice(
        "---\nnumber: A-1\nissued: 2026-10-01\namount: 1000\n\n# Notes\n",
    ));
    at(&d, "E002", INVOICE_FILE, 1, 1);
    contains(&d, "message", "never closed");
    contains(&d, "hint", "`---`");
    let d = only_error(&bad_invoice("number: A-1\n"));
    at(&d, "E002", INVOICE_FILE, 1, 1);
}

#[test]
fn a_tab_in_the_indentation() {
    let d = only_error(&bad_invoice(invoice(
        "A-1",
        "payments:\n  \t- { date: 2026-10-02, amount: 5 }\n",
    )));
    at(&d, "E004", INVOICE_FILE, 6, 3);
    contains(&d, "hint", "spaces");
    // A tab inside a value is fine.
    let f = bad_invoice(invoice(
        "A-1",
        "due: 2026-12-30\nlog:\n  - { date: 2026-10-02, note: \"a\tb\" }\n",
    ));
    assert_eq!(f.check_json(&[]).0, 0);
}

#[test]
fn an_empty_file() {
    for text in ["", "\n\n  \n"] {
        let d = only_error(&bad_invoice(text));
        at(&d, "E007", INVOICE_FILE, 1, 1);
        assert_eq!(d["message"], "file is empty");
    }
    // Empty front matter: every required key is named at once.
    let (code, doc) = bad_invoice("---\n---\n").check_json(&[]);
    let messages: Vec<&str> = all_diagnostics(&doc)
        .iter()
        .map(|d| d["message"].as_str().unwrap())
        .collect();
    assert_eq!(code, 1);
    assert_eq!(
        messages,
        [
            "missing required key `number`",
            "missing required key `issued`",
            "missing required key `amount`"
        ]
    );
}

#[test]
fn bytes_that_are_not_utf8() {
    let d = only_error(&bad_invoice(
        b"---\nnumber: A-\xff1\nissued: 2026-10-01\namount: 1\n---\n".as_slice(),
    ));
    at(&d, "E005", INVOICE_FILE, 2, 11);
    contains(&d, "message", "UTF-8");
    // Latin-1 text, as an old editor saves it.
    let d = only_error(&bad_invoice(
        b"---\nnumber: A-1\nissued: 2026-10-01\namount: 1\n---\nCaf\xe9\n".as_slice(),
    ));
    at(&d, "E005", INVOICE_FILE, 6, 4);
}

#[test]
fn nul_bytes() {
    let d = only_error(&bad_invoice(
        b"---\nnumber: A-\x001\nissued: 2026-10-01\namount: 1\n---\n".as_slice(),
    ));
    at(&d, "E005", INVOICE_FILE, 2, 11);
    contains(&d, "message", "NUL");
    // The text renderer copes with the binary line too.
    let f = bad_invoice(b"---\nnumber: A-\x001\nissued: 2026-10-01\namount: 1\n---\n".as_slice());
    let run = f.run(&["--as-of", "2026-10-27", "check"]);
    assert_eq!(run.code, 1);
    assert!(run.stdout.contains("E005 not-utf8"), "{}", run.stdout);
}

#[test]
fn a_bom_with_crlf_line_ends_is_accepted() {
    let text = invoice("A-1", "due: 2026-12-30\n").replace('\n', "\r\n");
    let f = bad_invoice(format!("\u{feff}{text}"));
    let (code, doc) = f.check_json(&[]);
    assert_eq!(code, 0, "{doc:#}");
    assert!(all_diagnostics(&doc).is_empty(), "{doc:#}");
    let status = f.status_json("2026-10-27", &[]);
    assert_eq!(status["invoices"][0]["number"], "A-1");
    assert_eq!(status["invoices"][0]["amount"], "1000.00");
    // Positions in a CRLF file are the lines the editor shows.
    let f = bad_invoice(
        "\u{feff}---\r\nnumber: A-1\r\nissued: 2026-10-01\r\namount: 1\r\ncurency: EUR\r\n---\r\n",
    );
    let d = only_error(&f);
    at(&d, "E012", INVOICE_FILE, 5, 1);
    assert_eq!(d["hint"], "did you mean `currency`?");
    let run = f.run(&["--as-of", "2026-10-27", "check"]);
    assert!(run.stdout.contains("5 | curency: EUR\n"), "{}", run.stdout);
}

#[test]
fn unknown_currency_person_project_policy_and_stage() {
    let f = bad_invoice(invoice(
        "A-1",
        "due: 2026-12-30\ncurrency: EUX\nproject: website-redesing\npolicy: agnecy\nlog:\n  - { date: 2026-10-02, stage: remidner, by: anna }\n",
    ));
    let (code, doc) = f.check_json(&[]);
    assert_eq!(code, 1);
    let errors = doc["errors"].as_array().unwrap();
    let summary: Vec<(&str, u64, u64, &str, &str)> = errors
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap(),
                d["line"].as_u64().unwrap(),
                d["column"].as_u64().unwrap(),
                d["message"].as_str().unwrap(),
                d["hint"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            (
                "E016",
                6,
                11,
                "unknown currency `EUX`",
                "did you mean `EUR`?"
            ),
            (
                "E018",
                7,
                10,
                "unknown project `website-redesing`",
                "did you mean `website-redesign`?"
            ),
            (
                "E019",
                8,
                9,
                "unknown policy `agnecy`",
                "did you mean `agency`?"
            ),
            (
                "E024",
                10,
                32,
                "policy `agency` has no stage `remidner`",
                "did you mean `reminder`?"
            ),
            (
                "E017",
                10,
                46,
                "unknown person `anna`",
                "did you mean `ana`?"
            ),
        ]
    );
    assert!(errors.iter().all(|d| d["file"] == INVOICE_FILE));
    // No close code: the rule, not a list of 180 codes.
    let f = bad_invoice(invoice("A-1", "due: 2026-12-30\ncurrency: dollars\n"));
    let d = only_error(&f);
    assert_eq!(
        d["hint"],
        "use an ISO 4217 code in capitals, such as EUR, USD or GBP"
    );
}

#[test]
fn unknown_references_in_an_account() {
    let account = common::ACCOUNT
        .replace("  account_manager: rui\n", "  account_manager: rue\n")
        .replace(
            "billing:\n",
            "billing:\n  currency: eur\n  policy: sass\n  calendar: uk\n",
        );
    let f = Fixture::new();
    f.write("accounts/acme/account.md", account);
    let (code, doc) = f.check_json(&[]);
    assert_eq!(code, 1);
    let codes = error_codes(&doc);
    assert_eq!(codes, ["E017", "E016", "E019", "E027"], "{doc:#}");
    assert_eq!(with_code(&doc, "E019")[0]["hint"], "did you mean `saas`?");
    assert_eq!(with_code(&doc, "E016")[0]["hint"], "did you mean `EUR`?");
    assert_eq!(with_code(&doc, "E017")[0]["hint"], "did you mean `rui`?");
}

#[test]
fn one_invoice_number_in_two_accounts() {
    let f = Fixture::new();
    f.write(
        "accounts/beta/account.md",
        common::ACCOUNT.replace("Acme Corp", "Beta"),
    );
    f.write(INVOICE_FILE, invoice("INV-2026-0001", "due: 2026-12-30\n"));
    f.write(
        "accounts/beta/invoices/b.md",
        invoice("INV-2026-0001", "due: 2026-12-30\n"),
    );
    let d = only_error(&f);
    at(&d, "E020", "accounts/beta/invoices/b.md", 2, 9);
    contains(&d, "message", "INV-2026-0001");
    contains(&d, "message", INVOICE_FILE);
    // Numbers that differ only in punctuation share a page address.
    let f = Fixture::new();
    f.write(INVOICE_FILE, invoice("INV-2026/1", "due: 2026-12-30\n"));
    f.write(
        "accounts/acme/invoices/b.md",
        invoice("inv 2026 1", "due: 2026-12-30\n"),
    );
    let d = only_error(&f);
    at(&d, "E025", "accounts/acme/invoices/b.md", 2, 9);
    contains(&d, "message", "invoices/inv-2026-1/");
}

#[test]
fn a_payment_before_the_issue_date() {
    let d = only_error(&bad_invoice(invoice(
        "A-1",
        "due: 2026-12-30\npayments:\n  - { date: 2026-09-30, amount: 5 }\n",
    )));
    at(&d, "E021", INVOICE_FILE, 7, 13);
    contains(&d, "message", "2026-09-30");
    contains(&d, "message", "2026-10-01");
}

#[test]
fn milestones_that_do_not_add_up() {
    let f = Fixture::new();
    f.write(
        "accounts/acme/projects/website-redesign.md",
        common::PROJECT.replace("share: 50%, due", "share: 40%, due"),
    );
    let d = only_error(&f);
    at(
        &d,
        "E022",
        "accounts/acme/projects/website-redesign.md",
        7,
        32,
    );
    assert_eq!(d["message"], "milestone shares add up to 90%, not 100%");
    // A share is a percentage from 0% to 100%.
    for (share, message) in [
        ("150%", "share `150%` is not between 0% and 100%"),
        ("-10%", "share `-10%` is not between 0% and 100%"),
        ("half", "share `half` is not a percentage such as 10%"),
        (
            "\"79228162514264337593543950335%\"",
            "share `79228162514264337593543950335%` is not between 0% and 100%",
        ),
    ] {
        let f = Fixture::new();
        f.write(
            "accounts/acme/projects/website-redesign.md",
            common::PROJECT.replace("share: 50%, due", &format!("share: {share}, due")),
        );
        let d = only_error(&f);
        at(
            &d,
            "E031",
            "accounts/acme/projects/website-redesign.md",
            7,
            32,
        );
        assert_eq!(d["message"], message);
        contains(&d, "hint", "between 0% and 100%");
    }
    // 33.3 + 33.3 + 33.4 is exactly 100.
    let f = Fixture::new();
    f.write(
        "accounts/acme/projects/website-redesign.md",
        "---\nname: W\nmilestones:\n  - { name: A, share: 33.3% }\n  - { name: B, share: 33.3% }\n  - { name: C, share: 33.4% }\n---\n",
    );
    assert_eq!(f.check_json(&[]).0, 0);
}

#[test]
fn folder_and_file_names_that_are_not_slugs() {
    let f = Fixture::new();
    f.write("accounts/Acme_Corp/account.md", common::ACCOUNT);
    let d = only_error(&f);
    // On the record inside, so a pull request annotation has a file.
    at(&d, "E023", "accounts/Acme_Corp/account.md", 1, 1);
    contains(&d, "message", "`Acme_Corp` is not a slug");
    assert_eq!(d["hint"], "rename it to `acme-corp`");
    let f = Fixture::new();
    f.write(
        "accounts/acme/projects/Big Project.md",
        "---\nname: Big\n---\n",
    );
    let d = only_error(&f);
    at(&d, "E023", "accounts/acme/projects/Big Project.md", 1, 1);
    assert_eq!(d["hint"], "rename it to `big-project`");
}

#[test]
fn three_broken_files_give_three_diagnostics() {
    let f = Fixture::new();
    f.write("accounts/acme/invoices/a.md", "");
    f.write(
        "accounts/acme/invoices/b.md",
        "---\nnumber: B\nissued: 2026-13-01\namount: 1\n---\n",
    );
    f.write(
        "accounts/acme/projects/c.md",
        "---\nname: C\nstatus: actve\n---\n",
    );
    let (code, doc) = f.check_json(&[]);
    assert_eq!(code, 1);
    let found: Vec<(&str, &str)> = all_diagnostics(&doc)
        .iter()
        .map(|d| (d["file"].as_str().unwrap(), d["code"].as_str().unwrap()))
        .collect();
    assert_eq!(
        found,
        [
            ("accounts/acme/invoices/a.md", "E007"),
            ("accounts/acme/invoices/b.md", "E014"),
            ("accounts/acme/projects/c.md", "E031"),
        ]
    );
    assert_eq!(with_code(&doc, "E031")[0]["hint"], "did you mean `active`?");
    // The text format reports all three and counts them.
    let run = f.run(&["--as-of", "2026-10-27", "check"]);
    assert!(
        run.stdout.ends_with("3 errors, 0 warnings\n"),
        "{}",
        run.stdout
    );
}

#[test]
fn every_problem_of_one_file_in_one_run() {
    // Two misspelled keys, a misspelled key in a list entry, an entry with
    // no `from`, and bad values after the first problem serde meets.
    let f = bad_invoice(
        "---\nnumber: A-1\nisued: 2026-10-01\namount: 1000\ndue: 2026-11-31\nstatus: opne\nholds:\n  - reason: disputed\npayments:\n  - { date: 2026-10-02, amout: 5 }\n  - date: 2026-10-40\n    amount: 5\ntems: 30 days\n---\n",
    );
    let (code, doc) = f.check_json(&[]);
    assert_eq!(code, 1);
    let found: Vec<(&str, u64, &str)> = all_diagnostics(&doc)
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap(),
                d["line"].as_u64().unwrap(),
                d["message"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        found,
        [
            ("E012", 3, "unknown key `isued`"),
            ("E014", 5, "`2026-11-31` is not a real calendar day"),
            ("E031", 6, "`opne` is not an allowed value"),
            ("E010", 8, "missing required key `from`"),
            ("E012", 10, "unknown key `amout`"),
            ("E014", 11, "`2026-10-40` is not a real calendar day"),
            ("E012", 13, "unknown key `tems`"),
        ],
        "{doc:#}"
    );
    let hints: Vec<&str> = all_diagnostics(&doc)
        .iter()
        .map(|d| d["hint"].as_str().unwrap())
        .collect();
    assert_eq!(hints[0], "did you mean `issued`?");
    assert_eq!(hints[4], "did you mean `amount`?");
    assert_eq!(hints[6], "did you mean `terms`?");
}

#[test]
fn text_format_shows_the_source_line_and_the_hint() {
    // A key error underlines the key; the report ends with the summary.
    let f = bad_invoice("---\nnumber: A-1\nisued: 2026-10-01\namount: 1000\n---\n");
    let run = f.run(&["--as-of", "2026-10-27", "check"]);
    assert_eq!(run.code, 1);
    insta::assert_snapshot!("text_key_error", run.stdout);
    // A value error underlines the value.
    let f = bad_invoice("---\nnumber: A-1\nissued: 2026-10-01\namount: \"12,000.50\"\n---\n");
    let run = f.run(&["--as-of", "2026-10-27", "check"]);
    insta::assert_snapshot!("text_value_error", run.stdout);
    // -q drops the summary line, and only it.
    let quiet = f.run(&["--as-of", "2026-10-27", "-q", "check"]);
    assert_eq!(
        format!("{}\n1 error, 0 warnings\n", quiet.stdout),
        run.stdout
    );
}

#[test]
fn github_format_is_workflow_annotations() {
    let f = bad_invoice("---\nnumber: A-1\nisued: 2026-10-01\namount: 1000\n---\n");
    f.write(
        "accounts/acme/invoices/b.md",
        invoice(
            "B-1",
            "log:\n  - { date: 2026-10-02, note: \"50%, then: more\" }\n",
        ),
    );
    let run = f.run(&["--as-of", "2026-10-27", "check", "--format", "github"]);
    assert_eq!(run.code, 1);
    // One line per problem: the error, then the missed step.
    insta::assert_snapshot!(run.stdout);
}

#[test]
fn strict_turns_warnings_into_exit_1() {
    // Reached the reminder on 2026-10-24 with no log entry: a missed step.
    let f = bad_invoice(invoice("A-1", ""));
    let (code, doc) = f.check_json(&[]);
    assert_eq!(code, 0);
    assert_eq!(doc["errors"].as_array().unwrap().len(), 0);
    assert_eq!(with_code(&doc, "W005").len(), 1, "{doc:#}");
    let (code, strict) = f.check_json(&["--strict"]);
    assert_eq!(code, 1);
    assert_eq!(
        strict, doc,
        "--strict changes the exit status, not the report"
    );
    let run = f.run(&["--as-of", "2026-10-27", "check", "--strict"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stdout.contains("warning[W005 missed-step]"),
        "{}",
        run.stdout
    );
}

#[test]
fn a_missing_folder_exits_2() {
    let f = Fixture::empty();
    let missing = f.path().join("nowhere");
    let run = common::folio(&["-C", missing.to_str().unwrap(), "check", "--format", "json"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("is not a folder"), "{}", run.stderr);
    assert_eq!(run.stdout, "");
    // A bad option is a usage error too.
    let run = common::folio(&["check", "--format", "xml"]);
    assert_eq!(run.code, 2);
    // A folder with no folio.yaml is reported as a records problem.
    let (code, doc) = f.check_json(&[]);
    assert_eq!(code, 1);
    assert_eq!(doc["errors"][0]["code"], "E001");
    assert_eq!(doc["errors"][0]["file"], "folio.yaml");
}

// ------------------------------------------------- warnings that depend on stages

/// An invoice of the `website-redesign` project, due 2026-10-01 on `agency`.
fn overdue_invoice(extra: &str) -> String {
    format!(
        "---\nnumber: A-1\nproject: website-redesign\nissued: 2026-09-01\ndue: 2026-10-01\namount: 1000\n{extra}---\n"
    )
}

#[test]
fn w002_project_active_while_its_invoice_paused_work() {
    // agency: pause at due + 7 = 2026-10-08, offload at 2026-10-09.
    let f = bad_invoice(overdue_invoice(""));
    let (code, doc) = f.check_json(&[]);
    assert_eq!(code, 0);
    let w = with_code(&doc, "W002");
    assert_eq!(w.len(), 1, "{doc:#}");
    at(
        w[0],
        "W002",
        "accounts/acme/projects/website-redesign.md",
        3,
        9,
    );
    contains(w[0], "message", "reached `offload`");
    contains(w[0], "hint", "status: offloaded");
    // Before the pause the project may stay active.
    let run = f.run(&["--as-of", "2026-10-07", "check", "--format", "json"]);
    assert!(with_code(&run.json(), "W002").is_empty());
    // Paused: no warning.
    f.write(
        "accounts/acme/projects/website-redesign.md",
        common::PROJECT.replace("status: active", "status: offloaded"),
    );
    assert!(with_code(&f.check_json(&[]).1, "W002").is_empty());
}

#[test]
fn w005_a_reached_stage_with_no_log_entry() {
    let f = bad_invoice(overdue_invoice(
        "log:\n  - { date: 2026-09-24, stage: reminder, by: ana }\n  - { date: 2026-10-01, stage: due-notice, by: ana }\n",
    ));
    let (_, doc) = f.check_json(&[]);
    let w = with_code(&doc, "W005");
    let messages: Vec<&str> = w.iter().map(|d| d["message"].as_str().unwrap()).collect();
    assert_eq!(
        messages,
        [
            "invoice A-1 reached `pause` (Work paused) on 2026-10-08 but no log entry records it",
            "invoice A-1 reached `offload` (Team offloaded) on 2026-10-09 but no log entry records it",
        ],
        "{doc:#}"
    );
    at(w[0], "W005", INVOICE_FILE, 9, 13);
    contains(w[0], "hint", "`folio log A-1 pause --note");
}

#[test]
fn w006_an_open_hold_older_than_30_days() {
    let f = bad_invoice(overdue_invoice(
        "holds:\n  - { from: 2026-09-20, reason: disputed hours }\n",
    ));
    let (code, doc) = f.check_json(&[]);
    assert_eq!(code, 0);
    let w = with_code(&doc, "W006");
    assert_eq!(w.len(), 1, "{doc:#}");
    at(w[0], "W006", INVOICE_FILE, 8, 13);
    contains(w[0], "message", "since 2026-09-20 (37 days)");
    // 30 days is not yet stale; a closed hold never is.
    let run = f.run(&["--as-of", "2026-10-20", "check", "--format", "json"]);
    assert!(with_code(&run.json(), "W006").is_empty());
    f.write(
        INVOICE_FILE,
        overdue_invoice("holds:\n  - { from: 2026-09-20, until: 2026-09-25 }\n"),
    );
    assert!(with_code(&f.check_json(&[]).1, "W006").is_empty());
}

#[test]
fn w007_a_broken_promise() {
    let f = bad_invoice(overdue_invoice(
        "promises:\n  - { made: 2026-10-02, pay_by: 2026-10-09 }\n  - { made: 2026-10-20, pay_by: 2026-10-30 }\n",
    ));
    let (_, doc) = f.check_json(&[]);
    let w = with_code(&doc, "W007");
    assert_eq!(w.len(), 1, "only the first promise is broken: {doc:#}");
    at(w[0], "W007", INVOICE_FILE, 8, 33);
    assert_eq!(
        w[0]["message"],
        "invoice A-1: the promise to pay by 2026-10-09 was broken"
    );
    // A promise to pay before it was made is an error, not also a broken promise.
    f.write(
        INVOICE_FILE,
        overdue_invoice("promises:\n  - { made: 2026-10-09, pay_by: 2026-10-02 }\n"),
    );
    let (_, doc) = f.check_json(&[]);
    assert!(with_code(&doc, "W007").is_empty(), "{doc:#}");
    assert_eq!(with_code(&doc, "E031").len(), 1, "{doc:#}");
    // Kept: paid in full on the promised day.
    f.write(
        INVOICE_FILE,
        overdue_invoice("promises:\n  - { made: 2026-10-02, pay_by: 2026-10-09 }\npayments:\n  - { date: 2026-10-09, amount: 1000 }\n"),
    );
    assert!(with_code(&f.check_json(&[]).1, "W007").is_empty());
}

#[test]
fn w008_due_contradicts_terms() {
    let f = bad_invoice(invoice("A-1", "terms: 30 days\ndue: 2026-10-20\n"));
    let (code, doc) = f.check_json(&[]);
    assert_eq!(code, 0);
    let w = with_code(&doc, "W008");
    assert_eq!(w.len(), 1, "{doc:#}");
    at(w[0], "W008", INVOICE_FILE, 6, 6);
    assert_eq!(
        w[0]["message"],
        "due 2026-10-20 contradicts terms `30 days`, which give 2026-10-31"
    );
    // Working days across the 8 December holiday: issued Friday 4 Dec,
    // 5 working days are 7, 9, 10, 11 and 14 December.
    let f = bad_invoice(
        "---\nnumber: A-1\nissued: 2026-12-04\nterms: 5 working days\ndue: 2026-12-14\namount: 1\n---\n",
    );
    assert!(with_code(&f.check_json(&[]).1, "W008").is_empty());
    f.write(INVOICE_FILE, "---\nnumber: A-1\nissued: 2026-12-04\nterms: 5 working days\ndue: 2026-12-11\namount: 1\n---\n");
    let (_, doc) = f.check_json(&[]);
    contains(
        with_code(&doc, "W008")[0],
        "message",
        "which give 2026-12-14",
    );
}

// ------------------------------------------------------------ symbolic links

/// Symbolic links that leave the repository are never followed, wherever
/// they sit: a record, an account folder, `accounts/`, `handbook/` or
/// folio.yaml itself. Links that stay inside are followed.
#[cfg(unix)]
#[test]
fn symbolic_links_that_leave_the_repository_are_not_followed() {
    use std::os::unix::fs::symlink;
    let outside = tempfile::tempdir().unwrap();
    let secret = "---\ntitle: Secret\n---\nnot for this repository\n";
    std::fs::create_dir_all(outside.path().join("hb")).unwrap();
    std::fs::write(outside.path().join("hb/secret.md"), secret).unwrap();
    std::fs::create_dir_all(outside.path().join("acc/gamma")).unwrap();
    std::fs::write(
        outside.path().join("acc/gamma/account.md"),
        "---\nname: Gamma\n---\n",
    )
    .unwrap();
    std::fs::write(
        outside.path().join("inv.md"),
        invoice("OUT-1", "due: 2026-12-30\n"),
    )
    .unwrap();

    let f = Fixture::new();
    symlink(outside.path().join("hb"), f.path().join("handbook")).unwrap();
    symlink(
        outside.path().join("acc/gamma"),
        f.path().join("accounts/gamma"),
    )
    .unwrap();
    std::fs::create_dir_all(f.path().join("accounts/acme/invoices")).unwrap();
    symlink(
        outside.path().join("inv.md"),
        f.path().join("accounts/acme/invoices/out.md"),
    )
    .unwrap();
    let (code, doc) = f.check_json(&[]);
    assert_eq!(code, 0, "links are warnings: {doc:#}");
    let linked: Vec<&str> = with_code(&doc, "W009")
        .iter()
        .map(|d| d["file"].as_str().unwrap())
        .collect();
    assert_eq!(
        linked,
        [
            "accounts/acme/invoices/out.md",
            "accounts/gamma",
            "handbook"
        ]
    );
    // The text report names a link but never shows what it points at (a
    // CI log is public; the first line of a key file must not end up there).
    let g = Fixture::new();
    std::fs::write(outside.path().join("key.txt"), "SECRET-FIRST-LINE\n").unwrap();
    std::fs::create_dir_all(g.path().join("accounts/acme/invoices")).unwrap();
    symlink(
        outside.path().join("key.txt"),
        g.path().join("accounts/acme/invoices/key.md"),
    )
    .unwrap();
    let run = g.run(&["--as-of", "2026-10-27", "check"]);
    assert!(run.stdout.contains("W009"), "{}", run.stdout);
    assert!(!run.stdout.contains("SECRET"), "{}", run.stdout);
    let status = f.status_json("2026-10-27", &[]);
    assert_eq!(status["invoices"], serde_json::json!([]), "{status:#}");
    assert_eq!(status["accounts"].as_array().unwrap().len(), 1);

    // `accounts/` itself.
    let f = Fixture::empty();
    f.write("folio.yaml", common::FOLIO_YAML);
    symlink(outside.path().join("acc"), f.path().join("accounts")).unwrap();
    let (_, doc) = f.check_json(&[]);
    assert_eq!(with_code(&doc, "W009")[0]["file"], "accounts", "{doc:#}");
    assert_eq!(
        f.status_json("2026-10-27", &[])["accounts"],
        serde_json::json!([])
    );

    // folio.yaml: an error, since nothing works without it.
    std::fs::write(outside.path().join("folio.yaml"), common::FOLIO_YAML).unwrap();
    let f = Fixture::empty();
    symlink(
        outside.path().join("folio.yaml"),
        f.path().join("folio.yaml"),
    )
    .unwrap();
    let (code, doc) = f.check_json(&[]);
    assert_eq!(code, 1);
    at(&doc["errors"][0], "E001", "folio.yaml", 1, 1);
    contains(
        &doc["errors"][0],
        "message",
        "outside the records repository",
    );

    // Inside the repository, links are followed.
    let f = Fixture::new();
    f.write("shared/b.md", invoice("IN-1", "due: 2026-12-30\n"));
    std::fs::create_dir_all(f.path().join("accounts/acme/invoices")).unwrap();
    symlink(
        f.path().join("shared/b.md"),
        f.path().join("accounts/acme/invoices/b.md"),
    )
    .unwrap();
    f.write("docs/index.md", "---\ntitle: Docs\n---\n");
    symlink(f.path().join("docs"), f.path().join("handbook")).unwrap();
    let (code, doc) = f.check_json(&[]);
    assert_eq!((code, all_diagnostics(&doc).len()), (0, 0), "{doc:#}");
    assert_eq!(
        f.status_json("2026-10-27", &[])["invoices"][0]["number"],
        "IN-1"
    );
}

// ------------------------------------- warnings and errors not covered above

#[test]
fn w001_an_overpayment() {
    let f = bad_invoice(invoice(
        "A-1",
        "due: 2026-10-22\npayments:\n  - { date: 2026-10-10, amount: 600 }\n  - { date: 2026-10-12, amount: 450.50 }\n",
    ));
    let (code, doc) = f.check_json(&[]);
    assert_eq!(code, 0, "a warning: {doc:#}");
    let w = with_code(&doc, "W001");
    assert_eq!(w.len(), 1, "{doc:#}");
    // On the last payment's amount.
    at(w[0], "W001", INVOICE_FILE, 8, 33);
    assert_eq!(w[0]["message"], "invoice A-1 is overpaid by 50.50 EUR");
    contains(w[0], "hint", "refund");
    // Paid exactly: nothing.
    f.write(
        INVOICE_FILE,
        invoice(
            "A-1",
            "due: 2026-10-22\npayments:\n  - { date: 2026-10-10, amount: 1000 }\n",
        ),
    );
    assert_eq!(
        f.check_json(&[]).1,
        serde_json::json!({"errors": [], "warnings": []})
    );
}

#[test]
fn w003_w012_handover_brief_missing_or_incomplete() {
    let f = Fixture::new();
    let no_brief = common::ACCOUNT
        .split("handover:\n")
        .next()
        .unwrap()
        .to_string()
        + "---\n";
    f.write("accounts/acme/account.md", &no_brief);
    let (code, doc) = f.check_json(&[]);
    assert_eq!(code, 0);
    let w = with_code(&doc, "W003");
    assert_eq!(w.len(), 1, "{doc:#}");
    at(w[0], "W003", "accounts/acme/account.md", 2, 7);
    assert_eq!(
        w[0]["message"],
        "active account `Acme Corp` has no handover brief"
    );
    contains(w[0], "hint", "why_they_bought");
    // A prospect needs none.
    f.write(
        "accounts/acme/account.md",
        no_brief.replace("status: active", "status: prospect"),
    );
    assert!(with_code(&f.check_json(&[]).1, "W003").is_empty());
    // Unanswered questions are named.
    f.write(
        "accounts/acme/account.md",
        common::ACCOUNT
            .replace("  buyer: John Doe\n", "  buyer: \"\"\n")
            .replace("  roadblocks: Legal review of the copy.\n", ""),
    );
    let (_, doc) = f.check_json(&[]);
    let w = with_code(&doc, "W012");
    assert_eq!(w.len(), 1, "{doc:#}");
    contains(w[0], "message", "buyer, roadblocks");
}

#[test]
fn w004_a_missed_meeting_by_cadence() {
    let f = Fixture::new();
    let account = common::ACCOUNT.replace(
        "handover:\n",
        "cadence:\n  internal_sync: weekly\n  client_sync: monthly\nlog:\n  - { date: 2026-10-01, kind: client_sync, by: ana, note: Roadmap }\n  - { date: 2026-10-22, kind: internal_sync, by: ana, note: Planning }\nhandover:\n",
    );
    f.write("accounts/acme/account.md", &account);
    // As of 2026-10-27: the weekly sync (last 10-22) is due 10-29, fine;
    // the monthly client sync (last 10-01) is due 10-31, fine.
    let (code, doc) = f.check_json(&[]);
    assert_eq!(code, 0);
    assert!(with_code(&doc, "W004").is_empty(), "{doc:#}");
    // As of 2026-11-05 both are overdue.
    let run = f.run(&["--as-of", "2026-11-05", "check", "--format", "json"]);
    let doc = run.json();
    let w = with_code(&doc, "W004");
    assert_eq!(w.len(), 2, "{doc:#}");
    assert_eq!(
        w[0]["message"],
        "internal_sync is due every 7 days and the last one was on 2026-10-22 (due by 2026-10-29)"
    );
    contains(w[1], "message", "client_sync");
    contains(w[0], "hint", "`folio log acme internal_sync --by HANDLE");
    // No meeting logged: counted from `since`.
    f.write(
        "accounts/acme/account.md",
        common::ACCOUNT.replace(
            "handover:\n",
            "cadence:\n  client_sync: quarterly\nhandover:\n",
        ),
    );
    let (_, doc) = f.check_json(&[]);
    let w = with_code(&doc, "W004");
    assert_eq!(w.len(), 1, "{doc:#}");
    contains(w[0], "message", "none is logged");
}

/// folio.yaml with `policies:` appended.
fn with_policies(policies: &str) -> Fixture {
    let f = Fixture::new();
    f.write(
        "folio.yaml",
        format!("{}policies:\n{policies}", common::FOLIO_YAML),
    );
    f
}

#[test]
fn policies_in_folio_yaml_are_validated() {
    let f = with_policies(
        "  strict:\n    days: working\n    stages:\n      - { id: first, offset: 0, owner: nobody }\n      - { id: first, offset: -1, template: \"{{ oops\" }\n      - { id: Last_One, offset: 99999, owner: finance }\n",
    );
    let (code, doc) = f.check_json(&[]);
    assert_eq!(code, 1);
    let got: Vec<(&str, u64, &str)> = doc["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            assert_eq!(d["file"], "folio.yaml");
            (
                d["code"].as_str().unwrap(),
                d["line"].as_u64().unwrap(),
                d["message"].as_str().unwrap(),
            )
        })
        .collect();
    let lines = common::FOLIO_YAML.lines().count() as u64;
    assert_eq!(
        got,
        [
            (
                "E028",
                lines + 5,
                "stage owner `nobody` is neither a role nor a person"
            ),
            (
                "E028",
                lines + 6,
                "policy `strict` has two stages with id `first`"
            ),
            (
                "E028",
                lines + 6,
                "stage `first` (offset -1) must come after `first` (offset 0): offsets must increase"
            ),
            (
                "E030",
                lines + 6,
                "stage `first` template does not parse: Unexpected end of input (line 1, column 8 of the template)"
            ),
            ("E023", lines + 7, "stage id `Last_One` is not a slug"),
            (
                "E028",
                lines + 7,
                "stage `Last_One` is 99999 days from the due date, more than ten years"
            ),
        ],
        "{doc:#}"
    );
    // A `work` that is not continue, pause or stop; a ladder with no stages;
    // a typo in a stage key.
    for (policy, code, hint) in [
        (
            "  p:\n    days: calendar\n    stages:\n      - { id: a, offset: 0, work: halt }\n",
            "E031",
            "known values: continue, pause, stop",
        ),
        (
            "  p:\n    days: calendar\n    stages: []\n",
            "E028",
            "add at least one stage with an id and an offset",
        ),
        (
            "  p:\n    days: calendar\n    stages:\n      - { id: a, ofset: 0 }\n",
            "E012",
            "did you mean `offset`?",
        ),
        (
            "  p:\n    days: weekly\n    stages:\n      - { id: a, offset: 0 }\n",
            "E031",
            "known values: calendar, working",
        ),
    ] {
        let d = only_error(&with_policies(policy));
        assert_eq!(d["code"], code, "{policy}: {d:#}");
        contains(&d, "hint", hint);
    }
}

#[test]
fn a_custom_policy_replaces_the_builtin_and_its_stages_are_the_known_ones() {
    let f = with_policies(
        "  agency:\n    days: calendar\n    stages:\n      - { id: nudge, offset: -2 }\n      - { id: final, offset: 5, work: stop }\n",
    );
    // `reminder` is no stage of this `agency`: E024, with the known ones.
    f.write(
        INVOICE_FILE,
        invoice(
            "A-1",
            "due: 2026-10-22\nlog:\n  - { date: 2026-10-20, stage: reminder, by: ana }\n",
        ),
    );
    let (code, doc) = f.check_json(&[]);
    assert_eq!(code, 1);
    assert_eq!(doc["errors"].as_array().unwrap().len(), 1, "{doc:#}");
    let d = &doc["errors"][0];
    at(d, "E024", INVOICE_FILE, 7, 32);
    assert_eq!(d["message"], "policy `agency` has no stage `reminder`");
    assert_eq!(d["hint"], "known stages: nudge, final");
    // Its own stages are the missed ones, and its `work: stop` stops the project.
    let missed: Vec<&str> = with_code(&doc, "W005")
        .iter()
        .map(|w| w["message"].as_str().unwrap())
        .collect();
    assert_eq!(
        missed,
        [
            "invoice A-1 reached `nudge` (nudge) on 2026-10-20 but no log entry records it",
            "invoice A-1 reached `final` (final) on 2026-10-27 but no log entry records it"
        ]
    );
    assert_eq!(with_code(&doc, "W002").len(), 1, "{doc:#}");
    f.write(
        INVOICE_FILE,
        invoice(
            "A-1",
            "due: 2026-10-22\nlog:\n  - { date: 2026-10-20, stage: nudge, by: ana }\n  - { date: 2026-10-27, stage: final, by: rui }\n",
        ),
    );
    let (code, doc) = f.check_json(&[]);
    assert_eq!(
        (code, doc["errors"].as_array().unwrap().len()),
        (0, 0),
        "{doc:#}"
    );
    let row = &f.status_json("2026-10-27", &[])["invoices"][0];
    assert_eq!(row["stage"], "final");
    assert_eq!(row["reached"][1]["date"], "2026-10-27");
}

#[test]
fn duplicate_keys_missing_account_files_and_bad_terms() {
    // A key written twice is an error, not "the last one wins".
    let d = only_error(&bad_invoice(
        "---\nnumber: A-1\nissued: 2026-10-01\namount: 1000\namount: 2000\n---\n",
    ));
    at(&d, "E013", INVOICE_FILE, 5, 1);
    contains(&d, "message", "amount");
    // An account folder without account.md.
    let f = Fixture::new();
    f.write(
        "accounts/beta/invoices/b.md",
        invoice("B-1", "due: 2026-12-30\n"),
    );
    let (_, doc) = f.check_json(&[]);
    let e = with_code(&doc, "E029");
    assert_eq!(e.len(), 1, "{doc:#}");
    assert_eq!(e[0]["file"], "accounts/beta/account.md");
    contains(e[0], "hint", "folio new account beta");
    // Terms that are none of the three forms.
    let (code, doc) = bad_invoice(invoice("A-1", "terms: 15 workin days\n")).check_json(&[]);
    assert_eq!(code, 1);
    assert_eq!(doc["errors"].as_array().unwrap().len(), 1, "{doc:#}");
    let d = &doc["errors"][0];
    at(d, "E026", INVOICE_FILE, 5, 8);
    contains(d, "hint", "15 working days");
}

#[test]
fn invoice_numbers_that_cannot_name_a_page() {
    // `build` refuses these; `check` (what CI runs on a pull request) says so first.
    let long = "X".repeat(130);
    for (number, code) in [
        ("CON", "E023"),
        ("nul", "E023"),
        (long.as_str(), "E023"),
        ("\"--/--\"", "E031"),
    ] {
        let d = only_error(&bad_invoice(invoice(number, "due: 2026-12-30\n")));
        at(&d, code, INVOICE_FILE, 2, 9);
    }
    // A number with slashes and dots is fine: its page name is a slug.
    let f = bad_invoice(invoice("../../etc/passwd", "due: 2026-12-30\n"));
    assert_eq!(f.check_json(&[]).0, 0);
}

#[test]
fn color_is_chosen_by_the_color_option_and_no_color() {
    let f = bad_invoice("---\nnumber: A-1\nisued: 2026-10-01\namount: 1000\n---\n");
    let dir = f.path().to_str().unwrap();
    let esc = '\u{1b}';
    // `always` colours even when stdout is not a terminal.
    let always = common::folio(&[
        "-C",
        dir,
        "--as-of",
        "2026-10-27",
        "--color",
        "always",
        "check",
    ]);
    assert_eq!(always.code, 1);
    assert!(always.stdout.contains(esc), "{}", always.stdout);
    let never = common::folio(&[
        "-C",
        dir,
        "--as-of",
        "2026-10-27",
        "--color",
        "never",
        "check",
    ]);
    assert!(!never.stdout.contains(esc), "{}", never.stdout);
    // auto: not a terminal here, so no colour.
    let auto = common::folio(&["-C", dir, "--as-of", "2026-10-27", "check"]);
    assert!(!auto.stdout.contains(esc), "{}", auto.stdout);
    // JSON and github output never carry colour.
    let json = common::folio(&[
        "-C",
        dir,
        "--as-of",
        "2026-10-27",
        "--color",
        "always",
        "check",
        "--format",
        "json",
    ]);
    assert!(!json.stdout.contains(esc));
    serde_json::from_str::<Value>(&json.stdout).unwrap();
    let bad = common::folio(&["-C", dir, "--color", "sometimes", "check"]);
    assert_eq!(bad.code, 2, "{}", bad.stderr);
}
