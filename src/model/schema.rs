//! What the JSON Schemas (`folio schema`) say of single values, so an editor
//! refuses what `folio check` refuses and accepts what it accepts.
//!
//! Each type here describes a kind of value in the schema only; the record
//! fields keep their Rust types and point here with `#[schemars(with = ..)]`.
//! Each schema is built from the rule folio itself applies (the currency
//! table, chrono-tz's zones, the terms grammar, the slug rules), never
//! written out a second time.
//!
//! Editors validate the front matter as JSON, so a YAML number is a JSON
//! number there: a text field that folio reads from a number (`ref: 1120`,
//! `phone: +351912345678`) says so in its schema.

use super::{Roles, currency, dates, slug, terms, types};
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde_json::{Value, json};
use std::borrow::Cow;

/// Folio reads a YAML number or `true`/`false` in a text field as the text
/// written, as it does any other single value; a list, a mapping or an
/// empty required value is not text.
const TEXT_FROM: [&str; 3] = ["string", "number", "boolean"];

fn one_of_types(types: &[&str]) -> Value {
    Value::Array(types.iter().map(|t| json!({ "type": t })).collect())
}

/// Defines a schema-only type: its name in `$defs` and its schema.
macro_rules! value_schema {
    ($(#[$doc:meta])* $name:ident, $g:ident => $schema:expr) => {
        $(#[$doc])*
        pub struct $name;
        impl JsonSchema for $name {
            fn schema_name() -> Cow<'static, str> {
                stringify!($name).into()
            }
            fn json_schema($g: &mut SchemaGenerator) -> Schema {
                $schema
            }
        }
    };
}

value_schema!(
    /// Free text: names, notes, references, phone numbers.
    Text, _g => json_schema!({
        "description": "Text. A number or true/false written here is read as the text written (`ref: 1120`).",
        "anyOf": one_of_types(&TEXT_FROM),
    })
);

value_schema!(
    /// An ISO 4217 code from folio's currency table.
    Currency, _g => {
        let mut codes: Vec<&str> = currency::all_codes().collect();
        codes.sort_unstable();
        json_schema!({
            "description": "An ISO 4217 currency code in capitals, such as EUR, USD or GBP.",
            "type": "string",
            "enum": codes,
        })
    }
);

value_schema!(
    /// An IANA time zone name, as chrono-tz (which folio reads it with) knows them.
    TimeZone, _g => {
        let mut names: Vec<&str> = chrono_tz::TZ_VARIANTS.iter().map(|tz| tz.name()).collect();
        names.sort_unstable();
        json_schema!({
            "description": "An IANA time zone name, such as Europe/Lisbon or UTC.",
            "type": "string",
            "enum": names,
        })
    }
);

value_schema!(
    /// Payment terms: `N days`, `N working days` or `net N`.
    Terms, _g => json_schema!({
        "description": "Payment terms: \"N days\", \"N working days\" or \"net N\", N from 0 to 3650.",
        "type": "string",
        "pattern": terms::PATTERN,
    })
);

value_schema!(
    /// An amount that must be more than zero (invoices, payments, budgets).
    PositiveAmount, _g => json_schema!({
        "description": "A decimal number greater than zero, without quotes, thousands separators or currency signs. An invoice's amounts have at most its currency's minor digits.",
        "type": "number",
        "exclusiveMinimum": 0,
    })
);

value_schema!(
    /// An amount that may be zero (the tolerance).
    NonNegativeAmount, _g => json_schema!({
        "description": "A decimal number, zero or more, without quotes.",
        "type": "number",
        "minimum": 0,
    })
);

value_schema!(
    /// A number of days (extensions): a whole number, not text.
    DayCount, _g => json_schema!({
        "description": "A whole number of days from 0 to 3650, without quotes.",
        "type": "integer",
        "minimum": 0,
        "maximum": types::MAX_PLAUSIBLE_DAYS,
    })
);

value_schema!(
    /// A stage's offset from the due date, in days either way.
    Offset, _g => json_schema!({
        "description": "Days from the due date, -3650 to 3650 (negative = before), without quotes.",
        "type": "integer",
        "minimum": -types::MAX_PLAUSIBLE_DAYS,
        "maximum": types::MAX_PLAUSIBLE_DAYS,
    })
);

value_schema!(
    /// A whole number such as a handbook page's order.
    WholeNumber, _g => json_schema!({
        "description": "A whole number, without quotes.",
        "type": "integer",
    })
);

value_schema!(
    /// A name used in page addresses: `[a-z0-9][a-z0-9-]*`, at most 64 characters.
    Slug, _g => json_schema!({
        "description": "Lowercase letters, digits and `-`, starting with a letter or digit, at most 64 characters.",
        "anyOf": [
            { "type": "string", "pattern": slug::SLUG_PATTERN, "maxLength": slug::MAX_SLUG_LEN },
            // A number or true/false is read as the text written, which
            // is a slug when it is a plain whole number or a word.
            { "type": "integer", "minimum": 0 },
            { "type": "boolean" },
        ],
    })
);

value_schema!(
    /// An invoice number: text with a letter or digit for its page address.
    InvoiceNumber, _g => json_schema!({
        "description": "The invoice's number, unique in the repository; it needs a letter or digit, and its page name must not be a device name (con, nul, ...).",
        "anyOf": [
            {
                "type": "string",
                "pattern": slug::HAS_SLUG_CHARACTER,
                "not": { "pattern": slug::reserved_number_pattern() },
            },
            { "type": "number" },
            { "type": "boolean" },
        ],
    })
);

value_schema!(
    /// `invoice_pattern`: text with a `{seq}` placeholder.
    InvoicePattern, _g => json_schema!({
        "description": "The pattern of new invoice numbers: `{year}` and `{seq:N}` (zero-padded to N digits), e.g. INV-{year}-{seq:4}.",
        "type": "string",
        "pattern": "\\{seq",
    })
);

value_schema!(
    /// How dates are written: a strftime pattern of day fields.
    DateFormat, _g => json_schema!({
        "description": "A strftime pattern for days, e.g. `%-d %b %Y` (16 Nov 2026) or `%d/%m/%Y`: text with day, month, year and weekday fields, no times or zones.",
        "type": "string",
        "allOf": [{ "pattern": dates::PATTERN }, { "pattern": dates::NOT_BLANK }],
    })
);

value_schema!(
    /// A role a person can hold.
    Role, _g => json_schema!({
        "type": "string",
        "enum": Roles::NAMES,
    })
);

/// `propertyNames` of `people:`: every handle is a slug.
pub fn person_handles(schema: &mut Schema) {
    schema.insert(
        "propertyNames".into(),
        json!({ "type": "string", "pattern": slug::SLUG_PATTERN, "maxLength": slug::MAX_SLUG_LEN }),
    );
}

/// An invoice's amounts (its own and its payments') have at most the minor
/// digits of the invoice's currency. The schema can say so only when the
/// invoice names its currency; otherwise `folio check` alone knows it
/// (the account's or the company's currency).
pub fn invoice_amount_digits(schema: &mut Schema) {
    let rules: Vec<Value> = (0..=4)
        .filter_map(|digits| {
            let mut codes: Vec<&str> = currency::all_codes()
                .filter(|c| currency::minor_digits(c) == Some(digits))
                .collect();
            if codes.is_empty() {
                return None;
            }
            codes.sort_unstable();
            let step = json!(1.0 / 10f64.powi(digits as i32));
            let step = if digits == 0 { json!(1) } else { step };
            // (Types repeated so ajv's strict mode knows what each applies to.)
            let amount = json!({ "type": "number", "multipleOf": step });
            Some(json!({
                "if": { "properties": { "currency": { "enum": codes } }, "required": ["currency"] },
                "then": { "properties": {
                    "amount": amount,
                    "payments": { "type": "array", "items": {
                        "type": "object", "properties": { "amount": amount },
                    } },
                } },
            }))
        })
        .collect();
    schema.insert("allOf".into(), Value::Array(rules));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn enum_of<T: JsonSchema>() -> Vec<String> {
        let schema = schemars::SchemaGenerator::default().into_root_schema_for::<T>();
        let values = schema.get("enum").and_then(Value::as_array).unwrap();
        values
            .iter()
            .map(|v| v.as_str().unwrap().to_owned())
            .collect()
    }

    #[test]
    fn every_zone_in_the_schema_is_one_folio_reads() {
        let zones = enum_of::<TimeZone>();
        assert!(zones.len() > 400 && zones.contains(&"Europe/Lisbon".to_owned()));
        for zone in zones {
            assert!(zone.parse::<chrono_tz::Tz>().is_ok(), "{zone}");
        }
    }

    #[test]
    fn every_currency_in_the_schema_has_minor_digits() {
        let codes = enum_of::<Currency>();
        assert_eq!(codes.len(), currency::all_codes().count());
        for code in codes {
            assert!(currency::minor_digits(&code).is_some(), "{code}");
        }
    }
}
