//! The templates a repository renders with, the site's pages and the
//! message drafts alike, read and parsed once with folio's settings. The
//! drivers read them once and hand the same [`Templates`] to `check` (which
//! reports their problems and tries the repository's drafts) and to the
//! site (which renders with them), so what one accepts the other renders.

use super::{Settings, message};
use crate::diagnostic::Diagnostic;
use crate::load::templates::{asset_path, parse_into, sources};
use std::collections::BTreeMap;
use std::path::Path;

/// Every template source, parsed.
pub struct Templates {
    /// Every template by name (built-in, then the repository's overrides).
    pub sources: BTreeMap<String, String>,
    /// Every template that parsed, with the drafts' inline templates and
    /// filters set up from folio.yaml.
    pub tera: tera::Tera,
    /// What reading and parsing found (E030 and the like); templates with
    /// problems are left out of `tera`.
    pub problems: Vec<Diagnostic>,
}

impl Templates {
    /// Reads the built-in templates and `root`'s overrides (none for
    /// `None`) and parses them for `settings`.
    pub fn read(root: Option<&Path>, settings: &Settings) -> Templates {
        let (sources, problems) = sources(root);
        Templates::parse(sources, problems, settings)
    }

    /// Parses `sources`; `problems`: what reading them found.
    fn parse(
        sources: BTreeMap<String, String>,
        mut problems: Vec<Diagnostic>,
        settings: &Settings,
    ) -> Templates {
        let mut tera = new_tera();
        problems.extend(parse_into(&mut tera, &sources));
        message::prepare(&mut tera, settings);
        Templates {
            sources,
            tera,
            problems,
        }
    }

    /// The site's assets among the sources, as `assets/...` files with their
    /// bytes (the search index script is generated, never copied).
    pub fn assets(&self) -> Vec<(String, Vec<u8>)> {
        self.sources
            .iter()
            .filter_map(|(name, text)| Some((asset_path(name)?, text.clone().into_bytes())))
            .collect()
    }
}

/// An empty Tera with folio's settings: [`message::new_tera`]'s hardening
/// and filters, and HTML escaping (folio's, which writes each value
/// straight into the page) for the site's pages.
pub fn new_tera() -> tera::Tera {
    let mut tera = message::new_tera();
    tera.autoescape_on([".html", ".xml", ".svg"]);
    tera.set_escape_fn(crate::plumbing::html::escape_into);
    tera
}
