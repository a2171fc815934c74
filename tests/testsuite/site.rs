//! `folio build` on fixture repositories written into temporary folders:
//! the pages and data files, golden calendar.ics and status.json, XSS
//! fixtures, determinism, atomicity and output-folder safety.

use chrono::NaiveDate;
use folio::app::build::{Options, Summary, build};
use folio::app::session::AsOf;
use folio::site::render::BuildError;
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

const FOLIO_YAML: &str = "\
company: Test Agency
currency: EUR
timezone: UTC
site:
  title: Test handbook
  repo_url: https://github.com/test/records
  base_url: https://handbook.example.com/
people:
  ana: { name: Ana Lima, email: ana@example.com, roles: [producer] }
  rui: { name: Rui Costa, email: rui@example.com, roles: [finance, account_manager] }
default_policy: agency
";

const ACCOUNT: &str = "\
---
name: Acme Corp
status: active
since: 2026-01-05
roles:
  producer: ana
  account_manager: rui
billing:
  email: finance@acme.example
  currency: EUR
  policy: agency
contacts:
  - { name: John Doe, email: john@acme.example, role: buyer }
cadence:
  client_sync: monthly
handover:
  why_they_bought: They needed a new website before the spring campaign.
  problem: The old site is slow.
  success: Launch by March.
log:
  - { date: 2026-10-02, kind: client_sync, by: ana, note: Reviewed the roadmap }
---
Relationship notes with a [link to the handbook](https://example.com/docs).
";

const PROJECT: &str = "\
---
name: Website redesign
status: active
start: 2026-09-01
end: 2027-01-31
budget: 24000
milestones:
  - { name: Prepayment, share: 50%, due: 2026-10-01 }
  - { name: Launch, share: 50%, due: 2027-01-31 }
client_tasks:
  - { task: Brand assets, due: 2026-09-10, done: 2026-09-12 }
---
Scope: a faster site.
";

/// SPEC §4's example: due 2026-10-22 on `agency`, 5000 paid on 2026-10-25,
/// the reminder logged, the due notice not.
const INVOICE: &str = "\
---
number: INV-2026/42
project: web
issued: 2026-10-01
due: 2026-10-22
amount: 12000.00
payments:
  - { date: 2026-10-25, amount: 5000, ref: \"TRF 8812\" }
log:
  - { date: 2026-10-15, stage: reminder, channel: slack, by: ana, note: Friendly reminder sent }
---
Prepayment invoice.
";

const PAID: &str = "\
---
number: INV-2026-0001
project: web
issued: 2026-09-01
due: 2026-09-15
amount: 1000
payments:
  - { date: 2026-09-10, amount: 1000 }
---
";

const PAGE_INTRO: &str = "\
---
title: Introduction
order: 1
---
# Introduction

Read [the collection page](collection.md#steps) next.

| Who | What |
| --- | --- |
| Producer | Reminders |

- [x] Done task
- [ ] Open task

A footnote[^1].

[^1]: The note.
";

const PAGE_COLLECTION: &str = "\
---
title: Collection
order: 2
---
## Steps

How we get paid.
";

struct Fixture {
    _tmp: tempfile::TempDir,
    root: PathBuf,
    base: PathBuf,
}

impl Fixture {
    fn new() -> Fixture {
        let tmp = tempfile::tempdir().unwrap();
        let base = tmp.path().to_path_buf();
        let root = base.join("records");
        let f = Fixture {
            _tmp: tmp,
            root,
            base,
        };
        f.write("folio.yaml", FOLIO_YAML);
        f.write("accounts/acme/account.md", ACCOUNT);
        f.write("accounts/acme/projects/web.md", PROJECT);
        f.write("accounts/acme/invoices/inv-42.md", INVOICE);
        f.write("accounts/acme/invoices/inv-1.md", PAID);
        f.write("handbook/intro.md", PAGE_INTRO);
        f.write("handbook/collection.md", PAGE_COLLECTION);
        f
    }

    fn write(&self, rel: &str, text: &str) {
        let p = self.root.join(rel);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, text).unwrap();
    }

    fn out(&self, name: &str) -> PathBuf {
        self.base.join(name)
    }

    fn build_to(&self, out: &Path, handbook_only: bool) -> Result<Summary, BuildError> {
        build(
            &self.root,
            &Options {
                out: out.to_path_buf(),
                handbook_only,
                as_of: AsOf::Day(NaiveDate::from_ymd_opt(2026, 10, 27).unwrap()),
            },
        )
    }
}

/// Every file under `dir` by relative path.
fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    for e in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let e = e.unwrap();
        if e.file_type().is_file() {
            let rel = e
                .path()
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            out.insert(rel, fs::read(e.path()).unwrap());
        }
    }
    out
}

