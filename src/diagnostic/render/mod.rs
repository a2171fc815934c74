//! One renderer per output format, each in its own file: [`text`]
//! (rustc-style with the source line), [`json`] (SPEC §2 shape), [`github`]
//! (workflow annotations), [`gitlab`] (a Code Quality report for merge
//! requests) and [`html`] (the data of an HTML page of diagnostics, which
//! `folio serve` renders through its error-page template).
//!
//! Every renderer is snapshot-tested over one shared set of diagnostics
//! (`fixture.rs`); `cargo insta review` shows a changed output.

mod github;
mod gitlab;
pub mod html;
mod json;
mod text;

#[cfg(test)]
pub(crate) mod fixture;

pub use github::github;
pub use gitlab::gitlab;
pub use json::{json, write_json};
pub use text::{WARNINGS_PER_CODE, text, text_in_proportion, text_with};

use super::Diagnostic;
use std::path::Path;

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Text,
    Json,
    Github,
    Gitlab,
}

/// Where the diagnostics' files are.
pub struct Place<'a> {
    /// The records repository: the text format shows lines from its files.
    pub root: &'a Path,
    /// The records folder inside its git repository (`records/`, or empty
    /// at the top): CI marks a file by its path from the top of the
    /// repository, so the `github` and `gitlab` formats put this before
    /// each file.
    pub in_repository: &'a str,
}

/// Renders all diagnostics (already sorted) in `format`.
pub fn render(diags: &[Diagnostic], format: Format, place: &Place, color: bool) -> String {
    match format {
        Format::Text => text(diags, place.root, color),
        Format::Json => json(diags),
        Format::Github => github(diags, place.in_repository),
        Format::Gitlab => gitlab(diags, place.in_repository),
    }
}

/// `2 errors, 1 warning`: the last line of the text format, and what
/// `folio check` says when all is well.
pub fn summary(errors: usize, warnings: usize) -> String {
    let plural = |n: usize, w: &str| format!("{n} {w}{}", if n == 1 { "" } else { "s" });
    format!(
        "{}, {}",
        plural(errors, "error"),
        plural(warnings, "warning")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summaries_count_in_words() {
        assert_eq!(summary(0, 0), "0 errors, 0 warnings");
        assert_eq!(summary(1, 1), "1 error, 1 warning");
        assert_eq!(summary(2, 3), "2 errors, 3 warnings");
    }
}
