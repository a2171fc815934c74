//! Loading a records repository: find the record files (SPEC §1), split and
//! parse each one into typed records, and collect every problem as a
//! diagnostic instead of stopping at the first.

mod cache;
pub mod frontmatter;
mod problems;
pub mod site_map;
pub mod templates;
pub mod tera1;
pub mod walk;

use crate::diagnostic::{Code, Diagnostic, Pos, closest};
use crate::model::{
    self, Account, AccountDir, Config, Invoice, Kind, Page, Project, Record, Repo, account_of,
    classify, is_slug,
};
use frontmatter::SplitError;
use rayon::prelude::*;
use schemars::JsonSchema;
use serde::de::DeserializeOwned;
use std::collections::BTreeMap;
use std::path::Path;

// The methods that read a repository's folders again from disk live here,
// beside the loading they repeat; the types are model's.
impl Repo {
    /// Reads `accounts/<id>/` again from disk, replacing what was loaded from
    /// it (records and diagnostics); the account goes when its folder does.
    /// The result is what a fresh [`load`] would give for that folder.
    pub fn reload_account(&mut self, id: &str) {
        let root = self.root.clone();
        self.reload_account_from(id, &FsSource(&root));
    }

    /// [`Repo::reload_account`] with some files' bytes given instead of read
    /// from disk: what the account would be once they are written (the edit
    /// commands validate a change before writing it).
    pub fn reload_account_with(&mut self, id: &str, files: &BTreeMap<String, Vec<u8>>) {
        let root = self.root.clone();
        self.reload_account_from(
            id,
            &Overlay {
                disk: FsSource(&root),
                files,
            },
        );
    }

    fn reload_account_from(&mut self, id: &str, source: &dyn Source) {
        self.diagnostics.retain(|d| account_of(&d.file) != Some(id));
        if let Ok(i) = self.accounts.binary_search_by(|a| a.id.as_str().cmp(id)) {
            self.accounts.remove(i);
        }
        let listing = walk::walk_account(&self.root, id);
        let fresh = load_from(source, listing.files);
        self.diagnostics.extend(listing.diagnostics);
        self.diagnostics.extend(fresh.diagnostics);
        for account in fresh.accounts {
            match self
                .accounts
                .binary_search_by(|a| a.id.as_str().cmp(&account.id))
            {
                Ok(i) => self.accounts[i] = account,
                Err(i) => self.accounts.insert(i, account),
            }
        }
    }

    /// Reads `handbook/` again from disk.
    pub fn reload_handbook(&mut self) {
        self.diagnostics.retain(|d| !d.file.starts_with("handbook"));
        let listing = walk::walk_handbook(&self.root);
        let fresh = load_from(&FsSource(&self.root), listing.files);
        self.diagnostics.extend(listing.diagnostics);
        self.diagnostics.extend(fresh.diagnostics);
        self.handbook = fresh.handbook;
    }
}

/// Where record bytes come from: the file system, or a git tree.
pub trait Source: Sync {
    fn read(&self, rel: &str) -> std::io::Result<Vec<u8>>;
}

/// Reads records from a folder.
pub struct FsSource<'a>(pub &'a Path);

impl Source for FsSource<'_> {
    /// Reads at most one byte more than a record may have, so an oversized
    /// file is refused without being read whole.
    fn read(&self, rel: &str) -> std::io::Result<Vec<u8>> {
        use std::io::Read;
        let limit = frontmatter::MAX_FILE_BYTES as u64 + 1;
        let file = std::fs::File::open(self.0.join(rel))?;
        let mut bytes =
            Vec::with_capacity(file.metadata().map_or(0, |m| m.len().min(limit)) as usize);
        file.take(limit).read_to_end(&mut bytes)?;
        Ok(bytes)
    }
}

/// The file system, except for the files held in memory.
struct Overlay<'a> {
    disk: FsSource<'a>,
    files: &'a BTreeMap<String, Vec<u8>>,
}

