//! The status document of SPEC §4 (`status --format json`, `status.json`):
//! every invoice, per-account totals by currency, and today's actions.

use super::ledger::{Entry, Ledger};
use crate::model::Work;
use crate::model::money;
use rayon::prelude::*;
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::BTreeMap;

/// How far back the calendar feeds reach, and how old a missed step may be
/// before the agenda sums it up per account instead of listing it.
pub const RECENT_DAYS: u64 = 30;

#[derive(Serialize)]
pub struct StatusDoc {
    pub as_of: String,
    pub invoices: Vec<InvoiceRow>,
    pub accounts: Vec<AccountRow>,
    pub actions: Vec<Action>,
}

impl StatusDoc {
    /// The JSON document of SPEC §4, pretty-printed with a final newline:
    /// what `folio status --format json` prints, written as it is made
    /// (tens of megabytes for 60,000 invoices: never held whole).
    pub fn write_json<W: std::io::Write>(&self, mut w: W) -> std::io::Result<()> {
        serde_json::to_writer_pretty(&mut w, self)?;
        w.write_all(b"\n")
    }

    /// The same document on one line, as the site's `status.json` holds it:
    /// a program reads that file, and the indentation of the pretty form
    /// is a third of its bytes (90 MB against 58 MB for 60,000 invoices).
    pub fn write_compact_json<W: std::io::Write>(&self, mut w: W) -> std::io::Result<()> {
        serde_json::to_writer(&mut w, self)?;
        w.write_all(b"\n")
    }
}

#[derive(Serialize)]
pub struct InvoiceRow {
    pub number: String,
    pub account: String,
    pub project: Option<String>,
    pub currency: String,
    pub amount: String,
    pub outstanding: String,
    pub issued: String,
    pub due: String,
    pub state: &'static str,
    pub policy: String,
    pub stage: Option<String>,
    pub reached: Vec<StageDate>,
    pub next: Option<NextStage>,
    pub days_overdue: i64,
    pub aging: &'static str,
    pub missed: Vec<String>,
    pub late: Vec<String>,
    pub broken_promises: usize,
    pub file: String,
    /// Late-payment interest and compensation that can be claimed (only
    /// when folio.yaml configures `late_payment`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interest: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub compensation: Option<String>,
}

#[derive(Serialize)]
pub struct StageDate {
    pub stage: String,
    pub date: String,
}

#[derive(Serialize)]
pub struct NextStage {
    pub stage: String,
    pub date: Option<String>,
}

#[derive(Serialize)]
pub struct AccountRow {
    pub account: String,
    pub name: String,
    pub outstanding: BTreeMap<String, String>,
    pub overdue: BTreeMap<String, String>,
    pub worst_stage: Option<String>,
    pub actions_due: usize,
    /// Per currency, when `late_payment` is configured.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interest: Option<BTreeMap<String, String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub compensation: Option<BTreeMap<String, String>>,
}

#[derive(Serialize, Clone)]
pub struct Action {
    pub date: String,
    pub invoice: String,
    pub account: String,
    pub stage: String,
    pub title: String,
    pub owner: String,
    pub channel: String,
    pub missed: bool,
}

/// Where an invoice stands, in one line: `INV-1: paid`, or `INV-1:
/// outstanding 14,000.00 EUR, next: pause on 2026-11-26`.
pub fn one_line(e: &Entry) -> String {
    let eval = &e.eval;
    if !eval.state.is_unpaid() {
        return format!("{}: {}", e.number(), eval.state.as_str().replace('_', " "));
    }
    let mut line = format!(
        "{}: outstanding {}",
        e.number(),
        money::human(eval.outstanding.max(Decimal::ZERO), &e.currency)
    );
    if eval.state != crate::ladder::State::Open {
        line.push_str(&format!(", {}", eval.state.as_str().replace('_', " ")));
    }
    match eval.next_stage() {
        Some(n) => line.push_str(&format!(
            ", next: {} on {}",
            n.id,
            n.date
                .map_or("a date not yet set".into(), |d| d.to_string())
        )),
        None => line.push_str(", no further stage"),
    }
    line
}

fn date_str(d: Option<chrono::NaiveDate>) -> Option<String> {
    d.map(|d| d.to_string())
}

pub fn invoice_row(e: &Entry) -> InvoiceRow {
    let inv = &e.invoice.data;
    let eval = &e.eval;
    InvoiceRow {
        number: inv.number.value.clone(),
        account: e.account.id.clone(),
        project: inv.project.as_ref().map(|p| p.value.clone()),
        currency: e.currency.clone(),
        amount: money::plain(inv.amount.value.0, &e.currency),
        outstanding: money::plain(eval.outstanding.max(Decimal::ZERO), &e.currency),
        issued: inv.issued.value.to_string(),
        due: e.due.to_string(),
        state: eval.state.as_str(),
        policy: e.policy.name.clone(),
        stage: eval.current().map(|s| s.id.clone()),
        reached: eval
            .reached()
            .map(|s| StageDate {
                stage: s.id.clone(),
                date: date_str(s.date).unwrap_or_default(),
            })
            .collect(),
        next: eval.next_stage().map(|s| NextStage {
            stage: s.id.clone(),
            date: date_str(s.date),
        }),
        days_overdue: eval.days_overdue,
        aging: eval.aging(),
        missed: eval.missed().map(|s| s.id.clone()).collect(),
        late: eval.late().map(|s| s.id.clone()).collect(),
        broken_promises: eval.broken_promises(),
        file: e.invoice.file.clone(),
        interest: e
            .claim
            .as_ref()
            .map(|c| money::plain(c.interest, &e.currency)),
        compensation: e
            .claim
            .as_ref()
            .map(|c| money::plain(c.compensation, &e.currency)),
    }
}

