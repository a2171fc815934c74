//! Helpers for the command-line tests: fixture repositories written into a
//! temporary folder, a runner for the real `folio` binary that proves record
//! files are never modified, and a JSON "includes" assertion.

#![allow(dead_code)] // not every helper is used by every module

use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::SystemTime;

/// A folio.yaml with two people, a Portuguese calendar and defaults.
pub const FOLIO_YAML: &str = "\
company: Test Agency
currency: EUR
timezone: UTC
people:
  ana: { name: Ana Lima, email: ana@example.com, roles: [producer] }
  rui: { name: Rui Costa, email: rui@example.com, roles: [finance, account_manager] }
calendars:
  pt:
    weekend: [sat, sun]
    holidays: [2026-12-01, 2026-12-08, 2026-12-25]
default_calendar: pt
default_terms: 30 days
default_policy: agency
";

/// An active account with a complete handover brief and no cadence, so a
/// fixture built on it has no warnings of its own.
pub const ACCOUNT: &str = "\
---
name: Acme Corp
status: active
since: 2026-01-05
roles:
  producer: ana
  account_manager: rui
billing:
  email: finance@acme.example
contacts:
  - { name: John Doe, email: john@acme.example, role: finance }
handover:
  why_they_bought: A new website before the spring campaign.
  problem: The old site is slow.
  success: Launch by March.
  buyer: John Doe
  influencers: The marketing team.
  roadblocks: Legal review of the copy.
---
Relationship notes.
";

pub const PROJECT: &str = "\
---
name: Website redesign
status: active
start: 2026-09-01
budget: 24000
milestones:
  - { name: Prepayment, share: 50%, due: 2026-10-01 }
  - { name: Launch, share: 50% }
---
Scope.
";

/// A minimal valid invoice of `acme`, due in the future of every test date.
pub fn invoice(number: &str, extra: &str) -> String {
    format!("---\nnumber: {number}\nissued: 2026-10-01\namount: 1000\n{extra}---\nNotes.\n")
}

/// A records repository in a temporary folder.
pub struct Fixture {
    dir: tempfile::TempDir,
}

impl Fixture {
    /// folio.yaml, the `acme` account and its `website-redesign` project.
    pub fn new() -> Fixture {
        let f = Fixture::empty();
        f.write("folio.yaml", FOLIO_YAML);
        f.write("accounts/acme/account.md", ACCOUNT);
        f.write("accounts/acme/projects/website-redesign.md", PROJECT);
        f
    }

    /// An empty folder.
    pub fn empty() -> Fixture {
        Fixture {
            dir: tempfile::tempdir().expect("temporary folder"),
        }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Writes a file (creating folders); returns self for chaining.
    pub fn write(&self, rel: &str, contents: impl AsRef<[u8]>) -> &Fixture {
        let path = self.dir.path().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, contents).unwrap();
        self
    }

    pub fn read(&self, rel: &str) -> Vec<u8> {
        std::fs::read(self.dir.path().join(rel)).unwrap()
    }

    /// Runs `folio -C <fixture> --color never ARGS` and asserts that no file
    /// of the fixture changed (bytes and modification time) and none was
    /// added.
    pub fn run(&self, args: &[&str]) -> Run {
        let before = snapshot(self.path());
        let run = self.run_writing(args);
        let after = snapshot(self.path());
        assert_unchanged(&before, &after, args);
        assert_eq!(
            before.keys().collect::<Vec<_>>(),
            after.keys().collect::<Vec<_>>(),
            "folio {args:?} added or removed files"
        );
        run
    }

    /// Like [`Fixture::run`] for commands that create files (`new`, `init`):
    /// every file that existed before is still byte-for-byte the same.
    pub fn run_writing(&self, args: &[&str]) -> Run {
        let before = snapshot(self.path());
        let mut all = vec!["-C", self.path().to_str().unwrap(), "--color", "never"];
        all.extend_from_slice(args);
        let run = folio(&all);
        assert_unchanged(&before, &snapshot(self.path()), args);
        run
    }

