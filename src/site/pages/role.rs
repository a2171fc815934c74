//! A role's page: template `site/role.html`, written to
//! `handbook/roles/<role-slug>/index.html`, one per role folio knows
//! (producer, project manager, account manager, planning lead, finance).
//!
//! Its variables, besides those every page has (see [`super`]);
//! `docs/templates.md` gives the keys of each nested value:
//!
//! - `role`: text, the role's name as records write it (`account_manager`).
//! - `people`: list of people, those folio.yaml gives the role.
//! - `holders`: list, who holds the role on each account (empty in a
//!   `--handbook-only` site).
//! - `guide`: text or none, the handbook page named after the role
//!   (`handbook/account-manager.md`), when there is one.
//! - `handbook`: map, the handbook's side navigation.

use super::{Site, account_name, account_url, handbook_nav, role_title};
use crate::plumbing::value::{PageData, Value, obj, page};

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
    let holders: Vec<Value> = site
        .client_accounts()
        .iter()
        .filter_map(|a| {
            let h = a.account.as_ref()?.data.roles.get(role)?;
            Some(obj!({"account": account_name(a), "url": account_url(&a.id), "person": site.person_name(h)}))
        })
        .collect();
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
