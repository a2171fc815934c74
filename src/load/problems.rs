//! Every problem of a file whose YAML did not fit its record.
//!
//! serde stops at the first problem, so a file with two misspelled keys or
//! two bad dates would need a run per problem. When a file fails, two more
//! passes find the rest; only failing files pay for them:
//!
//! - its YAML is read as a plain tree with positions and walked against the
//!   record's JSON Schema (the one `folio schema` prints, from the same
//!   types), which names every key the record does not know and every
//!   required key it lacks, in nested entries too;
//! - the value serde stopped at is replaced by a valid stand-in of its type
//!   (`2000-01-01` for a date), or where there is none its entry (a `key:
//!   value` line and the block under it, or a whole list item) is blanked
//!   out, and the file parsed again, so the next bad value is met too, and
//!   so on. A problem found after a change counts only when it lies below
//!   the changed lines: one above them (a mapping now empty) is the
//!   change's own.

use super::{Code, Diagnostic, Pos, or_empty_mapping, parse_yaml, yaml_diagnostic};
use crate::diagnostic::closest;
use schemars::JsonSchema;
use serde::de::{
    self, Deserialize, DeserializeOwned, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor,
};
use serde_json::Value;
use serde_saphyr::Spanned;
use std::fmt;

/// How many times a file is parsed again past a bad value, and the largest
/// front matter that is (a hand-written record is a few hundred bytes; a
/// hostile one must not cost twenty parses of megabytes).
const MAX_REPARSES: usize = 20;
const MAX_REPARSE_BYTES: usize = 64 * 1024;

/// `first`, the problem serde met in `yaml` (whose line numbers are the
/// file's) read as a `T`, with every other problem the two passes find,
/// in the order of the file.
pub fn all<T: DeserializeOwned + JsonSchema>(
    yaml: &str,
    rel: &str,
    first: Diagnostic,
) -> Vec<Diagnostic> {
    let yaml = or_empty_mapping(yaml);
    let tree =
        match serde_saphyr::from_str_with_options::<Spanned<Node>>(yaml, super::yaml_options()) {
            Ok(tree) => tree,
            // Not YAML: what serde met, and the syntax error after it. (A
            // file over a safety limit is reported once: what serde met.)
            Err(e) => {
                let broken = yaml_diagnostic(&e, rel);
                let over_limit = broken.message.starts_with(super::OVER_LIMITS);
                return sorted(
                    [first]
                        .into_iter()
                        .chain((!over_limit).then_some(broken))
                        .collect(),
                );
            }
        };
    let walked = walk::<T>(&tree, yaml, rel);
    let keys = walked.found;
    let mut values = value_problems::<T>(yaml, rel, first, &walked.stand_ins);
    // serde's report of a key problem is among the walk's, worded alike.
    values.retain(|d| !(is_key_problem(d.code) && keys.iter().any(|k| k.code == d.code)));
    sorted(keys.into_iter().chain(values).collect())
}

fn is_key_problem(code: Code) -> bool {
    matches!(code, Code::UnknownKey | Code::MissingKey)
}

fn sorted(mut found: Vec<Diagnostic>) -> Vec<Diagnostic> {
    found.sort_by_key(|d| (d.pos, d.code));
    found.dedup_by(|a, b| a.pos == b.pos && a.code == b.code && a.message == b.message);
    found
}

/// A block `key: value` line whose value could be replaced by a valid one.
struct StandIn {
    line: usize,
    /// Byte offset of the key in its line.
    key_at: usize,
    key: String,
    /// A value of the key's type (`2000-01-01` for a date, ...).
    value: String,
}

