//! Slugs: the names records give to folders and pages. One rule each, used
//! by the loader, `check` and the site alike.

/// The longest slug.
pub const MAX_SLUG_LEN: usize = 64;

/// [`is_slug`] as a JSON Schema pattern (with `maxLength` [`MAX_SLUG_LEN`]).
pub const SLUG_PATTERN: &str = "^[a-z0-9][a-z0-9-]*$";

/// `[a-z0-9][a-z0-9-]*`, at most 64 characters.
pub fn is_slug(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= MAX_SLUG_LEN
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

/// The characters that give an invoice number's slug its letters and
/// digits, as a JSON Schema pattern: ASCII letters and digits, and the two
/// characters outside ASCII whose lowercase has one (the Kelvin sign and
/// the capital I with a dot; a test checks there are no others). Every
/// other character is a separator.
pub const HAS_SLUG_CHARACTER: &str = "[A-Za-z0-9\\u212A\\u0130]";

/// A number whose slug is a reserved device name ([`is_safe_segment`]), as
/// a JSON Schema pattern: the name in either case with only separators
/// around it.
pub fn reserved_number_pattern() -> String {
    let separators = "[^A-Za-z0-9\\u212A\\u0130]*";
    let names: Vec<String> = RESERVED
        .iter()
        .map(|name| {
            name.chars()
                .map(|c| match c {
                    'a'..='z' => format!("[{}{c}]", c.to_ascii_uppercase()),
                    _ => c.to_string(),
                })
                .collect()
        })
        .collect();
    format!("^{separators}({}){separators}$", names.join("|"))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_listed_characters_outside_ascii_give_a_slug_letters() {
        let giving: Vec<char> = (0x80..=0x10FFFF)
            .filter_map(char::from_u32)
            .filter(|c| !number_slug(&c.to_string()).is_empty())
            .collect();
        assert_eq!(giving, ['\u{130}', '\u{212A}'], "update HAS_SLUG_CHARACTER");
    }

    #[test]
    fn reserved_names_pattern_spells_every_name() {
        let p = reserved_number_pattern();
        assert!(p.contains("|[Cc][Oo][Mm]1|"), "{p}");
        assert_eq!(p.matches('|').count(), RESERVED.len() - 1);
    }
}
