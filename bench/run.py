#!/usr/bin/env python3
"""Benchmark folio on generated repositories, side by side with Hugo and git.

    bench/run.py [--kinds tidy,backlog] [--accounts 1000] [--invoices 60]
                 [--commits 20000] [--runs 3] [--data bench/out]
                 [--sites DIR] [--tmpfs /dev/shm/folio-bench | --tmpfs '']
                 [--folio PATH] [--baseline PATH] [--no-hugo]

For each kind of repository (bench/generate.py: `tidy`, a healthy agency;
`backlog`, half the invoices unpaid and no step logged) at --accounts
accounts, it generates the repository once (kept under --data) and checks
that `folio check` finds no error in it. Then, over --runs rounds, it times:

- `folio build` with no cache, as on a fresh clone in CI (`.folio-cache/`
  removed, an empty output folder); `cp -r` of that site to a new folder
  (the I/O floor: the least time writing those bytes can take on that file
  system); `build` again with the caches warm, over the site it wrote (as a
  rebuild does: the previous site is replaced and removed; when the build
  leaves that removal to a process of its own, the script waits, untimed,
  until it is done, and reports how long that took after the build
  returned); `rm -r` of the copy; then Hugo (Debian's package) rendering
  the same Markdown files as pages with a one-line layout, into an empty
  folder (run after `cp -r`, before the warm build). folio and Hugo alternate within each round, so a slow spell of a
  shared machine weighs on both, and each ratio is the median of the
  per-round ratios. The previous round's sites are removed at the start of
  a round, and no timed command that writes a site on disk starts within
  six minutes of a mass deletion there: ext4 without a journal will not
  reuse an inode freed less than a minute ago, or six minutes ago once its
  inode table block is dirty again (and creating files nearby dirties it),
  and skipping them can triple the time of whatever creates files next
  (see RECENTLY_FREED).
- Before each timed command, every file it reads (the records and their
  git history, Hugo's copy of them, the site `cp -r` copies) is read once,
  untimed, so it starts with its input in the page cache, as after a fresh
  checkout. On this VM something outside the benchmark drops the page
  cache now and then (`drop_pagecache` in /proc/vmstat counts it); a build that then reads
  62,000 records from the disk takes seconds longer, and which command
  paid for it was chance. The report says how many drops the run saw.
- The sites are written to --sites, a folder on the disk the records live
  on (checked: same device), and again to --tmpfs (RAM) as a second column.
- `check` and `status` with the caches warm, `check` with no cache
  (FOLIO_NO_CACHE=1), `folio diff HEAD~50`, the history pass alone
  (`history --count`, cached and cold) and `git log --name-only` over the
  same history.

With --baseline, a second folio binary is run in every round beside the
first, the two taking turns going first (each on its own clone of the
repository, as their caches may differ in format), with a column for each
and their ratio (issue #22: "each figure within 5%").

Every mass deletion on the disk is noted in `.last-mass-deletion` in the
`--sites` folder, so a run started right after another (which removed its
sites as it ended) also waits out the window for recently freed inodes
before its first timed write.

It then measures what folio wrote: site size and file count, the largest
HTML page, every calendar feed (`calendar*.ics`, `calendar/*.ics`),
`status.json`, the account pages, the lines `build` printed, and the bytes
the search page loads before the first query (the files that search.html's
scripts name literally; shards whose names a script computes from the query
are not counted). It prints a Markdown table ready for the README, with the
command line, the machine's load and the targets of issue #17, and saves it
under --data.
"""
import argparse
import json
import os
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
TARGET = os.environ.get("CARGO_TARGET_DIR") or os.path.join(ROOT, "target")
AS_OF = "2026-11-23"
MIB = 1024 * 1024

HUGO_CONFIG = """baseURL = "https://example.com/"
title = "Bench"
disableKinds = ["taxonomy", "term", "RSS", "sitemap", "robotsTXT", "404"]
[markup.goldmark.renderer]
unsafe = false
"""
HUGO_BASEOF = """<!doctype html><html><head><meta charset="utf-8"><title>{{ .Title }}</title></head>
<body>{{ block "main" . }}{{ end }}</body></html>
"""
HUGO_SINGLE = """{{ define "main" }}<h1>{{ .Params.name }}{{ .Params.number }}</h1>{{ .Content }}{{ end }}"""
HUGO_LIST = """{{ define "main" }}<ul>{{ range .Pages }}<li><a href="{{ .RelPermalink }}">{{ .Params.name }}{{ .Params.number }}</a></li>{{ end }}</ul>{{ end }}"""


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def sh(cmd, **kw):
    return subprocess.run(cmd, check=True, **kw)


def fs_type(path):
    return subprocess.run(["stat", "-f", "-c", "%T", path], capture_output=True, text=True).stdout.strip()


