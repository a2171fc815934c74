//! folio: agency accounts, projects and invoices as Markdown records.
//!
//! The modules are layers, and each imports only from the layers below it
//! (`tests/testsuite/layers.rs` holds the code to it), from the bottom up:
//!
//! 1. `plumbing` (the cache folder and its one file format, atomic writes,
//!    the build stamp, HTML escaping), `embedded` (the built-in files) and
//!    `ci_recipe`: leaves that import nothing of folio's;
//! 2. `diagnostic`: problems, their codes and renderers;
//! 3. `model`: the typed records, the opened repository (`Repo`, `Record`,
//!    `AccountDir`), the repository's layout, slugs, dates, money;
//! 4. `load`: walking a repository, front matter, YAML, the records cache;
//! 5. `ladder` (money over time: calendars, policies, stages, interest, the
//!    ledger, message drafts and the templates parsed once, the status
//!    report), beside it `edit` (the byte-preserving edit engine);
//! 6. `history`: reading git;
//! 7. `check` (every rule) and `site` (rendering), side by side (neither
//!    imports the other);
//! 8. the drivers, in `app`, from one `session` (root, settings, the as-of
//!    date resolved once): `build` and the `check` gate, diff, the
//!    statement, serve and its incremental rebuilds, the record edits
//!    (`app/record`) and bank reconciliation (`app/reconcile`);
//! 9. `cli`: argument parsing.

pub mod app;
pub mod check;
pub mod ci_recipe;
pub mod cli;
pub mod diagnostic;
pub mod edit;
pub mod embedded;
pub mod history;
pub mod ladder;
pub mod load;
pub mod model;
pub mod plumbing;
pub mod site;

/// Prints how long a phase took to stderr when `FOLIO_TIMINGS` is set; the
/// benchmark script uses it to see where time goes.
pub fn timing(phase: &str, since: std::time::Instant) {
    if std::env::var_os("FOLIO_TIMINGS").is_some() {
        eprintln!(
            "timing: {phase}: {:.1} ms",
            since.elapsed().as_secs_f64() * 1e3
        );
    }
}
