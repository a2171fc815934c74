//! What people read on the site of the bundled agency (issue #21): the
//! dashboard's accounts at risk and the agenda's order.

use std::path::{Path, PathBuf};

/// `folio -C records --as-of 2026-11-23 ARGS...`.
fn folio_at(records: &Path, args: &[&str]) -> crate::common::Run {
    let mut all = vec!["-C", records.to_str().unwrap(), "--as-of", "2026-11-23"];
    all.extend_from_slice(args);
    crate::common::folio(&all)
}

/// Builds the site of `records` into `out`; the build must succeed.
fn build_site(records: &Path, out: &Path) {
    let run = folio_at(records, &["build", "--out", out.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
}

/// The example agency's site as of 23 Nov 2026, built once per test.
fn example_site() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("site");
    build_site(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("example-accounts"),
        &out,
    );
    (dir, out)
}

/// The text of an HTML fragment, tags dropped and spaces collapsed.
fn words(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => {
                in_tag = true;
                out.push(' ');
            }
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The rows of the first table after `marker`.
fn rows_after(html: &str, marker: &str) -> Vec<String> {
    let start = html.find(marker).unwrap_or_else(|| panic!("no {marker}"));
    let rest = &html[start..];
    let table = &rest[..rest.find("</table>").unwrap()];
    table
        .split("<tr")
        .skip(2)
        .map(|row| words(&format!("<tr{row}")))
        .collect()
}

#[test]
fn accounts_at_risk_show_holds_and_promises_and_missed_steps_first() {
    let (_dir, out) = example_site();
    let home = std::fs::read_to_string(out.join("index.html")).unwrap();
    let rows = rows_after(&home, "id=\"risk\"");
    assert!(
        rows[0].starts_with("Clínicas Oceano") && rows[0].contains("1 missed step"),
        "the account with a missed step comes first: {rows:#?}"
    );
    assert!(
        rows.iter().skip(1).all(|r| !r.contains("missed step")),
        "{rows:#?}"
    );
    let segura = rows.iter().find(|r| r.starts_with("Segura")).unwrap();
    assert!(
        segura.contains("INV-2026-0022 on hold since 13 Nov 2026: Disputed hours"),
        "{segura}"
    );
    let mercado = rows.iter().find(|r| r.starts_with("Mercado")).unwrap();
    assert!(
        mercado.contains("INV-2026-0021 promised for 27 Nov 2026"),
        "{mercado}"
    );
}

#[test]
fn the_agenda_puts_missed_steps_and_today_first_then_days_with_owners_grouped() {
    let (_dir, out) = example_site();
    let html = std::fs::read_to_string(out.join("actions/index.html")).unwrap();
    let days: Vec<String> = html
        .split("<section class=\"agenda-day")
        .skip(1)
        .map(|s| words(&s[s.find("<h2").unwrap()..s.find("</h2>").unwrap()]))
        .collect();
    assert!(days[0].starts_with("Missed steps"), "{days:?}");
    assert!(days[1].starts_with("Today, 23 Nov 2026"), "{days:?}");
    assert!(days[2].starts_with("24 Nov 2026"), "{days:?}");
    // Within a day, each owner once.
    for section in html.split("<section class=\"agenda-day").skip(1) {
        let owners: Vec<String> = section
            .split("<h3 class=\"owner\"")
            .skip(1)
            .map(|s| words(&format!("<h3{}", &s[..s.find("</h3>").unwrap()])))
            .collect();
        let mut unique = owners.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(owners.len(), unique.len(), "{owners:?}");
        assert_eq!(owners, unique, "owners by name within a day");
    }
}

#[test]
fn needs_attention_speaks_in_sentences_with_the_page_dates() {
    let (_dir, out) = example_site();
    let home = std::fs::read_to_string(out.join("index.html")).unwrap();
    let start = home.find("id=\"attention\"").unwrap();
    let section = words(&home[start..start + home[start..].find("</section>").unwrap()]);
    assert!(
        section.contains("Client sync is due every 31 days and the last one was on 27 Aug 2026 (due by 27 Sep 2026)."),
        "{section}"
    );
    assert!(
        section.contains("Hold the meeting, then add it to the account"),
        "{section}"
    );
    let iso_date = section.as_bytes().windows(10).any(|w| {
        w.iter().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                *b == b'-'
            } else {
                b.is_ascii_digit()
            }
        })
    });
    assert!(!iso_date, "no ISO dates: {section}");
    assert!(!section.contains("- {"), "no YAML to type: {section}");
}

