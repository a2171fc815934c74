//! Which credit settles which invoice: invoice numbers found in the
//! entry's text or reference (case, spacing and separators ignored, never as
//! part of a longer number), equal currencies, amounts that fit.

use super::statement::Credit;
use crate::ladder::Ledger;
use rust_decimal::Decimal;
use std::collections::HashMap;

/// A payment proposed for one invoice.
#[derive(Clone, Debug)]
pub struct Matched {
    pub credit: usize,
    /// Index into the ledger's entries.
    pub invoice: usize,
    pub amount: Decimal,
    /// The text of the entry that named the invoice.
    pub evidence: String,
    /// How much more than the outstanding amount this pays.
    pub overpayment: Option<Decimal>,
    /// Set when no invoice was named and a known payer's open invoice with
    /// exactly this amount outstanding was chosen: the payer that matched.
    pub proposal: Option<String>,
}

#[derive(Clone, Debug)]
pub struct Unmatched {
    pub credit: usize,
    pub reason: String,
}

#[derive(Clone, Debug)]
pub struct Recorded {
    pub credit: usize,
    pub invoices: Vec<String>,
}

#[derive(Debug, Default)]
pub struct Outcome {
    pub matched: Vec<Matched>,
    pub unmatched: Vec<Unmatched>,
    pub recorded: Vec<Recorded>,
}

/// Letters and digits, uppercased; everything else is a gap.
struct Normalized {
    chars: Vec<char>,
    /// Whether a gap (space, punctuation) comes before each char.
    gap_before: Vec<bool>,
    /// Byte offset in the original text of each char, and one past the end.
    offsets: Vec<usize>,
    ends: Vec<usize>,
}

fn normalize(text: &str) -> Normalized {
    let mut n = Normalized {
        chars: vec![],
        gap_before: vec![],
        offsets: vec![],
        ends: vec![],
    };
    let mut gap = true;
    for (i, c) in text.char_indices() {
        if c.is_alphanumeric() {
            for u in c.to_uppercase() {
                n.chars.push(u);
                n.gap_before.push(gap);
                n.offsets.push(i);
                n.ends.push(i + c.len_utf8());
                gap = false;
            }
        } else {
            gap = true;
        }
    }
    n
}

/// An invoice number's key: its letters and digits, uppercased.
pub fn number_key(number: &str) -> String {
    normalize(number).chars.into_iter().collect()
}

impl Normalized {
    /// A number may start or end at `i` when a gap is there, or a letter
    /// meets a digit: `INV-12` never matches inside `INV-123` or `XINV-12`.
    fn boundary(&self, i: usize) -> bool {
        if i == 0 || i == self.chars.len() || self.gap_before[i] {
            return true;
        }
        self.chars[i - 1].is_numeric() != self.chars[i].is_numeric()
    }
}

/// The invoices of the ledger by number key.
pub struct NumberIndex {
    by_key: HashMap<String, usize>,
    longest: usize,
}

impl NumberIndex {
    pub fn new(ledger: &Ledger) -> NumberIndex {
        let mut by_key = HashMap::with_capacity(ledger.entries.len());
        let mut longest = 0;
        for (i, e) in ledger.entries.iter().enumerate() {
            let key = number_key(e.number());
            if key.is_empty() {
                continue;
            }
            longest = longest.max(key.chars().count());
            by_key.entry(key).or_insert(i);
        }
        NumberIndex { by_key, longest }
    }

    /// The invoices named in `text`, in order of appearance, each with the
    /// piece of text that named it.
    pub fn named_in(&self, text: &str) -> Vec<(usize, String)> {
        let n = normalize(text);
        let mut found: Vec<(usize, String)> = vec![];
        let mut key = String::new();
        for start in (0..n.chars.len()).filter(|i| n.boundary(*i)) {
            let mut end = start;
            key.clear();
            while end < n.chars.len() && end - start < self.longest {
                key.push(n.chars[end]);
                end += 1;
                if n.boundary(end)
                    && let Some(&inv) = self.by_key.get(&key)
                    && !found.iter().any(|(i, _)| *i == inv)
                {
                    found.push((inv, text[n.offsets[start]..n.ends[end - 1]].to_string()));
                }
            }
        }
        found
    }
}

/// Every payment reference already recorded, with the invoices holding it.
pub fn recorded_refs(ledger: &Ledger) -> HashMap<String, Vec<String>> {
    let mut refs: HashMap<String, Vec<String>> = HashMap::new();
    for e in &ledger.entries {
        for p in &e.invoice.data.payments {
            if let Some(r) = &p.reference {
                refs.entry(r.trim().to_string())
                    .or_default()
                    .push(e.number().to_string());
            }
        }
    }
    refs
}

/// Accounts by the payers (names, IBANs) their `billing.payers` lists.
fn payer_index<'l>(ledger: &Ledger<'l>) -> HashMap<String, &'l str> {
    let mut payers = HashMap::new();
    for dir in &ledger.repo.accounts {
        if let Some(a) = &dir.account {
            for p in &a.data.billing.payers {
                let key = number_key(p);
                if !key.is_empty() {
                    payers.entry(key).or_insert(dir.id.as_str());
                }
            }
        }
    }
    payers
}

/// The known payer of a credit: its IBAN, else its name.
fn known_payer<'a>(
    payers: &HashMap<String, &'a str>,
    credit: &Credit,
) -> Option<(&'a str, String)> {
    [&credit.payer_iban, &credit.payer]
        .into_iter()
        .flatten()
        .find_map(|p| payers.get(&number_key(p)).map(|a| (*a, p.clone())))
}

