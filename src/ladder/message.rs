//! Message drafts: a stage's Tera template rendered with the invoice, the
//! contact, the owner and the company (`folio remind`, invoice pages).

use crate::ladder::policy::Policy;
use crate::ladder::stage::StageResult;
use crate::ladder::{Entry, Ledger};
use crate::model::dates::DateFormat;
use crate::model::{ContactRole, money};
use crate::plumbing::value::{Value, obj, page};
use std::collections::BTreeMap;

/// The template of a stage: inline in folio.yaml, else
/// `messages/<policy>/<stage>.txt`, else `messages/default.txt`.
pub fn template_name(tera: &tera::Tera, policy: &str, stage: &str) -> String {
    let specific = format!("messages/{policy}/{stage}.txt");
    if tera.contains_template(&specific) {
        specific
    } else {
        "messages/default.txt".into()
    }
}

/// The person to address: the account's finance contact, else its buyer,
/// else its first contact.
fn contact(e: &Entry) -> Value {
    let Some(acc) = &e.account.account else {
        return obj!({"name": "there", "email": ""});
    };
    let a = &acc.data;
    let pick = [Some(ContactRole::Finance), Some(ContactRole::Buyer)]
        .iter()
        .find_map(|r| a.contacts.iter().find(|c| c.role == *r))
        .or(a.contacts.first());
    match pick {
        Some(c) => obj!({
            "name": &c.name,
            "email": c.email.clone().or_else(|| a.billing.email.clone()).unwrap_or_default(),
        }),
        None => obj!({"name": "there", "email": a.billing.email.clone().unwrap_or_default()}),
    }
}

fn person(ledger: &Ledger, handle: &str) -> Value {
    match ledger.config().and_then(|c| c.people.get(handle)) {
        Some(p) => {
            obj!({"handle": handle, "name": &p.name.value, "email": p.email.clone().unwrap_or_default()})
        }
        None => obj!({"handle": handle, "name": handle, "email": ""}),
    }
}

fn stage_value(e: &Entry, s: &StageResult, dates: &DateFormat) -> Value {
    let st = e.policy.stage(&s.id);
    obj!({
        "id": &s.id,
        "title": st.map_or(s.id.as_str(), |x| x.title.as_str()),
        "channel": st.map_or("", |x| x.channel.as_str()),
        "date": s.date.map(|d| dates.format(d)).unwrap_or_else(|| "not scheduled".into()),
        "date_iso": s.date.map(|d| d.to_string()),
    })
}

/// The template context for a stage of an invoice, built as Tera values
/// (a draft renders for every invoice page: no JSON in between).
pub fn context(ledger: &Ledger, e: &Entry, stage: &StageResult) -> tera::Context {
    let inv = &e.invoice.data;
    let cur = &e.currency;
    let project_name = inv
        .project
        .as_ref()
        .and_then(|p| e.account.projects.iter().find(|x| x.id == p.value))
        .map_or(String::new(), |p| p.data.name.value.clone());
    let acc = e.account.account.as_ref().map(|a| &a.data);
    let owner = e.owner_of(ledger.config(), &stage.id);
    let dates = &ledger.settings.message_dates;
    let outstanding = e.eval.outstanding.max(rust_decimal::Decimal::ZERO);
    // Set only when something can be claimed, so `{% if interest %}` in a
    // template means "there is late-payment interest to state".
    let claimed = e.claim.as_ref().filter(|c| !c.total().is_zero());
    page!({
        "company": &ledger.settings.company,
        "as_of": dates.format(ledger.as_of),
        "as_of_iso": ledger.as_of.to_string(),
        "account": obj!({
            "id": &e.account.id,
            "name": acc.map_or(e.account.id.as_str(), |a| a.name.as_str()),
            "portal": acc.and_then(|a| a.billing.portal.clone()).unwrap_or_default(),
        }),
        "contact": contact(e),
        "invoice": obj!({
            "number": &inv.number.value,
            "amount": money::human(inv.amount.value.0, cur),
            "outstanding": money::human(outstanding, cur),
            "paid": money::human(e.eval.paid, cur),
            "partially_paid": e.eval.paid > rust_decimal::Decimal::ZERO,
            "currency": cur,
            "issued": dates.format(inv.issued.value.0),
            "due": dates.format(e.due),
            "issued_iso": inv.issued.value.to_string(),
            "due_iso": e.due.to_string(),
            "days_to_due": (e.due - ledger.as_of).num_days(),
            "days_overdue": e.eval.days_overdue,
            "project": project_name,
        }),
        "stage": stage_value(e, stage, dates),
        "next": e.eval.next_stage().map(|n| stage_value(e, n, dates)),
        "owner": person(ledger, &owner),
        "interest": claimed.map(|c| money::human(c.interest, cur)),
        "compensation": claimed.map(|c| money::human(c.compensation, cur)),
        "total_claim": claimed.map(|c| money::human(outstanding + c.total(), cur)),
        "interest_rate": claimed.and_then(|c| c.accruals.last()).map(|a| format!("{}%", a.rate.normalize())),
        "interest_since": claimed.and_then(|c| c.accruals.first()).map(|a| dates.format(a.from)),
    })
}

