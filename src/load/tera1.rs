//! Template overrides written for tera 1: folio renders with tera 2, which
//! has no macros and renamed or dropped some filters and tests. Each tera 1
//! construct a template still uses is found here, at its tag, with what to
//! write instead, so an override written before the move gets a located
//! E030 that says how to port it rather than a parser's complaint about a
//! `:`. Only constructs tera 2 refuses (when parsing, or when rendering) are
//! reported, so a template tera 2 accepts is never blamed.

use crate::diagnostic::Pos;

/// One tera 1 construct: where, what it is, what to write instead.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    pub pos: Pos,
    pub message: String,
    pub hint: String,
}

/// Every tera 1 construct of `text`, in order.
pub fn findings(text: &str) -> Vec<Finding> {
    let mut out = vec![];
    for tag in tags(text) {
        let tokens = tokens(tag.inner);
        let at = |offset: usize| position(text, tag.start + offset);
        if tag.block {
            block_tag(&tokens, &at, &mut out);
        }
        expressions(tag.inner, &tokens, &at, &mut out);
    }
    out
}

/// A `{% ... %}` or `{{ ... }}` of a template: its inside and where that
/// starts in the text.
struct Tag<'t> {
    block: bool,
    start: usize,
    inner: &'t str,
}

/// The tags of `text`, skipping comments and `{% raw %}` sections.
fn tags(text: &str) -> Vec<Tag<'_>> {
    let mut out = vec![];
    let mut i = 0;
    while let Some(found) = text[i..].find('{') {
        let open = i + found;
        let rest = &text[open..];
        let (close, block) = if rest.starts_with("{%") {
            ("%}", true)
        } else if rest.starts_with("{{") {
            ("}}", false)
        } else if rest.starts_with("{#") {
            i = rest.find("#}").map_or(text.len(), |end| open + end + 2);
            continue;
        } else {
            i = open + 1;
            continue;
        };
        let start = open + 2;
        let Some(len) = tag_end(&text[start..], close) else {
            break;
        };
        let inner = &text[start..start + len];
        i = start + len + 2;
        if block && word_after_trim(inner) == "raw" {
            // Nothing in a raw section is template syntax.
            i = text[i..]
                .find("endraw")
                .and_then(|e| text[i + e..].find("%}").map(|c| i + e + c + 2))
                .unwrap_or(text.len());
            continue;
        }
        out.push(Tag {
            block,
            start,
            inner,
        });
    }
    out
}

/// Where a tag's `close` is, outside its string literals.
fn tag_end(s: &str, close: &str) -> Option<usize> {
    let bytes = s.as_bytes();
    let mut quote: Option<u8> = None;
    for i in 0..bytes.len() {
        let b = bytes[i];
        match quote {
            Some(q) if b == q => quote = None,
            Some(_) => {}
            None if matches!(b, b'"' | b'\'' | b'`') => quote = Some(b),
            None if s[i..].starts_with(close) => return Some(i),
            None => {}
        }
    }
    None
}

fn word_after_trim(inner: &str) -> &str {
    let s = inner.trim_start_matches('-').trim_start();
    let end = s
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(s.len());
    &s[..end]
}

/// A token of a tag: a name, a string literal, or one punctuation mark
/// (`::` counts as one), with its byte offset in the tag.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tok<'t> {
    Name(&'t str),
    Str,
    Punct(&'t str),
}

fn tokens(inner: &str) -> Vec<(usize, Tok<'_>)> {
    let bytes = inner.as_bytes();
    let mut out = vec![];
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b.is_ascii_whitespace() {
            i += 1;
        } else if b.is_ascii_alphabetic() || b == b'_' {
            let end = inner[i..]
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .map_or(inner.len(), |e| i + e);
            out.push((i, Tok::Name(&inner[i..end])));
            i = end;
        } else if matches!(b, b'"' | b'\'' | b'`') {
            let end = inner[i + 1..]
                .find(b as char)
                .map_or(inner.len(), |e| i + e + 2);
            out.push((i, Tok::Str));
            i = end;
        } else if inner[i..].starts_with("::") {
            out.push((i, Tok::Punct("::")));
            i += 2;
        } else {
            let len = inner[i..].chars().next().map_or(1, char::len_utf8);
            out.push((i, Tok::Punct(&inner[i..i + len])));
            i += len;
        }
    }
    out
}

/// The line and column (in characters, from 1) of byte `offset`.
fn position(text: &str, offset: usize) -> Pos {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    Pos::new(line as u32, column as u32)
}

/// What to write instead of macro `name`.
fn component_hint(name: &str) -> String {
    format!(
        "tera 2 has no macros: write it as a component, `{{% component {name}(arg) %}}...{{% endcomponent {name} %}}` (components are global: no import), and call it as `{{{{ <{name} arg={{value}} /> }}}}`"
    )
}