    /// `check --format json` as of 2026-10-27: the exit status and the
    /// document. The rules run in process (the binary adds nothing to
    /// them; `output.rs` runs it), with or without `--strict`; other
    /// arguments go to the binary.
    pub fn check_json(&self, extra: &[&str]) -> (i32, Value) {
        if extra.iter().all(|a| *a == "--strict") {
            return self.check_in_process(!extra.is_empty());
        }
        let mut args = vec!["--as-of", "2026-10-27", "check", "--format", "json"];
        args.extend_from_slice(extra);
        let run = self.run(&args);
        (run.code, run.json())
    }

    /// What `folio --as-of 2026-10-27 check --format json [--strict]`
    /// prints and exits with, run in this process: the same gate
    /// (`app::build::check_all`), renderer and exit rule as the binary.
    /// Asserts that no file changed, as [`Fixture::run`] does.
    fn check_in_process(&self, strict: bool) -> (i32, Value) {
        use folio::app::session::{self, AsOf};
        use folio::diagnostic::render;
        let before = snapshot(self.path());
        let as_of = chrono::NaiveDate::from_ymd_opt(2026, 10, 27).unwrap();
        let s = session::open(self.path(), AsOf::Day(as_of)).expect("a folder");
        let history = folio::history::read(self.path());
        let diags = folio::app::build::check_all(&s, &history);
        let place = render::Place {
            root: self.path(),
            in_repository: "",
        };
        let json = render::render(&diags, render::Format::Json, &place, false);
        let after = snapshot(self.path());
        assert_unchanged(&before, &after, &["check"]);
        assert_eq!(before.len(), after.len(), "check added or removed files");
        let code = i32::from(folio::cli::check::fails(&diags, strict));
        (code, serde_json::from_str(&json).expect("JSON"))
    }

    /// `status --format json` as of `as_of`, which must succeed.
    pub fn status_json(&self, as_of: &str, extra: &[&str]) -> Value {
        let mut args = vec!["--as-of", as_of, "status", "--format", "json"];
        args.extend_from_slice(extra);
        let run = self.run(&args);
        assert_eq!(run.code, 0, "status failed: {}", run.stderr);
        run.json()
    }
}

/// The outcome of one folio run.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not JSON ({e}):\n{}\nstderr:\n{}",
                self.stdout, self.stderr
            )
        })
    }
}

