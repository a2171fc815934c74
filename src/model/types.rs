//! Value types shared by the records: located values, dates, money, shares.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use schemars::JsonSchema;
use serde::Deserialize;
use serde::de::{self, Deserializer, Visitor};
use std::borrow::Cow;
use std::fmt;
use std::ops::Deref;
use std::str::FromStr;

use crate::diagnostic::Pos;

/// A value with the file position it was read from, for diagnostics.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sp<T> {
    pub value: T,
    pub pos: Pos,
}

impl<T> Sp<T> {
    pub fn new(value: T, pos: Pos) -> Self {
        Sp { value, pos }
    }
}

impl<T> Deref for Sp<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.value
    }
}

thread_local! {
    static CACHE_FORMAT: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Runs `f` with the value types reading and writing folio's own cache
/// format instead of YAML: positions stored beside values, amounts as exact
/// decimal text. (The YAML reading refuses amounts written as text on
/// purpose, and elsewhere, such as schema defaults, a value is just itself.)
pub fn in_cache_format<R>(f: impl FnOnce() -> R) -> R {
    struct Reset(bool);
    impl Drop for Reset {
        fn drop(&mut self) {
            CACHE_FORMAT.with(|c| c.set(self.0));
        }
    }
    let _reset = Reset(CACHE_FORMAT.with(|c| c.replace(true)));
    f()
}

fn cache_format() -> bool {
    CACHE_FORMAT.with(|c| c.get())
}

/// In the cache `[value, line, column]`, elsewhere the value alone.
impl<T: serde::Serialize> serde::Serialize for Sp<T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if cache_format() {
            (&self.value, self.pos.line, self.pos.column).serialize(s)
        } else {
            self.value.serialize(s)
        }
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Sp<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        if cache_format() {
            let (value, line, column) = <(T, u32, u32)>::deserialize(d)?;
            return Ok(Sp {
                value,
                pos: Pos::new(line, column),
            });
        }
        let s = serde_saphyr::Spanned::<T>::deserialize(d)?;
        let loc = s.referenced;
        Ok(Sp {
            value: s.value,
            pos: Pos::new(loc.line() as u32, loc.column() as u32),
        })
    }
}

impl<T: JsonSchema> JsonSchema for Sp<T> {
    fn schema_name() -> Cow<'static, str> {
        T::schema_name()
    }
    fn schema_id() -> Cow<'static, str> {
        T::schema_id()
    }
    fn json_schema(g: &mut schemars::SchemaGenerator) -> schemars::Schema {
        T::json_schema(g)
    }
    fn inline_schema() -> bool {
        T::inline_schema()
    }
}

/// A list that may be written as a key with nothing after it (`payments:`),
/// which YAML reads as null: the same as no entries.
pub fn null_as_empty<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Vec<T>, D::Error> {
    // The cache's format is not self-describing: it holds the list itself.
    if cache_format() {
        return Vec::deserialize(d);
    }
    Ok(Option::<Vec<T>>::deserialize(d)?.unwrap_or_default())
}

/// A calendar day, written `YYYY-MM-DD`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(pub NaiveDate);