def page_cache_drops():
    """How many times the page cache has been dropped since boot."""
    with open("/proc/vmstat") as f:
        for line in f:
            name, _, value = line.partition(" ")
            if name == "drop_pagecache":
                return int(value)
    return 0


def load_average():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


# ---------------------------------------------------------------- timing

def block_stat(path):
    """/sys/.../stat of the block device holding `path` (None on tmpfs or
    when unknown): read to wait until that disk is quiet."""
    dev = os.stat(path).st_dev
    name = f"/sys/dev/block/{os.major(dev)}:{os.minor(dev)}/stat"
    return name if os.major(dev) and os.path.exists(name) else None


def settle(stat_file, quiet=1.0, limit=120):
    """Flushes the file systems and waits until the disk has had no request
    in flight and no new discard for `quiet` seconds (at most `limit`).
    On a disk mounted with `discard` (as here), deleting a site frees
    blocks that the disk is told about after the files are gone, for up to
    a minute; without this wait that work lands on whichever command comes
    next, and `cp -r` after a removal took longer than the build."""
    os.sync()
    if not stat_file:
        return
    def sample():
        with open(stat_file) as f:
            fields = f.read().split()
        # in flight, discards completed, discard sectors (kernel >= 4.18)
        return fields[8], fields[11:14] if len(fields) >= 15 else []
    start = time.perf_counter()
    last, since = sample(), time.perf_counter()
    while time.perf_counter() - start < limit:
        time.sleep(0.1)
        now = sample()
        if now != last or now[0] != "0":
            last, since = now, time.perf_counter()
        elif time.perf_counter() - since >= quiet:
            return


class Runner:
    """Runs commands under /usr/bin/time: wall seconds (perf_counter) and
    peak RSS in MiB. Output goes to a scratch file (counted once, for the
    lines `build` prints), not to a pipe this script would have to drain."""

    def __init__(self, scratch, disk, stamp):
        self.scratch = scratch
        self.disk = disk
        self.time_out = os.path.join(scratch, "time.txt")
        self.output = os.path.join(scratch, "output.txt")
        # The last mass deletion on the disk, by this run or an earlier one
        # (each run removes its sites when it ends): a run started right
        # after another would otherwise time its first round inside the
        # window for recently freed inodes.
        self.stamp = stamp
        # What every timed command may read (set per kind of repository).
        self.inputs = []
        self.deleted_at = None
        try:
            with open(stamp) as f:
                ago = time.time() - float(f.read().strip())
            self.deleted_at = time.monotonic() - max(ago, 0)
        except (OSError, ValueError):
            pass

    def warm(self, paths):
        """Reads every file under `paths` (untimed): the next command finds
        its input in the page cache whatever the host dropped meanwhile."""
        for path in paths:
            for dirpath, _, names in os.walk(path):
                for name in names:
                    full = os.path.join(dirpath, name)
                    if os.path.isfile(full) and not os.path.islink(full):
                        with open(full, "rb") as f:
                            while f.read(1 << 20):
                                pass

    def deleted(self):
        """Notes that many files were just deleted on the records' disk."""
        self.deleted_at = time.monotonic()
        with open(self.stamp, "w") as f:
            f.write(f"{time.time()}\n")

    def remove(self, path, on_disk):
        """Removes a folder (untimed), noting the deletion when on disk."""
        if os.path.exists(path):
            shutil.rmtree(path, ignore_errors=True)
            if on_disk:
                self.deleted()

    def run(self, cmd, ok=(0,), env=None, sync=False, creates=False, reads=()):
        if sync:
            # Start from a clean slate: no writeback or discard left by the
            # previous command competes with this one.
            settle(self.disk)
        if creates and self.deleted_at is not None:
            # ext4 without a journal (this VM's disk) will not reuse an inode
            # freed less than RECENTLY_FREED seconds ago, and skipping each
            # such inode costs a block lookup: a command creating 100,000
            # files a few minutes after 100,000 were deleted runs up to three
            # times as long, by an amount that depends on what was deleted
            # when. A
            # fresh CI machine has none of that, so no timed command that
            # writes a site starts inside that window.
            wait = self.deleted_at + RECENTLY_FREED - time.monotonic()
            if wait > 0:
                log(f"  waiting {wait:.0f} s for the disk's recently freed inodes to age")
                time.sleep(wait)
                settle(self.disk)
        self.warm(list(self.inputs) + list(reads))
        with open(self.output, "wb") as out:
            start = time.perf_counter()
            r = subprocess.run(["/usr/bin/time", "-f", "%M", "-o", self.time_out] + cmd,
                               stdout=out, stderr=subprocess.STDOUT, env=env)
            wall = time.perf_counter() - start
        if r.returncode not in ok:
            with open(self.output, errors="replace") as f:
                tail = f.read()[-3000:]
            sys.exit(f"{shlex.join(cmd)} failed ({r.returncode}):\n{tail}")
        with open(self.time_out) as f:
            kb = int(f.read().strip().splitlines()[-1])
        return wall, kb / 1024

    def output_lines(self):
        with open(self.output, "rb") as f:
            return sum(1 for _ in f)


