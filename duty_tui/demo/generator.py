"""The demo office generator behind ``duty-tui demo``.

``generate`` fills an empty, migrated database with a realistic synthetic
office: staff and teams, homes on estates, households and tenancies, rent
accounts with a ledger, cautionary alerts, open cases with clocks, and the
last month's contacts. The same seed and the same ``today`` give the same rows,
byte for byte, on either backend. Rows are bulk-loaded (see ``demo.bulk``),
never inserted one by one through the ORM.

Sizes:

- ``small``: ~300 households, a few seconds;
- ``office`` (default): ~3,000 households;
- ``council``: 60,000 tenancies, 150,000 people, ~5.5 million ledger rows.
  Its ledger covers 61 weeks rather than 104: with 60,000 weekly rent debits
  two years would be over 6 million debits alone.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from faker import Faker
from sqlalchemy import Engine

from duty_tui.config import REPO_ROOT
from duty_tui.demo import money, people, places, staff, work
from duty_tui.demo.bulk import Loader, empty_database, has_rows
from duty_tui.demo.people import LOOKALIKES
from duty_tui.demo.staff import DEMO_USERS, DemoUser
from duty_tui.reference import load_reference

__all__ = ["DEMO_USERS", "LOOKALIKES", "SIZES", "DemoSize", "DemoSummary", "DemoUser", "generate", "has_data",
           "reset"]


@dataclass(frozen=True)
class DemoSize:
    """How big a demo office is."""

    name: str
    tenancies: int
    people: int
    leaseholders: int
    open_cases: int
    closed_cases: int
    contacts: int
    extra_staff: int
    ledger_weeks: int
    description: str


SIZES: dict[str, DemoSize] = {
    "small": DemoSize("small", 300, 750, 8, 30, 15, 150, 15, 104, "a few hundred households; seconds"),
    "office": DemoSize("office", 3_000, 7_500, 60, 300, 150, 1_500, 25, 104, "a few thousand households (default)"),
    "council": DemoSize("council", 60_000, 150_000, 1_200, 12_000, 6_000, 20_000, 40, 61,
                        "60,000 tenancies, 150,000 people, ~5.5 million ledger rows"),
}

LEDGER_ROWS_PER_TENANCY_WEEK = 1.5
"""Measured: what one tenancy adds to the ledger per week on average (for progress messages)."""


@dataclass(frozen=True)
class DemoSummary:
    """What generate made: rows per table, and how long it took."""

    counts: dict[str, int]
    seconds: float


def has_data(engine: Engine) -> bool:
    """True when the database holds any person or office row."""
    return has_rows(engine, "person", "office")


def reset(engine: Engine) -> None:
    """Delete every row of every app table (alembic_version kept) and re-seed the audit chain's head."""
    empty_database(engine)


def _monday_on_or_before(d: date) -> date:
    return d - timedelta(days=d.weekday())


def generate(engine: Engine, *, size: str = "office", seed: int = 0, today: date, office_name: str,
             jurisdiction: str, progress: Callable[[str], None] | None = None) -> DemoSummary:
    """Fill an empty, migrated database with the demo office; deterministic for (size, seed, today).

    If anything fails part way, what was written is deleted again, so the
    database is left empty rather than half-filled.
    """
    if size not in SIZES:
        raise ValueError(f"demo size {size!r} is not one of {', '.join(SIZES)}")
    if has_data(engine):
        raise ValueError("the database already holds data; reset it before generating the demo office")
    started = time.perf_counter()
    spec = SIZES[size]
    say = progress or (lambda _message: None)
    faker = Faker("en_GB")
    faker.seed_instance(seed)

    def rng(part: str) -> random.Random:
        return random.Random(f"duty-tui demo/{seed}/{part}")

    reference = load_reference(REPO_ROOT / "data")
    window_start = _monday_on_or_before(today - timedelta(weeks=spec.ledger_weeks))

    say(f"demo office ({size}, seed {seed}): building homes, people and tenancies")
    office = staff.build_office(rng("staff"), faker, reference, spec.extra_staff)
    pop = people.build_population(rng("people"), jurisdiction=jurisdiction, today=today, tenancies=spec.tenancies,
                                  people=spec.people, leaseholders=spec.leaseholders, ledger_weeks=spec.ledger_weeks)
    accounts = money.build_accounts(rng("accounts"), pop, today, window_start)

    with engine.connect() as connection:
        loader = Loader(connection, say)
        loader.begin_load()
        try:
            _write(loader, spec, office, pop, accounts, rng, today=today, window_start=window_start,
                   office_name=office_name, jurisdiction=jurisdiction,
                   alert_categories={c.code: c.restricted for c in reference.alert_categories.values()})
        except BaseException:
            loader.end_load()
            connection.close()
            say("demo generation failed; emptying the database again")
            empty_database(engine)
            raise
        loader.end_load()
    seconds = time.perf_counter() - started
    return DemoSummary(counts=dict(loader.counts), seconds=seconds)


