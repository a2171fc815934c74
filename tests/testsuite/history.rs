//! Git history as the written record (issue #5): per-file commit lists,
//! renames, merges, subfolders, shallow clones and the other odd checkouts,
//! and late log entries (W010) through `folio check`.
use crate::common;
use crate::git_fixture;

use crate::common::{ACCOUNT, FOLIO_YAML, Fixture, PROJECT, invoice};
use crate::git_fixture::Git;
use folio::history::{self, Coverage, History};
use serde_json::Value;
use std::path::Path;

const INVOICE: &str = "accounts/acme/invoices/inv-1.md";
const ACCOUNT_MD: &str = "accounts/acme/account.md";

/// The account with log entries (each a YAML flow mapping) before its
/// closing fence.
fn account_with_log(entries: &[&str]) -> String {
    let log: String = entries.iter().map(|e| format!("  - {e}\n")).collect();
    ACCOUNT.replacen(
        "---\nRelationship",
        &format!("log:\n{log}---\nRelationship"),
        1,
    )
}

/// A records repository at the top of a git repository, with a first
/// commit by Ana on 2026-10-01.
fn records() -> (Fixture, Git) {
    let f = Fixture::new();
    f.write(INVOICE, invoice("INV-1", ""));
    let git = Git::init(f.path());
    git.commit("Ana Lima", "2026-10-01", "Add acme");
    (f, git)
}

fn summaries(history: &History, file: &str) -> Vec<String> {
    history.of(file).iter().map(|c| c.summary.clone()).collect()
}

#[test]
fn each_file_lists_the_commits_that_changed_it_newest_first() {
    let (f, git) = records();
    f.write(
        INVOICE,
        invoice(
            "INV-1",
            "payments:\n  - { date: 2026-10-12, amount: 400 }\n",
        ),
    );
    git.commit("Rui Costa", "2026-10-12", "INV-1: part payment");
    f.write("README.md", "Not a record.\n");
    f.write("templates/site/base.html", "<html></html>\n");
    git.commit("Rui Costa", "2026-10-13", "Docs only");
    f.write(
        ACCOUNT_MD,
        account_with_log(&["{ date: 2026-10-14, kind: call, by: ana }"]),
    );
    git.commit("Ana Lima", "2026-10-14", "Log a call with Acme");

    let h = history::read(f.path());
    assert_eq!(h.coverage, Coverage::Complete);
    assert_eq!(h.note, None);
    assert_eq!(summaries(&h, INVOICE), ["INV-1: part payment", "Add acme"]);
    let newest = &h.of(INVOICE)[0];
    assert_eq!(newest.author, "Rui Costa");
    assert_eq!(newest.email, "rui.costa@example.com");
    assert_eq!(newest.date, "2026-10-12");
    assert_eq!(newest.time, git_fixture::noon("2026-10-12"));
    assert_eq!(newest.id.len(), 40);
    assert_eq!(newest.short, newest.id[..8]);
    assert_eq!(summaries(&h, "folio.yaml"), ["Add acme"]);
    assert!(h.of("README.md").is_empty());
    assert!(h.files.keys().all(|k| !k.starts_with("templates/")));
    // The account's timeline: every commit under its folder, once each.
    let under: Vec<&str> = h
        .under("accounts/acme/")
        .iter()
        .map(|c| c.summary.as_str())
        .collect();
    assert_eq!(
        under,
        ["Log a call with Acme", "INV-1: part payment", "Add acme"]
    );
}

#[test]
fn a_renamed_record_keeps_its_history() {
    let (f, git) = records();
    f.write(INVOICE, invoice("INV-1", "terms: 15 days\n"));
    git.commit("Ana Lima", "2026-10-02", "Terms for INV-1");
    // An exact rename, then a rename with an edit in the same commit.
    git.rename(INVOICE, "accounts/acme/invoices/2026-inv-1.md");
    git.commit("Rui Costa", "2026-10-03", "Rename INV-1 by year");
    let long_notes =
        "Notes that are long enough for the similarity measure to see a rename.\n".repeat(8);
    f.write(
        "accounts/acme/invoices/2026-inv-1.md",
        format!("---\nnumber: INV-1\nissued: 2026-10-01\namount: 1000\nterms: 15 days\n---\n{long_notes}"),
    );
    git.commit("Rui Costa", "2026-10-04", "Notes for INV-1");
    git.rename(
        "accounts/acme/invoices/2026-inv-1.md",
        "accounts/acme/invoices/2026-0001.md",
    );
    f.write(
        "accounts/acme/invoices/2026-0001.md",
        format!("---\nnumber: INV-1\nissued: 2026-10-01\namount: 1000\nterms: 20 days\n---\n{long_notes}"),
    );
    git.commit("Ana Lima", "2026-10-05", "Rename and new terms");

    let h = history::read(f.path());
    assert_eq!(
        summaries(&h, "accounts/acme/invoices/2026-0001.md"),
        [
            "Rename and new terms",
            "Notes for INV-1",
            "Rename INV-1 by year",
            "Terms for INV-1",
            "Add acme"
        ]
    );
    assert!(h.of(INVOICE).is_empty(), "{:?}", summaries(&h, INVOICE));
}

