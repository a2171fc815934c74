//! The data behind each page of the site: Tera values (see
//! [`crate::plumbing::value`]) that the templates lay out, one [`PageData`] of
//! variables per page. Paths in these values are relative to the site root;
//! templates prefix them with `root` (the way back up from the page), so
//! every link works from file:// and from a sub-path of a host.
//!
//! One file per page kind, each opening with its template, its output path
//! and its variables: `dashboard.rs`, `agenda.rs` (the agency's and each
//! owner's actions), `accounts.rs` (the index), `account.rs`, `invoice.rs`,
//! `statement.rs`, `record.rs` (an invoice's written record), `handbook.rs`
//! (the handbook's home, its generated indexes and its pages), `policy.rs`
//! and `role.rs`; their functions are re-exported here. This module holds
//! what they share: [`Site`], dates, and the views several pages show (an
//! invoice's summary and its ladder's stages, a warning).
//! `docs/templates.md` describes every variable for people who override
//! the templates; `tests/testsuite/page_variables.rs` holds it to what the
//! pages hold.
//!
//! Every page has, besides its own variables, `title` (the page's title)
//! and `nav` (the section of the site it belongs to: `dashboard`,
//! `actions`, `accounts`, `handbook` or `search`), set by each page kind's
//! function, and `site`, `root` and `path`, which the build adds to each
//! page as it renders it.

mod account;
mod accounts;
mod agenda;
mod dashboard;
mod handbook;
mod invoice;
mod policy;
mod record;
mod role;
mod search;
mod statement;

pub use account::{ACCOUNT_EVENTS, ACCOUNT_INVOICES, ACCOUNT_WARNINGS, account};
pub use accounts::accounts_index;
pub use agenda::{AGENDA_DAYS, AGENDA_OLD_ACCOUNTS, AGENDA_ROWS, actions};
pub use dashboard::{DASHBOARD_LIST, dashboard, receivables};
pub use handbook::{
    Section, handbook_index, handbook_nav, handbook_page, ordered_pages, section_index,
};
pub use invoice::{draft_stage, draft_stage_view, invoice};
pub use policy::policy;
pub use record::chronology;
pub use role::role;
pub use search::search;
pub use statement::{statement, statement_page};

use super::markdown;
use crate::diagnostic::{Code, Diagnostic, Pos};
use crate::history::{Commit, Coverage, History, LateRecord};
use crate::ladder::stage::{StageResult, Step};
use crate::ladder::{Entry, Ledger};
use crate::model::site_map::SiteMap;
use crate::model::{AccountDir, Config, Date, Sp, Work, money};
#[cfg(doc)]
use crate::plumbing::value::PageData;
use crate::plumbing::value::Value;
use crate::plumbing::value::obj;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use std::collections::BTreeMap;

fn opt_day(site: &Site, d: Option<NaiveDate>) -> Value {
    d.map_or_else(Value::none, |d| Value::from(site.day(d)))
}

pub use crate::model::site_map::{account_url, invoice_url, role_url};

/// `account_manager` → `Account manager`.
pub fn role_title(role: &str) -> String {
    let text = role.replace(['_', '-'], " ");
    let mut chars = text.chars();
    chars.next().map_or(String::new(), |c| {
        c.to_uppercase().collect::<String>() + chars.as_str()
    })
}

/// addresses for policies and handbook pages.
pub struct Site<'a> {
    pub ledger: &'a Ledger<'a>,
    pub history: &'a History,
    pub repo_url: Option<String>,
    pub handbook_only: bool,
    /// Policy name → its page slug.
    pub policy_slugs: BTreeMap<String, String>,
    /// Handbook page stem → its page slug (the `index`, `roles` and
    /// `policies` pages introduce generated pages and have none).
    pub page_slugs: BTreeMap<String, String>,
    /// Step owner → the slug of their agenda page and calendar feed.
    pub owner_slugs: BTreeMap<String, String>,
    /// How many shards the search index has.
    pub search_shards: usize,
    /// Every file of the site and the page of each record: where the links
    /// people wrote lead.
    pub map: &'a SiteMap,
    /// Sorted by file, so the warnings of one folder are one slice
    /// ([`Site::warnings_under`]).
    pub warnings: &'a [Diagnostic],
    /// Log entries recorded late (W010), flagged where the site shows them.
    pub late: &'a LateIndex,
    /// Who recorded each dated entry of an invoice (its written record).
    pub origins: &'a crate::history::Origins,
}

/// Log entries recorded late, by their file and the position of their date.
pub type LateIndex = rustc_hash::FxHashMap<(String, Pos), LateRecord>;

