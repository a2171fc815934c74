//! `folio pay`, `log`, `promise`, `hold`, `extend`: every command on a
//! corpus of front-matter styles, compared byte for byte with golden files
//! (tests/golden/edit/<style>/<command>.md; written when missing or when
//! FOLIO_BLESS=1), and checked to be the old bytes plus one insertion.
//! Then what must never write: bad input, errors, dry runs; and `--commit`.

use crate::common::{self, Fixture};
use crate::git_fixture::Git;
use std::path::PathBuf;

const FILE: &str = "accounts/acme/invoices/a-1.md";
const AS_OF: &str = "2026-10-27";

/// Front-matter styles of one valid invoice `A-1` (issued 2026-10-01, 1000 EUR).
const STYLES: &[(&str, &str)] = &[
    (
        "spec-flow",
        "---\nnumber: A-1\nissued: 2026-10-01\namount: 1000\npayments:\n  - { date: 2026-10-05, amount: 100, ref: \"TRF 1\" }\npromises:\n  - { made: 2026-10-06, pay_by: 2026-10-10, note: \"CFO\" }\nholds:\n  - { from: 2026-10-07, until: 2026-10-08, reason: \"Hours\" }\nextensions:\n  - { granted: 2026-10-09, by: rui, days: 3, reason: \"Leave\" }\nlog:\n  - { date: 2026-10-11, stage: reminder, channel: slack, by: ana, note: \"Sent\" }\n---\nNotes.\n",
    ),
    (
        "block-maps",
        "---\nnumber: A-1\nissued: 2026-10-01\namount: 1000\npayments:\n  - date: 2026-10-05\n    amount: 100\n    ref: TRF 1\npromises:\n  - made: 2026-10-06\n    pay_by: 2026-10-10\nholds:\n  - from: 2026-10-07\n    until: 2026-10-08\n    reason: Hours\nextensions:\n  - granted: 2026-10-09\n    by: rui\n    days: 3\nlog:\n  - date: 2026-10-11\n    stage: reminder\n---\nNotes.\n",
    ),
    (
        "empty-flow-lists",
        "---\nnumber: A-1\nissued: 2026-10-01\namount: 1000\npayments: []\npromises: []\nholds: []\nextensions: []\nlog: []\n---\nNotes.\n",
    ),
    (
        "keys-with-nothing",
        "---\nnumber: A-1\nissued: 2026-10-01\namount: 1000\npayments:\npromises:\nholds:\nextensions:\nlog:\n---\nNotes.\n",
    ),
    (
        "keys-absent",
        "---\nnumber: A-1\nissued: 2026-10-01\namount: 1000\n---\nNotes.\n",
    ),
    (
        "crlf",
        "---\r\nnumber: A-1\r\nissued: 2026-10-01\r\namount: 1000\r\npayments:\r\n  - { date: 2026-10-05, amount: 100 }\r\nholds:\r\n  - from: 2026-10-07\r\n    until: 2026-10-08\r\nlog: []\r\n---\r\nNotes.\r\nMore notes.\r\n",
    ),
    (
        "bom",
        "\u{feff}---\nnumber: A-1\nissued: 2026-10-01\namount: 1000\npayments:\n  - { date: 2026-10-05, amount: 100 }\n---\nNotes.\n",
    ),
    (
        "no-final-newline",
        "---\nnumber: A-1\nissued: 2026-10-01\namount: 1000\nlog:\n  - { date: 2026-10-11, stage: reminder }\n---\nNotes without a final newline.",
    ),
    (
        "no-body",
        "---\nnumber: A-1\nissued: 2026-10-01\namount: 1000\npayments:\n  - { date: 2026-10-05, amount: 100 }\n---",
    ),
    (
        "comments-everywhere",
        "---\n# The invoice\nnumber: A-1   # the number\nissued: 2026-10-01 # issue day\namount: 1000 # EUR\n\n# Money in\npayments:   # from the bank\n  # the first transfer\n  - { date: 2026-10-05, amount: 100 }  # partial\n  # (none since)\n# Promises\npromises: [] # none\nholds: # disputes\n  - from: 2026-10-07 # started\n    until: 2026-10-08 # ended\n    # resolved by phone\nlog:\n  - { date: 2026-10-11, stage: reminder } # on time\n# end of the log\n---\nNotes.\n",
    ),
    (
        "zero-indented-lists",
        "---\nnumber: A-1\nissued: 2026-10-01\namount: 1000\npayments:\n- { date: 2026-10-05, amount: 100 }\nholds:\n- from: 2026-10-07\n  until: 2026-10-08\nlog:\n- {date: 2026-10-11, stage: reminder}\n---\nNotes.\n",
    ),
    (
        "four-space-indent",
        "---\nnumber: A-1\nissued: 2026-10-01\namount: 1000\npayments:\n    -   { date: 2026-10-05, amount: 100 }\nholds:\n    -   from: 2026-10-07\n        until: 2026-10-08\nextensions:\n    - granted: 2026-10-09\n      days: 3\n---\nNotes.\n",
    ),
    (
        "inline-flow-lists",
        "---\nnumber: A-1\nissued: 2026-10-01\namount: 1000\npayments: [{date: 2026-10-05, amount: 100}]\npromises: [ { made: 2026-10-06, pay_by: 2026-10-10 } ]\nholds: [{from: 2026-10-07, until: 2026-10-08}, {from: 2026-10-12, until: 2026-10-13}]\nlog: [{ date: 2026-10-11, stage: reminder }]\n---\nNotes.\n",
    ),
    (
        "multi-line-flow-lists",
        "---\nnumber: A-1\nissued: 2026-10-01\namount: 1000\npayments: [\n  { date: 2026-10-05, amount: 100 },\n  { date: 2026-10-06, amount: 50 }\n]\nlog: [\n    { date: 2026-10-11, stage: reminder }\n  ]\n---\nNotes.\n",
    ),
    (
        "quoted-scalars",
        "---\nnumber: \"A-1\"\nissued: '2026-10-01'\namount: 1000\ncurrency: \"EUR\"\npayments:\n  - { date: \"2026-10-05\", amount: 100, ref: 'TRF ''1''' }\nlog:\n  - { date: '2026-10-11', stage: \"reminder\", note: \"said \\\"hi\\\"\" }\n---\nNotes.\n",
    ),
    (
        "folded-and-literal-scalars",
        "---\nnumber: A-1\nissued: 2026-10-01\namount: 1000\nholds:\n  - from: 2026-10-07\n    until: 2026-10-08\n    reason: >\n      Disputed hours,\n      settled by phone.\nlog:\n  - date: 2026-10-11\n    stage: reminder\n    note: |\n      Line one.\n\n      Line three.\n---\nNotes.\n",
    ),
    (
        "blank-lines",
        "---\n\nnumber: A-1\n\nissued: 2026-10-01\namount: 1000\n\npayments:\n\n  - { date: 2026-10-05, amount: 100 }\n\n  - { date: 2026-10-06, amount: 50 }\n\n\nlog: []\n\n---\n\nNotes.\n\n",
    ),
    (
        "unusual-key-order",
        "---\nlog:\n  - { date: 2026-10-11, stage: reminder }\npayments:\n  - { amount: 100, date: 2026-10-05 }\namount: 1000\nissued: 2026-10-01\nnumber: A-1\n---\nNotes.\n",
    ),
    (
        "dots-close-the-front-matter",
        "---\nnumber: A-1\nissued: 2026-10-01\namount: 1000\npayments:\n  - { date: 2026-10-05, amount: 100 }\n...\nNotes.\n",
    ),
    (
        "trailing-spaces",
        "---  \nnumber: A-1  \nissued: 2026-10-01\t\namount: 1000 \npayments:  \n  - { date: 2026-10-05, amount: 100 }   \n---\nNotes.  \n",
    ),
    (
        "mixed-styles",
        "---\nnumber: A-1\nissued: 2026-10-01\namount: 1000\npayments:\n  - date: 2026-10-05\n    amount: 100\nlog: [{ date: 2026-10-11, stage: reminder }]\nholds:\npromises: []\n---\nNotes.\n",
    ),
    (
        "crlf-bom-block-maps-no-final-newline",
        "\u{feff}---\r\nnumber: A-1\r\nissued: 2026-10-01\r\namount: 1000\r\npayments:\r\n  - date: 2026-10-05\r\n    amount: 100\r\nlog:\r\n  - date: 2026-10-11\r\n    stage: reminder\r\n---\r\nNotes.",
    ),
    (
        "unicode-and-a-rule-in-the-body",
        "---\nnumber: A-1\nissued: 2026-10-01\namount: 1000\nlog:\n  - { date: 2026-10-11, stage: reminder, note: \"Olá, Gonçalo 👋\" }\n---\nNotas — primeira parte.\n\n---\n\nSegunda parte.\n",
    ),
    (
        "indented-front-matter-keys-end-with-list",
        "---\nnumber: A-1\nissued: 2026-10-01\namount: 1000\nlog:\n  - { date: 2026-10-11, stage: reminder }\n  - { date: 2026-10-12, stage: reminder, note: \"again\" }\n---\n",
    ),
];

