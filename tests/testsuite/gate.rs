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

#[test]
fn a_site_template_override_that_fails_on_the_records_is_reported_by_check() {
    let f = Fixture::new();
    f.write("handbook/guide.md", "---\ntitle: Guide\n---\nHello.\n");
    for (template, says) in [
        (
            "{% extends \"site/base.html\" %}{% block content %}{{ nope }}{% endblock content %}",
            "nope",
        ),
        (
            "{% extends \"site/base.html\" %}{% block content %}<a href=\"{{ root }}gone.html\">x</a>{% endblock content %}",
            "gone.html",
        ),
    ] {
        f.write("templates/site/page.html", template);
        let (code, doc) = f.check_json(&[]);
        assert_eq!(code, 1, "{doc:#}");
        let e = with_code(&doc, "E030");
        assert_eq!(e.len(), 1, "{doc:#}");
        assert_eq!(e[0]["file"], "templates/site/page.html");
        assert!(e[0]["message"].as_str().unwrap().contains(says), "{doc:#}");
        assert_eq!(build(&f).code, 1);
    }
    f.write(
        "templates/site/page.html",
        "{% extends \"site/base.html\" %}{% block content %}<h1>{{ title }}</h1>{% endblock content %}",
    );
    assert_eq!(f.check_json(&[]).0, 0);
    assert_eq!(build(&f).code, 0);
}

#[test]
fn a_message_template_that_fails_on_the_records_is_reported_by_check() {
    let f = Fixture::new();
    f.write("accounts/acme/invoices/a.md", invoice("INV-1", ""));
    f.write(
        "templates/messages/agency/reminder.txt",
        "Hi {{ contact.name }},\n\n{{ invoice.nmber }} is due.\n",
    );
    let (code, doc) = f.check_json(&[]);
    assert_eq!(code, 1, "{doc:#}");
    let e = with_code(&doc, "E030");
    assert_eq!(e.len(), 1, "{doc:#}");
    assert_eq!(e[0]["file"], "templates/messages/agency/reminder.txt");
    assert!(
        e[0]["message"].as_str().unwrap().contains("INV-1"),
        "{doc:#}"
    );
    assert!(
        e[0]["hint"]
            .as_str()
            .unwrap()
            .contains("folio remind INV-1")
    );
    assert_eq!(build(&f).code, 1);
    // Fixed, the same records publish.
    f.write(
        "templates/messages/agency/reminder.txt",
        "Hi {{ contact.name }},\n\n{{ invoice.number }} is due.\n",
    );
    assert_eq!(f.check_json(&[]).0, 0);
    assert_eq!(build(&f).code, 0);
}

/// Whenever `check` finds no error, `build` succeeds: in process, over the
/// fuzzer's corpus (each file at the place its name says, in a small valid
/// repository) and over repositories made of pieces people write, some
/// valid and some not (handbook names, links, policy names, templates,
/// invoice numbers, folder names).
mod check_passes_means_build_passes {
    use crate::common::{ACCOUNT, FOLIO_YAML, PROJECT};
    use chrono::NaiveDate;
    use folio::app::build::{Options, build, check_all};
    use folio::app::session::{self, AsOf};
    use proptest::prelude::*;
    use std::path::Path;