def _write(loader: Loader, spec: DemoSize, office: staff.Office, pop: people.Population,
           accounts: list[money.AccountRec], rng: Callable[[str], random.Random], *, today: date,
           window_start: date, office_name: str, jurisdiction: str, alert_categories: dict[str, bool]) -> None:
    say = loader.progress
    loader.insert("office", staff.OFFICE_COLUMNS, staff.office_rows(office, name=office_name,
                                                                  jurisdiction=jurisdiction))
    loader.insert("team", staff.TEAM_COLUMNS, staff.team_rows(office))
    loader.insert("staff_user", staff.STAFF_COLUMNS, staff.staff_rows(office))
    loader.insert("property", places.COLUMNS, (h.row(office.office_id) for h in pop.homes))
    loader.insert("person", people.PERSON_COLUMNS, (p.row(loader) for p in pop.people))
    loader.insert("household", people.HOUSEHOLD_COLUMNS,
                  ((h.id, h.ref, h.home.id if h.home else None, 1) for h in pop.households))
    loader.insert("household_member", people.MEMBER_COLUMNS, pop.member_rows(loader))
    loader.insert("tenancy", people.TENANCY_COLUMNS, (t.row(loader) for t in pop.tenancies))
    loader.insert("account", money.ACCOUNT_COLUMNS, (a.row(loader) for a in accounts))
    loader.commit()
    say(f"  {len(pop.homes):,} homes, {len(pop.people):,} people, {len(pop.tenancies):,} tenancies")

    counter_staff = [s.id for s in office.staff if s.active and s.team in ("reception", "income")]
    income_staff = [s.id for s in office.staff if s.active and s.team == "income"] or counter_staff
    ledger = money.LedgerWriter(
        rng("ledger"), loader, today=today, window_start=window_start, office_id=office.office_id,
        counter_staff=counter_staff, income_staff=income_staff, jurisdiction=jurisdiction,
        till_codes="till_code" in loader.columns("ledger_entry"))
    expected = int(spec.tenancies * spec.ledger_weeks * LEDGER_ROWS_PER_TENANCY_WEEK)
    say(f"ledger: {len(accounts):,} accounts over {spec.ledger_weeks} weeks (~{expected:,} rows)")
    written = loader.insert("ledger_entry", ledger.columns(), ledger.rows(accounts), label="ledger", expected=expected)
    loader.insert("ledger_entry", ledger.columns(), ledger.counter_rows(), label="counter payments")
    loader.execute("UPDATE office SET next_receipt_no = :n WHERE id = :id",
                   {"n": ledger.receipts + 1, "id": office.office_id})
    loader.commit()
    say(f"  {written + ledger.receipts:,} ledger rows, receipts 1-{ledger.receipts:,}")

    say("alerts, cases, notes and contacts")
    builder = work.WorkBuilder(rng("work"), pop, office, accounts, today=today, jurisdiction=jurisdiction,
                               alert_categories=alert_categories)
    loader.insert("alert", work.ALERT_COLUMNS, builder.alert_rows(loader))
    builder.build_cases(spec.open_cases, spec.closed_cases)
    with_clock = set(work.CASE_CLOCK_COLUMNS) <= loader.columns("work_case")
    loader.insert("work_case", work.CASE_COLUMNS + (work.CASE_CLOCK_COLUMNS if with_clock else ()),
                  builder.case_rows(loader, with_clock))
    loader.insert("case_note", work.NOTE_COLUMNS, builder.note_rows(loader))
    builder.build_contacts(spec.contacts)
    extra = tuple(c for c in ("logged_at", "anonymous") if c in loader.columns("contact"))
    loader.insert("contact", work.CONTACT_COLUMNS + extra, builder.contact_rows(loader, extra))
    homeless = builder.homeless_rows(loader, loader.columns("homeless_case"))
    if homeless is not None:
        columns, rows = homeless
        missing = loader.required("homeless_case") - set(columns)
        if missing:
            say(f"  homelessness case detail skipped: homeless_case needs {', '.join(sorted(missing))}")
        elif rows:
            loader.insert("homeless_case", columns, rows)
    loader.commit()
    loader.finish(list(loader.counts))
