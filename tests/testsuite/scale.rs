//! A site with a backlog (issue #17): hundreds of unpaid invoices nobody
//! logged a step on. Pages a person can open (the agenda lists a bounded
//! number of steps, sums up old missed ones per account and splits by
//! owner) and calendar feeds per owner that reach 30 days back.

use crate::common::{ACCOUNT, FOLIO_YAML, Fixture};
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::Path;

const AS_OF: &str = "2026-11-23";
/// 30 days before [`AS_OF`]: older missed steps are summed up, and the
/// calendar feeds start here.
const RECENT: &str = "2026-10-24";

/// `n` unpaid invoices on `acme` (producer ana, finance rui), issued one a
/// day backwards from the evaluation date: the old ones deep in their
/// ladders with every step missed, the new ones with steps to come.
fn backlog(n: usize) -> Fixture {
    let f = Fixture::empty();
    f.write("folio.yaml", FOLIO_YAML);
    f.write("accounts/acme/account.md", ACCOUNT);
    let as_of = chrono::NaiveDate::parse_from_str(AS_OF, "%Y-%m-%d").unwrap();
    for i in 0..n {
        let issued = as_of - chrono::Days::new(i as u64 / 2);
        f.write(
            &format!("accounts/acme/invoices/b-{i:04}.md"),
            format!("---\nnumber: B-{i:04}\nissued: {issued}\namount: 1000\n---\n"),
        );
    }
    f
}

