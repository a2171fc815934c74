//! Table-driven tests of the stage arithmetic of SPEC §3.

use super::*;
use crate::ladder::policy::builtin;
use chrono::Weekday;
use std::str::FromStr;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}
fn m(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn pt() -> Calendar {
    Calendar::new(
        [Weekday::Sat, Weekday::Sun],
        [d("2026-12-01"), d("2026-12-08"), d("2026-12-25")],
    )
}

/// The SPEC §4 example invoice: issued 2026-10-01, due 2026-10-22, 12000.
fn base() -> Facts {
    Facts {
        issued: d("2026-10-01"),
        due: d("2026-10-22"),
        amount: m("12000"),
        ..Default::default()
    }
}

/// What a test asserts: state, current stage, next stage and its date, and
/// the dates of every stage ("-" for suspended, "skip:" prefix for skipped).
struct Want<'a> {
    state: State,
    stage: Option<&'a str>,
    next: Option<(&'a str, Option<&'a str>)>,
    dates: &'a [&'a str],
}

fn check(
    name: &str,
    facts: &Facts,
    policy: &str,
    as_of: &str,
    tolerance: &str,
    want: Want,
) -> Evaluation {
    let p = builtin(policy).unwrap();
    let e = evaluate(facts, &p, &pt(), m(tolerance), d(as_of));
    assert_eq!(e.state, want.state, "{name}: state");
    assert_eq!(
        e.current().map(|s| s.id.as_str()),
        want.stage,
        "{name}: stage"
    );
    let next = e.next_stage().map(|s| (s.id.as_str(), s.date));
    let want_next = want.next.map(|(id, date)| (id, date.map(d)));
    assert_eq!(next, want_next, "{name}: next");
    let dates: Vec<String> = e
        .stages
        .iter()
        .map(|s| match (&s.step, s.date) {
            (Step::Skipped, Some(x)) => format!("skip:{x}"),
            (_, Some(x)) => x.to_string(),
            (_, None) => "-".into(),
        })
        .collect();
    assert_eq!(dates, want.dates, "{name}: dates");
    e
}

const AGENCY_PLAIN: &[&str] = &["2026-10-15", "2026-10-22", "2026-10-29", "2026-10-30"];

#[test]
fn spec_example_partial_payment_and_missed_notice() {
    let mut f = base();
    f.payments.push((d("2026-10-25"), m("5000")));
    f.log.push((d("2026-10-15"), "reminder".into()));
    let e = check(
        "spec example",
        &f,
        "agency",
        "2026-10-27",
        "0",
        Want {
            state: State::Open,
            stage: Some("due-notice"),
            next: Some(("pause", Some("2026-10-29"))),
            dates: AGENCY_PLAIN,
        },
    );
    assert_eq!(e.outstanding, m("7000"));
    assert_eq!(e.days_overdue, 5);
    assert_eq!(e.aging(), "1-30");
    assert_eq!(
        e.missed().map(|s| s.id.as_str()).collect::<Vec<_>>(),
        ["due-notice"]
    );
    assert_eq!(e.late().count(), 0);
    assert_eq!(e.reached().count(), 2);
}