/// [`LateIndex`] of a list of late records.
pub fn late_index(late: Vec<LateRecord>) -> LateIndex {
    late.into_iter()
        .map(|l| ((l.file.clone(), Pos::new(l.line, l.column)), l))
        .collect()
}

impl<'a> Site<'a> {
    /// How late the log entry of `file` dated at `date` was recorded, in
    /// words; `None` when it was recorded in time (or cannot be judged).
    fn recorded_late(&self, file: &str, date: &Sp<Date>) -> Option<String> {
        if self.late.is_empty() {
            return None;
        }
        let l = self.late.get(&(file.to_string(), date.pos))?;
        Some(format!(
            "recorded {} days later, on {} in commit {}",
            l.days_late,
            self.commit_day(&l.commit),
            l.commit.short
        ))
    }

    /// The warnings on files under `prefix` (a folder, ending in `/`): a
    /// slice found by binary search, as a backlog has 170,000 warnings and
    /// 1,000 account pages ask.
    pub fn warnings_under(&self, prefix: &str) -> &'a [Diagnostic] {
        debug_assert!(self.warnings.is_sorted_by(|a, b| a.file <= b.file));
        let start = self.warnings.partition_point(|d| d.file.as_str() < prefix);
        let len = self.warnings[start..].partition_point(|d| d.file.starts_with(prefix));
        &self.warnings[start..start + len]
    }

    /// The invoices of one account.
    pub fn entries_of(&self, account: &str) -> &'a [Entry<'a>] {
        self.ledger.entries_of(account)
    }

    pub fn config(&self) -> Option<&'a Config> {
        self.ledger.config()
    }

    /// The accounts a page may name: none on a handbook-only site, which
    /// shows no client.
    pub fn client_accounts(&self) -> &[AccountDir] {
        if self.handbook_only {
            &[]
        } else {
            &self.ledger.repo.accounts
        }
    }

    /// A date as the site writes it (`site.date_format`).
    pub fn day(&self, d: NaiveDate) -> String {
        self.ledger.settings.page_dates.format(d)
    }

    /// `text` (a diagnostic's words) with its `YYYY-MM-DD` dates written as
    /// the site writes dates, and folio's meeting kinds as words.
    pub fn dates_in(&self, text: &str) -> String {
        let text = text
            .replace("client_sync", "client sync")
            .replace("internal_sync", "internal sync");
        let bytes = text.as_bytes();
        let mut out = String::with_capacity(text.len());
        let mut i = 0;
        while i < text.len() {
            let date = bytes
                .get(i..i + 10)
                .filter(|_| i == 0 || !bytes[i - 1].is_ascii_digit())
                .filter(|_| bytes.get(i + 10).is_none_or(|b| !b.is_ascii_digit()))
                .and_then(|_| text.get(i..i + 10))
                .and_then(|s| Date::parse(s).ok());
            match date {
                Some(d) => {
                    out.push_str(&self.day(d.0));
                    i += 10;
                }
                None => {
                    let c = text[i..].chars().next().unwrap_or_default();
                    out.push(c);
                    i += c.len_utf8().max(1);
                }
            }
        }
        out
    }

    /// The agenda page of a step owner, when their name gives them one.
    pub fn owner_agenda_url(&self, handle: &str) -> Option<String> {
        let slug = self.owner_slugs.get(handle)?;
        Some(crate::model::site_map::owner_agenda_url(slug))
    }

    /// The calendar feed of a step owner, when their name gives them one.
    pub fn owner_calendar_url(&self, handle: &str) -> Option<String> {
        let slug = self.owner_slugs.get(handle)?;
        Some(crate::model::site_map::owner_calendar_url(slug))
    }

    pub fn person_name(&self, handle: &str) -> String {
        self.config()
            .and_then(|c| c.people.get(handle))
            .map_or_else(|| handle.to_string(), |p| p.name.value.clone())
    }

    fn person(&self, handle: &str) -> Value {
        let p = self.config().and_then(|c| c.people.get(handle));
        obj!({
            "handle": handle,
            "name": p.map_or(handle, |p| p.name.as_str()),
            "email": p.and_then(|p| p.email.clone()),
        })
    }

    pub fn policy_url(&self, name: &str) -> Option<String> {
        self.policy_slugs
            .get(name)
            .map(|s| crate::model::site_map::policy_url(s))
    }

    /// A Markdown body written in the record `file`, as shown on `page`:
    /// links rewritten to the pages they lead to, broken ones marked.
    pub fn body_html(&self, file: &str, page: &str, body: &str) -> String {
        markdown::render(body, &|dest| self.map.resolve(file, page, dest))
    }

    /// A log entry recorded late (W010): the words of [`Site::recorded_late`]
    /// and the commit that recorded it.
    pub fn late_record(&self, file: &str, date: &Sp<Date>) -> Option<(String, &'a Commit)> {
        let text = self.recorded_late(file, date)?;
        let l = self.late.get(&(file.to_string(), date.pos))?;
        Some((text, &l.commit))
    }

    /// A commit as pages show it, its date written as the site writes
    /// dates.
    pub fn commit(&self, c: &Commit) -> Value {
        obj!({
            "id": &c.id,
            "short": &c.short,
            "author": &c.author,
            "date": self.commit_day(c),
            "summary": &c.summary,
            "url": self.repo_url.as_ref().map(|u| format!("{}/commit/{}", u.trim_end_matches('/'), c.id)),
        })
    }

    /// A commit's date (kept as ISO in the history) as the site writes
    /// dates.
    fn commit_day(&self, c: &Commit) -> String {
        c.date
            .parse::<NaiveDate>()
            .map_or_else(|_| c.date.clone(), |d| self.day(d))
    }

    pub fn coverage(&self) -> &'static str {
        match self.history.coverage {
            Coverage::Complete => "complete",
            Coverage::Truncated => "truncated",
            Coverage::Missing => "missing",
        }
    }
}

