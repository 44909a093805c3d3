"""Issue 11 B9: a past contact opens from the person's history (Enter) with its notes, reasons,
outcome, who and follow-ups; its author or a team leader can correct it within the set time
(data/frontdesk/frontdesk.toml [contact_edits]), the change audited and the original kept; history rows
show channel and reason names, not codes."""

from __future__ import annotations

import json
import threading
from datetime import timedelta

import pytest
from builders import NOW, seed_office
from fd_helpers import add_staff, ctx_for
from pilot import build_app, human, quick_sign_in, settle, wait_for
from pilot import screen_text as fd_screen_text
from sqlmodel import select
from textual.widgets import DataTable, Static, TextArea

from duty_tui.areas.frontdesk.db.models import ContactRevision
from duty_tui.areas.frontdesk.services import contacts
from duty_tui.areas.frontdesk.services.caller_brief import caller_brief
from duty_tui.areas.frontdesk.services.contact_draft import ContactDraft
from duty_tui.areas.frontdesk.services.contact_history import ContactAmendment, amend_contact, contact_detail
from duty_tui.areas.frontdesk.tui.contact_amend import ContactAmendDialog
from duty_tui.areas.frontdesk.tui.contact_view import ContactViewScreen
from duty_tui.core.db.engine import make_engine, session_scope
from duty_tui.core.db.models import AuditEvent
from duty_tui.core.domain.errors import ConflictError, InputError
from duty_tui.core.services.people import get_person
from duty_tui.core.tui.screens.person import PersonScreen

LOGGED = NOW - timedelta(hours=1)


def log_balance_call(engine, username="reception", at=LOGGED) -> int:
    saved = contacts.log_contact(ctx_for(engine, username, now=at), ContactDraft(
        channel="phone", reasons=("rent.balance",), outcome="callback", person_ref="P0000004",
        notes="Asked about the balance", callback_phone="07700 900123", id_check_method="tenancy_ref",
        id_check_result="passed"))
    return saved.contact_id


def change(detail, **values) -> ContactAmendment:
    base = {"notes": detail.notes or "", "outcome": detail.outcome, "channel": detail.channel,
            "reasons": detail.reasons, "why": "finished the notes after the call"}
    base.update(values)
    return ContactAmendment(detail.id, detail.version, **base)


def test_history_rows_say_channel_reason_and_outcome_in_words(engine):
    seed_office(engine)
    contact_id = log_balance_call(engine)
    row = next(c for c in get_person(ctx_for(engine), "P0000004").contacts if c.id == contact_id)
    assert (row.channel, row.reason, row.outcome) == ("Phone", "Rent › Balance enquiry", "Callback requested")
    # The contact form's "last contact" line says the channel in words too.
    assert caller_brief(ctx_for(engine), "P0000004").last_contact.endswith("Phone: Rent › Balance enquiry")


def test_the_author_corrects_within_the_time_and_the_original_is_kept(engine):
    seed_office(engine)
    contact_id = log_balance_call(engine)
    detail = contact_detail(ctx_for(engine), contact_id)
    assert detail.reason_names == ("Rent › Balance enquiry",) and detail.outcome_name == "Callback requested"
    assert detail.staff == "Rita Reception" and detail.identity_check == "Tenancy reference: passed"
    assert [f.kind for f in detail.follow_ups] == ["callback"] and detail.can_amend
    assert "until 12/03/2026 09:30" in detail.amend_note  # logged 09:30 + 48 hours (data/frontdesk/frontdesk.toml)

    fixed = amend_contact(ctx_for(engine), change(detail, notes="Asked about the balance; £152.50 owed",
                                                  reasons=("rent.balance", "rent.arrears")))
    assert fixed.notes == "Asked about the balance; £152.50 owed" and fixed.version == detail.version + 1
    assert fixed.reason_names == ("Rent › Balance enquiry", "Rent › Arrears: cannot pay")
    [revision] = fixed.revisions
    assert revision.by == "Rita Reception" and revision.why == "finished the notes after the call"
    assert ("Notes", "Asked about the balance", "Asked about the balance; £152.50 owed") in revision.changes
    with session_scope(engine) as s:
        stored = s.exec(select(ContactRevision).where(ContactRevision.contact_id == contact_id)).one()
        assert json.loads(stored.before)["notes"] == "Asked about the balance"  # the original, kept
        actions = [e.action for e in s.exec(select(AuditEvent).where(AuditEvent.entity == "contact",
                                                                     AuditEvent.entity_id == str(contact_id)))]
    assert "contact.amend" in actions and "contact.view" in actions

    with pytest.raises(ConflictError):  # a second correction over the version already corrected
        amend_contact(ctx_for(engine), change(detail, notes="something else"))
    with pytest.raises(InputError, match="why"):
        amend_contact(ctx_for(engine), change(fixed, notes="x", why=""))
    with pytest.raises(InputError, match="nothing has been changed"):
        amend_contact(ctx_for(engine), change(fixed))


