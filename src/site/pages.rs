//! The data behind each page of the site: Tera values (see
//! [`super::value`]) that the templates lay out, one [`PageData`] of
//! variables per page. Paths in these values are relative to the site root;
//! templates prefix them with `root` (the way back up from the page), so
//! every link works from file:// and from a sub-path of a host.

use super::markdown;
use super::value::Value;
use super::value::{PageData, obj, page};
use crate::diagnostic::{Code, Diagnostic, Pos};
use crate::history::{Commit, Coverage, History, LateRecord};
use crate::ladder::policy::Policy;
use crate::ladder::report::{RECENT_DAYS, StatusDoc};
use crate::ladder::stage::{PromiseState, StageResult, State, Step};
use crate::ladder::{Entry, Ledger};
use crate::model::site_map::{self, SiteMap};
use crate::model::{
    AccountDir, Config, Date, DayUnit, Frequency, InvoiceStatus, Page, Record, Roles, Sp, Work,
    money,
};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use std::collections::{BTreeMap, BTreeSet};

/// The most rows a dashboard list shows; the rest are counted and linked.
pub const DASHBOARD_LIST: usize = 40;

/// At most this many invoices, log and history events and warnings are
/// shown on an account's page; the rest are counted and pointed to, so an
/// account with years of invoices still has a page a person can open.
pub const ACCOUNT_INVOICES: usize = 100;
pub const ACCOUNT_EVENTS: usize = 150;
pub const ACCOUNT_WARNINGS: usize = 20;

/// Days ahead the actions page looks.
pub const AGENDA_DAYS: u64 = 14;

/// `23 Nov 2026`: the default date format (see [`Site::day`] for the
/// configured one).
pub fn day(d: NaiveDate) -> String {
    crate::model::dates::default_day(d)
}

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

/// Everything the pages share: the ledger, the settings' people, the site's
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
    pub warnings: &'a [Diagnostic],
    /// Log entries recorded late (W010), flagged where the site shows them.
    pub late: &'a LateIndex,
    /// Who recorded each dated entry of an invoice (its written record).
    pub origins: &'a crate::history::Origins,
    /// Account id → the range of its entries in the ledger (entries are
    /// grouped by account), so no page scans every invoice.
    pub ranges: BTreeMap<String, std::ops::Range<usize>>,
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
            l.days_late, l.commit.date, l.commit.short
        ))
    }

    /// The ranges of [`Site::ranges`] for a ledger.
    pub fn ranges_of(ledger: &Ledger) -> BTreeMap<String, std::ops::Range<usize>> {
        let mut out: BTreeMap<String, std::ops::Range<usize>> = BTreeMap::new();
        for (i, e) in ledger.entries.iter().enumerate() {
            let r = out.entry(e.account.id.clone()).or_insert(i..i);
            r.end = i + 1;
        }
        out
    }

    /// The invoices of one account.
    pub fn entries_of(&self, account: &str) -> &'a [Entry<'a>] {
        match self.ranges.get(account) {
            Some(r) => &self.ledger.entries[r.clone()],
            None => &[],
        }
    }

    pub fn config(&self) -> Option<&'a Config> {
        self.ledger.config()
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

    pub fn commit_view(&self, c: &Commit) -> Value {
        self.commit(c)
    }

    fn commit(&self, c: &Commit) -> Value {
        obj!({
            "id": &c.id,
            "short": &c.short,
            "author": &c.author,
            "date": &c.date,
            "summary": &c.summary,
            "url": self.repo_url.as_ref().map(|u| format!("{}/commit/{}", u.trim_end_matches('/'), c.id)),
        })
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

// ------------------------------------------------------------------ dashboard

/// Outstanding per currency and aging bucket, for the chart and the totals.
pub fn receivables(ledger: &Ledger) -> BTreeMap<String, [Decimal; 5]> {
    let mut out: BTreeMap<String, [Decimal; 5]> = BTreeMap::new();
    for e in ledger.entries.iter().filter(|e| e.eval.state.is_unpaid()) {
        let i = super::svg::BUCKETS
            .iter()
            .position(|b| *b == e.eval.aging())
            .unwrap_or(0);
        out.entry(e.currency.clone()).or_default()[i] += e.eval.outstanding.max(Decimal::ZERO);
    }
    out
}

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

fn action_view(site: &Site, a: &crate::ladder::report::Action) -> Value {
    let account = site.ledger.repo.account(&a.account);
    obj!({
        "date": a.date.parse::<NaiveDate>().map(|d| site.day(d)).unwrap_or_else(|_| a.date.clone()),
        "invoice": &a.invoice,
        "invoice_url": invoice_url(&a.invoice),
        "account_name": account.map_or(a.account.as_str(), account_name),
        "account_url": account_url(&a.account),
        "stage": &a.stage,
        "title": &a.title,
        "owner": site.person_name(&a.owner),
        "channel": &a.channel,
        "missed": a.missed,
    })
}

pub fn dashboard(site: &Site, doc: &StatusDoc) -> PageData {
    let ledger = site.ledger;
    let receivables = receivables(ledger);
    let totals: Vec<Value> = receivables
        .iter()
        .map(|(cur, buckets)| {
            let total: Decimal = buckets.iter().copied().sum();
            let overdue: Decimal = buckets[1..].iter().copied().sum();
            let count = ledger
                .entries
                .iter()
                .filter(|e| e.eval.state.is_unpaid() && &e.currency == cur)
                .count();
            obj!({
                "currency": cur,
                "outstanding": human(total, cur),
                "overdue": human(overdue, cur),
                "invoices": count,
                "chart": super::svg::aging_chart(cur, buckets),
            })
        })
        .collect();
    let today: Vec<Value> = doc
        .actions
        .iter()
        .filter(|a| !a.missed)
        .map(|a| action_view(site, a))
        .collect();
    let missed: Vec<&crate::ladder::report::Action> =
        doc.actions.iter().filter(|a| a.missed).collect();
    let attention: Vec<&Diagnostic> = site
        .warnings
        .iter()
        .filter(|d| d.code != Code::MissedStep)
        .collect();
    let at_risk = at_risk(site);
    page!({
        "title": "Dashboard",
        "nav": "dashboard",
        "totals": totals,
        "today": today,
        "missed": missed.iter().take(DASHBOARD_LIST).map(|a| action_view(site, a)).collect::<Vec<_>>(),
        "missed_total": missed.len(),
        "attention": attention.iter().take(DASHBOARD_LIST).map(|d| warning_view(site, d)).collect::<Vec<_>>(),
        "attention_total": attention.len(),
        "at_risk_total": at_risk.len(),
        "at_risk": at_risk.into_iter().take(DASHBOARD_LIST).collect::<Vec<_>>(),
        "list_limit": DASHBOARD_LIST,
        "unpaid": ledger.entries.iter().filter(|e| e.eval.state.is_unpaid()).count(),
    })
}

/// Accounts with overdue money: those with a missed step first (the next
/// move is overdue), then the furthest along their ladders, then the most
/// days overdue; with the holds and promises that change the next move.
fn at_risk(site: &Site) -> Vec<Value> {
    /// (missed steps, worst stage, most days overdue, the account, its
    /// overdue invoices)
    type Row<'a> = (
        usize,
        Option<(Work, i32, String)>,
        i64,
        &'a AccountDir,
        Vec<&'a Entry<'a>>,
    );
    let mut rows: Vec<Row> = vec![];
    for a in &site.ledger.repo.accounts {
        let overdue: Vec<&Entry> = site
            .entries_of(&a.id)
            .iter()
            .filter(|e| e.eval.state.is_unpaid() && e.eval.days_overdue > 0)
            .collect();
        if overdue.is_empty() {
            continue;
        }
        let worst = overdue
            .iter()
            .filter_map(|e| crate::ladder::report::severity(e))
            .max();
        let days = overdue
            .iter()
            .map(|e| e.eval.days_overdue)
            .max()
            .unwrap_or(0);
        let missed = overdue
            .iter()
            .map(|e| e.eval.stages.iter().filter(|s| s.missed).count())
            .sum();
        rows.push((missed, worst, days, a, overdue));
    }
    let work = |w: &Option<(Work, i32, String)>| w.as_ref().map(|(w, _, _)| *w);
    rows.sort_by(|x, y| {
        (y.0 > 0, work(&y.1), y.2, &x.3.id).cmp(&(x.0 > 0, work(&x.1), x.2, &y.3.id))
    });
    rows.into_iter()
        .map(|(missed, worst, days, a, overdue)| {
            let mut sums: BTreeMap<&str, Decimal> = BTreeMap::new();
            for e in &overdue {
                *sums.entry(e.currency.as_str()).or_default() += e.eval.outstanding;
            }
            let stage_title = worst.as_ref().and_then(|(_, _, id)| {
                overdue
                    .iter()
                    .find_map(|e| e.policy.stage(id).map(|s| s.title.clone()))
            });
            let pauses: Vec<String> = overdue.iter().filter_map(|e| pause_note(site, e)).collect();
            obj!({
                "name": account_name(a),
                "url": account_url(&a.id),
                "overdue": sums.iter().map(|(c, v)| human(*v, c)).collect::<Vec<_>>(),
                "days": days,
                "invoices": overdue.len(),
                "stage": stage_title,
                "work": worst.map_or("continue", |(w, _, _)| work_str(w)),
                "missed": missed,
                "pauses": pauses,
            })
        })
        .collect()
}

