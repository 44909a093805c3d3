"""The demo office generator (duty_tui/demo): what `duty-tui demo` fills a database with.

The small office is generated on both backends and checked the way staff and
the other modules will meet it: counts, gap-free receipts, an arrears/credit
mix, search keys, the look-alikes, sign-in and "My work" for every demo user,
referential integrity, and id sequences that carry on after the load. On SQLite
it is also generated twice to show that the same seed gives the same rows.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import func, inspect, text
from sqlmodel import select

from duty_tui.core.config.reference import load_reference
from duty_tui.core.config.settings import REPO_ROOT, Settings
from duty_tui.core.db.engine import make_engine, session_scope
from duty_tui.core.db.migrate import upgrade
from duty_tui.core.db.models import (
    Account,
    Alert,
    AuditHead,
    Case,
    HouseholdMember,
    LedgerEntry,
    Office,
    Person,
    Property,
    StaffUser,
    Tenancy,
)
from duty_tui.core.demo import bulk, generator, work
from duty_tui.core.demo.bulk import Loader, app_tables
from duty_tui.core.demo.generator import DEMO_USERS, LOOKALIKES, SIZES
from duty_tui.core.demo.staff import LATE_USERS
from duty_tui.core.domain.local_time import UK
from duty_tui.core.domain.search_keys import fold, phone_key, postcode_key, sound, street_key
from duty_tui.core.domain.validators import clean_ni_number, clean_phone, clean_postcode
from duty_tui.core.services.auth import sign_in
from duty_tui.core.services.context import ServiceContext
from duty_tui.core.services.dashboard import load_dashboard

TODAY = date(2026, 3, 10)  # a Tuesday
SEED = 7
OFFICE = "Riverside Housing Options & Tenancy Services"
COUNTER = ("cash", "cheque", "card")


def _generate(engine, seed: int = SEED, today: date = TODAY, size: str = "small"):
    return generator.generate(engine, size=size, seed=seed, today=today, office_name=OFFICE, jurisdiction="england")


def _count(session, model) -> int:
    return session.exec(select(func.count()).select_from(model)).one()


def _orphans(engine) -> list[str]:
    """Every foreign key whose value points at no row (the load runs with the checks off)."""
    problems = []
    with engine.connect() as connection:
        inspector = inspect(connection)
        for table in inspector.get_table_names():
            for fk in inspector.get_foreign_keys(table):
                if len(fk["constrained_columns"]) != 1:
                    continue
                child, parent = fk["constrained_columns"][0], fk["referred_columns"][0]
                missing = connection.execute(text(
                    f'SELECT count(*) FROM "{table}" c LEFT JOIN "{fk["referred_table"]}" p '
                    f'ON c."{child}" = p."{parent}" WHERE c."{child}" IS NOT NULL AND p."{parent}" IS NULL')).scalar()
                if missing:
                    problems.append(f"{table}.{child} -> {fk['referred_table']}: {missing} orphans")
    return problems


def test_small_demo_office(engine) -> None:
    assert not generator.has_data(engine)
    summary = _generate(engine)
    assert generator.has_data(engine)
    assert summary.seconds > 0

    with session_scope(engine) as s:
        # Counts: what the summary says is what is there, and the sizes are as promised.
        for table, rows in summary.counts.items():
            assert s.execute(text(f'SELECT count(*) FROM "{table}"')).scalar() == rows, table
        assert summary.counts["person"] == SIZES["small"].people == 750
        assert summary.counts["tenancy"] == 300
        assert 300 <= summary.counts["household"] <= 330
        assert summary.counts["household_member"] >= 600
        assert 30_000 < summary.counts["ledger_entry"] < 80_000
        assert summary.counts["staff_user"] >= len(DEMO_USERS) + 15
        assert summary.counts["alert"] >= 10
        office = s.exec(select(Office)).one()
        assert (office.code, office.name, office.jurisdiction) == ("MAIN", OFFICE, "england")

        # Counter receipts: gap-free 1..N for the office, in the order they were taken.
        receipts = s.exec(select(LedgerEntry.receipt_no, LedgerEntry.method, LedgerEntry.office_id,
                                 LedgerEntry.posted_at, LedgerEntry.created_by)
                          .where(LedgerEntry.receipt_no.is_not(None)).order_by(LedgerEntry.receipt_no)).all()
        numbers = [r[0] for r in receipts]
        assert numbers == list(range(1, len(numbers) + 1)) and len(numbers) > 500
        assert {r[1] for r in receipts} <= set(COUNTER) and {r[2] for r in receipts} == {office.id}
        assert all(r[4] is not None for r in receipts)
        moments = [r[3] for r in receipts]
        assert moments == sorted(moments)
        assert all(m.tzinfo is not None and m.astimezone(UK).date() < TODAY for m in moments)
        assert office.next_receipt_no == len(numbers) + 1
        assert _count(s, LedgerEntry) - len(numbers) == s.exec(
            select(func.count()).select_from(LedgerEntry).where(LedgerEntry.receipt_no.is_(None))).one()
        assert not s.exec(select(LedgerEntry).where(LedgerEntry.receipt_no.is_(None),
                                                    LedgerEntry.method.in_(COUNTER))).first()

        # Sign convention and the arrears / credit mix of current rent accounts.
        assert s.exec(select(func.min(LedgerEntry.amount_pence)).where(LedgerEntry.kind == "rent_debit")).one() > 0
        assert s.exec(select(func.max(LedgerEntry.amount_pence)).where(LedgerEntry.kind == "payment")).one() < 0
        rent = s.exec(select(func.sum(LedgerEntry.amount_pence)).join(Account, Account.id == LedgerEntry.account_id)
                      .where(Account.account_type == "rent", Account.closed_on.is_(None))
                      .group_by(Account.id)).all()
        owing = sum(b > 0 for b in rent) / len(rent)
        assert 0.15 < owing < 0.45, owing
        assert 0.05 < sum(b < 0 for b in rent) / len(rent) < 0.35
        assert any(b > 100_000 for b in rent)
        types = set(s.exec(select(Account.account_type)).all())
        assert types == {"rent", "former_tenant", "rechargeable_repairs", "court_costs", "service_charge", "suspense"}
        suspense = s.exec(select(Account).where(Account.account_type == "suspense")).one()
        assert (suspense.ref, suspense.holder_name) == ("SUS000001", "Suspense — unallocated receipts")
        fta = s.exec(select(func.sum(LedgerEntry.amount_pence)).join(Account, Account.id == LedgerEntry.account_id)
                     .where(Account.account_type == "former_tenant").group_by(Account.id)).all()
        assert fta and sum(b > 0 for b in fta) >= len(fta) * 0.5
        ended = s.exec(select(Tenancy).where(Tenancy.status == "ended")).all()
        assert ended and all(t.end_date is not None for t in ended)
        left = s.exec(select(HouseholdMember).where(HouseholdMember.household_id == ended[0].household_id)).all()
        assert all(m.left_on == ended[0].end_date for m in left)

        # Search keys for every person and property, and valid shapes.
        for p in s.exec(select(Person)).all():
            assert (p.surname_key, p.forename_key) == (fold(p.surname), fold(p.forename)), p.ref
            assert (p.surname_sound, p.forename_sound) == (sound(p.surname), sound(p.forename)), p.ref
            assert p.phone_main_key == (phone_key(p.phone_main) if p.phone_main else None)
            assert p.phone_alt_key == (phone_key(p.phone_alt) if p.phone_alt else None)
            assert p.ni_number is None or clean_ni_number(p.ni_number) == p.ni_number
            assert p.phone_main is None or clean_phone(p.phone_main)
            assert p.created_at.tzinfo is not None
        for h in s.exec(select(Property)).all():
            assert clean_postcode(h.postcode) == h.postcode
            assert (h.postcode_key, h.street_key) == (postcode_key(h.postcode), street_key(h.address_line1))
            assert h.uprn is not None and len(h.uprn) == 12 and h.uprn.isdigit()

        # The look-alikes: stable refs, the right birth years, lead tenants at different addresses.
        homes = set()
        for ref, forename, surname, year in LOOKALIKES:
            person = s.exec(select(Person).where(Person.ref == ref)).one()
            assert (person.forename, person.surname, person.date_of_birth.year) == (forename, surname, year)
            member = s.exec(select(HouseholdMember).where(HouseholdMember.person_id == person.id,
                                                          HouseholdMember.is_lead.is_(True))).one()
            tenancy = s.exec(select(Tenancy).where(Tenancy.household_id == member.household_id)).one()
            homes.add(tenancy.property_id)
            assert s.exec(select(Account).where(Account.tenancy_id == tenancy.id, Account.account_type == "rent")).one()
        assert len(homes) == len(LOOKALIKES)
        john = s.exec(select(Person).where(Person.ref == "P0000001")).one()
        alert = s.exec(select(Alert).where(Alert.person_id == john.id)).one()
        assert (alert.category, alert.restricted) == ("violent_aggressive", True)
        john_rent = s.exec(select(Account).where(Account.person_id == john.id, Account.account_type == "rent")).one()
        assert s.exec(select(func.sum(LedgerEntry.amount_pence))
                      .where(LedgerEntry.account_id == john_rent.id)).one() > 50_000
        aisha = s.exec(select(Person).where(Person.ref == "P0000005")).one()
        assert aisha.interpreter_needed
        assert s.exec(select(Alert.category).where(Alert.person_id == aisha.id)).all() == ["interpreter"]
        restricted = {c.code: c.restricted for c in load_reference(REPO_ROOT / "data").alert_categories.values()}
        assert all(a.restricted == restricted[a.category] for a in s.exec(select(Alert)).all())

        # Cases: every team, some overdue, none opened more than 60 days ago.
        now = datetime.combine(TODAY, time(10, 30), tzinfo=UK)
        open_cases = s.exec(select(Case).where(Case.status.in_(("open", "in_progress", "awaiting")))).all()
        assert len(open_cases) >= SIZES["small"].open_cases
        assert any(c.due_at < now for c in open_cases) and any(c.due_at > now for c in open_cases)
        assert all(c.opened_at >= now - timedelta(days=61) for c in open_cases)
        assert all(c.person_id is not None for c in open_cases)

    # Referential integrity (the bulk load runs with the per-row checks off).
    assert _orphans(engine) == []

    # Every demo user signs in with "demo" and has work of their own; there are contacts today.
    clock = datetime.combine(TODAY, time(10, 30), tzinfo=UK).astimezone(UTC)
    ctx = ServiceContext.create(engine, Settings(db_url=str(engine.url)), clock=lambda: clock)
    for user in DEMO_USERS:
        actor = sign_in(ctx, user.username, user.password)
        assert (actor.username, actor.role, actor.display_name) == (user.username, user.role, user.display_name)
        dashboard = load_dashboard(ctx.as_actor(actor))
        # The rents assistant's work is the rent account (the demo's debit runs), not cases: cases of its
        # own would move every later draw of the demo (staff.LATE_USERS).
        assert bool(dashboard.my_cases) is (user.username not in LATE_USERS), user.username
        assert dashboard.contacts_today > 0

    # Sequences carry on after the explicit ids (PostgreSQL setval).
    with session_scope(engine, write=True) as s:
        count = _count(s, Person)
        extra = Person(ref="P9999999", forename="New", surname="Caller", created_at=clock)
        s.add(extra)
        s.flush()
        assert extra.id == count + 1

    # Reset empties every table, re-seeds the audit head and keeps the schema revision(s).
    with engine.connect() as connection:
        revisions = sorted(connection.execute(text("SELECT version_num FROM alembic_version")).scalars())
    generator.reset(engine)
    assert not generator.has_data(engine)
    with engine.connect() as connection:
        for table in app_tables(connection):
            rows = connection.execute(text(f'SELECT count(*) FROM "{table.name}"')).scalar()
            assert rows == (1 if table.name == "audit_head" else 0), table.name
        assert sorted(connection.execute(text("SELECT version_num FROM alembic_version")).scalars()) == revisions
    with session_scope(engine) as s:
        head = s.get(AuditHead, 1)
        assert head is not None and (head.last_id, head.last_hash) == (0, "0" * 64)


def _digest(engine) -> dict[str, str]:
    """A hash of every table's rows in primary-key order (password hashes aside: argon2 salts them)."""
    out = {}
    with engine.connect() as connection:
        for table in app_tables(connection):
            keys = [c.name for c in table.primary_key.columns] or [c.name for c in table.columns]
            columns = [c.name for c in table.columns if c.name != "password_hash"]
            rows = connection.execute(text(
                f'SELECT {", ".join(columns)} FROM "{table.name}" ORDER BY {", ".join(keys)}')).all()
            out[table.name] = hashlib.sha256(repr(rows).encode()).hexdigest()
    return out


