//! `folio init`, `folio new` and `folio schema`: scaffolds are valid records
//! (`check` passes after), invoice numbers continue the sequence, nothing
//! that exists is ever overwritten, and the committed JSON Schemas are
//! what the binary generates.
use crate::common;

use crate::common::{Fixture, folio, invoice, snapshot};
use std::path::Path;

/// `check --format json` has no errors (warnings are allowed: a fresh
/// scaffold may well have steps to take).
fn assert_no_errors(f: &Fixture) {
    let (code, doc) = f.check_json(&[]);
    assert_eq!(doc["errors"], serde_json::json!([]), "{doc:#}");
    assert_eq!(code, 0);
}

#[test]
fn init_creates_a_valid_repository() {
    let f = Fixture::empty();
    let dir = f.path().join("records");
    let run = folio(&["init", dir.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    for rel in [
        "folio.yaml",
        ".gitignore",
        ".github/workflows/folio.yml",
        "handbook/index.md",
    ] {
        assert!(dir.join(rel).is_file(), "init did not create {rel}");
    }
    let accounts: Vec<_> = std::fs::read_dir(dir.join("accounts"))
        .unwrap()
        .flatten()
        .collect();
    assert_eq!(accounts.len(), 1, "one sample account");
    assert!(accounts[0].path().join("account.md").is_file());
    let gitignore = std::fs::read_to_string(dir.join(".gitignore")).unwrap();
    assert!(gitignore.lines().any(|l| l == "/public/"), "{gitignore}");
    assert!(
        gitignore.lines().any(|l| l == "/.folio-cache/"),
        "{gitignore}"
    );
    let workflow = std::fs::read_to_string(dir.join(".github/workflows/folio.yml")).unwrap();
    assert!(
        workflow.contains("folio") && workflow.contains("check"),
        "{workflow}"
    );
    // The new repository checks clean of errors, today and on the demo date.
    for as_of in [None, Some("2026-11-23")] {
        let mut args = vec!["-C", dir.to_str().unwrap()];
        if let Some(d) = as_of {
            args.extend(["--as-of", d]);
        }
        args.extend(["check", "--format", "json"]);
        let run = folio(&args);
        assert_eq!(run.code, 0, "{}", run.stdout);
        assert_eq!(run.json()["errors"], serde_json::json!([]));
    }
    // And status and remind work on it.
    let run = folio(&[
        "-C",
        dir.to_str().unwrap(),
        "--as-of",
        "2026-11-23",
        "status",
        "--format",
        "json",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!run.json()["invoices"].as_array().unwrap().is_empty());
}

#[test]
fn init_with_c_and_no_argument_uses_that_folder() {
    let f = Fixture::empty();
    let run = f.run_writing(&["init"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(f.path().join("folio.yaml").is_file());
}

#[test]
fn init_never_overwrites() {
    // An existing repository is refused outright.
    let f = Fixture::new();
    let before = snapshot(f.path());
    let run = f.run_writing(&["init"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("already has a folio.yaml"),
        "{}",
        run.stderr
    );
    assert_eq!(
        snapshot(f.path()),
        before,
        "nothing may be added to a refused folder"
    );
    // A folder with some of the files: those are kept, the rest created.
    let f = Fixture::empty();
    f.write(
        "handbook/index.md",
        "---\ntitle: Our own index\n---\nMine.\n",
    );
    f.write(".gitignore", "target/\n");
    let run = f.run_writing(&["init"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        f.read("handbook/index.md"),
        b"---\ntitle: Our own index\n---\nMine.\n"
    );
    assert_eq!(f.read(".gitignore"), b"target/\n");
    assert!(
        run.stderr.contains("kept existing handbook/index.md"),
        "{}",
        run.stderr
    );
    assert!(f.path().join("folio.yaml").is_file());
}

#[test]
fn new_account_and_project_are_valid_records() {
    let f = Fixture::new();
    let run = f.run_writing(&["--as-of", "2026-10-27", "new", "account", "globex"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout, "created accounts/globex/account.md\n");
    let text = String::from_utf8(f.read("accounts/globex/account.md")).unwrap();
    assert!(text.starts_with("---\nname: Globex\n"), "{text}");
    let run = f.run_writing(&["new", "project", "globex", "brand-refresh"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        f.path()
            .join("accounts/globex/projects/brand-refresh.md")
            .is_file()
    );
    assert_no_errors(&f);
    let status = f.status_json("2026-10-27", &[]);
    assert!(
        status["accounts"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["account"] == "globex" && a["name"] == "Globex")
    );
}

#[test]
fn new_refuses_bad_names_and_existing_files() {
    let f = Fixture::new();
    for args in [
        &["new", "account", "Globex Inc"][..],
        &["new", "account", "acme"],
        &["new", "project", "nobody", "site"],
        &["new", "project", "acme", "website-redesign"],
        &["new", "project", "acme", "Big_Site"],
        &["new", "invoice", "nobody", "--amount", "10"],
        &["new", "invoice", "acme", "--amount", "12,000.50"],
        &["new", "invoice", "acme", "--amount", "-5"],
        &[
            "new",
            "invoice",
            "acme",
            "--amount",
            "5",
            "--project",
            "nope",
        ],
        &[
            "new",
            "invoice",
            "acme",
            "--amount",
            "5",
            "--issued",
            "2026-02-30",
        ],
    ] {
        // `run` asserts that no file was added or changed.
        let run = f.run(args);
        assert_ne!(run.code, 0, "{args:?} should fail");
        assert!(!run.stderr.is_empty(), "{args:?} should say why");
    }
    let run = f.run(&["new", "account", "acme"]);
    assert!(run.stderr.contains("already exists"), "{}", run.stderr);
}

#[test]
fn new_invoice_takes_the_next_free_number() {
    let f = Fixture::new();
    let new_invoice = |extra: &[&str]| {
        let mut args = vec![
            "--as-of",
            "2026-10-27",
            "new",
            "invoice",
            "acme",
            "--amount",
            "1200.50",
        ];
        args.extend_from_slice(extra);
        f.run_writing(&args)
    };
    // The first of the year.
    let run = new_invoice(&[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        run.stdout,
        "created accounts/acme/invoices/inv-2026-0001.md\n"
    );
    let text = String::from_utf8(f.read("accounts/acme/invoices/inv-2026-0001.md")).unwrap();
    assert!(
        text.starts_with("---\nnumber: INV-2026-0001\nissued: 2026-10-27\namount: 1200.50\n---\n"),
        "{text}"
    );
    // After the highest number of that year, in any account.
    f.write(
        "accounts/beta/account.md",
        common::ACCOUNT.replace("Acme Corp", "Beta"),
    );
    f.write("accounts/beta/invoices/x.md", invoice("INV-2026-0041", ""));
    f.write("accounts/beta/invoices/y.md", invoice("INV-2025-0099", ""));
    let run = new_invoice(&["--project", "website-redesign", "--issued", "2026-10-01"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        run.stdout,
        "created accounts/acme/invoices/inv-2026-0042.md\n"
    );
    let text = String::from_utf8(f.read("accounts/acme/invoices/inv-2026-0042.md")).unwrap();
    assert!(
        text.contains("number: INV-2026-0042\nproject: website-redesign\nissued: 2026-10-01\n"),
        "{text}"
    );
    // A new year starts again at 1.
    let run = new_invoice(&["--issued", "2027-01-04"]);
    assert_eq!(
        run.stdout,
        "created accounts/acme/invoices/inv-2027-0001.md\n"
    );
    assert_no_errors(&f);
    let numbers: Vec<String> = f.status_json("2026-10-27", &[])["invoices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["number"].as_str().unwrap().to_string())
        .collect();
    assert!(
        numbers.contains(&"INV-2026-0042".to_string()),
        "{numbers:?}"
    );
}

#[test]
fn new_invoice_refuses_amounts_that_check_would_refuse() {
    let f = Fixture::new();
    f.write(
        "accounts/beta/account.md",
        common::ACCOUNT.replace("billing:\n", "billing:\n  currency: JPY\n"),
    );
    for (account, amount, why) in [
        ("acme", "--amount=-5", "is not a positive decimal"),
        ("acme", "--amount=0", "is not a positive decimal"),
        ("acme", "--amount=12,000.50", "is not a positive decimal"),
        (
            "acme",
            "--amount=0.001",
            "more decimals than EUR allows (2)",
        ),
        ("beta", "--amount=10.5", "more decimals than JPY allows (0)"),
    ] {
        let run = f.run(&["new", "invoice", account, amount]);
        assert_eq!(run.code, 2, "{amount}: {}", run.stderr);
        assert!(run.stderr.contains(why), "{amount}: {}", run.stderr);
    }
    // What the currency allows is written as given.
    for (account, amount) in [("acme", "0.01"), ("beta", "10"), ("acme", "1200.50")] {
        let run = f.run_writing(&[
            "--as-of",
            "2026-10-27",
            "new",
            "invoice",
            account,
            "--amount",
            amount,
        ]);
        assert_eq!(run.code, 0, "{amount}: {}", run.stderr);
    }
    let text = String::from_utf8(f.read("accounts/acme/invoices/inv-2026-0003.md")).unwrap();
    assert!(text.contains("\namount: 1200.50\n"), "{text}");
    assert_no_errors(&f);
}

#[test]
fn new_invoice_follows_the_company_pattern() {
    let f = Fixture::new();
    f.write(
        "folio.yaml",
        format!(
            "{}invoice_pattern: \"F{{year}}/{{seq:3}}\"\n",
            common::FOLIO_YAML
        ),
    );
    f.write("accounts/acme/invoices/old.md", invoice("F2026/007", ""));
    let run = f.run_writing(&[
        "new",
        "invoice",
        "acme",
        "--amount",
        "10",
        "--issued",
        "2026-11-02",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout, "created accounts/acme/invoices/f2026-008.md\n");
    assert!(
        String::from_utf8(f.read("accounts/acme/invoices/f2026-008.md"))
            .unwrap()
            .contains("number: F2026/008\n")
    );
}

#[test]
fn new_invoice_never_overwrites_a_file_with_its_name() {
    let f = Fixture::new();
    // The file the next number would take holds another invoice.
    f.write(
        "accounts/acme/invoices/inv-2026-0001.md",
        invoice("OTHER-1", ""),
    );
    let run = f.run(&[
        "new",
        "invoice",
        "acme",
        "--amount",
        "10",
        "--issued",
        "2026-10-01",
    ]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("already exists"), "{}", run.stderr);
    assert_eq!(
        f.read("accounts/acme/invoices/inv-2026-0001.md"),
        invoice("OTHER-1", "").as_bytes()
    );
}

// ------------------------------------------------------------------ schema

#[test]
fn committed_schemas_are_up_to_date() {
    let committed = Path::new(env!("CARGO_MANIFEST_DIR")).join("schema");
    let fresh = tempfile::tempdir().unwrap();
    let run = folio(&["schema", "--out", fresh.path().to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let names = |dir: &Path| {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    };
    let fix = "the committed JSON Schemas are stale: run `cargo run -- schema --out schema` and commit schema/";
    assert_eq!(names(&committed), names(fresh.path()), "{fix}");
    for name in names(fresh.path()) {
        let want = std::fs::read(fresh.path().join(&name)).unwrap();
        let have = std::fs::read(committed.join(&name)).unwrap();
        assert!(have == want, "schema/{name} differs; {fix}");
    }
}

#[test]
fn schemas_describe_the_records() {
    let run = folio(&["schema"]);
    assert_eq!(run.code, 0);
    let all = run.json();
    let kinds: Vec<&String> = all.as_object().unwrap().keys().collect();
    assert_eq!(
        kinds,
        ["account", "folio", "handbook", "invoice", "project"]
    );
    let invoice = &all["invoice"];
    assert_eq!(
        invoice["additionalProperties"], false,
        "unknown keys are errors"
    );
    assert_eq!(
        invoice["required"],
        serde_json::json!(["number", "issued", "amount"])
    );
    assert_eq!(all["account"]["required"], serde_json::json!(["name"]));
    assert_eq!(all["folio"]["required"], serde_json::json!(["company"]));
    // Every key the example invoices use is in the schema.
    let example = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("example-accounts/accounts/rota-mobility/invoices");
    for entry in std::fs::read_dir(example).unwrap().flatten() {
        let text = std::fs::read_to_string(entry.path()).unwrap();
        let front = text.split("---\n").nth(1).unwrap();
        for key in front
            .lines()
            .filter(|l| !l.starts_with([' ', '#', '-']) && l.contains(':'))
        {
            let key = key.split(':').next().unwrap();
            assert!(
                invoice["properties"].get(key).is_some(),
                "{key} missing from the invoice schema"
            );
        }
    }
}
