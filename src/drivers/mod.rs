//! Command logic above the site and check layers: what a command computes
//! and prints, with `cli/` left to parse arguments and call it.

pub mod statement;