#[test]
fn a_file_recreated_after_a_rename_starts_a_new_history() {
    let (f, git) = records();
    git.rename(INVOICE, "accounts/acme/invoices/old-inv-1.md");
    git.commit("Ana Lima", "2026-10-02", "Move INV-1 aside");
    f.write(INVOICE, invoice("INV-2", ""));
    git.commit("Ana Lima", "2026-10-03", "A new file with the old name");
    let h = history::read(f.path());
    assert_eq!(summaries(&h, INVOICE), ["A new file with the old name"]);
    assert_eq!(
        summaries(&h, "accounts/acme/invoices/old-inv-1.md"),
        ["Move INV-1 aside", "Add acme"]
    );
}

#[test]
fn merges_count_on_the_first_parent_line() {
    let (f, git) = records();
    let base = git.head().unwrap();
    let paid = invoice(
        "INV-1",
        "payments:\n  - { date: 2026-10-09, amount: 1000 }\n",
    );
    f.write(INVOICE, &paid);
    let feature = git.commit_on(
        "refs/heads/feature",
        &[base],
        "Rui Costa",
        "2026-10-09",
        "INV-1 paid",
    );
    f.write(INVOICE, invoice("INV-1", ""));
    f.write(
        ACCOUNT_MD,
        account_with_log(&["{ date: 2026-10-10, kind: call, by: ana }"]),
    );
    let main = git.commit("Ana Lima", "2026-10-10", "Log a call");
    f.write(INVOICE, &paid);
    git.commit_on(
        "HEAD",
        &[main, feature],
        "Ana Lima",
        "2026-10-11",
        "Merge branch 'feature'",
    );

    let h = history::read(f.path());
    assert_eq!(
        summaries(&h, INVOICE),
        ["Merge branch 'feature'", "Add acme"]
    );
    assert_eq!(summaries(&h, ACCOUNT_MD), ["Log a call", "Add acme"]);
    assert_eq!(h.coverage, Coverage::Complete);
}

#[test]
fn a_merged_pull_request_is_named_by_its_title() {
    let (f, git) = records();
    let base = git.head().unwrap();
    f.write(INVOICE, invoice("INV-1", "terms: 10 days\n"));
    let feature = git.commit_on(
        "refs/heads/terms",
        &[base],
        "Rui Costa",
        "2026-10-09",
        "Terms",
    );
    git.commit_on(
        "HEAD",
        &[base, feature],
        "Ana Lima",
        "2026-10-10",
        "Merge pull request #12 from acme/terms\n\nShorter terms for INV-1\n",
    );
    let h = history::read(f.path());
    assert_eq!(
        summaries(&h, INVOICE),
        ["Shorter terms for INV-1", "Add acme"]
    );
}

#[test]
fn records_in_a_subfolder_of_the_repository() {
    let dir = tempfile::tempdir().unwrap();
    let git = Git::init(dir.path());
    git.write("src/main.rs", "fn main() {}\n");
    git.write("ops/records/folio.yaml", FOLIO_YAML);
    git.write("ops/records/accounts/acme/account.md", ACCOUNT);
    git.write(
        "ops/records/accounts/acme/projects/website-redesign.md",
        PROJECT,
    );
    git.write("accounts/other/account.md", ACCOUNT); // outside the records
    git.commit("Ana Lima", "2026-10-01", "Records");
    git.write(
        "ops/records/accounts/acme/invoices/inv-1.md",
        invoice("INV-1", ""),
    );
    git.write("src/main.rs", "fn main() { println!(); }\n");
    git.commit("Rui Costa", "2026-10-02", "Invoice");

    let h = history::read(&dir.path().join("ops/records"));
    assert_eq!(h.coverage, Coverage::Complete);
    assert_eq!(summaries(&h, INVOICE), ["Invoice"]);
    assert_eq!(summaries(&h, ACCOUNT_MD), ["Records"]);
    assert_eq!(
        h.files.keys().collect::<Vec<_>>(),
        [
            ACCOUNT_MD,
            INVOICE,
            "accounts/acme/projects/website-redesign.md",
            "folio.yaml"
        ]
    );
}

#[test]
fn outside_git_and_without_commits_the_history_is_missing() {
    let f = Fixture::new();
    let h = history::read(f.path());
    assert_eq!(h.coverage, Coverage::Missing);
    assert!(
        h.note
            .as_deref()
            .unwrap()
            .contains("not in a git repository"),
        "{:?}",
        h.note
    );

    Git::init(f.path());
    let h = history::read(f.path());
    assert_eq!(h.coverage, Coverage::Missing);
    assert!(
        h.note.as_deref().unwrap().contains("no commits"),
        "{:?}",
        h.note
    );
    // Both still build.
    let run = f.run(&[
        "--as-of",
        "2026-10-27",
        "build",
        "--out",
        "../site-of-empty-repo",
    ]);
    let _ = std::fs::remove_dir_all(f.path().join("../site-of-empty-repo"));
    assert_eq!(run.code, 0, "{}", run.stderr);
}

