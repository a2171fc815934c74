//! Rules on the records themselves: references, amounts, dates, currencies,
//! slugs, uniqueness, milestones, handover briefs and meeting cadence.

use super::unknown;
use crate::diagnostic::{Code, Diagnostic};
use crate::ladder::Settings;
use crate::ladder::calendar::add_days;
use crate::ladder::policy::{self, Policy};
use crate::model::terms::Terms;
use crate::model::types::MAX_PLAUSIBLE_DAYS;
use crate::model::{
    AccountDir, AccountStatus, Amount, Config, Invoice, Project, Record, Repo, Roles, Sp, currency,
    number_slug,
};
use chrono::NaiveDate;
use rayon::prelude::*;
use rust_decimal::Decimal;
use std::collections::HashMap;

pub fn check(repo: &Repo, settings: &Settings, as_of: NaiveDate, out: &mut Vec<Diagnostic>) {
    let config = repo.config.as_ref();
    if let Some(c) = config {
        check_config(c, out);
    }
    let cx = Cx {
        config: config.map(|c| &c.data),
        settings,
        as_of,
    };
    // Accounts are checked on all cores; the order of the diagnostics is
    // the accounts' order, as before.
    let per_account: Vec<Vec<Diagnostic>> = repo
        .accounts
        .par_iter()
        .map(|dir| {
            let mut found = vec![];
            cx.account(dir, &mut found);
            found
        })
        .collect();
    out.extend(per_account.into_iter().flatten());
    check_invoice_numbers(repo, out);
}

struct Cx<'a> {
    config: Option<&'a Config>,
    settings: &'a Settings,
    as_of: NaiveDate,
}

