//! The agenda: template `site/actions.html`, written to
//! `actions/index.html` (the whole agency's) and to
//! `actions/<owner>/index.html` (one step owner's, their steps only). Not
//! in a `--handbook-only` site.
//!
//! Its variables, besides those every page has (see [`super`]);
//! `docs/templates.md` gives the keys of each nested value:
//!
//! - `person`: text, the owner's name on an owner's agenda; none on the
//!   agency's.
//! - `calendar`: text or none, the path of the page's calendar feed.
//! - `owners`: list, every step owner by name with how many steps they
//!   have missed, today and upcoming, their agenda and their feed.
//! - `groups`: list, the missed steps of the last [`RECENT_DAYS`] days, then
//!   one group per day from today to `until`; each holds its steps by owner.
//! - `listed`: number, how many steps the page lists.
//! - `left_off`: number, how many more steps are counted but not listed
//!   (past [`AGENDA_ROWS`]).
//! - `old`: list, per account, the missed steps older than `recent` summed
//!   up (the [`AGENDA_OLD_ACCOUNTS`] accounts with the most).
//! - `old_steps`: number, how many such old missed steps there are.
//! - `old_accounts`: number, on how many accounts.
//! - `old_accounts_left_off`: number, how many of those accounts `old`
//!   leaves out.
//! - `recent`: date (text), where the recent missed steps start.
//! - `until`: date (text), the last day the agenda looks at.
//! - `days`: number, how many days ahead it looks ([`AGENDA_DAYS`]).

use super::{Site, account_name, account_url, human, invoice_url, stage_view};
use crate::ladder::Entry;
use crate::ladder::report::RECENT_DAYS;
use crate::ladder::stage::StageResult;
use crate::model::AccountDir;
use crate::plumbing::value::{PageData, Value, obj, page};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use std::collections::{BTreeMap, BTreeSet};

/// Days ahead the actions page looks.
pub const AGENDA_DAYS: u64 = 14;

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
    crate::plumbing::value::extend(
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
