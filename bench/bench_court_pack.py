"""The court pack and the balance reconciliation at scale, each against the plainest read of the same
rows in the same run (docs/PERFORMANCE.md, "Income").

    .venv/bin/python bench/bench_court_pack.py --db sqlite:////tmp/council-copy.db [--accounts 10] [--runs 3]

- court pack: ``court_pack_files`` (the service behind ``duty-tui arrears court-pack``: the two-year
  rent schedule with its running balance, the steps, notices, protocol and benefits, the N119
  particulars, CSV + text + PDF written 0600, and its audit event) for the accounts with a possession
  claim and the most ledger rows; against ``SELECT effective_date, kind, amount_pence FROM ledger_entry
  WHERE account_id = ? ORDER BY effective_date, id`` for the same account.
- reconcile: ``reconcile_accounts`` (``duty-tui account reconcile``: every kept balance against the
  sum of its ledger rows) against ``SELECT account_id, SUM(amount_pence) FROM ledger_entry GROUP BY
  account_id``.

Reads only, apart from the audit events and the pack's files (in a temporary folder, removed).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

LEDGER = text("SELECT effective_date, kind, amount_pence FROM ledger_entry WHERE account_id = :a "
              "ORDER BY effective_date, id")
SUMS = text("SELECT account_id, SUM(amount_pence) FROM ledger_entry GROUP BY account_id")
BUSIEST = text("""
    SELECT a.ref, a.id, COUNT(l.id) AS n FROM account a
    JOIN possession_claim c ON c.account_id = a.id JOIN ledger_entry l ON l.account_id = a.id
    WHERE a.account_type = 'rent' GROUP BY a.ref, a.id ORDER BY n DESC, a.ref LIMIT :k""")


def _ms(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


def _line(label: str, values: list[float]) -> str:
    values = sorted(values)
    p95 = values[min(len(values) - 1, round(0.95 * (len(values) - 1)))]
    return f"  {label:<34} median {statistics.median(values):9.1f} ms  p95 {p95:9.1f} ms  (n={len(values)})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", required=True)
    parser.add_argument("--accounts", type=int, default=10)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    from duty_tui.areas.income.services.court_pack import court_pack_files
    from duty_tui.areas.payments.services.accounts import reconcile_accounts
    from duty_tui.core.config.settings import Settings
    from duty_tui.core.db.engine import make_engine
    from duty_tui.core.services.auth import find_actor
    from duty_tui.core.services.context import ServiceContext

    engine = make_engine(args.db, create=False)
    base = ServiceContext.create(engine, Settings(db_url=args.db), terminal="bench-court-pack")
    ctx = base.as_actor(find_actor(base, "income"))
    admin = base.as_actor(find_actor(base, "admin"))
    with engine.connect() as c:
        accounts = [(r[0], r[1], r[2]) for r in c.execute(BUSIEST, {"k": args.accounts}).all()]
        rows = c.execute(text("SELECT COUNT(*) FROM ledger_entry")).scalar_one()
    if not accounts:
        sys.exit("no rent account has a possession claim: build the demo (income_0002) first")
    print(f"{engine.dialect.name}: {rows:,} ledger rows; {len(accounts)} accounts with a claim, "
          f"{accounts[-1][2]}–{accounts[0][2]} ledger rows each; {args.runs} runs each, alternating")
    pack: list[float] = []
    plain: list[float] = []
    with tempfile.TemporaryDirectory() as folder:
        for n in range(args.runs):
            for ref, account_id, _count in accounts:
                out = Path(folder) / f"{ref}-{n}"
                out.mkdir()
                pack.append(_ms(lambda ref=ref, out=out: court_pack_files(ctx, ref, out)))
                with engine.connect() as c:
                    plain.append(_ms(lambda c=c, a=account_id: c.execute(LEDGER, {"a": a}).all()))
    print(_line("court pack (files written)", pack))
    print(_line("plain ledger read, same account", plain))
    print(f"  pack / plain median: {statistics.median(pack) / statistics.median(plain):.1f}")
    whole: list[float] = []
    sums: list[float] = []
    for _ in range(args.runs):
        whole.append(_ms(lambda: reconcile_accounts(admin)))
        with engine.connect() as c:
            sums.append(_ms(lambda c=c: c.execute(SUMS).all()))
    print(_line("reconcile (every account)", whole))
    print(_line("plain GROUP BY sum", sums))
    print(f"  reconcile / plain median: {statistics.median(whole) / statistics.median(sums):.2f}")


if __name__ == "__main__":
    main()
