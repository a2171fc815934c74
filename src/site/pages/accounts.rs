//! The index of accounts: template `site/accounts.html`, written to
//! `accounts/index.html`. Not in a `--handbook-only` site.
//!
//! Its one variable, besides those every page has (see [`super`]);
//! `docs/templates.md` gives the keys of each row:
//!
//! - `accounts`: list, one row per account in the records' order: its
//!   status, producer, money outstanding and overdue, furthest stage and
//!   how many actions are due.

use super::{Site, account_name, account_status, account_url, human, work_str};
use crate::ladder::report::StatusDoc;
use crate::plumbing::value::{PageData, Value, obj, page};
use std::collections::BTreeMap;

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
