//! `folio pay`, `log`, `promise`, `hold`, `extend`: the arguments; the work
//! is done by [`crate::app::record`].

use super::{Cli, CmdResult, Failure, parse_date};
use crate::app::record::{self, Fail, Options, What};
use chrono::NaiveDate;
use clap::{Args, Subcommand};
use rust_decimal::Decimal;
use std::process::ExitCode;
use std::str::FromStr;

/// Options every recording command takes.
#[derive(Args, Debug, Clone)]
pub struct WriteArgs {
    /// Print the unified diff of the change and write nothing.
    #[arg(long, conflicts_with = "commit")]
    pub dry_run: bool,
    /// Commit the edited file, and only it, with a message saying what was
    /// recorded (refused when other changes are staged).
    #[arg(long)]
    pub commit: bool,
}

/// A money amount as a plain decimal: `1500` or `1500.50`.
fn parse_amount(s: &str) -> Result<Decimal, String> {
    let plain = !s.is_empty()
        && s.chars().all(|c| c.is_ascii_digit() || c == '.')
        && s.matches('.').count() <= 1
        && !s.starts_with('.')
        && !s.ends_with('.');
    if !plain {
        return Err(format!(
            "`{s}` is not an amount: write digits with an optional decimal point, such as 1500 or 1500.50"
        ));
    }
    Decimal::from_str(s).map_err(|_| format!("`{s}` is out of range"))
}

#[derive(Subcommand, Debug)]
pub enum RecordCommand {
    /// Record a payment received for an invoice.
    Pay {
        /// The invoice number.
        number: String,
        /// The amount received, e.g. 1500 or 1500.50.
        #[arg(value_parser = parse_amount)]
        amount: Decimal,
        /// The day it arrived (default: --as-of, else today).
        #[arg(long, value_parser = parse_date, value_name = "YYYY-MM-DD")]
        date: Option<NaiveDate>,
        /// The bank's reference of the transfer.
        #[arg(long = "ref", value_name = "TEXT")]
        reference: Option<String>,
        #[command(flatten)]
        write: WriteArgs,
    },
    /// Log a step taken on an invoice (NUMBER STAGE) or an event of an
    /// account (ACCOUNT KIND: client_sync, internal_sync, call, decision, ...).
    Log {
        /// An invoice number, or an account id.
        target: String,
        /// The stage (for an invoice) or the kind of event (for an account).
        what: String,
        #[arg(long, value_parser = parse_date, value_name = "YYYY-MM-DD")]
        date: Option<NaiveDate>,
        /// How it was sent (default: the stage's channel). Invoices only.
        #[arg(long, value_name = "TEXT")]
        channel: Option<String>,
        /// Who did it (default for a stage: its owner).
        #[arg(long, value_name = "HANDLE")]
        by: Option<String>,
        #[arg(long, value_name = "TEXT")]
        note: Option<String>,
        #[command(flatten)]
        write: WriteArgs,
    },
    /// Record the client's promise to pay by a date.
    Promise {
        number: String,
        #[arg(long, value_parser = parse_date, value_name = "YYYY-MM-DD")]
        pay_by: NaiveDate,
        /// When the promise was made (default: --as-of, else today).
        #[arg(long, value_parser = parse_date, value_name = "YYYY-MM-DD")]
        made: Option<NaiveDate>,
        #[arg(long, value_name = "TEXT")]
        note: Option<String>,
        #[command(flatten)]
        write: WriteArgs,
    },
    /// Put an invoice on hold (a dispute, an agreed pause), or end the open
    /// hold with --release.
    Hold {
        number: String,
        #[arg(long, value_name = "TEXT", required_unless_present = "release")]
        reason: Option<String>,
        #[arg(long, value_parser = parse_date, value_name = "YYYY-MM-DD", conflicts_with = "release")]
        from: Option<NaiveDate>,
        #[arg(long, value_parser = parse_date, value_name = "YYYY-MM-DD", conflicts_with = "release")]
        until: Option<NaiveDate>,
        /// Set `until` on the open hold instead of adding one.
        #[arg(long, conflicts_with = "reason")]
        release: bool,
        /// The hold's last day (with --release; default: --as-of, else today).
        #[arg(long, value_parser = parse_date, value_name = "YYYY-MM-DD", requires = "release")]
        on: Option<NaiveDate>,
        #[command(flatten)]
        write: WriteArgs,
    },
    /// Record a signed-off delay of the escalation.
    Extend {
        number: String,
        #[arg(long)]
        days: u32,
        /// Who granted it (a person handle).
        #[arg(long, value_name = "HANDLE")]
        by: String,
        #[arg(long, value_name = "TEXT")]
        reason: String,
        #[arg(long, value_parser = parse_date, value_name = "YYYY-MM-DD")]
        granted: Option<NaiveDate>,
        #[command(flatten)]
        write: WriteArgs,
    },
}

pub fn run(cli: &Cli, cmd: &RecordCommand) -> CmdResult {
    let (target, what, write) = cmd.parts();
    let opts = Options {
        root: &cli.dir,
        as_of: cli.as_of(),
        color: cli.stderr_color(),
        dry_run: write.dry_run,
        commit: write.commit,
    };
    match record::record(&opts, &target, what) {
        Ok(out) => {
            eprint!("{}", out.stderr);
            if !cli.quiet || write.dry_run {
                print!("{}", out.stdout);
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(Fail::Usage(msg)) => Err(Failure::Usage(msg)),
        Err(Fail::Refused(text)) => {
            eprint!("{text}");
            Err(Failure::Records)
        }
    }
}

impl RecordCommand {
    /// The target, what to record and the write options.
    fn parts(&self) -> (String, What, WriteArgs) {
        match self {
            RecordCommand::Pay {
                number,
                amount,
                date,
                reference,
                write,
            } => (
                number.clone(),
                What::Pay {
                    amount: *amount,
                    date: *date,
                    reference: reference.clone(),
                },
                write.clone(),
            ),
            RecordCommand::Log {
                target,
                what,
                date,
                channel,
                by,
                note,
                write,
            } => (
                target.clone(),
                What::Log {
                    what: what.clone(),
                    date: *date,
                    channel: channel.clone(),
                    by: by.clone(),
                    note: note.clone(),
                },
                write.clone(),
            ),
            RecordCommand::Promise {
                number,
                pay_by,
                made,
                note,
                write,
            } => (
                number.clone(),
                What::Promise {
                    pay_by: *pay_by,
                    made: *made,
                    note: note.clone(),
                },
                write.clone(),
            ),
            RecordCommand::Hold {
                number,
                reason,
                from,
                until,
                release,
                on,
                write,
            } => (
                number.clone(),
                if *release {
                    What::Release { on: *on }
                } else {
                    What::Hold {
                        reason: reason.clone().unwrap_or_default(),
                        from: *from,
                        until: *until,
                    }
                },
                write.clone(),
            ),
            RecordCommand::Extend {
                number,
                days,
                by,
                reason,
                granted,
                write,
            } => (
                number.clone(),
                What::Extend {
                    days: *days,
                    by: by.clone(),
                    reason: reason.clone(),
                    granted: *granted,
                },
                write.clone(),
            ),
        }
    }
}
