//! Payment terms: `N days`, `N working days`, `net N`.

use std::fmt;

use super::types::MAX_PLAUSIBLE_DAYS;

// Pieces of [`PATTERN`].
macro_rules! days {
    () => {
        "\\+?0*([0-9]{1,3}|[12][0-9]{3}|3[0-5][0-9]{2}|36[0-4][0-9]|3650)"
    };
}
macro_rules! day_word {
    () => {
        "[Dd][Aa][Yy][Ss]?"
    };
}

/// [`Terms::parse`]'s grammar as an ECMA-262 pattern, for the JSON Schema:
/// words split on Unicode white space, ASCII letters in
/// either case, and a number of days from 0 to 3650 as `u32` parses it (an
/// optional `+`, leading zeros).
pub const PATTERN: &str = concat!(
    "^",
    white_space!(),
    "*(",
    days!(),
    white_space!(),
    "+",
    day_word!(),
    "|",
    days!(),
    white_space!(),
    "+[Ww][Oo][Rr][Kk][Ii][Nn][Gg]",
    white_space!(),
    "+",
    day_word!(),
    "|[Nn][Ee][Tt]",
    white_space!(),
    "+",
    days!(),
    ")",
    white_space!(),
    "*$"
);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Terms {
    pub days: u32,
    pub working: bool,
}

impl Terms {
    pub const DEFAULT: Terms = Terms {
        days: 30,
        working: false,
    };

    pub fn parse(s: &str) -> Result<Terms, String> {
        let words: Vec<&str> = s.split_whitespace().collect();
        let lower: Vec<String> = words.iter().map(|w| w.to_ascii_lowercase()).collect();
        let lower: Vec<&str> = lower.iter().map(String::as_str).collect();
        let number = |w: &str| {
            w.parse::<u32>()
                .ok()
                .filter(|n| i64::from(*n) <= MAX_PLAUSIBLE_DAYS)
                .ok_or_else(|| format!("`{w}` is not a number of days between 0 and 3650"))
        };
        match lower.as_slice() {
            [n, "days" | "day"] => Ok(Terms {
                days: number(n)?,
                working: false,
            }),
            [n, "working", "days" | "day"] => Ok(Terms {
                days: number(n)?,
                working: true,
            }),
            ["net", n] => Ok(Terms {
                days: number(n)?,
                working: false,
            }),
            _ => Err(format!(
                "terms `{s}` are not one of \"N days\", \"N working days\" or \"net N\""
            )),
        }
    }
}

impl fmt::Display for Terms {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        if self.working {
            write!(f, "{} working days", self.days)
        } else {
            write!(f, "{} days", self.days)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_three_forms() {
        let cases = [
            ("30 days", Some((30, false))),
            ("15 working days", Some((15, true))),
            ("net 45", Some((45, false))),
            ("Net 10", Some((10, false))),
            ("1 day", Some((1, false))),
            ("0 days", Some((0, false))),
            ("thirty days", None),
            ("30", None),
            ("-5 days", None),
            ("30 business days", None),
            ("", None),
        ];
        for (text, want) in cases {
            let got = Terms::parse(text).ok().map(|t| (t.days, t.working));
            assert_eq!(got, want, "{text}");
        }
    }
}
