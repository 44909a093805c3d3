"""Shared terminals and drafts, driven through the real app at 80x24 (Pilot, SQLite).

- a contact half typed comes back at the next sign-in (sign-out, switch user);
- the idle lock hides every personal detail until the password is given, and
  nothing behind it is reachable (F-keys, search, palette);
- switch user at a busy desk: Ctrl+L, ↓, the colleague's password, Enter;
- a Tab too many after a refused password never sends the next password to the username box.
"""

from __future__ import annotations

from builders import PASSWORD, seed_office
from pilot import SIZE, build_app, human, keys, screen_text, settle, sign_in
from sqlmodel import select
from textual.widgets import Input, TextArea

from duty_tui.areas.frontdesk.tui.contact import LogContactScreen
from duty_tui.core.db.engine import session_scope
from duty_tui.core.db.models import AuditEvent, Contact
from duty_tui.core.db.models_drafts import Draft
from duty_tui.core.tui.dialogs.drafts import DraftsDialog
from duty_tui.core.tui.screens.home import HomeScreen
from duty_tui.core.tui.screens.lock import LockScreen
from duty_tui.core.tui.screens.login import LoginScreen

NOTE = "Worried about eviction letter"


def drafts_in(engine) -> list[Draft]:
    with session_scope(engine) as session:
        return list(session.exec(select(Draft)).all())


def actions(engine) -> list[str]:
    with session_scope(engine) as session:
        return [e.action for e in session.exec(select(AuditEvent).order_by(AuditEvent.id)).all()]


async def start_contact(app, pilot) -> None:
    """F4, choose P0000002 by tenancy ref, reason 'pay', Tab, type a note: unsaved."""
    await pilot.press("f4")
    await settle(app, pilot)
    assert isinstance(app.screen, LogContactScreen)
    await pilot.press(*keys("T00002"))
    await pilot.pause(0.2)
    await settle(app, pilot)
    await pilot.press("enter")
    await settle(app, pilot)
    assert app.screen.caller.ref == "P0000002"
    await pilot.press(*keys("pay"), "enter", "tab")
    await pilot.press(*keys(NOTE))
    await settle(app, pilot)


async def test_a_half_typed_contact_is_kept_at_sign_out_and_offered_back(sqlite_engine):
    seed_office(sqlite_engine)
    app = build_app(sqlite_engine)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(app, pilot)
        await start_contact(app, pilot)
        app.drafts.tick()  # the every-few-seconds write
        await settle(app, pilot)
        [kept] = drafts_in(sqlite_engine)
        assert kept.kind == "contact" and kept.person_ref == "P0000002" and NOTE in kept.payload

        await pilot.press("f10")  # sign out with the form open: the draft stays
        await settle(app, pilot)
        assert isinstance(app.screen, LoginScreen)
        assert len(drafts_in(sqlite_engine)) == 1

        await sign_in(app, pilot)
        assert isinstance(app.screen, DraftsDialog)
        assert "Contact: P0000002" in screen_text(app)
        await pilot.press("enter")
        await settle(app, pilot, rounds=3)
        screen = app.screen
        assert isinstance(screen, LogContactScreen)
        assert screen.caller is not None and screen.caller.ref == "P0000002"
        assert screen.reasons == ["rent.payment"]
        assert screen.query_one("#notes", TextArea).text == NOTE
        await pilot.press("f9")  # saved: the draft goes, the contact is there once
        await settle(app, pilot, rounds=3)
        assert isinstance(app.screen, HomeScreen)
    assert drafts_in(sqlite_engine) == []
    with session_scope(sqlite_engine) as session:
        assert len(session.exec(select(Contact).where(Contact.notes == NOTE)).all()) == 1
    assert {"draft.kept", "draft.reopened"} <= set(actions(sqlite_engine))


async def test_discarding_a_form_removes_its_draft(sqlite_engine):
    seed_office(sqlite_engine)
    app = build_app(sqlite_engine)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(app, pilot)
        await start_contact(app, pilot)
        app.drafts.tick()
        await settle(app, pilot)
        assert len(drafts_in(sqlite_engine)) == 1
        await pilot.press("escape", "y")  # discard, after the question
        await settle(app, pilot, rounds=3)
        assert isinstance(app.screen, HomeScreen)
    assert drafts_in(sqlite_engine) == []
    assert "draft.discarded" in actions(sqlite_engine)


