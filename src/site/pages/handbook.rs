//! The handbook's pages, each with its side navigation (`handbook`, from
//! [`handbook_nav`]):
//!
//! - its home: template `site/handbook.html`, written to
//!   `handbook/index.html` (and to `index.html` in a `--handbook-only`
//!   site), from `handbook/index.md` when there is one;
//! - the generated indexes of roles and of policies: template
//!   `site/section.html`, written to `handbook/roles/index.html` and
//!   `handbook/policies/index.html`, introduced by `handbook/roles.md` and
//!   `handbook/policies.md` when they exist;
//! - every other page of `handbook/`: template `site/page.html`, written
//!   to `handbook/<slug>/index.html`.
//!
//! Their variables, besides those every page has (see [`super`]);
//! `docs/templates.md` gives the keys of each nested value:
//!
//! - `handbook` (all three): map, the side navigation: the handbook's
//!   pages in reading order, the policies, the roles, and the paths of
//!   the two indexes.
//! - `body` (all three): HTML, the page's Markdown rendered; none on the
//!   home and the indexes when there is no file to render.
//! - `has_title` (all three): boolean, whether `body` has its own `<h1>`
//!   (the template writes `title` as one when not).
//! - `section` (indexes): text, `roles` or `policies`.
//! - `items` (indexes): list, each role or policy with its page and a
//!   note (a role's people, a policy's description).
//! - `slug` (pages): text, the page's folder under `handbook/`.

use super::{Site, role_title, role_url};
use crate::model::site_map;
use crate::model::{Page, Record, Roles};
use crate::plumbing::value::{PageData, Value, obj, page};

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
