//! `--format text`, the default: rustc-style, each problem with its code,
//! the offending source line with a caret under the spot, and the fix
//! hint; then a one-line summary. Also the shortened form `build` and
//! `serve` print ([`text_in_proportion`]).

use super::summary;
use crate::diagnostic::{Code, Diagnostic, Severity};
use annotate_snippets::{AnnotationKind, Level, Renderer, Snippet};
use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::path::Path;

/// How many warnings of one code `build` and `serve` print in full.
pub const WARNINGS_PER_CODE: usize = 3;

/// Diagnostics for a build's log: every error in full, at most
/// [`WARNINGS_PER_CODE`] warnings of each code, then one line per code
/// saying how many more there are and that `folio check` lists them all.
/// A large backlog gives hundreds of thousands of warnings; a log of them
/// all helps nobody.
pub fn text_in_proportion(diags: &[Diagnostic], root: &Path, color: bool) -> String {
    let mut shown: Vec<Diagnostic> = vec![];
    let mut more: BTreeMap<Code, usize> = BTreeMap::new();
    let mut seen: HashMap<Code, usize> = HashMap::new();
    for d in diags {
        let n = seen.entry(d.code).or_default();
        *n += 1;
        if d.severity() == Severity::Error || *n <= WARNINGS_PER_CODE {
            shown.push(d.clone());
        } else {
            *more.entry(d.code).or_default() += 1;
        }
    }
    let out = text(&shown, root, color);
    if more.is_empty() {
        return out;
    }
    // `text` ends with a summary of what it showed: said again for all.
    let mut out = match out.trim_end_matches('\n').rsplit_once('\n') {
        Some((body, _)) => format!("{body}\n"),
        None => String::new(),
    };
    for (code, n) in &more {
        let _ = writeln!(
            out,
            "... and {n} more {} {} warning(s)",
            code.id(),
            code.name()
        );
    }
    let errors = diags
        .iter()
        .filter(|d| d.severity() == Severity::Error)
        .count();
    let hidden: usize = more.values().sum();
    let _ = writeln!(
        out,
        "{} ({hidden} not shown: `folio check` lists every one)",
        summary(errors, diags.len() - errors)
    );
    out
}

/// rustc-style text: the message with its code, the offending source line
/// (read from the file under `root`) with a caret, and the fix hint; then a
/// one-line summary.
pub fn text(diags: &[Diagnostic], root: &Path, color: bool) -> String {
    text_with(diags, root, &BTreeMap::new(), color)
}

/// [`text`] for files not written yet: the source lines of the files in
/// `unwritten` come from those bytes, not from disk (an edit command shows
/// where its refused entry would have gone).
pub fn text_with(
    diags: &[Diagnostic],
    root: &Path,
    unwritten: &BTreeMap<String, Vec<u8>>,
    color: bool,
) -> String {
    let renderer = if color {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    let mut sources = SourceCache::new(root, unwritten);
    let mut out = String::new();
    for d in diags {
        let level = match d.severity() {
            Severity::Error => Level::ERROR,
            Severity::Warning => Level::WARNING,
        };
        let title = level.primary_title(d.message.as_str()).id(format!(
            "{} {}",
            d.code.id(),
            d.code.name()
        ));
        let mut group: Vec<annotate_snippets::Element> = vec![];
        match sources.line(&d.file, d.pos.line) {
            Some(line) => {
                let (start, end) = caret_range(&line, d.pos.column);
                group.push(
                    Snippet::source(line.clone())
                        .line_start(d.pos.line as usize)
                        .path(d.file.as_str())
                        .annotation(AnnotationKind::Primary.span(start..end))
                        .into(),
                );
            }
            None => group.push(
                annotate_snippets::Origin::path(d.file.as_str())
                    .line(d.pos.line as usize)
                    .char_column(d.pos.column as usize)
                    .into(),
            ),
        }
        let mut report = vec![title.elements(group)];
        if !d.hint.is_empty() {
            report.push(
                Level::HELP
                    .secondary_title(d.hint.as_str())
                    .element(annotate_snippets::Padding),
            );
        }
        let _ = writeln!(out, "{}\n", renderer.render(&report));
    }
    let errors = diags
        .iter()
        .filter(|d| d.severity() == Severity::Error)
        .count();
    let warnings = diags.len() - errors;
    let _ = writeln!(out, "{}", summary(errors, warnings));
    out
}

/// The byte range to underline: a key up to its colon, a value up to the end
/// of the scalar (a comma or brace in flow style, else the end of the line).
fn caret_range(line: &str, column: u32) -> (usize, usize) {
    let start = line
        .char_indices()
        .nth(column.saturating_sub(1) as usize)
        .map(|(i, _)| i)
        .unwrap_or(line.len());
    let rest = &line[start..];
    // A quoted scalar runs to its closing quote, commas and all.
    if let Some(quote) = rest.chars().next().filter(|c| *c == '"' || *c == '\'')
        && let Some(end) = rest[1..].find(quote)
    {
        return (start, start + end + 2);
    }
    let is_value = line[..start].trim_end().ends_with(':');
    let stop: &[char] = if is_value {
        &[',', '}', ']', '#']
    } else {
        &[':', ',', '}', ' ']
    };
    let len = rest.find(stop).unwrap_or(rest.len());
    let len = rest[..len].trim_end().len().max(1).min(rest.len());
    (start, start + len)
}

/// Re-reads files on demand for the text renderer, so sources need not be kept
/// in memory for the whole run.
struct SourceCache<'a> {
    root: &'a Path,
    unwritten: &'a BTreeMap<String, Vec<u8>>,
    file: String,
    lines: Vec<String>,
}