async def test_idle_lock_hides_everything_until_the_password(sqlite_engine):
    seed_office(sqlite_engine)
    app = build_app(sqlite_engine, idle_lock_minutes=1)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(app, pilot)
        await start_contact(app, pilot)
        app.last_input -= 61  # a minute with no key
        app.check_idle_lock()
        await settle(app, pilot)
        assert isinstance(app.screen, LockScreen)
        shown = screen_text(app)
        assert "locked" in shown.lower()
        assert "P0000002" not in shown and NOTE not in shown and "Smith" not in shown
        for key in ("f2", "f4", "f3", "ctrl+p", "escape"):  # nothing behind the lock is reachable
            await pilot.press(key)
            await settle(app, pilot)
            assert isinstance(app.screen, LockScreen), key
        await pilot.press(*keys("wrong"), "enter")
        await settle(app, pilot)
        assert isinstance(app.screen, LockScreen)
        assert "wrong username or password" in screen_text(app)
        await pilot.press(*keys(PASSWORD), "enter")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, LogContactScreen)  # exactly where they were
        assert screen.query_one("#notes", TextArea).text == NOTE
    assert {"lock", "login.failed", "unlock"} <= set(actions(sqlite_engine))


async def test_switch_user_in_three_keys_and_back_with_the_form_kept(sqlite_engine):
    seed_office(sqlite_engine)
    app = build_app(sqlite_engine)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(app, pilot, username="leader")
        await pilot.press("f10")
        await settle(app, pilot)
        await sign_in(app, pilot, username="reception")
        await start_contact(app, pilot)

        await pilot.press("ctrl+l", "down")  # 2 keys: lock, choose the colleague
        await settle(app, pilot)
        assert isinstance(app.screen, LockScreen) and app.screen.chosen() == "leader"
        await pilot.press(*keys(PASSWORD), "enter")  # the password, and Enter: 3 keys in all
        await settle(app, pilot, rounds=3)
        assert app.actor.username == "leader"
        assert isinstance(app.screen, HomeScreen)
        assert NOTE not in screen_text(app)
        [kept] = drafts_in(sqlite_engine)
        assert NOTE in kept.payload

        await pilot.press("ctrl+l", "down")  # and back: reception's form is offered again
        await settle(app, pilot)
        assert app.screen.chosen() == "reception"
        await pilot.press(*keys(PASSWORD), "enter")
        await settle(app, pilot, rounds=3)
        assert app.actor.username == "reception"
        assert isinstance(app.screen, DraftsDialog)
        await pilot.press("enter")
        await settle(app, pilot, rounds=3)
        assert app.screen.query_one("#notes", TextArea).text == NOTE
    assert actions(sqlite_engine).count("switch_user") == 2


async def test_lock_screen_for_someone_not_listed(sqlite_engine):
    seed_office(sqlite_engine)
    app = build_app(sqlite_engine)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(app, pilot)
        await pilot.press("ctrl+l", "down")  # the last row: someone else
        await settle(app, pilot)
        assert app.screen.chosen() == ""
        assert app.focused is app.screen.query_one("#lock-username", Input)
        await pilot.press(*keys("income"), "enter", *keys(PASSWORD), "enter")
        await settle(app, pilot, rounds=3)
        assert app.actor.username == "income"