pub fn account_name(a: &AccountDir) -> &str {
    a.account
        .as_ref()
        .map_or(a.id.as_str(), |r| r.data.name.as_str())
}

fn human(amount: Decimal, currency: &str) -> String {
    money::human(amount, currency)
}

fn account_status(s: crate::model::AccountStatus) -> &'static str {
    use crate::model::AccountStatus::*;
    match s {
        Prospect => "prospect",
        Active => "active",
        Paused => "paused",
        Churned => "churned",
    }
}

// ------------------------------------------------------------------ stages

/// A stage's status as a CSS class and the words that say the same.
fn stage_status(e: &Entry, s: &StageResult) -> (&'static str, &'static str) {
    let unpaid = e.eval.state.is_unpaid();
    match s.step {
        Step::Skipped => ("skipped", "Skipped: before the issue date"),
        Step::Reached if s.missed => ("missed", "Missed: reached, not logged"),
        Step::Reached if s.late => ("late", "Logged late"),
        Step::Reached if s.logged.is_some() => ("reached", "Reached and logged"),
        Step::Reached => ("reached", "Reached before payment"),
        Step::Next => ("next", "Next step"),
        Step::Pending if !unpaid => ("inactive", "Not needed"),
        Step::Pending if s.date.is_none() => ("suspended", "Suspended by an open hold"),
        Step::Pending => ("pending", "Scheduled"),
    }
}

fn stage_view(site: &Site, e: &Entry, s: &StageResult) -> Value {
    let stage = e.policy.stage(&s.id);
    let (class, label) = stage_status(e, s);
    let owner = e.owner_of(site.config(), &s.id);
    let title = stage.map_or(s.id.as_str(), |st| st.title.as_str());
    let date = s.date.map(|d| site.day(d));
    // The marker of the compact ladder says it all in one attribute.
    let tip = match &date {
        Some(d) => format!("{title}: {label}, {d}"),
        None => format!("{title}: {label}"),
    };
    obj!({
        "id": &s.id,
        "title": title,
        "tip": tip,
        "date": date,
        "class": class,
        "label": label,
        "owner": site.person_name(&owner),
        "channel": stage.map_or("", |st| st.channel.as_str()),
        "work": stage.map_or("continue", |st| work_str(st.work)),
        "logged": opt_day(site, s.logged),
        "done": done_by(site, e, &s.id),
        "current": e.eval.current().is_some_and(|c| c.id == s.id),
    })
}

/// Who took a step, how and when, from the first log entry naming it: what
/// the ladder shows for a logged step (the stage's owner and channel are
/// only the plan).
fn done_by(site: &Site, e: &Entry, stage: &str) -> Value {
    let first = e
        .invoice
        .data
        .log
        .iter()
        .filter(|l| l.stage.as_ref().is_some_and(|s| s.value == stage))
        .min_by_key(|l| l.date.value.0);
    match first {
        Some(l) => obj!({
            "date": site.day(l.date.value.0),
            "by": l.by.as_ref().map(|b| site.person_name(b)),
            "channel": l.channel.as_deref(),
        }),
        None => Value::none(),
    }
}

fn work_str(w: Work) -> &'static str {
    match w {
        Work::Continue => "continue",
        Work::Pause => "pause",
        Work::Stop => "stop",
    }
}