/// What holds an unpaid invoice's escalation today, in words: its open
/// hold (with the reason) or the promise whose window it is in.
fn pause_note(site: &Site, e: &Entry) -> Option<String> {
    let as_of = site.ledger.as_of;
    let inv = &e.invoice.data;
    match e.eval.state {
        State::OnHold => {
            let hold = inv.holds.iter().rev().find(|h| {
                h.from.value.0 <= as_of && h.until.as_ref().is_none_or(|u| u.value.0 >= as_of)
            })?;
            let until = match &hold.until {
                Some(u) => format!(" until {}", site.day(u.value.0)),
                None => String::new(),
            };
            let why = hold
                .reason
                .as_deref()
                .map_or(String::new(), |r| format!(": {r}"));
            Some(format!(
                "{} on hold since {}{until}{why}",
                inv.number.value,
                site.day(hold.from.value.0)
            ))
        }
        State::Promised => {
            let p = inv
                .promises
                .iter()
                .rev()
                .find(|p| p.made.value.0 <= as_of && p.pay_by.value.0 >= as_of)?;
            Some(format!(
                "{} promised for {}",
                inv.number.value,
                site.day(p.pay_by.value.0)
            ))
        }
        _ => None,
    }
}

// ------------------------------------------------------------------ actions

/// At most this many steps are listed one by one on an agenda page; the
/// rest are counted, with a link to each owner's own agenda, so a page
/// stays small enough to open however large the agency.
pub const AGENDA_ROWS: usize = 400;

/// At most this many accounts are listed in an agenda's summary of old
/// missed steps (those with the most first).
pub const AGENDA_OLD_ACCOUNTS: usize = 200;

