//! Working-day calendars and the day arithmetic of SPEC §3.

use crate::model::DayUnit;
use chrono::{Datelike, Days, NaiveDate, Weekday};
use std::collections::BTreeSet;

/// Weekend days and holidays. The default is Saturday and Sunday, no holidays.
#[derive(Clone, Debug)]
pub struct Calendar {
    weekend: [bool; 7],
    holidays: BTreeSet<NaiveDate>,
}

impl Default for Calendar {
    fn default() -> Self {
        Calendar::new([Weekday::Sat, Weekday::Sun], [])
    }
}

/// Arithmetic never loops forever: a calendar with every weekday off, or a
/// run of holidays this long, stops counting here.
const MAX_SCAN_DAYS: u32 = 3660;

impl Calendar {
    pub fn new(
        weekend: impl IntoIterator<Item = Weekday>,
        holidays: impl IntoIterator<Item = NaiveDate>,
    ) -> Calendar {
        let mut w = [false; 7];
        for d in weekend {
            w[d.num_days_from_monday() as usize] = true;
        }
        Calendar {
            weekend: w,
            holidays: holidays.into_iter().collect(),
        }
    }

    pub fn is_working(&self, d: NaiveDate) -> bool {
        !self.weekend[d.weekday().num_days_from_monday() as usize] && !self.holidays.contains(&d)
    }

    /// The n-th working day after `d` (n > 0), before it (n < 0), or for
    /// n = 0 `d` itself when it is a working day, else the next working day.
    pub fn add_working(&self, d: NaiveDate, n: i64) -> NaiveDate {
        let step = |x: NaiveDate, forward: bool| {
            if forward {
                x.checked_add_days(Days::new(1)).unwrap_or(x)
            } else {
                x.checked_sub_days(Days::new(1)).unwrap_or(x)
            }
        };
        let mut x = d;
        if n == 0 {
            for _ in 0..MAX_SCAN_DAYS {
                if self.is_working(x) {
                    break;
                }
                x = step(x, true);
            }
            return x;
        }
        let forward = n > 0;
        let mut left = n.unsigned_abs();
        let mut scanned = 0;
        while left > 0 && scanned < MAX_SCAN_DAYS as u64 * (1 + n.unsigned_abs()) {
            x = step(x, forward);
            scanned += 1;
            if self.is_working(x) {
                left -= 1;
            }
        }
        x
    }

    /// `d + n` in the given unit.
    pub fn add(&self, unit: DayUnit, d: NaiveDate, n: i64) -> NaiveDate {
        match unit {
            DayUnit::Working => self.add_working(d, n),
            DayUnit::Calendar => add_days(d, n),
        }
    }

    /// The number of days of `unit` from `from` through `until`, both included.
    pub fn window_len(&self, unit: DayUnit, from: NaiveDate, until: NaiveDate) -> i64 {
        if until < from {
            return 0;
        }
        match unit {
            DayUnit::Calendar => (until - from).num_days() + 1,
            DayUnit::Working => from
                .iter_days()
                .take_while(|d| *d <= until)
                .filter(|d| self.is_working(*d))
                .count() as i64,
        }
    }
}

pub fn add_days(d: NaiveDate, n: i64) -> NaiveDate {
    if n >= 0 {
        d.checked_add_days(Days::new(n as u64)).unwrap_or(d)
    } else {
        d.checked_sub_days(Days::new(n.unsigned_abs())).unwrap_or(d)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn pt() -> Calendar {
        Calendar::new(
            [Weekday::Sat, Weekday::Sun],
            [d("2026-12-08"), d("2026-12-25"), d("2026-12-01")],
        )
    }

    #[test]
    fn working_day_offsets() {
        let cal = pt();
        // (date, offset, expected)
        let cases = [
            // A Friday due date, plain offsets.
            ("2026-11-20", 0, "2026-11-20"),
            ("2026-11-20", 1, "2026-11-23"), // over the weekend
            ("2026-11-20", -1, "2026-11-19"),
            ("2026-11-23", -1, "2026-11-20"), // Monday back over the weekend
            ("2026-11-23", -3, "2026-11-18"),
            // Due on a Saturday: offset 0 rolls to Monday, +1 is also Monday.
            ("2026-11-21", 0, "2026-11-23"),
            ("2026-11-21", 1, "2026-11-23"),
            ("2026-11-21", 2, "2026-11-24"),
            ("2026-11-21", -1, "2026-11-20"),
            // Due on a holiday (Tuesday 8 December): 0 rolls to Wednesday.
            ("2026-12-08", 0, "2026-12-09"),
            ("2026-12-08", 1, "2026-12-09"),
            ("2026-12-08", -1, "2026-12-07"),
            // Across two holidays and a weekend.
            ("2026-11-30", 1, "2026-12-02"),
            ("2026-12-04", 3, "2026-12-10"),
            ("2026-12-24", 1, "2026-12-28"),
            ("2026-12-24", 8, "2027-01-06"),
        ];
        for (from, n, want) in cases {
            assert_eq!(cal.add_working(d(from), n), d(want), "{from} {n:+}");
        }
    }

    #[test]
    fn calendar_offsets_ignore_weekends() {
        let cal = pt();
        assert_eq!(cal.add(DayUnit::Calendar, d("2026-11-20"), 1), d("2026-11-21"));
        assert_eq!(cal.add(DayUnit::Calendar, d("2026-03-01"), -1), d("2026-02-28"));
    }

    #[test]
    fn window_lengths_count_both_ends() {
        let cal = pt();
        assert_eq!(cal.window_len(DayUnit::Calendar, d("2026-10-20"), d("2026-10-27")), 8);
        assert_eq!(cal.window_len(DayUnit::Calendar, d("2026-10-20"), d("2026-10-20")), 1);
        // Fri..Mon = 2 working days; with the 8th December holiday inside.
        assert_eq!(cal.window_len(DayUnit::Working, d("2026-11-20"), d("2026-11-23")), 2);
        assert_eq!(cal.window_len(DayUnit::Working, d("2026-12-07"), d("2026-12-09")), 2);
        assert_eq!(cal.window_len(DayUnit::Working, d("2026-12-09"), d("2026-12-07")), 0);
    }

    #[test]
    fn a_calendar_without_working_days_terminates() {
        use Weekday::*;
        let cal = Calendar::new([Mon, Tue, Wed, Thu, Fri, Sat, Sun], []);
        let _ = cal.add_working(d("2026-01-01"), 5);
        let _ = cal.add_working(d("2026-01-01"), 0);
        let _ = cal.add_working(d("2026-01-01"), -5);
    }
}