impl Source for Overlay<'_> {
    fn read(&self, rel: &str) -> std::io::Result<Vec<u8>> {
        match self.files.get(rel) {
            Some(bytes) => Ok(bytes.clone()),
            None => self.disk.read(rel),
        }
    }
}

/// Records held in memory, keyed by relative path: for tests, property
/// tests and the fuzzer, which feed the loader bytes that never touch a disk.
#[derive(Clone, Debug, Default)]
pub struct MemSource(pub BTreeMap<String, Vec<u8>>);

impl Source for MemSource {
    fn read(&self, rel: &str) -> std::io::Result<Vec<u8>> {
        self.0
            .get(rel)
            .cloned()
            .ok_or_else(|| std::io::Error::from(std::io::ErrorKind::NotFound))
    }
}

impl MemSource {
    /// Loads every file of the source as the loader would from disk.
    pub fn load(&self) -> Repo {
        load_from(self, self.0.keys().cloned().collect())
    }
}

/// Loads the repository at `root` from the file system.
pub fn load(root: &Path) -> Repo {
    let t = std::time::Instant::now();
    let listing = walk::walk(root);
    crate::timing("walk", t);
    let mut repo = assemble(cache::parse_all(root, listing.files, listing.stamps));
    repo.diagnostics.extend(listing.diagnostics);
    repo.root = root.to_path_buf();
    repo
}

/// Loads folio.yaml and the handbook at `root`, and no client record: what
/// `build --handbook-only` needs (its people and roles come from
/// folio.yaml). Read past the records cache, which is the full load's: the
/// handbook is a few files, and the cache of every account stays as it was.
pub fn load_handbook_only(root: &Path) -> Repo {
    let listing = walk::walk_handbook_only(root);
    let mut repo = load_from(&FsSource(root), listing.files);
    repo.diagnostics.extend(listing.diagnostics);
    repo.root = root.to_path_buf();
    repo
}

/// Parses the listed files (relative paths) from `source`, in parallel.
pub fn load_from(source: &dyn Source, files: Vec<String>) -> Repo {
    assemble(parse_files(source, files))
}

/// Parses the record files among `files`, in parallel.
fn parse_files(source: &dyn Source, files: Vec<String>) -> Vec<Parsed> {
    files
        .into_par_iter()
        .filter_map(|rel| {
            let kind = classify(&rel)?;
            Some(parse_file(source, rel, kind))
        })
        .collect()
}

/// Records are boxed so that the lists of 60,000 parses moved between
/// phases hold pointers, not half-kilobyte records each.
#[derive(serde::Serialize, serde::Deserialize)]
enum Loaded {
    Config(Box<Record<Config>>),
    Page(Box<Record<Page>>),
    Account(String, Box<Record<Account>>),
    Project(String, Box<Record<Project>>),
    Invoice(String, Box<Record<Invoice>>),
    /// The file could not be read as a record; its folder still exists.
    Broken(Option<String>),
}

#[derive(serde::Serialize, serde::Deserialize)]
struct Parsed {
    loaded: Loaded,
    diagnostics: Vec<Diagnostic>,
}

