//! `folio diff BASE [HEAD]` (issue #5): both sides read from git objects (or
//! the working tree), compared at one date; and the CI workflow that runs it.
use crate::common;
use crate::git_fixture;

use crate::common::{Fixture, folio, invoice};
use crate::git_fixture::Git;
use serde_json::Value;

const INV1: &str = "accounts/acme/invoices/inv-1.md";
const INV2: &str = "accounts/acme/invoices/inv-2.md";
const INV3: &str = "accounts/acme/invoices/inv-3.md";
const INV4: &str = "accounts/acme/invoices/inv-4.md";

/// Base: INV-1 open and past its pause stage on 2026-11-07, INV-2 broken
/// (a typo), INV-4 open. Head: INV-1 paid, INV-2 fixed, INV-3 new with an
/// unknown project, INV-4 removed. Returns the fixture, the repository and
/// the base and head commit ids.
fn change() -> (Fixture, Git, String, String) {
    let f = Fixture::new();
    f.write(INV1, invoice("INV-1", ""));
    f.write(
        INV2,
        "---\nnumber: INV-2\nissued: 2026-10-01\namout: 500\n---\n",
    );
    f.write(INV4, invoice("INV-4", ""));
    let git = Git::init(f.path());
    let base = git.commit("Ana Lima", "2026-10-01", "Invoices");
    f.write(
        INV1,
        invoice(
            "INV-1",
            "payments:\n  - { date: 2026-11-05, amount: 1000 }\n",
        ),
    );
    f.write(INV2, invoice("INV-2", ""));
    f.write(INV3, invoice("INV-3", "project: nope\n"));
    git.remove(INV4);
    let head = git.commit("Rui Costa", "2026-11-06", "Payments and fixes");
    (f, git, base.to_string(), head.to_string())
}

fn diff_json(f: &Fixture, args: &[&str]) -> Value {
    let mut all = vec!["--as-of", "2026-11-07", "diff", "--format", "json"];
    all.extend_from_slice(args);
    let run = f.run(&all);
    assert_eq!(run.code, 0, "{}", run.stderr);
    run.json()
}

fn invoice_change<'a>(doc: &'a Value, number: &str) -> &'a Value {
    doc["invoices"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["number"] == number)
        .unwrap_or_else(|| panic!("no change for {number}: {doc:#}"))
}

