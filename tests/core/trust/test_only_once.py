"""Every "only once" rule holds when two people in different offices act at the same moment.

Each test races two real database connections (two threads released together by a Barrier,
each with its own ServiceContext) whose actors work in two different offices — so the
payments office lock, which serialises one office only, cannot be what keeps the rule.
Each race is run ROUNDS times, on SQLite and PostgreSQL (the ``engine`` fixture). Every
round must end with exactly one winner and a loser told plainly who did it first and
when — never a traceback, never an IntegrityError — and every balance must still be the
sum of its ledger rows with the money moved once.
"""

from __future__ import annotations

import re
import threading
import uuid
from collections.abc import Callable
from datetime import timedelta

import pytest
from builders import NOW, seed_office
from sqlalchemy import text
from sqlmodel import Session, select

from duty_tui.areas.payments.domain.rules import SplitLine
from duty_tui.core.config.settings import Settings
from duty_tui.core.db.engine import session_scope
from duty_tui.core.db.models import Case, LedgerEntry, Office, StaffUser, Team
from duty_tui.core.domain.errors import ConflictError, DutyError, InputError
from duty_tui.core.services.auth import find_actor
from duty_tui.core.services.context import ServiceContext

ROUNDS = 20
EAST_STAFF = ("income", "admin")
"""Moved to a second office; reception, leader and options stay in MAIN."""
NAMES = {"reception": "Rita Reception", "leader": "Lee Leader", "income": "Ian Income", "admin": "Ada Admin",
         "options": "Olu Options"}
WHEN = "10:30 on 10/03/2026"  # NOW in UK time


def ctx_for(engine, username: str) -> ServiceContext:
    """A context of its own (its own connections) acting as ``username`` at NOW."""
    base = ServiceContext.create(engine, Settings(db_url=str(engine.url)), terminal=f"desk-{username}",
                                 clock=lambda: NOW)
    return base.as_actor(find_actor(base, username))


def two_offices(engine) -> None:
    """The test office, with income and admin moved to a second office (EAST)."""
    seed_office(engine)
    with session_scope(engine, write=True) as s:
        east = Office(code="EAST", name="East Office", jurisdiction="england")
        s.add(east)
        s.flush()
        for user in s.exec(select(StaffUser).where(StaffUser.username.in_(EAST_STAFF))).all():  # type: ignore[attr-defined]
            user.office_id = east.id
            s.add(user)


def race(*calls: Callable[[], object]) -> tuple[list[tuple[int, object]], list[tuple[int, DutyError]]]:
    """Run the calls at the same moment, one thread (one connection) each: (winners, losers) by call index.

    Anything but a result or a DutyError (a traceback, an IntegrityError) fails the test.
    """
    barrier = threading.Barrier(len(calls))
    wins: list[tuple[int, object]] = []
    losses: list[tuple[int, DutyError]] = []
    crashes: list[BaseException] = []
    lock = threading.Lock()

    def run(index: int, call: Callable[[], object]) -> None:
        barrier.wait()
        try:
            result = call()
        except DutyError as exc:
            with lock:
                losses.append((index, exc))
        except BaseException as exc:  # pragma: no cover - reported below
            with lock:
                crashes.append(exc)
        else:
            with lock:
                wins.append((index, result))

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a racer never finished (deadlock?)"
    assert not crashes, crashes
    return wins, losses


def one_winner(wins, losses, names: tuple[str, ...]) -> tuple[object, str, DutyError]:
    """Exactly one winner and one loser: (winner's result, winner's display name, loser's error)."""
    assert len(wins) == 1 and len(losses) == 1, (wins, [(i, e.message) for i, e in losses])
    (index, result), (_, error) = wins[0], losses[0]
    assert "Traceback" not in error.message and "IntegrityError" not in error.message
    assert "duplicate key" not in error.message and "UNIQUE" not in error.message
    return result, NAMES[names[index]], error


def balances_are_sums(engine) -> dict[str, int]:
    """Each account's balance as the services report it equals the sum of its rows; returns them by ref."""
    from duty_tui.areas.payments.services.accounts import list_accounts

    with engine.connect() as c:
        sums = dict(c.execute(text("SELECT a.ref, COALESCE(SUM(l.amount_pence), 0) FROM account a LEFT JOIN "
                                   "ledger_entry l ON l.account_id = a.id GROUP BY a.ref")).all())
    shown = {a.ref: a.balance_pence for a in list_accounts(ctx_for(engine, "admin"))}
    assert shown == {ref: int(total) for ref, total in sums.items()}
    return shown