fn parse_file(source: &dyn Source, rel: String, kind: Kind) -> Parsed {
    let mut diagnostics = vec![];
    let stem = rel
        .rsplit('/')
        .next()
        .unwrap_or_default()
        .trim_end_matches(".md")
        .to_string();
    let account = match &kind {
        Kind::Account { account } | Kind::Project { account } | Kind::Invoice { account } => {
            Some(account.clone())
        }
        _ => None,
    };
    if matches!(kind, Kind::Project { .. }) && !is_slug(&stem) {
        diagnostics.push(slug_diagnostic(&rel, "project file name", &stem));
    }
    let bytes = match source.read(&rel) {
        Ok(b) => b,
        Err(e) => {
            diagnostics.push(Diagnostic::new(
                Code::ReadError,
                &rel,
                Pos::START,
                format!("cannot read file: {e}"),
                "check the file's permissions",
            ));
            return Parsed {
                loaded: Loaded::Broken(account),
                diagnostics,
            };
        }
    };
    let result = match kind {
        Kind::Config => parse_config(&bytes, &rel).map(|r| Loaded::Config(Box::new(r))),
        Kind::Page => parse_record(&bytes, &rel, &stem).map(|r| Loaded::Page(Box::new(r))),
        Kind::Account { account } => {
            parse_record(&bytes, &rel, &stem).map(|r| Loaded::Account(account, Box::new(r)))
        }
        Kind::Project { account } => {
            parse_record(&bytes, &rel, &stem).map(|r| Loaded::Project(account, Box::new(r)))
        }
        Kind::Invoice { account } => {
            parse_record(&bytes, &rel, &stem).map(|r| Loaded::Invoice(account, Box::new(r)))
        }
    };
    let loaded = match result {
        Ok(l) => l,
        Err(found) => {
            diagnostics.extend(found);
            Loaded::Broken(account)
        }
    };
    Parsed {
        loaded,
        diagnostics,
    }
}

pub(crate) fn slug_diagnostic(rel: &str, what: &str, name: &str) -> Diagnostic {
    let suggestion = model::number_slug(name);
    Diagnostic::new(
        Code::BadSlug,
        rel,
        Pos::START,
        format!(
            "{what} `{name}` is not a slug (lowercase letters, digits and `-`, at most 64 characters)"
        ),
        format!("rename it to `{}`", &suggestion[..suggestion.len().min(64)]),
    )
}

fn split_error(rel: &str, e: SplitError) -> Diagnostic {
    Diagnostic::new(e.code, rel, e.pos, e.message, e.hint)
}

fn parse_config(bytes: &[u8], rel: &str) -> Result<Record<Config>, Vec<Diagnostic>> {
    let text = frontmatter::decode(bytes).map_err(|e| vec![split_error(rel, e)])?;
    frontmatter::check_yaml_file(&text).map_err(|e| vec![split_error(rel, e)])?;
    let data = parse_reporting_all::<Config>(&text, rel)?;
    Ok(Record {
        file: rel.to_string(),
        id: "folio".into(),
        data,
        body: String::new(),
        body_line: 1,
    })
}

fn parse_record<T: DeserializeOwned + JsonSchema>(
    bytes: &[u8],
    rel: &str,
    stem: &str,
) -> Result<Record<T>, Vec<Diagnostic>> {
    let text = frontmatter::decode(bytes).map_err(|e| vec![split_error(rel, e)])?;
    let doc = frontmatter::split(text).map_err(|e| vec![split_error(rel, e)])?;
    let data = parse_reporting_all::<T>(doc.yaml(), rel)?;
    let body_line = doc.body_line;
    Ok(Record {
        file: rel.to_string(),
        id: stem.to_string(),
        data,
        body: doc.into_body(),
        body_line,
    })
}

/// Limits against YAML bombs (serde-saphyr's budget and alias limits),
/// far above what a hand-written record needs and far below what would take
/// noticeable time or memory. The README quotes these numbers.
pub mod limits {
    /// Parser events (scalars, collection starts and ends) per file.
    pub const MAX_EVENTS: usize = 200_000;
    /// Nodes (scalars, sequences, mappings) per file.
    pub const MAX_NODES: usize = 200_000;
    /// Nesting depth of sequences and mappings.
    pub const MAX_DEPTH: usize = 64;
    /// `&anchor` definitions and `*alias` uses per file.
    pub const MAX_ANCHORS: usize = 1_000;
    pub const MAX_ALIASES: usize = 1_000;
    /// Events replayed by aliases in total ("billion laughs" stops here).
    pub const MAX_REPLAYED_EVENTS: usize = 100_000;
    /// Aliases nested inside aliases.
    pub const MAX_REPLAY_DEPTH: usize = 16;
    /// Characters a key may have (YAML's own simple-key limit).
    pub const MAX_KEY_CHARS: usize = 1_024;
    /// Bytes of scalar text per file: no more than the file may hold.
    pub const MAX_SCALAR_BYTES: usize = super::frontmatter::MAX_FILE_BYTES;
}

