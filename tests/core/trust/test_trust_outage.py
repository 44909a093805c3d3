"""The database goes away mid-save and comes back: nothing typed is lost, nothing is posted twice.

PostgreSQL: a server of this test's own is stopped (pg_ctl stop -m fast) while a contact is
being saved, then started again. SQLite: another program holds the database's write lock
(``BEGIN EXCLUSIVE``) for the same span — what "the database is not answering" means for a
file. Driven through the real app at 80x24 with Pilot.
"""

from __future__ import annotations

import sqlite3
import uuid

import pytest
from builders import NOW, seed_office
from conftest import PG_TEMPLATE_DB, _postgres_unavailable, _wait_until_ready, find_pg_ctl, running_postgres
from pilot import SIZE, build_app, keys, screen_text, settle, sign_in, wait_for
from sqlmodel import select
from textual.widgets import TextArea

import duty_tui.core.db.engine as engine_module
from duty_tui.areas.frontdesk.services.contact_draft import ContactDraft
from duty_tui.areas.frontdesk.services.contacts import log_contact
from duty_tui.areas.frontdesk.tui.contact import LogContactScreen
from duty_tui.core.config.settings import Settings
from duty_tui.core.db.engine import make_engine, session_scope
from duty_tui.core.db.migrate import upgrade
from duty_tui.core.db.models import Contact
from duty_tui.core.services.context import ServiceContext
from duty_tui.core.tui.screens.home import HomeScreen

NOTE = "Needs a callback about the hostel"


