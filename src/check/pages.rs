//! What the site needs of the records, checked before a build needs it:
//! every template parses, every policy and handbook page gets a page name of
//! its own, and every link people wrote in Markdown points at something the
//! site has. `build` refuses nothing that this module does not report.

use crate::diagnostic::{Code, Diagnostic, Pos};
use crate::ladder::Ledger;
use crate::ladder::templates::Templates;
use crate::load::site_map;
use crate::model::Repo;
use crate::model::site_map::{LinkTarget, NameClash, SiteMap, written_links};
use rayon::prelude::*;

pub fn check(
    ledger: &Ledger,
    templates: &Templates,
    site: &site_map::Site,
    out: &mut Vec<Diagnostic>,
) {
    let repo = ledger.repo;
    let root = (!repo.root.as_os_str().is_empty()).then_some(repo.root.as_path());
    out.extend(templates.problems.iter().cloned());
    // A draft is tried only with every template parsed: a missing one
    // would fail it for a reason already reported.
    if templates.problems.is_empty() {
        super::messages::check(ledger, &templates.tera, root, out);
    }
    let config_file = repo
        .config
        .as_ref()
        .map_or("folio.yaml", |c| c.file.as_str());
    for clash in &site.policy_clashes {
        let pos = repo
            .config
            .as_ref()
            .and_then(|c| c.data.policies.get(&clash.name))
            .map_or(Pos::START, |p| p.days.pos);
        out.push(policy_clash(config_file, pos, clash));
    }
    for clash in &site.page_clashes {
        if let Some(p) = repo.handbook.iter().find(|p| p.id == clash.name) {
            out.push(page_clash(&p.file, clash));
        }
    }
    out.extend(broken_links(repo, &site.map));
}

fn policy_clash(file: &str, pos: Pos, c: &NameClash) -> Diagnostic {
    let message = match &c.other {
        Some(other) => format!(
            "policies {other} and `{}` would share the handbook page `{}`",
            c.name, c.slug
        ),
        None => format!("policy name `{}` cannot be a page name", c.name),
    };
    Diagnostic::new(
        Code::InvalidPolicy,
        file,
        pos,
        message,
        "rename the policy: lowercase letters, digits and `-`, not a device name (con, nul, ...)",
    )
}

fn page_clash(file: &str, c: &NameClash) -> Diagnostic {
    let message = match &c.other {
        Some(other) => format!(
            "handbook page `{}` would have the page name `{}`, which {other} has",
            c.name, c.slug
        ),
        None => format!(
            "handbook page `{}` cannot have the page name `{}`",
            c.name, c.slug
        ),
    };
    Diagnostic::new(
        Code::BadSlug,
        file,
        Pos::START,
        message,
        "rename the file: lowercase letters, digits and `-`, one name per page",
    )
}

/// W013 for every link or image in a record body or handbook page that
/// points at nothing the site has.
fn broken_links(repo: &Repo, map: &SiteMap) -> Vec<Diagnostic> {
    let mut bodies: Vec<(&str, &str, u32)> = repo
        .handbook
        .iter()
        .map(|p| (p.file.as_str(), p.body.as_str(), p.body_line))
        .collect();
    for a in &repo.accounts {
        bodies.extend(
            a.account
                .iter()
                .map(|r| (r.file.as_str(), r.body.as_str(), r.body_line)),
        );
        bodies.extend(
            a.projects
                .iter()
                .map(|r| (r.file.as_str(), r.body.as_str(), r.body_line)),
        );
        bodies.extend(
            a.invoices
                .iter()
                .map(|r| (r.file.as_str(), r.body.as_str(), r.body_line)),
        );
    }
    bodies
        .par_iter()
        .flat_map_iter(|&(file, body, line)| {
            let page = map.page_of(file);
            written_links(body).into_iter().filter_map(move |link| {
                let page = page?;
                if map.resolve(file, page, &link.dest) != LinkTarget::Broken {
                    return None;
                }
                let what = if link.image { "image" } else { "link" };
                Some(Diagnostic::new(
                    Code::BrokenLink,
                    file,
                    position(body, line, link.offset),
                    format!("{what} to `{}` points at nothing on the site", link.dest),
                    "link to a record file by its path from this file (`collection.md`, `invoices/inv-7.md`), to a file of the site, or to a full https:// address; until then it shows as plain text",
                ))
            })
        })
        .collect()
}

/// The file position of byte `offset` of a body that starts on file line
/// `body_line`.
fn position(body: &str, body_line: u32, offset: usize) -> Pos {
    let before = &body[..offset.min(body.len())];
    let line = before.matches('\n').count() as u32;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() as u32 + 1;
    Pos::new(body_line + line, column)
}
