//! Locating a front-matter key and its list entries in the original bytes,
//! with the spans of the YAML event parser under serde-saphyr
//! (granit-parser), and inserting text there. Nothing is re-serialized: the
//! result is the original bytes with one insertion.

use granit_parser::{Event, Parser, ScalarStyle, StructureStyle};
use std::ops::Range;

/// Why an edit cannot be made safely.
#[derive(Debug, PartialEq, Eq)]
pub struct EditError(pub String);

fn fail<T>(msg: impl Into<String>) -> Result<T, EditError> {
    Err(EditError(msg.into()))
}

/// The layout of a record file's bytes: BOM, front matter, line ending.
#[derive(Debug)]
pub struct Layout<'a> {
    /// The file as text, BOM included.
    pub text: &'a str,
    /// Byte range of the front matter's YAML: from the start of the line
    /// after the opening `---` to the start of the closing `---` line.
    pub yaml: Range<usize>,
    /// `\r\n` when the file's first line ends so, else `\n`.
    pub newline: &'static str,
}

impl<'a> Layout<'a> {
    pub fn of(bytes: &'a [u8]) -> Result<Layout<'a>, EditError> {
        let Ok(text) = std::str::from_utf8(bytes) else {
            return fail("the file is not valid UTF-8");
        };
        let start = if text.starts_with('\u{feff}') { 3 } else { 0 };
        let first_end = match text[start..].find('\n') {
            Some(p) => start + p,
            None => return fail("the front matter is never closed"),
        };
        if text[start..first_end].trim_end() != "---" {
            return fail("the file does not start with a `---` line");
        }
        let newline = if text[..first_end].ends_with('\r') {
            "\r\n"
        } else {
            "\n"
        };
        let yaml_start = first_end + 1;
        let mut line_start = yaml_start;
        while line_start < text.len() {
            let end = text[line_start..]
                .find('\n')
                .map_or(text.len(), |p| line_start + p);
            let line = text[line_start..end].trim_end();
            if line == "---" || line == "..." {
                return Ok(Layout {
                    text,
                    yaml: yaml_start..line_start,
                    newline,
                });
            }
            line_start = end + 1;
        }
        fail("the front matter is never closed")
    }

    fn yaml_text(&self) -> &'a str {
        &self.text[self.yaml.clone()]
    }
}

/// One parser event with its byte range in the file.
struct Ev<'a> {
    event: Event<'a>,
    range: Range<usize>,
    /// 0-based column of the event's start.
    col: usize,
}

/// What a top-level key holds.
#[derive(Debug)]
enum ValueShape {
    /// `key:` with nothing after it.
    Nothing {
        key_line_end: usize,
    },
    Flow {
        open: Range<usize>,
        items: Vec<Item>,
    },
    Block {
        items: Vec<Item>,
    },
}

/// One entry of a list.
#[derive(Clone, Debug)]
struct Item {
    /// Byte range of the entry's node (for a block mapping, from its first key).
    range: Range<usize>,
    col: usize,
    style: ItemStyle,
    /// For a flow mapping: where its last value ends (an addition goes there).
    last_value_end: Option<usize>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ItemStyle {
    FlowMap,
    BlockMap,
    Other,
}

/// The parsed front matter: its events and the top-level keys.
struct Tree<'a> {
    events: Vec<Ev<'a>>,
    /// Key name, index of the key event, index range of the value's events.
    keys: Vec<(String, usize, Range<usize>)>,
    /// Column of the top-level keys.
    key_col: usize,
}

fn parse<'a>(layout: &Layout<'a>) -> Result<Tree<'a>, EditError> {
    let base = layout.yaml.start;
    let mut events = vec![];
    for next in Parser::new_from_str(layout.yaml_text()) {
        let (event, span) =
            next.map_err(|e| EditError(format!("the front matter does not parse: {e}")))?;
        let Some(r) = span.byte_range() else {
            return fail("the parser gave no byte positions");
        };
        events.push(Ev {
            event,
            range: base + r.start..base + r.end,
            col: span.start.col(),
        });
    }
    let mut i = 0;
    while i < events.len()
        && matches!(
            events[i].event,
            Event::StreamStart | Event::DocumentStart(..)
        )
    {
        i += 1;
    }
    let mut keys = vec![];
    let mut key_col = 0;
    match events.get(i).map(|e| &e.event) {
        Some(Event::MappingStart(StructureStyle::Block, ..)) => {}
        _ => return fail("the front matter is not a mapping of keys"),
    }
    i += 1;
    let mut first = true;
    while let Some(ev) = events.get(i) {
        match &ev.event {
            Event::MappingEnd => break,
            Event::Scalar(name, ..) => {
                if first {
                    key_col = ev.col;
                    first = false;
                }
                let value_start = i + 1;
                let value_end = node_end(&events, value_start)?;
                keys.push((name.to_string(), i, value_start..value_end));
                i = value_end;
            }
            _ => return fail("the front matter has a key that is not plain text"),
        }
    }
    Ok(Tree {
        events,
        keys,
        key_col,
    })
}

