//! Diagnostics: what is wrong, where, a stable code and a fix hint.
//!
//! Every stage of the pipeline (load, model, check, ladder, history) reports
//! problems as [`Diagnostic`] values instead of failing, so one run can report
//! every problem in every file. One renderer per output format lives in
//! `render/`.

pub mod render;

/// The largest record file folio reads (4 MiB): the loader refuses larger
/// ones, and the renderer reads no more of a file to quote its lines.
pub const MAX_FILE_BYTES: usize = 4 * 1024 * 1024;

use serde::Serialize;

/// Error or warning. Errors make `folio check` exit 1; warnings only with `--strict`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Error,
    Warning,
}

/// Stable diagnostic codes. The number and the name never change once released;
/// new problems get new codes.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub enum Code {
    ReadError,
    FrontMatter,
    YamlSyntax,
    TabIndentation,
    NotUtf8,
    FileTooLarge,
    EmptyFile,
    MissingKey,
    WrongType,
    DuplicateKey,
    UnknownKey,
    BadDate,
    BadAmount,
    UnknownCurrency,
    UnknownPerson,
    UnknownProject,
    UnknownPolicy,
    DuplicateInvoiceNumber,
    PaymentBeforeIssue,
    MilestoneShares,
    BadSlug,
    UnknownStage,
    DuplicateInvoiceSlug,
    BadTerms,
    UnknownCalendar,
    InvalidPolicy,
    MissingAccountFile,
    InvalidTemplate,
    BadValue,
    BadRate,
    UnknownInterestPeriod,
    ReferenceRatesOrder,
    UnknownCompensation,
    NoReferenceRates,
    // warnings
    Overpayment,
    ActiveWhilePaused,
    NoHandover,
    MissedMeeting,
    MissedStep,
    StaleHold,
    BrokenPromise,
    DueContradictsTerms,
    SymlinkOutside,
    LateRecord,
    LateStep,
    IncompleteHandover,
    BrokenLink,
    NoRateInForce,
    StaleReferenceRate,
}

impl Code {
    /// The stable identifier, e.g. `E012`.
    pub fn id(self) -> &'static str {
        self.info().0
    }
    /// The stable name, e.g. `unknown-key`.
    pub fn name(self) -> &'static str {
        self.info().1
    }
    pub fn severity(self) -> Severity {
        if self.id().starts_with('E') {
            Severity::Error
        } else {
            Severity::Warning
        }
    }

    fn info(self) -> (&'static str, &'static str) {
        use Code::*;
        match self {
            ReadError => ("E001", "read-error"),
            FrontMatter => ("E002", "front-matter"),
            YamlSyntax => ("E003", "yaml-syntax"),
            TabIndentation => ("E004", "tab-indentation"),
            NotUtf8 => ("E005", "not-utf8"),
            FileTooLarge => ("E006", "file-too-large"),
            EmptyFile => ("E007", "empty-file"),
            MissingKey => ("E010", "missing-key"),
            WrongType => ("E011", "wrong-type"),
            UnknownKey => ("E012", "unknown-key"),
            DuplicateKey => ("E013", "duplicate-key"),
            BadDate => ("E014", "bad-date"),
            BadAmount => ("E015", "bad-amount"),
            UnknownCurrency => ("E016", "unknown-currency"),
            UnknownPerson => ("E017", "unknown-person"),
            UnknownProject => ("E018", "unknown-project"),
            UnknownPolicy => ("E019", "unknown-policy"),
            DuplicateInvoiceNumber => ("E020", "duplicate-invoice-number"),
            PaymentBeforeIssue => ("E021", "payment-before-issue"),
            MilestoneShares => ("E022", "milestone-shares"),
            BadSlug => ("E023", "bad-slug"),
            UnknownStage => ("E024", "unknown-stage"),
            DuplicateInvoiceSlug => ("E025", "duplicate-invoice-slug"),
            BadTerms => ("E026", "bad-terms"),
            UnknownCalendar => ("E027", "unknown-calendar"),
            InvalidPolicy => ("E028", "invalid-policy"),
            MissingAccountFile => ("E029", "missing-account-file"),
            InvalidTemplate => ("E030", "invalid-template"),
            BadValue => ("E031", "bad-value"),
            BadRate => ("E035", "bad-rate"),
            UnknownInterestPeriod => ("E036", "unknown-interest-period"),
            ReferenceRatesOrder => ("E037", "reference-rates-order"),
            UnknownCompensation => ("E038", "unknown-compensation"),
            NoReferenceRates => ("E039", "no-reference-rates"),
            Overpayment => ("W001", "overpayment"),
            ActiveWhilePaused => ("W002", "active-while-paused"),
            NoHandover => ("W003", "no-handover"),
            MissedMeeting => ("W004", "missed-meeting"),
            MissedStep => ("W005", "missed-step"),
            StaleHold => ("W006", "stale-hold"),
            BrokenPromise => ("W007", "broken-promise"),
            DueContradictsTerms => ("W008", "due-contradicts-terms"),
            SymlinkOutside => ("W009", "symlink-outside"),
            LateRecord => ("W010", "late-record"),
            LateStep => ("W011", "late-step"),
            IncompleteHandover => ("W012", "incomplete-handover"),
            BrokenLink => ("W013", "broken-link"),
            NoRateInForce => ("W016", "no-rate-in-force"),
            StaleReferenceRate => ("W017", "stale-reference-rate"),
        }
    }
}

