//! Editing a record in place: one entry inserted into its front matter, the
//! result verified by parsing it again, written atomically.
//!
//! The engine never re-serializes YAML. It finds where the list (or the
//! entry) sits in the original bytes with the spans of the YAML event parser
//! that serde-saphyr is built on ([`yaml`]), inserts text written in the
//! style of the neighbouring entries there, and then proves that the new
//! bytes load as the old record plus exactly that entry ([`verify`]).

pub mod yaml;

use crate::load::MemSource;
use crate::model::Repo;
use serde_json::Value;
use std::path::Path;
pub use yaml::{EditError, Field, Insertion};

/// What an edit is meant to change in the parsed record.
#[derive(Clone, Debug)]
pub enum Change {
    /// One entry appended to the list under `key`.
    Append { key: &'static str, entry: Value },
    /// One key added to entry `index` of the list under `key`.
    SetField {
        key: &'static str,
        index: usize,
        field: &'static str,
        value: Value,
    },
}

/// The record at `rel` parsed from `bytes`: its data as JSON (values without
/// positions) and its Markdown body; `None` when it does not load cleanly.
pub fn parsed(rel: &str, bytes: &[u8]) -> Option<(Value, String)> {
    let mut files = std::collections::BTreeMap::new();
    files.insert(rel.to_string(), bytes.to_vec());
    let repo = MemSource(files).load();
    let broken = repo
        .diagnostics
        .iter()
        .any(|d| d.file == rel && d.severity() == crate::diagnostic::Severity::Error);
    if broken {
        return None;
    }
    record_json(&repo, rel)
}

fn record_json(repo: &Repo, rel: &str) -> Option<(Value, String)> {
    let dir = repo.accounts.first()?;
    if let Some(a) = dir.account.as_ref().filter(|a| a.file == rel) {
        return Some((serde_json::to_value(&a.data).ok()?, a.body.clone()));
    }
    let i = dir.invoices.iter().find(|i| i.file == rel)?;
    Some((serde_json::to_value(&i.data).ok()?, i.body.clone()))
}

/// Checks that `new` loads as `old` with `change` applied and the same body.
pub fn verify(rel: &str, old: &[u8], new: &[u8], change: &Change) -> Result<(), EditError> {
    let Some((mut expected, body)) = parsed(rel, old) else {
        return Err(EditError("the record does not load as it is".into()));
    };
    let Some((actual, new_body)) = parsed(rel, new) else {
        return Err(EditError("the edited record would not load".into()));
    };
    match change {
        Change::Append { key, entry } => match expected.get_mut(*key) {
            Some(Value::Array(list)) => list.push(entry.clone()),
            _ => return Err(EditError(format!("`{key}` is not a list"))),
        },
        Change::SetField {
            key,
            index,
            field,
            value,
        } => match expected
            .get_mut(*key)
            .and_then(|l| l.get_mut(*index))
            .and_then(|e| e.as_object_mut())
        {
            Some(entry) => {
                entry.insert(field.to_string(), value.clone());
            }
            None => return Err(EditError(format!("`{key}` has no entry {index}"))),
        },
    }
    if actual != expected || new_body != body {
        return Err(EditError(
            "the edited record would not read back as the old one plus the new entry".into(),
        ));
    }
    Ok(())
}

/// Why a write did not happen.
#[derive(Debug)]
pub enum WriteError {
    /// The file is no longer what was read: someone else changed it.
    Changed,
    Io(std::io::Error),
}

impl From<std::io::Error> for WriteError {
    fn from(e: std::io::Error) -> Self {
        WriteError::Io(e)
    }
}

/// Replaces `path`'s bytes `original` by `new`: written beside it, with its
/// permissions, and renamed over it. Nothing is written when the file no
/// longer holds `original`.
pub fn write_atomically(path: &Path, original: &[u8], new: &[u8]) -> Result<(), WriteError> {
    use std::io::Write;
    let path = std::fs::canonicalize(path)?;
    if std::fs::read(&path)? != original {
        return Err(WriteError::Changed);
    }
    let permissions = std::fs::metadata(&path)?.permissions();
    let mut pending = crate::plumbing::atomic::Pending::create(&path)?;
    pending.file().write_all(new)?;
    pending.file().set_permissions(permissions)?;
    pending.file().sync_all()?;
    // Checked again just before the rename, to keep the window small.
    if std::fs::read(&path)? != original {
        return Err(WriteError::Changed);
    }
    pending.commit()?;
    Ok(())
}

/// A unified diff of one file's change, for `--dry-run` and the report.
pub fn unified_diff(rel: &str, old: &[u8], new: &[u8]) -> String {
    let old = String::from_utf8_lossy(old);
    let new = String::from_utf8_lossy(new);
    similar::TextDiff::from_lines(old.as_ref(), new.as_ref())
        .unified_diff()
        .context_radius(2)
        .header(&format!("a/{rel}"), &format!("b/{rel}"))
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    const INVOICE: &str =
        "---\nnumber: A-1\nissued: 2026-10-01\namount: 1000\npayments: []\n---\nNotes.\n";
    const REL: &str = "accounts/acme/invoices/a-1.md";

    #[test]
    fn verify_accepts_exactly_the_change() {
        let fields = [
            Field::new("date", "2026-11-02"),
            Field::new("amount", "250.50"),
        ];
        let ins = yaml::append_entry(INVOICE.as_bytes(), "payments", &fields).unwrap();
        let new = ins.apply(INVOICE.as_bytes());
        let entry = serde_json::json!({"date": "2026-11-02", "amount": "250.5", "ref": null});
        let change = Change::Append {
            key: "payments",
            entry,
        };
        verify(REL, INVOICE.as_bytes(), &new, &change).unwrap();
        let wrong = Change::Append {
            key: "payments",
            entry: serde_json::json!({"date": "2026-11-03", "amount": "250.5", "ref": null}),
        };
        assert!(verify(REL, INVOICE.as_bytes(), &new, &wrong).is_err());
    }

    #[cfg(unix)]
    #[test]
    fn atomic_write_keeps_permissions_and_refuses_a_changed_file() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.md");
        std::fs::write(&path, "old").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
        write_atomically(&path, b"old", b"new").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"new");
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o640);
        assert!(matches!(
            write_atomically(&path, b"old", b"newer"),
            Err(WriteError::Changed)
        ));
        assert_eq!(std::fs::read(&path).unwrap(), b"new");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    mod property {
        use super::super::*;
        use proptest::prelude::*;

        /// How the invoice writes its payments.
        #[derive(Clone, Debug)]
        enum Style {
            FlowItems,
            BlockMaps,
            Inline,
            Absent,
            Nothing,
        }

        fn payment_yaml(style: &Style, (day, cents): (u32, u32), nl: &str) -> String {
            let amount = format!("{}.{:02}", cents / 100 + 1, cents % 100);
            match style {
                Style::BlockMaps => {
                    format!("  - date: 2026-10-{day:02}{nl}    amount: {amount}{nl}")
                }
                Style::Inline => format!("{{ date: 2026-10-{day:02}, amount: {amount} }}"),
                _ => format!("  - {{ date: 2026-10-{day:02}, amount: {amount} }} # p{nl}"),
            }
        }

        fn invoice(style: &Style, old: &[(u32, u32)], crlf: bool, bom: bool, body: &str) -> String {
            let nl = if crlf { "\r\n" } else { "\n" };
            let mut t = String::new();
            if bom {
                t.push('\u{feff}');
            }
            t.push_str(&format!(
                "---{nl}# c{nl}number: A-1{nl}issued: 2026-10-01 # issued{nl}amount: 100000{nl}"
            ));
            match style {
                Style::Absent => {}
                Style::Nothing => t.push_str(&format!("payments: # none{nl}")),
                Style::Inline => {
                    let items: Vec<String> =
                        old.iter().map(|p| payment_yaml(style, *p, nl)).collect();
                    t.push_str(&format!("payments: [{}]{nl}", items.join(", ")));
                }
                _ => {
                    t.push_str(&format!("payments:{nl}"));
                    for p in old {
                        t.push_str(&payment_yaml(style, *p, nl));
                    }
                }
            }
            t.push_str(&format!("log: []{nl}---{nl}{body}"));
            t
        }

        fn style() -> impl Strategy<Value = Style> {
            prop_oneof![
                Just(Style::FlowItems),
                Just(Style::BlockMaps),
                Just(Style::Inline),
                Just(Style::Absent),
                Just(Style::Nothing),
            ]
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(200))]
            #[test]
            fn pay_reads_back_as_the_old_record_plus_the_payment(
                style in style(),
                old in proptest::collection::vec((1u32..28, 0u32..1_000_000), 1..4),
                crlf in any::<bool>(),
                bom in any::<bool>(),
                body in "[a-zA-Z .\n-]{0,40}",
                day in 1u32..28,
                amount in 1u64..10_000_000,
                scale in 0u32..3,
                reference in proptest::option::of("[ -~éçã\"\\\\'#:{}\\[\\]]{0,20}"),
            ) {
                let old = match style {
                    Style::Absent | Style::Nothing => vec![],
                    _ => old,
                };
                let text = invoice(&style, &old, crlf, bom, &body);
                let rel = "accounts/acme/invoices/a-1.md";
                let (before, body_before) = parsed(rel, text.as_bytes()).expect("the generated invoice loads");
                let amount = rust_decimal::Decimal::new(amount as i64, scale);
                let date = format!("2026-10-{day:02}");
                let mut fields = vec![Field::new("date", date.clone()), Field::new("amount", amount.to_string())];
                if let Some(r) = &reference {
                    fields.push(Field::new("ref", yaml::quoted(r)));
                }
                let insertion = yaml::append_entry(text.as_bytes(), "payments", &fields).unwrap();
                let new = insertion.apply(text.as_bytes());
                let (after, body_after) = parsed(rel, &new).expect("the edited invoice loads");
                let mut expected = before.clone();
                expected["payments"].as_array_mut().unwrap().push(serde_json::json!({
                    "date": date,
                    "amount": amount.normalize().to_string(),
                    "ref": reference,
                }));
                prop_assert_eq!(after, expected);
                prop_assert_eq!(body_after, body_before);
            }
        }
    }
}
