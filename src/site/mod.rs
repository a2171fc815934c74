//! Rendering: Tera templates (built-in, overridable by the records
//! repository), message drafts, and the static site.

pub mod claims;
pub mod folders;
pub mod ics;
pub mod links;
pub mod markdown;
pub mod output;
pub mod pages;
pub mod render;
pub mod robots;
pub mod search;
pub mod svg;
/// Page data as Tera values (kept below the ladder, which drafts messages
/// with them too).
pub use crate::plumbing::value;

pub use crate::diagnostic::error_chain;
