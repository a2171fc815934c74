//! `folio serve` — build, serve on 127.0.0.1, rebuild on changes.

use super::{Cli, CmdResult, Failure};

#[derive(clap::Args, Debug)]
pub struct ServeArgs {
    /// Port on 127.0.0.1.
    #[arg(long, default_value_t = 8040)]
    pub port: u16,
}

pub fn run(_cli: &Cli, _args: &ServeArgs) -> CmdResult {
    Err(Failure::Usage("`folio serve` is not implemented yet".into()))
}