impl Date {
    pub fn parse(s: &str) -> Result<Date, String> {
        let bytes = s.as_bytes();
        let shaped = bytes.len() == 10
            && bytes[4] == b'-'
            && bytes[7] == b'-'
            && bytes
                .iter()
                .enumerate()
                .all(|(i, b)| i == 4 || i == 7 || b.is_ascii_digit());
        if !shaped {
            return Err(format!("`{s}` is not a date in the form YYYY-MM-DD"));
        }
        NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .map(Date)
            .map_err(|_| format!("`{s}` is not a real calendar day"))
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl serde::Serialize for Date {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Date::parse(&s).map_err(de::Error::custom)
    }
}

impl JsonSchema for Date {
    fn schema_name() -> Cow<'static, str> {
        "Date".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({"type": "string", "format": "date", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"})
    }
}

/// A money amount or other decimal, written as a plain YAML number
/// (`12000`, `12000.50`). Strings such as `"12,000.50"` are rejected, and the
/// value is never held as a float.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Amount(pub Decimal);

/// Floats carry about 15 significant digits; anything longer cannot be trusted
/// to be what the user wrote.
const MAX_SIGNIFICANT_DIGITS: usize = 15;

/// In the cache: the exact decimal as text.
impl serde::Serialize for Amount {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Amount {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        if cache_format() {
            let text = String::deserialize(d)?;
            return Decimal::from_str(&text)
                .map(Amount)
                .map_err(|_| de::Error::custom("a cached amount does not read back"));
        }
        struct AmountVisitor;
        impl Visitor<'_> for AmountVisitor {
            type Value = Amount;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a plain decimal number such as 12000 or 12000.50")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Amount, E> {
                Ok(Amount(Decimal::from(v)))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Amount, E> {
                Ok(Amount(Decimal::from(v)))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Amount, E> {
                if !v.is_finite() {
                    return Err(E::custom("amount must be a finite decimal number"));
                }
                // The shortest text that round-trips is what the user wrote,
                // up to float precision.
                let text = format!("{v}");
                let digits = text.chars().filter(|c| c.is_ascii_digit()).count();
                if digits > MAX_SIGNIFICANT_DIGITS {
                    return Err(E::custom(format!(
                        "amount `{text}` has more than {MAX_SIGNIFICANT_DIGITS} significant digits"
                    )));
                }
                Decimal::from_str(&text)
                    .map(|d| Amount(d.normalize()))
                    .map_err(|_| E::custom(format!("amount `{text}` is out of range")))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Amount, E> {
                Err(E::custom(format!(
                    "amount `{v}` is text, not a number: write it without quotes, thousands separators or currency signs"
                )))
            }
        }
        d.deserialize_any(AmountVisitor)
    }
}

impl JsonSchema for Amount {
    fn schema_name() -> Cow<'static, str> {
        "Amount".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({"type": "number"})
    }
}

/// Day counts beyond ten years are typos: terms, extensions and stage
/// offsets are at most this many days either way.
pub const MAX_PLAUSIBLE_DAYS: i64 = 3650;

/// Integer types read with [`whole`], with their range for messages.
pub trait WholeNumber: Sized + TryFrom<i64> {
    const MIN: i64;
    const MAX: i64;
}

macro_rules! whole_number {
    ($($t:ty),*) => {$(
        impl WholeNumber for $t {
            const MIN: i64 = <$t>::MIN as i64;
            const MAX: i64 = <$t>::MAX as i64;
        }
    )*};
}
whole_number!(u32, i32, i64);

/// Reads a whole number written as a YAML number: `7`, `-7`, also `7.0`
/// (JSON Schema's integers include it). serde-saphyr would read `"7"` in
/// quotes into an integer field as readily as `7`; folio refuses a number
/// in quotes in every numeric field, as it does an amount (`"2400"`), so a
/// record means the same to folio and to an editor validating against the
/// JSON Schema, where `"7"` is text. Use with `deserialize_with` on an
/// `Sp<integer>` field.
pub fn whole<'de, D: Deserializer<'de>, T: Deserialize<'de> + WholeNumber>(
    d: D,
) -> Result<Sp<T>, D::Error> {
    if cache_format() {
        return Sp::<T>::deserialize(d);
    }
    let read = Sp::<Whole<T>>::deserialize(d)?;
    Ok(Sp::new(read.value.0, read.pos))
}

/// [`whole`] for an optional field without a position (`#[serde(default)]`).
pub fn optional_whole<'de, D: Deserializer<'de>, T: Deserialize<'de> + WholeNumber>(
    d: D,
) -> Result<Option<T>, D::Error> {
    if cache_format() {
        return Option::<T>::deserialize(d);
    }
    Ok(Option::<Whole<T>>::deserialize(d)?.map(|w| w.0))
}

struct Whole<T>(T);

impl<'de, T: WholeNumber> Deserialize<'de> for Whole<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(WholeVisitor(std::marker::PhantomData))
    }
}

struct WholeVisitor<T>(std::marker::PhantomData<T>);

impl<T: WholeNumber> WholeVisitor<T> {
    /// "a whole number", with its range when it cannot be negative (a
    /// signed range is too wide to help).
    fn what() -> String {
        if T::MIN == 0 {
            format!("a whole number from 0 to {}", T::MAX)
        } else {
            "a whole number".into()
        }
    }

    fn out_of_range<E: de::Error>(text: &str) -> E {
        E::custom(format!("`{text}` is not {}", Self::what()))
    }
}