#[test]
fn a_detached_head_and_uncommitted_changes_read_the_committed_history() {
    let (f, git) = records();
    f.write(INVOICE, invoice("INV-1", "terms: 10 days\n"));
    let second = git.commit("Rui Costa", "2026-10-02", "Terms");
    f.write(INVOICE, invoice("INV-1", "terms: 12 days\n"));
    git.commit("Rui Costa", "2026-10-03", "Other terms");
    git.repo.set_head_detached(second).unwrap();
    // Uncommitted: an edit and a new file.
    f.write(INVOICE, invoice("INV-1", "terms: 14 days\n"));
    f.write("accounts/acme/invoices/inv-2.md", invoice("INV-2", ""));

    let h = history::read(f.path());
    assert_eq!(h.coverage, Coverage::Complete);
    assert_eq!(summaries(&h, INVOICE), ["Terms", "Add acme"]);
    assert!(h.of("accounts/acme/invoices/inv-2.md").is_empty());
}

#[test]
fn a_linked_work_tree_reads_its_own_branch() {
    let (f, git) = records();
    f.write(INVOICE, invoice("INV-1", "terms: 10 days\n"));
    git.commit("Rui Costa", "2026-10-02", "Terms");
    let outside = tempfile::tempdir().unwrap();
    let path = outside.path().join("wt");
    git.repo.worktree("wt", &path, None).unwrap();
    let h = history::read(&path);
    assert_eq!(h.coverage, Coverage::Complete);
    assert_eq!(summaries(&h, INVOICE), ["Terms", "Add acme"]);
}

/// Clones `source` with the given depth over a file:// URL; when libgit2
/// cannot fetch shallowly from a local path, makes the clone shallow by hand
/// the way git records it: `.git/shallow` lists the boundary commits.
fn shallow_clone(source: &Path, target: &Path, depth: usize) -> Git {
    let url = format!("file://{}", source.display());
    let mut fetch = git2::FetchOptions::new();
    fetch.depth(depth as i32);
    let cloned = git2::build::RepoBuilder::new()
        .fetch_options(fetch)
        .clone(&url, target);
    let repo = match cloned {
        Ok(repo) if repo.is_shallow() => return Git { repo },
        _ => {
            let _ = std::fs::remove_dir_all(target);
            git2::build::RepoBuilder::new().clone(&url, target).unwrap()
        }
    };
    let boundary = {
        let mut commit = repo.head().unwrap().peel_to_commit().unwrap();
        for _ in 1..depth {
            commit = commit.parent(0).unwrap();
        }
        commit.id()
    };
    std::fs::write(repo.path().join("shallow"), format!("{boundary}\n")).unwrap();
    Git { repo }
}

