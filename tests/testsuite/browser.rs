//! The site in a real browser: Debian's headless Chromium, driven through
//! chromedriver with the W3C WebDriver protocol (JSON over HTTP on a plain
//! TcpStream), against `folio serve` on a copy of example-accounts.
//!
//! The tests need Chromium and chromedriver (`bash ci/install-browser.sh`
//! installs them; the accessibility test also axe-core), so they are
//! ignored, with that reason, by a plain `cargo test`: the summary counts
//! them as ignored, never as passed. `.ci/run` runs them with
//! `cargo test -- --include-ignored`, and a test run so fails when a tool
//! is missing. Screenshots go to `target/screenshots/`.

use crate::common::copy_dir;
use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
/// How long anything may take on a loaded CI machine.
const PATIENCE: Duration = Duration::from_secs(90);
/// The key under which WebDriver returns an element reference.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// A child process killed when dropped.
struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        #[cfg(target_os = "linux")]
        {
            // SAFETY: signalling our own child process by its id. SIGTERM
            // lets `folio serve` remove its temp site.
            unsafe { libc::kill(self.0.id() as libc::pid_t, libc::SIGTERM) };
            let deadline = Instant::now() + Duration::from_secs(10);
            while Instant::now() < deadline {
                if let Ok(Some(_)) = self.0.try_wait() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        }
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// One HTTP/1.1 exchange; returns the status and the body.
fn http(port: u16, method: &str, path: &str, body: Option<&Value>) -> (u16, Vec<u8>) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connects");
    s.set_read_timeout(Some(PATIENCE)).unwrap();
    let payload = body.map(Value::to_string).unwrap_or_default();
    let mut request =
        format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n");
    if body.is_some() {
        request.push_str(&format!(
            "Content-Type: application/json\r\nContent-Length: {}\r\n",
            payload.len()
        ));
    }
    request.push_str("\r\n");
    request.push_str(&payload);
    s.write_all(request.as_bytes()).unwrap();
    read_reply(&mut s)
}

/// Reads one reply: the head, then the body by its Content-Length, by
/// chunks, or to the end (chromedriver keeps connections open).
fn read_reply(s: &mut TcpStream) -> (u16, Vec<u8>) {
    let mut raw = vec![];
    let mut buf = [0u8; 16384];
    let (head, start) = loop {
        if let Some(at) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
            break (
                String::from_utf8_lossy(&raw[..at]).to_ascii_lowercase(),
                at + 4,
            );
        }
        let n = s.read(&mut buf).expect("reads the reply");
        assert!(n > 0, "the connection closed before the reply's head");
        raw.extend_from_slice(&buf[..n]);
    };
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("a status");
    let length = head.lines().find_map(|l| {
        let (k, v) = l.split_once(':')?;
        (k.trim() == "content-length").then(|| v.trim().parse::<usize>().ok())?
    });
    let chunked = head.contains("transfer-encoding: chunked");
    loop {
        let body = &raw[start..];
        let complete = match length {
            Some(n) => body.len() >= n,
            None if chunked => body.ends_with(b"0\r\n\r\n"),
            None => false,
        };
        if complete {
            break;
        }
        match s.read(&mut buf).expect("reads the reply") {
            0 => break,
            n => raw.extend_from_slice(&buf[..n]),
        }
    }
    let body = raw[start..].to_vec();
    match length {
        Some(n) => (status, body[..n.min(body.len())].to_vec()),
        None if chunked => (status, unchunk(&body)),
        None => (status, body),
    }
}

/// The body of a chunked HTTP reply.
fn unchunk(mut raw: &[u8]) -> Vec<u8> {
    let mut out = vec![];
    loop {
        let Some(eol) = raw.windows(2).position(|w| w == b"\r\n") else {
            return out;
        };
        let size = std::str::from_utf8(&raw[..eol])
            .ok()
            .and_then(|s| usize::from_str_radix(s.split(';').next()?.trim(), 16).ok())
            .unwrap_or(0);
        if size == 0 || raw.len() < eol + 2 + size {
            return out;
        }
        out.extend_from_slice(&raw[eol + 2..eol + 2 + size]);
        raw = &raw[(eol + 4 + size).min(raw.len())..];
    }
}

/// A WebDriver session on a chromedriver.
struct Browser {
    port: u16,
    session: String,
    _driver: Killed,
}

