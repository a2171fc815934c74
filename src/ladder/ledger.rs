//! Applying the ladder to every invoice of a repository: resolving each
//! invoice's currency, calendar, terms, due date and policy (invoice, then
//! account, then folio.yaml defaults), and evaluating it as of one date.

use super::calendar::Calendar;
use super::interest::{self, Claim, ClaimFacts, LatePayment};
use super::policy::{self, Policy};
use super::stage::{self, Evaluation, Facts};
use crate::model::dates::DateFormat;
use crate::model::terms::Terms;
use crate::model::{AccountDir, Config, Invoice, Record, Repo};
use chrono::NaiveDate;
use rayon::prelude::*;
use rust_decimal::Decimal;
use std::collections::BTreeMap;

/// Repository-wide settings from folio.yaml, with SPEC defaults.
pub struct Settings {
    pub company: String,
    pub currency: String,
    pub tolerance: Decimal,
    pub default_terms: Terms,
    pub default_policy: String,
    pub default_calendar: Option<String>,
    pub calendars: BTreeMap<String, Calendar>,
    /// Every policy the repository can use, by name.
    pub policies: BTreeMap<String, Policy>,
    pub timezone: chrono_tz::Tz,
    /// How pages write dates (`site.date_format`).
    pub page_dates: DateFormat,
    /// How message drafts write dates (`messages.date_format`, else the
    /// pages' format).
    pub message_dates: DateFormat,
    /// `late_payment` when configured and valid: interest and compensation
    /// are computed only then.
    pub late_payment: Option<LatePayment>,
}

impl Settings {
    pub fn from_config(config: Option<&Config>) -> Settings {
        let calendars = config
            .map(|c| {
                c.calendars
                    .iter()
                    .map(|(name, cal)| {
                        let weekend: Vec<chrono::Weekday> = match &cal.weekend {
                            Some(days) => days.iter().map(|d| d.value.to_chrono()).collect(),
                            None => vec![chrono::Weekday::Sat, chrono::Weekday::Sun],
                        };
                        let holidays = cal.holidays.iter().map(|h| h.value.0);
                        (name.clone(), Calendar::new(weekend, holidays))
                    })
                    .collect()
            })
            .unwrap_or_default();
        let page_dates = config
            .and_then(|c| c.site.date_format.as_ref())
            .and_then(|f| DateFormat::parse(f).ok())
            .unwrap_or_default();
        Settings {
            company: config.map_or("", |c| c.company.as_str()).to_string(),
            currency: config
                .and_then(|c| c.currency.as_ref())
                .map_or("EUR".into(), |c| c.value.clone()),
            tolerance: config
                .and_then(|c| c.tolerance.as_ref())
                .map_or(Decimal::ZERO, |t| t.value.0),
            default_terms: config
                .and_then(|c| c.default_terms.as_ref())
                .and_then(|t| Terms::parse(t).ok())
                .unwrap_or(Terms::DEFAULT),
            default_policy: config
                .and_then(|c| c.default_policy.as_ref())
                .map_or("agency".into(), |p| p.value.clone()),
            default_calendar: config
                .and_then(|c| c.default_calendar.as_ref())
                .map(|c| c.value.clone()),
            calendars,
            policies: policy::all(config)
                .into_iter()
                .map(|p| (p.name.clone(), p))
                .collect(),
            timezone: config
                .and_then(|c| c.timezone.as_ref())
                .and_then(|t| t.parse().ok())
                .unwrap_or(chrono_tz::UTC),
            page_dates: page_dates.clone(),
            message_dates: config
                .and_then(|c| c.messages.date_format.as_ref())
                .and_then(|f| DateFormat::parse(f).ok())
                .unwrap_or(page_dates),
            late_payment: config.and_then(|c| c.late_payment.as_ref()).and_then(|lp| {
                // Diagnostics are check's; file names do not matter here.
                interest::parse(lp, "folio.yaml").0
            }),
        }
    }

    /// Today in the configured time zone.
    pub fn today(&self) -> NaiveDate {
        chrono::Utc::now()
            .with_timezone(&self.timezone)
            .date_naive()
    }

    pub fn calendar(&self, account: Option<&AccountDir>) -> &Calendar {
        static DEFAULT: std::sync::OnceLock<Calendar> = std::sync::OnceLock::new();
        let name = account
            .and_then(|a| a.account.as_ref())
            .and_then(|a| a.data.billing.calendar.as_ref())
            .map(|c| c.value.as_str())
            .or(self.default_calendar.as_deref());
        name.and_then(|n| self.calendars.get(n))
            .unwrap_or_else(|| DEFAULT.get_or_init(Calendar::default))
    }

