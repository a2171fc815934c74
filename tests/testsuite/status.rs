//! `folio status` and `folio remind` on fixture repositories and on the
//! bundled example-accounts (issue #3): the SPEC §4 document value for
//! value, holds, promises, extensions, payments, statuses, filters, a
//! working-day ladder over holidays, currency digits, and message drafts.
use crate::common;

use crate::common::{Fixture, assert_includes, folio_on, invoice};
use serde_json::{Value, json};
use std::path::Path;

const FILE: &str = "accounts/acme/invoices/inv.md";

/// SPEC §4's example invoice.
const SPEC_INVOICE: &str = "\
---
number: INV-2026-0042
project: website-redesign
issued: 2026-10-01
due: 2026-10-22
amount: 12000.00
payments:
  - { date: 2026-10-25, amount: 5000, ref: \"TRF 8812\" }
log:
  - { date: 2026-10-15, stage: reminder, channel: slack, by: ana, note: Friendly reminder sent }
---
";

/// The agency ladder written out in folio.yaml, with the team's channel.
const AGENCY_ON_SLACK: &str = "\
policies:
  agency:
    days: calendar
    stages:
      - { id: reminder, offset: -7, title: Friendly reminder, owner: producer, channel: slack }
      - { id: due-notice, offset: 0, title: Formal notice, owner: producer, channel: slack }
      - { id: pause, offset: 7, title: Work paused, owner: producer, channel: call, work: pause }
      - { id: offload, offset: 8, title: Team offloaded, owner: finance, channel: email, work: stop }
";

fn spec_document() -> Value {
    json!({"as_of":"2026-10-27",
     "invoices":[{"number":"INV-2026-0042","account":"acme","project":"website-redesign",
       "currency":"EUR","amount":"12000.00","outstanding":"7000.00","due":"2026-10-22",
       "state":"open","stage":"due-notice",
       "reached":[{"stage":"reminder","date":"2026-10-15"},{"stage":"due-notice","date":"2026-10-22"}],
       "next":{"stage":"pause","date":"2026-10-29"},"days_overdue":5,"aging":"1-30",
       "missed":["due-notice"],"late":[],"broken_promises":0}],
     "accounts":[{"account":"acme","outstanding":{"EUR":"7000.00"},"overdue":{"EUR":"7000.00"},
       "worst_stage":"due-notice","actions_due":1}],
     "actions":[{"date":"2026-10-22","invoice":"INV-2026-0042","stage":"due-notice",
       "owner":"ana","channel":"slack","missed":true}]})
}

#[test]
fn the_spec_example_gives_the_spec_document() {
    let f = Fixture::new();
    f.write(
        "folio.yaml",
        format!("{}{AGENCY_ON_SLACK}", common::FOLIO_YAML),
    );
    f.write(FILE, SPEC_INVOICE);
    let doc = f.status_json("2026-10-27", &[]);
    assert_includes(&doc, &spec_document());
    // The same with the built-in agency policy: every value of the SPEC's
    // document, the action's channel included.
    let f = Fixture::new();
    f.write(FILE, SPEC_INVOICE);
    let doc = f.status_json("2026-10-27", &[]);
    assert_includes(&doc, &spec_document());
    assert_eq!(doc["actions"][0]["title"], "Formal notice");
    assert_eq!(doc["invoices"][0]["file"], FILE);
}

/// One invoice of `acme` (1000 EUR issued 2026-10-01, due 2026-10-22 on
/// agency) with `extra` front matter, and its status row as of `as_of`.
fn row(extra: &str, as_of: &str) -> Value {
    let f = Fixture::new();
    f.write(FILE, invoice("A-1", &format!("due: 2026-10-22\n{extra}")));
    let doc = f.status_json(as_of, &[]);
    assert_eq!(doc["invoices"].as_array().unwrap().len(), 1);
    doc["invoices"][0].clone()
}

fn reached(r: &Value) -> Vec<(String, String)> {
    r["reached"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["stage"].as_str().unwrap().into(),
                s["date"].as_str().unwrap().into(),
            )
        })
        .collect()
}

