//! Hostile input (issue #6): resource bombs end with a clear diagnostic
//! instead of eating time or memory, and property tests feed the loader
//! arbitrary bytes and YAML-ish text through the whole pipeline (split,
//! parse of every record kind, check, ladder, status report): never a panic.
//! There are no timing assertions; the bombs must simply complete.
use crate::common;

use crate::common::{Fixture, error_codes};
use folio::load::{MemSource, frontmatter::MAX_FILE_BYTES, limits};
use proptest::prelude::*;
use serde_json::Value;

const FILE: &str = "accounts/acme/invoices/bomb.md";
const HEAD: &str = "---\nnumber: B-1\nissued: 2026-10-01\namount: 1\n";

/// Checks a fixture whose invoice is `text` and returns its one error,
/// asserting the report stays small whatever the input's size.
fn the_error(text: impl AsRef<[u8]>) -> Value {
    let f = Fixture::new();
    f.write(FILE, text);
    let run = f.run(&["--as-of", "2026-10-27", "check", "--format", "json"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stdout.len() < 16 * 1024,
        "report of {} bytes",
        run.stdout.len()
    );
    let doc = run.json();
    let errors = doc["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{doc:#}");
    assert_eq!(errors[0]["file"], FILE);
    // The text report stays small too: no megabyte source lines.
    let text = f.run(&["--as-of", "2026-10-27", "check"]);
    assert!(
        text.stdout.len() < 16 * 1024,
        "text report of {} bytes",
        text.stdout.len()
    );
    errors[0].clone()
}

fn message(d: &Value) -> &str {
    d["message"].as_str().unwrap()
}

#[test]
fn billion_laughs() {
    // Ten levels of ten aliases each: 10^9 strings if expanded.
    let mut yaml =
        format!("{HEAD}log:\n  - &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for i in 1..10 {
        let refs = vec![format!("*a{}", i - 1); 10].join(", ");
        yaml.push_str(&format!("  - &a{i} [{refs}]\n"));
    }
    // The types refuse the first list of laughs, before any alias is replayed.
    let d = the_error(format!("{yaml}---\n"));
    assert_eq!(d["code"], "E011", "{d:#}");
    assert_eq!(
        message(&d),
        "this list is not a mapping of `key: value` pairs"
    );
    // The same laughs where the types would accept every expansion: the
    // replay budget stops them.
    let mut yaml = String::from(
        "company: X\npeople:\n  ana:\n    name: Ana\n    roles: &r0 [producer, producer, producer, producer, producer, producer, producer, producer, producer, producer]\n",
    );
    yaml.push_str("  rui:\n    name: Rui\n    roles: *r0\n");
    let f = Fixture::new();
    f.write("folio.yaml", &yaml);
    assert_eq!(f.check_json(&[]).0, 0, "a few aliases are fine");
}

#[test]
fn too_many_aliases() {
    let mut yaml = format!("{HEAD}log:\n  - &e {{ date: 2026-10-02, note: lol }}\n");
    for _ in 0..limits::MAX_ALIASES + 10 {
        yaml.push_str("  - *e\n");
    }
    let d = the_error(format!("{yaml}---\n"));
    assert_eq!(d["code"], "E003");
    assert_eq!(
        message(&d),
        format!(
            "YAML exceeds folio's safety limits: more than {} aliases (`*name`)",
            limits::MAX_ALIASES
        )
    );
    assert!(d["hint"].as_str().unwrap().contains("write the values out"));
}

#[test]
fn too_many_anchors() {
    let mut yaml = format!("{HEAD}log:\n");
    for i in 0..limits::MAX_ANCHORS + 10 {
        yaml.push_str(&format!("  - &e{i} {{ date: 2026-10-02 }}\n"));
    }
    let d = the_error(format!("{yaml}---\n"));
    assert!(message(&d).contains("anchors"), "{d:#}");
}

#[test]
fn nesting_100000_levels_deep() {
    let n = 100_000;
    let depth_message = format!(
        "YAML exceeds folio's safety limits: lists and mappings nested more than {} deep",
        limits::MAX_DEPTH
    );
    // Flow sequences and flow mappings.
    for (open, close) in [("[", "]"), ("{a: ", "}")] {
        let d = the_error(format!(
            "{HEAD}log: {}{}\n---\n",
            open.repeat(n),
            close.repeat(n)
        ));
        // A list of lists is parsed until the depth limit; a mapping where
        // a list belongs is refused at once.
        if open == "[" {
            assert_eq!(
                (d["code"].as_str(), message(&d)),
                (Some("E003"), depth_message.as_str())
            );
        } else {
            assert_eq!(
                (d["code"].as_str(), message(&d)),
                (Some("E011"), "this mapping is not a list")
            );
        }
    }
    // Block sequences on one line, and block mappings indented a step at a time.
    let d = the_error(format!("{HEAD}log:\n{}x\n---\n", "- ".repeat(n)));
    assert_eq!(
        message(&d),
        "this list is not a mapping of `key: value` pairs"
    );
    // Where one value belongs, the nested list is refused at its start too.
    let f = Fixture::new();
    f.write(
        "folio.yaml",
        format!(
            "company: X\npeople:\n  ana:\n    name: A\n    roles:\n      {}x\n",
            "- ".repeat(n)
        ),
    );
    let run = f.run(&["check", "--format", "json"]);
    assert_eq!(run.code, 1);
    let doc = run.json();
    assert_eq!(
        (&doc["errors"][0]["file"], &doc["errors"][0]["code"]),
        (&Value::from("folio.yaml"), &Value::from("E011")),
        "{doc:#}"
    );
    let mut deep = format!("{HEAD}log:\n");
    for i in 0..2_000 {
        deep.push_str(&" ".repeat(i));
        deep.push_str("- a:\n");
    }
    // serde meets the unknown key `a`; the syntax error below it is
    // reported too.
    let f = Fixture::new();
    f.write(FILE, format!("{deep}---\n"));
    let (code, doc) = f.check_json(&[]);
    assert_eq!(code, 1);
    let codes = error_codes(&doc);
    assert_eq!(codes, ["E012", "E003"], "{doc:#}");
}

#[test]
fn a_60_mb_file() {
    let mut text = format!("{HEAD}---\n").into_bytes();
    text.resize(60 * 1024 * 1024, b'x');
    let d = the_error(&text);
    assert_eq!(d["code"], "E006");
    assert_eq!(
        (d["line"].as_u64(), d["column"].as_u64()),
        (Some(1), Some(1))
    );
    assert_eq!(
        message(&d),
        format!("file is larger than {MAX_FILE_BYTES} bytes (4 MiB), the limit for one record")
    );
    // Just under the limit is read.
    let mut text = format!("{HEAD}---\n").into_bytes();
    text.resize(MAX_FILE_BYTES - 1, b'x');
    let f = Fixture::new();
    f.write(FILE, text);
    assert_eq!(f.check_json(&[]).1["errors"], serde_json::json!([]));
}

#[test]
fn a_million_entry_list() {
    // A list the types accept: a person with a million roles.
    let roles = vec!["a"; 1_000_000].join(",");
    let f = Fixture::new();
    f.write(
        "folio.yaml",
        format!("company: X\npeople:\n  ana:\n    name: Ana\n    roles: [{roles}]\n"),
    );
    let run = f.run(&["check", "--format", "json"]);
    assert_eq!(run.code, 1);
    let doc = run.json();
    let d = doc["errors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["file"] == "folio.yaml")
        .expect("an error in folio.yaml");
    assert!(
        message(d).contains(&format!("more than {}", limits::MAX_EVENTS)),
        "{d:#}"
    );
    // Lists the types refuse at their first entry.
    let zeros = vec!["0"; 1_000_000].join(",");
    let d = the_error(format!("{HEAD}log: [{zeros}]\n---\n"));
    assert_eq!(message(&d), "`0` is not a mapping of `key: value` pairs");
    let d = the_error(format!(
        "{HEAD}payments:\n{}---\n",
        "- 0\n".repeat(1_000_000)
    ));
    assert_eq!(
        (d["code"].as_str(), d["line"].as_u64()),
        (Some("E011"), Some(6))
    );
    // Valid entries, as many as fit in a file: the event budget.
    let entries = vec!["{date: 2026-10-02}"; 200_000].join(",");
    let d = the_error(format!("{HEAD}log: [{entries}]\n---\n"));
    assert!(message(&d).contains("YAML events"), "{d:#}");
}

#[test]
fn very_long_lines() {
    let long = "E".repeat(3_000_000);
    // A 3 MB unknown value: the message quotes its start only.
    let d = the_error(format!("{HEAD}currency: {long}\n---\n"));
    assert_eq!(d["code"], "E016");
    assert_eq!(
        message(&d),
        format!("unknown currency `{}…`", "E".repeat(40))
    );
    // A 3 MB key: YAML's simple-key limit.
    let d = the_error(format!("{HEAD}{long}: 1\n---\n"));
    assert_eq!(d["code"], "E003");
    // A 3 MB string where a number belongs.
    let d = the_error(format!(
        "---\nnumber: B-1\nissued: 2026-10-01\namount: \"{long}\"\n---\n"
    ));
    assert_eq!(d["code"], "E015");
    assert!(message(&d).len() < 300);
    // A 2 MB note and a 2 MB body line are fine.
    let long = "E".repeat(2_000_000);
    let f = Fixture::new();
    f.write(
        FILE,
        format!(
            "{HEAD}due: 2026-12-30\nlog:\n  - {{ date: 2026-10-02, note: {long} }}\n---\n{long}\n"
        ),
    );
    let (code, doc) = f.check_json(&[]);
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(
        f.status_json("2026-10-27", &[])["invoices"][0]["number"],
        "B-1"
    );
    // A 3 MB invoice number is reported briefly too.
    let d = the_error(format!("{HEAD}terms: {long}\n---\n"));
    assert_eq!(d["code"], "E026");
    assert!(message(&d).len() < 300, "{d:#}");
}

#[test]
fn huge_day_counts_are_refused_without_counting_them() {
    // Four billion working days of extension, on a working-day policy: the
    // calendar arithmetic must not walk them one by one.
    let d = the_error(format!(
        "{HEAD}due: 2026-10-22\npolicy: gradual\nextensions:\n  - {{ granted: 2026-10-01, days: 4000000000 }}\n---\n"
    ));
    assert_eq!(d["code"], "E031");
    assert_eq!(
        message(&d),
        "an extension of 4000000000 days is longer than ten years"
    );
    // Holds spanning the whole calendar, many times over.
    let holds = "  - { from: 0001-01-01, until: 9999-12-31 }\n".repeat(500);
    let f = Fixture::new();
    f.write(
        FILE,
        format!("{HEAD}due: 2026-10-22\npolicy: gradual\nholds:\n{holds}---\n"),
    );
    let (code, _) = f.check_json(&[]);
    assert_eq!(code, 0);
    // A stage a billion working days out.
    let f = Fixture::new();
    f.write(
        "folio.yaml",
        format!(
            "{}policies:\n  slow:\n    days: working\n    stages:\n      - {{ id: later, offset: 1000000000 }}\n",
            common::FOLIO_YAML
        ),
    );
    f.write(FILE, format!("{HEAD}due: 2026-10-22\npolicy: slow\n---\n"));
    let (code, doc) = f.check_json(&[]);
    assert_eq!(code, 1);
    assert_eq!(doc["errors"][0]["code"], "E028", "{doc:#}");
    assert_eq!(doc["errors"][0]["file"], "folio.yaml");
}

#[test]
fn many_documents_in_the_front_matter() {
    let d = the_error(format!("{HEAD}--- {{a: 1}}\n--- {{b: 2}}\n---\n"));
    assert_eq!(d["code"], "E003", "{d:#}");
}

#[test]
fn template_loops_end_with_an_error() {
    // The reminder of an invoice due 2026-10-22 is reached on 2026-10-15.
    let f = Fixture::new();
    f.write(FILE, format!("{HEAD}due: 2026-10-22\n---\n"));
    let remind = |template: &str| {
        f.write("templates/messages/agency/reminder.txt", template);
        f.run(&["--as-of", "2026-10-16", "-q", "remind", "B-1"])
    };
    for (template, why) in [
        (
            "{% for i in range(end=3000000000) %}x{% endfor %}",
            "`range` would produce 3000000000 numbers; folio allows at most 10000",
        ),
        (
            "{% for i in range(end=5, step_by=0) %}x{% endfor %}",
            "`range` needs a `step_by` of at least 1",
        ),
        (
            "{% for a in range(end=10000) %}{% for b in range(end=10000) %}xxxxxxxx{% endfor %}{% endfor %}",
            "the message draft is longer than 1048576 bytes",
        ),
    ] {
        let run = remind(template);
        assert_eq!(run.code, 1, "{template}: {}", run.stderr);
        assert!(run.stderr.contains(why), "{template}: {}", run.stderr);
        assert_eq!(run.stdout, "");
    }
    // Bounded ranges keep working, as in Tera.
    let run = remind(
        "{{ invoice.number }}:{% for i in range(start=2, end=9, step_by=3) %} {{ i }}{% endfor %}",
    );
    assert_eq!((run.code, run.stdout.as_str()), (0, "B-1: 2 5 8\n"));
    // The same limits hold for an inline template in folio.yaml.
    f.write(
        "folio.yaml",
        format!(
            "{}policies:\n  agency:\n    days: calendar\n    stages:\n      - {{ id: reminder, offset: -7, template: \"{{% for i in range(end=99999999999) %}}x{{% endfor %}}\" }}\n",
            common::FOLIO_YAML
        ),
    );
    let run = f.run(&["--as-of", "2026-10-16", "-q", "remind", "B-1"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("at most 10000"), "{}", run.stderr);
}

// ------------------------------------------------------------ property tests

const CONFIG: &str = "company: Fuzz\npeople:\n  ana: { name: Ana, roles: [producer] }\ncalendars:\n  pt: { holidays: [2026-12-08] }\ndefault_calendar: pt\n";
const ACCOUNT: &str =
    "---\nname: Acme\nroles: { producer: ana }\nbilling: { policy: gradual, calendar: pt }\n---\n";

/// Loads a repository where `bytes` is the file at `rel` (the other files
/// valid), then checks it, evaluates the ladder and builds the status
/// report, as `folio check` and `folio status` do.
fn whole_pipeline(rel: &str, bytes: &[u8]) {
    let mut files = std::collections::BTreeMap::new();
    files.insert("folio.yaml".to_string(), CONFIG.as_bytes().to_vec());
    files.insert(
        "accounts/acme/account.md".into(),
        ACCOUNT.as_bytes().to_vec(),
    );
    files.insert(
        "accounts/acme/invoices/ok.md".into(),
        b"---\nnumber: OK-1\nissued: 2026-10-01\namount: 10\n---\n".to_vec(),
    );
    files.insert(rel.to_string(), bytes.to_vec());
    let repo = MemSource(files).load();
    let settings = folio::ladder::Settings::from_config(repo.config.as_ref().map(|c| &c.data));
    let as_of = chrono::NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
    let ledger = folio::ladder::Ledger::new(&repo, &settings, as_of);
    let diagnostics = folio::check::check_ledger(&ledger);
    for d in &diagnostics {
        assert!(d.pos.line >= 1 && d.pos.column >= 1);
        assert!(d.message.chars().count() <= 600 && d.hint.chars().count() <= 600);
    }
    let doc = folio::ladder::report::build(&ledger, None);
    serde_json::to_string(&doc).unwrap();
    folio::diagnostic::render::json(&diagnostics);
    folio::diagnostic::render::github(&diagnostics, "");
    folio::diagnostic::render::gitlab(&diagnostics, "");
}

/// Where a fuzzed file may sit: every record kind.
const KINDS: [&str; 5] = [
    "folio.yaml",
    "handbook/page.md",
    "accounts/acme/account.md",
    "accounts/acme/projects/web.md",
    "accounts/acme/invoices/fuzz.md",
];

/// Pieces that YAML front matter is made of, valid and not.
const TOKENS: &[&str] = &[
    "---",
    "...",
    "\n",
    "\r\n",
    "  ",
    "    ",
    "\t",
    "- ",
    ": ",
    ":",
    ",",
    "[",
    "]",
    "{",
    "}",
    "&a ",
    "*a",
    "&b ",
    "*b",
    "!!str ",
    "!tag ",
    "? ",
    "<<: ",
    "|",
    ">",
    "#",
    "\"",
    "'",
    "\\",
    "%YAML 1.2",
    "number",
    "issued",
    "due",
    "amount",
    "currency",
    "status",
    "policy",
    "payments",
    "promises",
    "holds",
    "extensions",
    "log",
    "date",
    "made",
    "pay_by",
    "from",
    "until",
    "granted",
    "days",
    "stage",
    "by",
    "name",
    "roles",
    "producer",
    "billing",
    "terms",
    "milestones",
    "share",
    "company",
    "people",
    "calendars",
    "holidays",
    "weekend",
    "policies",
    "stages",
    "id",
    "offset",
    "work",
    "template",
    "title",
    "order",
    "2026-10-01",
    "2026-02-30",
    "2026-12-08",
    "9999-12-31",
    "0000-01-01",
    "12000.50",
    "\"12,000.50\"",
    "-5",
    "0",
    "1e400",
    ".inf",
    ".nan",
    "99999999999999999999999",
    "0.0000000000000000000000000001",
    "50%",
    "150%",
    "EUR",
    "JPY",
    "BHD",
    "XXX",
    "30 days",
    "15 working days",
    "net 4000000000",
    "open",
    "void",
    "draft",
    "written_off",
    "agency",
    "gradual",
    "saas",
    "reminder",
    "pause",
    "ana",
    "web",
    "null",
    "~",
    "true",
    "{{ invoice.number }}",
    "{% if %}",
    "é",
    "\u{feff}",
    "\u{0}",
    "💸",
];

fn yamlish() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(TOKENS), 0..120).prop_map(|t| t.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..2048), kind in 0..KINDS.len()) {
        whole_pipeline(KINDS[kind], &bytes);
    }

    #[test]
    fn yamlish_text_never_panics(body in yamlish(), kind in 0..KINDS.len()) {
        let text = if KINDS[kind] == "folio.yaml" { body } else { format!("---\n{body}\n---\n") };
        whole_pipeline(KINDS[kind], text.as_bytes());
    }

    #[test]
    fn yamlish_text_after_a_valid_start_never_panics(body in yamlish(), kind in 2..KINDS.len()) {
        let start = match kind {
            2 => "name: Acme\n",
            3 => "name: Web\n",
            _ => "number: F-1\nissued: 2026-10-01\namount: 100\n",
        };
        whole_pipeline(KINDS[kind], format!("---\n{start}{body}\n---\n").as_bytes());
    }

    #[test]
    fn split_keeps_line_numbers(lines in prop::collection::vec("[a-z: -]{0,20}", 1..30)) {
        prop_assume!(lines.iter().all(|l| l.trim_end() != "---"));
        // Whatever the YAML lines, the body starts on the line after the
        // closing fence, and the YAML keeps the file's line numbers.
        let text = format!("---\n{}\n---\nbody\n", lines.join("\n"));
        let doc = folio::load::frontmatter::split(text).unwrap();
        prop_assert_eq!(doc.body_line as usize, lines.len() + 3);
        prop_assert_eq!(doc.yaml().lines().count(), lines.len() + 1);
    }
}

// ------------------------------------------------------------ fuzz corpus

/// Where the fuzzer loads a corpus file: its own path when it is a record,
/// else the path encoded in a saved crash's name (`<hash>__accounts__a__...`),
/// else an invoice.
pub(crate) fn corpus_target(rel: &str) -> String {
    if folio::model::classify(rel).is_some() {
        return rel.to_string();
    }
    let name = rel.rsplit('/').next().unwrap_or(rel);
    name.split_once("__")
        .map(|(_, encoded)| encoded.replace("__", "/"))
        .filter(|path| folio::model::classify(path).is_some())
        .unwrap_or_else(|| "accounts/acme/invoices/fuzz.md".into())
}

/// Every input in fuzz/corpus (the seeds and every crash the fuzzer ever
/// found, kept under fuzz/corpus/regressions/) goes through the pipeline.
#[test]
fn the_fuzz_corpus_and_its_regressions_never_panic() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus");
    let mut stack = vec![root.clone()];
    let mut count = 0;
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let rel = path
                .strip_prefix(&root)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            whole_pipeline(&corpus_target(&rel), &std::fs::read(&path).unwrap());
            count += 1;
        }
    }
    assert!(
        count >= 79,
        "the corpus holds every file of example-accounts"
    );
}