fn yaml_options() -> serde_saphyr::Options {
    serde_saphyr::options! {
        budget: serde_saphyr::budget! {
            max_events: limits::MAX_EVENTS,
            max_aliases: limits::MAX_ALIASES,
            max_anchors: limits::MAX_ANCHORS,
            max_depth: limits::MAX_DEPTH,
            max_nodes: limits::MAX_NODES,
            max_documents: 1,
            max_total_scalar_bytes: limits::MAX_SCALAR_BYTES,
            max_recorded_anchor_bytes: limits::MAX_SCALAR_BYTES,
            simple_key_max_lookahead: limits::MAX_KEY_CHARS,
            flow_nesting_limit: limits::MAX_DEPTH,
        },
        // `1_000` is a thousands separator in disguise: read as text, so
        // an amount written that way is refused like `"1,000"`.
        underscored_numbers_as_strings: true,
        alias_limits: serde_saphyr::alias_limits! {
            max_total_replayed_events: limits::MAX_REPLAYED_EVENTS,
            max_replay_stack_depth: limits::MAX_REPLAY_DEPTH,
        },
    }
}

/// Parses a record's YAML; when it does not fit, reports every problem
/// found in it (see [`problems`]).
fn parse_reporting_all<T: DeserializeOwned + JsonSchema>(
    yaml: &str,
    rel: &str,
) -> Result<T, Vec<Diagnostic>> {
    parse_yaml::<T>(yaml, rel).map_err(|first| problems::all::<T>(yaml, rel, first))
}

/// An empty front matter is an empty mapping (so missing keys are named),
/// not a null document.
fn or_empty_mapping(yaml: &str) -> &str {
    if yaml.trim().is_empty() { "{}" } else { yaml }
}

/// Parses YAML whose line numbers are already the file's.
pub fn parse_yaml<T: DeserializeOwned>(yaml: &str, rel: &str) -> Result<T, Diagnostic> {
    let yaml = or_empty_mapping(yaml);
    serde_saphyr::from_str_with_options::<T>(yaml, yaml_options()).map_err(|e| {
        let mut d = yaml_diagnostic(&e, rel);
        if d.code == Code::MissingKey {
            point_at_entry(&mut d, yaml);
        }
        if d.code == Code::WrongType {
            name_the_value(&mut d, yaml);
        }
        d
    })
}

/// serde-saphyr places a missing key at the last key of the mapping that
/// lacks it; the reader wants the mapping itself. Walks up from there to the
/// first key of that block mapping (or its `- ` list item), and says whether
/// the key is missing from the front matter or from one entry.
fn point_at_entry(d: &mut Diagnostic, yaml: &str) {
    let key = backticked(&d.message).unwrap_or("?").to_string();
    if d.pos.column > 1 {
        d.hint = format!("add `{key}:` to this entry");
    } else if !d.file.ends_with(".md") {
        d.hint = format!("add `{key}:` to {}", d.file);
    }
    let lines: Vec<&str> = yaml.split('\n').collect();
    let Some(found) = lines.get(d.pos.line as usize - 1) else {
        return;
    };
    let column = d.pos.column as usize;
    let indent_of = |l: &str| l.len() - l.trim_start_matches([' ', '-']).len();
    // Only block mappings whose key starts exactly at the reported column.
    if indent_of(found) + 1 != column || found.trim_start().starts_with(['{', '[']) {
        return;
    }
    let mut start = d.pos.line as usize;
    // A `- key:` line opens its list item: nothing above belongs to it.
    let opens_item = found[..indent_of(found)].contains('-');
    // (A record's YAML starts with the empty line of its opening `---`;
    // folio.yaml starts with a key: both are walked from line 1.)
    let above = if opens_item { 0 } else { start - 1 };
    for (i, l) in lines.iter().enumerate().take(above).rev() {
        let t = l.trim();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        let indent = indent_of(l);
        if indent < column - 1 {
            break;
        }
        if indent == column - 1 {
            start = i + 1;
            // A `- key:` line opens the list item: it is the entry's start.
            if l[..indent].contains('-') {
                break;
            }
        }
    }
    let dash = lines[start - 1].find('-').filter(|p| *p + 1 < column);
    d.pos = Pos::new(start as u32, dash.map_or(column, |p| p + 1) as u32);
}