/// Today's actions for one invoice: the stages reached today, and every
/// reached stage not yet logged (missed). Dated by the step's schedule.
pub fn actions(ledger: &Ledger, e: &Entry) -> Vec<Action> {
    if !e.eval.state.is_unpaid() {
        return vec![];
    }
    e.eval
        .reached()
        .filter(|s| s.missed || s.date == Some(ledger.as_of))
        .map(|s| {
            let stage = e.policy.stage(&s.id);
            Action {
                date: date_str(s.date).unwrap_or_default(),
                invoice: e.number().to_string(),
                account: e.account.id.clone(),
                stage: s.id.clone(),
                title: stage.map_or(s.id.clone(), |st| st.title.clone()),
                owner: e.owner_of(ledger.config(), &s.id),
                channel: stage.map_or(String::new(), |st| st.channel.clone()),
                missed: s.missed,
            }
        })
        .collect()
}

/// How far along its ladder an invoice stands, for "worst stage": work
/// stopped beats paused beats continuing; then the later offset.
pub fn severity(e: &Entry) -> Option<(Work, i32, String)> {
    let current = e.eval.current()?;
    let stage = e.policy.stage(&current.id)?;
    Some((stage.work, stage.offset, stage.id.clone()))
}

pub fn build(ledger: &Ledger, account_filter: Option<&str>) -> StatusDoc {
    let keep = |id: &str| account_filter.is_none_or(|a| a == id);
    let entries: Vec<&Entry> = ledger
        .entries
        .iter()
        .filter(|e| keep(&e.account.id))
        .collect();
    // 137,000 actions on a backlog of 30,000 unpaid invoices: made and
    // sorted on every core (the sort is stable, so the order is the same).
    let mut actions: Vec<Action> = entries
        .par_iter()
        .flat_map_iter(|e| actions(ledger, e))
        .collect();
    actions.par_sort_by(|a, b| {
        (&a.date, &a.owner, &a.invoice, &a.stage).cmp(&(&b.date, &b.owner, &b.invoice, &b.stage))
    });
    // Group once: a scan per account would be accounts × invoices.
    let mut by_account: BTreeMap<&str, Vec<&Entry>> = BTreeMap::new();
    for e in &entries {
        by_account.entry(e.account.id.as_str()).or_default().push(e);
    }
    let mut actions_by_account: BTreeMap<&str, usize> = BTreeMap::new();
    for a in &actions {
        *actions_by_account.entry(a.account.as_str()).or_default() += 1;
    }
    let accounts = ledger
        .repo
        .accounts
        .iter()
        .filter(|a| keep(&a.id))
        .map(|a| {
            let mine: &[&Entry] = by_account.get(a.id.as_str()).map_or(&[], Vec::as_slice);
            let mut outstanding: BTreeMap<String, Decimal> = BTreeMap::new();
            let mut overdue: BTreeMap<String, Decimal> = BTreeMap::new();
            for e in mine.iter().filter(|e| e.eval.state.is_unpaid()) {
                *outstanding.entry(e.currency.clone()).or_default() += e.eval.outstanding;
                if e.eval.days_overdue > 0 {
                    *overdue.entry(e.currency.clone()).or_default() += e.eval.outstanding;
                }
            }
            let configured = ledger.settings.late_payment.is_some();
            let mut interest: BTreeMap<String, Decimal> = BTreeMap::new();
            let mut compensation: BTreeMap<String, Decimal> = BTreeMap::new();
            for e in mine {
                if let Some(c) = e.claim.as_ref().filter(|c| !c.total().is_zero()) {
                    *interest.entry(e.currency.clone()).or_default() += c.interest;
                    *compensation.entry(e.currency.clone()).or_default() += c.compensation;
                }
            }
            let fmt = |m: BTreeMap<String, Decimal>| -> BTreeMap<String, String> {
                m.into_iter()
                    .map(|(c, v)| {
                        let s = money::plain(v, &c);
                        (c, s)
                    })
                    .collect()
            };
            AccountRow {
                account: a.id.clone(),
                name: a
                    .account
                    .as_ref()
                    .map_or(a.id.clone(), |r| r.data.name.value.clone()),
                outstanding: fmt(outstanding),
                overdue: fmt(overdue),
                worst_stage: mine
                    .iter()
                    .filter_map(|e| severity(e))
                    .max()
                    .map(|(_, _, id)| id),
                actions_due: actions_by_account.get(a.id.as_str()).copied().unwrap_or(0),
                interest: configured.then(|| fmt(interest)),
                compensation: configured.then(|| fmt(compensation)),
            }
        })
        .collect();
    StatusDoc {
        as_of: ledger.as_of.to_string(),
        invoices: entries.par_iter().map(|e| invoice_row(e)).collect(),
        accounts,
        actions,
    }
}
