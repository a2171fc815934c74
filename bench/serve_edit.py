#!/usr/bin/env python3
"""How fast `folio serve` shows an edit, on a generated repository.

    bench/serve_edit.py REPO [--edits 5] [--folio target/release/folio] [--work DIR]

Starts `folio serve --port 0` on a copy of REPO's records (the copy keeps
the benchmark repository untouched; it goes in --work, by default the
folder REPO is in, so the site is served from the records' own disk), waits for the first build, then edits
one invoice file at a time (its amount goes up by one) and measures, from
the moment the file is written:
  - page: until the invoice's own page, served over HTTP, shows the amount;
  - site: until status.json shows the new outstanding amount (everything
    that sums up all accounts is up to date too).
Prints the median and the worst of each.
"""
import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def get(url):
    with urllib.request.urlopen(url, timeout=10) as r:
        return r.read().decode()


def wait_for(pred, timeout=60.0, step=0.005):
    start = time.perf_counter()
    while time.perf_counter() - start < timeout:
        if pred():
            return time.perf_counter()
        time.sleep(step)
    raise TimeoutError


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("repo")
    ap.add_argument("--edits", type=int, default=5)
    ap.add_argument("--folio", default=os.path.join(ROOT, "target", "release", "folio"))
    ap.add_argument("--as-of", default="2026-11-23")
    ap.add_argument("--work", help="where the copy goes (default: REPO's folder; /dev/shm for RAM)")
    args = ap.parse_args()
    work_dir = args.work or os.path.dirname(os.path.abspath(args.repo))
    work = tempfile.mkdtemp(prefix="folio-serve-bench-", dir=work_dir)
    print(f"served from {work} ({subprocess.run(['stat', '-f', '-c', '%T', work], capture_output=True, text=True).stdout.strip()})")
    records = os.path.join(work, "records")
    # Hard links would share the edited files with the original: copy.
    shutil.copytree(args.repo, records, symlinks=True)
    # serve prints every warning of every build: to a file, never a pipe
    # nobody reads (a full pipe would stop the server).
    log = open(os.path.join(work, "serve.log"), "w")
    server = subprocess.Popen([args.folio, "-C", records, "--as-of", args.as_of, "serve", "--port", "0"],
                              stdout=subprocess.PIPE, stderr=log, text=True)
    try:
        started = time.perf_counter()
        line = server.stdout.readline()
        m = re.search(r"http://([0-9.:]+)/", line)
        if not m:
            sys.exit(f"serve did not start: {line}{open(log.name).read()[-2000:]}")
        base = f"http://{m.group(1)}/"
        print(f"first build: {time.perf_counter() - started:.2f} s")
        accounts = sorted(os.listdir(os.path.join(records, "accounts")))
        pages, sites = [], []
        for n in range(args.edits):
            account = accounts[(n * 7919) % len(accounts)]
            folder = os.path.join(records, "accounts", account, "invoices")
            name = sorted(os.listdir(folder))[-1]
            path = os.path.join(folder, name)
            text = open(path).read()
            number = re.search(r"^number: (.+)$", text, re.M).group(1).strip()
            slug = re.sub(r"[^a-z0-9]+", "-", number.lower()).strip("-")
            # One more unit of money: the page shows the new amount, and
            # status.json one more outstanding (paid or not before).
            amount = re.search(r"^amount: ([0-9.]+)$", text, re.M).group(1)
            new_amount = float(amount) + 1
            text = re.sub(r"^amount: .*$", f"amount: {new_amount:.2f}", text, count=1, flags=re.M)
            shown = f"{new_amount:,.2f}"
            page_url = f"{base}invoices/{slug}/index.html"
            before = outstanding(get(base + "status.json"), number)
            if before is None:
                sys.exit(f"{number} is not in status.json: has its format changed?")
            with open(path, "w") as f:
                f.write(text)
            t0 = time.perf_counter()
            t_page = wait_for(lambda: shown in get(page_url))
            t_site = wait_for(lambda: outstanding(get(base + "status.json"), number) == round(before + 1, 2))
            pages.append(t_page - t0)
            sites.append(t_site - t0)
            print(f"edit {n + 1}: {account}/{name}: page {1000 * (t_page - t0):.0f} ms, "
                  f"whole site {1000 * (t_site - t0):.0f} ms", flush=True)
        print(f"page: median {1000 * statistics.median(pages):.0f} ms, worst {1000 * max(pages):.0f} ms")
        print(f"whole site: median {1000 * statistics.median(sites):.0f} ms, worst {1000 * max(sites):.0f} ms")
    finally:
        server.terminate()
        server.wait()
        shutil.rmtree(work, ignore_errors=True)


def outstanding(status, number):
    """The outstanding amount of `number` in status.json (as a float), None
    when it is not there. A regular expression rather than a JSON parse:
    the document is tens of megabytes and is read every few milliseconds."""
    found = re.search(r'"number":\s*"' + re.escape(number) + r'"', status)
    if not found:
        return None
    m = re.search(r'"outstanding":\s*"([0-9.]+)"', status[found.end():found.end() + 600])
    return round(float(m.group(1)), 2) if m else None


if __name__ == "__main__":
    main()