impl Browser {
    fn start() -> Browser {
        let port = free_port();
        let driver = Killed(
            Command::new(CHROMEDRIVER)
                .arg(format!("--port={port}"))
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("chromedriver runs"),
        );
        let deadline = Instant::now() + PATIENCE;
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "chromedriver never listened");
            std::thread::sleep(Duration::from_millis(50));
        }
        let capabilities = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": CHROMIUM,
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu",
                         "--disable-dev-shm-usage", "--window-size=1280,1000",
                         "--no-first-run", "--no-default-browser-check"]
            },
            "goog:loggingPrefs": {"browser": "ALL"}
        }}});
        let (status, body) = http(port, "POST", "/session", Some(&capabilities));
        let reply: Value = serde_json::from_slice(&body).expect("JSON");
        assert_eq!(status, 200, "no browser session: {reply}");
        let session = reply["value"]["sessionId"]
            .as_str()
            .expect("a session id")
            .to_string();
        Browser {
            port,
            session,
            _driver: driver,
        }
    }

    /// A command on the session; panics on a WebDriver error.
    fn call(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let (status, raw) = http(
            self.port,
            method,
            &format!("/session/{}{path}", self.session),
            body.as_ref(),
        );
        let reply: Value = serde_json::from_slice(&raw).expect("JSON");
        assert_eq!(status, 200, "{method} {path}: {reply}");
        reply["value"].clone()
    }

    fn visit(&self, url: &str) {
        self.call("POST", "/url", Some(json!({ "url": url })));
    }

    fn url(&self) -> String {
        self.call("GET", "/url", None)
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    fn run(&self, script: &str) -> Value {
        self.call(
            "POST",
            "/execute/sync",
            Some(json!({"script": script, "args": []})),
        )
    }

    fn find_all(&self, css: &str) -> Vec<String> {
        self.call(
            "POST",
            "/elements",
            Some(json!({"using": "css selector", "value": css})),
        )
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|e| e[ELEMENT].as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
    }

    /// The first element matching `css`, waiting for it to appear.
    fn wait_for(&self, css: &str) -> String {
        let deadline = Instant::now() + PATIENCE;
        loop {
            if let Some(e) = self.find_all(css).into_iter().next() {
                return e;
            }
            assert!(Instant::now() < deadline, "{css} never appeared");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn text(&self) -> String {
        self.run("return document.body ? document.body.innerText : '';")
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    /// A Chrome DevTools Protocol command, through chromedriver.
    fn cdp(&self, cmd: &str, params: Value) -> Value {
        self.call(
            "POST",
            "/goog/cdp/execute",
            Some(json!({ "cmd": cmd, "params": params })),
        )
    }

    /// Screenshots the whole page, not only the part on screen, to
    /// `target/screenshots/<name>.png`; a long page in parts of at most
    /// 1600 px, `<name>-1.png`, `<name>-2.png` and so on.
    fn screenshot(&self, name: &str) {
        const PART: f64 = 1600.0;
        let metrics = self.cdp("Page.getLayoutMetrics", json!({}));
        let size = &metrics["cssContentSize"];
        // The capture lays the page out on a screen as tall as the page,
        // which then needs no scroll bar: the full window's width.
        let window = self.run("return window.innerWidth;").as_f64();
        let width = size["width"]
            .as_f64()
            .expect("a page width")
            .max(window.unwrap_or(0.0));
        let height = size["height"]
            .as_f64()
            .expect("a page height")
            .min(20.0 * PART);
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
        std::fs::create_dir_all(&dir).unwrap();
        let parts = (height / PART).ceil().max(1.0) as usize;
        for part in 0..parts {
            let top = part as f64 * PART;
            let shot = self.cdp(
                "Page.captureScreenshot",
                json!({
                    "format": "png",
                    "captureBeyondViewport": true,
                    "clip": {"x": 0, "y": top, "width": width,
                             "height": (height - top).min(PART), "scale": 1}
                }),
            );
            let png = base64_decode(shot["data"].as_str().expect("base64 text"));
            assert!(png.starts_with(b"\x89PNG"), "a PNG");
            let file = if parts == 1 {
                format!("{name}.png")
            } else {
                format!("{name}-{}.png", part + 1)
            };
            std::fs::write(dir.join(file), png).unwrap();
        }
    }

    /// Renders pages for `media` ("screen" or "print") with the reader's
    /// system set to a `scheme` ("light" or "dark") colour scheme.
    fn emulate(&self, media: &str, scheme: &str) {
        self.cdp(
            "Emulation.setEmulatedMedia",
            json!({
                "media": media,
                "features": [{"name": "prefers-color-scheme", "value": scheme}]
            }),
        );
    }

    fn resize(&self, width: u32, height: u32) {
        self.call(
            "POST",
            "/window/rect",
            Some(json!({"width": width, "height": height})),
        );
    }

    /// Console messages at error level since the last call (chromedriver's log).
    fn console_errors(&self) -> Vec<String> {
        self.call("POST", "/se/log", Some(json!({"type": "browser"})))
            .as_array()
            .cloned()
            .unwrap_or_default()
            .into_iter()
            .filter(|entry| entry["level"] == "SEVERE")
            .map(|entry| entry["message"].as_str().unwrap_or_default().to_string())
            .collect()
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = std::panic::catch_unwind(|| {
            http(
                self.port,
                "DELETE",
                &format!("/session/{}", self.session),
                None,
            )
        });
    }
}

fn free_port() -> u16 {
    TcpListener::bind(("127.0.0.1", 0))
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn base64_decode(text: &str) -> Vec<u8> {
    let value = |c: u8| -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    };
    let digits: Vec<u32> = text.bytes().filter_map(value).collect();
    let mut out = Vec::with_capacity(digits.len() * 3 / 4);
    for chunk in digits.chunks(4) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, d)| acc | d << (18 - 6 * i));
        let bytes = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
        out.extend_from_slice(&bytes[..chunk.len().saturating_sub(1)]);
    }
    out
}

/// `folio serve` on `records`; returns the process and the site's base URL.
fn serve(records: &Path) -> (Killed, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_folio"))
        .args(["--as-of", "2026-11-23", "--color", "never", "-C"])
        .arg(records)
        .args(["serve", "--port", "0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("folio runs");
    let out = child.stdout.take().unwrap();
    let child = Killed(child);
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(out).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let line = rx.recv_timeout(PATIENCE).expect("the `Serving` line");
    let url = line
        .split_whitespace()
        .find(|w| w.starts_with("http://127.0.0.1:"))
        .unwrap_or_else(|| panic!("no URL in {line}"))
        .to_string();
    (child, url)
}

/// Fails the test, saying what to install, when Chromium or chromedriver
/// is missing: a test that was asked to run never passes without them.
fn require_browser() {
    for tool in [CHROMIUM, CHROMEDRIVER] {
        assert!(
            Path::new(tool).exists(),
            "{tool} is missing: run `bash ci/install-browser.sh`"
        );
    }
}

fn records_copy() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let records = tmp.path().join("records");
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("example-accounts"),
        &records,
    );
    (tmp, records)
}

