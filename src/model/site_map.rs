//! Where records are published on the site, and what a link written in a
//! record's Markdown points to. One home for both rules: `check` warns about
//! a link that points nowhere (W013) with them, and the site renders the
//! same link as a rewritten link or as marked plain text with them, so the
//! two can never disagree.

use super::slug::{is_safe_segment, number_slug};
use pulldown_cmark::{Event, LinkType, Options, Parser, Tag};
use rustc_hash::{FxHashMap, FxHashSet};
use std::collections::{BTreeMap, HashMap};

pub fn invoice_url(number: &str) -> String {
    format!("invoices/{}/index.html", number_slug(number))
}

/// An account's statement of account, under its page.
pub fn statement_url(id: &str) -> String {
    format!("accounts/{id}/statement/index.html")
}

pub fn account_url(id: &str) -> String {
    format!("accounts/{id}/index.html")
}

pub fn role_url(role: &str) -> String {
    format!("handbook/roles/{}/index.html", role.replace('_', "-"))
}

pub fn policy_url(slug: &str) -> String {
    format!("handbook/policies/{slug}/index.html")
}

/// An owner's agenda: the steps one person owns.
pub fn owner_agenda_url(slug: &str) -> String {
    format!("actions/{slug}/index.html")
}

/// An owner's calendar feed, beside the whole agency's `calendar.ics`.
pub fn owner_calendar_url(slug: &str) -> String {
    format!("calendar/{slug}.ics")
}

/// How many shards the search index has: one per 200 things it indexes
/// (at most 512), so a query loads a few kilobytes of it, whatever the size
/// of the site.
pub fn search_shards(indexed: usize) -> usize {
    indexed.div_ceil(200).clamp(1, 512)
}

/// The files of search shard `n`: its words and its run of items.
pub fn search_shard_files(n: usize) -> [String; 2] {
    [
        format!("assets/search/w-{n}.js"),
        format!("assets/search/i-{n}.js"),
    ]
}

pub const ROLES_INDEX: &str = "handbook/roles/index.html";
pub const POLICIES_INDEX: &str = "handbook/policies/index.html";
pub const HANDBOOK_INDEX: &str = "handbook/index.html";

/// Handbook pages whose body introduces a generated page instead of having
/// a page of their own: `index.md` the handbook's home, `roles.md` the roles
/// index, `policies.md` the policies index.
pub fn intro_page_url(id: &str) -> Option<&'static str> {
    match id {
        "index" => Some(HANDBOOK_INDEX),
        "roles" => Some(ROLES_INDEX),
        "policies" => Some(POLICIES_INDEX),
        _ => None,
    }
}

/// The page names of policies and handbook pages.
#[derive(Clone, Debug, Default)]
pub struct PageNames {
    /// Policy name → its page slug.
    pub policies: BTreeMap<String, String>,
    /// Handbook page id → its page slug (introduction pages have none).
    pub pages: BTreeMap<String, String>,
    /// Step owner (a person's handle, or an owner as a policy wrote it) →
    /// the slug of their agenda page and calendar feed. An owner whose name
    /// gives no usable slug, or the slug of an owner before them, gets
    /// neither: their steps stay on the agency's agenda and feed.
    pub owners: BTreeMap<String, String>,
}

/// A name that cannot become a page: unusable, or taken by `other`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NameClash {
    pub name: String,
    pub slug: String,
    /// The name that already has the page, when two would share it.
    pub other: Option<String>,
}

impl PageNames {
    /// The page slug of each policy and handbook page, in the order given
    /// (the first of two names that share a slug keeps it), and the names
    /// that get no page.
    pub fn of<'a>(
        policies: impl IntoIterator<Item = &'a str>,
        handbook: impl IntoIterator<Item = &'a str>,
        owners: impl IntoIterator<Item = &'a str>,
    ) -> (PageNames, Vec<NameClash>, Vec<NameClash>) {
        let (policies, policy_clashes) = slugs(policies, &[]);
        let intros: Vec<&str> = ["index", "roles", "policies"].into();
        let pages: Vec<&str> = handbook
            .into_iter()
            .filter(|id| !intros.contains(id))
            .collect();
        // Generated folders under handbook/ are taken.
        let (pages, page_clashes) = slugs(pages, &["roles", "policies"]);
        let (owners, _) = slugs(owners, &[]);
        (
            PageNames {
                policies,
                pages,
                owners,
            },
            policy_clashes,
            page_clashes,
        )
    }
}