/// Turns a parser or serde error into a diagnostic with a stable code and a hint.
fn yaml_diagnostic(e: &serde_saphyr::Error, rel: &str) -> Diagnostic {
    let pos = e
        .location()
        .map(|l| Pos::new(l.line() as u32, l.column() as u32))
        .unwrap_or(Pos::START);
    let full = e.without_snippet().to_string();
    let msg = match full.rfind(" at line ") {
        Some(i) => &full[..i],
        None => full.as_str(),
    };
    let (code, message, hint) = classify_message(msg);
    Diagnostic::new(code, rel, pos, message, hint)
}

/// Stands for the offending value in a message until it is read from the
/// source (see [`scalar_at`]).
const THIS_VALUE: &str = "this value";

/// serde-saphyr reports a scalar that does not fit a number or boolean
/// field as `invalid u32`, `invalid boolean (...)`, and a value of the wrong
/// shape as `expected mapping start`: what was expected, in words.
fn expected_scalar(msg: &str) -> Option<String> {
    match msg {
        "expected mapping start" => return Some("a mapping of `key: value` pairs".into()),
        "expected sequence start" => return Some("a list".into()),
        "expected scalar" | "expected string scalar" | "expected str expected" => {
            return Some("a single value (text, a number or a date)".into());
        }
        _ => {}
    }
    let ty = msg.strip_prefix("invalid ")?.split([' ', ':']).next()?;
    let whole_from_zero = |max: u64| format!("a whole number from 0 to {max}");
    Some(match ty {
        "u8" => whole_from_zero(u8::MAX.into()),
        "u16" => whole_from_zero(u16::MAX.into()),
        "u32" => whole_from_zero(u32::MAX.into()),
        "u64" | "usize" => whole_from_zero(u64::MAX),
        "i8" | "i16" | "i32" | "i64" | "isize" => "a whole number".into(),
        "f32" | "f64" => "a number".into(),
        "bool" | "boolean" => "true or false".into(),
        "char" => "a single character".into(),
        _ => return None,
    })
}

/// Puts what the source holds at the diagnostic's position into a
/// `this value is not ...` message: the value itself, "this list", "this
/// mapping", or, for a key with nothing after its colon, that key.
fn name_the_value(d: &mut Diagnostic, yaml: &str) {
    let Some(what) = d
        .message
        .strip_prefix(THIS_VALUE)
        .and_then(|m| m.strip_prefix(" is not "))
        .map(str::to_string)
    else {
        return;
    };
    match found_at(yaml, d.pos) {
        Some(Found::Empty(Some(key))) => {
            d.message = format!("`{key}` has no value");
            d.hint = format!("write {what} after `{key}:`");
        }
        Some(Found::Empty(None)) => {
            d.message = "this list entry is empty".into();
            d.hint = format!("write {what} after the `-`, or remove the entry");
        }
        Some(Found::Value(value)) => d.message = format!("{value} is not {what}"),
        None => {}
    }
}

enum Found {
    /// Nothing after a key's colon (the key, when it is on the line) or
    /// after a list dash (`None`).
    Empty(Option<String>),
    /// A scalar in backticks, or "this list" / "this mapping".
    Value(String),
}

