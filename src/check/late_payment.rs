//! `late_payment` in folio.yaml: its bad values (E035-E039, read by the one
//! parser the ladder uses), reference rates left behind (W017), and late
//! invoices with days that no listed rate covers (W016).

use crate::diagnostic::{Code, Diagnostic};
use crate::ladder::Ledger;
use crate::ladder::interest::{self, Period, half_year_start};

pub fn check(ledger: &Ledger, out: &mut Vec<Diagnostic>) {
    let Some(rec) = &ledger.repo.config else {
        return;
    };
    let Some(cfg) = &rec.data.late_payment else {
        return;
    };
    let (rules, diags) = interest::parse(cfg, &rec.file);
    out.extend(diags);
    let Some(rule) = rules.and_then(|r| r.interest) else {
        return;
    };
    stale_rates(ledger, &rule, &rec.file, cfg, out);
    unrated_invoices(ledger, out);
}

/// A half-year begun with no rate listed from its first day: the previous
/// one is still used, which is right only if the bank did not change it.
fn stale_rates(
    ledger: &Ledger,
    rule: &interest::InterestRule,
    file: &str,
    cfg: &crate::model::Sp<crate::model::LatePaymentConfig>,
    out: &mut Vec<Diagnostic>,
) {
    let current = half_year_start(ledger.as_of);
    let Some((last, _)) = rule.rates.last() else {
        return;
    };
    if rule.period == Period::HalfYear && *last < current {
        let pos = cfg
            .interest
            .as_ref()
            .and_then(|i| i.reference_rates.last())
            .map_or(cfg.pos, |r| r.from.pos);
        out.push(Diagnostic::new(
            Code::StaleReferenceRate,
            file,
            pos,
            format!("no reference rate is listed for the half-year from {current}; the rate from {last} is used"),
            format!("add `- {{ from: {current}, rate: ...% }}` with the rate the central bank set for this half-year"),
        ));
    }
}

fn unrated_invoices(ledger: &Ledger, out: &mut Vec<Diagnostic>) {
    for e in &ledger.entries {
        let Some(claim) = &e.claim else { continue };
        if !claim.unrated {
            continue;
        }
        let inv = &e.invoice.data;
        let pos = inv.due.as_ref().map_or(inv.issued.pos, |d| d.pos);
        out.push(Diagnostic::new(
            Code::NoRateInForce,
            &e.invoice.file,
            pos,
            format!(
                "invoice {} is late on days before the first reference rate in folio.yaml; those days count the margin alone",
                e.number()
            ),
            "list the reference rate in force when this invoice became late in `late_payment.interest.reference_rates`",
        ));
    }
}
