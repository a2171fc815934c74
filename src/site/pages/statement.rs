//! An account's statement of account: template `site/statement.html`,
//! written to `accounts/<id>/statement/index.html`. Not in a
//! `--handbook-only` site. `folio statement --format html` renders the
//! same template from the same data as one file that stands alone (see
//! [`standalone_statement`](crate::site::claims::standalone_statement)). Dates on this page are
//! ISO dates (`2026-11-23`), as `folio statement` writes them.
//!
//! Its variables, besides those every page has (see [`super`]);
//! `docs/templates.md` gives the keys of each nested value:
//!
//! - `account`: text, the account's folder name.
//! - `account_name`: text, the account's name.
//! - `account_url`: text, the path of the account's page.
//! - `as_of`: date, the statement's date.
//! - `late_payment`: boolean, whether folio.yaml configures late-payment
//!   interest (the interest and compensation columns).
//! - `invoices`: list, the invoices with something due: unpaid, or paid
//!   late with interest or compensation still to claim.
//! - `payments`: list, the payments received since `payments_since`.
//! - `payments_since`: date, where the payments listed start.
//! - `outstanding`, `interest`, `compensation`, `total_due`: lists of
//!   amounts, one per currency.

use super::{Site, account_url, invoice_url};
use crate::ladder::statement::Statement;
use crate::model::{AccountDir, money};
use crate::plumbing::value::{PageData, Value, obj, page};
use rust_decimal::Decimal;
use std::collections::BTreeMap;
use std::str::FromStr;

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

/// The statement page of one account in a site.
pub fn statement_page(site: &Site, a: &AccountDir) -> PageData {
    match crate::ladder::statement::build(site.ledger, &a.id) {
        Some(st) => statement(&st),
        None => page!({"title": "Statement of account", "nav": "accounts"}),
    }
}
