//! Typed records: what the files mean, independent of where they came from.

/// Rust's Unicode white space (`char::is_whitespace`, what `trim` and
/// `split_whitespace` use) as an ECMA-262 class, for JSON Schema patterns
/// (ECMA's `\s` differs from it by two characters).
macro_rules! white_space {
    () => {
        concat!("[", white_space_chars!(), "]")
    };
}
macro_rules! white_space_chars {
    () => {
        "\\t-\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000"
    };
}

pub mod currency;
pub mod dates;
pub mod layout;
pub mod money;
pub mod records;
pub mod repo;
pub mod schema;
pub mod site_map;
pub mod slug;
pub mod terms;
pub mod types;

pub use layout::{Kind, account_of, classify};
pub use records::*;
pub use repo::{AccountDir, Record, Repo};
pub use slug::{is_safe_segment, is_slug, number_slug};
pub use types::{Amount, Date, Scalar, Share, Sp, in_cache_format};
