"""The one set of Pilot helpers every TUI test drives the app with (80x24, keyboard only).

Importable from every test folder as ``from pilot import ...`` (pyproject.toml's pytest
``pythonpath`` lists ``tests``). Test modules do not define their own ``build_app``,
``settle``, ``keys``, ``sign_in`` or ``wait_for`` (tests/test_code_checks.py checks it): where
a journey needs another pace or a lighter wait, it passes a parameter here.

Two kinds of pause, kept apart:

- a **wait for work** (``settle``, ``wait_for``): let the app's workers finish and the
  screen catch up, so what a test reads next is what the app shows;
- a **typing rhythm** (``human``, at ``PACE``): the gap a person leaves between keys, so
  keys arrive while screens mount and workers run, as they do at a real desk.
"""

from __future__ import annotations

from collections.abc import Callable

from builders import NOW, PASSWORD
from textual.keys import _character_to_key

SIZE = (80, 24)
"""The terminal every journey runs in: the smallest the app promises to work at."""

PACE = 0.08
"""Seconds between keys typed by ``human``: a typing rhythm, not a wait for work."""


def build_app(engine, terminal: str = "pilot", *, now=NOW, **settings):
    """The real app on ``engine``, as terminal ``terminal``, its clock fixed at ``now``.

    ``settings`` are extra ``Settings`` fields (``auth="os"``, ``office_name=...``). The app's
    database URL keeps the password (a second engine or a worker may connect with it).
    """
    from duty_tui.core.config.settings import Settings
    from duty_tui.core.services.context import ServiceContext
    from duty_tui.core.tui.app import make_app

    s = Settings(db_url=str(engine.url.render_as_string(hide_password=False)), **settings)
    ctx = ServiceContext.create(engine, s, terminal=terminal, clock=lambda: now)
    return make_app(s, ctx=ctx, demo=False)


async def settle(app, pilot, rounds: int = 2) -> None:
    """Wait until the app is still: ``rounds`` times, let pending messages run (``pilot.pause()``)
    and every worker finish (``app.workers.wait_for_complete()``); then one more pause so the
    screen shows what the last worker posted. A worker started by a message another worker
    posted needs the second round; ``rounds=1`` is the lighter wait some journeys were written with.
    """
    for _ in range(rounds):
        await pilot.pause()
        await app.workers.wait_for_complete()
    await pilot.pause()


def keys(text: str) -> list[str]:
    """Pilot key names for typing ``text`` (" " is "space", "/" is "slash", "£" is "pound_sign").

    The names Pilot itself gives a single non-alphanumeric character, so pressing them sends the
    same key events as pressing the characters.
    """
    return [c if c.isalnum() else _character_to_key(c) for c in text]


async def human(pilot, *keys_or_text: str, pace: float = PACE) -> None:
    """Press keys one at a time at a person's pace: ``pace`` seconds after each key.

    Each item is a key name ("tab", "f4", "enter"), or text to type letter by letter when it
    starts with "=" ("=kitchen" types k, i, t, c, h, e, n).
    """
    for item in keys_or_text:
        for name in keys(item[1:]) if item.startswith("=") else [item]:
            await pilot.press(name)
            await pilot.pause(pace)


async def type_text(app, pilot, text: str, *, paste_over: int = 8, rounds: int = 2) -> None:
    """Type ``text`` into whatever has focus, then ``settle``: text up to ``paste_over`` characters
    key by key in one press; longer text as one terminal paste (a keypress per character is what
    makes Pilot slow).
    """
    from textual import events

    if len(text) > paste_over:
        await pilot.pause()  # a focus() just asked for has landed
        app.screen.focused.post_message(events.Paste(text))
    else:
        await pilot.press(*keys(text))
    await settle(app, pilot, rounds)


async def sign_in(app, pilot, username: str = "reception", password: str = PASSWORD, *, rounds: int = 2,
                  settle_first: bool = True, paste_over: int | None = None) -> None:
    """Sign in on the login screen: the username, Enter, the password, Enter, then ``settle``.

    ``settle_first`` settles before typing (off where the test has just settled itself);
    ``rounds`` is passed to every ``settle``. With ``paste_over`` each field is typed with
    ``type_text`` (long values pasted, a settle after each field) instead of pressed in one go.
    """
    if settle_first:
        await settle(app, pilot, rounds)
    if paste_over is None:
        await pilot.press(*keys(username), "enter")
        await pilot.press(*keys(password), "enter")
    else:
        await type_text(app, pilot, username, paste_over=paste_over, rounds=rounds)
        await pilot.press("enter")
        await type_text(app, pilot, password, paste_over=paste_over, rounds=rounds)
        await pilot.press("enter")
    await settle(app, pilot, rounds)


async def quick_sign_in(app, pilot, username: str = "reception", *, rounds: int = 2) -> None:
    """Sign in without typing the password (the login screen has its own journeys)."""
    from duty_tui.core.services.auth import find_actor

    await settle(app, pilot, rounds)
    app.signed_in(find_actor(app.ctx, username))
    await settle(app, pilot, rounds)


async def sign_out(app, pilot) -> None:
    """F10, back to the login screen."""
    await pilot.press("f10")
    await settle(app, pilot)


async def wait_for(app, pilot, condition: Callable[[], object], *, attempts: int = 200, workers: bool = True,
                   check_first: bool = False) -> bool:
    """Pump the app until ``condition()`` holds, for changes that arrive on their own (another
    terminal, a timer, a reconnect): up to ``attempts`` pauses of 0.05 s, each followed by a
    wait for the workers. ``workers=False`` skips that wait (where a failing worker is the point);
    ``check_first`` checks before each pause instead of after. True once it holds; else
    ``condition()`` as it is at the end.
    """
    for _ in range(attempts):
        if check_first and condition():
            return True
        await pilot.pause(0.05)
        if workers:
            await app.workers.wait_for_complete()
        if not check_first and condition():
            return True
    return bool(condition())


def screen_text(app, *, widgets: type | None = None) -> str:
    """The screen as plain text, row by row as drawn at 80x24; with ``widgets`` (for example
    ``Static``), the full rendered text of each such widget instead, joined by newlines.
    """
    if widgets is not None:
        return "\n".join(str(w.render()) for w in app.screen.query(widgets))
    strips = app.screen._compositor.render_strips()
    return "\n".join(strip.text for strip in strips)


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
