//! `folio check` is the whole gate (issue #15): whatever `build` would
//! refuse, `check` reports first, with the same code, at the file, line and
//! column that cause it; and a link people wrote that points nowhere is a
//! located warning, not a refused site.

use crate::common::{self, Fixture, all_diagnostics, invoice, with_code};
use serde_json::Value;

/// (code, file, line, column) of every diagnostic.
fn located(doc: &Value) -> Vec<(String, String, u64, u64)> {
    all_diagnostics(doc)
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap().to_string(),
                d["file"].as_str().unwrap().to_string(),
                d["line"].as_u64().unwrap(),
                d["column"].as_u64().unwrap(),
            )
        })
        .collect()
}

fn build(f: &Fixture) -> common::Run {
    let out = f.path().join("public");
    f.run_writing(&[
        "--as-of",
        "2026-10-20",
        "build",
        "--out",
        out.to_str().unwrap(),
    ])
}

#[test]
fn roles_and_policies_handbook_pages_pass_check_and_build() {
    let f = Fixture::new();
    f.write(
        "handbook/roles.md",
        "---\ntitle: Roles\n---\nWho does what.\n",
    );
    f.write(
        "handbook/policies.md",
        "---\ntitle: Policies\n---\nOur ladders.\n",
    );
    let (code, doc) = f.check_json(&[]);
    assert_eq!(code, 0, "{doc:#}");
    let run = build(&f);
    assert_eq!(run.code, 0, "{}", run.stderr);
}

#[test]
fn handbook_pages_sharing_a_page_name_are_located() {
    let f = Fixture::new();
    f.write("handbook/handover.md", "---\ntitle: Handover\n---\nA.\n");
    f.write(
        "handbook/Handover.md",
        "---\ntitle: Handover again\n---\nB.\n",
    );
    f.write("handbook/Roles.md", "---\ntitle: Roles again\n---\nC.\n");
    let (code, doc) = f.check_json(&[]);
    assert_eq!(code, 1);
    let found = located(&doc);
    assert!(
        found.contains(&("E023".into(), "handbook/handover.md".into(), 1, 1))
            || found.contains(&("E023".into(), "handbook/Handover.md".into(), 1, 1)),
        "{found:?}"
    );
    assert!(
        found.contains(&("E023".into(), "handbook/Roles.md".into(), 1, 1)),
        "{found:?}"
    );
    assert!(
        with_code(&doc, "E023").iter().any(|d| d["message"]
            .as_str()
            .unwrap()
            .contains("generated `roles` page")),
        "{doc:#}"
    );
    assert_eq!(build(&f).code, 1, "build refuses what check reports");
}

#[test]
fn policies_sharing_a_page_name_are_located_in_folio_yaml() {
    let f = Fixture::new();
    let stage = "    days: calendar\n    stages:\n      - { id: reminder, offset: 0, title: Reminder, owner: producer }\n";
    f.write(
        "folio.yaml",
        format!(
            "{}policies:\n  fast:\n{stage}  fast_:\n{stage}",
            common::FOLIO_YAML
        ),
    );
    let (code, doc) = f.check_json(&[]);
    assert_eq!(code, 1, "{doc:#}");
    let e = with_code(&doc, "E028");
    assert_eq!(e.len(), 1, "{doc:#}");
    assert_eq!(e[0]["file"], "folio.yaml");
    let yaml_lines = common::FOLIO_YAML.lines().count() as u64;
    // At the `days:` of `fast_`, the second policy.
    assert_eq!(e[0]["line"].as_u64().unwrap(), yaml_lines + 7, "{doc:#}");
    assert!(e[0]["message"].as_str().unwrap().contains("`fast_`"));
    assert_eq!(build(&f).code, 1);
}

#[test]
fn a_template_override_that_does_not_parse_is_located() {
    let f = Fixture::new();
    f.write(
        "templates/site/page.html",
        "{% extends \"site/base.html\" %}\n{% block content %}\n{{ body | safe \n{% endblock content %}\n",
    );
    let (code, doc) = f.check_json(&[]);
    assert_eq!(code, 1, "{doc:#}");
    let e = with_code(&doc, "E030");
    assert_eq!(e.len(), 1, "{doc:#}");
    assert_eq!(e[0]["file"], "templates/site/page.html");
    assert!(e[0]["line"].as_u64().unwrap() >= 3, "{doc:#}");
    let run = build(&f);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("E030"), "{}", run.stderr);
}

#[test]
fn broken_links_in_records_are_located_warnings_and_strict_fails() {
    let f = Fixture::new();
    f.write(
        "accounts/acme/invoices/a.md",
        invoice("INV-1", "").replace(
            "Notes.\n",
            "Notes.\n\nSee the [notes](notes.md).\n\nAnd <img src=x>, [the account](../account.md).\n",
        ),
    );
    let (code, doc) = f.check_json(&[]);
    assert_eq!(code, 0, "warnings only: {doc:#}");
    let w = with_code(&doc, "W013");
    let at: Vec<(u64, u64)> = w
        .iter()
        .map(|d| (d["line"].as_u64().unwrap(), d["column"].as_u64().unwrap()))
        .collect();
    // The file: 5 lines of front matter, `Notes.`, a blank line, then the links.
    assert_eq!(at, vec![(8, 9), (10, 5)], "{doc:#}");
    assert!(w.iter().all(|d| d["file"] == "accounts/acme/invoices/a.md"));
    let (strict, _) = f.check_json(&["--strict"]);
    assert_eq!(strict, 1, "--strict fails on a broken link");
    let run = build(&f);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains("W013"),
        "build reports it: {}",
        run.stderr
    );
    let page = std::fs::read_to_string(f.path().join("public/invoices/inv-1/index.html")).unwrap();
    assert!(page.contains("title=\"broken link: notes.md\""), "{page}");
    assert!(
        page.contains("href=\"../../accounts/acme/index.html\""),
        "{page}"
    );
}
