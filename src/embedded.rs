//! Files compiled into the binary by `build.rs`: `TEMPLATES` (the built-in
//! site templates) and `EXAMPLE` (the bundled demo repository), each a list of
//! (relative path, contents).

include!(concat!(env!("OUT_DIR"), "/embedded.rs"));

/// A file of the bundled demo, by relative path.
pub fn example(path: &str) -> Option<&'static str> {
    EXAMPLE.iter().find(|(p, _)| *p == path).map(|(_, c)| *c)
}

/// A built-in template or browser asset, by its path under `templates/`.
pub fn template(name: &str) -> Option<&'static str> {
    TEMPLATES.iter().find(|(p, _)| *p == name).map(|(_, c)| *c)
}
