//! Pages with client data ask search engines to stay away: every page of
//! the full site carries a `noindex, nofollow` robots meta tag and the site
//! has a `robots.txt` that disallows everything. The handbook-only site has
//! neither: it holds nothing about clients and may be found.
//!
//! The built-in `base.html` writes the tag itself; a repository's own base
//! template may not, so every full-site page is held to it here.

/// The robots meta tag of every page of the full site.
pub const NOINDEX: &str = r#"<meta name="robots" content="noindex, nofollow">"#;

/// The full site's `robots.txt`: no crawler, anywhere.
pub const ROBOTS_TXT: &str = "User-agent: *\nDisallow: /\n";

/// `html` with [`NOINDEX`] in its head: as it is when its template wrote
/// the tag, else with the tag put right after the opening `<head>` (or
/// before everything, for a page without one; browsers move it into the
/// head they make).
pub fn ensure_noindex(html: String) -> String {
    if has_noindex(&html) {
        return html;
    }
    let head_end = head_end(&html);
    let at = find_ignoring_case(&html[..head_end], "<head")
        .and_then(|start| {
            let rest = &html[start..head_end];
            // `<head>` or `<head attr=...>`, not `<header>`.
            let after = rest.as_bytes().get(5).copied();
            matches!(after, Some(b'>' | b' ' | b'\t' | b'\n' | b'\r'))
                .then(|| rest.find('>').map(|gt| start + gt + 1))
                .flatten()
        })
        .unwrap_or(0);
    let mut out = String::with_capacity(html.len() + NOINDEX.len() + 1);
    out.push_str(&html[..at]);
    out.push_str(NOINDEX);
    out.push('\n');
    out.push_str(&html[at..]);
    out
}

/// Whether `html`'s head holds [`NOINDEX`] already, as every page of the
/// built-in templates does.
pub fn has_noindex(html: &str) -> bool {
    memchr::memmem::find(&html.as_bytes()[..head_end(html)], NOINDEX.as_bytes()).is_some()
}

/// Where `html`'s head ends (its end, for a page without one). Every page of
/// a large site passes here: the usual lowercase tag is found by SIMD
/// search, and only a page without it is searched again in any case.
fn head_end(html: &str) -> usize {
    memchr::memmem::find(html.as_bytes(), b"</head")
        .or_else(|| find_ignoring_case(html, "</head"))
        .unwrap_or(html.len())
}

/// The byte offset of the first `needle` (ASCII, lowercase) in `haystack`,
/// in any case.
fn find_ignoring_case(haystack: &str, needle: &str) -> Option<usize> {
    haystack
        .as_bytes()
        .windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn noindex_is_added_once_and_in_the_head() {
        let cases = [
            // Already there: untouched.
            (
                format!("<html><head>{NOINDEX}<title>t</title></head><body></body></html>"),
                format!("<html><head>{NOINDEX}<title>t</title></head><body></body></html>"),
            ),
            // Missing: right after <head>, whatever its case and attributes.
            (
                "<html><HEAD lang=\"en\"><title>t</title></HEAD></html>".to_string(),
                format!("<html><HEAD lang=\"en\">{NOINDEX}\n<title>t</title></HEAD></html>"),
            ),
            // A tag in the body does not count, and <header> is no head.
            (
                format!("<head></head><body><header></header>{NOINDEX}</body>"),
                format!("<head>{NOINDEX}\n</head><body><header></header>{NOINDEX}</body>"),
            ),
            // No head at all: first thing in the page.
            ("<p>hi</p>".to_string(), format!("{NOINDEX}\n<p>hi</p>")),
        ];
        for (page, want) in cases {
            assert_eq!(ensure_noindex(page.clone()), want, "{page}");
        }
    }
}
