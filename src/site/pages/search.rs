//! The search page: template `site/search.html`, written to
//! `search/index.html`. The search itself runs in the browser over the
//! sharded index (`assets/search-index.js` and `assets/search/`).
//!
//! Its variables are only those every page has (see [`super`]): `title`
//! and `nav`.

use crate::plumbing::value::{PageData, page};

pub fn search() -> PageData {
    page!({"title": "Search", "nav": "search"})
}
