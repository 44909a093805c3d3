"""Shared helpers for the payments tests: a context acting as a seeded user, and quick posts."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from builders import NOW

from duty_tui.config import Settings
from duty_tui.domain.payments import SplitLine
from duty_tui.services.auth import find_actor
from duty_tui.services.context import ServiceContext
from duty_tui.services.payments import PaymentRequest, take_payment


def ctx_for(engine, username: str | None = "reception", *, now: datetime = NOW) -> ServiceContext:
    """A service context on ``engine`` acting as ``username`` at a fixed time."""
    ctx = ServiceContext.create(engine, Settings(db_url=str(engine.url)), terminal="test-terminal", clock=lambda: now)
    return ctx.as_actor(find_actor(ctx, username)) if username else ctx


def at(ctx: ServiceContext, moment: datetime) -> ServiceContext:
    """The same context at another moment."""
    from dataclasses import replace

    return replace(ctx, clock=lambda: moment)


def cash(ctx, account_ref: str, pence: int, *, till: str = "TILL1", key: str | None = None):
    """Take a cash payment at the counter."""
    return take_payment(ctx, PaymentRequest(key or uuid.uuid4().hex, "cash", (SplitLine(account_ref, pence),),
                                            till_code=till))


def utc(*args) -> datetime:
    """An aware UTC datetime."""
    return datetime(*args, tzinfo=UTC)


# --------------------------------------------------------------------------- Pilot


SIZE = (80, 24)


def build_app(engine, **settings):
    """The real app on ``engine`` at the fixed test time (as tests/tui/test_foundation_journey.py builds it)."""
    from duty_tui.tui.app import make_app

    s = Settings(db_url=str(engine.url), **settings)
    ctx = ServiceContext.create(engine, s, terminal="pilot", clock=lambda: NOW)
    return make_app(s, ctx=ctx, demo=False)


async def settle(app, pilot):
    """Let workers finish and the screen catch up."""
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


def keys(text: str) -> list[str]:
    """Pilot key names for typing ``text``."""
    names = {" ": "space", "/": "slash", ".": "full_stop", ",": "comma", "-": "minus", "£": "pound_sign",
             ":": "colon"}
    return [names.get(c, c) for c in text]


async def type_text(app, pilot, text: str):
    """Type short text key by key into whatever has focus; longer text arrives as a terminal paste
    (one event instead of a keypress per character, which is what makes Pilot slow)."""
    from textual import events

    if len(text) > 8:
        await pilot.pause()  # a focus() just asked for has landed
        app.screen.focused.post_message(events.Paste(text))
    else:
        await pilot.press(*keys(text))
    await settle(app, pilot)


async def sign_in(app, pilot, username: str):
    """Sign in on the login screen."""
    from builders import PASSWORD

    await settle(app, pilot)
    await type_text(app, pilot, username)
    await pilot.press("enter")
    await type_text(app, pilot, PASSWORD)
    await pilot.press("enter")
    await settle(app, pilot)


async def sign_out(app, pilot):
    """F10, back to the login screen."""
    await pilot.press("f10")
    await settle(app, pilot)


def screen_text(app) -> str:
    """Every Static's text on the current screen, joined."""
    from textual.widgets import Static

    return "\n".join(str(w.render()) for w in app.screen.query(Static))
