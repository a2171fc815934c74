//! The diagnostics as data for an HTML page (the error page `folio serve`
//! shows while the records have errors): each one's place, code and
//! severity, and its message and hint cut into plain and `code` spans. A
//! template marks the spans up and escapes every text, so no HTML is made
//! here and an overriding template sees the same plain fields.

use crate::diagnostic::{Diagnostic, Severity};
use serde::Serialize;

/// A page's worth of diagnostics.
#[derive(Debug, Serialize)]
pub struct Report {
    /// How many are errors, and how many warnings.
    pub errors: usize,
    pub warnings: usize,
    /// The errors counted in words: `1 error`, `3 errors`.
    pub errors_counted: String,
    pub diagnostics: Vec<Entry>,
}

/// One diagnostic.
#[derive(Debug, Serialize)]
pub struct Entry {
    /// `error` or `warning`.
    pub severity: &'static str,
    pub file: String,
    pub line: u32,
    pub column: u32,
    /// `file:line:column`, as the text format and editors write a place.
    pub location: String,
    /// The stable code (`E012`) and its name (`unknown-key`).
    pub code: &'static str,
    pub name: &'static str,
    pub message: Vec<Span>,
    /// Empty when the diagnostic has no hint.
    pub hint: Vec<Span>,
}

/// A run of text; `code` when it was quoted in backticks (a key, a value,
/// a command to run), shown as code.
#[derive(Debug, PartialEq, Eq, Serialize)]
pub struct Span {
    pub text: String,
    pub code: bool,
}

/// The data of an HTML page listing `diags`, in their order.
pub fn report(diags: &[Diagnostic]) -> Report {
    let errors = diags
        .iter()
        .filter(|d| d.severity() == Severity::Error)
        .count();
    Report {
        errors,
        warnings: diags.len() - errors,
        errors_counted: format!("{errors} error{}", if errors == 1 { "" } else { "s" }),
        diagnostics: diags.iter().map(entry).collect(),
    }
}

fn entry(d: &Diagnostic) -> Entry {
    Entry {
        severity: match d.severity() {
            Severity::Error => "error",
            Severity::Warning => "warning",
        },
        file: d.file.clone(),
        line: d.pos.line,
        column: d.pos.column,
        location: format!("{}:{}:{}", d.file, d.pos.line, d.pos.column),
        code: d.code.id(),
        name: d.code.name(),
        message: spans(&d.message),
        hint: spans(&d.hint),
    }
}

/// `text` cut at its backticks into plain and code spans. A text with an
/// odd number of backticks has an unpaired one: it is all plain, backticks
/// included. Empty plain runs are left out (an empty pair of backticks
/// stays an empty code span).
pub fn spans(text: &str) -> Vec<Span> {
    let parts: Vec<&str> = text.split('`').collect();
    if parts.len().is_multiple_of(2) {
        return plain(text);
    }
    parts
        .iter()
        .enumerate()
        .filter(|(i, part)| !part.is_empty() || !i.is_multiple_of(2))
        .map(|(i, part)| Span {
            text: part.to_string(),
            code: !i.is_multiple_of(2),
        })
        .collect()
}

fn plain(text: &str) -> Vec<Span> {
    if text.is_empty() {
        return vec![];
    }
    vec![Span {
        text: text.to_string(),
        code: false,
    }]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::render::fixture;

    #[test]
    fn output() {
        let data = serde_json::to_string_pretty(&report(&fixture::diagnostics())).unwrap();
        insta::assert_snapshot!(data);
    }

    #[test]
    fn backticks_make_code_spans() {
        let span = |text: &str, code: bool| Span {
            text: text.into(),
            code,
        };
        let cases: [(&str, Vec<Span>); 6] = [
            ("", vec![]),
            ("none", vec![span("none", false)]),
            (
                "did you mean `issued`?",
                vec![
                    span("did you mean ", false),
                    span("issued", true),
                    span("?", false),
                ],
            ),
            (
                "`a` `b`",
                vec![span("a", true), span(" ", false), span("b", true)],
            ),
            ("a ` b", vec![span("a ` b", false)]),
            ("``", vec![span("", true)]),
        ];
        for (text, want) in cases {
            assert_eq!(spans(text), want, "{text:?}");
        }
    }
}