/// The tags tera 2 does not have, or takes otherwise.
fn block_tag(tokens: &[(usize, Tok)], at: &dyn Fn(usize) -> Pos, out: &mut Vec<Finding>) {
    let words: Vec<(usize, &str)> = tokens
        .iter()
        .filter_map(|&(o, t)| match t {
            Tok::Name(n) => Some((o, n)),
            _ => None,
        })
        .collect();
    let Some(&(offset, first)) = words.first() else {
        return;
    };
    let finding = |message: String, hint: &str| Finding {
        pos: at(offset),
        message,
        hint: hint.to_string(),
    };
    match first {
        "macro" => {
            let name = words.get(1).map_or("", |w| w.1);
            out.push(finding(
                format!("`{{% macro {name} %}}` is tera 1: tera 2 has no macros"),
                &component_hint(name),
            ));
        }
        "import" => out.push(finding(
            "`{% import %}` is tera 1: tera 2 has no macros to import".into(),
            "delete this line: tera 2 components are global, so a `{% component %}` defined in any template is called as `{{ <name arg={value} /> }}` without an import",
        )),
        "include" if words.iter().any(|w| w.1 == "ignore") => out.push(finding(
            "`ignore missing` is tera 1: tera 2 includes only templates that exist".into(),
            "delete `ignore missing` and include a template that exists",
        )),
        _ => {}
    }
}

/// Macro calls, and the filters, tests and functions tera 2 renamed or
/// dropped, anywhere in a tag's expressions.
fn expressions(
    inner: &str,
    tokens: &[(usize, Tok)],
    at: &dyn Fn(usize) -> Pos,
    out: &mut Vec<Finding>,
) {
    for (i, &(offset, tok)) in tokens.iter().enumerate() {
        let Tok::Name(name) = tok else { continue };
        let next = tokens.get(i + 1).map(|t| t.1);
        let prev = i.checked_sub(1).map(|p| tokens[p].1);
        let finding = |message: String, hint: String| Finding {
            pos: at(offset),
            message,
            hint,
        };
        if next == Some(Tok::Punct("::")) {
            let called = match tokens.get(i + 2) {
                Some((_, Tok::Name(n))) => *n,
                _ => "",
            };
            let hint = match component_call(inner, tokens, i + 3, called) {
                Some(call) => format!(
                    "tera 2 has no macros: call a component, `{call}`, defined as `{{% component {called}(...) %}}...{{% endcomponent {called} %}}` (components are global: no import)"
                ),
                None => component_hint(called),
            };
            out.push(finding(
                format!("`{name}::{called}(...)` calls a tera 1 macro: tera 2 has no macros"),
                hint,
            ));
            continue;
        }
        let args = arguments(tokens, i + 1);
        match prev {
            Some(Tok::Punct("|")) => {
                if let Some((message, hint)) = filter(name, &args) {
                    out.push(finding(message, hint));
                }
            }
            Some(Tok::Name("is")) => {
                if let Some((message, hint)) = test(name, &args) {
                    out.push(finding(message, hint));
                }
            }
            Some(Tok::Punct(".")) => {}
            _ if next == Some(Tok::Punct("(")) => {
                if let Some((message, hint)) = function(name) {
                    out.push(finding(message, hint));
                }
            }
            _ => {}
        }
    }
}

/// A macro call's arguments, from the `(` at token `open`, written as
/// the component call that replaces it: `{{ <name a={x} b="text" /> }}`.
fn component_call(inner: &str, tokens: &[(usize, Tok)], open: usize, name: &str) -> Option<String> {
    let start = tokens.get(open).filter(|t| t.1 == Tok::Punct("("))?.0 + 1;
    let mut depth = 0;
    let mut end = None;
    for &(offset, tok) in &tokens[open + 1..] {
        match tok {
            Tok::Punct("(" | "[" | "{") => depth += 1,
            Tok::Punct(")") if depth == 0 => {
                end = Some(offset);
                break;
            }
            Tok::Punct(")" | "]" | "}") => depth -= 1,
            _ => {}
        }
    }
    let args = &inner[start..end?];
    let mut call = format!("{{{{ <{name}");
    for arg in split_top_level(args) {
        let (key, value) = arg.split_once('=')?;
        let value = value.trim();
        let quoted = value.len() >= 2
            && (value.starts_with('"') && value.ends_with('"')
                || value.starts_with('\'') && value.ends_with('\''));
        if quoted {
            call.push_str(&format!(" {}={value}", key.trim()));
        } else {
            call.push_str(&format!(" {}={{{value}}}", key.trim()));
        }
    }
    call.push_str(" /> }}");
    Some(call)
}