#[test]
fn holds() {
    // Today inside a hold: on_hold, and nothing new is reached.
    let r = row(
        "holds:\n  - { from: 2026-10-20, until: 2026-10-30, reason: disputed hours }\n",
        "2026-10-27",
    );
    assert_includes(
        &r,
        &json!({"state":"on_hold","stage":"reminder","next":{"stage":"due-notice","date":"2026-11-02"},
                "days_overdue":5,"outstanding":"1000.00"}),
    );
    // A closed hold of 11 days moves every later stage by 11 days.
    let r = row(
        "holds:\n  - { from: 2026-10-20, until: 2026-10-30 }\n",
        "2026-11-10",
    );
    assert_eq!(r["state"], "open");
    assert_eq!(
        reached(&r),
        [
            ("reminder".into(), "2026-10-15".into()),
            ("due-notice".into(), "2026-11-02".into()),
            ("pause".into(), "2026-11-09".into()),
            ("offload".into(), "2026-11-10".into())
        ]
    );
    // An open-ended hold suspends the ladder: the next step has no date.
    let r = row("holds:\n  - { from: 2026-10-20 }\n", "2026-11-10");
    assert_includes(
        &r,
        &json!({"state":"on_hold","stage":"reminder","next":{"stage":"due-notice","date":null}}),
    );
}

#[test]
fn promises_open_kept_and_broken() {
    let promise = "promises:\n  - { made: 2026-10-23, pay_by: 2026-10-30 }\n";
    let open = row(promise, "2026-10-27");
    assert_includes(
        &open,
        &json!({"state":"promised","stage":"due-notice","next":{"stage":"pause","date":"2026-11-06"},"broken_promises":0}),
    );
    let broken = row(promise, "2026-11-06");
    assert_includes(
        &broken,
        &json!({"state":"open","stage":"pause","broken_promises":1}),
    );
    let kept = row(
        &format!("{promise}payments:\n  - {{ date: 2026-10-30, amount: 1000 }}\n"),
        "2026-11-06",
    );
    assert_includes(
        &kept,
        &json!({"state":"paid","stage":null,"next":null,"outstanding":"0.00","days_overdue":0,"aging":"current","broken_promises":0,"missed":[]}),
    );
    // Two promises, the first broken, the second still open.
    let two = row(
        "promises:\n  - { made: 2026-10-23, pay_by: 2026-10-25 }\n  - { made: 2026-10-27, pay_by: 2026-11-03 }\n",
        "2026-11-01",
    );
    assert_includes(
        &two,
        &json!({"state":"promised","broken_promises":1,"next":{"stage":"pause","date":"2026-11-09"}}),
    );
}

#[test]
fn extensions() {
    // Granted before the due date: every stage from the due notice on moves.
    let r = row(
        "extensions:\n  - { granted: 2026-10-21, by: rui, days: 5, reason: new PO }\n",
        "2026-10-27",
    );
    assert_includes(
        &r,
        &json!({"stage":"due-notice","next":{"stage":"pause","date":"2026-11-03"}}),
    );
    assert_eq!(reached(&r)[1], ("due-notice".into(), "2026-10-27".into()));
    // Granted on the due date itself: the due notice stays, later stages move.
    let r = row(
        "extensions:\n  - { granted: 2026-10-22, by: rui, days: 5 }\n",
        "2026-10-27",
    );
    assert_eq!(reached(&r)[1], ("due-notice".into(), "2026-10-22".into()));
    assert_eq!(r["next"], json!({"stage":"pause","date":"2026-11-03"}));
}