def test_same_seed_and_day_give_the_same_rows(sqlite_engine, tmp_path) -> None:
    _generate(sqlite_engine)
    second = make_engine(f"sqlite:///{tmp_path}/b.db")
    third = make_engine(f"sqlite:///{tmp_path}/c.db")
    try:
        upgrade(second)
        upgrade(third)
        _generate(second)
        _generate(third, seed=SEED + 1)
        first_digest = _digest(sqlite_engine)
        assert first_digest == _digest(second)
        other = _digest(third)
        assert other["person"] != first_digest["person"] and other["ledger_entry"] != first_digest["ledger_entry"]
    finally:
        second.dispose()
        third.dispose()


def test_refuses_a_database_with_data_and_leaves_nothing_behind_on_failure(sqlite_engine, monkeypatch) -> None:
    def broken(self, count: int) -> None:
        raise RuntimeError("disk full (simulated)")

    monkeypatch.setattr(work.WorkBuilder, "build_contacts", broken)
    with pytest.raises(RuntimeError, match="simulated"):
        _generate(sqlite_engine)
    assert not generator.has_data(sqlite_engine)
    with session_scope(sqlite_engine) as s:
        assert _count(s, LedgerEntry) == 0 and _count(s, StaffUser) == 0
        assert s.get(AuditHead, 1) is not None
    monkeypatch.undo()
    _generate(sqlite_engine)
    with pytest.raises(ValueError, match="already holds data"):
        _generate(sqlite_engine)


