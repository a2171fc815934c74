//! Payment terms: `N days`, `N working days`, `net N`.

use std::fmt;

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
                .filter(|n| *n <= 3650)
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
