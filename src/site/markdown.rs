//! Markdown bodies to safe HTML: pulldown-cmark (tables, footnotes, task
//! lists, strikethrough), links to other handbook pages rewritten to their
//! generated paths, then everything sanitized by ammonia, so raw HTML in a
//! record can never run script or break out of the page.

use crate::model::site_map::{LinkTarget, html_link_attributes, markdown_options};
use crate::plumbing::html::escape;
use pulldown_cmark::{CowStr, Event, Parser, Tag, TagEnd};
use std::borrow::Cow;
use std::sync::OnceLock;

/// The sanitizer, built once. Besides ammonia's defaults (which already drop
/// `script`, `iframe`, `style`, event handlers and `javascript:` URLs) it
/// keeps task-list checkboxes and footnote anchors, and prefixes every id
/// so a footnote named `search` cannot shadow an element of the page.
fn sanitizer() -> &'static ammonia::Builder<'static> {
    static CLEANER: OnceLock<ammonia::Builder<'static>> = OnceLock::new();
    CLEANER.get_or_init(|| {
        let mut b = ammonia::Builder::default();
        b.add_tags(["input"])
            .add_tag_attributes("input", ["checked"])
            .set_tag_attribute_value("input", "type", "checkbox")
            .set_tag_attribute_value("input", "disabled", "")
            .add_tag_attributes("div", ["id"])
            .add_allowed_classes("sup", ["footnote-reference", "footnote-definition-label"])
            .add_allowed_classes("div", ["footnote-definition"])
            .add_allowed_classes("span", ["broken-link"])
            .link_rel(Some("noopener noreferrer"))
            .attribute_filter(|_element, attribute, value| match attribute {
                "id" => Some(Cow::Owned(format!("fn-{value}"))),
                "href" => match value.strip_prefix('#') {
                    Some(fragment) => Some(Cow::Owned(format!("#fn-{fragment}"))),
                    None => Some(Cow::Borrowed(value)),
                },
                _ => Some(Cow::Borrowed(value)),
            });
        b
    })
}

/// Renders `source` to sanitized HTML. `link` says where each link or
/// image destination leads ([`SiteMap::resolve`]): kept, rewritten to a
/// page of the site, or broken, when it is shown as marked plain text
/// (`check` warns about it as W013) rather than as a dead link.
///
/// [`SiteMap::resolve`]: crate::model::site_map::SiteMap::resolve
pub fn render(source: &str, link: &dyn Fn(&str) -> LinkTarget) -> String {
    // Which open links and images were broken, innermost last, so each end
    // tag closes what its start opened.
    let mut open: Vec<bool> = vec![];
    let mut events: Vec<Event> = Vec::new();
    for event in Parser::new_ext(source, markdown_options()) {
        match event {
            Event::Start(tag @ (Tag::Link { .. } | Tag::Image { .. })) => {
                let dest = match &tag {
                    Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. } => {
                        dest_url.to_string()
                    }
                    _ => String::new(),
                };
                match link(&dest) {
                    LinkTarget::Broken => {
                        open.push(true);
                        events.push(Event::InlineHtml(broken_open(&dest).into()));
                    }
                    LinkTarget::Page(to) => {
                        open.push(false);
                        events.push(Event::Start(with_dest(tag, to)));
                    }
                    LinkTarget::Keep => {
                        open.push(false);
                        events.push(Event::Start(tag));
                    }
                }
            }
            Event::End(end @ (TagEnd::Link | TagEnd::Image)) => {
                if open.pop() == Some(true) {
                    events.push(Event::InlineHtml("</span>".into()));
                } else {
                    events.push(Event::End(end));
                }
            }
            Event::Html(html) => events.push(Event::Html(raw_html_links(html, link))),
            Event::InlineHtml(html) => events.push(Event::InlineHtml(raw_html_links(html, link))),
            other => events.push(other),
        }
    }
    let mut html = String::with_capacity(source.len() * 3 / 2);
    let plain = events.iter().all(is_plain);
    pulldown_cmark::html::push_html(&mut html, events.into_iter());
    // Sanitizing parses and re-serializes the HTML, the dearest step of a
    // large site's build; text made only of paragraphs, emphasis, lists and
    // the like comes out of pulldown-cmark already escaped and exactly as
    // ammonia would write it (a test holds the two equal).
    if plain && !html.contains('\u{a0}') {
        return html;
    }
    focusable_tables(sanitizer().clean(&html).to_string())
}

