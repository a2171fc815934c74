//! The drivers: commands that put the layers below to work on an opened
//! repository (diff between two revisions, for now; build, serve and the
//! record edits are to move here too). Nothing below imports from here.

pub mod diff;
