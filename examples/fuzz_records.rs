//! A bounded-time mutation fuzzer for the record loader, on the stable
//! toolchain (no cargo-fuzz, no sanitizers).
//!
//! It seeds itself from `fuzz/corpus/` (a copy of example-accounts/, plus
//! regression inputs), mutates the bytes (bit flips, byte inserts and
//! deletes, splices from other seeds, duplicated and swapped lines, YAML
//! syntax tokens, truncation) and feeds each result, at the path its seed
//! came from, through what `folio check`, `folio status` and `folio remind`
//! do: front-matter splitting, parsing of every record kind, the checks, the
//! ladder, the status report and the message drafts. A panic is a crash:
//! the input is written to `fuzz/crashes/` and the run exits 1. An input that
//! runs longer than the hang limit is treated the same way.
//!
//! Inputs that produce a diagnostic not seen before join the corpus, a
//! cheap stand-in for coverage feedback.
//!
//! ```text
//! cargo run --release --example fuzz_records -- --seconds 60 [--seed N]
//! cargo run --release --example fuzz_records -- --replay fuzz/crashes/FILE
//! ```

use folio::load::MemSource;
use folio::model::classify;
use std::collections::{BTreeMap, BTreeSet};
use std::hash::{Hash, Hasher};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// One input running longer than this is reported as a hang.
const HANG_LIMIT: Duration = Duration::from_secs(20);
/// Mutated inputs are capped a little above the loader's own file limit, so
/// the size check itself is exercised but memory stays small.
const MAX_INPUT: usize = folio::load::frontmatter::MAX_FILE_BYTES + 1024;
/// Separates the repository path from the hash in a crash file's name.
const PATH_SEPARATOR: &str = "__";

/// Syntax that YAML front matter is made of, valid and not.
const TOKENS: &[&str] = &[
    "---\n",
    "...\n",
    "\n",
    "\r\n",
    "  ",
    "\t",
    "- ",
    ": ",
    ",",
    "[",
    "]",
    "{",
    "}",
    "&a ",
    "*a",
    "!!str ",
    "!t ",
    "? ",
    "<<: *a\n",
    "|\n",
    ">-\n",
    "#",
    "\"",
    "'",
    "\\u0000",
    "%YAML 1.2\n",
    "~",
    "null",
    "2026-02-30",
    "2026-12-08",
    "-1",
    "0",
    "1e308",
    ".nan",
    "99999999999999999999",
    "0.000000000000000000000000001",
    "150%",
    "XXX",
    "4294967296 working days",
    "4000000000",
    "2147483647",
    "-2147483648",
    "18446744073709551615",
    "79228162514264337593543950335",
    "\"79228162514264337593543950335%\"",
    "0001-01-01",
    "9999-12-31",
    "written_off",
    "{{ invoice.number }}",
    "{% for x in y %}",
    "é",
    "\u{feff}",
    "\0",
];

/// splitmix64: small, fast and reproducible from its seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// A number in `0..n` (0 when n is 0).
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
    fn chance(&mut self, one_in: usize) -> bool {
        self.below(one_in) == 0
    }
}

/// A corpus entry: the repository path it is loaded at, and its bytes.
#[derive(Clone)]
struct Seed {
    path: String,
    bytes: Vec<u8>,
}

struct Args {
    seconds: u64,
    seed: u64,
    corpus: PathBuf,
    crashes: PathBuf,
    replay: Option<PathBuf>,
}

fn parse_args() -> Result<Args, String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut args = Args {
        seconds: 60,
        seed: std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(1, |d| d.as_nanos() as u64),
        corpus: root.join("fuzz/corpus"),
        crashes: root.join("fuzz/crashes"),
        replay: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--seconds" => {
                args.seconds = value()?.parse().map_err(|e| format!("--seconds: {e}"))?
            }
            "--seed" => args.seed = value()?.parse().map_err(|e| format!("--seed: {e}"))?,
            "--corpus" => args.corpus = value()?.into(),
            "--crashes" => args.crashes = value()?.into(),
            "--replay" => args.replay = Some(value()?.into()),
            "-h" | "--help" => {
                return Err("usage: fuzz_records [--seconds N] [--seed N] [--corpus DIR] [--crashes DIR] [--replay FILE]".into());
            }
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    Ok(args)
}

/// Every file under `dir`, with its path relative to `dir`.
fn files_under(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = vec![];
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let path = e.path();
            if path.is_dir() {
                stack.push(path);
            } else if let (Ok(rel), Ok(bytes)) = (path.strip_prefix(dir), std::fs::read(&path)) {
                out.push((rel.to_string_lossy().replace('\\', "/"), bytes));
            }
        }
    }
    out.sort();
    out
}

