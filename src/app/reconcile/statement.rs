//! Bank statements read into credit entries: ISO 20022 camt.053 (any
//! version, recognized by content) with roxmltree, and CSV with a rules file
//! with the `csv` crate. Every problem names the file and the line.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Deserialize;
use std::path::Path;
use std::str::FromStr;

/// One booked credit of a statement.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Credit {
    pub amount: Decimal,
    pub currency: String,
    pub date: NaiveDate,
    /// The bank's reference of the entry.
    pub reference: String,
    /// Remittance information and other text, joined.
    pub text: String,
    pub payer: Option<String>,
    pub payer_iban: Option<String>,
    /// `file:line` of the entry, for messages.
    pub origin: String,
}

/// Why a statement cannot be read.
#[derive(Debug)]
pub enum ReadError {
    /// The file cannot be read at all (exit 2).
    Unreadable(String),
    /// The file is read but its content is wrong (exit 1).
    Bad(String),
}

fn bad<T>(msg: impl Into<String>) -> Result<T, ReadError> {
    Err(ReadError::Bad(msg.into()))
}

fn read_text(path: &Path) -> Result<String, ReadError> {
    let bytes = std::fs::read(path)
        .map_err(|e| ReadError::Unreadable(format!("cannot read {}: {e}", path.display())))?;
    let text = String::from_utf8(bytes)
        .map_err(|_| ReadError::Bad(format!("{}: not UTF-8 text", path.display())))?;
    Ok(text
        .strip_prefix('\u{feff}')
        .map(str::to_string)
        .unwrap_or(text))
}

/// Whether a file looks like XML (a camt statement) rather than CSV.
pub fn is_xml(path: &Path) -> Result<bool, ReadError> {
    let text = read_text(path)?;
    Ok(text.trim_start().starts_with('<'))
}

// ---------------------------------------------------------------- camt.053

/// The booked credits of a camt.053 statement.
pub fn camt(path: &Path) -> Result<Vec<Credit>, ReadError> {
    let text = read_text(path)?;
    let name = path.display().to_string();
    let doc = roxmltree::Document::parse(&text).map_err(|e| {
        let p = e.pos();
        ReadError::Bad(format!(
            "{name}:{}:{}: not well-formed XML: {e}",
            p.row, p.col
        ))
    })?;
    let root = doc.root_element();
    let statement_kind = root
        .children()
        .find(|n| n.is_element())
        .map(|n| n.tag_name().name());
    if root.tag_name().name() != "Document" || statement_kind != Some("BkToCstmrStmt") {
        return bad(format!(
            "{name}: not a camt.053 bank statement (expected <Document><BkToCstmrStmt>, found <{}>)",
            root.tag_name().name()
        ));
    }
    if let Some(ns) = root.tag_name().namespace()
        && !ns.contains("camt.053")
    {
        return bad(format!("{name}: namespace `{ns}` is not camt.053"));
    }
    let mut credits = vec![];
    // Lines counted on from the previous entry: `text_pos_at` scans from the
    // start of the document each time, quadratic over 10,000 entries.
    let (mut line, mut counted) = (1usize, 0usize);
    for entry in root.descendants().filter(|n| n.has_tag_name("Ntry")) {
        let start = entry.range().start;
        line += memchr::memchr_iter(b'\n', &text.as_bytes()[counted..start]).count();
        counted = start;
        let origin = format!("{name}:{line}");
        if let Some(c) = camt_entry(entry, &origin)? {
            credits.push(c);
        }
    }
    Ok(credits)
}

fn child<'a, 'i>(node: roxmltree::Node<'a, 'i>, name: &str) -> Option<roxmltree::Node<'a, 'i>> {
    node.children().find(|n| n.has_tag_name(name))
}

fn path<'a, 'i>(node: roxmltree::Node<'a, 'i>, names: &[&str]) -> Option<roxmltree::Node<'a, 'i>> {
    names.iter().try_fold(node, |n, name| child(n, name))
}

fn text_of(node: Option<roxmltree::Node>) -> Option<String> {
    node.and_then(|n| n.text())
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty())
}

