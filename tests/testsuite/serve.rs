//! `folio serve`: the real binary on a copy of example-accounts, spoken to
//! with a plain HTTP/1.1 client over TcpStream.

use crate::common::copy_dir;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long the server may take to do anything (a build on a loaded CI machine).
const PATIENCE: Duration = Duration::from_secs(90);

/// A running `folio serve`; killed when dropped, so a failing test leaves
/// no server behind.
struct Served {
    child: Child,
    port: u16,
    stderr: Arc<Mutex<String>>,
}

impl Drop for Served {
    /// Asks the server to stop (SIGTERM, like Ctrl-C, so it removes its
    /// temp folder), and kills it if it has not stopped within a while.
    fn drop(&mut self) {
        #[cfg(target_os = "linux")]
        {
            // SAFETY: signalling our own child process by its id.
            unsafe { libc::kill(self.child.id() as libc::pid_t, libc::SIGTERM) };
            let deadline = Instant::now() + Duration::from_secs(10);
            while Instant::now() < deadline {
                if let Ok(Some(_)) = self.child.try_wait() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Served {
    fn start(records: &Path) -> Served {
        Served::start_with(records, None)
    }

    /// With `FOLIO_SERVE_DIR` set to `workspaces` when given.
    fn start_with(records: &Path, workspaces: Option<&Path>) -> Served {
        let mut command = Command::new(env!("CARGO_BIN_EXE_folio"));
        if let Some(dir) = workspaces {
            command.env("FOLIO_SERVE_DIR", dir);
        }
        let mut child = command
            .args(["--as-of", "2026-11-23", "--color", "never", "-C"])
            .arg(records)
            .args(["serve", "--port", "0"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("folio runs");
        let stderr = Arc::new(Mutex::new(String::new()));
        let mut err = child.stderr.take().unwrap();
        let sink = stderr.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n @ 1..) = err.read(&mut buf) {
                sink.lock()
                    .unwrap()
                    .push_str(&String::from_utf8_lossy(&buf[..n]));
            }
        });
        let (tx, rx) = std::sync::mpsc::channel();
        let out = child.stdout.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        let mut served = Served {
            child,
            port: 0,
            stderr,
        };
        let line = rx
            .recv_timeout(PATIENCE)
            .unwrap_or_else(|_| panic!("no `Serving` line; stderr:\n{}", served.stderr()));
        let shown = std::fs::canonicalize(records).unwrap();
        let prefix = format!("Serving {} at http://127.0.0.1:", shown.display());
        let rest = line
            .strip_prefix(&prefix)
            .unwrap_or_else(|| panic!("unexpected first line: {line}"));
        served.port = rest
            .split('/')
            .next()
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("no port in: {line}"));
        assert_ne!(served.port, 0, "the real port is printed");
        served
    }

    fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    fn get(&self, target: &str) -> Reply {
        get(self.port, target)
    }

    fn version(&self) -> String {
        let r = self.get("/__folio/version");
        assert_eq!(r.status, 200);
        r.text()
    }

    /// Waits (polling, with a deadline) until the build version moves on
    /// from `old`, and returns the new one.
    fn next_version(&self, old: &str) -> String {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let v = self.version();
            if v != old {
                return v;
            }
            assert!(
                Instant::now() < deadline,
                "no rebuild after the change; stderr:\n{}",
                self.stderr()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

struct Reply {
    status: u16,
    head: String,
    body: Vec<u8>,
}

impl Reply {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
    fn header(&self, name: &str) -> Option<String> {
        self.head.lines().find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.trim()
                .eq_ignore_ascii_case(name)
                .then(|| v.trim().to_string())
        })
    }
}

/// Sends raw request bytes and reads the whole answer (the connection closes).
fn exchange(port: u16, request: &[u8]) -> Reply {
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connects");
    s.set_read_timeout(Some(PATIENCE)).unwrap();
    s.write_all(request).unwrap();
    let mut raw = vec![];
    s.read_to_end(&mut raw).expect("reads the reply");
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("no header end in {:?}", String::from_utf8_lossy(&raw)));
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status in {head}"));
    Reply {
        status,
        head,
        body: raw[split + 4..].to_vec(),
    }
}

fn get(port: u16, target: &str) -> Reply {
    exchange(
        port,
        format!("GET {target} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n")
            .as_bytes(),
    )
}

/// A copy of example-accounts in a temp folder.
fn fixture() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let records = tmp.path().join("records");
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("example-accounts"),
        &records,
    );
    (tmp, records)
}

