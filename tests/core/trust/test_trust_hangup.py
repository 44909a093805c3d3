"""A contact typed in a real terminal, then the terminal hangs up (SIGHUP): it comes back at the next login.

The app runs as its own process on a pseudo-terminal (80x24), driven by the bytes a
terminal would send; the hang-up is a real SIGHUP to that process. The next sign-in is
driven with Pilot. On both databases.
"""

from __future__ import annotations

import fcntl
import os
import pty
import re
import signal
import struct
import subprocess
import sys
import termios
import threading
import time
from pathlib import Path

import pytest
from builders import seed_office
from pilot import SIZE, build_app, settle, sign_in
from sqlalchemy import update
from sqlmodel import select
from textual.widgets import TextArea

from duty_tui.areas.frontdesk.tui.contact import LogContactScreen
from duty_tui.core.db.engine import session_scope
from duty_tui.core.db.models import StaffUser
from duty_tui.core.db.models_drafts import Draft
from duty_tui.core.services.context import os_identity
from duty_tui.core.tui.dialogs.drafts import DraftsDialog

NOTE = "Landlord changed the locks"
F4 = "\x1bOS"
_ESCAPES = re.compile(r"\x1b(\[[0-9;?<>=]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|[PX^_][^\x1b]*\x1b\\|[()][0-9A-Za-z]|[=>78cDEHMNOZ])")


class Terminal:
    """A pseudo-terminal running duty-tui; collects what the app draws (escape sequences removed)."""

    def __init__(self, db_url: str, env_home: Path) -> None:
        master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", SIZE[1], SIZE[0], 0, 0))
        env = dict(os.environ, TERM="xterm-256color", COLUMNS=str(SIZE[0]), LINES=str(SIZE[1]),
                   DUTY_DRAFT_SPOOL=str(env_home / "spool"), TEXTUAL_ANIMATIONS="none",
                   DUTY_DRAFT_SECONDS="3600")  # no timed writes: only the hang-up can keep the draft
        # --auth os: signed in as the computer account (as on an SSH host), so no keys race the start-up.
        self.process = subprocess.Popen([sys.executable, "-m", "duty_tui", "--db", db_url, "--auth", "os"], stdin=slave,
                                        stdout=slave, stderr=slave, env=env, start_new_session=True, close_fds=True)
        os.close(slave)
        self.master = master
        self.raw = bytearray()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        while True:
            try:
                chunk = os.read(self.master, 65536)
            except OSError:
                return
            if not chunk:
                return
            self.raw.extend(chunk)

    def text(self) -> str:
        return _ESCAPES.sub("", self.raw.decode("utf-8", errors="replace"))

    def wait_for(self, needle: str, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        start = len(self.raw)
        while time.monotonic() < deadline:
            if needle in self.text():
                return
            if self.process.poll() is not None:
                break
            time.sleep(0.05)
        tail = self.text()[-1500:]
        raise AssertionError(f"{needle!r} never appeared (exit {self.process.poll()}, from byte {start}):\n{tail}")

    def type_until(self, text: str, shown: str, attempts: int = 20) -> None:
        """Type ``text`` once the app takes keys (it may still be starting): retry until it shows."""
        for _ in range(attempts):
            before = self.text().count(shown)
            self.type(text)
            deadline = time.monotonic() + 1.5
            while time.monotonic() < deadline:
                if self.text().count(shown) > before:
                    return
                time.sleep(0.05)
            self.type("\x15")  # Ctrl+U: clear the box before trying again
        raise AssertionError(f"{text!r} was never taken:\n{self.text()[-800:]}")

    def type(self, text: str) -> None:
        os.write(self.master, text.encode())

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)
        os.close(self.master)


def _drafts(engine) -> list[Draft]:
    with session_scope(engine) as session:
        return list(session.exec(select(Draft)).all())


@pytest.mark.sqlite_only  # a journey through the screens: the services under it run on both databases
async def test_a_contact_typed_then_killed_by_sighup_comes_back_at_the_next_login(engine, db_url, tmp_path):
    seed_office(engine)
    with session_scope(engine, write=True) as session:  # this computer account is the receptionist
        session.exec(update(StaffUser).where(StaffUser.username == "reception").values(os_user=os_identity()))
    terminal = Terminal(db_url, tmp_path)
    try:
        terminal.wait_for("f2 Search")  # signed in: the home screen footer
        terminal.type(F4)
        terminal.wait_for("Reason: type to filter")
        terminal.type("T00002")
        terminal.wait_for("P0000002")
        time.sleep(0.3)  # the search is debounced; Enter picks the highlighted match
        terminal.type("\r")
        terminal.wait_for(" · born ")  # the caller is chosen: their details are on screen
        terminal.type("pay")
        terminal.wait_for("How to pay")  # the reasons list has filtered
        terminal.type("\r")
        terminal.wait_for("Reasons: ")  # chosen
        terminal.type("\t")
        time.sleep(0.3)
        terminal.type(NOTE)
        terminal.wait_for(NOTE[:-1])
        assert _drafts(engine) == []  # nothing written yet
        os.kill(terminal.process.pid, signal.SIGHUP)
        code = terminal.process.wait(30)
    finally:
        terminal.close()
    assert code == 128 + signal.SIGHUP, terminal.text()[-800:]
    [kept] = _drafts(engine)
    assert kept.kind == "contact" and NOTE in kept.payload, kept.payload

    app = build_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(app, pilot)
        assert isinstance(app.screen, DraftsDialog)
        await pilot.press("enter")
        await settle(app, pilot, rounds=3)
        assert isinstance(app.screen, LogContactScreen)
        assert app.screen.caller.ref == "P0000002"
        assert app.screen.query_one("#notes", TextArea).text == NOTE
