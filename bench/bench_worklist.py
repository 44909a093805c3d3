"""The arrears worklist's first page against a plain indexed query on the kept balances, in the same run.

    .venv/bin/python bench/bench_worklist.py --db sqlite:////tmp/wl-council.db --runs 20 [--add-demo-steps]

Times, on the same database and connection pool, alternately:
- worklist: the service ``duty-tui arrears worklist`` runs (``arrears_worklist(ctx, limit=50)``, tab
  "all", largest balance first): the SQL page (kept balance index, account, tenancy, latest recovery
  step, active pause), the page's step history and arrangement states, the policy evaluated for the
  page, and its audit event (a write: the view is audited);
- plain: ``SELECT account_id, balance_pence FROM account_balance WHERE balance_pence > 0 ORDER BY
  balance_pence DESC LIMIT 50`` — the least any first page could cost.
Reports median and p95 per way and their ratio; then the screen's first paint (the immediate tab,
200 rows, read in batches until the page is full: docs/INCOME_WORKLIST_FEED.md); then (fewer runs)
the immediate tab's 50 rows, its exact total and sorting by the next action's due date (these two
evaluate every account in arrears).

``--add-demo-steps`` first adds the income demo step's recovery steps and pauses to a database that
has none (a council database built before the income area had tables): use it on a copy only.
``--add-court-facts`` likewise adds, once, court facts to one in twenty accounts in arrears (hearings to
come and past, suspended orders on terms, evictions, benefit claims pending and decided, UC claims):
what the worklist reads from the income_0002 tables (docs/INCOME_WORKLIST_FEED.md). A copy only.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

from sqlalchemy import text

PLAIN = text("SELECT account_id, balance_pence FROM account_balance WHERE balance_pence > 0 "
             "ORDER BY balance_pence DESC LIMIT 50")


def _pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p * (len(ordered) - 1)))]


def _timed(call: Callable[[], object]) -> float:
    started = time.perf_counter()
    call()
    return (time.perf_counter() - started) * 1000


def _line(name: str, times: list[float]) -> str:
    return f"  {name:<34} median {statistics.median(times):8.1f} ms  p95 {_pct(times, 0.95):8.1f} ms"


def _add_court_facts(engine, today) -> dict[str, int]:
    """Hearings, orders on terms, evictions and benefit claims on one in twenty accounts in arrears (once)."""
    from datetime import UTC, datetime, timedelta

    from duty_tui.areas.income.db.models import BenefitClaim, CourtHearing, Eviction, PossessionClaim
    from duty_tui.core.db.engine import session_scope

    now = datetime.now(UTC)
    counts = {"claims": 0, "hearings": 0, "evictions": 0, "benefit claims": 0}
    with session_scope(engine, write=True) as s:
        if s.execute(text("SELECT COUNT(*) FROM possession_claim")).scalar_one():
            return counts
        owing = s.execute(text("SELECT b.account_id FROM account_balance b JOIN account a ON a.id = b.account_id "
                               "WHERE b.balance_pence > 0 AND a.account_type = 'rent' ORDER BY b.account_id")).scalars().all()
        for n, account_id in enumerate(owing[::20]):
            kind = n % 6
            if kind in (0, 1, 2, 3):
                claim = PossessionClaim(account_id=account_id, issued_on=today - timedelta(days=60), created_at=now)
                s.add(claim)
                s.flush()
                counts["claims"] += 1
                on = today + timedelta(days=n % 40 - 20)
                terms = {"outcome": "suspended_order", "outcome_on": on, "terms_weekly_pence": 300} if kind == 1 else {}
                s.add(CourtHearing(claim_id=claim.id, account_id=account_id, hearing_on=on, created_at=now, **terms))
                counts["hearings"] += 1
                if kind == 2:
                    s.add(Eviction(claim_id=claim.id, account_id=account_id, warrant_applied_on=on,
                                   eviction_on=on + timedelta(days=30), created_at=now))
                    counts["evictions"] += 1
            else:
                s.add(BenefitClaim(account_id=account_id, kind="universal_credit" if n % 2 else "housing_benefit",
                                   made_on=today - timedelta(days=n % 50),
                                   decided_on=None if kind == 4 else today, created_at=now))
                counts["benefit claims"] += 1
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", required=True)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--slow-runs", type=int, default=5, help="runs for the tabs that evaluate every account")
    parser.add_argument("--add-demo-steps", action="store_true")
    parser.add_argument("--add-court-facts", action="store_true")
    args = parser.parse_args()

    from duty_tui.areas.income.demo import generate_income
    from duty_tui.areas.income.services.worklist import arrears_worklist
    from duty_tui.core.config.settings import Settings
    from duty_tui.core.db.engine import make_engine
    from duty_tui.core.services.auth import find_actor
    from duty_tui.core.services.context import ServiceContext

    engine = make_engine(args.db, create=False)
    base = ServiceContext.create(engine, Settings(db_url=args.db), terminal="bench-worklist")
    ctx = base.as_actor(find_actor(base, "income"))
    with engine.connect() as c:
        steps = c.execute(text("SELECT COUNT(*) FROM recovery_action")).scalar_one()
    if args.add_demo_steps and not steps:
        print("adding the income demo step's recovery steps:", generate_income(
            engine, seed=0, today=ctx.today(), size="council", jurisdiction="england"))
    if args.add_court_facts:
        print("adding court facts:", _add_court_facts(engine, ctx.today()))
    with engine.connect() as c:
        owing = c.execute(text("SELECT COUNT(*) FROM account_balance WHERE balance_pence > 0")).scalar_one()
        steps = c.execute(text("SELECT COUNT(*) FROM recovery_action")).scalar_one()
        pauses = c.execute(text("SELECT COUNT(*) FROM recovery_pause WHERE lifted_at IS NULL")).scalar_one()
    arrears_worklist(ctx, limit=50)  # warm: the policy file, the registry's hook, the pool
    service: list[float] = []
    plain: list[float] = []

    def plain_page() -> None:
        with engine.connect() as c:
            c.execute(PLAIN).all()

    for _ in range(args.runs):
        service.append(_timed(lambda: arrears_worklist(ctx, limit=50)))
        plain.append(_timed(plain_page))
    page = arrears_worklist(ctx, limit=50)
    print(f"{engine.dialect.name}: {owing:,} accounts in arrears, {steps:,} recovery steps, {pauses:,} active "
          f"pauses; first page {len(page.rows)} rows of {page.total:,}; {args.runs} runs each, alternating")
    print(_line("worklist first page (service)", service))
    print(_line("plain indexed query", plain))
    print(f"  worklist / plain median: {statistics.median(service) / statistics.median(plain):.1f}")
    screen = [_timed(lambda: arrears_worklist(ctx, tab="immediate", limit=200)) for _ in range(args.runs)]
    print(_line("screen's first paint (immediate, 200)", screen))
    for name, kwargs in (("immediate tab, 50 rows", {"tab": "immediate"}),
                         ("immediate, exact total (every one)", {"tab": "immediate", "exact_total": True}),
                         ("sorted by next action due", {"sort": "next_due"})):
        times = [_timed(lambda kw=kwargs: arrears_worklist(ctx, limit=50, **kw)) for _ in range(args.slow_runs)]
        print(_line(name, times))


if __name__ == "__main__":
    main()