#[test]
fn table_of_holds_promises_extensions_and_payments() {
    type Setup = fn(&mut Facts);
    let cases: Vec<(&str, Setup, &str, Want)> = vec![
        (
            "before any stage",
            |_| {},
            "2026-10-14",
            Want {
                state: State::Open,
                stage: None,
                next: Some(("reminder", Some("2026-10-15"))),
                dates: AGENCY_PLAIN,
            },
        ),
        (
            "reminder day itself",
            |_| {},
            "2026-10-15",
            Want {
                state: State::Open,
                stage: Some("reminder"),
                next: Some(("due-notice", Some("2026-10-22"))),
                dates: AGENCY_PLAIN,
            },
        ),
        (
            "ladder done",
            |_| {},
            "2026-12-31",
            Want {
                state: State::Open,
                stage: Some("offload"),
                next: None,
                dates: AGENCY_PLAIN,
            },
        ),
        (
            "hold covering one stage",
            |f| f.holds.push((d("2026-10-20"), Some(d("2026-10-21")))),
            "2026-10-23",
            Want {
                state: State::Open,
                stage: Some("reminder"),
                next: Some(("due-notice", Some("2026-10-24"))),
                dates: &["2026-10-15", "2026-10-24", "2026-10-31", "2026-11-01"],
            },
        ),
        (
            "hold covering three stages, today inside it",
            |f| f.holds.push((d("2026-10-14"), Some(d("2026-10-31")))),
            "2026-10-31",
            Want {
                state: State::OnHold,
                stage: None,
                next: Some(("reminder", Some("2026-11-02"))),
                dates: &["2026-11-02", "2026-11-09", "2026-11-16", "2026-11-17"],
            },
        ),
        (
            "open-ended hold suspends later stages",
            |f| f.holds.push((d("2026-10-20"), None)),
            "2026-11-20",
            Want {
                state: State::OnHold,
                stage: Some("reminder"),
                next: Some(("due-notice", None)),
                dates: &["2026-10-15", "-", "-", "-"],
            },
        ),
        (
            "extension granted on the stage's date does not move it",
            |f| f.extensions.push((d("2026-10-22"), 5)),
            "2026-10-22",
            Want {
                state: State::Open,
                stage: Some("due-notice"),
                next: Some(("pause", Some("2026-11-03"))),
                dates: &["2026-10-15", "2026-10-22", "2026-11-03", "2026-11-04"],
            },
        ),
        (
            "extension granted the day before moves it",
            |f| f.extensions.push((d("2026-10-21"), 5)),
            "2026-10-22",
            Want {
                state: State::Open,
                stage: Some("reminder"),
                next: Some(("due-notice", Some("2026-10-27"))),
                dates: &["2026-10-15", "2026-10-27", "2026-11-03", "2026-11-04"],
            },
        ),
        (
            "promise kept",
            |f| {
                f.promises.push((d("2026-10-23"), d("2026-10-30")));
                f.payments.push((d("2026-10-28"), m("12000")));
            },
            "2026-11-05",
            Want {
                state: State::Paid,
                stage: None,
                next: None,
                dates: &["2026-10-15", "2026-10-22", "2026-11-06", "2026-11-07"],
            },
        ),
        (
            "promise open",
            |f| f.promises.push((d("2026-10-23"), d("2026-10-30"))),
            "2026-10-25",
            Want {
                state: State::Promised,
                stage: Some("due-notice"),
                next: Some(("pause", Some("2026-11-06"))),
                dates: &["2026-10-15", "2026-10-22", "2026-11-06", "2026-11-07"],
            },
        ),
        (
            "promise broken",
            |f| f.promises.push((d("2026-10-23"), d("2026-10-30"))),
            "2026-11-06",
            Want {
                state: State::Open,
                stage: Some("pause"),
                next: Some(("offload", Some("2026-11-07"))),
                dates: &["2026-10-15", "2026-10-22", "2026-11-06", "2026-11-07"],
            },
        ),
        (
            "two promises, the first broken",
            |f| {
                f.promises.push((d("2026-10-23"), d("2026-10-25")));
                f.promises.push((d("2026-10-27"), d("2026-11-03")));
            },
            "2026-11-01",
            Want {
                state: State::Promised,
                stage: Some("due-notice"),
                next: Some(("pause", Some("2026-11-09"))),
                dates: &["2026-10-15", "2026-10-22", "2026-11-09", "2026-11-10"],
            },
        ),
        (
            "payment clears the invoice between two stages",
            |f| f.payments.push((d("2026-10-25"), m("12000"))),
            "2026-11-10",
            Want {
                state: State::Paid,
                stage: None,
                next: None,
                dates: AGENCY_PLAIN,
            },
        ),
        (
            "overpayment is paid",
            |f| f.payments.push((d("2026-10-25"), m("13000"))),
            "2026-11-10",
            Want {
                state: State::Paid,
                stage: None,
                next: None,
                dates: AGENCY_PLAIN,
            },
        ),
        (
            "payment after today does not count yet",
            |f| f.payments.push((d("2026-10-25"), m("12000"))),
            "2026-10-24",
            Want {
                state: State::Open,
                stage: Some("due-notice"),
                next: Some(("pause", Some("2026-10-29"))),
                dates: AGENCY_PLAIN,
            },
        ),
        (
            "stage before the issue date is skipped",
            |f| f.issued = d("2026-10-18"),
            "2026-10-19",
            Want {
                state: State::Open,
                stage: None,
                next: Some(("due-notice", Some("2026-10-22"))),
                dates: &["skip:2026-10-15", "2026-10-22", "2026-10-29", "2026-10-30"],
            },
        ),
        (
            "draft has no stage",
            |f| f.status = InvoiceStatus::Draft,
            "2026-11-10",
            Want {
                state: State::Draft,
                stage: None,
                next: None,
                dates: AGENCY_PLAIN,
            },
        ),
        (
            "void has no stage",
            |f| f.status = InvoiceStatus::Void,
            "2026-11-10",
            Want {
                state: State::Void,
                stage: None,
                next: None,
                dates: AGENCY_PLAIN,
            },
        ),
        (
            "written off has no stage",
            |f| f.status = InvoiceStatus::WrittenOff,
            "2026-11-10",
            Want {
                state: State::WrittenOff,
                stage: None,
                next: None,
                dates: AGENCY_PLAIN,
            },
        ),
        (
            "hold closed: escalation resumes shifted",
            |f| f.holds.push((d("2026-10-25"), Some(d("2026-10-27")))),
            "2026-11-02",
            Want {
                state: State::Open,
                stage: Some("offload"),
                next: None,
                dates: &["2026-10-15", "2026-10-22", "2026-11-01", "2026-11-02"],
            },
        ),
        (
            "hold and extension chained",
            |f| {
                f.holds.push((d("2026-10-28"), Some(d("2026-10-29"))));
                f.extensions.push((d("2026-10-30"), 3));
            },
            "2026-10-30",
            Want {
                // pause 10-29 -> +2 (hold) = 10-31 -> extension granted 10-30 < 10-31: +3 = 11-03.
                state: State::Open,
                stage: Some("due-notice"),
                next: Some(("pause", Some("2026-11-03"))),
                dates: &["2026-10-15", "2026-10-22", "2026-11-03", "2026-11-04"],
            },
        ),
        (
            "a shift that reaches a later window applies it too",
            |f| {
                f.holds.push((d("2026-10-20"), Some(d("2026-10-22"))));
                f.promises.push((d("2026-10-24"), d("2026-10-25")));
            },
            "2026-10-26",
            Want {
                // due-notice 10-22 -> +3 = 10-25 -> promise from 10-24 <= 10-25: +2 = 10-27.
                state: State::Open,
                stage: Some("reminder"),
                next: Some(("due-notice", Some("2026-10-27"))),
                dates: &["2026-10-15", "2026-10-27", "2026-11-03", "2026-11-04"],
            },
        ),
    ];
    for (name, setup, as_of, want) in cases {
        let mut f = base();
        setup(&mut f);
        check(name, &f, "agency", as_of, "0", want);
    }
}