/// What the parser found at `pos` in `yaml`. For an empty value serde-saphyr
/// points at the key's colon (or at the end of a bare `-`).
fn found_at(yaml: &str, pos: Pos) -> Option<Found> {
    let line = yaml.split('\n').nth((pos.line as usize).checked_sub(1)?)?;
    let line = line.trim_end_matches('\r');
    let before: String = line
        .chars()
        .take((pos.column as usize).saturating_sub(1))
        .collect();
    let rest: String = line
        .chars()
        .skip((pos.column as usize).saturating_sub(1))
        .collect();
    let nothing_after = |s: &str| {
        let s = s.trim_start();
        s.is_empty() || s.starts_with([',', '}', ']', '#'])
    };
    if let Some(after_colon) = rest.strip_prefix(':')
        && nothing_after(after_colon)
    {
        let key = before
            .rsplit(['{', ',', '-'])
            .next()
            .map(|k| k.trim().trim_matches(['"', '\'']).to_string())
            .filter(|k| !k.is_empty());
        return Some(Found::Empty(key));
    }
    // Some deserializers point at the key itself: `amount:` and nothing more.
    if let Some((key, after_colon)) = rest.split_once(':')
        && nothing_after(after_colon)
        && !key.is_empty()
        && !key.contains(char::is_whitespace)
    {
        return Some(Found::Empty(Some(
            key.trim_matches(['"', '\'']).to_string(),
        )));
    }
    if nothing_after(&rest) && before.trim_end().ends_with('-') {
        return Some(Found::Empty(None));
    }
    let value = match rest.chars().next()? {
        '[' => return Some(Found::Value("this list".into())),
        '{' => return Some(Found::Value("this mapping".into())),
        '-' if rest.starts_with("- ") => return Some(Found::Value("this list".into())),
        quote @ ('"' | '\'') => {
            let end = rest[1..].find(quote)?;
            &rest[..end + 2]
        }
        _ => rest.split([',', '}', ']', '#']).next()?.trim_end(),
    };
    if value.contains(": ") || value.ends_with(':') {
        return Some(Found::Value("this mapping".into()));
    }
    (!value.is_empty()).then(|| Found::Value(format!("`{value}`")))
}

fn backticked(s: &str) -> Option<&str> {
    let start = s.find('`')? + 1;
    let end = start + s[start..].find('`')?;
    Some(&s[start..end])
}

fn expected_list(s: &str) -> Vec<&str> {
    s.split_once("expected one of ")
        .map(|(_, list)| {
            list.split(',')
                .map(|k| k.trim().trim_matches('`'))
                .filter(|k| !k.is_empty())
                .collect()
        })
        .unwrap_or_default()
}

fn suggestion_hint(unknown: &str, known: &[&str], what: &str) -> String {
    match closest(unknown, known.iter().copied()) {
        Some(k) => format!("did you mean `{k}`?"),
        None if known.is_empty() => format!("remove this {what}"),
        None => format!("known {what}s: {}", known.join(", ")),
    }
}

/// Which of the [`limits`] a parser message reports, in words; `None` when
/// the message is not about a limit.
fn safety_limit(msg: &str) -> Option<String> {
    use limits::*;
    let has = |s: &str| msg.contains(s);
    Some(if has("Aliases {") {
        format!("more than {MAX_ALIASES} aliases (`*name`)")
    } else if has("Anchors {") {
        format!("more than {MAX_ANCHORS} anchors (`&name`)")
    } else if has("Events {") {
        format!("more than {MAX_EVENTS} YAML events (values, lists and mappings)")
    } else if has("Nodes {") {
        format!("more than {MAX_NODES} values, lists and mappings")
    } else if has("Depth {") || has("recursion limit") || has("nesting limit") {
        format!("lists and mappings nested more than {MAX_DEPTH} deep")
    } else if has("Documents {") {
        "more than one YAML document in the front matter".to_string()
    } else if has("ScalarBytes {") {
        format!("more than {MAX_SCALAR_BYTES} bytes of text")
    } else if has("alias replay") || has("alias expansion") {
        format!(
            "aliases expand to more than {MAX_REPLAYED_EVENTS} events, or nest more than {MAX_REPLAY_DEPTH} deep"
        )
    } else if has("budget") || has("limit") {
        msg.to_string()
    } else {
        return None;
    })
}

