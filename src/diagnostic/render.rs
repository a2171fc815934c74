//! One renderer per output format: `text` (rustc-style with the source line),
//! `json` (SPEC §2 shape), `github` (workflow annotations) and `gitlab`
//! (a Code Quality report for merge requests).

use super::{Code, Diagnostic, JsonDiagnostic, Severity};
use annotate_snippets::{AnnotationKind, Level, Renderer, Snippet};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Text,
    Json,
    Github,
    Gitlab,
}

/// Where the diagnostics' files are.
pub struct Place<'a> {
    /// The records repository: the text format shows lines from its files.
    pub root: &'a Path,
    /// The records folder inside its git repository (`records/`, or empty
    /// at the top): CI marks a file by its path from the top of the
    /// repository, so the `github` and `gitlab` formats put this before
    /// each file.
    pub in_repository: &'a str,
}

/// Renders all diagnostics (already sorted) in `format`.
pub fn render(diags: &[Diagnostic], format: Format, place: &Place, color: bool) -> String {
    match format {
        Format::Text => text(diags, place.root, color),
        Format::Json => json(diags),
        Format::Github => github(diags, place.in_repository),
        Format::Gitlab => gitlab(diags, place.in_repository),
    }
}

/// rustc-style text: the message with its code, the offending source line with
/// a caret, and the fix hint; then a one-line summary.
/// How many warnings of one code `build` and `serve` print in full.
pub const WARNINGS_PER_CODE: usize = 3;

