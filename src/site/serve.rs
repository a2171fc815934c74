//! `folio serve`: build the site into a folder folio owns, serve it on
//! 127.0.0.1, rebuild when the records change and reload open pages.
//!
//! The pieces:
//! - [`Workspace`]: a private folder (on /dev/shm on Linux, else the system
//!   temp dir; `FOLIO_SERVE_DIR` overrides) that holds the built sites
//!   (never the user's `public/`), removed when serving stops. Each build
//!   goes into a new `site-N` folder; the replaced one is deleted in the
//!   background.
//! - [`Server::start`]: binds 127.0.0.1, builds once, and answers requests
//!   from a few worker threads. Only files inside the output folder are
//!   served; any path that could leave it is a 404.
//! - a watcher thread: file events under the records' own folders, debounced,
//!   trigger a full rebuild (atomic, so readers never see half a site);
//!   without `--as-of`, so does the start of a new day.
//! - the reload script: every served HTML page gets
//!   `<script src="/__folio/reload.js">`, which polls `/__folio/version` and
//!   reloads the page when a build finishes. It is a same-origin external
//!   script, so the pages' Content-Security-Policy (`script-src 'self'`,
//!   `connect-src 'self'`) allows it unchanged.
//! - while the records have errors, HTML pages show the diagnostics instead
//!   of a stale site; the reload script brings the site back once fixed.

use super::build::{self, BuildError};
use super::incremental::{Change, Session};
use super::markdown::inline_code_html;
use super::svg::escape;
use crate::diagnostic::Diagnostic;
use chrono::NaiveDate;
use std::collections::BTreeSet;
use std::fs;
use std::io;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};
use tiny_http::{Header, Method, Request, Response};

/// The URL prefix of folio's own endpoints; the site never has such a folder
/// (hidden and `__` names are not page names).
const PREFIX: &str = "/__folio/";
/// Polls the build version and reloads the page when it changes. The
/// version the page was served with comes in `data-version`, so a build that
/// finishes between serving the page and the first poll is not missed.
const RELOAD_JS: &str = r#"// folio serve: reloads this page when the site is rebuilt.
(function () {
  "use strict";
  var script = document.currentScript;
  var seen = script ? script.getAttribute("data-version") : null;
  var quiet = 300;
  var delay = quiet;
  function again() { setTimeout(poll, delay); }
  function poll() {
    fetch("/__folio/version", { cache: "no-store" })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.text();
      })
      .then(function (version) {
        version = version.trim();
        if (seen === null) { seen = version; }
        if (version !== seen) { window.location.reload(); return; }
        delay = quiet;
        again();
      }, function () {
        // The server is restarting or stopped: ask less often.
        delay = Math.min(delay * 2, 5000);
        again();
      });
  }
  again();
})();
"#;
/// The error page's look (the pages' CSP allows only same-origin styles).
const ERROR_CSS: &str =
    "body { font: 16px/1.5 system-ui, sans-serif; margin: 0; color: #1d1d1f; background: #fff8f6; }
