//! An account's page: template `site/account.html`, written to
//! `accounts/<id>/index.html`. Not in a `--handbook-only` site.
//!
//! Its variables, besides those every page has (see [`super`]);
//! `docs/templates.md` gives the keys of each nested value:
//!
//! - `id`: text, the account's folder name.
//! - `name`: text, the account's name (also its `title`).
//! - `status`: text, `prospect`, `active`, `paused` or `churned`.
//! - `since`: date (text) or none, when the account became a client.
//! - `roles`: list, who holds each of the account's roles.
//! - `contacts`: list, the client's people.
//! - `billing`: map or none (none without `account.md`): currency, terms,
//!   escalation policy, calendar, billing email and portal.
//! - `cadence`: list, one per meeting kind with a frequency: the last
//!   meeting, the next one due, whether it is missed.
//! - `handover`: map or none, the handover brief's questions and answers.
//! - `projects`: list, each project with its budget, milestones and tasks.
//! - `invoices`: list of invoice summaries, unpaid and latest first when
//!   not all fit ([`ACCOUNT_INVOICES`]).
//! - `invoices_left_off`: number, how many invoices `invoices` leaves out.
//! - `outstanding`: list of money, what is unpaid, one per currency.
//! - `warnings`: list of warnings on the account's files (the first
//!   [`ACCOUNT_WARNINGS`]).
//! - `warnings_left_off`: number, how many more warnings there are.
//! - `body`: HTML, the body of `account.md` (empty without one).
//! - `timeline`: list of events, newest first: what the records date and
//!   the commits that touched the account (the latest [`ACCOUNT_EVENTS`]).
//! - `events_left_off`: number, how many older events `timeline` leaves
//!   out.
//! - `oldest_event`: date (text) or none, the oldest event's, when some are
//!   left out.
//! - `history`: text, the git history's coverage: `complete`,
//!   `truncated` or `missing`.
//! - `statement_url`: text, the path of the account's statement.

use super::{
    Site, account_name, account_status, account_url, human, invoice_url, opt_day, role_title,
    role_url, warning_view,
};
use crate::ladder::Entry;
use crate::model::site_map;
use crate::model::{AccountDir, Frequency, InvoiceStatus, Record};
use crate::plumbing::value::{PageData, Value, obj, page};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use std::collections::{BTreeMap, BTreeSet};

/// At most this many invoices, log and history events and warnings are
/// shown on an account's page; the rest are counted and pointed to, so an
/// account with years of invoices still has a page a person can open.
pub const ACCOUNT_INVOICES: usize = 100;
pub const ACCOUNT_EVENTS: usize = 150;
pub const ACCOUNT_WARNINGS: usize = 20;

fn account_currency(site: &Site, a: &AccountDir) -> String {
    a.account
        .as_ref()
        .and_then(|r| r.data.billing.currency.as_ref())
        .map_or_else(
            || site.ledger.settings.currency.clone(),
            |c| c.value.clone(),
        )
}

fn frequency_str(f: Frequency) -> &'static str {
    match f {
        Frequency::Weekly => "weekly",
        Frequency::Fortnightly => "fortnightly",
        Frequency::Monthly => "monthly",
        Frequency::Quarterly => "quarterly",
    }
}

const HANDOVER_QUESTIONS: [(&str, &str); 6] = [
    ("why_they_bought", "Why they bought"),
    ("problem", "The problem to solve"),
    ("success", "What success looks like"),
    ("buyer", "The buyer"),
    ("influencers", "Influencers"),
    ("roadblocks", "Roadblocks"),
];

fn cadence(site: &Site, acc: &crate::model::Account) -> Vec<Value> {
    let as_of = site.ledger.as_of;
    [
        ("internal_sync", "Internal sync", acc.cadence.internal_sync),
        ("client_sync", "Client sync", acc.cadence.client_sync),
    ]
    .into_iter()
    .filter_map(|(kind, label, freq)| {
        let freq = freq?;
        let meetings: Vec<NaiveDate> = acc
            .log
            .iter()
            .filter(|e| e.kind.as_str() == kind && e.date.value.0 <= as_of)
            .map(|e| e.date.value.0)
            .collect();
        let last = meetings.iter().max().copied();
        let reference = last.or(acc.since.as_ref().map(|s| s.value.0));
        let due = reference.map(|r| crate::ladder::calendar::add_days(r, freq.days()));
        let active = acc.status == crate::model::AccountStatus::Active;
        Some(obj!({
            "kind": kind,
            "label": label,
            "frequency": frequency_str(freq),
            "last": opt_day(site, last),
            "due": opt_day(site, due),
            "missed": active && due.is_some_and(|d| d < as_of),
            "held": meetings.len(),
        }))
    })
    .collect()
}