/// Wraps each table of sanitized HTML in a box that scrolls on a narrow
/// screen and can be reached and scrolled with the keyboard (a region with
/// a name of its own). Done after sanitizing: the markup is folio's.
fn focusable_tables(html: String) -> String {
    if !html.contains("<table>") {
        return html;
    }
    let mut out = String::with_capacity(html.len() + 256);
    let mut n = 0;
    let mut rest = html.as_str();
    while let Some(at) = rest.find("<table>") {
        n += 1;
        out.push_str(&rest[..at]);
        out.push_str(&format!(
            "<div class=\"table-wrap prose-table\" role=\"region\" tabindex=\"0\" aria-label=\"Table {n}\">"
        ));
        rest = &rest[at..];
        let end = rest
            .find("</table>")
            .map_or(rest.len(), |e| e + "</table>".len());
        out.push_str(&rest[..end]);
        out.push_str("</div>");
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// A link or image tag leading to `to` instead.
fn with_dest(tag: Tag<'_>, to: String) -> Tag<'_> {
    match tag {
        Tag::Link {
            link_type,
            title,
            id,
            ..
        } => Tag::Link {
            link_type,
            dest_url: to.into(),
            title,
            id,
        },
        Tag::Image {
            link_type,
            title,
            id,
            ..
        } => Tag::Image {
            link_type,
            dest_url: to.into(),
            title,
            id,
        },
        other => other,
    }
}

/// The opening of a broken link's marker: the link's text follows as plain
/// text, and the title says where it pointed.
fn broken_open(dest: &str) -> String {
    format!(
        "<span class=\"broken-link\" title=\"broken link: {}\">",
        escape(dest)
    )
}

/// Raw HTML with its `href` and `src` attributes resolved: rewritten when
/// they lead to a page, removed (with a marker before the tag) when broken.
fn raw_html_links<'h>(html: CowStr<'h>, link: &dyn Fn(&str) -> LinkTarget) -> CowStr<'h> {
    let attributes = html_link_attributes(&html);
    if attributes.is_empty() {
        return html;
    }
    let mut out = String::with_capacity(html.len() + 64);
    let mut at = 0;
    for a in &attributes {
        match link(a.value) {
            LinkTarget::Keep => continue,
            LinkTarget::Page(to) => {
                out.push_str(&html[at..a.attribute.start]);
                out.push_str(&format!("{}=\"{}\" ", a.name, escape(&to)));
            }
            LinkTarget::Broken => {
                out.push_str(&html[at..a.tag_start]);
                out.push_str(&broken_open(a.value));
                out.push_str("</span>");
                out.push_str(&html[a.tag_start..a.attribute.start]);
            }
        }
        at = a.attribute.end;
    }
    out.push_str(&html[at..]);
    CowStr::from(out)
}

/// Events whose HTML carries no attribute, URL or raw markup, so the
/// sanitizer would return it unchanged.
fn is_plain(event: &Event) -> bool {
    use pulldown_cmark::{BlockQuoteKind, TagEnd};
    match event {
        Event::Text(_) | Event::Code(_) | Event::SoftBreak => true,
        Event::Start(tag) => match tag {
            Tag::Paragraph | Tag::Emphasis | Tag::Strong | Tag::Strikethrough | Tag::Item => true,
            Tag::List(start) => matches!(start, None | Some(1)),
            Tag::BlockQuote(kind) => kind.is_none(),
            Tag::Heading {
                id, classes, attrs, ..
            } => id.is_none() && classes.is_empty() && attrs.is_empty(),
            _ => false,
        },
        Event::End(tag) => matches!(
            tag,
            TagEnd::Paragraph
                | TagEnd::Emphasis
                | TagEnd::Strong
                | TagEnd::Strikethrough
                | TagEnd::Item
                | TagEnd::List(_)
                | TagEnd::BlockQuote(None::<BlockQuoteKind>)
                | TagEnd::Heading(_)
        ),
        _ => false,
    }
}

/// Sanitized HTML of `source` with links left as written.
pub fn plain(source: &str) -> String {
    render(source, &|_| LinkTarget::Keep)
}

/// A diagnostic's message or hint as HTML: escaped, with the keys and
/// values it quotes in backticks, as Markdown does, shown as code. Text with
/// an unpaired backtick is only escaped.
pub fn inline_code_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    for span in crate::diagnostic::render::html::spans(text) {
        let escaped = escape(&span.text);
        if span.code {
            out.push_str("<code>");
            out.push_str(&escaped);
            out.push_str("</code>");
        } else {
            out.push_str(&escaped);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fast path for plain text gives what the sanitizer gives.
    #[test]
    fn plain_text_skips_the_sanitizer_unchanged() {
        let samples = [
            "Invoice 0 of account acme: work delivered, as agreed.",
            "Tom & Jerry \\<b\\> \"quoted\" 'single' a > b &amp; &lt;",
            "# Title\n\nSome *emphasis*, **strong**, ~~struck~~ and `code <x>`.",
            "- one\n- two\n  - nested\n\n1. first\n2. second\n",
            "> quoted\n> text\n\n## Second\nsoft\nbreak",
            "Unicode: café, 日本, emoji 🎉, tab\there",
            "",
        ];
        for sample in samples {
            let events: Vec<Event> = Parser::new_ext(sample, markdown_options()).collect();
            assert!(events.iter().all(is_plain), "{sample}: {events:?}");
            let mut raw = String::new();
            pulldown_cmark::html::push_html(&mut raw, events.into_iter());
            assert_eq!(
                plain(sample),
                sanitizer().clean(&raw).to_string(),
                "{sample}"
            );
        }
        for not_plain in [
            "[a](javascript:alert(1))",
            "<b onclick=x>raw</b>",
            "3. three",
            "line  \nbreak",
            "---",
            "| a |\n|---|\n| 1 |",
            "- [x] task",
            "```rust\nfn main() {}\n```",
            "note[^1]\n\n[^1]: foot",
            "![img](x.png)",
        ] {
            let events: Vec<Event> = Parser::new_ext(not_plain, markdown_options()).collect();
            assert!(!events.iter().all(is_plain), "{not_plain}");
        }
    }

    #[test]
    fn renders_gfm_features() {
        let html = plain(
            "| a | b |\n|---|---|\n| 1 | 2 |\n\n- [x] done\n- [ ] open\n\nNote[^n].\n\n[^n]: The note.\n",
        );
        assert!(html.contains("<table>"), "{html}");
        assert!(html.contains("type=\"checkbox\""), "{html}");
        assert!(html.contains("checked"), "{html}");
        assert!(html.contains("href=\"#fn-n\""), "{html}");
        assert!(html.contains("id=\"fn-n\""), "{html}");
    }

    #[test]
    fn drops_scripts_handlers_and_javascript_links() {
        let html = plain(
            "<script>alert(1)</script>\n\n<img src=x onerror=alert(2)>\n\n[click](javascript:alert(3))\n\n<iframe src=\"https://evil.example\"></iframe>\n\n<a href=\"JaVaScRiPt:alert(4)\">x</a>",
        );
        let lower = html.to_lowercase();
        for bad in ["<script", "onerror", "javascript:", "<iframe", "alert(1)"] {
            assert!(!lower.contains(bad), "{bad} survived: {html}");
        }
    }

    #[test]
    fn external_links_get_noopener() {
        let html = plain("[site](https://example.com)");
        assert!(html.contains("rel=\"noopener noreferrer\""), "{html}");
    }

    #[test]
    fn rewrites_page_links_and_marks_broken_ones() {
        let resolve = |d: &str| match d {
            "collection.md#steps" => LinkTarget::Page("../collection/index.html#steps".into()),
            "https://x.example" => LinkTarget::Keep,
            _ => LinkTarget::Broken,
        };
        let html = render(
            "[c](collection.md#steps) [n](notes.md) ![logo](x.png) [out](https://x.example)\n\n<img src=x alt=\"a\"> <a href=\"y.md\">y</a>",
            &resolve,
        );
        assert!(
            html.contains("href=\"../collection/index.html#steps\""),
            "{html}"
        );
        assert!(
            html.contains("<span class=\"broken-link\" title=\"broken link: notes.md\">n</span>"),
            "{html}"
        );
        assert!(
            html.contains("title=\"broken link: x.png\">logo</span>"),
            "{html}"
        );
        assert!(html.contains("href=\"https://x.example\""), "{html}");
        assert!(!html.contains("href=\"notes.md"), "{html}");
        assert!(!html.contains("src=\"x\""), "{html}");
        assert!(!html.contains("href=\"y.md\""), "{html}");
        assert!(html.contains("title=\"broken link: y.md\""), "{html}");
    }

    #[test]
    fn backticks_in_diagnostics_become_code() {
        assert_eq!(
            inline_code_html("did you mean `issued`?"),
            "did you mean <code>issued</code>?"
        );
        assert_eq!(
            inline_code_html("unknown key `<b>`"),
            "unknown key <code>&lt;b&gt;</code>"
        );
        assert_eq!(inline_code_html("a ` b"), "a ` b");
        assert_eq!(inline_code_html("none"), "none");
        assert_eq!(inline_code_html("``"), "<code></code>");
    }
}
