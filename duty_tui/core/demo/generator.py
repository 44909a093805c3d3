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
from sqlalchemy import Engine, inspect, text

from duty_tui.core import registry
from duty_tui.core.config.reference import load_reference
from duty_tui.core.config.settings import DEFAULTS
from duty_tui.core.db import kept_balance
from duty_tui.core.demo import dd_handover, money, people, places, rent_ledger, staff, work
from duty_tui.core.demo.bulk import Loader, empty_database
from duty_tui.core.demo.people import LOOKALIKES
from duty_tui.core.demo.staff import DEMO_USERS, DemoUser
from duty_tui.core.domain.errors import InputError

__all__ = ["DEMO_USERS", "LOOKALIKES", "SIZES", "DemoSize", "DemoSummary", "DemoUser", "generate", "has_data",
           "made_by_demo", "real_use", "reset"]


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


DEMO_MARK = "demo"
"""db_setting key: "1" when ``duty-tui demo`` made this database (the login screen then lists the demo users)."""

DEMO_STAFF_MARK = "demo_staff_max_id"
"""db_setting key: the highest staff_user id the demo created; later accounts are real people's."""

SIGN_IN_ATTEMPTS = ("login.failed", "login.throttled")
"""Audit actions with no account behind them that read and change nothing: not real use."""

_EMPTY_TABLES_KEEP = frozenset({"alembic_version", "audit_head"})


def has_data(engine: Engine) -> bool:
    """True when any app table holds a row (a fresh ``db upgrade`` leaves only the audit chain's head).

    The audit trail and the staff accounts count: a database someone has used is never "empty".
    """
    with engine.connect() as connection:
        for name in inspect(connection).get_table_names():
            if name in _EMPTY_TABLES_KEEP:
                continue
            if connection.execute(text(f'SELECT 1 FROM "{name}" LIMIT 1')).first():
                return True
    return False


SUMMARY_TABLES: tuple[tuple[str, str], ...] = (
    ("person", "people"), ("household", "households"), ("tenancy", "tenancies"), ("account", "accounts"),
    ("ledger_entry", "ledger rows"), ("payment", "payment receipts"), ("work_case", "cases"),
    ("homeless_case", "homelessness cases"), ("contact", "contacts"), ("reception_visit", "reception visits"),
    ("follow_up", "callbacks and appointments"), ("alert", "alerts"), ("staff_user", "staff"),
)
"""What the demo's summary line counts, in the database once every area has written its rows."""


def made_counts(engine: Engine) -> dict[str, int]:
    """Rows now in the database for each table of SUMMARY_TABLES that this build has, by its plain name.

    Counted after generation rather than added up from each step, so a table written by more
    than one step (cases: the base office, housing options and the front desk) is counted once, in full.
    """
    out: dict[str, int] = {}
    with engine.connect() as connection:
        names = set(inspect(connection).get_table_names())
        for table, words in SUMMARY_TABLES:
            if table in names:
                out[words] = int(connection.execute(text(f'SELECT count(*) FROM "{table}"')).scalar() or 0)
    return out


def summary_line(counts: dict[str, int]) -> str:
    """'840 people, 308 households, …' — the counts as the demo's summary line says them."""
    return ", ".join(f"{value:,} {words}" for words, value in counts.items()) or "nothing"


def made_by_demo(engine: Engine) -> bool:
    """True when ``duty-tui demo`` generated this database's contents (db_setting demo = "1")."""
    with engine.connect() as connection:
        if not inspect(connection).has_table("db_setting"):
            return False
        value = connection.execute(text("SELECT value FROM db_setting WHERE key = :key"), {"key": DEMO_MARK}).scalar()
    return value == "1"


def real_use(engine: Engine) -> dict[str, int]:
    """Audit events that are not demo use, counted by actor (most first); empty when there are none.

    Demo use is what the demo's own accounts do — the demo users signing in to try the app,
    searching, taking payments — and sign-in attempts with no account behind them (a mistyped
    name reads and changes nothing). Everything else is real use: events by any staff account
    added after the demo was generated, and commands run without ``--as`` (the batch role, e.g.
    ``os:jbloggs``), which may be real jobs such as a nightly payments import.
    """
    with engine.connect() as connection:
        marks = dict(connection.execute(text("SELECT key, value FROM db_setting")).all())
        if DEMO_STAFF_MARK in marks and marks[DEMO_STAFF_MARK].isdigit():
            demo_staff = "actor_id <= :staff_max"
            params: dict[str, object] = {"staff_max": int(marks[DEMO_STAFF_MARK])}
        else:  # made by an older duty-tui: only the named demo users are known to be the demo's
            demo_staff = ("actor_id IN (SELECT id FROM staff_user WHERE username IN ("
                          + ", ".join(f":u{i}" for i in range(len(DEMO_USERS))) + "))")
            params = {f"u{i}": user.username for i, user in enumerate(DEMO_USERS)}
        attempts = ", ".join(f":a{i}" for i in range(len(SIGN_IN_ATTEMPTS)))
        params.update({f"a{i}": action for i, action in enumerate(SIGN_IN_ATTEMPTS)})
        rows = connection.execute(text(
            "SELECT actor, count(*) AS n FROM audit_event "
            f"WHERE NOT (actor_id IS NOT NULL AND {demo_staff}) "
            f"AND NOT (actor_id IS NULL AND action IN ({attempts})) "
            "GROUP BY actor ORDER BY n DESC, actor"), params).all()
    return {actor: count for actor, count in rows}