fn handover(acc: &crate::model::Account) -> Value {
    let Some(h) = &acc.handover else {
        return Value::none();
    };
    let answers = h.answers();
    let mut unanswered = 0;
    let items: Vec<Value> = HANDOVER_QUESTIONS
        .iter()
        .zip(answers.iter())
        .map(|((_, label), (_, answer))| {
            let text = answer.as_deref().map(str::trim).filter(|s| !s.is_empty());
            unanswered += usize::from(text.is_none());
            obj!({"question": *label, "answer": text})
        })
        .collect();
    obj!({"items": items, "unanswered": unanswered})
}

fn project_view(
    site: &Site,
    a: &AccountDir,
    p: &Record<crate::model::Project>,
    currency: &str,
) -> Value {
    let d = &p.data;
    let as_of = site.ledger.as_of;
    let mine: Vec<&Entry> = site
        .entries_of(&a.id)
        .iter()
        .filter(|e| {
            e.invoice
                .data
                .project
                .as_ref()
                .is_some_and(|x| x.value == p.id)
        })
        .collect();
    let billed = |e: &&&Entry| {
        e.currency == currency
            && !matches!(
                e.invoice.data.status,
                InvoiceStatus::Void | InvoiceStatus::Draft
            )
    };
    let invoiced: Decimal = mine
        .iter()
        .filter(billed)
        .map(|e| e.invoice.data.amount.value.0)
        .sum();
    let paid: Decimal = mine.iter().filter(billed).map(|e| e.eval.paid).sum();
    let budget = d.budget.as_ref().map(|b| b.value.0);
    let percent = |x: Decimal| -> Value {
        match budget {
            Some(b) if b > Decimal::ZERO => {
                let p = (x * Decimal::from(100) / b).round_dp(1);
                Value::from(p.min(Decimal::from(100)).to_string())
            }
            _ => Value::none(),
        }
    };
    let milestones: Vec<Value> = d
        .milestones
        .iter()
        .map(|m| {
            let share = m.share.value.0;
            obj!({
                "name": &m.name,
                "share": format!("{}%", share.normalize()),
                "amount": budget.map(|b| human(b * share / Decimal::from(100), currency)),
                "due": opt_day(site, m.due.as_ref().map(|x| x.value.0)),
                "past": m.due.as_ref().is_some_and(|x| x.value.0 <= as_of),
            })
        })
        .collect();
    let tasks: Vec<Value> = d
        .client_tasks
        .iter()
        .map(|t| {
            let due = t.due.as_ref().map(|x| x.value.0);
            let done = t.done.as_ref().map(|x| x.value.0);
            let state = match (done, due) {
                (Some(_), _) => "done",
                (None, Some(due)) if due < as_of => "overdue",
                _ => "open",
            };
            obj!({"task": &t.task, "due": opt_day(site, due), "done": opt_day(site, done), "state": state})
        })
        .collect();
    obj!({
        "id": &p.id,
        "name": &d.name.value,
        "status": format!("{:?}", d.status.value).to_lowercase(),
        "start": opt_day(site, d.start.as_ref().map(|x| x.value.0)),
        "end": opt_day(site, d.end.as_ref().map(|x| x.value.0)),
        "budget": budget.map(|b| human(b, currency)),
        "invoiced": human(invoiced, currency),
        "paid": human(paid, currency),
        "invoiced_pct": percent(invoiced),
        "paid_pct": percent(paid),
        "over_budget": budget.is_some_and(|b| invoiced > b),
        "milestones": milestones,
        "tasks": tasks,
        "body": site.body_html(&p.file, &account_url(&a.id), &p.body),
    })
}

/// A dated event for the account timeline.
struct Event {
    date: NaiveDate,
    /// Orders events of one day: record events before commits.
    rank: u8,
    kind: &'static str,
    text: String,
    by: Option<String>,
    url: Option<String>,
    /// For a log entry recorded late: how late.
    late: Option<String>,
}

