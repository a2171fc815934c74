//! `folio reconcile`: bank statements (camt.053, or CSV with a rules file)
//! matched to invoices, and with `--apply` recorded as payments through the
//! same byte-preserving edit as `folio pay`. Nothing is written unless every
//! statement reads cleanly and every edited record stays valid.

pub mod matching;
pub mod statement;

use crate::app::record::{self, Edits, Fail, Op};
use crate::ladder::{Ledger, report};
use crate::model::money;
use crate::{edit::Field, edit::yaml};

use matching::Outcome as Matches;
use serde_json::{Value, json};
use statement::{Credit, ReadError, Rules};
use std::path::{Path, PathBuf};

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Table,
    Json,
}

pub struct Options<'a> {
    pub root: &'a Path,
    pub as_of: crate::app::session::AsOf,
    pub color: bool,
    pub files: &'a [PathBuf],
    pub rules: Option<&'a Path>,
    pub apply: bool,
    pub allow_overpayment: bool,
    /// With `apply`, also record payments chosen by payer (no invoice named).
    pub apply_proposals: bool,
    pub format: Format,
}

fn read_error(e: ReadError) -> Fail {
    match e {
        ReadError::Unreadable(m) => Fail::Usage(m),
        ReadError::Bad(m) => Fail::Refused(format!("error: {m}; nothing was written\n")),
    }
}

/// Every credit of every file, or the first problem.
pub fn read_all(files: &[PathBuf], rules: Option<&Path>) -> Result<Vec<Credit>, Fail> {
    let rules = match rules {
        Some(p) => Some((Rules::read(p).map_err(read_error)?, p)),
        None => None,
    };
    let mut credits = vec![];
    for file in files {
        let found = if statement::is_xml(file).map_err(read_error)? {
            statement::camt(file)
        } else {
            match &rules {
                Some((r, p)) => statement::csv(file, r, p),
                None => {
                    return Err(Fail::Usage(format!(
                        "{} is not XML: a CSV statement needs --rules RULES.yaml",
                        file.display()
                    )));
                }
            }
        };
        credits.extend(found.map_err(read_error)?);
    }
    Ok(credits)
}

pub fn run(opts: &Options) -> Result<record::Outcome, Fail> {
    let t = std::time::Instant::now();
    let credits = read_all(opts.files, opts.rules)?;
    crate::timing("read statements", t);
    let mut session = record::open(opts.root, opts.as_of)?;
    let t = std::time::Instant::now();
    let (matches, report_text, plans) = {
        let ledger = Ledger::new(&session.repo, &session.settings, session.as_of);
        crate::timing("ledger", t);
        let t = std::time::Instant::now();
        let matches = matching::match_all(&ledger, &credits);
        crate::timing("match", t);
        let text = match opts.format {
            Format::Json => {
                let mut s = serde_json::to_string(&to_json(&ledger, &credits, &matches))
                    .expect("JSON serializes");
                s.push('\n');
                s
            }
            Format::Table => table(&ledger, &credits, &matches, opts),
        };
        let plans = payments_to_write(&ledger, &credits, &matches, opts);
        (matches, text, plans)
    };
    let mut out = record::Outcome {
        stdout: report_text,
        stderr: String::new(),
    };
    if !opts.apply {
        return Ok(out);
    }
    if plans.is_empty() {
        out.stderr.push_str("nothing to apply\n");
        return Ok(out);
    }
    let targets: Vec<(String, String)> = plans
        .iter()
        .map(|p| (p.rel.clone(), p.account.clone()))
        .collect();
    let before = record::refuse_broken(&session, &targets, opts.color)?;
    let mut edits = Edits::default();
    for p in &plans {
        edits.apply(opts.root, &p.rel, &p.account, &p.op)?;
    }
    let warnings = record::validate(&mut session, &before, &edits, opts.color)?;
    edits.write(opts.root)?;
    if !warnings.is_empty() {
        out.stderr = crate::diagnostic::render::text(&warnings, opts.root, opts.color);
    }
    let ledger = Ledger::new(&session.repo, &session.settings, session.as_of);
    let mut seen = std::collections::HashSet::new();
    let numbers: Vec<&str> = plans
        .iter()
        .map(|p| p.number.as_str())
        .filter(|n| seen.insert(*n))
        .collect();
    let applied = matches.matched.iter().filter(|m| applies(m, opts)).count();
    let files = edits.files.len();
    out.stdout.push_str(&format!(
        "\napplied {applied} payment(s) to {files} invoice file(s):\n"
    ));
    for number in numbers {
        if let Some(e) = ledger.find(number) {
            out.stdout.push_str(&report::one_line(e));
            out.stdout.push('\n');
        }
    }
    Ok(out)
}

/// One payment to record.
struct Plan {
    rel: String,
    account: String,
    number: String,
    op: Op,
}

/// Whether `--apply` records this match with the options given.
fn applies(m: &matching::Matched, opts: &Options) -> bool {
    (opts.allow_overpayment || m.overpayment.is_none())
        && (opts.apply_proposals || m.proposal.is_none())
}