    /// The policy of an invoice: its own, else its account's, else the default.
    /// Unknown names (a `check` error) fall back to the default, then `agency`.
    pub fn policy_for(&self, account: &AccountDir, invoice: &Invoice) -> &Policy {
        let named = invoice
            .policy
            .as_ref()
            .or_else(|| {
                account
                    .account
                    .as_ref()
                    .and_then(|a| a.data.billing.policy.as_ref())
            })
            .map(|p| p.value.as_str());
        named
            .and_then(|n| self.policies.get(n))
            .or_else(|| self.policies.get(&self.default_policy))
            .or_else(|| self.policies.get("agency"))
            .expect("the built-in agency policy always exists")
    }

    pub fn currency_for(&self, account: &AccountDir, invoice: &Invoice) -> String {
        invoice
            .currency
            .as_ref()
            .or_else(|| {
                account
                    .account
                    .as_ref()
                    .and_then(|a| a.data.billing.currency.as_ref())
            })
            .map_or_else(|| self.currency.clone(), |c| c.value.clone())
    }

    /// The invoice's terms: its own, else the account's, else the default.
    pub fn terms_for(&self, account: &AccountDir, invoice: &Invoice) -> Terms {
        invoice
            .terms
            .as_ref()
            .or_else(|| {
                account
                    .account
                    .as_ref()
                    .and_then(|a| a.data.billing.terms.as_ref())
            })
            .and_then(|t| Terms::parse(t).ok())
            .unwrap_or(self.default_terms)
    }

    /// Due date computed from terms on the invoice's calendar.
    pub fn due_from_terms(&self, account: &AccountDir, invoice: &Invoice) -> NaiveDate {
        let terms = self.terms_for(account, invoice);
        let issued = invoice.issued.value.0;
        if terms.working {
            self.calendar(Some(account))
                .add_working(issued, terms.days as i64)
        } else {
            super::calendar::add_days(issued, terms.days as i64)
        }
    }
}

/// One invoice with everything resolved and its evaluation.
pub struct Entry<'r> {
    pub account: &'r AccountDir,
    pub invoice: &'r Record<Invoice>,
    pub currency: String,
    pub due: NaiveDate,
    pub policy: &'r Policy,
    pub eval: Evaluation,
    /// Interest and compensation, when `late_payment` is configured.
    pub claim: Option<Claim>,
    /// The invoice became late (see [`interest::became_late`]), paid since or not.
    pub late: bool,
}

impl Entry<'_> {
    pub fn number(&self) -> &str {
        &self.invoice.data.number
    }
    /// Whether the invoice's page shows its written record: it is unpaid, or it
    /// was paid late. (One paid on time has nothing to claim or dispute;
    /// its page still lists its history.)
    pub fn has_record(&self) -> bool {
        self.late || self.eval.state.is_unpaid()
    }
    /// Who acts on `stage_id`, as a person handle when one can be found.
    pub fn owner_of(&self, config: Option<&Config>, stage_id: &str) -> String {
        let owner = self.policy.stage(stage_id).map_or("", |s| s.owner.as_str());
        resolve_owner(config, self.account, owner)
    }
}

/// A stage owner is a role on the account, else a person holding that role in
/// folio.yaml, else a person handle, else the text as written.
pub fn resolve_owner(config: Option<&Config>, account: &AccountDir, owner: &str) -> String {
    if let Some(h) = account
        .account
        .as_ref()
        .and_then(|a| a.data.roles.get(owner))
    {
        return h.value.clone();
    }
    if let Some(c) = config
        && let Some((handle, _)) = c
            .people
            .iter()
            .find(|(_, p)| p.roles.iter().any(|r| r.value == owner))
    {
        return handle.clone();
    }
    owner.to_string()
}

/// `late_payment: false` on the invoice, else on its account's billing.
pub fn waived(account: &AccountDir, invoice: &Invoice) -> bool {
    let own = invoice.late_payment.as_ref().map(|w| w.value);
    let account = account
        .account
        .as_ref()
        .and_then(|a| a.data.billing.late_payment.as_ref())
        .map(|w| w.value);
    own.or(account) == Some(false)
}

pub fn facts(invoice: &Invoice, due: NaiveDate) -> Facts {
    Facts {
        issued: invoice.issued.value.0,
        due,
        amount: invoice.amount.value.0,
        status: invoice.status,
        payments: invoice
            .payments
            .iter()
            .map(|p| (p.date.value.0, p.amount.value.0))
            .collect(),
        promises: invoice
            .promises
            .iter()
            .map(|p| (p.made.value.0, p.pay_by.value.0))
            .collect(),
        holds: invoice
            .holds
            .iter()
            .map(|h| (h.from.value.0, h.until.as_ref().map(|u| u.value.0)))
            .collect(),
        extensions: invoice
            .extensions
            .iter()
            .map(|e| (e.granted.value.0, e.days.value))
            .collect(),
        log: invoice
            .log
            .iter()
            .filter_map(|l| l.stage.as_ref().map(|s| (l.date.value.0, s.value.clone())))
            .collect(),
    }
}

