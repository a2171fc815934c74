//! Template sources: the built-in templates embedded from `templates/`, the
//! bundled agency's message wording from `example-accounts/templates/`, and
//! the records repository's own `templates/`, which override either by name;
//! and the one rule for whether they parse, which `check` reports and the
//! site builds with.

use crate::diagnostic::{Code, Diagnostic, Pos, error_chain};
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
        if super::walk::leaves_repository(root, &dir) {
            diags.push(super::walk::outside_link("templates"));
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

/// The site paths of the assets among the template sources
/// (`site/assets/x.css` → `assets/x.css`); the search index script is
/// generated, never copied.
pub fn asset_paths(sources: &BTreeMap<String, String>) -> Vec<String> {
    sources
        .keys()
        .filter_map(|name| {
            let rest = name.strip_prefix("site/assets/")?;
            (rest != "search-index.js").then(|| format!("assets/{rest}"))
        })
        .collect()
}

/// Parses every Tera template of `sources` into `tera`, all in one call, so
/// a page may extend or import a template that sorts after it. When that
/// fails, each is parsed on its own so a syntax error names its file and
/// line; templates that do not parse are reported and left out.
pub fn parse_into(tera: &mut tera::Tera, sources: &BTreeMap<String, String>) -> Vec<Diagnostic> {
    let all = sources
        .iter()
        .filter(|(n, _)| is_tera_template(n))
        .map(|(n, t)| (n.as_str(), t.as_str()));
    // The usual case, everything parses and fits: each template parsed once.
    let mut trial = tera.clone();
    if trial.add_raw_templates(all.clone()).is_ok() {
        *tera = trial;
        return vec![];
    }
    let mut diags = vec![];
    let mut good: Vec<(&str, &str)> = vec![];
    for (name, text) in all {
        match tera::Template::new(name, None, text) {
            Ok(_) => good.push((name, text)),
            Err(e) => {
                let report = error_chain(&e);
                diags.push(problem(
                    name,
                    position_in(&report),
                    format!("template does not parse: {}", one_line(&report)),
                ))
            }
        }
    }
    if let Err(e) = tera.add_raw_templates(good) {
        diags.push(problem(
            "",
            Pos::START,
            format!(
                "templates do not fit together: {}",
                one_line(&error_chain(&e))
            ),
        ));
    }
    diags
}

/// The `--> line:column` a Tera parse report points at.
pub fn position_in(report: &str) -> Pos {
    report
        .lines()
        .find_map(|l| {
            let at = l.split_once("-->")?.1.trim();
            let (line, column) = at.split_once(':')?;
            Some(Pos::new(
                line.trim().parse().ok()?,
                column.trim().parse().ok()?,
            ))
        })
        .unwrap_or(Pos::START)
}

/// A parser's multi-line report (Tera's carets and source echo) as one line
/// for a diagnostic message: `Failed to parse 'stage': at 1:8: expected ...`.
pub fn one_line(report: &str) -> String {
    let mut parts: Vec<String> = vec![];
    for line in report.lines().map(str::trim) {
        let echo = line
            .split_once('|')
            .is_some_and(|(n, _)| n.trim().chars().all(|c| c.is_ascii_digit()));
        if line.is_empty() || echo {
            continue;
        }
        let part = match line.split_once("-->") {
            Some((before, at)) => format!("{} at {}:", before.trim(), at.trim())
                .trim_start()
                .to_string(),
            None => line.trim_start_matches("= ").to_string(),
        };
        parts.push(part);
    }
    parts.join(" ")
}

fn problem(name: &str, pos: Pos, message: String) -> Diagnostic {
    Diagnostic::new(
        Code::InvalidTemplate,
        format!("templates/{name}"),
        pos,
        message,
        "fix the Tera syntax or the `extends`/`import` names, or delete the override to use the built-in template",
    )
}

/// Files under `templates/` that are Tera templates. Stylesheets and scripts
/// are copied verbatim (CSS can contain `{#`, Tera's comment opener), and so
/// is the CI workflow, which uses `${{ }}` of its own.
pub fn is_tera_template(name: &str) -> bool {
    const EXTENSIONS: [&str; 4] = ["html", "txt", "xml", "ics"];
    name.rsplit_once('.')
        .is_some_and(|(_, ext)| EXTENSIONS.contains(&ext))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_errors_fit_on_one_line_and_are_located() {
        let e = tera::Tera::default()
            .add_raw_template("stage", "Hi\n{{ oops")
            .unwrap_err();
        let report = error_chain(&e);
        let text = one_line(&report);
        assert!(!text.contains('\n'), "{text}");
        assert!(text.contains("at 2:"), "{text}");
        assert!(text.contains("expected"), "{text}");
        assert_eq!(position_in(&report).line, 2, "{report}");
        assert_eq!(one_line("plain message"), "plain message");
    }

    #[test]
    fn a_broken_override_is_reported_at_its_line_and_the_rest_parse() {
        let mut sources = BTreeMap::new();
        sources.insert("site/a.html".to_string(), "ok {{ x }}".to_string());
        sources.insert("site/b.html".to_string(), "line\n{% if %}".to_string());
        sources.insert("site/c.css".to_string(), "{# not a template".to_string());
        let mut tera = tera::Tera::default();
        let diags = parse_into(&mut tera, &sources);
        assert_eq!(diags.len(), 1, "{diags:?}");
        assert_eq!(diags[0].file, "templates/site/b.html");
        assert_eq!(diags[0].pos.line, 2);
        assert!(tera.get_template_names().any(|n| n == "site/a.html"));
    }
}
