#!/usr/bin/env python3
"""Generate a deterministic folio records repository for benchmarks.

    bench/generate.py OUT --accounts 1000 --invoices 60 [--commits 20000] [--seed 7]
                      [--backlog]

Writes OUT/folio.yaml and, per account, account.md, one project and N invoices
(1 + 1 + N files). With --commits, the files are committed through
`git fast-import` over that many commits (authors and dates spread over two
years, every commit adding or editing a few record files), so history and
`folio diff` can be measured too. Every record is valid: `folio check` reports
no errors (warnings such as missed steps are expected and realistic).

Two kinds of repository:

- tidy (the default): a healthy agency. Invoices older than 40 days are
  settled; the few open ones are recent, so ladders are short.
- --backlog (issue #17): the same size, but about half the invoices are
  unpaid and deep in their ladders, and no step was ever logged, so every
  reached step is a missed one. Some invoices carry broken or pending
  promises, open (stale) or closed holds, extensions granted by a person,
  partial payments, a per-invoice policy, or are void or written off.
  folio.yaml sets statutory late-payment interest; about a quarter of the
  accounts keep it (the rest waive it with `billing.late_payment: false`),
  and a few invoices override their account either way. Stage owners are
  the accounts' roles, spread over eight people, so per-owner agendas and
  calendar feeds have real work to split.
"""
import argparse
import os
import random
import subprocess
from datetime import date, timedelta

PEOPLE = ["ana", "rui", "marta", "tiago", "sofia", "ines", "joao", "helena"]
POLICIES = ["agency", "gradual", "saas"]
CURRENCIES = ["EUR", "EUR", "EUR", "USD", "GBP"]
AS_OF = date(2026, 11, 23)


# Statutory interest for the backlog: a rate listed from the first day of
# every half-year an invoice can be late in, so `check` has no W016/W017.
LATE_PAYMENT = """late_payment:
  interest:
    margin: 8%
    period: half_year
    reference_rates:
      - { from: 2024-07-01, rate: 4.25% }
      - { from: 2025-01-01, rate: 3.15% }
      - { from: 2025-07-01, rate: 2.15% }
      - { from: 2026-01-01, rate: 2.15% }
      - { from: 2026-07-01, rate: 2.00% }
  compensation: eu
"""


def folio_yaml(backlog=False):
    people = "\n".join(
        f"  {p}: {{ name: {p.capitalize()} Bench, email: {p}@bench.example }}" for p in PEOPLE
    )
    return f"""company: Bench Agency
currency: EUR
timezone: Europe/Lisbon
site:
  title: Bench handbook
people:
{people}
calendars:
  pt:
    holidays: [2026-01-01, 2026-04-25, 2026-05-01, 2026-06-10, 2026-08-15, 2026-10-05, 2026-11-01, 2026-12-01, 2026-12-08, 2026-12-25]
default_calendar: pt
default_terms: 30 days
default_policy: agency
tolerance: 1.00
""" + (LATE_PAYMENT if backlog else "")


def account_md(rng, i, billing_extra=""):
    """`billing_extra`: more `billing:` lines (indented, each ending in a
    newline), empty in the tidy mode."""
    p = lambda: rng.choice(PEOPLE)
    since = date(2023, 1, 1) + timedelta(days=rng.randrange(900))
    log = "\n".join(
        f"  - {{ date: {AS_OF - timedelta(days=rng.randrange(1, 40))}, kind: {k}, by: {p()}, note: \"Sync number {n}\" }}"
        for n, k in enumerate(["internal_sync", "client_sync"])
    )
    return f"""---
name: Bench Client {i:05d}
status: active
since: {since}
roles:
  producer: {p()}
  account_manager: {p()}
  project_manager: {p()}
  planning_lead: {p()}
  finance: {p()}
billing:
  email: ap@client{i:05d}.example
  currency: {rng.choice(CURRENCIES)}
  policy: {rng.choice(POLICIES)}
{billing_extra}contacts:
  - {{ name: Buyer {i}, email: buyer@client{i:05d}.example, role: buyer }}
  - {{ name: Payables {i}, email: ap@client{i:05d}.example, role: finance }}
cadence:
  internal_sync: monthly
  client_sync: quarterly
handover:
  why_they_bought: They needed a team that ships every fortnight.
  problem: A slow checkout that loses a third of its orders.
  success: Conversion up by a fifth within two quarters.
  buyer: The head of digital, who signs off every milestone.
  influencers: The CTO is a champion; finance is cautious.
  roadblocks: Payment runs happen once a month.
log:
{log}
---
Generated account {i} for benchmarks. **Bold**, _emphasis_ and a [link](https://example.com).

| Quarter | Goal |
|---|---|
| Q1 | Discovery |
| Q2 | Delivery |
"""