/// Each command, as arguments after the invoice number's command name.
fn commands() -> Vec<(&'static str, Vec<&'static str>)> {
    vec![
        (
            "pay",
            vec![
                "pay",
                "A-1",
                "250.50",
                "--date",
                "2026-10-20",
                "--ref",
                "TRF 88",
            ],
        ),
        (
            "log",
            vec![
                "log",
                "A-1",
                "reminder",
                "--date",
                "2026-10-20",
                "--note",
                "Sent \"again\"",
            ],
        ),
        (
            "promise",
            vec![
                "promise",
                "A-1",
                "--pay-by",
                "2026-11-15",
                "--made",
                "2026-10-21",
            ],
        ),
        (
            "hold",
            vec![
                "hold",
                "A-1",
                "--reason",
                "Disputed hours",
                "--from",
                "2026-10-22",
            ],
        ),
        (
            "extend",
            vec![
                "extend",
                "A-1",
                "--days",
                "7",
                "--by",
                "rui",
                "--reason",
                "CFO on leave",
                "--granted",
                "2026-10-22",
            ],
        ),
    ]
}

fn golden_path(style: &str, command: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden/edit")
        .join(style)
        .join(format!("{command}.md"))
}

/// Compares with the golden file, writing it when missing or blessed.
fn assert_golden(style: &str, command: &str, actual: &[u8]) {
    let path = golden_path(style, command);
    if std::env::var_os("FOLIO_BLESS").is_some() || !path.exists() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read(&path).unwrap();
    assert!(
        expected == actual,
        "{style} / {command}: the bytes differ from {}:\n--- expected\n{}\n--- actual\n{}",
        path.display(),
        String::from_utf8_lossy(&expected),
        String::from_utf8_lossy(actual)
    );
}

