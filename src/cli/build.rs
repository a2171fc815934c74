//! `folio build` — the static site (SPEC §5).

use super::{Cli, CmdResult, Failure};
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct BuildArgs {
    /// Output folder.
    #[arg(long, value_name = "DIR", default_value = "public")]
    pub out: PathBuf,
    /// Only the handbook and policy pages: no client names, money or status.
    #[arg(long)]
    pub handbook_only: bool,
}

pub fn run(_cli: &Cli, _args: &BuildArgs) -> CmdResult {
    Err(Failure::Usage("`folio build` is not implemented yet".into()))
}