# --------------------------------------------------------------------------- reversal


def _payment_row(engine, account_ref: str, pence: int) -> int:
    from duty_tui.areas.payments.services.taking import PaymentRequest, take_payment

    take_payment(ctx_for(engine, "reception"), PaymentRequest(uuid.uuid4().hex, "card_phone",
                                                              (SplitLine(account_ref, pence),), terminal_ref="GW-77"))
    with engine.connect() as c:
        return int(c.execute(text("SELECT MAX(id) FROM ledger_entry")).scalar())


def test_a_payment_is_reversed_once_when_two_offices_reverse_it_at_once(engine):
    from duty_tui.areas.payments.services.reversals import reverse_entry

    two_offices(engine)
    start = balances_are_sums(engine)["RNT000001"]
    names = ("leader", "admin")  # MAIN and EAST
    contexts = [ctx_for(engine, n) for n in names]
    for round_no in range(ROUNDS):
        pence = 1000 + round_no
        entry = _payment_row(engine, "RNT000001", pence)
        wins, losses = race(*(lambda c=c: reverse_entry(c, entry, "duplicate") for c in contexts))
        view, winner, error = one_winner(wins, losses, names)
        assert isinstance(error, ConflictError)
        assert error.message == (f"row #{entry} was already reversed by {winner} at {WHEN} "
                                 f"(reversal row #{view.entry_id}); nothing was changed")
        assert view.amount_pence == pence and view.balance_after_pence == start
    with engine.connect() as c:
        assert c.execute(text("SELECT COUNT(*) FROM ledger_entry WHERE kind = 'reversal'")).scalar() == ROUNDS
        assert c.execute(text("SELECT COUNT(*) FROM (SELECT reverses_id FROM ledger_entry WHERE reverses_id IS NOT "
                              "NULL GROUP BY reverses_id HAVING COUNT(*) > 1) AS twice")).scalar() == 0
    assert balances_are_sums(engine)["RNT000001"] == start  # each payment in, and out once


def test_the_unique_reversal_holds_against_a_writer_that_takes_no_lock(engine):
    """The database, not the service's lock, is what forbids a second reversal: a reversal row
    written by another program (a script, or an older duty-tui during a rolling upgrade) that is
    committed while ours waits makes ours fail on ux_ledger_reverses — and the loser is told whose."""
    from duty_tui.areas.payments.services.reversals import reverse_entry

    two_offices(engine)
    start = balances_are_sums(engine)["RNT000001"]
    entry = _payment_row(engine, "RNT000001", 2500)
    with engine.connect() as c:
        admin_id = c.execute(text("SELECT id FROM staff_user WHERE username = 'admin'")).scalar()
        account_id = c.execute(text("SELECT account_id FROM ledger_entry WHERE id = :e"), {"e": entry}).scalar()
    results: list[object] = []
    other = engine.connect().execution_options(duty_write=True)  # SQLite: BEGIN IMMEDIATE, as any writer
    try:
        writer = Session(bind=other)
        writer.add(LedgerEntry(account_id=account_id, effective_date=NOW.date(), posted_at=NOW - timedelta(minutes=5),
                               kind="reversal", method="card", amount_pence=2500, reverses_id=entry,
                               created_by=admin_id))
        writer.flush()  # written, not yet committed

        def ours() -> None:
            try:
                results.append(reverse_entry(ctx_for(engine, "leader"), entry, "duplicate"))
            except BaseException as exc:  # reported below
                results.append(exc)

        thread = threading.Thread(target=ours)
        thread.start()
        if engine.dialect.name == "postgresql":
            _wait_for_a_blocked_insert(engine)  # ours has passed every check and waits on the unique index
        writer.commit()
        thread.join(timeout=60)
    finally:
        other.close()
    [outcome] = results
    assert isinstance(outcome, ConflictError), outcome
    assert outcome.message.startswith(f"row #{entry} was already reversed by Ada Admin at 10:25 on 10/03/2026 "
                                      "(reversal row #")
    with engine.connect() as c:
        assert c.execute(text("SELECT COUNT(*) FROM ledger_entry WHERE reverses_id = :e"), {"e": entry}).scalar() == 1
    assert balances_are_sums(engine)["RNT000001"] == start