/// `first` and the problems met by parsing again with each problem's value
/// replaced by a valid stand-in of its type (a required key stays present)
/// or, where there is none, its entry blanked out. A list item that lacks a
/// required key goes whole (the walk reports the key).
fn value_problems<T: DeserializeOwned>(
    yaml: &str,
    rel: &str,
    first: Diagnostic,
    stand_ins: &[StandIn],
) -> Vec<Diagnostic> {
    let mut lines: Vec<String> = yaml.split('\n').map(str::to_owned).collect();
    let mut found = vec![];
    let mut next = Some(first);
    let mut reparses = if yaml.len() <= MAX_REPARSE_BYTES {
        MAX_REPARSES
    } else {
        0
    };
    while let Some(error) = next.take() {
        let line = error.pos.line as usize;
        let missing = error.code == Code::MissingKey;
        // Key problems met on the way are the walk's to report.
        if found.is_empty() || !is_key_problem(error.code) {
            found.push(error);
        }
        if reparses == 0 {
            break;
        }
        reparses -= 1;
        let stand_in_here = stand_ins.iter().find(|s| s.line == line && !missing);
        let last_changed = match stand_in_here {
            Some(s) => match stand_in(&mut lines, s) {
                Some(last) => last,
                None => break,
            },
            None if missing
                && !lines
                    .get(line.wrapping_sub(1))
                    .is_some_and(|l| starts_item(l)) =>
            {
                break;
            }
            None => match blank_entry(&mut lines, line) {
                Some(last) => last,
                None => break,
            },
        };
        let text = lines.join("\n");
        // A blanked line inside a multi-line flow collection breaks it.
        if serde_saphyr::from_str_with_options::<IgnoredAny>(&text, super::yaml_options()).is_err()
        {
            break;
        }
        // A problem above the last change is the change's own.
        next = parse_yaml::<T>(&text, rel)
            .err()
            .filter(|e| e.pos.line as usize > last_changed);
    }
    found
}

fn starts_item(line: &str) -> bool {
    let entry = line.trim_start();
    entry == "-" || entry.starts_with("- ")
}

/// Writes `s`'s key with its stand-in value on its line, and blanks the
/// lines indented under it (the rest of a multi-line value); returns the
/// last line changed. `None` if the line is no longer as it was read.
fn stand_in(lines: &mut [String], s: &StandIn) -> Option<usize> {
    let text = lines.get(s.line.checked_sub(1)?)?;
    let before_key = text.get(..s.key_at)?;
    if !text[s.key_at..].starts_with(&s.key) {
        return None;
    }
    let indent = text.len() - text.trim_start().len();
    lines[s.line - 1] = format!("{before_key}{}: {}", s.key, s.value);
    Some(blank_under(lines, s.line, indent.max(s.key_at)))
}

/// Blanks the entry that starts on `line` (1-based) and the lines indented
/// under it, keeping the line count; returns the last line blanked. A list
/// item goes whole (`- key: value` with the rest of its mapping), so no
/// key of it is left missing; a list left with no item is written `[]`
/// (an empty key is no list). `None` when the line starts no entry.
fn blank_entry(lines: &mut [String], line: usize) -> Option<usize> {
    let text = lines.get(line.checked_sub(1)?)?;
    let entry = text.trim_start();
    let indent = text.len() - entry.len();
    let is_item = starts_item(entry);
    if !is_item && !starts_key(entry) {
        return None;
    }
    lines[line - 1].clear();
    let last = blank_under(lines, line, indent);
    let indent_of = |l: &String| l.len() - l.trim_start().len();
    let item_follows = lines
        .get(last)
        .is_some_and(|l| starts_item(l) && indent_of(l) == indent);
    let above = lines[..line - 1].iter().rposition(|l| !l.trim().is_empty());
    if let (true, false, Some(p)) = (is_item, item_follows, above) {
        let parent = &lines[p];
        if !starts_item(parent) && indent_of(parent) <= indent && parent.trim_end().ends_with(':') {
            lines[p].push_str(" []");
        }
    }
    Some(last)
}

