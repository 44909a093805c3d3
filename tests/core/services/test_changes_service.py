"""Record change notices at service level, on SQLite and PostgreSQL: a save says what it changed;
this process hears it as the transaction commits, another terminal through the database."""

from __future__ import annotations

import threading

from builders import seed_office
from fd_helpers import ctx_for

from duty_tui.areas.frontdesk.services import contacts
from duty_tui.areas.frontdesk.services.contact_draft import ContactDraft
from duty_tui.core.db.engine import make_engine, session_scope
from duty_tui.core.services.changes import Change, ChangeFeed, parse_channel, record_changed, subscribe


def test_a_commit_is_heard_here_at_once_and_by_another_terminal_a_rollback_never(engine):
    heard: list[frozenset[Change]] = []
    other = make_engine(engine.url.render_as_string(hide_password=False))
    unsubscribe = subscribe(engine, heard.append)
    try:
        with ChangeFeed(other, {"person", "account"}) as feed:
            assert feed.wait(0.05) == set()
            with session_scope(engine, write=True) as session:
                record_changed(session, "person", "P0000001")
                record_changed(session, "account", "A0000009", None)
                assert heard == []  # not before the commit
            assert heard == [frozenset({Change("person", "P0000001"), Change("account", "A0000009")})]
            got = feed.wait(5)
            got |= feed.wait(0.3)
            assert {parse_channel(c) for c in got} == {Change("person", "P0000001"), Change("account", "A0000009")}
            try:
                with session_scope(engine, write=True) as session:
                    record_changed(session, "person", "P0000002")
                    raise RuntimeError("the save failed")
            except RuntimeError:
                pass
            assert len(heard) == 1 and feed.wait(0.6) == set()
            # A record of a kind another feed does not watch is not reported to it.
            with session_scope(engine, write=True) as session:
                record_changed(session, "caller", 7)
            assert feed.wait(0.6) == set()
    finally:
        unsubscribe()
        other.dispose()


def test_logging_a_contact_says_the_person_the_contact_and_the_case_changed(engine):
    seed_office(engine)
    heard: list[frozenset[Change]] = []
    done = threading.Event()

    def hear(changes: frozenset[Change]) -> None:
        heard.append(changes)
        done.set()

    unsubscribe = subscribe(engine, hear)
    try:
        saved = contacts.log_contact(ctx_for(engine), ContactDraft(
            channel="phone", reasons=("repairs.report",), outcome="routed", person_ref="P0000004"))
    finally:
        unsubscribe()
    assert done.is_set()
    changes = frozenset().union(*heard)
    assert Change("person", "P0000004") in changes
    assert Change("contact", str(saved.contact_id)) in changes
    assert {c.kind for c in changes} >= {"person", "contact", "case"}