#[test]
fn a_shallow_clone_has_a_truncated_history() {
    let (f, git) = records();
    f.write(INVOICE, invoice("INV-1", "terms: 10 days\n"));
    git.commit("Rui Costa", "2026-10-02", "Terms");
    f.write(INVOICE, invoice("INV-1", "terms: 12 days\n"));
    git.commit("Rui Costa", "2026-10-03", "Other terms");

    let target = tempfile::tempdir().unwrap();
    let clone_dir = target.path().join("clone");
    let clone = shallow_clone(f.path(), &clone_dir, 2);
    assert!(clone.repo.is_shallow());
    let h = history::read(&clone_dir);
    assert_eq!(h.coverage, Coverage::Truncated);
    assert!(
        h.note.as_deref().unwrap().contains("shallow"),
        "{:?}",
        h.note
    );
    // The boundary commit's own changes are unknown (its parent is not
    // here), so only the newest commit is listed.
    assert_eq!(summaries(&h, INVOICE), ["Other terms"]);
    assert!(h.of(ACCOUNT_MD).is_empty());
    let run = common::folio(&[
        "-C",
        clone_dir.to_str().unwrap(),
        "--as-of",
        "2026-10-27",
        "check",
        "--format",
        "json",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
}

/// The site of the records at `root` as of 2026-10-27, built into a new
/// temporary folder (kept while the first value lives); the records are
/// checked to be untouched.
fn built_site(root: &Path) -> (tempfile::TempDir, std::path::PathBuf) {
    let out = tempfile::tempdir().unwrap();
    let site = out.path().join("site");
    let run = common::folio_on(
        root,
        &[
            "--as-of",
            "2026-10-27",
            "build",
            "--out",
            site.to_str().unwrap(),
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    (out, site)
}

// ------------------------------------------------------------ late records

fn late_records(f: &Fixture) -> Vec<Value> {
    let (code, doc) = f.check_json(&[]);
    assert_eq!(code, 0, "{doc:#}");
    doc["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|w| w["code"] == "W010")
        .cloned()
        .collect()
}

#[test]
fn a_log_entry_committed_more_than_a_week_late_is_flagged() {
    let (f, git) = records();
    let on_time = "{ date: 2026-10-12, kind: call, by: ana, note: On time }";
    let late = "{ date: 2026-10-02, kind: decision, by: rui, note: Agreed the scope }";
    f.write(ACCOUNT_MD, account_with_log(&[on_time]));
    git.commit("Ana Lima", "2026-10-19", "Log the call"); // 7 days: in time
    f.write(ACCOUNT_MD, account_with_log(&[on_time, late]));
    git.commit("Rui Costa", "2026-10-20", "Log the decision"); // 18 days
    // Fixing the note later does not make the entry new again.
    let late_fixed = "{ date: 2026-10-02, kind: decision, by: rui, note: Agreed the whole scope }";
    f.write(ACCOUNT_MD, account_with_log(&[on_time, late_fixed]));
    git.commit("Ana Lima", "2026-10-26", "Typo");
    // Invoice log: one late entry.
    f.write(
        INVOICE,
        invoice(
            "INV-1",
            "log:\n  - { date: 2026-10-01, channel: email, by: ana, note: Sent }\n",
        ),
    );
    git.commit("Ana Lima", "2026-10-15", "INV-1 sent");
    // Uncommitted entries are never flagged.
    let uncommitted = "{ date: 2026-09-01, kind: call, by: ana }";
    f.write(
        ACCOUNT_MD,
        account_with_log(&[on_time, late_fixed, uncommitted]),
    );

    let warnings = late_records(&f);
    assert_eq!(warnings.len(), 2, "{warnings:#?}");
    let account_warning = &warnings[0];
    assert_eq!(account_warning["file"], ACCOUNT_MD);
    let text = String::from_utf8(f.read(ACCOUNT_MD)).unwrap();
    let line = text.lines().position(|l| l.contains("2026-10-02")).unwrap() + 1;
    assert_eq!(account_warning["line"], line as u64, "{account_warning:#}");
    assert_eq!(account_warning["column"], 13, "{account_warning:#}");
    let message = account_warning["message"].as_str().unwrap();
    assert!(
        message.contains("2026-10-02") && message.contains("2026-10-20"),
        "{message}"
    );
    assert!(
        message.contains("18 days") && message.contains("Rui Costa"),
        "{message}"
    );
    assert_eq!(warnings[1]["file"], INVOICE);
    assert_eq!(warnings[1]["line"], 6);

    // The same through the library, for the site.
    let repo = folio::load::load(f.path());
    let late = history::read(f.path()).late_records(&repo);
    assert_eq!(late.len(), 2);
    assert_eq!(late[0].claimed_date, "2026-10-02");
    assert_eq!(late[0].days_late, 18);
    assert_eq!(late[0].commit.summary, "Log the decision");
    assert_eq!(late[1].commit.summary, "INV-1 sent");

    // The site flags both where it shows them, and lists the warnings.
    let (_out, site) = built_site(f.path());
    let page = |p: &str| std::fs::read_to_string(site.join(p)).unwrap();
    let account = page("accounts/acme/index.html");
    let flag = "<span class=\"badge warn\">recorded late</span> <span class=\"muted\">recorded 18 days later, on 20 Oct 2026 in commit ";
    assert!(account.contains(flag), "{account}");
    assert_eq!(
        account.matches("recorded late</span>").count(),
        2,
        "the decision and INV-1's entry"
    );
    assert!(
        account.contains("late record:"),
        "listed under Needs attention"
    );
    let invoice = page("invoices/inv-1/index.html");
    assert!(
        invoice.contains("Sent <span class=\"badge warn\">recorded late</span> <span class=\"muted\">recorded 14 days later, on 15 Oct 2026"),
        "{invoice}"
    );
    // Commit dates too are written as the site writes dates.
    let history = &invoice[invoice.find("class=\"commits\"").expect("history")..];
    assert!(
        history.contains("<span class=\"commit-date\">15 Oct 2026</span>"),
        "{history}"
    );
    assert!(!history.contains("commit-date\">2026-"), "{history}");
}

#[test]
fn entries_that_came_with_the_file_are_not_judged() {
    // An import of existing records: the account arrives with its history.
    let f = Fixture::new();
    f.write(
        ACCOUNT_MD,
        account_with_log(&["{ date: 2025-03-01, kind: kickoff, by: ana }"]),
    );
    let git = Git::init(f.path());
    git.commit("Ana Lima", "2026-10-01", "Import the accounts");
    assert!(late_records(&f).is_empty());
    // What is added afterwards is judged.
    let entries = [
        "{ date: 2025-03-01, kind: kickoff, by: ana }",
        "{ date: 2026-09-01, kind: call, by: ana }",
    ];
    f.write(ACCOUNT_MD, account_with_log(&entries));
    git.commit("Ana Lima", "2026-10-02", "Log a call");
    let late = late_records(&f);
    assert_eq!(late.len(), 1, "{late:#?}");
    assert!(late[0]["message"].as_str().unwrap().contains("2026-09-01"));
}

#[test]
fn an_entry_whose_date_is_corrected_is_judged_by_the_correcting_commit() {
    let (f, git) = records();
    f.write(
        ACCOUNT_MD,
        account_with_log(&["{ date: 2026-01-05, kind: call, by: ana }"]),
    );
    git.commit("Ana Lima", "2026-10-05", "Log the call");
    f.write(
        ACCOUNT_MD,
        account_with_log(&["{ date: 2026-10-05, kind: call, by: ana }"]),
    );
    git.commit("Ana Lima", "2026-10-06", "Fix the year");
    assert!(late_records(&f).is_empty());
}

#[test]
fn no_late_records_outside_git_or_beyond_a_shallow_history() {
    let f = Fixture::new();
    f.write(
        ACCOUNT_MD,
        account_with_log(&["{ date: 2020-01-01, kind: call, by: ana }"]),
    );
    assert!(late_records(&f).is_empty());

    let (f, git) = records();
    f.write(
        ACCOUNT_MD,
        account_with_log(&["{ date: 2026-01-01, kind: call, by: ana }"]),
    );
    git.commit("Ana Lima", "2026-10-05", "Log an old call");
    f.write(INVOICE, invoice("INV-1", "terms: 10 days\n"));
    git.commit("Ana Lima", "2026-10-06", "Terms");
    f.write(
        ACCOUNT_MD,
        account_with_log(&["{ date: 2026-01-01, kind: call, by: ana, note: x }"]),
    );
    git.commit("Ana Lima", "2026-10-07", "Note");
    assert_eq!(late_records(&f).len(), 1);
    // With only the last two commits the entry's origin is unknown.
    let target = tempfile::tempdir().unwrap();
    let clone_dir = target.path().join("clone");
    shallow_clone(f.path(), &clone_dir, 2);
    let run = common::folio(&[
        "-C",
        clone_dir.to_str().unwrap(),
        "--as-of",
        "2026-10-27",
        "check",
        "--format",
        "json",
    ]);
    assert!(!run.stdout.contains("W010"), "{}", run.stdout);
}

// ------------------------------------------------- through the folio binary

/// `folio history --format json` on the fixture, as JSON.
fn history_json(dir: &Path, extra: &[&str]) -> Value {
    let mut args = vec!["-C", dir.to_str().unwrap(), "history", "--format", "json"];
    args.extend_from_slice(extra);
    let run = common::folio(&args);
    assert_eq!(run.code, 0, "{}", run.stderr);
    run.json()
}

fn json_summaries(doc: &Value, file: &str) -> Vec<String> {
    doc["history"][file]
        .as_array()
        .unwrap_or_else(|| panic!("no history for {file}: {doc:#}"))
        .iter()
        .map(|c| c["summary"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn the_history_command_prints_the_map_and_the_late_records() {
    let (f, git) = records();
    f.write(INVOICE, invoice("INV-1", "terms: 10 days\n"));
    git.commit("Rui Costa", "2026-10-02", "Terms for INV-1");
    git.rename(INVOICE, "accounts/acme/invoices/inv-0001.md");
    git.commit("Rui Costa", "2026-10-03", "Rename INV-1");
    f.write(
        ACCOUNT_MD,
        account_with_log(&["{ date: 2026-09-20, kind: call, by: ana }"]),
    );
    git.commit("Ana Lima", "2026-10-04", "Log a call");

    let doc = history_json(f.path(), &[]);
    assert_eq!(doc["coverage"], "complete");
    assert_eq!(doc["commits"], 4);
    assert_eq!(
        json_summaries(&doc, "accounts/acme/invoices/inv-0001.md"),
        ["Rename INV-1", "Terms for INV-1", "Add acme"]
    );
    assert!(doc["history"].get(INVOICE).is_none(), "{doc:#}");
    let newest = &doc["history"][ACCOUNT_MD][0];
    assert_eq!(newest["author"], "Ana Lima");
    assert_eq!(newest["date"], "2026-10-04");
    assert_eq!(newest["short"].as_str().unwrap().len(), 8);
    let late = doc["late_records"].as_array().unwrap();
    assert_eq!(late.len(), 1, "{doc:#}");
    assert_eq!(late[0]["file"], ACCOUNT_MD);
    assert_eq!(late[0]["claimed_date"], "2026-09-20");
    assert_eq!(late[0]["days_late"], 14);
    assert_eq!(late[0]["commit"]["summary"], "Log a call");

    // --count: the totals only, no records loaded.
    let counted = history_json(f.path(), &["--count"]);
    assert_eq!(counted["commits"], 4);
    assert_eq!(counted["files"], doc["files"]);
    assert!(counted.get("history").is_none() && counted.get("late_records").is_none());
    let run = common::folio(&["-C", f.path().to_str().unwrap(), "history", "--count"]);
    assert!(
        run.stdout.starts_with("4 commits changed 4 record files"),
        "{}",
        run.stdout
    );
}

#[test]
fn the_history_command_reports_shallow_and_missing_history() {
    let (f, git) = records();
    f.write(INVOICE, invoice("INV-1", "terms: 10 days\n"));
    git.commit("Rui Costa", "2026-10-02", "Terms");
    let target = tempfile::tempdir().unwrap();
    let clone_dir = target.path().join("clone");
    shallow_clone(f.path(), &clone_dir, 1);
    let doc = history_json(&clone_dir, &["--count"]);
    assert_eq!(doc["coverage"], "truncated", "{doc:#}");
    assert!(doc["note"].as_str().unwrap().contains("fetch-depth: 0"));
    // The site builds from the shallow clone and says the timeline is partial.
    let (_out, site) = built_site(&clone_dir);
    let account = std::fs::read_to_string(site.join("accounts/acme/index.html")).unwrap();
    assert!(account.contains("The git history is shallow"), "{account}");

    let plain = Fixture::new();
    let doc = history_json(plain.path(), &[]);
    assert_eq!(doc["coverage"], "missing");
    assert_eq!(doc["commits"], 0);
    assert!(
        doc["note"]
            .as_str()
            .unwrap()
            .contains("not in a git repository")
    );
}

#[test]
fn the_site_shows_each_invoice_history_and_the_account_timeline() {
    let (f, git) = records();
    f.write(
        INVOICE,
        invoice(
            "INV-1",
            "payments:\n  - { date: 2026-10-12, amount: 400 }\n",
        ),
    );
    let paid = git.commit("Rui Costa", "2026-10-12", "INV-1: part payment");
    f.write(
        ACCOUNT_MD,
        account_with_log(&["{ date: 2026-10-14, kind: call, by: ana, note: Weekly call }"]),
    );
    git.commit("Ana Lima", "2026-10-14", "Log a call with Acme");

    let (_out, site) = built_site(f.path());
    let page = |rel: &str| std::fs::read_to_string(site.join(rel)).unwrap();

    let invoice_page = page("invoices/inv-1/index.html");
    let short = &paid.to_string()[..8];
    for want in ["INV-1: part payment", "Add acme", "Rui Costa", short] {
        assert!(invoice_page.contains(want), "invoice page lacks {want:?}");
    }
    assert!(!invoice_page.contains("Log a call with Acme"));

    let account_page = page("accounts/acme/index.html");
    for want in [
        "Log a call with Acme",
        "INV-1: part payment",
        "Add acme",
        "Weekly call",
    ] {
        assert!(account_page.contains(want), "account page lacks {want:?}");
    }
    // Newest first: the call's commit before the payment's.
    let call = account_page.find("Log a call with Acme").unwrap();
    let payment = account_page.find("INV-1: part payment").unwrap();
    assert!(call < payment);
}

// ------------------------------------------------------- the cache (issue #7)

/// What `folio history --format json` printed, and how many commits its
/// history pass compared (`None`: none, the cache had the answer).
struct Pass {
    doc: Value,
    compared: Option<usize>,
}

/// `folio history --format json` (map and late records) with the cache, or
/// with `FOLIO_NO_CACHE=1`.
fn pass(dir: &Path, cache: bool) -> Pass {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_folio"));
    cmd.args(["-C", dir.to_str().unwrap(), "--as-of", "2026-10-27"])
        .args(["history", "--format", "json"])
        .env("FOLIO_TIMINGS", "1");
    if cache {
        cmd.env_remove("FOLIO_NO_CACHE");
    } else {
        cmd.env("FOLIO_NO_CACHE", "1");
    }
    let out = cmd.output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let compared = stderr.lines().find_map(|l| {
        let n = l
            .split_once("tree comparisons (")?
            .1
            .split_once(" commits)")?
            .0;
        Some(n.parse().unwrap())
    });
    Pass {
        doc: serde_json::from_slice(&out.stdout).unwrap(),
        compared,
    }
}

/// A cached pass, which must print what a fresh (uncached) pass prints.
fn cached(dir: &Path) -> Pass {
    let fresh = pass(dir, false);
    let cached = pass(dir, true);
    assert_eq!(cached.doc, fresh.doc, "the cached history differs");
    cached
}

fn cache_file(root: &Path) -> std::path::PathBuf {
    root.join(common::CACHE_DIR).join("history")
}

/// Renames, a merge, late and on-time log entries: 6 commits.
fn busy() -> (Fixture, Git) {
    let (f, git) = records();
    let base = git.head().unwrap();
    f.write(INVOICE, invoice("INV-1", "terms: 10 days\n"));
    let feature = git.commit_on(
        "refs/heads/feature",
        &[base],
        "Rui Costa",
        "2026-10-03",
        "Terms",
    );
    f.write(INVOICE, invoice("INV-1", ""));
    f.write(
        ACCOUNT_MD,
        account_with_log(&["{ date: 2026-09-20, kind: call, by: ana }"]),
    );
    let main = git.commit("Ana Lima", "2026-10-04", "Log a call"); // late
    f.write(INVOICE, invoice("INV-1", "terms: 10 days\n"));
    git.commit_on(
        "HEAD",
        &[main, feature],
        "Ana Lima",
        "2026-10-05",
        "Merge pull request #1\n\nINV-1 terms",
    );
    git.rename(INVOICE, "accounts/acme/invoices/2026-inv-1.md");
    git.commit("Rui Costa", "2026-10-06", "Rename INV-1 by year");
    f.write("accounts/acme/invoices/inv-2.md", invoice("INV-2", ""));
    git.commit("Rui Costa", "2026-10-07", "INV-2");
    (f, git)
}

#[test]
fn late_records_read_old_versions_through_the_cache() {
    let (f, _git) = busy();
    // Each pass is compared with an uncached one (`cached`).
    let first = cached(f.path());
    assert_eq!(first.doc["late_records"].as_array().unwrap().len(), 1);
    let logs = f.path().join(common::CACHE_DIR).join("log-keys");
    assert!(logs.exists(), "the logs of old versions are cached");
    let written = std::fs::read(&logs).unwrap();
    let again = cached(f.path());
    assert_eq!(again.doc, first.doc);
    assert_eq!(
        std::fs::read(&logs).unwrap(),
        written,
        "nothing new to write"
    );
    // A damaged cache is ignored and written again.
    std::fs::write(&logs, b"folio-log-keys 1\tnonsense").unwrap();
    assert_eq!(cached(f.path()).doc, first.doc);
    assert_eq!(std::fs::read(&logs).unwrap(), written);
}

#[test]
fn a_cached_history_is_the_fresh_one() {
    let (f, git) = busy();
    let fresh = pass(f.path(), false);
    assert!(!f.path().join(common::CACHE_DIR).exists(), "FOLIO_NO_CACHE");
    assert_eq!(fresh.compared, Some(5));
    assert_eq!(fresh.doc["late_records"].as_array().unwrap().len(), 1);
    assert_eq!(
        json_summaries(&fresh.doc, "accounts/acme/invoices/2026-inv-1.md"),
        ["Rename INV-1 by year", "INV-1 terms", "Add acme"]
    );

    // The first run walks and writes the cache, the second only reads it.
    assert_eq!(cached(f.path()).compared, Some(5));
    let written = std::fs::metadata(cache_file(f.path())).unwrap();
    assert_eq!(cached(f.path()).compared, None);
    let after = std::fs::metadata(cache_file(f.path())).unwrap();
    assert_eq!(written.modified().unwrap(), after.modified().unwrap());

    // The cache ignores itself: git sees nothing new to commit.
    let statuses = git.repo.statuses(None).unwrap();
    let dirty: Vec<_> = statuses
        .iter()
        .filter(|s| s.status() != git2::Status::IGNORED)
        .filter_map(|s| s.path().ok().map(str::to_string))
        .collect();
    assert!(dirty.is_empty(), "{dirty:?}");
    assert!(
        git.repo
            .status_should_ignore(&cache_file(Path::new("")))
            .unwrap()
    );
    // And check through the cache finds the same late record.
    let (_, doc) = f.check_json(&[]);
    assert_eq!(common::with_code(&doc, "W010").len(), 1, "{doc:#}");
}

#[test]
fn new_commits_extend_the_cache() {
    let (f, git) = busy();
    assert_eq!(cached(f.path()).compared, Some(5));
    // A rename moves history the cache holds under the old name; a late
    // entry is added.
    git.rename(
        "accounts/acme/invoices/2026-inv-1.md",
        "accounts/acme/invoices/2026-0001.md",
    );
    git.commit("Ana Lima", "2026-10-08", "Number INV-1");
    f.write(
        ACCOUNT_MD,
        account_with_log(&[
            "{ date: 2026-09-20, kind: call, by: ana }",
            "{ date: 2026-09-25, kind: decision, by: rui }",
        ]),
    );
    git.commit("Rui Costa", "2026-10-09", "Log a decision");
    let extended = cached(f.path());
    assert_eq!(
        extended.compared,
        Some(2),
        "only the new commits are walked"
    );
    assert_eq!(extended.doc["late_records"].as_array().unwrap().len(), 2);
    assert_eq!(
        json_summaries(&extended.doc, "accounts/acme/invoices/2026-0001.md"),
        [
            "Number INV-1",
            "Rename INV-1 by year",
            "INV-1 terms",
            "Add acme"
        ]
    );
    assert_eq!(cached(f.path()).compared, None);
}

#[test]
fn a_rewritten_history_reuses_only_the_commits_it_shares() {
    let (f, git) = busy();
    assert_eq!(cached(f.path()).compared, Some(5));
    // Amend the last commit: the cached HEAD is no longer an ancestor, its
    // parent is.
    let head = git.repo.head().unwrap().peel_to_commit().unwrap();
    git.repo
        .reset(
            head.parent(0).unwrap().as_object(),
            git2::ResetType::Soft,
            None,
        )
        .unwrap();
    f.write(
        "accounts/acme/invoices/inv-2.md",
        invoice("INV-2", "terms: 5 days\n"),
    );
    git.commit("Rui Costa", "2026-10-07", "INV-2, amended");
    assert_eq!(cached(f.path()).compared, Some(1));
    assert_eq!(cached(f.path()).compared, None);
    // Back to an older commit: nothing to compare, all of it is cached.
    let older = git.repo.revparse_single("HEAD~2").unwrap();
    git.repo.reset(&older, git2::ResetType::Hard, None).unwrap();
    let back = cached(f.path());
    assert_eq!(back.compared, Some(0));
    assert!(back.doc["history"]["accounts/acme/invoices/inv-2.md"].is_null());
    assert_eq!(
        json_summaries(&back.doc, INVOICE),
        ["INV-1 terms", "Add acme"]
    );
    // A merge whose first parent is a new commit (the cached HEAD is its
    // second parent): the merge and that commit are compared.
    let cached_head = git.head().unwrap();
    git.repo
        .reset(
            &git.repo.revparse_single("HEAD~1").unwrap(),
            git2::ResetType::Hard,
            None,
        )
        .unwrap();
    f.write("accounts/acme/invoices/inv-3.md", invoice("INV-3", ""));
    let side = git.commit("Ana Lima", "2026-10-08", "INV-3");
    git.commit_on(
        "HEAD",
        &[side, cached_head],
        "Ana Lima",
        "2026-10-09",
        "Merge",
    );
    assert_eq!(cached(f.path()).compared, Some(2));
}

#[test]
fn a_history_rewritten_from_its_root_is_walked_in_full() {
    let (f, git) = busy();
    assert_eq!(cached(f.path()).compared, Some(5));
    // Every commit of the first-parent line made again by someone else (as
    // `git filter-branch` would): no commit is shared with the cache.
    let mut line = vec![];
    let mut commit = git.repo.head().unwrap().peel_to_commit().unwrap();
    loop {
        line.push(commit.id());
        match commit.parent(0) {
            Ok(parent) => commit = parent,
            Err(_) => break,
        }
    }
    let mut parent: Option<git2::Oid> = None;
    for id in line.iter().rev() {
        let old = git.repo.find_commit(*id).unwrap();
        let sig = git2::Signature::new("Rewriter", "r@example.com", &old.author().when()).unwrap();
        let parents: Vec<git2::Commit> = parent
            .map(|p| git.repo.find_commit(p).unwrap())
            .into_iter()
            .collect();
        let parents: Vec<&git2::Commit> = parents.iter().collect();
        let tree = old.tree().unwrap();
        let message = old.message().unwrap();
        parent = Some(
            git.repo
                .commit(None, &sig, &sig, message, &tree, &parents)
                .unwrap(),
        );
    }
    git.repo
        .reference("refs/heads/rewritten", parent.unwrap(), true, "rewrite")
        .unwrap();
    git.repo.set_head("refs/heads/rewritten").unwrap();
    let rewritten = cached(f.path());
    assert_eq!(rewritten.compared, Some(line.len()));
    let authors: Vec<&str> = rewritten.doc["history"][ACCOUNT_MD]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["author"].as_str().unwrap())
        .collect();
    assert_eq!(authors, ["Rewriter", "Rewriter"]);
    assert_eq!(cached(f.path()).compared, None);
}

#[test]
fn a_damaged_cache_is_ignored_and_replaced() {
    let (f, _git) = busy();
    assert_eq!(cached(f.path()).compared, Some(5));
    let file = cache_file(f.path());
    let good = std::fs::read(&file).unwrap();
    let mut flipped = good.clone();
    flipped[good.len() / 2] ^= 1;
    let damages: [Vec<u8>; 5] = [
        vec![],
        b"not a cache".to_vec(),
        good[..good.len() - 1].to_vec(),
        flipped,
        [&good[..], b"more"].concat(),
    ];
    for damaged in damages {
        std::fs::write(&file, &damaged).unwrap();
        assert_eq!(cached(f.path()).compared, Some(5));
        assert_eq!(std::fs::read(&file).unwrap(), good, "rewritten");
    }
    // A folder where the file should be: not readable, not writable.
    std::fs::remove_file(&file).unwrap();
    std::fs::create_dir(&file).unwrap();
    assert_eq!(cached(f.path()).compared, Some(5));
    assert_eq!(cached(f.path()).compared, Some(5));
}

#[test]
fn a_shallow_clone_is_cached_with_its_boundary() {
    let (f, git) = busy();
    let _ = git;
    let target = tempfile::tempdir().unwrap();
    let dir = target.path().join("clone");
    let clone = shallow_clone(f.path(), &dir, 3);
    let first = cached(&dir);
    assert_eq!(first.doc["coverage"], "truncated");
    assert_eq!(first.compared, Some(2));
    assert_eq!(cached(&dir).compared, None);
    // A new commit extends it; the boundary stays.
    clone.write("accounts/acme/invoices/inv-3.md", invoice("INV-3", ""));
    clone.commit("Ana Lima", "2026-10-08", "INV-3");
    let extended = cached(&dir);
    assert_eq!(extended.compared, Some(1));
    assert_eq!(extended.doc["coverage"], "truncated");
    // Another boundary (here: none, as after `git fetch --unshallow`) is
    // another history: walked afresh.
    std::fs::remove_file(clone.repo.path().join("shallow")).unwrap();
    let unshallow = pass(&dir, true);
    assert!(unshallow.compared.is_some_and(|n| n > 1));
    assert_eq!(unshallow.doc, pass(&dir, false).doc);
}

#[test]
fn without_a_writable_cache_folder_the_history_is_still_read() {
    let (f, _git) = busy();
    // `.folio-cache` is a file: nothing can be written under it.
    f.write(common::CACHE_DIR, "in the way\n");
    assert_eq!(cached(f.path()).compared, Some(5));
    assert_eq!(cached(f.path()).compared, Some(5));
    assert_eq!(f.read(common::CACHE_DIR), b"in the way\n");
    // A read-only records folder (only effective when not run as root).
    std::fs::remove_file(f.path().join(common::CACHE_DIR)).unwrap();
    let mode = |m| {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(f.path(), std::fs::Permissions::from_mode(m)).unwrap();
    };
    mode(0o555);
    let read_only = std::fs::create_dir(f.path().join("probe")).is_err();
    let run = cached(f.path());
    mode(0o755);
    assert_eq!(run.compared, Some(5));
    if read_only {
        assert!(!f.path().join(common::CACHE_DIR).exists());
    }
}

#[test]
fn a_committed_cache_is_not_trusted() {
    let (f, git) = busy();
    assert_eq!(cached(f.path()).compared, Some(5));
    // Someone commits the cache folder (its .gitignore removed): whatever it
    // holds came with the commit, so it is neither read nor rewritten.
    std::fs::remove_file(f.path().join(common::CACHE_DIR).join(".gitignore")).unwrap();
    git.commit("Eve", "2026-10-08", "Commit the cache");
    let tree = git.repo.head().unwrap().peel_to_tree().unwrap();
    assert!(tree.get_name(common::CACHE_DIR).is_some());
    let before = std::fs::read(cache_file(f.path())).unwrap();
    assert_eq!(cached(f.path()).compared, Some(6));
    assert_eq!(cached(f.path()).compared, Some(6));
    assert_eq!(std::fs::read(cache_file(f.path())).unwrap(), before);
}
