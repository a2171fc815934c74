#!/usr/bin/env python3
"""Time `folio reconcile` on a 10,000-entry camt.053 statement against the
62,000-file benchmark repository (1,000 accounts of 60 invoices).

    bench/reconcile.py [--accounts 1000] [--invoices 60] [--entries 10000]
                       [--runs 5] [--out bench/out] [--folio target/release/folio]

The repository is generated with bench/generate.py (cached under --out).
The statement is deterministic: 70% of the credits name one invoice (the
outstanding amount, or part of it), 10% name two invoices and pay both, 10%
name none, 10% are debits; a few name an invoice in another currency. The
command is run once to warm the records cache (as `check` would have), then
timed --runs times without --apply (matching is what grows with the
statement; --apply writes as many files as it matches). Prints the median
wall time and peak memory (from /usr/bin/time).
"""
import argparse
import os
import random
import re
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def ensure_repo(out, accounts, invoices):
    repo = os.path.join(out, f"repo-{accounts}x{invoices}")
    if not os.path.isdir(repo):
        subprocess.run(
            [sys.executable, os.path.join(HERE, "generate.py"), repo,
             "--accounts", str(accounts), "--invoices", str(invoices)],
            check=True,
        )
    return repo


def invoices_of(repo):
    """(number, currency, amount) of every invoice, currency from the account."""
    found = []
    accounts = os.path.join(repo, "accounts")
    for slug in sorted(os.listdir(accounts)):
        with open(os.path.join(accounts, slug, "account.md")) as f:
            m = re.search(r"^  currency: (\w+)", f.read(), re.M)
        currency = m.group(1) if m else "EUR"
        folder = os.path.join(accounts, slug, "invoices")
        for name in sorted(os.listdir(folder)):
            with open(os.path.join(folder, name)) as f:
                text = f.read()
            number = re.search(r"^number: (\S+)", text, re.M).group(1)
            amount = int(re.search(r"^amount: (\d+)", text, re.M).group(1))
            own = re.search(r"^currency: (\w+)", text, re.M)
            found.append((number, own.group(1) if own else currency, amount))
    return found


def entry(i, amount, ccy, direction, text):
    return (
        f"<Ntry><NtryRef>{i}</NtryRef><Amt Ccy=\"{ccy}\">{amount:.2f}</Amt>"
        f"<CdtDbtInd>{direction}</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>"
        f"<BookgDt><Dt>2026-11-23</Dt></BookgDt><ValDt><Dt>2026-11-23</Dt></ValDt>"
        f"<AcctSvcrRef>BENCH-{i:06d}</AcctSvcrRef><NtryDtls><TxDtls><RltdPties>"
        f"<Dbtr><Pty><Nm>Payer {i % 997}</Nm></Pty></Dbtr></RltdPties>"
        f"<RmtInf><Ustrd>{text}</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>\n"
    )


def statement(invoices, entries, seed=11):
    rng = random.Random(seed)
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>\n',
        '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"><BkToCstmrStmt>\n',
        "<GrpHdr><MsgId>BENCH</MsgId></GrpHdr><Stmt><Id>BENCH</Id>\n",
    ]
    for i in range(entries):
        kind = rng.random()
        number, ccy, amount = rng.choice(invoices)
        if kind < 0.7:
            out.append(entry(i, amount / 2, ccy, "CRDT", f"Payment of invoice {number}, thank you"))
        elif kind < 0.8:
            n2, c2, a2 = rng.choice(invoices)
            out.append(entry(i, amount + a2, ccy, "CRDT", f"Invoices {number} and {n2}"))
        elif kind < 0.9:
            out.append(entry(i, rng.randrange(1, 5000), "EUR", "CRDT", "Refund of a deposit"))
        else:
            out.append(entry(i, rng.randrange(1, 500), "EUR", "DBIT", "Bank fees"))
    out.append("</Stmt></BkToCstmrStmt></Document>\n")
    return "".join(out)


def timed(cmd):
    run = subprocess.run(
        ["/usr/bin/time", "-f", "%e %M", *cmd],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, check=True,
    )
    seconds, kib = run.stderr.strip().splitlines()[-1].split()
    return float(seconds), int(kib) / 1024


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--accounts", type=int, default=1000)
    p.add_argument("--invoices", type=int, default=60)
    p.add_argument("--entries", type=int, default=10000)
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--out", default=os.path.join(HERE, "out"))
    p.add_argument("--folio", default=os.path.join(HERE, "..", "target", "release", "folio"))
    args = p.parse_args()
    repo = ensure_repo(args.out, args.accounts, args.invoices)
    invoices = invoices_of(repo)
    stmt = os.path.join(args.out, f"statement-{args.entries}.xml")
    with open(stmt, "w") as f:
        f.write(statement(invoices, args.entries))
    cmd = [args.folio, "-C", repo, "--as-of", "2026-11-23", "reconcile", stmt, "--format", "json"]
    subprocess.run(cmd, stdout=subprocess.DEVNULL, check=True)
    runs = [timed(cmd) for _ in range(args.runs)]
    seconds = statistics.median(r[0] for r in runs)
    mib = statistics.median(r[1] for r in runs)
    print(f"reconcile: {args.entries} entries, {len(invoices)} invoices "
          f"({args.accounts * (args.invoices + 2) + 1} files): "
          f"median {seconds:.2f} s, peak {mib:.0f} MiB over {args.runs} runs")


if __name__ == "__main__":
    main()