/// Runs the folio binary built for these tests.
pub fn folio(args: &[&str]) -> Run {
    let out: Output = Command::new(env!("CARGO_BIN_EXE_folio"))
        .args(args)
        .env_remove("NO_COLOR")
        .output()
        .expect("run folio");
    Run {
        code: out.status.code().expect("folio was killed by a signal"),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Runs folio on a repository that is not a temporary fixture (the bundled
/// example-accounts) and asserts that none of its records or templates
/// changed. Build output folders inside it are not looked at.
pub fn folio_on(root: &Path, args: &[&str]) -> Run {
    let records = |all: BTreeMap<PathBuf, (Vec<u8>, SystemTime)>| {
        all.into_iter()
            .filter(|(p, _)| {
                let rel = p.strip_prefix(root).unwrap();
                ["folio.yaml", "accounts", "handbook", "templates"]
                    .iter()
                    .any(|top| rel.starts_with(top))
            })
            .collect::<BTreeMap<_, _>>()
    };
    let before = records(snapshot(root));
    let mut all = vec!["-C", root.to_str().unwrap(), "--color", "never"];
    all.extend_from_slice(args);
    let run = folio(&all);
    let after = records(snapshot(root));
    assert_unchanged(&before, &after, args);
    assert_eq!(
        before.len(),
        after.len(),
        "folio {args:?} added or removed records"
    );
    run
}

/// The one folder folio may write into a records repository outside `init`
/// and `new`: the history cache (not records, and git-ignored).
pub const CACHE_DIR: &str = ".folio-cache";

/// Every file under `root` with its bytes and modification time, except
/// those of the history cache (`root/.folio-cache/`).
pub fn snapshot(root: &Path) -> BTreeMap<PathBuf, (Vec<u8>, SystemTime)> {
    let mut files = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let meta = std::fs::symlink_metadata(entry.path()).unwrap();
            if dir == root && entry.file_name() == CACHE_DIR {
                continue;
            }
            if meta.is_dir() {
                stack.push(entry.path());
            } else if meta.is_file() {
                let bytes = std::fs::read(entry.path()).unwrap();
                files.insert(entry.path(), (bytes, meta.modified().unwrap()));
            }
        }
    }
    files
}

fn assert_unchanged(
    before: &BTreeMap<PathBuf, (Vec<u8>, SystemTime)>,
    after: &BTreeMap<PathBuf, (Vec<u8>, SystemTime)>,
    args: &[&str],
) {
    for (path, (bytes, mtime)) in before {
        let Some((now_bytes, now_mtime)) = after.get(path) else {
            panic!("folio {args:?} removed {}", path.display());
        };
        assert!(
            now_bytes == bytes,
            "folio {args:?} changed the bytes of {}",
            path.display()
        );
        assert_eq!(
            now_mtime,
            mtime,
            "folio {args:?} touched {}",
            path.display()
        );
    }
}

/// Asserts that `actual` has every key of `expected` with the same value,
/// recursively; arrays must have the same length. Extra keys are allowed
/// (SPEC §4: "more keys may be added").
pub fn assert_includes(actual: &Value, expected: &Value) {
    includes(actual, expected, "$");
}

fn includes(actual: &Value, expected: &Value, path: &str) {
    match (actual, expected) {
        (Value::Object(a), Value::Object(e)) => {
            for (k, ev) in e {
                let av = a
                    .get(k)
                    .unwrap_or_else(|| panic!("{path}.{k} is missing in {actual:#}"));
                includes(av, ev, &format!("{path}.{k}"));
            }
        }
        (Value::Array(a), Value::Array(e)) => {
            assert_eq!(
                a.len(),
                e.len(),
                "{path}: {actual:#}\nexpected {expected:#}"
            );
            for (i, (av, ev)) in a.iter().zip(e).enumerate() {
                includes(av, ev, &format!("{path}[{i}]"));
            }
        }
        _ => assert_eq!(actual, expected, "at {path}"),
    }
}

/// The diagnostics of a `check --format json` document with this code.
pub fn with_code<'a>(doc: &'a Value, code: &str) -> Vec<&'a Value> {
    ["errors", "warnings"]
        .iter()
        .flat_map(|k| doc[k].as_array().into_iter().flatten())
        .filter(|d| d["code"] == code)
        .collect()
}

/// All diagnostics of a check document (errors then warnings).
pub fn all_diagnostics(doc: &Value) -> Vec<&Value> {
    ["errors", "warnings"]
        .iter()
        .flat_map(|k| doc[k].as_array().into_iter().flatten())
        .collect()
}

/// The codes of a check document's errors, in order.
pub fn error_codes(doc: &Value) -> Vec<&str> {
    doc["errors"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|d| d["code"].as_str().unwrap_or_default())
        .collect()
}

/// Copies a folder tree (an example repository into a test's own folder).
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap().flatten() {
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

/// A file `.ci/run` installs under the target folder (`target/ajv/...`,
/// `target/axe/...`): under this repository's `target/`, or under the
/// folder this test binary was built into (`CARGO_TARGET_DIR`).
pub fn in_target_folder(rel: &str) -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    // <target>/debug/deps/testsuite-<hash>
    let built_into = exe.ancestors().nth(3).map(Path::to_path_buf);
    let local = Path::new(env!("CARGO_MANIFEST_DIR")).join("target");
    [Some(local), built_into]
        .into_iter()
        .flatten()
        .map(|dir| dir.join(rel))
        .find(|path| path.exists())
}
