#!/usr/bin/env python3
"""Benchmark folio on generated repositories, side by side with Hugo and git.

    bench/run.py [--sizes 10,100,1000,5000] [--invoices 60] [--commits 20000]
                 [--runs 5] [--out bench/out]

For each size (number of accounts) it generates a repository with
bench/generate.py (cached under --out), then times, over --runs runs each:
`folio check` (with the history cache of .folio-cache/ warm, and without it:
FOLIO_NO_CACHE=1), `folio status --format json`, `folio build` (caches warm,
and without them: a fresh clone in CI), `folio diff HEAD~50`, the history pass alone (cached, and cold: the cache removed before
each run, so it walks and writes it), Hugo (Debian's package) rendering the
same Markdown files as pages, and `git log --first-parent --name-only` over
the same history. It
reports medians of wall time and peak memory (from /usr/bin/time) as a
Markdown table, plus the ratios the issues set targets for. `folio build`
and Hugo run alternately (folio, Hugo, folio, ...), so a slow spell of a
shared machine weighs on both; their time ratio is the median of the pairs.
Both sites are written to --tmp (RAM by default): on this machine's VM
disk a single mkdir costs ~100 us, which would measure the disk, not the tools.
History grows with the repository: --commits commits per 1,000 accounts
(at least 60, so `diff HEAD~50` has something to compare).
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
TARGET = os.environ.get("CARGO_TARGET_DIR") or os.path.join(ROOT, "target")
FOLIO = os.path.join(TARGET, "release", "folio")
NO_CACHE = ["env", "FOLIO_NO_CACHE=1"]
AS_OF = "2026-11-23"

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


def sh(cmd, **kw):
    return subprocess.run(cmd, check=True, **kw)


def run_once(cmd, cwd=None, fresh=None):
    """Wall seconds and peak RSS (MiB) of one run of `cmd`. `fresh`: an
    output folder removed first (untimed), so folio and Hugo both write into
    an empty destination."""
    if fresh:
        shutil.rmtree(fresh, ignore_errors=True)
    r = subprocess.run(["/usr/bin/time", "-f", "%e %M"] + cmd, cwd=cwd,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    last = r.stderr.strip().splitlines()[-1]
    if r.returncode not in (0, 1):
        sys.exit(f"{' '.join(cmd)} failed ({r.returncode}):\n{r.stderr}")
    wall, kb = last.split()
    return float(wall), int(kb) / 1024


def medians(samples):
    return statistics.median(t for t, _ in samples), statistics.median(m for _, m in samples)


def measure(cmd, runs, cwd=None, fresh=None):
    """Median wall seconds and median peak RSS (MiB) of `cmd` over `runs` runs."""
    return medians([run_once(cmd, cwd, fresh) for _ in range(runs)])


def measure_pair(a, b, runs):
    """Two commands, each `(cmd, fresh)`, run alternately (a, b, a, b, ...),
    so a slow spell of a shared machine weighs on both alike: the medians of
    each, and the median of the per-pair time ratios a/b."""
    sa, sb = [], []
    for _ in range(runs):
        sa.append(run_once(a[0], fresh=a[1]))
        sb.append(run_once(b[0], fresh=b[1]))
    ratio = statistics.median(x[0] / max(y[0], 1e-3) for x, y in zip(sa, sb))
    return medians(sa), medians(sb), ratio


def ensure_tools():
    if not os.path.exists("/usr/bin/time") or not shutil.which("hugo"):
        sh(["sudo" if shutil.which("sudo") and os.geteuid() != 0 else "env", "apt-get", "install", "-y", "-q", "time", "hugo"])
    sh(["cargo", "build", "--release", "-q"], cwd=ROOT)


def repo_for(out, accounts, invoices, commits):
    path = os.path.join(out, f"repo-{accounts}x{invoices}-{commits}")
    if not os.path.exists(os.path.join(path, "folio.yaml")):
        shutil.rmtree(path, ignore_errors=True)
        sh([sys.executable, os.path.join(HERE, "generate.py"), path, "--accounts", str(accounts),
            "--invoices", str(invoices), "--commits", str(commits)])
    return path


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


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="10,100,1000,5000")
    ap.add_argument("--invoices", type=int, default=60)
    ap.add_argument("--commits", type=int, default=20000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--out", default=os.path.join(HERE, "out"))
    ap.add_argument("--no-hugo", action="store_true")
    ap.add_argument("--tmp", default="/dev/shm" if os.path.isdir("/dev/shm") else "/tmp",
                    help="where both sites are written (default: RAM, to measure the tools, not the disk)")
    args = ap.parse_args()
    ensure_tools()
    os.makedirs(args.out, exist_ok=True)
    sizes = [int(s) for s in args.sizes.split(",")]
    rows = []
    for accounts in sizes:
        files = accounts * (args.invoices + 2) + 1
        # History grows with the repository: --commits per 1,000 accounts.
        commits = max(60, args.commits * accounts // 1000)
        repo = repo_for(args.out, accounts, args.invoices, commits)
        site_out = os.path.join(args.tmp, f"folio-site-{accounts}")
        base = ["-C", repo, "--as-of", AS_OF]
        r = {"accounts": accounts, "files": files, "commits": commits}
        r["check"] = measure([FOLIO] + base + ["check", "--format", "json"], args.runs)
        r["check uncached"] = measure(NO_CACHE + [FOLIO] + base + ["check", "--format", "json"], args.runs)
        r["status"] = measure([FOLIO] + base + ["status", "--format", "json"], args.runs)
        build = ([FOLIO] + base + ["-q", "build", "--out", site_out], site_out)
        r["diff"] = measure([FOLIO] + base + ["diff", "HEAD~50", "HEAD"], args.runs)
        r["history"] = measure([FOLIO] + base + ["history", "--count"], args.runs)
        r["history cold"] = measure([FOLIO] + base + ["history", "--count"], args.runs,
                                    fresh=os.path.join(repo, ".folio-cache"))
        r["git log"] = measure(["git", "-C", repo, "log", "--first-parent", "--name-only", "--format=%H"], args.runs)
        # Without any cache, as in CI on a fresh clone: every record parsed
        # and the history walked.
        r["build uncached"] = measure(NO_CACHE + build[0], args.runs, fresh=build[1])
        # "history cold" removed .folio-cache: one untimed check writes both
        # caches again, so that `build` below reads them as in the usual
        # case of a repository checked before.
        run_once([FOLIO] + base + ["check", "--format", "json"])
        if not args.no_hugo:
            site = hugo_site(repo)
            hugo_out = os.path.join(args.tmp, f"hugo-public-{accounts}")
            hugo = (["hugo", "--quiet", "-s", site, "-d", hugo_out], hugo_out)
            r["build"], r["hugo"], r["build/hugo"] = measure_pair(build, hugo, args.runs)
        else:
            r["build"] = measure(build[0], args.runs, fresh=build[1])
        rows.append(r)
        print(r, flush=True)
    cols = ["check", "check uncached", "status", "build", "build uncached", "diff", "history", "history cold", "git log"] + ([] if args.no_hugo else ["hugo"])
    print()
    print("| accounts | files | commits | " + " | ".join(cols) + " |")
    print("|---" * (3 + len(cols)) + "|")
    for r in rows:
        cells = [f"{r[c][0]:.2f} s / {r[c][1]:.0f} MiB" for c in cols]
        print(f"| {r['accounts']} | {r['files']} | {r['commits']} | " + " | ".join(cells) + " |")
    print()
    for r in rows:
        line = (f"{r['accounts']} accounts: history / git log = {r['history'][0] / max(r['git log'][0], 1e-3):.2f}x"
                f" (cold: {r['history cold'][0] / max(r['git log'][0], 1e-3):.2f}x)")
        if "hugo" in r:
            line += (f"; build / hugo time = {r['build/hugo']:.2f}x (median of alternating pairs;"
                     f" ratio of medians {r['build'][0] / max(r['hugo'][0], 1e-3):.2f}x;"
                     f" uncached {r['build uncached'][0] / max(r['hugo'][0], 1e-3):.2f}x of Hugo's median),"
                     f" memory = {r['build'][1] / max(r['hugo'][1], 1e-3):.2f}x")
        print(line)


if __name__ == "__main__":
    main()
