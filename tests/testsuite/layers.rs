//! The layer rule (issue #22): every module of `src/` imports only from the
//! layers below its own. This reads every `src/**.rs` file, collects the
//! `crate::<module>` paths in it (`use` lines, grouped `use crate::{..}`,
//! paths written out in code) and fails on any that reaches a layer above
//! the file's, printing each as file:line.
//!
//! Paths through `super::` are not followed: across top-level modules the
//! code writes `crate::`, and a top-level module's own files are one layer.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Each top-level module of `src/`, its layer (lower numbers lower down)
/// and its group: a module may import from any lower layer and from its
/// own group, never from a module beside it in another group (`check` and
/// `site` are side by side and neither imports the other).
const LAYERS: &[(&str, u8, &str)] = &[
    // Leaves that import nothing of folio's: shared plumbing (cache files,
    // atomic writes, the build stamp, HTML escaping), the embedded files,
    // the CI recipes `folio init` writes.
    ("plumbing", 0, "plumbing"),
    ("embedded", 0, "embedded"),
    ("ci_recipe", 0, "ci_recipe"),
    ("diagnostic", 1, "diagnostic"),
    // Typed records and the opened repository.
    ("model", 2, "model"),
    // Reading a repository: walking, front matter, YAML, the records cache.
    ("load", 3, "load"),
    // Money over time (calendars, policies, stages, the ledger); beside it
    // the byte-preserving edit engine, which needs only loading.
    ("ladder", 4, "ladder"),
    ("edit", 4, "edit"),
    // Git reading only.
    ("history", 5, "history"),
    ("check", 6, "check"),
    ("site", 6, "site"),
    // The drivers: one application layer.
    ("app", 7, "app"),
    ("cli", 8, "cli"),
];

/// Items of the crate root itself (`src/lib.rs`), usable from anywhere.
const ROOT_ITEMS: &[&str] = &["timing"];

/// Imports that still go up, each owned by a change under way; remove a
/// line when its import is gone (the test fails on a line that no longer
/// matches anything, so the list only shrinks).
const NOT_YET: &[(&str, &str, &str)] = &[];

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The top-level module a file of `src/` belongs to; `None` for the crate
/// root files (`lib.rs`, `main.rs`).
fn top_of(rel: &str) -> Option<&str> {
    let first = rel.split('/').next()?;
    let top = first.strip_suffix(".rs").unwrap_or(first);
    (!matches!(top, "lib" | "main")).then_some(top)
}

/// Every `crate::<module>` a file's code refers to, with its line. Line
/// comments (and so doc comments) are skipped.
fn references(text: &str) -> Vec<(usize, String)> {
    let code: String = text
        .lines()
        .map(|line| match line.find("//") {
            Some(at) if !line[..at].contains('"') => &line[..at],
            _ => line,
        })
        .collect::<Vec<_>>()
        .join("\n");
    let is_ident = |c: char| c.is_alphanumeric() || c == '_';
    let line_at = |at: usize| code[..at].matches('\n').count() + 1;
    let mut found = vec![];
    for (at, _) in code.match_indices("crate::") {
        if code[..at].chars().next_back().is_some_and(is_ident) {
            continue; // an identifier ending in `crate` (`$crate::` counts)
        }
        let rest = &code[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            // `use crate::{a, b::c, d::{e, f}}`: the first segment of each
            // item at the group's own depth.
            let mut depth = 0;
            let mut item_start = true;
            let mut offset = at + "crate::{".len();
            for c in group.chars() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => item_start = true,
                    c if item_start && is_ident(c) => {
                        let name: String = code[offset..]
                            .chars()
                            .take_while(|c| is_ident(*c))
                            .collect();
                        found.push((line_at(offset), name));
                        item_start = false;
                    }
                    _ => {}
                }
                offset += c.len_utf8();
            }
        } else {
            let name: String = rest.chars().take_while(|c| is_ident(*c)).collect();
            if !name.is_empty() {
                found.push((line_at(at), name));
            }
        }
    }
    found
}