const INVOICE: &str = "accounts/clinicas-oceano/invoices/inv-2026-0024.md";

#[test]
fn serves_the_site_with_the_reload_script() {
    let (_tmp, records) = fixture();
    let s = Served::start(&records);

    let home = s.get("/");
    assert_eq!(home.status, 200);
    assert_eq!(
        home.header("content-type").as_deref(),
        Some("text/html; charset=utf-8")
    );
    let html = home.text();
    assert!(html.contains("Content-Security-Policy"));
    let version = s.version();
    let tag = format!("<script src=\"/__folio/reload.js\" data-version=\"{version}\"></script>");
    assert!(html.contains(&format!("{tag}\n</body>")), "{html}");

    let account = s.get("/accounts/clinicas-oceano/");
    assert_eq!(account.status, 200);
    assert!(account.text().contains("Oceano"));
    assert_eq!(s.get("/accounts/clinicas-oceano/index.html").status, 200);
    let redirect = s.get("/accounts/clinicas-oceano");
    assert_eq!(redirect.status, 301);
    assert!(
        redirect
            .header("location")
            .is_some_and(|l| l.ends_with("/accounts/clinicas-oceano/")),
        "{}",
        redirect.head
    );

    let css = s.get("/assets/site.css");
    assert_eq!(css.status, 200);
    assert!(css.header("content-type").unwrap().starts_with("text/css"));
    assert!(
        !css.text().contains("reload.js"),
        "only HTML gets the script"
    );
    let json = s.get("/status.json");
    assert_eq!(
        json.header("content-type").as_deref(),
        Some("application/json")
    );
    let status: serde_json::Value = serde_json::from_slice(&json.body).expect("status.json parses");
    assert_eq!(status["as_of"], "2026-11-23");
    assert!(
        s.get("/calendar.ics")
            .header("content-type")
            .unwrap()
            .starts_with("text/calendar")
    );

    let script = s.get("/__folio/reload.js");
    assert_eq!(script.status, 200);
    assert!(
        script
            .header("content-type")
            .unwrap()
            .starts_with("text/javascript")
    );
    assert!(script.text().contains("/__folio/version"));

    assert_eq!(s.get("/no/such/page/").status, 404);
    assert_eq!(s.get("/__folio/nothing").status, 404);
    let post = exchange(
        s.port,
        format!("POST / HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", s.port).as_bytes(),
    );
    assert_eq!(post.status, 405);
    let head = exchange(
        s.port,
        format!(
            "HEAD / HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nConnection: close\r\n\r\n",
            s.port
        )
        .as_bytes(),
    );
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty());
    // A page of another site whose name resolves to 127.0.0.1 cannot read it.
    let rebound = exchange(
        s.port,
        b"GET / HTTP/1.1\r\nHost: attacker.example\r\nConnection: close\r\n\r\n",
    );
    assert_eq!(rebound.status, 403);
}

