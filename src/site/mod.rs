//! Rendering: Tera templates (built-in, overridable by the records
//! repository), message drafts, and the static site.

pub mod build;
pub mod ics;
pub mod incremental;
pub mod links;
pub mod markdown;
pub mod message;
pub mod output;
pub mod pages;
pub mod search;
pub mod serve;
pub mod svg;
pub mod templates;
pub mod value;

/// A Tera error with its causes, on one line (Tera hides the useful part in
/// the source chain).
pub fn error_chain(e: &dyn std::error::Error) -> String {
    let mut parts = vec![e.to_string()];
    let mut source = e.source();
    while let Some(s) = source {
        parts.push(s.to_string());
        source = s.source();
    }
    parts.join(": ")
}