/// Blanks the lines after `line` indented more than `indent` (blank lines
/// among them too); returns the last line blanked, or `line`.
fn blank_under(lines: &mut [String], line: usize, indent: usize) -> usize {
    let mut last = line;
    while let Some(next) = lines.get(last) {
        let t = next.trim_start();
        if !t.is_empty() && next.len() - t.len() <= indent {
            break;
        }
        last += 1;
    }
    for l in &mut lines[line..last] {
        l.clear();
    }
    last
}

/// Whether `s` starts with a plain `key:` (not a flow collection, a quoted
/// key or a comment).
fn starts_key(s: &str) -> bool {
    let Some((key, rest)) = s.split_once(':') else {
        return false;
    };
    !key.is_empty()
        && !key.starts_with(['-', '#', '{', '[', '"', '\'', '?', '&', '*', '!', '|', '>'])
        && (rest.is_empty() || rest.starts_with([' ', '\t']))
}

/// A YAML value with the positions of its parts: all the walk needs.
enum Node {
    Map(Vec<(Spanned<Node>, Spanned<Node>)>),
    Seq(Vec<Spanned<Node>>),
    Text(String),
    Other,
}

/// What walking a tree against a record's schema finds.
struct Walked {
    /// Unknown-key (E012) and missing-key (E010) problems.
    found: Vec<Diagnostic>,
    stand_ins: Vec<StandIn>,
}

/// Walks `tree`, read from `yaml`, as a `T`.
fn walk<T: JsonSchema>(tree: &Spanned<Node>, yaml: &str, rel: &str) -> Walked {
    let schema = serde_json::to_value(schemars::schema_for!(T)).unwrap_or_default();
    let mut walk = Walk {
        root: &schema,
        yaml,
        rel,
        found: vec![],
        stand_ins: vec![],
    };
    walk.node(tree, &schema);
    Walked {
        found: walk.found,
        stand_ins: walk.stand_ins,
    }
}

struct Walk<'a> {
    root: &'a Value,
    yaml: &'a str,
    rel: &'a str,
    found: Vec<Diagnostic>,
    stand_ins: Vec<StandIn>,
}

impl<'a> Walk<'a> {
    fn node(&mut self, node: &Spanned<Node>, schema: &'a Value) {
        let Some(schema) = self.resolve(schema) else {
            return;
        };
        match &node.value {
            Node::Map(entries) => self.map(node, entries, schema),
            Node::Seq(items) => {
                if let Some(item) = schema.get("items") {
                    for i in items {
                        self.node(i, item);
                    }
                }
            }
            Node::Text(_) | Node::Other => {}
        }
    }

    fn map(
        &mut self,
        node: &Spanned<Node>,
        entries: &[(Spanned<Node>, Spanned<Node>)],
        schema: &'a Value,
    ) {
        let properties = schema.get("properties").and_then(Value::as_object);
        let additional = schema.get("additionalProperties");
        let mut present = vec![];
        // A misspelled required key is reported once, as unknown with the
        // right spelling suggested, not a second time as missing.
        let mut suggested = vec![];
        for (key, value) in entries {
            let Node::Text(name) = &key.value else {
                continue;
            };
            present.push(name.as_str());
            if let Some(property) = properties.and_then(|p| p.get(name)) {
                self.note_stand_in(key, name, value, property);
                self.node(value, property);
            } else if let Some(values) = additional.filter(|a| a.is_object()) {
                // A map of named entries (`people:`, `policies:`).
                self.node(value, values);
            } else if let (Some(known), Some(Value::Bool(false))) = (properties, additional) {
                let known: Vec<&str> = known.keys().map(String::as_str).collect();
                suggested.extend(closest(name, known.iter().copied()));
                let (code, message, hint) = super::unknown_key(name, &known);
                self.found
                    .push(Diagnostic::new(code, self.rel, at(key), message, hint));
            }
        }
        let required = schema.get("required").and_then(Value::as_array);
        for name in required.into_iter().flatten().filter_map(Value::as_str) {
            if !present.contains(&name) && !suggested.contains(&name) {
                let (code, message, hint) = super::missing_key(name);
                let mut d = Diagnostic::new(code, self.rel, at(node), message, hint);
                super::point_at_entry(&mut d, self.yaml);
                self.found.push(d);
            }
        }
    }