/// Index just past the node that starts at event `i`.
fn node_end(events: &[Ev], i: usize) -> Result<usize, EditError> {
    let mut depth = 0usize;
    let mut j = i;
    loop {
        let Some(ev) = events.get(j) else {
            return fail("the front matter ends inside a value");
        };
        match ev.event {
            Event::SequenceStart(..) | Event::MappingStart(..) => depth += 1,
            Event::SequenceEnd | Event::MappingEnd => {
                depth = depth.saturating_sub(1);
            }
            _ => {}
        }
        j += 1;
        if depth == 0 {
            return Ok(j);
        }
    }
}

impl Tree<'_> {
    fn find(&self, key: &str) -> Option<&(String, usize, Range<usize>)> {
        self.keys.iter().find(|(k, ..)| k == key)
    }

    fn shape(&self, layout: &Layout, key: &str) -> Result<Option<ValueShape>, EditError> {
        let Some((_, key_index, value)) = self.find(key) else {
            return Ok(None);
        };
        let first = &self.events[value.start];
        match &first.event {
            Event::Scalar(_, ScalarStyle::Plain, ..) if first.range.is_empty() => {
                let key_end = self.events[*key_index].range.end;
                Ok(Some(ValueShape::Nothing {
                    key_line_end: line_end(layout.text, key_end),
                }))
            }
            Event::SequenceStart(style, ..) => {
                let items = self.items(value.start + 1..value.end - 1);
                Ok(Some(match style {
                    StructureStyle::Flow => ValueShape::Flow {
                        open: first.range.clone(),
                        items,
                    },
                    StructureStyle::Block => ValueShape::Block { items },
                }))
            }
            _ => fail(format!(
                "`{key}` is not a list (write `{key}:` with its entries below, or `{key}: []`)"
            )),
        }
    }

    /// The entries of a sequence whose children are the events in `range`.
    fn items(&self, range: Range<usize>) -> Vec<Item> {
        let mut items = vec![];
        let mut i = range.start;
        while i < range.end {
            let end = node_end(&self.events, i).unwrap_or(range.end);
            let ev = &self.events[i];
            let style = match ev.event {
                Event::MappingStart(StructureStyle::Flow, ..) => ItemStyle::FlowMap,
                Event::MappingStart(StructureStyle::Block, ..) => ItemStyle::BlockMap,
                _ => ItemStyle::Other,
            };
            let last = &self.events[end - 1];
            let last_value_end = (style == ItemStyle::FlowMap && end - i >= 3)
                .then(|| self.events[end - 2].range.end);
            items.push(Item {
                range: ev.range.start..last.range.end,
                col: ev.col,
                style,
                last_value_end,
            });
            i = end;
        }
        items
    }

    /// The first block list among the top-level keys: its dash column and
    /// its entries' style, to copy for a key that does not exist yet.
    fn block_list_style(&self, layout: &Layout) -> Option<(usize, ItemStyle, usize)> {
        self.keys
            .iter()
            .find_map(|(k, ..)| match self.shape(layout, k).ok()?? {
                ValueShape::Block { items } => {
                    let item = items.first()?;
                    let dash = dash_before(layout.text, item.range.start)?;
                    Some((
                        dash_col(layout.text, dash),
                        item.style,
                        item.range.start - dash - 1,
                    ))
                }
                _ => None,
            })
    }
}

/// Byte offset just past the end of the line holding `pos` (after its `\n`).
fn line_end(text: &str, pos: usize) -> usize {
    text[pos..].find('\n').map_or(text.len(), |p| pos + p + 1)
}

fn line_start(text: &str, pos: usize) -> usize {
    text[..pos].rfind('\n').map_or(0, |p| p + 1)
}

/// The `-` that introduces the block-list entry starting at `pos`.
fn dash_before(text: &str, pos: usize) -> Option<usize> {
    let before = text[line_start(text, pos)..pos].trim_end_matches(' ');
    before
        .ends_with('-')
        .then(|| line_start(text, pos) + before.len() - 1)
}

