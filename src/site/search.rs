//! The client-side search index: one small record per account, project,
//! invoice, handbook page, policy and role (title, kind, a line of detail,
//! the page's path from the site root). Shipped twice: `search-index.json`
//! for tools, and `assets/search-index.js`, which sets a global, because
//! browsers refuse `fetch()` of a local file from a file:// page.

use super::pages::{self, Site};
use crate::model::Roles;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

#[derive(Serialize)]
pub struct Item {
    /// Title.
    pub t: String,
    /// Kind: account, project, invoice, page, policy, role.
    pub k: &'static str,
    /// One line of detail.
    pub d: String,
    /// Path from the site root.
    pub u: String,
}

/// Plain text of a Markdown body, cut to `max` characters, for matching.
fn excerpt(markdown: &str, max: usize) -> String {
    let mut out = String::new();
    for event in pulldown_cmark::Parser::new(markdown) {
        if let pulldown_cmark::Event::Text(t) | pulldown_cmark::Event::Code(t) = event {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(t.trim());
            if out.chars().count() >= max {
                break;
            }
        }
    }
    out.chars().take(max).collect()
}

pub fn items(site: &Site) -> Vec<Item> {
    let mut out = vec![];
    if !site.handbook_only {
        for a in &site.ledger.repo.accounts {
            let name = pages::account_name(a).to_string();
            let mut detail = vec![a.id.clone()];
            if let Some(r) = &a.account {
                detail.extend(r.data.contacts.iter().map(|c| c.name.clone()));
            }
            out.push(Item {
                t: name.clone(),
                k: "account",
                d: detail.join(" · "),
                u: pages::account_url(&a.id),
            });
            for p in &a.projects {
                out.push(Item {
                    t: p.data.name.value.clone(),
                    k: "project",
                    d: format!("{name} · {}", p.id),
                    u: format!("{}#project-{}", pages::account_url(&a.id), p.id),
                });
            }
        }
        for e in &site.ledger.entries {
            out.push(Item {
                t: e.number().to_string(),
                k: "invoice",
                d: format!(
                    "{} · {}",
                    pages::account_name(e.account),
                    e.eval.state.as_str().replace('_', " ")
                ),
                u: pages::invoice_url(e.number()),
            });
        }
    }
    for p in pages::ordered_pages(&site.ledger.repo.handbook) {
        let Some(slug) = site.page_slugs.get(&p.id) else {
            continue;
        };
        let u = if p.id == "index" {
            "handbook/index.html".to_string()
        } else {
            format!("handbook/{slug}/index.html")
        };
        out.push(Item {
            t: p.data.title.value.clone(),
            k: "page",
            d: excerpt(&p.body, 160),
            u,
        });
    }
    for p in site.ledger.settings.policies.values() {
        let Some(u) = site.policy_url(&p.name) else {
            continue;
        };
        let stages: Vec<&str> = p.stages.iter().map(|s| s.title.as_str()).collect();
        out.push(Item {
            t: format!("Escalation policy: {}", p.name),
            k: "policy",
            d: stages.join(" · "),
            u,
        });
    }
    for r in Roles::NAMES {
        out.push(Item {
            t: pages::role_title(r),
            k: "role",
            d: "Who holds this role".into(),
            u: pages::role_url(r),
        });
    }
    out
}

/// The index as files: `search-index.json` (every item, for tools), the
/// small manifest `assets/search-index.js` the search box loads first, and
/// the shards it loads as a query needs them (see [`Shards`]).
pub struct Files {
    pub json: String,
    pub manifest: String,
    /// `assets/search/w-<n>.js`: the words whose first two characters hash
    /// to shard n, each with the items holding it.
    pub words: Vec<String>,
    /// `assets/search/i-<n>.js`: the items, a run of them per shard, in
    /// the order of their folded titles.
    pub items: Vec<String>,
}

/// Posting weights: how well a word matched where it was found; the same
/// scores the search box gave when it scanned the whole index.
const IN_DETAIL: u32 = 1;
const IN_TITLE: u32 = 2;
const STARTS_TITLE: u32 = 3;

/// Lowercase, without accents: the folding the search box applies to a
/// query (`toLowerCase().normalize("NFD")` without U+0300–U+036F).
pub fn fold(text: &str) -> String {
    let nfd = icu_normalizer::DecomposingNormalizerBorrowed::new_nfd();
    nfd.normalize_iter(text.chars().flat_map(char::to_lowercase))
        .filter(|c| !('\u{300}'..='\u{36f}').contains(c))
        .collect()
}

/// The words of folded text: runs of letters and digits.
fn words(folded: &str) -> impl Iterator<Item = &str> {
    folded
        .split(|c: char| !(c.is_alphabetic() || c.is_numeric()))
        .filter(|w| !w.is_empty())
}

/// The shard of a word: a hash of its first two characters (the search box
/// computes the same from a query's term).
pub fn shard_of(word: &str, shards: usize) -> usize {
    let mut h: u64 = 0;
    for c in word.chars().take(2) {
        h = (h * 31 + c as u64) % 1_000_003;
    }
    (h % shards as u64) as usize
}