impl<T: WholeNumber> Visitor<'_> for WholeVisitor<T> {
    type Value = Whole<T>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(&Self::what())
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Whole<T>, E> {
        T::try_from(v)
            .map(Whole)
            .map_err(|_| Self::out_of_range(&v.to_string()))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Whole<T>, E> {
        let v = i64::try_from(v).map_err(|_| Self::out_of_range(&v.to_string()))?;
        self.visit_i64(v)
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Whole<T>, E> {
        // Within i64's range every whole f64 converts exactly.
        let whole = v.is_finite() && v.fract() == 0.0 && v.abs() < 9.2e18;
        if !whole {
            return Err(Self::out_of_range(&format!("{v}")));
        }
        self.visit_i64(v as i64)
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Whole<T>, E> {
        Err(E::custom(format!("`{v}` is not a whole number")))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Whole<T>, E> {
        if v.trim().parse::<f64>().is_ok() {
            return Err(E::custom(format!(
                "the text `{v}` is not a whole number: a number in quotes is text"
            )));
        }
        Err(Self::out_of_range(v))
    }
}

/// A percentage share such as `10%` (milestones).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Share(pub Decimal);

/// `12.5%`, read back by the YAML reading itself.
impl serde::Serialize for Share {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&format_args!("{}%", self.0))
    }
}

impl<'de> Deserialize<'de> for Share {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // The cache's format does not say what type comes next: it holds
        // what `serialize` wrote, the text.
        if cache_format() {
            let text = String::deserialize(d)?;
            return ShareVisitor.visit_str(&text);
        }
        d.deserialize_any(ShareVisitor)
    }
}

struct ShareVisitor;
impl Visitor<'_> for ShareVisitor {
    type Value = Share;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a percentage such as 10% or 12.5%")
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Share, E> {
        Share::checked(Decimal::from(v), &v.to_string())
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Share, E> {
        Share::checked(Decimal::from(v), &v.to_string())
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Share, E> {
        let text = format!("{v}");
        let value = Decimal::from_str(&text)
            .map_err(|_| E::custom(format!("share `{text}` is not between 0% and 100%")))?;
        Share::checked(value, &text)
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Share, E> {
        if let Some(unsigned) = v.trim().strip_prefix('-')
            && share_number(unsigned).is_some()
        {
            // `-10%` (and `-0%`, which the JSON Schema refuses too).
            return Err(E::custom(format!("share `{v}` is not between 0% and 100%")));
        }
        let Some(number) = share_number(v) else {
            let quoted_number = Decimal::from_str(v.trim()).is_ok();
            let why = if quoted_number {
                ": a number in quotes is text; write it without quotes or with its `%` sign"
            } else {
                ""
            };
            return Err(E::custom(format!(
                "share `{v}` is not a percentage such as 10%{why}"
            )));
        };
        let value = Decimal::from_str(number)
            .map_err(|_| E::custom(format!("share `{v}` is not a percentage such as 10%")))?;
        Share::checked(value, v)
    }
}

/// The number of a share written as text, `12.5%`: digits with an optional
/// fraction, then `%`, white space around either allowed. A number in
/// quotes with no `%` is text, refused as in every numeric field.
/// [`SHARE_PATTERN`] says the same for the JSON Schema.
fn share_number(text: &str) -> Option<&str> {
    let number = text.trim().strip_suffix('%')?.trim();
    let (whole, fraction) = match number.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (number, None),
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    (digits(whole) && fraction.is_none_or(digits)).then_some(number)
}

/// A share as text in the JSON Schema: what [`share_number`] accepts, from
/// 0% to 100%.
pub const SHARE_PATTERN: &str = concat!(
    "^",
    white_space!(),
    "*",
    "0*(100(\\.0+)?|[0-9]{1,2}(\\.[0-9]+)?)",
    white_space!(),
    "*%",
    white_space!(),
    "*$"
);

impl Share {
    /// A share is a part of the whole: 0% to 100%. (This also keeps sums of
    /// shares far from the decimal type's limits.)
    fn checked<E: de::Error>(value: Decimal, text: &str) -> Result<Share, E> {
        if value < Decimal::ZERO || value > Decimal::ONE_HUNDRED {
            return Err(E::custom(format!(
                "share `{text}` is not between 0% and 100%"
            )));
        }
        // `-0` is 0: the cache writes a share back as text, and `-0%` is
        // not a share's text.
        Ok(Share(if value.is_zero() {
            Decimal::ZERO
        } else {
            value
        }))
    }
}

impl JsonSchema for Share {
    fn schema_name() -> Cow<'static, str> {
        "Share".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "A share of the budget from 0% to 100%: `10%`, `12.5%`, or the number alone without quotes (`10`).",
            "anyOf": [
                { "type": "number", "minimum": 0, "maximum": 100 },
                { "type": "string", "pattern": SHARE_PATTERN },
            ],
        })
    }
}

/// A YAML scalar kept as the text it was written as (`8%`, `40`, `eu`), for
/// settings whose bad values get their own located diagnostics in `check`
/// rather than a generic type error when the file is read.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Scalar(pub String);

impl serde::Serialize for Scalar {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Scalar {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        if cache_format() {
            return String::deserialize(d).map(Scalar);
        }
        struct ScalarVisitor;
        impl Visitor<'_> for ScalarVisitor {
            type Value = Scalar;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a single value such as 8%, 40 or eu")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Scalar, E> {
                Ok(Scalar(format!("{v}")))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
        }
        d.deserialize_any(ScalarVisitor)
    }
}