fn text(files: &BTreeMap<String, Vec<u8>>, path: &str) -> String {
    String::from_utf8(
        files
            .get(path)
            .unwrap_or_else(|| panic!("no {path} in {:?}", files.keys()))
            .clone(),
    )
    .unwrap()
}

fn golden(name: &str, actual: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden/site")
        .join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(&path, actual).unwrap();
    }
    let expected = fs::read_to_string(&path)
        .unwrap_or_else(|_| panic!("missing golden file {}", path.display()));
    assert_eq!(
        actual, expected,
        "{name} differs from its golden file (UPDATE_GOLDEN=1 to accept)"
    );
}

#[test]
fn builds_every_page_and_data_file() {
    let f = Fixture::new();
    let out = f.out("site");
    let summary = f.build_to(&out, false).unwrap();
    let files = snapshot(&out);
    for page in [
        ".folio-site",
        "index.html",
        "actions/index.html",
        "accounts/index.html",
        "accounts/acme/index.html",
        "invoices/inv-2026-42/index.html",
        "invoices/inv-2026-0001/index.html",
        "handbook/index.html",
        "handbook/intro/index.html",
        "handbook/collection/index.html",
        "handbook/policies/agency/index.html",
        "handbook/policies/gradual/index.html",
        "handbook/policies/saas/index.html",
        "handbook/roles/producer/index.html",
        "handbook/roles/account-manager/index.html",
        "search/index.html",
        "calendar.ics",
        "status.json",
        "search-index.json",
        "assets/search-index.js",
        "assets/icon.svg",
        "assets/search.js",
        "assets/site.css",
    ] {
        assert!(files.contains_key(page), "missing {page}");
    }
    assert_eq!(summary.files, files.len());
    assert!(summary.pages >= 14);

    let dashboard = text(&files, "index.html");
    assert!(
        dashboard.contains("<svg class=\"aging-chart\""),
        "the dashboard has the inline chart"
    );
    assert!(dashboard.contains("7,000.00 EUR"));
    assert!(dashboard.contains("Missed steps"));
    assert!(dashboard.contains("invoices/inv-2026-42/index.html"));

    let invoice = text(&files, "invoices/inv-2026-42/index.html");
    // Each invoice page shows its own figures (an account's invoice
    // summaries are built once and shared by its page and theirs).
    assert!(invoice.contains("<h1>INV-2026/42 <span class=\"badge state"));
    assert!(invoice.contains("12,000.00 EUR"));
    let paid = text(&files, "invoices/inv-2026-0001/index.html");
    assert!(paid.contains("<h1>INV-2026-0001 <span class=\"badge state state-paid\">"));
    assert!(paid.contains("1,000.00 EUR") && !paid.contains("12,000.00 EUR"));
    for want in [
        "Friendly reminder",
        "Formal notice",
        "Missed: reached, not logged",
        "Next step",
        "TRF 8812",
        "Message draft",
    ] {
        assert!(invoice.contains(want), "invoice page lacks {want:?}");
    }
    assert!(
        invoice.contains("No git history is available"),
        "the page says history is missing"
    );

    let account = text(&files, "accounts/acme/index.html");
    for want in [
        "Ana Lima",
        "John Doe",
        "Website redesign",
        "Prepayment",
        "Unanswered",
        "Timeline",
        "24,000.00 EUR",
    ] {
        assert!(account.contains(want), "account page lacks {want:?}");
    }
    // Warnings quote stages and keys as code, not as Markdown backticks.
    assert!(
        account.contains("reached <code>due-notice</code> (Formal notice)"),
        "the missed step is listed with its stage as code"
    );
    assert!(!account.contains('`'), "no literal backticks on the page");

    let role = text(&files, "handbook/roles/producer/index.html");
    assert!(role.contains("Acme Corp") && role.contains("Ana Lima"));

    let policy = text(&files, "handbook/policies/agency/index.html");
    assert!(policy.contains("7 days before the due date"));
    assert!(policy.contains("Team offloaded"));

    let intro = text(&files, "handbook/intro/index.html");
    assert!(
        intro.contains("href=\"../collection/index.html#steps\""),
        "md links are rewritten"
    );
    assert!(intro.contains("<table>") && intro.contains("type=\"checkbox\""));

    let actions = text(&files, "actions/index.html");
    assert!(actions.contains("Ana Lima"));
    assert!(
        actions.contains("Work paused"),
        "the pause step on 29 Oct is within 14 days"
    );
}