fn codes(list: &Value) -> Vec<(String, String)> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap().to_string(),
                d["file"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn two_revisions_compared_at_one_date() {
    let (f, _git, base, head) = change();
    let doc = diff_json(&f, &[&base, &head]);
    assert_eq!(doc["as_of"], "2026-11-07");
    assert_eq!(doc["base"], base.as_str());
    assert_eq!(doc["records"]["added"], serde_json::json!([INV3]));
    assert_eq!(doc["records"]["removed"], serde_json::json!([INV4]));
    assert_eq!(doc["records"]["changed"], serde_json::json!([INV1, INV2]));

    let paid = invoice_change(&doc, "INV-1");
    assert_eq!(paid["change"], "changed");
    assert_eq!(paid["summary"], "paid; outstanding 1000.00 EUR → 0.00 EUR");
    assert_eq!(paid["before"]["stage"], "pause");
    assert_eq!(paid["after"]["state"], "paid");
    let fixed_invoice = invoice_change(&doc, "INV-2");
    assert_eq!(fixed_invoice["change"], "added");
    assert_eq!(
        fixed_invoice["summary"],
        "readable again (its record had errors): open, 1000.00 EUR outstanding, stage pause"
    );
    let new = invoice_change(&doc, "INV-3");
    assert_eq!(new["change"], "added");
    assert_eq!(
        new["summary"],
        "new: open, 1000.00 EUR outstanding, stage pause"
    );
    assert_eq!(invoice_change(&doc, "INV-4")["change"], "removed");
    assert_eq!(doc["invoices"].as_array().unwrap().len(), 4);

    assert_eq!(
        codes(&doc["errors"]["new"]),
        [("E018".to_string(), INV3.to_string())]
    );
    let fixed = codes(&doc["errors"]["fixed"]);
    assert!(fixed.contains(&("E012".into(), INV2.into())), "{fixed:?}");
    assert!(fixed.iter().all(|(_, file)| file == INV2), "{fixed:?}");
    // INV-1's missed steps are gone now that it is paid; INV-3's are new.
    let fixed_warnings = codes(&doc["warnings"]["fixed"]);
    assert!(
        fixed_warnings.contains(&("W005".into(), INV1.into())),
        "{fixed_warnings:?}"
    );
    assert!(codes(&doc["warnings"]["new"]).contains(&("W005".into(), INV3.into())));
}

#[test]
fn markdown_for_a_pull_request_comment() {
    let (f, _git, base, head) = change();
    let run = f.run(&["--as-of", "2026-11-07", "diff", &base, &head]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let md = run.stdout;
    assert!(md.starts_with("<!-- folio diff -->\n"), "{md}");
    assert!(
        md.contains(&format!("### folio: `{base}` → `{head}`")),
        "{md}"
    );
    assert!(md.contains("as of 2026-11-07"), "{md}");
    assert!(md.contains("| Invoice | Account | Change |"), "{md}");
    assert!(
        md.contains("| `INV-1` | `acme` | paid; outstanding 1000.00 EUR → 0.00 EUR |"),
        "{md}"
    );
    assert!(md.contains("| `INV-4` | `acme` | removed |"), "{md}");
    assert!(md.contains("**Checks:** 1 new error, "), "{md}");
    assert!(
        md.contains(&format!("- `{INV3}:5` E018 unknown project `nope`")),
        "{md}"
    );
    assert!(md.contains("Fixed errors:"), "{md}");
    assert!(
        md.contains("**Records:** 1 added, 2 changed, 1 removed."),
        "{md}"
    );
    assert!(md.contains(&format!("- removed `{INV4}`")), "{md}");
}

#[test]
fn the_working_tree_is_the_default_head_and_is_left_untouched() {
    let (f, _git, _base, head) = change();
    // Uncommitted: INV-1's payment taken back; `Fixture::run` proves no
    // file (the .git folder included) is modified by the diff.
    f.write(INV1, invoice("INV-1", ""));
    let doc = diff_json(&f, &["HEAD"]);
    assert_eq!(doc["head"], "working tree");
    assert_eq!(doc["records"]["changed"], serde_json::json!([INV1]));
    let change = invoice_change(&doc, "INV-1");
    assert_eq!(
        change["summary"],
        "paid → open; stage none → pause; outstanding 0.00 EUR → 1000.00 EUR"
    );
    assert_eq!(doc["invoices"].as_array().unwrap().len(), 1);
    // Revisions by any name git knows.
    let doc = diff_json(&f, &["HEAD~1", &head]);
    assert_eq!(doc["records"]["added"], serde_json::json!([INV3]));
}

#[test]
fn an_invoice_broken_by_the_change_is_not_called_removed() {
    let (f, _git, _base, _head) = change();
    f.write(
        INV1,
        "---\nnumber: INV-1\nissued: 2026-10-01\namount: 1000\nstatsu: open\n---\n",
    );
    let doc = diff_json(&f, &["HEAD"]);
    let broken = invoice_change(&doc, "INV-1");
    assert_eq!(broken["change"], "removed");
    assert_eq!(broken["summary"], "not evaluated: its record has errors");
    assert_eq!(doc["records"]["removed"], serde_json::json!([]));
    assert_eq!(
        codes(&doc["errors"]["new"]),
        [("E012".to_string(), INV1.to_string())]
    );
}

#[test]
fn an_unchanged_head_says_so() {
    let (f, _git, _base, head) = change();
    let run = f.run(&["--as-of", "2026-11-07", "diff", &head]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("No record changes."), "{}", run.stdout);
}

#[test]
fn records_in_a_subfolder_are_compared_in_place() {
    let dir = tempfile::tempdir().unwrap();
    let git = Git::init(dir.path());
    git.write("src/lib.rs", "// code\n");
    git.write("ops/folio.yaml", common::FOLIO_YAML);
    git.write("ops/accounts/acme/account.md", common::ACCOUNT);
    git.write("ops/accounts/acme/invoices/inv-1.md", invoice("INV-1", ""));
    let base = git.commit("Ana Lima", "2026-10-01", "Records").to_string();
    git.write(
        "ops/accounts/acme/invoices/inv-1.md",
        invoice("INV-1", "status: void\n"),
    );
    git.write("src/lib.rs", "// more code\n");
    let head = git
        .commit("Ana Lima", "2026-10-02", "Void INV-1")
        .to_string();
    let ops = dir.path().join("ops");
    let run = folio(&[
        "-C",
        ops.to_str().unwrap(),
        "--as-of",
        "2026-11-07",
        "diff",
        "--format",
        "json",
        &base,
        &head,
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let doc = run.json();
    assert_eq!(
        doc["records"]["changed"],
        serde_json::json!(["accounts/acme/invoices/inv-1.md"])
    );
    // Nobody owes a void invoice (issue #21).
    assert_eq!(
        invoice_change(&doc, "INV-1")["summary"],
        "void; outstanding 1000.00 EUR → 0.00 EUR"
    );
}

#[test]
fn a_base_without_records_adds_everything() {
    let f = Fixture::new();
    let git = Git::init(f.path());
    // A first commit with no records at all.
    let empty = {
        let tree = git.repo.treebuilder(None).unwrap().write().unwrap();
        let tree = git.repo.find_tree(tree).unwrap();
        let sig = git2::Signature::new(
            "Ana",
            "ana@example.com",
            &git2::Time::new(git_fixture::noon("2026-09-01"), 0),
        )
        .unwrap();
        git.repo
            .commit(Some("HEAD"), &sig, &sig, "Empty", &tree, &[])
            .unwrap()
    };
    git.commit("Ana Lima", "2026-10-01", "Records");
    let doc = diff_json(&f, &[&empty.to_string(), "HEAD"]);
    assert_eq!(
        doc["records"]["added"].as_array().unwrap().len(),
        3,
        "{doc:#}"
    );
    // The base's missing folio.yaml was an error; it is fixed.
    assert_eq!(
        codes(&doc["errors"]["fixed"]),
        [("E001".to_string(), "folio.yaml".to_string())]
    );
}

#[test]
fn bad_revisions_and_folders_outside_git_exit_2() {
    let (f, _git, _base, _head) = change();
    let run = f.run(&["diff", "no-such-branch"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("unknown revision `no-such-branch`"),
        "{}",
        run.stderr
    );
    assert!(run.stdout.is_empty());
    let run = f.run(&["diff", "HEAD", "HEAD~7"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("`HEAD~7`"), "{}", run.stderr);

    let outside = Fixture::new();
    let run = outside.run(&["diff", "HEAD"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("not in a git repository"),
        "{}",
        run.stderr
    );
}

// ------------------------------------------------------------ CI workflow

/// The workflow `folio init` writes is valid YAML and does what the README
/// promises: check and comment on pull requests, build the sites from main
/// and every day, with the whole history (what goes to Pages is tested in
/// `publish.rs`).
#[test]
fn the_ci_workflow_checks_pull_requests_and_publishes_daily() {
    let f = Fixture::empty();
    let run = f.run_writing(&["init"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let text = String::from_utf8(f.read(".github/workflows/folio.yml")).unwrap();
    let doc: Value = serde_saphyr::from_str(&text).expect("the workflow is valid YAML");
    let on = &doc["on"];
    assert!(on.get("pull_request").is_some(), "{on:#}");
    assert_eq!(on["push"]["branches"], serde_json::json!(["main"]));
    assert!(on["schedule"][0]["cron"].as_str().is_some(), "{on:#}");

    let steps = |job: &str| -> Vec<Value> {
        doc["jobs"][job]["steps"]
            .as_array()
            .unwrap_or_else(|| panic!("no job {job}"))
            .clone()
    };
    let runs = |job: &str| -> String {
        steps(job)
            .iter()
            .filter_map(|s| s["run"].as_str())
            .collect::<Vec<_>>()
            .join("\n")
    };
    let full_history = |job: &str| {
        steps(job).iter().any(|s| {
            s["uses"]
                .as_str()
                .is_some_and(|u| u.starts_with("actions/checkout@"))
                && s["with"]["fetch-depth"] == 0
        })
    };
    assert!(runs("check").contains("check --format github"));
    assert!(runs("check").contains("diff \"origin/$BASE_REF\" HEAD"));
    assert!(full_history("check") && full_history("status") && full_history("pages"));
    assert!(runs("status").contains(" build --out"));
    assert!(runs("pages").contains(" build --handbook-only --out"));
    assert!(runs("pages").contains("cargo install --locked --git"));
    assert!(steps("pages").iter().any(|s| {
        s["uses"]
            .as_str()
            .is_some_and(|u| u.starts_with("actions/deploy-pages@"))
    }));
}
