//! The pages a late-payment claim needs: the statement of account
//! (`accounts/<id>/statement/`), the written record of an invoice
//! (`invoices/<slug>/record.html`), and the interest section of an invoice page.
//! Client pages: never part of a `--handbook-only` site.

use super::pages::{Site, account_name, account_url, day, invoice_url};
use super::value::Value;
use super::value::{PageData, obj, page};
use crate::history::Origin;
use crate::ladder::interest::Claim;
use crate::ladder::stage::PromiseState;
use crate::ladder::statement::Statement;
use crate::ladder::{Entry, Ledger};
use crate::model::{AccountDir, Date, Sp, money};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use std::collections::BTreeMap;
use std::str::FromStr;

pub use crate::model::site_map::{record_url, statement_url};

/// An amount the statement wrote in its machine form, in the human one.
fn human(plain: &str, currency: &str) -> String {
    Decimal::from_str(plain).map_or_else(
        |_| format!("{plain} {currency}"),
        |d| money::human(d, currency),
    )
}

fn by_currency(m: &BTreeMap<String, String>) -> Vec<Value> {
    m.iter()
        .map(|(c, v)| obj!({"currency": c, "amount": human(v, c)}))
        .collect()
}

/// The statement page's data (also what `folio statement --format html` renders).
pub fn statement(st: &Statement) -> PageData {
    let invoices: Vec<Value> = st
        .invoices
        .iter()
        .map(|i| {
            let c = &i.currency;
            obj!({
                "number": &i.number,
                "url": invoice_url(&i.number),
                "issued": &i.issued,
                "due": &i.due,
                "amount": human(&i.amount, c),
                "paid": human(&i.paid, c),
                "outstanding": human(&i.outstanding, c),
                "days_overdue": i.days_overdue,
                "interest": human(&i.interest, c),
                "compensation": human(&i.compensation, c),
                "total": human(&i.total, c),
            })
        })
        .collect();
    let payments: Vec<Value> = st
        .payments
        .iter()
        .map(|p| {
            obj!({
                "date": &p.date,
                "invoice": &p.invoice,
                "url": invoice_url(&p.invoice),
                "amount": human(&p.amount, &p.currency),
                "reference": &p.reference,
            })
        })
        .collect();
    page!({
        "title": format!("Statement of account: {}", st.name),
        "nav": "accounts",
        "account": &st.account,
        "account_name": &st.name,
        "account_url": account_url(&st.account),
        "as_of": &st.as_of,
        "late_payment": st.late_payment,
        "invoices": invoices,
        "payments": payments,
        "payments_since": &st.payments_since,
        "outstanding": by_currency(&st.outstanding),
        "interest": by_currency(&st.interest),
        "compensation": by_currency(&st.compensation),
        "total_due": by_currency(&st.total_due),
    })
}

/// How an invoice's interest was computed, for its page: each stretch of
/// days with its principal and rate.
pub fn claim_view(ledger: &Ledger, e: &Entry, claim: &Claim) -> Value {
    let cur = &e.currency;
    let rules = ledger.settings.late_payment.as_ref();
    let interest_rule = rules.and_then(|r| r.interest.as_ref());
    let stretches: Vec<Value> = claim
        .accruals
        .iter()
        .map(|a| {
            obj!({
                "from": day(a.from),
                "to": day(a.to),
                "days": a.days,
                "principal": money::human(a.principal, cur),
                "reference": format!("{}%", a.reference.normalize()),
                "reference_from": a.reference_from.map(day),
                "rate": format!("{}%", a.rate.normalize()),
                "interest": money::human(money::round(a.interest, cur), cur),
            })
        })
        .collect();
    obj!({
        "waived": claim.waived,
        "interest": money::human(claim.interest, cur),
        "compensation": money::human(claim.compensation, cur),
        "total": money::human(claim.total(), cur),
        "claimable": !claim.total().is_zero(),
        "days": claim.days(),
        "stretches": stretches,
        "margin": interest_rule.map(|r| format!("{}%", r.margin.normalize())),
        "period": interest_rule.map(|r| r.period.as_str()),
        "compensation_rule": rules.map(|r| r.compensation.describe()),
        "unrated": claim.unrated,
    })
}

/// One dated event of the written record.
struct Event {
    date: NaiveDate,
    /// Orders events of one day: issue, due, then what the file records.
    order: u8,
    kind: &'static str,
    text: String,
    detail: Option<String>,
    /// Where in the file the event is written (None for derived dates).
    at: Option<Sp<Date>>,
}