#[test]
fn golden_status_json_and_calendar() {
    let f = Fixture::new();
    let out = f.out("site");
    f.build_to(&out, false).unwrap();
    let files = snapshot(&out);
    // The document `status --format json` prints, on one line; the golden
    // file holds what that command prints, indented for a reader of a diff.
    let status = text(&files, "status.json");
    assert_eq!(status.lines().count(), 1, "status.json is written compact");
    let value: serde_json::Value = serde_json::from_str(&status).unwrap();
    let printed = folio(&f.root, &["status", "--format", "json"]);
    assert_eq!(
        value,
        serde_json::from_slice::<serde_json::Value>(&printed.stdout).unwrap()
    );
    golden("status.json", &String::from_utf8(printed.stdout).unwrap());
    let ics = text(&files, "calendar.ics");
    golden("calendar.ics", &ics);
    // An owner's feed: their steps, each with its details.
    let ana = text(&files, "calendar/ana.ics");
    golden("calendar-ana.ics", &ana);
    assert!(ana.contains("ORGANIZER;CN=\"Ana Lima\":mailto:ana@example.com"));
    assert!(!ana.contains("Rui Costa"));

    // status.json is the `status --format json` document.
    let doc: serde_json::Value = serde_json::from_str(&status).unwrap();
    let inv = doc["invoices"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["number"] == "INV-2026/42")
        .unwrap();
    assert_eq!(inv["outstanding"], "7000.00");
    assert_eq!(inv["stage"], "due-notice");
    assert_eq!(inv["missed"], serde_json::json!(["due-notice"]));

    // RFC 5545: CRLF everywhere, folded at 75 octets, one event per step.
    assert!(
        !ics.replace("\r\n", "").contains('\n'),
        "bare LF in calendar.ics"
    );
    assert!(ics.ends_with("END:VCALENDAR\r\n"));
    for line in ics.split("\r\n") {
        assert!(line.len() <= 75, "line over 75 octets: {line}");
    }
    // The one unpaid invoice has four agency steps; the friendly reminder
    // is a rung it has passed (the due notice is reached too), which only
    // its owner's feed keeps.
    assert_eq!(
        ics.matches("BEGIN:VEVENT").count(),
        3,
        "the current rung and the steps ahead of the one unpaid invoice"
    );
    assert!(!ics.contains("UID:inv-2026-42.reminder@folio"));
    assert!(ana.contains("UID:inv-2026-42.reminder@folio"));
    assert!(ics.contains("UID:inv-2026-42.due-notice@folio"));
}

fn html_pages(files: &BTreeMap<String, Vec<u8>>) -> Vec<(String, String)> {
    files
        .iter()
        .filter(|(p, _)| p.ends_with(".html"))
        .map(|(p, b)| (p.clone(), String::from_utf8(b.clone()).unwrap()))
        .collect()
}

/// Raw tags of `html` (`<name ...>`), lowercased.
fn tags(html: &str) -> Vec<String> {
    let mut out = vec![];
    let mut rest = html;
    while let Some(i) = rest.find('<') {
        rest = &rest[i + 1..];
        if rest.starts_with(|c: char| c.is_ascii_alphabetic()) {
            let end = rest.find('>').unwrap_or(rest.len());
            out.push(rest[..end].to_lowercase());
        }
    }
    out
}

