//! `folio reconcile`: camt.053 statements of every version and CSV exports
//! written in the tests, matched to a fixture's invoices; `--apply` through
//! the pay edit; running twice changes nothing; bad input writes nothing.

use crate::common::{self, Fixture};
use serde_json::{Value, json};

const AS_OF: &str = "2026-10-27";

/// Invoices A-1 (1000 EUR), A-2 (500 EUR), A-3 (700 EUR, 200 paid with
/// ref OLD-1) and G-1 (900 GBP).
fn fixture() -> Fixture {
    let f = Fixture::new();
    f.write("accounts/acme/invoices/a-1.md", common::invoice("A-1", ""));
    f.write(
        "accounts/acme/invoices/a-2.md",
        "---\nnumber: A-2\nissued: 2026-10-01\namount: 500\npayments: []\n---\n",
    );
    f.write(
        "accounts/acme/invoices/a-3.md",
        "---\nnumber: A-3\nissued: 2026-10-01\namount: 700\npayments:\n  - date: 2026-10-10 # first half\n    amount: 200\n    ref: OLD-1\n---\nBody.\n",
    );
    f.write(
        "accounts/acme/invoices/g-1.md",
        common::invoice("G-1", "currency: GBP\n"),
    );
    f
}

/// One camt `<Ntry>` in the shape of `version` (.001.02 to .001.08).
fn entry(version: u32, amount: &str, ccy: &str, dir: &str, reference: &str, text: &str) -> String {
    let status = if version >= 6 {
        "<Sts><Cd>BOOK</Cd></Sts>"
    } else {
        "<Sts>BOOK</Sts>"
    };
    let debtor = if version >= 8 {
        "<Dbtr><Pty><Nm>Acme Corp</Nm></Pty></Dbtr>"
    } else {
        "<Dbtr><Nm>Acme Corp</Nm></Dbtr>"
    };
    format!(
        "<Ntry><Amt Ccy=\"{ccy}\">{amount}</Amt><CdtDbtInd>{dir}</CdtDbtInd>{status}\
         <BookgDt><Dt>2026-10-20</Dt></BookgDt><ValDt><Dt>2026-10-21</Dt></ValDt>\
         <AcctSvcrRef>{reference}</AcctSvcrRef><NtryDtls><TxDtls><RltdPties>{debtor}\
         <DbtrAcct><Id><IBAN>PT50000000000000000000001</IBAN></Id></DbtrAcct></RltdPties>\
         <RmtInf><Ustrd>{text}</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>"
    )
}

fn camt(version: u32, entries: &[String]) -> String {
    format!(
        "<?xml version=\"1.0\"?>\n<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.053.001.{version:02}\">\n<BkToCstmrStmt><GrpHdr><MsgId>M</MsgId></GrpHdr><Stmt><Id>S</Id>\n{}\n</Stmt></BkToCstmrStmt></Document>\n",
        entries.join("\n")
    )
}

/// Arguments with file names made absolute (they are read from the
/// working directory, not from -C).
fn absolute(f: &Fixture, args: &[&str]) -> Vec<String> {
    args.iter()
        .map(|a| {
            if a.contains('.') && !a.starts_with('-') && !a.contains("2026") {
                f.path().join(a).to_str().unwrap().to_string()
            } else {
                a.to_string()
            }
        })
        .collect()
}

fn reconcile(f: &Fixture, args: &[&str]) -> common::Run {
    let args = absolute(f, args);
    let mut all = vec![
        "-C",
        f.path().to_str().unwrap(),
        "--color",
        "never",
        "--as-of",
        AS_OF,
        "reconcile",
    ];
    all.extend(args.iter().map(String::as_str));
    common::folio(&all)
}

/// `reconcile ARGS` through `Fixture::run`, which asserts nothing changed.
fn reconcile_unchanged(f: &Fixture, args: &[&str]) -> common::Run {
    let args = absolute(f, args);
    let mut all = vec!["--as-of", AS_OF, "reconcile"];
    all.extend(args.iter().map(String::as_str));
    f.run(&all)
}

fn json_of(f: &Fixture, files: &[&str]) -> Value {
    let mut args: Vec<&str> = files.to_vec();
    args.extend(["--format", "json"]);
    let r = reconcile_unchanged(f, &args);
    assert_eq!(r.code, 0, "{}", r.stderr);
    r.json()
}

