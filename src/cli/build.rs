//! `folio build` — the static site (SPEC §5).

use super::{Cli, CmdResult, Failure};
use crate::app::build::{self, Options};
use crate::diagnostic::render;
use crate::site::render::BuildError;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct BuildArgs {
    /// Output folder; a relative path is taken from the records repository
    /// (-C DIR), like every other path folio reads or writes there.
    #[arg(long, value_name = "DIR", default_value = "public")]
    pub out: PathBuf,
    /// Only the handbook and policy pages: no client names, money or status.
    #[arg(long)]
    pub handbook_only: bool,
}

/// Where the site goes: `--out` as given when absolute, else inside -C DIR.
pub fn out_dir(cli: &Cli, args: &BuildArgs) -> PathBuf {
    if args.out.is_absolute() {
        args.out.clone()
    } else {
        cli.dir.join(&args.out)
    }
}

pub fn run(cli: &Cli, args: &BuildArgs) -> CmdResult {
    if !cli.dir.is_dir() {
        return Err(Failure::Usage(format!(
            "`{}` is not a folder",
            cli.dir.display()
        )));
    }
    let out = out_dir(cli, args);
    let opts = Options {
        out: out.clone(),
        handbook_only: args.handbook_only,
        as_of: cli.as_of(),
    };
    match build::build(&cli.dir, &opts) {
        Ok(summary) => {
            if !cli.quiet {
                if !summary.warnings.is_empty() {
                    eprint!(
                        "{}",
                        render::text_in_proportion(&summary.warnings, &cli.dir, cli.stderr_color())
                    );
                }
                eprintln!(
                    "built {} pages ({} files) into {}{}",
                    summary.pages,
                    summary.files,
                    out.display(),
                    match summary.warnings.len() {
                        0 => String::new(),
                        n => format!(", {n} warning(s)"),
                    }
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(BuildError::Records(errors)) => {
            eprint!("{}", render::text(&errors, &cli.dir, cli.stderr_color()));
            eprintln!(
                "error: the records have errors; fix them first (`folio check`). The previous site is untouched."
            );
            Err(Failure::Records)
        }
        Err(BuildError::Refused(why)) => {
            Err(Failure::Usage(format!("refusing to write the site: {why}")))
        }
        Err(BuildError::Failed(why) | BuildError::Template { message: why, .. }) => {
            eprintln!("error: the site was not built: {why}");
            eprintln!("The previous site is untouched.");
            Err(Failure::Records)
        }
    }
}