impl Cx<'_> {
    fn people(&self) -> impl Iterator<Item = &str> + Clone {
        self.config
            .into_iter()
            .flat_map(|c| c.people.keys().map(String::as_str))
    }

    fn person(&self, file: &str, handle: &Sp<String>, out: &mut Vec<Diagnostic>) {
        // Without a readable folio.yaml nobody is known; its own error says
        // what to fix, and every handle in every record need not repeat it.
        let Some(config) = self.config else { return };
        if !config.people.contains_key(handle.as_str()) {
            out.push(unknown(
                Code::UnknownPerson,
                file,
                handle.pos,
                "person",
                handle,
                self.people(),
            ));
        }
    }

    fn currency(&self, file: &str, code: &Sp<String>, out: &mut Vec<Diagnostic>) {
        check_currency(file, code, out);
    }

    fn policy(&self, file: &str, name: &Sp<String>, out: &mut Vec<Diagnostic>) {
        if !self.settings.policies.contains_key(name.as_str()) {
            let known = self.settings.policies.keys().map(String::as_str);
            out.push(unknown(
                Code::UnknownPolicy,
                file,
                name.pos,
                "policy",
                name,
                known,
            ));
        }
    }

    fn calendar(&self, file: &str, name: &Sp<String>, out: &mut Vec<Diagnostic>) {
        if !self.settings.calendars.contains_key(name.as_str()) {
            let known = self.settings.calendars.keys().map(String::as_str);
            out.push(unknown(
                Code::UnknownCalendar,
                file,
                name.pos,
                "calendar",
                name,
                known,
            ));
        }
    }

    fn account(&self, dir: &AccountDir, out: &mut Vec<Diagnostic>) {
        if let Some(rec) = &dir.account {
            self.account_record(rec, out);
        }
        for p in &dir.projects {
            check_project(p, out);
        }
        for inv in &dir.invoices {
            self.invoice(dir, inv, out);
        }
    }

    fn account_record(&self, rec: &Record<crate::model::Account>, out: &mut Vec<Diagnostic>) {
        let f = rec.file.as_str();
        let a = &rec.data;
        for (_, holder) in a.roles.iter() {
            self.person(f, holder, out);
        }
        let b = &a.billing;
        if let Some(c) = &b.currency {
            self.currency(f, c, out);
        }
        if let Some(t) = &b.terms {
            check_terms(f, t, out);
        }
        if let Some(p) = &b.policy {
            self.policy(f, p, out);
        }
        if let Some(c) = &b.calendar {
            self.calendar(f, c, out);
        }
        for e in &a.log {
            if let Some(by) = &e.by {
                self.person(f, by, out);
            }
        }
        self.handover(rec, out);
        self.cadence(rec, out);
    }

    fn handover(&self, rec: &Record<crate::model::Account>, out: &mut Vec<Diagnostic>) {
        let a = &rec.data;
        if a.status != AccountStatus::Active {
            return;
        }
        match &a.handover {
            None => out.push(Diagnostic::new(
                Code::NoHandover,
                &rec.file,
                a.name.pos,
                format!("active account `{}` has no handover brief", a.name.value),
                "add a `handover:` with why_they_bought, problem, success, buyer, influencers and roadblocks",
            )),
            Some(h) => {
                let missing: Vec<&str> = h
                    .answers()
                    .iter()
                    .filter(|(_, v)| v.as_deref().is_none_or(|s| s.trim().is_empty()))
                    .map(|(k, _)| *k)
                    .collect();
                if !missing.is_empty() {
                    out.push(Diagnostic::new(
                        Code::IncompleteHandover,
                        &rec.file,
                        h.pos,
                        format!("handover brief leaves unanswered: {}", missing.join(", ")),
                        "answer every question of the brief before kickoff",
                    ));
                }
            }
        }
    }

    fn cadence(&self, rec: &Record<crate::model::Account>, out: &mut Vec<Diagnostic>) {
        let a = &rec.data;
        if a.status != AccountStatus::Active {
            return;
        }
        for (kind, freq) in [
            ("internal_sync", a.cadence.internal_sync),
            ("client_sync", a.cadence.client_sync),
        ] {
            let Some(freq) = freq else { continue };
            let last = a
                .log
                .iter()
                .filter(|e| e.kind.as_str() == kind && e.date.value.0 <= self.as_of)
                .map(|e| e.date.value.0)
                .max();
            let reference = last.or(a.since.as_ref().map(|s| s.value.0));
            let Some(reference) = reference else { continue };
            let due = add_days(reference, freq.days());
            if due < self.as_of {
                let since = match last {
                    Some(d) => format!("the last one was on {d}"),
                    None => "none is logged".to_string(),
                };
                out.push(Diagnostic::new(
                    Code::MissedMeeting,
                    &rec.file,
                    a.name.pos,
                    format!("{kind} is due every {} days and {since} (due by {due})", freq.days()),
                    format!("hold the meeting, then record it: `folio log {} {kind} --by HANDLE --note \"...\"`", crate::model::account_of(&rec.file).unwrap_or("ACCOUNT")),
                ));
            }
        }
    }

    fn invoice(&self, dir: &AccountDir, rec: &Record<Invoice>, out: &mut Vec<Diagnostic>) {
        let f = rec.file.as_str();
        let inv = &rec.data;
        let slug = number_slug(&inv.number);
        if slug.is_empty() {
            out.push(Diagnostic::new(
                Code::BadValue,
                f,
                inv.number.pos,
                format!(
                    "invoice number `{}` has no letters or digits",
                    inv.number.value
                ),
                "use a number such as INV-2026-0042",
            ));
        } else if !crate::model::is_safe_segment(&slug) {
            // What `build` would refuse, said by `check` on the pull request.
            out.push(Diagnostic::new(
                Code::BadSlug,
                f,
                inv.number.pos,
                format!(
                    "invoice number `{}` gives the page name `{slug}`, which cannot be a folder",
                    inv.number.value
                ),
                "use a number of at most 128 letters and digits that is not a reserved device name (con, nul, ...)",
            ));
        }
        if let Some(p) = &inv.project
            && !dir.projects.iter().any(|x| x.id == p.value)
        {
            let known = dir.projects.iter().map(|x| x.id.as_str());
            out.push(unknown(Code::UnknownProject, f, p.pos, "project", p, known));
        }
        let currency = self.settings.currency_for(dir, inv);
        if let Some(c) = &inv.currency {
            self.currency(f, c, out);
        }
        check_positive(f, &inv.amount, "amount", &currency, out);
        if let Some(p) = &inv.policy {
            self.policy(f, p, out);
        }
        if let Some(t) = &inv.terms {
            check_terms(f, t, out);
        }
        let issued = inv.issued.value.0;
        if let Some(due) = &inv.due {
            if due.value.0 < issued {
                out.push(Diagnostic::new(
                    Code::BadValue,
                    f,
                    due.pos,
                    format!("due date {} is before the issue date {issued}", due.value),
                    "the due date must be on or after `issued`",
                ));
            } else if let Some(t) = inv.terms.as_ref().filter(|t| Terms::parse(t).is_ok()) {
                let computed = self.settings.due_from_terms(dir, inv);
                if computed != due.value.0 {
                    out.push(Diagnostic::new(
                        Code::DueContradictsTerms,
                        f,
                        due.pos,
                        format!(
                            "due {} contradicts terms `{}`, which give {computed}",
                            due.value, t.value
                        ),
                        "remove `due` to compute it from the terms, or correct one of the two",
                    ));
                }
            }
        }
        for p in &inv.payments {
            check_positive(f, &p.amount, "payment", &currency, out);
            if p.date.value.0 < issued {
                out.push(Diagnostic::new(
                    Code::PaymentBeforeIssue,
                    f,
                    p.date.pos,
                    format!(
                        "payment dated {} is before the invoice was issued on {issued}",
                        p.date.value
                    ),
                    "check the payment date, or whether it belongs to another invoice",
                ));
            }
        }
        for p in &inv.promises {
            if p.pay_by.value < p.made.value {
                out.push(Diagnostic::new(
                    Code::BadValue,
                    f,
                    p.pay_by.pos,
                    format!(
                        "promise to pay by {} was made later, on {}",
                        p.pay_by.value, p.made.value
                    ),
                    "`pay_by` must be on or after `made`",
                ));
            }
        }
        for h in &inv.holds {
            if let Some(u) = h.until.as_ref().filter(|u| u.value < h.from.value) {
                out.push(Diagnostic::new(
                    Code::BadValue,
                    f,
                    u.pos,
                    format!(
                        "hold ends on {} before it starts on {}",
                        u.value, h.from.value
                    ),
                    "`until` must be on or after `from`",
                ));
            }
        }
        for e in &inv.extensions {
            if let Some(by) = &e.by {
                self.person(f, by, out);
            }
            if i64::from(e.days.value) > MAX_PLAUSIBLE_DAYS {
                out.push(Diagnostic::new(
                    Code::BadValue,
                    f,
                    e.days.pos,
                    format!(
                        "an extension of {} days is longer than ten years",
                        e.days.value
                    ),
                    "write how many days the escalation moves, e.g. `days: 7`",
                ));
            }
        }
        let policy = self.settings.policy_for(dir, inv);
        for l in &inv.log {
            if let Some(by) = &l.by {
                self.person(f, by, out);
            }
            if let Some(s) = &l.stage
                && policy.stage(s).is_none()
            {
                let known = policy.stages.iter().map(|x| x.id.as_str());
                let mut d = unknown(Code::UnknownStage, f, s.pos, "stage", s, known);
                d.message = format!("policy `{}` has no stage `{}`", policy.name, s.value);
                out.push(d);
            }
        }
    }
}

