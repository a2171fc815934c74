//! `folio reconcile FILE...`: the arguments; the work is done by
//! [`crate::app::reconcile`].

use super::{Cli, CmdResult, Failure};
use crate::app::reconcile::{self, Format, Options};
use crate::app::record::Fail;
use clap::Args;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Args, Debug)]
pub struct ReconcileArgs {
    /// Bank statements: camt.053 XML files, or CSV files read with --rules.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// How to read the CSV files (a YAML file: delimiter, columns, formats).
    #[arg(long, value_name = "RULES.yaml")]
    pub rules: Option<PathBuf>,
    /// Record every matched payment (each invoice edited as `folio pay` does).
    #[arg(long)]
    pub apply: bool,
    /// With --apply, also record payments larger than what is outstanding.
    #[arg(long, requires = "apply")]
    pub allow_overpayment: bool,
    /// With --apply, also record the proposals: credits that name no invoice
    /// but come from a payer listed under an account's `billing.payers`.
    #[arg(long, requires = "apply")]
    pub apply_proposals: bool,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

pub fn run(cli: &Cli, args: &ReconcileArgs) -> CmdResult {
    let opts = Options {
        root: &cli.dir,
        as_of: cli.as_of(),
        color: cli.stderr_color(),
        files: &args.files,
        rules: args.rules.as_deref(),
        apply: args.apply,
        allow_overpayment: args.allow_overpayment,
        apply_proposals: args.apply_proposals,
        format: args.format,
    };
    match reconcile::run(&opts) {
        Ok(out) => {
            eprint!("{}", out.stderr);
            print!("{}", out.stdout);
            Ok(ExitCode::SUCCESS)
        }
        Err(Fail::Usage(msg)) => Err(Failure::Usage(msg)),
        Err(Fail::Refused(text)) => {
            eprint!("{text}");
            Err(Failure::Records)
        }
    }
}
