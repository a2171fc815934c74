//! How dates are written for people: the site's and the message drafts'
//! `date_format` (strftime patterns), with the default `16 Nov 2026`.

use chrono::format::{Item, StrftimeItems};
use chrono::{Datelike, NaiveDate};

/// The default: `%-d %b %Y`, "16 Nov 2026".
pub const DEFAULT_PATTERN: &str = "%-d %b %Y";

/// [`DateFormat::parse`]'s rule as JSON Schema patterns, both of which a
/// valid pattern matches: only text and day fields (`%%`, `%n` and `%t`
/// too; a number field may have a padding flag `-`, `_` or `0`), and something
/// other than white space.
pub const PATTERN: &str = "^([^%]|%%|%[-_0]?[YCyGgmdeUWVuwj]|%[bhBaAntDFxv])*$";
pub const NOT_BLANK: &str = concat!("[^", white_space_chars!(), "]");

/// A date pattern, checked once.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DateFormat {
    /// `None`: the default, written without parsing a pattern for each of
    /// the hundreds of thousands of dates a large site prints.
    pattern: Option<String>,
}

impl DateFormat {
    /// A strftime pattern for calendar days: text, and day, month, year and
    /// weekday fields (no times or zones, which a day has none of).
    pub fn parse(pattern: &str) -> Result<DateFormat, String> {
        if pattern.trim().is_empty() {
            return Err("the date format is empty".into());
        }
        for item in StrftimeItems::new(pattern) {
            match item {
                Item::Error => {
                    return Err(format!("`{pattern}` is not a strftime date pattern"));
                }
                Item::Numeric(..) | Item::Fixed(_) if !is_day_field(&item) => {
                    return Err(format!(
                        "`{pattern}` asks for a time or zone; a date has only day, month, year and weekday"
                    ));
                }
                _ => {}
            }
        }
        Ok(if pattern == DEFAULT_PATTERN {
            DateFormat::default()
        } else {
            DateFormat {
                pattern: Some(pattern.to_string()),
            }
        })
    }

    pub fn format(&self, d: NaiveDate) -> String {
        match &self.pattern {
            None => default_day(d),
            Some(p) => d.format(p).to_string(),
        }
    }
}

fn is_day_field(item: &Item) -> bool {
    use chrono::format::{Fixed, Numeric};
    match item {
        Item::Numeric(n, _) => matches!(
            n,
            Numeric::Year
                | Numeric::YearDiv100
                | Numeric::YearMod100
                | Numeric::IsoYear
                | Numeric::IsoYearDiv100
                | Numeric::IsoYearMod100
                | Numeric::Month
                | Numeric::Day
                | Numeric::WeekFromSun
                | Numeric::WeekFromMon
                | Numeric::IsoWeek
                | Numeric::NumDaysFromSun
                | Numeric::WeekdayFromMon
                | Numeric::Ordinal
        ),
        Item::Fixed(f) => matches!(
            f,
            Fixed::ShortMonthName
                | Fixed::LongMonthName
                | Fixed::ShortWeekdayName
                | Fixed::LongWeekdayName
        ),
        _ => true,
    }
}

/// `23 Nov 2026`: the pattern `%-d %b %Y` written directly; years outside
/// 0..=9999 keep chrono's signed form.
pub fn default_day(d: NaiveDate) -> String {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    if (0..=9999).contains(&d.year()) {
        format!(
            "{} {} {:04}",
            d.day(),
            MONTHS[d.month0() as usize],
            d.year()
        )
    } else {
        d.format(DEFAULT_PATTERN).to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn patterns_for_days() {
        let cases = [
            ("%-d %b %Y", "2026-11-16", Ok("16 Nov 2026")),
            ("%-d %B %Y", "2026-11-16", Ok("16 November 2026")),
            ("%d/%m/%Y", "2026-01-05", Ok("05/01/2026")),
            ("%A, %-d %B", "2026-11-16", Ok("Monday, 16 November")),
            ("%Y-%m-%d", "2026-02-28", Ok("2026-02-28")),
            ("%B %-d, %Y", "2026-12-31", Ok("December 31, 2026")),
            ("%H:%M", "2026-11-16", Err(())),
            ("%-d %Q", "2026-11-16", Err(())),
            ("%z", "2026-11-16", Err(())),
            ("  ", "2026-11-16", Err(())),
        ];
        for (pattern, day, want) in cases {
            let got = DateFormat::parse(pattern).map(|f| f.format(d(day)));
            match want {
                Ok(text) => assert_eq!(got.as_deref(), Ok(text), "{pattern}"),
                Err(()) => assert!(got.is_err(), "{pattern}: {got:?}"),
            }
        }
    }

    #[test]
    fn the_default_is_written_as_chrono_would() {
        for text in ["2026-11-03", "2026-01-31", "0001-12-25", "9999-05-09"] {
            let day = d(text);
            assert_eq!(default_day(day), day.format(DEFAULT_PATTERN).to_string());
            assert_eq!(DateFormat::default().format(day), default_day(day));
        }
        assert_eq!(
            default_day(NaiveDate::MAX),
            NaiveDate::MAX.format(DEFAULT_PATTERN).to_string()
        );
        assert_eq!(default_day(d("2026-11-03")), "3 Nov 2026");
        assert_eq!(DEFAULT_PATTERN, "%-d %b %Y");
    }

    #[test]
    fn the_schema_patterns_say_what_parse_accepts() {
        let pattern = regex::Regex::new(PATTERN).unwrap();
        let not_blank = regex::Regex::new(NOT_BLANK).unwrap();
        let mut cases = vec![String::new(), " ".into(), "%".into(), "a%".into()];
        for flag in ["", "-", "_", "0", "#", ":", ".", "3", ".3", "::"] {
            for c in (' '..='~').chain(['é', '\u{3000}']) {
                cases.push(format!("%{flag}{c}"));
                cases.push(format!("x %{flag}{c} %Y"));
            }
        }
        for case in cases {
            let schema = pattern.is_match(&case) && not_blank.is_match(&case);
            assert_eq!(DateFormat::parse(&case).is_ok(), schema, "{case:?}");
        }
    }
}
