//! What a late payment costs: statutory interest and the fixed compensation
//! (Directive 2011/7/EU, the UK Late Payment Act 1998), as of a date. The one
//! place folio turns `late_payment` in folio.yaml into money; everything that
//! shows interest (status, pages, messages, statements) reads a [`Claim`].

use crate::diagnostic::{Code, Diagnostic};
use crate::model::{InvoiceStatus, LatePaymentConfig, Sp, money};
use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;
use std::str::FromStr;

/// The rules of `late_payment`, read from folio.yaml.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LatePayment {
    pub interest: Option<InterestRule>,
    pub compensation: Compensation,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InterestRule {
    /// Percentage points above the reference rate.
    pub margin: Decimal,
    pub period: Period,
    /// (from, rate in percent), in date order.
    pub rates: Vec<(NaiveDate, Decimal)>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Period {
    /// Each day at the rate in force on the first day of its half-year.
    HalfYear,
    /// Every day at the rate in force on the first day of the half-year in
    /// which the invoice became late.
    Fixed,
}

impl Period {
    pub fn as_str(self) -> &'static str {
        match self {
            Period::HalfYear => "half_year",
            Period::Fixed => "fixed",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Compensation {
    /// 40 in the invoice's currency.
    Eu,
    /// 40, 70 or 100 by the invoice's amount (under 1,000, under 10,000, above).
    Uk,
    Amount(Decimal),
    None,
}

impl Compensation {
    fn for_amount(self, amount: Decimal) -> Decimal {
        match self {
            Compensation::Eu => Decimal::from(40),
            Compensation::Uk if amount < Decimal::from(1_000) => Decimal::from(40),
            Compensation::Uk if amount < Decimal::from(10_000) => Decimal::from(70),
            Compensation::Uk => Decimal::from(100),
            Compensation::Amount(a) => a,
            Compensation::None => Decimal::ZERO,
        }
    }

    /// How the rule reads on a page.
    pub fn describe(self) -> String {
        match self {
            Compensation::Eu => "the EU Directive's fixed 40 per late invoice".into(),
            Compensation::Uk => "the UK Act's 40, 70 or 100 by the invoice's amount".into(),
            Compensation::Amount(a) => format!("a fixed {} per late invoice", a.normalize()),
            Compensation::None => "none".into(),
        }
    }
}

// ------------------------------------------------------------ configuration

/// Rates and margins must stay far from the decimal type's limits.
const MAX_PERCENT: i64 = 100;

/// Reads `late_payment` from folio.yaml (`file`). Every bad value is a
/// located diagnostic; the rules are returned only when there is none, so a
/// half-understood configuration never produces figures.
pub fn parse(cfg: &LatePaymentConfig, file: &str) -> (Option<LatePayment>, Vec<Diagnostic>) {
    let mut out = vec![];
    let interest = cfg
        .interest
        .as_ref()
        .and_then(|i| parse_interest(i, file, &mut out));
    let compensation = match &cfg.compensation {
        Some(c) => parse_compensation(c, file, &mut out),
        None => Some(Compensation::None),
    };
    let rules = match (out.is_empty(), compensation) {
        (true, Some(compensation)) => Some(LatePayment {
            interest,
            compensation,
        }),
        _ => None,
    };
    (rules, out)
}

fn parse_interest(
    i: &Sp<crate::model::InterestConfig>,
    file: &str,
    out: &mut Vec<Diagnostic>,
) -> Option<InterestRule> {
    let margin = percent(&i.margin, file, "margin", false, out);
    let period = match i.period.as_ref().map(|p| (p.value.0.as_str(), p.pos)) {
        None | Some(("half_year", _)) => Some(Period::HalfYear),
        Some(("fixed", _)) => Some(Period::Fixed),
        Some((other, pos)) => {
            out.push(Diagnostic::new(
                Code::UnknownInterestPeriod,
                file,
                pos,
                format!("unknown interest period `{other}`"),
                "use `half_year` (the rate of each day's half-year) or `fixed` (the rate when the invoice became late)",
            ));
            None
        }
    };
    if i.reference_rates.is_empty() {
        out.push(Diagnostic::new(
            Code::NoReferenceRates,
            file,
            i.pos,
            "interest has no `reference_rates`",
            "list the central bank's reference rate from each date, e.g. `reference_rates: [{ from: 2026-07-01, rate: 2.00% }]`",
        ));
    }
    let mut rates = vec![];
    let mut previous: Option<NaiveDate> = None;
    for r in &i.reference_rates {
        let from = r.from.value.0;
        if let Some(prev) = previous
            && from <= prev
        {
            out.push(Diagnostic::new(
                Code::ReferenceRatesOrder,
                file,
                r.from.pos,
                format!("reference rate from {from} is not after the one before it ({prev})"),
                "list reference rates in date order, one per date",
            ));
        }
        previous = Some(from);
        if let Some(rate) = percent(&r.rate, file, "reference rate", true, out) {
            rates.push((from, rate));
        }
    }
    Some(InterestRule {
        margin: margin?,
        period: period?,
        rates,
    })
}

/// `8%` or `2.15%`: a percentage with its sign, so `0.08` and `8` cannot be
/// confused. Reference rates may be negative (they have been); a margin not.
fn percent(
    v: &Sp<crate::model::Scalar>,
    file: &str,
    what: &str,
    may_be_negative: bool,
    out: &mut Vec<Diagnostic>,
) -> Option<Decimal> {
    let text = v.value.0.trim();
    let value = text
        .strip_suffix('%')
        .and_then(|n| Decimal::from_str(n.trim()).ok());
    let lowest = if may_be_negative {
        -Decimal::from(MAX_PERCENT)
    } else {
        Decimal::ZERO
    };
    match value {
        Some(p) if p >= lowest && p <= Decimal::from(MAX_PERCENT) => Some(p),
        _ => {
            let range = if may_be_negative {
                "-100% to 100%"
            } else {
                "0% to 100%"
            };
            out.push(Diagnostic::new(
                Code::BadRate,
                file,
                v.pos,
                format!("{what} `{text}` is not a percentage from {range}"),
                "write it with a percent sign, such as `8%` or `2.15%`",
            ));
            None
        }
    }
}

fn parse_compensation(
    c: &Sp<crate::model::Scalar>,
    file: &str,
    out: &mut Vec<Diagnostic>,
) -> Option<Compensation> {
    let text = c.value.0.trim();
    let rule = match text {
        "eu" => Some(Compensation::Eu),
        "uk" => Some(Compensation::Uk),
        "none" => Some(Compensation::None),
        _ => Decimal::from_str(text)
            .ok()
            .filter(|a| *a >= Decimal::ZERO && *a < Decimal::from(1_000_000_000))
            .map(Compensation::Amount),
    };
    if rule.is_none() {
        out.push(Diagnostic::new(
            Code::UnknownCompensation,
            file,
            c.pos,
            format!("unknown compensation `{text}`"),
            "use `eu` (40), `uk` (40, 70 or 100 by the amount), an amount such as 50, or `none`",
        ));
    }
    rule
}

// ------------------------------------------------------------ computation

/// The facts of one invoice that late-payment interest depends on.
#[derive(Clone, Debug)]
pub struct ClaimFacts<'a> {
    pub due: NaiveDate,
    pub amount: Decimal,
    pub payments: &'a [(NaiveDate, Decimal)],
    pub status: InvoiceStatus,
    /// `late_payment: false` on the invoice or its account.
    pub waived: bool,
    /// An outstanding amount at or below this counts as paid.
    pub tolerance: Decimal,
    pub currency: &'a str,
}

/// One stretch of days with the same principal and rate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Accrual {
    pub from: NaiveDate,
    /// Last day, inclusive.
    pub to: NaiveDate,
    pub days: i64,
    pub principal: Decimal,
    /// The reference rate used, and the date of the entry it came from
    /// (None: no rate was in force, so only the margin counted).
    pub reference: Decimal,
    pub reference_from: Option<NaiveDate>,
    /// reference + margin, in percent a year (never below 0).
    pub rate: Decimal,
    /// Not rounded: the claim rounds once.
    pub interest: Decimal,
}

/// What can be claimed for one invoice as of a date.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Claim {
    /// Rounded once, half away from zero, to the currency's minor digits.
    pub interest: Decimal,
    pub compensation: Decimal,
    pub accruals: Vec<Accrual>,
    /// Some late day had no reference rate in force (W016).
    pub unrated: bool,
    pub waived: bool,
}