fn check_currency(file: &str, code: &Sp<String>, out: &mut Vec<Diagnostic>) {
    if currency::minor_digits(code).is_none() {
        let mut d = unknown(
            Code::UnknownCurrency,
            file,
            code.pos,
            "currency",
            code,
            currency::all_codes().collect::<Vec<_>>(),
        );
        // A sample of 180 codes helps nobody; the rule does.
        if d.hint.starts_with("known") {
            d.hint = "use an ISO 4217 code in capitals, such as EUR, USD or GBP".into();
        }
        out.push(d);
    }
}

fn check_terms(file: &str, t: &Sp<String>, out: &mut Vec<Diagnostic>) {
    if let Err(e) = Terms::parse(t) {
        out.push(Diagnostic::new(
            Code::BadTerms,
            file,
            t.pos,
            e,
            "write terms as `30 days`, `15 working days` or `net 30`",
        ));
    }
}

fn check_positive(
    file: &str,
    amount: &Sp<Amount>,
    what: &str,
    currency: &str,
    out: &mut Vec<Diagnostic>,
) {
    let value = amount.value.0;
    if value <= Decimal::ZERO {
        out.push(Diagnostic::new(
            Code::BadAmount,
            file,
            amount.pos,
            format!("{what} must be greater than zero, not {value}"),
            "record credit notes by voiding or reducing the invoice, not with negative amounts",
        ));
    } else if let Some(digits) = currency::minor_digits(currency)
        && value.normalize().scale() > digits
    {
        out.push(Diagnostic::new(
            Code::BadAmount,
            file,
            amount.pos,
            format!("{what} {value} has more decimals than {currency} allows ({digits})"),
            format!("round it to {digits} decimal places"),
        ));
    }
}