/// Renders the draft for `stage` of an invoice.
pub fn render(
    tera: &tera::Tera,
    ledger: &Ledger,
    e: &Entry,
    stage: &StageResult,
) -> Result<String, DraftError> {
    let ctx = context(ledger, e, stage);
    let inline = e.policy.stage(&stage.id).and_then(|s| s.template.as_ref());
    let mut out = Capped::default();
    let rendered = match inline {
        Some(src) => {
            let registered = inline_name(&e.policy.name, &stage.id);
            if tera.contains_template(&registered) {
                tera.render_to(&registered, &ctx, &mut out)
            } else {
                // Not parsed with the others (it does not parse): parsed
                // here, so the draft fails with the parser's words.
                tera.render_str_to(src, &ctx, false, &mut out)
            }
        }
        None => tera.render_to(
            &template_name(tera, &e.policy.name, &stage.id),
            &ctx,
            &mut out,
        ),
    };
    if out.overflowed {
        return Err(DraftError::said(format!(
            "the message draft is longer than {MAX_DRAFT_BYTES} bytes; check the template's loops"
        )));
    }
    rendered.map_err(|err| DraftError {
        message: crate::load::templates::describe(&err),
        at: crate::load::templates::problems_of(&err)
            .into_iter()
            .find_map(|p| Some((p.template?, p.pos))),
    })?;
    Ok(tidy(&String::from_utf8_lossy(&out.bytes)))
}

/// Why a draft does not render: in words, and the template and place Tera
/// points at when it says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DraftError {
    pub message: String,
    pub at: Option<(String, crate::diagnostic::Pos)>,
}

impl DraftError {
    fn said(message: String) -> DraftError {
        DraftError { message, at: None }
    }
}

impl std::fmt::Display for DraftError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// The stage whose message an invoice page drafts: the current one, else
/// the next; none for an invoice that is not unpaid.
pub fn draft_stage<'e>(e: &'e Entry) -> Option<&'e StageResult> {
    if !e.eval.state.is_unpaid() {
        return None;
    }
    e.eval.current().or_else(|| e.eval.next_stage())
}

/// The name a stage's inline template is registered under by
/// [`add_inline_templates`] (no extension either).
pub fn inline_name(policy: &str, stage: &str) -> String {
    format!("folio.yaml policies.{policy}.stages.{stage}.template")
}

/// A Tera instance for templates from the records repository: [`harden`]ed,
/// and with the drafts' `day` filter in the default date format ([`prepare`]
/// sets the repository's), which tera 2 needs registered before it parses
/// a template that uses it.
pub fn new_tera() -> tera::Tera {
    let mut tera = tera::Tera::default();
    harden(&mut tera);
    register_day_filter(&mut tera, &DateFormat::default());
    tera
}

/// Readies a Tera instance that renders message drafts: the `day` filter in
/// the drafts' date format, and every inline stage template of folio.yaml
/// parsed once, so a build renders thousands of drafts without parsing one
/// again. A template that does not parse is left out: `check` reports it
/// (E030), and its drafts fail with the parse error when rendered.
pub fn prepare(tera: &mut tera::Tera, settings: &crate::ladder::Settings) {
    register_day_filter(tera, &settings.message_dates);
    add_inline_templates(tera, &settings.policies);
}