impl JsonSchema for Scalar {
    fn schema_name() -> Cow<'static, str> {
        "Scalar".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({"type": ["string", "number"]})
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::slug::{is_slug, number_slug};

    #[test]
    fn dates() {
        assert!(Date::parse("2026-10-01").is_ok());
        assert!(
            Date::parse("2026-02-29")
                .unwrap_err()
                .contains("not a real")
        );
        assert!(Date::parse("2026-2-1").unwrap_err().contains("YYYY-MM-DD"));
        assert!(Date::parse("+2026-10-01").is_err());
    }

    #[test]
    fn slugs() {
        assert!(is_slug("acme"));
        assert!(is_slug("0-acme-2"));
        assert!(!is_slug("-acme"));
        assert!(!is_slug("Acme"));
        assert!(!is_slug("acme_corp"));
        assert!(!is_slug(""));
        assert!(!is_slug(&"a".repeat(65)));
    }

    #[test]
    fn number_slugs() {
        assert_eq!(number_slug("INV-2026/42"), "inv-2026-42");
        assert_eq!(number_slug("  #7 "), "7");
        assert_eq!(number_slug("../../etc"), "etc");
        assert_eq!(number_slug("A__B"), "a-b");
        // Outside ASCII, Unicode lowercasing decides: the Kelvin sign
        // lowercases to `k`, a dotted capital I to `i` and a combining dot.
        assert_eq!(number_slug("\u{212A}-1"), "k-1");
        assert_eq!(number_slug("\u{130}X"), "i-x");
        assert_eq!(number_slug("Ünï-7"), "n-7");
        assert_eq!(number_slug("---"), "");
        assert_eq!(number_slug("é"), "");
    }

    #[derive(Deserialize)]
    struct Doc {
        a: Sp<Amount>,
    }

    #[test]
    fn amounts_parse_exactly() {
        let d: Doc = serde_saphyr::from_str("a: 12000.50").unwrap();
        assert_eq!(d.a.0.to_string(), "12000.5");
        assert_eq!(d.a.pos, Pos::new(1, 4));
        let d: Doc = serde_saphyr::from_str("a: 0.1").unwrap();
        assert_eq!(d.a.0, Decimal::from_str("0.1").unwrap());
        assert!(serde_saphyr::from_str::<Doc>("a: \"12,000.50\"").is_err());
        assert!(serde_saphyr::from_str::<Doc>("a: .inf").is_err());
        assert!(serde_saphyr::from_str::<Doc>("a: 1234567890123456.5").is_err());
    }

    #[derive(Debug, Deserialize)]
    struct Numbers {
        share: Option<Sp<Share>>,
        #[serde(default, deserialize_with = "optional_whole")]
        order: Option<i64>,
        #[serde(default, deserialize_with = "whole")]
        days: Sp<u32>,
    }

    impl Default for Sp<u32> {
        fn default() -> Self {
            Sp::new(0, Pos::START)
        }
    }

    #[test]
    fn numbers_in_quotes_are_text() {
        let read = |yaml: &str| serde_saphyr::from_str::<Numbers>(yaml).map_err(|e| e.to_string());
        let shares = [
            ("share: 10%", Some("10")),
            ("share: 12.5%", Some("12.5")),
            ("share: \"100 %\"", Some("100")),
            ("share: 50", Some("50")),
            ("share: 0.5", Some("0.5")),
            ("share: -0.0", Some("0")),
            ("share: \"50\"", None),
            ("share: 150%", None),
            ("share: +5%", None),
            ("share: 5.%", None),
            ("share: 1e2%", None),
            ("share: -0%", None),
            ("share: -10%", None),
        ];
        for (yaml, want) in shares {
            let got = read(yaml)
                .ok()
                .and_then(|n| n.share)
                .map(|s| s.value.0.to_string());
            assert_eq!(got.as_deref(), want, "{yaml}");
        }
        let wholes = [
            ("order: 3", Some(3)),
            ("order: -3", Some(-3)),
            ("order: 3.0", Some(3)),
            ("order: \"3\"", None),
            ("order: 3.5", None),
            ("order: true", None),
            ("order: .inf", None),
        ];
        for (yaml, want) in wholes {
            assert_eq!(read(yaml).ok().and_then(|n| n.order), want, "{yaml}");
        }
        assert_eq!(read("days: 7").unwrap().days.value, 7);
        assert!(
            read("days: -1")
                .unwrap_err()
                .contains("from 0 to 4294967295")
        );
        assert!(
            read("days: \"7\"")
                .unwrap_err()
                .contains("in quotes is text")
        );
    }
}