/// `new` is `old` with one run of bytes inserted somewhere.
fn assert_one_insertion(old: &[u8], new: &[u8], what: &str) {
    assert!(new.len() > old.len(), "{what}: nothing was added");
    let prefix = old.iter().zip(new).take_while(|(a, b)| a == b).count();
    let suffix = old[prefix..]
        .iter()
        .rev()
        .zip(new.iter().rev())
        .take_while(|(a, b)| a == b)
        .count();
    assert_eq!(
        prefix + suffix,
        old.len(),
        "{what}: more than one insertion:\n{}\n---\n{}",
        String::from_utf8_lossy(old),
        String::from_utf8_lossy(new)
    );
}

fn fixture(style_text: &str) -> Fixture {
    let f = Fixture::new();
    f.write(FILE, style_text);
    f
}

fn run(f: &Fixture, args: &[&str]) -> common::Run {
    let mut all = vec![
        "-C",
        f.path().to_str().unwrap(),
        "--color",
        "never",
        "--as-of",
        AS_OF,
    ];
    all.extend_from_slice(args);
    common::folio(&all)
}

#[test]
fn the_corpus_has_twenty_styles_that_check_clean() {
    assert!(STYLES.len() >= 20);
    for (name, text) in STYLES {
        let f = fixture(text);
        let (code, doc) = f.check_json(&[]);
        assert_eq!(code, 0, "{name}: {doc:#}");
    }
}