main { max-width: 60rem; margin: 2rem auto; padding: 0 1rem; }
h1 { color: #a4161a; font-size: 1.5rem; }
.diagnostics { padding-left: 1.5rem; }
.diagnostics li { margin: 0 0 1rem; }
.where code { font-weight: 600; }
.code { color: #a4161a; margin-left: .5rem; }
.message code, .hint code { background: #fff; border: 1px solid #e5c4c0; border-radius: 3px; padding: 0 .2rem; }
.hint { color: #555; }
.failure { white-space: pre-wrap; background: #fff; border: 1px solid #e5c4c0; padding: 1rem; }
.note { color: #555; margin-top: 2rem; }
";
/// Worker threads answering requests; pages are small files on a local disk.
const WORKERS: usize = 8;
/// File events closer together than this make one rebuild.
const DEBOUNCE: Duration = Duration::from_millis(40);
/// How often a server without --as-of checks whether the day has changed.
const CLOCK_CHECK: Duration = Duration::from_secs(30);
/// The folders under the records root whose files make up the site.
const WATCHED_FOLDERS: [&str; 3] = ["accounts", "handbook", "templates"];
const CONFIG_FILE: &str = "folio.yaml";

/// What to serve.
#[derive(Clone, Debug)]
pub struct Options {
    /// The records repository.
    pub root: PathBuf,
    /// `None`: today in folio.yaml's time zone, at each build.
    pub as_of: Option<NaiveDate>,
    /// 0 picks a free port.
    pub port: u16,
}

/// How a build went, for the terminal.
pub enum Report<'a> {
    Built {
        pages: usize,
        rendered: usize,
        elapsed: Duration,
        warnings: &'a [Diagnostic],
    },
    Records(&'a [Diagnostic]),
    Failed(&'a str),
    /// Something about serving that the user should know (not a build).
    Warning(&'a str),
}

/// Where build reports go (the command line prints them).
pub type Reporter = Arc<dyn Fn(Report) + Send + Sync>;

// ---------------------------------------------------------------------------
// The workspace: a private temp folder holding the built site.

/// The marker that tells a later `folio serve` this folder is a workspace.
const WORKSPACE_MARKER: &str = ".folio-serve";
const WORKSPACE_PREFIX: &str = "folio-serve-";

/// A folder under the system temp dir that holds the served site; removed
/// (with everything in it) on drop.
pub struct Workspace {
    dir: PathBuf,
}

impl Workspace {
    /// Creates a fresh, private workspace, after removing those left behind
    /// by `folio serve` processes that were killed.
    pub fn create() -> io::Result<Workspace> {
        let temp = workspace_parent();
        remove_abandoned_workspaces(&temp);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let dir = temp.join(format!(
            "{WORKSPACE_PREFIX}{}-{nanos:x}",
            std::process::id()
        ));
        private_dir(&dir)?;
        let workspace = Workspace {
            dir: fs::canonicalize(&dir)?,
        };
        fs::write(
            workspace.dir.join(WORKSPACE_MARKER),
            "The site `folio serve` shows; removed when it stops.\n",
        )?;
        Ok(workspace)
    }

    /// The folder holding the sites.
    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

impl Drop for Workspace {
    fn drop(&mut self) {
        // The remover thread may be deleting an old site inside it at the
        // same moment; a second pass takes what the first one raced with.
        for _ in 0..3 {
            if fs::remove_dir_all(&self.dir).is_ok() || !self.dir.exists() {
                return;
            }
        }
    }
}

/// Where workspaces go: on Linux the shared-memory file system when there
/// is one, since writing a site of 60,000 pages there takes a fraction of
/// the time it takes on disk (and `zola serve` keeps its site in memory
/// too); otherwise the system temp folder. `FOLIO_SERVE_DIR` overrides it.
fn workspace_parent() -> PathBuf {
    if let Some(dir) = std::env::var_os("FOLIO_SERVE_DIR").filter(|d| !d.is_empty()) {
        return PathBuf::from(dir);
    }
    let shm = Path::new("/dev/shm");
    if cfg!(target_os = "linux") && is_shared_temp_folder(shm) {
        return shm.to_path_buf();
    }
    std::env::temp_dir()
}

/// A folder anyone may create entries in but only remove their own (the
/// sticky bit), like /tmp.
fn is_shared_temp_folder(dir: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::symlink_metadata(dir)
            .is_ok_and(|m| m.is_dir() && m.permissions().mode() & 0o1777 == 0o1777)
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        false
    }
}

/// The site holds clients' financial data: only this user may read it.
fn private_dir(dir: &Path) -> io::Result<()> {
    let mut builder = fs::DirBuilder::new();
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

/// Workspaces whose process is gone (`folio-serve-<pid>-...` with the marker).
fn remove_abandoned_workspaces(temp: &Path) {
    let Ok(entries) = fs::read_dir(temp) else {
        return;
    };
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().to_string();
        let Some(pid) = name
            .strip_prefix(WORKSPACE_PREFIX)
            .and_then(|rest| rest.split('-').next())
            .and_then(|pid| pid.parse::<u32>().ok())
        else {
            continue;
        };
        let gone = cfg!(target_os = "linux")
            && pid != std::process::id()
            && !Path::new(&format!("/proc/{pid}")).exists();
        let path = e.path();
        let is_workspace =
            e.file_type().is_ok_and(|t| t.is_dir()) && path.join(WORKSPACE_MARKER).is_file();
        if gone && is_workspace {
            let _ = fs::remove_dir_all(&path);
        }
    }
}

// ---------------------------------------------------------------------------
// What is being served, shared by the builder and the request workers.

struct State {
    /// The workspace folder, which holds every built site.
    workspace: PathBuf,
    /// The site being served: the last good build.
    site: RwLock<Option<Arc<SiteDir>>>,
    /// Numbers the build folders (`site-1`, `site-2`, ...).
    builds: AtomicU64,
    /// Where old sites go to be removed, off the requests' and builds' path.
    remover: Mutex<std::sync::mpsc::Sender<PathBuf>>,
    /// Changes after every build; the reload script compares it.
    version: AtomicU64,
    /// Tells this process's versions from an earlier server's on the same port.
    epoch: String,
    /// The error page while the records (or the build) have problems.
    broken: RwLock<Option<String>>,
}

impl State {
    fn version(&self) -> String {
        format!("{}-{}", self.epoch, self.version.load(Ordering::SeqCst))
    }

    /// The site being served, if a build has succeeded yet.
    fn site(&self) -> Option<Arc<SiteDir>> {
        self.site.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// A folder for the next build; it does not exist yet, so the build has
    /// no old site to swap out and delete before it is done.
    fn next_site_folder(&self) -> PathBuf {
        let n = self.builds.fetch_add(1, Ordering::SeqCst) + 1;
        self.workspace.join(format!("site-{n}"))
    }

    /// Serves `folder` from now on; the previous site is removed once the
    /// requests reading it are done.
    fn publish(&self, folder: PathBuf) {
        let remover = self
            .remover
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        let site = Arc::new(SiteDir { folder, remover });
        *self.site.write().unwrap_or_else(|e| e.into_inner()) = Some(site);
    }
}

/// One built site. Each build goes into a new folder: removing the old
/// 60,000 pages takes seconds, and that is done in the background (when the
/// last request holding this value lets go) instead of before the new site
/// can be served.
struct SiteDir {
    folder: PathBuf,
    remover: std::sync::mpsc::Sender<PathBuf>,
}

impl Drop for SiteDir {
    fn drop(&mut self) {
        let _ = self.remover.send(std::mem::take(&mut self.folder));
    }
}

/// The thread that deletes replaced sites; it ends when the last sender
/// (the server state and the sites it handed out) is gone.
fn start_remover() -> std::sync::mpsc::Sender<PathBuf> {
    let (tx, rx) = std::sync::mpsc::channel::<PathBuf>();
    std::thread::spawn(move || {
        for folder in rx {
            let _ = fs::remove_dir_all(folder);
        }
    });
    tx
}

/// What the builder keeps between builds: the records read so far.
type Builder = Arc<Mutex<Option<Session>>>;

/// Brings the served site up to date with `changes` and records the outcome
/// in `state`: in place when only account folders or the handbook changed
/// (the changed pages first, then everything that sums them up), else a full
/// build into a new folder.
fn rebuild(
    root: &Path,
    as_of: Option<NaiveDate>,
    state: &State,
    report: &Reporter,
    session: &mut Option<Session>,
    changes: &BTreeSet<Change>,
) {
    let started = Instant::now();
    // The records in memory can be patched unless folio.yaml or the
    // templates changed, or the git history moved under them.
    let reusable = !changes.contains(&Change::Everything)
        && session.as_ref().is_some_and(|s| !s.history_moved());
    let outcome = match session.as_mut() {
        Some(s) if reusable => {
            let accounts = s.reload(changes);
            let day = s.as_of(as_of);
            let healthy = state
                .broken
                .read()
                .unwrap_or_else(|e| e.into_inner())
                .is_none();
            if !s.has_site() {
                // No build has succeeded yet: the whole site, from memory.
                render_new_site(state, s, day)
            } else {
                if healthy && !accounts.is_empty() && s.preview(day, &accounts).is_ok() {
                    // The changed pages are in place: open pages reload now;
                    // what sums up every account follows.
                    state.version.fetch_add(1, Ordering::SeqCst);
                    crate::timing("serve: changed pages", started);
                }
                s.update(day)
            }
        }
        _ => full_build(root, as_of, state, session),
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
            Some(error_page(&diagnostic_list(&diags)))
        }
        Err(e @ (BuildError::Refused(_) | BuildError::Failed(_) | BuildError::Template { .. })) => {
            let why = e.to_string();
            report(Report::Failed(&why));
            Some(error_page(&message_block(&why)))
        }
    };
    *state.broken.write().unwrap_or_else(|e| e.into_inner()) = broken;
    // After the new site (or error page) is in place, so a page that sees
    // the new version never shows the old content.
    state.version.fetch_add(1, Ordering::SeqCst);
}

/// Reads everything again and renders the whole site into a new folder,
/// which is served once complete.
fn full_build(
    root: &Path,
    as_of: Option<NaiveDate>,
    state: &State,
    session: &mut Option<Session>,
) -> Result<build::Summary, BuildError> {
    if !root.is_dir() {
        return Err(BuildError::Failed(format!(
            "`{}` is not a folder",
            root.display()
        )));
    }
    *session = None;
    let fresh = session.insert(Session::read(root)?);
    // Kept even when rendering fails: the next edit can build on the
    // records read here.
    let day = fresh.as_of(as_of);
    render_new_site(state, fresh, day)
}

/// Renders the whole site from `session` into a new folder and serves it
/// once complete; a failed render leaves no folder behind.
fn render_new_site(
    state: &State,
    session: &mut Session,
    day: NaiveDate,
) -> Result<build::Summary, BuildError> {
    let folder = state.next_site_folder();
    let result = session.render_all(day, &folder);
    match &result {
        Ok(_) => state.publish(folder),
        Err(_) => {
            let _ = fs::remove_dir_all(&folder);
        }
    }
    result
}

// ---------------------------------------------------------------------------
// The server.

/// A running `folio serve`: the HTTP workers and the file watcher.
pub struct Server {
    http: Arc<tiny_http::Server>,
    addr: SocketAddr,
    state: Arc<State>,
    /// Held while a build writes into the workspace, so shutdown never
    /// removes a folder under a running build.
    building: Builder,
    workers: Vec<std::thread::JoinHandle<()>>,
    _watcher: Option<Watcher>,
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
            workspace: workspace.dir().to_path_buf(),
            site: RwLock::new(None),
            builds: AtomicU64::new(0),
            remover: Mutex::new(start_remover()),
            version: AtomicU64::new(0),
            epoch: epoch(),
            broken: RwLock::new(None),
        });
        let building: Builder = Arc::new(Mutex::new(None));
        // Watching starts first, so an edit saved during the first build
        // (long on a large repository) is not missed.
        let watcher = Watcher::start(opts, state.clone(), building.clone(), report.clone())?;
        {
            let mut session = building.lock().unwrap_or_else(|e| e.into_inner());
            let everything = BTreeSet::from([Change::Everything]);
            rebuild(
                &opts.root,
                opts.as_of,
                &state,
                &report,
                &mut session,
                &everything,
            );
        }
        let http = Arc::new(http);
        let workers = (0..WORKERS)
            .map(|_| {
                let http = http.clone();
                let state = state.clone();
                std::thread::spawn(move || {
                    while let Ok(request) = http.recv() {
                        answer(&state, addr, request);
                    }
                })
            })
            .collect();
        Ok(Server {
            http,
            addr,
            state,
            building,
            workers,
            _watcher: Some(watcher),
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
        self._watcher = None;
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

// ---------------------------------------------------------------------------
// Watching the records.

/// Rebuilds on changes to folio.yaml and the records' folders; hidden
/// entries (`.git`, editor swap files), reads, and everything else under the
/// root (such as a `public/` site from `folio build`) are ignored. Only those
/// folders are watched recursively, so a large `.git` costs no watches.
struct Watcher {
    _watcher: Arc<Mutex<notify::RecommendedWatcher>>,
}

/// Watches the records' folders that exist and are not watched yet (a
/// `templates/` folder may be created while serving).
fn watch_folders(
    watcher: &Mutex<notify::RecommendedWatcher>,
    root: &Path,
    watched: &mut Vec<&'static str>,
    report: &Reporter,
) {
    use notify::{RecursiveMode, Watcher as _};
    let mut watcher = watcher.lock().unwrap_or_else(|e| e.into_inner());
    for name in WATCHED_FOLDERS {
        let dir = root.join(name);
        let present = dir.is_dir();
        let known = watched.contains(&name);
        if present && !known {
            match watcher.watch(&dir, RecursiveMode::Recursive) {
                Ok(()) => watched.push(name),
                // Tried again before each rebuild; said each time, since
                // edits there are not seen until it works.
                Err(e) => report(Report::Warning(&format!(
                    "cannot watch `{name}/` for changes ({e}); edits there do not rebuild the site{}",
                    if matches!(e.kind, notify::ErrorKind::MaxFilesWatch) {
                        " (raise the limit: sysctl fs.inotify.max_user_watches)"
                    } else {
                        ""
                    }
                ))),
            }
        } else if !present && known {
            let _ = watcher.unwatch(&dir);
            watched.retain(|w| *w != name);
        }
    }
}

/// What a file event changes in the site: nothing for reads (the build
/// itself opens every record) and for paths outside the records.
fn changes(root: &Path, workspace: Option<&Path>, event: &notify::Event) -> Vec<Change> {
    use notify::EventKind;
    use notify::event::{AccessKind, AccessMode};
    let writes = match event.kind {
        EventKind::Access(AccessKind::Close(AccessMode::Write)) => true,
        EventKind::Access(_) => false,
        _ => true,
    };
    if !writes {
        return vec![];
    }
    event
        .paths
        .iter()
        .filter(|p| workspace.is_none_or(|w| !p.starts_with(w)) && is_record_path(root, p))
        .filter_map(|p| {
            let rel = crate::load::walk::relative(root, p)?;
            // A path folio cannot place (not UTF-8, say) rebuilds everything.
            Some(Change::of(&rel).unwrap_or(Change::Everything))
        })
        .collect()
}

impl Watcher {
    fn start(
        opts: &Options,
        state: Arc<State>,
        building: Builder,
        report: Reporter,
    ) -> Result<Watcher, String> {
        use notify::{RecursiveMode, Watcher as _};
        let root = fs::canonicalize(&opts.root).map_err(|e| e.to_string())?;
        let (tx, rx) = std::sync::mpsc::channel::<notify::Result<notify::Event>>();
        let cannot = |e: notify::Error| format!("cannot watch the records: {e}");
        let mut watcher = notify::recommended_watcher(tx).map_err(cannot)?;
        watcher
            .watch(&root, RecursiveMode::NonRecursive)
            .map_err(cannot)?;
        let watcher = Arc::new(Mutex::new(watcher));
        let mut watched = vec![];
        watch_folders(&watcher, &root, &mut watched, &report);
        // The thread holds the watcher weakly: dropping `Watcher` drops it,
        // which closes the channel and ends the thread.
        let weak = Arc::downgrade(&watcher);
        let as_of = opts.as_of;
        let workspace = Some(state.workspace.clone());
        std::thread::spawn(move || {
            let changes_of = |event: &notify::Result<notify::Event>| -> Vec<Change> {
                match event {
                    Ok(e) if e.need_rescan() => vec![Change::Everything],
                    Ok(e) => changes(&root, workspace.as_deref(), e),
                    // Events were lost: only a full build is sure to be right.
                    Err(_) => vec![Change::Everything],
                }
            };
            use std::sync::mpsc::RecvTimeoutError;
            // Without --as-of, stages move with the calendar: a server left
            // running past midnight rebuilds for the new day.
            let mut built_for = as_of.is_none().then(|| today(&root));
            loop {
                let mut pending: BTreeSet<Change> = BTreeSet::new();
                match rx.recv_timeout(CLOCK_CHECK) {
                    Ok(event) => {
                        pending.extend(changes_of(&event));
                        if pending.is_empty() {
                            continue;
                        }
                    }
                    Err(RecvTimeoutError::Timeout) => {
                        if built_for.is_none_or(|day| day == today(&root)) {
                            continue;
                        }
                        pending.insert(Change::Everything);
                    }
                    Err(RecvTimeoutError::Disconnected) => return,
                }
                // Debounce: an editor's save or a `git checkout` is many
                // events; wait until they stop for a moment.
                loop {
                    match rx.recv_timeout(DEBOUNCE) {
                        Ok(event) => pending.extend(changes_of(&event)),
                        Err(RecvTimeoutError::Timeout) => break,
                        Err(RecvTimeoutError::Disconnected) => return,
                    }
                }
                if let Some(watcher) = weak.upgrade() {
                    watch_folders(&watcher, &root, &mut watched, &report);
                }
                let mut session = building.lock().unwrap_or_else(|e| e.into_inner());
                if built_for.is_some() {
                    built_for = Some(today(&root));
                }
                // The reads this build makes come back as events; `changes`
                // ignores them.
                rebuild(&root, as_of, &state, &report, &mut session, &pending);
            }
        });
        Ok(Watcher { _watcher: watcher })
    }
}

/// Today in folio.yaml's time zone, as a build without --as-of computes it
/// (only folio.yaml is read).
fn today(root: &Path) -> NaiveDate {
    let repo = crate::load::load_from(&crate::load::FsSource(root), vec![CONFIG_FILE.into()]);
    crate::ladder::Settings::from_config(repo.config.as_ref().map(|c| &c.data)).today()
}

/// Whether a changed path can change the site: folio.yaml, or a non-hidden
/// entry inside one of the records' folders (or the folder itself).
fn is_record_path(root: &Path, path: &Path) -> bool {
    let Ok(rel) = path.strip_prefix(root) else {
        return false;
    };
    let mut parts = rel.components().map(|c| c.as_os_str().to_string_lossy());
    let Some(first) = parts.next() else {
        return false;
    };
    if first == CONFIG_FILE {
        return true;
    }
    WATCHED_FOLDERS.contains(&first.as_ref())
        && rel
            .components()
            .all(|c| !c.as_os_str().to_string_lossy().starts_with('.'))
}

// ---------------------------------------------------------------------------
// Requests.

/// What a request asks for.
#[derive(Debug, PartialEq, Eq)]
enum Target {
    /// A file inside the site, by its path segments (an empty list is the root).
    File { segments: Vec<String>, folder: bool },
    /// One of folio's own endpoints, by name.
    Folio(String),
    /// Anything that is not a safe path inside the site.
    NotFound,
}

/// Parses a request target (`/a/b%20c/?q`) into safe path segments. A
/// segment that is empty (`//`), hidden or `.`/`..`, or whose decoded form
/// holds `/`, `\`, `:` or NUL, or an invalid escape, makes the whole path
/// not found: nothing outside the site folder is ever reachable.
fn target(url: &str) -> Target {
    let path = url.split(['?', '#']).next().unwrap_or("");
    let Some(rest) = path.strip_prefix('/') else {
        return Target::NotFound;
    };
    if let Some(name) = path.strip_prefix(PREFIX) {
        return Target::Folio(name.to_string());
    }
    let folder = rest.is_empty() || rest.ends_with('/');
    let rest = rest.strip_suffix('/').unwrap_or(rest);
    if rest.is_empty() {
        return Target::File {
            segments: vec![],
            folder,
        };
    }
    let mut segments = vec![];
    for raw in rest.split('/') {
        match decode_segment(raw) {
            Some(s) => segments.push(s),
            None => return Target::NotFound,
        }
    }
    Target::File { segments, folder }
}

/// One percent-decoded path segment, if it is a plain file or folder name.
fn decode_segment(raw: &str) -> Option<String> {
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    let s = String::from_utf8(out).ok()?;
    let plain = !s.is_empty()
        && !s.starts_with('.')
        && !s.contains(['/', '\\', ':', '\0'])
        && !s.chars().any(char::is_control);
    plain.then_some(s)
}

/// The Host header names this machine (a page on another site that rebinds
/// its DNS name to 127.0.0.1 must not read the records' data).
fn host_is_local(request: &Request) -> bool {
    let Some(host) = request
        .headers()
        .iter()
        .find(|h| h.field.equiv("Host"))
        .map(|h| h.value.as_str().to_ascii_lowercase())
    else {
        return true;
    };
    let name = match host.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or(""),
        None => host.split(':').next().unwrap_or(""),
    };
    matches!(name, "127.0.0.1" | "localhost" | "::1")
}

fn header(name: &str, value: &str) -> Header {
    Header::from_bytes(name.as_bytes(), value.as_bytes()).expect("static header is valid")
}

/// A response with the headers every answer carries.
fn respond(request: Request, status: u16, content_type: &str, body: Vec<u8>) {
    let response = Response::from_data(body)
        .with_status_code(status)
        .with_header(header("Content-Type", content_type))
        .with_header(header("Cache-Control", "no-store"))
        .with_header(header("X-Content-Type-Options", "nosniff"));
    // A client that went away mid-response is not the server's problem.
    let _ = request.respond(response);
}

fn answer(state: &State, addr: SocketAddr, request: Request) {
    if !host_is_local(&request) {
        return respond(
            request,
            403,
            "text/plain; charset=utf-8",
            b"Forbidden\n".to_vec(),
        );
    }
    if !matches!(request.method(), Method::Get | Method::Head) {
        let response = Response::from_data(b"Only GET and HEAD\n".to_vec())
            .with_status_code(405)
            .with_header(header("Allow", "GET, HEAD"));
        let _ = request.respond(response);
        return;
    }
    // The version is read before the page, so a page never looks newer
    // than the version it carries (at worst it reloads once more).
    let version = state.version();
    match target(request.url()) {
        Target::Folio(name) => folio_endpoint(&version, request, &name),
        Target::NotFound => not_found(request, &version),
        Target::File { segments, folder } => {
            serve_file(state, &version, addr, request, &segments, folder)
        }
    }
}

fn folio_endpoint(version: &str, request: Request, name: &str) {
    match name {
        "version" => respond(request, 200, "text/plain; charset=utf-8", version.into()),
        "reload.js" => respond(
            request,
            200,
            "text/javascript; charset=utf-8",
            RELOAD_JS.into(),
        ),
        "error.css" => respond(request, 200, "text/css; charset=utf-8", ERROR_CSS.into()),
        _ => not_found(request, version),
    }
}

fn not_found(request: Request, version: &str) {
    let page = with_reload(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Not found</title></head>\n<body><p>Not found.</p></body></html>\n",
        version,
    );
    respond(request, 404, "text/html; charset=utf-8", page.into_bytes());
}

fn serve_file(
    state: &State,
    version: &str,
    addr: SocketAddr,
    request: Request,
    segments: &[String],
    folder: bool,
) {
    // Held until the answer is read, so the site is not removed under it.
    let site = state.site();
    let base = site.as_ref().map_or(&state.workspace, |s| &s.folder);
    let mut path = base.clone();
    path.extend(segments);
    let is_dir = site.is_some() && path.is_dir();
    if is_dir && !folder {
        // Pages link relatively (`../../assets/`), so a folder's page must
        // be read at its URL with the trailing slash.
        let location = format!(
            "http://{addr}{}/",
            request.url().split('?').next().unwrap_or("")
        );
        let response = Response::from_data(Vec::new())
            .with_status_code(301)
            .with_header(header("Location", &location));
        let _ = request.respond(response);
        return;
    }
    if folder {
        // A folder's page (even before any build succeeded, so the error
        // page shows at `/`).
        path.push("index.html");
    }
    let is_html = path.extension().is_some_and(|e| e == "html");
    if is_html
        && let Some(page) = state
            .broken
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .as_deref()
    {
        let page = with_reload(page, version);
        return respond(request, 500, "text/html; charset=utf-8", page.into_bytes());
    }
    if segments == ["favicon.ico"] && !path.exists() {
        // Browsers ask for it on their own; a site without one should not
        // fill the console with 404s while previewing.
        let _ = request.respond(Response::empty(204));
        return;
    }
    if site.is_none() || !inside(base, &path) {
        return not_found(request, version);
    }
    let Ok(bytes) = fs::read(&path) else {
        return not_found(request, version);
    };
    let content_type = content_type(&path);
    let body = if is_html {
        with_reload(&String::from_utf8_lossy(&bytes), version).into_bytes()
    } else {
        bytes
    };
    respond(request, 200, content_type, body);
}

/// Whether `path`, with symlinks resolved, is a file inside `site` (the
/// build writes no links; this guards against any that appear).
fn inside(site: &Path, path: &Path) -> bool {
    match (fs::canonicalize(site), fs::canonicalize(path)) {
        (Ok(site), Ok(path)) => path.starts_with(site) && path.is_file(),
        _ => false,
    }
}

fn content_type(path: &Path) -> &'static str {
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "html" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "svg" => "image/svg+xml",
        "ics" => "text/calendar; charset=utf-8",
        "txt" | "md" => "text/plain; charset=utf-8",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        "xml" => "application/xml",
        "pdf" => "application/pdf",
        _ => "application/octet-stream",
    }
}

/// The page with the reload script before its closing `</body>` (or at the
/// end when it has none).
fn with_reload(html: &str, version: &str) -> String {
    let tag = format!(
        "<script src=\"{PREFIX}reload.js\" data-version=\"{}\"></script>\n",
        escape(version)
    );
    let at = html
        .to_ascii_lowercase()
        .rfind("</body>")
        .unwrap_or(html.len());
    let mut out = String::with_capacity(html.len() + tag.len());
    out.push_str(&html[..at]);
    out.push_str(&tag);
    out.push_str(&html[at..]);
    out
}

// ---------------------------------------------------------------------------
// The error page.

fn error_page(body: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'\">\n\
<title>The records have errors · folio serve</title>\n\
<link rel=\"stylesheet\" href=\"{PREFIX}error.css\">\n</head>\n<body>\n<main>\n\
<h1>The site was not rebuilt</h1>\n{body}\
<p class=\"note\">Fix the records and save; this page reloads by itself.</p>\n\
</main>\n</body>\n</html>\n"
    )
}

fn diagnostic_list(diags: &[Diagnostic]) -> String {
    let esc = escape;
    let mut out = format!(
        "<p>The records have {} error{}, so the site shows this page instead of an outdated one.</p>\n<ol class=\"diagnostics\">\n",
        diags.len(),
        if diags.len() == 1 { "" } else { "s" }
    );
    for d in diags {
        out.push_str(&format!(
            "<li><div class=\"where\"><code>{}:{}:{}</code> <span class=\"code\">{} {}</span></div>\n\
<div class=\"message\">{}</div>\n<div class=\"hint\">hint: {}</div></li>\n",
            esc(&d.file),
            d.pos.line,
            d.pos.column,
            esc(d.code.id()),
            esc(d.code.name()),
            inline_code_html(&d.message),
            inline_code_html(&d.hint),
        ));
    }
    out.push_str("</ol>\n");
    out
}

fn message_block(why: &str) -> String {
    format!("<pre class=\"failure\">{}</pre>\n", escape(why))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(segments: &[&str], folder: bool) -> Target {
        Target::File {
            segments: segments.iter().map(|s| s.to_string()).collect(),
            folder,
        }
    }

    #[test]
    fn targets_stay_inside_the_site() {
        assert_eq!(target("/"), file(&[], true));
        assert_eq!(target("/index.html?x=1"), file(&["index.html"], false));
        assert_eq!(target("/accounts/acme/"), file(&["accounts", "acme"], true));
        assert_eq!(target("/a%20b/c"), file(&["a b", "c"], false));
        assert_eq!(target("/__folio/version"), Target::Folio("version".into()));
        for bad in [
            "",
            "index.html",
            "/../etc/passwd",
            "/a/../../x",
            "/%2e%2e/x",
            "/%2E%2E%2Fetc",
            "/a%2fb",
            "/a%5cb",
            "/..\\x",
            "/a\\b",
            "/a%00b",
            "//etc/passwd",
            "/a//b",
            "/c:/x",
            "/.folio-site",
            "/.git/config",
            "/%zz",
            "/%c3",
            "/./index.html",
        ] {
            assert_eq!(target(bad), Target::NotFound, "{bad:?}");
        }
    }

    #[test]
    fn reload_goes_before_the_body_end() {
        let page = with_reload("<html><body><p>x</p></body></html>", "v1");
        assert_eq!(
            page,
            "<html><body><p>x</p><script src=\"/__folio/reload.js\" data-version=\"v1\"></script>\n</body></html>"
        );
        assert!(with_reload("<p>bare</p>", "v").ends_with("</script>\n"));
    }

    #[test]
    fn record_paths() {
        let root = Path::new("/r");
        assert!(is_record_path(root, Path::new("/r/folio.yaml")));
        assert!(is_record_path(
            root,
            Path::new("/r/accounts/a/invoices/x.md")
        ));
        assert!(is_record_path(root, Path::new("/r/templates")));
        assert!(!is_record_path(root, Path::new("/r/accounts/a/.x.md.swp")));
        assert!(!is_record_path(root, Path::new("/r/.git/index")));
        assert!(!is_record_path(root, Path::new("/r/public/index.html")));
        assert!(!is_record_path(root, Path::new("/elsewhere/folio.yaml")));
    }

    #[test]
    fn error_pages_escape_what_they_show() {
        let d = Diagnostic::new(
            crate::diagnostic::Code::UnknownKey,
            "accounts/<x>/account.md",
            crate::diagnostic::Pos::new(3, 1),
            "unknown key `<script>`".to_string(),
            "remove it & retry",
        );
        let page = error_page(&diagnostic_list(&[d]));
        assert!(page.contains("accounts/&lt;x&gt;/account.md:3:1"), "{page}");
        assert!(page.contains("unknown key <code>&lt;script&gt;</code>"));
        assert!(!page.contains("<script>"));
        assert!(page.contains("remove it &amp; retry"));
    }

    #[test]
    fn today_is_read_in_the_records_time_zone() {
        let dir = |zone: &str| {
            let d = tempfile::tempdir().unwrap();
            fs::write(
                d.path().join(CONFIG_FILE),
                format!("company: Test\ntimezone: {zone}\n"),
            )
            .unwrap();
            d
        };
        // UTC+14 and UTC-11 are always on different dates.
        let east = dir("Pacific/Kiritimati");
        let west = dir("Pacific/Pago_Pago");
        assert!(today(east.path()) > today(west.path()));
        let utc = chrono::Utc::now().date_naive();
        let none = tempfile::tempdir().unwrap();
        assert!((today(none.path()) - utc).num_days().abs() <= 1);
    }
}