/// The written record of an invoice: one chronology of its dates and of
/// everything its file records, each with the commit that recorded it.
pub fn record(site: &Site, e: &Entry) -> PageData {
    let inv = &e.invoice.data;
    let cur = &e.currency;
    let mut events = vec![
        Event {
            date: inv.issued.value.0,
            order: 0,
            kind: "issued",
            text: format!(
                "Invoice issued for {}",
                money::human(inv.amount.value.0, cur)
            ),
            detail: None,
            at: Some(inv.issued.clone()),
        },
        Event {
            date: e.due,
            order: 1,
            kind: "due",
            text: "Payment due".into(),
            detail: None,
            at: inv.due.clone(),
        },
    ];
    for l in &inv.log {
        let stage = l.stage.as_ref().map(|s| {
            e.policy
                .stage(s)
                .map_or_else(|| s.value.clone(), |st| st.title.clone())
        });
        let mut text = stage.unwrap_or_else(|| "Note".into());
        if let Some(c) = &l.channel {
            text.push_str(&format!(" by {c}"));
        }
        if let Some(b) = &l.by {
            text.push_str(&format!(", {}", site.person_name(b)));
        }
        events.push(Event {
            date: l.date.value.0,
            order: 2,
            kind: "log",
            text,
            detail: l.note.clone(),
            at: Some(l.date.clone()),
        });
    }
    for (p, state) in inv.promises.iter().zip(&e.eval.promises) {
        let state = match state {
            PromiseState::Open => "open",
            PromiseState::Kept => "kept",
            PromiseState::Broken => "broken",
        };
        events.push(Event {
            date: p.made.value.0,
            order: 2,
            kind: "promise",
            text: format!("Promise to pay by {} ({state})", day(p.pay_by.value.0)),
            detail: p.note.clone(),
            at: Some(p.made.clone()),
        });
    }
    for h in &inv.holds {
        let until = h.until.as_ref().map_or("still open".to_string(), |u| {
            format!("until {}", day(u.value.0))
        });
        events.push(Event {
            date: h.from.value.0,
            order: 2,
            kind: "hold",
            text: format!("Hold, {until}"),
            detail: h.reason.clone(),
            at: Some(h.from.clone()),
        });
    }
    for x in &inv.extensions {
        let by =
            x.by.as_ref()
                .map_or(String::new(), |b| format!(" by {}", site.person_name(b)));
        events.push(Event {
            date: x.granted.value.0,
            order: 2,
            kind: "extension",
            text: format!("Extension of {} days granted{by}", x.days.value),
            detail: x.reason.clone(),
            at: Some(x.granted.clone()),
        });
    }
    for p in &inv.payments {
        events.push(Event {
            date: p.date.value.0,
            order: 3,
            kind: "payment",
            text: format!("Payment of {}", money::human(p.amount.value.0, cur)),
            detail: p.reference.clone(),
            at: Some(p.date.clone()),
        });
    }
    events.sort_by_key(|ev| (ev.date, ev.order));
    let commits = site.history.of(&e.invoice.file);
    let rows: Vec<Value> = events
        .iter()
        .map(|ev| {
            let late = ev
                .at
                .as_ref()
                .and_then(|d| site.late_record(&e.invoice.file, d));
            let origin = ev
                .at
                .as_ref()
                .and_then(|d| site.origins.get(&(e.invoice.file.clone(), d.pos)));
            let (recorded, how) = match origin {
                Some(Origin::Added(c)) => (Some(site.commit_view(c)), "added"),
                Some(Origin::WithFile(c)) => (Some(site.commit_view(c)), "with the file"),
                Some(Origin::Uncommitted) => (None, "not committed yet"),
                _ if ev.at.is_none() => (None, "computed from the terms"),
                _ => (None, "unknown"),
            };
            obj!({
                "date": day(ev.date),
                "kind": ev.kind,
                "text": &ev.text,
                "detail": &ev.detail,
                "recorded": recorded,
                "how": how,
                "late": late.map(|(text, c)| obj!({"text": text, "commit": site.commit_view(c)})),
            })
        })
        .collect();
    let commit_rows: Vec<Value> = commits.iter().rev().map(|c| site.commit_view(c)).collect();
    page!({
        "title": format!("Written record of invoice {}", inv.number.value),
        "nav": "accounts",
        "number": &inv.number.value,
        "account_name": account_name(e.account),
        "account_url": account_url(&e.account.id),
        "invoice_url": invoice_url(&inv.number.value),
        "file": &e.invoice.file,
        "events": rows,
        "history": site.coverage(),
        "commits": commit_rows,
    })
}

/// The statement page of one account in a site.
pub fn statement_page(site: &Site, a: &AccountDir) -> PageData {
    match crate::ladder::statement::build(site.ledger, &a.id) {
        Some(st) => statement(&st),
        None => page!({"title": "Statement of account", "nav": "accounts"}),
    }
}

/// The statement page as one HTML file that stands alone (`folio statement
/// --format html`): the site's template with its stylesheet inlined and no
/// navigation, search or links out of the page.
pub fn standalone_statement(
    st: &Statement,
    company: &str,
    root: &std::path::Path,
) -> Result<String, String> {
    let (sources, mut problems) = crate::load::templates::sources(Some(root));
    let mut tera = crate::ladder::templates::new_tera();
    problems.extend(crate::load::templates::parse_into(&mut tera, &sources));
    if let Some(p) = problems.first() {
        return Err(format!("{}: {}", p.file, p.message));
    }
    let css = sources
        .get("site/assets/site.css")
        .cloned()
        .unwrap_or_default();
    let mut data = statement(st);
    data.insert_value("standalone_css", Value::from(css));
    data.insert_value(
        "site",
        obj!({
            "title": format!("{company} statement"),
            "company": company,
            "handbook_only": false,
            "as_of": &st.as_of,
            "as_of_iso": &st.as_of,
        }),
    );
    data.insert_value("root", Value::from(""));
    data.insert_value("path", Value::from("statement.html"));
    tera.render("site/statement.html", &data)
        .map_err(|e| crate::load::templates::describe(&e))
}
