//! The cache folder `.folio-cache/`: every cache in it (parsed records, the
//! history walk, the logs of old versions) is one file format, and a file
//! that is damaged, foreign or junk is ignored and rebuilt, never an error.

use crate::common::{self, ACCOUNT, Fixture, invoice};
use crate::git_fixture::Git;
use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, SystemTime};

/// A repository in git whose account gained a log entry in a second
/// commit, so that `check` reads an old version of it (the late-record
/// pass) and every cache has something to hold.
fn records() -> (Fixture, Git) {
    let f = Fixture::new();
    f.write("accounts/acme/invoices/inv-1.md", invoice("INV-1", ""));
    let git = Git::init(f.path());
    git.commit("Ana Lima", "2026-10-01", "Add acme");
    let logged = ACCOUNT.replacen(
        "---\nRelationship",
        "log:\n  - { date: 2026-09-20, kind: call, by: ana }\n---\nRelationship",
        1,
    );
    f.write("accounts/acme/account.md", logged);
    git.commit("Ana Lima", "2026-10-04", "Log a call");
    settle(f.path());
    (f, git)
}

/// Dates every record file back an hour: the records cache leaves out
/// files modified in the last seconds.
fn settle(root: &Path) {
    let hour_ago = SystemTime::now() - Duration::from_secs(3600);
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let name = entry.file_name();
            if name == ".git" || name == common::CACHE_DIR {
                continue;
            }
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let file = std::fs::File::options().write(true).open(&path).unwrap();
                file.set_modified(hour_ago).unwrap();
            }
        }
    }
}

/// What `check` and `history` print, with the caches on; neither may fail
/// because of a cache.
fn outputs(f: &Fixture) -> (i32, String, String) {
    let run = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_folio"))
            .args(["-C", f.path().to_str().unwrap(), "--as-of", "2026-10-27"])
            .args(args)
            .env_remove("FOLIO_NO_CACHE")
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        (
            out.status.code().unwrap(),
            String::from_utf8(out.stdout).unwrap(),
            stderr,
        )
    };
    let (code, check, stderr) = run(&["check", "--format", "json"]);
    assert!(stderr.is_empty(), "{stderr}");
    let (history_code, history, stderr) = run(&["history", "--format", "json"]);
    assert_eq!(history_code, 0, "{stderr}");
    (code, check, history)
}

/// The cache files (not the folder's `.gitignore`) and their bytes.
fn cache_files(root: &Path) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(root.join(common::CACHE_DIR))
        .unwrap()
        .flatten()
        .map(|e| e.file_name().into_string().unwrap())
        .filter(|name| name != ".gitignore")
        .map(|name| {
            let bytes = std::fs::read(root.join(common::CACHE_DIR).join(&name)).unwrap();
            (name, bytes)
        })
        .collect()
}

#[test]
fn every_cache_file_has_the_one_format() {
    let (f, _git) = records();
    outputs(&f);
    let files = cache_files(f.path());
    let names: Vec<&str> = files.keys().map(String::as_str).collect();
    assert_eq!(names, ["history", "log-keys", "records"]);
    for (name, bytes) in &files {
        let header = format!("folio-cache\n{name} ");
        assert!(
            bytes.starts_with(header.as_bytes()),
            "{name}: {:?}",
            String::from_utf8_lossy(&bytes[..bytes.len().min(40)])
        );
    }
}

#[test]
fn damaged_or_foreign_cache_files_are_ignored_and_rebuilt() {
    let (f, _git) = records();
    let first = outputs(&f);
    assert_eq!(first.0, 0, "{}", first.1);
    let good = cache_files(f.path());
    assert_eq!(outputs(&f), first, "read from the caches");
    assert_eq!(cache_files(f.path()), good, "nothing new to write");
    for (name, bytes) in &good {
        let path = f.path().join(common::CACHE_DIR).join(name);
        let mut flipped = bytes.clone();
        *flipped.last_mut().unwrap() ^= 1;
        // Another cache's file under this one's name: a whole file of the
        // format, of another cache.
        let other = good.iter().find(|(n, _)| *n != name).unwrap().1;
        let damages: [(&str, Vec<u8>); 6] = [
            ("empty", vec![]),
            ("junk", b"garbage\n\0\xff".to_vec()),
            ("cut short", bytes[..bytes.len() / 2].to_vec()),
            ("one byte changed", flipped),
            ("another cache's file", other.clone()),
            (
                "a format of older builds",
                [&b"folio-records 2\t0.1.0 1 2\n"[..], &bytes[..]].concat(),
            ),
        ];
        for (what, damaged) in damages {
            std::fs::write(&path, &damaged).unwrap();
            assert_eq!(outputs(&f), first, "{name}, {what}");
            assert_eq!(
                std::fs::read(&path).unwrap(),
                *bytes,
                "{name}, {what}: rebuilt"
            );
        }
    }
}