#[test]
fn partial_payments_and_overpayment() {
    let r = row(
        "payments:\n  - { date: 2026-10-10, amount: 250.50 }\n  - { date: 2026-10-25, amount: 100 }\n",
        "2026-10-27",
    );
    assert_includes(
        &r,
        &json!({"state":"open","amount":"1000.00","outstanding":"649.50","days_overdue":5}),
    );
    // A payment dated after as-of does not count yet.
    let r = row(
        "payments:\n  - { date: 2026-10-28, amount: 1000 }\n",
        "2026-10-27",
    );
    assert_includes(&r, &json!({"state":"open","outstanding":"1000.00"}));
    // A payment clearing the invoice between two stages stops the ladder.
    // The steps taken before the payment stay in the record.
    let r = row(
        "payments:\n  - { date: 2026-10-25, amount: 1000 }\n",
        "2026-11-20",
    );
    assert_includes(
        &r,
        &json!({"state":"paid","stage":null,"next":null,"missed":[],"outstanding":"0.00"}),
    );
    assert_eq!(
        reached(&r),
        [
            ("reminder".into(), "2026-10-15".into()),
            ("due-notice".into(), "2026-10-22".into())
        ]
    );
    // Overpaid: paid, never a negative outstanding.
    let r = row(
        "payments:\n  - { date: 2026-10-25, amount: 1200 }\n",
        "2026-11-20",
    );
    assert_includes(&r, &json!({"state":"paid","outstanding":"0.00"}));
}

#[test]
fn draft_void_and_written_off_have_no_stage() {
    for status in ["draft", "void", "written_off"] {
        let r = row(&format!("status: {status}\n"), "2026-11-20");
        assert_includes(
            &r,
            &json!({"state":status,"stage":null,"next":null,"reached":[],"missed":[],"days_overdue":0,"aging":"current"}),
        );
        // Nobody owes them (issue #21): any sum over `outstanding` stays true.
        assert_includes(&r, &json!({"amount":"1000.00","outstanding":"0.00"}));
    }
    // They count in no account total and make no actions.
    let f = Fixture::new();
    f.write(FILE, invoice("A-1", "due: 2026-10-22\nstatus: void\n"));
    let doc = f.status_json("2026-11-20", &[]);
    assert_includes(
        &doc,
        &json!({"accounts":[{"account":"acme","outstanding":{},"overdue":{},"worst_stage":null,"actions_due":0}],"actions":[]}),
    );
}

/// acme: one open, one paid invoice; beta: one open invoice.
fn two_accounts() -> Fixture {
    let f = Fixture::new();
    f.write(
        "accounts/acme/invoices/a.md",
        invoice("A-1", "due: 2026-10-22\n"),
    );
    f.write(
        "accounts/acme/invoices/b.md",
        invoice(
            "A-2",
            "due: 2026-10-22\npayments:\n  - { date: 2026-10-20, amount: 1000 }\n",
        ),
    );
    f.write(
        "accounts/beta/account.md",
        common::ACCOUNT.replace("Acme Corp", "Beta Lda"),
    );
    f.write(
        "accounts/beta/invoices/c.md",
        invoice("B-1", "due: 2026-10-22\ncurrency: USD\n"),
    );
    f
}

