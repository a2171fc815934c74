//! Answering requests: the built site's files (only those inside its
//! folder), folio's own endpoints under `/__folio/`, the error page while the
//! records have problems, and the reload script added to every HTML page.

use super::State;
use crate::plumbing::html::escape;
use std::fs;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::thread::JoinHandle;
use tiny_http::{Header, Method, Request, Response};

/// The URL prefix of folio's own endpoints; the site never has such a folder
/// (hidden and `__` names are not page names).
pub const PREFIX: &str = "/__folio/";

/// Starts `count` threads answering the requests `http` receives; they end
/// when the server is unblocked once per thread.
pub fn start_workers(
    http: &Arc<tiny_http::Server>,
    addr: SocketAddr,
    state: &Arc<State>,
    count: usize,
) -> Vec<JoinHandle<()>> {
    (0..count)
        .map(|_| {
            let http = http.clone();
            let state = state.clone();
            std::thread::spawn(move || {
                while let Ok(request) = http.recv() {
                    answer(&state, addr, request);
                }
            })
        })
        .collect()
}

/// What a request asks for.
#[derive(Debug, PartialEq, Eq)]
enum Target {
    /// A file inside the site, by its path segments (an empty list is the root).
    File { segments: Vec<String>, folder: bool },
    /// One of folio's own endpoints, by name.
    Folio(String),
    /// Anything that is not a safe path inside the site.
    NotFound,
}

/// Parses a request target (`/a/b%20c/?q`) into safe path segments. A
/// segment that is empty (`//`), hidden or `.`/`..`, or whose decoded form
/// holds `/`, `\`, `:` or NUL, or an invalid escape, makes the whole path
/// not found: nothing outside the site folder is ever reachable.
fn target(url: &str) -> Target {
    let path = url.split(['?', '#']).next().unwrap_or("");
    let Some(rest) = path.strip_prefix('/') else {
        return Target::NotFound;
    };
    if let Some(name) = path.strip_prefix(PREFIX) {
        return Target::Folio(name.to_string());
    }
    let folder = rest.is_empty() || rest.ends_with('/');
    let rest = rest.strip_suffix('/').unwrap_or(rest);
    if rest.is_empty() {
        return Target::File {
            segments: vec![],
            folder,
        };
    }
    let mut segments = vec![];
    for raw in rest.split('/') {
        match decode_segment(raw) {
            Some(s) => segments.push(s),
            None => return Target::NotFound,
        }
    }
    Target::File { segments, folder }
}

/// One percent-decoded path segment, if it is a plain file or folder name.
fn decode_segment(raw: &str) -> Option<String> {
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    let s = String::from_utf8(out).ok()?;
    let plain = !s.is_empty()
        && !s.starts_with('.')
        && !s.contains(['/', '\\', ':', '\0'])
        && !s.chars().any(char::is_control);
    plain.then_some(s)
}

/// The Host header names this machine (a page on another site that rebinds
/// its DNS name to 127.0.0.1 must not read the records' data).
fn host_is_local(request: &Request) -> bool {
    let Some(host) = request
        .headers()
        .iter()
        .find(|h| h.field.equiv("Host"))
        .map(|h| h.value.as_str().to_ascii_lowercase())
    else {
        return true;
    };
    let name = match host.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or(""),
        None => host.split(':').next().unwrap_or(""),
    };
    matches!(name, "127.0.0.1" | "localhost" | "::1")
}

fn header(name: &str, value: &str) -> Header {
    Header::from_bytes(name.as_bytes(), value.as_bytes()).expect("static header is valid")
}

/// A response with the headers every answer carries.
fn respond(request: Request, status: u16, content_type: &str, body: Vec<u8>) {
    let response = Response::from_data(body)
        .with_status_code(status)
        .with_header(header("Content-Type", content_type))
        .with_header(header("Cache-Control", "no-store"))
        .with_header(header("X-Content-Type-Options", "nosniff"));
    // A client that went away mid-response is not the server's problem.
    let _ = request.respond(response);
}

fn answer(state: &State, addr: SocketAddr, request: Request) {
    if !host_is_local(&request) {
        return respond(
            request,
            403,
            "text/plain; charset=utf-8",
            b"Forbidden\n".to_vec(),
        );
    }
    if !matches!(request.method(), Method::Get | Method::Head) {
        let response = Response::from_data(b"Only GET and HEAD\n".to_vec())
            .with_status_code(405)
            .with_header(header("Allow", "GET, HEAD"));
        let _ = request.respond(response);
        return;
    }
    // The version is read before the page, so a page never looks newer
    // than the version it carries (at worst it reloads once more).
    let version = state.version();
    match target(request.url()) {
        Target::Folio(name) => folio_endpoint(state, &version, request, &name),
        Target::NotFound => not_found(request, &version),
        Target::File { segments, folder } => {
            serve_file(state, &version, addr, request, &segments, folder)
        }
    }
}

fn folio_endpoint(state: &State, version: &str, request: Request, name: &str) {
    match name {
        "version" => respond(request, 200, "text/plain; charset=utf-8", version.into()),
        "reload.js" => respond(
            request,
            200,
            "text/javascript; charset=utf-8",
            state.assets().reload_js().into(),
        ),
        "error.css" => respond(
            request,
            200,
            "text/css; charset=utf-8",
            state.assets().error_css().into(),
        ),
        _ => not_found(request, version),
    }
}

