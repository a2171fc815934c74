//! The site's Tera instance: every template source (see
//! [`crate::load::templates`]) parsed once with folio's settings.

use crate::diagnostic::Diagnostic;
use crate::load::templates::{parse_into, sources};
use std::collections::BTreeMap;
use std::path::Path;

/// A Tera instance with every template (built-in, with the repository's
/// overrides) parsed once; templates that do not parse are reported (as
/// `check` reports them) and left out.
pub fn tera(root: Option<&Path>) -> (tera::Tera, Vec<Diagnostic>) {
    let (sources, diags) = sources(root);
    tera_from(&sources, diags)
}

/// [`tera`] over sources already read; `diags` are the reading's problems.
pub fn tera_from(
    sources: &BTreeMap<String, String>,
    mut diags: Vec<Diagnostic>,
) -> (tera::Tera, Vec<Diagnostic>) {
    let mut tera = new_tera();
    diags.extend(parse_into(&mut tera, sources));
    (tera, diags)
}

/// An empty Tera with folio's settings: hardened, HTML escaped (by
/// folio's escaping, which writes each value straight into the page).
fn new_tera() -> tera::Tera {
    let mut tera = crate::ladder::message::new_tera();
    tera.autoescape_on([".html", ".xml", ".svg"]);
    tera.set_escape_fn(crate::plumbing::html::escape_into);
    tera
}