#[test]
fn every_command_on_every_style_inserts_exactly_one_entry() {
    for (style, text) in STYLES {
        for (command, args) in commands() {
            let f = fixture(text);
            let r = run(&f, &args);
            assert_eq!(r.code, 0, "{style} / {command}: {}", r.stderr);
            let new = f.read(FILE);
            assert_one_insertion(text.as_bytes(), &new, &format!("{style} / {command}"));
            assert_golden(style, command, &new);
            let (code, doc) = f.check_json(&[]);
            assert_eq!(code, 0, "{style} / {command}: {doc:#}");
        }
        // Release: a hold is opened, then ended by adding `until` to it.
        let f = fixture(text);
        let r = run(
            &f,
            &[
                "hold",
                "A-1",
                "--reason",
                "Disputed hours",
                "--from",
                "2026-10-22",
            ],
        );
        assert_eq!(r.code, 0, "{style} / hold: {}", r.stderr);
        let held = f.read(FILE);
        let r = run(&f, &["hold", "A-1", "--release", "--on", "2026-10-25"]);
        assert_eq!(r.code, 0, "{style} / release: {}", r.stderr);
        let released = f.read(FILE);
        assert_one_insertion(&held, &released, &format!("{style} / release"));
        assert_golden(style, "release", &released);
        let status = f.status_json(AS_OF, &[]);
        assert_eq!(
            status["invoices"][0]["state"], "open",
            "{style}: {status:#}"
        );
    }
}

/// Account files: `log ACCOUNT KIND`.
const ACCOUNT_STYLES: &[(&str, &str)] = &[
    (
        "account-flow-log",
        "---\nname: Acme Corp\nsince: 2026-01-05\nroles:\n  producer: ana\nlog:\n  - { date: 2026-10-02, kind: client_sync, by: ana, note: \"Roadmap\" }\n---\nRelationship notes.\n",
    ),
    (
        "account-block-log-crlf",
        "---\r\nname: Acme Corp\r\nroles:\r\n  producer: ana\r\nlog:\r\n  - date: 2026-10-02\r\n    kind: client_sync\r\n---\r\nNotes.\r\n",
    ),
    (
        "account-no-log-bom",
        "\u{feff}---\nname: Acme Corp # the client\nroles:\n  producer: ana\ncontacts:\n  - { name: John Doe, role: finance }\n---\nNotes.",
    ),
];

#[test]
fn log_on_an_account_inserts_one_entry() {
    for (style, text) in ACCOUNT_STYLES {
        let f = Fixture::new();
        f.write("accounts/acme/account.md", text);
        let r = run(
            &f,
            &[
                "log",
                "acme",
                "client_sync",
                "--date",
                "2026-10-26",
                "--by",
                "rui",
                "--note",
                "Kickoff",
            ],
        );
        assert_eq!(r.code, 0, "{style}: {}", r.stderr);
        assert!(
            r.stdout
                .contains("acme: client_sync logged on 2026-10-26 (by rui)"),
            "{}",
            r.stdout
        );
        let new = f.read("accounts/acme/account.md");
        assert_one_insertion(text.as_bytes(), &new, style);
        assert_golden(style, "log", &new);
    }
}

