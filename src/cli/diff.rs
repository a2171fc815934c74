//! `folio diff BASE [HEAD]` — records and stages that change between two revisions.

use super::{Cli, CmdResult, Failure};

#[derive(clap::Args, Debug)]
pub struct DiffArgs {
    /// The base revision (e.g. `origin/main`).
    pub base: String,
    /// The head revision; default: the working tree.
    pub head: Option<String>,
    #[arg(long, value_enum, default_value_t = DiffFormat::Markdown)]
    pub format: DiffFormat,
}

#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum DiffFormat {
    Markdown,
    Json,
}

pub fn run(_cli: &Cli, _args: &DiffArgs) -> CmdResult {
    Err(Failure::Usage("`folio diff` is not implemented yet".into()))
}