class Samples:
    """Measurements by (column, row): lists of (seconds, MiB), and per-round
    ratios by name."""

    def __init__(self):
        self.runs = {}
        self.ratios = {}

    def add(self, col, row, sample):
        self.runs.setdefault((col, row), []).append(sample)
        log(f"  {col:>22} {row:<28} {sample[0]:8.2f} s {sample[1]:8.0f} MiB")

    def ratio(self, name, value):
        self.ratios.setdefault(name, []).append(value)

    def ratio_to_baseline(self, a, b, row):
        """This round's time and peak memory of column `a` over `b`."""
        (ta, ma), (tb, mb) = self.runs[(a, row)][-1], self.runs[(b, row)][-1]
        self.ratio((a, row, "/base time"), ta / max(tb, 1e-3))
        self.ratio((a, row, "/base memory"), ma / max(mb, 1e-3))

    def median(self, col, row, which=0):
        xs = self.runs.get((col, row))
        return statistics.median(x[which] for x in xs) if xs else None

    def median_ratio(self, name):
        xs = self.ratios.get(name)
        return statistics.median(xs) if xs else None


# ext4's RECENTCY_MIN + RECENTCY_DIRTY (fs/ext4/ialloc.c), plus a second.
# `recently_deleted()` skips a free inode whose deletion time is less than
# 60 s old, or less than 360 s old when the block of the inode table that
# holds it is dirty. Syncing cleans the blocks, but the command being timed
# dirties them again as it allocates inodes next to the freed ones, so a
# minute's wait is not enough: measured on this VM, a build into an empty
# folder took 20 s 65 s after a site was deleted and 8 s seven minutes after.
RECENTLY_FREED = 361


def wait_for_remover(dest, site_name, limit=3600):
    """Seconds until the site a build replaced is gone. A build may hand
    the old site to a process of its own (`folio remove-old-site`, renamed
    to a hidden `.<site>.folio-...` sibling) and return before it is
    deleted; the next timed command must not compete with that removal, and
    how long it takes is worth knowing."""
    prefix = f".{site_name}.folio-"
    start = time.perf_counter()
    while any(name.startswith(prefix) for name in os.listdir(dest)):
        if time.perf_counter() - start > limit:
            sys.exit(f"{dest}: {prefix}* still there after {limit} s")
        time.sleep(0.1)
    return time.perf_counter() - start


def no_cache_env():
    return dict(os.environ, FOLIO_NO_CACHE="1")


# ---------------------------------------------------------------- repositories

def repo_for(data, kind, accounts, invoices, commits):
    path = os.path.join(data, f"{kind}-{accounts}x{invoices}-{commits}")
    if not os.path.exists(os.path.join(path, "folio.yaml")):
        shutil.rmtree(path, ignore_errors=True)
        cmd = [sys.executable, os.path.join(HERE, "generate.py"), path, "--accounts", str(accounts),
               "--invoices", str(invoices), "--commits", str(commits)]
        sh(cmd + (["--backlog"] if kind == "backlog" else []))
    return path


def clone_for(repo, label):
    """A clone of `repo` for one binary, so two binaries never read each
    other's `.folio-cache/`."""
    path = f"{repo}.{label}"
    head = subprocess.run(["git", "-C", repo, "rev-parse", "HEAD"], capture_output=True, text=True).stdout
    if os.path.isdir(path):
        mine = subprocess.run(["git", "-C", path, "rev-parse", "HEAD"], capture_output=True, text=True).stdout
        if mine == head:
            return path
        shutil.rmtree(path)
    sh(["git", "clone", "-q", repo, path])
    return path


def check_counts(folio, repo):
    """(errors, warnings) of `folio check` on the repository; also warms
    its caches."""
    r = subprocess.run([folio, "-C", repo, "--as-of", AS_OF, "check", "--format", "json"],
                       capture_output=True, text=True)
    doc = json.loads(r.stdout)
    return len(doc["errors"]), len(doc["warnings"])


def hugo_site(repo):
    """A Hugo site whose content is the repository's Markdown records."""
    site = repo + "-hugo"
    if not os.path.exists(site):
        os.makedirs(os.path.join(site, "layouts", "_default"))
        with open(os.path.join(site, "hugo.toml"), "w") as f:
            f.write(HUGO_CONFIG)
        for name, text in [("baseof.html", HUGO_BASEOF), ("single.html", HUGO_SINGLE), ("list.html", HUGO_LIST)]:
            with open(os.path.join(site, "layouts", "_default", name), "w") as f:
                f.write(text)
        sh(["cp", "-al", os.path.join(repo, "accounts"), os.path.join(site, "content")])
    return site


