//! `folio serve` — build, serve on 127.0.0.1, rebuild on changes.

use super::{Cli, CmdResult, Failure};
use crate::app::serve::{self, Options, report};
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct ServeArgs {
    /// Port on 127.0.0.1 (0 picks a free one).
    #[arg(long, default_value_t = 8040)]
    pub port: u16,
}

pub fn run(cli: &Cli, args: &ServeArgs) -> CmdResult {
    let opts = Options {
        root: cli.dir.clone(),
        as_of: cli.as_of(),
        port: args.port,
    };
    let reporter = report::to_stderr(cli.dir.clone(), cli.stderr_color(), cli.quiet);
    serve::run(&opts, reporter).map_err(Failure::Usage)?;
    Ok(ExitCode::SUCCESS)
}
