//! `folio check`: every rule of SPEC §2 over a loaded repository. Rules only
//! read; each problem becomes a [`Diagnostic`] and checking always goes on.

pub mod history;
mod late_payment;
mod messages;
mod pages;
mod records;
mod stages;

use crate::diagnostic::{Code, Diagnostic, Pos, closest, sort_unique};
use crate::ladder::templates::Templates;
use crate::ladder::{Ledger, Settings};
use crate::load::site_map::Site as SiteOfRecords;
use crate::load::templates::asset_paths;
use crate::model::Repo;
use chrono::NaiveDate;

/// All diagnostics for `repo` as of `as_of`: what loading found, the record
/// rules, and the stage-dependent warnings. Sorted by file and position.
pub fn check(repo: &Repo, settings: &Settings, as_of: NaiveDate) -> Vec<Diagnostic> {
    check_ledger(&Ledger::new(repo, settings, as_of))
}

/// [`check`] over an evaluated ledger, for commands that need the ledger
/// afterwards too (evaluating 60,000 invoices twice is not free). Reads and
/// parses the templates; a driver that holds them calls [`check_with`].
pub fn check_ledger(ledger: &Ledger) -> Vec<Diagnostic> {
    let repo = ledger.repo;
    let root = (!repo.root.as_os_str().is_empty()).then_some(repo.root.as_path());
    let templates = Templates::read(root, ledger.settings);
    let assets = asset_paths(&templates.sources);
    let site = ledger.site_map(assets.iter().map(String::as_str), false);
    check_with(ledger, &templates, &site)
}

/// [`check_ledger`] with the templates and the site map the caller already
/// has (a build renders with the same ones).
pub fn check_with(ledger: &Ledger, templates: &Templates, site: &SiteOfRecords) -> Vec<Diagnostic> {
    let t = std::time::Instant::now();
    let mut out = ledger.repo.diagnostics.clone();
    records::check(ledger.repo, ledger.settings, ledger.as_of, &mut out);
    crate::timing("check records", t);
    let t = std::time::Instant::now();
    stages::check(ledger, &mut out);
    late_payment::check(ledger, &mut out);
    crate::timing("check stages", t);
    let t = std::time::Instant::now();
    pages::check(ledger, templates, site, &mut out);
    crate::timing("check pages", t);
    sort_unique(&mut out);
    out
}

/// A reference to something that does not exist, with the closest known name.
pub(crate) fn unknown<'a>(
    code: Code,
    file: &str,
    pos: Pos,
    what: &str,
    name: &str,
    known: impl IntoIterator<Item = &'a str> + Clone,
) -> Diagnostic {
    // `eur` for `EUR`, `Ana` for `ana`: the same name in other capitals is
    // the likeliest meaning, whatever the edit distance says.
    let same_but_case = known
        .clone()
        .into_iter()
        .find(|k| k.eq_ignore_ascii_case(name));
    let hint = match same_but_case.or_else(|| closest(name, known.clone())) {
        Some(k) => format!("did you mean `{k}`?"),
        None => {
            let list: Vec<&str> = known.into_iter().take(12).collect();
            if list.is_empty() {
                format!("define the {what} first")
            } else {
                let plural = match what.strip_suffix('y') {
                    Some(stem) => format!("{stem}ies"),
                    None => format!("{what}s"),
                };
                format!("known {plural}: {}", list.join(", "))
            }
        }
    };
    Diagnostic::new(code, file, pos, format!("unknown {what} `{name}`"), hint)
}