fn timeline(site: &Site, a: &AccountDir) -> Vec<Value> {
    let mut events: Vec<Event> = vec![];
    let ev = |date, kind, text: String, by: Option<String>, url: Option<String>| Event {
        date,
        rank: 0,
        kind,
        text,
        by,
        url,
        late: None,
    };
    if let Some(acc) = &a.account {
        for l in &acc.data.log {
            let text = match &l.note {
                Some(n) => format!("{}: {n}", role_title(&l.kind)),
                None => role_title(&l.kind),
            };
            events.push(Event {
                late: site.recorded_late(&acc.file, &l.date),
                ..ev(
                    l.date.value.0,
                    "meeting",
                    text,
                    l.by.as_ref().map(|b| site.person_name(b)),
                    None,
                )
            });
        }
    }
    for e in site.entries_of(&a.id) {
        let inv = &e.invoice.data;
        let url = Some(invoice_url(e.number()));
        let n = e.number();
        let cur = &e.currency;
        events.push(ev(
            inv.issued.value.0,
            "issued",
            format!("{n} issued for {}", human(inv.amount.value.0, cur)),
            None,
            url.clone(),
        ));
        if e.eval.state.is_unpaid() && e.due <= site.ledger.as_of {
            events.push(ev(e.due, "due", format!("{n} fell due"), None, url.clone()));
        }
        for p in &inv.payments {
            events.push(ev(
                p.date.value.0,
                "payment",
                format!("{} received for {n}", human(p.amount.value.0, cur)),
                None,
                url.clone(),
            ));
        }
        for p in &inv.promises {
            events.push(ev(
                p.made.value.0,
                "promise",
                format!("Promise to pay {n} by {}", site.day(p.pay_by.value.0)),
                None,
                url.clone(),
            ));
        }
        for h in &inv.holds {
            let text = match &h.reason {
                Some(r) => format!("{n} put on hold: {r}"),
                None => format!("{n} put on hold"),
            };
            events.push(ev(h.from.value.0, "hold", text, None, url.clone()));
        }
        for x in &inv.extensions {
            events.push(ev(
                x.granted.value.0,
                "extension",
                format!("{n} escalation extended by {} days", x.days.value),
                x.by.as_ref().map(|b| site.person_name(b)),
                url.clone(),
            ));
        }
        for l in &inv.log {
            let what = l.stage.as_ref().map_or_else(
                || "Note".to_string(),
                |s| {
                    e.policy
                        .stage(s)
                        .map_or_else(|| s.value.clone(), |st| st.title.clone())
                },
            );
            let text = match &l.note {
                Some(note) => format!("{n}, {what}: {note}"),
                None => format!("{n}, {what}"),
            };
            events.push(Event {
                late: site.recorded_late(&e.invoice.file, &l.date),
                ..ev(
                    l.date.value.0,
                    "log",
                    text,
                    l.by.as_ref().map(|b| site.person_name(b)),
                    url.clone(),
                )
            });
        }
        for s in e.eval.reached() {
            let Some(date) = s.date else { continue };
            let title = e
                .policy
                .stage(&s.id)
                .map_or(s.id.as_str(), |st| st.title.as_str());
            let kind = if s.missed { "missed" } else { "stage" };
            let suffix = if s.missed { " (not logged)" } else { "" };
            events.push(ev(
                date,
                kind,
                format!("{n} reached {title}{suffix}"),
                None,
                url.clone(),
            ));
        }
    }
    let mut values: Vec<(NaiveDate, u8, usize, Value)> = events
        .into_iter()
        .enumerate()
        .map(|(i, e)| {
            let v = obj!({"date": site.day(e.date), "kind": e.kind, "text": e.text, "by": e.by, "url": e.url, "late": e.late, "commit": Value::none()});
            (e.date, e.rank, i, v)
        })
        .collect();
    let offset = values.len();
    for (i, c) in site
        .history
        .under(&format!("accounts/{}/", a.id))
        .into_iter()
        .enumerate()
    {
        let Ok(date) = c.date.parse::<NaiveDate>() else {
            continue;
        };
        let v = obj!({"date": site.day(date), "kind": "commit", "text": &c.summary, "by": &c.author, "url": Value::none(), "late": Value::none(), "commit": site.commit(c)});
        values.push((date, 1, offset + i, v));
    }
    values.sort_by(|x, y| (y.0, x.1, x.2).cmp(&(x.0, y.1, y.2)));
    values.into_iter().map(|v| v.3).collect()
}

