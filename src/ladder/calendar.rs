//! Working-day calendars and the day arithmetic of SPEC §3.

use crate::model::DayUnit;
use chrono::{Datelike, NaiveDate, Weekday};
use std::collections::BTreeSet;

/// Weekend days and holidays. The default is Saturday and Sunday, no holidays.
#[derive(Clone, Debug)]
pub struct Calendar {
    weekend: [bool; 7],
    holidays: BTreeSet<NaiveDate>,
    /// The day numbers of the holidays that fall on a working weekday,
    /// sorted: the only ones that change a count of working days.
    weekday_holidays: Vec<i64>,
    weekend_per_week: i64,
}

impl Default for Calendar {
    fn default() -> Self {
        Calendar::new([Weekday::Sat, Weekday::Sun], [])
    }
}

/// A date as a day number, for arithmetic that must not overflow.
fn day_number(d: NaiveDate) -> i64 {
    d.num_days_from_ce() as i64
}

/// The weekday of a day number, Monday = 0 (day 1, 0001-01-01, was a Monday).
fn weekday_index(n: i64) -> usize {
    (n - 1).rem_euclid(7) as usize
}

/// The date of a day number, saturating at the ends of the calendar.
fn from_day_number(n: i64) -> NaiveDate {
    let n = n.clamp(day_number(NaiveDate::MIN), day_number(NaiveDate::MAX));
    NaiveDate::from_num_days_from_ce_opt(n as i32).unwrap_or(NaiveDate::MAX)
}

impl Calendar {
    pub fn new(
        weekend: impl IntoIterator<Item = Weekday>,
        holidays: impl IntoIterator<Item = NaiveDate>,
    ) -> Calendar {
        let mut w = [false; 7];
        for d in weekend {
            w[d.num_days_from_monday() as usize] = true;
        }
        let holidays: BTreeSet<NaiveDate> = holidays.into_iter().collect();
        let weekday_holidays = holidays
            .iter()
            .copied()
            .filter(|h| !w[h.weekday().num_days_from_monday() as usize])
            .map(day_number)
            .collect();
        Calendar {
            weekend: w,
            holidays,
            weekday_holidays,
            weekend_per_week: w.iter().filter(|d| **d).count() as i64,
        }
    }

    pub fn is_working(&self, d: NaiveDate) -> bool {
        !self.weekend[d.weekday().num_days_from_monday() as usize] && !self.holidays.contains(&d)
    }

    /// Working days from day number `a` through `b`, both included (0 when
    /// b < a). Counted with whole weeks and a search in the sorted
    /// holidays, so the cost does not grow with the distance: a record that
    /// asks for a billion working days is answered at once.
    fn working_between(&self, a: i64, b: i64) -> i64 {
        if b < a {
            return 0;
        }
        let total = b - a + 1;
        let mut weekend_days = total / 7 * self.weekend_per_week;
        // The days after the whole weeks, at most six.
        let rest = a + total / 7 * 7;
        let mut weekday = weekday_index(rest);
        for _ in rest..=b {
            if self.weekend[weekday] {
                weekend_days += 1;
            }
            weekday = (weekday + 1) % 7;
        }
        let holidays = self.weekday_holidays.partition_point(|h| *h <= b)
            - self.weekday_holidays.partition_point(|h| *h < a);
        total - weekend_days - holidays as i64
    }

    /// [`Calendar::first_where`], probing upwards from `low` in growing
    /// steps first: the answer is almost always within weeks of `low`, and
    /// a search over the whole calendar would cost thirty probes each time.
    fn first_near(low: i64, high: i64, reached: impl Fn(i64) -> bool) -> i64 {
        let (mut from, mut step) = (low, 16i64);
        loop {
            let probe = from.saturating_add(step).min(high);
            if probe >= high || reached(probe) {
                return Self::first_where(from, probe, reached);
            }
            from = probe + 1;
            step = step.saturating_mul(4);
        }
    }

    /// The smallest day number in `low..=high` for which `reached` holds
    /// (`reached` must be monotonic); `high` when none does.
    fn first_where(mut low: i64, mut high: i64, reached: impl Fn(i64) -> bool) -> i64 {
        while low < high {
            let mid = low + (high - low) / 2;
            if reached(mid) {
                high = mid;
            } else {
                low = mid + 1;
            }
        }
        high
    }