fn unknown_key(key: &str, known: &[&str]) -> (Code, String, String) {
    (
        Code::UnknownKey,
        format!("unknown key `{key}`"),
        suggestion_hint(key, known, "key"),
    )
}

/// Where the key is missing from is said by [`point_at_entry`].
fn missing_key(key: &str) -> (Code, String, String) {
    (
        Code::MissingKey,
        format!("missing required key `{key}`"),
        format!("add `{key}:` to the front matter"),
    )
}

/// How a diagnostic about the [`limits`] starts.
const OVER_LIMITS: &str = "YAML exceeds folio's safety limits";

fn classify_message(msg: &str) -> (Code, String, String) {
    if msg.starts_with("unknown field") {
        return unknown_key(backticked(msg).unwrap_or("?"), &expected_list(msg));
    }
    if msg.starts_with("unknown variant") {
        let value = backticked(msg).unwrap_or("?");
        let known = expected_list(msg);
        // An invoice is paid by its payments, never by a status.
        let hint = if value == "paid" && known.contains(&"written_off") {
            format!(
                "`paid` is worked out from `payments:`: keep `status: open` and record the payment with `folio pay NUMBER AMOUNT` (allowed: {})",
                known.join(", ")
            )
        } else {
            suggestion_hint(value, &known, "value")
        };
        return (
            Code::BadValue,
            format!("`{value}` is not an allowed value"),
            hint,
        );
    }
    if let Some(rest) = msg.strip_prefix("non-finite float ") {
        let value = backticked(rest).unwrap_or(".inf");
        return (
            Code::BadAmount,
            format!("`{value}` is not a decimal number"),
            "write amounts as plain numbers, e.g. `amount: 12000.50`".into(),
        );
    }
    if msg.starts_with("missing field") {
        return missing_key(backticked(msg).unwrap_or("?"));
    }
    if msg.starts_with("duplicate mapping key") {
        return (
            Code::DuplicateKey,
            msg.split(", set ").next().unwrap_or(msg).to_string(),
            "remove one of the two entries with this key".into(),
        );
    }
    if msg.contains("not a date") || msg.contains("not a real calendar day") {
        return (
            Code::BadDate,
            msg.to_string(),
            "write dates as YYYY-MM-DD, e.g. 2026-10-01".into(),
        );
    }
    if msg.starts_with("share") {
        return (
            Code::BadValue,
            msg.to_string(),
            "write a percentage between 0% and 100%, e.g. `share: 30%`".into(),
        );
    }
    if msg.starts_with("amount") {
        return (
            Code::BadAmount,
            msg.to_string(),
            "write amounts as plain numbers, e.g. `amount: 12000.50`".into(),
        );
    }
    // From `model::types::whole`: a whole-number field.
    if let Some((_, what)) = msg.split_once(" is not a whole number") {
        let hint = if what.contains("in quotes") {
            "write the number without quotes, e.g. `7`".to_string()
        } else {
            format!("write a whole number{what} here")
        };
        return (Code::WrongType, msg.to_string(), hint);
    }
    if msg.starts_with("cannot deserialize null into string") {
        return (
            Code::WrongType,
            format!("{THIS_VALUE} is not text"),
            "write text here".into(),
        );
    }
    if let Some(what) = msg.strip_prefix("invalid type: unit value, expected ") {
        return (
            Code::WrongType,
            format!("{THIS_VALUE} is not {what}"),
            format!("write {what} here"),
        );
    }
    if let Some(what) = expected_scalar(msg) {
        return (
            Code::WrongType,
            format!("{THIS_VALUE} is not {what}"),
            format!("write {what} here"),
        );
    }
    if msg.starts_with("invalid type")
        || msg.starts_with("invalid value")
        || msg.contains("invalid length")
    {
        return (
            Code::WrongType,
            msg.to_string(),
            "check the value's type against `folio schema`".into(),
        );
    }
    if let Some(limit) = safety_limit(msg) {
        return (
            Code::YamlSyntax,
            format!("{OVER_LIMITS}: {limit}"),
            "records do not need anchors, aliases or deep nesting: write the values out".into(),
        );
    }
    (
        Code::YamlSyntax,
        format!("invalid YAML: {msg}"),
        "fix the YAML syntax at this position".into(),
    )
}

