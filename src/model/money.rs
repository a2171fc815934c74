//! Formatting money with its currency's minor digits. Amounts are never floats.

use super::currency::minor_digits;
use rust_decimal::{Decimal, RoundingStrategy};

/// Minor digits of `currency`, two when it is unknown (check reports it).
pub fn digits(currency: &str) -> u32 {
    minor_digits(currency).unwrap_or(2)
}

/// Rounds half away from zero to the currency's minor digits.
pub fn round(amount: Decimal, currency: &str) -> Decimal {
    round_to(amount, digits(currency))
}

fn round_to(amount: Decimal, digits: u32) -> Decimal {
    amount.round_dp_with_strategy(digits, RoundingStrategy::MidpointAwayFromZero)
}

/// Machine form: `7000.00` (JSON, CSV).
pub fn plain(amount: Decimal, currency: &str) -> String {
    let d = digits(currency);
    let mut r = round_to(amount, d);
    r.rescale(d);
    r.to_string()
}

/// Human form: `7,000.00 EUR`.
pub fn human(amount: Decimal, currency: &str) -> String {
    let text = plain(amount, currency);
    let (sign, unsigned) = match text.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", text.as_str()),
    };
    let (int, frac) = match unsigned.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (unsigned, None),
    };
    // Built in one string: a site prints hundreds of thousands of amounts.
    let mut out = String::with_capacity(text.len() + int.len() / 3 + 1 + currency.len());
    out.push_str(sign);
    for (i, c) in int.char_indices() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if let Some(f) = frac {
        out.push('.');
        out.push_str(f);
    }
    out.push(' ');
    out.push_str(currency);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn formats_by_minor_digits() {
        let m = |s: &str| Decimal::from_str(s).unwrap();
        let cases = [
            ("7000", "EUR", "7000.00", "7,000.00 EUR"),
            ("12000.5", "EUR", "12000.50", "12,000.50 EUR"),
            ("0.005", "EUR", "0.01", "0.01 EUR"),
            ("1234567.891", "USD", "1234567.89", "1,234,567.89 USD"),
            ("150000", "JPY", "150000", "150,000 JPY"),
            ("149999.5", "JPY", "150000", "150,000 JPY"),
            ("1234.5", "BHD", "1234.500", "1,234.500 BHD"),
            ("0.0005", "BHD", "0.001", "0.001 BHD"),
            ("-1000", "EUR", "-1000.00", "-1,000.00 EUR"),
            ("999", "EUR", "999.00", "999.00 EUR"),
        ];
        for (amount, cur, want_plain, want_human) in cases {
            assert_eq!(plain(m(amount), cur), want_plain, "{amount} {cur}");
            assert_eq!(human(m(amount), cur), want_human, "{amount} {cur}");
        }
    }
}
