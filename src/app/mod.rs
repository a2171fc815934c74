//! The drivers: commands that put the layers below to work on an opened
//! repository (diff between two revisions, the statement of account, serve
//! and its incremental rebuilds; build and the record edits are to move here
//! too). Nothing below imports from here.

pub mod diff;
pub mod incremental;
pub mod serve;
pub mod statement;