impl Claim {
    pub fn total(&self) -> Decimal {
        self.interest + self.compensation
    }
    pub fn days(&self) -> i64 {
        self.accruals.iter().map(|a| a.days).sum()
    }
}

/// Principal unpaid at the end of `day`: amount − payments dated on or before it.
fn unpaid_on(f: &ClaimFacts, day: NaiveDate) -> Decimal {
    f.amount
        - f.payments
            .iter()
            .filter(|(d, _)| *d <= day)
            .map(|(_, a)| *a)
            .sum::<Decimal>()
}

/// The first day of `day`'s half-year: 1 January or 1 July.
pub fn half_year_start(day: NaiveDate) -> NaiveDate {
    let month = if day.month() >= 7 { 7 } else { 1 };
    NaiveDate::from_ymd_opt(day.year(), month, 1).expect("1 January and 1 July exist")
}

fn next_half_year(day: NaiveDate) -> NaiveDate {
    let start = half_year_start(day);
    if start.month() == 1 {
        NaiveDate::from_ymd_opt(start.year(), 7, 1)
    } else {
        NaiveDate::from_ymd_opt(start.year() + 1, 1, 1)
    }
    .unwrap_or(NaiveDate::MAX)
}

impl InterestRule {
    /// The last entry dated on or before `day`.
    pub fn in_force(&self, day: NaiveDate) -> Option<(NaiveDate, Decimal)> {
        self.rates
            .iter()
            .rev()
            .find(|(from, _)| *from <= day)
            .copied()
    }