/// The agenda of the whole agency (`owner` None) or of one owner: missed
/// steps of the last [`RECENT_DAYS`] days first, then today's, then each
/// later day up to [`AGENDA_DAYS`] ahead; within each group, the steps of
/// one owner together (owners by name), each owner's by date and invoice.
/// Older missed steps are summed up per account, with a link to it. At
/// most [`AGENDA_ROWS`] steps are listed; the others are counted.
pub fn actions(site: &Site, owner: Option<&str>) -> PageData {
    let ledger = site.ledger;
    let until = ledger.as_of + chrono::Days::new(AGENDA_DAYS);
    let recent = ledger.as_of - chrono::Days::new(RECENT_DAYS);
    // (group: missed, then one per day) → owner name → (handle, steps).
    type Steps<'e> = Vec<(NaiveDate, &'e str, &'e Entry<'e>, &'e StageResult)>;
    let mut groups: BTreeMap<(u8, NaiveDate), BTreeMap<String, (String, Steps)>> = BTreeMap::new();
    let mut old: BTreeMap<&str, OldMissed> = BTreeMap::new();
    // Every owner with an agenda page is listed, with nothing due or not.
    let mut counts: BTreeMap<String, OwnerCounts> = site
        .owner_slugs
        .keys()
        .map(|h| (h.clone(), OwnerCounts::default()))
        .collect();
    for (e, s, date) in ledger.scheduled_steps() {
        let upcoming = date >= ledger.as_of && date <= until;
        if !(s.missed || upcoming) {
            continue;
        }
        let handle = e.owner_of(site.config(), &s.id);
        let count = counts.entry(handle.clone()).or_default();
        if s.missed {
            count.missed += 1;
        } else if date == ledger.as_of {
            count.today += 1;
        } else {
            count.upcoming += 1;
        }
        if owner.is_some_and(|o| o != handle) {
            continue;
        }
        if s.missed && date < recent {
            old.entry(e.account.id.as_str())
                .or_insert_with(|| OldMissed::new(e.account))
                .add(e.number(), date);
            continue;
        }
        let key = if s.missed {
            (0, NaiveDate::MIN)
        } else {
            (1, date)
        };
        groups
            .entry(key)
            .or_default()
            .entry(site.person_name(&handle))
            .or_insert_with(|| (handle, vec![]))
            .1
            .push((date, e.number(), e, s));
    }
    let mut budget = AGENDA_ROWS;
    let mut listed_steps = 0;
    let mut left_off = 0;
    let groups: Vec<Value> = groups
        .into_iter()
        .map(|((kind, date), owners)| {
            let (label, when) = match kind {
                0 => (format!("Missed steps since {}", site.day(recent)), "missed"),
                _ if date == ledger.as_of => (format!("Today, {}", site.day(date)), "today"),
                _ => (site.day(date), "upcoming"),
            };
            let mut steps = 0;
            let owners: Vec<Value> = owners
                .into_iter()
                .map(|(name, (handle, mut items))| {
                    items.sort_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
                    steps += items.len();
                    let shown = items.len().min(budget);
                    budget -= shown;
                    left_off += items.len() - shown;
                    listed_steps += shown;
                    let rows: Vec<Value> = items[..shown]
                        .iter()
                        .map(|(date, _, e, s)| agenda_row(site, e, s, *date, when))
                        .collect();
                    obj!({
                        "owner": name,
                        "url": site.owner_agenda_url(&handle),
                        "items": rows,
                        "more": items.len() - shown,
                    })
                })
                .collect();
            obj!({"label": label, "when": when, "steps": steps, "owners": owners})
        })
        .collect();
    let mut old: Vec<OldMissed> = old.into_values().collect();
    let old_steps: usize = old.iter().map(|o| o.steps).sum();
    old.sort_by(|a, b| b.steps.cmp(&a.steps).then(a.name.cmp(b.name)));
    let old_accounts = old.len();
    old.truncate(AGENDA_OLD_ACCOUNTS);
    let old: Vec<Value> = old.iter().map(|o| o.view(site)).collect();
    let owners: Vec<Value> = owner_rows(site, counts);
    let (title, person, calendar) = match owner {
        Some(h) => {
            let name = site.person_name(h);
            (
                format!("Actions: {name}"),
                Value::from(name),
                site.owner_calendar_url(h),
            )
        }
        None => ("Actions".into(), Value::none(), Some("calendar.ics".into())),
    };
    page!({
        "title": title,
        "nav": "actions",
        "person": person,
        "calendar": calendar,
        "owners": owners,
        "groups": groups,
        "listed": listed_steps,
        "left_off": left_off,
        "old": old,
        "old_steps": old_steps,
        "old_accounts": old_accounts,
        "old_accounts_left_off": old_accounts.saturating_sub(AGENDA_OLD_ACCOUNTS),
        "recent": site.day(recent),
        "until": site.day(until),
        "days": AGENDA_DAYS,
    })
}

/// One step on an agenda.
fn agenda_row(site: &Site, e: &Entry, s: &StageResult, date: NaiveDate, when: &str) -> Value {
    let when = if when == "missed" {
        "missed"
    } else if date == site.ledger.as_of {
        "today"
    } else {
        "upcoming"
    };
    super::value::extend(
        stage_view(site, e, s),
        obj!({
            "when": when,
            "in_days": (date - site.ledger.as_of).num_days(),
            "invoice": invoice_summary_short(e),
        }),
    )
}

/// How many steps one owner has on the agenda, by kind.
#[derive(Default)]
struct OwnerCounts {
    missed: usize,
    today: usize,
    upcoming: usize,
}

/// The owners of the agenda by name, each with their counts, agenda page
/// and calendar feed (when their name gives them one).
fn owner_rows(site: &Site, counts: BTreeMap<String, OwnerCounts>) -> Vec<Value> {
    let mut rows: Vec<(String, Value)> = counts
        .into_iter()
        .map(|(handle, c)| {
            let name = site.person_name(&handle);
            let row = obj!({
                "owner": &name,
                "url": site.owner_agenda_url(&handle),
                "calendar": site.owner_calendar_url(&handle),
                "missed": c.missed,
                "today": c.today,
                "upcoming": c.upcoming,
            });
            (name, row)
        })
        .collect();
    rows.sort_by(|a, b| a.0.cmp(&b.0));
    rows.into_iter().map(|(_, row)| row).collect()
}