/// The listening socket is 127.0.0.1 only (read from the kernel's table).
#[cfg(target_os = "linux")]
#[test]
fn listens_on_loopback_only() {
    let (_tmp, records) = fixture();
    let s = Served::start(&records);
    let table = std::fs::read_to_string("/proc/net/tcp").unwrap()
        + &std::fs::read_to_string("/proc/net/tcp6").unwrap_or_default();
    let port = format!(":{:04X}", s.port);
    let listening: Vec<&str> = table
        .lines()
        .filter_map(|l| {
            let cols: Vec<&str> = l.split_whitespace().collect();
            // cols[1] is local address:port, cols[3] the state (0A = listen).
            (cols.len() > 3 && cols[1].ends_with(&port) && cols[3] == "0A").then_some(cols[1])
        })
        .collect();
    assert_eq!(listening, vec![format!("0100007F{port}")], "{table}");
}

#[test]
fn paths_outside_the_site_are_not_found() {
    let (tmp, records) = fixture();
    std::fs::write(tmp.path().join("secret.txt"), "top secret").unwrap();
    let s = Served::start(&records);
    let targets = [
        "/../secret.txt",
        "/../../../../../../etc/passwd",
        "/accounts/../../secret.txt",
        "/%2e%2e/secret.txt",
        "/%2E%2E/%2E%2E/%2E%2E/etc/passwd",
        "/..%2fsecret.txt",
        "/..%2Fsecret.txt",
        "/accounts%2F..%2F..%2Fsecret.txt",
        "/..\\secret.txt",
        "/..%5csecret.txt",
        "/index.html%00.css",
        "/etc/passwd",
        "//etc/passwd",
        "/%2fetc%2fpasswd",
        "http://127.0.0.1/etc/passwd",
        "/.folio-site",
        "/./index.html",
        "/%c0%ae%c0%ae/secret.txt",
        "/C:/Windows/win.ini",
    ];
    for target in targets {
        let r = s.get(target);
        assert_eq!(r.status, 404, "{target}: {}", r.head);
        let body = r.text();
        assert!(
            !body.contains("top secret") && !body.contains("root:"),
            "{target}"
        );
    }
    // A raw NUL byte in the request line never reaches a file either.
    let r = exchange(
        s.port,
        format!(
            "GET /index.html\0/../x HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nConnection: close\r\n\r\n",
            s.port
        )
        .as_bytes(),
    );
    assert!(r.status == 404 || r.status == 400, "{}", r.head);
    assert_eq!(s.get("/").status, 200, "still serving");
}

#[test]
fn survives_disconnects_and_a_burst_of_requests() {
    let (_tmp, records) = fixture();
    // A page of about 3 MB, larger than the socket buffers, so closing
    // after a few bytes leaves the server in the middle of its answer.
    let paragraph = "A long handbook paragraph about payment reminders and calls. ".repeat(16);
    let body = format!("{paragraph}\n\n").repeat(3000);
    std::fs::write(
        records.join("handbook/big.md"),
        format!("---\ntitle: Big\norder: 99\n---\n{body}"),
    )
    .unwrap();
    let s = Served::start(&records);
    let full = s.get("/handbook/big/");
    assert_eq!(full.status, 200);
    assert!(full.body.len() > 2_000_000, "{}", full.body.len());

    for _ in 0..20 {
        let mut c = TcpStream::connect(("127.0.0.1", s.port)).unwrap();
        c.write_all(
            format!(
                "GET /handbook/big/ HTTP/1.1\r\nHost: 127.0.0.1:{}\r\n\r\n",
                s.port
            )
            .as_bytes(),
        )
        .unwrap();
        let mut first = [0u8; 1024];
        c.read_exact(&mut first).unwrap();
        assert!(first.starts_with(b"HTTP/1.1 200"));
        drop(c);
        // And one that leaves before finishing its request.
        let mut half = TcpStream::connect(("127.0.0.1", s.port)).unwrap();
        half.write_all(b"GET /index.html HTT").unwrap();
        let _ = half.shutdown(Shutdown::Both);
    }
    assert_eq!(s.get("/").status, 200, "still serving after disconnects");

    // 1,000 requests: 8 clients at once, 125 requests each, one after another.
    let pages = [
        "/",
        "/accounts/clinicas-oceano/",
        "/invoices/inv-2026-0024/",
        "/assets/site.css",
        "/search-index.json",
    ];
    let port = s.port;
    let clients: Vec<_> = (0..8)
        .map(|c| {
            std::thread::spawn(move || {
                (0..125)
                    .filter(|i| {
                        let r = get(port, pages[(c + i) % pages.len()]);
                        r.status == 200 && !r.body.is_empty()
                    })
                    .count()
            })
        })
        .collect();
    let ok: usize = clients.into_iter().map(|c| c.join().unwrap()).sum();
    assert_eq!(ok, 1000, "every request of the burst succeeds");
    assert_eq!(s.get("/").status, 200);
}