fn dash_col(text: &str, dash: usize) -> usize {
    text[line_start(text, dash)..dash].chars().count()
}

/// Indentation (in spaces) of a line, or None for a blank line.
fn indent_of(line: &str) -> Option<usize> {
    let trimmed = line.trim_start_matches(' ');
    let rest = trimmed.trim_end_matches(['\r', '\n']);
    (!rest.trim().is_empty()).then(|| line.len() - trimmed.len())
}

/// Where a block-list entry ends: just past the last non-blank line that
/// belongs to it (indented deeper than its dash), starting on its first line.
fn block_item_end(text: &str, item_start: usize, dash_col: usize, limit: usize) -> usize {
    let mut end = line_end(text, item_start);
    let mut pos = end;
    while pos < limit {
        let next = line_end(text, pos).min(limit);
        match indent_of(&text[pos..next]) {
            None => {}
            Some(i) if i > dash_col => end = next,
            Some(_) => break,
        }
        pos = next;
    }
    end
}

/// A value written into YAML: its text as it goes into the file.
#[derive(Clone, Debug)]
pub struct Field {
    pub key: &'static str,
    pub yaml: String,
}

impl Field {
    pub fn new(key: &'static str, yaml: impl Into<String>) -> Field {
        Field {
            key,
            yaml: yaml.into(),
        }
    }
}

/// `{ a: 1, b: 2 }` (or without the inner spaces).
fn flow_map(fields: &[Field], spaced: bool) -> String {
    let pairs: Vec<String> = fields
        .iter()
        .map(|f| format!("{}: {}", f.key, f.yaml))
        .collect();
    if spaced {
        format!("{{ {} }}", pairs.join(", "))
    } else {
        format!("{{{}}}", pairs.join(", "))
    }
}

/// Block-list entry lines: `- a: 1` then `  b: 2` aligned under `a`.
fn block_map(fields: &[Field], dash_col: usize, gap: usize, nl: &str) -> String {
    let mut out = String::new();
    for (i, f) in fields.iter().enumerate() {
        if i == 0 {
            out.push_str(&" ".repeat(dash_col));
            out.push('-');
            out.push_str(&" ".repeat(gap));
        } else {
            out.push_str(&" ".repeat(dash_col + 1 + gap));
        }
        out.push_str(&format!("{}: {}{nl}", f.key, f.yaml));
    }
    out
}

fn block_entry(
    fields: &[Field],
    dash_col: usize,
    style: ItemStyle,
    gap: usize,
    spaced: bool,
    nl: &str,
) -> String {
    match style {
        ItemStyle::BlockMap => block_map(fields, dash_col, gap, nl),
        _ => format!(
            "{}-{}{}{nl}",
            " ".repeat(dash_col),
            " ".repeat(gap),
            flow_map(fields, spaced)
        ),
    }
}

/// One insertion: the new bytes are `text[..at] + insert + text[at..]`.
#[derive(Debug, PartialEq, Eq)]
pub struct Insertion {
    pub at: usize,
    pub text: String,
}

impl Insertion {
    pub fn apply(&self, original: &[u8]) -> Vec<u8> {
        let mut out = Vec::with_capacity(original.len() + self.text.len());
        out.extend_from_slice(&original[..self.at]);
        out.extend_from_slice(self.text.as_bytes());
        out.extend_from_slice(&original[self.at..]);
        out
    }
}

