//! A statement of account as of a date: the open invoices with what is
//! owed on each (interest and compensation included when configured; an
//! invoice paid late stays on it while those can be claimed), the payments
//! received in the last 90 days, and the total due.

use super::ledger::{Entry, Ledger};
use crate::model::money;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::BTreeMap;

/// How far back the statement lists payments received.
pub const PAYMENT_DAYS: i64 = 90;

#[derive(Serialize)]
pub struct Statement {
    pub as_of: String,
    pub account: String,
    pub name: String,
    /// Whether folio.yaml configures `late_payment` (interest columns).
    pub late_payment: bool,
    pub invoices: Vec<OpenInvoice>,
    pub payments: Vec<Received>,
    /// Payments listed from this date on.
    pub payments_since: String,
    /// Per currency: outstanding + interest + compensation.
    pub total_due: BTreeMap<String, String>,
    pub outstanding: BTreeMap<String, String>,
    pub interest: BTreeMap<String, String>,
    pub compensation: BTreeMap<String, String>,
}

#[derive(Serialize)]
pub struct OpenInvoice {
    pub number: String,
    pub currency: String,
    pub issued: String,
    pub due: String,
    pub amount: String,
    pub paid: String,
    pub outstanding: String,
    pub days_overdue: i64,
    pub interest: String,
    pub compensation: String,
    pub total: String,
}

#[derive(Serialize)]
pub struct Received {
    pub date: String,
    pub invoice: String,
    pub currency: String,
    pub amount: String,
    pub reference: Option<String>,
}

/// The statement of account `id`, or None when the ledger has no such account.
pub fn build(ledger: &Ledger, id: &str) -> Option<Statement> {
    let dir = ledger.repo.account(id)?;
    let entries: Vec<&Entry> = ledger.entries_of(id).iter().collect();
    let since = ledger.as_of - chrono::Duration::days(PAYMENT_DAYS);
    let mut sums: [BTreeMap<String, Decimal>; 4] = Default::default();
    let mut invoices = vec![];
    // Unpaid invoices, and those paid late whose interest or compensation
    // can still be claimed.
    let charged = |e: &Entry| e.claim.as_ref().is_some_and(|c| !c.total().is_zero());
    for e in entries
        .iter()
        .filter(|e| e.eval.state.is_unpaid() || charged(e))
    {
        let (interest, compensation) = e
            .claim
            .as_ref()
            .map_or((Decimal::ZERO, Decimal::ZERO), |c| {
                (c.interest, c.compensation)
            });
        let outstanding = if e.eval.state.is_unpaid() {
            e.eval.outstanding.max(Decimal::ZERO)
        } else {
            Decimal::ZERO
        };
        let total = outstanding + interest + compensation;
        for (sum, v) in sums
            .iter_mut()
            .zip([outstanding, interest, compensation, total])
        {
            *sum.entry(e.currency.clone()).or_default() += v;
        }
        let cur = &e.currency;
        invoices.push(OpenInvoice {
            number: e.number().to_string(),
            currency: cur.clone(),
            issued: e.invoice.data.issued.value.to_string(),
            due: e.due.to_string(),
            amount: money::plain(e.invoice.data.amount.value.0, cur),
            paid: money::plain(e.eval.paid, cur),
            outstanding: money::plain(outstanding, cur),
            days_overdue: e.eval.days_overdue,
            interest: money::plain(interest, cur),
            compensation: money::plain(compensation, cur),
            total: money::plain(total, cur),
        });
    }
    let mut payments: Vec<Received> = entries
        .iter()
        .flat_map(|e| {
            e.invoice
                .data
                .payments
                .iter()
                .filter(|p| in_window(p.date.value.0, since, ledger.as_of))
                .map(|p| Received {
                    date: p.date.value.to_string(),
                    invoice: e.number().to_string(),
                    currency: e.currency.clone(),
                    amount: money::plain(p.amount.value.0, &e.currency),
                    reference: p.reference.clone(),
                })
        })
        .collect();
    payments.sort_by(|a, b| (&a.date, &a.invoice).cmp(&(&b.date, &b.invoice)));
    let fmt = |m: &BTreeMap<String, Decimal>| -> BTreeMap<String, String> {
        m.iter()
            .map(|(c, v)| (c.clone(), money::plain(*v, c)))
            .collect()
    };
    let [outstanding, interest, compensation, total] = &sums;
    Some(Statement {
        as_of: ledger.as_of.to_string(),
        account: id.to_string(),
        name: dir
            .account
            .as_ref()
            .map_or(id.to_string(), |a| a.data.name.value.clone()),
        late_payment: ledger.settings.late_payment.is_some(),
        invoices,
        payments,
        payments_since: (since + chrono::Duration::days(1)).to_string(),
        total_due: fmt(total),
        outstanding: fmt(outstanding),
        interest: fmt(interest),
        compensation: fmt(compensation),
    })
}

/// The last [`PAYMENT_DAYS`] days up to and including `as_of`.
fn in_window(day: NaiveDate, since: NaiveDate, as_of: NaiveDate) -> bool {
    day > since && day <= as_of
}
