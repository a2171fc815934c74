//! An invoice's page: template `site/invoice.html`, written to
//! `invoices/<number-slug>/index.html`. Not in a `--handbook-only` site.
//!
//! Its variables are those every page has (see [`super`]), every key of
//! the invoice's summary ([`super::invoice_summary`]: `number`, `url`, `account`,
//! `account_name`, `account_url`, `issued`, `due`, `amount`,
//! `outstanding`, `paid`, `unpaid`, `state`, `state_label`, `stage`,
//! `next`, `days_overdue`, `aging`, `policy`, `ladder`) and these;
//! `docs/templates.md` gives the keys of each nested value:
//!
//! - `project`: map or none, the invoice's project (`id`, `name`); it
//!   replaces the summary's `project`, which is only the id.
//! - `terms`: text, the payment terms (`30 days`, `10 working days`).
//! - `policy_url`: text or none, the page of the invoice's policy.
//! - `payments`, `promises`, `holds`, `extensions`: lists, what the
//!   invoice's file records, dates written for people.
//! - `log`: list, the invoice's log entries, each flagged when it was
//!   recorded late.
//! - `draft_stage`: stage view or none, the stage the message draft is for
//!   (the current one, else the next one).
//! - `draft`: text or none, the message draft for that stage.
//! - `body`: HTML, the invoice file's body.
//! - `file`: text, the invoice's file, from the records root.
//! - `commits`: list of commits that touched the file, newest first.
//! - `history`: text, the git history's coverage: `complete`,
//!   `truncated` or `missing`.
//! - `claim`: map or none, the late-payment interest and compensation and
//!   how they were computed (none when late payment is not configured).
//! - `record`: list or none, the invoice's written record (unpaid, or paid
//!   late): its dates and every dated entry of its file, oldest first, each
//!   with the commit that recorded it.

use super::{Site, human, invoice_url, opt_day, stage_view};
use crate::ladder::Entry;
use crate::ladder::stage::{PromiseState, StageResult};
use crate::plumbing::value::{PageData, Value, obj, page};

/// An invoice's page: its `summary` ([`super::invoice_summary`]) and the rest.
pub fn invoice(
    site: &Site,
    e: &Entry,
    summary: &Value,
    draft: Option<(Value, String)>,
) -> PageData {
    let inv = &e.invoice.data;
    let cur = &e.currency;
    let project = inv
        .project
        .as_ref()
        .and_then(|p| e.account.projects.iter().find(|x| x.id == p.value))
        .map(|p| obj!({"id": &p.id, "name": &p.data.name.value}));
    let terms = site.ledger.settings.terms_for(e.account, inv);
    let payments: Vec<Value> = inv
        .payments
        .iter()
        .map(|p| {
            obj!({
                "date": site.day(p.date.value.0),
                "amount": human(p.amount.value.0, cur),
                "reference": &p.reference,
                "future": p.date.value.0 > site.ledger.as_of,
            })
        })
        .collect();
    let promises: Vec<Value> = inv
        .promises
        .iter()
        .zip(&e.eval.promises)
        .map(|(p, state)| {
            let state = match state {
                PromiseState::Open => "open",
                PromiseState::Kept => "kept",
                PromiseState::Broken => "broken",
            };
            obj!({"made": site.day(p.made.value.0), "pay_by": site.day(p.pay_by.value.0), "note": &p.note, "state": state})
        })
        .collect();
    let holds: Vec<Value> = inv
        .holds
        .iter()
        .map(|h| {
            obj!({
                "from": site.day(h.from.value.0),
                "until": opt_day(site, h.until.as_ref().map(|u| u.value.0)),
                "reason": &h.reason,
                "open": h.until.is_none(),
            })
        })
        .collect();
    let extensions: Vec<Value> = inv
        .extensions
        .iter()
        .map(|x| {
            obj!({
                "granted": site.day(x.granted.value.0),
                "by": x.by.as_ref().map(|b| site.person_name(b)),
                "days": x.days.value,
                "reason": &x.reason,
            })
        })
        .collect();
    let log: Vec<Value> = inv
        .log
        .iter()
        .map(|l| {
            obj!({
                "date": site.day(l.date.value.0),
                "stage": l.stage.as_ref().map(|s| e.policy.stage(s).map_or_else(|| s.value.clone(), |st| st.title.clone())),
                "channel": &l.channel,
                "by": l.by.as_ref().map(|b| site.person_name(b)),
                "note": &l.note,
                "late": site.recorded_late(&e.invoice.file, &l.date),
            })
        })
        .collect();
    let history: Vec<Value> = site
        .history
        .of(&e.invoice.file)
        .iter()
        .map(|c| site.commit(c))
        .collect();
    let (draft_stage, draft_text) = draft.map_or_else(
        || (Value::none(), Value::none()),
        |(s, t)| (s, Value::from(t)),
    );
    let extra = page!({
        "title": format!("Invoice {}", inv.number.value),
        "nav": "accounts",
        "project": project,
        "terms": format!("{} {}", terms.days, if terms.working { "working days" } else { "days" }),
        "policy_url": site.policy_url(&e.policy.name),
        "payments": payments,
        "promises": promises,
        "holds": holds,
        "extensions": extensions,
        "log": log,
        "draft_stage": draft_stage,
        "draft": draft_text,
        "body": site.body_html(&e.invoice.file, &invoice_url(e.number()), &e.invoice.body),
        "file": &e.invoice.file,
        "commits": history,
        "history": site.coverage(),
        "claim": e.claim.as_ref().map(|c| crate::site::claims::claim_view(site.ledger, e, c)),
        "record": e.has_record().then(|| super::chronology(site, e)),
    });
    let mut page = crate::plumbing::value::page_of(summary);
    page.extend(extra);
    page
}

/// The stage whose message the invoice page drafts: the current one, else
/// the next one.
pub use crate::ladder::message::draft_stage;

pub fn draft_stage_view(site: &Site, e: &Entry, s: &StageResult) -> Value {
    stage_view(site, e, s)
}