#[test]
fn all_and_account_filters() {
    let f = two_accounts();
    // JSON always lists every invoice, paid ones included.
    let doc = f.status_json("2026-10-27", &[]);
    let numbers: Vec<&str> = doc["invoices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["number"].as_str().unwrap())
        .collect();
    assert_eq!(numbers, ["A-1", "A-2", "B-1"]);
    assert_eq!(f.status_json("2026-10-27", &["--all"]), doc);
    assert_includes(
        &doc["accounts"],
        &json!([{"account":"acme","outstanding":{"EUR":"1000.00"}},{"account":"beta","outstanding":{"USD":"1000.00"}}]),
    );
    // --account keeps one account's invoices, totals and actions.
    let beta = f.status_json("2026-10-27", &["--account", "beta"]);
    assert_eq!(beta["invoices"].as_array().unwrap().len(), 1);
    assert_eq!(beta["invoices"][0]["number"], "B-1");
    assert_eq!(beta["accounts"].as_array().unwrap().len(), 1);
    assert!(
        beta["actions"]
            .as_array()
            .unwrap()
            .iter()
            .all(|a| a["invoice"] == "B-1")
    );
    // The table hides paid invoices unless --all.
    let table = f.run(&["--as-of", "2026-10-27", "status"]);
    assert_eq!(table.code, 0);
    insta::assert_snapshot!("table_of_unpaid", table.stdout);
    let all = f.run(&["--as-of", "2026-10-27", "status", "--all"]);
    insta::assert_snapshot!("table_with_paid", all.stdout);
    // An unknown account is a usage error.
    let run = f.run(&["--as-of", "2026-10-27", "status", "--account", "gamma"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("no account `gamma`"), "{}", run.stderr);
}

#[test]
fn status_refuses_records_with_errors() {
    let f = Fixture::new();
    f.write(
        FILE,
        "---\nnumber: A-1\nissued: 2026-10-01\namount: -1\n---\n",
    );
    let run = f.run(&["--as-of", "2026-10-27", "status", "--format", "json"]);
    assert_eq!(run.code, 1);
    assert_eq!(run.stdout, "");
    assert!(run.stderr.contains("E015"), "{}", run.stderr);
}

#[test]
fn a_gradual_invoice_in_working_days_over_holidays() {
    // Due Monday 7 December; 8 December is a holiday on the `pt` calendar,
    // and so are 1 and 25 December.
    let f = Fixture::new();
    f.write(FILE, "---\nnumber: G-1\nissued: 2026-11-02\ndue: 2026-12-07\namount: 500\npolicy: gradual\n---\n");
    let doc = f.status_json("2026-12-10", &[]);
    let r = &doc["invoices"][0];
    assert_eq!(
        reached(r),
        [
            ("courtesy-call".into(), "2026-12-02".into()),
            ("deadline-call".into(), "2026-12-07".into()),
            ("demand-letter".into(), "2026-12-09".into()),
            ("demand-call".into(), "2026-12-10".into()),
        ]
    );
    assert_includes(
        r,
        &json!({"policy":"gradual","stage":"demand-call","next":{"stage":"letter-request","date":"2026-12-11"},"days_overdue":3}),
    );
    // formal-claim is 8 working days after the due date, lawyers 15 (over Christmas).
    let late = f.status_json("2026-12-31", &[]);
    let dates = reached(&late["invoices"][0]);
    assert_eq!(dates[5], ("formal-claim".into(), "2026-12-18".into()));
    assert_eq!(dates[6], ("lawyers".into(), "2026-12-30".into()));
    // Terms in working days across the holiday give the due date.
    let f = Fixture::new();
    f.write(
        FILE,
        "---\nnumber: G-2\nissued: 2026-12-04\nterms: 5 working days\namount: 500\n---\n",
    );
    assert_eq!(
        f.status_json("2026-12-04", &[])["invoices"][0]["due"],
        "2026-12-14"
    );
}

#[test]
fn amounts_have_their_currency_minor_digits() {
    let f = Fixture::new();
    for (name, currency) in [("j", "JPY"), ("e", "EUR"), ("g", "GBP"), ("b", "BHD")] {
        f.write(
            &format!("accounts/acme/invoices/{name}.md"),
            invoice(&format!("{currency}-1"), &format!("due: 2026-10-22\ncurrency: {currency}\npayments:\n  - {{ date: 2026-10-02, amount: 3000 }}\n"))
                .replace("amount: 1000", "amount: 10000"),
        );
    }
    let doc = f.status_json("2026-10-27", &[]);
    let amounts: Vec<(&str, &str, &str)> = doc["invoices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["currency"].as_str().unwrap(),
                i["amount"].as_str().unwrap(),
                i["outstanding"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        amounts,
        [
            ("BHD", "10000.000", "7000.000"),
            ("EUR", "10000.00", "7000.00"),
            ("GBP", "10000.00", "7000.00"),
            ("JPY", "10000", "7000")
        ]
    );
    assert_eq!(
        doc["accounts"][0]["outstanding"],
        json!({"BHD":"7000.000","EUR":"7000.00","GBP":"7000.00","JPY":"7000"})
    );
    // The message draft formats the amount for people.
    let run = f.run(&["--as-of", "2026-10-27", "-q", "remind", "BHD-1"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("7,000.000 BHD"), "{}", run.stdout);
    let run = f.run(&["--as-of", "2026-10-27", "-q", "remind", "JPY-1"]);
    assert!(run.stdout.contains("7,000 JPY"), "{}", run.stdout);
    let run = f.run(&["--as-of", "2026-10-27", "-q", "remind", "GBP-1"]);
    assert!(run.stdout.contains("7,000.00 GBP"), "{}", run.stdout);
    // More decimals than the currency has is an error.
    f.write(
        "accounts/acme/invoices/j.md",
        invoice("JPY-1", "currency: JPY\n").replace("amount: 1000", "amount: 1000.5"),
    );
    let (code, check) = f.check_json(&[]);
    assert_eq!(code, 1);
    assert_eq!(check["errors"][0]["code"], "E015");
    assert_eq!(
        check["errors"][0]["message"],
        "amount 1000.5 has more decimals than JPY allows (0)"
    );
}

// ------------------------------------------------------------------ remind

#[test]
fn remind_renders_the_current_stage() {
    let f = Fixture::new();
    f.write(FILE, SPEC_INVOICE);
    let run = f.run(&["--as-of", "2026-10-27", "remind", "INV-2026-0042"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    // A header (invoice, stage, owner, channel, recipient), then the
    // message: the days overdue, the amounts, the date work pauses, and
    // the owner's signature.
    insta::assert_snapshot!(run.stdout);
    let header = "Invoice: INV-2026-0042\nStage: Formal notice (due-notice), 22 Oct 2026\nOwner: Ana Lima\nChannel: slack\nTo: John Doe <john@acme.example>\n\n";
    // -q prints the message alone.
    let quiet = f.run(&["--as-of", "2026-10-27", "-q", "remind", "INV-2026-0042"]);
    assert_eq!(format!("{header}{}", quiet.stdout), run.stdout);
}

const INVOICE_SLUG: &str = "inv-2026-0042";

#[test]
fn remind_uses_the_repository_template_and_inline_templates() {
    let f = Fixture::new();
    f.write(FILE, SPEC_INVOICE);
    f.write(
        "templates/messages/agency/due-notice.txt",
        "{{ contact.name }}: {{ invoice.number }} owes {{ invoice.outstanding }}, {{ invoice.days_overdue }} days late. {{ owner.name }}, {{ company }}\n",
    );
    let run = f.run(&["--as-of", "2026-10-27", "-q", "remind", "INV-2026-0042"]);
    assert_eq!(
        run.stdout,
        "John Doe: INV-2026-0042 owes 7,000.00 EUR, 5 days late. Ana Lima, Test Agency\n"
    );
    // An inline template in folio.yaml wins for its stage.
    let inline = AGENCY_ON_SLACK.replace(
        "channel: slack }\n      - { id: pause",
        "channel: slack, template: \"Due {{ invoice.due }}: {{ invoice.outstanding }}\" }\n      - { id: pause",
    );
    f.write("folio.yaml", format!("{}{inline}", common::FOLIO_YAML));
    let run = f.run(&["--as-of", "2026-10-27", "-q", "remind", "INV-2026-0042"]);
    assert_eq!(
        run.stdout, "Due 22 Oct 2026: 7,000.00 EUR\n",
        "{}",
        run.stderr
    );
    // The invoice page's draft comes from the same inline template.
    let run = f.run_writing(&["--as-of", "2026-10-27", "-q", "build", "--out", "site"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let slug = INVOICE_SLUG;
    let page =
        std::fs::read_to_string(f.path().join(format!("site/invoices/{slug}/index.html"))).unwrap();
    assert!(page.contains("Due 22 Oct 2026: 7,000.00 EUR"), "{page}");
}

#[test]
fn remind_on_hold_and_with_no_contact() {
    let f = Fixture::new();
    f.write(
        FILE,
        invoice("A-1", "due: 2026-10-22\nholds:\n  - { from: 2026-10-25 }\n"),
    );
    let run = f.run(&["--as-of", "2026-10-27", "remind", "A-1"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("note: invoice A-1 is on hold: no new step is taken until that ends"),
        "{}",
        run.stderr
    );
    assert!(
        run.stdout
            .contains("Stage: Formal notice (due-notice), 22 Oct 2026\n")
    );
    assert!(run.stdout.contains("To: John Doe <john@acme.example>\n"));
    // An account with no contacts: the header says what to add.
    f.write(
        "accounts/acme/account.md",
        common::ACCOUNT.replace(
            "contacts:\n  - { name: John Doe, email: john@acme.example, role: finance }\n",
            "",
        ),
    );
    let run = f.run(&["--as-of", "2026-10-27", "remind", "A-1"]);
    assert!(
        run.stdout.contains("To: <finance@acme.example>\n"),
        "{}",
        run.stdout
    );
    f.write(
        "accounts/acme/account.md",
        "---\nname: Acme Corp\nstatus: prospect\n---\n",
    );
    let run = f.run(&["--as-of", "2026-10-27", "remind", "A-1"]);
    assert!(
        run.stdout.contains(
            "To: nobody yet: add a contact under `contacts:` in accounts/acme/account.md\n"
        ),
        "{}",
        run.stdout
    );
}

/// A `templates/` folder that links outside the repository is not read.
#[cfg(unix)]
#[test]
fn remind_does_not_follow_templates_out_of_the_repository() {
    let outside = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(outside.path().join("messages/agency")).unwrap();
    std::fs::write(
        outside.path().join("messages/agency/due-notice.txt"),
        "from outside\n",
    )
    .unwrap();
    let f = Fixture::new();
    f.write(FILE, SPEC_INVOICE);
    std::os::unix::fs::symlink(outside.path(), f.path().join("templates")).unwrap();
    let run = f.run(&["--as-of", "2026-10-27", "-q", "remind", "INV-2026-0042"]);
    assert!(!run.stdout.contains("from outside"), "{}", run.stdout);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("W009") && run.stderr.contains("templates"),
        "{}",
        run.stderr
    );
}

#[test]
fn remind_failures() {
    let f = Fixture::new();
    f.write(FILE, SPEC_INVOICE);
    let run = f.run(&["--as-of", "2026-10-27", "remind", "INV-2026-042"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("did you mean `INV-2026-0042`?"),
        "{}",
        run.stderr
    );
    let run = f.run(&[
        "--as-of",
        "2026-10-27",
        "remind",
        "INV-2026-0042",
        "--stage",
        "lawyers",
    ]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("policy `agency` has no stage `lawyers`"),
        "{}",
        run.stderr
    );
    // Nothing reached yet: nothing to send, exit 1.
    let run = f.run(&["--as-of", "2026-10-01", "remind", "INV-2026-0042"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("the next is `reminder` on 2026-10-15"),
        "{}",
        run.stderr
    );
    // A broken template names its file.
    f.write(
        "templates/messages/agency/due-notice.txt",
        "{{ invoice.number\n",
    );
    let run = f.run(&["--as-of", "2026-10-27", "remind", "INV-2026-0042"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("messages/agency/due-notice.txt"),
        "{}",
        run.stderr
    );
}

// ------------------------------------------------------------ example-accounts

fn example() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("example-accounts")
        .to_string_lossy()
        .into_owned()
}

#[test]
fn example_accounts_check_has_no_errors() {
    let run = folio_on(
        Path::new(&example()),
        &["--as-of", "2026-11-23", "check", "--format", "json"],
    );
    assert_eq!(run.code, 0, "{}", run.stdout);
    let doc = run.json();
    assert_eq!(doc["errors"], json!([]), "{doc:#}");
}

#[test]
fn example_accounts_status_has_the_known_states() {
    let run = folio_on(
        Path::new(&example()),
        &["--as-of", "2026-11-23", "status", "--format", "json"],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let doc = run.json();
    let find = |n: &str| {
        doc["invoices"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["number"] == n)
            .unwrap_or_else(|| panic!("no {n}"))
            .clone()
    };
    assert_includes(
        &find("INV-2026-0019"),
        &json!({"state":"open","stage":"pause"}),
    );
    assert_includes(&find("INV-2026-0022"), &json!({"state":"on_hold"}));
    assert_includes(&find("INV-2026-0021"), &json!({"state":"promised"}));
    assert_includes(&find("INV-2026-0020"), &json!({"broken_promises":1}));
    assert_includes(
        &find("INV-2026-0025"),
        &json!({"policy":"gradual","currency":"GBP"}),
    );
    assert_includes(
        &find("INV-2026-0007"),
        &json!({"state":"void","stage":null}),
    );
    assert_includes(&find("INV-2026-0031"), &json!({"state":"draft"}));
    assert_eq!(doc["invoices"].as_array().unwrap().len(), 31);
    // The table works too.
    let table = folio_on(Path::new(&example()), &["--as-of", "2026-11-23", "status"]);
    assert_eq!(table.code, 0);
    assert!(table.stdout.contains("INV-2026-0019"));
}

/// Every message template shipped in example-accounts, rendered for a real
/// invoice on that policy.
#[test]
fn every_shipped_message_template_renders() {
    let dir = Path::new(&example()).join("templates/messages");
    let invoice_on = |policy: &str| match policy {
        "agency" => "INV-2026-0019",
        "gradual" => "INV-2026-0025",
        "saas" => "INV-2026-0028",
        other => panic!("no example invoice on policy {other}"),
    };
    let mut rendered = 0;
    for policy in std::fs::read_dir(&dir).unwrap().flatten() {
        let policy_name = policy.file_name().to_string_lossy().into_owned();
        for file in std::fs::read_dir(policy.path()).unwrap().flatten() {
            let stage = file
                .file_name()
                .to_string_lossy()
                .trim_end_matches(".txt")
                .to_string();
            let number = invoice_on(&policy_name);
            let run = folio_on(
                Path::new(&example()),
                &[
                    "--as-of",
                    "2026-11-23",
                    "-q",
                    "remind",
                    number,
                    "--stage",
                    &stage,
                ],
            );
            assert_eq!(run.code, 0, "{policy_name}/{stage}: {}", run.stderr);
            assert!(
                run.stdout.contains(number),
                "{policy_name}/{stage} does not name the invoice:\n{}",
                run.stdout
            );
            assert!(
                !run.stdout.contains("{{") && !run.stdout.contains("{%"),
                "{}",
                run.stdout
            );
            // The text is this file's: its longest line without template
            // syntax appears in the draft.
            let source = std::fs::read_to_string(file.path()).unwrap();
            let literal = source
                .lines()
                .filter(|l| !l.contains('{') && !l.contains('}'))
                .max_by_key(|l| l.len())
                .unwrap_or_default();
            assert!(
                run.stdout.contains(literal.trim()),
                "{policy_name}/{stage}: {literal:?} not in\n{}",
                run.stdout
            );
            rendered += 1;
        }
    }
    assert_eq!(rendered, 14);
}

#[test]
fn tolerance_late_steps_aging_and_skipped_stages() {
    // `tolerance: 1.00`: 0.90 left counts as paid; 1.10 does not.
    let f = Fixture::new();
    f.write(
        "folio.yaml",
        format!("{}tolerance: 1.00\n", common::FOLIO_YAML),
    );
    f.write(
        "accounts/acme/invoices/a.md",
        invoice(
            "A-1",
            "due: 2026-10-22\npayments:\n  - { date: 2026-10-20, amount: 999.10 }\n",
        ),
    );
    f.write(
        "accounts/acme/invoices/b.md",
        invoice(
            "A-2",
            "due: 2026-10-22\npayments:\n  - { date: 2026-10-20, amount: 998.90 }\n",
        ),
    );
    let doc = f.status_json("2026-10-27", &[]);
    assert_includes(
        &doc["invoices"],
        &json!([{"number":"A-1","state":"paid","stage":null,"days_overdue":0},
                {"number":"A-2","state":"open","outstanding":"1.10","stage":"due-notice","days_overdue":5}]),
    );

    // A step logged more than two days after its date is late, not missed.
    let r = row(
        "log:\n  - { date: 2026-10-17, stage: reminder, by: ana }\n  - { date: 2026-10-25, stage: due-notice, by: ana }\n",
        "2026-10-27",
    );
    assert_includes(&r, &json!({"missed":[],"late":["due-notice"]}));

    // Aging buckets by days past due (due 2026-10-22).
    for (as_of, days, bucket) in [
        ("2026-10-22", 0, "current"),
        ("2026-10-23", 1, "1-30"),
        ("2026-11-21", 30, "1-30"),
        ("2026-11-22", 31, "31-60"),
        ("2026-12-21", 60, "31-60"),
        ("2026-12-22", 61, "61-90"),
        ("2027-01-20", 90, "61-90"),
        ("2027-01-21", 91, "90+"),
    ] {
        let r = row("", as_of);
        assert_eq!(
            (
                r["days_overdue"].as_i64().unwrap(),
                r["aging"].as_str().unwrap()
            ),
            (days, bucket),
            "as of {as_of}"
        );
    }

    // Issued after the reminder's date: the reminder is skipped, never reached
    // or missed, and the ladder starts at the due notice.
    let f = Fixture::new();
    f.write(
        FILE,
        "---\nnumber: A-1\nissued: 2026-10-18\ndue: 2026-10-22\namount: 1000\n---\n",
    );
    let r = &f.status_json("2026-10-19", &[])["invoices"][0];
    assert_includes(
        r,
        &json!({"stage":null,"reached":[],"missed":[],"next":{"stage":"due-notice","date":"2026-10-22"}}),
    );
    let r = &f.status_json("2026-10-23", &[])["invoices"][0];
    assert_includes(
        r,
        &json!({"stage":"due-notice","reached":[{"stage":"due-notice","date":"2026-10-22"}],"missed":["due-notice"]}),
    );
}

#[test]
fn policy_and_terms_come_from_the_invoice_then_the_account_then_folio_yaml() {
    let f = Fixture::new();
    f.write(
        "folio.yaml",
        common::FOLIO_YAML
            .replace("default_policy: agency", "default_policy: saas")
            .replace("default_terms: 30 days", "default_terms: net 10"),
    );
    // No account billing: folio.yaml's defaults.
    f.write(
        FILE,
        "---\nnumber: A-1\nissued: 2026-10-01\namount: 1000\n---\n",
    );
    let r = &f.status_json("2026-10-02", &[])["invoices"][0];
    assert_includes(
        r,
        &json!({"policy":"saas","due":"2026-10-11","next":{"stage":"reminder","date":"2026-10-11"}}),
    );
    // The account's billing terms and policy win over the defaults.
    f.write(
        "accounts/acme/account.md",
        common::ACCOUNT.replace(
            "billing:\n",
            "billing:\n  terms: 15 working days\n  policy: gradual\n  calendar: pt\n",
        ),
    );
    let r = &f.status_json("2026-10-02", &[])["invoices"][0];
    // 15 working days from Thursday 1 October: 22 October.
    assert_includes(r, &json!({"policy":"gradual","due":"2026-10-22"}));
    // The invoice's own win over the account's.
    f.write(
        FILE,
        "---\nnumber: A-1\nissued: 2026-10-01\namount: 1000\nterms: 30 days\npolicy: agency\n---\n",
    );
    let r = &f.status_json("2026-10-02", &[])["invoices"][0];
    assert_includes(
        r,
        &json!({"policy":"agency","due":"2026-10-31","next":{"stage":"reminder","date":"2026-10-24"}}),
    );
    // The table says how many invoices it lists.
    let run = f.run(&["--as-of", "2026-10-02", "status"]);
    assert!(
        run.stdout
            .starts_with("As of 2026-10-02: 1 unpaid invoice(s)\n"),
        "{}",
        run.stdout
    );
    let run = f.run(&["--as-of", "2026-10-02", "status", "--all"]);
    assert!(
        run.stdout.starts_with("As of 2026-10-02: 1 invoice(s)\n"),
        "{}",
        run.stdout
    );
    let run = f.run(&["--as-of", "2026-10-02", "-q", "status"]);
    assert!(run.stdout.starts_with("  INVOICE"), "{}", run.stdout);
}
