//! Rendering the site (SPEC §5): every page from its data and template, the
//! data files (status.json, calendars, search index), each internal link
//! checked, written into the folder a driver gives (`crate::app::build`).
//!
//! The driver has checked the records and built the site map; this module
//! only renders. Pages are rendered, link-checked and written one by one in
//! parallel, so the whole site never sits in memory.

use super::folders::FoldersAhead;
use super::pages::{self, Site};
use super::{claims, ics, links, output, robots, search};
use crate::diagnostic::{Diagnostic, Pos};
use crate::ladder::message;
use crate::ladder::policy::Policy;
use crate::ladder::report::{self, StatusDoc};
use crate::ladder::{Entry, Ledger};
use crate::model::{AccountDir, Page, Record, Roles};
use crate::plumbing::value::{PageData, Value};
use chrono::NaiveDate;
use rayon::prelude::*;
use std::borrow::Cow;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::Path;

/// Why a build failed. The previous output is left untouched in every case.
#[derive(Debug)]
pub enum BuildError {
    /// The records have errors (as `folio check` reports them).
    Records(Vec<Diagnostic>),
    /// The output folder is refused (the records root, holds records, or not folio's).
    Refused(String),
    /// A site template failed while rendering a page, or wrote a link to
    /// nothing: a bug in that template (`name`, under `templates/`). `at`:
    /// the template and place Tera's report points at, when it says (the
    /// page's template or one it extends).
    Template {
        name: String,
        at: Option<(String, Pos)>,
        message: String,
    },
    /// I/O, or an internal error.
    Failed(String),
}

impl std::fmt::Display for BuildError {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        match self {
            BuildError::Records(d) => write!(
                f,
                "the records have {} error(s); fix them first (`folio check`)",
                d.len()
            ),
            BuildError::Refused(why) => write!(f, "refusing to write the site: {why}"),
            BuildError::Template { message, .. } | BuildError::Failed(message) => {
                write!(f, "the site was not built: {message}")
            }
        }
    }
}

impl std::error::Error for BuildError {}

