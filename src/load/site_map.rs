//! The site a repository gives: every file a build writes and the page each
//! record is shown on ([`SiteMap`]), with the page names of policies and
//! handbook pages. `check` resolves the links people wrote against it and
//! `build` renders from it, so what one accepts the other can publish.

use super::Repo;
use crate::model::site_map::{self as urls, NameClash, PageNames, SiteMap};
use crate::model::{Roles, is_safe_segment, number_slug};

/// The site of `repo`, and the names that get no page.
pub struct Site {
    pub map: SiteMap,
    /// How many shards the search index has ([`urls::search_shards`]).
    pub search_shards: usize,
    pub names: PageNames,
    pub policy_clashes: Vec<NameClash>,
    pub page_clashes: Vec<NameClash>,
}

/// The site `repo` gives with these policies (by name) and assets (site
/// paths such as `assets/site.css`); `owners` are the owners of scheduled
/// steps, each given an agenda and a feed.
pub fn of<'a>(
    repo: &'a Repo,
    policies: impl IntoIterator<Item = &'a str>,
    assets: impl IntoIterator<Item = &'a str>,
    handbook_only: bool,
    owners: impl IntoIterator<Item = &'a str>,
) -> Site {
    let owners: Vec<&str> = if handbook_only {
        vec![]
    } else {
        owners.into_iter().collect()
    };
    let (names, policy_clashes, page_clashes) = PageNames::of(
        policies,
        repo.handbook.iter().map(|p| p.id.as_str()),
        owners,
    );
    let mut map = SiteMap::new();
    for fixed in [
        urls::HANDBOOK_INDEX,
        urls::ROLES_INDEX,
        urls::POLICIES_INDEX,
        "search/index.html",
        "search-index.json",
        "assets/search-index.js",
        "index.html",
    ] {
        map.add_file(fixed);
    }
    if !handbook_only {
        for fixed in [
            "actions/index.html",
            "accounts/index.html",
            "status.json",
            "calendar.ics",
            "robots.txt",
        ] {
            map.add_file(fixed);
        }
        for slug in names.owners.values() {
            map.add_file(urls::owner_agenda_url(slug));
            map.add_file(urls::owner_calendar_url(slug));
        }
    }
    for a in assets {
        map.add_file(a);
    }
    let search_shards = urls::search_shards(indexed(repo, handbook_only));
    for n in 0..search_shards {
        for file in urls::search_shard_files(n) {
            map.add_file(file);
        }
    }
    for slug in names.policies.values() {
        map.add_file(urls::policy_url(slug));
    }
    for role in Roles::NAMES {
        map.add_file(urls::role_url(role));
    }
    for p in &repo.handbook {
        let page = match urls::intro_page_url(&p.id) {
            Some(url) => url.to_string(),
            None => match names.pages.get(&p.id) {
                Some(slug) => format!("handbook/{slug}/index.html"),
                None => continue,
            },
        };
        map.add_record(&p.file, page);
    }
    if !handbook_only {
        for a in &repo.accounts {
            let page = urls::account_url(&a.id);
            map.add_file(urls::statement_url(&a.id));
            if let Some(r) = &a.account {
                map.add_record(&r.file, &page);
            }
            for p in &a.projects {
                map.add_record(&p.file, &page);
            }
            for i in &a.invoices {
                if is_safe_segment(&number_slug(&i.data.number)) {
                    map.add_record(&i.file, urls::invoice_url(&i.data.number));
                }
            }
        }
    }
    Site {
        map,
        search_shards,
        names,
        policy_clashes,
        page_clashes,
    }
}

/// Roughly how many things the search index holds: the records it indexes
/// (the handbook's pages alone in a handbook).
fn indexed(repo: &Repo, handbook_only: bool) -> usize {
    let records: usize = repo
        .accounts
        .iter()
        .map(|a| 1 + a.projects.len() + a.invoices.len())
        .sum();
    repo.handbook.len() + if handbook_only { 0 } else { records }
}