fn state_label(state: &str) -> &'static str {
    match state {
        "open" => "Open",
        "paid" => "Paid",
        "draft" => "Draft",
        "void" => "Void",
        "written_off" => "Written off",
        "on_hold" => "On hold",
        "promised" => "Promised",
        _ => "Unknown",
    }
}

/// The short view of an invoice used in tables.
pub fn invoice_summary(site: &Site, e: &Entry) -> Value {
    let inv = &e.invoice.data;
    let cur = &e.currency;
    let ladder: Vec<Value> = e
        .eval
        .stages
        .iter()
        .map(|s| stage_view(site, e, s))
        .collect();
    // The current and next stages are rungs of the ladder.
    let current = e.eval.stage.and_then(|i| ladder.get(i)).cloned();
    let next = e.eval.next.and_then(|i| ladder.get(i)).cloned();
    let state = e.eval.state.as_str();
    obj!({
        "number": &inv.number.value,
        "url": invoice_url(&inv.number),
        "account": &e.account.id,
        "account_name": account_name(e.account),
        "account_url": account_url(&e.account.id),
        "project": inv.project.as_ref().map(|p| p.value.clone()),
        "issued": site.day(inv.issued.value.0),
        "due": site.day(e.due),
        "amount": human(inv.amount.value.0, cur),
        "outstanding": human(e.eval.outstanding.max(Decimal::ZERO), cur),
        "paid": human(e.eval.paid, cur),
        "unpaid": e.eval.state.is_unpaid(),
        "state": state,
        "state_label": state_label(state),
        "stage": current,
        "next": next,
        "days_overdue": e.eval.days_overdue,
        "aging": e.eval.aging(),
        "policy": &e.policy.name,
        "ladder": ladder,
    })
}

/// [`invoice_summary`] of each of `entries`.
pub fn invoice_summaries<'e>(
    site: &Site,
    entries: impl IntoIterator<Item = &'e Entry<'e>>,
) -> Vec<Value> {
    entries
        .into_iter()
        .map(|e| invoice_summary(site, e))
        .collect()
}

// ------------------------------------------------------------------ warnings

/// Where a warning's file leads on the site.
fn warning_link(file: &str) -> Option<String> {
    let rest = file.strip_prefix("accounts/")?;
    let (account, _) = rest.split_once('/')?;
    Some(account_url(account))
}

/// A warning's hint for a producer: what to do, in words. Hints that show
/// YAML to type (for `folio check` in a terminal) are said instead.
fn plain_hint(site: &Site, d: &Diagnostic) -> String {
    if d.code == Code::NoHandover {
        return "write the handover brief: why they bought, the problem, what success looks like, the buyer, the influencers and the roadblocks".into();
    }
    // `folio log ...` is how a terminal user records the missing entry; on
    // the site the step is said in words.
    let shows_yaml =
        d.hint.contains("- {") || d.hint.contains("`log:`") || d.hint.contains("`folio log ");
    if !shows_yaml {
        return site.dates_in(&d.hint);
    }
    match d.code {
        Code::MissedMeeting => "hold the meeting, then add it to the account's log".into(),
        Code::MissedStep => "take the step, then add it to the invoice's log".into(),
        Code::LateStep => "log each step on the day it is taken".into(),
        _ => "see `folio check` for what to write".into(),
    }
}

/// Text as a sentence: a capital first letter and a full stop.
fn sentence(text: &str) -> String {
    let text = text.trim();
    let mut chars = text.chars();
    let Some(first) = chars.next() else {
        return String::new();
    };
    let mut out: String = first.to_uppercase().chain(chars).collect();
    if !out.ends_with(['.', '?', '!']) {
        out.push('.');
    }
    out
}

fn warning_view(site: &Site, d: &Diagnostic) -> Value {
    let account = d
        .file
        .strip_prefix("accounts/")
        .and_then(|rest| rest.split_once('/'))
        .and_then(|(id, _)| site.ledger.repo.account(id))
        .map(account_name);
    obj!({
        "account": account,
        "code": d.code.id(),
        "name": d.code.name(),
        "message": &d.message,
        "hint": &d.hint,
        "message_html": markdown::inline_code_html(&sentence(&site.dates_in(&d.message))),
        "hint_html": markdown::inline_code_html(&sentence(&plain_hint(site, d))),
        "file": &d.file,
        "url": warning_link(&d.file),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_titles() {
        assert_eq!(role_title("account_manager"), "Account manager");
        assert_eq!(
            role_url("planning_lead"),
            "handbook/roles/planning-lead/index.html"
        );
    }
}
