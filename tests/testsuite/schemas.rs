//! The JSON Schemas (`schema/*.json`, what editors validate against) and
//! `folio check` agree on every rule about a single value: each mutation of
//! a valid record below is refused by both or accepted by both.
//!
//! The schemas are checked with ajv in strict mode (`.ci/run` installs it in
//! `target/ajv`), on each mutated record's front matter read as JSON the way
//! an editor's YAML support reads it. The tests that need node and ajv are
//! ignored, with that reason, by a plain `cargo test`; `.ci/run` runs them
//! with `--include-ignored`, where a missing tool fails them.

use crate::common::Fixture;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::Command;

const FOLIO_YAML: &str = "\
company: Test Agency
currency: EUR
timezone: Europe/Lisbon
default_terms: 30 days
tolerance: 1.00
invoice_pattern: INV-{year}-{seq:4}
calendars:
  pt: { weekend: [sat, sun], holidays: [2026-12-08] }
default_calendar: pt
policies:
  quick: { days: calendar, stages: [{ id: nudge, offset: -2, owner: producer }, { id: call, offset: 3, owner: rui }] }
people:
  ana: { name: Ana Lima, email: ana@example.com, roles: [producer] }
  rui: { name: Rui Costa, roles: [finance] }
";

const ACCOUNT: &str = "\
name: Acme Corp
status: active
since: 2026-01-05
roles: { producer: ana, account_manager: rui }
billing: { email: finance@acme.example, currency: EUR, terms: 15 days, policy: quick }
contacts:
  - { name: John Doe, email: john@acme.example, phone: \"+351 21 000 0000\", role: finance }
cadence: { client_sync: monthly }
handover: { why_they_bought: a, problem: b, success: c, buyer: d, influencers: e, roadblocks: f }
log:
  - { date: 2026-10-02, kind: client_sync, by: ana, note: Kickoff }
";

const PROJECT: &str = "\
name: Website
status: active
start: 2026-09-01
budget: 24000
milestones: [{ name: All, share: 100%, due: 2026-10-01 }]
client_tasks:
  - { task: Brand assets, due: 2026-09-10 }
";

const INVOICE: &str = "\
number: INV-2026-0001
project: website
issued: 2026-10-01
due: 2026-10-31
amount: 2400
currency: EUR
status: open
payments:
  - { date: 2026-10-05, amount: 100, ref: TRF 1 }
promises:
  - { made: 2026-10-06, pay_by: 2026-10-20, note: CFO letter }
holds:
  - { from: 2026-10-07, until: 2026-10-08, reason: Disputed }
extensions:
  - { granted: 2026-10-09, by: rui, days: 7, reason: Travel }
log:
  - { date: 2026-10-10, stage: nudge, channel: email, by: ana, note: Sent }
";

const PAGE: &str = "\
title: Welcome
order: 1
";

#[derive(Clone, Copy, Debug, PartialEq)]
enum Kind {
    Folio,
    Account,
    Project,
    Invoice,
    Page,
}

impl Kind {
    fn base(self) -> &'static str {
        match self {
            Kind::Folio => FOLIO_YAML,
            Kind::Account => ACCOUNT,
            Kind::Project => PROJECT,
            Kind::Invoice => INVOICE,
            Kind::Page => PAGE,
        }
    }

    fn schema(self) -> &'static str {
        match self {
            Kind::Folio => "folio.schema.json",
            Kind::Account => "account.schema.json",
            Kind::Project => "project.schema.json",
            Kind::Invoice => "invoice.schema.json",
            Kind::Page => "handbook.schema.json",
        }
    }
}

/// Whether folio and the schema should both accept the record or both refuse it.
const OK: bool = true;
const REFUSED: bool = false;

use Kind::*;