fn layer(top: &str) -> Option<(u8, &'static str)> {
    LAYERS
        .iter()
        .find(|(name, ..)| *name == top)
        .map(|(_, rank, group)| (*rank, *group))
}

/// Whether `from`'s code may use `to`.
fn allowed(from: &str, to: &str) -> bool {
    match (layer(from), layer(to)) {
        (Some((from_rank, from_group)), Some((to_rank, to_group))) => {
            to_rank < from_rank || from_group == to_group
        }
        _ => false,
    }
}

/// Every import of a higher layer (or of a module the table does not
/// know), as (file, imported module, line).
fn violations() -> Vec<(String, String, usize)> {
    let root = src();
    let mut files = vec![];
    rust_files(&root, &mut files);
    let mut out = vec![];
    for path in files {
        let rel = path
            .strip_prefix(&root)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let Some(from) = top_of(&rel) else { continue };
        let text = std::fs::read_to_string(&path).unwrap();
        for (line, to) in references(&text) {
            let fine = to == from
                || to == "self"
                || ROOT_ITEMS.contains(&to.as_str())
                || allowed(from, &to);
            if !fine {
                out.push((format!("src/{rel}"), to, line));
            }
        }
    }
    out
}

#[test]
fn every_module_imports_only_from_layers_below_it() {
    for top in modules() {
        assert!(
            layer(&top).is_some(),
            "src/lib.rs: the module `{top}` has no layer: add it to LAYERS in tests/testsuite/layers.rs"
        );
    }
    let found = violations();
    let unexpected: Vec<String> = found
        .iter()
        .filter(|(file, to, _)| !NOT_YET.iter().any(|(f, t, _)| f == file && t == to))
        .map(|(file, to, line)| {
            let from = top_of(file.strip_prefix("src/").unwrap()).unwrap();
            format!(
                "{file}:{line}: `{from}` imports `crate::{to}` from a layer above it or beside it"
            )
        })
        .collect();
    assert!(
        unexpected.is_empty(),
        "imports against the layer order (see LAYERS):\n{}",
        unexpected.join("\n")
    );
    let stale: Vec<String> = NOT_YET
        .iter()
        .filter(|(f, t, _)| !found.iter().any(|(file, to, _)| file == f && to == t))
        .map(|(f, t, why)| format!("{f} -> {t} ({why})"))
        .collect();
    assert!(
        stale.is_empty(),
        "these allowed imports are gone: remove them from NOT_YET:\n{}",
        stale.join("\n")
    );
}

/// The top-level modules `src/lib.rs` declares.
fn modules() -> BTreeSet<String> {
    let lib = std::fs::read_to_string(src().join("lib.rs")).unwrap();
    lib.lines()
        .filter_map(|l| l.trim().strip_prefix("pub mod "))
        .map(|m| m.trim_end_matches(';').to_string())
        .collect()
}

/// The scanner sees every form an import takes, and nothing in comments.
#[test]
fn references_are_found_in_every_form() {
    let text = "use crate::model::Repo;\n\
                use crate::{\n    edit::{self, Field},\n    ladder,\n};\n\
                // use crate::site::ignored;\n\
                /// [`crate::site::ignored`]\n\
                let x = crate::history::read(root); // crate::cli\n\
                macro_rules! m { () => { $crate::app::x } }\n";
    let found = references(text);
    assert_eq!(
        found,
        [
            (1, "model".to_string()),
            (3, "edit".to_string()),
            (4, "ladder".to_string()),
            (8, "history".to_string()),
            (9, "app".to_string()),
        ]
    );
    assert!(allowed("cli", "app"));
    assert!(allowed("ladder", "model"));
    assert!(allowed("ladder", "load"));
    assert!(!allowed("model", "load"));
    assert!(!allowed("check", "site"), "side by side");
    assert!(!allowed("site", "check"), "side by side");
    assert!(allowed("app", "app"), "one driver layer");
    assert!(!allowed("diagnostic", "unknown"));
}
