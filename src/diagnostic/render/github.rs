//! `--format github`: GitHub Actions workflow commands, which the job's
//! page shows as annotations on the lines of a pull request.

use crate::diagnostic::{Diagnostic, Severity};
use std::fmt::Write as _;

/// One workflow command per diagnostic; `prefix` goes before each file
/// (see [`super::Place::in_repository`]).
pub fn github(diags: &[Diagnostic], prefix: &str) -> String {
    let mut out = String::new();
    for d in diags {
        let kind = match d.severity() {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let message = format!(
            "{} {}: {} (hint: {})",
            d.code.id(),
            d.code.name(),
            d.message,
            d.hint
        );
        let _ = writeln!(
            out,
            "::{kind} file={},line={},col={}::{}",
            escape_property(&format!("{prefix}{}", d.file)),
            d.pos.line,
            d.pos.column,
            escape_data(&message)
        );
    }
    out
}

/// Workflow-command escaping of the message part.
fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Workflow-command escaping of a property value.
fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::render::fixture;

    #[test]
    fn output() {
        insta::assert_snapshot!(github(&fixture::diagnostics(), ""));
    }

    #[test]
    fn output_in_a_records_folder() {
        insta::assert_snapshot!(github(&fixture::diagnostics()[..2], "ops/records/"));
    }

    #[test]
    fn annotations_escape() {
        let out = github(&fixture::diagnostics(), "");
        assert!(
            out.starts_with("::error file=accounts/acme/account.md,line=3,col=1::E012 unknown-key")
        );
        assert!(out.contains("::warning file="));
        // One command per line, whatever the message holds.
        assert_eq!(out.lines().count(), fixture::diagnostics().len());
        assert_eq!(escape_data("50% a\r\nb"), "50%25 a%0D%0Ab");
        assert_eq!(escape_property("a:b,c"), "a%3Ab%2Cc");
    }
}