fn assemble(parsed: Vec<Parsed>) -> Repo {
    let mut repo = Repo::default();
    let mut accounts: BTreeMap<String, AccountDir> = BTreeMap::new();
    fn dir(accounts: &mut BTreeMap<String, AccountDir>, id: String) -> &mut AccountDir {
        accounts.entry(id.clone()).or_insert_with(|| AccountDir {
            id,
            ..Default::default()
        })
    }
    for p in parsed {
        repo.diagnostics.extend(p.diagnostics);
        match p.loaded {
            Loaded::Config(c) => repo.config = Some(*c),
            Loaded::Page(pg) => repo.handbook.push(*pg),
            Loaded::Account(a, r) => dir(&mut accounts, a).account = Some(*r),
            Loaded::Project(a, r) => dir(&mut accounts, a).projects.push(*r),
            Loaded::Invoice(a, r) => dir(&mut accounts, a).invoices.push(*r),
            Loaded::Broken(Some(a)) => {
                dir(&mut accounts, a);
            }
            Loaded::Broken(None) => {}
        }
    }
    for a in accounts.values_mut() {
        a.projects.sort_by(|x, y| x.id.cmp(&y.id));
        a.invoices.sort_by(|x, y| x.file.cmp(&y.file));
    }
    repo.handbook
        .sort_by(|a, b| (a.data.order, &a.id).cmp(&(b.data.order, &b.id)));
    repo.accounts = accounts.into_values().collect();
    repo
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_invoice(yaml: &str) -> Result<Invoice, Diagnostic> {
        parse_yaml::<Invoice>(yaml, "i.md")
    }

    #[test]
    fn unknown_key_suggests_the_closest() {
        let d = parse_invoice("\nnumber: A\nisued: 2026-01-01\n").unwrap_err();
        assert_eq!(d.code, Code::UnknownKey);
        assert_eq!(d.pos, Pos::new(3, 1));
        assert_eq!(d.hint, "did you mean `issued`?");
    }

    #[test]
    fn value_errors_have_codes_and_positions() {
        let base = "\nnumber: A\nissued: 2026-01-01\n";
        let cases = [
            ("amount: \"12,000.50\"", Code::BadAmount, Pos::new(4, 9)),
            ("amount: 5\ndue: 2026-02-30", Code::BadDate, Pos::new(5, 6)),
            ("amount: 5\nstatus: opne", Code::BadValue, Pos::new(5, 9)),
            ("amount: .inf", Code::BadAmount, Pos::new(4, 9)),
            ("amount: .nan", Code::BadAmount, Pos::new(4, 9)),
            ("amount: 1_000", Code::BadAmount, Pos::new(4, 9)),
            (
                "amount: 5\npayments: [{date: 2026-01-02, amount: 1}, {",
                Code::YamlSyntax,
                Pos::new(5, 43),
            ),
        ];
        for (extra, code, pos) in cases {
            let d = parse_invoice(&format!("{base}{extra}\n")).unwrap_err();
            assert_eq!((d.code, d.pos), (code, pos), "{extra}: {d:?}");
        }
        let d = parse_invoice(&format!("{base}amount: 5\nstatus: paid\n")).unwrap_err();
        assert!(d.hint.contains("payments"), "{d:?}");
        let d = parse_invoice("\nnumber: A\n").unwrap_err();
        assert_eq!(d.code, Code::MissingKey);
        assert!(d.message.contains("issued") || d.message.contains("amount"));
    }

    #[test]
    fn alias_bombs_are_refused() {
        let mut yaml = String::from("\nnumber: A\nissued: 2026-01-01\namount: 1\nlog:\n");
        yaml.push_str("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..10 {
            yaml.push_str(&format!("a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n", p = i - 1));
        }
        assert!(parse_invoice(&yaml).is_err());
    }
}