fn payments_to_write(
    ledger: &Ledger,
    credits: &[Credit],
    matches: &Matches,
    opts: &Options,
) -> Vec<Plan> {
    matches
        .matched
        .iter()
        .filter(|m| applies(m, opts))
        .map(|m| {
            let e = &ledger.entries[m.invoice];
            let c = &credits[m.credit];
            let entry = crate::model::Payment {
                date: crate::model::Sp::new(
                    crate::model::Date(c.date),
                    crate::diagnostic::Pos::START,
                ),
                amount: crate::model::Sp::new(
                    crate::model::Amount(m.amount.normalize()),
                    crate::diagnostic::Pos::START,
                ),
                reference: Some(c.reference.clone()),
            };
            Plan {
                rel: e.invoice.file.clone(),
                account: e.account.id.clone(),
                number: e.number().to_string(),
                op: Op::Append {
                    key: "payments",
                    fields: vec![
                        Field::new("date", c.date.to_string()),
                        Field::new("amount", m.amount.to_string()),
                        Field::new("ref", yaml::quoted(&c.reference)),
                    ],
                    entry: serde_json::to_value(&entry).expect("a payment serializes"),
                },
            }
        })
        .collect()
}

fn to_json(ledger: &Ledger, credits: &[Credit], m: &Matches) -> Value {
    let matched: Vec<Value> = m
        .matched
        .iter()
        .map(|x| {
            let c = &credits[x.credit];
            let e = &ledger.entries[x.invoice];
            json!({
                "invoice": e.number(),
                "amount": money::plain(x.amount, &c.currency),
                "currency": c.currency,
                "date": c.date.to_string(),
                "ref": c.reference,
                "payer": c.payer,
                "evidence": x.evidence,
                "overpayment": x.overpayment.map(|o| money::plain(o, &c.currency)),
                "proposal": x.proposal.is_some(),
            })
        })
        .collect();
    let unmatched: Vec<Value> = m
        .unmatched
        .iter()
        .map(|u| {
            let c = &credits[u.credit];
            json!({
                "ref": c.reference,
                "amount": money::plain(c.amount, &c.currency),
                "currency": c.currency,
                "date": c.date.to_string(),
                "payer": c.payer,
                "text": c.text,
                "reason": u.reason,
            })
        })
        .collect();
    let recorded: Vec<Value> = m
        .recorded
        .iter()
        .flat_map(|r| {
            let c = &credits[r.credit];
            r.invoices
                .iter()
                .map(move |i| json!({"invoice": i, "ref": c.reference}))
        })
        .collect();
    json!({"matched": matched, "unmatched": unmatched, "recorded": recorded})
}

/// Left-aligned columns, two spaces apart.
fn columns(rows: &[Vec<String>]) -> String {
    let widths: Vec<usize> = (0..rows.first().map_or(0, Vec::len))
        .map(|i| rows.iter().map(|r| r[i].chars().count()).max().unwrap_or(0))
        .collect();
    let mut out = String::new();
    for row in rows {
        let mut line = String::from(" ");
        for (cell, w) in row.iter().zip(&widths) {
            line.push_str(&format!(" {cell:<w$} "));
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

fn clip(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else {
        let mut s: String = text.chars().take(max - 1).collect();
        s.push('…');
        s
    }
}

fn table(ledger: &Ledger, credits: &[Credit], m: &Matches, opts: &Options) -> String {
    let mut out = format!("Matched ({})\n", m.matched.len());
    if !m.matched.is_empty() {
        let mut rows = vec![
            ["INVOICE", "AMOUNT", "DATE", "REF", "PAYER", "MATCHED ON"]
                .map(String::from)
                .to_vec(),
        ];
        for x in &m.matched {
            let c = &credits[x.credit];
            let mut evidence = format!("\"{}\"", x.evidence);
            if let Some(o) = x.overpayment {
                evidence.push_str(&format!(
                    " (overpays by {}{})",
                    money::human(o, &c.currency),
                    if opts.allow_overpayment {
                        ""
                    } else {
                        "; applied only with --allow-overpayment"
                    }
                ));
            }
            if x.proposal.is_some() {
                evidence = format!(
                    "payer {evidence} (a proposal: no invoice named{})",
                    if opts.apply_proposals {
                        ""
                    } else {
                        "; applied only with --apply-proposals"
                    }
                );
            }
            rows.push(vec![
                ledger.entries[x.invoice].number().to_string(),
                money::human(x.amount, &c.currency),
                c.date.to_string(),
                c.reference.clone(),
                c.payer.clone().unwrap_or_default(),
                evidence,
            ]);
        }
        out.push_str(&columns(&rows));
    }
    out.push_str(&format!("\nUnmatched ({})\n", m.unmatched.len()));
    if !m.unmatched.is_empty() {
        let mut rows = vec![
            ["REF", "AMOUNT", "DATE", "PAYER", "TEXT", "WHY"]
                .map(String::from)
                .to_vec(),
        ];
        for u in &m.unmatched {
            let c = &credits[u.credit];
            rows.push(vec![
                c.reference.clone(),
                money::human(c.amount, &c.currency),
                c.date.to_string(),
                c.payer.clone().unwrap_or_default(),
                clip(&c.text, 40),
                u.reason.clone(),
            ]);
        }
        out.push_str(&columns(&rows));
    }
    out.push_str(&format!("\nAlready recorded ({})\n", m.recorded.len()));
    for r in &m.recorded {
        let c = &credits[r.credit];
        out.push_str(&format!("  {}  {}\n", c.reference, r.invoices.join(", ")));
    }
    out
}
