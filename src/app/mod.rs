//! The drivers: commands that put the layers below to work on an opened
//! repository (diff between two revisions, the statement of account; build,
//! serve and the record edits are to move here too). Nothing below imports
//! from here.

pub mod diff;
pub mod statement;
