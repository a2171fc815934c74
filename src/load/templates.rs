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

/// The site path of a template source that is an asset
/// (`site/assets/x.css` → `assets/x.css`); the search index script is
/// generated, never copied.
pub fn asset_path(name: &str) -> Option<String> {
    let rest = name.strip_prefix("site/assets/")?;
    (rest != "search-index.js").then(|| format!("assets/{rest}"))
}

/// The site paths of the assets among the template sources ([`asset_path`]).
pub fn asset_paths(sources: &BTreeMap<String, String>) -> Vec<String> {
    sources.keys().filter_map(|name| asset_path(name)).collect()
}

/// Parses every Tera template of `sources` into `tera`, all in one call, so
/// a page may extend a template, or call a component of one, that sorts
/// after it. A template still written for tera 1 is reported at each tera 1
/// construct it uses (see [`super::tera1`]) and left out. When the rest do
/// not parse together, each is parsed on its own so a syntax error names
/// its file and line; templates that do not parse are reported and left
/// out.
pub fn parse_into(tera: &mut tera::Tera, sources: &BTreeMap<String, String>) -> Vec<Diagnostic> {
    let mut diags = vec![];
    let mut all: Vec<(&str, &str)> = vec![];
    for (name, text) in sources.iter().filter(|(n, _)| is_tera_template(n)) {
        let found = super::tera1::findings(text);
        if found.is_empty() {
            all.push((name, text));
        }
        diags.extend(found.into_iter().map(|f| tera1_problem(name, f)));
    }
    // The usual case, everything parses and fits: each template parsed once.
    let mut trial = tera.clone();
    if trial.add_raw_templates(all.iter().copied()).is_ok() {
        *tera = trial;
        return diags;
    }
    let mut good: Vec<(&str, &str)> = vec![];
    for (name, text) in all {
        // On its own a template may miss its parent or a component defined
        // elsewhere; only its syntax is judged here.
        match tera.clone().add_raw_template(name, text) {
            Err(e) if matches!(e.kind(), tera::ErrorKind::SyntaxError(_)) => {
                diags.extend(problems_of(&e).into_iter().map(|p| {
                    problem(
                        name,
                        p.pos,
                        format!("template does not parse: {}", p.message),
                    )
                }))
            }
            _ => good.push((name, text)),
        }
    }
    if let Err(e) = tera.add_raw_templates(good.iter().copied()) {
        for p in problems_of(&e) {
            // Blame the template the report names when it is one of these.
            let file = p
                .template
                .as_deref()
                .filter(|t| good.iter().any(|(n, _)| n == t))
                .unwrap_or("");
            diags.push(problem(
                file,
                p.pos,
                format!("templates do not fit together: {}", p.message),
            ));
        }
    }
    diags
}

/// One problem a Tera error reports: its words and, when it has one, the
/// template and position it points at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TeraProblem {
    pub message: String,
    pub template: Option<String>,
    pub pos: Pos,
}

/// The problems of a Tera error. Tera writes each as a report, `error:
/// message`, then `--> template:line:column` and the source line with
/// carets (and `note:` sections for where it was called from); an error
/// without a place (a missing parent template) is its plain text.
pub fn problems_of(e: &tera::Error) -> Vec<TeraProblem> {
    let text = error_chain(e);
    let mut out: Vec<TeraProblem> = vec![];
    let mut in_note = false;
    for line in text.lines() {
        let trimmed = line.trim();
        if let Some(message) = trimmed.strip_prefix("error: ") {
            in_note = false;
            out.push(TeraProblem {
                message: message.to_string(),
                template: None,
                pos: Pos::START,
            });
        } else if trimmed.starts_with("note: ") {
            in_note = true;
        } else if let Some(at) = trimmed.strip_prefix("--> ") {
            if let (false, Some(last)) = (in_note, out.last_mut())
                && last.template.is_none()
                && let Some((template, pos)) = location(at)
            {
                last.template = Some(template);
                last.pos = pos;
            }
        } else if out.is_empty() && !trimmed.is_empty() && !is_source_echo(trimmed) {
            out.push(TeraProblem {
                message: trimmed.to_string(),
                template: None,
                pos: Pos::START,
            });
        }
    }
    out
}

/// `template:line:column`.
fn location(at: &str) -> Option<(String, Pos)> {
    let mut parts = at.rsplitn(3, ':');
    let column = parts.next()?.trim().parse().ok()?;
    let line = parts.next()?.trim().parse().ok()?;
    Some((parts.next()?.to_string(), Pos::new(line, column)))
}