fn slugs<'a>(
    names: impl IntoIterator<Item = &'a str>,
    reserved: &[&str],
) -> (BTreeMap<String, String>, Vec<NameClash>) {
    let mut out = BTreeMap::new();
    let mut taken: HashMap<String, &str> = HashMap::new();
    let mut clashes = vec![];
    for name in names {
        let slug = number_slug(name);
        let clash = |other: Option<&str>| NameClash {
            name: name.to_string(),
            slug: slug.clone(),
            other: other.map(str::to_string),
        };
        if !is_safe_segment(&slug) {
            clashes.push(clash(None));
        } else if reserved.contains(&slug.as_str()) {
            clashes.push(clash(Some(&format!("the generated `{slug}` page"))));
        } else if let Some(other) = taken.get(&slug) {
            clashes.push(clash(Some(&format!("`{other}`"))));
        } else {
            taken.insert(slug.clone(), name);
            out.insert(name.to_string(), slug);
        }
    }
    (out, clashes)
}

/// Every file a site has, and the page each record file is shown on.
#[derive(Clone, Debug, Default)]
pub struct SiteMap {
    // Fx hashing: 113,000 paths at 1,000 accounts, hashed on every lookup.
    files: FxHashSet<String>,
    /// Record file (repository path) → the page showing it.
    pages: FxHashMap<String, String>,
}

/// What a link written in Markdown becomes on the site.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LinkTarget {
    /// Leaves the site or stays on the page: kept as written.
    Keep,
    /// Points into the site: this destination, relative to the page.
    Page(String),
    /// Points at nothing the site has.
    Broken,
}

impl SiteMap {
    pub fn new() -> SiteMap {
        SiteMap::default()
    }

    /// A file the site writes.
    pub fn add_file(&mut self, path: impl Into<String>) {
        self.files.insert(path.into());
    }

    /// A record file shown on `page` (which the site writes).
    pub fn add_record(&mut self, file: impl Into<String>, page: impl Into<String>) {
        let page = page.into();
        self.files.insert(page.clone());
        self.pages.insert(file.into(), page);
    }

    /// Every file of the site, in no order.
    pub fn files(&self) -> impl Iterator<Item = &str> {
        self.files.iter().map(String::as_str)
    }

    pub fn has_file(&self, path: &str) -> bool {
        self.files.contains(path)
    }

    /// The page a record file is shown on.
    pub fn page_of(&self, file: &str) -> Option<&str> {
        self.pages.get(file).map(String::as_str)
    }

    /// Where `dest`, written in the record `file` shown on `page`, leads.
    ///
    /// A link to a Markdown file (`collection.md`, `../acme/account.md`) is
    /// read relative to the record's folder in the repository and leads to
    /// the page showing that record; any other relative link is read
    /// relative to the page, as a browser would, and must name a file of the
    /// site (a folder leads to its `index.html`, which file:// does not
    /// open by itself). Absolute paths break on file:// and are broken.
    pub fn resolve(&self, file: &str, page: &str, dest: &str) -> LinkTarget {
        if is_external(dest) {
            return LinkTarget::Keep;
        }
        let (path, suffix) = split_suffix(dest);
        if path.is_empty() {
            return LinkTarget::Keep;
        }
        let target = if path.ends_with(".md") {
            let repo_folder = file.rsplit_once('/').map_or("", |(f, _)| f);
            resolve_path(repo_folder, path).and_then(|rec| self.pages.get(&rec).cloned())
        } else {
            let page_folder = page.rsplit_once('/').map_or("", |(f, _)| f);
            resolve_path(page_folder, path).and_then(|p| {
                let index = format!("{}/index.html", p.trim_end_matches('/'));
                if self.files.contains(&p) && !path.ends_with('/') {
                    Some(p)
                } else if self.files.contains(&index) {
                    Some(index)
                } else {
                    None
                }
            })
        };
        match target {
            Some(t) => LinkTarget::Page(format!("{}{suffix}", relative(page, &t))),
            None => LinkTarget::Broken,
        }
    }
}