/// A position in a file: 1-based line and column, counted in the whole file
/// (the opening `---` of the front matter is line 1).
#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    serde::Serialize,
    serde::Deserialize,
)]
pub struct Pos {
    pub line: u32,
    pub column: u32,
}

impl Pos {
    pub const START: Pos = Pos { line: 1, column: 1 };
    pub fn new(line: u32, column: u32) -> Pos {
        Pos {
            line: line.max(1),
            column: column.max(1),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Diagnostic {
    pub code: Code,
    /// Path relative to the records repository, with `/` separators.
    pub file: String,
    pub pos: Pos,
    pub message: String,
    pub hint: String,
}

impl Diagnostic {
    pub fn new(
        code: Code,
        file: impl Into<String>,
        pos: Pos,
        message: impl Into<String>,
        hint: impl Into<String>,
    ) -> Diagnostic {
        Diagnostic {
            code,
            file: file.into(),
            pos,
            message: clipped(message.into()),
            // Hints quote folio's own examples, which may be long; only
            // their total length is capped.
            hint: clip_length(hint.into()),
        }
    }
    pub fn severity(&self) -> Severity {
        self.code.severity()
    }
}

/// The JSON shape of SPEC §2: `{"file","line","column","code","message","hint"}`,
/// exactly those keys (the code's name is in the text and github formats),
/// written in alphabetical order, as they always were.
#[derive(Serialize)]
pub struct JsonDiagnostic<'a> {
    pub code: &'a str,
    pub column: u32,
    pub file: &'a str,
    pub hint: &'a str,
    pub line: u32,
    pub message: &'a str,
}

impl<'a> From<&'a Diagnostic> for JsonDiagnostic<'a> {
    fn from(d: &'a Diagnostic) -> Self {
        JsonDiagnostic {
            file: &d.file,
            line: d.pos.line,
            column: d.pos.column,
            code: d.code.id(),
            message: &d.message,
            hint: &d.hint,
        }
    }
}

/// Sorts diagnostics into a stable order (file, line, column, code) so output
/// does not depend on the order files were read in parallel.
/// Orders by file, position and code; stable, so problems found at one spot
/// keep the order the rules found them in (a ladder's stages in ladder order).
pub fn sort(diags: &mut [Diagnostic]) {
    diags.sort_by(|a, b| (&a.file, a.pos, a.code).cmp(&(&b.file, b.pos, b.code)));
}

/// Sorts and drops exact repeats (two rules can meet the same problem).
/// A backlog has 170,000 warnings, and this runs after each pass of
/// `check`: nothing is copied or hashed, and a list already sorted stays
/// as it is.
pub fn sort_unique(diags: &mut Vec<Diagnostic>) {
    // Rules that edit a message after `Diagnostic::new` are clipped here.
    for d in diags.iter_mut() {
        d.message = clipped(std::mem::take(&mut d.message));
    }
    sort(diags);
    // Repeats share file, position and code, so each sits in the short run
    // of diagnostics at that place, after its first.
    let mut kept: Vec<Diagnostic> = Vec::with_capacity(diags.len());
    let mut run = 0;
    for d in diags.drain(..) {
        let same_place = |k: &Diagnostic| (&k.file, k.pos, k.code) == (&d.file, d.pos, d.code);
        if !kept.last().is_some_and(same_place) {
            run = kept.len();
        }
        if !kept[run..].iter().any(|k| k.message == d.message) {
            kept.push(d);
        }
    }
    *diags = kept;
}

/// `message` as [`clip`] leaves it, not copied when it surely fits.
fn clipped(message: String) -> String {
    if fits_unclipped(&message) {
        message
    } else {
        clip(&message)
    }
}

/// Whether [`clip`] surely leaves `text` as it is, told without copying it:
/// the whole and each quoted value are within their limits in bytes (a
/// character is at least one).
fn fits_unclipped(text: &str) -> bool {
    text.len() <= MAX_TEXT_CHARS
        && text
            .split('`')
            .skip(1)
            .step_by(2)
            .all(|quoted| quoted.len() <= MAX_QUOTED_CHARS)
}

/// The known name closest to `unknown`, when one is close enough to be a typo.
pub fn closest<'a>(unknown: &str, known: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let unknown_len = unknown.chars().count();
    let close_enough = |k: &str| 2.max(k.chars().count() / 3);
    known
        .into_iter()
        // The distance is at least the difference in length: skipping the
        // hopeless candidates first keeps a megabyte-long typo from costing
        // a megabyte-by-key matrix per candidate.
        .filter(|k| unknown_len.abs_diff(k.chars().count()) <= close_enough(k))
        .map(|k| (strsim::damerau_levenshtein(unknown, k), k))
        .filter(|(d, k)| *d <= close_enough(k))
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

/// Longest quoted value a message repeats in full, in characters.
const MAX_QUOTED_CHARS: usize = 60;
/// Longest message or hint, in characters.
const MAX_TEXT_CHARS: usize = 600;

/// Shortens what a diagnostic repeats from the input: a `quoted` value
/// longer than [`MAX_QUOTED_CHARS`] keeps its start and an ellipsis, and the
/// whole text stops at [`MAX_TEXT_CHARS`]. A megabyte-long key must not make
/// a megabyte-long report.
pub fn clip(text: &str) -> String {
    let mut out = String::with_capacity(text.len().min(MAX_TEXT_CHARS * 4));
    let mut parts = text.split('`');
    if let Some(first) = parts.next() {
        out.push_str(first);
    }
    for (i, part) in parts.enumerate() {
        out.push('`');
        let quoted = i % 2 == 0;
        if quoted && part.chars().nth(MAX_QUOTED_CHARS).is_some() {
            out.extend(part.chars().take(MAX_QUOTED_CHARS - 20));
            out.push('…');
        } else {
            out.push_str(part);
        }
        if out.len() > MAX_TEXT_CHARS * 4 {
            break;
        }
    }
    clip_length(out)
}

/// Cuts `text` to [`MAX_TEXT_CHARS`] characters, the last an ellipsis.
fn clip_length(mut text: String) -> String {
    // Fewer bytes than the limit are fewer characters too: not counted.
    if text.len() > MAX_TEXT_CHARS && text.chars().nth(MAX_TEXT_CHARS).is_some() {
        text = text.chars().take(MAX_TEXT_CHARS - 1).collect();
        text.push('…');
    }
    text
}

/// An error with its causes, on one line (Tera, for one, hides the useful
/// part in the source chain).
pub fn error_chain(e: &dyn std::error::Error) -> String {
    let mut parts = vec![e.to_string()];
    let mut source = e.source();
    while let Some(s) = source {
        parts.push(s.to_string());
        source = s.source();
    }
    parts.join(": ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique() {
        use std::collections::HashSet;
        let all = [
            Code::ReadError,
            Code::FrontMatter,
            Code::YamlSyntax,
            Code::TabIndentation,
            Code::NotUtf8,
            Code::FileTooLarge,
            Code::EmptyFile,
            Code::MissingKey,
            Code::WrongType,
            Code::DuplicateKey,
            Code::UnknownKey,
            Code::BadDate,
            Code::BadAmount,
            Code::UnknownCurrency,
            Code::UnknownPerson,
            Code::UnknownProject,
            Code::UnknownPolicy,
            Code::DuplicateInvoiceNumber,
            Code::PaymentBeforeIssue,
            Code::MilestoneShares,
            Code::BadSlug,
            Code::UnknownStage,
            Code::DuplicateInvoiceSlug,
            Code::BadTerms,
            Code::UnknownCalendar,
            Code::InvalidPolicy,
            Code::MissingAccountFile,
            Code::InvalidTemplate,
            Code::BadValue,
            Code::Overpayment,
            Code::ActiveWhilePaused,
            Code::NoHandover,
            Code::MissedMeeting,
            Code::MissedStep,
            Code::StaleHold,
            Code::BrokenPromise,
            Code::DueContradictsTerms,
            Code::SymlinkOutside,
            Code::LateRecord,
            Code::LateStep,
            Code::IncompleteHandover,
            Code::BrokenLink,
            Code::BadRate,
            Code::UnknownInterestPeriod,
            Code::ReferenceRatesOrder,
            Code::UnknownCompensation,
            Code::NoReferenceRates,
            Code::NoRateInForce,
            Code::StaleReferenceRate,
        ];
        let ids: HashSet<_> = all.iter().map(|c| c.id()).collect();
        let names: HashSet<_> = all.iter().map(|c| c.name()).collect();
        assert_eq!(ids.len(), all.len());
        assert_eq!(names.len(), all.len());
        assert_eq!(Code::UnknownKey.id(), "E012");
        assert_eq!(Code::UnknownKey.name(), "unknown-key");
    }

    #[test]
    fn clip_shortens_long_quoted_values_only() {
        assert_eq!(clip("unknown key `nmae`"), "unknown key `nmae`");
        let long = format!("unknown currency `{}` here", "E".repeat(100_000));
        let clipped = clip(&long);
        assert_eq!(
            clipped,
            format!("unknown currency `{}…` here", "E".repeat(40))
        );
        let text = "word ".repeat(1000);
        assert_eq!(clip(&text).chars().count(), MAX_TEXT_CHARS);
        assert_eq!(clip("a `b` c `"), "a `b` c `");
        for text in ["unknown key `nmae`", &long, &text, "a `b` c `", ""] {
            assert!(!fits_unclipped(text) || clip(text) == text, "{text}");
        }
    }

    #[test]
    fn sort_unique_drops_exact_repeats_only_and_keeps_the_order_at_a_place() {
        let d = |file: &str, line: u32, code: Code, message: &str| {
            Diagnostic::new(code, file, Pos::new(line, 1), message, "hint")
        };
        let mut diags = vec![
            d("b.md", 1, Code::MissedStep, "second"),
            d("a.md", 2, Code::MissedStep, "x"),
            d("b.md", 1, Code::MissedStep, "first"),
            d("b.md", 1, Code::MissedStep, "second"),
            d("a.md", 2, Code::MissedStep, "x"),
            d("a.md", 1, Code::MissedStep, "x"),
        ];
        sort_unique(&mut diags);
        let got: Vec<(&str, u32, &str)> = diags
            .iter()
            .map(|d| (d.file.as_str(), d.pos.line, d.message.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("a.md", 1, "x"),
                ("a.md", 2, "x"),
                ("b.md", 1, "second"),
                ("b.md", 1, "first"),
            ]
        );
    }

    #[test]
    fn closest_on_a_huge_input_is_none() {
        let huge = "x".repeat(1_000_000);
        assert_eq!(closest(&huge, ["name", "status"]), None);
    }

    #[test]
    fn closest_suggests_typos_only() {
        let known = ["name", "status", "since", "roles"];
        assert_eq!(closest("nmae", known), Some("name"));
        assert_eq!(closest("stauts", known), Some("status"));
        assert_eq!(closest("budget", known), None);
    }
}
