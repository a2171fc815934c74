//! Build-time link checking: every `href` and `src` in a generated page that
//! points inside the site must name a file the build writes. Links to
//! folders count as broken, because from file:// a folder does not open its
//! index.html.

use crate::model::site_map::is_external;
use rustc_hash::FxHashSet;

/// The paths a site has. Fx hashing: links are looked up by the million on
/// a large site and short paths need no DoS-resistant hash here.
pub type Files<'a> = FxHashSet<&'a str>;

/// The value of every `href="..."` and `src="..."` attribute in `html`,
/// the `href`s first. Generated HTML always quotes attributes with `"`
/// (Tera and ammonia both do).
fn targets(html: &str) -> impl Iterator<Item = &str> {
    // Searching for the two attribute names (SIMD substring search) skips
    // the many other attributes a page holds.
    let bytes = html.as_bytes();
    let hrefs = memchr::memmem::find_iter(bytes, b"href=\"").map(|at| (at, 4));
    let srcs = memchr::memmem::find_iter(bytes, b"src=\"").map(|at| (at, 3));
    hrefs.chain(srcs).filter_map(move |(at, name_len)| {
        // `data-href="` and the like are not links.
        let before = at.checked_sub(1).map(|i| bytes[i]);
        if before.is_some_and(|b| b.is_ascii_alphanumeric() || b == b'-') {
            return None;
        }
        let start = at + name_len + 2;
        let end = memchr::memchr(b'"', &bytes[start..])? + start;
        Some(&html[start..end])
    })
}

/// Undoes the entity escaping Tera and ammonia apply inside attributes.
/// Most links carry no entity at all; those are borrowed as they are.
fn unescape(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.contains('&') {
        return std::borrow::Cow::Borrowed(s);
    }
    let out = s
        .replace("&#x2F;", "/")
        .replace("&#47;", "/")
        .replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&");
    std::borrow::Cow::Owned(out)
}

/// Resolves `path` (a link without its `?query` and `#fragment`) against
/// `folder`, the page's folder (relative to the site root, `/`-separated),
/// into `out`; false when it climbs above the root.
fn resolve(folder: &str, path: &str, out: &mut String) -> bool {
    if path.starts_with('/') {
        return false;
    }
    out.clear();
    out.push_str(folder);
    for seg in path.split('/') {
        match seg {
            "" | "." => {}
            ".." if out.is_empty() => return false,
            ".." => {
                let parent = out.rfind('/').unwrap_or(0);
                out.truncate(parent);
            }
            s => {
                if !out.is_empty() {
                    out.push('/');
                }
                out.push_str(s);
            }
        }
    }
    true
}

/// The internal links of `html` (at `page`) that point at nothing in `files`.
pub fn broken(page: &str, html: &str, files: &Files) -> Vec<String> {
    let mut out = vec![];
    let folder = page.rsplit_once('/').map_or("", |(folder, _)| folder);
    // Pages repeat their links (the navigation, an account's page links each
    // invoice from its row and its timeline): each distinct one is checked once.
    let mut seen: FxHashSet<&str> = FxHashSet::default();
    seen.reserve(64);
    let mut target = String::new();
    for raw in targets(html) {
        if !seen.insert(raw) {
            continue;
        }
        let link = unescape(raw);
        if is_external(&link) {
            continue;
        }
        let path = link.split(['#', '?']).next().unwrap_or_default();
        // `?q=...` alone stays on the page itself.
        let ok = path.is_empty()
            || (resolve(folder, path, &mut target) && files.contains(target.as_str()));
        if !ok && !out.iter().any(|l| *l == link) {
            out.push(link.into_owned());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_broken_internal_links() {
        let files: Files = ["index.html", "accounts/acme/index.html", "assets/site.css"]
            .into_iter()
            .collect();
        let html = r##"<a href="../../index.html">home</a><a href="../acme/index.html#x">a</a>
            <link href="../../assets/site.css"><a href="https://example.com">x</a><a href="mailto:a@b">m</a>
            <a href="#top">t</a><a href="../nope/index.html">n</a><a href="../acme/">folder</a>
            <a href="../../../outside.html">o</a><a href="/abs.html">abs</a><p data-href="zzz"></p>"##;
        let bad = broken("accounts/acme/index.html", html, &files);
        assert_eq!(
            bad,
            vec![
                "../nope/index.html",
                "../acme/",
                "../../../outside.html",
                "/abs.html"
            ]
        );
    }

    #[test]
    fn escaped_slashes_are_read_back() {
        let files: Files = ["a/index.html"].into_iter().collect();
        assert!(broken("index.html", r#"<a href="a&#x2F;index.html">"#, &files).is_empty());
    }
}
