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
        if crate::load::walk::leaves_repository(root, &dir) {
            diags.push(crate::load::walk::outside_link("templates"));
        } else if dir.is_dir() {
            for entry in walkdir::WalkDir::new(&dir)
                .follow_links(false)
                .max_depth(4)
                .sort_by_file_name()
                .into_iter()
                .filter_entry(|e| {
                    e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.')
                })
                .flatten()
                .filter(|e| e.file_type().is_file())
            {
                let Ok(rel) = entry.path().strip_prefix(&dir) else {
                    continue;
                };
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

/// A Tera instance with every template (built-in, with the repository's
/// overrides) parsed once, all in one call, so a page may extend or import a
/// template that sorts after it. When that fails, each is parsed on its own
/// so a syntax error names its file; templates that do not parse are
/// reported and left out.
pub fn tera(root: Option<&Path>) -> (tera::Tera, Vec<Diagnostic>) {
    let (sources, diags) = sources(root);
    tera_from(&sources, diags)
}

/// [`tera`] over sources already read; `diags` are the reading's problems.
pub fn tera_from(
    sources: &BTreeMap<String, String>,
    mut diags: Vec<Diagnostic>,
) -> (tera::Tera, Vec<Diagnostic>) {
    let all = sources
        .iter()
        .filter(|(n, _)| is_tera_template(n))
        .map(|(n, t)| (n.as_str(), t.as_str()));
    // The usual case, everything parses and fits: each template parsed once.
    let mut tera = new_tera();
    if tera.add_raw_templates(all.clone()).is_ok() {
        return (tera, diags);
    }
    let mut good: Vec<(&str, &str)> = vec![];
    for (name, text) in all {
        match tera::Template::new(name, None, text) {
            Ok(_) => good.push((name, text)),
            Err(e) => diags.push(problem(
                name,
                format!("template does not parse: {}", super::error_chain(&e)),
            )),
        }
    }
    let mut tera = new_tera();
    if let Err(e) = tera.add_raw_templates(good) {
        diags.push(problem(
            "",
            format!("templates do not fit together: {}", super::error_chain(&e)),
        ));
    }
    (tera, diags)
}

/// An empty Tera with folio's settings: hardened, HTML escaped.
fn new_tera() -> tera::Tera {
    let mut tera = tera::Tera::default();
    super::message::harden(&mut tera);
    tera.autoescape_on(vec![".html", ".xml", ".svg"]);
    tera.set_escape_fn(super::svg::escape);
    tera.set_escape_into_fn(super::svg::escape_into);
    tera
}

fn problem(name: &str, message: String) -> Diagnostic {
    Diagnostic::new(
        Code::InvalidTemplate,
        format!("templates/{name}"),
        Pos::START,
        message,
        "fix the Tera syntax or the `extends`/`import` names, or delete the override to use the built-in template",
    )
}

/// Files under `templates/` that are Tera templates. Stylesheets and scripts
/// are copied verbatim (CSS can contain `{#`, Tera's comment opener), and so
/// is the CI workflow, which uses `${{ }}` of its own.
fn is_tera_template(name: &str) -> bool {
    const EXTENSIONS: [&str; 4] = ["html", "txt", "xml", "ics"];
    name.rsplit_once('.')
        .is_some_and(|(_, ext)| EXTENSIONS.contains(&ext))
}