#[test]
fn hostile_text_is_escaped_everywhere() {
    let f = Fixture::new();
    f.write(
        "accounts/acme/account.md",
        &ACCOUNT
            .replace("name: Acme Corp", "name: \"<script>alert(1)</script> Acme \\\"quoted\\\" <img src=x onerror=alert(2)>\"")
            .replace("name: John Doe", "name: \"\\\"><svg onload=alert(3)>\"")
            .replace(
                "Relationship notes",
                "<script>alert(4)</script>\n\n<iframe src=\"https://evil.example\"></iframe>\n\n[click](javascript:alert(5)) <a href=\"JAVASCRIPT:alert(6)\" onclick=\"alert(7)\">x</a> <b onmouseover=\"alert(8)\">bold</b>\n\nRelationship notes",
            ),
    );
    f.write(
        "accounts/acme/invoices/inv-42.md",
        &INVOICE.replace(
            "note: Friendly reminder sent",
            "note: \"<script>alert(9)</script>\"",
        ),
    );
    let out = f.out("site");
    f.build_to(&out, false).unwrap();
    let files = snapshot(&out);
    for (path, html) in html_pages(&files) {
        assert!(
            html.contains("http-equiv=\"Content-Security-Policy\""),
            "{path} lacks the CSP"
        );
        let csp = html
            .split("Content-Security-Policy\" content=\"")
            .nth(1)
            .unwrap();
        assert!(
            !csp.split('"').next().unwrap().contains("unsafe-inline"),
            "{path}: CSP allows inline code"
        );
        for tag in tags(&html) {
            assert!(!tag.starts_with("iframe"), "{path}: iframe survived");
            if tag.starts_with("script") {
                assert!(tag.contains(" src=\""), "{path}: inline script <{tag}>");
            }
            assert!(
                !tag.contains(" style="),
                "{path}: inline style needs unsafe-inline: <{tag}>"
            );
            let handler = tag
                .split_whitespace()
                .skip(1)
                .any(|attr| attr.starts_with("on") && attr.contains('='));
            assert!(!handler, "{path}: event handler in <{tag}>");
            assert!(
                !tag.contains("javascript:"),
                "{path}: javascript: link in <{tag}>"
            );
            if tag.starts_with("a ")
                && (tag.contains("href=\"http:") || tag.contains("href=\"https:"))
            {
                assert!(
                    tag.contains("rel=\"noopener noreferrer\""),
                    "{path}: external link without noopener: <{tag}>"
                );
            }
        }
        for payload in [
            "alert(1)</script>",
            "alert(4)</script>",
            "alert(9)</script>",
        ] {
            assert!(
                !html.contains(&format!("<script>{payload}")),
                "{path}: script payload rendered raw"
            );
        }
    }
    let account = text(&files, "accounts/acme/index.html");
    assert!(
        account.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "names are shown, escaped"
    );
    let index = text(&files, "assets/search-index.js");
    assert!(
        !index.contains("</script>"),
        "the search index cannot close a script"
    );
}

#[test]
fn builds_are_byte_identical() {
    let f = Fixture::new();
    let (a, b) = (f.out("a"), f.out("b"));
    f.build_to(&a, false).unwrap();
    f.build_to(&b, false).unwrap();
    let (sa, sb) = (snapshot(&a), snapshot(&b));
    assert_eq!(sa.keys().collect::<Vec<_>>(), sb.keys().collect::<Vec<_>>());
    for (path, bytes) in &sa {
        assert!(bytes == &sb[path], "{path} differs between two builds");
    }
    // Rebuilding into the same folder replaces it with the same bytes.
    f.build_to(&a, false).unwrap();
    assert!(snapshot(&a) == sa);
}