def reset(engine: Engine) -> None:
    """Delete every row of every app table (alembic_version kept) and re-seed the audit chain's head.

    Only a database ``duty-tui demo`` made, and only while its audit trail holds nothing but demo
    use (``real_use``): anything else raises InputError and nothing is deleted.
    """
    if not made_by_demo(engine):
        raise InputError("--reset replaces only a demo office, and duty-tui demo did not make this database "
                         "(it may hold real data); nothing was changed. For the demo, point --db at a new file, "
                         "e.g. --db sqlite:///demo.db")
    used = real_use(engine)
    if used:
        shown = ", ".join(f"{actor} {count:,}" for actor, count in list(used.items())[:5])
        more = f" and {len(used) - 5} more" if len(used) > 5 else ""
        raise InputError(
            f"--reset would delete an audit trail with real use: {sum(used.values()):,} events by accounts the "
            f"demo did not create ({shown}{more}); nothing was changed. duty-tui never deletes such a trail: if "
            "nothing in this database is real, remove it yourself (delete the file, or drop the PostgreSQL "
            "database) and run duty-tui demo again")
    empty_database(engine)


def _mark_demo(engine: Engine, staff_max_id: int) -> None:
    """Record that the demo made this database, and which staff accounts are the demo's."""
    with engine.begin() as connection:
        for key, value in ((DEMO_MARK, "1"), (DEMO_STAFF_MARK, str(staff_max_id))):
            connection.execute(text("DELETE FROM db_setting WHERE key = :key"), {"key": key})
            connection.execute(text("INSERT INTO db_setting (key, value) VALUES (:key, :value)"),
                               {"key": key, "value": value})


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

    reference = load_reference(DEFAULTS["data_dir"])
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
    try:
        _mark_demo(engine, max((member.id for member in office.everyone), default=0))
    except BaseException:
        empty_database(engine)
        raise
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
    post_rent = registry.hook("demo.post_rent")  # the rents area: its debit run posts the latest weeks' rent
    if post_rent is not None:
        cutover = rent_ledger.debit_cutover(today)
        ledger.cutover_o = cutover.toordinal()
        ledger.cut_over = rent_ledger.cut_over_tenancies(
            ((t.id, t.home.id, t.start, t.end) for t in pop.tenancies), cutover)
    collect_dd = registry.hook("demo.collect_direct_debits")  # the payments area: the latest direct debits
    if collect_dd is not None:
        ledger.dd_hand_over = dd_handover.DirectDebitHandOver(today, dd_handover.WANTED.get(spec.name, 10))
    expected = int(spec.tenancies * spec.ledger_weeks * LEDGER_ROWS_PER_TENANCY_WEEK)
    say(f"ledger: {len(accounts):,} accounts over {spec.ledger_weeks} weeks (~{expected:,} rows)")
    if not loader.connection.in_transaction():
        loader.connection.begin()
    with kept_balance.suspended(loader.connection):  # one rebuild after the load, not a trigger per row
        written = loader.insert("ledger_entry", ledger.columns(), ledger.rows(accounts), label="ledger",
                                expected=expected)
        loader.insert("ledger_entry", ledger.columns(), ledger.counter_rows(), label="counter payments")
        kept = kept_balance.rebuild(loader.connection)
    loader.execute("UPDATE office SET next_receipt_no = :n WHERE id = :id",
                   {"n": ledger.receipts + 1, "id": office.office_id})
    loader.commit()
    say(f"  {written + ledger.receipts:,} ledger rows, receipts 1-{ledger.receipts:,}, {kept:,} balances kept")

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
    if post_rent is not None:
        say("rent: charges, and the debit run for the latest weeks")
        loader.counts.update(post_rent(loader.connection.engine, today=today, cutover=rent_ledger.debit_cutover(today),
                                       tenancies=ledger.cut_over, rng=rng("rents")))
    if collect_dd is not None and ledger.dd_hand_over is not None:
        say("direct debits: mandates, notices, collection runs and returns for the latest weeks")
        loader.counts.update(collect_dd(loader.connection.engine, today=today, handed=ledger.dd_hand_over.taken))
