//! The typed records of SPEC §1: folio.yaml, account.md, projects, invoices and
//! handbook pages. Unknown keys are rejected (`deny_unknown_fields`); values
//! that other records refer to keep their position ([`Sp`]) for diagnostics.

use super::schema;
use super::types::{Amount, Date, Scalar, Share, Sp, null_as_empty, optional_whole, whole};
use schemars::JsonSchema;
use serde::Deserialize;
use std::collections::BTreeMap;

// ---------------------------------------------------------------- folio.yaml

#[derive(Debug, Deserialize, serde::Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The agency's name, used in messages and page titles.
    #[schemars(with = "schema::Text")]
    pub company: Sp<String>,
    /// Default ISO 4217 currency (EUR when absent).
    #[schemars(with = "Option<schema::Currency>")]
    pub currency: Option<Sp<String>>,
    /// IANA time zone in which "today" is computed (UTC when absent).
    #[schemars(with = "Option<schema::TimeZone>")]
    pub timezone: Option<Sp<String>>,
    #[serde(default)]
    pub site: SiteConfig,
    /// People, keyed by the handle used in records.
    #[serde(default)]
    #[schemars(transform = schema::person_handles)]
    pub people: BTreeMap<String, Person>,
    #[serde(default)]
    pub calendars: BTreeMap<String, CalendarConfig>,
    #[schemars(with = "Option<schema::Text>")]
    pub default_calendar: Option<Sp<String>>,
    /// "N days", "N working days" or "net N" (30 days when absent).
    #[schemars(with = "Option<schema::Terms>")]
    pub default_terms: Option<Sp<String>>,
    /// Escalation policy for accounts that name none (agency when absent).
    #[schemars(with = "Option<schema::Text>")]
    pub default_policy: Option<Sp<String>>,
    /// An outstanding amount at or below this counts as paid.
    #[schemars(with = "Option<schema::NonNegativeAmount>")]
    pub tolerance: Option<Sp<Amount>>,
    #[serde(default)]
    pub policies: BTreeMap<String, PolicyConfig>,
    /// Pattern for `folio new invoice`: `{year}` and `{seq:N}` (zero-padded).
    #[schemars(with = "Option<schema::InvoicePattern>")]
    pub invoice_pattern: Option<Sp<String>>,
    #[serde(default)]
    pub messages: MessagesConfig,
    /// Statutory interest and compensation on late invoices; nothing is
    /// computed when absent.
    pub late_payment: Option<Sp<LatePaymentConfig>>,
}

/// How message drafts are written.
#[derive(Debug, Default, Deserialize, serde::Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MessagesConfig {
    /// How drafts write dates: a strftime pattern (`%-d %B %Y` for
    /// "16 November 2026"); the site's `date_format` when absent.
    #[schemars(with = "Option<schema::DateFormat>")]
    pub date_format: Option<Sp<String>>,
}

/// `late_payment:` in folio.yaml. Values are kept as written: `check` reports
/// each bad one with its own code (E035-E039).
#[derive(Debug, Deserialize, serde::Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LatePaymentConfig {
    pub interest: Option<Sp<InterestConfig>>,
    /// `eu` (40), `uk` (40, 70 or 100 by the amount), a fixed amount, or `none`.
    #[serde(default)]
    #[schemars(schema_with = "compensation_schema")]
    pub compensation: Option<Sp<Scalar>>,
}

#[derive(Debug, Deserialize, serde::Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct InterestConfig {
    /// Percentage points above the reference rate, such as `8%`.
    #[schemars(schema_with = "percent_schema")]
    pub margin: Sp<Scalar>,
    /// `half_year` (each day at the rate of its half-year) or `fixed` (the
    /// rate of the half-year in which the invoice became late). Default half_year.
    #[serde(default)]
    #[schemars(schema_with = "period_schema")]
    pub period: Option<Sp<Scalar>>,
    /// The reference rate in force from each date, in date order.
    #[serde(default)]
    pub reference_rates: Vec<ReferenceRate>,
}

#[derive(Debug, Deserialize, serde::Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReferenceRate {
    pub from: Sp<Date>,
    #[schemars(schema_with = "percent_schema")]
    pub rate: Sp<Scalar>,
}

fn percent_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({"type": "string", "pattern": "^-?[0-9]+(\\.[0-9]+)?%$"})
}

fn period_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({"type": "string", "enum": ["half_year", "fixed"]})
}

fn compensation_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({"anyOf": [
        {"type": "string", "enum": ["eu", "uk", "none"]},
        {"type": "number", "minimum": 0}
    ]})
}

