//! What `folio serve` tells the terminal: how each build went.

use crate::diagnostic::{Diagnostic, render};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// How a build went, for the terminal.
pub enum Report<'a> {
    Built {
        pages: usize,
        rendered: usize,
        elapsed: Duration,
        warnings: &'a [Diagnostic],
    },
    Records(&'a [Diagnostic]),
    Failed(&'a str),
    /// Something about serving that the user should know (not a build).
    Warning(&'a str),
}

/// Where build reports go (the command line prints them).
pub type Reporter = Arc<dyn Fn(Report) + Send + Sync>;

/// Prints reports on stderr: the diagnostics of the records at `root` (the
/// warnings only when they change, since every rebuild meets the same ones),
/// and one line per build unless `quiet`.
pub fn to_stderr(root: PathBuf, color: bool, quiet: bool) -> Reporter {
    let shown_warnings = Mutex::new(None::<Vec<Diagnostic>>);
    Arc::new(move |report: Report| match report {
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
            eprintln!("{}", built_line(pages, rendered, elapsed, warnings.len()));
        }
        Report::Records(errors) => {
            *shown_warnings.lock().unwrap_or_else(|e| e.into_inner()) = None;
            eprint!("{}", render::text(errors, &root, color));
            eprintln!("error: the records have errors; the pages show them until they are fixed");
        }
        Report::Failed(why) => eprintln!("error: {why}"),
        Report::Warning(what) => eprintln!("warning: {what}"),
    })
}

/// `built 40 pages in 12 ms`, or `updated 3 of 40 pages ...` for an update
/// of the served site that rendered only what changed.
fn built_line(pages: usize, rendered: usize, elapsed: Duration, warnings: usize) -> String {
    let what = if rendered < pages {
        format!("updated {rendered} of {pages} pages")
    } else {
        format!("built {pages} pages")
    };
    let warnings = match warnings {
        0 => String::new(),
        n => format!(", {n} warning(s)"),
    };
    format!("{what} in {} ms{warnings}", elapsed.as_millis())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn build_lines() {
        let ms = Duration::from_millis(12);
        assert_eq!(built_line(40, 40, ms, 0), "built 40 pages in 12 ms");
        assert_eq!(
            built_line(40, 3, ms, 2),
            "updated 3 of 40 pages in 12 ms, 2 warning(s)"
        );
    }
}
