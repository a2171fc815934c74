//! `folio serve` — build, serve on 127.0.0.1, rebuild on changes.

use super::{Cli, CmdResult, Failure};
use crate::diagnostic::render;
use crate::site::serve::{self, Options, Report};
use std::process::ExitCode;
use std::sync::{Arc, Mutex};

#[derive(clap::Args, Debug)]
pub struct ServeArgs {
    /// Port on 127.0.0.1 (0 picks a free one).
    #[arg(long, default_value_t = 8040)]
    pub port: u16,
}

pub fn run(cli: &Cli, args: &ServeArgs) -> CmdResult {
    let opts = Options {
        root: cli.dir.clone(),
        as_of: cli.as_of,
        port: args.port,
    };
    let root = cli.dir.clone();
    let color = cli.stderr_color();
    let quiet = cli.quiet;
    // Every rebuild meets the same warnings; print them when they change.
    let shown_warnings = Mutex::new(None::<Vec<crate::diagnostic::Diagnostic>>);
    let reporter = Arc::new(move |report: Report| match report {
        Report::Built {
            pages,
            rendered,
            elapsed,
            warnings,
        } => {
            if quiet {
                return;
            }
            let mut shown = shown_warnings.lock().unwrap_or_else(|e| e.into_inner());
            if shown.as_deref() != Some(warnings) {
                if !warnings.is_empty() {
                    eprint!("{}", render::text_in_proportion(warnings, &root, color));
                }
                *shown = Some(warnings.to_vec());
            }
            // An update of the served site renders only what changed.
            let what = if rendered < pages {
                format!("updated {rendered} of {pages} pages")
            } else {
                format!("built {pages} pages")
            };
            eprintln!(
                "{what} in {} ms{}",
                elapsed.as_millis(),
                match warnings.len() {
                    0 => String::new(),
                    n => format!(", {n} warning(s)"),
                }
            );
        }
        Report::Records(errors) => {
            *shown_warnings.lock().unwrap_or_else(|e| e.into_inner()) = None;
            eprint!("{}", render::text(errors, &root, color));
            eprintln!("error: the records have errors; the pages show them until they are fixed");
        }
        Report::Failed(why) => eprintln!("error: {why}"),
        Report::Warning(what) => eprintln!("warning: {what}"),
    });
    serve::run(&opts, reporter).map_err(Failure::Usage)?;
    Ok(ExitCode::SUCCESS)
}
