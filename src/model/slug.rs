//! Slugs: the names records give to folders and pages. One rule each, used
//! by the loader, `check` and the site alike.

/// `[a-z0-9][a-z0-9-]*`, at most 64 characters.
pub fn is_slug(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= 64
        && (b[0].is_ascii_lowercase() || b[0].is_ascii_digit())
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
}

/// An invoice number as a URL path segment: lowercased, every run of
/// characters outside `a-z0-9` replaced by `-`, trimmed of `-`.
pub fn number_slug(number: &str) -> String {
    let mut out = String::with_capacity(number.len());
    // Separators are never doubled, nor put first or (below) left last.
    let mut push = |c: char| {
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    };
    for c in number.chars() {
        // ASCII, nearly every number, skips the Unicode case tables.
        if c.is_ascii() {
            push(c.to_ascii_lowercase());
        } else {
            c.to_lowercase().for_each(&mut push);
        }
    }
    if out.ends_with('-') {
        out.pop();
    }
    out
}

/// Names Windows reserves for devices, as file or folder stems.
const RESERVED: [&str; 22] = [
    "con", "prn", "aux", "nul", "com1", "com2", "com3", "com4", "com5", "com6", "com7", "com8",
    "com9", "lpt1", "lpt2", "lpt3", "lpt4", "lpt5", "lpt6", "lpt7", "lpt8", "lpt9",
];

/// A path segment the site may create from record data: a non-empty slug of
/// `[a-z0-9-]` that is not a reserved device name.
pub fn is_safe_segment(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 128
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !RESERVED.contains(&s)
}
