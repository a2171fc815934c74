//! The dashboard: template `site/dashboard.html`, written to `index.html`
//! (a `--handbook-only` site has none: its `index.html` is the handbook's
//! home).
//!
//! Its variables, besides those every page has (see [`super`]);
//! `docs/templates.md` gives the keys of each nested value:
//!
//! - `totals`: list, one per currency with money unpaid: how much is
//!   outstanding and overdue, on how many invoices, and its aging chart.
//! - `today`: list of actions, the steps due today.
//! - `missed`: list of actions, the reached steps nobody logged (the first
//!   `list_limit`).
//! - `missed_total`: number, how many steps are missed in all.
//! - `attention`: list of warnings, `folio check`'s warnings but missed
//!   steps (the first `list_limit`).
//! - `attention_total`: number, how many such warnings there are in all.
//! - `at_risk`: list, the accounts with overdue money, those that need a
//!   move first (the first `list_limit`).
//! - `at_risk_total`: number, how many accounts have overdue money.
//! - `list_limit`: number, the most rows a list shows ([`DASHBOARD_LIST`]).
//! - `unpaid`: number, how many invoices are unpaid.

use super::{Site, account_name, account_url, human, invoice_url, warning_view, work_str};
use crate::diagnostic::{Code, Diagnostic};
use crate::ladder::report::StatusDoc;
use crate::ladder::stage::State;
use crate::ladder::{Entry, Ledger};
use crate::model::{AccountDir, Work};
use crate::plumbing::value::{PageData, Value, obj, page};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use std::collections::BTreeMap;

/// The most rows a dashboard list shows; the rest are counted and linked.
pub const DASHBOARD_LIST: usize = 40;

/// Outstanding per currency and aging bucket, for the chart and the totals.
pub fn receivables(ledger: &Ledger) -> BTreeMap<String, [Decimal; 5]> {
    let mut out: BTreeMap<String, [Decimal; 5]> = BTreeMap::new();
    for e in ledger.entries.iter().filter(|e| e.eval.state.is_unpaid()) {
        let i = crate::site::svg::BUCKETS
            .iter()
            .position(|b| *b == e.eval.aging())
            .unwrap_or(0);
        out.entry(e.currency.clone()).or_default()[i] += e.eval.outstanding.max(Decimal::ZERO);
    }
    out
}

fn action_view(site: &Site, a: &crate::ladder::report::Action) -> Value {
    let account = site.ledger.repo.account(&a.account);
    obj!({
        "date": a.date.parse::<NaiveDate>().map(|d| site.day(d)).unwrap_or_else(|_| a.date.clone()),
        "invoice": &a.invoice,
        "invoice_url": invoice_url(&a.invoice),
        "account_name": account.map_or(a.account.as_str(), account_name),
        "account_url": account_url(&a.account),
        "stage": &a.stage,
        "title": &a.title,
        "owner": site.person_name(&a.owner),
        "channel": &a.channel,
        "missed": a.missed,
    })
}

pub fn dashboard(site: &Site, doc: &StatusDoc) -> PageData {
    let ledger = site.ledger;
    let receivables = receivables(ledger);
    let totals: Vec<Value> = receivables
        .iter()
        .map(|(cur, buckets)| {
            let total: Decimal = buckets.iter().copied().sum();
            let overdue: Decimal = buckets[1..].iter().copied().sum();
            let count = ledger
                .entries
                .iter()
                .filter(|e| e.eval.state.is_unpaid() && &e.currency == cur)
                .count();
            obj!({
                "currency": cur,
                "outstanding": human(total, cur),
                "overdue": human(overdue, cur),
                "invoices": count,
                "chart": crate::site::svg::aging_chart(cur, buckets),
            })
        })
        .collect();
    let today: Vec<Value> = doc
        .actions
        .iter()
        .filter(|a| !a.missed)
        .map(|a| action_view(site, a))
        .collect();
    let missed: Vec<&crate::ladder::report::Action> =
        doc.actions.iter().filter(|a| a.missed).collect();
    let attention: Vec<&Diagnostic> = site
        .warnings
        .iter()
        .filter(|d| d.code != Code::MissedStep)
        .collect();
    let at_risk = at_risk(site);
    page!({
        "title": "Dashboard",
        "nav": "dashboard",
        "totals": totals,
        "today": today,
        "missed": missed.iter().take(DASHBOARD_LIST).map(|a| action_view(site, a)).collect::<Vec<_>>(),
        "missed_total": missed.len(),
        "attention": attention.iter().take(DASHBOARD_LIST).map(|d| warning_view(site, d)).collect::<Vec<_>>(),
        "attention_total": attention.len(),
        "at_risk_total": at_risk.len(),
        "at_risk": at_risk.into_iter().take(DASHBOARD_LIST).collect::<Vec<_>>(),
        "list_limit": DASHBOARD_LIST,
        "unpaid": ledger.entries.iter().filter(|e| e.eval.state.is_unpaid()).count(),
    })
}