def project_md(rng, i):
    return f"""---
name: Platform {i}
status: active
start: 2025-01-01
end: 2027-06-30
budget: {rng.randrange(50, 500) * 1000}
milestones:
  - {{ name: Prepayment, share: 20%, due: 2025-01-01 }}
  - {{ name: Delivery, share: 50%, due: 2026-06-01 }}
  - {{ name: Launch, share: 30%, due: 2027-06-30 }}
---
The platform project of account {i}.
"""


def invoice_md(rng, acct, n, number):
    issued = AS_OF - timedelta(days=rng.randrange(0, 700))
    amount = rng.randrange(10, 400) * 100
    lines = [
        "---",
        f"number: {number}",
        "project: platform",
        f"issued: {issued}",
        f"amount: {amount}",
    ]
    kind = rng.random()
    due = issued + timedelta(days=30)
    if issued < AS_OF - timedelta(days=40):
        kind = 0.0  # old invoices are settled; open ones are recent, as in a healthy agency
    if kind < 0.7:  # paid in full, some time after the due date
        pay = min(due + timedelta(days=rng.randrange(-10, 20)), AS_OF)
        pay = max(pay, issued)
        lines.append(f"payments:\n  - {{ date: {pay}, amount: {amount}, ref: \"TRF {n}\" }}")
    elif kind < 0.8:  # partially paid
        pay = max(issued, min(due, AS_OF))
        lines.append(f"payments:\n  - {{ date: {pay}, amount: {amount // 2}, ref: \"TRF {n}\" }}")
    elif kind < 0.85:
        lines.append(f"holds:\n  - {{ from: {max(issued, AS_OF - timedelta(days=5))}, reason: \"Disputed hours\" }}")
    elif kind < 0.9:
        made = max(issued, AS_OF - timedelta(days=10))
        lines.append(f"promises:\n  - {{ made: {made}, pay_by: {made + timedelta(days=7)}, note: \"By phone\" }}")
    lines.append("---")
    lines.append(f"Invoice {n} of account {acct}: work delivered in the period, as agreed.")
    return "\n".join(lines) + "\n"


def clamp(day, low, high=AS_OF):
    return max(low, min(day, high))


def backlog_invoice_md(rng, acct, n, number, waived):
    """An invoice of the backlog: paid (often late), or unpaid and left to
    climb its ladder with nothing logged. `waived`: the account waives
    late-payment interest (a few invoices say otherwise)."""
    issued = AS_OF - timedelta(days=rng.randrange(0, 700))
    amount = rng.randrange(10, 400) * 100
    due = issued + timedelta(days=30)  # default_terms
    lines = [
        "---",
        f"number: {number}",
        "project: platform",
        f"issued: {issued}",
        f"amount: {amount}",
    ]
    if rng.random() < 0.1:
        lines.append(f"policy: {rng.choice(POLICIES)}")
    if waived and rng.random() < 0.03:
        lines.append("late_payment: true")
    elif not waived and rng.random() < 0.03:
        lines.append("late_payment: false")
    kind = rng.random()
    if kind < 0.45:  # paid in full, from two weeks early to six weeks late
        pay = clamp(due + timedelta(days=rng.randrange(-15, 45)), issued)
        lines.append(f"payments:\n  - {{ date: {pay}, amount: {amount}, ref: \"TRF {n}\" }}")
    elif kind < 0.47:  # given up on, or cancelled
        lines.append(f"status: {rng.choice(['void', 'written_off'])}")
    elif kind < 0.75:  # unpaid, nothing recorded
        pass
    elif kind < 0.83:  # partly paid
        pay = clamp(due + timedelta(days=rng.randrange(-10, 60)), issued)
        part = amount * rng.randrange(1, 4) // 4
        lines.append(f"payments:\n  - {{ date: {pay}, amount: {part}, ref: \"TRF {n}\" }}")
    elif kind < 0.88:  # a dispute: closed, or still open (stale after 30 days)
        start = clamp(due + timedelta(days=rng.randrange(-5, 120)), issued)
        until = f", until: {clamp(start + timedelta(days=rng.randrange(3, 40)), start)}" if rng.random() < 0.5 else ""
        lines.append(f"holds:\n  - {{ from: {start}{until}, reason: \"Disputed hours\" }}")
    elif kind < 0.94:  # a promise, mostly broken by now
        made = clamp(due + timedelta(days=rng.randrange(0, 150)), issued)
        pay_by = made + timedelta(days=rng.randrange(5, 30))
        lines.append(f"promises:\n  - {{ made: {made}, pay_by: {pay_by}, note: \"By phone\" }}")
    elif kind < 0.98:  # an extension of the escalation, signed off by someone
        granted = clamp(due - timedelta(days=rng.randrange(0, 10)), issued)
        lines.append(
            f"extensions:\n  - {{ granted: {granted}, by: {rng.choice(PEOPLE)}, days: {rng.randrange(7, 45)},"
            f" reason: \"Budget cycle\" }}"
        )
    else:  # all of it: part paid, an extension, then a broken promise
        pay = clamp(due + timedelta(days=rng.randrange(0, 30)), issued)
        granted = clamp(due - timedelta(days=3), issued)
        made = clamp(due + timedelta(days=rng.randrange(20, 60)), issued)
        lines.append(f"payments:\n  - {{ date: {pay}, amount: {amount // 4}, ref: \"TRF {n}\" }}")
        lines.append(f"extensions:\n  - {{ granted: {granted}, by: {rng.choice(PEOPLE)}, days: 14 }}")
        lines.append(f"promises:\n  - {{ made: {made}, pay_by: {made + timedelta(days=10)} }}")
    lines.append("---")
    lines.append(f"Invoice {n} of account {acct}: work delivered in the period, as agreed.")
    return "\n".join(lines) + "\n"


