//! folio: agency accounts, projects and invoices as Markdown records.
//!
//! The data flows through the modules in this order:
//! load (walk + front matter) → model (typed records) → check (diagnostics)
//! → ladder (calendars, policies, stages) → history (git) → site (templates,
//! output) → cli.

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
pub mod reconcile;
pub mod record;
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