/// `{{ invoice.due_iso | day }}` writes an ISO date (`2026-11-16`) as the
/// drafts write dates; `day(format="%d/%m/%Y")` in another pattern.
pub fn register_day_filter(tera: &mut tera::Tera, dates: &DateFormat) {
    let dates = dates.clone();
    tera.register_filter(
        "day",
        move |value: &tera::Value,
              args: tera::Kwargs,
              _: &tera::State|
              -> tera::TeraResult<String> {
            let text = value
                .as_str()
                .ok_or_else(|| tera::Error::message("`day` takes a date such as 2026-11-16"))?;
            let date = crate::model::Date::parse(text).map_err(tera::Error::message)?;
            Ok(match args.get::<&str>("format")? {
                Some(pattern) => DateFormat::parse(pattern)
                    .map_err(tera::Error::message)?
                    .format(date.0),
                None => dates.format(date.0),
            })
        },
    );
}

fn add_inline_templates(tera: &mut tera::Tera, policies: &BTreeMap<String, Policy>) {
    let inline: Vec<(String, &str)> = policies
        .values()
        .flat_map(|p| {
            p.stages.iter().filter_map(|s| {
                let src = s.template.as_deref()?;
                Some((inline_name(&p.name, &s.id), src))
            })
        })
        .collect();
    let all = inline.iter().map(|(n, src)| (n.as_str(), *src));
    if tera.add_raw_templates(all).is_err() {
        for (name, src) in &inline {
            let _ = tera.add_raw_template(name, src);
        }
    }
}

/// The longest message draft: templates come from the records repository,
/// and loops in one must not fill the memory.
pub const MAX_DRAFT_BYTES: usize = 1024 * 1024;

/// The most numbers one `range()` call in a template may produce.
pub const MAX_RANGE: usize = 10_000;

/// Makes a Tera instance safe for templates from the records repository:
/// Tera's own `range` builds its whole list first and never ends for
/// `step_by=0`, so one template line could exhaust the memory. The
/// replacement refuses ranges longer than [`MAX_RANGE`].
pub fn harden(tera: &mut tera::Tera) {
    tera.register_function("range", bounded_range);
}

fn bounded_range(args: tera::Kwargs, _: &tera::State) -> tera::TeraResult<Vec<usize>> {
    let number = |key: &str, default: Option<usize>| -> tera::TeraResult<usize> {
        match args.get::<tera::Value>(key)? {
            Some(v) => v.as_u64().map(|n| n as usize).ok_or_else(|| {
                tera::Error::message(format!(
                    "`range` received {key}={v}, but {key} must be a whole number from 0"
                ))
            }),
            None => default
                .ok_or_else(|| tera::Error::message(format!("`range` was called without `{key}`"))),
        }
    };
    let start = number("start", Some(0))?;
    let end = number("end", None)?;
    let step = number("step_by", Some(1))?;
    if step == 0 {
        return Err(tera::Error::message(
            "`range` needs a `step_by` of at least 1",
        ));
    }
    if start > end {
        return Err(tera::Error::message(
            "`range` was called with a `start` greater than its `end`",
        ));
    }
    let len = (end - start).div_ceil(step);
    if len > MAX_RANGE {
        return Err(tera::Error::message(format!(
            "`range` would produce {len} numbers; folio allows at most {MAX_RANGE}"
        )));
    }
    Ok((start..end).step_by(step).collect())
}

/// Collects rendered output up to [`MAX_DRAFT_BYTES`], then refuses more.
#[derive(Default)]
struct Capped {
    bytes: Vec<u8>,
    overflowed: bool,
}

impl std::io::Write for Capped {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.bytes.len() + buf.len() > MAX_DRAFT_BYTES {
            self.overflowed = true;
            return Err(std::io::Error::other("message draft too long"));
        }
        self.bytes.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_templates_are_parsed_once_into_the_site_templates() {
        let yaml = "company: X\npolicies:\n  p:\n    days: calendar\n    stages:\n      - { id: a, offset: 0, owner: x, template: \"A {{ company }}\" }\n      - { id: b, offset: 1, owner: x, template: \"B {{ \" }\n";
        let config: crate::model::Config = serde_saphyr::from_str(yaml).unwrap();
        let settings = crate::ladder::Settings::from_config(Some(&config));
        let mut tera = new_tera();
        prepare(&mut tera, &settings);
        let ctx = page!({"company": "Acme"});
        let name = inline_name("p", "a");
        assert_eq!(tera.render(&name, &ctx).unwrap(), "A Acme");
        // The one that does not parse is left out, the others stay.
        assert!(!tera.contains_template(&inline_name("p", "b")));
    }
}