#[derive(Debug, Default, Deserialize, serde::Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SiteConfig {
    #[schemars(with = "Option<schema::Text>")]
    pub title: Option<String>,
    #[schemars(with = "Option<schema::Text>")]
    pub base_url: Option<Sp<String>>,
    /// Repository web address, for commit links.
    #[schemars(with = "Option<schema::Text>")]
    pub repo_url: Option<Sp<String>>,
    /// How pages write dates: a strftime pattern (`%-d %b %Y`, "16 Nov
    /// 2026", when absent).
    #[schemars(with = "Option<schema::DateFormat>")]
    pub date_format: Option<Sp<String>>,
}

#[derive(Debug, Deserialize, serde::Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Person {
    #[schemars(with = "schema::Text")]
    pub name: Sp<String>,
    #[schemars(with = "Option<schema::Text>")]
    pub email: Option<String>,
    #[serde(default)]
    #[schemars(with = "Vec<schema::Role>")]
    pub roles: Vec<Sp<String>>,
}

#[derive(Debug, Deserialize, serde::Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CalendarConfig {
    /// Weekend days (default: sat, sun).
    pub weekend: Option<Vec<Sp<Weekday>>>,
    #[serde(default)]
    pub holidays: Vec<Sp<Date>>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, serde::Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Weekday {
    Mon,
    Tue,
    Wed,
    Thu,
    Fri,
    Sat,
    Sun,
}

impl Weekday {
    pub fn to_chrono(self) -> chrono::Weekday {
        use chrono::Weekday as W;
        match self {
            Weekday::Mon => W::Mon,
            Weekday::Tue => W::Tue,
            Weekday::Wed => W::Wed,
            Weekday::Thu => W::Thu,
            Weekday::Fri => W::Fri,
            Weekday::Sat => W::Sat,
            Weekday::Sun => W::Sun,
        }
    }
}

#[derive(Debug, Deserialize, serde::Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PolicyConfig {
    /// Unit of the stage offsets.
    pub days: Sp<DayUnit>,
    #[schemars(length(min = 1))]
    pub stages: Vec<StageConfig>,
    /// A sentence or two shown on the generated handbook page.
    #[schemars(with = "Option<schema::Text>")]
    pub description: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, JsonSchema, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DayUnit {
    Calendar,
    Working,
}

#[derive(Debug, Deserialize, serde::Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StageConfig {
    #[schemars(with = "schema::Slug")]
    pub id: Sp<String>,
    /// Days relative to the due date; negative = before.
    #[serde(deserialize_with = "whole")]
    #[schemars(with = "schema::Offset")]
    pub offset: Sp<i32>,
    #[schemars(with = "Option<schema::Text>")]
    pub title: Option<String>,
    /// A role in the account's roles, or a person handle.
    #[schemars(with = "Option<schema::Text>")]
    pub owner: Option<Sp<String>>,
    #[schemars(with = "Option<schema::Text>")]
    pub channel: Option<String>,
    pub work: Option<Work>,
    /// What this step is, for the handbook.
    #[schemars(with = "Option<schema::Text>")]
    pub description: Option<String>,
    /// A Tera template for the message draft.
    #[schemars(with = "Option<schema::Text>")]
    pub template: Option<Sp<String>>,
}

/// What happens to the project once a stage is reached.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Deserialize, JsonSchema, serde::Serialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Work {
    Continue,
    Pause,
    Stop,
}

// ---------------------------------------------------------------- account.md

#[derive(Debug, Deserialize, serde::Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Account {
    #[schemars(with = "schema::Text")]
    pub name: Sp<String>,
    #[serde(default)]
    pub status: AccountStatus,
    pub since: Option<Sp<Date>>,
    #[serde(default)]
    pub roles: Roles,
    #[serde(default)]
    pub billing: Billing,
    #[serde(default)]
    pub contacts: Vec<Contact>,
    #[serde(default)]
    pub cadence: Cadence,
    pub handover: Option<Sp<Handover>>,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub log: Vec<AccountEvent>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, JsonSchema, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AccountStatus {
    Prospect,
    #[default]
    Active,
    Paused,
    Churned,
}

/// Who holds each role on the account (person handles).
#[derive(Debug, Default, Deserialize, serde::Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Roles {
    #[schemars(with = "Option<schema::Text>")]
    pub producer: Option<Sp<String>>,
    #[schemars(with = "Option<schema::Text>")]
    pub account_manager: Option<Sp<String>>,
    #[schemars(with = "Option<schema::Text>")]
    pub project_manager: Option<Sp<String>>,
    #[schemars(with = "Option<schema::Text>")]
    pub planning_lead: Option<Sp<String>>,
    #[schemars(with = "Option<schema::Text>")]
    pub finance: Option<Sp<String>>,
}