/// Polls until `page` answers with `status` and a body holding `needle`.
fn wait_for(s: &Served, page: &str, status: u16, needle: &str) -> Reply {
    let deadline = Instant::now() + PATIENCE;
    loop {
        let r = s.get(page);
        if r.status == status && r.text().contains(needle) {
            return r;
        }
        assert!(
            Instant::now() < deadline,
            "{page} never answered {status} with {needle:?}; last: {}\n{}\nstderr:\n{}",
            r.status,
            r.text(),
            s.stderr()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn rebuilds_on_changes_and_shows_record_errors() {
    let (_tmp, records) = fixture();
    let s = Served::start(&records);
    let invoice_path = records.join(INVOICE);
    let original = std::fs::read_to_string(&invoice_path).unwrap();
    let v0 = s.version();

    // An edit: the invoice gains a payment reference, served after a rebuild.
    let edited = original.replacen(
        "\n---\n",
        "\n---\nPaid by a cheque marked ZX-CHEQUE-4471.\n",
        1,
    );
    assert_ne!(edited, original);
    std::fs::write(&invoice_path, &edited).unwrap();
    let v1 = s.next_version(&v0);
    wait_for(&s, "/invoices/inv-2026-0024/", 200, "ZX-CHEQUE-4471");

    // A broken record: every page shows the diagnostic instead of the site.
    let broken = edited.replacen("\nissued:", "\nisued:", 1);
    assert_ne!(broken, edited);
    std::fs::write(&invoice_path, &broken).unwrap();
    let v2 = s.next_version(&v1);
    let error = wait_for(&s, "/", 500, "E012");
    let html = error.text();
    assert!(html.contains(INVOICE), "{html}");
    assert!(
        html.contains("unknown-key") && html.contains("isued"),
        "{html}"
    );
    assert!(html.contains("hint:"), "{html}");
    assert!(
        html.contains("/__folio/reload.js"),
        "the error page reloads too"
    );
    let line = broken
        .lines()
        .position(|l| l.starts_with("isued:"))
        .unwrap()
        + 1;
    assert!(html.contains(&format!("{INVOICE}:{line}:1")), "{html}");
    assert_eq!(s.get("/accounts/clinicas-oceano/").status, 500);
    assert_eq!(
        s.get("/assets/site.css").status,
        200,
        "assets stay available"
    );

    // Fixed: the site comes back.
    std::fs::write(&invoice_path, &original).unwrap();
    s.next_version(&v2);
    let home = wait_for(&s, "/", 200, "Dashboard");
    assert!(!home.text().contains("E012"));
    let page = wait_for(&s, "/invoices/inv-2026-0024/", 200, "INV-2026-0024");
    assert!(!page.text().contains("ZX-CHEQUE-4471"));

    // Files outside the records' folders do not rebuild.
    let v3 = s.version();
    std::fs::write(records.join("notes.txt"), "not a record").unwrap();
    std::fs::create_dir_all(records.join(".git")).unwrap();
    std::fs::write(records.join(".git/HEAD"), "ref: refs/heads/main\n").unwrap();
    // A record change after them is the next rebuild.
    std::fs::write(&invoice_path, &edited).unwrap();
    s.next_version(&v3);
    wait_for(&s, "/invoices/inv-2026-0024/", 200, "ZX-CHEQUE-4471");
    // The edit's rebuild moves the version twice (its own pages, then the
    // pages that sum up every account); nothing else rebuilt.
    let count = |v: &str| v.rsplit('-').next().unwrap().parse::<u64>().unwrap();
    let deadline = Instant::now() + PATIENCE;
    while count(&s.version()) < count(&v3) + 2 {
        assert!(Instant::now() < deadline, "the rebuild did not finish");
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(
        count(&s.version()),
        count(&v3) + 2,
        "one rebuild, for the record only"
    );
    // The log tells the first, whole build from an update of a few pages.
    let log = s.stderr();
    let lines: Vec<&str> = log.lines().collect();
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("built ") && l.contains(" pages in ")),
        "{log}"
    );
    let update = lines
        .iter()
        .rev()
        .find_map(|l| l.strip_prefix("updated "))
        .unwrap_or_else(|| panic!("no update line:\n{log}"));
    let words: Vec<&str> = update.split(' ').collect();
    let (rendered, pages): (usize, usize) = (words[0].parse().unwrap(), words[2].parse().unwrap());
    assert!(0 < rendered && rendered < pages, "{update}");
}

/// Records broken before the first build: every page is the error page
/// (there is no older site to show), and the site appears once fixed.
#[test]
fn starts_with_broken_records_and_recovers() {
    let (_tmp, records) = fixture();
    let invoice_path = records.join(INVOICE);
    let original = std::fs::read_to_string(&invoice_path).unwrap();
    std::fs::write(&invoice_path, original.replacen("\nissued:", "\nisued:", 1)).unwrap();
    let s = Served::start(&records);
    for page in ["/", "/accounts/clinicas-oceano/", "/index.html"] {
        let r = s.get(page);
        assert_eq!(r.status, 500, "{page}");
        assert!(r.text().contains("E012"), "{page}: {}", r.text());
    }
    assert_eq!(s.get("/assets/site.css").status, 404, "nothing built yet");
    assert_eq!(s.get("/__folio/reload.js").status, 200);

    let v0 = s.version();
    std::fs::write(&invoice_path, &original).unwrap();
    s.next_version(&v0);
    wait_for(&s, "/", 200, "Dashboard");
    assert_eq!(s.get("/assets/site.css").status, 200);
}

/// The built sites in a workspace folder (`site-N`).
#[cfg(target_os = "linux")]
fn sites_in(workspace: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(workspace)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("site-"))
        .collect();
    names.sort();
    names
}

/// Ctrl-C (or SIGTERM) stops the server, which removes the site it built
/// in its workspace (here under `FOLIO_SERVE_DIR`); the records folder gets
/// no output folder.
#[cfg(target_os = "linux")]
#[test]
fn stops_cleanly_and_removes_its_site() {
    let (tmp, records) = fixture();
    let parent = tmp.path().join("workspaces");
    std::fs::create_dir(&parent).unwrap();
    let mut s = Served::start_with(&records, Some(&parent));
    let pid = s.child.id();
    let prefix = format!("folio-serve-{pid}-");
    let workspaces = || -> Vec<PathBuf> {
        std::fs::read_dir(&parent)
            .unwrap()
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().starts_with(&prefix))
            .map(|e| e.path())
            .collect()
    };
    let found = workspaces();
    assert_eq!(found.len(), 1, "{found:?}");
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&found[0]).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o700, "only this user reads the site");
    assert_eq!(sites_in(&found[0]), ["site-1"]);
    assert!(found[0].join("site-1/index.html").is_file());

    // A full build (folio.yaml changed) goes into a new folder; the
    // replaced one is removed.
    let config_path = records.join("folio.yaml");
    let original = std::fs::read_to_string(&config_path).unwrap();
    let v0 = s.version();
    std::fs::write(&config_path, format!("{original}\n# edited\n")).unwrap();
    s.next_version(&v0);
    let deadline = Instant::now() + PATIENCE;
    while sites_in(&found[0]) != ["site-2"] {
        assert!(Instant::now() < deadline, "{:?}", sites_in(&found[0]));
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(
        !records.join("public").exists(),
        "serve never writes public/"
    );

    // SAFETY: signalling our own child process by its id.
    unsafe { libc::kill(pid as libc::pid_t, libc::SIGINT) };
    let deadline = Instant::now() + PATIENCE;
    let status = loop {
        if let Some(status) = s.child.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "still running after Ctrl-C");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(status.success(), "{status:?}; stderr:\n{}", s.stderr());
    assert!(workspaces().is_empty(), "the temp site is removed");
}