/// (record, lines that replace a line of the base record, or are added at
/// its end, expected verdict). The lines change a single value each, or
/// two where one value's rule depends on another (an amount's digits on
/// the invoice's currency). See [`mutate`] for which line each replaces.
const MUTATIONS: &[(Kind, &[&str], bool)] = &[
    // Numbers and true/false in text fields are read as the text written.
    (
        Account,
        &["  - { name: John Doe, phone: +351912345678, role: finance }"],
        OK,
    ),
    (Account, &["name: 1234"], OK),
    (Account, &["name: true"], OK),
    (Account, &["name: ~"], REFUSED),
    (Account, &["name: [Acme]"], REFUSED),
    (Account, &["  - { name: John Doe, phone: [1, 2] }"], REFUSED),
    (Account, &["  - { name: John Doe, role: boss }"], REFUSED),
    (
        Account,
        &["  - { date: 2026-10-02, kind: client_sync, note: 42 }"],
        OK,
    ),
    (
        Invoice,
        &["  - { date: 2026-10-05, amount: 100, ref: 1120 }"],
        OK,
    ),
    (
        Invoice,
        &["  - { date: 2026-10-10, stage: nudge, note: 42 }"],
        OK,
    ),
    (
        Invoice,
        &["  - { date: 2026-10-10, stage: nudge, note: 1.5 }"],
        OK,
    ),
    (
        Invoice,
        &["  - { made: 2026-10-06, pay_by: 2026-10-20, note: true }"],
        OK,
    ),
    (Invoice, &["  - { from: 2026-10-07, reason: 12 }"], OK),
    (Folio, &["company: 1"], OK),
    (Folio, &["  ana: { name: Ana Lima, email: 5 }"], OK),
    // Invoice numbers: text with a letter or digit, not a device name.
    (Invoice, &["number: 20260028"], OK),
    (Invoice, &["number: 7"], OK),
    (Invoice, &["number: \"A/1\""], OK),
    (Invoice, &["number: \"\""], REFUSED),
    (Invoice, &["number: \"---\""], REFUSED),
    (Invoice, &["number: CON"], REFUSED),
    (Invoice, &["number: \"lpt1.\""], REFUSED),
    (Invoice, &["number: CONTRACT-1"], OK),
    // Amounts: numbers greater than zero, with the currency's digits.
    (Invoice, &["amount: 0"], REFUSED),
    (Invoice, &["amount: -2400"], REFUSED),
    (Invoice, &["amount: 2400.005"], REFUSED),
    (Invoice, &["amount: 2400.01"], OK),
    (Invoice, &["amount: 2400.5"], OK),
    (Invoice, &["amount: 0.01"], OK),
    (Invoice, &["amount: 1e3"], OK),
    (Invoice, &["amount: \"2400\""], REFUSED),
    (Invoice, &["amount: 12,000.50"], REFUSED),
    (Invoice, &["currency: JPY", "amount: 2400.5"], REFUSED),
    (Invoice, &["currency: JPY", "amount: 2400"], OK),
    (Invoice, &["currency: BHD", "amount: 1.005"], OK),
    (Invoice, &["currency: BHD", "amount: 1.0005"], REFUSED),
    (Invoice, &["currency: CLF", "amount: 1.0005"], OK),
    (Invoice, &["  - { date: 2026-10-05, amount: 0 }"], REFUSED),
    (Invoice, &["  - { date: 2026-10-05, amount: 99.99 }"], OK),
    (
        Invoice,
        &["  - { date: 2026-10-05, amount: 99.999 }"],
        REFUSED,
    ),
    (Project, &["budget: 0"], REFUSED),
    (Project, &["budget: -5"], REFUSED),
    (Project, &["budget: 100.5"], OK),
    (Project, &["budget: \"24000\""], REFUSED),
    (Folio, &["tolerance: 0"], OK),
    (Folio, &["tolerance: -1"], REFUSED),
    (Folio, &["tolerance: \"1\""], REFUSED),
    // Currencies: ISO 4217 codes in capitals.
    (Invoice, &["currency: EURO"], REFUSED),
    (Invoice, &["currency: eur"], REFUSED),
    (Invoice, &["currency: 978"], REFUSED),
    (Invoice, &["currency: USD"], OK),
    (Folio, &["currency: GBP"], OK),
    (Folio, &["currency: XYZ"], REFUSED),
    (Account, &["billing: { currency: EURO }"], REFUSED),
    // Time zones: IANA names.
    (Folio, &["timezone: Europe/Lisbn"], REFUSED),
    (Folio, &["timezone: europe/lisbon"], REFUSED),
    (Folio, &["timezone: UTC"], OK),
    (Folio, &["timezone: America/Argentina/Buenos_Aires"], OK),
    (Folio, &["timezone: 5"], REFUSED),
    // Terms.
    (Folio, &["default_terms: thirty days"], REFUSED),
    (Folio, &["default_terms: net 45"], OK),
    (Folio, &["default_terms: Net 10"], OK),
    (Folio, &["default_terms: 15 working days"], OK),
    (Folio, &["default_terms: 1 day"], OK),
    (Folio, &["default_terms: 3650 days"], OK),
    (Folio, &["default_terms: 3651 days"], REFUSED),
    (Folio, &["default_terms: \"+5 days\""], OK),
    (Folio, &["default_terms: 30 business days"], REFUSED),
    (Folio, &["default_terms: 30"], REFUSED),
    (Invoice, &["terms: -5 days"], REFUSED),
    (Invoice, &["terms: 30 DAYS"], OK),
    (Account, &["billing: { terms: 15 workingdays }"], REFUSED),
    // Shares: 0% to 100%, a number or a percentage.
    (
        Project,
        &["milestones: [{ name: All, share: 150% }]"],
        REFUSED,
    ),
    (
        Project,
        &["milestones: [{ name: All, share: 150 }]"],
        REFUSED,
    ),
    (Project, &["milestones: [{ name: All, share: 100 }]"], OK),
    (Project, &["milestones: [{ name: All, share: 100.0% }]"], OK),
    (
        Project,
        &["milestones: [{ name: All, share: \"100 %\" }]"],
        OK,
    ),
    (
        Project,
        &["milestones: [{ name: All, share: \"100\" }]"],
        REFUSED,
    ),
    (
        Project,
        &["milestones: [{ name: All, share: 1e2% }]"],
        REFUSED,
    ),
    (
        Project,
        &["milestones: [{ name: All, share: -0% }]"],
        REFUSED,
    ),
    // Whole numbers: never in quotes.
    (
        Invoice,
        &["  - { granted: 2026-10-09, days: \"7\" }"],
        REFUSED,
    ),
    (Invoice, &["  - { granted: 2026-10-09, days: 7.0 }"], OK),
    (
        Invoice,
        &["  - { granted: 2026-10-09, days: 7.5 }"],
        REFUSED,
    ),
    (Invoice, &["  - { granted: 2026-10-09, days: -1 }"], REFUSED),
    (Invoice, &["  - { granted: 2026-10-09, days: 3650 }"], OK),
    (
        Invoice,
        &["  - { granted: 2026-10-09, days: 3651 }"],
        REFUSED,
    ),
    (Page, &["order: \"3\""], REFUSED),
    (Page, &["order: 3"], OK),
    (Page, &["order: -3"], OK),
    (Page, &["order: 2.5"], REFUSED),
    (Page, &["title: 2026"], OK),
    (
        Folio,
        &[
            "  quick: { days: calendar, stages: [{ id: nudge, offset: \"-2\" }, { id: call, offset: 3 }] }",
        ],
        REFUSED,
    ),
    (
        Folio,
        &[
            "  quick: { days: calendar, stages: [{ id: nudge, offset: -3650 }, { id: call, offset: 3650 }] }",
        ],
        OK,
    ),
    (
        Folio,
        &[
            "  quick: { days: calendar, stages: [{ id: nudge, offset: -2 }, { id: call, offset: 3651 }] }",
        ],
        REFUSED,
    ),
    // Names that become page addresses, roles, patterns, lists.
    (
        Folio,
        &[
            "  quick: { days: calendar, stages: [{ id: nudge, offset: -2 }, { id: Call, offset: 3 }] }",
        ],
        REFUSED,
    ),
    (
        Folio,
        &["  quick: { days: calendar, stages: [{ id: nudge, offset: -2 }, { id: 2, offset: 3 }] }"],
        OK,
    ),
    (
        Folio,
        &[
            "  quick: { days: calendar, stages: [{ id: nudge, offset: -2 }, { id: call_2, offset: 3 }] }",
        ],
        REFUSED,
    ),
    (Folio, &["  quick: { days: calendar, stages: [] }"], REFUSED),
    (
        Folio,
        &["  ana: { name: Ana Lima, roles: [producer, ceo] }"],
        REFUSED,
    ),
    (Folio, &["  ana: { name: Ana Lima, roles: [finance] }"], OK),
    (Folio, &["  Ana_L: { name: Ana Lima }"], REFUSED),
    (Folio, &["invoice_pattern: INV-{year}"], REFUSED),
    (Folio, &["site: { date_format: \"%-d %B %Y\" }"], OK),
    (Folio, &["site: { date_format: \"%d/%m/%y (%a)\" }"], OK),
    (Folio, &["site: { date_format: \"%H:%M\" }"], REFUSED),
    (Folio, &["site: { date_format: \"%-B\" }"], REFUSED),
    (Folio, &["site: { date_format: \" \" }"], REFUSED),
    (Folio, &["messages: { date_format: \"%Q\" }"], REFUSED),
    (Folio, &["invoice_pattern: \"{seq:3}\""], OK),
    // Dates and enumerations.
    (Invoice, &["issued: 2026-02-30"], REFUSED),
    (Invoice, &["issued: 2026-1-5"], REFUSED),
    (Invoice, &["issued: \"2026-10-01\""], OK),
    (Invoice, &["status: paid"], REFUSED),
    (Invoice, &["status: void"], OK),
];

