//! Late-payment interest against figures worked by hand (the working is in
//! each case's comment), and its properties over arbitrary invoices.

use super::*;
use proptest::prelude::*;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn m(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

/// margin 8%, 2.15% from 2026-01-01, 2.00% from 2026-07-01.
fn rules(period: Period, compensation: Compensation) -> LatePayment {
    LatePayment {
        interest: Some(InterestRule {
            margin: m("8"),
            period,
            rates: vec![(d("2026-01-01"), m("2.15")), (d("2026-07-01"), m("2.00"))],
        }),
        compensation,
    }
}

struct Case {
    name: &'static str,
    rules: LatePayment,
    currency: &'static str,
    amount: &'static str,
    due: &'static str,
    payments: &'static [(&'static str, &'static str)],
    status: InvoiceStatus,
    waived: bool,
    as_of: &'static str,
    interest: &'static str,
    compensation: &'static str,
    days: i64,
}

const OPEN: InvoiceStatus = InvoiceStatus::Open;

fn base(name: &'static str) -> Case {
    Case {
        name,
        rules: rules(Period::HalfYear, Compensation::Eu),
        currency: "EUR",
        amount: "10000",
        due: "2026-01-31",
        payments: &[],
        status: OPEN,
        waived: false,
        as_of: "2026-03-02",
        interest: "0.00",
        compensation: "0.00",
        days: 0,
    }
}

fn run(c: &Case) -> Claim {
    let payments: Vec<(NaiveDate, Decimal)> =
        c.payments.iter().map(|(day, a)| (d(day), m(a))).collect();
    let facts = ClaimFacts {
        due: d(c.due),
        amount: m(c.amount),
        payments: &payments,
        status: c.status,
        waived: c.waived,
        tolerance: Decimal::ZERO,
        currency: c.currency,
    };
    claim(&c.rules, &facts, d(c.as_of))
}

#[test]
fn hand_worked_claims() {
    let cases = [
        // 1 Feb to 2 Mar: 30 days of 10,000 at 2.15 + 8 = 10.15%:
        // 10000 × 10.15 × 30 / 36500 = 83.4246… → 83.42.
        Case {
            interest: "83.42",
            compensation: "40.00",
            days: 30,
            ..base("unpaid, one rate")
        },
        // 9 days (1-9 Feb) on 10,000, then 4,000 paid on 10 Feb: 21 days
        // (10 Feb-2 Mar) on 6,000. (90000 + 126000) × 10.15 / 36500 = 60.0657…
        Case {
            payments: &[("2026-02-10", "4000")],
            interest: "60.07",
            compensation: "40.00",
            days: 30,
            ..base("part payment")
        },
        // Half-year: 21-30 June (10 days) at 10.15%, 1-10 July (10 days) at
        // 10.00%: 1000 × (101.5 + 100) / 36500 = 5.5205… → 5.52.
        Case {
            amount: "1000",
            due: "2026-06-20",
            as_of: "2026-07-10",
            interest: "5.52",
            compensation: "40.00",
            days: 20,
            ..base("rate change, half_year")
        },
        // Fixed: late from 21 June, first half of 2026, so 10.15% for all
        // 20 days: 1000 × 10.15 × 20 / 36500 = 5.5616… → 5.56.
        Case {
            rules: rules(Period::Fixed, Compensation::Eu),
            amount: "1000",
            due: "2026-06-20",
            as_of: "2026-07-10",
            interest: "5.56",
            compensation: "40.00",
            days: 20,
            ..base("rate change, fixed")
        },
        // Paid in full on 15 Feb: 1-14 Feb, 14 days: 1000 × 10.15 × 14 /
        // 36500 = 3.8931… → 3.89, and the compensation, still claimable.
        Case {
            amount: "1000",
            payments: &[("2026-02-15", "1000")],
            as_of: "2026-06-01",
            interest: "3.89",
            compensation: "40.00",
            days: 14,
            ..base("paid late")
        },
        Case {
            payments: &[("2026-01-31", "10000")],
            ..base("paid on the due date")
        },
        Case {
            as_of: "2026-01-31",
            ..base("not late yet: D is the due date")
        },
        // One day: 1000 × 10.15 / 36500 = 0.2780… → 0.28.
        Case {
            amount: "1000",
            as_of: "2026-02-01",
            interest: "0.28",
            compensation: "40.00",
            days: 1,
            ..base("first late day")
        },
        Case {
            waived: true,
            ..base("waived")
        },
        Case {
            status: InvoiceStatus::Draft,
            ..base("draft")
        },
        Case {
            status: InvoiceStatus::Void,
            ..base("void")
        },
        Case {
            status: InvoiceStatus::WrittenOff,
            ..base("written off")
        },
        // UK: under 1,000 → 40; under 10,000 → 70; from 10,000 on → 100.
        Case {
            rules: rules(Period::HalfYear, Compensation::Uk),
            amount: "999.99",
            interest: "8.34",
            compensation: "40.00",
            days: 30,
            ..base("uk, under 1,000")
        },
        Case {
            rules: rules(Period::HalfYear, Compensation::Uk),
            amount: "1000",
            interest: "8.34",
            compensation: "70.00",
            days: 30,
            ..base("uk, 1,000")
        },
        Case {
            rules: rules(Period::HalfYear, Compensation::Uk),
            amount: "9999.99",
            interest: "83.42",
            compensation: "70.00",
            days: 30,
            ..base("uk, under 10,000")
        },
        Case {
            rules: rules(Period::HalfYear, Compensation::Uk),
            interest: "83.42",
            compensation: "100.00",
            days: 30,
            ..base("uk, 10,000")
        },
        Case {
            rules: rules(Period::HalfYear, Compensation::Amount(m("25.5"))),
            interest: "83.42",
            compensation: "25.50",
            days: 30,
            ..base("a fixed amount")
        },
        Case {
            rules: rules(Period::HalfYear, Compensation::None),
            interest: "83.42",
            days: 30,
            ..base("no compensation")
        },
        Case {
            rules: LatePayment {
                interest: None,
                compensation: Compensation::Eu,
            },
            compensation: "40.00",
            ..base("compensation only")
        },
        // JPY, no minor digits: 1,000,000 × 10.15 × 30 / 36500 = 8342.46… → 8342.
        Case {
            currency: "JPY",
            amount: "1000000",
            interest: "8342",
            compensation: "40",
            days: 30,
            ..base("JPY")
        },
        // BHD, three: 1000 × 10.15 × 30 / 36500 = 8.34246… → 8.342.
        Case {
            currency: "BHD",
            amount: "1000",
            interest: "8.342",
            compensation: "40.000",
            days: 30,
            ..base("BHD")
        },
        // 18.25 × 10% for one day = 0.005 exactly: half away from zero, 0.01.
        Case {
            rules: LatePayment {
                interest: Some(InterestRule {
                    margin: m("10"),
                    period: Period::HalfYear,
                    rates: vec![(d("2026-01-01"), m("0"))],
                }),
                compensation: Compensation::None,
            },
            amount: "18.25",
            as_of: "2026-02-01",
            interest: "0.01",
            days: 1,
            ..base("a half rounds away from zero")
        },
    ];
    for c in &cases {
        let got = run(c);
        assert_eq!(
            money::plain(got.interest, c.currency),
            c.interest,
            "{}: interest",
            c.name
        );
        assert_eq!(
            money::plain(got.compensation, c.currency),
            c.compensation,
            "{}: compensation",
            c.name
        );
        assert_eq!(got.days(), c.days, "{}: days", c.name);
    }
}

#[test]
fn half_year_uses_the_rate_in_force_on_its_first_day() {
    // A rate dated 15 March does not apply before 1 July in half_year mode:
    // April is in the half-year that began on 1 January, at 2.15%.
    let mut r = rules(Period::HalfYear, Compensation::None);
    r.interest
        .as_mut()
        .unwrap()
        .rates
        .insert(1, (d("2026-03-15"), m("3")));
    let c = Case {
        rules: r,
        amount: "1000",
        due: "2026-03-31",
        as_of: "2026-04-30",
        // 30 days at 10.15%: 1000 × 10.15 × 30 / 36500 = 8.3424… → 8.34.
        interest: "8.34",
        days: 30,
        ..base("rate dated mid half-year")
    };
    let got = run(&c);
    assert_eq!(money::plain(got.interest, "EUR"), c.interest);
    assert_eq!(got.accruals[0].reference_from, Some(d("2026-01-01")));
}

#[test]
fn the_breakdown_names_each_stretch() {
    let c = Case {
        amount: "1000",
        due: "2026-06-20",
        payments: &[("2026-06-25", "400")],
        as_of: "2026-07-10",
        ..base("breakdown")
    };
    let got = run(&c);
    let stretches: Vec<(String, String, i64, String, String)> = got
        .accruals
        .iter()
        .map(|a| {
            (
                a.from.to_string(),
                a.to.to_string(),
                a.days,
                a.principal.to_string(),
                a.rate.to_string(),
            )
        })
        .collect();
    let want = [
        ("2026-06-21", "2026-06-24", 4, "1000", "10.15"),
        ("2026-06-25", "2026-06-30", 6, "600", "10.15"),
        ("2026-07-01", "2026-07-10", 10, "600", "10.00"),
    ]
    .map(|(a, b, n, p, r)| {
        (
            a.to_string(),
            b.to_string(),
            n,
            p.to_string(),
            r.to_string(),
        )
    });
    assert_eq!(stretches, want);
    // (4000 + 3600) × 10.15 / 36500 + 6000 × 10 / 36500 = 2.1134… + 1.6438… = 3.7572…
    assert_eq!(money::plain(got.interest, "EUR"), "3.76");
}

#[test]
fn days_without_a_rate_in_force_count_the_margin_and_are_flagged() {
    let mut r = rules(Period::HalfYear, Compensation::None);
    r.interest.as_mut().unwrap().rates = vec![(d("2026-07-01"), m("2"))];
    let c = Case {
        rules: r,
        amount: "1000",
        due: "2026-01-31",
        as_of: "2026-03-02",
        ..base("unrated")
    };
    let got = run(&c);
    assert!(got.unrated);
    // 30 days at the margin alone: 1000 × 8 × 30 / 36500 = 6.5753… → 6.58.
    assert_eq!(money::plain(got.interest, "EUR"), "6.58");
}

#[test]
fn tolerance_counts_as_paid() {
    let payments = [(d("2026-01-20"), m("999.50"))];
    let facts = ClaimFacts {
        due: d("2026-01-31"),
        amount: m("1000"),
        payments: &payments,
        status: OPEN,
        waived: false,
        tolerance: m("1"),
        currency: "EUR",
    };
    let got = claim(
        &rules(Period::HalfYear, Compensation::Eu),
        &facts,
        d("2026-05-01"),
    );
    assert_eq!(got, Claim::default());
}

fn config(yaml: &str) -> (Option<LatePayment>, Vec<Diagnostic>) {
    let text = format!("company: X\nlate_payment:\n{yaml}");
    let c: crate::model::Config = serde_saphyr::from_str(&text).unwrap();
    parse(&c.late_payment.unwrap(), "folio.yaml")
}

#[test]
fn configuration_is_read_and_each_bad_value_located() {
    let (rules, diags) = config(
        "  interest:\n    margin: 8%\n    period: fixed\n    reference_rates:\n      - { from: 2026-01-01, rate: 2.15% }\n  compensation: uk\n",
    );
    assert!(diags.is_empty(), "{diags:?}");
    let rules = rules.unwrap();
    assert_eq!(rules.compensation, Compensation::Uk);
    let i = rules.interest.unwrap();
    assert_eq!((i.margin, i.period), (m("8"), Period::Fixed));
    assert_eq!(i.rates, vec![(d("2026-01-01"), m("2.15"))]);

    let (_, diags) = config("  compensation: 50\n");
    assert!(diags.is_empty());

    let table = [
        (
            "  interest: { margin: 8, reference_rates: [{ from: 2026-01-01, rate: 2% }] }\n",
            "E035",
            3,
        ),
        (
            "  interest: { margin: 8%, reference_rates: [{ from: 2026-01-01, rate: two }] }\n",
            "E035",
            3,
        ),
        (
            "  interest: { margin: -1%, reference_rates: [{ from: 2026-01-01, rate: 2% }] }\n",
            "E035",
            3,
        ),
        (
            "  interest: { margin: 8%, period: monthly, reference_rates: [{ from: 2026-01-01, rate: 2% }] }\n",
            "E036",
            3,
        ),
        (
            "  interest:\n    margin: 8%\n    reference_rates:\n      - { from: 2026-07-01, rate: 2% }\n      - { from: 2026-01-01, rate: 2% }\n",
            "E037",
            7,
        ),
        ("  interest: { margin: 8% }\n", "E039", 3),
        ("  compensation: eur\n", "E038", 3),
        ("  compensation: -5\n", "E038", 3),
    ];
    for (yaml, code, line) in table {
        let (rules, diags) = config(yaml);
        assert!(rules.is_none(), "{yaml}");
        assert_eq!(diags.len(), 1, "{yaml}: {diags:?}");
        assert_eq!(diags[0].code.id(), code, "{yaml}");
        assert_eq!(diags[0].pos.line, line, "{yaml}");
    }
}

fn arb_invoice() -> impl Strategy<Value = (i64, u32, Vec<(u32, i64)>)> {
    (
        1i64..5_000_000,
        0u32..400,
        prop::collection::vec((0u32..800, 1i64..2_000_000), 0..5),
    )
}

proptest! {
    #[test]
    fn interest_never_decreases_as_the_date_grows(
        (cents, due_offset, pays) in arb_invoice(),
        d1 in 0u32..1200,
        step in 0u32..400,
        fixed in any::<bool>(),
    ) {
        let start = d("2025-06-01");
        let day = |n: u32| start + chrono::Days::new(n as u64);
        let payments: Vec<(NaiveDate, Decimal)> =
            pays.iter().map(|(o, c)| (day(*o), Decimal::new(*c, 2))).collect();
        let facts = ClaimFacts {
            due: day(due_offset),
            amount: Decimal::new(cents, 2),
            payments: &payments,
            status: OPEN,
            waived: false,
            tolerance: Decimal::ZERO,
            currency: "EUR",
        };
        let period = if fixed { Period::Fixed } else { Period::HalfYear };
        let r = rules(period, Compensation::Eu);
        let early = claim(&r, &facts, day(d1));
        let later = claim(&r, &facts, day(d1 + step));
        prop_assert!(early.interest <= later.interest);
        prop_assert!(early.compensation <= later.compensation);
        prop_assert!(early.interest >= Decimal::ZERO);
    }

    #[test]
    fn interest_is_zero_for_invoices_paid_on_time(
        (cents, due_offset, pays) in arb_invoice(),
        later in 0u32..1500,
    ) {
        let start = d("2025-06-01");
        let day = |n: u32| start + chrono::Days::new(n as u64);
        // Every payment on or before the due date, the last one settling it.
        let mut payments: Vec<(NaiveDate, Decimal)> = pays
            .iter()
            .map(|(o, c)| (day(o % (due_offset + 1)), Decimal::new(*c, 2)))
            .collect();
        payments.push((day(due_offset), Decimal::new(cents, 2)));
        let facts = ClaimFacts {
            due: day(due_offset),
            amount: Decimal::new(cents, 2),
            payments: &payments,
            status: OPEN,
            waived: false,
            tolerance: Decimal::ZERO,
            currency: "EUR",
        };
        let got = claim(&rules(Period::HalfYear, Compensation::Uk), &facts, day(due_offset + later));
        prop_assert_eq!(got.interest, Decimal::ZERO);
        prop_assert_eq!(got.compensation, Decimal::ZERO);
    }
}
