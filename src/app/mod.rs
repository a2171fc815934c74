//! The drivers: commands that put the layers below to work on an opened
//! repository (the build and the check gate, diff between two revisions,
//! the statement of account, serve and its incremental rebuilds, the record
//! edits, bank reconciliation), from a [`session::Session`] resolved once.
//! Nothing below imports from here.

pub mod build;
pub mod diff;
pub mod incremental;
pub mod reconcile;
pub mod record;
pub mod serve;
pub mod session;
pub mod statement;
