//! Page data as JSON values, built by moving each part in.
//!
//! serde_json's `json!` serializes every value it is given, so a nested
//! `Value` (an invoice's ladder, an account's list of invoices, its
//! timeline) is copied whole each time it is placed in an object. On a
//! site of 62,000 pages those copies cost more than building the data;
//! [`obj!`] moves the parts instead.

use serde_json::Value;

/// A JSON object from `"key": value` pairs; each value goes through
/// [`IntoValue`], so owned `Value`s and `Vec`s are moved, not copied.
macro_rules! obj {
    ({ $($key:literal : $value:expr),* $(,)? }) => {{
        let mut map = serde_json::Map::new();
        $( map.insert($key.to_string(), $crate::site::value::IntoValue::into_value($value)); )*
        serde_json::Value::Object(map)
    }};
}
pub(crate) use obj;

/// What a page value can be made of.
pub trait IntoValue {
    fn into_value(self) -> Value;
}

impl IntoValue for Value {
    fn into_value(self) -> Value {
        self
    }
}

impl IntoValue for String {
    fn into_value(self) -> Value {
        Value::String(self)
    }
}

impl IntoValue for &str {
    fn into_value(self) -> Value {
        Value::String(self.to_string())
    }
}

impl IntoValue for &String {
    fn into_value(self) -> Value {
        Value::String(self.clone())
    }
}

impl IntoValue for bool {
    fn into_value(self) -> Value {
        Value::Bool(self)
    }
}

macro_rules! numbers {
    ($($t:ty),*) => {$(
        impl IntoValue for $t {
            fn into_value(self) -> Value {
                Value::from(self)
            }
        }
    )*};
}
numbers!(i32, i64, u32, u64, usize);

impl<T: IntoValue> IntoValue for Option<T> {
    fn into_value(self) -> Value {
        self.map_or(Value::Null, IntoValue::into_value)
    }
}

/// Optional text fields of the records, copied.
impl IntoValue for &Option<String> {
    fn into_value(self) -> Value {
        self.as_ref()
            .map_or(Value::Null, |s| Value::String(s.clone()))
    }
}

impl<T: IntoValue> IntoValue for Vec<T> {
    fn into_value(self) -> Value {
        Value::Array(self.into_iter().map(IntoValue::into_value).collect())
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    #[test]
    fn builds_what_json_builds() {
        let ladder = vec![json!({"id": "a"}), json!({"id": "b"})];
        let none: Option<String> = None;
        let note = Some("n".to_string());
        let built = obj!({
            "name": "Acme",
            "count": 3usize,
            "days": -2i64,
            "paid": false,
            "ladder": ladder,
            "none": &none,
            "note": &note,
            "next": Some(json!({"id": "c"})),
        });
        assert_eq!(
            built,
            json!({"name": "Acme", "count": 3, "days": -2, "paid": false,
                   "ladder": [{"id": "a"}, {"id": "b"}], "none": null, "note": "n",
                   "next": {"id": "c"}})
        );
    }
}
