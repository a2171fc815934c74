//! `folio serve`: build the site into a folder folio owns, serve it on
//! 127.0.0.1, rebuild when the records change and reload open pages.
//!
//! The parts, one job each:
//! - [`workspace`]: a private folder (on /dev/shm on Linux, else the system
//!   temp dir; `FOLIO_SERVE_DIR` overrides) that holds the built sites
//!   (never the user's `public/`), removed when serving stops. Each full
//!   build goes into a new `site-N` folder; the replaced one is deleted in
//!   the background.
//! - [`http`]: a few worker threads answering requests. Only files inside
//!   the served site's folder are served; any path that could leave it is
//!   a 404. Every HTML page gets the reload script.
//! - [`watch`]: file events under the records' own folders, debounced,
//!   trigger a rebuild; without `--as-of`, so does the start of a new day.
//! - [`assets`]: the reload script, the error page and its styles, files
//!   under `templates/serve/` that a repository may override.
//! - this module: the orchestration. [`Server::start`] binds, builds once
//!   and starts the rest; each rebuild updates the served site in place
//!   ([`crate::app::incremental`]) or builds a new one, and while the records
//!   have errors, HTML pages show the diagnostics instead of a stale site.
//!   The reload script brings the site back once fixed.

pub mod assets;
mod http;
pub mod report;
mod watch;
pub mod workspace;

pub use report::{Report, Reporter};

use crate::app::build::Summary;
use crate::app::incremental::{Change, ServedSite};
use crate::app::session::AsOf;
use crate::site::render::BuildError;
use assets::{BrowserAssets, Problem};
use chrono::NaiveDate;
use std::collections::BTreeSet;
use std::fs;
use std::io;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Instant;
use watch::Watcher;
use workspace::{Sites, Workspace};

/// Worker threads answering requests; pages are small files on a local disk.
const WORKERS: usize = 8;

/// What to serve.
#[derive(Clone, Debug)]
pub struct Options {
    /// The records repository.
    pub root: PathBuf,
    /// A fixed day, or today in folio.yaml's time zone at each build.
    pub as_of: AsOf,
    /// 0 picks a free port.
    pub port: u16,
}

/// What is being served, shared by the builder and the request workers.
struct State {
    /// The built sites in the workspace, and the one being served.
    sites: Sites,
    /// Changes after every build; the reload script compares it.
    version: AtomicU64,
    /// Tells this process's versions from an earlier server's on the same port.
    epoch: String,
    /// The error page while the records (or the build) have problems.
    broken: RwLock<Option<Arc<str>>>,
    /// The reload script and the error page's template and styles.
    assets: RwLock<Arc<BrowserAssets>>,
}

impl State {
    fn version(&self) -> String {
        format!("{}-{}", self.epoch, self.version.load(Ordering::SeqCst))
    }

