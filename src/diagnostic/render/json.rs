//! `--format json`: `{"errors":[...],"warnings":[...]}` exactly as SPEC §2.

use crate::diagnostic::{Diagnostic, JsonDiagnostic, Severity};

/// The diagnostics as one JSON document, errors and warnings apart, each
/// in the order given.
pub fn json(diags: &[Diagnostic]) -> String {
    let pick = |s: Severity| -> Vec<JsonDiagnostic<'_>> {
        diags
            .iter()
            .filter(|d| d.severity() == s)
            .map(JsonDiagnostic::from)
            .collect()
    };
    let doc = serde_json::json!({
        "errors": pick(Severity::Error),
        "warnings": pick(Severity::Warning),
    });
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
    s.push('\n');
    s
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
