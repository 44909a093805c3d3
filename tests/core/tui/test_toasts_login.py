"""Toasts and the login box (issue 11, C21).

Toasts stayed on screen, over F1 help, for 40 s when they said 15: the idle-lock check overrode
Textual's ``MessagePump.check_idle`` (which prompts the app to repaint after a batch of changes),
so a toast removed on time stayed drawn until the next key (fixed with the resize, 59e78ad; the
pty test below is the one that saw it). At 60x20 a message under the sign-in box (or the demo
users) brought a scrollbar that cut the box's right edge; the lock box (64 wide) never fitted.
"""

from __future__ import annotations

import asyncio
import time

import pytest
from builders import NOW, seed_office
from pilot import build_app, quick_sign_in, screen_text, settle, wait_for
from textual.widgets._toast import Toast

from duty_tui.core.config.settings import Settings
from duty_tui.core.services.context import ServiceContext
from duty_tui.core.tui.app import make_app
from duty_tui.core.tui.screens.help import HelpScreen
from duty_tui.core.tui.screens.login import LoginScreen


def _toast(app, message: str) -> bool:
    return any(t._notification.message == message for t in app.screen.query(Toast))


async def _gone(app, message: str, within: float) -> bool:
    """True when the toast leaves within ``within`` seconds, touching nothing (no key, no pilot.pause)."""
    start = time.monotonic()
    while time.monotonic() - start < within:
        if not _toast(app, message):
            return True
        await asyncio.sleep(0.05)
    return False


@pytest.mark.sqlite_only
def test_keymap_warnings_over_f1_help_go_after_their_15_seconds_on_a_real_terminal(engine, db_url, tmp_path):
    """On a real pty, no key pressed: what the terminal shows loses the toast when its time is up."""
    import os
    import sys

    from test_resize_pty import EmulatedTerminal

    if engine.dialect.name != "sqlite":
        pytest.skip("the terminal, not the database, is under test")
    seed_office(engine)
    keymap = tmp_path / "mine.toml"
    keymap.write_text('[bindings]\nsearch = "f2,slash"\nhome = "f2"\n', encoding="utf-8")
    env = dict(os.environ, TERM="xterm-256color", TEXTUAL_ANIMATIONS="none", DUTY_DRAFT_SPOOL=str(tmp_path / "spool"))
    env.pop("COLUMNS", None)
    env.pop("LINES", None)
    terminal = EmulatedTerminal([sys.executable, "-m", "duty_tui", "--db", db_url, "--keymap", str(keymap)],
                                env, (80, 24))

    def shows(text: str) -> bool:
        return any(text in row for row in terminal.rows())

    try:
        terminal.wait(lambda: shows("Sign in to duty-tui"), 60, "the sign-in screen never showed")
        os.write(terminal.master, b"\x1bOP")  # F1
        terminal.wait(lambda: shows("Keys on Sign in"), 10, "F1 did not show the keys")
        terminal.wait(lambda: shows("mine.toml"), 60, "the keymap warnings never showed")
        # No key from here on: the warnings say 15 s, so they are gone from the screen by then.
        terminal.wait(lambda: not shows("mine.toml"), 15 + 4,
                      "keymap warnings still on screen 19 s after they appeared (they say 15 s)")
        assert shows("Keys on Sign in")
    finally:
        terminal.close()


@pytest.mark.sqlite_only  # no data involved
async def test_a_toast_over_f1_help_goes_when_its_time_is_up_without_a_key(engine):
    seed_office(engine)
    app = build_app(engine)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await settle(app, pilot)
        await pilot.press("f1")
        await settle(app, pilot)
        assert isinstance(app.screen, HelpScreen)
        app.notify("Keymap: a warning", timeout=1.0)
        assert await wait_for(app, pilot, lambda: _toast(app, "Keymap: a warning"))
        raised = time.monotonic()
        gone = await _gone(app, "Keymap: a warning", within=4.0)
        assert gone, f"the toast is still on screen {time.monotonic() - raised:.1f}s after its 1 s"
        assert isinstance(app.screen, HelpScreen)


def _boxes_whole(text: str) -> list[str]:
    """Rows where a box starts (╭ or ┏) but its right-hand corner is not drawn: the box is cut."""
    return [row for row in text.splitlines()
            if ("╭" in row and "╮" not in row) or ("┏" in row and "┓" not in row)]


@pytest.mark.sqlite_only  # no data involved
async def test_the_login_box_fits_at_60x20_with_a_message_and_the_demo_users(engine):
    seed_office(engine)
    settings = Settings(db_url=engine.url.render_as_string(hide_password=False))
    app = make_app(settings, ctx=ServiceContext.create(engine, settings, terminal="pilot", clock=lambda: NOW),
                   demo=True)  # the demo users' list below the box, as on the demo
    async with app.run_test(size=(60, 20)) as pilot:
        await settle(app, pilot)
        assert isinstance(app.screen, LoginScreen)
        for key in [*"reception", "enter", *"wrong", "enter"]:
            await pilot.press(key)
            await pilot.pause(0.08)
        await settle(app, pilot)
        text = screen_text(app)
        assert "wrong username or password" in text
        assert _boxes_whole(text) == [], text
        box = app.screen.query_one("#login-box")
        assert box.region.right <= app.screen.scrollable_content_region.right, text


@pytest.mark.sqlite_only  # no data involved
async def test_the_lock_box_fits_at_60x20(engine):
    seed_office(engine)
    app = build_app(engine)
    async with app.run_test(size=(60, 20)) as pilot:
        await quick_sign_in(app, pilot)
        app.lock("Locked by its user.")
        await settle(app, pilot)
        text = screen_text(app)
        assert "Locked" in text or "locked" in text
        assert _boxes_whole(text) == [], text