def test_postgres_load_with_foreign_key_checks_on(pg_engine, monkeypatch) -> None:
    """A database user who is not a superuser loads with every check on: the write order must be FK-safe."""
    monkeypatch.setattr(bulk, "USE_REPLICA_ROLE", False)
    summary = _generate(pg_engine)
    assert summary.counts["ledger_entry"] > 30_000
    with pg_engine.connect() as connection:
        assert connection.execute(text("SHOW session_replication_role")).scalar() == "origin"


def test_values_are_stored_as_the_orm_stores_them(sqlite_engine) -> None:
    """The loader's ready-made date and timestamp values equal SQLAlchemy's own, across clock changes."""
    table = LedgerEntry.__table__
    with sqlite_engine.connect() as connection:
        loader = Loader(connection)
        dialect = connection.dialect
        day_bind = table.c.effective_date.type.dialect_impl(dialect).bind_processor(dialect)
        moment_bind = table.c.posted_at.type.dialect_impl(dialect).bind_processor(dialect)
        for day in (date(2025, 3, 29), date(2025, 3, 30), date(2025, 3, 31), date(2025, 10, 27), date(2026, 1, 5)):
            assert loader.day(day) == day_bind(day)
            for seconds in (30 * 60, 9 * 3600 + 17, 23 * 3600 + 59 * 60):
                if day == date(2025, 3, 30) and seconds < 2 * 3600:
                    continue  # the hour the clocks skip
                local = datetime.combine(day, time(seconds // 3600, seconds % 3600 // 60, seconds % 60), tzinfo=UK)
                assert loader.at(day, seconds) == moment_bind(local), (day, seconds)
                assert loader.moment(local) == moment_bind(local)
        with pytest.raises(ValueError):
            loader.moment(datetime(2026, 1, 1, 12))


def test_the_api_the_cli_and_login_screen_use() -> None:
    roles = load_reference(REPO_ROOT / "data").roles
    assert [u.username for u in DEMO_USERS] == ["reception", "options", "income", "leader", "admin", "rents"]
    # The rents assistant is made after every generated member of staff (staff.LATE_USERS), so the other
    # draws are what they were without it. The lettings officer (issue 16, begun) has none yet: leader and
    # admin hold lettings.manage.
    assert {u.role for u in DEMO_USERS} == set(roles) - {"batch", "lettings_officer"}
    assert all(u.password == "demo" and u.display_name for u in DEMO_USERS)
    assert set(SIZES) == {"small", "office", "council"}
    assert (SIZES["council"].tenancies, SIZES["council"].people) == (60_000, 150_000)
    assert SIZES["small"].tenancies < SIZES["office"].tenancies < SIZES["council"].tenancies
    assert [ref for ref, *_ in LOOKALIKES] == [f"P{n:07d}" for n in range(1, 9)]