fn check_project(rec: &Record<Project>, out: &mut Vec<Diagnostic>) {
    let p = &rec.data;
    let f = rec.file.as_str();
    if let Some(b) = &p.budget
        && b.value.0 <= Decimal::ZERO
    {
        out.push(Diagnostic::new(
            Code::BadAmount,
            f,
            b.pos,
            "budget must be greater than zero",
            "write the budget in the account currency",
        ));
    }
    if let (Some(s), Some(e)) = (&p.start, &p.end)
        && e.value < s.value
    {
        out.push(Diagnostic::new(
            Code::BadValue,
            f,
            e.pos,
            format!(
                "project ends on {} before it starts on {}",
                e.value, s.value
            ),
            "`end` must be on or after `start`",
        ));
    }
    if !p.milestones.is_empty() {
        // Shares are 0..=100 each, but a sum must never be able to panic.
        let total = p
            .milestones
            .iter()
            .try_fold(Decimal::ZERO, |sum, m| sum.checked_add(m.share.value.0))
            .unwrap_or(Decimal::MAX);
        if total != Decimal::from(100) {
            out.push(Diagnostic::new(
                Code::MilestoneShares,
                f,
                p.milestones[0].share.pos,
                format!(
                    "milestone shares add up to {}%, not 100%",
                    total.normalize()
                ),
                "adjust the shares so the payment schedule covers exactly the whole budget",
            ));
        }
    }
}

fn check_invoice_numbers(repo: &Repo, out: &mut Vec<Diagnostic>) {
    let mut numbers: HashMap<&str, &Record<Invoice>> = HashMap::new();
    let mut slugs: HashMap<String, &Record<Invoice>> = HashMap::new();
    for (_, rec) in repo.invoices() {
        let number = rec.data.number.as_str();
        if let Some(first) = numbers.get(number) {
            out.push(Diagnostic::new(
                Code::DuplicateInvoiceNumber,
                &rec.file,
                rec.data.number.pos,
                format!("invoice number `{number}` is also used by {}", first.file),
                "give each invoice its own number (`folio new invoice` picks the next free one)",
            ));
            continue;
        }
        numbers.insert(number, rec);
        let slug = number_slug(number);
        if let Some(first) = slugs.get(&slug) {
            out.push(Diagnostic::new(
                Code::DuplicateInvoiceSlug,
                &rec.file,
                rec.data.number.pos,
                format!(
                    "invoice number `{number}` and `{}` ({}) have the same page address `invoices/{slug}/`",
                    first.data.number.value, first.file
                ),
                "change one number so they differ in letters or digits",
            ));
        } else {
            slugs.insert(slug, rec);
        }
    }
}

fn check_config(rec: &Record<Config>, out: &mut Vec<Diagnostic>) {
    let f = rec.file.as_str();
    let c = &rec.data;
    if let Some(cur) = &c.currency {
        check_currency(f, cur, out);
    }
    if let Some(tz) = &c.timezone
        && tz.parse::<chrono_tz::Tz>().is_err()
    {
        out.push(Diagnostic::new(
            Code::BadValue,
            f,
            tz.pos,
            format!("unknown time zone `{}`", tz.value),
            "use an IANA time zone name such as Europe/Lisbon or UTC",
        ));
    }
    if let Some(t) = &c.default_terms {
        check_terms(f, t, out);
    }
    for pattern in [&c.site.date_format, &c.messages.date_format]
        .into_iter()
        .flatten()
    {
        if let Err(why) = crate::model::dates::DateFormat::parse(pattern) {
            out.push(Diagnostic::new(
                Code::BadValue,
                f,
                pattern.pos,
                why,
                "use a strftime pattern such as `%-d %b %Y` (16 Nov 2026) or `%d/%m/%Y` (16/11/2026)",
            ));
        }
    }
    if let Some(cal) = &c.default_calendar
        && !c.calendars.contains_key(cal.as_str())
    {
        out.push(unknown(
            Code::UnknownCalendar,
            f,
            cal.pos,
            "calendar",
            cal,
            c.calendars.keys().map(String::as_str),
        ));
    }
    let policies = policy::all(Some(c));
    if let Some(p) = &c.default_policy
        && !policies.iter().any(|x| x.name == p.value)
    {
        out.push(unknown(
            Code::UnknownPolicy,
            f,
            p.pos,
            "policy",
            p,
            policies.iter().map(|x| x.name.as_str()),
        ));
    }
    if let Some(t) = &c.tolerance
        && t.value.0 < Decimal::ZERO
    {
        out.push(Diagnostic::new(
            Code::BadAmount,
            f,
            t.pos,
            "tolerance cannot be negative",
            "use 0 or a small amount such as 1.00",
        ));
    }
    for (handle, person) in &c.people {
        if !crate::model::is_slug(handle) {
            out.push(Diagnostic::new(
                Code::BadSlug,
                f,
                person.name.pos,
                format!("person handle `{handle}` is not a slug"),
                format!("use a lowercase handle such as `{}`", number_slug(handle)),
            ));
        }
        for role in &person.roles {
            if !Roles::NAMES.contains(&role.as_str()) {
                let mut d = unknown(Code::BadValue, f, role.pos, "role", role, Roles::NAMES);
                d.message = format!("unknown role `{}`", role.value);
                out.push(d);
            }
        }
    }
    if let Some(p) = &c.invoice_pattern
        && !p.contains("{seq")
    {
        out.push(Diagnostic::new(
            Code::BadValue,
            f,
            p.pos,
            "invoice_pattern has no `{seq}` placeholder",
            "use a pattern such as INV-{year}-{seq:4}",
        ));
    }
    for (name, pc) in &c.policies {
        if let Some(p) = policy::resolve(Some(c), name) {
            check_policy(f, c, pc, &p, out);
        }
    }
}

