//! folio's integration tests: one test binary (as mdBook's and cargo's
//! `tests/testsuite/`), so git2 and the rest are linked once. Each module
//! runs the real `folio` binary, or the library in process where the binary
//! adds nothing, on fixture repositories made at test time.

mod common;
mod git_fixture;

mod bombs;
mod browser;
mod cache;
mod check;
mod diff;
mod edit;
mod gate;
mod history;
mod init;
mod interest;
mod layers;
mod output;
mod page_variables;
mod pages;
mod publish;
mod reconcile;
mod scale;
mod schemas;
mod serve;
mod site;
mod status;
mod templates;