/// Where each account's entries are in `entries`.
fn account_ranges(entries: &[Entry]) -> rustc_hash::FxHashMap<String, std::ops::Range<usize>> {
    let mut out: rustc_hash::FxHashMap<String, std::ops::Range<usize>> = Default::default();
    for (i, e) in entries.iter().enumerate() {
        let r = out.entry(e.account.id.clone()).or_insert(i..i);
        debug_assert_eq!(r.end, i, "entries are grouped by account");
        r.end = i + 1;
    }
    out
}

/// Every invoice of a repository evaluated as of one date.
pub struct Ledger<'r> {
    pub repo: &'r Repo,
    pub settings: &'r Settings,
    pub as_of: NaiveDate,
    /// In account order, then file order.
    pub entries: Vec<Entry<'r>>,
    /// Account id → the range of its entries (they are grouped by account),
    /// so a page or statement of one account never scans every invoice.
    ranges: rustc_hash::FxHashMap<String, std::ops::Range<usize>>,
}

impl<'r> Ledger<'r> {
    pub fn new(repo: &'r Repo, settings: &'r Settings, as_of: NaiveDate) -> Ledger<'r> {
        let pairs: Vec<_> = repo.invoices().collect();
        let entries: Vec<Entry<'r>> = pairs
            .into_par_iter()
            .map(|(account, invoice)| {
                let data = &invoice.data;
                let due = data
                    .due
                    .as_ref()
                    .map_or_else(|| settings.due_from_terms(account, data), |d| d.value.0);
                let policy = settings.policy_for(account, data);
                let cal = settings.calendar(Some(account));
                let facts = facts(data, due);
                let eval = stage::evaluate(&facts, policy, cal, settings.tolerance, as_of);
                let currency = settings.currency_for(account, data);
                let f = ClaimFacts {
                    due,
                    amount: facts.amount,
                    payments: &facts.payments,
                    status: data.status,
                    waived: waived(account, data),
                    tolerance: settings.tolerance,
                    currency: &currency,
                };
                let late = interest::became_late(&f, as_of);
                let claim = settings
                    .late_payment
                    .as_ref()
                    .map(|rules| interest::claim(rules, &f, as_of));
                Entry {
                    account,
                    invoice,
                    currency,
                    due,
                    policy,
                    eval,
                    claim,
                    late,
                }
            })
            .collect();
        let ranges = account_ranges(&entries);
        Ledger {
            repo,
            settings,
            as_of,
            entries,
            ranges,
        }
    }

    /// The invoices of one account, in file order.
    pub fn entries_of(&self, account: &str) -> &[Entry<'r>] {
        match self.ranges.get(account) {
            Some(r) => &self.entries[r.clone()],
            None => &[],
        }
    }

    pub fn config(&self) -> Option<&'r Config> {
        self.repo.config.as_ref().map(|c| &c.data)
    }

    /// The invoice files whose pages show a written record ([`Entry::has_record`]).
    pub fn record_files(&self) -> rustc_hash::FxHashSet<&'r str> {
        self.entries
            .iter()
            .filter(|e| e.has_record())
            .map(|e| e.invoice.file.as_str())
            .collect()
    }

    /// The steps the calendars and the agenda show: every dated step of an
    /// unpaid invoice that was not skipped, with its date.
    pub fn scheduled_steps(
        &self,
    ) -> impl Iterator<Item = (&Entry<'r>, &stage::StageResult, NaiveDate)> {
        self.entries
            .iter()
            .filter(|e| e.eval.state.is_unpaid())
            .flat_map(|e| {
                e.eval.stages.iter().filter_map(move |s| {
                    let date = s.date.filter(|_| s.step != stage::Step::Skipped)?;
                    Some((e, s, date))
                })
            })
    }

    /// Who owns a scheduled step ([`Ledger::scheduled_steps`]): the people
    /// (or owners as a policy wrote them) the agenda and the calendar
    /// feeds are split by.
    pub fn step_owners(&self) -> std::collections::BTreeSet<String> {
        self.scheduled_steps()
            .map(|(e, s, _)| e.owner_of(self.config(), &s.id))
            .collect()
    }

    /// The site these records give with these assets (site paths such as
    /// `assets/site.css`): every file a build writes and where each record
    /// is shown. `check` resolves links against it and the site renders
    /// from it; a driver builds it once for both.
    pub fn site_map<'s>(
        &self,
        assets: impl IntoIterator<Item = &'s str>,
        handbook_only: bool,
    ) -> crate::load::site_map::Site {
        let owners = self.step_owners();
        let assets: Vec<&str> = assets.into_iter().collect();
        crate::load::site_map::of(
            self.repo,
            self.settings.policies.keys().map(String::as_str),
            assets.iter().copied(),
            handbook_only,
            owners.iter().map(String::as_str),
        )
    }

    pub fn find(&self, number: &str) -> Option<&Entry<'r>> {
        self.entries.iter().find(|e| e.number() == number)
    }
}