/// One page to render: where it goes, with which template, from what.
enum Job<'a> {
    Dashboard,
    Actions,
    /// One owner's agenda, by their handle.
    OwnerActions(String),
    Accounts,
    Account(&'a AccountDir),
    Invoice(&'a Entry<'a>),
    /// An account's statement of account.
    Statement(&'a AccountDir),
    HandbookIndex {
        path: &'static str,
    },
    HandbookPage(&'a Record<Page>),
    Policy(&'a Policy),
    Role(&'static str),
    Section(pages::Section),
    Search,
}

/// What a render draws on, made by the driver: the records evaluated and
/// checked, the site they give, and the templates parsed.
#[derive(Clone, Copy)]
pub struct Checked<'c> {
    pub ledger: &'c Ledger<'c>,
    pub history: &'c crate::history::History,
    /// Every file of the site and the page of each record, with the page
    /// names: the same `check` resolved links against.
    pub site_map: &'c crate::load::site_map::Site,
    /// The records' warnings, shown on the pages they concern, sorted by
    /// file (as `diagnostic::sort` leaves them).
    pub warnings: &'c [Diagnostic],
    /// Log entries recorded late (W010), flagged where the site shows them.
    pub late: &'c pages::LateIndex,
    /// Who recorded each dated entry of an invoice (its written record).
    pub origins: &'c crate::history::Origins,
    pub tera: &'c tera::Tera,
    /// The files of `templates/site/assets/` (built-in or overridden),
    /// copied to the site's `assets/`.
    pub assets: &'c [(String, Vec<u8>)],
}

/// Which pages a render writes.
pub enum Scope<'s> {
    /// The whole site.
    Everything,
    /// After records changed: the pages of these accounts (account and
    /// invoice pages), the handbook pages when `handbook` is set, and every
    /// page and data file that sums up all accounts (dashboard, agenda,
    /// account index, role and policy pages, status.json, calendar, search
    /// index).
    Changed {
        accounts: &'s BTreeSet<String>,
        handbook: bool,
    },
    /// Only the account and invoice pages of the repository's accounts (a
    /// repository holding just the changed accounts), with links checked
    /// against `known` as well: the quick first answer of `folio serve`.
    Pages { known: &'s HashSet<String> },
}

/// How pages reach the disk.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Write<'p> {
    /// Into an empty staging folder. A file `previous` (the site this one
    /// replaces) holds byte for byte is linked, not written again: see
    /// [`output::write_new_or_link`].
    Fresh { previous: Option<&'p Path> },
    /// Over the pages of a site being served: each file is written beside
    /// its place and renamed over it, so a reader sees the old page or the
    /// new one, never half of one.
    InPlace,
    /// Rendered and link-checked, written nowhere: `folio check` trying the
    /// repository's own site templates on its records.
    Nowhere,
}

/// One render: as of when, which pages, into which folder.
pub struct Plan<'p> {
    pub as_of: NaiveDate,
    pub handbook_only: bool,
    pub scope: Scope<'p>,
    pub dir: &'p Path,
    pub write: Write<'p>,
}

/// What a render wrote.
pub struct Rendered {
    /// The pages the site has.
    pub pages: usize,
    /// The pages this render rendered: all of them, or those an update of a
    /// served site touched.
    pub rendered: usize,
    /// Every file the complete site holds (pages and data files), whether
    /// this render wrote it or not; empty for [`Scope::Pages`].
    pub files: Vec<String>,
    /// How many files the complete site holds.
    pub file_count: usize,
    /// The files this render wrote.
    pub written: usize,
}

/// Renders the pages `plan` asks for into `plan.dir`; when `ahead` makes
/// the accounts' page folders, each account's pages wait for theirs.
pub fn render(
    checked: &Checked,
    plan: &Plan,
    ahead: Option<&FoldersAhead>,
) -> Result<Rendered, BuildError> {
    let ledger = checked.ledger;
    let site_map = checked.site_map;
    let config = ledger.config();
    let site = Site {
        ledger,
        history: checked.history,
        repo_url: config
            .and_then(|c| c.site.repo_url.as_ref())
            .map(|u| u.value.clone())
            .filter(|u| is_web_url(u)),
        handbook_only: plan.handbook_only,
        policy_slugs: site_map.names.policies.clone(),
        page_slugs: site_map.names.pages.clone(),
        owner_slugs: site_map.names.owners.clone(),
        search_shards: site_map.search_shards,
        map: &site_map.map,
        warnings: checked.warnings,
        late: checked.late,
        origins: checked.origins,
    };
    let t = std::time::Instant::now();
    let doc = report::build(ledger, None);
    let all_jobs = jobs(&site);
    let all_paths: Vec<String> = all_jobs.iter().map(|j| path_of(&site, j)).collect();
    let data = match plan.scope {
        Scope::Everything | Scope::Changed { .. } => data_files(&site, checked.assets),
        Scope::Pages { .. } => vec![],
    };
    let mut names: Vec<&str> = all_paths.iter().map(String::as_str).collect();
    names.extend(data.iter().map(|(p, _)| p.as_str()));
    check_paths(&names)?;
    // A quick pass of `serve` renders from a part of the repository, whose
    // map is a part too; the full update that follows it is held to this.
    if !matches!(plan.scope, Scope::Pages { .. }) {
        same_files(&site_map.map, &names)?;
    }
    let mut known: links::Files = names.iter().copied().collect();
    if let Scope::Pages { known: served } = plan.scope {
        known.extend(served.iter().map(String::as_str));
    }
    let selected: Vec<(&Job, &str)> = all_jobs
        .iter()
        .zip(all_paths.iter())
        .filter(|(job, _)| plan.scope.renders(job))
        .map(|(job, path)| (job, path.as_str()))
        .collect();
    crate::timing("build: plan", t);
    let t = std::time::Instant::now();
    let dir = plan.dir;
    let write = |rel: &str, bytes: &[u8]| -> Result<(), BuildError> {
        match plan.write {
            Write::Fresh { previous } => output::write_new_or_link(dir, previous, rel, bytes),
            Write::InPlace => output::replace(dir, rel, bytes),
            Write::Nowhere => Ok(()),
        }
        .map_err(|e| io_failure(&dir.join(rel), e))
    };
    let mut paths: Vec<&str> = selected.iter().map(|(_, p)| *p).collect();
    paths.extend(data.iter().map(|(p, _)| p.as_str()));
    match plan.write {
        Write::Fresh { .. } => output::make_parent_folders(dir, &paths),
        Write::InPlace => output::make_folders(dir, &paths),
        Write::Nowhere => Ok(()),
    }
    .map_err(|e| io_failure(dir, e))?;
    let search = std::sync::OnceLock::new();
    let make_data = || {
        if plan.write == Write::Nowhere {
            return Ok(());
        }
        data.par_iter()
            .with_max_len(1)
            .try_for_each(|(rel, file)| match (file, plan.write) {
                // The largest file by far (40 MB at 1,000 accounts): written
                // as it is made into a new site, not held whole.
                (DataFile::Status, Write::Fresh { .. }) => {
                    output::write_new_with(dir, rel, |w| doc.write_compact_json(w))
                        .map_err(|e| io_failure(&dir.join(rel), e))
                }
                _ => write(rel, &file.bytes(&site, &doc, &search)?),
            })
    };
    let renderer = Renderer::new(&site, checked.tera, &doc);
    // One page, as [`PageFn`] describes.
    let page = |job: &Job,
                path: &str,
                given: Option<&Value>|
     -> Result<Vec<BrokenLink>, BuildError> {
        renderer.render(job, path, given, |html, template| {
            let bad = links::broken(path, html, &known);
            write(path, html.as_bytes())?;
            // Links people wrote were resolved (or marked) as the Markdown
            // rendered, so a broken one left is the template's.
            Ok(bad
                .into_iter()
                .map(|link| BrokenLink {
                    template,
                    text: format!(
                        "{path}: template `{template}` links to `{link}`, which the site does not have"
                    ),
                })
                .collect())
        })
    };
    // The data files are made while the pages render: both cores stay busy.
    // The units are taken one at a time, in order (`par_bridge`): in the
    // order the folders ahead are made, and none left behind in a long run
    // (units differ in cost by a hundredfold, an account with 60 invoices
    // beside one handbook page, and rayon's default split of a slice left
    // one core rendering the last run alone for seconds).
    let units = units(&selected);
    let (made, broken) = rayon::join(make_data, || {
        units
            .iter()
            .par_bridge()
            .map(|unit| match unit {
                Unit::Page(job, path) => page(job, path, None),
                Unit::Account {
                    id,
                    page: account,
                    invoices,
                } => {
                    if let Some(ahead) = ahead {
                        ahead.wait_for(id);
                    }
                    account_pages(&site, *account, invoices, &page)
                }
            })
            .collect::<Result<Vec<Vec<BrokenLink>>, BuildError>>()
    });
    // The status document is the largest value a render makes.
    drop(renderer);
    crate::plumbing::drop_later(doc);
    made?;
    let broken: Vec<BrokenLink> = broken?.into_iter().flatten().collect();
    crate::timing("build: render and write", t);
    if !broken.is_empty() {
        return Err(broken_links(broken));
    }
    let written = selected.len() + data.len();
    let files = match plan.scope {
        Scope::Pages { .. } => vec![],
        _ => names.iter().map(|n| n.to_string()).collect(),
    };
    Ok(Rendered {
        pages: all_paths.len(),
        rendered: selected.len(),
        file_count: names.len() + 1,
        files,
        written,
    })
}

/// Renders, link-checks and writes one page with what the caller already
/// built for it; returns its broken links.
type PageFn<'f> =
    dyn Fn(&Job, &str, Option<&Value>) -> Result<Vec<BrokenLink>, BuildError> + Sync + 'f;

/// An account's page (when selected) and its invoices' pages, with each
/// invoice's summary built once: its row on the account page and its own
/// page show the same figures. Returns the broken links.
fn account_pages(
    site: &Site,
    account: Option<(&AccountDir, &str)>,
    invoices: &[(&Entry, &str)],
    page: &PageFn,
) -> Result<Vec<BrokenLink>, BuildError> {
    let summaries = pages::invoice_summaries(site, invoices.iter().map(|(e, _)| *e));
    let mut bad = vec![];
    if let Some((a, path)) = account {
        if invoices.len() == site.entries_of(&a.id).len() {
            // Shared, not copied: a Tera value holds its parts behind
            // reference counts.
            let list = Value::from(summaries.clone());
            bad.extend(page(&Job::Account(a), path, Some(&list))?);
        } else {
            bad.extend(page(&Job::Account(a), path, None)?);
        }
    }
    for ((e, path), summary) in invoices.iter().zip(&summaries) {
        bad.extend(page(&Job::Invoice(e), path, Some(summary))?);
    }
    Ok(bad)
}

/// Pages rendered together.
enum Unit<'j, 'a> {
    Page(&'j Job<'a>, &'j str),
    /// An account's page (when selected) and its selected invoice pages.
    Account {
        id: &'a str,
        page: Option<(&'a AccountDir, &'j str)>,
        invoices: Vec<(&'a Entry<'a>, &'j str)>,
    },
}

/// The folders of every account's pages (its page, its statement, its
/// invoices'), account by account in the order [`units`] takes them: what
/// a [`FoldersAhead`] makes for a whole site.
pub fn account_folders(ledger: &Ledger) -> Vec<(String, Vec<String>)> {
    let mut invoices: HashMap<&str, Vec<String>> = HashMap::new();
    for e in &ledger.entries {
        invoices
            .entry(e.account.id.as_str())
            .or_default()
            .push(pages::invoice_url(e.number()));
    }
    let folder = |path: String| match path.rsplit_once('/') {
        Some((folder, _)) => folder.to_string(),
        None => String::new(),
    };
    ledger
        .repo
        .accounts
        .iter()
        .map(|a| {
            let pages = [pages::account_url(&a.id), claims::statement_url(&a.id)]
                .into_iter()
                .chain(invoices.remove(a.id.as_str()).unwrap_or_default());
            (a.id.clone(), pages.map(folder).collect())
        })
        .collect()
}

/// The selected pages as units of work: one per account with its invoices,
/// one per other page.
fn units<'j, 'a>(selected: &[(&'j Job<'a>, &'j str)]) -> Vec<Unit<'j, 'a>> {
    let mut out: Vec<Unit> = vec![];
    let mut of_account: HashMap<&str, usize> = HashMap::new();
    let mut unit_of = |out: &mut Vec<Unit<'j, 'a>>, id: &'a str| {
        *of_account.entry(id).or_insert_with(|| {
            out.push(Unit::Account {
                id,
                page: None,
                invoices: vec![],
            });
            out.len() - 1
        })
    };
    for &(job, path) in selected {
        match job {
            Job::Account(a) => {
                let i = unit_of(&mut out, &a.id);
                if let Unit::Account { page, .. } = &mut out[i] {
                    *page = Some((a, path));
                }
            }
            Job::Invoice(e) => {
                let i = unit_of(&mut out, &e.account.id);
                if let Unit::Account { invoices, .. } = &mut out[i] {
                    invoices.push((e, path));
                }
            }
            _ => out.push(Unit::Page(job, path)),
        }
    }
    out
}

impl Scope<'_> {
    /// Whether this scope renders `job`'s page.
    fn renders(&self, job: &Job) -> bool {
        match self {
            Scope::Everything => true,
            Scope::Changed { accounts, handbook } => match job {
                Job::Account(a) => accounts.contains(&a.id),
                Job::Invoice(e) => accounts.contains(&e.account.id),
                Job::Statement(a) => accounts.contains(&a.id),
                Job::HandbookIndex { .. } | Job::HandbookPage(_) | Job::Section(_) => *handbook,
                // Fixed by folio.yaml and the templates, which rebuild everything.
                Job::Search => false,
                // Policy and role pages list the accounts on them.
                Job::Dashboard
                | Job::Actions
                | Job::OwnerActions(_)
                | Job::Accounts
                | Job::Role(_)
                | Job::Policy(_) => true,
            },
            Scope::Pages { .. } => {
                matches!(job, Job::Account(_) | Job::Invoice(_) | Job::Statement(_))
            }
        }
    }
}

fn io_failure(path: &Path, e: std::io::Error) -> BuildError {
    BuildError::Failed(format!("cannot write `{}`: {e}", path.display()))
}

fn is_web_url(u: &str) -> bool {
    u.starts_with("https://") || u.starts_with("http://")
}

fn jobs<'a>(site: &Site<'a>) -> Vec<Job<'a>> {
    let repo = site.ledger.repo;
    let mut jobs = vec![
        Job::HandbookIndex {
            path: "handbook/index.html",
        },
        Job::Search,
    ];
    if site.handbook_only {
        jobs.push(Job::HandbookIndex { path: "index.html" });
    } else {
        jobs.extend([Job::Dashboard, Job::Actions, Job::Accounts]);
        jobs.extend(site.owner_slugs.keys().cloned().map(Job::OwnerActions));
        jobs.extend(repo.accounts.iter().map(Job::Account));
        jobs.extend(site.ledger.entries.iter().map(Job::Invoice));
        jobs.extend(repo.accounts.iter().map(Job::Statement));
    }
    jobs.extend(
        repo.handbook
            .iter()
            .filter(|p| site.page_slugs.contains_key(&p.id))
            .map(Job::HandbookPage),
    );
    jobs.push(Job::Section(pages::Section::Roles));
    jobs.push(Job::Section(pages::Section::Policies));
    jobs.extend(site.ledger.settings.policies.values().map(Job::Policy));
    jobs.extend(Roles::NAMES.iter().map(|r| Job::Role(r)));
    jobs
}

/// Where a job's page goes.
fn path_of(site: &Site, job: &Job) -> String {
    match job {
        Job::Dashboard => "index.html".into(),
        Job::Actions => "actions/index.html".into(),
        Job::OwnerActions(h) => site.owner_agenda_url(h).unwrap_or_default(),
        Job::Accounts => "accounts/index.html".into(),
        Job::Account(a) => pages::account_url(&a.id),
        Job::Invoice(e) => pages::invoice_url(e.number()),
        Job::Statement(a) => claims::statement_url(&a.id),
        Job::HandbookIndex { path } => path.to_string(),
        Job::HandbookPage(p) => format!(
            "handbook/{}/index.html",
            site.page_slugs.get(&p.id).map_or("", String::as_str)
        ),
        Job::Policy(p) => site.policy_url(&p.name).unwrap_or_default(),
        Job::Role(r) => pages::role_url(r),
        Job::Section(pages::Section::Roles) => crate::model::site_map::ROLES_INDEX.into(),
        Job::Section(pages::Section::Policies) => crate::model::site_map::POLICIES_INDEX.into(),
        Job::Search => "search/index.html".into(),
    }
}

/// What renders pages: the site's data, the templates and what every page shares.
struct Renderer<'s, 'a> {
    site: &'s Site<'a>,
    tera: &'s tera::Tera,
    doc: &'s StatusDoc,
    /// The `site` variable of every page (shared, not copied, by each).
    common: Value,
}

impl<'s, 'a> Renderer<'s, 'a> {
    fn new(site: &'s Site<'a>, tera: &'s tera::Tera, doc: &'s StatusDoc) -> Self {
        let config = site.config();
        let company = config.map_or("", |c| c.company.as_str());
        let title = config
            .and_then(|c| c.site.title.clone())
            .unwrap_or_else(|| {
                if company.is_empty() {
                    "Handbook".into()
                } else {
                    format!("{company} handbook")
                }
            });
        let common = crate::plumbing::value::obj!({
            "title": title,
            "company": company,
            "handbook_only": site.handbook_only,
            "as_of": site.day(site.ledger.as_of),
            "as_of_iso": site.ledger.as_of.to_string(),
        });
        Renderer {
            site,
            tera,
            doc,
            common,
        }
    }

    /// A job's template and data. `given`: what the caller already built,
    /// the invoice's summary for an invoice page, the summaries of all its
    /// invoices (an array) for an account page.
    fn prepare(
        &self,
        job: &Job,
        path: &str,
        given: Option<&Value>,
    ) -> Result<(&'static str, PageData), BuildError> {
        let site = self.site;
        Ok(match job {
            Job::Dashboard => ("site/dashboard.html", pages::dashboard(site, self.doc)),
            Job::Actions => ("site/actions.html", pages::actions(site, None)),
            Job::OwnerActions(h) => ("site/actions.html", pages::actions(site, Some(h))),
            Job::Accounts => ("site/accounts.html", pages::accounts_index(site, self.doc)),
            Job::Account(a) => {
                let invoices = match given.and_then(Value::as_array) {
                    Some(list) => list.to_vec(),
                    None => pages::invoice_summaries(site, site.entries_of(&a.id)),
                };
                ("site/account.html", pages::account(site, a, invoices))
            }
            Job::Invoice(e) => {
                let draft = match pages::draft_stage(e) {
                    Some(stage) => {
                        let text = message::render(self.tera, site.ledger, e, stage).map_err(|err| {
                            BuildError::Failed(format!(
                                "{path}: the message draft for stage `{}` does not render: {err}",
                                stage.id
                            ))
                        })?;
                        Some((pages::draft_stage_view(site, e, stage), text))
                    }
                    None => None,
                };
                let data = match given {
                    Some(summary) => pages::invoice(site, e, summary, draft),
                    None => pages::invoice(site, e, &pages::invoice_summary(site, e), draft),
                };
                ("site/invoice.html", data)
            }
            Job::Statement(a) => ("site/statement.html", claims::statement_page(site, a)),
            Job::HandbookIndex { path } => {
                ("site/handbook.html", pages::handbook_index(site, path))
            }
            Job::Section(section) => ("site/section.html", pages::section_index(site, *section)),
            Job::HandbookPage(p) => ("site/page.html", pages::handbook_page(site, p)),
            Job::Policy(p) => ("site/policy.html", pages::policy(site, p)),
            Job::Role(r) => ("site/role.html", pages::role(site, r)),
            Job::Search => ("site/search.html", pages::search()),
        })
    }

    /// Renders a job's page into this thread's page buffer and gives it,
    /// with its template's name, to `then` (which checks and writes it).
    fn render<T>(
        &self,
        job: &Job,
        path: &str,
        given: Option<&Value>,
        then: impl FnOnce(&str, &'static str) -> Result<T, BuildError>,
    ) -> Result<T, BuildError> {
        let (template, mut data) = self.prepare(job, path, given)?;
        data.insert_value("site", self.common.clone());
        data.insert_value("root", Value::from(root_of(path)));
        data.insert_value("path", Value::from(path));
        PAGE.with_borrow_mut(|buf| {
            buf.clear();
            self.tera
                .render_to(template, &data, &mut *buf)
                .map_err(|e| template_failed(template, path, &e))?;
            let html = std::str::from_utf8(buf).map_err(|e| {
                BuildError::Failed(format!(
                    "{path}: template `{template}` wrote bytes that are not UTF-8: {e}"
                ))
            })?;
            if self.site.handbook_only || robots::has_noindex(html) {
                then(html, template)
            } else {
                then(&robots::ensure_noindex(html.to_string()), template)
            }
        })
    }
}

/// A page's template failed, with where Tera says it failed.
fn template_failed(template: &str, path: &str, e: &tera::Error) -> BuildError {
    BuildError::Template {
        name: template.to_string(),
        at: crate::load::templates::problems_of(e)
            .into_iter()
            .find_map(|p| Some((p.template?, p.pos))),
        message: format!(
            "{path}: template `{template}` failed: {}",
            crate::load::templates::describe(e)
        ),
    }
}

thread_local! {
    /// The page being rendered on this thread: one buffer, reused for every
    /// page, that Tera writes into.
    static PAGE: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// `../` once per folder between `path` and the site root.
fn root_of(path: &str) -> String {
    "../".repeat(path.matches('/').count())
}

/// A data file of the site: named before the pages render (links are
/// checked against it), made while they render.
enum DataFile<'s> {
    Status,
    /// The agency's calendar feed, or one owner's (by handle).
    Calendar(Option<&'s str>),
    SearchIndex,
    /// The manifest the search box loads first.
    SearchScript,
    /// Search shard n's words, and its run of items.
    SearchWords(usize),
    SearchItems(usize),
    /// The full site's: keep crawlers out of client data.
    Robots,
    Asset(&'s [u8]),
}

/// status.json, calendar.ics, robots.txt, the search index and the
/// assets, by name.
fn data_files<'s>(site: &'s Site, assets: &'s [(String, Vec<u8>)]) -> Vec<(String, DataFile<'s>)> {
    let mut files = vec![];
    if !site.handbook_only {
        files.push(("status.json".to_string(), DataFile::Status));
        files.push(("calendar.ics".to_string(), DataFile::Calendar(None)));
        for (handle, slug) in &site.owner_slugs {
            files.push((
                crate::model::site_map::owner_calendar_url(slug),
                DataFile::Calendar(Some(handle)),
            ));
        }
        files.push(("robots.txt".to_string(), DataFile::Robots));
    }
    files.push(("search-index.json".to_string(), DataFile::SearchIndex));
    files.push(("assets/search-index.js".to_string(), DataFile::SearchScript));
    for n in 0..site.search_shards {
        let [words, items] = crate::model::site_map::search_shard_files(n);
        files.push((words, DataFile::SearchWords(n)));
        files.push((items, DataFile::SearchItems(n)));
    }
    files.extend(
        assets
            .iter()
            .map(|(name, bytes)| (name.clone(), DataFile::Asset(bytes))),
    );
    files
}

impl DataFile<'_> {
    /// The file's content. `search`: the index's files, made once for all.
    fn bytes<'x>(
        &'x self,
        site: &Site,
        doc: &StatusDoc,
        search: &'x std::sync::OnceLock<search::Files>,
    ) -> Result<Cow<'x, [u8]>, BuildError> {
        let search =
            || search.get_or_init(|| search::files(search::items(site), site.search_shards));
        Ok(match self {
            DataFile::Status => {
                let mut json = vec![];
                doc.write_compact_json(&mut json)
                    .map_err(|e| BuildError::Failed(e.to_string()))?;
                Cow::Owned(json)
            }
            DataFile::Calendar(owner) => {
                let config = site.config();
                let mut title = config
                    .and_then(|c| c.site.title.clone())
                    .unwrap_or_else(|| "folio".into());
                if let Some(handle) = owner {
                    title = format!("{title}: {}", site.person_name(handle));
                }
                let base = config
                    .and_then(|c| c.site.base_url.as_ref())
                    .map(|u| u.value.as_str())
                    .filter(|u| is_web_url(u));
                Cow::Owned(ics::calendar(site.ledger, &title, base, *owner).into_bytes())
            }
            DataFile::SearchIndex => Cow::Borrowed(search().json.as_bytes()),
            DataFile::SearchScript => Cow::Borrowed(search().manifest.as_bytes()),
            DataFile::SearchWords(n) => Cow::Borrowed(search().words[*n].as_bytes()),
            DataFile::SearchItems(n) => Cow::Borrowed(search().items[*n].as_bytes()),
            DataFile::Robots => Cow::Borrowed(robots::ROBOTS_TXT.as_bytes()),
            DataFile::Asset(bytes) => Cow::Borrowed(bytes),
        })
    }
}

/// Every output path stays inside the output folder.
fn check_paths(names: &[&str]) -> Result<(), BuildError> {
    let mut seen = HashSet::new();
    for path in names {
        if !output::is_contained(path) || *path == output::MARKER {
            return Err(BuildError::Failed(format!(
                "refusing to write `{path}`: it would leave the output folder"
            )));
        }
        if !seen.insert(*path) {
            return Err(BuildError::Failed(format!(
                "two pages would be written to `{path}`"
            )));
        }
    }
    Ok(())
}

/// The site map `check` resolved links against names exactly the files
/// this build writes; anything else is a bug in folio, said as one.
fn same_files(map: &crate::model::site_map::SiteMap, names: &[&str]) -> Result<(), BuildError> {
    let written: HashSet<&str> = names.iter().copied().collect();
    let missing = names.iter().find(|n| !map.has_file(n));
    let extra = map.files().find(|f| !written.contains(f));
    match (missing, extra) {
        (None, None) => Ok(()),
        (m, e) => Err(BuildError::Failed(format!(
            "internal error: the site map and the build disagree ({})",
            m.map(|m| format!("`{m}` is not in the map"))
                .or(e.map(|e| format!("`{e}` is not written")))
                .unwrap_or_default()
        ))),
    }
}

/// A link a template wrote to a file the site does not have.
struct BrokenLink {
    template: &'static str,
    text: String,
}

/// The failure for broken internal links, each with the page and template
/// that hold it; the first template is the one blamed.
fn broken_links(mut broken: Vec<BrokenLink>) -> BuildError {
    broken.sort_by(|a, b| a.text.cmp(&b.text));
    let name = broken[0].template.to_string();
    let mut broken: Vec<String> = broken.into_iter().map(|b| b.text).collect();
    let total = broken.len();
    broken.truncate(20);
    let more = if total > 20 {
        format!("\n  ... and {} more", total - 20)
    } else {
        String::new()
    };
    BuildError::Template {
        name,
        at: None,
        message: format!("broken internal links:\n  {}{more}", broken.join("\n  ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roots() {
        assert_eq!(root_of("index.html"), "");
        assert_eq!(root_of("accounts/acme/index.html"), "../../");
    }

    fn commit(id: char, date: &str, summary: &str) -> crate::history::Commit {
        crate::history::Commit {
            id: id.to_string().repeat(40),
            short: id.to_string().repeat(8),
            author: "Ana Lima".into(),
            email: "ana@example.com".into(),
            date: date.into(),
            time: 0,
            summary: summary.into(),
        }
    }

    /// Commits from git history show on the invoice page and in the account
    /// timeline, linked to the repository when `repo_url` is set.
    #[test]
    fn pages_show_git_history() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        let write = |rel: &str, text: &str| {
            let p = root.join(rel);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        };
        write(
            "folio.yaml",
            "company: T\nsite:\n  repo_url: https://git.example/t/records\n",
        );
        write(
            "accounts/acme/account.md",
            "---\nname: Acme\nstatus: prospect\n---\n",
        );
        write(
            "accounts/acme/invoices/a.md",
            "---\nnumber: A-1\nissued: 2026-10-01\namount: 10\n---\n",
        );
        let repo = crate::load::load(root);
        let settings = crate::ladder::Settings::from_config(repo.config.as_ref().map(|c| &c.data));
        let ledger = Ledger::new(
            &repo,
            &settings,
            NaiveDate::from_ymd_opt(2026, 10, 20).unwrap(),
        );
        let mut history = crate::history::History::missing();
        history.coverage = crate::history::Coverage::Truncated;
        history.files.insert(
            "accounts/acme/invoices/a.md".into(),
            vec![
                commit('b', "2026-10-02", "Record <invoice> A-1"),
                commit('a', "2026-10-01", "Add A-1"),
            ],
        );
        let map = ledger.site_map([], false);
        let site = Site {
            ledger: &ledger,
            history: &history,
            repo_url: Some("https://git.example/t/records".into()),
            handbook_only: false,
            policy_slugs: map.names.policies.clone(),
            page_slugs: map.names.pages.clone(),
            owner_slugs: map.names.owners.clone(),
            search_shards: map.search_shards,
            map: &map.map,
            warnings: &[],
            late: &Default::default(),
            origins: &Default::default(),
        };
        let templates = crate::ladder::templates::Templates::read(Some(root), &settings);
        assert!(templates.problems.is_empty());
        let tera = templates.tera;
        let doc = report::build(&ledger, None);
        let r = Renderer::new(&site, &tera, &doc);
        let invoice = r
            .render(
                &Job::Invoice(&ledger.entries[0]),
                "invoices/a-1/index.html",
                None,
                |html, _| Ok(html.to_string()),
            )
            .unwrap();
        assert!(invoice.contains("href=\"https://git.example/t/records/commit/bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\""), "{invoice}");
        assert!(invoice.contains("Record &lt;invoice&gt; A-1"));
        assert!(invoice.contains("shallow clone"));
        let account = r
            .render(
                &Job::Account(&repo.accounts[0]),
                "accounts/acme/index.html",
                None,
                |html, _| Ok(html.to_string()),
            )
            .unwrap();
        assert!(
            account.contains("aaaaaaaa") && account.contains("kind-commit"),
            "{account}"
        );
        assert!(account.contains("The git history is shallow"));
    }
}