/// Waits until the page's text holds `needle`.
fn wait_for_text(browser: &Browser, needle: &str) -> String {
    let deadline = Instant::now() + PATIENCE;
    loop {
        let text = browser.text();
        if text.contains(needle) {
            return text;
        }
        assert!(
            Instant::now() < deadline,
            "the page never showed {needle:?}; it shows:\n{text}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
#[ignore = "needs Chromium and chromedriver: bash ci/install-browser.sh"]
fn the_site_works_in_a_browser() {
    require_browser();
    let (_tmp, records) = records_copy();
    let (_server, base) = serve(&records);
    let browser = Browser::start();

    browser.visit(&base);
    wait_for_text(&browser, "Dashboard");
    assert!(
        !browser.find_all("svg").is_empty(),
        "the dashboard has its chart"
    );
    browser.screenshot("dashboard");
    assert_eq!(browser.console_errors(), Vec::<String>::new(), "dashboard");

    browser.visit(&format!("{base}accounts/clinicas-oceano/index.html"));
    let text = wait_for_text(&browser, "Oceano");
    assert!(text.contains("INV-2026-0024"), "{text}");
    browser.screenshot("account");
    assert_eq!(browser.console_errors(), Vec::<String>::new(), "account");

    browser.visit(&format!("{base}invoices/inv-2026-0024/index.html"));
    wait_for_text(&browser, "INV-2026-0024");
    browser.screenshot("invoice");
    assert_eq!(browser.console_errors(), Vec::<String>::new(), "invoice");

    // Search from the header box: type, wait for a result, follow it.
    let search = browser.wait_for("#search");
    browser.call(
        "POST",
        &format!("/element/{search}/value"),
        Some(json!({"text": "oceano"})),
    );
    let link = browser.wait_for("#search-results a[href*='accounts/clinicas-oceano']");
    browser.screenshot("search");
    browser.call("POST", &format!("/element/{link}/click"), Some(json!({})));
    let deadline = Instant::now() + PATIENCE;
    while !browser.url().contains("/accounts/clinicas-oceano/") {
        assert!(
            Instant::now() < deadline,
            "the result did not open: {}",
            browser.url()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    wait_for_text(&browser, "Oceano");
    assert_eq!(browser.console_errors(), Vec::<String>::new(), "search");

    // An edit to the records reloads the open page by itself (the reload
    // script runs under the pages' Content-Security-Policy).
    browser.visit(&format!("{base}invoices/inv-2026-0024/index.html"));
    wait_for_text(&browser, "INV-2026-0024");
    browser.run("window.folioMarker = 1; return null;");
    let invoice = records.join("accounts/clinicas-oceano/invoices/inv-2026-0024.md");
    let original = std::fs::read_to_string(&invoice).unwrap();
    let edited = original.replacen("\n---\n", "\n---\nReloaded note QX-7731.\n", 1);
    std::fs::write(&invoice, edited).unwrap();
    wait_for_text(&browser, "QX-7731");
    assert_eq!(
        browser.run("return window.folioMarker === undefined;"),
        json!(true),
        "the page reloaded"
    );
    browser.screenshot("reloaded");
    assert_eq!(browser.console_errors(), Vec::<String>::new(), "reload");

    // A broken record: the open page turns into the list of errors, and
    // comes back by itself once the record is fixed.
    let broken = original.replacen("\nissued:", "\nisued:", 1);
    std::fs::write(&invoice, broken).unwrap();
    let text = wait_for_text(&browser, "E012");
    assert!(text.contains("isued"), "{text}");
    browser.screenshot("records-error");
    std::fs::write(&invoice, &original).unwrap();
    let text = wait_for_text(&browser, "Escalation ladder");
    assert!(!text.contains("QX-7731"), "{text}");
    // The error page itself is answered with status 500, which the browser
    // notes; nothing else may be logged (a CSP refusal would be).
    let errors: Vec<String> = browser
        .console_errors()
        .into_iter()
        .filter(|e| !e.contains("status of 500"))
        .collect();
    assert_eq!(errors, Vec::<String>::new(), "error page round trip");
}

/// `folio build` output opened straight from disk (file:// URLs), as a
/// reader who downloads the site would: pages, links between them and the
/// search work without a server.
#[test]
#[ignore = "needs Chromium and chromedriver: bash ci/install-browser.sh"]
fn the_built_site_works_from_files() {
    require_browser();
    let (_tmp, base) = built_site();
    let browser = Browser::start();

    browser.visit(&format!("{base}index.html"));
    wait_for_text(&browser, "Dashboard");
    browser.screenshot("file-dashboard");
    assert_eq!(browser.console_errors(), Vec::<String>::new(), "dashboard");

    // Links between pages name their index.html, so they open from disk.
    let link = browser.wait_for("a[href*='accounts/clinicas-oceano/']");
    browser.call("POST", &format!("/element/{link}/click"), Some(json!({})));
    wait_for_url(&browser, "/accounts/clinicas-oceano/index.html");
    wait_for_text(&browser, "INV-2026-0024");
    assert_eq!(browser.console_errors(), Vec::<String>::new(), "account");

    browser.visit(&format!("{base}invoices/inv-2026-0024/index.html"));
    wait_for_text(&browser, "Escalation ladder");
    assert_eq!(browser.console_errors(), Vec::<String>::new(), "invoice");

    let search = browser.wait_for("#search");
    browser.call(
        "POST",
        &format!("/element/{search}/value"),
        Some(json!({"text": "oceano"})),
    );
    let result = browser.wait_for("#search-results a[href*='accounts/clinicas-oceano']");
    browser.screenshot("file-search");
    browser.call("POST", &format!("/element/{result}/click"), Some(json!({})));
    wait_for_url(&browser, "/accounts/clinicas-oceano/index.html");
    wait_for_text(&browser, "Oceano");
    assert_eq!(browser.console_errors(), Vec::<String>::new(), "search");
}

/// Waits until the browser's address ends with `suffix`.
fn wait_for_url(browser: &Browser, suffix: &str) {
    let deadline = Instant::now() + PATIENCE;
    while !browser.url().ends_with(suffix) {
        assert!(
            Instant::now() < deadline,
            "expected a page ending in {suffix}, the browser is at {}",
            browser.url()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The example site built into a temp folder's `site`; returns the folder
/// and the site's file:// base URL.
fn built_site() -> (tempfile::TempDir, String) {
    let tmp = tempfile::tempdir().unwrap();
    let base = build(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("example-accounts"),
        &tmp.path().join("site"),
    );
    (tmp, base)
}

/// Builds the site of `records` into `out`; returns its file:// base URL.
fn build(records: &Path, out: &Path) -> String {
    let built = Command::new(env!("CARGO_BIN_EXE_folio"))
        .arg("-C")
        .arg(records)
        .args(["--as-of", "2026-11-23", "-q", "build", "--out"])
        .arg(out)
        .output()
        .expect("folio runs");
    assert!(
        built.status.success(),
        "{}",
        String::from_utf8_lossy(&built.stderr)
    );
    format!("file://{}/", out.display())
}

/// Every HTML page of the built site in `dir`, by path from its root.
fn html_pages(dir: &Path) -> Vec<String> {
    fn walk(dir: &Path, root: &Path, out: &mut Vec<String>) {
        for e in std::fs::read_dir(dir).unwrap().flatten() {
            let path = e.path();
            if path.is_dir() {
                walk(&path, root, out);
            } else if path.extension().is_some_and(|x| x == "html") {
                let rel = path.strip_prefix(root).unwrap();
                out.push(rel.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    let mut out = vec![];
    walk(dir, dir, &mut out);
    out.sort();
    out
}

/// The address of every link, stylesheet, script, image and form on the
/// page, resolved as the browser resolves it.
const PAGE_LINKS: &str = r#"
var out = [];
document.querySelectorAll("a[href], link[href], script[src], img[src], form[action]").forEach(function (e) {
  var attr = e.getAttribute("href") || e.getAttribute("src") || e.getAttribute("action");
  out.push(new URL(attr, document.baseURI).href);
});
return out;
"#;

/// Opens every page of the site built into `out`, as published at `base`,
/// and lists what is wrong: console errors (a resource that does not load,
/// a script or style the Content-Security-Policy refuses), and links or
/// resources that leave `base` or name no file of the site.
fn crawl(browser: &Browser, base: &str, out: &Path) -> Vec<String> {
    let pages = html_pages(out);
    assert!(
        pages.len() > 20,
        "the example site has its pages: {pages:?}"
    );
    let mut problems = vec![];
    for page in &pages {
        browser.visit(&format!("{base}{page}"));
        wait_for_text(browser, "Handbook");
        for error in browser.console_errors() {
            problems.push(format!("{page}: console: {error}"));
        }
        let links = browser.run(PAGE_LINKS);
        for link in links.as_array().expect("a list of links") {
            let link = link.as_str().unwrap_or_default();
            if link.starts_with("mailto:") || link.starts_with("tel:") {
                continue;
            }
            if !link.starts_with(origin(base)) {
                continue;
            }
            match link.strip_prefix(base) {
                Some(rel) => {
                    let file = rel.split(['#', '?']).next().unwrap_or_default();
                    if !out.join(file).is_file() {
                        problems.push(format!("{page}: {link} names no file of the site"));
                    }
                }
                None => problems.push(format!("{page}: {link} is outside the site at {base}")),
            }
        }
    }
    problems
}

/// The scheme and host of `url` with the slash after them: `http://host:1/`,
/// `file:///`.
fn origin(url: &str) -> &str {
    let host = url.find("://").expect("a URL") + 3;
    let slash = url[host..].find('/').expect("a path") + host;
    &url[..=slash]
}

/// Every page opened from disk: nothing fails to load and every link names
/// a page or file of the site.
#[test]
#[ignore = "needs Chromium and chromedriver: bash ci/install-browser.sh"]
fn every_built_page_works_from_files() {
    require_browser();
    let (tmp, base) = built_site();
    let browser = Browser::start();
    let problems = crawl(&browser, &base, &tmp.path().join("site"));
    assert_eq!(problems, Vec::<String>::new(), "pages opened from disk");
}

/// Requests a static file server answered: the path and its status.
type RequestLog = Arc<Mutex<Vec<(String, u16)>>>;

/// A plain static file server for `dir`, published under `prefix` (as on a
/// shared host's project page); anything outside `prefix` is a 404. Returns
/// the site's base URL and the log of requests.
fn static_server(dir: PathBuf, prefix: &'static str) -> (String, RequestLog) {
    let listener = TcpListener::bind(("127.0.0.1", 0)).unwrap();
    let port = listener.local_addr().unwrap().port();
    let log = RequestLog::default();
    let served = log.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let (dir, log) = (dir.clone(), served.clone());
            std::thread::spawn(move || answer(&mut stream, &dir, prefix, &log));
        }
    });
    (format!("http://127.0.0.1:{port}{prefix}"), log)
}

/// Answers one request of a browser for a file.
fn answer(stream: &mut TcpStream, dir: &Path, prefix: &str, log: &RequestLog) {
    stream.set_read_timeout(Some(PATIENCE)).unwrap();
    let mut head = vec![];
    let mut buf = [0u8; 4096];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => return,
            Ok(n) => head.extend_from_slice(&buf[..n]),
        }
    }
    let head = String::from_utf8_lossy(&head);
    let target = head.split_whitespace().nth(1).unwrap_or("/");
    let path = target.split(['?', '#']).next().unwrap_or_default();
    let file = path
        .strip_prefix(prefix)
        .filter(|rest| !rest.split('/').any(|seg| seg == ".."))
        .map(|rest| dir.join(rest))
        .filter(|file| file.is_file());
    let (status, body, kind) = match file {
        Some(file) => {
            let kind = match file.extension().and_then(|x| x.to_str()) {
                Some("html") => "text/html; charset=utf-8",
                Some("css") => "text/css",
                Some("js") => "text/javascript",
                Some("json") => "application/json",
                Some("ics") => "text/calendar",
                _ => "application/octet-stream",
            };
            (200, std::fs::read(file).unwrap(), kind)
        }
        None => (404, b"not found".to_vec(), "text/plain"),
    };
    log.lock().unwrap().push((path.to_string(), status));
    let reply = format!(
        "HTTP/1.1 {status} {}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        if status == 200 { "OK" } else { "Not Found" },
        body.len()
    );
    let _ = stream.write_all(reply.as_bytes());
    let _ = stream.write_all(&body);
}

/// The built site published in a sub-folder of a web server: every link
/// is relative, so the pages, the links between them and the search work
/// there as at the root, and nothing is asked of the server outside it.
#[test]
#[ignore = "needs Chromium and chromedriver: bash ci/install-browser.sh"]
fn the_built_site_works_from_a_sub_path() {
    require_browser();
    let (tmp, _) = built_site();
    let out = tmp.path().join("site");
    let (base, log) = static_server(out.clone(), "/team/archive/folio/");
    let browser = Browser::start();

    browser.visit(&format!("{base}index.html"));
    wait_for_text(&browser, "Dashboard");
    let link = browser.wait_for("a[href*='accounts/clinicas-oceano/']");
    browser.call("POST", &format!("/element/{link}/click"), Some(json!({})));
    wait_for_url(
        &browser,
        "/team/archive/folio/accounts/clinicas-oceano/index.html",
    );
    wait_for_text(&browser, "INV-2026-0024");

    let search = browser.wait_for("#search");
    browser.call(
        "POST",
        &format!("/element/{search}/value"),
        Some(json!({"text": "inv-2026-0024"})),
    );
    let result = browser.wait_for("#search-results a[href*='invoices/inv-2026-0024']");
    browser.call("POST", &format!("/element/{result}/click"), Some(json!({})));
    wait_for_url(
        &browser,
        "/team/archive/folio/invoices/inv-2026-0024/index.html",
    );
    wait_for_text(&browser, "Escalation ladder");
    assert_eq!(browser.console_errors(), Vec::<String>::new(), "search");

    // The search box's form opens the search page, which shows the results.
    browser.visit(&format!("{base}search/index.html?q=oceano"));
    browser.wait_for("#search-page-results a[href*='accounts/clinicas-oceano']");
    // In the page, under its introduction, not over it (issue #21).
    let under = browser.run(
        "var lede = document.querySelector('.lede').getBoundingClientRect(); \
         var box = document.getElementById('search-page-results').getBoundingClientRect(); \
         return box.top >= lede.bottom && document.getElementById('search-results').children.length === 0;",
    );
    assert_eq!(
        under,
        json!(true),
        "the search page's results sit under its introduction"
    );

    let mut problems = crawl(&browser, &base, &out);
    for (path, status) in log.lock().unwrap().iter() {
        if status != &200 {
            problems.push(format!("the browser asked for {path}: {status}"));
        }
    }
    assert_eq!(problems, Vec::<String>::new(), "the site in a sub-folder");
}

/// What makes a page wider than the screen, or cuts content off at its
/// edges: the page scrolling sideways, the page hiding its overflow, and
/// (innermost first) the elements and text that reach past an edge without
/// being inside a box that scrolls sideways and itself fits.
const OVERFLOW: &str = r#"
var width = document.documentElement.clientWidth, found = [], out = [];
["html", "body"].forEach(function (tag) {
  var o = getComputedStyle(document.querySelector(tag)).overflowX;
  if (o !== "visible") { found.push(tag + " hides its overflow (" + o + ")"); }
});
var extra = document.documentElement.scrollWidth - width;
if (extra > 0) { found.push("the page is " + extra + " px wider than the screen"); }
function name(e) {
  var c = typeof e.className === "string" ? e.className.trim() : "";
  return e.tagName.toLowerCase() + (c ? "." + c.split(/\s+/).join(".") : "");
}
// Text clipped by its own element is clipped on purpose (an ellipsis, a
// label only screen readers get); the element itself is checked in turn.
function clipped(text) { return getComputedStyle(text.parentElement).overflowX !== "visible"; }
// Whether what sticks out of the screen is inside a box that scrolls
// sideways and itself fits (or is hidden on purpose); the boxes that clip
// an absolutely positioned element are those from its containing block up.
function contained(n) {
  var child = n.nodeType === 3 ? "static" : getComputedStyle(n).position;
  for (var p = n.parentElement; p && p !== document.body; p = p.parentElement) {
    if (child === "fixed") { return false; }
    var style = getComputedStyle(p);
    if (child === "absolute" && style.position === "static") { continue; }
    var o = style.overflowX, box = p.getBoundingClientRect();
    if (o === "auto" || o === "scroll") { return box.right <= width + 0.5; }
    // A 1 px box that clips is how a label is hidden for all but screen
    // readers: nothing of it shows, past the edge or not.
    if (o !== "visible") { return box.width <= 1 || box.height <= 1; }
    child = style.position;
  }
  return false;
}
var walk = document.createTreeWalker(document.body, NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT);
for (var n = walk.nextNode(); n; n = walk.nextNode()) {
  var rect, owner = n.nodeType === 3 ? n.parentElement : n;
  if (n.nodeType === 3) {
    if (!n.textContent.trim()) { continue; }
    var range = document.createRange();
    range.selectNodeContents(n);
    rect = range.getBoundingClientRect();
  } else {
    rect = n.getBoundingClientRect();
  }
  // Past the right edge, or cut by the left one (wholly off to the left
  // is how the skip link hides until it has the focus).
  var past = rect.right > width + 0.5 || (rect.left < -0.5 && rect.right > 0);
  if (rect.width === 0 || !past || (n.nodeType === 3 && clipped(n))) { continue; }
  if (contained(n)) { continue; }
  out.push({ e: owner, text: n.nodeType === 3, left: rect.left, right: rect.right });
}
out.filter(function (o) {
  return o.text || !out.some(function (p) { return p !== o && p.e !== o.e && o.e.contains(p.e); });
}).slice(0, 6).forEach(function (o) {
  found.push(name(o.e) + (o.text ? " text" : "") + " spans " + Math.round(o.left) + " to " + Math.round(o.right) + " px: " + (o.e.textContent || "").trim().slice(0, 40));
});
return found;
"#;

/// Visible text drawn smaller than 12 CSS px (SVG text as scaled on the
/// screen), which nobody reads on a phone; on paper, smaller than 8 pt.
const SMALL_TEXT: &str = r#"
var found = [], least = window.matchMedia("print").matches ? 10.6 : 12;
document.querySelectorAll("body *").forEach(function (e) {
  var own = Array.prototype.some.call(e.childNodes, function (n) { return n.nodeType === 3 && n.textContent.trim(); });
  var rect = e.getBoundingClientRect(), style = getComputedStyle(e);
  if (!own || rect.width <= 1 || rect.height <= 1 || style.visibility !== "visible") { return; }
  var scale = e instanceof SVGGraphicsElement && e.getScreenCTM() ? e.getScreenCTM().a : 1;
  var size = parseFloat(style.fontSize) * scale;
  if (size < least) { found.push(e.tagName.toLowerCase() + " at " + size.toFixed(1) + " px: " + e.textContent.trim().slice(0, 30)); }
});
return found.slice(0, 4);
"#;

/// Opens `pages` of the site at `base` and lists those wider than the
/// screen or with text too small to read, with what is wrong;
/// screenshots the ones `shots` names.
fn layout_problems(
    browser: &Browser,
    base: &str,
    pages: &[String],
    shots: &[(&str, String)],
) -> Vec<String> {
    let mut found = vec![];
    for page in pages {
        browser.visit(&format!("{base}{page}"));
        browser.wait_for("main");
        if page.contains("?q=") {
            // The search page lists its results once the index has loaded.
            browser.wait_for("#search-page-results a");
        }
        let mut problems = browser.run(OVERFLOW).as_array().cloned().expect("a list");
        problems.extend(browser.run(SMALL_TEXT).as_array().cloned().expect("a list"));
        if !problems.is_empty() {
            found.push(format!("{page}: {problems:?}"));
        }
        for (shot, name) in shots {
            if shot == page {
                browser.screenshot(name);
            }
        }
    }
    found
}

/// Pages screenshotted by the layout tests, with a short name.
const SHOTS: [(&str, &str); 10] = [
    ("index.html", "dashboard"),
    ("actions/index.html", "actions"),
    ("accounts/index.html", "accounts"),
    ("accounts/clinicas-oceano/index.html", "account"),
    ("invoices/inv-2026-0024/index.html", "invoice"),
    ("accounts/clinicas-oceano/statement/index.html", "statement"),
    ("handbook/index.html", "handbook"),
    ("handbook/producer/index.html", "handbook-page"),
    ("handbook/policies/agency/index.html", "policy"),
    ("handbook/roles/producer/index.html", "role"),
];

fn shots(prefix: &str) -> Vec<(&'static str, String)> {
    SHOTS
        .iter()
        .map(|(page, name)| (*page, format!("{prefix}-{name}")))
        .collect()
}

/// On a desktop screen, a small tablet's (700 px), a phone's (390 px) and
/// the 320 px of the smallest phones no page scrolls sideways, cuts
/// anything off or has text too small to read: long words wrap, and wide
/// tables scroll inside their own box.
#[test]
#[ignore = "needs Chromium and chromedriver: bash ci/install-browser.sh"]
fn pages_fit_desktop_and_phone_screens() {
    require_browser();
    let (tmp, base) = built_site();
    let mut pages = html_pages(&tmp.path().join("site"));
    pages.push("search/index.html?q=a".into());
    let browser = Browser::start();
    let shot = |prefix: &str| {
        let mut shots = shots(prefix);
        shots.push(("search/index.html?q=a", format!("{prefix}-search")));
        shots
    };
    let mut found = vec![];
    for (width, prefix) in [
        (1280, "desktop"),
        (700, "tablet"),
        (390, "phone"),
        (320, "small-phone"),
    ] {
        browser.resize(width, 844);
        let screen = browser.run("return document.documentElement.clientWidth;");
        assert!(
            screen.as_u64().is_some_and(|w| w <= width as u64),
            "the window did not narrow to {width} px: {screen}"
        );
        found.extend(layout_problems(&browser, &base, &pages, &shot(prefix)));
    }
    assert_eq!(found, Vec::<String>::new(), "pages that do not fit a phone");
}

/// Text with too little contrast against what is behind it, by WCAG's
/// contrast ratio (4.5:1, or 3:1 for large text), element opacity
/// included. With `paper` true, also against plain white, since browsers
/// leave background colours out of print by default.
const CONTRAST: &str = r#"
var paper = arguments[0], found = [];
function rgba(text) {
  var m = (text.match(/[\d.]+/g) || []).map(Number);
  return { r: m[0] || 0, g: m[1] || 0, b: m[2] || 0, a: m.length > 3 ? m[3] : 1 };
}
function over(top, under) {
  var a = top.a;
  return { r: top.r * a + under.r * (1 - a), g: top.g * a + under.g * (1 - a), b: top.b * a + under.b * (1 - a), a: 1 };
}
function behind(e) {
  var layers = [];
  for (var p = e; p; p = p.parentElement) {
    var c = rgba(getComputedStyle(p).backgroundColor);
    if (c.a > 0) { layers.push(c); if (c.a >= 1) { break; } }
  }
  var colour = { r: 255, g: 255, b: 255, a: 1 };
  for (var i = layers.length - 1; i >= 0; i--) { colour = over(layers[i], colour); }
  return colour;
}
function luminance(c) {
  function channel(v) { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); }
  return 0.2126 * channel(c.r) + 0.7152 * channel(c.g) + 0.0722 * channel(c.b);
}
function ratio(a, b) {
  var x = luminance(a), y = luminance(b);
  return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05);
}
function name(e) {
  var c = typeof e.getAttribute("class") === "string" ? e.getAttribute("class").trim() : "";
  return e.tagName.toLowerCase() + (c ? "." + c.split(/\s+/).join(".") : "");
}
document.querySelectorAll("body *").forEach(function (e) {
  var own = Array.prototype.some.call(e.childNodes, function (n) { return n.nodeType === 3 && n.textContent.trim(); });
  if (!own) { return; }
  var rect = e.getBoundingClientRect(), style = getComputedStyle(e);
  if (rect.width <= 1 || rect.height <= 1 || style.visibility !== "visible") { return; }
  var opacity = 1;
  for (var p = e; p; p = p.parentElement) { opacity *= Number(getComputedStyle(p).opacity); }
  var ink = rgba(e instanceof SVGElement ? style.fill : style.color);
  ink.a *= opacity;
  var size = parseFloat(style.fontSize), bold = Number(style.fontWeight) >= 700;
  var needed = size >= 24 || (bold && size >= 18.66) ? 3 : 4.5;
  var grounds = paper ? [behind(e), { r: 255, g: 255, b: 255, a: 1 }] : [behind(e)];
  grounds.forEach(function (ground) {
    var r = ratio(over(ink, ground), ground);
    if (r < needed) {
      found.push(name(e) + " " + r.toFixed(2) + ":1 (" + style.color + " on rgb(" + [ground.r, ground.g, ground.b].map(Math.round) + ")): " + e.textContent.trim().slice(0, 30));
    }
  });
});
return found.filter(function (f, i) { return found.indexOf(f) === i; }).slice(0, 8);
"#;

/// Text is readable in the light and the dark colour scheme, and on paper
/// whatever the scheme of the system that prints it.
#[test]
#[ignore = "needs Chromium and chromedriver: bash ci/install-browser.sh"]
fn text_is_readable_on_screen_and_on_paper() {
    require_browser();
    let (_tmp, base) = built_site();
    let browser = Browser::start();
    let mut found = vec![];
    for (media, scheme) in [
        ("screen", "light"),
        ("screen", "dark"),
        ("print", "light"),
        ("print", "dark"),
    ] {
        browser.emulate(media, scheme);
        for (page, name) in SHOTS {
            browser.visit(&format!("{base}{page}"));
            wait_for_text(&browser, if media == "print" { "" } else { "Handbook" });
            let query = format!("return window.matchMedia('{media}').matches;");
            assert_eq!(browser.run(&query), json!(true), "{media} is emulated");
            if scheme == "dark" || media == "print" {
                browser.screenshot(&format!("{media}-{scheme}-{name}"));
            }
            let paper = media == "print";
            let problems = browser.call(
                "POST",
                "/execute/sync",
                Some(json!({"script": CONTRAST, "args": [paper]})),
            );
            for p in problems.as_array().expect("a list") {
                found.push(format!(
                    "{media}, {scheme}: {page}: {}",
                    p.as_str().unwrap()
                ));
            }
        }
    }
    assert_eq!(found, Vec::<String>::new(), "text with too little contrast");
}

/// On paper the site's navigation, search and footer stay out, links
/// read as text (external ones with their address), and nothing is cut off
/// at the edge of an A4 or Letter page (about 720 CSS px inside margins).
#[test]
#[ignore = "needs Chromium and chromedriver: bash ci/install-browser.sh"]
fn pages_print_cleanly() {
    require_browser();
    let (tmp, records) = records_copy();
    std::fs::write(
        records.join("handbook/printing.md"),
        "---\ntitle: Printing\n---\nThe [tax office](https://tax.example/forms/vat) has the forms.\n",
    )
    .unwrap();
    let out = tmp.path().join("site");
    let base = build(&records, &out);
    let browser = Browser::start();
    browser.emulate("print", "light");
    browser.resize(720, 1000);
    let hidden = r##"
return ["header.top", ".foot", "#search", "nav.side", ".skip"].filter(function (css) {
  var e = document.querySelector(css);
  return e && e.getClientRects().length > 0;
});
"##;
    let mut found = vec![];
    for (page, _) in SHOTS {
        browser.visit(&format!("{base}{page}"));
        let shown = browser.run(hidden);
        if shown != json!([]) {
            found.push(format!("{page}: printed: {shown}"));
        }
        let background = browser.run(
            "return [getComputedStyle(document.body).backgroundColor, getComputedStyle(document.body).color];",
        );
        if background != json!(["rgb(255, 255, 255)", "rgb(0, 0, 0)"]) {
            found.push(format!("{page}: printed colours {background}"));
        }
    }
    found.extend(layout_problems(&browser, &base, &html_pages(&out), &[]));

    // An external link in handbook text is printed with its address.
    browser.visit(&format!("{base}handbook/printing/index.html"));
    let printed = browser
        .run(r#"return getComputedStyle(document.querySelector(".prose a"), "::after").content;"#);
    assert!(
        printed
            .as_str()
            .unwrap_or_default()
            .contains("https://tax.example/forms/vat"),
        "the link is printed as {printed}"
    );
    assert_eq!(found, Vec::<String>::new(), "pages that print badly");
}

/// axe-core, installed by `.ci/run` (`npm install --prefix target/axe
/// axe-core@4`); `AXE_CORE` may name another copy of `axe.min.js`. A
/// missing copy fails the test that asked for it.
fn axe_source() -> String {
    let path = std::env::var_os("AXE_CORE")
        .map(PathBuf::from)
        .or_else(|| crate::common::in_target_folder("axe/node_modules/axe-core/axe.min.js"))
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("target/axe/node_modules/axe-core/axe.min.js")
        });
    std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "cannot read {} ({e}): run `npm install --prefix target/axe axe-core@4`",
            path.display()
        )
    })
}

/// Runs axe-core on the open page; returns its violations as
/// "rule (impact): target" lines.
const AXE_RUN: &str = r#"
var done = arguments[arguments.length - 1];
axe.run(document, { resultTypes: ["violations"] }).then(function (r) {
  var out = [];
  r.violations.forEach(function (v) {
    v.nodes.slice(0, 3).forEach(function (n) {
      out.push(v.id + " (" + v.impact + "): " + n.target.join(" "));
    });
  });
  done(out);
}, function (e) { done(["axe failed: " + e]); });
"#;

/// axe-core finds no violation on any page kind, on a desktop and a phone
/// screen, in the light and the dark colour scheme (issue #21).
#[test]
#[ignore = "needs Chromium, chromedriver and axe-core: bash ci/install-browser.sh; npm install --prefix target/axe axe-core@4"]
fn every_page_kind_passes_axe_core() {
    require_browser();
    let axe = axe_source();
    let (_tmp, base) = built_site();
    let browser = Browser::start();
    let mut pages: Vec<&str> = SHOTS.iter().map(|(p, _)| *p).collect();
    pages.extend([
        "search/index.html",
        "handbook/roles/index.html",
        "handbook/policies/index.html",
    ]);
    let mut found = vec![];
    for (width, scheme) in [
        (1280, "light"),
        (1280, "dark"),
        (390, "light"),
        (390, "dark"),
    ] {
        browser.resize(width, 844);
        browser.emulate("screen", scheme);
        for page in &pages {
            browser.visit(&format!("{base}{page}"));
            wait_for_text(&browser, "Handbook");
            browser.run(&axe);
            let violations = browser.call(
                "POST",
                "/execute/async",
                Some(json!({"script": AXE_RUN, "args": []})),
            );
            for v in violations.as_array().expect("a list") {
                found.push(format!(
                    "{width} px, {scheme}: {page}: {}",
                    v.as_str().unwrap()
                ));
            }
        }
    }
    assert_eq!(found, Vec::<String>::new(), "axe-core violations");
}

/// Small things seen in screenshots (issue #21): the breadcrumb keeps its
/// distance from the header, and no figure card sits alone on a row.
#[test]
#[ignore = "needs Chromium and chromedriver: bash ci/install-browser.sh"]
fn breadcrumbs_breathe_and_no_figure_is_left_alone() {
    require_browser();
    let (_tmp, base) = built_site();
    let browser = Browser::start();
    for width in [1280, 700, 390] {
        browser.resize(width, 900);
        for page in [
            "invoices/inv-2026-0024/index.html",
            "accounts/clinicas-oceano/index.html",
        ] {
            browser.visit(&format!("{base}{page}"));
            browser.wait_for("main");
            let gap = browser.run(
                "var h = document.querySelector('header').getBoundingClientRect(); \
                 var c = document.querySelector('.crumbs').getBoundingClientRect(); \
                 return c.top - h.bottom;",
            );
            assert!(
                gap.as_f64().unwrap() >= 12.0,
                "{width} px, {page}: the breadcrumb is {gap} px under the header"
            );
            let rows = browser.run(
                "var tops = {}, full = document.querySelector('.figures').getBoundingClientRect().width; \
                 document.querySelectorAll('.figures > div').forEach(function (d) { \
                   var r = d.getBoundingClientRect(), t = Math.round(r.top); \
                   /* A card as wide as the row is a row of its own, not a card alone. */ \
                   tops[t] = (tops[t] || 0) + (r.width > 0.9 * full ? 2 : 1); }); \
                 return Object.keys(tops).sort(function (a, b) { return a - b; }).map(function (k) { return tops[k]; });",
            );
            let rows: Vec<u64> = rows
                .as_array()
                .unwrap()
                .iter()
                .map(|n| n.as_u64().unwrap())
                .collect();
            if rows.len() > 1 && rows[0] > 1 {
                assert!(
                    *rows.last().unwrap() > 1,
                    "{width} px, {page}: a figure alone on its row: {rows:?}"
                );
            }
        }
    }
}

/// The pages that go to a client or a lawyer, printed to PDF on A4 (210 x
/// 297 mm, 1.5 cm margins) through the DevTools protocol: the statement and
/// invoice pages with their written records, one A4 page or more each,
/// nothing wider than the 680 CSS px inside the margins, and the written
/// record's "from git" line on paper. The PDFs are
/// kept in `target/screenshots/` to look at.
#[test]
#[ignore = "needs Chromium and chromedriver: bash ci/install-browser.sh"]
fn statement_and_written_record_print_to_a4() {
    require_browser();
    let (tmp, base) = built_site();
    let out = tmp.path().join("site");
    let pages = [
        ("accounts/clinicas-oceano/statement/index.html", "statement"),
        ("invoices/inv-2026-0024/index.html", "record"),
        ("invoices/inv-2026-0025/index.html", "record-gradual"),
    ];
    for (page, _) in pages {
        assert!(out.join(page).is_file(), "{page} is built");
    }
    let browser = Browser::start();
    browser.emulate("print", "light");
    browser.resize(680, 1000);
    // The window narrows asynchronously; a busy machine may take a moment.
    browser.visit(&format!("{base}{}", pages[0].0));
    let deadline = Instant::now() + PATIENCE;
    loop {
        let width = browser.run("return document.documentElement.clientWidth;");
        if width.as_u64().is_some_and(|w| w <= 680) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the window did not narrow to 680 px: {width}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let listed: Vec<String> = pages.iter().map(|(p, _)| p.to_string()).collect();
    let found = layout_problems(&browser, &base, &listed, &[]);
    assert_eq!(found, Vec::<String>::new(), "claim pages too wide for A4");
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    for (page, name) in pages {
        browser.visit(&format!("{base}{page}"));
        browser.wait_for("main");
        let margin = 1.5 / 2.54;
        let printed = browser.cdp(
            "Page.printToPDF",
            json!({
                "paperWidth": 210.0 / 25.4, "paperHeight": 297.0 / 25.4,
                "marginTop": margin, "marginBottom": margin,
                "marginLeft": margin, "marginRight": margin,
                "printBackground": false,
            }),
        );
        let pdf = base64_decode(printed["data"].as_str().expect("base64 PDF"));
        assert!(pdf.starts_with(b"%PDF-"), "{page}: a PDF");
        std::fs::write(dir.join(format!("{name}.pdf")), &pdf).unwrap();
        let text = String::from_utf8_lossy(&pdf);
        // Every page of the PDF is A4: 595 x 842 points.
        let boxes: Vec<&str> = text
            .match_indices("/MediaBox")
            .map(|(i, _)| &text[i..(i + 40).min(text.len())])
            .collect();
        assert!(!boxes.is_empty(), "{page}: pages in the PDF");
        for b in &boxes {
            let numbers: Vec<f64> = b
                .split(|c: char| !(c.is_ascii_digit() || c == '.'))
                .filter_map(|n| n.parse().ok())
                .collect();
            assert!(
                numbers.len() >= 4
                    && (numbers[2] - 595.0).abs() < 2.0
                    && (numbers[3] - 842.0).abs() < 2.0,
                "{page}: a page that is not A4: {b}"
            );
        }
        assert!(
            boxes.len() <= 5,
            "{page}: {} pages for one statement or invoice",
            boxes.len()
        );
    }
    browser.visit(&format!("{base}invoices/inv-2026-0024/index.html"));
    assert!(
        browser
            .text()
            .contains("From git: each entry, oldest first, with the commit that added it"),
        "the record says where its chronology comes from"
    );
}
