//! `folio build` (SPEC §5) and the steps it shares with `folio check` and
//! `folio serve`: read the records, the templates and the git history once;
//! check them (errors stop the build); then render the site
//! ([`crate::site::render`]) into a staging folder beside `--out` and swap
//! it into place, so a failed or killed build leaves the previous site whole.
//!
//! The records are checked here, by `check`'s rules, with the same templates
//! and the same site map the render then uses: nothing is validated twice,
//! and nothing the site refuses goes unreported by `folio check`.

use crate::app::session::{self, AsOf};
use crate::check;
use crate::diagnostic::{Code, Diagnostic, Pos, Severity, sort_unique};
use crate::history::History;
use crate::ladder::templates::Templates;
use crate::ladder::{Ledger, Settings};
use crate::load;
use crate::model::Repo;
use crate::site::folders::FoldersAhead;
use crate::site::output;
use crate::site::pages::{LateIndex, late_index};
use crate::site::render::{self, BuildError, Checked, Plan, Rendered, Scope, Write};
use std::path::{Path, PathBuf};

/// What to build.
#[derive(Clone, Debug)]
pub struct Options {
    pub out: PathBuf,
    pub handbook_only: bool,
    pub as_of: AsOf,
}

/// What a successful build wrote, and the warnings met on the way.
#[derive(Debug, Default)]
pub struct Summary {
    /// The pages the site has.
    pub pages: usize,
    /// The pages this build rendered: all of them, or those an update of a
    /// served site touched.
    pub rendered: usize,
    pub files: usize,
    pub warnings: Vec<Diagnostic>,
}

/// Renders the records at `root` into `opts.out`.
pub fn build(root: &Path, opts: &Options) -> Result<Summary, BuildError> {
    if !root.is_dir() {
        return Err(BuildError::Failed(
            session::NotAFolder(root.to_path_buf()).to_string(),
        ));
    }
    if let Some(why) = output::refusal(root, &opts.out) {
        return Err(BuildError::Refused(why));
    }
    let inputs = if opts.handbook_only {
        Inputs::read_handbook_only(root, opts.as_of)
    } else {
        Inputs::read(root, opts.as_of)
    };
    let as_of = inputs.session.as_of;
    let staging = output::Staging::new(&opts.out).map_err(|e| io_failure(&opts.out, e))?;
    let previous = output::previous_site(&opts.out);
    let (summary, _) = check_and_render(
        &inputs.parts(),
        &Plan {
            as_of,
            handbook_only: opts.handbook_only,
            scope: Scope::Everything,
            dir: &staging.dir,
            write: Write::Fresh {
                previous: previous.as_deref(),
            },
        },
    )?;
    crate::plumbing::drop_later(inputs);
    let t = std::time::Instant::now();
    staging.commit().map_err(|e| io_failure(&opts.out, e))?;
    crate::timing("build: swap", t);
    Ok(summary)
}

fn io_failure(path: &Path, e: std::io::Error) -> BuildError {
    BuildError::Failed(format!("cannot write `{}`: {e}", path.display()))
}

/// What a build reads from the records repository: the session (the
/// records, the settings, the as-of date), the templates and the git
/// history, each read once. `folio serve` keeps one between builds and
/// re-reads only what changed.
pub struct Inputs {
    pub session: session::Session,
    pub templates: Templates,
    pub history: History,
    /// The files of `templates/site/assets/` (built-in or overridden),
    /// copied to the site's `assets/`.
    pub assets: Vec<(String, Vec<u8>)>,
}

impl Inputs {
    /// Loads the records and reads the git history side by side (two
    /// independent passes over the disk), then parses the templates.
    pub fn read(root: &Path, as_of: AsOf) -> Inputs {
        let t = std::time::Instant::now();
        let (repo, history) = rayon::join(|| load::load(root), || crate::history::read(root));
        crate::timing("build: load and history", t);
        Inputs::with_templates(session::of_repo(root, repo, as_of), history)
    }

    /// What a handbook-only site needs: folio.yaml (company, people,
    /// policies), the handbook and the templates. No client record is read,
    /// so none can be reported in a public job's log, nor stop the build;
    /// the git history only serves client pages, so it is not read either.
    pub fn read_handbook_only(root: &Path, as_of: AsOf) -> Inputs {
        let t = std::time::Instant::now();
        let repo = load::load_handbook_only(root);
        crate::timing("build: load the handbook", t);
        Inputs::with_templates(session::of_repo(root, repo, as_of), History::missing())
    }