    /// Notes a stand-in for a scalar value on its key's line of a block
    /// mapping (a flow mapping's line holds other entries too).
    fn note_stand_in(
        &mut self,
        key: &Spanned<Node>,
        name: &str,
        value: &Spanned<Node>,
        schema: &'a Value,
    ) {
        let (line, column) = (
            key.referenced.line() as usize,
            key.referenced.column() as usize,
        );
        let scalar = matches!(value.value, Node::Text(_) | Node::Other);
        if !scalar || value.referenced.line() as usize != line || line == 0 || column == 0 {
            return;
        }
        let Some(text) = self.yaml.split('\n').nth(line - 1) else {
            return;
        };
        let key_at = text
            .char_indices()
            .nth(column - 1)
            .map_or(text.len(), |(i, _)| i);
        let in_flow = text[..key_at].contains(['{', '[']);
        let stand_in = self.resolve(schema).and_then(stand_in_value);
        if let (false, true, Some(value)) = (in_flow, text[key_at..].starts_with(name), stand_in) {
            self.stand_ins.push(StandIn {
                line,
                key_at,
                key: name.to_owned(),
                value,
            });
        }
    }

    /// The schema that describes a value: `$ref`s followed, and of an
    /// optional value (`anyOf: [X, null]`) the `X`; a value of several
    /// kinds (text, which may be written as a number) is its `anyOf`.
    fn resolve(&self, mut schema: &'a Value) -> Option<&'a Value> {
        for _ in 0..16 {
            if let Some(name) = schema.get("$ref").and_then(Value::as_str) {
                schema = self.root.pointer(name.strip_prefix('#')?)?;
            } else if let Some(any) = schema.get("anyOf").and_then(Value::as_array) {
                let mut not_null = any.iter().filter(|s| s.get("type") != Some(&"null".into()));
                let first = not_null.next()?;
                if not_null.next().is_some() {
                    return Some(schema);
                }
                schema = first;
            } else {
                return Some(schema);
            }
        }
        None
    }
}

/// A valid value of the type `schema` describes.
fn stand_in_value(schema: &Value) -> Option<String> {
    if let Some(kinds) = schema.get("anyOf").and_then(Value::as_array) {
        return kinds.iter().find_map(stand_in_value);
    }
    if let Some(first) = schema
        .get("enum")
        .and_then(|e| e.get(0))
        .and_then(Value::as_str)
    {
        return Some(first.to_owned());
    }
    if schema.get("format").and_then(Value::as_str) == Some("date") {
        return Some("2000-01-01".into());
    }
    let types: Vec<&str> = match schema.get("type")? {
        Value::String(t) => vec![t.as_str()],
        Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
        _ => return None,
    };
    let value = if types.contains(&"number") || types.contains(&"integer") {
        "1"
    } else if types.contains(&"boolean") {
        "false"
    } else if types.contains(&"string") && schema.get("pattern").is_none() {
        "x"
    } else {
        return None;
    };
    Some(value.into())
}

fn at<T>(node: &Spanned<T>) -> Pos {
    let l = node.referenced;
    Pos::new(l.line() as u32, l.column() as u32)
}

/// How deep the tree is read; below, values are skipped. Records nest a
/// few levels; a deserializer frame per level with positions is large, so
/// a hostile file nested to the parser's depth limit could otherwise
/// exhaust a thread's stack before that limit is met.
const MAX_TREE_DEPTH: usize = 12;

thread_local! {
    static TREE_DEPTH: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let depth = TREE_DEPTH.get();
        if depth >= MAX_TREE_DEPTH {
            return d.deserialize_ignored_any(IgnoredAny).map(|_| Node::Other);
        }
        TREE_DEPTH.set(depth + 1);
        let node = d.deserialize_any(NodeVisitor);
        TREE_DEPTH.set(depth);
        node
    }
}