/// The link from the page at `from` to the file at `to` (both relative to
/// the site root): up to their common folder, then down.
pub fn relative(from: &str, to: &str) -> String {
    let from_folders: Vec<&str> = from.split('/').collect();
    let from_folders = &from_folders[..from_folders.len() - 1];
    let to_parts: Vec<&str> = to.split('/').collect();
    let common = from_folders
        .iter()
        .zip(&to_parts[..to_parts.len() - 1])
        .take_while(|(a, b)| a == b)
        .count();
    let mut out = "../".repeat(from_folders.len() - common);
    out.push_str(&to_parts[common..].join("/"));
    out
}

/// `../` once per folder between `page` and the site root.
pub fn root_of(page: &str) -> String {
    "../".repeat(page.matches('/').count())
}

/// True for links that leave the site or stay on the same page: a scheme
/// (`https:`, `mailto:`), a protocol-relative `//host`, or only a `#part`.
pub fn is_external(link: &str) -> bool {
    if link.is_empty() || link.starts_with('#') || link.starts_with("//") {
        return true;
    }
    match link.find(':') {
        Some(colon) => {
            let scheme = &link[..colon];
            !scheme.is_empty()
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
        }
        None => false,
    }
}

/// `path`, and its `?query#fragment` (kept as written).
fn split_suffix(dest: &str) -> (&str, &str) {
    match dest.find(['?', '#']) {
        Some(i) => dest.split_at(i),
        None => (dest, ""),
    }
}

/// `path` read relative to `folder` (both `/`-separated, relative to one
/// root); `None` when it is absolute or climbs above the root.
fn resolve_path(folder: &str, path: &str) -> Option<String> {
    if path.starts_with('/') || path.contains('\\') {
        return None;
    }
    let mut parts: Vec<&str> = folder.split('/').filter(|s| !s.is_empty()).collect();
    for seg in path.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    let mut out = parts.join("/");
    if path.ends_with('/') {
        out.push('/');
    }
    Some(out)
}

/// A link or image written in Markdown (or in raw HTML inside it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WrittenLink {
    pub dest: String,
    /// Byte offset in the Markdown where the link starts (its `[`, `!` or `<`).
    pub offset: usize,
    pub image: bool,
}

/// The Markdown options folio renders with, here so that the links found
/// are the links rendered.
pub fn markdown_options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_STRIKETHROUGH
}

/// Every link and image destination written in `markdown`, with where it
/// starts. Text with neither `[` nor `<` has none (the common case, skipped
/// without parsing).
pub fn written_links(markdown: &str) -> Vec<WrittenLink> {
    let bytes = markdown.as_bytes();
    if memchr::memchr2(b'[', b'<', bytes).is_none() {
        return vec![];
    }
    let mut out = vec![];
    for (event, range) in Parser::new_ext(markdown, markdown_options()).into_offset_iter() {
        match event {
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                ..
            }) if !matches!(link_type, LinkType::Email) => out.push(WrittenLink {
                dest: dest_url.to_string(),
                offset: range.start,
                image: false,
            }),
            Event::Start(Tag::Image { dest_url, .. }) => out.push(WrittenLink {
                dest: dest_url.to_string(),
                offset: range.start,
                image: true,
            }),
            Event::Html(html) | Event::InlineHtml(html) => {
                for a in html_link_attributes(&html) {
                    out.push(WrittenLink {
                        dest: a.value.to_string(),
                        offset: range.start + a.tag_start,
                        image: a.name == "src",
                    });
                }
            }
            _ => {}
        }
    }
    out
}

/// An `href` or `src` attribute in raw HTML.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HtmlLink<'h> {
    pub name: &'static str,
    pub value: &'h str,
    /// Byte offsets of the tag's `<`, and of the attribute's whole
    /// `name=value` text (to remove it).
    pub tag_start: usize,
    pub attribute: std::ops::Range<usize>,
}