/// An account's missed steps older than [`RECENT_DAYS`], summed up.
struct OldMissed<'a> {
    account: &'a AccountDir,
    name: &'a str,
    steps: usize,
    invoices: BTreeSet<&'a str>,
    oldest: NaiveDate,
}

impl<'a> OldMissed<'a> {
    fn new(account: &'a AccountDir) -> Self {
        OldMissed {
            account,
            name: account_name(account),
            steps: 0,
            invoices: BTreeSet::new(),
            oldest: NaiveDate::MAX,
        }
    }

    fn add(&mut self, invoice: &'a str, date: NaiveDate) {
        self.steps += 1;
        self.invoices.insert(invoice);
        self.oldest = self.oldest.min(date);
    }

    fn view(&self, site: &Site) -> Value {
        obj!({
            "account_name": self.name,
            "account_url": account_url(&self.account.id),
            "steps": self.steps,
            "invoices": self.invoices.len(),
            "oldest": site.day(self.oldest),
        })
    }
}

fn invoice_summary_short(e: &Entry) -> Value {
    obj!({
        "number": e.number(),
        "url": invoice_url(e.number()),
        "account_name": account_name(e.account),
        "account_url": account_url(&e.account.id),
        "outstanding": human(e.eval.outstanding.max(Decimal::ZERO), &e.currency),
    })
}

// ------------------------------------------------------------------ accounts

fn account_currency(site: &Site, a: &AccountDir) -> String {
    a.account
        .as_ref()
        .and_then(|r| r.data.billing.currency.as_ref())
        .map_or_else(
            || site.ledger.settings.currency.clone(),
            |c| c.value.clone(),
        )
}

pub fn accounts_index(site: &Site, doc: &StatusDoc) -> PageData {
    let rows: Vec<Value> = site
        .ledger
        .repo
        .accounts
        .iter()
        .zip(&doc.accounts)
        .map(|(a, row)| {
            let data = a.account.as_ref().map(|r| &r.data);
            let sum = |m: &BTreeMap<String, String>| -> Vec<String> {
                m.iter()
                    .map(|(c, v)| v.parse().map_or_else(|_| format!("{v} {c}"), |d| human(d, c)))
                    .collect()
            };
            let worst = row.worst_stage.as_ref().and_then(|id| {
                site.entries_of(&a.id)
                    .iter()
                    .find_map(|e| e.policy.stage(id).map(|s| (s.title.clone(), work_str(s.work))))
            });
            obj!({
                "id": &a.id,
                "name": account_name(a),
                "url": account_url(&a.id),
                "status": data.map_or("active", |d| account_status(d.status)),
                "producer": data.and_then(|d| d.roles.producer.as_ref()).map(|h| site.person_name(h)),
                "outstanding": sum(&row.outstanding),
                "overdue": sum(&row.overdue),
                "worst_stage": worst.as_ref().map(|w| w.0.clone()),
                "worst_work": worst.map_or("continue", |w| w.1),
                "actions": row.actions_due,
                "invoices": a.invoices.len(),
                "projects": a.projects.len(),
            })
        })
        .collect();
    page!({"title": "Accounts", "nav": "accounts", "accounts": rows})
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

fn frequency_str(f: Frequency) -> &'static str {
    match f {
        Frequency::Weekly => "weekly",
        Frequency::Fortnightly => "fortnightly",
        Frequency::Monthly => "monthly",
        Frequency::Quarterly => "quarterly",
    }
}

const HANDOVER_QUESTIONS: [(&str, &str); 6] = [
    ("why_they_bought", "Why they bought"),
    ("problem", "The problem to solve"),
    ("success", "What success looks like"),
    ("buyer", "The buyer"),
    ("influencers", "Influencers"),
    ("roadblocks", "Roadblocks"),
];

fn cadence(site: &Site, acc: &crate::model::Account) -> Vec<Value> {
    let as_of = site.ledger.as_of;
    [
        ("internal_sync", "Internal sync", acc.cadence.internal_sync),
        ("client_sync", "Client sync", acc.cadence.client_sync),
    ]
    .into_iter()
    .filter_map(|(kind, label, freq)| {
        let freq = freq?;
        let meetings: Vec<NaiveDate> = acc
            .log
            .iter()
            .filter(|e| e.kind.as_str() == kind && e.date.value.0 <= as_of)
            .map(|e| e.date.value.0)
            .collect();
        let last = meetings.iter().max().copied();
        let reference = last.or(acc.since.as_ref().map(|s| s.value.0));
        let due = reference.map(|r| crate::ladder::calendar::add_days(r, freq.days()));
        let active = acc.status == crate::model::AccountStatus::Active;
        Some(obj!({
            "kind": kind,
            "label": label,
            "frequency": frequency_str(freq),
            "last": opt_day(site, last),
            "due": opt_day(site, due),
            "missed": active && due.is_some_and(|d| d < as_of),
            "held": meetings.len(),
        }))
    })
    .collect()
}

fn handover(acc: &crate::model::Account) -> Value {
    let Some(h) = &acc.handover else {
        return Value::none();
    };
    let answers = h.answers();
    let mut unanswered = 0;
    let items: Vec<Value> = HANDOVER_QUESTIONS
        .iter()
        .zip(answers.iter())
        .map(|((_, label), (_, answer))| {
            let text = answer.as_deref().map(str::trim).filter(|s| !s.is_empty());
            unanswered += usize::from(text.is_none());
            obj!({"question": *label, "answer": text})
        })
        .collect();
    obj!({"items": items, "unanswered": unanswered})
}

