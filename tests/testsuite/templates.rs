//! Template overrides and tera 2: an override still written for tera 1
//! (macros, `import`, `x::name()` calls, renamed filters and tests) gets a
//! located E030 from `folio check` that says what to write instead, and
//! `build` refuses it; the same override ported to tera 2 (components)
//! checks and builds.

use crate::common::{self, Fixture, invoice, with_code};
use serde_json::Value;

/// The accounts index as a tera 1 override: the built-in one of folio's
/// tera 1 days, with the badge macro imported from a macros file.
const ACCOUNTS_TERA_1: &str = r#"{% extends "site/base.html" %}
{% import "site/my_macros.html" as m %}
{% block content %}
<h1>Accounts</h1>
<ul>{% for a in accounts %}
  <li>{{ a.name }} {{ m::work(work=a.worst_work) }}</li>{% endfor %}
</ul>
{% endblock content %}
"#;

const MACROS_TERA_1: &str = r#"{% macro work(work) -%}
{%- if work == "stop" %}<b>stopped</b>{% endif %}
{%- endmacro work %}
"#;

/// A message draft that still uses tera 1's `date` filter and a test with
/// an unnamed argument.
const REMINDER_TERA_1: &str = "Hi {{ contact.name }},\n\n{{ invoice.number }} was due on {{ invoice.due_iso | date(format=\"%d/%m/%Y\") }}.\n{% if invoice.days_overdue is divisibleby(7) %}A week more.{% endif %}\n";

fn build(f: &Fixture) -> common::Run {
    let out = f.path().join("public");
    f.run_writing(&[
        "--as-of",
        "2026-10-27",
        "build",
        "--out",
        out.to_str().unwrap(),
    ])
}

