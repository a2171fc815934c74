//! `--format json`: `{"errors":[...],"warnings":[...]}` exactly as SPEC §2.

use crate::diagnostic::{Diagnostic, JsonDiagnostic, Severity};
use serde::Serialize;
use serde::ser::SerializeSeq;
use std::io::{self, Write};

/// The diagnostics as one JSON document, errors and warnings apart, each
/// in the order given.
pub fn json(diags: &[Diagnostic]) -> String {
    let mut out = vec![];
    write_json(diags, &mut out).expect("writing to memory");
    String::from_utf8(out).expect("serde_json writes UTF-8")
}

/// [`json`] written as it is made: a large backlog's 170,000 warnings are
/// 60 MB of JSON, which `folio check` need not hold, nor a tree of values
/// for them.
pub fn write_json(diags: &[Diagnostic], out: impl Write) -> io::Result<()> {
    #[derive(Serialize)]
    struct Document<'a> {
        errors: Severe<'a>,
        warnings: Severe<'a>,
    }
    let doc = Document {
        errors: Severe(diags, Severity::Error),
        warnings: Severe(diags, Severity::Warning),
    };
    let mut out = io::BufWriter::with_capacity(1 << 16, out);
    serde_json::to_writer_pretty(&mut out, &doc)?;
    out.write_all(b"\n")?;
    out.flush()
}

/// The diagnostics of one severity, serialized as a list without being
/// collected into one.
struct Severe<'a>(&'a [Diagnostic], Severity);

impl Serialize for Severe<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(None)?;
        for d in self.0.iter().filter(|d| d.severity() == self.1) {
            seq.serialize_element(&JsonDiagnostic::from(d))?;
        }
        seq.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::render::fixture;

    #[test]
    fn output() {
        insta::assert_snapshot!(json(&fixture::diagnostics()));
    }

    #[test]
    fn json_has_spec_shape() {
        let v: serde_json::Value = serde_json::from_str(&json(&fixture::diagnostics())).unwrap();
        let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(keys, ["errors", "warnings"]);
        let e = &v["errors"][0];
        let keys: Vec<&str> = e.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(keys, ["code", "column", "file", "hint", "line", "message"]);
        assert_eq!(e["file"], "accounts/acme/account.md");
        assert_eq!(e["line"], 3);
        assert_eq!(e["column"], 1);
        assert_eq!(e["code"], "E012");
        assert_eq!(e["hint"], "did you mean `name`?");
        assert!(v["warnings"].as_array().unwrap().len() > 1);
    }
}