# ---------------------------------------------------------------- what a site holds

def walk_files(site):
    for dirpath, _, names in os.walk(site):
        for name in names:
            full = os.path.join(dirpath, name)
            yield os.path.relpath(full, site), os.path.getsize(full)


def search_first_load(site):
    """Files the search page loads before the first query: the scripts that
    search/index.html names, and every file those scripts name literally
    (an index, a manifest). Shards, whose names a script builds from the
    query, are not literal and so not counted. Returns ([(path, bytes)] of
    index data, [(path, bytes)] of code)."""
    page = os.path.join(site, "search", "index.html")
    if not os.path.exists(page):
        return [], []
    with open(page, encoding="utf-8") as f:
        html = f.read()

    def resolve(ref, *bases):
        ref = ref.split("#")[0].split("?")[0]
        for base in bases:
            full = os.path.normpath(os.path.join(base, ref))
            if full.startswith(os.path.normpath(site) + os.sep) and os.path.isfile(full):
                return full
        return None

    loaded = []
    for ref in re.findall(r'<(?:script|link)\b[^>]*\b(?:src|href)="([^"]+\.(?:js|json))"', html):
        full = resolve(ref, os.path.dirname(page))
        if full and full not in loaded:
            loaded.append(full)
    for script in [p for p in loaded if p.endswith(".js")]:
        with open(script, encoding="utf-8", errors="replace") as f:
            text = f.read()
        for ref in re.findall(r'["\']([^"\'\s]+\.(?:js|json))["\']', text):
            full = resolve(ref, site, os.path.dirname(page), os.path.dirname(script))
            if full and full not in loaded:
                loaded.append(full)

    def is_index(path):
        rel = os.path.relpath(path, site)
        return "index" in os.path.basename(rel) or rel.startswith("search" + os.sep)

    sized = [(os.path.relpath(p, site), os.path.getsize(p)) for p in loaded]
    return ([x for x, p in zip(sized, loaded) if is_index(p)],
            [x for x, p in zip(sized, loaded) if not is_index(p)])


def site_stats(site):
    files = list(walk_files(site))
    html = [(p, n) for p, n in files if p.endswith(".html")]
    feeds = [(p, n) for p, n in files
             if p.endswith(".ics") and (os.sep not in p and p.startswith("calendar")
                                        or p.startswith("calendar" + os.sep))]
    accounts = [(p, n) for p, n in files
                if re.fullmatch(r"accounts/[^/]+/index\.html", p.replace(os.sep, "/"))]
    status = [n for p, n in files if p == "status.json"]
    index, code = search_first_load(site)
    return {
        "bytes": sum(n for _, n in files),
        "files": len(files),
        "largest_html": max(html, key=lambda x: x[1]) if html else None,
        "html_over_1mib": sum(1 for _, n in html if n > MIB),
        "feeds": sorted(feeds, key=lambda x: -x[1]),
        "status_json": status[0] if status else None,
        "accounts": sorted(n for _, n in accounts),
        "largest_account": max(accounts, key=lambda x: x[1]) if accounts else None,
        "search_index": index,
        "search_code": code,
    }


# ---------------------------------------------------------------- formatting

def size(n):
    if n is None:
        return "—"
    if n >= MIB:
        return f"{n / MIB:,.1f} MiB"
    if n >= 1024:
        return f"{n / 1024:,.0f} KiB"
    return f"{n} B"


def secs(x):
    return "—" if x is None else (f"{x:.2f} s" if x < 10 else f"{x:.1f} s")


def ratio(x):
    return "—" if x is None else f"{x:.2f}x"


def cell(samples, col, row, memory=True):
    t = samples.median(col, row)
    if t is None:
        return ""
    return secs(t) + (f" / {samples.median(col, row, 1):,.0f} MiB" if memory else "")


def table(header, rows):
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


# ---------------------------------------------------------------- the benchmark

