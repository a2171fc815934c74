//! An escalation policy's page: template `site/policy.html`, written to
//! `handbook/policies/<slug>/index.html`, one per policy (built-in or
//! defined in folio.yaml), generated from its configuration.
//!
//! Its variables, besides those every page has (see [`super`]);
//! `docs/templates.md` gives the keys of each nested value:
//!
//! - `name`: text, the policy's name.
//! - `description`: text or none, what folio.yaml says of it.
//! - `builtin`: boolean, whether folio defines it.
//! - `default`: boolean, whether accounts that name no policy use it.
//! - `days`: text, `calendar` or `working`: what its offsets count.
//! - `stages`: list, its steps in order: when, who, by which channel, what
//!   happens to the work.
//! - `first_pause`: text or none, the title of the first stage that
//!   pauses or stops the work.
//! - `accounts`: list, the accounts on this policy (empty in a
//!   `--handbook-only` site).
//! - `handbook`: map, the handbook's side navigation.

use super::{Site, account_name, account_url, handbook_nav, role_title, role_url, work_str};
use crate::ladder::policy::Policy;
use crate::model::{DayUnit, Roles};
use crate::plumbing::value::{PageData, Value, obj, page};

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
    let accounts: Vec<Value> = site
        .client_accounts()
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
        .collect();
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