#[test]
fn every_camt_version_is_read() {
    for version in 2..=8 {
        let f = fixture();
        let statement = camt(
            version,
            &[
                entry(version, "1000.00", "EUR", "CRDT", "BANK-1", "Invoice A-1"),
                entry(version, "50.00", "EUR", "DBIT", "BANK-2", "Fees A-2"),
            ],
        );
        f.write("stmt.xml", statement);
        let doc = json_of(&f, &["stmt.xml"]);
        assert_eq!(
            doc,
            json!({"matched":[{"invoice":"A-1","amount":"1000.00","currency":"EUR","date":"2026-10-21",
                "ref":"BANK-1","payer":"Acme Corp","evidence":"A-1","overpayment":null,"proposal":false}],
                "unmatched":[],"recorded":[]}),
            "version {version}"
        );
    }
}

#[test]
fn matching_splits_refuses_other_currencies_and_says_why() {
    let f = fixture();
    let statement = camt(
        8,
        &[
            entry(8, "1500", "EUR", "CRDT", "B-1", "a 1 and A-2"),
            entry(8, "900", "EUR", "CRDT", "B-2", "G-1"),
            entry(8, "10", "EUR", "CRDT", "B-3", "thanks"),
            entry(8, "400", "EUR", "CRDT", "B-4", "A-1 A-2"),
            entry(8, "500", "EUR", "CRDT", "B-5", "A-3"),
            entry(8, "600", "EUR", "CRDT", "B-6", "A-3 again, A-12"),
        ],
    );
    f.write("stmt.xml", statement);
    let doc = json_of(&f, &["stmt.xml"]);
    let matched: Vec<(String, String, Value)> = doc["matched"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["invoice"].as_str().unwrap().to_string(),
                m["amount"].as_str().unwrap().to_string(),
                m["overpayment"].clone(),
            )
        })
        .collect();
    assert_eq!(
        matched,
        [
            ("A-1".into(), "1000.00".into(), Value::Null),
            ("A-2".into(), "500.00".into(), Value::Null),
            ("A-3".into(), "500.00".into(), Value::Null),
            ("A-3".into(), "600.00".into(), json!("600.00")),
        ]
    );
    let reasons: Vec<&str> = doc["unmatched"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["reason"].as_str().unwrap())
        .collect();
    assert_eq!(reasons.len(), 3, "{doc:#}");
    assert!(
        reasons[0].starts_with("the currency differs: G-1 is in GBP"),
        "{reasons:?}"
    );
    assert_eq!(reasons[1], "no invoice named");
    assert!(
        reasons[2].starts_with("the amount does not fit"),
        "{reasons:?}"
    );
    assert_eq!(doc["recorded"], json!([]));
}