    /// The inputs of `session` and `history`, with the templates (and the
    /// site's assets among them) read from the session's root.
    fn with_templates(session: session::Session, history: History) -> Inputs {
        let templates = Templates::read(Some(&session.root), &session.settings);
        let assets = templates.assets();
        Inputs {
            session,
            templates,
            history,
            assets,
        }
    }

    pub fn parts(&self) -> Parts<'_> {
        Parts {
            repo: &self.session.repo,
            settings: &self.session.settings,
            templates: &self.templates,
            history: &self.history,
            assets: &self.assets,
        }
    }
}

/// Borrowed [`Inputs`]: `folio serve` renders a few accounts from a
/// repository that holds only them.
#[derive(Clone, Copy)]
pub struct Parts<'i> {
    pub repo: &'i Repo,
    pub settings: &'i Settings,
    pub templates: &'i Templates,
    pub history: &'i History,
    pub assets: &'i [(String, Vec<u8>)],
}

impl Parts<'_> {
    fn asset_names(&self) -> impl Iterator<Item = &str> {
        self.assets.iter().map(|(name, _)| name.as_str())
    }
}

/// Checks the records as `folio check` does (errors stop here) and renders
/// the pages `plan` asks for, with one ledger, one site map and the
/// templates parsed once.
pub fn check_and_render(parts: &Parts, plan: &Plan) -> Result<(Summary, Rendered), BuildError> {
    let t = std::time::Instant::now();
    let ledger = Ledger::new(parts.repo, parts.settings, plan.as_of);
    let site_map = ledger.site_map(parts.asset_names(), plan.handbook_only);
    // A whole site into an empty folder: its page folders are made on a
    // thread of their own once the checks pass (see `site::folders`).
    let ahead = matches!(
        (&plan.scope, plan.write, plan.handbook_only),
        (Scope::Everything, Write::Fresh { .. }, false)
    )
    .then(|| FoldersAhead::new(plan.dir, render::account_folders(&ledger)));
    let rendered = std::thread::scope(|s| {
        if let Some(ahead) = &ahead {
            s.spawn(|| ahead.make());
        }
        // However the checks and the render end (a panic too: the scope
        // waits for the maker, which may be waiting to be told to go).
        let _stop = ahead.as_ref().map(FoldersAhead::stop_on_drop);
        check_then_render(parts, plan, &ledger, &site_map, ahead.as_ref(), t)
    });
    let (rendered, warnings) = rendered?;
    let summary = Summary {
        pages: rendered.pages,
        rendered: rendered.rendered,
        files: rendered.file_count,
        warnings,
    };
    Ok((summary, rendered))
}

/// [`check_and_render`]'s work on the evaluated records: the checks (errors
/// stop here), then the render. Returns the warnings with what it rendered.
fn check_then_render(
    parts: &Parts,
    plan: &Plan,
    ledger: &Ledger,
    site_map: &crate::load::site_map::Site,
    ahead: Option<&FoldersAhead>,
    started: std::time::Instant,
) -> Result<(Rendered, Vec<Diagnostic>), BuildError> {
    // The history's facts do not depend on the checks: read side by side,
    // the checks' serial parts leave no core idle.
    let ((errors, mut warnings), history) = rayon::join(
        || {
            let (errors, warnings): (Vec<Diagnostic>, Vec<Diagnostic>) =
                check::check_with(ledger, parts.templates, site_map)
                    .into_iter()
                    .partition(|d| d.severity() == Severity::Error);
            if let Some(ahead) = ahead.filter(|_| errors.is_empty()) {
                ahead.go();
            }
            (errors, warnings)
        },
        || HistoryFacts::of(ledger, parts.history, plan.handbook_only),
    );
    if !errors.is_empty() {
        return Err(BuildError::Records(errors));
    }
    warnings.extend(history.warnings());
    sort_unique(&mut warnings);
    crate::timing("build: check", started);
    let rendered = render::render(
        &Checked {
            ledger,
            history: parts.history,
            site_map,
            warnings: &warnings,
            late: &history.late,
            origins: &history.origins,
            tera: &parts.templates.tera,
            assets: parts.assets,
        },
        plan,
        ahead,
    )?;
    Ok((rendered, warnings))
}