/// (file, line, column, hint) of every E030.
fn e030(doc: &Value) -> Vec<(String, u64, u64, String)> {
    with_code(doc, "E030")
        .iter()
        .map(|d| {
            (
                d["file"].as_str().unwrap().to_string(),
                d["line"].as_u64().unwrap(),
                d["column"].as_u64().unwrap(),
                d["hint"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn a_tera_1_override_is_located_at_each_tera_1_tag_with_what_to_write() {
    let f = Fixture::new();
    f.write("accounts/acme/invoices/a.md", invoice("INV-1", ""));
    f.write("templates/site/accounts.html", ACCOUNTS_TERA_1);
    f.write("templates/site/my_macros.html", MACROS_TERA_1);
    f.write("templates/messages/agency/reminder.txt", REMINDER_TERA_1);
    let (code, doc) = f.check_json(&[]);
    assert_eq!(code, 1, "{doc:#}");
    let got = e030(&doc);
    let at: Vec<(&str, u64, u64)> = got
        .iter()
        .map(|(file, line, column, _)| (file.as_str(), *line, *column))
        .collect();
    assert_eq!(
        at,
        [
            // At `date`, and at the test `divisibleby`.
            ("templates/messages/agency/reminder.txt", 3, 54),
            ("templates/messages/agency/reminder.txt", 4, 31),
            // At `import` in `{% import ... %}`, at `m` of `m::work(...)`.
            ("templates/site/accounts.html", 2, 4),
            ("templates/site/accounts.html", 6, 23),
            // At `macro`.
            ("templates/site/my_macros.html", 1, 4),
        ],
        "{doc:#}"
    );
    let hint = |i: usize| got[i].3.as_str();
    assert!(hint(0).contains("`day`"), "{}", hint(0));
    assert!(hint(1).contains("divisible_by(divisor=...)"), "{}", hint(1));
    assert!(hint(2).contains("delete this line"), "{}", hint(2));
    // The call, written as the component call that replaces it.
    assert!(
        hint(3).starts_with(
            "tera 2 has no macros: call a component, `{{ <work work={a.worst_work} /> }}`"
        ),
        "{}",
        hint(3)
    );
    assert!(
        hint(4).starts_with(
            "tera 2 has no macros: write it as a component, `{% component work(arg) %}"
        ),
        "{}",
        hint(4)
    );
    let messages: Vec<&str> = with_code(&doc, "E030")
        .iter()
        .map(|d| d["message"].as_str().unwrap())
        .collect();
    assert!(messages[3].contains("`m::work(...)`"), "{messages:?}");
    assert!(messages[4].contains("`{% macro work %}`"), "{messages:?}");
    // Nothing else: the tera 1 templates are left out, not parsed again
    // for a second, less helpful, report.
    assert_eq!(with_code(&doc, "E030").len(), 5, "{doc:#}");
    let run = build(&f);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("E030"), "{}", run.stderr);
}

#[test]
fn the_same_override_ported_to_tera_2_checks_and_builds() {
    let f = Fixture::new();
    f.write("accounts/acme/invoices/a.md", invoice("INV-1", ""));
    f.write(
        "templates/site/accounts.html",
        ACCOUNTS_TERA_1
            .replace("{% import \"site/my_macros.html\" as m %}\n", "")
            .replace(
                "{{ m::work(work=a.worst_work) }}",
                "{{ <my_work work={a.worst_work} /> }}",
            ),
    );
    f.write(
        "templates/site/my_components.html",
        "{% component my_work(work) -%}\n<b>{{ work }}</b>\n{%- endcomponent my_work %}\n",
    );
    f.write(
        "templates/messages/agency/reminder.txt",
        REMINDER_TERA_1
            .replace("date(format=", "day(format=")
            .replace("divisibleby(7)", "divisible_by(divisor=7)"),
    );
    let (code, doc) = f.check_json(&[]);
    assert_eq!(code, 0, "{doc:#}");
    assert!(with_code(&doc, "E030").is_empty(), "{doc:#}");
    let run = build(&f);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let index = std::fs::read_to_string(f.path().join("public/accounts/index.html")).unwrap();
    assert!(
        index.contains("<li>Acme Corp <b>continue</b></li>"),
        "{index}"
    );
    let remind = f.run(&["--as-of", "2026-10-27", "remind", "INV-1"]);
    assert_eq!(remind.code, 0, "{}", remind.stderr);
    assert!(
        remind.stdout.contains("INV-1 was due on 31/10/2026."),
        "{}",
        remind.stdout
    );
}

#[test]
fn a_built_in_component_can_be_overridden_by_its_file() {
    let f = Fixture::new();
    f.write("accounts/acme/invoices/a.md", invoice("INV-1", ""));
    // Same file name as the built-in: it replaces the built-in component.
    f.write(
        "templates/site/components.html",
        "{% component work(work) -%}\n<i>work: {{ work }}</i>\n{%- endcomponent work %}\n",
    );
    let (code, doc) = f.check_json(&[]);
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(build(&f).code, 0);
    let index = std::fs::read_to_string(f.path().join("public/accounts/index.html")).unwrap();
    assert!(index.contains("<i>work: continue</i>"), "{index}");
}

#[test]
fn an_override_that_fails_on_the_records_is_located_where_tera_says() {
    // Each alone: the site is tried only on records without errors.
    for (file, text, at, says) in [
        (
            "templates/messages/agency/reminder.txt",
            "Hi {{ contact.name }},\n\n{{ invoice.nmber }} is due.\n",
            (3, 12),
            "`nmber`",
        ),
        (
            "templates/site/page.html",
            "{% extends \"site/base.html\" %}\n{% block content %}\n<p>{{ nope }}</p>\n{% endblock content %}\n",
            (3, 7),
            "`nope`",
        ),
    ] {
        let f = Fixture::new();
        f.write("accounts/acme/invoices/a.md", invoice("INV-1", ""));
        f.write("handbook/guide.md", "---\ntitle: Guide\n---\nHello.\n");
        f.write(file, text);
        let (code, doc) = f.check_json(&[]);
        assert_eq!(code, 1, "{doc:#}");
        let got: Vec<(String, u64, u64)> = e030(&doc)
            .into_iter()
            .map(|(file, line, column, _)| (file, line, column))
            .collect();
        assert_eq!(got, [(file.to_string(), at.0, at.1)], "{doc:#}");
        let message = with_code(&doc, "E030")[0]["message"].as_str().unwrap();
        assert!(message.contains(says), "{message}");
        assert!(!message.contains('\n'), "one line: {message}");
    }
}