/// Accounts with overdue money: those with a missed step first (the next
/// move is overdue), then the furthest along their ladders, then the most
/// days overdue; with the holds and promises that change the next move.
fn at_risk(site: &Site) -> Vec<Value> {
    /// (missed steps, worst stage, most days overdue, the account, its
    /// overdue invoices)
    type Row<'a> = (
        usize,
        Option<(Work, i32, String)>,
        i64,
        &'a AccountDir,
        Vec<&'a Entry<'a>>,
    );
    let mut rows: Vec<Row> = vec![];
    for a in &site.ledger.repo.accounts {
        let overdue: Vec<&Entry> = site
            .entries_of(&a.id)
            .iter()
            .filter(|e| e.eval.state.is_unpaid() && e.eval.days_overdue > 0)
            .collect();
        if overdue.is_empty() {
            continue;
        }
        let worst = overdue
            .iter()
            .filter_map(|e| crate::ladder::report::severity(e))
            .max();
        let days = overdue
            .iter()
            .map(|e| e.eval.days_overdue)
            .max()
            .unwrap_or(0);
        let missed = overdue
            .iter()
            .map(|e| e.eval.stages.iter().filter(|s| s.missed).count())
            .sum();
        rows.push((missed, worst, days, a, overdue));
    }
    let work = |w: &Option<(Work, i32, String)>| w.as_ref().map(|(w, _, _)| *w);
    rows.sort_by(|x, y| {
        (y.0 > 0, work(&y.1), y.2, &x.3.id).cmp(&(x.0 > 0, work(&x.1), x.2, &y.3.id))
    });
    rows.into_iter()
        .map(|(missed, worst, days, a, overdue)| {
            let mut sums: BTreeMap<&str, Decimal> = BTreeMap::new();
            for e in &overdue {
                *sums.entry(e.currency.as_str()).or_default() += e.eval.outstanding;
            }
            let stage_title = worst.as_ref().and_then(|(_, _, id)| {
                overdue
                    .iter()
                    .find_map(|e| e.policy.stage(id).map(|s| s.title.clone()))
            });
            let pauses: Vec<String> = overdue.iter().filter_map(|e| pause_note(site, e)).collect();
            obj!({
                "name": account_name(a),
                "url": account_url(&a.id),
                "overdue": sums.iter().map(|(c, v)| human(*v, c)).collect::<Vec<_>>(),
                "days": days,
                "invoices": overdue.len(),
                "stage": stage_title,
                "work": worst.map_or("continue", |(w, _, _)| work_str(w)),
                "missed": missed,
                "pauses": pauses,
            })
        })
        .collect()
}

/// What holds an unpaid invoice's escalation today, in words: its open
/// hold (with the reason) or the promise whose window it is in.
fn pause_note(site: &Site, e: &Entry) -> Option<String> {
    let as_of = site.ledger.as_of;
    let inv = &e.invoice.data;
    match e.eval.state {
        State::OnHold => {
            let hold = inv.holds.iter().rev().find(|h| {
                h.from.value.0 <= as_of && h.until.as_ref().is_none_or(|u| u.value.0 >= as_of)
            })?;
            let until = match &hold.until {
                Some(u) => format!(" until {}", site.day(u.value.0)),
                None => String::new(),
            };
            let why = hold
                .reason
                .as_deref()
                .map_or(String::new(), |r| format!(": {r}"));
            Some(format!(
                "{} on hold since {}{until}{why}",
                inv.number.value,
                site.day(hold.from.value.0)
            ))
        }
        State::Promised => {
            let p = inv
                .promises
                .iter()
                .rev()
                .find(|p| p.made.value.0 <= as_of && p.pay_by.value.0 >= as_of)?;
            Some(format!(
                "{} promised for {}",
                inv.number.value,
                site.day(p.pay_by.value.0)
            ))
        }
        _ => None,
    }
}