async def test_a_payment_draft_never_holds_card_data(sqlite_engine):
    """A payment half typed is kept (not posted), but never a card number, security code or card field."""
    from duty_tui.areas.payments.tui.payment import TakePaymentScreen

    seed_office(sqlite_engine)
    app = build_app(sqlite_engine)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(app, pilot)
        await pilot.press("f5")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, TakePaymentScreen)
        await pilot.press(*keys("RNT000001"), "enter")
        await settle(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
        screen.query_one("#pay-amount", Input).value = "25.00"
        screen.query_one("#pay-last4", Input).value = "1111"
        screen.query_one("#pay-reference", Input).value = "4111 1111 1111 1111"  # pasted by mistake
        screen.query_one("#pay-paid-by", Input).value = "Her brother"
        app.drafts.tick()
        await settle(app, pilot)
        [kept] = drafts_in(sqlite_engine)
    assert kept.kind == "payment" and "RNT000001" in kept.args
    assert "25.00" in kept.payload and "Her brother" in kept.payload
    assert "4111" not in kept.payload and "1111" not in kept.payload and "pay-last4" not in kept.payload


async def test_an_approach_draft_comes_back_over_its_loaded_case(sqlite_engine):
    """A homelessness approach half typed: its answers come back after sign-out, over what the form loads."""
    from duty_tui.areas.housing_options.tui.approach import ApproachScreen

    seed_office(sqlite_engine)
    app = build_app(sqlite_engine)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(app, pilot, username="options")
        app.push_screen(ApproachScreen(person_ref="P0000004"))
        await settle(app, pilot, rounds=3)
        screen = app.screen
        screen.query_one("#notes", Input).value = "Sofa surfing at her sister's; asked to leave Friday"
        await settle(app, pilot)
        assert screen.dirty
        await pilot.press("f10")
        await settle(app, pilot)
        [kept] = drafts_in(sqlite_engine)
        assert kept.kind == "approach" and kept.person_ref == "P0000004"
        await sign_in(app, pilot, username="options")
        assert isinstance(app.screen, DraftsDialog)
        await pilot.press("enter")
        await settle(app, pilot, rounds=3)
        screen = app.screen
        assert isinstance(screen, ApproachScreen) and screen.person_ref == "P0000004"
        assert screen.query_one("#notes", Input).value == "Sofa surfing at her sister's; asked to leave Friday"
        assert screen.dirty  # still unsaved


async def test_a_pasted_escape_sequence_never_reaches_the_terminal(sqlite_engine):
    """Text boxes draw what they hold; a paste's control characters arrive as visible symbols."""
    from textual import events

    seed_office(sqlite_engine)
    app = build_app(sqlite_engine)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(app, pilot)
        await start_contact(app, pilot)
        app.post_message(events.Paste(" \x1b[2J\x1b]8;;http://x\x07click\x9b31m\nnext line"))
        await settle(app, pilot)
        text = app.screen.query_one("#notes", TextArea).text
        assert text.endswith(" ␛[2J␛]8;;http://x␇click\ufffd31m\nnext line")
        assert "\x1b" not in screen_text(app)


async def test_a_case_note_half_typed_comes_back_in_its_form(sqlite_engine):
    """A note typed over a case (a dialog), kept at sign-out: the case opens with the note form refilled."""
    from duty_tui.areas.frontdesk.tui.case import CaseScreen
    from duty_tui.core.tui.kit.form_screen import FormDialog

    seed_office(sqlite_engine)
    app = build_app(sqlite_engine)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(app, pilot, username="leader")
        app.push_screen(CaseScreen("C0000002"))
        await settle(app, pilot)
        await pilot.press("n")
        await settle(app, pilot)
        assert isinstance(app.screen, FormDialog)
        await pilot.press(*keys("Promised 20 pounds Friday"))
        app.drafts.tick()  # the every-few-seconds write
        await settle(app, pilot)
        [kept] = drafts_in(sqlite_engine)
        assert kept.kind == "case_note" and kept.person_ref == "P0000001" and "Promised 20 pounds" in kept.payload
        await pilot.press("f10")  # sign out from inside the dialog: the draft stays
        await settle(app, pilot)
        await sign_in(app, pilot, username="leader")
        assert isinstance(app.screen, DraftsDialog)
        await pilot.press("enter")
        await settle(app, pilot, rounds=3)
        assert isinstance(app.screen, FormDialog)
        assert app.screen.values()["text"] == "Promised 20 pounds Friday"
        assert isinstance(app.screen_stack[-2], CaseScreen)
        await pilot.press("f9")  # save the note: it is on the timeline, the draft goes
        await settle(app, pilot, rounds=3)
        assert isinstance(app.screen, CaseScreen)
        app.drafts.tick()
        await settle(app, pilot)
        assert drafts_in(sqlite_engine) == []


async def test_enter_on_an_empty_password_asks_for_it_and_counts_no_failure(sqlite_engine):
    seed_office(sqlite_engine)
    app = build_app(sqlite_engine)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(app, pilot)
        await pilot.press("ctrl+l", "enter")
        await settle(app, pilot)
        assert isinstance(app.screen, LockScreen)
        assert "Type your password, then Enter." in screen_text(app)
    assert "login.failed" not in actions(sqlite_engine)


async def test_a_tab_after_a_refused_password_never_puts_the_next_password_in_clear(sqlite_engine):
    """Sign-in and lock: a password refused, one Tab too many, the password typed again. It goes into the
    password box (never the username box, never drawn on screen); Shift+Tab still goes back to the username
    and Escape still clears the password."""
    seed_office(sqlite_engine)
    app = build_app(sqlite_engine)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(app, pilot, password="wrong")
        screen = app.screen
        assert isinstance(screen, LoginScreen) and "wrong username or password" in screen_text(app)
        await human(pilot, "tab")  # one Tab too many
        await pilot.press(*keys(PASSWORD))
        username = screen.query_one("#username", Input)
        assert username.value == "reception" and PASSWORD not in screen_text(app)
        await human(pilot, "shift+tab")  # a wrong username is fixed on purpose
        assert app.focused is username
        await human(pilot, "tab", "enter")
        await settle(app, pilot)
        assert app.actor.username == "reception"

        await pilot.press("ctrl+l", "down", *keys("income"), "enter", *keys("wrong"), "enter")  # someone else
        await settle(app, pilot)
        lock = app.screen
        assert isinstance(lock, LockScreen) and "wrong username or password" in screen_text(app)
        await human(pilot, "tab")
        await pilot.press(*keys(PASSWORD))
        username = lock.query_one("#lock-username", Input)
        assert username.value == "income" and PASSWORD not in screen_text(app)
        assert lock.query_one("#lock-password", Input).value == PASSWORD
        await human(pilot, "shift+tab")
        assert app.focused is username
        await human(pilot, "escape")  # Escape still clears the password and puts the cursor back in its box
        password = lock.query_one("#lock-password", Input)
        assert password.value == "" and app.focused is password and username.value == "income"