impl Roles {
    pub const NAMES: [&'static str; 5] = [
        "producer",
        "account_manager",
        "project_manager",
        "planning_lead",
        "finance",
    ];

    /// Each role with its holder, in the order of [`Roles::NAMES`].
    pub fn iter(&self) -> impl Iterator<Item = (&'static str, &Sp<String>)> {
        [
            &self.producer,
            &self.account_manager,
            &self.project_manager,
            &self.planning_lead,
            &self.finance,
        ]
        .into_iter()
        .zip(Self::NAMES)
        .filter_map(|(holder, name)| holder.as_ref().map(|h| (name, h)))
    }

    pub fn get(&self, role: &str) -> Option<&Sp<String>> {
        self.iter().find(|(name, _)| *name == role).map(|(_, h)| h)
    }
}

#[derive(Debug, Default, Deserialize, serde::Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Billing {
    #[schemars(with = "Option<schema::Text>")]
    pub portal: Option<String>,
    #[schemars(with = "Option<schema::Text>")]
    pub email: Option<String>,
    #[schemars(with = "Option<schema::Currency>")]
    pub currency: Option<Sp<String>>,
    #[schemars(with = "Option<schema::Terms>")]
    pub terms: Option<Sp<String>>,
    #[schemars(with = "Option<schema::Text>")]
    pub policy: Option<Sp<String>>,
    #[schemars(with = "Option<schema::Text>")]
    pub calendar: Option<Sp<String>>,
    /// `false` waives late-payment interest and compensation for every
    /// invoice of the account.
    pub late_payment: Option<Sp<bool>>,
    /// Names or IBANs the client pays from: `folio reconcile` proposes a
    /// credit from one of them that names no invoice for the account's open
    /// invoice with exactly that amount outstanding.
    #[serde(default)]
    pub payers: Vec<String>,
}

#[derive(Debug, Deserialize, serde::Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Contact {
    #[schemars(with = "schema::Text")]
    pub name: String,
    #[schemars(with = "Option<schema::Text>")]
    pub email: Option<String>,
    #[schemars(with = "Option<schema::Text>")]
    pub phone: Option<String>,
    pub role: Option<ContactRole>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, JsonSchema, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ContactRole {
    Buyer,
    Champion,
    Influencer,
    Detractor,
    Finance,
    Other,
}

#[derive(Debug, Default, Deserialize, serde::Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Cadence {
    pub internal_sync: Option<Frequency>,
    pub client_sync: Option<Frequency>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, JsonSchema, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Frequency {
    Weekly,
    Fortnightly,
    Monthly,
    Quarterly,
}

impl Frequency {
    /// Days allowed between two meetings before one counts as missed.
    pub fn days(self) -> i64 {
        match self {
            Frequency::Weekly => 7,
            Frequency::Fortnightly => 14,
            Frequency::Monthly => 31,
            Frequency::Quarterly => 92,
        }
    }
}

/// The handover brief: the questions delivery needs answered before kickoff.
#[derive(Debug, Default, Deserialize, JsonSchema, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Handover {
    #[schemars(with = "Option<schema::Text>")]
    pub why_they_bought: Option<String>,
    #[schemars(with = "Option<schema::Text>")]
    pub problem: Option<String>,
    #[schemars(with = "Option<schema::Text>")]
    pub success: Option<String>,
    #[schemars(with = "Option<schema::Text>")]
    pub buyer: Option<String>,
    #[schemars(with = "Option<schema::Text>")]
    pub influencers: Option<String>,
    #[schemars(with = "Option<schema::Text>")]
    pub roadblocks: Option<String>,
}

impl Handover {
    /// Each question with its answer (None or blank when unanswered).
    pub fn answers(&self) -> [(&'static str, &Option<String>); 6] {
        [
            ("why_they_bought", &self.why_they_bought),
            ("problem", &self.problem),
            ("success", &self.success),
            ("buyer", &self.buyer),
            ("influencers", &self.influencers),
            ("roadblocks", &self.roadblocks),
        ]
    }
}

#[derive(Debug, Deserialize, serde::Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AccountEvent {
    pub date: Sp<Date>,
    /// internal_sync, client_sync, call, decision, ...
    #[schemars(with = "schema::Text")]
    pub kind: Sp<String>,
    #[schemars(with = "Option<schema::Text>")]
    pub by: Option<Sp<String>>,
    #[schemars(with = "Option<schema::Text>")]
    pub note: Option<String>,
}

// ---------------------------------------------------------------- projects