fn check_policy(
    f: &str,
    c: &Config,
    pc: &crate::model::PolicyConfig,
    p: &Policy,
    out: &mut Vec<Diagnostic>,
) {
    if pc.stages.is_empty() {
        out.push(Diagnostic::new(
            Code::InvalidPolicy,
            f,
            pc.days.pos,
            format!("policy `{}` has no stages", p.name),
            "add at least one stage with an id and an offset",
        ));
    }
    let mut seen: Vec<&str> = vec![];
    for (i, s) in pc.stages.iter().enumerate() {
        if seen.contains(&s.id.as_str()) {
            out.push(Diagnostic::new(
                Code::InvalidPolicy,
                f,
                s.id.pos,
                format!(
                    "policy `{}` has two stages with id `{}`",
                    p.name, s.id.value
                ),
                "give each stage its own id",
            ));
        }
        seen.push(&s.id);
        if !crate::model::is_slug(&s.id) {
            out.push(Diagnostic::new(
                Code::BadSlug,
                f,
                s.id.pos,
                format!("stage id `{}` is not a slug", s.id.value),
                "use lowercase letters, digits and `-`",
            ));
        }
        if i64::from(s.offset.value).abs() > MAX_PLAUSIBLE_DAYS {
            out.push(Diagnostic::new(
                Code::InvalidPolicy,
                f,
                s.offset.pos,
                format!(
                    "stage `{}` is {} days from the due date, more than ten years",
                    s.id.value, s.offset.value
                ),
                "offsets count days from the due date, e.g. `offset: 7`",
            ));
        }
        if i > 0 && s.offset.value <= pc.stages[i - 1].offset.value {
            out.push(Diagnostic::new(
                Code::InvalidPolicy,
                f,
                s.offset.pos,
                format!(
                    "stage `{}` (offset {}) must come after `{}` (offset {}): offsets must increase",
                    s.id.value, s.offset.value, pc.stages[i - 1].id.value, pc.stages[i - 1].offset.value
                ),
                "order the stages by offset, earliest first",
            ));
        }
        if let Some(o) = &s.owner
            && !Roles::NAMES.contains(&o.as_str())
            && !c.people.contains_key(o.as_str())
        {
            let known = Roles::NAMES
                .iter()
                .copied()
                .chain(c.people.keys().map(String::as_str));
            let mut d = unknown(
                Code::InvalidPolicy,
                f,
                o.pos,
                "owner",
                o,
                known.collect::<Vec<_>>(),
            );
            d.message = format!("stage owner `{}` is neither a role nor a person", o.value);
            out.push(d);
        }
        if let Some(t) = &s.template {
            out.extend(inline_template_problems(f, &s.id.value, t));
        }
    }
}

/// A stage's inline template from folio.yaml, parsed as the drafts will
/// be: E030 at the template for each tera 1 construct it still uses, else
/// for what tera 2 refuses.
fn inline_template_problems(file: &str, stage: &str, t: &Sp<String>) -> Vec<Diagnostic> {
    let legacy = crate::load::tera1::findings(t);
    if !legacy.is_empty() {
        return legacy
            .into_iter()
            .map(|f| {
                Diagnostic::new(
                    Code::InvalidTemplate,
                    file,
                    t.pos,
                    format!(
                        "stage `{stage}` template, line {} column {}: {}",
                        f.pos.line, f.pos.column, f.message
                    ),
                    f.hint,
                )
            })
            .collect();
    }
    let Err(e) = crate::ladder::message::new_tera().add_raw_template("stage", t) else {
        return vec![];
    };
    let said: Vec<String> = crate::load::templates::problems_of(&e)
        .into_iter()
        .map(|p| match p.template {
            Some(_) => format!(
                "{} (line {}, column {} of the template)",
                p.message, p.pos.line, p.pos.column
            ),
            None => p.message,
        })
        .collect();
    vec![Diagnostic::new(
        Code::InvalidTemplate,
        file,
        t.pos,
        format!(
            "stage `{stage}` template does not parse: {}",
            said.join("; ")
        ),
        "fix the Tera syntax: {{ variable }}, {% if %}...{% endif %}",
    )]
}
