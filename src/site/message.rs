//! Message drafts: a stage's Tera template rendered with the invoice, the
//! contact, the owner and the company (`folio remind`, invoice pages).

use crate::ladder::stage::StageResult;
use crate::ladder::{Entry, Ledger};
use crate::model::{ContactRole, money};
use serde_json::{Value, json};

/// The template of a stage: inline in folio.yaml, else
/// `messages/<policy>/<stage>.txt`, else `messages/default.txt`.
pub fn template_name(tera: &tera::Tera, policy: &str, stage: &str) -> String {
    let specific = format!("messages/{policy}/{stage}.txt");
    if tera.get_template_names().any(|n| n == specific) {
        specific
    } else {
        "messages/default.txt".into()
    }
}

/// The person to address: the account's finance contact, else its buyer,
/// else its first contact.
fn contact(e: &Entry) -> Value {
    let Some(acc) = &e.account.account else {
        return json!({"name": "there", "email": ""});
    };
    let a = &acc.data;
    let pick = [Some(ContactRole::Finance), Some(ContactRole::Buyer)]
        .iter()
        .find_map(|r| a.contacts.iter().find(|c| c.role == *r))
        .or(a.contacts.first());
    match pick {
        Some(c) => json!({
            "name": c.name,
            "email": c.email.clone().or_else(|| a.billing.email.clone()).unwrap_or_default(),
        }),
        None => json!({"name": "there", "email": a.billing.email.clone().unwrap_or_default()}),
    }
}

fn person(ledger: &Ledger, handle: &str) -> Value {
    match ledger.config().and_then(|c| c.people.get(handle)) {
        Some(p) => {
            json!({"handle": handle, "name": p.name.value, "email": p.email.clone().unwrap_or_default()})
        }
        None => json!({"handle": handle, "name": handle, "email": ""}),
    }
}

fn stage_value(e: &Entry, s: &StageResult) -> Value {
    let st = e.policy.stage(&s.id);
    json!({
        "id": s.id,
        "title": st.map_or(s.id.as_str(), |x| x.title.as_str()),
        "channel": st.map_or("", |x| x.channel.as_str()),
        "date": s.date.map(|d| d.to_string()).unwrap_or_else(|| "not scheduled".into()),
    })
}

/// The template context for a stage of an invoice.
pub fn context(ledger: &Ledger, e: &Entry, stage: &StageResult) -> Value {
    let inv = &e.invoice.data;
    let cur = &e.currency;
    let project_name = inv
        .project
        .as_ref()
        .and_then(|p| e.account.projects.iter().find(|x| x.id == p.value))
        .map_or(String::new(), |p| p.data.name.value.clone());
    let acc = e.account.account.as_ref().map(|a| &a.data);
    let owner = e.owner_of(ledger.config(), &stage.id);
    json!({
        "company": ledger.settings.company,
        "as_of": ledger.as_of.to_string(),
        "account": {
            "id": e.account.id,
            "name": acc.map_or(e.account.id.as_str(), |a| a.name.as_str()),
            "portal": acc.and_then(|a| a.billing.portal.clone()).unwrap_or_default(),
        },
        "contact": contact(e),
        "invoice": {
            "number": inv.number.value,
            "amount": money::human(inv.amount.value.0, cur),
            "outstanding": money::human(e.eval.outstanding.max(rust_decimal::Decimal::ZERO), cur),
            "paid": money::human(e.eval.paid, cur),
            "partially_paid": e.eval.paid > rust_decimal::Decimal::ZERO,
            "currency": cur,
            "issued": inv.issued.value.to_string(),
            "due": e.due.to_string(),
            "days_to_due": (e.due - ledger.as_of).num_days(),
            "days_overdue": e.eval.days_overdue,
            "project": project_name,
        },
        "stage": stage_value(e, stage),
        "next": e.eval.next_stage().map(|n| stage_value(e, n)),
        "owner": person(ledger, &owner),
    })
}

/// Renders the draft for `stage` of an invoice.
pub fn render(
    tera: &tera::Tera,
    ledger: &Ledger,
    e: &Entry,
    stage: &StageResult,
) -> Result<String, String> {
    let ctx =
        tera::Context::from_value(context(ledger, e, stage)).map_err(|err| err.to_string())?;
    let inline = e.policy.stage(&stage.id).and_then(|s| s.template.as_ref());
    let out = match inline {
        Some(src) => tera::Tera::one_off(src, &ctx, false),
        None => tera.render(&template_name(tera, &e.policy.name, &stage.id), &ctx),
    };
    out.map(|s| tidy(&s))
        .map_err(|err| super::error_chain(&err))
}

/// Template logic leaves blank-line runs and trailing spaces; a message
/// should not.
fn tidy(s: &str) -> String {
    let mut out = String::new();
    let mut blank = 0;
    for line in s.trim().lines() {
        let line = line.trim_end();
        if line.is_empty() {
            blank += 1;
            if blank > 1 {
                continue;
            }
        } else {
            blank = 0;
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}
