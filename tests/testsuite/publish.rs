//! Publishing is safe by default (issue #16): the CI recipes `folio init`
//! writes put client data on a public page only when the team opts in, the
//! handbook-only build never reads a client record, pages with client data
//! ask search engines to stay away, and `check --format gitlab` is a Code
//! Quality report as GitLab documents it.
use crate::common::{self, Fixture, folio, invoice};
use crate::git_fixture::Git;
use serde_json::Value;
use std::path::{Path, PathBuf};

// ------------------------------------------------------------ the recipes

/// `folio init --ci CI` into a new folder: the repository and what init
/// printed.
fn init_with(ci: Option<&str>) -> (tempfile::TempDir, PathBuf, common::Run) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("records");
    let mut args = vec!["init", dir.to_str().unwrap()];
    if let Some(ci) = ci {
        args.extend(["--ci", ci]);
    }
    let run = folio(&args);
    assert_eq!(run.code, 0, "{}", run.stderr);
    (tmp, dir, run)
}

/// A YAML file read into JSON values (as serde-saphyr reads records).
fn yaml(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap();
    serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The value of a GitHub Actions `if:` for the cases the workflow has; any
/// other condition fails the test, so a new one is looked at, not guessed.
fn github_if(condition: Option<&Value>, event: &str, publish_status: Option<&str>) -> bool {
    let Some(condition) = condition else {
        return true;
    };
    let text = condition.as_str().expect("an `if:` is a string");
    let text = text
        .trim()
        .trim_start_matches("${{")
        .trim_end_matches("}}")
        .trim();
    let value_of = |name: &str| -> Option<String> {
        match name {
            "github.event_name" => Some(event.to_string()),
            "vars.FOLIO_PUBLISH_STATUS" => publish_status.map(str::to_string),
            // Either way: what folio puts on Pages must not depend on it.
            "steps.cache.outputs.cache-hit" => Some(String::new()),
            other => panic!("the test does not know `{other}` (in `if: {text}`)"),
        }
    };
    if text == "!cancelled()" {
        return true;
    }
    for (op, equal) in [("==", true), ("!=", false)] {
        if let Some((left, right)) = text.split_once(op) {
            let right = right.trim().trim_matches('\'');
            // GitHub compares strings without regard to case; an unset
            // variable is the empty string.
            let left = value_of(left.trim()).unwrap_or_default();
            return left.eq_ignore_ascii_case(right) == equal;
        }
    }
    panic!("the test cannot evaluate `if: {text}`")
}

/// What is wrong with a GitHub workflow's publishing: a full build that
/// reaches Pages while FOLIO_PUBLISH_STATUS is not `true`, Pages rights on
/// a job that does not deploy, no site at all on Pages, or the opt-in not
/// publishing the status site.
fn github_publishing_problems(workflow: &Value) -> Vec<String> {
    let mut problems = vec![];
    let jobs = workflow["jobs"].as_object().expect("jobs");
    let uses = |step: &Value, action: &str| {
        step["uses"]
            .as_str()
            .is_some_and(|u| u.starts_with(&format!("{action}@")))
    };
    let deploys = |job: &Value| {
        job["steps"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|s| uses(s, "actions/deploy-pages"))
    };
    let deploying: Vec<&String> = jobs.keys().filter(|k| deploys(&jobs[*k])).collect();
    if deploying.len() != 1 {
        problems.push(format!("one job deploys to Pages, not {deploying:?}"));
    }
    for (name, job) in jobs {
        if !deploys(job) && job["permissions"]["pages"] == "write" {
            problems.push(format!("job `{name}` may write Pages but does not deploy"));
        }
    }
    for event in ["push", "schedule", "workflow_dispatch"] {
        for status in [None, Some("false"), Some("yes"), Some("true"), Some("TRUE")] {
            let opted_in = status.is_some_and(|s| s.eq_ignore_ascii_case("true"));
            for name in &deploying {
                let job = &jobs[*name];
                if !github_if(job.get("if"), event, status) {
                    problems.push(format!("`{name}` does not run on {event}"));
                    continue;
                }
                let steps: Vec<&Value> = job["steps"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter(|s| github_if(s.get("if"), event, status))
                    .collect();
                let Some(upload) = steps
                    .iter()
                    .find(|s| uses(s, "actions/upload-pages-artifact"))
                else {
                    problems.push(format!("`{name}` uploads no Pages site"));
                    continue;
                };
                // `${{ runner.temp }}/pages` is `"$RUNNER_TEMP/pages"` in a script.
                let site = upload["with"]["path"]
                    .as_str()
                    .unwrap_or_default()
                    .replace("${{ runner.temp }}", "$RUNNER_TEMP");
                let writers: Vec<&str> = steps
                    .iter()
                    .filter_map(|s| s["run"].as_str())
                    .filter(|run| run.contains(&site))
                    .collect();
                let what = format!("on {event} with FOLIO_PUBLISH_STATUS={status:?}");
                if writers.len() != 1 {
                    problems.push(format!(
                        "{what}: one step should write the Pages site, not {writers:?}"
                    ));
                    continue;
                }
                let run = writers[0];
                let builds = run.contains("folio ") && run.contains(" build ");
                let handbook_only = run.contains("--handbook-only");
                if !builds {
                    problems.push(format!(
                        "{what}: the Pages site is not a folio build: {run}"
                    ));
                } else if !opted_in && !handbook_only {
                    problems.push(format!("{what}: the full site goes to Pages: {run}"));
                } else if opted_in && handbook_only {
                    problems.push(format!(
                        "{what}: the opt-in does not publish the status site"
                    ));
                }
            }
        }
    }
    problems
}

#[test]
fn github_workflow_puts_client_data_on_pages_only_when_the_team_opts_in() {
    let (_tmp, dir, run) = init_with(None);
    let path = dir.join(".github/workflows/folio.yml");
    let workflow = yaml(&path);
    assert_eq!(github_publishing_problems(&workflow), Vec::<String>::new());
    // The checker itself catches the unsafe recipes: a full build on Pages
    // by default, and an opt-in step that lost its condition.
    let text = std::fs::read_to_string(&path).unwrap();
    let unsafe_default = text.replace("build --handbook-only", "build");
    assert!(
        !github_publishing_problems(&serde_saphyr::from_str(&unsafe_default).unwrap()).is_empty()
    );
    let ungated = text.replace("        if: vars.FOLIO_PUBLISH_STATUS == 'true'\n", "");
    assert_ne!(ungated, text);
    assert!(!github_publishing_problems(&serde_saphyr::from_str(&ungated).unwrap()).is_empty());

    // The status site is kept for the repository's readers, as an artifact
    // of the run, on main and every morning.
    let jobs = workflow["jobs"].as_object().unwrap();
    let artifact_jobs: Vec<&Value> = jobs
        .values()
        .filter(|job| {
            job["steps"].as_array().unwrap().iter().any(|s| {
                s["uses"]
                    .as_str()
                    .is_some_and(|u| u.starts_with("actions/upload-artifact@"))
            })
        })
        .collect();
    assert_eq!(artifact_jobs.len(), 1);
    let status = artifact_jobs[0];
    assert!(github_if(status.get("if"), "schedule", None));
    assert!(!github_if(status.get("if"), "pull_request", None));
    let builds: Vec<&str> = status["steps"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s["run"].as_str())
        .filter(|r| r.contains(" build "))
        .collect();
    assert!(
        builds.len() == 1 && !builds[0].contains("--handbook-only"),
        "{builds:?}"
    );
    assert!(workflow["on"]["schedule"].is_array(), "the daily build");

    // The opt-in says, right beside it, when it is safe.
    let lines: Vec<&str> = text.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.trim() == "if: vars.FOLIO_PUBLISH_STATUS == 'true'")
        .unwrap();
    let beside = lines[at.saturating_sub(3)..at].join("\n");
    assert!(
        beside.contains("access-controlled Pages") && beside.contains("Enterprise Cloud"),
        "{beside}"
    );
    assert!(text.contains("FOLIO_PUBLISH_STATUS to `true`"), "{text}");

    // And init says so in one line.
    let said: Vec<&str> = run
        .stdout
        .lines()
        .filter(|l| l.starts_with("publishing:"))
        .collect();
    assert_eq!(said.len(), 1, "{}", run.stdout);
    assert!(
        said[0].contains("GitHub Pages gets the handbook only"),
        "{}",
        said[0]
    );
    assert!(said[0].contains("FOLIO_PUBLISH_STATUS=true"), "{}", said[0]);
}

/// The sample account `folio init` writes: its folder name and its name.
fn sample_account(dir: &Path) -> (String, String) {
    let folders: Vec<_> = std::fs::read_dir(dir.join("accounts"))
        .unwrap()
        .flatten()
        .collect();
    assert_eq!(folders.len(), 1);
    let text = std::fs::read_to_string(folders[0].path().join("account.md")).unwrap();
    let name = text
        .lines()
        .find_map(|l| l.strip_prefix("name: "))
        .unwrap()
        .trim_matches('"')
        .to_string();
    (folders[0].file_name().to_string_lossy().into_owned(), name)
}

/// Runs one CI script line as the runner would (`sh -c`), in `dir`, with
/// folio on the PATH and `env` set.
fn run_script(dir: &Path, script: &str, env: &[(&str, &str)]) -> std::process::Output {
    let bin = Path::new(env!("CARGO_BIN_EXE_folio")).parent().unwrap();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg(script)
        .current_dir(dir)
        .env("PATH", path)
        .envs(env.iter().copied())
        .output()
        .expect("run sh");
    assert!(
        out.status.success(),
        "`{script}` failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

#[test]
fn github_pages_job_builds_a_site_without_client_data() {
    let (tmp, dir, _) = init_with(None);
    let workflow = yaml(&dir.join(".github/workflows/folio.yml"));
    let folio_dir = workflow["env"]["FOLIO_DIR"].as_str().unwrap();
    // The build the Pages job runs by default, run here as the runner would.
    let build = workflow["jobs"]["pages"]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| {
            github_if(s.get("if"), "push", None)
                && s["run"].as_str().is_some_and(|r| r.contains(" build "))
        })
        .and_then(|s| s["run"].as_str())
        .unwrap();
    let runner_temp = tmp.path().join("runner");
    std::fs::create_dir_all(&runner_temp).unwrap();
    let out = run_script(
        &dir,
        build,
        &[
            ("FOLIO_DIR", folio_dir),
            ("RUNNER_TEMP", runner_temp.to_str().unwrap()),
        ],
    );
    let log = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let site = runner_temp.join("pages");
    assert!(site.join("handbook/index.html").is_file(), "{log}");
    let account = sample_account(&dir).1;
    for (rel, text) in site_texts(&site) {
        assert!(!text.contains(&account), "{rel} names the client {account}");
    }
    assert!(!log.contains(&account), "{log}");
}

#[test]
fn gitlab_pipeline_reports_to_merge_requests_and_publishes_pages() {
    let (tmp, dir, run) = init_with(Some("gitlab"));
    assert!(!dir.join(".github").exists(), "no GitHub workflow");
    let pipeline = yaml(&dir.join(".gitlab-ci.yml"));
    let text = std::fs::read_to_string(dir.join(".gitlab-ci.yml")).unwrap();
    let folio_dir = pipeline["variables"]["FOLIO_DIR"].as_str().unwrap();
    assert_eq!(pipeline["variables"]["GIT_DEPTH"], 0, "the whole history");

    let check = &pipeline["check"];
    assert_eq!(
        check["rules"][0]["if"],
        "$CI_PIPELINE_SOURCE == \"merge_request_event\""
    );
    let report = check["artifacts"]["reports"]["codequality"]
        .as_str()
        .unwrap();
    assert_eq!(check["artifacts"]["when"], "always");
    let script: Vec<&str> = check["script"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l.as_str().unwrap())
        .collect();
    assert!(
        script
            .iter()
            .any(|l| l.contains("check --format gitlab") && l.contains(&format!("> {report}"))),
        "{script:?}"
    );
    let diff_file = check["artifacts"]["paths"][0].as_str().unwrap();
    assert!(
        script
            .iter()
            .any(|l| l.contains(" diff ") && l.contains(diff_file))
    );
    assert!(
        script.iter().any(|l| *l == format!("cat {diff_file}")),
        "the diff in the log"
    );

    // The merge request's job, run here on a repository with one commit
    // and a record changed since (GitLab gives the base commit).
    let git = Git::init(&dir);
    let base = git.commit("Ana Lima", "2026-10-01", "Records").to_string();
    let (slug, _) = sample_account(&dir);
    std::fs::write(
        dir.join(format!("accounts/{slug}/invoices/new.md")),
        invoice("NEW-1", ""),
    )
    .unwrap();
    git.commit("Ana Lima", "2026-10-02", "A new invoice");
    let env = [
        ("FOLIO_DIR", folio_dir),
        ("CI_MERGE_REQUEST_DIFF_BASE_SHA", base.as_str()),
    ];
    for line in &script {
        // The last line fails the job on errors, as it should; a fresh
        // repository has none.
        run_script(&dir, line, &env);
    }
    let report: Value = serde_json::from_slice(&std::fs::read(dir.join(report)).unwrap()).unwrap();
    assert_eq!(
        schema_problems(&code_quality_schema(), &report, "$"),
        Vec::<String>::new()
    );
    let diff = std::fs::read_to_string(dir.join(diff_file)).unwrap();
    assert!(diff.contains("NEW-1"), "{diff}");

    // The pages job publishes the full site from the default branch.
    let pages = &pipeline["pages"];
    assert_eq!(
        pages["rules"][0]["if"],
        "$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH"
    );
    assert_eq!(pages["artifacts"]["paths"], serde_json::json!(["public"]));
    let build = pages["script"][0].as_str().unwrap();
    let project = tmp.path().join("project");
    std::fs::create_dir_all(&project).unwrap();
    run_script(
        &dir,
        build,
        &[
            ("FOLIO_DIR", folio_dir),
            ("CI_PROJECT_DIR", project.to_str().unwrap()),
        ],
    );
    assert!(project.join("public/status.json").is_file());
    assert!(project.join("public/robots.txt").is_file());
    // With the access control to set beside it, and said by init.
    assert!(text.contains("\"Only project members\""), "{text}");
    assert!(
        text.contains("--handbook-only"),
        "how to publish the handbook only"
    );
    assert!(
        run.stdout.lines().any(|l| l
            .starts_with("publishing: GitLab Pages gets the full status site")
            && l.contains("Only project members")),
        "{}",
        run.stdout
    );
}

#[test]
fn init_without_ci_writes_no_recipe_and_says_where_the_site_goes() {
    let (_tmp, dir, run) = init_with(Some("none"));
    assert!(!dir.join(".github").exists());
    assert!(!dir.join(".gitlab-ci.yml").exists());
    assert!(dir.join("folio.yaml").is_file());
    let said: Vec<&str> = run
        .stdout
        .lines()
        .filter(|l| l.starts_with("publishing:"))
        .collect();
    assert_eq!(said.len(), 1, "{}", run.stdout);
    assert!(said[0].contains("--handbook-only"), "{}", said[0]);
    // A recipe of the team's own is kept, and init does not claim to know it.
    let f = Fixture::empty();
    f.write(".gitlab-ci.yml", "pages:\n  script: [make]\n");
    let run = f.run_writing(&["init", "--ci", "gitlab"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(f.read(".gitlab-ci.yml"), b"pages:\n  script: [make]\n");
    assert!(
        run.stdout
            .contains("publishing: your own .gitlab-ci.yml was kept"),
        "{}",
        run.stdout
    );
    let bad = folio(&[
        "init",
        "--ci",
        "jenkins",
        f.path().join("x").to_str().unwrap(),
    ]);
    assert_eq!(bad.code, 2);
}

// ----------------------------------------------- the Code Quality report

/// The JSON Schema of GitLab's Code Quality report, written from GitLab's
/// documentation ("Implement a custom tool").
fn code_quality_schema() -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/gitlab-code-quality.schema.json");
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

/// Where `value` breaks `schema`: a JSON Schema validator for the keywords
/// the Code Quality schema uses. Any other keyword fails the test, so the
/// schema cannot hold a rule that is not checked.
fn schema_problems(schema: &Value, value: &Value, at: &str) -> Vec<String> {
    let mut out = vec![];
    let schema = schema.as_object().expect("a schema is an object");
    for (key, rule) in schema {
        match key.as_str() {
            "$schema" | "$id" | "title" | "description" | "$comment" => {}
            "type" => {
                let ok = match rule.as_str().unwrap() {
                    "array" => value.is_array(),
                    "object" => value.is_object(),
                    "string" => value.is_string(),
                    "integer" => value.is_u64() || value.is_i64(),
                    other => panic!("type {other}"),
                };
                if !ok {
                    out.push(format!("{at}: not of type {rule}"));
                }
            }
            "items" => {
                for (i, item) in value.as_array().into_iter().flatten().enumerate() {
                    out.extend(schema_problems(rule, item, &format!("{at}[{i}]")));
                }
            }
            "required" => {
                for name in rule.as_array().unwrap() {
                    let name = name.as_str().unwrap();
                    if value.get(name).is_none() {
                        out.push(format!("{at}: no `{name}`"));
                    }
                }
            }
            "properties" => {
                for (name, sub) in rule.as_object().unwrap() {
                    if let Some(v) = value.get(name) {
                        out.extend(schema_problems(sub, v, &format!("{at}.{name}")));
                    }
                }
            }
            "enum" => {
                if !rule.as_array().unwrap().contains(value) {
                    out.push(format!("{at}: {value} is not one of {rule}"));
                }
            }
            "minLength" => {
                let min = rule.as_u64().unwrap() as usize;
                if value.as_str().is_some_and(|s| s.chars().count() < min) {
                    out.push(format!("{at}: shorter than {min}"));
                }
            }
            "minimum" => {
                if value.as_f64().is_some_and(|v| v < rule.as_f64().unwrap()) {
                    out.push(format!("{at}: below {rule}"));
                }
            }
            "anyOf" => {
                let all: Vec<Vec<String>> = rule
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|s| schema_problems(s, value, at))
                    .collect();
                if all.iter().all(|p| !p.is_empty()) {
                    out.push(format!("{at}: matches none of anyOf: {all:?}"));
                }
            }
            other => panic!("the validator does not know `{other}`"),
        }
    }
    out
}

#[test]
fn the_schema_validator_rejects_what_gitlab_would() {
    let schema = code_quality_schema();
    let good = serde_json::json!([{
        "description": "'unused' is assigned a value but never used.",
        "check_name": "no-unused-vars",
        "fingerprint": "7815696ecbf1c96e6894b779456d330e",
        "severity": "minor",
        "location": { "path": "lib/index.js", "lines": { "begin": 42 } }
    }]);
    assert_eq!(schema_problems(&schema, &good, "$"), Vec::<String>::new());
    for (path, bad) in [
        ("/0/severity", serde_json::json!("warning")),
        ("/0/fingerprint", serde_json::json!(7)),
        ("/0/location/lines/begin", serde_json::json!(0)),
        ("/0/location/lines", serde_json::json!({})),
        ("/0/check_name", serde_json::json!("")),
    ] {
        let mut doc = good.clone();
        *doc.pointer_mut(path).unwrap() = bad;
        assert!(!schema_problems(&schema, &doc, "$").is_empty(), "{path}");
    }
    let mut doc = good.clone();
    doc[0]["location"].as_object_mut().unwrap().remove("lines");
    assert!(
        !schema_problems(&schema, &doc, "$").is_empty(),
        "a line is required"
    );
    assert!(
        !schema_problems(&schema, &good[0], "$").is_empty(),
        "an array"
    );
}

/// A repository with errors and warnings in several files, two of them the
/// same problem twice in one file.
fn troubled() -> Fixture {
    let f = Fixture::new();
    f.write(
        "accounts/acme/invoices/bad.md",
        "---\nnumber: INV-2026-0666\nisued: 2026-10-01\namount: \"12,000.50\"\n---\n",
    );
    f.write(
        "accounts/acme/invoices/late.md",
        invoice("INV-2026-0042", "due: 2026-10-05\n"),
    );
    f.write("accounts/globex/account.md", GLOBEX);
    f
}

/// An active account with no handover brief (a warning) and one misspelt
/// key twice (the same error twice in one file).
const GLOBEX: &str = "---\nname: Globex Industries\nstatus: active\ncontacts:\n  - { name: Hank Scorpio, emial: hank@globex.example }\n  - { name: Frank Grimes, emial: frank@globex.example }\n---\n";

#[test]
fn gitlab_report_is_a_code_quality_report() {
    let f = troubled();
    let run = f.run(&["--as-of", "2026-10-27", "check", "--format", "gitlab"]);
    assert_eq!(run.code, 1, "errors fail check in every format");
    assert!(!run.stdout.starts_with('\u{feff}'), "GitLab refuses a BOM");
    let report: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(
        schema_problems(&code_quality_schema(), &report, "$"),
        Vec::<String>::new()
    );
    let issues = report.as_array().unwrap();
    // The same problems as every other format.
    let (_, json) = f.check_json(&[]);
    assert_eq!(issues.len(), common::all_diagnostics(&json).len());
    assert!(issues.iter().any(|i| i["severity"] == "major"));
    assert!(issues.iter().any(|i| i["severity"] == "minor"));
    let mut prints: Vec<&str> = issues
        .iter()
        .map(|i| i["fingerprint"].as_str().unwrap())
        .collect();
    prints.sort();
    prints.dedup();
    assert_eq!(
        prints.len(),
        issues.len(),
        "a fingerprint names one problem"
    );
    let twice: Vec<&Value> = issues
        .iter()
        .filter(|i| i["description"].as_str().unwrap().contains("`emial`"))
        .collect();
    assert_eq!(twice.len(), 2, "{report:#}");
    assert_eq!(twice[0]["description"], twice[1]["description"]);
    for issue in issues {
        let path = issue["location"]["path"].as_str().unwrap();
        let line = issue["location"]["lines"]["begin"].as_u64().unwrap() as usize;
        let text = String::from_utf8(f.read(path)).unwrap();
        assert!(line <= text.lines().count().max(1), "{issue}");
    }
    // Stable: the same report again, and after lines are added above a
    // problem, its fingerprint stays.
    let again = f.run(&["--as-of", "2026-10-27", "check", "--format", "gitlab"]);
    assert_eq!(again.stdout, run.stdout);
    let globex = |report: &Value| -> Vec<(String, u64)> {
        report
            .as_array()
            .unwrap()
            .iter()
            .filter(|i| i["location"]["path"] == "accounts/globex/account.md")
            .map(|i| {
                (
                    i["fingerprint"].as_str().unwrap().to_string(),
                    i["location"]["lines"]["begin"].as_u64().unwrap(),
                )
            })
            .collect()
    };
    f.write(
        "accounts/globex/account.md",
        GLOBEX.replacen("---\n", "---\n# Since the spring.\n# Ask Rui.\n", 1),
    );
    let moved = f.run(&["--as-of", "2026-10-27", "check", "--format", "gitlab"]);
    let moved: Value = serde_json::from_str(&moved.stdout).unwrap();
    let (before, after) = (globex(&report), globex(&moved));
    assert!(!before.is_empty());
    assert_eq!(
        before.iter().map(|p| &p.0).collect::<Vec<_>>(),
        after.iter().map(|p| &p.0).collect::<Vec<_>>()
    );
    // A clean repository is an empty report, which GitLab reads as such.
    let clean = Fixture::new().run(&["--as-of", "2026-10-27", "check", "--format", "gitlab"]);
    assert_eq!((clean.code, clean.stdout.trim()), (0, "[]"));
}

#[test]
fn ci_formats_name_files_from_the_top_of_the_git_repository() {
    let f = Fixture::empty();
    Git::init(f.path());
    let records = f.path().join("ops/records");
    common::copy_dir(troubled().path(), &records);
    let run = folio(&[
        "-C",
        records.to_str().unwrap(),
        "--as-of",
        "2026-10-27",
        "check",
        "--format",
        "gitlab",
    ]);
    let report: Value = serde_json::from_str(&run.stdout).unwrap();
    for issue in report.as_array().unwrap() {
        let path = issue["location"]["path"].as_str().unwrap();
        assert!(path.starts_with("ops/records/accounts/"), "{path}");
        assert!(f.path().join(path).is_file(), "{path}");
    }
    let run = folio(&[
        "-C",
        records.to_str().unwrap(),
        "--as-of",
        "2026-10-27",
        "check",
        "--format",
        "github",
    ]);
    assert!(
        run.stdout.lines().all(|l| l.contains(" file=ops/records/")),
        "{}",
        run.stdout
    );
    // JSON stays as SPEC §2 has it: relative to the records.
    let run = folio(&[
        "-C",
        records.to_str().unwrap(),
        "--as-of",
        "2026-10-27",
        "check",
        "--format",
        "json",
    ]);
    assert!(
        run.stdout.contains("\"file\": \"accounts/"),
        "{}",
        run.stdout
    );
}

// ------------------------------------------------------ handbook-only

/// Every text file of a built site, by relative path.
fn site_texts(site: &Path) -> Vec<(String, String)> {
    walkdir::WalkDir::new(site)
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            (
                e.path().strip_prefix(site).unwrap().display().to_string(),
                String::from_utf8_lossy(&std::fs::read(e.path()).unwrap()).into_owned(),
            )
        })
        .collect()
}

/// Names, numbers and notes of the `troubled` fixture's clients.
const CLIENT_DATA: [&str; 10] = [
    "acme",
    "Acme",
    "globex",
    "Globex",
    "INV-2026-0666",
    "INV-2026-0042",
    "12,000",
    "John Doe",
    "finance@acme",
    "Scorpio",
];

#[test]
fn handbook_only_build_says_nothing_about_clients() {
    let f = troubled();
    f.write(
        "handbook/index.md",
        "---\ntitle: How we work\n---\nWho does what.\n",
    );
    // The fixture's clients are all over what `check` and a full build say.
    let check = f.run(&["--as-of", "2026-10-27", "check"]);
    assert_eq!(check.code, 1);
    for secret in ["INV-2026-0042", "acme", "globex", "Scorpio", "warning["] {
        assert!(check.stdout.contains(secret), "{secret}: {}", check.stdout);
    }
    let out = tempfile::tempdir().unwrap();
    let full = out.path().join("full");
    let run = f.run(&[
        "--as-of",
        "2026-10-27",
        "build",
        "--out",
        full.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 1, "a broken invoice stops the full site");

    // The handbook is built all the same, and its log names no client.
    let site = out.path().join("handbook");
    let run = f.run(&[
        "--as-of",
        "2026-10-27",
        "build",
        "--handbook-only",
        "--out",
        site.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(site.join("handbook/index.html").is_file());
    let log = format!("{}{}", run.stdout, run.stderr);
    assert!(log.starts_with("built "), "{log}");
    for secret in CLIENT_DATA {
        assert!(!log.contains(secret), "the log leaks {secret:?}: {log}");
        for (rel, text) in site_texts(&site) {
            assert!(!text.contains(secret), "{rel} leaks {secret:?}");
        }
    }

    // What the handbook needs still counts: a broken handbook page or
    // folio.yaml stops it, and says where.
    f.write("handbook/broken.md", "---\ntitle: [unclosed\n---\n");
    let run = f.run(&["build", "--handbook-only", "--out", site.to_str().unwrap()]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("handbook/broken.md"), "{}", run.stderr);
    for secret in CLIENT_DATA {
        assert!(
            !run.stderr.contains(secret),
            "the log leaks {secret:?}: {}",
            run.stderr
        );
    }
}

// ------------------------------------------------------ search engines

#[test]
fn pages_with_client_data_ask_search_engines_to_stay_away() {
    const NOINDEX: &str = r#"<meta name="robots" content="noindex, nofollow">"#;
    let f = Fixture::new();
    f.write("accounts/acme/invoices/a.md", invoice("INV-2026-0001", ""));
    let out = tempfile::tempdir().unwrap();
    let build = |name: &str, extra: &[&str]| -> Vec<(String, String)> {
        let site = out.path().join(name);
        let mut args = vec![
            "--as-of",
            "2026-10-27",
            "build",
            "--out",
            site.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        let run = f.run(&args);
        assert_eq!(run.code, 0, "{}", run.stderr);
        site_texts(&site)
    };
    let full = build("full", &[]);
    let html: Vec<&(String, String)> = full.iter().filter(|(p, _)| p.ends_with(".html")).collect();
    assert!(html.len() > 10);
    for (path, text) in &html {
        let head = &text[..text.find("</head>").unwrap()];
        assert_eq!(head.matches(NOINDEX).count(), 1, "{path}");
    }
    let robots = full.iter().find(|(p, _)| p == "robots.txt").map(|(_, t)| t);
    assert_eq!(
        robots.map(String::as_str),
        Some("User-agent: *\nDisallow: /\n")
    );

    // The handbook may be found.
    let handbook = build("handbook", &["--handbook-only"]);
    assert!(handbook.iter().all(|(p, _)| p != "robots.txt"));
    assert!(handbook.iter().all(|(_, t)| !t.contains("noindex")));

    // A base template of the team's own cannot drop the tag.
    f.write(
        "templates/site/base.html",
        "<!doctype html>\n<html><head><title>{{ title }}</title></head><body>{% block content %}{% endblock content %}</body></html>\n",
    );
    for (path, text) in build("own", &[])
        .iter()
        .filter(|(p, _)| p.ends_with(".html"))
    {
        let head = &text[..text.find("</head>").unwrap()];
        assert!(head.contains(NOINDEX), "{path}: {text}");
    }
}
