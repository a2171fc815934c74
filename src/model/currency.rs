//! ISO 4217 currency codes and their minor digits.

/// Active ISO 4217 codes (funds and precious metals excluded) with two minor digits.
const TWO_DIGITS: &[&str] = &[
    "AED", "AFN", "ALL", "AMD", "ANG", "AOA", "ARS", "AUD", "AWG", "AZN", "BAM", "BBD", "BDT",
    "BGN", "BMD", "BND", "BOB", "BRL", "BSD", "BTN", "BWP", "BYN", "BZD", "CAD", "CDF", "CHF",
    "CNY", "COP", "CRC", "CUP", "CVE", "CZK", "DKK", "DOP", "DZD", "EGP", "ERN", "ETB", "EUR",
    "FJD", "FKP", "GBP", "GEL", "GHS", "GIP", "GMD", "GTQ", "GYD", "HKD", "HNL", "HTG", "HUF",
    "IDR", "ILS", "INR", "IRR", "JMD", "KES", "KGS", "KHR", "KPW", "KYD", "KZT", "LAK", "LBP",
    "LKR", "LRD", "LSL", "MAD", "MDL", "MGA", "MKD", "MMK", "MNT", "MOP", "MRU", "MUR", "MVR",
    "MWK", "MXN", "MYR", "MZN", "NAD", "NGN", "NIO", "NOK", "NPR", "NZD", "PAB", "PEN", "PGK",
    "PHP", "PKR", "PLN", "QAR", "RON", "RSD", "RUB", "SAR", "SBD", "SCR", "SDG", "SEK", "SGD",
    "SHP", "SLE", "SOS", "SRD", "SSP", "STN", "SVC", "SYP", "SZL", "THB", "TJS", "TMT", "TOP",
    "TRY", "TTD", "TWD", "TZS", "UAH", "USD", "UYU", "UZS", "VES", "WST", "XCD", "XCG", "YER",
    "ZAR", "ZMW", "ZWG",
];
const ZERO_DIGITS: &[&str] = &[
    "BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "UYI", "VND",
    "VUV", "XAF", "XOF", "XPF",
];
const THREE_DIGITS: &[&str] = &["BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"];
const FOUR_DIGITS: &[&str] = &["CLF", "UYW"];

/// The number of minor digits of an ISO 4217 currency, or `None` when the
/// code is not a currency.
pub fn minor_digits(code: &str) -> Option<u32> {
    // Codes compared as numbers: a site formats hundreds of thousands of
    // amounts, and string comparisons here showed in its profile.
    let key = packed(code)?;
    [
        (TWO_DIGITS, 2),
        (ZERO_DIGITS, 0),
        (THREE_DIGITS, 3),
        (FOUR_DIGITS, 4),
    ]
    .iter()
    .find(|(codes, _)| {
        codes
            .binary_search_by_key(&key, |c| packed(c).unwrap_or(0))
            .is_ok()
    })
    .map(|(_, digits)| *digits)
}

/// A three-letter code as one number, in the codes' sort order.
fn packed(code: &str) -> Option<u32> {
    match *code.as_bytes() {
        [a, b, c] => Some(u32::from_be_bytes([0, a, b, c])),
        _ => None,
    }
}

/// Every known code, for "did you mean" suggestions.
pub fn all_codes() -> impl Iterator<Item = &'static str> {
    ZERO_DIGITS
        .iter()
        .chain(TWO_DIGITS)
        .chain(THREE_DIGITS)
        .chain(FOUR_DIGITS)
        .copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_are_sorted_for_binary_search() {
        for t in [TWO_DIGITS, ZERO_DIGITS, THREE_DIGITS, FOUR_DIGITS] {
            assert!(t.windows(2).all(|w| w[0] < w[1]), "{t:?}");
        }
    }

    #[test]
    fn digits() {
        assert_eq!(minor_digits("EUR"), Some(2));
        assert_eq!(minor_digits("JPY"), Some(0));
        assert_eq!(minor_digits("BHD"), Some(3));
        assert_eq!(minor_digits("EUX"), None);
        assert_eq!(minor_digits("eur"), None);
    }
}
