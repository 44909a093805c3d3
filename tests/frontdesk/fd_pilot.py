"""Pilot helpers for the front-desk journeys (80x24, keyboard only)."""

from __future__ import annotations

from builders import NOW, PASSWORD

from duty_tui.config import Settings
from duty_tui.services.context import ServiceContext
from duty_tui.tui.app import make_app

SIZE = (80, 24)


def build_app(engine, *, now=NOW, terminal: str = "pilot", **settings):
    s = Settings(db_url=str(engine.url.render_as_string(hide_password=False)), **settings)
    ctx = ServiceContext.create(engine, s, terminal=terminal, clock=lambda: now)
    return make_app(s, ctx=ctx, demo=False)


async def settle(app, pilot, rounds: int = 2):
    for _ in range(rounds):
        await pilot.pause()
        await app.workers.wait_for_complete()
    await pilot.pause()


def keys(text: str) -> list[str]:
    """Pilot key names for typing ``text``."""
    names = {" ": "space", "/": "slash", ".": "full_stop", ",": "comma", ":": "colon", "-": "minus", "£": "pound_sign"}
    return [names.get(c, c) for c in text]


async def sign_in(app, pilot, username="reception", password=PASSWORD):
    await settle(app, pilot)
    await pilot.press(*keys(username), "enter")
    await pilot.press(*keys(password), "enter")
    await settle(app, pilot)


async def wait_for(app, pilot, condition, *, attempts: int = 200):
    """Pump the app until ``condition()`` holds (for changes another terminal makes)."""
    for _ in range(attempts):
        await pilot.pause(0.05)
        await app.workers.wait_for_complete()
        if condition():
            return True
    return condition()


class KeyCounter:
    """Presses keys through Pilot and counts them, apart from text typed as search or notes."""

    def __init__(self, pilot) -> None:
        self.pilot = pilot
        self.count = 0

    async def press(self, *names: str) -> None:
        self.count += len(names)
        await self.pilot.press(*names)

    async def type_free(self, text: str) -> None:
        """Type search text or notes: not counted (the brief counts keys beyond them)."""
        await self.pilot.press(*keys(text))


def screen_text(app) -> str:
    """The screen as plain text, row by row (for debugging layouts at 80x24)."""
    strips = app.screen._compositor.render_strips()
    return "\n".join(strip.text for strip in strips)


async def quick_sign_in(app, pilot, username="reception"):
    """Sign in without typing the password (the foundation's journeys test the login screen itself)."""
    from duty_tui.services.auth import find_actor

    await settle(app, pilot)
    app.signed_in(find_actor(app.ctx, username))
    await settle(app, pilot)