#[test]
fn tolerance_counts_small_balances_as_paid() {
    let mut f = base();
    f.payments.push((d("2026-10-20"), m("11999.50")));
    let p = builtin("agency").unwrap();
    assert_eq!(
        evaluate(&f, &p, &pt(), m("1.00"), d("2026-11-01")).state,
        State::Paid
    );
    assert_eq!(
        evaluate(&f, &p, &pt(), m("0.25"), d("2026-11-01")).state,
        State::Open
    );
}

#[test]
fn promise_states() {
    let mut f = base();
    f.promises.push((d("2026-10-23"), d("2026-10-30")));
    let p = builtin("agency").unwrap();
    let at = |f: &Facts, day: &str| evaluate(f, &p, &pt(), m("0"), d(day)).promises;
    assert_eq!(at(&f, "2026-10-25"), [PromiseState::Open]);
    assert_eq!(at(&f, "2026-10-30"), [PromiseState::Open]);
    assert_eq!(at(&f, "2026-10-31"), [PromiseState::Broken]);
    assert_eq!(
        evaluate(&f, &p, &pt(), m("0"), d("2026-10-31")).broken_promises(),
        1
    );
    f.payments.push((d("2026-10-30"), m("12000")));
    assert_eq!(at(&f, "2026-10-31"), [PromiseState::Kept]);
    // Paid a day late: still broken.
    let mut g = base();
    g.promises.push((d("2026-10-23"), d("2026-10-30")));
    g.payments.push((d("2026-10-31"), m("12000")));
    assert_eq!(at(&g, "2026-11-02"), [PromiseState::Broken]);
}

#[test]
fn missed_and_late_steps() {
    let mut f = base();
    f.log.push((d("2026-10-15"), "reminder".into()));
    f.log.push((d("2026-10-25"), "due-notice".into())); // 3 days after: late
    let p = builtin("agency").unwrap();
    let e = evaluate(&f, &p, &pt(), m("0"), d("2026-10-30"));
    let ids = |it: Vec<&StageResult>| it.iter().map(|s| s.id.clone()).collect::<Vec<_>>();
    assert_eq!(ids(e.late().collect()), ["due-notice"]);
    assert_eq!(ids(e.missed().collect()), ["pause", "offload"]);
    // Two days after is on time.
    f.log[1].0 = d("2026-10-24");
    let e = evaluate(&f, &p, &pt(), m("0"), d("2026-10-30"));
    assert_eq!(e.late().count(), 0);
    // Paid invoices have no missed steps.
    f.payments.push((d("2026-10-29"), m("12000")));
    let e = evaluate(&f, &p, &pt(), m("0"), d("2026-10-30"));
    assert_eq!(e.missed().count(), 0);
}

