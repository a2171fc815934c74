//! `folio status`: a table for people, or the SPEC §4 JSON document.

use super::{Cli, CmdResult, Failure, open, require_valid};
use crate::ladder::Ledger;
use crate::ladder::report::{self, StatusDoc};
use crate::model::money;
use std::fmt::Write as _;
use std::io::Write;
use std::process::ExitCode;

#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum Format {
    Table,
    Json,
}

pub fn run(cli: &Cli, account: Option<&str>, all: bool, format: Format) -> CmdResult {
    let s = open(cli)?;
    if let Some(a) = account
        && s.repo.account(a).is_none()
    {
        return Err(Failure::Usage(format!(
            "no account `{a}` in this repository"
        )));
    }
    let t = std::time::Instant::now();
    let ledger = Ledger::new(&s.repo, &s.settings, s.as_of);
    crate::timing("ledger", t);
    // Checking and the report both only read the ledger: side by side, and
    // the report is dropped unprinted when the records have errors.
    let t = std::time::Instant::now();
    let (valid, doc) = rayon::join(
        || require_valid(cli, &ledger),
        || report::build(&ledger, account),
    );
    crate::timing("check and report", t);
    valid?;
    let t = std::time::Instant::now();
    // Streamed: the JSON of 60,000 invoices is tens of megabytes, and
    // building it as one string first costs more than writing it.
    let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    match format {
        Format::Json => doc.write_json(&mut out)?,
        Format::Table => out.write_all(table(&doc, all, cli.quiet).as_bytes())?,
    }
    out.flush()?;
    crate::timing("output", t);
    super::leave_to_exit((doc, ledger));
    super::leave_to_exit(s);
    Ok(ExitCode::SUCCESS)
}

/// Left-aligned columns sized to their widest cell.
fn columns(rows: &[Vec<String>]) -> String {
    let n = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..n)
        .map(|i| {
            rows.iter()
                .filter_map(|r| r.get(i))
                .map(|c| c.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for r in rows {
        let line: Vec<String> = r
            .iter()
            .enumerate()
            .map(|(i, c)| format!("{c:<w$}", w = widths[i]))
            .collect();
        let _ = writeln!(out, "  {}", line.join("  ").trim_end());
    }
    out
}

fn human(amount: &str, currency: &str) -> String {
    amount
        .parse()
        .map(|d| money::human(d, currency))
        .unwrap_or_else(|_| format!("{amount} {currency}"))
}

/// An interest or compensation amount, `-` when nothing can be claimed.
fn claim_cell(amount: Option<&str>, currency: &str) -> String {
    match amount.and_then(|a| a.parse::<rust_decimal::Decimal>().ok()) {
        Some(a) if !a.is_zero() => money::human(a, currency),
        _ => "-".into(),
    }
}

fn table(doc: &StatusDoc, all: bool, quiet: bool) -> String {
    let mut out = String::new();
    let shown: Vec<_> = doc
        .invoices
        .iter()
        .filter(|i| all || matches!(i.state, "open" | "on_hold" | "promised"))
        .collect();
    if !quiet {
        let _ = writeln!(
            out,
            "As of {}: {} {}invoice(s)\n",
            doc.as_of,
            shown.len(),
            if all { "" } else { "unpaid " }
        );
    }
    // Interest columns only when folio.yaml configures `late_payment`.
    let claims = doc.invoices.iter().any(|i| i.interest.is_some())
        || doc.accounts.iter().any(|a| a.interest.is_some());
    let mut header = [
        "INVOICE",
        "ACCOUNT",
        "STATE",
        "STAGE",
        "NEXT",
        "OUTSTANDING",
        "OVERDUE",
    ]
    .map(String::from)
    .to_vec();
    if claims {
        header.extend(["INTEREST", "COMPENSATION"].map(String::from));
    }
    let mut rows = vec![header];
    for i in &shown {
        let next = match &i.next {
            Some(n) => format!("{} {}", n.stage, n.date.as_deref().unwrap_or("(on hold)")),
            None => "-".into(),
        };
        let mut stage = i.stage.clone().unwrap_or_else(|| "-".into());
        if !i.missed.is_empty() {
            stage.push_str(&format!(" (missed: {})", i.missed.join(", ")));
        }
        let mut row = vec![
            i.number.clone(),
            i.account.clone(),
            i.state.replace('_', " "),
            stage,
            next,
            human(&i.outstanding, &i.currency),
            if i.days_overdue > 0 {
                format!("{} days", i.days_overdue)
            } else {
                "-".into()
            },
        ];
        if claims {
            for v in [&i.interest, &i.compensation] {
                row.push(claim_cell(v.as_deref(), &i.currency));
            }
        }
        rows.push(row);
    }
    out.push_str(&columns(&rows));
    let _ = writeln!(out, "\nToday's actions ({})", doc.actions.len());
    if doc.actions.is_empty() {
        let _ = writeln!(out, "  none");
    } else {
        let rows: Vec<Vec<String>> = doc
            .actions
            .iter()
            .map(|a| {
                vec![
                    a.owner.clone(),
                    a.invoice.clone(),
                    format!("{} ({})", a.stage, a.title),
                    a.channel.clone(),
                    if a.missed {
                        format!("MISSED, due {}", a.date)
                    } else {
                        format!("due {}", a.date)
                    },
                ]
            })
            .collect();
        out.push_str(&columns(&rows));
    }
    let _ = writeln!(out, "\nAccounts");
    let mut header = [
        "ACCOUNT",
        "OUTSTANDING",
        "OVERDUE",
        "WORST STAGE",
        "ACTIONS",
    ]
    .map(String::from)
    .to_vec();
    if claims {
        header.push("INTEREST".into());
    }
    let mut rows = vec![header];
    for a in doc
        .accounts
        .iter()
        .filter(|a| all || !a.outstanding.is_empty())
    {
        let sum = |m: &std::collections::BTreeMap<String, String>| {
            if m.is_empty() {
                "-".to_string()
            } else {
                m.iter()
                    .map(|(c, v)| human(v, c))
                    .collect::<Vec<_>>()
                    .join(", ")
            }
        };
        let mut row = vec![
            a.account.clone(),
            sum(&a.outstanding),
            sum(&a.overdue),
            a.worst_stage.clone().unwrap_or_else(|| "-".into()),
            a.actions_due.to_string(),
        ];
        if let Some(interest) = &a.interest {
            row.push(sum(interest));
        }
        rows.push(row);
    }
    out.push_str(&columns(&rows));
    out
}
