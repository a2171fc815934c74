//! Embeds the built-in templates (`templates/`) and the bundled demo
//! (`example-accounts/`, the source of `folio init` and of the built-in
//! message wording) into the binary, listing the files at build time so the
//! list can never go stale.

use std::fmt::Write as _;
use std::path::Path;

fn files(root: &Path, dir: &Path, out: &mut Vec<String>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.flatten().collect();
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let name = e.file_name().to_string_lossy().to_string();
        if name.starts_with('.') {
            continue;
        }
        let path = e.path();
        if path.is_dir() {
            files(root, &path, out);
        } else if path.is_file() {
            let rel = path
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            out.push(rel);
        }
    }
}

/// Embeds the files under `root`; with `only`, just those top-level entries
/// (for the demo: the records layout, never a `public/` built inside it).
fn table(name: &str, root: &Path, only: Option<&[&str]>, code: &mut String) {
    // Cargo scans a watched folder recursively: with `only`, just those
    // entries are watched, so what folio writes next to them (a `public/`
    // site, the `.folio-cache/` history cache) never forces a rebuild.
    match only {
        Some(only) => {
            for top in only {
                println!("cargo:rerun-if-changed={}", root.join(top).display());
            }
        }
        None => println!("cargo:rerun-if-changed={}", root.display()),
    }
    let mut list = vec![];
    files(root, root, &mut list);
    if let Some(only) = only {
        list.retain(|rel| only.contains(&rel.split('/').next().unwrap_or_default()));
    }
    writeln!(code, "pub static {name}: &[(&str, &str)] = &[").unwrap();
    for rel in list {
        let abs = root.join(&rel);
        println!("cargo:rerun-if-changed={}", abs.display());
        writeln!(
            code,
            "    ({rel:?}, include_str!({:?})),",
            abs.display().to_string()
        )
        .unwrap();
    }
    writeln!(code, "];").unwrap();
}

fn main() {
    let manifest = std::env::var("CARGO_MANIFEST_DIR").unwrap();
    let manifest = Path::new(&manifest);
    let mut code = String::new();
    table("TEMPLATES", &manifest.join("templates"), None, &mut code);
    let records = ["folio.yaml", "handbook", "accounts", "templates"];
    table(
        "EXAMPLE",
        &manifest.join("example-accounts"),
        Some(&records),
        &mut code,
    );
    let out = std::env::var("OUT_DIR").unwrap();
    std::fs::write(Path::new(&out).join("embedded.rs"), code).unwrap();
}