fn build(f: &Fixture) -> std::path::PathBuf {
    let out = f.path().join("site");
    let run = f.run_writing(&["--as-of", AS_OF, "build", "--out", out.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    out
}

fn read(out: &Path, rel: &str) -> String {
    std::fs::read_to_string(out.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// The UIDs of a calendar feed, and the earliest DTSTART.
/// Each event's UID with its date.
fn dated_events(ics: &str) -> Vec<(String, String)> {
    let unfolded = ics.replace("\r\n ", "");
    let mut out = vec![];
    let mut uid = None;
    for line in unfolded.lines() {
        if let Some(u) = line.strip_prefix("UID:") {
            uid = Some(u.to_string());
        }
        if let Some(d) = line.strip_prefix("DTSTART;VALUE=DATE:") {
            out.push((uid.take().unwrap(), d.to_string()));
        }
    }
    out
}

fn events(ics: &str) -> (BTreeSet<String>, String) {
    let unfolded = ics.replace("\r\n ", "");
    let uids = unfolded
        .lines()
        .filter_map(|l| l.strip_prefix("UID:"))
        .map(str::to_string)
        .collect();
    let first = unfolded
        .lines()
        .filter_map(|l| l.strip_prefix("DTSTART;VALUE=DATE:"))
        .min()
        .unwrap_or_default()
        .to_string();
    (uids, first)
}

#[test]
fn a_backlog_agenda_lists_a_bounded_number_of_steps_and_sums_up_old_missed_ones() {
    let f = backlog(900);
    let status: Value = serde_json::from_str(
        &f.run(&["--as-of", AS_OF, "status", "--format", "json"])
            .stdout,
    )
    .unwrap();
    let actions = status["actions"].as_array().unwrap();
    let old_missed = actions
        .iter()
        .filter(|a| a["missed"] == true && a["date"].as_str().unwrap() < RECENT)
        .count();
    assert!(old_missed > 500, "the fixture has a backlog: {old_missed}");
    let out = build(&f);
    let agenda = read(&out, "actions/index.html");
    assert!(agenda.len() < 1 << 20, "{} bytes", agenda.len());
    let rows = agenda.matches("<tr class=\"when-row-").count();
    assert!(rows > 0 && rows <= 400, "{rows} steps listed");
    // Old missed steps: one row for the account, with their number.
    let old = &agenda[agenda.find("id=\"old-missed\"").expect("old missed steps")..];
    assert!(
        old.contains(&format!(">{old_missed}</td>")),
        "the account's {old_missed} old missed steps"
    );
    assert!(old.contains("accounts/acme/index.html"));
    // What is not listed is counted, with the way to the owner's agenda.
    let listed_or_counted: usize = agenda
        .split("<p class=\"more\">And ")
        .skip(1)
        .map(|s| s[..s.find(' ').unwrap()].parse::<usize>().unwrap())
        .sum::<usize>()
        + rows;
    // Recent missed and today's steps (status.json), and the next 14 days'
    // (the calendar).
    let recent_and_today = actions
        .iter()
        .filter(|a| a["missed"] == false || a["date"].as_str().unwrap() >= RECENT)
        .count();
    let calendar = read(&out, "calendar.ics");
    let next_14_days = calendar
        .lines()
        .filter_map(|l| l.strip_prefix("DTSTART;VALUE=DATE:"))
        .filter(|d| ("20261124"..="20261207").contains(d))
        .count();
    assert_eq!(listed_or_counted, recent_and_today + next_14_days);
    assert!(agenda.contains("href=\"../actions/rui/index.html\""));

    // The account's page lists 100 of its 900 invoices (the latest, all
    // unpaid here), 20 of its warnings and 150 timeline events.
    let account = read(&out, "accounts/acme/index.html");
    assert!(account.len() < 1 << 20, "{} bytes", account.len());
    let invoices = &account[account.find("id=\"invoices\"").unwrap()..];
    let invoices = &invoices[..invoices.find("</section>").unwrap()];
    assert_eq!(invoices.matches("<th scope=\"row\">").count(), 100);
    assert!(
        invoices.contains("B-0000<") && !invoices.contains("B-0899<"),
        "the latest first"
    );
    assert!(invoices.contains("800 more invoices not listed here"));
    let warnings = &account[account.find("id=\"warnings\"").unwrap()..];
    let warnings = &warnings[..warnings.find("</section>").unwrap()];
    assert_eq!(warnings.matches("<li>").count(), 20);
    assert!(warnings.contains("more: <code>folio check</code> lists them all"));
    let timeline = &account[account.find("id=\"timeline\"").unwrap()..];
    assert_eq!(timeline.matches("<li class=\"event").count(), 150);
    assert!(timeline.contains("older events, back to"));
}

#[test]
fn each_owner_has_an_agenda_and_a_feed_and_the_feeds_reach_30_days_back() {
    let f = backlog(120);
    let out = build(&f);
    let (all, first) = events(&read(&out, "calendar.ics"));
    assert!(
        first.as_str() >= "20261024",
        "the feed starts 30 days back: {first}"
    );
    assert!(!all.is_empty());
    let mut union = BTreeSet::new();
    for owner in ["ana", "rui"] {
        let (uids, first) = events(&read(&out, &format!("calendar/{owner}.ics")));
        assert!(first.as_str() >= "20261024", "{owner}: {first}");
        assert!(!uids.is_empty(), "{owner} owns steps");
        assert!(union.is_disjoint(&uids), "a step has one owner");
        union.extend(uids);
        let page = read(&out, &format!("actions/{owner}/index.html"));
        let name = if owner == "ana" {
            "Ana Lima"
        } else {
            "Rui Costa"
        };
        assert!(
            page.contains(&format!("<h1>Actions: {name}</h1>")),
            "{owner}"
        );
        assert!(page.contains(&format!("../../calendar/{owner}.ics")));
        // Only their own steps are listed on their page.
        let other = if owner == "ana" {
            "Rui Costa"
        } else {
            "Ana Lima"
        };
        assert!(!page.contains(&format!("<h3 class=\"owner\" id=\"day-1-owner-1\">{other}")));
    }
    assert!(all.is_subset(&union), "every event is in its owner's feed");
    // The agency's feed leaves out only the rungs an invoice has passed: a
    // step dated on or before today with a later one of the same invoice
    // also on or before today.
    let mut by_owner = vec![];
    for owner in ["ana", "rui"] {
        by_owner.extend(dated_events(&read(&out, &format!("calendar/{owner}.ics"))));
    }
    let today = AS_OF.replace('-', "");
    let invoice = |uid: &str| uid.split('.').next().unwrap().to_string();
    let passed = |uid: &str, date: &str| {
        date <= today.as_str()
            && by_owner
                .iter()
                .any(|(u, d)| invoice(u) == invoice(uid) && d.as_str() > date && d <= &today)
    };
    let left_out: Vec<&(String, String)> =
        by_owner.iter().filter(|(u, _)| !all.contains(u)).collect();
    assert!(!left_out.is_empty(), "a backlog has passed rungs");
    for (uid, date) in &left_out {
        assert!(passed(uid, date), "{uid} on {date} is not a passed rung");
    }
    for (uid, date) in by_owner.iter().filter(|(u, _)| all.contains(u)) {
        assert!(!passed(uid, date), "{uid} on {date} is a passed rung");
    }
}

/// An account's page names its own warnings (the first 20) and counts the
/// rest, never another account's, even one whose folder name starts with
/// its own (`acme-2/` sorts before `acme/`).
#[test]
fn an_account_page_shows_its_own_warnings_and_counts_the_rest() {
    let f = backlog(120);
    f.write(
        "accounts/acme-2/account.md",
        ACCOUNT.replace("Acme Corp", "Acme Two"),
    );
    let as_of = chrono::NaiveDate::parse_from_str(AS_OF, "%Y-%m-%d").unwrap();
    for i in 0..3 {
        let issued = as_of - chrono::Days::new(200 + i);
        f.write(
            &format!("accounts/acme-2/invoices/t-{i}.md"),
            format!("---\nnumber: T-{i}\nissued: {issued}\namount: 1000\n---\n"),
        );
    }
    let check: Value = serde_json::from_str(
        &f.run(&["--as-of", AS_OF, "check", "--format", "json"])
            .stdout,
    )
    .unwrap();
    let under = |folder: &str| {
        check["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|w| w["file"].as_str().unwrap().starts_with(folder))
            .count()
    };
    let (mine, theirs) = (under("accounts/acme/"), under("accounts/acme-2/"));
    assert!(mine > 20 && theirs > 0, "{mine} and {theirs} warnings");
    let out = build(&f);
    let page = read(&out, "accounts/acme/index.html");
    let callout = &page[page.find("id=\"warnings\"").expect("warnings")..];
    let callout = &callout[..callout.find("</section>").unwrap()];
    assert_eq!(callout.matches("<li>").count(), 20, "{callout}");
    assert!(
        callout.contains(&format!("And {} more", mine - 20)),
        "{callout}"
    );
    assert!(!callout.contains("T-0"), "{callout}");
    let other = read(&out, "accounts/acme-2/index.html");
    let callout = &other[other.find("id=\"warnings\"").expect("warnings")..];
    let callout = &callout[..callout.find("</section>").unwrap()];
    assert_eq!(callout.matches("<li>").count(), theirs, "{callout}");
    assert!(!callout.contains("B-0"), "{callout}");
}
