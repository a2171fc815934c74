//! The pages a late-payment claim needs: the statement of account
//! (`accounts/<id>/statement/`), and the interest section and written
//! record of an invoice page.
//! Client pages: never part of a `--handbook-only` site.
//!
//! The statement's page data is in `pages/statement.rs` (re-exported
//! here), the written record in `pages/record.rs`; this module keeps the
//! invoice page's interest section and the statement that stands alone.

pub use super::pages::{statement, statement_page};
use crate::ladder::interest::Claim;
use crate::ladder::statement::Statement;
use crate::ladder::{Entry, Ledger};
use crate::model::money;
use crate::plumbing::value::Value;
use crate::plumbing::value::obj;

pub use crate::model::site_map::statement_url;

/// How an invoice's interest was computed, for its page: each stretch of
/// days with its principal and rate.
pub fn claim_view(ledger: &Ledger, e: &Entry, claim: &Claim) -> Value {
    let cur = &e.currency;
    let rules = ledger.settings.late_payment.as_ref();
    let interest_rule = rules.and_then(|r| r.interest.as_ref());
    let dates = &ledger.settings.page_dates;
    let stretches: Vec<Value> = claim
        .accruals
        .iter()
        .map(|a| {
            obj!({
                "from": dates.format(a.from),
                "to": dates.format(a.to),
                "days": a.days,
                "principal": money::human(a.principal, cur),
                "reference": format!("{}%", a.reference.normalize()),
                "reference_from": a.reference_from.map(|d| dates.format(d)),
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