    fn as_of() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
    }

    /// Checks `root` and, when it has no error, builds it: a build failure
    /// then is a gap in the gate.
    fn gate_holds(root: &Path) -> Result<bool, String> {
        let s = session::open(root, AsOf::Day(as_of())).map_err(|e| e.to_string())?;
        let history = folio::history::read(root);
        // `folio check`'s whole gate, site template overrides included.
        let diags = check_all(&s, &history);
        let errors = diags
            .into_iter()
            .any(|d| d.severity() == folio::diagnostic::Severity::Error);
        if errors {
            return Ok(false);
        }
        let out = root.join("public");
        build(
            root,
            &Options {
                out,
                handbook_only: false,
                as_of: AsOf::Day(as_of()),
            },
        )
        .map(|_| true)
        .map_err(|e| format!("check passed but build failed: {e}"))
    }

    fn write(root: &Path, rel: &str, bytes: &[u8]) {
        let path = root.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }

    fn small_repo(root: &Path) {
        write(root, "folio.yaml", FOLIO_YAML.as_bytes());
        write(root, "accounts/acme/account.md", ACCOUNT.as_bytes());
        write(
            root,
            "accounts/acme/projects/website-redesign.md",
            PROJECT.as_bytes(),
        );
    }

    #[test]
    fn over_the_fuzz_corpus() {
        let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus");
        let mut checked = 0;
        let mut built = 0;
        for entry in walkdir::WalkDir::new(&corpus).sort_by_file_name() {
            let entry = entry.unwrap();
            if !entry.file_type().is_file() {
                continue;
            }
            let rel = entry
                .path()
                .strip_prefix(&corpus)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            let target = crate::bombs::corpus_target(&rel);
            let dir = tempfile::tempdir().unwrap();
            small_repo(dir.path());
            write(dir.path(), &target, &std::fs::read(entry.path()).unwrap());
            checked += 1;
            match gate_holds(dir.path()) {
                Ok(true) => built += 1,
                Ok(false) => {}
                Err(e) => panic!("{rel} at {target}: {e}"),
            }
        }
        assert!(checked >= 79, "{checked}");
        assert!(built >= 5, "valid corpus files are built too: {built}");
    }

    // Each list: names that pass first, then names `check` refuses.
    const HANDBOOK_NAMES: (&[&str], &[&str]) = (
        &["roles", "policies", "index", "handover", "guide-2"],
        &["Roles", "Handover", "con", "a_b", "x y"],
    );
    const LINKS: (&[&str], &[&str]) = (
        &[
            "handover.md",
            "../accounts/acme/account.md",
            "roles/producer/index.html",
            "https://example.com/",
            "#top",
            "policies/agency/",
            "mailto:a@example.com",
        ],
        &["notes.md", "/absolute.html", "../status.json", "x"],
    );
    const POLICY_NAMES: (&[&str], &[&str]) =
        (&["fast", "slow-1", "Fast Track"], &["fast_", "con", "x y"]);
    const TEMPLATES: (&[&str], &[&str]) = (
        &[
            "Hi {{ contact.name }}",
            "{% if next %}{{ next.title }}{% endif %}",
            "{% for i in range(end=3) %}{{ i }}{% endfor %}",
        ],
        &["Hi {{ contact.nme }}", "{{ next.title }}", "{{ oops"],
    );
    const PAGE_TEMPLATES: (&[&str], &[&str]) = (
        &[
            "",
            "{% extends \"site/base.html\" %}{% block content %}<h1>{{ title }}</h1>{{ body | safe }}{% endblock content %}",
        ],
        &[
            "{% extends \"site/base.html\" %}{% block content %}{{ nope }}{% endblock content %}",
            "{% extends \"site/base.html\" %}{% block content %}<a href=\"{{ root }}missing.html\">x</a>{% endblock content %}",
            "{% extends \"site/base.html\" %}{% block content %}{{ slug | upper }}{% endblock content %}",
        ],
    );
    const NUMBERS: (&[&str], &[&str]) = (&["INV-1", "INV/2", "A B 3"], &["con", "#", "Inv-1"]);
    const FOLDERS: (&[&str], &[&str]) = (&["beta", "gamma-2"], &["Beta Co", "b_c"]);

    /// Seven times in eight a piece that passes `check`, so that most
    /// repositories reach the build.
    fn piece(
        (good, bad): (&'static [&'static str], &'static [&'static str]),
    ) -> impl Strategy<Value = &'static str> {
        prop_oneof![7 => prop::sample::select(good), 1 => prop::sample::select(bad)]
    }

    /// Templates fail on data more often than names are wrong: half and half.
    fn template(
        (good, bad): (&'static [&'static str], &'static [&'static str]),
    ) -> impl Strategy<Value = &'static str> {
        prop_oneof![prop::sample::select(good), prop::sample::select(bad)]
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]
        #[test]
        fn over_repositories_people_write(
            page in piece(HANDBOOK_NAMES),
            link in piece(LINKS),
            html_link in piece(LINKS),
            policy in piece(POLICY_NAMES),
            other_policy in piece(POLICY_NAMES).prop_filter("two policies", |p| *p != "slow-1"),
            template in template(TEMPLATES),
            inline in prop::bool::ANY,
            number in piece(NUMBERS),
            other_number in piece(NUMBERS),
            folder in piece(FOLDERS),
            page_template in template(PAGE_TEMPLATES),
        ) {
            let dir = tempfile::tempdir().unwrap();
            let root = dir.path();
            small_repo(root);
            let stage = |t: Option<&str>| format!(
                "    days: calendar\n    stages:\n      - id: reminder\n        offset: -3\n        title: Reminder\n        owner: producer\n{}",
                t.map(|t| format!("        template: {t:?}\n")).unwrap_or_default()
            );
            let yaml = format!(
                "{FOLIO_YAML}policies:\n  {policy:?}:\n{}  slow-1:\n{}  {other_policy:?}:\n{}",
                stage(inline.then_some(template)),
                stage(None),
                stage(None),
            );
            write(root, "folio.yaml", yaml.as_bytes());
            if !inline {
                write(root, "templates/messages/agency/reminder.txt", template.as_bytes());
                write(root, "templates/messages/default.txt", template.as_bytes());
            }
            write(
                root,
                &format!("handbook/{page}.md"),
                format!("---\ntitle: A page\n---\nSee [this]({link}) and <a href=\"{html_link}\">that</a>.\n").as_bytes(),
            );
            write(root, "handbook/handover.md", b"---\ntitle: Handover\n---\nThe brief.\n");
            if !page_template.is_empty() {
                write(root, "templates/site/page.html", page_template.as_bytes());
            }
            let invoice = |n: &str| format!(
                "---\nnumber: {n:?}\nissued: 2026-10-01\namount: 1000\npolicy: {policy:?}\n---\nSee [the brief](../../../handbook/handover.md) and [x]({link}).\n"
            );
            write(root, "accounts/acme/invoices/a.md", invoice(number).as_bytes());
            write(root, "accounts/acme/invoices/b.md", invoice(other_number).as_bytes());
            write(root, &format!("accounts/{folder}/account.md"), ACCOUNT.replace("Acme Corp", "Beta").as_bytes());
            if let Err(e) = gate_holds(root) {
                return Err(TestCaseError::fail(e));
            }
        }
    }
}
