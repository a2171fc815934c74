//! `--format gitlab`: a GitLab Code Quality report (the subset of the Code
//! Climate format GitLab reads), shown on merge requests.

use crate::diagnostic::{Code, Diagnostic, Severity};
use std::collections::HashMap;

/// A JSON array with one issue per diagnostic, each with `description`,
/// `check_name`, `fingerprint`, `severity` and `location.path` /
/// `location.lines.begin`. Errors are `major` and warnings `minor`.
/// `prefix` goes before each file (see [`super::Place::in_repository`]).
///
/// GitLab tells new problems from fixed ones by fingerprint, comparing the
/// merge request's report with the target branch's. A fingerprint is the
/// hash of the code, file and message, and of how many identical problems
/// come before it in the file: it stays when lines move above the problem,
/// and two identical problems in one file (shown once each) still differ.
pub fn gitlab(diags: &[Diagnostic], prefix: &str) -> String {
    let mut seen: HashMap<(Code, &str, &str), u32> = HashMap::new();
    let issues: Vec<serde_json::Value> = diags
        .iter()
        .map(|d| {
            let path = format!("{prefix}{}", d.file);
            let occurrence = seen
                .entry((d.code, d.file.as_str(), d.message.as_str()))
                .or_insert(0);
            let fingerprint = fingerprint(d, &path, *occurrence);
            *occurrence += 1;
            serde_json::json!({
                "description": format!("{}: {} (hint: {})", d.code.id(), d.message, d.hint),
                "check_name": format!("{} {}", d.code.id(), d.code.name()),
                "fingerprint": fingerprint,
                "severity": match d.severity() {
                    Severity::Error => "major",
                    Severity::Warning => "minor",
                },
                "location": {
                    "path": path,
                    "lines": { "begin": d.pos.line.max(1) },
                },
            })
        })
        .collect();
    let mut s = serde_json::to_string_pretty(&issues).unwrap_or_default();
    s.push('\n');
    s
}

/// 32 hex digits of SipHash-2-4 (128 bits) over the code, the path, the
/// message and the occurrence, each ended by a NUL.
fn fingerprint(d: &Diagnostic, path: &str, occurrence: u32) -> String {
    use siphasher::sip128::{Hasher128, SipHasher24};
    use std::hash::Hasher;
    let mut h = SipHasher24::new();
    for part in [
        d.code.id(),
        path,
        d.message.as_str(),
        &occurrence.to_string(),
    ] {
        h.write(part.as_bytes());
        h.write_u8(0);
    }
    format!("{:032x}", h.finish128().as_u128())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Pos;
    use crate::diagnostic::render::fixture;

    #[test]
    fn output() {
        insta::assert_snapshot!(gitlab(&fixture::diagnostics(), ""));
    }

    #[test]
    fn report_has_code_quality_fields() {
        let v: serde_json::Value =
            serde_json::from_str(&gitlab(&fixture::diagnostics(), "ops/records/")).unwrap();
        let issues = v.as_array().unwrap();
        assert_eq!(issues.len(), fixture::diagnostics().len());
        let e = &issues[0];
        assert_eq!(e["check_name"], "E012 unknown-key");
        assert_eq!(e["severity"], "major");
        assert_eq!(
            e["location"]["path"],
            "ops/records/accounts/acme/account.md"
        );
        assert_eq!(e["location"]["lines"]["begin"], 3);
        assert_eq!(
            e["description"],
            "E012: unknown key `nmae` (hint: did you mean `name`?)"
        );
        let warning = issues
            .iter()
            .find(|i| i["check_name"] == "W003 no-handover")
            .unwrap();
        assert_eq!(warning["severity"], "minor");
    }

    #[test]
    fn fingerprints_are_stable_and_unique() {
        let at = |line: u32| {
            Diagnostic::new(
                Code::MissingKey,
                "accounts/acme/invoices/a.md",
                Pos::new(line, 3),
                "missing key `by`",
                "add it",
            )
        };
        let prints = |diags: &[Diagnostic]| -> Vec<String> {
            let v: serde_json::Value = serde_json::from_str(&gitlab(diags, "")).unwrap();
            v.as_array()
                .unwrap()
                .iter()
                .map(|i| i["fingerprint"].as_str().unwrap().to_string())
                .collect()
        };
        let before = prints(&[at(4), at(9)]);
        // Two identical problems in one file are two issues in GitLab.
        assert_ne!(before[0], before[1]);
        assert!(before.iter().all(|f| f.len() == 32));
        // Lines added above them move them, and GitLab must not see them
        // as fixed and new again.
        assert_eq!(prints(&[at(6), at(11)]), before);
        // The records moved into a subfolder: other paths, other problems.
        let v: serde_json::Value = serde_json::from_str(&gitlab(&[at(4)], "r/")).unwrap();
        assert_ne!(v[0]["fingerprint"], before[0].as_str());
        // A fingerprint never changes between folio builds: GitLab compares
        // the target branch's report, made by an older build, with this one.
        assert_eq!(before[0], "df017aadf223b6aaa9f01dfe36ca3702");
    }
}