/// Matches every credit against the ledger's invoices.
pub fn match_all(ledger: &Ledger, credits: &[Credit]) -> Outcome {
    let index = NumberIndex::new(ledger);
    let payers = payer_index(ledger);
    let refs = recorded_refs(ledger);
    let mut out = Outcome::default();
    // What this run has matched so far: outstanding amounts go down, and a
    // reference met twice in the statements is one payment.
    let mut taken: HashMap<usize, Decimal> = HashMap::new();
    let mut seen_refs: HashMap<&str, Vec<String>> = HashMap::new();
    for (ci, credit) in credits.iter().enumerate() {
        let reference = credit.reference.trim();
        if let Some(invoices) = refs.get(reference).or(seen_refs.get(reference)) {
            out.recorded.push(Recorded {
                credit: ci,
                invoices: invoices.clone(),
            });
            continue;
        }
        let named = index.named_in(&format!("{} {}", credit.text, credit.reference));
        let outstanding = |i: usize| {
            (ledger.entries[i].eval.outstanding - taken.get(&i).copied().unwrap_or_default())
                .max(Decimal::ZERO)
        };
        let unmatched = |reason: String| Unmatched { credit: ci, reason };
        let result: Result<Vec<Matched>, Unmatched> = match named.as_slice() {
            [] => match known_payer(&payers, credit) {
                None => Err(unmatched("no invoice named".into())),
                Some((account, payer)) => {
                    let mut open: Vec<usize> = (0..ledger.entries.len())
                        .filter(|i| {
                            let e = &ledger.entries[*i];
                            e.account.id == account
                                && e.currency == credit.currency
                                && outstanding(*i) == credit.amount
                        })
                        .collect();
                    open.sort_by_key(|i| {
                        let e = &ledger.entries[*i];
                        (e.invoice.data.issued.value, e.number().to_string())
                    });
                    match open.first() {
                        Some(i) => Ok(vec![Matched {
                            credit: ci,
                            invoice: *i,
                            amount: credit.amount,
                            evidence: payer.clone(),
                            overpayment: None,
                            proposal: Some(payer),
                        }]),
                        None => Err(unmatched(format!(
                            "no invoice named; payer `{payer}` is {account}'s, which has no open invoice of exactly this amount"
                        ))),
                    }
                }
            },
            _ if named
                .iter()
                .any(|(i, _)| ledger.entries[*i].currency != credit.currency) =>
            {
                let (i, _) = named
                    .iter()
                    .find(|(i, _)| ledger.entries[*i].currency != credit.currency)
                    .expect("found above");
                let e = &ledger.entries[*i];
                Err(unmatched(format!(
                    "the currency differs: {} is in {}, the payment in {}",
                    e.number(),
                    e.currency,
                    credit.currency
                )))
            }
            [(i, evidence)] => {
                let open = outstanding(*i);
                Ok(vec![Matched {
                    credit: ci,
                    invoice: *i,
                    amount: credit.amount,
                    evidence: evidence.clone(),
                    overpayment: (credit.amount > open).then(|| credit.amount - open),
                    proposal: None,
                }])
            }
            several => {
                let total: Decimal = several.iter().map(|(i, _)| outstanding(*i)).sum();
                if total == credit.amount {
                    Ok(several
                        .iter()
                        .filter(|(i, _)| outstanding(*i) > Decimal::ZERO)
                        .map(|(i, evidence)| Matched {
                            credit: ci,
                            invoice: *i,
                            amount: outstanding(*i),
                            evidence: evidence.clone(),
                            overpayment: None,
                            proposal: None,
                        })
                        .collect())
                } else {
                    let numbers: Vec<&str> = several
                        .iter()
                        .map(|(i, _)| ledger.entries[*i].number())
                        .collect();
                    Err(unmatched(format!(
                        "the amount does not fit: {} name {} outstanding in all, the payment is {}",
                        numbers.join(", "),
                        total,
                        credit.amount
                    )))
                }
            }
        };
        match result {
            Ok(rows) => {
                let numbers = rows
                    .iter()
                    .map(|m| ledger.entries[m.invoice].number().to_string())
                    .collect();
                seen_refs.insert(reference, numbers);
                for m in &rows {
                    *taken.entry(m.invoice).or_default() += m.amount;
                }
                out.matched.extend(rows);
            }
            Err(u) => out.unmatched.push(u),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index(numbers: &[&str]) -> NumberIndex {
        NumberIndex {
            by_key: numbers
                .iter()
                .enumerate()
                .map(|(i, n)| (number_key(n), i))
                .collect(),
            longest: numbers
                .iter()
                .map(|n| number_key(n).len())
                .max()
                .unwrap_or(0),
        }
    }

    #[test]
    fn numbers_are_found_ignoring_case_and_spacing_never_inside_longer_ones() {
        let idx = index(&["INV-2026-0019", "INV-2026-001", "A-1"]);
        let cases: [(&str, &[usize]); 9] = [
            ("Pagamento fatura INV-2026-0019", &[0]),
            ("inv 2026 0019", &[0]),
            ("INV2026/0019 e INV-2026-001", &[0, 1]),
            ("INV-2026-00190", &[]),
            ("XINV-2026-0019", &[]),
            ("ref a1", &[2]),
            ("A-12", &[]),
            ("BA-1", &[]),
            ("", &[]),
        ];
        for (text, expected) in cases {
            let found: Vec<usize> = idx.named_in(text).into_iter().map(|(i, _)| i).collect();
            assert_eq!(found, expected, "{text}");
        }
        assert_eq!(idx.named_in("paid inv 2026 0019.")[0].1, "inv 2026 0019");
    }
}