/// A rebuild links each page the previous site holds byte for byte (the
/// same file, no new copy), writes the pages that changed, and never keeps
/// a file of the old site that someone edited by hand, nor a symlink: the
/// result is the site a build into an empty folder makes.
#[cfg(unix)]
#[test]
fn a_rebuild_links_unchanged_files_and_writes_the_rest() {
    use std::os::unix::fs::MetadataExt;
    let f = Fixture::new();
    let out = f.out("site");
    f.build_to(&out, false).unwrap();
    let inode = |rel: &str| fs::metadata(out.join(rel)).unwrap().ino();
    let (unchanged, changed) = (
        "handbook/collection/index.html",
        "invoices/inv-2026-42/index.html",
    );
    let (edited, linked_away) = ("handbook/intro/index.html", "handbook/index.html");
    let before = (inode(unchanged), inode(changed));
    fs::write(out.join(edited), "edited by hand").unwrap();
    fs::remove_file(out.join(linked_away)).unwrap();
    std::os::unix::fs::symlink(out.join(unchanged), out.join(linked_away)).unwrap();
    f.write(
        "accounts/acme/invoices/inv-42.md",
        &INVOICE.replace("Prepayment invoice.", "Second instalment."),
    );

    f.build_to(&out, false).unwrap();
    assert_eq!(inode(unchanged), before.0, "an unchanged page is linked");
    assert_ne!(inode(changed), before.1, "a changed page is written anew");
    assert!(
        !fs::symlink_metadata(out.join(linked_away))
            .unwrap()
            .is_symlink()
    );
    let fresh = f.out("fresh");
    f.build_to(&fresh, false).unwrap();
    let site = snapshot(&out);
    assert!(
        String::from_utf8_lossy(&site[changed]).contains("Second instalment."),
        "the changed page has the new text"
    );
    assert!(
        site == snapshot(&fresh),
        "a rebuild differs from a fresh build"
    );
}