/// The served file at `rel`, without the reload script serve adds to pages.
fn served_bytes(s: &Served, rel: &str) -> (u16, Vec<u8>) {
    let r = s.get(&format!("/{rel}"));
    if !rel.ends_with(".html") || r.status != 200 {
        return (r.status, r.body);
    }
    let html = r.text();
    let start = "<script src=\"/__folio/reload.js\" data-version=\"";
    let Some(i) = html.find(start) else {
        return (r.status, r.body);
    };
    let end = html[i..]
        .find("</script>\n")
        .map_or(html.len(), |j| i + j + 10);
    (
        r.status,
        format!("{}{}", &html[..i], &html[end..]).into_bytes(),
    )
}

/// Every file of a built site, relative and `/`-separated.
fn site_files(dir: &Path, rel: &str, out: &mut Vec<String>) {
    for e in std::fs::read_dir(dir.join(rel)).unwrap().flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let child = if rel.is_empty() {
            name.clone()
        } else {
            format!("{rel}/{name}")
        };
        if e.file_type().unwrap().is_dir() {
            site_files(dir, &child, out);
        } else if !name.starts_with('.') {
            out.push(child);
        }
    }
}

/// Edits to invoices, accounts and the handbook are applied in place (one
/// site folder, the changed pages first) and leave the served site exactly
/// what `folio build` writes for the same records: nothing stale, nothing
/// missing, byte for byte.
#[test]
fn edits_in_place_end_as_a_fresh_build() {
    let (tmp, records) = fixture();
    let parent = tmp.path().join("workspaces");
    std::fs::create_dir(&parent).unwrap();
    let s = Served::start_with(&records, Some(&parent));
    let v0 = s.version();
    let write = |rel: &str, text: &str| {
        let p = records.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    };
    // A payment on one invoice, another invoice removed, a new account with
    // an invoice, an edited handbook page.
    let invoice = std::fs::read_to_string(records.join(INVOICE)).unwrap();
    let paid = invoice.replacen(
        "payments:\n",
        "payments:\n  - { date: 2026-11-21, amount: 14000, ref: \"TRF IN-PLACE-1\" }\n",
        1,
    );
    assert_ne!(paid, invoice, "the fixture invoice has payments");
    write(INVOICE, &paid);
    let removed = "accounts/segura-seguros/invoices/inv-2026-0029.md";
    assert!(records.join(removed).is_file());
    std::fs::remove_file(records.join(removed)).unwrap();
    write(
        "accounts/nova-cliente/account.md",
        "---\nname: Nova Cliente\nstatus: prospect\n---\nMet at a fair.\n",
    );
    write(
        "accounts/nova-cliente/invoices/first.md",
        "---\nnumber: NOVA-1\nissued: 2026-11-02\namount: 900\n---\n",
    );
    let handbook = records.join("handbook/finance.md");
    let page = std::fs::read_to_string(&handbook).unwrap();
    std::fs::write(
        &handbook,
        format!("{page}\nAn added paragraph IN-PLACE-2.\n"),
    )
    .unwrap();
    s.next_version(&v0);

    // The reference: a fresh build of the same records, as of the same day.
    let out = tmp.path().join("fresh");
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_folio"))
        .args(["--as-of", "2026-11-23", "-q", "-C"])
        .arg(&records)
        .args(["build", "--out"])
        .arg(&out)
        .status()
        .unwrap();
    assert!(status.success());
    let mut files = vec![];
    site_files(&out, "", &mut files);
    files.sort();
    assert!(files.contains(&"invoices/nova-1/index.html".to_string()));
    let deadline = Instant::now() + PATIENCE;
    loop {
        let differing: Vec<&String> = files
            .iter()
            .filter(|rel| served_bytes(&s, rel) != (200, std::fs::read(out.join(rel)).unwrap()))
            .collect();
        let stale = s.get("/invoices/inv-2026-0029/index.html").status != 404;
        if differing.is_empty() && !stale {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "served site differs from a fresh build in {differing:?} (stale page served: {stale}); stderr:\n{}",
            s.stderr()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    // Applied in place: still the first site folder.
    let workspace: Vec<PathBuf> = std::fs::read_dir(&parent)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    assert_eq!(workspace.len(), 1);
    let sites: Vec<String> = std::fs::read_dir(&workspace[0])
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("site-"))
        .collect();
    assert_eq!(sites, ["site-1"]);
}

/// A records repository overrides serve's browser assets with files at the
/// same paths under its `templates/serve/`: the reload script, the error
/// page's styles and the error page template, whose data are the
/// diagnostics. An edit to one while serving is served after the rebuild.
#[test]
fn a_repository_overrides_the_browser_assets() {
    let (_tmp, records) = fixture();
    let write = |rel: &str, text: &str| {
        let path = records.join("templates/serve").join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    };
    write("reload.js", "// OWN-RELOAD-1\n");
    write(
        "error.css",
        "body { color: rebeccapurple; } /* OWN-CSS */\n",
    );
    write(
        "error.html",
        "<!doctype html><html><body><h1>OWN-ERROR-PAGE {{ report.errors_counted }}</h1>\
         {% for d in report.diagnostics %}<p>{{ d.location }} {{ d.code }}</p>{% endfor %}\
         {% if failure %}<pre>{{ failure }}</pre>{% endif %}</body></html>\n",
    );
    let invoice_path = records.join(INVOICE);
    let original = std::fs::read_to_string(&invoice_path).unwrap();
    let broken = original.replacen("\nissued:", "\nisued:", 1);
    std::fs::write(&invoice_path, &broken).unwrap();
    let s = Served::start(&records);

    assert_eq!(s.get("/__folio/reload.js").text(), "// OWN-RELOAD-1\n");
    let css = s.get("/__folio/error.css");
    assert!(css.header("content-type").unwrap().starts_with("text/css"));
    assert!(css.text().contains("OWN-CSS"), "{}", css.text());
    let page = s.get("/");
    assert_eq!(page.status, 500);
    let line = broken
        .lines()
        .position(|l| l.starts_with("isued:"))
        .unwrap()
        + 1;
    let html = page.text();
    assert!(
        html.contains("<h1>OWN-ERROR-PAGE 1 error</h1>")
            && html.contains(&format!("<p>{INVOICE}:{line}:1 E012</p>")),
        "{html}"
    );
    assert!(
        html.contains("/__folio/reload.js"),
        "the page still reloads"
    );

    // The script changes while serving: the rebuild serves the new one.
    let v0 = s.version();
    write("reload.js", "// OWN-RELOAD-2\n");
    s.next_version(&v0);
    wait_for(&s, "/__folio/reload.js", 200, "OWN-RELOAD-2");

    // Without the overrides, the built-in assets are back.
    let v1 = s.version();
    std::fs::remove_dir_all(records.join("templates/serve")).unwrap();
    s.next_version(&v1);
    wait_for(&s, "/__folio/reload.js", 200, "/__folio/version");
    wait_for(&s, "/", 500, "The site was not rebuilt");
}
