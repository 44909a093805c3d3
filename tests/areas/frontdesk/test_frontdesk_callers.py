"""The callers-waiting queue and the change notifications that keep every terminal's copy fresh."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from builders import NOW, seed_office
from fd_helpers import ctx_for

from duty_tui.areas.frontdesk.services import callers as queue_callers
from duty_tui.areas.frontdesk.services import contacts
from duty_tui.areas.frontdesk.services.contact_draft import ContactDraft
from duty_tui.core.db.engine import make_engine
from duty_tui.core.domain.errors import ConflictError, InputError
from duty_tui.core.services.changes import ChangeFeed


def test_arrivals_get_tickets_and_are_called_oldest_first(engine):
    seed_office(engine)
    first = queue_callers.add_arrival(ctx_for(engine, now=NOW - timedelta(minutes=9)), name="Ms Khan",
                                      reason_code="rent.balance", needs="wheelchair user", interpreter="Urdu")
    second = queue_callers.add_arrival(ctx_for(engine, now=NOW - timedelta(minutes=4)), reason_code="repairs.report")
    own = queue_callers.add_arrival(ctx_for(engine), ticket="b17", person_ref="P0000001")
    assert (first.ticket, second.ticket, own.ticket) == ("001", "002", "B17")
    assert own.name == "John Smith" and own.person_ref == "P0000001"
    assert first.reason == "Rent › Balance enquiry" and first.interpreter == "Urdu"
    with pytest.raises(InputError, match="already in today's queue"):
        queue_callers.add_arrival(ctx_for(engine), ticket="B17")
    board = queue_callers.callers_board(ctx_for(engine))
    assert [v.ticket for v in board.waiting] == ["001", "002", "B17"]

    called = queue_callers.call_next(ctx_for(engine), "Desk 2")
    assert called.ticket == "001" and called.desk == "Desk 2" and called.called_by == "Rita Reception"
    with pytest.raises(InputError, match="already called to Desk 2 by Rita Reception"):
        queue_callers.call_next(ctx_for(engine, "leader"), "Desk 1", called.id)
    chosen = queue_callers.call_next(ctx_for(engine), "Desk 1", own.id)  # out of turn, on purpose
    assert chosen.ticket == "B17"
    queue_callers.finish_visit(ctx_for(engine), called.id, called.version, "seen")
    with pytest.raises(ConflictError):
        queue_callers.finish_visit(ctx_for(engine), called.id, called.version, "left")
    queue_callers.finish_visit(ctx_for(engine), chosen.id, chosen.version, "waiting")  # not there: back in the queue
    board = queue_callers.callers_board(ctx_for(engine))
    assert [v.ticket for v in board.waiting] == ["002", "B17"]
    assert [v.ticket for v in board.finished] == ["001"] and board.median_wait_minutes == 9
    left = queue_callers.call_next(ctx_for(engine), "Desk 3")
    queue_callers.finish_visit(ctx_for(engine), left.id, left.version, "left")
    assert queue_callers.callers_board(ctx_for(engine)).left_without_being_seen == 1

    from duty_tui.areas.frontdesk.services.stats import desk_counts

    counts = desk_counts(ctx_for(engine))
    assert (counts.waiting, counts.with_staff, counts.longest_wait_minutes) == (1, 0, 0)


def test_a_contact_logged_for_a_caller_is_linked_to_their_visit(engine):
    seed_office(engine)
    visit = queue_callers.add_arrival(ctx_for(engine), name="Walk-in")
    saved = contacts.log_contact(ctx_for(engine), ContactDraft(
        channel="face_to_face", reasons=("general.directions",), outcome="resolved", anonymous=True,
        visit_id=visit.id))
    from duty_tui.areas.frontdesk.db.models import ReceptionVisit
    from duty_tui.core.db.engine import session_scope

    with session_scope(engine) as s:
        assert s.get(ReceptionVisit, visit.id).contact_id == saved.contact_id


def test_two_desks_calling_next_at_once_get_different_callers(engine):
    seed_office(engine)
    for minutes in (3, 2, 1):
        queue_callers.add_arrival(ctx_for(engine, now=NOW - timedelta(minutes=minutes)))
    results: list[str] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(2)

    def desk(name: str) -> None:
        other = make_engine(str(engine.url.render_as_string(hide_password=False)))
        try:
            barrier.wait()
            results.append(queue_callers.call_next(ctx_for(other), name).ticket)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            other.dispose()

    threads = [threading.Thread(target=desk, args=(f"Desk {i}",)) for i in (1, 2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors and sorted(results) == ["001", "002"]


def test_change_feed_reports_the_channels_another_connection_changed(engine):
    seed_office(engine)
    writer = make_engine(str(engine.url.render_as_string(hide_password=False)))
    try:
        with ChangeFeed(engine, {"callers"}) as feed:
            assert feed.wait(0.05) == set()
            queue_callers.add_arrival(ctx_for(writer), name="Ms Khan")
            assert feed.wait(10) == {"callers"}
            assert feed.wait(0.05) == set()
            contacts.log_contact(ctx_for(writer), ContactDraft(
                channel="phone", reasons=("repairs.report",), outcome="routed", person_ref="P0000004"))
            assert feed.wait(0.6) == set()  # cases and contacts changed, not callers
        assert feed.closed and feed.wait(1) == set()
    finally:
        writer.dispose()
