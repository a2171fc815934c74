//! `folio statement ACCOUNT`: the statement of account as text, JSON or a
//! standalone HTML page fit to print (the site's page, styles inlined).

use crate::ladder::statement::Statement;
use crate::model::money;
use rust_decimal::Decimal;
use std::fmt::Write as _;
use std::str::FromStr;

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Text,
    Json,
    Html,
}

/// The statement in `format`.
pub fn render(
    st: &Statement,
    format: Format,
    company: &str,
    root: &std::path::Path,
) -> Result<String, String> {
    match format {
        Format::Text => Ok(text(st, company)),
        Format::Json => serde_json::to_string_pretty(st)
            .map(|s| s + "\n")
            .map_err(|e| e.to_string()),
        Format::Html => crate::site::claims::standalone_statement(st, company, root),
    }
}

fn human(plain: &str, currency: &str) -> String {
    Decimal::from_str(plain).map_or_else(
        |_| format!("{plain} {currency}"),
        |d| money::human(d, currency),
    )
}

/// Right-aligned columns after the first, sized to their widest cell.
fn table(rows: &[Vec<String>], out: &mut String) {
    let n = rows.iter().map(Vec::len).max().unwrap_or(0);
    let width = |i: usize| {
        rows.iter()
            .filter_map(|r| r.get(i))
            .map(|c| c.chars().count())
            .max()
            .unwrap_or(0)
    };
    let widths: Vec<usize> = (0..n).map(width).collect();
    for r in rows {
        let cells: Vec<String> = r
            .iter()
            .enumerate()
            .map(|(i, c)| {
                if i < 3 {
                    format!("{c:<w$}", w = widths[i])
                } else {
                    format!("{c:>w$}", w = widths[i])
                }
            })
            .collect();
        let _ = writeln!(out, "  {}", cells.join("  ").trim_end());
    }
}

fn text(st: &Statement, company: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "Statement of account: {} ({})", st.name, st.account);
    let _ = writeln!(out, "From {company}, as of {}\n", st.as_of);
    if st.invoices.is_empty() {
        let _ = writeln!(out, "No open invoices: nothing is owed.");
    } else {
        let mut header: Vec<String> = [
            "INVOICE",
            "ISSUED",
            "DUE",
            "AMOUNT",
            "PAID",
            "OUTSTANDING",
            "OVERDUE",
        ]
        .map(String::from)
        .to_vec();
        if st.late_payment {
            header.extend(["INTEREST", "COMPENSATION"].map(String::from));
        }
        header.push("DUE NOW".into());
        let mut rows = vec![header];
        for i in &st.invoices {
            let c = &i.currency;
            let mut row = vec![
                i.number.clone(),
                i.issued.clone(),
                i.due.clone(),
                human(&i.amount, c),
                human(&i.paid, c),
                human(&i.outstanding, c),
                if i.days_overdue > 0 {
                    format!("{} days", i.days_overdue)
                } else {
                    "-".into()
                },
            ];
            if st.late_payment {
                row.push(human(&i.interest, c));
                row.push(human(&i.compensation, c));
            }
            row.push(human(&i.total, c));
            rows.push(row);
        }
        table(&rows, &mut out);
    }
    let _ = writeln!(out, "\nTotal due as of {}", st.as_of);
    if st.total_due.is_empty() {
        let _ = writeln!(out, "  nothing");
    }
    for (c, total) in &st.total_due {
        let mut line = format!("  {}", human(total, c));
        if st.late_payment {
            let part = |m: &std::collections::BTreeMap<String, String>| {
                m.get(c).map_or_else(|| human("0", c), |v| human(v, c))
            };
            let _ = write!(
                line,
                "  (outstanding {}, interest {}, compensation {})",
                part(&st.outstanding),
                part(&st.interest),
                part(&st.compensation)
            );
        }
        let _ = writeln!(out, "{line}");
    }
    let _ = writeln!(out, "\nPayments received since {}", st.payments_since);
    if st.payments.is_empty() {
        let _ = writeln!(out, "  none");
    } else {
        let rows: Vec<Vec<String>> = st
            .payments
            .iter()
            .map(|p| {
                vec![
                    p.date.clone(),
                    p.invoice.clone(),
                    p.reference.clone().unwrap_or_default(),
                    human(&p.amount, &p.currency),
                ]
            })
            .collect();
        table(&rows, &mut out);
    }
    out
}
