//! `folio check`.

use super::{Cli, CmdResult, open};
use crate::diagnostic::{Severity, render};
use std::io::{IsTerminal, Write};
use std::process::ExitCode;

/// Whether `folio check` exits 1 with these diagnostics: on any error, and
/// with `--strict` on any warning too.
pub fn fails(diags: &[crate::diagnostic::Diagnostic], strict: bool) -> bool {
    let errors = diags.iter().any(|d| d.severity() == Severity::Error);
    errors || (strict && !diags.is_empty())
}

pub fn run(cli: &Cli, strict: bool, format: render::Format) -> CmdResult {
    // The late-record check needs the git history: it is read (usually from
    // its cache) while the records load.
    let (s, history) = rayon::join(|| open(cli), || crate::history::read(&cli.dir));
    let s = s?;
    let diags = crate::app::build::check_all(&s, &history);
    let color = cli.color_for(std::io::stdout().is_terminal());
    if format == render::Format::Json {
        render::write_json(&diags, std::io::stdout().lock())?;
        let code = exit_code(&diags, strict);
        super::leave_to_exit((diags, s, history));
        return Ok(code);
    }
    let out = match format {
        render::Format::Text if diags.is_empty() => {
            if cli.quiet {
                String::new()
            } else {
                format!("ok: {}\n", render::summary(0, 0))
            }
        }
        render::Format::Text if cli.quiet => {
            // The report without its last line, the summary.
            let full = render::text(&diags, &cli.dir, color);
            let body = full
                .trim_end_matches('\n')
                .rsplit_once('\n')
                .map_or("", |(body, _)| body);
            format!("{}\n", body.trim_end_matches('\n'))
        }
        _ => {
            // CI formats name files from the top of the git repository.
            let in_repository = match format {
                render::Format::Github | render::Format::Gitlab => {
                    crate::history::folder_in_repository(&cli.dir)
                }
                _ => String::new(),
            };
            let place = render::Place {
                root: &cli.dir,
                in_repository: &in_repository,
            };
            render::render(&diags, format, &place, color)
        }
    };
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(out.as_bytes())?;
    Ok(exit_code(&diags, strict))
}

fn exit_code(diags: &[crate::diagnostic::Diagnostic], strict: bool) -> ExitCode {
    if fails(diags, strict) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
