#!/usr/bin/env python3
"""Two folio binaries side by side on one bench/generate.py repository.

    bench/compare.py BASE NEW REPO [--runs 21] [--build-runs 9] [--tmp /dev/shm]

Times `check`, `status` (both `--format json`) and `build` (into --tmp, RAM
by default) of BASE and NEW alternately (BASE, NEW, BASE, NEW, ...) with
bench/run.py's own timing, so a slow spell of a shared machine weighs on
both alike, and prints, for each command, both medians (wall time / peak
memory) and the median of the per-pair time ratios NEW/BASE. Each binary
runs on its own copy of REPO (made once, beside it): folio's caches are
stamped with the binary that wrote them, so two binaries sharing one
repository would each find the other's caches stale at every run. Each
binary writes its caches with two untimed `check`s first, so every figure
is with the caches warm, the usual case.
"""
import argparse
import os
import shutil
import statistics
import subprocess

import run  # bench/run.py

AS_OF = run.AS_OF


def copy_of(repo, name):
    """REPO copied once to REPO-compare-NAME, without its caches."""
    path = f"{repo.rstrip('/')}-compare-{name}"
    if not os.path.exists(os.path.join(path, "folio.yaml")):
        shutil.rmtree(path, ignore_errors=True)
        subprocess.run(["cp", "-a", repo, path], check=True)
        shutil.rmtree(os.path.join(path, ".folio-cache"), ignore_errors=True)
    return path


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("base")
    ap.add_argument("new")
    ap.add_argument("repo")
    ap.add_argument("--runs", type=int, default=21, help="pairs for check and status")
    ap.add_argument("--build-runs", type=int, default=9, help="pairs for build")
    ap.add_argument("--tmp", default="/dev/shm" if os.path.isdir("/dev/shm") else "/tmp")
    args = ap.parse_args()
    sides = {
        "base": (os.path.abspath(args.base), copy_of(args.repo, "base")),
        "new": (os.path.abspath(args.new), copy_of(args.repo, "new")),
    }

    def cmd(side, *rest):
        binary, repo = sides[side]
        return [binary, "-C", repo, "--as-of", AS_OF] + list(rest)

    for side in sides:
        for _ in range(2):
            run.run_once(cmd(side, "check", "--format", "json"))
    rows = []
    for name, rest, runs in [
        ("check", ["check", "--format", "json"], args.runs),
        ("status", ["status", "--format", "json"], args.runs),
        ("build", ["-q", "build"], args.build_runs),
    ]:
        pair = []
        for side in sides:
            out = os.path.join(args.tmp, f"folio-compare-{side}") if name == "build" else None
            pair.append((cmd(side, *rest) + (["--out", out] if out else []), out))
        base, new = [], []
        for _ in range(runs):
            base.append(run.run_once(pair[0][0], fresh=pair[0][1]))
            new.append(run.run_once(pair[1][0], fresh=pair[1][1]))
        ratio = statistics.median(n[0] / max(b[0], 1e-3) for b, n in zip(base, new))
        (tb, mb), (tn, mn) = run.medians(base), run.medians(new)
        rows.append((name, runs, tb, mb, tn, mn, ratio))
        print(rows[-1], flush=True)
    print()
    print("| command | pairs | base | new | new / base (median of pairs) |")
    print("|---|---|---|---|---|")
    for name, runs, tb, mb, tn, mn, ratio in rows:
        print(f"| `{name}` | {runs} | {tb:.2f} s / {mb:.0f} MiB | {tn:.2f} s / {mn:.0f} MiB | {ratio:.2f} |")


if __name__ == "__main__":
    main()