#[derive(Debug, Deserialize, serde::Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Project {
    #[schemars(with = "schema::Text")]
    pub name: Sp<String>,
    #[serde(default)]
    pub status: Sp<ProjectStatus>,
    pub start: Option<Sp<Date>>,
    pub end: Option<Sp<Date>>,
    #[schemars(with = "Option<schema::PositiveAmount>")]
    pub budget: Option<Sp<Amount>>,
    #[serde(default)]
    pub milestones: Vec<Milestone>,
    #[serde(default)]
    pub client_tasks: Vec<ClientTask>,
}

impl Default for Sp<ProjectStatus> {
    fn default() -> Self {
        Sp::new(ProjectStatus::Active, crate::diagnostic::Pos::START)
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, JsonSchema, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ProjectStatus {
    Proposed,
    #[default]
    Active,
    Paused,
    Offloaded,
    Done,
}

#[derive(Debug, Deserialize, serde::Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Milestone {
    #[schemars(with = "schema::Text")]
    pub name: String,
    pub share: Sp<Share>,
    pub due: Option<Sp<Date>>,
}

#[derive(Debug, Deserialize, serde::Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ClientTask {
    #[schemars(with = "schema::Text")]
    pub task: String,
    pub due: Option<Sp<Date>>,
    pub done: Option<Sp<Date>>,
}

// ---------------------------------------------------------------- invoices

#[derive(Debug, Deserialize, serde::Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(transform = schema::invoice_amount_digits)]
pub struct Invoice {
    #[schemars(with = "schema::InvoiceNumber")]
    pub number: Sp<String>,
    #[schemars(with = "Option<schema::Text>")]
    pub project: Option<Sp<String>>,
    pub issued: Sp<Date>,
    pub due: Option<Sp<Date>>,
    #[schemars(with = "Option<schema::Terms>")]
    pub terms: Option<Sp<String>>,
    #[schemars(with = "schema::PositiveAmount")]
    pub amount: Sp<Amount>,
    #[schemars(with = "Option<schema::Currency>")]
    pub currency: Option<Sp<String>>,
    #[serde(default)]
    pub status: InvoiceStatus,
    #[schemars(with = "Option<schema::Text>")]
    pub policy: Option<Sp<String>>,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub payments: Vec<Payment>,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub promises: Vec<Promise>,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub holds: Vec<Hold>,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub extensions: Vec<Extension>,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub log: Vec<InvoiceEvent>,
    /// `false` waives late-payment interest and compensation on this invoice.
    pub late_payment: Option<Sp<bool>>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, JsonSchema, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum InvoiceStatus {
    Draft,
    #[default]
    Open,
    Void,
    WrittenOff,
}

#[derive(Debug, Deserialize, serde::Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Payment {
    pub date: Sp<Date>,
    #[schemars(with = "schema::PositiveAmount")]
    pub amount: Sp<Amount>,
    #[serde(rename = "ref")]
    #[schemars(with = "Option<schema::Text>")]
    pub reference: Option<String>,
}

#[derive(Debug, Deserialize, serde::Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Promise {
    pub made: Sp<Date>,
    pub pay_by: Sp<Date>,
    #[schemars(with = "Option<schema::Text>")]
    pub note: Option<String>,
}

#[derive(Debug, Deserialize, serde::Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Hold {
    pub from: Sp<Date>,
    pub until: Option<Sp<Date>>,
    #[schemars(with = "Option<schema::Text>")]
    pub reason: Option<String>,
}

#[derive(Debug, Deserialize, serde::Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Extension {
    pub granted: Sp<Date>,
    #[schemars(with = "Option<schema::Text>")]
    pub by: Option<Sp<String>>,
    #[serde(deserialize_with = "whole")]
    #[schemars(with = "schema::DayCount")]
    pub days: Sp<u32>,
    #[schemars(with = "Option<schema::Text>")]
    pub reason: Option<String>,
}

#[derive(Debug, Deserialize, serde::Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct InvoiceEvent {
    pub date: Sp<Date>,
    #[schemars(with = "Option<schema::Text>")]
    pub stage: Option<Sp<String>>,
    #[schemars(with = "Option<schema::Text>")]
    pub channel: Option<String>,
    #[schemars(with = "Option<schema::Text>")]
    pub by: Option<Sp<String>>,
    #[schemars(with = "Option<schema::Text>")]
    pub note: Option<String>,
}

// ---------------------------------------------------------------- handbook

#[derive(Debug, Deserialize, serde::Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Page {
    #[schemars(with = "schema::Text")]
    pub title: Sp<String>,
    #[serde(default, deserialize_with = "optional_whole")]
    #[schemars(with = "Option<schema::WholeNumber>")]
    pub order: Option<i64>,
}
