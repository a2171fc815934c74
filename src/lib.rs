//! folio: agency accounts, projects and invoices as Markdown records.
//!
//! The data flows through the modules in this order:
//! load (walk + front matter) → model (typed records) → check (diagnostics)
//! → ladder (calendars, policies, stages) → history (git) → site (templates,
//! output) → cli.

pub mod check;
pub mod cli;
pub mod diagnostic;
pub mod embedded;
pub mod history;
pub mod ladder;
pub mod load;
pub mod model;
pub mod site;