/// What the pages show from the git history besides commits: log entries
/// recorded late (warned about as `check` does, and flagged on the
/// timelines and invoice logs that show them) and who recorded each dated
/// entry of an invoice (its written record).
struct HistoryFacts {
    late: LateIndex,
    origins: crate::history::Origins,
}

impl HistoryFacts {
    fn of(ledger: &Ledger, history: &History, handbook_only: bool) -> HistoryFacts {
        let repo = ledger.repo;
        let records = ledger.record_files();
        let (late, origins) = rayon::join(
            || late_index(history.late_records(repo)),
            || {
                // The written records are client pages: none in a handbook.
                if handbook_only {
                    Default::default()
                } else {
                    history.record_origins(repo, |f| records.contains(f))
                }
            },
        );
        HistoryFacts { late, origins }
    }

    /// The W010 warnings of the late log entries.
    fn warnings(&self) -> impl Iterator<Item = Diagnostic> + '_ {
        self.late.values().map(check::history::late_record)
    }
}

/// `folio check`'s whole gate over an opened repository: every rule, the
/// late log entries from `history`, and, when the repository overrides
/// site templates (`templates/site/*.html`) and the records have no error,
/// the whole site rendered and link-checked in memory, so a template that
/// fails on these records, or writes a link to nothing, is an E030
/// diagnostic at the template before a build meets it.
pub fn check_all(s: &session::Session, history: &History) -> Vec<Diagnostic> {
    let templates = Templates::read(Some(&s.root), &s.settings);
    let asset_names = load::templates::asset_paths(&templates.sources);
    let ledger = Ledger::new(&s.repo, &s.settings, s.as_of);
    let site_map = ledger.site_map(asset_names.iter().map(String::as_str), false);
    let mut diags = check::check_with(&ledger, &templates, &site_map);
    let overrides = site_overrides(&s.root);
    if overrides.is_empty() {
        check::history::check(&s.repo, history, &mut diags);
        return diags;
    }
    let facts = HistoryFacts::of(&ledger, history, false);
    diags.extend(facts.warnings());
    sort_unique(&mut diags);
    if diags.iter().any(|d| d.severity() == Severity::Error) {
        return diags;
    }
    // The assets' bytes only now: a render needs them, the checks do not.
    let assets = templates.assets();
    let checked = Checked {
        ledger: &ledger,
        history,
        site_map: &site_map,
        warnings: &diags,
        late: &facts.late,
        origins: &facts.origins,
        tera: &templates.tera,
        assets: &assets,
    };
    let plan = Plan {
        as_of: s.as_of,
        handbook_only: false,
        scope: Scope::Everything,
        dir: Path::new(""),
        write: Write::Nowhere,
    };
    let problem = match render::render(&checked, &plan, None) {
        Err(BuildError::Template { name, at, message }) => {
            Some(template_problem(&overrides, name, at, message))
        }
        _ => None,
    };
    diags.extend(problem);
    diags
}

/// The E030 for a site template that failed while rendering: blames the
/// template named when it is the repository's, at the place Tera points at
/// when that is in it; a built-in one failed through an override it uses.
fn template_problem(
    overrides: &[String],
    name: String,
    at: Option<(String, Pos)>,
    message: String,
) -> Diagnostic {
    let (file, pos) = match at {
        Some((failed, pos)) if overrides.contains(&failed) => (failed, pos),
        _ if overrides.contains(&name) => (name, Pos::START),
        _ => (overrides[0].clone(), Pos::START),
    };
    Diagnostic::new(
        Code::InvalidTemplate,
        format!("templates/{file}"),
        pos,
        format!("the site does not build with this template: {message}"),
        "fix the override (every variable it uses must exist on every page it renders), or delete it to use the built-in template",
    )
}

/// The repository's own site templates, by name under `templates/`.
fn site_overrides(root: &Path) -> Vec<String> {
    if root.as_os_str().is_empty() {
        return vec![];
    }
    let dir = root.join("templates/site");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return vec![];
    };
    let mut names: Vec<String> = entries
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .map(|e| format!("site/{}", e.file_name().to_string_lossy()))
        .filter(|n| load::templates::is_tera_template(n))
        .collect();
    names.sort();
    names
}
