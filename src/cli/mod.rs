//! The command line (SPEC §4). Each command is a thin function over the
//! library; this file holds the arguments and what the commands share.

mod build;
pub mod check;
mod diff;
mod history;
mod init;
mod reconcile;
mod record;
mod remind;
mod schema;
mod serve;
mod statement;
mod status;

use crate::diagnostic::{Diagnostic, Severity, render};
use crate::model::Date;
use chrono::NaiveDate;
use clap::{Parser, Subcommand, ValueEnum};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser, Debug)]
#[command(
    name = "folio",
    version,
    about = "Agency accounts, projects and invoices as Markdown records"
)]
pub struct Cli {
    /// The records repository.
    #[arg(short = 'C', global = true, value_name = "DIR", default_value = ".")]
    pub dir: PathBuf,
    /// Compute stages as of this date (default: today in folio.yaml's time zone).
    #[arg(long, global = true, value_name = "YYYY-MM-DD", value_parser = parse_date)]
    pub as_of: Option<NaiveDate>,
    #[arg(long, global = true, value_enum, default_value_t = Color::Auto)]
    pub color: Color,
    /// Print only what was asked for: no summaries or progress.
    #[arg(short, long, global = true)]
    pub quiet: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum Color {
    Auto,
    Always,
    Never,
}

fn parse_date(s: &str) -> Result<NaiveDate, String> {
    Date::parse(s).map(|d| d.0)
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Create a new records repository.
    Init {
        /// Where to create it (default: -C DIR).
        dir: Option<PathBuf>,
        /// The CI recipe to write: a GitHub Actions workflow, a GitLab
        /// pipeline, or none.
        #[arg(long, value_enum, default_value_t = crate::ci_recipe::Host::Github)]
        ci: crate::ci_recipe::Host,
    },
    /// Scaffold a valid record.
    #[command(subcommand)]
    New(init::NewCommand),
    /// Validate every record; exit 1 on errors (or warnings with --strict).
    Check {
        /// Treat warnings as errors.
        #[arg(long)]
        strict: bool,
        /// `github`: workflow annotations; `gitlab`: a Code Quality report.
        #[arg(long, value_enum, default_value_t = render::Format::Text)]
        format: render::Format,
    },
    /// Where every unpaid invoice stands, today's actions and account totals.
    Status {
        /// Only this account.
        #[arg(long, value_name = "ACCOUNT")]
        account: Option<String>,
        /// Every invoice, paid ones included (table format).
        #[arg(long)]
        all: bool,
        #[arg(long, value_enum, default_value_t = status::Format::Table)]
        format: status::Format,
    },
    /// The message draft for an invoice's current stage.
    Remind {
        /// The invoice number.
        number: String,
        /// Draft the message of this stage instead of the current one.
        #[arg(long)]
        stage: Option<String>,
    },
    /// A client's statement of account: open invoices, interest, recent payments, total due.
    Statement {
        /// The account (its folder name).
        account: String,
        #[arg(long, value_enum, default_value_t = crate::app::statement::Format::Text)]
        format: crate::app::statement::Format,
    },
    #[command(flatten)]
    Record(record::RecordCommand),
    /// Match bank statements (camt.053, CSV) to invoices; --apply records the payments.
    Reconcile(reconcile::ReconcileArgs),
    /// Render the handbook and status site.
    Build(build::BuildArgs),
    /// Build, serve on 127.0.0.1 and rebuild on changes.
    Serve(serve::ServeArgs),
    /// What changes between two git revisions, as Markdown for a PR comment.
    Diff(diff::DiffArgs),
    /// The commits that changed each record file (for tests and benchmarks).
    #[command(hide = true)]
    History(history::HistoryArgs),
    /// Removes the site a build replaced (started by `build` itself).
    #[command(hide = true, name = crate::site::output::REMOVE_COMMAND)]
    RemoveOldSite { folder: PathBuf },
    /// JSON Schema of each record kind, for editor validation.
    Schema {
        /// Write one `<kind>.schema.json` per record kind into this folder.
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
    },
}

/// Runs folio with the process arguments.
pub fn main() -> ExitCode {
    crate::site::output::remove_replaced_sites_in_background();
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    run(cli)
}

pub fn run(cli: Cli) -> ExitCode {
    let result = match &cli.command {
        Command::Init { dir, ci } => init::init(&cli, dir.as_ref().unwrap_or(&cli.dir), *ci),
        Command::New(cmd) => init::new(&cli, cmd),
        Command::Check { strict, format } => check::run(&cli, *strict, *format),
        Command::Status {
            account,
            all,
            format,
        } => status::run(&cli, account.as_deref(), *all, *format),
        Command::Remind { number, stage } => remind::run(&cli, number, stage.as_deref()),
        Command::Statement { account, format } => statement::run(&cli, account, *format),
        Command::Record(cmd) => record::run(&cli, cmd),
        Command::Reconcile(args) => reconcile::run(&cli, args),
        Command::Build(args) => build::run(&cli, args),
        Command::Serve(args) => serve::run(&cli, args),
        Command::Diff(args) => diff::run(&cli, args),
        Command::History(args) => history::run(&cli, args),
        Command::Schema { out } => schema::run(out.as_deref()),
        Command::RemoveOldSite { folder } => {
            Ok(match crate::site::output::remove_old_site(folder) {
                Ok(()) => ExitCode::SUCCESS,
                Err(_) => ExitCode::from(2),
            })
        }
    };
    match result {
        Ok(code) => code,
        Err(Failure::Records) => ExitCode::from(1),
        Err(Failure::Usage(msg)) => {
            eprintln!("error: {msg}");
            ExitCode::from(2)
        }
    }
}

/// Why a command failed: problems in the records (exit 1, already reported),
/// or a usage / I/O error (exit 2).
#[derive(Debug)]
pub enum Failure {
    Records,
    Usage(String),
}

impl From<std::io::Error> for Failure {
    fn from(e: std::io::Error) -> Self {
        Failure::Usage(e.to_string())
    }
}

pub type CmdResult = Result<ExitCode, Failure>;

impl Cli {
    pub fn color_for(&self, stream_is_terminal: bool) -> bool {
        match self.color {
            Color::Always => true,
            Color::Never => false,
            Color::Auto => stream_is_terminal && std::env::var_os("NO_COLOR").is_none(),
        }
    }
    /// The evaluation date the command line gives: `--as-of`, or today.
    pub fn as_of(&self) -> crate::app::session::AsOf {
        crate::app::session::AsOf::from_flag(self.as_of)
    }
    pub fn stderr_color(&self) -> bool {
        self.color_for(std::io::stderr().is_terminal())
    }
}

pub use crate::app::session::Session;

/// Leaves `value` to the end of the process instead of freeing it: a
/// command's last step over 60,000 records would otherwise spend a tenth
/// of a second or more giving back, one by one, the allocations of what it
/// read, which the operating system reclaims at once when folio exits.
pub fn leave_to_exit<T>(value: T) {
    std::mem::forget(value);
}

/// Opens the repository of `-C DIR` as of `--as-of` (or today); a missing
/// folder is a usage error (exit 2).
pub fn open(cli: &Cli) -> Result<Session, Failure> {
    crate::app::session::open(&cli.dir, cli.as_of()).map_err(|e| Failure::Usage(e.to_string()))
}

/// Loads and checks; when the records have errors, reports them on stderr
/// and fails, so no command computes from broken records.
pub fn open_valid(cli: &Cli) -> Result<Session, Failure> {
    let s = open(cli)?;
    refuse_errors(cli, crate::check::check(&s.repo, &s.settings, s.as_of))?;
    Ok(s)
}

/// Checks an evaluated ledger (so commands that need one evaluate it once)
/// and fails, reporting the errors on stderr, when the records have any.
pub fn require_valid(cli: &Cli, ledger: &crate::ladder::Ledger) -> Result<(), Failure> {
    refuse_errors(cli, crate::check::check_ledger(ledger))
}

fn refuse_errors(cli: &Cli, diags: Vec<Diagnostic>) -> Result<(), Failure> {
    let errors: Vec<Diagnostic> = diags
        .into_iter()
        .filter(|d| d.severity() == Severity::Error)
        .collect();
    if errors.is_empty() {
        return Ok(());
    }
    eprint!("{}", render::text(&errors, &cli.dir, cli.stderr_color()));
    eprintln!("error: the records have errors; fix them first (`folio check`)");
    Err(Failure::Records)
}