/// The repository path a corpus file is loaded at: its own when it is a
/// record, the one encoded in a regression file's name, else an invoice.
fn target_path(rel: &str) -> String {
    if classify(rel).is_some() {
        return rel.to_string();
    }
    let name = rel.rsplit('/').next().unwrap_or(rel);
    if let Some((_, encoded)) = name.split_once(PATH_SEPARATOR) {
        let path = encoded.replace(PATH_SEPARATOR, "/");
        if classify(&path).is_some() {
            return path;
        }
    }
    "accounts/clinicas-oceano/invoices/fuzz.md".to_string()
}

/// The valid files a fuzzed file is loaded among: folio.yaml and every file
/// of the account it belongs to (or of one sample account).
struct Base {
    config: Vec<u8>,
    accounts: BTreeMap<String, Vec<(String, Vec<u8>)>>,
}

impl Base {
    fn new(corpus: &[(String, Vec<u8>)]) -> Base {
        let mut base = Base {
            config: b"company: Fuzz\n".to_vec(),
            accounts: BTreeMap::new(),
        };
        for (rel, bytes) in corpus {
            match classify(rel) {
                Some(folio::model::Kind::Config) => base.config = bytes.clone(),
                Some(
                    folio::model::Kind::Account { account }
                    | folio::model::Kind::Project { account }
                    | folio::model::Kind::Invoice { account },
                ) => base
                    .accounts
                    .entry(account)
                    .or_default()
                    .push((rel.clone(), bytes.clone())),
                _ => {}
            }
        }
        base
    }

    fn repository(&self, input: &Seed) -> MemSource {
        let mut files = BTreeMap::new();
        files.insert("folio.yaml".to_string(), self.config.clone());
        let account = input
            .path
            .split('/')
            .nth(1)
            .filter(|_| input.path.starts_with("accounts/"));
        let siblings = account
            .and_then(|a| self.accounts.get(a))
            .or_else(|| self.accounts.values().next());
        for (rel, bytes) in siblings.into_iter().flatten() {
            files.insert(rel.clone(), bytes.clone());
        }
        files.insert(input.path.clone(), input.bytes.clone());
        MemSource(files)
    }
}

/// What one input produced: the diagnostic kinds, for corpus feedback.
fn run_pipeline(repo: &MemSource, tera: &tera::Tera) -> BTreeSet<String> {
    let loaded = repo.load();
    let settings = folio::ladder::Settings::from_config(loaded.config.as_ref().map(|c| &c.data));
    let as_of = chrono::NaiveDate::from_ymd_opt(2026, 11, 23).expect("a real date");
    let ledger = folio::ladder::Ledger::new(&loaded, &settings, as_of);
    let diagnostics = folio::check::check_ledger(&ledger);
    let report = folio::ladder::report::build(&ledger, None);
    let _ = serde_json::to_string(&report);
    let _ = folio::diagnostic::render::json(&diagnostics);
    let _ = folio::diagnostic::render::github(&diagnostics, "");
    let _ = folio::diagnostic::render::gitlab(&diagnostics, "");
    for entry in &ledger.entries {
        if let Some(stage) = entry.eval.current().or_else(|| entry.eval.next_stage()) {
            let _ = folio::ladder::message::render(tera, &ledger, entry, stage);
        }
    }
    diagnostics
        .iter()
        .map(|d| {
            // The message without quoted values and numbers: its kind.
            let words: String = d
                .message
                .split('`')
                .step_by(2)
                .flat_map(|part| part.chars().filter(|c| !c.is_ascii_digit()))
                .collect();
            format!(
                "{} {}",
                d.code.id(),
                words.chars().take(32).collect::<String>()
            )
        })
        .collect()
}