fn not_found(request: Request, version: &str) {
    let page = with_reload(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Not found</title></head>\n<body><p>Not found.</p></body></html>\n",
        version,
    );
    respond(request, 404, "text/html; charset=utf-8", page.into_bytes());
}

fn serve_file(
    state: &State,
    version: &str,
    addr: SocketAddr,
    request: Request,
    segments: &[String],
    folder: bool,
) {
    // Held until the answer is read, so the site is not removed under it.
    let site = state.sites.current();
    let base = site
        .as_ref()
        .map_or(state.sites.workspace(), |s| s.folder());
    let mut path = base.to_path_buf();
    path.extend(segments);
    let is_dir = site.is_some() && path.is_dir();
    if is_dir && !folder {
        // Pages link relatively (`../../assets/`), so a folder's page must
        // be read at its URL with the trailing slash.
        let location = format!(
            "http://{addr}{}/",
            request.url().split('?').next().unwrap_or("")
        );
        let response = Response::from_data(Vec::new())
            .with_status_code(301)
            .with_header(header("Location", &location));
        let _ = request.respond(response);
        return;
    }
    if folder {
        // A folder's page (even before any build succeeded, so the error
        // page shows at `/`).
        path.push("index.html");
    }
    let is_html = path.extension().is_some_and(|e| e == "html");
    if is_html && let Some(page) = state.error_page() {
        let page = with_reload(&page, version);
        return respond(request, 500, "text/html; charset=utf-8", page.into_bytes());
    }
    if segments == ["favicon.ico"] && !path.exists() {
        // Browsers ask for it on their own; a site without one should not
        // fill the console with 404s while previewing.
        let _ = request.respond(Response::empty(204));
        return;
    }
    if site.is_none() || !inside(base, &path) {
        return not_found(request, version);
    }
    let Ok(bytes) = fs::read(&path) else {
        return not_found(request, version);
    };
    let content_type = content_type(&path);
    let body = if is_html {
        with_reload(&String::from_utf8_lossy(&bytes), version).into_bytes()
    } else {
        bytes
    };
    respond(request, 200, content_type, body);
}

/// Whether `path`, with symlinks resolved, is a file inside `site` (the
/// build writes no links; this guards against any that appear).
fn inside(site: &Path, path: &Path) -> bool {
    match (fs::canonicalize(site), fs::canonicalize(path)) {
        (Ok(site), Ok(path)) => path.starts_with(site) && path.is_file(),
        _ => false,
    }
}

fn content_type(path: &Path) -> &'static str {
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "html" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "svg" => "image/svg+xml",
        "ics" => "text/calendar; charset=utf-8",
        "txt" | "md" => "text/plain; charset=utf-8",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        "xml" => "application/xml",
        "pdf" => "application/pdf",
        _ => "application/octet-stream",
    }
}

/// The page with the reload script before its closing `</body>` (or at the
/// end when it has none). The script is a same-origin file, so the pages'
/// Content-Security-Policy (`script-src 'self'`) allows it unchanged; the
/// version the page was served with comes in `data-version`, so a build
/// that finishes between serving the page and the first poll is not missed.
fn with_reload(html: &str, version: &str) -> String {
    let tag = format!(
        "<script src=\"{PREFIX}reload.js\" data-version=\"{}\"></script>\n",
        escape(version)
    );
    let at = html
        .to_ascii_lowercase()
        .rfind("</body>")
        .unwrap_or(html.len());
    let mut out = String::with_capacity(html.len() + tag.len());
    out.push_str(&html[..at]);
    out.push_str(&tag);
    out.push_str(&html[at..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(segments: &[&str], folder: bool) -> Target {
        Target::File {
            segments: segments.iter().map(|s| s.to_string()).collect(),
            folder,
        }
    }

    #[test]
    fn targets_stay_inside_the_site() {
        assert_eq!(target("/"), file(&[], true));
        assert_eq!(target("/index.html?x=1"), file(&["index.html"], false));
        assert_eq!(target("/accounts/acme/"), file(&["accounts", "acme"], true));
        assert_eq!(target("/a%20b/c"), file(&["a b", "c"], false));
        assert_eq!(target("/__folio/version"), Target::Folio("version".into()));
        for bad in [
            "",
            "index.html",
            "/../etc/passwd",
            "/a/../../x",
            "/%2e%2e/x",
            "/%2E%2E%2Fetc",
            "/a%2fb",
            "/a%5cb",
            "/..\\x",
            "/a\\b",
            "/a%00b",
            "//etc/passwd",
            "/a//b",
            "/c:/x",
            "/.folio-site",
            "/.git/config",
            "/%zz",
            "/%c3",
            "/./index.html",
        ] {
            assert_eq!(target(bad), Target::NotFound, "{bad:?}");
        }
    }

    #[test]
    fn reload_goes_before_the_body_end() {
        let page = with_reload("<html><body><p>x</p></body></html>", "v1");
        assert_eq!(
            page,
            "<html><body><p>x</p><script src=\"/__folio/reload.js\" data-version=\"v1\"></script>\n</body></html>"
        );
        assert!(with_reload("<p>bare</p>", "v").ends_with("</script>\n"));
    }
}
