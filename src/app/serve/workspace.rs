//! The served workspace: a private temporary folder that holds the built
//! sites (never the user's `public/`), and the sites in it. Each full build
//! goes into a new `site-N` folder; the replaced one is deleted in the
//! background once no request reads it any more.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::Sender;
use std::sync::{Arc, Mutex, RwLock};

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

/// The built sites of a workspace: the one being served, and the numbering
/// of the next.
pub struct Sites {
    /// The workspace folder, which holds every built site.
    workspace: PathBuf,
    /// The site being served: the last good build.
    current: RwLock<Option<Arc<SiteDir>>>,
    /// Numbers the build folders (`site-1`, `site-2`, ...).
    builds: AtomicU64,
    /// Where old sites go to be removed, off the requests' and builds' path.
    remover: Mutex<Sender<PathBuf>>,
}

impl Sites {
    /// No site yet in `workspace`.
    pub fn new(workspace: &Path) -> Sites {
        Sites {
            workspace: workspace.to_path_buf(),
            current: RwLock::new(None),
            builds: AtomicU64::new(0),
            remover: Mutex::new(start_remover()),
        }
    }

    /// The workspace folder.
    pub fn workspace(&self) -> &Path {
        &self.workspace
    }

    /// The site being served, if a build has succeeded yet. A request holds
    /// it until answered, so the folder is not removed under it.
    pub fn current(&self) -> Option<Arc<SiteDir>> {
        self.current
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// A folder for the next build; it does not exist yet, so the build has
    /// no old site to swap out and delete before it is done.
    pub fn next_folder(&self) -> PathBuf {
        let n = self.builds.fetch_add(1, Ordering::SeqCst) + 1;
        self.workspace.join(format!("site-{n}"))
    }

    /// Serves `folder` from now on; the previous site is removed once the
    /// requests reading it are done.
    pub fn publish(&self, folder: PathBuf) {
        let remover = self
            .remover
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        let site = Arc::new(SiteDir { folder, remover });
        *self.current.write().unwrap_or_else(|e| e.into_inner()) = Some(site);
    }
}

/// One built site. Each build goes into a new folder: removing the old
/// 60,000 pages takes seconds, and that is done in the background (when the
/// last request holding this value lets go) instead of before the new site
/// can be served.
pub struct SiteDir {
    folder: PathBuf,
    remover: Sender<PathBuf>,
}

impl SiteDir {
    /// The folder holding this site.
    pub fn folder(&self) -> &Path {
        &self.folder
    }
}

impl Drop for SiteDir {
    fn drop(&mut self) {
        let _ = self.remover.send(std::mem::take(&mut self.folder));
    }
}

/// The thread that deletes replaced sites; it ends when the last sender
/// (the sites and the value handing them out) is gone.
fn start_remover() -> Sender<PathBuf> {
    let (tx, rx) = std::sync::mpsc::channel::<PathBuf>();
    std::thread::spawn(move || {
        for folder in rx {
            let _ = fs::remove_dir_all(folder);
        }
    });
    tx
}