/// A line of a report that echoes the template (`12 | text`, `   |   ^^^`).
fn is_source_echo(line: &str) -> bool {
    line.split_once('|')
        .is_some_and(|(n, _)| n.trim().chars().all(|c| c.is_ascii_digit()))
}

/// A Tera error on one line, for a diagnostic's message: each problem with
/// where it is, `Unknown filter `x` (site/page.html:3:12)`.
pub fn describe(e: &tera::Error) -> String {
    let parts: Vec<String> = problems_of(e)
        .into_iter()
        .map(|p| match p.template {
            Some(t) => format!("{} ({t}:{}:{})", p.message, p.pos.line, p.pos.column),
            None => p.message,
        })
        .collect();
    parts.join("; ")
}

fn problem(name: &str, pos: Pos, message: String) -> Diagnostic {
    Diagnostic::new(
        Code::InvalidTemplate,
        format!("templates/{name}"),
        pos,
        message,
        "fix the template (folio renders with tera 2: see \"Moving template overrides to tera 2\" in folio's README), or delete the override to use the built-in template",
    )
}

fn tera1_problem(name: &str, f: super::tera1::Finding) -> Diagnostic {
    Diagnostic::new(
        Code::InvalidTemplate,
        format!("templates/{name}"),
        f.pos,
        f.message,
        f.hint,
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
        let problems = problems_of(&e);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(problems[0].template.as_deref(), Some("stage"));
        assert_eq!(problems[0].pos, Pos::new(2, 8));
        let text = describe(&e);
        assert!(!text.contains('\n'), "{text}");
        assert_eq!(text, "Unexpected end of input (stage:2:8)");
    }

    #[test]
    fn every_problem_of_a_report_is_located() {
        let e = tera::Tera::default()
            .add_raw_template("t.html", "line\n{{ a | nope }} {{ b | nada }}")
            .unwrap_err();
        let at: Vec<(String, Pos)> = problems_of(&e)
            .into_iter()
            .map(|p| (p.message, p.pos))
            .collect();
        assert_eq!(
            at,
            [
                ("Unknown filter `nope`".to_string(), Pos::new(2, 8)),
                ("Unknown filter `nada`".to_string(), Pos::new(2, 23)),
            ]
        );
    }

    #[test]
    fn a_broken_override_is_reported_at_its_line_and_the_rest_parse() {
        let mut sources = BTreeMap::new();
        sources.insert("site/a.html".to_string(), "ok {{ x }}".to_string());
        sources.insert("site/b.html".to_string(), "line\n{% if %}".to_string());
        sources.insert("site/c.css".to_string(), "{# not a template".to_string());
        sources.insert(
            "site/d.html".to_string(),
            "{% extends \"site/a2.html\" %}{% block b %}{{ <x /> }}{% endblock b %}".to_string(),
        );
        sources.insert(
            "site/a2.html".to_string(),
            "{% block b %}{% endblock b %}{% component x() %}X{% endcomponent x %}".to_string(),
        );
        let mut tera = tera::Tera::default();
        let diags = parse_into(&mut tera, &sources);
        assert_eq!(diags.len(), 1, "{diags:?}");
        assert_eq!(diags[0].file, "templates/site/b.html");
        assert_eq!(diags[0].pos, Pos::new(2, 7));
        assert!(tera.contains_template("site/a.html"));
        assert!(tera.contains_template("site/d.html"));
    }

    #[test]
    fn a_tera_1_override_is_reported_at_its_tags_and_left_out() {
        let mut sources = BTreeMap::new();
        sources.insert(
            "site/old.html".to_string(),
            "{% import \"site/macros.html\" as m %}\n<p>{{ m::work(work=\"stop\") }}</p>"
                .to_string(),
        );
        sources.insert("site/new.html".to_string(), "{{ x }}".to_string());
        let mut tera = tera::Tera::default();
        let diags = parse_into(&mut tera, &sources);
        let at: Vec<(&str, Pos)> = diags.iter().map(|d| (d.file.as_str(), d.pos)).collect();
        assert_eq!(
            at,
            [
                ("templates/site/old.html", Pos::new(1, 4)),
                ("templates/site/old.html", Pos::new(2, 7)),
            ]
        );
        assert!(diags[1].hint.contains("{% component"), "{diags:?}");
        assert!(!tera.contains_template("site/old.html"));
        assert!(tera.contains_template("site/new.html"));
    }
}
