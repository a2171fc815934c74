//! Typed records: what the files mean, independent of where they came from.

pub mod currency;
pub mod money;
pub mod records;
pub mod terms;
pub mod types;

pub use records::*;
pub use types::{is_slug, number_slug, Amount, Date, Share, Sp};
