"""The hot reads use an index on both databases (issue 13 item 4).

Each hot read a desk makes many times an hour (a search, opening a person, a statement, a case, a
queue page, the dashboard) runs once on the seeded office while every SELECT it sends is caught;
each caught statement is then planned by the database itself, with its own parameters:

- SQLite: ``EXPLAIN QUERY PLAN``; a ``SCAN <table>`` of a large table is a full scan.
- PostgreSQL: ``EXPLAIN (FORMAT JSON)`` with ``enable_seqscan = off``, so the planner uses any index
  that can serve the query however small the test tables are; a ``Seq Scan`` left on a large table
  means there is none.

Large tables are the ones that grow with the office's people, homes, money and history; the small
reference tables (offices, teams, staff, settings) may be read whole. A full scan that is the right
plan is listed in ALLOWED with its reason.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from contextlib import contextmanager

import pytest
from builders import NOW, seed_office
from sqlalchemy import event

from duty_tui.areas.frontdesk.services.routing import case_detail, queue_page
from duty_tui.areas.payments.services.accounts import list_accounts, show_account
from duty_tui.areas.payments.services.statements import account_statement
from duty_tui.core.config.settings import Settings
from duty_tui.core.services.auth import find_actor
from duty_tui.core.services.context import ServiceContext
from duty_tui.core.services.dashboard import load_dashboard
from duty_tui.core.services.people import get_person
from duty_tui.core.services.search import find_people

LARGE = {
    "person", "property", "household", "household_member", "tenancy", "account", "ledger_entry", "alert",
    "work_case", "case_note", "contact", "audit_event", "person_address", "change_signal", "contact_reason",
    "reception_visit", "contact_revision", "follow_up", "case_event", "complaint_stage", "repair_detail",
    "safeguarding_concern", "homeless_case", "payment", "refund_request", "arrangement", "arrangement_instalment",
    "suspense_allocation", "account_balance",
}

ALLOWED: dict[str, str] = {
    # table: why a full scan of it is the right plan in these reads (none yet)
}

HOT_READS: dict[str, Callable[[ServiceContext], object]] = {
    "search by name": lambda ctx: find_people(ctx, "smith"),
    "search by two words": lambda ctx: find_people(ctx, "john smith"),
    "search by postcode": lambda ctx: find_people(ctx, "LS1 1AA"),
    "search by phone": lambda ctx: find_people(ctx, "07700 900123"),
    "open a person": lambda ctx: get_person(ctx, "P0000001"),
    "an account": lambda ctx: show_account(ctx, "RNT000001"),
    "accounts owing over £100": lambda ctx: list_accounts(ctx, arrears_over_pence=10_000),
    "a statement": lambda ctx: account_statement(ctx, "RNT000001"),
    "a case": lambda ctx: case_detail(ctx, "C0000002"),
    "the income queue": lambda ctx: queue_page(ctx, "team", "income"),
    "the dashboard": lambda ctx: load_dashboard(ctx),
}


@contextmanager
def caught_selects(engine):
    statements: list[tuple[str, object]] = []

    def catch(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("SELECT") and "audit_head" not in statement:
            statements.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", catch)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", catch)


def full_scans(engine, statement: str, parameters) -> list[str]:
    """The large tables this statement reads whole, as its database plans it."""
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            plan = connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).all()
            scanned = [m.group(1) for row in plan if (m := re.match(r"SCAN (\w+)", row[3]))]
        else:
            connection.exec_driver_sql("SET enable_seqscan = off")
            (raw,) = connection.exec_driver_sql("EXPLAIN (FORMAT JSON) " + statement, parameters).one()
            document = raw if isinstance(raw, list) else json.loads(raw)
            scanned = []
            pending = [document[0]["Plan"]]
            while pending:
                node = pending.pop()
                if node.get("Node Type") == "Seq Scan":
                    scanned.append(node["Relation Name"])
                pending.extend(node.get("Plans", []))
            connection.rollback()
    return [t for t in scanned if t in LARGE and t not in ALLOWED]


@pytest.fixture
def leader(engine) -> ServiceContext:
    seed_office(engine)
    base = ServiceContext.create(engine, Settings(db_url=str(engine.url)), terminal="desk-1", clock=lambda: NOW)
    return base.as_actor(find_actor(base, "leader"))


@pytest.mark.parametrize("read", list(HOT_READS))
def test_a_hot_read_never_scans_a_large_table_whole(engine, leader, read):
    with caught_selects(engine) as statements:
        HOT_READS[read](leader)
    assert statements, "the read sent no SELECT: the catch is not working"
    problems = []
    for statement, parameters in statements:
        tables = full_scans(engine, statement, parameters)
        if tables:
            problems.append(f"{', '.join(sorted(set(tables)))} read whole by:\n  {_where(statement)}")
    assert not problems, "\n".join(problems)


def _where(statement: str) -> str:
    """The statement from its FROM on (what decides the plan), on one line."""
    flat = " ".join(statement.split())
    return flat[flat.find(" FROM "):][:600] if " FROM " in flat else flat[:600]
