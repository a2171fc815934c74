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

pub use crate::diagnostic::error_chain;