    /// The n-th working day after `d` (n > 0), before it (n < 0), or for
    /// n = 0 `d` itself when it is a working day, else the next working day.
    /// Saturates at the ends of the calendar (and when no day is a working
    /// day at all).
    pub fn add_working(&self, d: NaiveDate, n: i64) -> NaiveDate {
        let (min, max) = (day_number(NaiveDate::MIN), day_number(NaiveDate::MAX));
        let start = day_number(d);
        let found = match n {
            0 => Self::first_near(start, max, |x| self.working_between(start, x) >= 1),
            n if n > 0 => Self::first_near((start + 1).min(max), max, |x| {
                self.working_between(start + 1, x) >= n
            }),
            n => {
                // The largest x with at least |n| working days in x..d-1:
                // search on the mirrored axis, where it is the smallest.
                let need = n.unsigned_abs() as i64;
                let mirrored = Self::first_near(-(start - 1).max(min), -min, |y| {
                    self.working_between(-y, start - 1) >= need
                });
                -mirrored
            }
        };
        from_day_number(found)
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
            DayUnit::Working => self.working_between(day_number(from), day_number(until)),
        }
    }
}

/// `d + n` calendar days, saturating at the ends of the calendar.
pub fn add_days(d: NaiveDate, n: i64) -> NaiveDate {
    from_day_number(day_number(d).saturating_add(n))
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
        assert_eq!(
            cal.add(DayUnit::Calendar, d("2026-11-20"), 1),
            d("2026-11-21")
        );
        assert_eq!(
            cal.add(DayUnit::Calendar, d("2026-03-01"), -1),
            d("2026-02-28")
        );
    }

    #[test]
    fn window_lengths_count_both_ends() {
        let cal = pt();
        assert_eq!(
            cal.window_len(DayUnit::Calendar, d("2026-10-20"), d("2026-10-27")),
            8
        );
        assert_eq!(
            cal.window_len(DayUnit::Calendar, d("2026-10-20"), d("2026-10-20")),
            1
        );
        // Fri..Mon = 2 working days; with the 8th December holiday inside.
        assert_eq!(
            cal.window_len(DayUnit::Working, d("2026-11-20"), d("2026-11-23")),
            2
        );
        assert_eq!(
            cal.window_len(DayUnit::Working, d("2026-12-07"), d("2026-12-09")),
            2
        );
        assert_eq!(
            cal.window_len(DayUnit::Working, d("2026-12-09"), d("2026-12-07")),
            0
        );
    }

    /// The plain day-by-day count the fast arithmetic must agree with.
    fn slow_add_working(cal: &Calendar, d: NaiveDate, n: i64) -> NaiveDate {
        let step = |x: NaiveDate| {
            if n >= 0 {
                x.succ_opt().unwrap()
            } else {
                x.pred_opt().unwrap()
            }
        };
        let mut x = d;
        if n == 0 {
            while !cal.is_working(x) {
                x = step(x);
            }
            return x;
        }
        let mut left = n.abs();
        while left > 0 {
            x = step(x);
            if cal.is_working(x) {
                left -= 1;
            }
        }
        x
    }

    #[test]
    fn fast_arithmetic_agrees_with_counting_day_by_day() {
        let cals = [
            pt(),
            Calendar::new([Weekday::Fri], [d("2026-12-08"), d("2026-12-11")]),
            Calendar::new([], []),
        ];
        for cal in &cals {
            let mut day = d("2026-11-15");
            for _ in 0..60 {
                for n in -25..=25 {
                    assert_eq!(
                        cal.add_working(day, n),
                        slow_add_working(cal, day, n),
                        "{day} {n:+}"
                    );
                }
                for len in 0..20 {
                    let until = add_days(day, len);
                    let slow = day
                        .iter_days()
                        .take_while(|x| *x <= until)
                        .filter(|x| cal.is_working(*x))
                        .count();
                    assert_eq!(
                        cal.window_len(DayUnit::Working, day, until),
                        slow as i64,
                        "{day}+{len}"
                    );
                }
                day = day.succ_opt().unwrap();
            }
        }
    }

    #[test]
    fn huge_offsets_saturate_at_once() {
        let cal = pt();
        assert_eq!(
            cal.add_working(d("2026-10-01"), 4_000_000_000),
            NaiveDate::MAX
        );
        assert_eq!(
            cal.add_working(d("2026-10-01"), -4_000_000_000),
            NaiveDate::MIN
        );
        assert_eq!(add_days(d("2026-10-01"), i64::MAX), NaiveDate::MAX);
        assert_eq!(add_days(d("2026-10-01"), i64::MIN), NaiveDate::MIN);
        assert_eq!(cal.add_working(NaiveDate::MAX, 1), NaiveDate::MAX);
        assert!(cal.window_len(DayUnit::Working, NaiveDate::MIN, NaiveDate::MAX) > 0);
        // A million working days is about 3,836 years of five-day weeks.
        let far = cal.add_working(d("2026-10-01"), 1_000_000);
        assert!(far.year() > 5800 && far.year() < 5900, "{far}");
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
