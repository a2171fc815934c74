//! What `folio serve` adds to the site in the browser: the reload script,
//! the error page's styles and the error page itself. Each is a file under
//! `templates/serve/`, built in, and a records repository overrides it with
//! a file at the same path under its own `templates/` (as with the site's
//! templates). The error page is a Tera template given the diagnostics as
//! [`html::Report`] data.

use crate::diagnostic::render::html;
use crate::diagnostic::{Diagnostic, error_chain};
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::Path;

/// The names of the assets under `templates/`.
pub const RELOAD_JS: &str = "serve/reload.js";
pub const ERROR_CSS: &str = "serve/error.css";
pub const ERROR_PAGE: &str = "serve/error.html";

/// The browser assets in use: the repository's where it has them, else the
/// built-in ones.
#[derive(Clone, Debug)]
pub struct BrowserAssets {
    reload_js: String,
    error_css: String,
    /// The error page's template source.
    error_page: String,
}

/// Why the site is not shown.
pub enum Problem<'a> {
    /// The records have errors.
    Records(&'a [Diagnostic]),
    /// The build failed for another reason (refused, a template, I/O).
    Failed(&'a str),
}

/// What the error page template is given.
#[derive(Serialize)]
struct PageData<'a> {
    /// The records' problems; no diagnostics when the build failed otherwise.
    report: html::Report,
    /// Why the build failed when it was not the records; else empty.
    failure: &'a str,
}

impl BrowserAssets {
    /// The assets folio is built with.
    pub fn built_in() -> BrowserAssets {
        BrowserAssets::from_sources(&BTreeMap::new())
    }

    /// The assets of the records repository at `root`: its own files under
    /// `templates/serve/`, the built-in ones for the rest. A file that cannot
    /// be read as UTF-8 text is left out (`folio check` reports it).
    pub fn read(root: &Path) -> BrowserAssets {
        let (sources, _) = crate::load::templates::sources(Some(root));
        BrowserAssets::from_sources(&sources)
    }

    fn from_sources(sources: &BTreeMap<String, String>) -> BrowserAssets {
        let pick = |name: &str| {
            sources
                .get(name)
                .map(String::as_str)
                .or_else(|| crate::embedded::template(name))
                .unwrap_or_default()
                .to_string()
        };
        BrowserAssets {
            reload_js: pick(RELOAD_JS),
            error_css: pick(ERROR_CSS),
            error_page: pick(ERROR_PAGE),
        }
    }

    pub fn reload_js(&self) -> &str {
        &self.reload_js
    }

    pub fn error_css(&self) -> &str {
        &self.error_css
    }

    /// The error page for `problem`, with a warning to print when the
    /// repository's error page template fails: then the built-in page is
    /// shown, so the problems (perhaps in that template) are still seen.
    pub fn error_page(&self, problem: &Problem) -> (String, Option<String>) {
        let data = match problem {
            Problem::Records(diags) => PageData {
                report: html::report(diags),
                failure: "",
            },
            Problem::Failed(why) => PageData {
                report: html::report(&[]),
                failure: why,
            },
        };
        let built_in = crate::embedded::template(ERROR_PAGE).unwrap_or_default();
        match render(&self.error_page, &data) {
            Ok(page) => (page, None),
            Err(why) if self.error_page != built_in => {
                let warning = format!(
                    "templates/{ERROR_PAGE} does not render ({why}); showing the built-in error page"
                );
                let page = render(built_in, &data).unwrap_or_else(|e| bare_page(&e));
                (page, Some(warning))
            }
            Err(why) => (bare_page(&why), None),
        }
    }
}

/// Renders the error page template `source` with `data`, escaped as the
/// site's pages are.
fn render(source: &str, data: &PageData) -> Result<String, String> {
    let sources = BTreeMap::from([(ERROR_PAGE.to_string(), source.to_string())]);
    let mut tera = crate::ladder::templates::new_tera();
    let problems = crate::load::templates::parse_into(&mut tera, &sources);
    if let Some(problem) = problems.first() {
        return Err(problem.message.clone());
    }
    let context = tera::Context::from_serialize(data).map_err(|e| error_chain(&e))?;
    tera.render(ERROR_PAGE, &context)
        .map_err(|e| crate::load::templates::describe(&e))
}

/// The last resort should the built-in template ever fail: the reason,
/// escaped, in a page that still reloads.
fn bare_page(why: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>folio serve</title></head>\n<body><pre>{}</pre></body></html>\n",
        crate::plumbing::html::escape(why)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::render::fixture;
    use crate::diagnostic::{Code, Pos};

    #[test]
    fn error_page_of_the_records() {
        let diags = fixture::diagnostics();
        let (page, warning) = BrowserAssets::built_in().error_page(&Problem::Records(&diags));
        assert_eq!(warning, None);
        insta::assert_snapshot!(page);
    }

    #[test]
    fn error_page_of_a_failed_build() {
        let why = "the site was not built: template `site/page.html` failed <here> & there";
        let (page, warning) = BrowserAssets::built_in().error_page(&Problem::Failed(why));
        assert_eq!(warning, None);
        insta::assert_snapshot!(page);
    }

    #[test]
    fn error_pages_escape_what_they_show() {
        let d = Diagnostic::new(
            Code::UnknownKey,
            "accounts/<x>/account.md",
            Pos::new(3, 1),
            "unknown key `<script>`".to_string(),
            "remove it & retry",
        );
        let (page, _) = BrowserAssets::built_in().error_page(&Problem::Records(&[d]));
        assert!(page.contains("accounts/&lt;x&gt;/account.md:3:1"), "{page}");
        assert!(page.contains("unknown key <code>&lt;script&gt;</code>"));
        assert!(!page.contains("<script>"));
        assert!(page.contains("remove it &amp; retry"));
    }

    #[test]
    fn a_repository_overrides_each_asset() {
        let sources = BTreeMap::from([
            (RELOAD_JS.to_string(), "// own script".to_string()),
            (
                ERROR_PAGE.to_string(),
                "{% for d in report.diagnostics %}{{ d.location }} {{ d.code }}{% endfor %}{{ failure }}".to_string(),
            ),
        ]);
        let assets = BrowserAssets::from_sources(&sources);
        assert_eq!(assets.reload_js(), "// own script");
        assert_eq!(
            assets.error_css(),
            crate::embedded::template(ERROR_CSS).unwrap()
        );
        let d = Diagnostic::new(Code::UnknownKey, "a<b.md", Pos::new(2, 5), "m", "h");
        let (page, warning) = assets.error_page(&Problem::Records(&[d]));
        assert_eq!((page.as_str(), warning), ("a&lt;b.md:2:5 E012", None));
    }

    #[test]
    fn a_failing_override_falls_back_to_the_built_in_page() {
        for broken in ["{{ no_such_variable.at_all }}", "{% if %}"] {
            let sources = BTreeMap::from([(ERROR_PAGE.to_string(), broken.to_string())]);
            let assets = BrowserAssets::from_sources(&sources);
            let (page, warning) = assets.error_page(&Problem::Failed("it broke"));
            assert!(
                page.contains("<pre class=\"failure\">it broke</pre>"),
                "{page}"
            );
            let warning = warning.expect("a warning");
            assert!(
                warning.starts_with("templates/serve/error.html does not render ("),
                "{warning}"
            );
        }
    }
}
