//! Page data as Tera values, built by moving each part in.
//!
//! A Tera value holds its lists and maps behind reference counts, so a part
//! shared by two pages (an invoice's summary: its row on the account page
//! and its own page) or placed twice in one (a ladder's current rung) is
//! shared, not copied. [`obj!`] builds a map from literal keys, which Tera
//! keeps as borrowed `&'static str`s: no key is allocated.

pub use tera::Value;

/// A map value from `"key": value` pairs; each value goes through
/// [`IntoValue`], so owned `Value`s, `String`s and `Vec`s are moved in.
/// Keys are kept in sorted order (a template looping over a map meets them
/// in that order, as it did with tera 1).
macro_rules! obj {
    ({ $($key:literal : $value:expr),* $(,)? }) => {{
        let mut map: std::collections::BTreeMap<&'static str, $crate::plumbing::value::Value> =
            std::collections::BTreeMap::new();
        $( map.insert($key, $crate::plumbing::value::IntoValue::into_value($value)); )*
        $crate::plumbing::value::Value::from(map)
    }};
}
pub(crate) use obj;

/// A page's data: the variables its template sees, by name.
pub type PageData = tera::Context;

/// A page's data from `"name": value` pairs, as [`obj!`] takes them: each
/// becomes one of the template's variables, moved into the context Tera
/// renders from.
macro_rules! page {
    ({ $($key:literal : $value:expr),* $(,)? }) => {{
        let mut page = $crate::plumbing::value::PageData::new();
        $( page.insert_value($key, $crate::plumbing::value::IntoValue::into_value($value)); )*
        page
    }};
}
pub(crate) use page;

/// The entries of a map value as a page's variables (the values are shared,
/// not copied).
pub fn page_of(map: &Value) -> PageData {
    let mut page = PageData::new();
    for (key, value) in map.as_map().into_iter().flatten() {
        match key {
            tera::value::Key::Str(name) => page.insert_value(*name, value.clone()),
            other => page.insert_value(other.to_string(), value.clone()),
        }
    }
    page
}

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
        Value::from(self)
    }
}

impl IntoValue for &str {
    fn into_value(self) -> Value {
        Value::from(self)
    }
}

impl IntoValue for &String {
    fn into_value(self) -> Value {
        Value::from(self.as_str())
    }
}

impl IntoValue for bool {
    fn into_value(self) -> Value {
        Value::from(self)
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
        self.map_or_else(Value::none, IntoValue::into_value)
    }
}

/// Optional text fields of the records, copied.
impl IntoValue for &Option<String> {
    fn into_value(self) -> Value {
        self.as_deref().map_or_else(Value::none, Value::from)
    }
}

impl<T: IntoValue> IntoValue for Vec<T> {
    fn into_value(self) -> Value {
        let items: Vec<Value> = self.into_iter().map(IntoValue::into_value).collect();
        Value::from(items)
    }
}

/// The entries of a map value, to add to (see [`extend`]).
pub fn entries(value: Value) -> Vec<(tera::value::Key<'static>, Value)> {
    value
        .into_map()
        .map(|m| m.into_iter().collect())
        .unwrap_or_default()
}

/// `base` with the entries of `more` added (replacing any of the same key),
/// kept in sorted key order.
pub fn extend(base: Value, more: Value) -> Value {
    let mut all: std::collections::BTreeMap<tera::value::Key<'static>, Value> =
        entries(base).into_iter().collect();
    all.extend(entries(more));
    Value::from(all)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_what_json_built() {
        let ladder = vec![obj!({"id": "a"}), obj!({"id": "b"})];
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
            "next": Some(obj!({"id": "c"})),
        });
        let expected = Value::from_serializable(&serde_json::json!({
            "name": "Acme", "count": 3, "days": -2, "paid": false,
            "ladder": [{"id": "a"}, {"id": "b"}], "none": null, "note": "n",
            "next": {"id": "c"}}));
        assert_eq!(built, expected);
        // Keys in sorted order, as serde_json's maps kept them.
        let keys: Vec<String> = entries(built)
            .into_iter()
            .map(|(k, _)| k.as_str().unwrap().to_string())
            .collect();
        assert_eq!(
            keys,
            [
                "count", "days", "ladder", "name", "next", "none", "note", "paid"
            ]
        );
    }
}