#[test]
fn pages_and_drafts_use_the_configured_date_formats() {
    let tmp = tempfile::tempdir().unwrap();
    let records = tmp.path().join("records");
    crate::common::copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("example-accounts"),
        &records,
    );
    let config = records.join("folio.yaml");
    let yaml = std::fs::read_to_string(&config).unwrap();
    let yaml = yaml.replacen(
        "site:\n",
        "messages:\n  date_format: \"%A %-d %B %Y\"\nsite:\n  date_format: \"%d/%m/%Y\"\n",
        1,
    );
    std::fs::write(&config, &yaml).unwrap();
    let out = tmp.path().join("site");
    build_site(&records, &out);
    let invoice = std::fs::read_to_string(out.join("invoices/inv-2026-0024/index.html")).unwrap();
    assert!(invoice.contains("19/11/2026"), "pages use site.date_format");
    // The written records and the interest breakdowns too: no date left in
    // the default `19 Nov 2026` form on any invoice page.
    let default_form = |html: &str| {
        let months = [
            "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
        ];
        months
            .iter()
            .any(|m| html.contains(&format!(" {m} 2026")) || html.contains(&format!(" {m} 2025")))
    };
    let mut written_records = 0;
    for entry in std::fs::read_dir(out.join("invoices")).unwrap().flatten() {
        let html = std::fs::read_to_string(entry.path().join("index.html")).unwrap();
        written_records += usize::from(html.contains("<h2 id=\"record\">"));
        assert!(!default_form(&html), "{}", entry.path().display());
    }
    assert!(written_records > 0, "the example has written records");
    assert!(
        invoice.contains("fell due on Thursday 19 November 2026"),
        "drafts use messages.date_format"
    );
    let draft = folio_at(&records, &["remind", "INV-2026-0024"]);
    assert!(
        draft
            .stdout
            .contains("fell due on Thursday 19 November 2026"),
        "{}",
        draft.stdout
    );
    // A pattern that is not one is a located error.
    std::fs::write(&config, yaml.replace("\"%d/%m/%Y\"", "\"%H:%M\"")).unwrap();
    let check = folio_at(&records, &["check", "--format", "json"]);
    assert_eq!(check.code, 1);
    let doc: serde_json::Value = serde_json::from_str(&check.stdout).unwrap();
    let e = &doc["errors"][0];
    assert_eq!(
        (e["code"].as_str(), e["file"].as_str()),
        (Some("E031"), Some("folio.yaml"))
    );
    assert_eq!(
        e["line"].as_u64(),
        Some(yaml.lines().position(|l| l.contains("%d/%m/%Y")).unwrap() as u64 + 1)
    );
}

/// The ladder says who took a logged step, how and when (from the log),
/// and labels the owner and channel of a step still to do as planned.
#[test]
fn the_ladder_says_who_did_each_logged_step() {
    let (_dir, out) = example_site();
    let rungs = |number: &str| -> Vec<String> {
        let html =
            std::fs::read_to_string(out.join(format!("invoices/{number}/index.html"))).unwrap();
        let start = html.find("class=\"ladder\"").unwrap();
        let ladder = &html[start..start + html[start..].find("</ol>").unwrap()];
        ladder
            .split("<li")
            .skip(1)
            .map(|r| words(&format!("<li{r}")))
            .collect()
    };
    let northlight = rungs("inv-2026-0025");
    assert!(
        northlight[2].contains("Demand letter")
            && northlight[2].contains("Done 17 Nov 2026 by Ricardo Antunes, email"),
        "{northlight:#?}"
    );
    assert!(!northlight[2].contains("Marta"), "{northlight:#?}");
    assert!(
        northlight[5].contains("Formal claim")
            && northlight[5].contains("Planned: Ricardo Antunes, registered letter"),
        "{northlight:#?}"
    );
    let rota = rungs("inv-2026-0019");
    assert!(
        rota[1].contains("Formal notice")
            && rota[1].contains("Done 16 Nov 2026 by Tiago Nunes, email"),
        "logged as email, not the planned slack: {rota:#?}"
    );
    assert!(!rota[1].contains("slack"), "{rota:#?}");
}

/// The columns that decide the next move come first, so a phone shows them
/// before its table scrolls (issue #21).
#[test]
fn key_columns_come_first() {
    let (_dir, out) = example_site();
    let heads = |page: &str, marker: &str| -> Vec<String> {
        let html = std::fs::read_to_string(out.join(page)).unwrap();
        let start = html
            .find(marker)
            .unwrap_or_else(|| panic!("{marker} in {page}"));
        let head = &html[start..start + html[start..].find("</thead>").unwrap()];
        head.split("<th scope")
            .skip(1)
            .map(|h| words(&format!("<th scope{h}")))
            .collect()
    };
    assert_eq!(
        heads("index.html", "Table of accounts at risk")[..2],
        ["Account", "Furthest stage"]
    );
    assert_eq!(
        heads("accounts/clinicas-oceano/index.html", "Table of invoices")[..4],
        ["Invoice", "Outstanding", "State", "Ladder"]
    );
    assert_eq!(
        heads("invoices/inv-2026-0024/index.html", "Table of log entries")[..4],
        ["Date", "Step", "By", "Note"]
    );
}