#[test]
fn aging_buckets() {
    let cases = [
        (0, "current"),
        (-3, "current"),
        (1, "1-30"),
        (30, "1-30"),
        (31, "31-60"),
        (60, "31-60"),
        (61, "61-90"),
        (90, "61-90"),
        (91, "90+"),
        (400, "90+"),
    ];
    for (days, want) in cases {
        assert_eq!(aging_bucket(days), want, "{days}");
    }
}

const GRADUAL_IDS: usize = 7;

#[test]
fn working_day_policy_on_weekends_and_holidays() {
    let cases = [
        // Due on a Saturday: offset 0 and +1 both land on Monday; 1 Dec is a holiday.
        (
            "2026-11-21",
            [
                "2026-11-18",
                "2026-11-23",
                "2026-11-23",
                "2026-11-24",
                "2026-11-25",
                "2026-12-03",
                "2026-12-15",
            ],
        ),
        // Due on a Tuesday: -3 crosses the weekend back to Thursday.
        (
            "2026-11-24",
            [
                "2026-11-19",
                "2026-11-24",
                "2026-11-25",
                "2026-11-26",
                "2026-11-27",
                "2026-12-07",
                "2026-12-17",
            ],
        ),
        // Due on the 8 December holiday.
        (
            "2026-12-08",
            [
                "2026-12-03",
                "2026-12-09",
                "2026-12-09",
                "2026-12-10",
                "2026-12-11",
                "2026-12-18",
                "2026-12-30",
            ],
        ),
    ];
    let p = builtin("gradual").unwrap();
    for (due, want) in cases {
        let f = Facts {
            issued: d("2026-10-01"),
            due: d(due),
            amount: m("100"),
            ..Default::default()
        };
        let e = evaluate(&f, &p, &pt(), m("0"), d("2026-10-02"));
        let dates: Vec<String> = e
            .stages
            .iter()
            .map(|s| s.date.unwrap().to_string())
            .collect();
        assert_eq!(dates.len(), GRADUAL_IDS);
        assert_eq!(dates, want, "due {due}");
    }
}

#[test]
fn working_day_hold_counts_working_days() {
    // Hold Fri 20 Nov .. Mon 23 Nov = 2 working days; deadline-call due Tue 24 Nov moves 2 working days.
    let p = builtin("gradual").unwrap();
    let mut f = Facts {
        issued: d("2026-10-01"),
        due: d("2026-11-24"),
        amount: m("100"),
        ..Default::default()
    };
    f.holds.push((d("2026-11-20"), Some(d("2026-11-23"))));
    let e = evaluate(&f, &p, &pt(), m("0"), d("2026-11-24"));
    assert_eq!(
        e.stages[0].date,
        Some(d("2026-11-19")),
        "courtesy call before the hold"
    );
    assert_eq!(e.stages[1].date, Some(d("2026-11-26")));
    assert_eq!(e.current().unwrap().id, "courtesy-call");
}

#[test]
fn working_day_shifts_count_from_the_stage_date() {
    // Due on Saturday 21 November: deadline-call (offset 0) rolls to Monday
    // 23. A hold on Monday 23 alone (one working day) must move it past the
    // hold, to Tuesday 24, although "due + (0 + 1)" is Monday again.
    let p = builtin("gradual").unwrap();
    // (hold from, hold until, as of, deadline-call date, state, stage)
    let cases = [
        (
            "2026-11-23",
            "2026-11-23",
            "2026-11-23",
            "2026-11-24",
            State::OnHold,
            Some("courtesy-call"),
        ),
        // (demand-letter, +1, shares Monday with offset 0 and moves with it.)
        (
            "2026-11-23",
            "2026-11-23",
            "2026-11-24",
            "2026-11-24",
            State::Open,
            Some("demand-letter"),
        ),
        // A hold over the weekend only has no working days: nothing moves.
        (
            "2026-11-21",
            "2026-11-22",
            "2026-11-23",
            "2026-11-23",
            State::Open,
            Some("demand-letter"),
        ),
        // Three working days (Fri, Mon, Tue): Thursday.
        (
            "2026-11-20",
            "2026-11-24",
            "2026-11-24",
            "2026-11-26",
            State::OnHold,
            Some("courtesy-call"),
        ),
    ];
    for (from, until, as_of, want, state, stage) in cases {
        let mut f = Facts {
            issued: d("2026-10-01"),
            due: d("2026-11-21"),
            amount: m("100"),
            ..Default::default()
        };
        f.holds.push((d(from), Some(d(until))));
        let e = evaluate(&f, &p, &pt(), m("0"), d(as_of));
        let name = format!("hold {from}..{until} as of {as_of}");
        assert_eq!(e.stages[1].date, Some(d(want)), "{name}");
        assert_eq!(e.state, state, "{name}");
        assert_eq!(e.current().map(|s| s.id.as_str()), stage, "{name}");
    }
}