/// Appends one entry to the list under the top-level `key`, in the style of
/// its neighbours; a missing key is added at the end of the front matter.
pub fn append_entry(bytes: &[u8], key: &str, fields: &[Field]) -> Result<Insertion, EditError> {
    let layout = Layout::of(bytes)?;
    let tree = parse(&layout)?;
    let text = layout.text;
    let nl = layout.newline;
    let (default_dash, default_style, default_gap) =
        tree.block_list_style(&layout)
            .unwrap_or((tree.key_col + 2, ItemStyle::FlowMap, 1));
    let default_dash = default_dash.max(tree.key_col);
    let spaced = true;
    match tree.shape(&layout, key)? {
        None => Ok(Insertion {
            at: layout.yaml.end,
            text: format!(
                "{}{key}:{nl}{}",
                " ".repeat(tree.key_col),
                block_entry(fields, default_dash, default_style, default_gap, spaced, nl)
            ),
        }),
        Some(ValueShape::Nothing { key_line_end }) => {
            let lead = if text[..key_line_end].ends_with('\n') {
                ""
            } else {
                nl
            };
            Ok(Insertion {
                at: key_line_end,
                text: format!(
                    "{lead}{}",
                    block_entry(fields, default_dash, default_style, default_gap, spaced, nl)
                ),
            })
        }
        Some(ValueShape::Flow { open, items }) => {
            let Some(last) = items.last() else {
                return Ok(Insertion {
                    at: open.end,
                    text: flow_map(fields, spaced),
                });
            };
            if items.iter().any(|i| i.style != ItemStyle::FlowMap) {
                return fail(format!("`{key}` holds entries that are not mappings"));
            }
            let separator = match items.len() {
                1 => {
                    let between = &text[open.end..last.range.start];
                    match between.rfind('\n') {
                        Some(p) => format!(",{nl}{}", &between[p + 1..]),
                        None => ", ".to_string(),
                    }
                }
                n => {
                    let between = &text[items[n - 2].range.end..last.range.start];
                    if between.trim_start().starts_with(',') && !between.contains('#') {
                        between.trim_start().to_string()
                    } else {
                        ", ".to_string()
                    }
                }
            };
            let spaced = text[last.range.clone()].starts_with("{ ");
            Ok(Insertion {
                at: last.range.end,
                text: format!("{separator}{}", flow_map(fields, spaced)),
            })
        }
        Some(ValueShape::Block { items }) => {
            let Some(last) = items.last() else {
                return fail(format!("`{key}` is an empty list"));
            };
            if last.style == ItemStyle::Other {
                return fail(format!("`{key}` holds entries that are not mappings"));
            }
            let Some(dash) = dash_before(text, last.range.start) else {
                return fail(format!("the last entry of `{key}` has no `-` before it"));
            };
            let col = dash_col(text, dash);
            let gap = last.range.start - dash - 1;
            let spaced = text[last.range.clone()].starts_with("{ ");
            let at = block_item_end(text, last.range.start, col, layout.yaml.end);
            let lead = if text[..at].ends_with('\n') { "" } else { nl };
            Ok(Insertion {
                at,
                text: format!(
                    "{lead}{}",
                    block_entry(fields, col, last.style, gap, spaced, nl)
                ),
            })
        }
    }
}

/// Adds one key to entry `index` of the list under the top-level `key`.
pub fn add_field(
    bytes: &[u8],
    key: &str,
    index: usize,
    field: &Field,
) -> Result<Insertion, EditError> {
    let layout = Layout::of(bytes)?;
    let tree = parse(&layout)?;
    let text = layout.text;
    let items = match tree.shape(&layout, key)? {
        Some(ValueShape::Flow { items, .. }) | Some(ValueShape::Block { items }) => items,
        _ => return fail(format!("`{key}` has no entries")),
    };
    let Some(item) = items.get(index) else {
        return fail(format!("`{key}` has no entry number {}", index + 1));
    };
    match item.style {
        ItemStyle::FlowMap => {
            let Some(at) = item.last_value_end else {
                return Ok(Insertion {
                    at: item.range.start + 1,
                    text: format!("{}: {}", field.key, field.yaml),
                });
            };
            Ok(Insertion {
                at,
                text: format!(", {}: {}", field.key, field.yaml),
            })
        }
        ItemStyle::BlockMap => {
            let Some(dash) = dash_before(text, item.range.start) else {
                return fail(format!("an entry of `{key}` has no `-` before it"));
            };
            let at = block_item_end(
                text,
                item.range.start,
                dash_col(text, dash),
                layout.yaml.end,
            );
            let lead = if text[..at].ends_with('\n') {
                ""
            } else {
                layout.newline
            };
            Ok(Insertion {
                at,
                text: format!(
                    "{lead}{}{}: {}{}",
                    " ".repeat(item.col),
                    field.key,
                    field.yaml,
                    layout.newline
                ),
            })
        }
        ItemStyle::Other => fail(format!("an entry of `{key}` is not a mapping")),
    }
}