/// The rows of an account's invoice table, in ledger order, and how many
/// were left off: every unpaid invoice first, then the latest issued, at
/// most [`ACCOUNT_INVOICES`] (each invoice keeps its own page).
fn invoices_shown(entries: &[Entry], summaries: Vec<Value>) -> (Vec<Value>, usize) {
    let total = summaries.len();
    if total <= ACCOUNT_INVOICES || entries.len() != total {
        return (summaries, 0);
    }
    let mut order: Vec<usize> = (0..total).collect();
    order.sort_by_key(|&i| {
        let e = &entries[i];
        (
            !e.eval.state.is_unpaid(),
            std::cmp::Reverse(e.invoice.data.issued.value.0),
        )
    });
    let kept: BTreeSet<usize> = order.into_iter().take(ACCOUNT_INVOICES).collect();
    let shown = summaries
        .into_iter()
        .enumerate()
        .filter(|(i, _)| kept.contains(i))
        .map(|(_, v)| v)
        .collect();
    (shown, total - ACCOUNT_INVOICES)
}

/// An account's page; `invoices`: the summaries of its invoices, in ledger order.
pub fn account(site: &Site, a: &AccountDir, invoices: Vec<Value>) -> PageData {
    let currency = account_currency(site, a);
    let data = a.account.as_ref().map(|r| &r.data);
    let roles: Vec<Value> = data
        .map(|d| {
            d.roles
                .iter()
                .map(|(role, h)| obj!({"role": role_title(role), "url": role_url(role), "person": site.person(h)}))
                .collect()
        })
        .unwrap_or_default();
    let contacts: Vec<Value> = data
        .map(|d| {
            d.contacts
                .iter()
                .map(|c| {
                    obj!({
                        "name": &c.name,
                        "email": &c.email,
                        "phone": &c.phone,
                        "role": c.role.map(|r| format!("{r:?}").to_lowercase()),
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    let billing = data.map(|d| {
        let b = &d.billing;
        let policy = b.policy.as_ref().map_or(site.ledger.settings.default_policy.clone(), |p| p.value.clone());
        obj!({
            "portal": b.portal.as_ref().filter(|u| u.starts_with("https://") || u.starts_with("http://")),
            "portal_text": &b.portal,
            "email": &b.email,
            "currency": &currency,
            "terms": b.terms.as_ref().map(|t| t.value.clone()),
            "policy_url": site.policy_url(&policy),
            "policy": policy,
            "calendar": b.calendar.as_ref().map(|c| c.value.clone()),
        })
    });
    let prefix = format!("accounts/{}/", a.id);
    let all_warnings = site.warnings_under(&prefix);
    let warnings_left_off = all_warnings.len().saturating_sub(ACCOUNT_WARNINGS);
    let warnings: Vec<Value> = all_warnings
        .iter()
        .take(ACCOUNT_WARNINGS)
        .map(|d| warning_view(site, d))
        .collect();
    let (invoices, invoices_left_off) = invoices_shown(site.entries_of(&a.id), invoices);
    let mut timeline = timeline(site, a);
    let events_left_off = timeline.len().saturating_sub(ACCOUNT_EVENTS);
    let oldest_event = timeline
        .last()
        .and_then(|e| e.get_from_path("date"))
        .cloned();
    timeline.truncate(ACCOUNT_EVENTS);
    let mut outstanding: BTreeMap<&str, Decimal> = BTreeMap::new();
    for e in site
        .entries_of(&a.id)
        .iter()
        .filter(|e| e.eval.state.is_unpaid())
    {
        *outstanding.entry(e.currency.as_str()).or_default() += e.eval.outstanding;
    }
    page!({
        "title": account_name(a),
        "nav": "accounts",
        "id": &a.id,
        "name": account_name(a),
        "status": data.map_or("active", |d| account_status(d.status)),
        "since": opt_day(site, data.and_then(|d| d.since.as_ref()).map(|s| s.value.0)),
        "roles": roles,
        "contacts": contacts,
        "billing": billing,
        "cadence": data.map(|d| cadence(site, d)).unwrap_or_default(),
        "handover": data.map_or_else(Value::none, handover),
        "projects": a.projects.iter().map(|p| project_view(site, a, p, &currency)).collect::<Vec<_>>(),
        "invoices": invoices,
        "invoices_left_off": invoices_left_off,
        "outstanding": outstanding.iter().map(|(c, v)| human(*v, c)).collect::<Vec<_>>(),
        "warnings": warnings,
        "warnings_left_off": warnings_left_off,
        "body": a.account.as_ref().map(|r| site.body_html(&r.file, &account_url(&a.id), &r.body)).unwrap_or_default(),
        "timeline": timeline,
        "events_left_off": events_left_off,
        "oldest_event": if events_left_off > 0 { oldest_event } else { None },
        "history": site.coverage(),
        "statement_url": site_map::statement_url(&a.id),
    })
}