/// The `href` and `src` attributes of the tags in a piece of raw HTML,
/// quoted with `"`, `'` or not at all.
pub fn html_link_attributes(html: &str) -> Vec<HtmlLink<'_>> {
    let b = html.as_bytes();
    let mut out = vec![];
    let mut i = 0;
    while let Some(lt) = memchr::memchr(b'<', &b[i..]).map(|p| p + i) {
        let end = memchr::memchr(b'>', &b[lt..]).map_or(b.len(), |p| p + lt);
        let tag = &html[lt..end];
        let mut j = 1;
        // Skip the tag name.
        while j < tag.len() && !tag.as_bytes()[j].is_ascii_whitespace() {
            j += 1;
        }
        while j < tag.len() {
            let tb = tag.as_bytes();
            while j < tag.len() && (tb[j].is_ascii_whitespace() || tb[j] == b'/') {
                j += 1;
            }
            let name_start = j;
            while j < tag.len() && !matches!(tb[j], b'=' | b' ' | b'\t' | b'\n' | b'\r' | b'/') {
                j += 1;
            }
            let name = &tag[name_start..j];
            if j >= tag.len() || tb[j] != b'=' {
                if j == name_start {
                    j += 1;
                }
                continue;
            }
            j += 1;
            let (value_start, value_end, next) = match tb.get(j) {
                Some(&q @ (b'"' | b'\'')) => {
                    let close = memchr::memchr(q, &tb[j + 1..]).map_or(tag.len(), |p| p + j + 1);
                    (j + 1, close, (close + 1).min(tag.len()))
                }
                _ => {
                    let mut k = j;
                    while k < tag.len() && !tb[k].is_ascii_whitespace() {
                        k += 1;
                    }
                    (j, k, k)
                }
            };
            let known = if name.eq_ignore_ascii_case("href") {
                Some("href")
            } else if name.eq_ignore_ascii_case("src") {
                Some("src")
            } else {
                None
            };
            if let Some(known) = known {
                out.push(HtmlLink {
                    name: known,
                    value: &tag[value_start..value_end],
                    tag_start: lt,
                    attribute: lt + name_start..lt + next,
                });
            }
            j = next;
        }
        i = end.max(lt + 1);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map() -> SiteMap {
        let mut m = SiteMap::new();
        m.add_record("handbook/collection.md", "handbook/collection/index.html");
        m.add_record("handbook/index.md", HANDBOOK_INDEX);
        m.add_record("accounts/acme/account.md", account_url("acme"));
        m.add_record("accounts/acme/projects/web.md", account_url("acme"));
        m.add_record("accounts/acme/invoices/a.md", invoice_url("INV-1"));
        m.add_file("assets/site.css");
        m.add_file("status.json");
        m
    }

    #[test]
    fn links_resolve_like_a_reader_expects() {
        let m = map();
        let page = "handbook/roles-and-people/index.html";
        let file = "handbook/roles-and-people.md";
        let cases = [
            ("https://example.com/x.md", LinkTarget::Keep),
            ("mailto:ana@example.com", LinkTarget::Keep),
            ("#part", LinkTarget::Keep),
            (
                "collection.md#steps",
                LinkTarget::Page("../collection/index.html#steps".into()),
            ),
            (
                "./collection.md",
                LinkTarget::Page("../collection/index.html".into()),
            ),
            ("index.md", LinkTarget::Page("../index.html".into())),
            (
                "../accounts/acme/account.md",
                LinkTarget::Page("../../accounts/acme/index.html".into()),
            ),
            ("notes.md", LinkTarget::Broken),
            ("../../../../etc.md", LinkTarget::Broken),
            (
                "../../status.json",
                LinkTarget::Page("../../status.json".into()),
            ),
            (
                "../collection/",
                LinkTarget::Page("../collection/index.html".into()),
            ),
            (
                "../collection",
                LinkTarget::Page("../collection/index.html".into()),
            ),
            ("x", LinkTarget::Broken),
            ("/status.json", LinkTarget::Broken),
            ("../../../outside.html", LinkTarget::Broken),
        ];
        for (dest, want) in cases {
            assert_eq!(m.resolve(file, page, dest), want, "{dest}");
        }
        assert_eq!(
            m.resolve(
                "accounts/acme/account.md",
                &account_url("acme"),
                "invoices/a.md"
            ),
            LinkTarget::Page("../../invoices/inv-1/index.html".into())
        );
    }

    #[test]
    fn relative_links_between_pages() {
        let cases = [
            ("index.html", "handbook/index.html", "handbook/index.html"),
            (
                "handbook/index.html",
                "handbook/a/index.html",
                "a/index.html",
            ),
            (
                "handbook/a/index.html",
                "handbook/index.html",
                "../index.html",
            ),
            (
                "accounts/acme/index.html",
                "invoices/inv-1/index.html",
                "../../invoices/inv-1/index.html",
            ),
            ("handbook/a/index.html", "status.json", "../../status.json"),
            (
                "handbook/a/index.html",
                "handbook/a/index.html",
                "index.html",
            ),
        ];
        for (from, to, want) in cases {
            assert_eq!(relative(from, to), want, "{from} -> {to}");
        }
    }

    #[test]
    fn finds_links_images_and_raw_html_with_offsets() {
        let md = "See the [notes](notes.md).\n\n![logo](x.png) <img src=x> and <a href='y.md'>y</a>\n\n[ref]\n\n[ref]: r.md\n\n<https://x.example> <ana@example.com>";
        let links = written_links(md);
        let got: Vec<(&str, usize, bool)> = links
            .iter()
            .map(|l| (l.dest.as_str(), l.offset, l.image))
            .collect();
        assert_eq!(
            got,
            vec![
                ("notes.md", 8, false),
                ("x.png", 28, true),
                ("x", 43, true),
                ("y.md", 59, false),
                ("r.md", 81, false),
                ("https://x.example", 101, false),
            ]
        );
        assert_eq!(&md[8..9], "[");
        assert_eq!(&md[43..44], "<");
        assert_eq!(&md[59..60], "<");
        assert!(written_links("plain text, no links").is_empty());
    }

    #[test]
    fn raw_html_attributes() {
        let a = html_link_attributes("<img alt=\"a b\" SRC=\"p.png\"/>");
        assert_eq!(a.len(), 1);
        assert_eq!((a[0].name, a[0].value), ("src", "p.png"));
        assert_eq!(
            &"<img alt=\"a b\" SRC=\"p.png\"/>"[a[0].attribute.clone()],
            "SRC=\"p.png\""
        );
        assert!(html_link_attributes("<br>").is_empty());
        assert!(html_link_attributes("</a>").is_empty());
        assert_eq!(html_link_attributes("<a href=x>")[0].value, "x");
    }

    #[test]
    fn page_names_and_clashes() {
        let (names, policies, pages) = PageNames::of(
            ["fast", "fast_", "con"],
            ["index", "roles", "policies", "handover", "Handover", "nul"],
            ["helena", "Helena", "Ana Lima", "—"],
        );
        assert_eq!(names.policies.get("fast").map(String::as_str), Some("fast"));
        assert_eq!(policies.len(), 2);
        assert_eq!(policies[0].name, "fast_");
        assert_eq!(policies[0].other.as_deref(), Some("`fast`"));
        assert_eq!(policies[1].name, "con");
        assert_eq!(policies[1].other, None);
        assert!(!names.pages.contains_key("roles"));
        assert_eq!(
            names.pages.get("handover").map(String::as_str),
            Some("handover")
        );
        assert_eq!(pages.len(), 2, "{pages:?}");
        // Owners: the first of two sharing a slug keeps it; no slug, no page.
        let owners: Vec<(&str, &str)> = names
            .owners
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        assert_eq!(owners, [("Ana Lima", "ana-lima"), ("helena", "helena")]);
        let (_, _, generated) = PageNames::of([], ["Roles"], []);
        assert_eq!(
            generated[0].other.as_deref(),
            Some("the generated `roles` page")
        );
    }
}