struct NodeVisitor;

impl<'de> Visitor<'de> for NodeVisitor {
    type Value = Node;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any YAML value")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Node, E> {
        Ok(Node::Text(v.to_owned()))
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Node, E> {
        Ok(Node::Other)
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Node, E> {
        Ok(Node::Other)
    }

    fn visit_i128<E: de::Error>(self, _: i128) -> Result<Node, E> {
        Ok(Node::Other)
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Node, E> {
        Ok(Node::Other)
    }

    fn visit_u128<E: de::Error>(self, _: u128) -> Result<Node, E> {
        Ok(Node::Other)
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Node, E> {
        Ok(Node::Other)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Node, E> {
        Ok(Node::Other)
    }

    fn visit_none<E: de::Error>(self) -> Result<Node, E> {
        Ok(Node::Other)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Node, D::Error> {
        Node::deserialize(d)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node, A::Error> {
        let mut items = vec![];
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Node::Seq(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
        let mut entries = vec![];
        while let Some(entry) = map.next_entry()? {
            entries.push(entry);
        }
        Ok(Node::Map(entries))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Account, Config, Invoice};

    fn problems<T: DeserializeOwned + JsonSchema>(yaml: &str) -> Vec<(Code, Pos, String)> {
        let Err(first) = parse_yaml::<T>(yaml, "f.md") else {
            return vec![];
        };
        all::<T>(yaml, "f.md", first)
            .into_iter()
            .map(|d| (d.code, d.pos, d.message))
            .collect()
    }

    fn codes_and_lines<T: DeserializeOwned + JsonSchema>(yaml: &str) -> Vec<(Code, u32)> {
        problems::<T>(yaml)
            .into_iter()
            .map(|(c, p, _)| (c, p.line))
            .collect()
    }

    #[test]
    fn every_unknown_key_in_every_entry() {
        let yaml = "\nnumber: A\nisued: 2026-01-01\namount: 5\ntems: 30 days\npayments:\n  - { date: 2026-01-02, amout: 1 }\n  - date: 2026-01-03\n    amount: 1\n    reff: x\n";
        assert_eq!(
            problems::<Invoice>(yaml),
            [
                (
                    Code::UnknownKey,
                    Pos::new(3, 1),
                    "unknown key `isued`".into()
                ),
                (
                    Code::UnknownKey,
                    Pos::new(5, 1),
                    "unknown key `tems`".into()
                ),
                (
                    Code::UnknownKey,
                    Pos::new(7, 25),
                    "unknown key `amout`".into()
                ),
                (
                    Code::UnknownKey,
                    Pos::new(10, 5),
                    "unknown key `reff`".into()
                ),
            ]
        );
    }

    #[test]
    fn every_missing_key_at_its_entry() {
        let yaml = "\nterms: 30 days\nholds:\n  - reason: x\n";
        assert_eq!(
            problems::<Invoice>(yaml),
            [
                (
                    Code::MissingKey,
                    Pos::new(2, 1),
                    "missing required key `number`".into()
                ),
                (
                    Code::MissingKey,
                    Pos::new(2, 1),
                    "missing required key `issued`".into()
                ),
                (
                    Code::MissingKey,
                    Pos::new(2, 1),
                    "missing required key `amount`".into()
                ),
                (
                    Code::MissingKey,
                    Pos::new(4, 3),
                    "missing required key `from`".into()
                ),
            ]
        );
    }

    #[test]
    fn named_entries_of_folio_yaml_are_walked() {
        let yaml = "company: X\npeople:\n  ana: { name: Ana, rolse: [producer] }\ncalendars:\n  pt: { weekends: [sat] }\n";
        let found = problems::<Config>(yaml);
        let messages: Vec<&str> = found.iter().map(|p| p.2.as_str()).collect();
        assert_eq!(messages, ["unknown key `rolse`", "unknown key `weekends`"]);
    }

    #[test]
    fn every_bad_value_and_key_at_once() {
        let yaml = "\nnumber: A\nissued: 2026-02-30\namount: \"12,000\"\nstatus: opne\nterms: 30 days\nholds:\n  - from: 2026-13-01\n    reason: x\n  - { from: 2026-01-01, until: soon }\nextensions:\n  - granted: 2026-01-05\n    days: -3\nlog:\n  - { date: 2026-01-06, stge: reminder }\n";
        assert_eq!(
            codes_and_lines::<Invoice>(yaml),
            [
                (Code::BadDate, 3),
                (Code::BadAmount, 4),
                (Code::BadValue, 5),
                (Code::BadDate, 8),
                (Code::BadDate, 10),
                (Code::WrongType, 13),
                (Code::UnknownKey, 15),
            ]
        );
    }

    #[test]
    fn what_blanking_an_entry_leaves_behind_is_not_reported() {
        // `issued` blanked is not also missing; `cadence` emptied is not
        // also of the wrong type.
        let yaml = "\nnumber: A\nissued: 2026-02-30\namount: 5\n";
        assert_eq!(codes_and_lines::<Invoice>(yaml), [(Code::BadDate, 3)]);
        let yaml = "\nname: A\ncadence:\n  client_sync: daily\n";
        assert_eq!(codes_and_lines::<Account>(yaml), [(Code::BadValue, 4)]);
    }

    #[test]
    fn a_syntax_error_after_a_bad_value_is_reported_too() {
        let yaml = "\nnumber: A\nissued: 2026-02-30\namount: 5\nlog: [\n";
        let found = codes_and_lines::<Invoice>(yaml);
        assert_eq!(found[0], (Code::BadDate, 3));
        assert_eq!(found[1].0, Code::YamlSyntax);
        assert_eq!(found.len(), 2);
    }

    #[test]
    fn a_hostile_file_is_parsed_a_bounded_number_of_times() {
        let mut yaml = String::from("\nnumber: A\nissued: 2026-01-01\namount: 5\nlog:\n");
        for _ in 0..1000 {
            yaml.push_str("  - { date: 2026-01-01, stge: x }\n");
        }
        // One walk finds every key; the bad-value passes stop at the limit.
        assert_eq!(problems::<Invoice>(&yaml).len(), 1000);
        let mut yaml = String::from("\nnumber: A\namount: 5\n");
        for i in 0..100 {
            yaml.push_str(&format!("x{i}:\n  issued: 2026-02-30\n"));
        }
        assert!(problems::<Invoice>(&yaml).len() <= 100 + 1);
    }

    /// Lines of an invoice's front matter, good and bad, nested and not.
    const LINES: [&str; 16] = [
        "number: A",
        "issued: 2026-02-30",
        "issued: 2026-01-01",
        "amount: \"1,000\"",
        "amount: 5",
        "isued: 2026-01-01",
        "status: opne",
        "holds:",
        "payments: []",
        "  - from: 2026-13-01",
        "  - { from: soon, until: 2026-01-02 }",
        "    reason: x",
        "    reson: x",
        "  - date: 2026-01-01",
        "log: [",
        "- x",
    ];

    proptest::proptest! {
        #[test]
        fn any_mix_of_lines_gives_problems_inside_the_file(
            picks in proptest::collection::vec(0..LINES.len(), 0..24)
        ) {
            let yaml: String = picks.iter().map(|&i| format!("{}\n", LINES[i])).collect();
            let yaml = format!("\n{yaml}");
            let lines = yaml.split('\n').count() as u32;
            if let Err(first) = parse_yaml::<Invoice>(&yaml, "f.md") {
                let found = all::<Invoice>(&yaml, "f.md", first);
                proptest::prop_assert!(!found.is_empty());
                for d in found {
                    proptest::prop_assert!(d.pos.line >= 1 && d.pos.line <= lines, "{d:?}");
                }
            }
        }
    }
}