def records(args):
    """Yield (path, text) in a deterministic order."""
    rng = random.Random(args.seed)
    yield "folio.yaml", folio_yaml(args.backlog)
    seq = 0
    for i in range(args.accounts):
        slug = f"client-{i:05d}"
        waived = args.backlog and rng.random() < 0.75
        extra = "  late_payment: false\n" if waived else ""
        yield f"accounts/{slug}/account.md", account_md(rng, i, extra)
        yield f"accounts/{slug}/projects/platform.md", project_md(rng, i)
        for n in range(args.invoices):
            seq += 1
            number = f"INV-{seq:07d}"
            if args.backlog:
                text = backlog_invoice_md(rng, slug, n, number, waived)
            else:
                text = invoice_md(rng, slug, n, number)
            yield f"accounts/{slug}/invoices/{number.lower()}.md", text


def write_tree(out, files):
    for path, text in files:
        full = os.path.join(out, path)
        os.makedirs(os.path.dirname(full) or out, exist_ok=True)
        with open(full, "w") as f:
            f.write(text)


def fast_import(out, files, commits, seed):
    """Commit the files over `commits` commits with git fast-import."""
    rng = random.Random(seed + 1)
    subprocess.run(["git", "init", "-q", "-b", "main", out], check=True)
    per = max(1, len(files) // max(1, commits - 1))
    chunks = [files[:1]] + [files[1 + k * per: 1 + (k + 1) * per] for k in range(commits - 1)]
    chunks[-1].extend(files[1 + (commits - 1) * per:])
    start = 1700000000
    proc = subprocess.Popen(["git", "-C", out, "fast-import", "--quiet"], stdin=subprocess.PIPE)
    w = proc.stdin.write
    written = []
    for k, chunk in enumerate(chunks):
        t = start + k * 3000
        who = rng.choice(PEOPLE)
        msg = f"Update {len(chunk)} records ({k})".encode()
        w(f"commit refs/heads/main\nauthor {who} <{who}@bench.example> {t} +0000\n".encode())
        w(f"committer {who} <{who}@bench.example> {t} +0000\ndata {len(msg)}\n".encode() + msg + b"\n")
        edits = list(chunk)
        if written and not chunk:
            path, text = written[rng.randrange(len(written))]
            edits.append((path, text + f"\nEdited in commit {k}.\n"))
        for path, text in edits:
            data = text.encode()
            w(f"M 100644 inline {path}\ndata {len(data)}\n".encode() + data + b"\n")
        written.extend(chunk)
    proc.stdin.close()
    if proc.wait() != 0:
        raise SystemExit("git fast-import failed")
    subprocess.run(["git", "-C", out, "checkout", "-q", "-f", "main"], check=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--accounts", type=int, default=1000)
    ap.add_argument("--invoices", type=int, default=60)
    ap.add_argument("--commits", type=int, default=0)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--backlog", action="store_true",
                    help="half the invoices unpaid and never escalated in writing (issue #17)")
    args = ap.parse_args()
    if os.path.exists(args.out) and os.listdir(args.out):
        raise SystemExit(f"{args.out} exists and is not empty")
    files = list(records(args))
    if args.commits:
        fast_import(args.out, files, args.commits, args.seed)
    else:
        write_tree(args.out, files)
    kind = "backlog" if args.backlog else "tidy"
    print(f"{args.out}: {len(files)} files, {args.commits} commits ({kind})")


if __name__ == "__main__":
    main()