#[test]
fn the_report_is_the_diff_then_the_new_state() {
    let f = fixture(STYLES[0].1);
    let r = run(&f, &["pay", "A-1", "900", "--date", "2026-10-20"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout
            .starts_with(&format!("--- a/{FILE}\n+++ b/{FILE}\n")),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("+  - { date: 2026-10-20, amount: 900 }\n"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.ends_with("A-1: paid\n"), "{}", r.stdout);
    let f = fixture(STYLES[4].1);
    let r = run(&f, &["pay", "A-1", "100", "--date", "2026-10-20"]);
    assert!(
        r.stdout
            .ends_with("A-1: outstanding 900.00 EUR, next: due-notice on 2026-10-31\n"),
        "{}",
        r.stdout
    );
}

#[test]
fn log_defaults_by_and_channel_to_the_stage() {
    let f = fixture(STYLES[4].1);
    let r = run(&f, &["log", "A-1", "reminder", "--date", "2026-10-24"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let text = String::from_utf8(f.read(FILE)).unwrap();
    assert!(
        text.contains(
            "  - { date: 2026-10-24, stage: reminder, channel: private message, by: ana }\n"
        ),
        "{text}"
    );
}

#[test]
fn dry_run_prints_the_diff_and_writes_nothing() {
    let f = fixture(STYLES[0].1);
    let r = f.run(&["--as-of", AS_OF, "pay", "A-1", "100", "--dry-run"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.contains("+  - { date: 2026-10-27, amount: 100 }"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("dry run: nothing was written"),
        "{}",
        r.stdout
    );
}

/// Each bad input: exit code and a piece of what stderr says; the tree is
/// compared before and after by `Fixture::run`.
#[test]
fn bad_input_never_changes_a_byte() {
    let cases: &[(&[&str], i32, &str)] = &[
        (
            &["pay", "A-2", "100"],
            2,
            "no invoice named `A-2` (did you mean `A-1`?)",
        ),
        (&["pay", "A-1", "1,000"], 2, "is not an amount"),
        (&["pay", "A-1", "0"], 1, "E015"),
        (
            &["pay", "A-1", "100", "--date", "2026-09-30"],
            1,
            "E021 payment-before-issue",
        ),
        (
            &["pay", "A-1", "100.001"],
            1,
            "has more decimals than EUR allows",
        ),
        (
            &["pay", "A-1", "100", "--date", "2026-02-30"],
            2,
            "not a real calendar day",
        ),
        (&["log", "A-1", "reminderr"], 1, "E024 unknown-stage"),
        (
            &["log", "A-1", "reminder", "--by", "zoe"],
            1,
            "E017 unknown-person",
        ),
        (
            &["log", "nobody", "client_sync"],
            2,
            "no invoice or account named `nobody`",
        ),
        (
            &["log", "acme", "call", "--channel", "x"],
            2,
            "--channel is for an invoice",
        ),
        (
            &["log", "acme", "call", "--by", "zoe"],
            1,
            "E017 unknown-person",
        ),
        (
            &[
                "promise",
                "A-1",
                "--pay-by",
                "2026-10-01",
                "--made",
                "2026-10-20",
            ],
            1,
            "E031 bad-value",
        ),
        (
            &[
                "hold",
                "A-1",
                "--reason",
                "x",
                "--from",
                "2026-10-20",
                "--until",
                "2026-10-10",
            ],
            1,
            "hold ends on 2026-10-10 before it starts",
        ),
        (&["hold", "A-1", "--release"], 1, "has no open hold"),
        (&["hold", "A-1"], 2, "--reason"),
        (
            &["hold", "A-1", "--release", "--reason", "x"],
            2,
            "cannot be used with",
        ),
        (
            &[
                "extend", "A-1", "--days", "7", "--by", "zoe", "--reason", "x",
            ],
            1,
            "E017 unknown-person",
        ),
        (
            &[
                "extend", "A-1", "--days", "-7", "--by", "rui", "--reason", "x",
            ],
            2,
            "",
        ),
        (
            &["pay", "A-1", "100", "--dry-run", "--commit"],
            2,
            "cannot be used with",
        ),
    ];
    for (args, code, says) in cases {
        let f = fixture(STYLES[0].1);
        let mut all = vec!["--as-of", AS_OF];
        all.extend_from_slice(args);
        let r = f.run(&all);
        assert_eq!(r.code, *code, "{args:?}: {}", r.stderr);
        assert!(r.stderr.contains(says), "{args:?}: {}", r.stderr);
    }
}

#[test]
fn a_record_with_errors_is_refused_with_them() {
    let broken = STYLES[4].1.replace(
        "amount: 1000\n",
        "amount: 1000\npayments:\n  - { date: 2026-09-01, amount: 5 }\n",
    );
    let f = fixture(&broken);
    let r = f.run(&["--as-of", AS_OF, "pay", "A-1", "100"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr.contains("E021 payment-before-issue"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("the record has errors"), "{}", r.stderr);
}

#[test]
fn permissions_are_kept() {
    use std::os::unix::fs::PermissionsExt;
    let f = fixture(STYLES[0].1);
    let path = f.path().join(FILE);
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    let r = run(&f, &["pay", "A-1", "100"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let mode = std::fs::metadata(&path).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
}

fn git_fixture(text: &str) -> (Fixture, Git) {
    let f = fixture(text);
    let git = Git::init(f.path());
    let mut config = git.repo.config().unwrap();
    config.set_str("user.name", "Tiago Lopes").unwrap();
    config.set_str("user.email", "tiago@example.com").unwrap();
    git.commit("Ana", "2026-10-01", "records");
    (f, git)
}

#[test]
fn commit_records_just_that_file_with_a_message_that_says_what() {
    let (f, git) = git_fixture(STYLES[0].1);
    f.write("accounts/acme/notes.txt", "not staged, not committed");
    let r = run(
        &f,
        &[
            "log",
            "A-1",
            "reminder",
            "--channel",
            "email",
            "--by",
            "ana",
            "--commit",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let head = git.repo.head().unwrap().peel_to_commit().unwrap();
    assert_eq!(
        head.message().unwrap(),
        "A-1: reminder logged (email, by ana)"
    );
    assert_eq!(head.author().name().unwrap(), "Tiago Lopes");
    let parent = head.parent(0).unwrap();
    let diff = git
        .repo
        .diff_tree_to_tree(
            Some(&parent.tree().unwrap()),
            Some(&head.tree().unwrap()),
            None,
        )
        .unwrap();
    let paths: Vec<String> = diff
        .deltas()
        .map(|d| d.new_file().path().unwrap().display().to_string())
        .collect();
    assert_eq!(paths, [FILE]);
    let statuses = git.repo.statuses(None).unwrap();
    let dirty: Vec<String> = statuses
        .iter()
        .filter_map(|s| s.path().ok().map(String::from))
        .filter(|p| !p.starts_with(common::CACHE_DIR))
        .collect();
    assert_eq!(dirty, ["accounts/acme/notes.txt"]);
}

#[test]
fn commit_is_refused_when_other_changes_are_staged() {
    let (f, git) = git_fixture(STYLES[0].1);
    f.write(
        "accounts/acme/projects/website-redesign.md",
        common::PROJECT.replace("Scope.", "Scope!"),
    );
    let mut index = git.repo.index().unwrap();
    index
        .add_path(std::path::Path::new(
            "accounts/acme/projects/website-redesign.md",
        ))
        .unwrap();
    index.write().unwrap();
    let head = git.head();
    let r = f.run(&["--as-of", AS_OF, "pay", "A-1", "100", "--commit"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr.contains("other changes are staged"),
        "{}",
        r.stderr
    );
    assert_eq!(git.head(), head);
}

#[test]
fn commit_is_refused_when_the_file_has_uncommitted_changes() {
    let (f, _git) = git_fixture(STYLES[0].1);
    f.write(FILE, STYLES[0].1.replace("Notes.", "Notes, edited."));
    let r = f.run(&["--as-of", AS_OF, "pay", "A-1", "100", "--commit"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("not committed"), "{}", r.stderr);
}