fn mutate(rng: &mut Rng, input: &mut Vec<u8>, corpus: &[Seed]) {
    let rounds = 1 + rng.below(6);
    for _ in 0..rounds {
        let len = input.len();
        match rng.below(12) {
            0 if len > 0 => {
                let i = rng.below(len);
                input[i] ^= 1 << rng.below(8);
            }
            1 => {
                let byte = match rng.below(4) {
                    0 => rng.next() as u8,
                    1 => b"\n :-[]{}#&*!|>'\"\t"[rng.below(17)],
                    _ => b'0' + rng.below(10) as u8,
                };
                input.insert(rng.below(len + 1), byte);
            }
            2 if len > 0 => {
                let start = rng.below(len);
                let end = (start + 1 + rng.below(32)).min(len);
                input.drain(start..end);
            }
            3 => {
                let donor = &corpus[rng.below(corpus.len())].bytes;
                if !donor.is_empty() {
                    let start = rng.below(donor.len());
                    let end = (start + 1 + rng.below(256)).min(donor.len());
                    let at = rng.below(len + 1);
                    input.splice(at..at, donor[start..end].iter().copied());
                }
            }
            4 | 5 => {
                let token = TOKENS[rng.below(TOKENS.len())].as_bytes();
                let at = line_boundary_or_anywhere(rng, input);
                input.splice(at..at, token.iter().copied());
            }
            6 => duplicate_line(rng, input),
            7 => swap_lines(rng, input),
            8 if len > 0 && rng.chance(4) => input.truncate(rng.below(len)),
            9 | 10 => replace_value(rng, input),
            _ => {
                // Replace a run of digits or letters with another value.
                if len > 0 {
                    let i = rng.below(len);
                    let end = (i..len)
                        .find(|&j| !input[j].is_ascii_alphanumeric())
                        .unwrap_or(len);
                    let token = TOKENS[rng.below(TOKENS.len())].as_bytes();
                    input.splice(i..end, token.iter().copied());
                }
            }
        }
    }
    if rng.chance(200) {
        // Now and then, a large input: one line repeated many times.
        let line: Vec<u8> = input
            .split(|b| *b == b'\n')
            .nth(1)
            .unwrap_or(b"- x")
            .to_vec();
        let times = 1 + rng.below(MAX_INPUT / (line.len() + 1));
        for _ in 0..times {
            input.extend_from_slice(&line);
            input.push(b'\n');
        }
    }
    input.truncate(MAX_INPUT);
}

/// Replaces one YAML value (what follows a `: `, up to the next `,`, `}`
/// or line end) with a token: most bugs hide in how values are read.
fn replace_value(rng: &mut Rng, input: &mut Vec<u8>) {
    let values: Vec<usize> = input
        .windows(2)
        .enumerate()
        .filter(|(_, w)| w == b": ")
        .map(|(i, _)| i + 2)
        .collect();
    if values.is_empty() {
        return;
    }
    let start = values[rng.below(values.len())];
    let end = input[start..]
        .iter()
        .position(|b| matches!(b, b',' | b'}' | b'\n'))
        .map_or(input.len(), |p| start + p);
    let token = TOKENS[rng.below(TOKENS.len())].as_bytes();
    input.splice(start..end, token.iter().copied());
}

fn line_starts(input: &[u8]) -> Vec<usize> {
    std::iter::once(0)
        .chain(
            input
                .iter()
                .enumerate()
                .filter(|(_, b)| **b == b'\n')
                .map(|(i, _)| i + 1),
        )
        .collect()
}

fn line_boundary_or_anywhere(rng: &mut Rng, input: &[u8]) -> usize {
    if rng.chance(2) {
        let starts = line_starts(input);
        starts[rng.below(starts.len())]
    } else {
        rng.below(input.len() + 1)
    }
}

fn line_range(input: &[u8], starts: &[usize], i: usize) -> std::ops::Range<usize> {
    let end = starts.get(i + 1).copied().unwrap_or(input.len());
    starts[i].min(end)..end
}

fn duplicate_line(rng: &mut Rng, input: &mut Vec<u8>) {
    let starts = line_starts(input);
    let line = line_range(input, &starts, rng.below(starts.len()));
    let copy = input[line.clone()].to_vec();
    let times = 1 + rng.below(3);
    for _ in 0..times {
        input.splice(line.start..line.start, copy.iter().copied());
    }
}

fn swap_lines(rng: &mut Rng, input: &mut Vec<u8>) {
    let starts = line_starts(input);
    if starts.len() < 2 {
        return;
    }
    let a = rng.below(starts.len() - 1);
    let first = line_range(input, &starts, a);
    let second = line_range(input, &starts, a + 1);
    let mut swapped = input[second.clone()].to_vec();
    swapped.extend_from_slice(&input[first.clone()]);
    input.splice(first.start..second.end, swapped);
}

/// The last panic's message and location, recorded by the panic hook so a
/// crash report can say what broke without the default hook's noise.
static LAST_PANIC: Mutex<Option<String>> = Mutex::new(None);

fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let message = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "panic".into());
        let location = info.location().map(|l| l.to_string()).unwrap_or_default();
        if let Ok(mut last) = LAST_PANIC.lock() {
            *last = Some(format!("{message} at {location}"));
        }
    }));
}

/// Writes a crashing input to `dir`, named so that `--replay` and the
/// regression test know which path to load it at.
fn save_crash(dir: &Path, input: &Seed, why: &str) -> PathBuf {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    input.bytes.hash(&mut hasher);
    let name = format!(
        "{:016x}{PATH_SEPARATOR}{}",
        hasher.finish(),
        input.path.replace('/', PATH_SEPARATOR)
    );
    let _ = std::fs::create_dir_all(dir);
    let path = dir.join(name);
    let _ = std::fs::write(&path, &input.bytes);
    let _ = std::fs::write(path.with_extension("why.txt"), format!("{why}\n"));
    path
}