#[test]
fn apply_records_through_the_pay_edit_and_running_twice_changes_nothing() {
    let f = fixture();
    let statement = camt(
        5,
        &[
            entry(5, "1500", "EUR", "CRDT", "B-1", "A-1, A-2"),
            entry(5, "500", "EUR", "CRDT", "B-5", "A-3"),
            entry(5, "200", "EUR", "CRDT", "OLD-1", "A-3"),
            entry(5, "900", "EUR", "CRDT", "B-9", "A-3 overpaid"),
        ],
    );
    f.write("stmt.xml", &statement);
    let r = reconcile(&f, &["stmt.xml", "--apply"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.contains(
            "applied 3 payment(s) to 3 invoice file(s):\nA-1: paid\nA-2: paid\nA-3: paid\n"
        ),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("applied only with --allow-overpayment"),
        "{}",
        r.stdout
    );
    assert_eq!(
        String::from_utf8(f.read("accounts/acme/invoices/a-3.md")).unwrap(),
        "---\nnumber: A-3\nissued: 2026-10-01\namount: 700\npayments:\n  - date: 2026-10-10 # first half\n    amount: 200\n    ref: OLD-1\n  - date: 2026-10-21\n    amount: 500\n    ref: \"B-5\"\n---\nBody.\n"
    );
    assert_eq!(
        String::from_utf8(f.read("accounts/acme/invoices/a-2.md")).unwrap(),
        "---\nnumber: A-2\nissued: 2026-10-01\namount: 500\npayments: [{ date: 2026-10-21, amount: 500, ref: \"B-1\" }]\n---\n"
    );
    // The second run finds every reference recorded and writes nothing.
    let again = reconcile_unchanged(&f, &["stmt.xml", "--apply", "--format", "json"]);
    assert_eq!(again.code, 0, "{}", again.stderr);
    let doc = again.json();
    assert_eq!(doc["matched"].as_array().unwrap().len(), 1, "{doc:#}");
    assert_eq!(doc["matched"][0]["ref"], "B-9");
    assert_eq!(
        doc["recorded"],
        json!([{"invoice":"A-1","ref":"B-1"},{"invoice":"A-2","ref":"B-1"},
               {"invoice":"A-3","ref":"B-5"},{"invoice":"A-3","ref":"OLD-1"}])
    );
    assert!(
        again.stderr.contains("nothing to apply"),
        "{}",
        again.stderr
    );
}

#[test]
fn overpayments_are_applied_only_when_allowed() {
    let f = fixture();
    f.write(
        "stmt.xml",
        camt(8, &[entry(8, "1200", "EUR", "CRDT", "B-1", "A-1")]),
    );
    let r = reconcile(&f, &["stmt.xml", "--apply", "--allow-overpayment"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("W001"), "{}", r.stderr);
    assert!(r.stdout.contains("A-1: paid"), "{}", r.stdout);
}

const RULES: &str = "delimiter: \";\"\nskip: 1\ndate: { column: \"Data valor\", format: \"%d-%m-%Y\" }\namount: { column: \"Montante\", decimal: \",\" }\ncurrency: { value: EUR }\ntext: [\"Descritivo\", 5]\nref: { column: \"Id\" }\npayer: { column: \"Ordenante\" }\n";

#[test]
fn csv_with_rules() {
    let f = fixture();
    f.write("rules.yaml", RULES);
    f.write(
        "bank.csv",
        "Data valor;Descritivo;Montante;Ordenante;Extra;Id\n21-10-2026;Pagamento;1.000,00;Acme Corp;fatura a-1;C-1\n21-10-2026;Custos;-12,50;;;C-2\n\n22-10-2026;Sem referencia;3,00;;;C-3\n",
    );
    let r = reconcile_unchanged(
        &f,
        &["bank.csv", "--rules", "rules.yaml", "--format", "json"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let doc = r.json();
    assert_eq!(
        doc["matched"],
        json!([{"invoice":"A-1","amount":"1000.00","currency":"EUR","date":"2026-10-21","ref":"C-1",
                "payer":"Acme Corp","evidence":"a-1","overpayment":null,"proposal":false}])
    );
    assert_eq!(doc["unmatched"][0]["text"], "Sem referencia");
    assert_eq!(doc["unmatched"].as_array().unwrap().len(), 1);
}

#[test]
fn bad_input_names_the_file_and_line_and_writes_nothing() {
    let good = entry(8, "1000", "EUR", "CRDT", "B-1", "A-1");
    let cases: Vec<(&str, String, Option<&str>, i32, &str)> = vec![
        ("s.xml", camt(8, std::slice::from_ref(&good))[..200].to_string(), None, 1, "s.xml:"),
        ("s.xml", "<Document><BkToCstmrStmt></Document>".into(), None, 1, "not well-formed XML"),
        ("s.xml", "<?xml version=\"1.0\"?><Invoice xmlns=\"urn:x\"/>".into(), None, 1, "not a camt.053 bank statement"),
        ("s.xml", camt(8, &[good.clone(), entry(8, "1,000", "EUR", "CRDT", "B-2", "A-2")]), None, 1, "s.xml:5: amount `1,000` is not a number"),
        ("s.xml", camt(8, &[good.clone(), good.replace("<Dt>2026-10-21</Dt>", "<Dt>21.10.2026</Dt>")]), None, 1, "s.xml:5: `21.10.2026` is not a date"),
        ("b.csv", "Data valor;Descritivo;Montante;Ordenante;Extra;Id\n21-10-2026;A-1;1000;;;C-1\n2026-10-21;A-2;500;;;C-2\n".into(), Some(RULES), 1, "b.csv:3: date `2026-10-21` does not match `%d-%m-%Y`"),
        ("b.csv", "Data valor;Descritivo;Montante;Ordenante;Extra;Id\n21-10-2026;A-1;1000;;;C-1\n21-10-2026;A-2;abc;;;C-2\n".into(), Some(RULES), 1, "b.csv:3: amount `abc` is not a number"),
        ("b.csv", "Data;Descritivo;Montante;Ordenante;Extra;Id\n21-10-2026;A-1;1000;;;C-1\n".into(), Some(RULES), 1, "rules.yaml: unknown column `Data valor`"),
        ("b.csv", "x\n".into(), Some("delimiter: \";\"\nsep: 1\n"), 1, "rules.yaml: not a CSV rules file"),
        ("b.csv", "Data valor;Descritivo\n".into(), None, 2, "needs --rules"),
    ];
    for (name, content, rules, code, says) in cases {
        let f = fixture();
        f.write(name, &content);
        f.write("ok.xml", camt(8, std::slice::from_ref(&good)));
        let mut args = vec!["ok.xml", name, "--apply"];
        if let Some(r) = rules {
            f.write("rules.yaml", r);
            args.extend(["--rules", "rules.yaml"]);
        }
        let r = reconcile_unchanged(&f, &args);
        assert_eq!(r.code, code, "{says}: {}", r.stderr);
        assert!(r.stderr.contains(says), "{says}: {}", r.stderr);
    }
    let f = fixture();
    let r = reconcile_unchanged(&f, &["missing.xml", "--apply"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("cannot read") && r.stderr.contains("missing.xml"),
        "{}",
        r.stderr
    );
}

#[test]
fn an_entry_that_breaks_a_rule_refuses_the_whole_apply() {
    let f = fixture();
    let before_issue = entry(8, "500", "EUR", "CRDT", "B-2", "A-2")
        .replace("<Dt>2026-10-21</Dt>", "<Dt>2026-09-01</Dt>");
    f.write(
        "s.xml",
        camt(
            8,
            &[entry(8, "1000", "EUR", "CRDT", "B-1", "A-1"), before_issue],
        ),
    );
    let r = reconcile_unchanged(&f, &["s.xml", "--apply"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr.contains("E021 payment-before-issue"),
        "{}",
        r.stderr
    );
}

#[test]
fn the_example_statements_match_the_example_agency() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("example-accounts");
    let r = common::folio_on(
        &root,
        &[
            "--as-of",
            "2026-11-23",
            "reconcile",
            root.join("bank/statement-2026-11-23.camt053.xml")
                .to_str()
                .unwrap(),
            root.join("bank/extrato-2026-11-23.csv").to_str().unwrap(),
            "--rules",
            root.join("bank/extrato-rules.yaml").to_str().unwrap(),
            "--format",
            "json",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let doc = r.json();
    assert_eq!(doc["matched"].as_array().unwrap().len(), 6, "{doc:#}");
    assert_eq!(doc["matched"][5]["proposal"], true, "{doc:#}");
    assert_eq!(doc["unmatched"].as_array().unwrap().len(), 3, "{doc:#}");
    assert_eq!(
        doc["recorded"],
        json!([{"invoice":"INV-2026-0024","ref":"TRF CO-9032"}])
    );
}

#[test]
fn a_known_payer_naming_no_invoice_is_a_proposal_applied_only_when_asked() {
    let f = fixture();
    f.write(
        "accounts/acme/account.md",
        common::ACCOUNT.replace(
            "billing:\n",
            "billing:\n  payers: [\"PT50 0000 0000 0000 0000 0000 1\"]\n",
        ),
    );
    f.write(
        "s.xml",
        camt(
            8,
            &[
                entry(8, "500", "EUR", "CRDT", "B-1", "thanks"),
                entry(8, "77", "EUR", "CRDT", "B-2", "more"),
            ],
        ),
    );
    let doc = json_of(&f, &["s.xml"]);
    assert_eq!(doc["matched"][0]["invoice"], "A-2", "{doc:#}");
    assert_eq!(doc["matched"][0]["proposal"], true, "{doc:#}");
    assert!(
        doc["unmatched"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("no open invoice of exactly this amount"),
        "{doc:#}"
    );
    let r = reconcile(&f, &["s.xml", "--apply"]);
    assert!(r.stderr.contains("nothing to apply"), "{}", r.stderr);
    let r = reconcile(&f, &["s.xml", "--apply", "--apply-proposals"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("A-2: paid"), "{}", r.stdout);
}
