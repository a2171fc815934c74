//! The escalation engine: calendars, policies and stages (SPEC §3), and the
//! ledger that applies them to every invoice of a repository as of a date.

pub mod calendar;
pub mod interest;
pub mod ledger;
pub mod message;
pub mod policy;
pub mod report;
pub mod stage;
pub mod statement;
pub mod templates;

pub use ledger::{Entry, Ledger, Settings};
pub use policy::Policy;
pub use stage::{Evaluation, State};