/// `base` with each of `lines` replacing the line that starts the same
/// way, or added at the end (the base records end with a list or mapping
/// whose entries can be added to). A top-level line replaces the line of
/// its key; an indented entry (`  - { date: 2026-10-05, amount: 0 }`) the
/// one that starts the same up to its first comma.
fn mutate(base: &str, lines: &[&str]) -> String {
    let mut out: Vec<String> = base.lines().map(str::to_owned).collect();
    for line in lines {
        let end = if line.starts_with(' ') {
            line.find(',').or_else(|| line.find(':'))
        } else {
            line.find(':')
        };
        let key = &line[..end.unwrap_or(line.len())];
        match out.iter_mut().find(|l| l.starts_with(key)) {
            Some(l) => *l = (*line).to_owned(),
            None => out.push((*line).to_owned()),
        }
    }
    out.join("\n") + "\n"
}

/// A records repository with `kind`'s record replaced by `front`.
fn repository(kind: Kind, front: &str) -> Fixture {
    let f = Fixture::empty();
    let record = |k: Kind| {
        let text = if k == kind { front } else { k.base() };
        if k == Folio {
            text.to_owned()
        } else {
            format!("---\n{text}---\nBody.\n")
        }
    };
    f.write("folio.yaml", record(Folio));
    f.write("accounts/acme/account.md", record(Account));
    f.write("accounts/acme/projects/website.md", record(Project));
    f.write("accounts/acme/invoices/inv-1.md", record(Invoice));
    f.write("handbook/welcome.md", record(Page));
    f
}

