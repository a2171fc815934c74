//! The client-side search index: one small record per account, project,
//! invoice, handbook page, policy and role (title, kind, a line of detail,
//! the page's path from the site root). Shipped twice: `search-index.json`
//! for tools, and `assets/search-index.js`, which sets a global, because
//! browsers refuse `fetch()` of a local file from a file:// page.

use super::pages::{self, Site};
use crate::model::Roles;
use serde::Serialize;

#[derive(Serialize)]
pub struct Item {
    /// Title.
    pub t: String,
    /// Kind: account, project, invoice, page, policy, role.
    pub k: &'static str,
    /// One line of detail.
    pub d: String,
    /// Path from the site root.
    pub u: String,
}

/// Plain text of a Markdown body, cut to `max` characters, for matching.
fn excerpt(markdown: &str, max: usize) -> String {
    let mut out = String::new();
    for event in pulldown_cmark::Parser::new(markdown) {
        if let pulldown_cmark::Event::Text(t) | pulldown_cmark::Event::Code(t) = event {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(t.trim());
            if out.chars().count() >= max {
                break;
            }
        }
    }
    out.chars().take(max).collect()
}

pub fn items(site: &Site) -> Vec<Item> {
    let mut out = vec![];
    if !site.handbook_only {
        for a in &site.ledger.repo.accounts {
            let name = pages::account_name(a).to_string();
            let mut detail = vec![a.id.clone()];
            if let Some(r) = &a.account {
                detail.extend(r.data.contacts.iter().map(|c| c.name.clone()));
            }
            out.push(Item {
                t: name.clone(),
                k: "account",
                d: detail.join(" · "),
                u: pages::account_url(&a.id),
            });
            for p in &a.projects {
                out.push(Item {
                    t: p.data.name.value.clone(),
                    k: "project",
                    d: format!("{name} · {}", p.id),
                    u: format!("{}#project-{}", pages::account_url(&a.id), p.id),
                });
            }
        }
        for e in &site.ledger.entries {
            out.push(Item {
                t: e.number().to_string(),
                k: "invoice",
                d: format!(
                    "{} · {}",
                    pages::account_name(e.account),
                    e.eval.state.as_str().replace('_', " ")
                ),
                u: pages::invoice_url(e.number()),
            });
        }
    }
    for p in pages::ordered_pages(&site.ledger.repo.handbook) {
        let Some(slug) = site.page_slugs.get(&p.id) else {
            continue;
        };
        let u = if p.id == "index" {
            "handbook/index.html".to_string()
        } else {
            format!("handbook/{slug}/index.html")
        };
        out.push(Item {
            t: p.data.title.value.clone(),
            k: "page",
            d: excerpt(&p.body, 160),
            u,
        });
    }
    for p in site.ledger.settings.policies.values() {
        let Some(u) = site.policy_url(&p.name) else {
            continue;
        };
        let stages: Vec<&str> = p.stages.iter().map(|s| s.title.as_str()).collect();
        out.push(Item {
            t: format!("Escalation policy: {}", p.name),
            k: "policy",
            d: stages.join(" · "),
            u,
        });
    }
    for r in Roles::NAMES {
        out.push(Item {
            t: pages::role_title(r),
            k: "role",
            d: "Who holds this role".into(),
            u: pages::role_url(r),
        });
    }
    out
}

/// The index as JSON, and as a script that assigns it to a global.
pub fn files(items: &[Item]) -> (String, String) {
    let json = serde_json::to_string(items).unwrap_or_else(|_| "[]".into());
    // `</` cannot end a script file, but escaping it keeps the JSON safe to
    // inline should a template ever do so.
    let js = format!(
        "window.FOLIO_SEARCH_INDEX = {};\n",
        json.replace("</", "<\\/")
    );
    (json + "\n", js)
}