#[test]
fn terms_in_working_days_cross_a_holiday() {
    // "5 working days" from Friday 4 December: 7, (8 is a holiday), 9, 10, 11, 14.
    assert_eq!(pt().add_working(d("2026-12-04"), 5), d("2026-12-14"));
    // Over Christmas and a weekend: 24 Dec + 3 = 28, 29, 30 (25 is a holiday).
    assert_eq!(pt().add_working(d("2026-12-24"), 3), d("2026-12-30"));
    // A gradual ladder on that due date keeps counting working days.
    let f = Facts {
        issued: d("2026-12-04"),
        due: d("2026-12-14"),
        amount: m("1"),
        ..Default::default()
    };
    let e = evaluate(
        &f,
        &builtin("gradual").unwrap(),
        &pt(),
        m("0"),
        d("2026-12-04"),
    );
    assert_eq!(
        e.stages[0].date,
        Some(d("2026-12-09")),
        "3 working days before Monday 14 December: 11, 10, 9"
    );
}

#[test]
fn outstanding_keeps_every_minor_digit() {
    // JPY has no minor unit, EUR two, BHD three: the ladder works on exact
    // decimals, and the tolerance compares exactly too.
    let cases = [
        ("150000", "149999", "0", State::Open, "1"),
        ("150000", "149999", "1", State::Paid, "1"),
        ("7000.00", "6999.99", "0", State::Open, "0.01"),
        ("7000.000", "6999.999", "0", State::Open, "0.001"),
        ("7000.000", "6999.999", "0.001", State::Paid, "0.001"),
        ("0.003", "0.001", "0", State::Open, "0.002"),
    ];
    let p = builtin("agency").unwrap();
    for (amount, paid, tolerance, state, outstanding) in cases {
        let mut f = base();
        f.amount = m(amount);
        f.payments.push((d("2026-10-10"), m(paid)));
        let e = evaluate(&f, &p, &pt(), m(tolerance), d("2026-11-01"));
        assert_eq!(
            e.state, state,
            "{amount} - {paid} with tolerance {tolerance}"
        );
        assert_eq!(e.outstanding, m(outstanding), "{amount} - {paid}");
    }
}

/// A stage's `shifts` counts what moved it: its calendar event's SEQUENCE.
#[test]
fn shifts_count_what_moved_each_stage() {
    let p = builtin("agency").unwrap();
    let shifts = |f: &Facts| -> Vec<u32> {
        evaluate(f, &p, &pt(), m("0"), d("2026-10-27"))
            .stages
            .iter()
            .map(|s| s.shifts)
            .collect()
    };
    type Case = (&'static str, fn(&mut Facts), [u32; 4]);
    let cases: [Case; 5] = [
        ("nothing", |_| {}, [0, 0, 0, 0]),
        // Granted before the due notice (22 Oct) and later stages only.
        (
            "an extension",
            |f| f.extensions.push((d("2026-10-20"), 5)),
            [0, 1, 1, 1],
        ),
        (
            "a hold over the due date",
            |f| f.holds.push((d("2026-10-20"), Some(d("2026-10-21")))),
            [0, 1, 1, 1],
        ),
        (
            "a hold and a promise",
            |f| {
                f.holds.push((d("2026-10-20"), Some(d("2026-10-21"))));
                f.promises.push((d("2026-10-23"), d("2026-10-30")));
            },
            [0, 2, 2, 2],
        ),
        (
            "an open hold suspends, and still counts",
            |f| f.holds.push((d("2026-10-20"), None)),
            [0, 1, 1, 1],
        ),
    ];
    for (name, change, want) in cases {
        let mut f = base();
        change(&mut f);
        assert_eq!(shifts(&f), want, "{name}");
    }
}