    /// The page HTML requests get instead of the site, if there are problems.
    fn error_page(&self) -> Option<Arc<str>> {
        self.broken
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    fn is_broken(&self) -> bool {
        self.broken
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .is_some()
    }

    fn assets(&self) -> Arc<BrowserAssets> {
        self.assets
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    fn set_assets(&self, assets: BrowserAssets) {
        *self.assets.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(assets);
    }
}

/// What the builder keeps between builds: the records read so far.
type Builder = Arc<Mutex<Option<ServedSite>>>;

/// Brings the served site up to date with `changes` and records the outcome
/// in `state`: in place when only account folders or the handbook changed
/// (the changed pages first, then everything that sums them up), else a full
/// build into a new folder.
fn rebuild(
    root: &Path,
    as_of: AsOf,
    state: &State,
    report: &Reporter,
    site: &mut Option<ServedSite>,
    changes: &BTreeSet<Change>,
) {
    let started = Instant::now();
    if changes.contains(&Change::Everything) {
        // The templates may have changed, serve's own among them.
        state.set_assets(BrowserAssets::read(root));
    }
    // The records in memory can be patched unless folio.yaml or the
    // templates changed, or the git history moved under them.
    let reusable =
        !changes.contains(&Change::Everything) && site.as_ref().is_some_and(|s| !s.history_moved());
    let outcome = match site.as_mut() {
        Some(s) if reusable => {
            let accounts = s.reload(changes);
            let day = s.day(as_of);
            if !s.has_site() {
                // No build has succeeded yet: the whole site, from memory.
                render_new_site(state, s, day)
            } else {
                let healthy = !state.is_broken();
                if healthy && !accounts.is_empty() && s.preview(day, &accounts).is_ok() {
                    // The changed pages are in place: open pages reload now;
                    // what sums up every account follows.
                    state.version.fetch_add(1, Ordering::SeqCst);
                    crate::timing("serve: changed pages", started);
                }
                s.update(day)
            }
        }
        _ => full_build(root, as_of, state, site),
    };
    let broken = match outcome {
        Ok(summary) => {
            report(Report::Built {
                pages: summary.pages,
                rendered: summary.rendered,
                elapsed: started.elapsed(),
                warnings: &summary.warnings,
            });
            None
        }
        Err(BuildError::Records(diags)) => {
            report(Report::Records(&diags));
            Some(error_page(state, report, &Problem::Records(&diags)))
        }
        Err(e @ (BuildError::Refused(_) | BuildError::Failed(_) | BuildError::Template { .. })) => {
            let why = e.to_string();
            report(Report::Failed(&why));
            Some(error_page(state, report, &Problem::Failed(&why)))
        }
    };
    *state.broken.write().unwrap_or_else(|e| e.into_inner()) = broken;
    // After the new site (or error page) is in place, so a page that sees
    // the new version never shows the old content.
    state.version.fetch_add(1, Ordering::SeqCst);
}

/// The error page for `problem`; a repository's error page template that
/// fails is said on the terminal.
fn error_page(state: &State, report: &Reporter, problem: &Problem) -> Arc<str> {
    let (page, warning) = state.assets().error_page(problem);
    if let Some(warning) = warning {
        report(Report::Warning(&warning));
    }
    page.into()
}

/// Reads everything again and renders the whole site into a new folder,
/// which is served once complete.
fn full_build(
    root: &Path,
    as_of: AsOf,
    state: &State,
    site: &mut Option<ServedSite>,
) -> Result<Summary, BuildError> {
    if !root.is_dir() {
        return Err(BuildError::Failed(format!(
            "`{}` is not a folder",
            root.display()
        )));
    }
    *site = None;
    let fresh = site.insert(ServedSite::read(root, as_of));
    // Kept even when rendering fails: the next edit can build on the
    // records read here.
    let day = fresh.day(as_of);
    render_new_site(state, fresh, day)
}

/// Renders the whole site from `site` into a new folder and serves it
/// once complete; a failed render leaves no folder behind.
fn render_new_site(
    state: &State,
    site: &mut ServedSite,
    day: NaiveDate,
) -> Result<Summary, BuildError> {
    let folder = state.sites.next_folder();
    let result = site.render_all(day, &folder);
    match &result {
        Ok(_) => state.sites.publish(folder),
        Err(_) => {
            let _ = fs::remove_dir_all(&folder);
        }
    }
    result
}

/// A running `folio serve`: the HTTP workers and the file watcher.
pub struct Server {
    http: Arc<tiny_http::Server>,
    addr: SocketAddr,
    state: Arc<State>,
    /// Held while a build writes into the workspace, so shutdown never
    /// removes a folder under a running build.
    building: Builder,
    workers: Vec<std::thread::JoinHandle<()>>,
    watcher: Option<Watcher>,
    workspace: Option<Workspace>,
}

impl Server {
    /// Binds 127.0.0.1:`port`, builds the site, starts answering requests and
    /// watching the records.
    pub fn start(opts: &Options, report: Reporter) -> Result<Server, String> {
        if !opts.root.is_dir() {
            return Err(format!("`{}` is not a folder", opts.root.display()));
        }
        let http = tiny_http::Server::http(("127.0.0.1", opts.port))
            .map_err(|e| format!("cannot listen on 127.0.0.1:{}: {e}", opts.port))?;
        let addr = http
            .server_addr()
            .to_ip()
            .ok_or("the server has no IP address")?;
        let workspace =
            Workspace::create().map_err(|e| format!("cannot create a folder for the site: {e}"))?;
        let state = Arc::new(State {
            sites: Sites::new(workspace.dir()),
            version: AtomicU64::new(0),
            epoch: epoch(),
            broken: RwLock::new(None),
            assets: RwLock::new(Arc::new(BrowserAssets::built_in())),
        });
        let building: Builder = Arc::new(Mutex::new(None));
        // Watching starts first, so an edit saved during the first build
        // (long on a large repository) is not missed.
        let watcher = {
            let (state, building, report) = (state.clone(), building.clone(), report.clone());
            let as_of = opts.as_of;
            let served = building.clone();
            let outdated = move || {
                let site = served.lock().unwrap_or_else(|e| e.into_inner());
                site.as_ref().is_some_and(|s| s.is_outdated(as_of))
            };
            Watcher::start(
                &opts.root,
                outdated,
                workspace.dir().to_path_buf(),
                report.clone(),
                move |root, changes| {
                    let mut site = building.lock().unwrap_or_else(|e| e.into_inner());
                    rebuild(root, as_of, &state, &report, &mut site, changes);
                },
            )?
        };
        {
            let mut site = building.lock().unwrap_or_else(|e| e.into_inner());
            let everything = BTreeSet::from([Change::Everything]);
            rebuild(
                &opts.root,
                opts.as_of,
                &state,
                &report,
                &mut site,
                &everything,
            );
        }
        let http = Arc::new(http);
        let workers = http::start_workers(&http, addr, &state, WORKERS);
        Ok(Server {
            http,
            addr,
            state,
            building,
            workers,
            watcher: Some(watcher),
            workspace: Some(workspace),
        })
    }

    /// The address it listens on (the real port when 0 was asked for).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The current build version (what `/__folio/version` answers).
    pub fn version(&self) -> String {
        self.state.version()
    }

    /// Stops watching and serving, and removes the built site.
    pub fn stop(mut self) {
        self.shut_down();
    }

    fn shut_down(&mut self) {
        self.watcher = None;
        self.http.unblock();
        for _ in 1..self.workers.len() {
            self.http.unblock();
        }
        for w in self.workers.drain(..) {
            let _ = w.join();
        }
        let _lock = match self.building.try_lock() {
            Ok(lock) => lock,
            Err(_) => {
                eprintln!("stopping after the build that is running");
                self.building.lock().unwrap_or_else(|e| e.into_inner())
            }
        };
        self.workspace = None;
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.shut_down();
    }
}

/// A per-process tag for build versions.
fn epoch() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!("{:x}", nanos ^ u128::from(std::process::id()))
}

/// Serves until Ctrl-C (or SIGTERM): prints `Serving <dir> at <url>` on
/// stdout once the first build is done.
pub fn run(opts: &Options, report: Reporter) -> Result<(), String> {
    let (stop_tx, stop_rx) = std::sync::mpsc::channel::<()>();
    ctrlc::set_handler(move || {
        let _ = stop_tx.send(());
    })
    .map_err(|e| format!("cannot handle Ctrl-C: {e}"))?;
    let server = Server::start(opts, report)?;
    let shown = fs::canonicalize(&opts.root).unwrap_or_else(|_| opts.root.clone());
    {
        use std::io::Write;
        let mut out = io::stdout().lock();
        let _ = writeln!(
            out,
            "Serving {} at http://{}/ (Ctrl-C stops)",
            shown.display(),
            server.addr()
        );
        let _ = out.flush();
    }
    let _ = stop_rx.recv();
    server.stop();
    Ok(())
}