/// The search files of `items` in `shards` shards (the site map's count).
pub fn files(mut items: Vec<Item>, shards: usize) -> Files {
    let shards = shards.max(1);
    let folded: Vec<String> = items.iter().map(|i| fold(&i.t)).collect();
    let mut order: Vec<usize> = (0..items.len()).collect();
    // By folded title, so ties in score list alphabetically, as before.
    order.sort_by(|a, b| folded[*a].cmp(&folded[*b]));
    let mut sorted: Vec<Item> = Vec::with_capacity(items.len());
    let mut slots: Vec<Option<Item>> = items.drain(..).map(Some).collect();
    for i in &order {
        sorted.extend(slots[*i].take());
    }
    let items = sorted;
    let mut postings: Vec<BTreeMap<String, BTreeMap<u32, u32>>> = vec![BTreeMap::new(); shards];
    // The first two characters of indexed words, and their shards: what a
    // one-letter query loads.
    let mut firsts: BTreeMap<char, BTreeSet<usize>> = BTreeMap::new();
    for (id, item) in items.iter().enumerate() {
        let id = id as u32;
        let title = fold(&item.t);
        let rest = fold(&format!("{} {}", item.d, item.k));
        let mut add = |word: &str, weight: u32| {
            let shard = shard_of(word, shards);
            if let Some(c) = word.chars().next() {
                firsts.entry(c).or_default().insert(shard);
            }
            let best = postings[shard]
                .entry(word.to_string())
                .or_default()
                .entry(id)
                .or_insert(0);
            *best = (*best).max(weight);
        };
        for (n, w) in words(&title).enumerate() {
            let starts = n == 0 && title.starts_with(w);
            add(w, if starts { STARTS_TITLE } else { IN_TITLE });
        }
        for w in words(&rest) {
            add(w, IN_DETAIL);
        }
    }
    let per_shard = items.len().div_ceil(shards).max(1);
    let words_js = postings
        .iter()
        .enumerate()
        .map(|(n, words)| {
            let map: BTreeMap<&str, Vec<u32>> = words
                .iter()
                .map(|(w, ids)| (w.as_str(), encode(ids)))
                .collect();
            script(&format!("FOLIO_SEARCH_WORDS({n}, {})", json(&map)))
        })
        .collect();
    let items_js = (0..shards)
        .map(|n| {
            let run = items.iter().skip(n * per_shard).take(per_shard);
            let rows: Vec<[&str; 4]> = run.map(|i| [&*i.t, i.k, &*i.d, &*i.u]).collect();
            script(&format!("FOLIO_SEARCH_ITEMS({n}, {})", json(&rows)))
        })
        .collect();
    let firsts: BTreeMap<String, &BTreeSet<usize>> =
        firsts.iter().map(|(c, s)| (c.to_string(), s)).collect();
    let manifest = serde_json::json!({
        "version": 2,
        "shards": shards,
        "items": items.len(),
        "per_shard": per_shard,
        "first": firsts,
    });
    Files {
        json: json(&items) + "\n",
        manifest: script(&format!("window.FOLIO_SEARCH_INDEX = {}", json(&manifest))),
        words: words_js,
        items: items_js,
    }
}

/// A word's postings as numbers: each the distance from the previous item
/// (ids ascending) times 4, plus the weight. A word common to thousands of
/// items costs a digit or two per item.
fn encode(postings: &BTreeMap<u32, u32>) -> Vec<u32> {
    let mut previous = 0;
    postings
        .iter()
        .map(|(id, weight)| {
            let gap = id - previous;
            previous = *id;
            gap * 4 + weight
        })
        .collect()
}

fn json(value: &impl Serialize) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "null".into())
}

/// A statement as a script file. `</` cannot end a script file, but
/// escaping it keeps the JSON safe to inline should a template ever do so.
fn script(statement: &str) -> String {
    format!("{};\n", statement.replace("</", "<\\/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(t: &str, d: &str) -> Item {
        Item {
            t: t.into(),
            k: "account",
            d: d.into(),
            u: format!("accounts/{}/index.html", t.to_lowercase()),
        }
    }

    #[test]
    fn postings_are_gaps_and_weights() {
        let postings = BTreeMap::from([(0, 3), (5, 1), (6, 2)]);
        assert_eq!(encode(&postings), [3, 21, 6]);
    }

    #[test]
    fn folding_drops_case_and_accents() {
        assert_eq!(fold("Clínicas OCEANO"), "clinicas oceano");
        assert_eq!(fold("Ação"), "acao");
        assert_eq!(fold("Straße"), "straße");
    }

    #[test]
    fn every_word_is_in_the_shard_of_its_first_two_characters() {
        let items = vec![item("Zeta Works", "zeta · Ana"), item("Ação Lda", "acao")];
        let files = files(items, 7);
        assert_eq!(files.words.len(), 7);
        assert_eq!(files.items.len(), 7);
        let shard = shard_of("acao", 7);
        assert!(
            files.words[shard].contains("\"acao\":["),
            "{}",
            files.words[shard]
        );
        // Sorted by folded title: "acao lda" is item 0, its title's first
        // word; "zeta works" is item 1, "zeta" also in its detail.
        assert!(
            files.words[shard].contains("\"acao\":[3]"),
            "{}",
            files.words[shard]
        );
        let zeta = &files.words[shard_of("zeta", 7)];
        assert!(zeta.contains("\"zeta\":[7]"), "{zeta}");
        assert!(files.manifest.contains("\"items\":2"));
        assert!(files.items[0].contains("Ação Lda"));
    }
}