class SqliteOutage:
    """Another program holds the write lock on the file."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.holder: sqlite3.Connection | None = None

    def stop(self) -> None:
        self.holder = sqlite3.connect(self.path, isolation_level=None, timeout=5)
        self.holder.execute("BEGIN EXCLUSIVE")

    def start(self) -> None:
        assert self.holder is not None
        self.holder.execute("ROLLBACK")
        self.holder.close()


class PostgresOutage:
    """The server itself stops, and starts again."""

    def __init__(self, server) -> None:
        self.executor = server.executor

    def stop(self) -> None:
        self.executor.stop()

    def start(self) -> None:
        self.executor.start()
        _wait_until_ready(self.executor)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def outage(request, tmp_path, monkeypatch):
    """(engine, outage) on a database that this test alone may take away."""
    monkeypatch.setattr(engine_module, "SQLITE_BUSY_TIMEOUT_MS", 300)  # a locked file fails fast
    if request.param == "sqlite":
        path = tmp_path / "outage.db"
        engine = make_engine(f"sqlite:///{path}")
        upgrade(engine)
        yield engine, SqliteOutage(str(path))
        engine.dispose()
        return
    pg_ctl = find_pg_ctl()
    if pg_ctl is None:
        _postgres_unavailable("PostgreSQL server binaries (pg_ctl) not found")
    with running_postgres(pg_ctl) as server:
        server.create_database(PG_TEMPLATE_DB)
        engine = make_engine(server.url(PG_TEMPLATE_DB))
        upgrade(engine)
        yield engine, PostgresOutage(server)
        engine.dispose()


def contacts_with_note(engine) -> int:
    with session_scope(engine) as session:
        return len(session.exec(select(Contact).where(Contact.notes == NOTE)).all())


async def test_a_save_while_the_database_is_away_goes_through_once_when_it_returns(outage):
    engine, away = outage
    seed_office(engine)
    app = build_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(app, pilot)
        await pilot.press("f4")
        await settle(app, pilot)
        await pilot.press(*keys("T00002"))
        await pilot.pause(0.2)
        await settle(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
        await pilot.press(*keys("pay"), "enter", "tab", *keys(NOTE))
        await settle(app, pilot)

        away.stop()
        try:
            await pilot.press("f9")
            assert await wait_for(app, pilot, lambda: app.db_down, attempts=300, workers=False)
            screen = app.screen
            assert isinstance(screen, LogContactScreen)  # the form stays, with everything typed
            assert screen.query_one("#notes", TextArea).text == NOTE
            # the banner, under the header, on this screen
            assert await wait_for(app, pilot, lambda: "⚠ DATABASE UNREACHABLE — keep typing" in screen_text(app),
                                  attempts=300, workers=False)
            await pilot.press(*keys(" Agreed"))  # the user keeps typing
            await pilot.pause(0.1)
        finally:
            away.start()
        assert await wait_for(app, pilot, lambda: isinstance(app.screen, HomeScreen), attempts=600, workers=False)
        assert not app.db_down
        assert "DATABASE UNREACHABLE" not in screen_text(app)
    with session_scope(engine) as session:
        saved = session.exec(select(Contact).where(Contact.notes.like(NOTE + "%"))).all()  # type: ignore[union-attr]
    assert [c.notes for c in saved] == [NOTE + " Agreed"]  # once, with what was typed while it was away


def test_a_save_repeated_after_a_lost_reply_posts_once(engine):
    """The commit happened but the reply was lost: saving again with the same key returns the first."""
    seed_office(engine)
    settings = Settings(db_url=str(engine.url))
    ctx = ServiceContext.create(engine, settings, terminal="pilot", clock=lambda: NOW)
    from duty_tui.core.services.auth import find_actor

    ctx = ctx.as_actor(find_actor(ctx, "reception"))
    draft = ContactDraft(channel="phone", reasons=("rent.payment",), outcome="resolved", person_ref="P0000002",
                         notes=NOTE, save_key=uuid.uuid4().hex)
    first = log_contact(ctx, draft)
    again = log_contact(ctx, draft)
    assert again.contact_id == first.contact_id
    assert "already been saved" in " ".join(again.messages)
    assert contacts_with_note(engine) == 1


async def test_a_confirmed_payment_waits_for_the_database_and_posts_once(outage):
    """The card was taken and the payment confirmed just as the database went away: posted once, when back."""
    from sqlalchemy import text

    from duty_tui.areas.payments.tui.payment import TakePaymentScreen
    from duty_tui.areas.payments.tui.receipt import ReceiptScreen

    engine, away = outage
    seed_office(engine)
    app = build_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(app, pilot)
        await pilot.press("f5")
        await settle(app, pilot)
        assert isinstance(app.screen, TakePaymentScreen)
        await pilot.press(*keys("RNT000001"), "enter")
        await settle(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
        await pilot.press(*keys("20"), "f9")
        await settle(app, pilot)
        assert "Take £20.00" in screen_text(app)
        away.stop()
        try:
            await pilot.press("y")
            assert await wait_for(app, pilot, lambda: app.db_down, attempts=300, workers=False)
            assert isinstance(app.screen, TakePaymentScreen)
            assert await wait_for(app, pilot, lambda: "⚠ DATABASE UNREACHABLE — keep typing" in screen_text(app),
                                  attempts=300, workers=False)
            assert "The payment you confirmed is kept" in screen_text(app)
        finally:
            away.start()
        assert await wait_for(app, pilot, lambda: isinstance(app.screen, ReceiptScreen), attempts=600, workers=False)
        await settle(app, pilot)  # let the receipt screen finish mounting before the app closes
        assert app.screen.receipt.total_pence == 2000
    with engine.connect() as connection:
        assert connection.execute(text("SELECT COUNT(*) FROM payment")).scalar() == 1


def test_the_database_counts_as_back_only_when_a_save_could_go_through(outage):
    """On SQLite a locked file still answers reads: 'back' means a write could begin."""
    from duty_tui.core.services.health import database_answers

    engine, away = outage
    ctx = ServiceContext.create(engine, Settings(db_url=str(engine.url)), terminal="pilot", clock=lambda: NOW)
    assert database_answers(ctx)
    away.stop()
    try:
        assert not database_answers(ctx)
    finally:
        away.start()
    assert database_answers(ctx)