/// Kills the process when one input runs past [`HANG_LIMIT`], after saving it.
fn start_watchdog(
    current: &'static Mutex<Option<Seed>>,
    started: &'static AtomicU64,
    crashes: PathBuf,
) {
    let origin = Instant::now();
    std::thread::spawn(move || {
        loop {
            std::thread::sleep(Duration::from_millis(500));
            let began = started.load(Ordering::Relaxed);
            if began == 0 {
                continue;
            }
            let running = origin
                .elapsed()
                .saturating_sub(Duration::from_millis(began));
            if running > HANG_LIMIT {
                if let Some(input) = current.lock().ok().and_then(|c| c.clone()) {
                    let path =
                        save_crash(&crashes, &input, &format!("hang: ran over {HANG_LIMIT:?}"));
                    eprintln!(
                        "HANG: an input ran over {HANG_LIMIT:?}; saved to {}",
                        path.display()
                    );
                }
                std::process::exit(1);
            }
        }
    });
    ORIGIN.get_or_init(|| origin);
}

static ORIGIN: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();

fn millis_since_origin() -> u64 {
    ORIGIN
        .get()
        .map_or(1, |o| o.elapsed().as_millis() as u64 + 1)
}

fn replay(path: &Path, base: &Base, tera: &tera::Tera) -> ExitCode {
    let Ok(bytes) = std::fs::read(path) else {
        eprintln!("cannot read {}", path.display());
        return ExitCode::from(2);
    };
    let rel = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let input = Seed {
        path: target_path(&rel),
        bytes,
    };
    println!("replaying {} at {}", path.display(), input.path);
    let found = run_pipeline(&base.repository(&input), tera);
    println!("no panic; diagnostics: {found:?}");
    ExitCode::SUCCESS
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    let files = files_under(&args.corpus);
    if files.is_empty() {
        eprintln!("no corpus in {}", args.corpus.display());
        return ExitCode::from(2);
    }
    let base = Base::new(&files);
    let settings = folio::ladder::Settings::from_config(None);
    let tera = folio::ladder::templates::Templates::read(None, &settings).tera;
    if let Some(path) = &args.replay {
        return replay(path, &base, &tera);
    }
    let mut corpus: Vec<Seed> = files
        .iter()
        .map(|(rel, bytes)| Seed {
            path: target_path(rel),
            bytes: bytes.clone(),
        })
        .collect();
    install_panic_hook();
    static CURRENT: Mutex<Option<Seed>> = Mutex::new(None);
    static STARTED: AtomicU64 = AtomicU64::new(0);
    start_watchdog(&CURRENT, &STARTED, args.crashes.clone());

    println!(
        "fuzzing for {} s with seed {} over {} corpus files",
        args.seconds,
        args.seed,
        corpus.len()
    );
    let mut rng = Rng(args.seed);
    let mut seen: BTreeSet<String> = BTreeSet::new();
    let deadline = Instant::now() + Duration::from_secs(args.seconds);
    let mut executions: u64 = 0;
    while Instant::now() < deadline {
        let seed = &corpus[rng.below(corpus.len())];
        let mut input = seed.clone();
        if rng.chance(20) {
            // Sometimes a seed lands at another kind of record.
            let other = &corpus[rng.below(corpus.len())];
            input.path = other.path.clone();
        }
        mutate(&mut rng, &mut input.bytes, &corpus);
        if let Ok(mut c) = CURRENT.lock() {
            *c = Some(input.clone());
        }
        STARTED.store(millis_since_origin(), Ordering::Relaxed);
        let repo = base.repository(&input);
        let outcome = catch_unwind(AssertUnwindSafe(|| run_pipeline(&repo, &tera)));
        STARTED.store(0, Ordering::Relaxed);
        executions += 1;
        match outcome {
            Ok(found) => {
                let new: Vec<String> = found.into_iter().filter(|k| !seen.contains(k)).collect();
                if !new.is_empty() && input.bytes.len() < 64 * 1024 {
                    seen.extend(new);
                    corpus.push(input);
                }
            }
            Err(_) => {
                let why = LAST_PANIC
                    .lock()
                    .ok()
                    .and_then(|p| p.clone())
                    .unwrap_or_default();
                let path = save_crash(&args.crashes, &input, &why);
                eprintln!(
                    "CRASH after {executions} inputs (seed {}): {why}",
                    args.seed
                );
                eprintln!("input saved to {}", path.display());
                eprintln!(
                    "replay: cargo run --release --example fuzz_records -- --replay {}",
                    path.display()
                );
                return ExitCode::from(1);
            }
        }
    }
    println!(
        "no crash in {executions} inputs ({:.0}/s); corpus grew to {}; {} distinct diagnostics",
        executions as f64 / args.seconds.max(1) as f64,
        corpus.len(),
        seen.len()
    );
    ExitCode::SUCCESS
}