/// `text` split at its commas outside brackets and strings.
fn split_top_level(text: &str) -> Vec<&str> {
    let mut parts = vec![];
    let (mut depth, mut quote, mut start) = (0i32, None, 0);
    for (i, c) in text.char_indices() {
        match (quote, c) {
            (Some(q), _) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'' | '`') => quote = Some(c),
            (None, '(' | '[' | '{') => depth += 1,
            (None, ')' | ']' | '}') => depth -= 1,
            (None, ',') if depth == 0 => {
                parts.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&text[start..]);
    parts.into_iter().filter(|p| !p.trim().is_empty()).collect()
}

/// The arguments of a call whose name ends before token `i`: `None` when
/// it has no parentheses; else each argument's name (`None` for a
/// positional one).
fn arguments<'t>(tokens: &[(usize, Tok<'t>)], i: usize) -> Option<Vec<Option<&'t str>>> {
    if tokens.get(i).map(|t| t.1) != Some(Tok::Punct("(")) {
        return None;
    }
    let mut args = vec![];
    let mut depth = 0;
    let mut starting = true;
    for (j, &(_, tok)) in tokens.iter().enumerate().skip(i + 1) {
        match tok {
            Tok::Punct("(" | "[" | "{") => depth += 1,
            Tok::Punct(")") if depth == 0 => break,
            Tok::Punct(")" | "]" | "}") => depth -= 1,
            Tok::Punct(",") if depth == 0 => {
                starting = true;
                continue;
            }
            _ => {}
        }
        if starting {
            starting = false;
            let named = match (tok, tokens.get(j + 1).map(|t| t.1)) {
                (Tok::Name(n), Some(Tok::Punct("="))) => Some(n),
                _ => None,
            };
            args.push(named);
        }
    }
    Some(args)
}

fn has_arg(args: &Option<Vec<Option<&str>>>, name: &str) -> bool {
    args.iter().flatten().any(|a| *a == Some(name))
}

/// A tera 1 filter tera 2 renamed, dropped or takes otherwise.
fn filter(name: &str, args: &Option<Vec<Option<&str>>>) -> Option<(String, String)> {
    let renamed = |new: &str| {
        Some((
            format!("the `{name}` filter is tera 1"),
            format!("tera 2 calls it `{new}`"),
        ))
    };
    let dropped = |instead: &str| {
        Some((
            format!("the `{name}` filter is tera 1: tera 2 has none of that name"),
            instead.to_string(),
        ))
    };
    match name {
        "as_str" => renamed("str"),
        "linebreaksbr" => renamed("newlines_to_br"),
        "trim_start_matches" => renamed("trim_start(pat=...)"),
        "trim_end_matches" => renamed("trim_end(pat=...)"),
        "date" => dropped(
            "use folio's `day` filter on an ISO date: `{{ invoice.due_iso | day }}`, or `day(format=\"%d/%m/%Y\")` for another pattern",
        ),
        "map" => dropped("write a list comprehension: `[x.field for x in list]`"),
        "filter" => dropped("write a list comprehension: `[x for x in list if x.field == value]`"),
        "concat" => dropped("write the list with a spread: `[...list, item]`"),
        "slice" => dropped("slice the list: `list[start:end]`"),
        "json_encode" | "urlencode" | "urlencode_strict" | "slugify" | "striptags"
        | "filesizeformat" | "addslashes" | "spaceless" => {
            dropped("remove it: print the fields themselves")
        }
        "truncate" if !has_arg(args, "length") => Some((
            "`truncate` without `length` is tera 1: tera 2 needs the length".into(),
            "write `truncate(length=255)` (tera 1's default) or the length you want".into(),
        )),
        "indent" if has_arg(args, "prefix") => Some((
            "`indent(prefix=...)` is tera 1".into(),
            "tera 2 takes `indent(width=4)` (and `indentation=\" \"` for another character)".into(),
        )),
        "int" | "float" if has_arg(args, "default") => Some((
            format!("`{name}(default=...)` is tera 1: tera 2's `{name}` has no default"),
            format!("drop `default=`; `{name}` fails on a value that is not a number"),
        )),
        "unique" if args.as_ref().is_some_and(|a| !a.is_empty()) => Some((
            "`unique` with arguments is tera 1".into(),
            "tera 2's `unique` takes none: write `unique`".into(),
        )),
        _ => None,
    }
}