fn project_view(
    site: &Site,
    a: &AccountDir,
    p: &Record<crate::model::Project>,
    currency: &str,
) -> Value {
    let d = &p.data;
    let as_of = site.ledger.as_of;
    let mine: Vec<&Entry> = site
        .entries_of(&a.id)
        .iter()
        .filter(|e| {
            e.invoice
                .data
                .project
                .as_ref()
                .is_some_and(|x| x.value == p.id)
        })
        .collect();
    let billed = |e: &&&Entry| {
        e.currency == currency
            && !matches!(
                e.invoice.data.status,
                InvoiceStatus::Void | InvoiceStatus::Draft
            )
    };
    let invoiced: Decimal = mine
        .iter()
        .filter(billed)
        .map(|e| e.invoice.data.amount.value.0)
        .sum();
    let paid: Decimal = mine.iter().filter(billed).map(|e| e.eval.paid).sum();
    let budget = d.budget.as_ref().map(|b| b.value.0);
    let percent = |x: Decimal| -> Value {
        match budget {
            Some(b) if b > Decimal::ZERO => {
                let p = (x * Decimal::from(100) / b).round_dp(1);
                Value::from(p.min(Decimal::from(100)).to_string())
            }
            _ => Value::none(),
        }
    };
    let milestones: Vec<Value> = d
        .milestones
        .iter()
        .map(|m| {
            let share = m.share.value.0;
            obj!({
                "name": &m.name,
                "share": format!("{}%", share.normalize()),
                "amount": budget.map(|b| human(b * share / Decimal::from(100), currency)),
                "due": opt_day(site, m.due.as_ref().map(|x| x.value.0)),
                "past": m.due.as_ref().is_some_and(|x| x.value.0 <= as_of),
            })
        })
        .collect();
    let tasks: Vec<Value> = d
        .client_tasks
        .iter()
        .map(|t| {
            let due = t.due.as_ref().map(|x| x.value.0);
            let done = t.done.as_ref().map(|x| x.value.0);
            let state = match (done, due) {
                (Some(_), _) => "done",
                (None, Some(due)) if due < as_of => "overdue",
                _ => "open",
            };
            obj!({"task": &t.task, "due": opt_day(site, due), "done": opt_day(site, done), "state": state})
        })
        .collect();
    obj!({
        "id": &p.id,
        "name": &d.name.value,
        "status": format!("{:?}", d.status.value).to_lowercase(),
        "start": opt_day(site, d.start.as_ref().map(|x| x.value.0)),
        "end": opt_day(site, d.end.as_ref().map(|x| x.value.0)),
        "budget": budget.map(|b| human(b, currency)),
        "invoiced": human(invoiced, currency),
        "paid": human(paid, currency),
        "invoiced_pct": percent(invoiced),
        "paid_pct": percent(paid),
        "over_budget": budget.is_some_and(|b| invoiced > b),
        "milestones": milestones,
        "tasks": tasks,
        "body": site.body_html(&p.file, &account_url(&a.id), &p.body),
    })
}

/// A dated event for the account timeline.
struct Event {
    date: NaiveDate,
    /// Orders events of one day: record events before commits.
    rank: u8,
    kind: &'static str,
    text: String,
    by: Option<String>,
    url: Option<String>,
    /// For a log entry recorded late: how late.
    late: Option<String>,
}

fn timeline(site: &Site, a: &AccountDir) -> Vec<Value> {
    let mut events: Vec<Event> = vec![];
    let ev = |date, kind, text: String, by: Option<String>, url: Option<String>| Event {
        date,
        rank: 0,
        kind,
        text,
        by,
        url,
        late: None,
    };
    if let Some(acc) = &a.account {
        for l in &acc.data.log {
            let text = match &l.note {
                Some(n) => format!("{}: {n}", role_title(&l.kind)),
                None => role_title(&l.kind),
            };
            events.push(Event {
                late: site.recorded_late(&acc.file, &l.date),
                ..ev(
                    l.date.value.0,
                    "meeting",
                    text,
                    l.by.as_ref().map(|b| site.person_name(b)),
                    None,
                )
            });
        }
    }
    for e in site.entries_of(&a.id) {
        let inv = &e.invoice.data;
        let url = Some(invoice_url(e.number()));
        let n = e.number();
        let cur = &e.currency;
        events.push(ev(
            inv.issued.value.0,
            "issued",
            format!("{n} issued for {}", human(inv.amount.value.0, cur)),
            None,
            url.clone(),
        ));
        if e.eval.state.is_unpaid() && e.due <= site.ledger.as_of {
            events.push(ev(e.due, "due", format!("{n} fell due"), None, url.clone()));
        }
        for p in &inv.payments {
            events.push(ev(
                p.date.value.0,
                "payment",
                format!("{} received for {n}", human(p.amount.value.0, cur)),
                None,
                url.clone(),
            ));
        }
        for p in &inv.promises {
            events.push(ev(
                p.made.value.0,
                "promise",
                format!("Promise to pay {n} by {}", site.day(p.pay_by.value.0)),
                None,
                url.clone(),
            ));
        }
        for h in &inv.holds {
            let text = match &h.reason {
                Some(r) => format!("{n} put on hold: {r}"),
                None => format!("{n} put on hold"),
            };
            events.push(ev(h.from.value.0, "hold", text, None, url.clone()));
        }
        for x in &inv.extensions {
            events.push(ev(
                x.granted.value.0,
                "extension",
                format!("{n} escalation extended by {} days", x.days.value),
                x.by.as_ref().map(|b| site.person_name(b)),
                url.clone(),
            ));
        }
        for l in &inv.log {
            let what = l.stage.as_ref().map_or_else(
                || "Note".to_string(),
                |s| {
                    e.policy
                        .stage(s)
                        .map_or_else(|| s.value.clone(), |st| st.title.clone())
                },
            );
            let text = match &l.note {
                Some(note) => format!("{n}, {what}: {note}"),
                None => format!("{n}, {what}"),
            };
            events.push(Event {
                late: site.recorded_late(&e.invoice.file, &l.date),
                ..ev(
                    l.date.value.0,
                    "log",
                    text,
                    l.by.as_ref().map(|b| site.person_name(b)),
                    url.clone(),
                )
            });
        }
        for s in e.eval.reached() {
            let Some(date) = s.date else { continue };
            let title = e
                .policy
                .stage(&s.id)
                .map_or(s.id.as_str(), |st| st.title.as_str());
            let kind = if s.missed { "missed" } else { "stage" };
            let suffix = if s.missed { " (not logged)" } else { "" };
            events.push(ev(
                date,
                kind,
                format!("{n} reached {title}{suffix}"),
                None,
                url.clone(),
            ));
        }
    }
    let mut values: Vec<(NaiveDate, u8, usize, Value)> = events
        .into_iter()
        .enumerate()
        .map(|(i, e)| {
            let v = obj!({"date": site.day(e.date), "kind": e.kind, "text": e.text, "by": e.by, "url": e.url, "late": e.late, "commit": Value::none()});
            (e.date, e.rank, i, v)
        })
        .collect();
    let offset = values.len();
    for (i, c) in site
        .history
        .under(&format!("accounts/{}/", a.id))
        .into_iter()
        .enumerate()
    {
        let Ok(date) = c.date.parse::<NaiveDate>() else {
            continue;
        };
        let v = obj!({"date": site.day(date), "kind": "commit", "text": &c.summary, "by": &c.author, "url": Value::none(), "commit": site.commit(c)});
        values.push((date, 1, offset + i, v));
    }
    values.sort_by(|x, y| (y.0, x.1, x.2).cmp(&(x.0, y.1, y.2)));
    values.into_iter().map(|v| v.3).collect()
}