#[test]
fn a_failed_build_leaves_the_previous_site_untouched() {
    let f = Fixture::new();
    let out = f.out("site");
    f.build_to(&out, false).unwrap();
    let before = snapshot(&out);

    // Records with an error.
    f.write(
        "accounts/acme/invoices/bad.md",
        "---\nnumber: INV-9\nissued: 2026-13-45\namount: -1\n---\n",
    );
    match f.build_to(&out, false) {
        Err(BuildError::Records(d)) => assert!(!d.is_empty()),
        other => panic!("expected a records error, got {other:?}"),
    }
    assert!(snapshot(&out) == before, "the old site changed");
    fs::remove_file(f.root.join("accounts/acme/invoices/bad.md")).unwrap();

    // A broken link produced by a template is a bug in that template: the
    // build fails and names it.
    f.write(
        "templates/site/page.html",
        "{% extends \"site/base.html\" %}{% block content %}<a href=\"missing/page.html\">x</a>{% endblock content %}",
    );
    match f.build_to(&out, false) {
        Err(BuildError::Template {
            name, message: msg, ..
        }) => {
            assert_eq!(name, "site/page.html");
            assert!(msg.contains("handbook/collection/index.html"), "{msg}");
            assert!(msg.contains("template `site/page.html`"), "{msg}");
            assert!(msg.contains("missing/page.html"), "{msg}");
        }
        other => panic!("expected a broken-link failure, got {other:?}"),
    }
    assert!(snapshot(&out) == before, "the old site changed");
    fs::remove_file(f.root.join("templates/site/page.html")).unwrap();

    // No staging folders are left behind.
    let leftovers: Vec<_> = fs::read_dir(&f.base)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().to_string())
        .filter(|n| n.contains("folio-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

/// A link people wrote that points nowhere is a located warning (W013) and
/// marked plain text on the page: the site is still built (issue #15).
#[test]
fn broken_links_people_wrote_are_warnings_and_marked() {
    let f = Fixture::new();
    let out = f.out("site");
    f.write(
        "handbook/collection.md",
        &format!(
            "{PAGE_COLLECTION}\nSee the [notes](notes.md) and [intro](intro.md).\n\n<img src=x>\n"
        ),
    );
    let summary = f.build_to(&out, false).expect("the site is built");
    let w013: Vec<_> = summary
        .warnings
        .iter()
        .filter(|d| d.code.id() == "W013")
        .collect();
    assert_eq!(w013.len(), 2, "{w013:?}");
    assert_eq!(w013[0].file, "handbook/collection.md");
    assert!(w013[0].message.contains("`notes.md`"), "{w013:?}");
    assert!(w013[1].message.contains("`x`"), "{w013:?}");
    assert!(w013[1].pos.line > w013[0].pos.line);
    let page = text(&snapshot(&out), "handbook/collection/index.html");
    assert!(
        page.contains("<span class=\"broken-link\" title=\"broken link: notes.md\">notes</span>"),
        "{page}"
    );
    assert!(page.contains("href=\"../intro/index.html\""), "{page}");
    assert!(!page.contains("src=\"x\""), "{page}");
}

/// `handbook/roles.md` and `handbook/policies.md` introduce the generated
/// indexes of roles and policies (issue #15).
#[test]
fn roles_and_policies_pages_introduce_the_generated_indexes() {
    let f = Fixture::new();
    let out = f.out("site");
    f.write(
        "handbook/roles.md",
        "---\ntitle: Who does what\n---\nEvery account has a [producer](producer/index.html) and more; see the [collection](collection.md).\n",
    );
    f.write(
        "handbook/policies.md",
        "---\ntitle: How we chase payment\n---\nOur ladders, from the gentlest.\n",
    );
    let summary = f.build_to(&out, false).expect("the site is built");
    assert!(
        summary.warnings.iter().all(|d| d.code.id() != "W013"),
        "{:?}",
        summary.warnings
    );
    let files = snapshot(&out);
    let roles = text(&files, "handbook/roles/index.html");
    assert!(roles.contains("Who does what"), "{roles}");
    assert!(roles.contains("href=\"producer/index.html\""), "{roles}");
    assert!(
        roles.contains("href=\"../collection/index.html\""),
        "{roles}"
    );
    assert!(
        roles.contains("Account manager"),
        "the generated list follows: {roles}"
    );
    let policies = text(&files, "handbook/policies/index.html");
    assert!(policies.contains("How we chase payment"), "{policies}");
    assert!(
        policies.contains("handbook/policies/agency/index.html\""),
        "{policies}"
    );
    assert!(!files.contains_key("handbook/roles/roles/index.html"));
}

#[test]
fn dangerous_output_folders_are_refused() {
    let f = Fixture::new();
    let refused = |out: &Path| matches!(f.build_to(out, false), Err(BuildError::Refused(_)));
    assert!(refused(&f.root), "the records root");
    assert!(refused(&f.base), "a folder holding the records");
    assert!(
        refused(&f.root.join("accounts/acme/site")),
        "inside accounts/"
    );

    let holds_records = f.out("other-records");
    fs::create_dir_all(holds_records.join("accounts/acme")).unwrap();
    fs::write(
        holds_records.join("accounts/acme/account.md"),
        "---\nname: A\n---\n",
    )
    .unwrap();
    fs::write(holds_records.join(".folio-site"), "").unwrap();
    assert!(
        refused(&holds_records),
        "records are refused even beside a marker"
    );

    let foreign = f.out("mine");
    fs::create_dir_all(&foreign).unwrap();
    fs::write(foreign.join("thesis.txt"), "years of work").unwrap();
    assert!(refused(&foreign));
    assert_eq!(
        fs::read_to_string(foreign.join("thesis.txt")).unwrap(),
        "years of work"
    );

    // An empty folder, or one folio wrote, is fine; so is public/ inside the records.
    let empty = f.out("empty");
    fs::create_dir_all(&empty).unwrap();
    f.build_to(&empty, false).unwrap();
    f.build_to(&empty, false).unwrap();
    f.build_to(&f.root.join("public"), false).unwrap();
}

#[test]
fn handbook_only_has_no_client_data() {
    let f = Fixture::new();
    let out = f.out("site");
    f.build_to(&out, true).unwrap();
    let files = snapshot(&out);
    for absent in [
        "status.json",
        "calendar.ics",
        "accounts/index.html",
        "actions/index.html",
    ] {
        assert!(
            !files.contains_key(absent),
            "{absent} in a handbook-only build"
        );
    }
    assert!(
        !files
            .keys()
            .any(|p| p.starts_with("accounts/") || p.starts_with("invoices/"))
    );
    assert!(files.contains_key("handbook/policies/agency/index.html"));
    assert!(files.contains_key("handbook/roles/producer/index.html"));
    assert!(files.contains_key("index.html"));
    for (path, bytes) in &files {
        let body = String::from_utf8_lossy(bytes);
        for secret in [
            "Acme",
            "INV-2026",
            "inv-2026",
            "12,000",
            "7,000",
            "John Doe",
            "finance@acme",
        ] {
            assert!(!body.contains(secret), "{path} leaks {secret:?}");
        }
    }
    let role = text(&files, "handbook/roles/producer/index.html");
    assert!(role.contains("Ana Lima"), "people of the agency stay");
}

#[test]
fn invoice_numbers_cannot_escape_the_output() {
    let f = Fixture::new();
    f.write(
        "accounts/acme/invoices/odd.md",
        &PAID.replace("INV-2026-0001", "../../../etc/passwd"),
    );
    let out = f.out("site");
    f.build_to(&out, false).unwrap();
    assert!(out.join("invoices/etc-passwd/index.html").is_file());
    let outside: Vec<_> = fs::read_dir(&f.base)
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert_eq!(outside.len(), 2, "only records/ and site/: {outside:?}");

    f.write(
        "accounts/acme/invoices/odd.md",
        &PAID.replace("INV-2026-0001", "CON"),
    );
    match f.build_to(&out, false) {
        Err(BuildError::Records(d)) => {
            assert!(d.iter().any(|d| d.file.ends_with("odd.md")), "{d:?}")
        }
        other => panic!("a reserved name must be refused, got {other:?}"),
    }
    f.write(
        "accounts/acme/invoices/odd.md",
        &PAID.replace("INV-2026-0001", "\"//\""),
    );
    assert!(
        matches!(f.build_to(&out, false), Err(BuildError::Records(_))),
        "an empty slug must be refused"
    );
}

#[test]
fn search_index_points_at_real_pages() {
    let f = Fixture::new();
    let out = f.out("site");
    f.build_to(&out, false).unwrap();
    let files = snapshot(&out);
    let index: serde_json::Value =
        serde_json::from_str(&text(&files, "search-index.json")).unwrap();
    let items = index.as_array().unwrap();
    for kind in ["account", "project", "invoice", "page", "policy", "role"] {
        assert!(
            items.iter().any(|i| i["k"] == kind),
            "no {kind} in the index"
        );
    }
    for i in items {
        let u = i["u"].as_str().unwrap();
        let path = u.split('#').next().unwrap();
        assert!(files.contains_key(path), "index points at missing {u}");
    }
    // The search box loads a small manifest, then the shards a query needs:
    // together they hold every item.
    let js = text(&files, "assets/search-index.js");
    assert!(js.starts_with("window.FOLIO_SEARCH_INDEX = {"), "{js}");
    let shards: String = files
        .keys()
        .filter(|p| p.starts_with("assets/search/i-"))
        .map(|p| text(&files, p))
        .collect();
    for i in items {
        let row = serde_json::to_string(&[&i["t"], &i["k"], &i["d"], &i["u"]]).unwrap();
        assert!(shards.contains(&row), "{row} is in a shard");
    }
    let page = text(&files, "accounts/acme/index.html");
    assert!(
        page.contains("id=\"search\"")
            && page.contains("type=\"search\"")
            && page.contains("id=\"search-results\"")
    );
    assert!(page.contains("src=\"../../assets/search.js\""));
}

#[test]
fn repository_templates_override_built_ins() {
    let f = Fixture::new();
    let base = include_str!("../../templates/site/base.html");
    f.write(
        "templates/site/base.html",
        &base.replace(
            "<main id=\"main\"",
            "<p class=\"house-banner\">House style</p><main id=\"main\"",
        ),
    );
    let out = f.out("site");
    f.build_to(&out, false).unwrap();
    assert!(
        fs::read_to_string(out.join("handbook/index.html"))
            .unwrap()
            .contains("House style")
    );

    f.write(
        "templates/site/page.html",
        "{% extends \"site/base.html\" %}{% block content %}{{ oops(\" {% endblock content %}",
    );
    match f.build_to(&out, false) {
        Err(BuildError::Records(d)) => assert!(
            d.iter().any(|d| d.file == "templates/site/page.html"),
            "{d:?}"
        ),
        other => panic!("a broken template must fail the build, got {other:?}"),
    }
}

/// A big generated repository, so the build is still running when killed.
fn big_fixture(f: &Fixture, invoices: usize) {
    for i in 0..invoices {
        let account = format!("client-{:03}", i % 200);
        if i < 200 {
            f.write(
                &format!("accounts/{account}/account.md"),
                &ACCOUNT.replace("Acme Corp", &format!("Client {i}")),
            );
            f.write(&format!("accounts/{account}/projects/web.md"), PROJECT);
        }
        f.write(
            &format!("accounts/{account}/invoices/inv-{i}.md"),
            &INVOICE.replace("INV-2026/42", &format!("INV-{i:06}")),
        );
    }
}

#[test]
fn a_killed_build_leaves_the_previous_site_whole() {
    let f = Fixture::new();
    let out = f.out("site");
    f.build_to(&out, false).unwrap();
    let before = snapshot(&out);
    big_fixture(&f, 4000);
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_folio"))
        .arg("-C")
        .arg(&f.root)
        .args(["--as-of", "2026-10-27", "-q", "build", "--out"])
        .arg(&out)
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Kill it once it is writing its staging folder (or whenever it ends).
    let staging_started = || {
        fs::read_dir(&f.base).unwrap().flatten().any(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with(".site.folio-tmp")
        })
    };
    while !staging_started() && child.try_wait().unwrap().is_none() {
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
    let _ = child.kill();
    let _ = child.wait();
    let after = snapshot(&out);
    if after != before {
        // The build won the race: then the new site must be complete.
        assert!(
            after.contains_key(".folio-site")
                && after.contains_key("index.html")
                && after.contains_key("status.json")
        );
        assert!(after.keys().filter(|k| k.starts_with("invoices/")).count() >= 4000);
    }
    // The next build cleans up what the killed one left and succeeds.
    f.build_to(&out, false).unwrap();
    let leftovers: Vec<String> = fs::read_dir(&f.base)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| name.contains("folio-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

fn folio(root: &Path, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_folio"))
        .arg("-C")
        .arg(root)
        .args(["--as-of", "2026-10-27", "--color", "never"])
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn the_command_line_builds_into_public_and_reports_failures() {
    let f = Fixture::new();
    let ok = folio(&f.root, &["build"]);
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    assert!(
        f.root.join("public/index.html").is_file(),
        "a relative --out is inside -C DIR"
    );
    assert!(String::from_utf8_lossy(&ok.stderr).contains("built "));

    let refused = folio(&f.root, &["build", "--out", "."]);
    assert_eq!(
        refused.status.code(),
        Some(2),
        "refusing --out is a usage error"
    );
    assert!(String::from_utf8_lossy(&refused.stderr).contains("records repository"));

    f.write(
        "accounts/acme/invoices/bad.md",
        "---\nnumber: X\nissued: 2026-10-01\namount: \"12,000\"\n---\n",
    );
    let broken = folio(&f.root, &["build"]);
    assert_eq!(broken.status.code(), Some(1), "records with errors exit 1");
    let stderr = String::from_utf8_lossy(&broken.stderr);
    assert!(stderr.contains("accounts/acme/invoices/bad.md"), "{stderr}");
    assert!(
        f.root.join("public/index.html").is_file(),
        "the previous site stays"
    );
}

/// The site a build replaces is removed by a process of its own, after the
/// build has returned (issue #17): eventually nothing is left beside it.
#[test]
fn the_replaced_site_is_removed_after_the_build_returns() {
    let f = Fixture::new();
    let out = f.out("site");
    for _ in 0..2 {
        let run = folio(&f.root, &["-q", "build", "--out", out.to_str().unwrap()]);
        assert!(
            run.status.success(),
            "{}",
            String::from_utf8_lossy(&run.stderr)
        );
    }
    assert!(out.join("index.html").is_file() && out.join(".folio-site").is_file());
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        let left: Vec<String> = fs::read_dir(&f.base)
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().to_string())
            .filter(|n| n.contains("folio-"))
            .collect();
        if left.is_empty() {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "never removed: {left:?}"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}
