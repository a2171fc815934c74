//! Shared plumbing, below every other layer: what any part of folio may need
//! and that knows nothing about records. It imports nothing from the crate.
//!
//! - [`cache_file`]: the cache folder `.folio-cache/` and the one on-disk
//!   format of every cache in it;
//! - [`atomic`]: writing a file in one step (a temporary file renamed over it);
//! - [`build_stamp`]: what identifies the running build of folio;
//! - [`html`]: escaping text for HTML and SVG;
//! - [`value`]: template data as Tera values, built by moving each part in;
//! - [`drop_later`]: freeing a large value off the caller's path.

pub mod atomic;
pub mod cache_file;
pub mod html;
pub mod value;

/// folio's version and the running program's size and modification time:
/// what a cache holds (which paths are records, how renames are found, how
/// a record parses) may change with any build, not only between releases,
/// so every cache file is keyed by it.
pub fn build_stamp() -> &'static str {
    static STAMP: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    STAMP.get_or_init(|| {
        let exe = std::env::current_exe().and_then(std::fs::metadata);
        let (size, modified) = exe.map_or((0, 0), |m| {
            let modified = m
                .modified()
                .ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .map_or(0, |d| d.as_nanos());
            (m.len(), modified)
        });
        format!("{} {size} {modified}", env!("CARGO_PKG_VERSION"))
    })
}

/// Drops `value` on a thread of its own. A build's records, history and
/// status document are millions of small allocations: freeing them one by
/// one took the main thread 0.15 s at 60,000 invoices after the site was
/// written. A program that ends meanwhile ends without waiting (the system
/// takes its memory back at once); `folio serve` frees them beside its
/// next request.
pub fn drop_later<T: Send + 'static>(value: T) {
    // When no thread can start, `spawn` drops the closure, and the value in
    // it, right here.
    let _ = std::thread::Builder::new().spawn(move || drop(value));
}