/// A date element: `<Dt>` or `<DtTm>` inside it.
fn date_in(node: Option<roxmltree::Node>, origin: &str) -> Result<Option<NaiveDate>, ReadError> {
    let Some(node) = node else { return Ok(None) };
    if let Some(d) = text_of(child(node, "Dt")) {
        return NaiveDate::parse_from_str(&d, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| ReadError::Bad(format!("{origin}: `{d}` is not a date")));
    }
    if let Some(d) = text_of(child(node, "DtTm")) {
        return NaiveDate::parse_from_str(d.get(..10).unwrap_or(&d), "%Y-%m-%d")
            .map(Some)
            .map_err(|_| ReadError::Bad(format!("{origin}: `{d}` is not a date and time")));
    }
    Ok(None)
}

fn camt_entry(entry: roxmltree::Node, origin: &str) -> Result<Option<Credit>, ReadError> {
    // `<Sts>BOOK</Sts>` up to .001.05, `<Sts><Cd>BOOK</Cd></Sts>` after.
    let status = child(entry, "Sts").and_then(|s| text_of(child(s, "Cd")).or(text_of(Some(s))));
    let direction = text_of(child(entry, "CdtDbtInd"));
    let Some(amount_node) = child(entry, "Amt") else {
        return bad(format!("{origin}: entry has no <Amt>"));
    };
    let amount_text = text_of(Some(amount_node)).unwrap_or_default();
    let amount = Decimal::from_str(&amount_text)
        .map_err(|_| ReadError::Bad(format!("{origin}: amount `{amount_text}` is not a number")))?;
    let Some(currency) = amount_node.attribute("Ccy") else {
        return bad(format!("{origin}: <Amt> has no Ccy currency"));
    };
    let date = match date_in(child(entry, "ValDt"), origin)? {
        Some(d) => d,
        None => match date_in(child(entry, "BookgDt"), origin)? {
            Some(d) => d,
            None => return bad(format!("{origin}: entry has neither <ValDt> nor <BookgDt>")),
        },
    };
    match direction.as_deref() {
        Some("CRDT") => {}
        Some("DBIT") => return Ok(None),
        other => {
            return bad(format!(
                "{origin}: <CdtDbtInd> is `{}`, not CRDT or DBIT",
                other.unwrap_or("")
            ));
        }
    }
    if status.as_deref() != Some("BOOK") {
        return Ok(None);
    }
    let tx = entry.descendants().find(|n| n.has_tag_name("TxDtls"));
    let reference = text_of(child(entry, "AcctSvcrRef"))
        .or_else(|| text_of(child(entry, "NtryRef")))
        .or_else(|| tx.and_then(|t| text_of(path(t, &["Refs", "EndToEndId"]))))
        .filter(|r| r != "NOTPROVIDED");
    let Some(reference) = reference else {
        return bad(format!(
            "{origin}: entry has no bank reference (AcctSvcrRef, NtryRef or EndToEndId)"
        ));
    };
    let mut texts = vec![];
    for n in entry.descendants() {
        let wanted = n.has_tag_name("Ustrd")
            || n.has_tag_name("AddtlNtryInf")
            || (n.has_tag_name("Ref") && n.parent().is_some_and(|p| p.has_tag_name("CdtrRefInf")));
        if wanted && let Some(t) = text_of(Some(n)) {
            texts.push(t);
        }
    }
    // Up to .001.07 `Dbtr/Nm`; from .001.08 `Dbtr/Pty/Nm`.
    let parties = entry.descendants().find(|n| n.has_tag_name("RltdPties"));
    let payer = parties.and_then(|p| {
        text_of(path(p, &["Dbtr", "Nm"])).or_else(|| text_of(path(p, &["Dbtr", "Pty", "Nm"])))
    });
    let payer_iban = parties.and_then(|p| text_of(path(p, &["DbtrAcct", "Id", "IBAN"])));
    Ok(Some(Credit {
        amount,
        currency: currency.trim().to_string(),
        date,
        reference,
        text: texts.join(" "),
        payer,
        payer_iban,
        origin: origin.to_string(),
    }))
}

// ---------------------------------------------------------------- CSV