/// Diagnostics for a build's log: every error in full, at most
/// [`WARNINGS_PER_CODE`] warnings of each code, then one line per code
/// saying how many more there are and that `folio check` lists them all.
/// A large backlog gives hundreds of thousands of warnings; a log of them
/// all helps nobody.
pub fn text_in_proportion(diags: &[Diagnostic], root: &Path, color: bool) -> String {
    let mut shown: Vec<Diagnostic> = vec![];
    let mut more: std::collections::BTreeMap<Code, usize> = std::collections::BTreeMap::new();
    let mut seen: std::collections::HashMap<Code, usize> = std::collections::HashMap::new();
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

pub fn summary(errors: usize, warnings: usize) -> String {
    let plural = |n: usize, w: &str| format!("{n} {w}{}", if n == 1 { "" } else { "s" });
    format!(
        "{}, {}",
        plural(errors, "error"),
        plural(warnings, "warning")
    )
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

/// `{"errors":[...],"warnings":[...]}` exactly as SPEC §2.
pub fn json(diags: &[Diagnostic]) -> String {
    let pick = |s: Severity| -> Vec<JsonDiagnostic<'_>> {
        diags
            .iter()
            .filter(|d| d.severity() == s)
            .map(JsonDiagnostic::from)
            .collect()
    };
    let doc = serde_json::json!({
        "errors": pick(Severity::Error),
        "warnings": pick(Severity::Warning),
    });
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
    s.push('\n');
    s
}

/// GitHub Actions workflow commands, one per diagnostic; `prefix` goes
/// before each file (see [`Place::in_repository`]).
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

/// A GitLab Code Quality report (the subset of the Code Climate format
/// GitLab reads): a JSON array with one issue per diagnostic, each with
/// `description`, `check_name`, `fingerprint`, `severity` and
/// `location.path` / `location.lines.begin`. Errors are `major` and
/// warnings `minor`. `prefix` goes before each file (see
/// [`Place::in_repository`]).
///
/// GitLab tells new problems from fixed ones by fingerprint, comparing the
/// merge request's report with the target branch's. A fingerprint is the
/// hash of the code, file and message, and of how many identical problems
/// come before it in the file: it stays when lines move above the problem,
/// and two identical problems in one file (shown once each) still differ.
pub fn gitlab(diags: &[Diagnostic], prefix: &str) -> String {
    let mut seen: std::collections::HashMap<(super::Code, &str, &str), u32> =
        std::collections::HashMap::new();
    let issues: Vec<serde_json::Value> = diags
        .iter()
        .map(|d| {
            let path = format!("{prefix}{}", d.file);
            let occurrence = seen
                .entry((d.code, d.file.as_str(), d.message.as_str()))
                .or_insert(0);
            let fingerprint = fingerprint(d, &path, *occurrence);
            *occurrence += 1;
            serde_json::json!({
                "description": format!("{}: {} (hint: {})", d.code.id(), d.message, d.hint),
                "check_name": format!("{} {}", d.code.id(), d.code.name()),
                "fingerprint": fingerprint,
                "severity": match d.severity() {
                    Severity::Error => "major",
                    Severity::Warning => "minor",
                },
                "location": {
                    "path": path,
                    "lines": { "begin": d.pos.line.max(1) },
                },
            })
        })
        .collect();
    let mut s = serde_json::to_string_pretty(&issues).unwrap_or_default();
    s.push('\n');
    s
}

/// 32 hex digits of SipHash-2-4 (128 bits) over the code, the path, the
/// message and the occurrence, each ended by a NUL.
fn fingerprint(d: &Diagnostic, path: &str, occurrence: u32) -> String {
    use siphasher::sip128::{Hasher128, SipHasher24};
    use std::hash::Hasher;
    let mut h = SipHasher24::new();
    for part in [
        d.code.id(),
        path,
        d.message.as_str(),
        &occurrence.to_string(),
    ] {
        h.write(part.as_bytes());
        h.write_u8(0);
    }
    format!("{:032x}", h.finish128().as_u128())
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
    let limit = super::MAX_FILE_BYTES as u64 + 1;
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
    use crate::diagnostic::{Code, Pos};

    fn sample() -> Vec<Diagnostic> {
        vec![
            Diagnostic::new(
                Code::UnknownKey,
                "accounts/acme/account.md",
                Pos::new(3, 1),
                "unknown key `nmae`",
                "did you mean `name`?",
            ),
            Diagnostic::new(
                Code::NoHandover,
                "accounts/acme/account.md",
                Pos::new(1, 1),
                "no handover brief, a, b",
                "add one",
            ),
        ]
    }

    #[test]
    fn json_has_spec_shape() {
        let v: serde_json::Value = serde_json::from_str(&json(&sample())).unwrap();
        let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(keys, ["errors", "warnings"]);
        let e = &v["errors"][0];
        let keys: Vec<&str> = e.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(keys, ["code", "column", "file", "hint", "line", "message"]);
        assert_eq!(e["file"], "accounts/acme/account.md");
        assert_eq!(e["line"], 3);
        assert_eq!(e["column"], 1);
        assert_eq!(e["code"], "E012");
        assert_eq!(e["hint"], "did you mean `name`?");
        assert_eq!(v["warnings"].as_array().unwrap().len(), 1);
    }

    #[test]
    fn github_annotations_escape() {
        let out = github(&sample(), "");
        assert!(
            out.starts_with("::error file=accounts/acme/account.md,line=3,col=1::E012 unknown-key")
        );
        assert!(out.contains("::warning file="));
    }

    #[test]
    fn gitlab_report_has_code_quality_fields() {
        let v: serde_json::Value =
            serde_json::from_str(&gitlab(&sample(), "ops/records/")).unwrap();
        let issues = v.as_array().unwrap();
        assert_eq!(issues.len(), 2);
        let e = &issues[0];
        assert_eq!(e["check_name"], "E012 unknown-key");
        assert_eq!(e["severity"], "major");
        assert_eq!(
            e["location"]["path"],
            "ops/records/accounts/acme/account.md"
        );
        assert_eq!(e["location"]["lines"]["begin"], 3);
        assert_eq!(
            e["description"],
            "E012: unknown key `nmae` (hint: did you mean `name`?)"
        );
        assert_eq!(issues[1]["severity"], "minor");
        assert_eq!(issues[1]["check_name"], "W003 no-handover");
    }

    #[test]
    fn gitlab_fingerprints_are_stable_and_unique() {
        let at = |line: u32| {
            Diagnostic::new(
                Code::MissingKey,
                "accounts/acme/invoices/a.md",
                Pos::new(line, 3),
                "missing key `by`",
                "add it",
            )
        };
        let prints = |diags: &[Diagnostic]| -> Vec<String> {
            let v: serde_json::Value = serde_json::from_str(&gitlab(diags, "")).unwrap();
            v.as_array()
                .unwrap()
                .iter()
                .map(|i| i["fingerprint"].as_str().unwrap().to_string())
                .collect()
        };
        let before = prints(&[at(4), at(9)]);
        // Two identical problems in one file are two issues in GitLab.
        assert_ne!(before[0], before[1]);
        assert!(before.iter().all(|f| f.len() == 32));
        // Lines added above them move them, and GitLab must not see them
        // as fixed and new again.
        assert_eq!(prints(&[at(6), at(11)]), before);
        // The records moved into a subfolder: other paths, other problems.
        let v: serde_json::Value = serde_json::from_str(&gitlab(&[at(4)], "r/")).unwrap();
        assert_ne!(v[0]["fingerprint"], before[0].as_str());
        // A fingerprint never changes between folio builds: GitLab compares
        // the target branch's report, made by an older build, with this one.
        assert_eq!(before[0], "df017aadf223b6aaa9f01dfe36ca3702");
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