/// Whether `folio check` finds no error in the repository.
fn folio_accepts(f: &Fixture) -> (bool, Vec<String>) {
    let (_, doc) = f.check_json(&[]);
    let errors: Vec<String> = doc["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| format!("{} {}: {}", d["file"], d["code"], d["message"]))
        .collect();
    (errors.is_empty(), errors)
}

/// The front matter as an editor's YAML support gives it to a JSON Schema
/// validator (YAML 1.2: `1_000` and `2026-10-01` are text).
fn as_json(yaml: &str) -> Value {
    let options = serde_saphyr::options! { underscored_numbers_as_strings: true };
    serde_saphyr::from_str_with_options(yaml, options)
        .unwrap_or_else(|e| panic!("test record is not YAML ({e}):\n{yaml}"))
}

/// Where `.ci/run` installs ajv (`target/ajv/node_modules`).
fn ajv_modules() -> PathBuf {
    crate::common::in_target_folder("ajv/node_modules")
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target/ajv/node_modules"))
}

/// Fails the test, saying what to install, when node or ajv is missing:
/// the tests that need them are ignored unless asked for, and a test that
/// was asked to run never passes without them.
fn require_ajv() {
    let node = Command::new("node").arg("--version").output();
    assert!(
        node.is_ok_and(|out| out.status.success()),
        "node is not installed: the JSON Schema tests need it"
    );
    let ajv = ajv_modules();
    assert!(
        ajv.join("ajv").is_dir() && ajv.join("ajv-formats").is_dir(),
        "ajv is not installed in {}: run `{AJV_INSTALL}`",
        ajv.display()
    );
}

const AJV_INSTALL: &str = "npm install --prefix target/ajv ajv@8 ajv-formats";

/// ajv's verdict on each (schema file, record as JSON); every schema in
/// schema/ must compile in strict mode.
fn ajv_verdicts(records: &[(&str, Value)]) -> Vec<(bool, Vec<String>)> {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("records.json");
    let items: Vec<Value> = records
        .iter()
        .map(|(schema, data)| json!({ "schema": schema, "data": data }))
        .collect();
    std::fs::write(&input, serde_json::to_vec(&items).unwrap()).unwrap();
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = Command::new("node")
        .arg(manifest.join("tests/testsuite/ajv/validate.js"))
        .arg(ajv_modules())
        .arg(manifest.join("schema"))
        .arg(&input)
        .output()
        .expect("run node");
    assert!(
        out.status.success(),
        "ajv failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let verdicts: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    verdicts
        .into_iter()
        .map(|v| {
            let errors = v["errors"].as_array().unwrap();
            let errors = errors.iter().map(|e| e.as_str().unwrap().to_owned());
            (v["valid"].as_bool().unwrap(), errors.collect())
        })
        .collect()
}

#[test]
#[ignore = "needs node and ajv: npm install --prefix target/ajv ajv@8 ajv-formats"]
fn the_base_records_are_valid_for_folio_and_the_schemas() {
    require_ajv();
    let (accepted, errors) = folio_accepts(&repository(Folio, FOLIO_YAML));
    assert!(accepted, "folio refuses the base records: {errors:#?}");
    let kinds = [Folio, Account, Project, Invoice, Page];
    let records: Vec<(&str, Value)> = kinds
        .iter()
        .map(|k| (k.schema(), as_json(k.base())))
        .collect();
    for (kind, (valid, errors)) in kinds.iter().zip(ajv_verdicts(&records)) {
        assert!(
            valid,
            "the {kind:?} schema refuses the base record: {errors:#?}"
        );
    }
}

#[test]
#[ignore = "needs node and ajv: npm install --prefix target/ajv ajv@8 ajv-formats"]
fn folio_and_the_schemas_agree_on_every_mutation() {
    require_ajv();
    let mutated: Vec<(Kind, String)> = MUTATIONS
        .iter()
        .map(|(kind, lines, _)| (*kind, mutate(kind.base(), lines)))
        .collect();
    let records: Vec<(&str, Value)> = mutated
        .iter()
        .map(|(kind, yaml)| (kind.schema(), as_json(yaml)))
        .collect();
    let schema_verdicts = ajv_verdicts(&records);
    let folio_verdicts = in_parallel(&mutated, |(kind, yaml)| {
        folio_accepts(&repository(*kind, yaml))
    });
    let mut disagreements = vec![];
    for (((kind, lines, expected), (schema_ok, schema_errors)), (folio_ok, folio_errors)) in
        MUTATIONS.iter().zip(schema_verdicts).zip(folio_verdicts)
    {
        if folio_ok != *expected || schema_ok != *expected {
            disagreements.push(format!(
                "{kind:?} {lines:?}: expected {}, folio {} {folio_errors:?}, schema {} {schema_errors:?}",
                verdict(*expected),
                verdict(folio_ok),
                verdict(schema_ok),
            ));
        }
    }
    assert!(
        disagreements.is_empty(),
        "{} of {} mutations:\n{}",
        disagreements.len(),
        MUTATIONS.len(),
        disagreements.join("\n")
    );
}

#[test]
#[ignore = "needs node and ajv: npm install --prefix target/ajv ajv@8 ajv-formats"]
fn the_example_agency_is_valid_for_the_schemas() {
    require_ajv();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("example-accounts");
    let mut records = vec![(
        "folio.yaml".to_owned(),
        Folio.schema(),
        std::fs::read_to_string(root.join("folio.yaml")).unwrap(),
    )];
    let mut stack = vec![root.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let path = entry.path();
            let rel = path
                .strip_prefix(&root)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let kind = if rel.starts_with("handbook/") {
                Page
            } else if rel.ends_with("/account.md") {
                Account
            } else if rel.contains("/projects/") {
                Project
            } else if rel.contains("/invoices/") {
                Invoice
            } else {
                continue;
            };
            if !rel.ends_with(".md") {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            let front = text.split("---\n").nth(1).unwrap_or_default().to_owned();
            records.push((rel, kind.schema(), front));
        }
    }
    assert!(records.len() > 40, "{} records", records.len());
    let as_values: Vec<(&str, Value)> = records
        .iter()
        .map(|(_, schema, yaml)| (*schema, as_json(yaml)))
        .collect();
    let refused: Vec<String> = records
        .iter()
        .zip(ajv_verdicts(&as_values))
        .filter(|(_, (valid, _))| !valid)
        .map(|((rel, _, _), (_, errors))| format!("{rel}: {errors:?}"))
        .collect();
    assert!(refused.is_empty(), "{}", refused.join("\n"));
}

/// `f` of each item, on a few threads: each folio run mostly waits on the
/// process and the file system.
fn in_parallel<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let chunk = items.len().div_ceil(4).max(1);
    std::thread::scope(|s| {
        let workers: Vec<_> = items
            .chunks(chunk)
            .map(|part| s.spawn(|| part.iter().map(&f).collect::<Vec<R>>()))
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().expect("a worker panicked"))
            .collect()
    })
}

fn verdict(ok: bool) -> &'static str {
    if ok { "accepts" } else { "refuses" }
}