/// How to read one bank's CSV export (a YAML file).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rules {
    /// One character (default `,`).
    #[serde(default = "comma")]
    pub delimiter: String,
    /// Lines before the data; the last of them is the header naming columns.
    #[serde(default)]
    pub skip: usize,
    pub date: DateRule,
    pub amount: AmountRule,
    pub currency: ValueRule,
    #[serde(default)]
    pub text: Vec<Column>,
    #[serde(rename = "ref")]
    pub reference: ColumnRule,
    pub payer: Option<ColumnRule>,
}

fn comma() -> String {
    ",".into()
}

/// A header name or a 1-based column number.
#[derive(Clone, Debug, Deserialize)]
#[serde(untagged)]
pub enum Column {
    Number(usize),
    Name(String),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DateRule {
    pub column: Column,
    /// chrono format, e.g. `%d-%m-%Y` (default `%Y-%m-%d`).
    pub format: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AmountRule {
    pub column: Column,
    /// The decimal mark (default `.`); the other of `.` and `,` is a
    /// thousands separator.
    pub decimal: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ValueRule {
    pub value: Option<String>,
    pub column: Option<Column>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ColumnRule {
    pub column: Column,
}

impl Rules {
    pub fn read(path: &Path) -> Result<Rules, ReadError> {
        let text = read_text(path)?;
        let name = path.display();
        let rules: Rules = serde_saphyr::from_str(&text)
            .map_err(|e| ReadError::Bad(format!("{name}: not a CSV rules file: {e}")))?;
        if rules.delimiter.chars().count() != 1 || !rules.delimiter.is_ascii() {
            return bad(format!("{name}: `delimiter` must be one ASCII character"));
        }
        if rules.currency.value.is_some() == rules.currency.column.is_some() {
            return bad(format!(
                "{name}: `currency` needs exactly one of `value` (e.g. EUR) or `column`"
            ));
        }
        if let Some(d) = &rules.amount.decimal
            && d != "."
            && d != ","
        {
            return bad(format!("{name}: `amount.decimal` must be \".\" or \",\""));
        }
        Ok(rules)
    }
}

/// Column indexes resolved against the header.
struct Resolved {
    date: usize,
    amount: usize,
    currency: Option<usize>,
    text: Vec<usize>,
    reference: usize,
    payer: Option<usize>,
}

fn resolve(col: &Column, header: &[String], rules_name: &str) -> Result<usize, ReadError> {
    match col {
        Column::Number(0) => bad(format!("{rules_name}: columns are numbered from 1")),
        Column::Number(n) => Ok(n - 1),
        Column::Name(name) => header
            .iter()
            .position(|h| h.trim() == name.trim())
            .ok_or_else(|| {
                let known = header
                    .iter()
                    .map(|h| format!("`{}`", h.trim()))
                    .collect::<Vec<_>>()
                    .join(", ");
                ReadError::Bad(format!(
                    "{rules_name}: unknown column `{name}` (the header has {})",
                    if known.is_empty() {
                        "no names".into()
                    } else {
                        known
                    }
                ))
            }),
    }
}

/// Parses `1.234,56` (decimal `,`) or `1,234.56` (decimal `.`).
pub fn parse_amount(text: &str, decimal: char) -> Option<Decimal> {
    let thousands = if decimal == ',' { '.' } else { ',' };
    let cleaned: String = text
        .trim()
        .chars()
        .filter(|c| *c != thousands && !c.is_whitespace() && *c != '\u{a0}')
        .map(|c| if c == decimal { '.' } else { c })
        .collect();
    let cleaned = cleaned.strip_prefix('+').unwrap_or(&cleaned);
    Decimal::from_str(cleaned).ok()
}

/// The credits of a CSV export read with `rules`.
pub fn csv(path: &Path, rules: &Rules, rules_path: &Path) -> Result<Vec<Credit>, ReadError> {
    let text = read_text(path)?;
    let name = path.display().to_string();
    let rules_name = rules_path.display().to_string();
    let mut lines = text.split_inclusive('\n');
    let mut header: Vec<String> = vec![];
    let delimiter = rules.delimiter.as_bytes()[0];
    for i in 0..rules.skip {
        let Some(line) = lines.next() else {
            return bad(format!(
                "{name}: has fewer than {} lines to skip",
                rules.skip
            ));
        };
        if i + 1 == rules.skip {
            header = csv::ReaderBuilder::new()
                .delimiter(delimiter)
                .has_headers(false)
                .from_reader(line.as_bytes())
                .records()
                .next()
                .and_then(Result::ok)
                .map(|r| r.iter().map(str::to_string).collect())
                .unwrap_or_default();
        }
    }
    let cols = Resolved {
        date: resolve(&rules.date.column, &header, &rules_name)?,
        amount: resolve(&rules.amount.column, &header, &rules_name)?,
        currency: match &rules.currency.column {
            Some(c) => Some(resolve(c, &header, &rules_name)?),
            None => None,
        },
        text: rules
            .text
            .iter()
            .map(|c| resolve(c, &header, &rules_name))
            .collect::<Result<_, _>>()?,
        reference: resolve(&rules.reference.column, &header, &rules_name)?,
        payer: match &rules.payer {
            Some(p) => Some(resolve(&p.column, &header, &rules_name)?),
            None => None,
        },
    };
    let data: String = lines.collect();
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(data.as_bytes());
    let format = rules.date.format.as_deref().unwrap_or("%Y-%m-%d");
    let decimal = if rules.amount.decimal.as_deref() == Some(",") {
        ','
    } else {
        '.'
    };
    let mut credits = vec![];
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e.position().map_or(0, |p| p.line() as usize + rules.skip);
            ReadError::Bad(format!("{name}:{line}: {e}"))
        })?;
        let line = record
            .position()
            .map_or(0, |p| p.line() as usize + rules.skip);
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        let origin = format!("{name}:{line}");
        let field = |i: usize, what: &str| -> Result<String, ReadError> {
            record
                .get(i)
                .map(|f| f.trim().to_string())
                .ok_or_else(|| ReadError::Bad(format!("{origin}: no column {} ({what})", i + 1)))
        };
        let date_text = field(cols.date, "date")?;
        let date = NaiveDate::parse_from_str(&date_text, format).map_err(|_| {
            ReadError::Bad(format!(
                "{origin}: date `{date_text}` does not match `{format}`"
            ))
        })?;
        let amount_text = field(cols.amount, "amount")?;
        let amount = parse_amount(&amount_text, decimal).ok_or_else(|| {
            ReadError::Bad(format!("{origin}: amount `{amount_text}` is not a number"))
        })?;
        if amount <= Decimal::ZERO {
            continue;
        }
        let currency = match (&rules.currency.value, cols.currency) {
            (Some(v), _) => v.clone(),
            (None, Some(c)) => field(c, "currency")?,
            (None, None) => unreachable!("checked when the rules are read"),
        };
        let reference = field(cols.reference, "ref")?;
        if reference.is_empty() {
            return bad(format!("{origin}: the reference column is empty"));
        }
        let text: Vec<String> = cols
            .text
            .iter()
            .filter_map(|i| record.get(*i).map(|t| t.trim().to_string()))
            .filter(|t| !t.is_empty())
            .collect();
        let payer = match cols.payer {
            Some(i) => Some(field(i, "payer")?).filter(|p| !p.is_empty()),
            None => None,
        };
        credits.push(Credit {
            amount,
            currency,
            date,
            reference,
            text: text.join(" "),
            payer,
            payer_iban: None,
            origin,
        });
    }
    Ok(credits)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_with_either_decimal_mark() {
        let cases = [
            ("1.234,56", ',', Some("1234.56")),
            ("1,234.56", '.', Some("1234.56")),
            ("-50,00", ',', Some("-50.00")),
            ("+7", '.', Some("7")),
            ("12 000,5", ',', Some("12000.5")),
            ("abc", '.', None),
            ("", '.', None),
        ];
        for (text, mark, expected) in cases {
            assert_eq!(
                parse_amount(text, mark).map(|d| d.to_string()),
                expected.map(str::to_string),
                "{text}"
            );
        }
    }
}