def _wait_for_a_blocked_insert(engine) -> None:
    """Until another session's INSERT INTO ledger_entry waits on a lock (bounded; PostgreSQL only)."""
    import time

    deadline = time.monotonic() + 30
    with engine.connect() as watch:
        while time.monotonic() < deadline:
            waiting = watch.execute(text(
                "SELECT COUNT(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                "AND query ILIKE 'INSERT INTO ledger_entry%' AND pid <> pg_backend_pid()")).scalar()
            watch.rollback()
            if waiting:
                return
            time.sleep(0.02)
    raise AssertionError("the reversal never reached its INSERT")


def test_a_suspense_item_is_either_reversed_or_moved_never_both(engine):
    from duty_tui.areas.payments.services.importing import import_payment_file, reallocate_suspense
    from duty_tui.areas.payments.services.reversals import reverse_entry

    two_offices(engine)
    names = ("leader", "income")  # MAIN reverses, EAST moves it to the right account
    leader, income = (ctx_for(engine, n) for n in names)
    for round_no in range(ROUNDS):
        data = (f"date,account_ref,amount,method,external_id\n2026-03-09,NOPE{round_no},3.{round_no:02d},allpay,"
                f"SUS-{round_no}\n").encode()
        import_payment_file(income, data, f"s{round_no}.csv")
        with engine.connect() as c:
            item = int(c.execute(text("SELECT id FROM ledger_entry WHERE external_id = :x"),
                                 {"x": f"SUS-{round_no}"}).scalar())
        wins, losses = race(lambda: reverse_entry(leader, item, "duplicate"),
                            lambda: reallocate_suspense(income, item, "RNT000003", "paid with a typo"))
        _, winner, error = one_winner(wins, losses, names)
        if winner == "Lee Leader":
            assert error.message == f"row #{item} was reversed by Lee Leader at {WHEN}; there is nothing to move"
        else:
            assert error.message.startswith(f"row #{item} was moved out of suspense by Ian Income at {WHEN}; "
                                            "it cannot be reversed here")
    with engine.connect() as c:
        both = c.execute(text("SELECT COUNT(*) FROM suspense_allocation s JOIN ledger_entry r "
                              "ON r.reverses_id = s.suspense_entry_id")).scalar()
        moved = c.execute(text("SELECT COUNT(*) FROM suspense_allocation")).scalar()
        reversed_ = c.execute(text("SELECT COUNT(*) FROM ledger_entry WHERE kind = 'reversal'")).scalar()
    assert both == 0 and moved + reversed_ == ROUNDS
    balances = balances_are_sums(engine)
    assert balances["SUS000001"] == 0  # every item left suspense exactly once


# --------------------------------------------------------------------------- refunds


def test_a_refund_is_authorised_once_when_two_offices_authorise_it_at_once(engine):
    from duty_tui.areas.payments.services.refunds import authorise_refund, request_refund

    two_offices(engine)
    start = balances_are_sums(engine)["RNT000002"]  # £20.00 in credit, long cleared
    names = ("leader", "admin")
    contexts = [ctx_for(engine, n) for n in names]
    reception = ctx_for(engine, "reception")
    for round_no in range(ROUNDS):
        asked = request_refund(reception, "RNT000002", 50, "bank_transfer", "Mr J Smith", f"overpaid {round_no}")
        wins, losses = race(*(lambda c=c: authorise_refund(c, asked.ref, asked.version) for c in contexts))
        view, winner, error = one_winner(wins, losses, names)
        assert isinstance(error, ConflictError)
        assert error.message == f"refund {asked.ref} was already authorised by {winner} at {WHEN}; nothing was changed"
        assert view.status == "authorised" and view.decided_by == winner
    with engine.connect() as c:
        assert c.execute(text("SELECT COUNT(*) FROM ledger_entry WHERE kind = 'refund'")).scalar() == ROUNDS
        assert c.execute(text("SELECT COUNT(DISTINCT reference) FROM ledger_entry WHERE kind = 'refund'")).scalar() \
            == ROUNDS
    assert balances_are_sums(engine)["RNT000002"] == start + ROUNDS * 50


def test_the_same_credit_is_not_requested_twice_from_two_offices(engine):
    from duty_tui.areas.payments.services.refunds import refund_position, reject_refund, request_refund

    two_offices(engine)
    names = ("reception", "income")  # MAIN and EAST
    contexts = [ctx_for(engine, n) for n in names]
    leader = ctx_for(engine, "leader")
    for round_no in range(ROUNDS):
        credit = refund_position(leader, "RNT000002").available_pence
        assert credit == 2000
        wins, losses = race(*(lambda c=c: request_refund(c, "RNT000002", credit, "bank_transfer", "Mr J Smith",
                                                         f"tenancy ended {round_no}") for c in contexts))
        view, _, error = one_winner(wins, losses, names)
        assert isinstance(error, InputError)
        assert error.message == ("only £0.00 of RNT000002's credit can be refunded (asked £20.00); £20.00 is "
                                 "already requested")
        reject_refund(leader, view.ref, view.version, "asked twice")  # frees the credit for the next round


# --------------------------------------------------------------------------- arrangements


def test_one_active_arrangement_and_it_ends_once_across_offices(engine):
    from duty_tui.areas.payments.services.arrangements import create_arrangement, end_arrangement

    two_offices(engine)
    names = ("leader", "income")  # MAIN and EAST
    contexts = [ctx_for(engine, n) for n in names]
    for _ in range(ROUNDS):
        wins, losses = race(*(lambda c=c, p=p: create_arrangement(c, "RNT000001", p, "weekly", NOW.date())
                              for c, p in zip(contexts, (2000, 2500), strict=True)))
        made, winner, error = one_winner(wins, losses, names)
        assert isinstance(error, ConflictError)
        assert error.message == (f"RNT000001 already has arrangement {made.ref}, agreed by {winner} at {WHEN}; "
                                 "end it before agreeing a new one")
        wins, losses = race(*(lambda c=c, n=n: end_arrangement(c, made.ref, f"replaced by {n}'s plan", made.version)
                              for c, n in zip(contexts, names, strict=True)))
        ended, winner, error = one_winner(wins, losses, names)
        assert ended.status == "ended" and isinstance(error, ConflictError)
        assert re.fullmatch(rf"arrangement {made.ref} was already ended by {winner} at {WHEN} \(replaced by "
                            r"(leader|income)'s plan\); nothing was changed", error.message), error.message
        assert error.theirs["Ended by"] == winner
    with engine.connect() as c:
        assert c.execute(text("SELECT COUNT(*) FROM arrangement")).scalar() == ROUNDS
        assert c.execute(text("SELECT COUNT(*) FROM arrangement WHERE status = 'active'")).scalar() == 0
        assert c.execute(text("SELECT COUNT(*) FROM audit_event WHERE action = 'arrangement.end'")).scalar() == ROUNDS


# --------------------------------------------------------------------------- cases


def test_a_case_is_closed_once_when_two_offices_close_it_at_once(engine):
    from duty_tui.areas.frontdesk.services import routing

    two_offices(engine)
    with session_scope(engine, write=True) as s:
        team = s.exec(select(Team).where(Team.code == "repairs")).one()
        s.add_all(Case(ref=f"C9{i:06d}", case_type="repair", status="open", team_id=team.id, summary=f"Leak {i}",
                       priority="normal", opened_at=NOW - timedelta(days=1)) for i in range(ROUNDS))
    names = ("leader", "income")  # MAIN and EAST
    contexts = [ctx_for(engine, n) for n in names]
    for i in range(ROUNDS):
        ref = f"C9{i:06d}"
        seen = routing.case_detail(contexts[0], ref).row.version
        wins, losses = race(*(lambda c=c: routing.close_case(c, ref, seen, "resolved", "fixed") for c in contexts))
        _, winner, error = one_winner(wins, losses, names)
        assert isinstance(error, ConflictError)
        assert error.message == f"case {ref} was already closed by {winner} at {WHEN} (Resolved); nothing was changed"
        assert error.theirs["Status"] == "closed" and error.yours["Status"] == "closed"
    with engine.connect() as c:
        assert c.execute(text("SELECT COUNT(*) FROM case_event e JOIN work_case w ON w.id = e.case_id "
                              "WHERE e.kind = 'closed' AND w.ref LIKE 'C9%'")).scalar() == ROUNDS
        assert c.execute(text("SELECT COUNT(*) FROM audit_event WHERE action = 'case.close'")).scalar() == ROUNDS


def test_a_homelessness_case_is_closed_once_when_two_offices_close_it_at_once(engine):
    from duty_tui.areas.housing_options.services.approach import save_approach
    from duty_tui.areas.housing_options.services.case_view import get_housing_case
    from duty_tui.areas.housing_options.services.common import housing_reference
    from duty_tui.areas.housing_options.services.moves import record_move

    two_offices(engine)
    names = ("options", "admin")  # MAIN and EAST, both may decide
    contexts = [ctx_for(engine, n) for n in names]
    approach = {"approach_date": "10/03/2026", "eligible": "unknown", "homeless": "no", "s21_expiry": "20/04/2026",
                "loss_reason": "end_ast", "current_accommodation": "private_rented",
                "last_settled_accommodation": "private_rented"}
    for round_no in range(ROUNDS):
        saved = save_approach(contexts[0], approach, person_ref="P0000004")
        view = get_housing_case(contexts[0], saved.case_ref)
        exits = housing_reference(contexts[0]).exits[view.stage]
        assert "withdrew" in exits and "closed" in exits["withdrew"].leads_to
        wins, losses = race(*(lambda c=c: record_move(c, saved.case_ref, view.version, "closed", "withdrew",
                                                              note=f"round {round_no}") for c in contexts))
        _, winner, error = one_winner(wins, losses, names)
        assert isinstance(error, ConflictError)
        assert error.message == (f"case {saved.case_ref} was already closed by {winner} at {WHEN} "
                                 f"({exits['withdrew'].name}); nothing was changed")
        assert get_housing_case(contexts[0], saved.case_ref).stage == "closed"
    with engine.connect() as c:
        assert c.execute(text("SELECT COUNT(*) FROM homeless_move WHERE to_stage = 'closed'")).scalar() == ROUNDS
        assert c.execute(text("SELECT COUNT(*) FROM audit_event WHERE action = 'housing.stage_moved'")).scalar() \
            == ROUNDS


# --------------------------------------------------------------------------- cash-up


def test_a_cashup_is_signed_off_once_when_two_offices_sign_it_at_once(engine):
    from duty_tui.areas.payments.services.cashup import sign_off_cashup, submit_cashup

    two_offices(engine)
    reception = ctx_for(engine, "reception")
    names = ("leader", "admin")  # MAIN and EAST
    contexts = [ctx_for(engine, n) for n in names]
    for round_no in range(ROUNDS):
        counted = submit_cashup(reception, "TILL1", {}, {}, business_date=NOW.date() - timedelta(days=round_no))
        wins, losses = race(*(lambda c=c: sign_off_cashup(c, counted.ref, counted.version) for c in contexts))
        view, winner, error = one_winner(wins, losses, names)
        assert isinstance(error, ConflictError)
        assert error.message == f"{counted.ref} was already signed off by {winner} at {WHEN}; nothing was changed"
        assert view.signed_off_by == winner
    with engine.connect() as c:
        assert c.execute(text("SELECT COUNT(*) FROM audit_event WHERE action = 'cashup.signoff'")).scalar() == ROUNDS


# --------------------------------------------------------------------------- callers


@pytest.mark.parametrize("chosen", [True, False], ids=["the-same-caller", "next-in-line"])
def test_a_caller_is_called_once_when_two_desks_call_at_once(engine, chosen):
    from duty_tui.areas.frontdesk.services.callers import add_arrival, call_next

    two_offices(engine)
    names = ("reception", "admin")  # MAIN and EAST
    contexts = [ctx_for(engine, n) for n in names]
    for round_no in range(ROUNDS):
        arrived = add_arrival(contexts[0], name=f"Caller {round_no}")
        wins, losses = race(*(lambda c=c, d=d: call_next(c, d, arrived.id if chosen else None)
                              for c, d in zip(contexts, ("Desk 1", "Desk 2"), strict=True)))
        view, winner, error = one_winner(wins, losses, names)
        assert view.id == arrived.id and view.called_by == winner
        if chosen:
            assert re.fullmatch(rf"{arrived.ticket} was already called to Desk \d by {winner} at 10:30; "
                                "the queue has been refreshed", error.message), error.message
        else:
            assert error.message == "no one is waiting"
        with engine.connect() as c:
            assert c.execute(text("SELECT COUNT(*) FROM audit_event WHERE action = 'callers.call' "
                                  "AND entity_id = :v"), {"v": str(arrived.id)}).scalar() == 1


def test_the_called_caller_message_gives_uk_time_in_summer(engine):
    """The loser reads the time as the office's clocks show it: 11:30 BST, not the stored 10:30 UTC."""
    from dataclasses import replace
    from datetime import UTC, datetime

    from duty_tui.areas.frontdesk.services.callers import add_arrival, call_next

    two_offices(engine)
    summer = datetime(2026, 7, 14, 10, 30, tzinfo=UTC)
    reception, admin = (replace(ctx_for(engine, n), clock=lambda: summer) for n in ("reception", "admin"))
    arrived = add_arrival(reception, name="Summer caller")
    call_next(reception, "Desk 1", arrived.id)
    with pytest.raises(InputError) as caught:
        call_next(admin, "Desk 2", arrived.id)
    assert caught.value.message == (f"{arrived.ticket} was already called to Desk 1 by Rita Reception at 11:30; "
                                    "the queue has been refreshed")