/// A free text as a double-quoted YAML scalar.
pub fn quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() || c == '\u{feff}' || c == '\u{2028}' || c == '\u{2029}' => {
                out.push_str(&format!("\\u{:04x}", c as u32))
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A name (a stage, a handle, a channel) plain when YAML reads it back as
/// the same text, else quoted.
pub fn name(s: &str) -> String {
    let safe = s.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | ' '))
        && !s.ends_with(' ')
        && !s.contains("  ")
        && !matches!(
            s.to_ascii_lowercase().as_str(),
            "true" | "false" | "yes" | "no" | "on" | "off" | "y" | "n" | "null"
        );
    if safe { s.to_string() } else { quoted(s) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pay() -> Vec<Field> {
        vec![
            Field::new("date", "2026-11-23"),
            Field::new("amount", "100"),
        ]
    }

    fn appended(input: &str, key: &str) -> String {
        let ins = append_entry(input.as_bytes(), key, &pay()).unwrap();
        String::from_utf8(ins.apply(input.as_bytes())).unwrap()
    }

    #[test]
    fn appends_in_the_neighbours_style() {
        let cases = [
            (
                "---\na: 1\npayments:\n  - { date: 2026-01-01, amount: 5 }\nb: 2\n---\nbody",
                "---\na: 1\npayments:\n  - { date: 2026-01-01, amount: 5 }\n  - { date: 2026-11-23, amount: 100 }\nb: 2\n---\nbody",
            ),
            (
                "---\npayments: []\n---\n",
                "---\npayments: [{ date: 2026-11-23, amount: 100 }]\n---\n",
            ),
            (
                "---\npayments: [{date: 2026-01-01, amount: 5}]\n---\n",
                "---\npayments: [{date: 2026-01-01, amount: 5}, {date: 2026-11-23, amount: 100}]\n---\n",
            ),
            (
                "---\npayments:   # none yet\nb: 2\n---\n",
                "---\npayments:   # none yet\n  - { date: 2026-11-23, amount: 100 }\nb: 2\n---\n",
            ),
            (
                "---\na: 1\n---\n",
                "---\na: 1\npayments:\n  - { date: 2026-11-23, amount: 100 }\n---\n",
            ),
            (
                "---\npayments:\n- date: 2026-01-01\n  amount: 5\n\n# money\nb: 2\n---\n",
                "---\npayments:\n- date: 2026-01-01\n  amount: 5\n- date: 2026-11-23\n  amount: 100\n\n# money\nb: 2\n---\n",
            ),
            (
                "\u{feff}---\r\npayments:\r\n    -   { date: 2026-01-01, amount: 5 }\r\n---\r\n",
                "\u{feff}---\r\npayments:\r\n    -   { date: 2026-01-01, amount: 5 }\r\n    -   { date: 2026-11-23, amount: 100 }\r\n---\r\n",
            ),
        ];
        for (input, expected) in cases {
            assert_eq!(appended(input, "payments"), expected, "{input:?}");
        }
    }

    #[test]
    fn adds_a_field_to_one_entry() {
        let until = Field::new("until", "2026-11-30");
        let flow = "---\nholds:\n  - { from: 2026-11-01, reason: \"x\" }\n---\n";
        let ins = add_field(flow.as_bytes(), "holds", 0, &until).unwrap();
        assert_eq!(
            String::from_utf8(ins.apply(flow.as_bytes())).unwrap(),
            "---\nholds:\n  - { from: 2026-11-01, reason: \"x\", until: 2026-11-30 }\n---\n"
        );
        let block = "---\nholds:\n  - from: 2026-11-01\n    reason: |\n      long\n\n      text\nlog: []\n---\n";
        let ins = add_field(block.as_bytes(), "holds", 0, &until).unwrap();
        assert_eq!(
            String::from_utf8(ins.apply(block.as_bytes())).unwrap(),
            "---\nholds:\n  - from: 2026-11-01\n    reason: |\n      long\n\n      text\n    until: 2026-11-30\nlog: []\n---\n"
        );
    }

    #[test]
    fn refuses_what_is_not_a_list() {
        assert!(append_entry(b"---\npayments: 5\n---\n", "payments", &pay()).is_err());
        assert!(append_entry(b"---\npayments: ~\n---\n", "payments", &pay()).is_err());
        assert!(append_entry(b"---\npayments: [1]\n---\n", "payments", &pay()).is_err());
    }

    #[test]
    fn names_and_texts() {
        assert_eq!(name("due-notice"), "due-notice");
        assert_eq!(name("private message"), "private message");
        assert_eq!(name("yes"), "\"yes\"");
        assert_eq!(name("a: b"), "\"a: b\"");
        assert_eq!(name("2026"), "\"2026\"");
        assert_eq!(quoted("say \"hi\"\\"), "\"say \\\"hi\\\"\\\\\"");
    }
}