/// The rows of an account's invoice table, in ledger order, and how many
/// were left off: every unpaid invoice first, then the latest issued, at
/// most [`ACCOUNT_INVOICES`] (each invoice keeps its own page).
fn invoices_shown(entries: &[Entry], summaries: Vec<Value>) -> (Vec<Value>, usize) {
    let total = summaries.len();
    if total <= ACCOUNT_INVOICES || entries.len() != total {
        return (summaries, 0);
    }
    let mut order: Vec<usize> = (0..total).collect();
    order.sort_by_key(|&i| {
        let e = &entries[i];
        (
            !e.eval.state.is_unpaid(),
            std::cmp::Reverse(e.invoice.data.issued.value.0),
        )
    });
    let kept: BTreeSet<usize> = order.into_iter().take(ACCOUNT_INVOICES).collect();
    let shown = summaries
        .into_iter()
        .enumerate()
        .filter(|(i, _)| kept.contains(i))
        .map(|(_, v)| v)
        .collect();
    (shown, total - ACCOUNT_INVOICES)
}

/// An account's page; `invoices`: the summaries of its invoices, in ledger order.
pub fn account(site: &Site, a: &AccountDir, invoices: Vec<Value>) -> PageData {
    let currency = account_currency(site, a);
    let data = a.account.as_ref().map(|r| &r.data);
    let roles: Vec<Value> = data
        .map(|d| {
            d.roles
                .iter()
                .map(|(role, h)| obj!({"role": role_title(role), "url": role_url(role), "person": site.person(h)}))
                .collect()
        })
        .unwrap_or_default();
    let contacts: Vec<Value> = data
        .map(|d| {
            d.contacts
                .iter()
                .map(|c| {
                    obj!({
                        "name": &c.name,
                        "email": &c.email,
                        "phone": &c.phone,
                        "role": c.role.map(|r| format!("{r:?}").to_lowercase()),
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    let billing = data.map(|d| {
        let b = &d.billing;
        let policy = b.policy.as_ref().map_or(site.ledger.settings.default_policy.clone(), |p| p.value.clone());
        obj!({
            "portal": b.portal.as_ref().filter(|u| u.starts_with("https://") || u.starts_with("http://")),
            "portal_text": &b.portal,
            "email": &b.email,
            "currency": &currency,
            "terms": b.terms.as_ref().map(|t| t.value.clone()),
            "policy_url": site.policy_url(&policy),
            "policy": policy,
            "calendar": b.calendar.as_ref().map(|c| c.value.clone()),
        })
    });
    let prefix = format!("accounts/{}/", a.id);
    let all_warnings: Vec<&Diagnostic> = site
        .warnings
        .iter()
        .filter(|d| d.file.starts_with(&prefix))
        .collect();
    let warnings_left_off = all_warnings.len().saturating_sub(ACCOUNT_WARNINGS);
    let warnings: Vec<Value> = all_warnings
        .iter()
        .take(ACCOUNT_WARNINGS)
        .map(|d| warning_view(site, d))
        .collect();
    let (invoices, invoices_left_off) = invoices_shown(site.entries_of(&a.id), invoices);
    let mut timeline = timeline(site, a);
    let events_left_off = timeline.len().saturating_sub(ACCOUNT_EVENTS);
    let oldest_event = timeline
        .last()
        .and_then(|e| e.get_from_path("date"))
        .cloned();
    timeline.truncate(ACCOUNT_EVENTS);
    let mut outstanding: BTreeMap<&str, Decimal> = BTreeMap::new();
    for e in site
        .entries_of(&a.id)
        .iter()
        .filter(|e| e.eval.state.is_unpaid())
    {
        *outstanding.entry(e.currency.as_str()).or_default() += e.eval.outstanding;
    }
    page!({
        "title": account_name(a),
        "nav": "accounts",
        "id": &a.id,
        "name": account_name(a),
        "status": data.map_or("active", |d| account_status(d.status)),
        "since": opt_day(site, data.and_then(|d| d.since.as_ref()).map(|s| s.value.0)),
        "roles": roles,
        "contacts": contacts,
        "billing": billing,
        "cadence": data.map(|d| cadence(site, d)).unwrap_or_default(),
        "handover": data.map_or_else(Value::none, handover),
        "projects": a.projects.iter().map(|p| project_view(site, a, p, &currency)).collect::<Vec<_>>(),
        "invoices": invoices,
        "invoices_left_off": invoices_left_off,
        "outstanding": outstanding.iter().map(|(c, v)| human(*v, c)).collect::<Vec<_>>(),
        "warnings": warnings,
        "warnings_left_off": warnings_left_off,
        "body": a.account.as_ref().map(|r| site.body_html(&r.file, &account_url(&a.id), &r.body)).unwrap_or_default(),
        "timeline": timeline,
        "events_left_off": events_left_off,
        "oldest_event": if events_left_off > 0 { oldest_event } else { None },
        "history": site.coverage(),
        "statement_url": site_map::statement_url(&a.id),
    })
}

// ------------------------------------------------------------------ invoices

/// An invoice's page: its `summary` ([`invoice_summary`]) and the rest.
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
        "claim": e.claim.as_ref().map(|c| super::claims::claim_view(site.ledger, e, c)),
        "record_url": e.has_record().then(|| site_map::record_url(&inv.number.value)),
    });
    let mut page = super::value::page_of(summary);
    page.extend(extra);
    page
}

/// The stage whose message the invoice page drafts: the current one, else
/// the next one.
pub use crate::ladder::message::draft_stage;

pub fn draft_stage_view(site: &Site, e: &Entry, s: &StageResult) -> Value {
    stage_view(site, e, s)
}

// ------------------------------------------------------------------ handbook

/// Handbook pages in reading order: `order`, then title.
pub fn ordered_pages(pages: &[Record<Page>]) -> Vec<&Record<Page>> {
    let mut v: Vec<&Record<Page>> = pages.iter().collect();
    v.sort_by(|a, b| {
        (
            a.data.order.unwrap_or(i64::MAX),
            a.data.title.as_str(),
            a.id.as_str(),
        )
            .cmp(&(
                b.data.order.unwrap_or(i64::MAX),
                b.data.title.as_str(),
                b.id.as_str(),
            ))
    });
    v
}

pub fn handbook_nav(site: &Site) -> Value {
    let pages: Vec<Value> = ordered_pages(&site.ledger.repo.handbook)
        .into_iter()
        .filter_map(|p| {
            let slug = site.page_slugs.get(&p.id)?;
            Some(obj!({"title": &p.data.title.value, "url": format!("handbook/{slug}/index.html"), "slug": slug}))
        })
        .collect();
    let policies: Vec<Value> = site
        .ledger
        .settings
        .policies
        .values()
        .filter_map(|p| {
            Some(obj!({"name": &p.name, "url": site.policy_url(&p.name)?, "builtin": p.builtin}))
        })
        .collect();
    let roles: Vec<Value> = Roles::NAMES
        .iter()
        .map(|r| obj!({"title": role_title(r), "url": role_url(r)}))
        .collect();
    obj!({
        "pages": pages,
        "policies": policies,
        "roles": roles,
        "policies_url": site_map::POLICIES_INDEX,
        "roles_url": site_map::ROLES_INDEX,
    })
}

/// The handbook home, shown at `page` (`handbook/index.html`, and the
/// site's `index.html` in a handbook-only build).
pub fn handbook_index(site: &Site, page: &str) -> PageData {
    let home = site.ledger.repo.handbook.iter().find(|p| p.id == "index");
    let body = home.map(|p| site.body_html(&p.file, page, &p.body));
    page!({
        "title": home.map_or("Handbook", |p| p.data.title.as_str()),
        "nav": "handbook",
        "has_title": body.as_ref().is_some_and(|b| b.contains("<h1")),
        "body": body,
        "handbook": handbook_nav(site),
    })
}

/// The generated index of roles or of policies: `handbook/roles.md` or
/// `handbook/policies.md`, when there is one, introduces it, and the list
/// follows.
pub fn section_index(site: &Site, section: Section) -> PageData {
    let (id, page, default_title) = match section {
        Section::Roles => ("roles", site_map::ROLES_INDEX, "Roles"),
        Section::Policies => ("policies", site_map::POLICIES_INDEX, "Escalation policies"),
    };
    let intro = site.ledger.repo.handbook.iter().find(|p| p.id == id);
    let body = intro.map(|p| site.body_html(&p.file, page, &p.body));
    let items: Vec<Value> = match section {
        Section::Roles => Roles::NAMES
            .iter()
            .map(|r| {
                let people: Vec<String> = site
                    .config()
                    .map(|c| {
                        c.people
                            .values()
                            .filter(|p| p.roles.iter().any(|x| x.as_str() == *r))
                            .map(|p| p.name.value.clone())
                            .collect()
                    })
                    .unwrap_or_default();
                obj!({"title": role_title(r), "url": role_url(r), "note": people.join(", ")})
            })
            .collect(),
        Section::Policies => site
            .ledger
            .settings
            .policies
            .values()
            .filter_map(|p| {
                Some(obj!({"title": &p.name, "url": site.policy_url(&p.name)?, "note": &p.description}))
            })
            .collect(),
    };
    page!({
        "title": intro.map_or(default_title, |p| p.data.title.as_str()),
        "nav": "handbook",
        "section": id,
        "has_title": body.as_ref().is_some_and(|b| b.contains("<h1")),
        "body": body,
        "items": items,
        "handbook": handbook_nav(site),
    })
}

/// The generated indexes under `handbook/`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Section {
    Roles,
    Policies,
}

pub fn handbook_page(site: &Site, page: &Record<Page>) -> PageData {
    let slug = site.page_slugs.get(&page.id).cloned().unwrap_or_default();
    let url = format!("handbook/{slug}/index.html");
    let body = site.body_html(&page.file, &url, &page.body);
    page!({
        "title": &page.data.title.value,
        "nav": "handbook",
        "slug": slug,
        "has_title": body.contains("<h1"),
        "body": body,
        "handbook": handbook_nav(site),
    })
}

/// "7 days before the due date", "on the due date (or the next working day)".
fn offset_text(offset: i32, unit: DayUnit) -> String {
    let unit_word = match unit {
        DayUnit::Calendar => "day",
        DayUnit::Working => "working day",
    };
    let n = offset.unsigned_abs();
    let plural = if n == 1 { "" } else { "s" };
    match offset.cmp(&0) {
        std::cmp::Ordering::Equal if unit == DayUnit::Working => {
            "On the due date (the next working day if it is not one)".into()
        }
        std::cmp::Ordering::Equal => "On the due date".into(),
        std::cmp::Ordering::Less => format!("{n} {unit_word}{plural} before the due date"),
        std::cmp::Ordering::Greater => format!("{n} {unit_word}{plural} after the due date"),
    }
}

fn owner_text(site: &Site, owner: &str) -> (String, Option<String>) {
    if Roles::NAMES.contains(&owner) {
        (
            format!("The account's {}", role_title(owner).to_lowercase()),
            Some(role_url(owner)),
        )
    } else {
        (site.person_name(owner), None)
    }
}

pub fn policy(site: &Site, p: &Policy) -> PageData {
    let stages: Vec<Value> = p
        .stages
        .iter()
        .map(|s| {
            let (owner, owner_url) = owner_text(site, &s.owner);
            obj!({
                "id": &s.id,
                "title": &s.title,
                "offset": s.offset,
                "when": offset_text(s.offset, p.days),
                "owner": owner,
                "owner_url": owner_url,
                "channel": &s.channel,
                "work": work_str(s.work),
                "description": &s.description,
                "template": s.template.is_some(),
            })
        })
        .collect();
    let accounts: Vec<Value> = if site.handbook_only {
        vec![]
    } else {
        site.ledger
            .repo
            .accounts
            .iter()
            .filter(|a| {
                let named = a
                    .account
                    .as_ref()
                    .and_then(|r| r.data.billing.policy.as_ref())
                    .map(|x| x.value.as_str());
                named.unwrap_or(site.ledger.settings.default_policy.as_str()) == p.name
            })
            .map(|a| obj!({"name": account_name(a), "url": account_url(&a.id)}))
            .collect()
    };
    let first_pause = p.first_pausing().map(|i| p.stages[i].title.clone());
    page!({
        "title": format!("Escalation policy: {}", p.name),
        "nav": "handbook",
        "name": &p.name,
        "description": &p.description,
        "builtin": p.builtin,
        "default": p.name == site.ledger.settings.default_policy,
        "days": match p.days { DayUnit::Calendar => "calendar", DayUnit::Working => "working" },
        "stages": stages,
        "first_pause": first_pause,
        "accounts": accounts,
        "handbook": handbook_nav(site),
    })
}

pub fn role(site: &Site, role: &str) -> PageData {
    let people: Vec<Value> = site
        .config()
        .map(|c| {
            c.people
                .iter()
                .filter(|(_, p)| p.roles.iter().any(|r| r.value == role))
                .map(|(h, _)| site.person(h))
                .collect()
        })
        .unwrap_or_default();
    let holders: Vec<Value> = if site.handbook_only {
        vec![]
    } else {
        site.ledger
            .repo
            .accounts
            .iter()
            .filter_map(|a| {
                let h = a.account.as_ref()?.data.roles.get(role)?;
                Some(obj!({"account": account_name(a), "url": account_url(&a.id), "person": site.person_name(h)}))
            })
            .collect()
    };
    let guide = site
        .page_slugs
        .get(&role.replace('_', "-"))
        .map(|slug| format!("handbook/{slug}/index.html"));
    page!({
        "title": role_title(role),
        "nav": "handbook",
        "role": role,
        "people": people,
        "holders": holders,
        "guide": guide,
        "handbook": handbook_nav(site),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_read_as_chrono_would_print_them() {
        for text in ["2026-11-03", "2026-01-31", "0001-12-25", "9999-05-09"] {
            let d: NaiveDate = text.parse().unwrap();
            assert_eq!(day(d), d.format("%-d %b %Y").to_string(), "{text}");
        }
        assert_eq!(
            day(NaiveDate::MAX),
            NaiveDate::MAX.format("%-d %b %Y").to_string()
        );
        assert_eq!(day("2026-11-03".parse().unwrap()), "3 Nov 2026");
    }

    #[test]
    fn offsets_read_as_sentences() {
        assert_eq!(
            offset_text(-7, DayUnit::Calendar),
            "7 days before the due date"
        );
        assert_eq!(
            offset_text(1, DayUnit::Working),
            "1 working day after the due date"
        );
        assert!(offset_text(0, DayUnit::Working).starts_with("On the due date"));
    }

    #[test]
    fn role_titles() {
        assert_eq!(role_title("account_manager"), "Account manager");
        assert_eq!(
            role_url("planning_lead"),
            "handbook/roles/planning-lead/index.html"
        );
    }
}
