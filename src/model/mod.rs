//! Typed records: what the files mean, independent of where they came from.

pub mod currency;
pub mod dates;
pub mod money;
pub mod records;
pub mod site_map;
pub mod slug;
pub mod terms;
pub mod types;

pub use records::*;
pub use slug::{is_safe_segment, is_slug, number_slug};
pub use types::{Amount, Date, Share, Sp, in_cache_format};
