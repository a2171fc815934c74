//! Template sources: the built-in templates embedded from `templates/`, the
//! bundled agency's message wording from `example-accounts/templates/`, and
//! the records repository's own `templates/`, which override either by name.

use crate::diagnostic::{Code, Diagnostic, Pos};
use crate::embedded;
use std::collections::BTreeMap;
use std::path::Path;

/// Every template by name (path under `templates/`), later sources winning.
pub fn sources(root: Option<&Path>) -> (BTreeMap<String, String>, Vec<Diagnostic>) {
    let mut map: BTreeMap<String, String> = BTreeMap::new();
    let mut diags = vec![];
    for (name, text) in embedded::TEMPLATES {
        map.insert(name.to_string(), text.to_string());
    }
    for (path, text) in embedded::EXAMPLE {
        if let Some(name) = path.strip_prefix("templates/") {
            map.insert(name.to_string(), text.to_string());
        }
    }
    if let Some(root) = root {
        let dir = root.join("templates");
        if dir.is_dir() {
            for entry in walkdir::WalkDir::new(&dir)
                .follow_links(false)
                .max_depth(4)
                .sort_by_file_name()
                .into_iter()
                .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'))
                .flatten()
                .filter(|e| e.file_type().is_file())
            {
                let Ok(rel) = entry.path().strip_prefix(&dir) else { continue };
                let name = rel.to_string_lossy().replace('\\', "/");
                match std::fs::read(entry.path()).map(String::from_utf8) {
                    Ok(Ok(text)) => {
                        map.insert(name, text);
                    }
                    _ => diags.push(Diagnostic::new(
                        Code::NotUtf8,
                        format!("templates/{name}"),
                        Pos::START,
                        "template is not readable UTF-8 text",
                        "re-save the template as UTF-8",
                    )),
                }
            }
        }
    }
    (map, diags)
}

/// A Tera instance with every template parsed once. Templates that do not
/// parse are reported with their file and skipped.
pub fn tera(root: Option<&Path>) -> (tera::Tera, Vec<Diagnostic>) {
    let (map, mut diags) = sources(root);
    let mut tera = tera::Tera::default();
    tera.autoescape_on(vec![".html", ".xml", ".svg"]);
    for (name, text) in map.iter().filter(|(n, _)| is_tera_template(n)) {
        if let Err(e) = tera.add_raw_template(name, text) {
            diags.push(Diagnostic::new(
                Code::InvalidTemplate,
                format!("templates/{name}"),
                Pos::START,
                format!("template does not parse: {}", super::error_chain(&e)),
                "fix the Tera syntax, or delete the file to use the built-in template",
            ));
        }
    }
    if let Err(e) = tera.build_inheritance_chains() {
        diags.push(Diagnostic::new(
            Code::InvalidTemplate,
            "templates/",
            Pos::START,
            format!("templates do not fit together: {}", super::error_chain(&e)),
            "check `extends` and `block` names in your template overrides",
        ));
    }
    (tera, diags)
}

/// Files under `templates/` that are Tera templates (the CI workflow, for
/// one, is copied verbatim and uses `${{ }}` of its own).
fn is_tera_template(name: &str) -> bool {
    const EXTENSIONS: [&str; 8] = ["html", "txt", "xml", "ics", "css", "js", "json", "svg"];
    name.rsplit_once('.').is_some_and(|(_, ext)| EXTENSIONS.contains(&ext))
}