    /// The reference rate for `day` of an invoice that became late on `first_late`.
    fn reference(&self, day: NaiveDate, first_late: NaiveDate) -> Option<(NaiveDate, Decimal)> {
        match self.period {
            Period::HalfYear => self.in_force(half_year_start(day)),
            Period::Fixed => self.in_force(half_year_start(first_late)),
        }
    }
}

/// Whether the invoice became late by `as_of`: open, unpaid (more than the
/// tolerance) at the end of its due date, and `as_of` after that date. It
/// stays so once paid: a late payment is still a late payment.
pub fn became_late(f: &ClaimFacts, as_of: NaiveDate) -> bool {
    f.status == InvoiceStatus::Open && as_of > f.due && unpaid_on(f, f.due) > f.tolerance
}

/// The interest and compensation of one invoice as of `as_of`.
pub fn claim(rules: &LatePayment, f: &ClaimFacts, as_of: NaiveDate) -> Claim {
    let zero = Claim {
        waived: f.waived,
        ..Claim::default()
    };
    if f.waived || !became_late(f, as_of) {
        return zero;
    }
    let mut claim = zero;
    claim.compensation = money::round(rules.compensation.for_amount(f.amount), f.currency);
    if let Some(rule) = &rules.interest {
        accrue(rule, f, as_of, &mut claim);
    }
    claim.interest = money::round(claim.accruals.iter().map(|a| a.interest).sum(), f.currency);
    claim
}

/// Days due < d ≤ as_of, in stretches between the days the principal or the
/// rate can change (a payment, the start of a half-year), until paid in full.
fn accrue(rule: &InterestRule, f: &ClaimFacts, as_of: NaiveDate, claim: &mut Claim) {
    let Some(first_late) = f.due.succ_opt() else {
        return;
    };
    let mut day = first_late;
    while day <= as_of {
        let principal = unpaid_on(f, day);
        if principal <= f.tolerance {
            break;
        }
        let next_payment = f
            .payments
            .iter()
            .map(|(d, _)| *d)
            .filter(|d| *d > day)
            .min()
            .unwrap_or(NaiveDate::MAX);
        let next_rate = match rule.period {
            Period::HalfYear => next_half_year(day),
            Period::Fixed => NaiveDate::MAX,
        };
        let after = as_of.succ_opt().unwrap_or(NaiveDate::MAX);
        let end = next_payment.min(next_rate).min(after);
        let days = (end - day).num_days();
        let found = rule.reference(day, first_late);
        claim.unrated |= found.is_none();
        let (reference_from, reference) =
            found.map_or((None, Decimal::ZERO), |(d, r)| (Some(d), r));
        let rate = (reference + rule.margin).max(Decimal::ZERO);
        claim.accruals.push(Accrual {
            from: day,
            to: end.pred_opt().unwrap_or(end),
            days,
            principal,
            reference,
            reference_from,
            rate,
            interest: principal * rate * Decimal::from(days) / Decimal::from(36_500),
        });
        day = end;
    }
}

#[cfg(test)]
#[path = "interest_tests.rs"]
mod tests;
