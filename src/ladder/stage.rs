//! Where an invoice stands on its ladder as of a date: SPEC §3 as a pure
//! function of the invoice's facts, its policy, its calendar and the date.

use super::calendar::{Calendar, add_days};
use super::policy::Policy;
use crate::model::InvoiceStatus;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;

/// The dated facts of one invoice that the ladder depends on.
#[derive(Clone, Debug, Default)]
pub struct Facts {
    pub issued: NaiveDate,
    pub due: NaiveDate,
    pub amount: Decimal,
    pub status: InvoiceStatus,
    pub payments: Vec<(NaiveDate, Decimal)>,
    /// (made, pay_by)
    pub promises: Vec<(NaiveDate, NaiveDate)>,
    /// (from, until); no `until` means the hold is still open.
    pub holds: Vec<(NaiveDate, Option<NaiveDate>)>,
    /// (granted, days)
    pub extensions: Vec<(NaiveDate, u32)>,
    /// (date, stage id) of log entries naming a stage.
    pub log: Vec<(NaiveDate, String)>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    Open,
    Paid,
    Draft,
    Void,
    WrittenOff,
    OnHold,
    Promised,
}

impl State {
    pub fn as_str(self) -> &'static str {
        match self {
            State::Open => "open",
            State::Paid => "paid",
            State::Draft => "draft",
            State::Void => "void",
            State::WrittenOff => "written_off",
            State::OnHold => "on_hold",
            State::Promised => "promised",
        }
    }
    /// Money is still owed and the ladder applies.
    pub fn is_unpaid(self) -> bool {
        matches!(self, State::Open | State::OnHold | State::Promised)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    /// Scheduled before the issue date.
    Skipped,
    Reached,
    /// The first unreached stage.
    Next,
    Pending,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StageResult {
    pub id: String,
    /// None while an open-ended hold suspends the stage.
    pub date: Option<NaiveDate>,
    pub step: Step,
    /// First log entry naming this stage.
    pub logged: Option<NaiveDate>,
    pub missed: bool,
    pub late: bool,
    /// How many extensions, holds and promises moved this stage's date: a
    /// calendar event's SEQUENCE, so calendar applications take a moved
    /// date, while a build stays a function of the records.
    pub shifts: u32,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PromiseState {
    Open,
    Kept,
    Broken,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Evaluation {
    pub state: State,
    pub outstanding: Decimal,
    pub paid: Decimal,
    pub stages: Vec<StageResult>,
    /// Index of the last reached stage (unpaid invoices only).
    pub stage: Option<usize>,
    /// Index of the first unreached stage (unpaid invoices only).
    pub next: Option<usize>,
    pub days_overdue: i64,
    pub promises: Vec<PromiseState>,
}

impl Evaluation {
    pub fn current(&self) -> Option<&StageResult> {
        self.stage.map(|i| &self.stages[i])
    }
    pub fn next_stage(&self) -> Option<&StageResult> {
        self.next.map(|i| &self.stages[i])
    }
    pub fn reached(&self) -> impl Iterator<Item = &StageResult> {
        self.stages.iter().filter(|s| s.step == Step::Reached)
    }
    pub fn missed(&self) -> impl Iterator<Item = &StageResult> {
        self.stages.iter().filter(|s| s.missed)
    }
    pub fn late(&self) -> impl Iterator<Item = &StageResult> {
        self.stages.iter().filter(|s| s.late)
    }
    pub fn broken_promises(&self) -> usize {
        self.promises
            .iter()
            .filter(|p| **p == PromiseState::Broken)
            .count()
    }
    pub fn aging(&self) -> &'static str {
        aging_bucket(self.days_overdue)
    }
}

pub fn aging_bucket(days_overdue: i64) -> &'static str {
    match days_overdue {
        i64::MIN..=0 => "current",
        1..=30 => "1-30",
        31..=60 => "31-60",
        61..=90 => "61-90",
        _ => "90+",
    }
}

/// A log entry for a stage dated more than this many days after the stage's
/// date makes the step late.
pub const LATE_AFTER_DAYS: i64 = 2;

impl Facts {
    pub fn outstanding_on(&self, d: NaiveDate) -> Decimal {
        self.amount
            - self
                .payments
                .iter()
                .filter(|(date, _)| *date <= d)
                .map(|(_, a)| *a)
                .sum::<Decimal>()
    }
    fn in_hold(&self, d: NaiveDate) -> Option<NaiveDate> {
        self.holds
            .iter()
            .find(|(from, until)| *from <= d && until.is_none_or(|u| d <= u))
            .map(|(from, _)| *from)
    }
    fn in_promise(&self, d: NaiveDate) -> Option<NaiveDate> {
        self.promises
            .iter()
            .find(|(made, pay_by)| *made <= d && d <= *pay_by)
            .map(|(made, _)| *made)
    }
}

/// The scheduled date of a stage at `offset`: due + offset + shift, where the
/// shift grows with every extension granted before the date and every hold
/// or promise window starting on or before it, each applied once, re-checked
/// after each shift. None when an open-ended hold suspends it.
///
/// The date only moves later as the shift grows, so the extensions and
/// windows are taken in date order with one pass over each: linear in their
/// number, however they chain.
///
/// The shift is counted from the unshifted stage date (due + offset), not
/// added to the offset: on a working-day ladder whose due date is not a
/// working day, offsets 0 and +1 name the same day, and "due + (0 + 1)"
/// would leave a stage inside the one-day hold that was meant to move it.
pub fn schedule(facts: &Facts, policy: &Policy, cal: &Calendar, offset: i32) -> Option<NaiveDate> {
    schedule_with_shifts(facts, policy, cal, offset).0
}

/// [`schedule`], and how many extensions and windows moved the date (also
/// when an open-ended hold leaves it with none).
pub fn schedule_with_shifts(
    facts: &Facts,
    policy: &Policy,
    cal: &Calendar,
    offset: i32,
) -> (Option<NaiveDate>, u32) {
    let mut extensions: Vec<(NaiveDate, u32)> = facts.extensions.clone();
    extensions.sort_unstable();
    let mut windows: Vec<(NaiveDate, Option<NaiveDate>)> = facts
        .holds
        .iter()
        .copied()
        .chain(facts.promises.iter().map(|(m, p)| (*m, Some(*p))))
        .collect();
    windows.sort_unstable();
    let (mut next_extension, mut next_window) = (0, 0);
    let mut shift: i64 = 0;
    let unshifted = cal.add(policy.days, facts.due, offset as i64);
    loop {
        let date = if shift == 0 {
            unshifted
        } else {
            cal.add(policy.days, unshifted, shift)
        };
        let before = (next_extension, next_window);
        let shifts = |e: usize, w: usize| u32::try_from(e + w).unwrap_or(u32::MAX);
        while let Some((_, days)) = extensions.get(next_extension).filter(|(g, _)| *g < date) {
            shift = shift.saturating_add(*days as i64);
            next_extension += 1;
        }
        while let Some((from, until)) = windows.get(next_window).filter(|(f, _)| *f <= date) {
            let Some(until) = until else {
                return (None, shifts(next_extension, next_window + 1));
            };
            shift = shift.saturating_add(cal.window_len(policy.days, *from, *until));
            next_window += 1;
        }
        if (next_extension, next_window) == before {
            return (Some(date), shifts(next_extension, next_window));
        }
    }
}

/// The payments in date order with running totals, so "what was still owed
/// on day D" is a binary search, not a sum over every payment (an invoice
/// may list thousands of payments and promises).
struct PaidBy {
    amount: Decimal,
    running: Vec<(NaiveDate, Decimal)>,
}

impl PaidBy {
    fn new(facts: &Facts) -> PaidBy {
        let mut payments = facts.payments.clone();
        payments.sort_by_key(|(date, _)| *date);
        let mut total = Decimal::ZERO;
        let running = payments
            .into_iter()
            .map(|(date, amount)| {
                // Saturate: a sum past Decimal's range is overpaid anyway.
                total = total.checked_add(amount).unwrap_or(Decimal::MAX);
                (date, total)
            })
            .collect();
        PaidBy {
            amount: facts.amount,
            running,
        }
    }
    fn paid_until(&self, d: NaiveDate) -> Decimal {
        let n = self.running.partition_point(|(date, _)| *date <= d);
        if n == 0 {
            Decimal::ZERO
        } else {
            self.running[n - 1].1
        }
    }
    fn outstanding_on(&self, d: NaiveDate) -> Decimal {
        self.amount
            .checked_sub(self.paid_until(d))
            .unwrap_or(Decimal::MIN)
    }
    fn paid_on(&self, d: NaiveDate, tolerance: Decimal) -> bool {
        self.outstanding_on(d) <= tolerance
    }
}

pub fn evaluate(
    facts: &Facts,
    policy: &Policy,
    cal: &Calendar,
    tolerance: Decimal,
    as_of: NaiveDate,
) -> Evaluation {
    let paid_by = PaidBy::new(facts);
    let outstanding = paid_by.outstanding_on(as_of);
    let state = match facts.status {
        InvoiceStatus::Draft => State::Draft,
        InvoiceStatus::Void => State::Void,
        InvoiceStatus::WrittenOff => State::WrittenOff,
        InvoiceStatus::Open if outstanding <= tolerance => State::Paid,
        InvoiceStatus::Open if facts.in_hold(as_of).is_some() => State::OnHold,
        InvoiceStatus::Open if facts.in_promise(as_of).is_some() => State::Promised,
        InvoiceStatus::Open => State::Open,
    };
    let ladder_applies = matches!(
        state,
        State::Open | State::Paid | State::OnHold | State::Promised
    );
    // While today is inside a window, nothing scheduled from the window's
    // start on is reached.
    let window_start = facts
        .in_hold(as_of)
        .into_iter()
        .chain(facts.in_promise(as_of))
        .min();
    let mut stages: Vec<StageResult> = policy
        .stages
        .iter()
        .map(|s| {
            let (date, shifts) = schedule_with_shifts(facts, policy, cal, s.offset);
            let skipped = date.is_some_and(|d| d < facts.issued);
            let reached = ladder_applies
                && !skipped
                && date.is_some_and(|d| {
                    d <= as_of && !paid_by.paid_on(d, tolerance) && window_start.is_none_or(|w| d < w)
                });
            let logged = facts.log.iter().filter(|(_, id)| *id == s.id).map(|(d, _)| *d).min();
            let unpaid = state.is_unpaid();
            StageResult {
                id: s.id.clone(),
                date,
                step: if skipped {
                    Step::Skipped
                } else if reached {
                    Step::Reached
                } else {
                    Step::Pending
                },
                logged,
                missed: unpaid && reached && logged.is_none(),
                late: unpaid
                    && reached
                    && matches!((logged, date), (Some(l), Some(d)) if l > add_days(d, LATE_AFTER_DAYS)),
                shifts,
            }
        })
        .collect();
    let (stage, next) = if state.is_unpaid() {
        let stage = stages.iter().rposition(|s| s.step == Step::Reached);
        let next = stages
            .iter()
            .enumerate()
            .skip(stage.map_or(0, |i| i + 1))
            .find(|(_, s)| s.step == Step::Pending)
            .map(|(i, _)| i);
        if let Some(n) = next {
            stages[n].step = Step::Next;
        }
        (stage, next)
    } else {
        (None, None)
    };
    let days_overdue = if state.is_unpaid() && as_of > facts.due {
        (as_of - facts.due).num_days()
    } else {
        0
    };
    let promises = facts
        .promises
        .iter()
        .map(|(_, pay_by)| {
            if paid_by.paid_on((*pay_by).min(as_of), tolerance) {
                PromiseState::Kept
            } else if as_of > *pay_by {
                PromiseState::Broken
            } else {
                PromiseState::Open
            }
        })
        .collect();
    // A draft, void or written-off invoice is owed by nobody: its amount
    // stays its amount, but it adds nothing to any sum of what is owed.
    let outstanding = match state {
        State::Draft | State::Void | State::WrittenOff => Decimal::ZERO,
        _ => outstanding,
    };
    Evaluation {
        state,
        outstanding,
        paid: paid_by.paid_until(as_of),
        stages,
        stage,
        next,
        days_overdue,
        promises,
    }
}

#[cfg(test)]
#[path = "stage_tests.rs"]
mod tests;