impl<'a> SourceCache<'a> {
    fn new(root: &'a Path, unwritten: &'a BTreeMap<String, Vec<u8>>) -> Self {
        SourceCache {
            root,
            unwritten,
            file: String::new(),
            lines: vec![],
        }
    }
    fn line(&mut self, file: &str, line: u32) -> Option<String> {
        if self.file != file {
            self.file = file.to_string();
            let bytes = match self.unwritten.get(file) {
                Some(b) => b.clone(),
                None => read_inside(self.root, file),
            };
            let text = String::from_utf8_lossy(&bytes).replace('\0', "\u{FFFD}");
            self.lines = text
                .trim_start_matches('\u{feff}')
                .lines()
                .map(|l| l.trim_end_matches('\r').replace('\t', "    "))
                .collect();
        }
        self.lines
            .get(line.checked_sub(1)? as usize)
            .filter(|l| l.len() < 1000)
            .cloned()
    }
}

/// The bytes of `rel` when it is a regular file inside `root` once links
/// are resolved, else nothing: a diagnostic about a link that leaves the
/// repository (W009) must not print the first line of what it points at
/// (`/etc/passwd`, a key file) into a public CI log, nor block on a FIFO.
fn read_inside(root: &Path, rel: &str) -> Vec<u8> {
    let path = root.join(rel);
    let inside = match (root.canonicalize(), path.canonicalize()) {
        (Ok(root), Ok(real)) => {
            real.starts_with(&root) && std::fs::metadata(&real).is_ok_and(|m| m.is_file())
        }
        _ => false,
    };
    if inside { read_prefix(&path) } else { vec![] }
}

/// A file's bytes up to the record size limit: diagnostics never point past
/// it, and a 60 MB file must not be read whole just to show its first line.
fn read_prefix(path: &Path) -> Vec<u8> {
    use std::io::Read;
    let limit = crate::diagnostic::MAX_FILE_BYTES as u64 + 1;
    let mut bytes = vec![];
    if let Ok(file) = std::fs::File::open(path) {
        let _ = file.take(limit).read_to_end(&mut bytes);
    }
    bytes
}

#[cfg(test)]
mod proportion_tests {
    use super::*;
    use crate::diagnostic::Pos;

    #[test]
    fn a_few_warnings_per_code_and_every_error() {
        let d = |code: Code, i: u32| {
            Diagnostic::new(code, format!("f{i}.md"), Pos::START, format!("m{i}"), "h")
        };
        let mut diags: Vec<Diagnostic> = (0..10).map(|i| d(Code::MissedStep, i)).collect();
        diags.extend((0..5).map(|i| d(Code::BadDate, 100 + i)));
        diags.push(d(Code::StaleHold, 200));
        let out = text_in_proportion(&diags, Path::new("/nonexistent"), false);
        assert_eq!(out.matches("error[E014").count(), 5, "{out}");
        assert_eq!(
            out.matches("warning[W005").count(),
            WARNINGS_PER_CODE,
            "{out}"
        );
        assert_eq!(out.matches("warning[W006").count(), 1, "{out}");
        assert!(
            out.contains("... and 7 more W005 missed-step warning(s)"),
            "{out}"
        );
        assert!(
            out.trim_end()
                .ends_with("5 errors, 11 warnings (7 not shown: `folio check` lists every one)"),
            "{out}"
        );
        let few = text_in_proportion(&diags[10..], Path::new("/nonexistent"), false);
        assert_eq!(few, text(&diags[10..], Path::new("/nonexistent"), false));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::render::fixture;

    #[test]
    fn output() {
        let (root, sources) = fixture::sources();
        insta::assert_snapshot!(text_with(&fixture::diagnostics(), &root, &sources, false));
    }

    #[test]
    fn output_in_colour() {
        let (root, sources) = fixture::sources();
        let diags = &fixture::diagnostics()[..2];
        // The escape character made visible, so the snapshot is text.
        let out = text_with(diags, &root, &sources, true).replace('\u{1b}', "\\e");
        insta::assert_snapshot!(out);
    }

    #[test]
    fn output_in_proportion() {
        // The fixture's warnings, each four times: three of a code are shown.
        let mut diags = vec![];
        for d in fixture::diagnostics() {
            let times = if d.severity() == Severity::Warning {
                4
            } else {
                1
            };
            diags.extend(std::iter::repeat_n(d, times));
        }
        crate::diagnostic::sort(&mut diags);
        let (root, _) = fixture::sources();
        insta::assert_snapshot!(text_in_proportion(&diags, &root, false));
    }

    #[test]
    fn source_lines_come_from_the_files_under_the_root() {
        let dir = tempfile::tempdir().unwrap();
        let (_, sources) = fixture::sources();
        for (rel, bytes) in &sources {
            let path = dir.path().join(rel);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, bytes).unwrap();
        }
        let diags = fixture::diagnostics();
        assert_eq!(
            text(&diags, dir.path(), false),
            text_with(&diags, Path::new("/nonexistent"), &sources, false)
        );
    }

    #[test]
    fn caret_covers_key() {
        assert_eq!(caret_range("nmae: Acme", 1), (0, 4));
        assert_eq!(caret_range("x", 9), (1, 1));
        assert_eq!(caret_range("amount: \"12,000.50\"", 9), (8, 19));
        assert_eq!(caret_range("- { a: 'x, y', b: 1 }", 8), (7, 13));
        assert_eq!(caret_range("- { a: x, b: 1 }", 8), (7, 8));
    }
}