def bench_kind(args, kind, binaries, dests, runner):
    commits = max(60, args.commits * args.accounts // 1000)
    repo = repo_for(args.data, kind, args.accounts, args.invoices, commits)
    labels = [label for label, _ in binaries]
    repos = {label: (clone_for(repo, label) if len(binaries) > 1 else repo) for label in labels}
    counts = {}
    for label, folio in binaries:
        errors, warnings = check_counts(folio, repos[label])
        if errors:
            sys.exit(f"{repos[label]}: `folio check` ({label}) finds {errors} errors; fix bench/generate.py")
        counts[label] = warnings
    files = sum(1 for _ in walk_files(os.path.join(repo, "accounts"))) + 1
    hugo_src = None if args.no_hugo else hugo_site(repo)
    runner.inputs = list(repos.values()) + ([hugo_src] if hugo_src else [])
    drops_before = page_cache_drops()
    samples = Samples()
    out_lines = {}
    load_before = load_average()
    started = time.time()
    for rnd in range(args.runs):
        log(f"{kind}: round {rnd + 1} of {args.runs} (load {load_average()})")
        for dest_name, dest in dests:
            os.makedirs(dest, exist_ok=True)
            on_disk = dest_name == "disk"
            hugo_out = os.path.join(dest, f"{kind}-hugo-public")
            # The previous round's sites go first, all at once: every timed
            # command below writes into a folder that does not exist yet
            # (or, for `build` with caches warm, over folio's own site), and
            # starts outside the disk's window for recently freed inodes.
            for label, _ in binaries:
                for name in (f"{kind}-{label}-site", f"{kind}-{label}-copy"):
                    runner.remove(os.path.join(dest, name), on_disk)
            runner.remove(hugo_out, on_disk)
            # Everything that writes into a new folder first, then what
            # deletes: one wait for the disk per round. With a baseline, the
            # two binaries take turns going first: whichever goes second
            # writes onto a disk the first has just filled.
            order = binaries if rnd % 2 == 0 else binaries[::-1]
            for label, folio in order:
                col = f"{label} ({dest_name})"
                out = os.path.join(dest, f"{kind}-{label}-site")
                base = [folio, "-C", repos[label], "--as-of", AS_OF]
                # A fresh clone: no .folio-cache, an empty output folder.
                shutil.rmtree(os.path.join(repos[label], ".folio-cache"), ignore_errors=True)
                cold = runner.run(base + ["build", "--out", out], sync=True, creates=on_disk)
                samples.add(col, "build no cache", cold)
                copy = os.path.join(dest, f"{kind}-{label}-copy")
                cp = runner.run(["cp", "-r", out, copy], sync=True, creates=on_disk, reads=[out])
                samples.add(col, "cp", cp)
            if hugo_src:
                hugo = runner.run(["hugo", "--quiet", "-s", hugo_src, "-d", hugo_out], sync=True,
                                  creates=on_disk)
                samples.add(f"Hugo ({dest_name})", "build", hugo)
            for label, folio in order:
                col = f"{label} ({dest_name})"
                out = os.path.join(dest, f"{kind}-{label}-site")
                base = [folio, "-C", repos[label], "--as-of", AS_OF]
                # Whatever the first build cached, `check` leaves both caches warm.
                runner.run(base + ["check", "--format", "json"], ok=(0, 1))
                # It reads the site it replaces: files it would write again
                # unchanged are linked instead.
                warm = runner.run(base + ["build", "--out", out], sync=True, creates=on_disk, reads=[out])
                samples.add(col, "build", warm)
                samples.add(col, "removal after build", (wait_for_remover(dest, os.path.basename(out)), 0))
                if on_disk:
                    runner.deleted()
                out_lines[label] = runner.output_lines()
                copy = os.path.join(dest, f"{kind}-{label}-copy")
                samples.add(col, "rm", runner.run(["rm", "-r", copy], sync=True))
                if on_disk:
                    runner.deleted()
                cp = samples.runs[(col, "cp")][-1]
                samples.ratio((col, "build/cp"), warm[0] / max(cp[0], 1e-3))
                if hugo_src:
                    cold = samples.runs[(col, "build no cache")][-1]
                    samples.ratio((col, "build/hugo"), warm[0] / max(hugo[0], 1e-3))
                    samples.ratio((col, "build no cache/hugo"), cold[0] / max(hugo[0], 1e-3))
                    samples.ratio((col, "memory/hugo"), warm[1] / max(hugo[1], 1e-3))
            if len(binaries) == 2:
                a, b = [f"{label} ({dest_name})" for label in labels]
                for row in ("build", "build no cache"):
                    samples.ratio_to_baseline(a, b, row)
        # Commands that write no site, each binary in turn.
        for label, folio in binaries:
            col = f"{label} (disk)"
            base = [folio, "-C", repos[label], "--as-of", AS_OF]
            cmds = [
                ("check", base + ["check", "--format", "json"], None),
                ("status", base + ["status", "--format", "json"], None),
                ("check no cache", base + ["check", "--format", "json"], no_cache_env()),
                ("diff", base + ["diff", "HEAD~50", "HEAD"], None),
                ("history", base + ["history", "--count"], None),
            ]
            for row, cmd, env in cmds:
                samples.add(col, row, runner.run(cmd, ok=(0, 1), env=env))
            shutil.rmtree(os.path.join(repos[label], ".folio-cache"), ignore_errors=True)
            samples.add(col, "history cold", runner.run(base + ["history", "--count"]))
            runner.run(base + ["check", "--format", "json"], ok=(0, 1))
        samples.add("git (disk)", "git log", runner.run(
            ["git", "-C", repo, "log", "--first-parent", "--name-only", "--format=%H"]))
        if len(binaries) == 2:
            a, b = [f"{label} (disk)" for label in labels]
            for row in ("check", "status", "check no cache", "diff", "history", "history cold"):
                samples.ratio_to_baseline(a, b, row)
    stats = {label: site_stats(os.path.join(dests[0][1], f"{kind}-{label}-site")) for label in labels}
    hugo_stats = None
    if hugo_src:
        hugo_files = list(walk_files(os.path.join(dests[0][1], f"{kind}-hugo-public")))
        hugo_stats = (sum(n for _, n in hugo_files), len(hugo_files))
    if not args.keep_sites:
        # A backlog site is over a gigabyte: give the space back before the
        # next kind of repository writes its own.
        for _, dest in dests:
            for name in [f"{kind}-{label}-site" for label in labels] + [f"{kind}-hugo-public"]:
                shutil.rmtree(os.path.join(dest, name), ignore_errors=True)
    facts = {
        "kind": kind, "repo": repo, "files": files, "commits": commits, "warnings": counts,
        "load_before": load_before, "load_after": load_average(),
        "minutes": (time.time() - started) / 60, "out_lines": out_lines,
        "drops": page_cache_drops() - drops_before,
    }
    return report(args, facts, labels, dests, samples, stats, hugo_stats)


def report(args, facts, labels, dests, samples, stats, hugo_stats):
    baseline = len(labels) == 2
    lines = []
    warn = ", ".join(f"{facts['warnings'][label]:,} ({label})" for label in labels)
    lines.append(f"**{facts['kind']}** repository: {args.accounts:,} accounts x {args.invoices} invoices, "
                 f"{facts['files']:,} record files, {facts['commits']:,} commits; `check`: 0 errors, "
                 f"{warn} warnings. Measured {datetime.now():%Y-%m-%d %H:%M}, medians of {args.runs} round{'s' if args.runs != 1 else ''}, "
                 f"{os.cpu_count()} cores, load average {facts['load_before']} before and "
                 f"{facts['load_after']} after ({facts['minutes']:.0f} min); the page cache was dropped "
                 f"{facts['drops']} time{'s' if facts['drops'] != 1 else ''} during the run "
                 f"(every timed command's input is read into it first).")
    lines.append("")
    dest_note = "; ".join(f"{name}: `{path}` ({fs_type(path)})" for name, path in dests)
    lines.append(f"Sites written to {dest_note}.")
    lines.append("")
    # Time and memory, one column per binary and destination.
    cols, header = [], [""]
    for dest_name, _ in dests:
        for label in labels:
            cols.append(("folio", f"{label} ({dest_name})"))
            header.append(f"{label} ({dest_name})")
        if baseline:
            cols.append(("ratio", f"{labels[0]} ({dest_name})"))
            header.append(f"{labels[0]} / {labels[1]}, time / memory ({dest_name})")
        if hugo_stats:
            cols.append(("hugo", f"Hugo ({dest_name})"))
            header.append(f"Hugo ({dest_name})")

    def row(title, key, memory=True, ratio_key=None, hugo=False, disk_only=False):
        cells = [title]
        for kind, col in cols:
            on_disk = col.endswith("(disk)")
            if disk_only and not on_disk:
                cells.append("")
            elif kind == "folio":
                cells.append(cell(samples, col, key, memory) if key else ratio(samples.median_ratio((col, ratio_key))))
            elif kind == "ratio":
                t = samples.median_ratio((col, key, "/base time"))
                m = samples.median_ratio((col, key, "/base memory"))
                cells.append(f"{ratio(t)} / {ratio(m)}" if t is not None else "")
            elif kind == "hugo":
                cells.append(cell(samples, col, "build") if hugo else "")
        return cells

    rows = [
        row("`build`, caches warm, over its previous site", "build", hugo=True),
        row("`build`, no cache (fresh clone), empty folder", "build no cache"),
        row("replaced site still being removed after `build` returned", "removal after build", memory=False),
        row("`build` / Hugo, time (median of pairs)", None, ratio_key="build/hugo"),
        row("`build` no cache / Hugo, time", None, ratio_key="build no cache/hugo"),
        row("`build` / Hugo, peak memory", None, ratio_key="memory/hugo"),
        row("`cp -r` of folio's site (the I/O floor)", "cp", memory=False),
        row("`rm -r` of that copy", "rm", memory=False),
        row("`build` / `cp -r`", None, ratio_key="build/cp"),
        row("`check`, caches warm", "check", disk_only=True),
        row("`status --format json`, caches warm", "status", disk_only=True),
        row("`check`, no cache", "check no cache", disk_only=True),
        row("`diff HEAD~50`", "diff", disk_only=True),
        row("history pass, cached", "history", disk_only=True),
        row("history pass, cold", "history cold", disk_only=True),
    ]
    if not hugo_stats:
        rows = [r for r in rows if "Hugo" not in r[0]]
    git = samples.median("git (disk)", "git log")
    lines.append(table(header, [r for r in rows if any(c for c in r[1:])]))
    lines.append("")
    lines.append(f"`git log --first-parent --name-only` over the same history: {cell(samples, 'git (disk)', 'git log')}"
                 f" (history pass cold / git log: "
                 f"{ratio((samples.median(labels[0] + ' (disk)', 'history cold') or 0) / max(git or 1e-3, 1e-3))}).")
    lines.append("")
    # What the site holds.
    header = [""] + labels + (["Hugo"] if hugo_stats else [])
    s = [stats[label] for label in labels]

    def feeds(st):
        if not st["feeds"]:
            return "none"
        top = st["feeds"][0]
        per_owner = [f for f in st["feeds"] if f[0].startswith("calendar" + os.sep)]
        text = f"{len(st['feeds'])} feeds, {size(sum(n for _, n in st['feeds']))}; largest `{top[0]}` {size(top[1])}"
        if per_owner:
            text += f"; largest per-owner `{per_owner[0][0]}` {size(per_owner[0][1])}"
        return text

    def search(st):
        if not st["search_index"] and not st["search_code"]:
            return "no search page"
        index = sum(n for _, n in st["search_index"])
        names = ", ".join(f"`{p}`" for p, _ in st["search_index"]) or "nothing"
        code = sum(n for _, n in st["search_code"])
        return f"{size(index)} ({names}), plus {size(code)} of script"

    def account(st):
        if not st["accounts"]:
            return "—"
        p, n = st["largest_account"]
        return f"median {size(statistics.median(st['accounts']))}, largest {size(n)} (`{os.path.dirname(p)}/`)"

    def largest(st):
        if not st["largest_html"]:
            return "—"
        p, n = st["largest_html"]
        return f"`{p}`, {size(n)}; {st['html_over_1mib']:,} pages over 1 MiB"

    hugo_cell = [f"{size(hugo_stats[0])} ({hugo_stats[1]:,} files)"] if hugo_stats else []
    blank = [""] if hugo_stats else []
    rows = [
        ["site"] + [f"{size(st['bytes'])} ({st['files']:,} files)" for st in s] + hugo_cell,
        ["largest HTML page"] + [largest(st) for st in s] + blank,
        ["calendar feeds"] + [feeds(st) for st in s] + blank,
        ["`status.json`"] + [size(st["status_json"]) for st in s] + blank,
        ["search index loaded before the first query"] + [search(st) for st in s] + blank,
        ["account page"] + [account(st) for st in s] + blank,
        ["lines printed by `build`"] + [f"{facts['out_lines'].get(label, 0):,}" for label in labels] + blank,
    ]
    lines.append(table(header, rows))
    lines.append("")
    if facts["kind"] == "backlog":
        lines.append(targets(labels[0], samples, stats[labels[0]], bool(hugo_stats)))
        lines.append("")
    return "\n".join(lines)


def targets(label, samples, st, hugo):
    """Issue #17's targets, on the backlog repository, sites on disk."""
    col = f"{label} (disk)"
    rows = []

    def add(target, value, met):
        rows.append([target, value, "—" if met is None else ("met" if met else "**not met**")])

    if hugo:
        r = samples.median_ratio((col, "build/hugo"))
        add("`build` (caches warm) at most 0.5x Hugo's time", ratio(r), r <= 0.5)
        r = samples.median_ratio((col, "build no cache/hugo"))
        add("`build` with no cache at most 0.6x Hugo's time", ratio(r), r <= 0.6)
        r = samples.median_ratio((col, "memory/hugo"))
        add("peak memory at most 0.25x Hugo's", ratio(r), r <= 0.25)
    r = samples.median_ratio((col, "build/cp"))
    add("`build` at most 2x `cp -r` of its output", ratio(r), r <= 2)
    p, n = st["largest_html"]
    add("largest HTML page at most 1 MiB", f"{size(n)} (`{p}`)", n <= MIB)
    top = st["feeds"][0] if st["feeds"] else ("none", 0)
    add("every calendar feed at most 2 MiB", f"{size(top[1])} (`{top[0]}`)", top[1] <= 2 * MIB)
    index = sum(n for _, n in st["search_index"])
    add("at most 1 MiB of search index before the first query", size(index), index <= MIB)
    c, s = samples.median(col, "check"), samples.median(col, "status")
    add("`check` and `status` under 1 s with caches", f"{secs(c)} and {secs(s)}", c < 1 and s < 1)
    return f"Issue #17's targets ({label}, sites on disk):\n\n" + table(["Target", "Measured", ""], rows)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--kinds", default="tidy,backlog", help="tidy, backlog or both (comma-separated)")
    ap.add_argument("--accounts", type=int, default=1000)
    ap.add_argument("--invoices", type=int, default=60)
    ap.add_argument("--commits", type=int, default=20000, help="commits per 1,000 accounts (at least 60)")
    ap.add_argument("--runs", type=int, default=3, help="rounds; medians over them")
    ap.add_argument("--data", default=os.path.join(HERE, "out"), help="where repositories are generated and kept")
    ap.add_argument("--sites", help="where sites are written, in a folder of each run's own"
                    " (default: DATA/sites, on the records' disk)")
    ap.add_argument("--tmpfs", default="/dev/shm/folio-bench",
                    help="a second destination in RAM, in a folder of each run's own ('' to skip)")
    ap.add_argument("--folio", help="the folio binary (default: build target/release/folio)")
    ap.add_argument("--baseline", help="a second folio binary, run alternately with --folio")
    ap.add_argument("--no-hugo", action="store_true")
    ap.add_argument("--keep-sites", action="store_true",
                    help="keep the last sites written (by default removed once measured)")
    args = ap.parse_args()
    command = shlex.join(["bench/run.py"] + sys.argv[1:])
    if not os.path.exists("/usr/bin/time") or (not args.no_hugo and not shutil.which("hugo")):
        sys.exit("needs /usr/bin/time and hugo: apt-get install -y time hugo")
    if not args.folio:
        sh(["cargo", "build", "--release", "-q", "--bin", "folio"], cwd=ROOT)
        args.folio = os.path.join(TARGET, "release", "folio")
    binaries = [("folio", os.path.abspath(args.folio))]
    if args.baseline:
        binaries.append(("baseline", os.path.abspath(args.baseline)))
    args.data = os.path.abspath(args.data)
    os.makedirs(args.data, exist_ok=True)
    # A folder of this run's own, so two runs sharing --data never write
    # over each other's sites.
    run_dir = f"run-{os.getpid()}"
    sites = os.path.join(os.path.abspath(args.sites or os.path.join(args.data, "sites")), run_dir)
    os.makedirs(sites, exist_ok=True)
    if os.stat(sites).st_dev != os.stat(args.data).st_dev:
        log(f"warning: {sites} is not on the disk of {args.data}")
    if fs_type(sites) == "tmpfs":
        log(f"warning: {sites} is tmpfs: the 'disk' column measures RAM")
    dests = [("disk", sites)]
    if args.tmpfs:
        args.tmpfs = os.path.join(args.tmpfs, run_dir)
        os.makedirs(args.tmpfs, exist_ok=True)
        if fs_type(args.tmpfs) != "tmpfs":
            log(f"warning: {args.tmpfs} is not tmpfs")
        dests.append(("tmpfs", args.tmpfs))
    hugo_version = "" if args.no_hugo else subprocess.run(
        ["hugo", "version"], capture_output=True, text=True).stdout.split()[1]
    binaries_note = "; ".join(f"{label}: `{path}`" for label, path in binaries)
    head = (f"Command: `{command}`\n\nBinaries: {binaries_note}"
            + (f"; Hugo {hugo_version}" if hugo_version else "") + ".\n")
    name = os.path.join(args.data, f"report-{datetime.now():%Y%m%d-%H%M%S}.md")
    with open(name, "w") as f:
        f.write(head)
    print(head, flush=True)
    with tempfile.TemporaryDirectory(dir="/dev/shm" if os.path.isdir("/dev/shm") else None) as scratch:
        runner = Runner(scratch, block_stat(sites), os.path.join(os.path.dirname(sites), ".last-mass-deletion"))
        for kind in [k.strip() for k in args.kinds.split(",") if k.strip()]:
            if kind not in ("tidy", "backlog"):
                sys.exit(f"unknown kind {kind!r}: tidy or backlog")
            # Each kind's report as soon as it is measured: a long run that
            # fails later keeps what it measured.
            text = bench_kind(args, kind, binaries, dests, runner)
            print("\n" + text, flush=True)
            with open(name, "a") as f:
                f.write("\n" + text)
            log(f"saved {name}")
        if not args.keep_sites:
            for dest_name, dest in dests:
                # The space (and RAM) back to the machine.
                runner.remove(dest, dest_name == "disk")


if __name__ == "__main__":
    main()