def test_only_the_author_or_a_team_leader_and_only_within_the_time(engine):
    seed_office(engine)
    add_staff(engine, "desk2", "Dev Desk", "reception", "reception")
    contact_id = log_balance_call(engine)
    other = contact_detail(ctx_for(engine, "desk2"), contact_id)
    assert not other.can_amend and "Only the person who logged it, or a team leader" in other.amend_note
    with pytest.raises(InputError, match="Only the person who logged it"):
        amend_contact(ctx_for(engine, "desk2"), change(other, notes="not mine to change"))
    leader = contact_detail(ctx_for(engine, "leader"), contact_id)
    assert leader.can_amend
    amend_contact(ctx_for(engine, "leader"), change(leader, outcome="resolved", why="callback made the same day"))

    late = NOW + timedelta(hours=48)  # logged 09:30 on the 10th: the 48 hours ran out at 09:30 on the 12th
    detail = contact_detail(ctx_for(engine, now=late), contact_id)
    assert not detail.can_amend and "can no longer be corrected" in detail.amend_note
    with pytest.raises(InputError, match="can no longer be corrected"):
        amend_contact(ctx_for(engine, now=late), change(detail, notes="too late"))


def test_two_corrections_of_the_same_version_at_once_keep_one(engine):
    seed_office(engine)
    contact_id = log_balance_call(engine)
    detail = contact_detail(ctx_for(engine), contact_id)
    url = engine.url.render_as_string(hide_password=False)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def correct(username: str) -> None:
        other = make_engine(url)
        try:
            barrier.wait()
            amend_contact(ctx_for(other, username), change(detail, notes=f"corrected by {username}"))
            outcomes.append("saved")
        except ConflictError:
            outcomes.append("refused")
        finally:
            other.dispose()

    threads = [threading.Thread(target=correct, args=(u,)) for u in ("reception", "leader")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(outcomes) == ["refused", "saved"]
    with session_scope(engine) as s:
        assert len(s.exec(select(ContactRevision).where(ContactRevision.contact_id == contact_id)).all()) == 1


@pytest.mark.sqlite_only  # a journey through the screens: the services under it run on both databases
async def test_enter_opens_a_past_contact_and_its_author_corrects_it(engine):
    seed_office(engine)
    contact_id = log_balance_call(engine)
    app = build_app(engine)
    async with app.run_test(size=(80, 24)) as pilot:
        await quick_sign_in(app, pilot)
        app.push_screen(PersonScreen("P0000004"))
        assert await wait_for(app, pilot, lambda: isinstance(app.screen, PersonScreen) and app.screen.view)
        await human(pilot, "4")
        history = app.screen.query_one("#contacts", DataTable)
        row = [str(c) for c in history.get_row_at(0)]
        assert row[1:4] == ["Phone", "Rent › Balance enquiry", "Callback requested"]  # names, not codes
        await human(pilot, "enter")
        assert await wait_for(app, pilot, lambda: isinstance(app.screen, ContactViewScreen)
                              and app.screen.detail is not None)
        view = app.screen
        text = str(view.query_one("#contact-view-text", Static).render())
        assert "Asked about the balance" in text and "Rita Reception" in text and "callback" in text
        assert "You can correct it until 12/03/2026 09:30" in str(view.query_one("#contact-view-state").render())

        await human(pilot, "e")
        assert await wait_for(app, pilot, lambda: isinstance(app.screen, ContactAmendDialog))
        dialog = app.screen
        drawn = fd_screen_text(app)
        assert "[x] Rent › Balance enquiry" in drawn and "[ ] " in drawn  # ticks in text, not eaten as markup
        await human(pilot, "end")
        await human(pilot, "=; owes 152.50")
        await human(pilot, "f9")  # no reason given for the correction yet
        await settle(app, pilot)
        assert "fill it in" in dialog.form.shown("why")  # said beside the box, which now has the cursor
        assert dialog.focused is dialog.form.input("why")
        assert dialog.query_one("#f-notes", TextArea).text == "Asked about the balance; owes 152.50"  # kept
        await human(pilot, "=notes finished")
        await human(pilot, "f9")
        assert await wait_for(app, pilot, lambda: app.screen is view and "Corrected 1 time" in str(
            view.query_one("#contact-view-text", Static).render()))
        text = str(view.query_one("#contact-view-text", Static).render())
        assert "Notes was: Asked about the balance" in text and "notes finished" in text
    assert contact_detail(ctx_for(engine), contact_id).notes == "Asked about the balance; owes 152.50"