/// A tera 1 test tera 2 renamed, or called with positional arguments
/// (tera 2 tests take named ones).
fn test(name: &str, args: &Option<Vec<Option<&str>>>) -> Option<(String, String)> {
    let (new, arg) = match name {
        "divisibleby" => ("divisible_by", Some("divisor")),
        "object" => ("map", None),
        "matching" => {
            return Some((
                "the `matching` test is tera 1: tera 2 has no regular expressions".into(),
                "use `starting_with(pat=...)`, `ending_with(pat=...)` or `containing(pat=...)`"
                    .into(),
            ));
        }
        "divisible_by" => ("divisible_by", Some("divisor")),
        "starting_with" | "ending_with" | "containing" => (name, Some("pat")),
        _ => return None,
    };
    let positional = args.iter().flatten().any(Option::is_none);
    let call = match arg {
        Some(arg) => format!("`is {new}({arg}=...)`"),
        None => format!("`is {new}`"),
    };
    if new != name {
        Some((
            format!("the `{name}` test is tera 1"),
            format!("write {call}"),
        ))
    } else if positional {
        Some((
            format!("`is {name}(...)` with an unnamed argument is tera 1"),
            format!("tera 2 tests take named arguments: write {call}"),
        ))
    } else {
        None
    }
}

/// A tera 1 function tera 2 dropped.
fn function(name: &str) -> Option<(String, String)> {
    matches!(name, "get_env" | "now" | "get_random").then(|| {
        (
            format!("the `{name}()` function is tera 1: tera 2 has none of that name"),
            "remove it: a page shows the records as of `site.as_of`, and its data is in the template's variables".into(),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str) -> Vec<(u32, u32, String)> {
        findings(text)
            .into_iter()
            .map(|f| (f.pos.line, f.pos.column, f.message))
            .collect()
    }

    #[test]
    fn macros_imports_and_calls_are_found_at_their_tags() {
        let text = "{% import \"site/macros.html\" as m %}\n{% macro work(work) -%}\nx\n{%- endmacro work %}\n<td>{{ m::work(work=a.w) }}</td>{{ self::x() }}\n";
        let got = found(text);
        assert_eq!(got.len(), 4, "{got:?}");
        assert_eq!((got[0].0, got[0].1), (1, 4));
        assert!(got[0].2.contains("import"));
        assert_eq!((got[1].0, got[1].1), (2, 4));
        assert!(got[1].2.contains("macro work"));
        assert_eq!((got[2].0, got[2].1), (5, 8));
        assert!(got[2].2.contains("m::work"));
        assert!(got[3].2.contains("self::x"));
        assert!(findings(text)[1].hint.contains("{% component work(arg) %}"));
        assert!(
            findings(text)[2]
                .hint
                .contains("`{{ <work work={a.w} /> }}`"),
            "{:?}",
            findings(text)[2]
        );
        let call = "{{ hb::side(root=root, title=\"a, b\", n=f(x=1, y=[1, 2])) }}";
        assert!(
            findings(call)[0]
                .hint
                .contains("`{{ <side root={root} title=\"a, b\" n={f(x=1, y=[1, 2])} /> }}`"),
            "{:?}",
            findings(call)
        );
    }

    #[test]
    fn renamed_filters_and_tests_and_positional_test_arguments() {
        let cases = [
            ("{{ x | as_str }}", Some("`str`")),
            ("{{ x | date(format=\"%Y\") }}", Some("`day`")),
            ("{{ x | truncate }}", Some("length=255")),
            ("{{ x | truncate(length=3) }}", None),
            ("{% if n is divisibleby(3) %}{% endif %}", Some("divisor=")),
            (
                "{% if s is starting_with(\"a\") %}{% endif %}",
                Some("pat="),
            ),
            ("{% if s is starting_with(pat=\"a\") %}{% endif %}", None),
            ("{% if m is object %}{% endif %}", Some("`is map`")),
            (
                "{% include \"a.html\" ignore missing %}",
                Some("ignore missing"),
            ),
            ("{{ now() }}", Some("remove it")),
            ("{{ x.date }} {{ date }} {{ \"a | date\" }}", None),
            (
                "{# {{ x | as_str }} #}{% raw %}{{ m::y() }}{% endraw %}",
                None,
            ),
            (
                "{% set l = [x.id for x in xs] %}{{ l | join(sep=\", \") }}",
                None,
            ),
        ];
        for (text, hint) in cases {
            let got = findings(text);
            match hint {
                Some(h) => {
                    assert_eq!(got.len(), 1, "{text}: {got:?}");
                    assert!(got[0].hint.contains(h), "{text}: {got:?}");
                }
                None => assert!(got.is_empty(), "{text}: {got:?}"),
            }
        }
    }

    #[test]
    fn folio_templates_have_none() {
        for (name, text) in crate::embedded::TEMPLATES {
            if super::super::templates::is_tera_template(name) {
                assert_eq!(findings(text), vec![], "{name}");
            }
        }
        for (name, text) in crate::embedded::EXAMPLE {
            if name.starts_with("templates/") {
                assert_eq!(findings(text), vec![], "{name}");
            }
        }
    }
}
