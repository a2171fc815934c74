//! Warnings that depend on where invoices stand on their ladders.

use crate::diagnostic::{Code, Diagnostic, Pos};
use crate::ladder::calendar::add_days;
use crate::ladder::stage::PromiseState;
use crate::ladder::{Entry, Ledger};
use crate::model::{ProjectStatus, Work};
use rust_decimal::Decimal;

/// An open hold older than this many days is flagged.
pub const STALE_HOLD_DAYS: i64 = 30;

pub fn check(ledger: &Ledger, out: &mut Vec<Diagnostic>) {
    for e in &ledger.entries {
        overpayment(e, out);
        if e.eval.state.is_unpaid() {
            missed_and_late(e, out);
            broken_promises(e, out);
            stale_holds(e, ledger, out);
        }
    }
    active_while_paused(ledger, out);
}

fn overpayment(e: &Entry, out: &mut Vec<Diagnostic>) {
    // A non-positive amount is already an error; it is not an overpayment.
    let amount_valid = e.invoice.data.amount.value.0 > Decimal::ZERO;
    if amount_valid && e.eval.outstanding < Decimal::ZERO {
        let inv = &e.invoice.data;
        let pos = inv.payments.last().map_or(inv.amount.pos, |p| p.amount.pos);
        out.push(Diagnostic::new(
            Code::Overpayment,
            &e.invoice.file,
            pos,
            format!(
                "invoice {} is overpaid by {}",
                inv.number.value,
                crate::model::money::human(-e.eval.outstanding, &e.currency)
            ),
            "check the payment amounts; refund or credit the difference and note it in the log",
        ));
    }
}

fn log_pos(e: &Entry) -> Pos {
    let inv = &e.invoice.data;
    inv.log.last().map_or(inv.number.pos, |l| l.date.pos)
}

fn missed_and_late(e: &Entry, out: &mut Vec<Diagnostic>) {
    for s in e.eval.missed() {
        let title = e
            .policy
            .stage(&s.id)
            .map_or(s.id.as_str(), |st| st.title.as_str());
        let date = s.date.map(|d| d.to_string()).unwrap_or_default();
        out.push(Diagnostic::new(
            Code::MissedStep,
            &e.invoice.file,
            log_pos(e),
            format!(
                "invoice {} reached `{}` ({title}) on {date} but no log entry records it",
                e.number(),
                s.id
            ),
            format!(
                "do the step, then record it: `folio log {} {} --note \"...\"`",
                e.number(),
                s.id
            ),
        ));
    }
    for s in e.eval.late() {
        out.push(Diagnostic::new(
            Code::LateStep,
            &e.invoice.file,
            log_pos(e),
            format!(
                "invoice {}: step `{}` was due on {} but first logged on {}",
                e.number(),
                s.id,
                s.date.map(|d| d.to_string()).unwrap_or_default(),
                s.logged.map(|d| d.to_string()).unwrap_or_default()
            ),
            "steps are on time when logged within two days of their date",
        ));
    }
}

fn broken_promises(e: &Entry, out: &mut Vec<Diagnostic>) {
    for (p, state) in e.invoice.data.promises.iter().zip(&e.eval.promises) {
        // A promise whose pay_by comes before it was made is already an
        // error (E031); calling it broken too would only repeat it.
        if *state == PromiseState::Broken && p.pay_by.value >= p.made.value {
            out.push(Diagnostic::new(
                Code::BrokenPromise,
                &e.invoice.file,
                p.pay_by.pos,
                format!("invoice {}: the promise to pay by {} was broken", e.number(), p.pay_by.value),
                format!("escalation has resumed; log the follow-up, or record a new promise: `folio promise {} --pay-by YYYY-MM-DD`", e.number()),
            ));
        }
    }
}

fn stale_holds(e: &Entry, ledger: &Ledger, out: &mut Vec<Diagnostic>) {
    for h in &e.invoice.data.holds {
        if h.until.is_none() && add_days(h.from.value.0, STALE_HOLD_DAYS) < ledger.as_of {
            out.push(Diagnostic::new(
                Code::StaleHold,
                &e.invoice.file,
                h.from.pos,
                format!(
                    "invoice {} has been on hold since {} ({} days) with no end date",
                    e.number(),
                    h.from.value,
                    (ledger.as_of - h.from.value.0).num_days()
                ),
                format!("resolve the dispute and end the hold: `folio hold {} --release --on YYYY-MM-DD`, or write the invoice off", e.number()),
            ));
        }
    }
}

/// A project still `active` while one of its invoices (or, for invoices with
/// no project, any of the account's invoices) stands on a stage that pauses
/// or stops work.
fn active_while_paused(ledger: &Ledger, out: &mut Vec<Diagnostic>) {
    for e in &ledger.entries {
        let Some(current) = e.eval.current() else {
            continue;
        };
        let Some(stage) = e.policy.stage(&current.id) else {
            continue;
        };
        if stage.work == Work::Continue {
            continue;
        }
        let projects = e
            .account
            .projects
            .iter()
            .filter(|p| match &e.invoice.data.project {
                Some(id) => p.id == id.value,
                None => true,
            });
        for p in projects {
            if p.data.status.value == ProjectStatus::Active {
                out.push(Diagnostic::new(
                    Code::ActiveWhilePaused,
                    &p.file,
                    p.data.status.pos,
                    format!(
                        "project `{}` is active, but invoice {} reached `{}`, where work must {}",
                        p.id,
                        e.number(),
                        stage.id,
                        if stage.work == Work::Pause {
                            "pause"
                        } else {
                            "stop"
                        }
                    ),
                    format!(
                        "set `status: {}` on the project, or record the payment: `folio pay {} AMOUNT`",
                        if stage.work == Work::Pause {
                            "paused"
                        } else {
                            "offloaded"
                        },
                        e.number()
                    ),
                ));
            }
        }
    }
}
