"""The real app on a real pseudo-terminal re-lays out at once when the terminal is resized.

A terminal emulator (pyte) reads what duty-tui draws; the window is resized as a terminal
emulator or tmux does it (TIOCSWINSZ, then SIGWINCH to the program) and no key is pressed:
the footer must move to the new last row each time (80x24 → 200x50 → 60x20 → 80x24).

Before the fix the keymap check imported every screen module on the UI thread after the
first paint, so a resize in those seconds waited for it (and, on a busy machine, for a key).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import pty
import signal
import struct
import subprocess
import sys
import termios
import threading
import time

import pyte
import pytest
from builders import seed_office
from sqlmodel import update

from duty_tui.core.db.engine import session_scope
from duty_tui.core.db.models import StaffUser
from duty_tui.core.services.context import os_identity

FOOTER = "f2 Search"
"""In the home screen's footer once someone is signed in."""


class EmulatedTerminal:
    """duty-tui on a pty whose output a pyte screen draws, as a terminal emulator would."""

    def __init__(self, argv: list[str], env: dict[str, str], size: tuple[int, int]) -> None:
        self.lock = threading.Lock()
        self.last_output = time.monotonic()
        self.screen = pyte.Screen(*size)
        self.stream = pyte.ByteStream(self.screen)
        master, slave = pty.openpty()
        self._winsize(slave, size)
        self.process = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, env=env,
                                        start_new_session=True, close_fds=True)
        os.close(slave)
        self.master = master
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    @staticmethod
    def _winsize(fd: int, size: tuple[int, int]) -> None:
        columns, lines = size
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", lines, columns, 0, 0))

    def _read(self) -> None:
        while True:
            try:
                chunk = os.read(self.master, 65536)
            except OSError:
                return
            if not chunk:
                return
            with self.lock:
                self.stream.feed(chunk)
                self.last_output = time.monotonic()

    def rows(self) -> list[str]:
        """The screen as it stands, one string a row."""
        with self.lock:
            return list(self.screen.display)

    def footer_row(self) -> int | None:
        """The row (0-based) that shows the footer, if any."""
        found = [number for number, row in enumerate(self.rows()) if FOOTER in row]
        return found[-1] if found else None

    def wait(self, condition, timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if condition():
                return
            if self.process.poll() is not None:
                break
            time.sleep(0.05)
        raise AssertionError(f"{what} (exit {self.process.poll()}):\n" + "\n".join(self.rows()))

    def wait_quiet(self, seconds: float = 1.5, timeout: float = 30) -> None:
        """Wait until the app has drawn nothing for ``seconds``: it is idle, as it is when a person
        drags a window edge in the middle of their work."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and time.monotonic() - self.last_output < seconds:
            time.sleep(0.1)

    def resize(self, size: tuple[int, int]) -> None:
        """Resize as a terminal emulator does: the new size on the pty, then SIGWINCH."""
        columns, lines = size
        with self.lock:
            self.screen.resize(lines, columns)
        self._winsize(self.master, size)
        os.killpg(self.process.pid, signal.SIGWINCH)

    def close(self) -> None:
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)
        with contextlib.suppress(OSError):
            os.close(self.master)


@pytest.mark.sqlite_only
def test_every_resize_moves_the_footer_to_the_new_last_row_without_a_key(engine, db_url, tmp_path):
    if engine.dialect.name != "sqlite":
        pytest.skip("the terminal, not the database, is under test")
    seed_office(engine)
    with session_scope(engine, write=True) as session:  # signed in as this computer account: no keys at all
        session.exec(update(StaffUser).where(StaffUser.username == "reception").values(os_user=os_identity()))
    env = dict(os.environ, TERM="xterm-256color", TEXTUAL_ANIMATIONS="none", DUTY_DRAFT_SPOOL=str(tmp_path / "spool"))
    env.pop("COLUMNS", None)
    env.pop("LINES", None)
    terminal = EmulatedTerminal([sys.executable, "-m", "duty_tui", "--db", db_url, "--auth", "os"], env, (80, 24))
    try:
        terminal.wait(lambda: terminal.footer_row() == 23, 60, "the home screen never showed its footer on row 24")
        for columns, lines in ((200, 50), (60, 20), (80, 24)):
            terminal.wait_quiet()
            terminal.resize((columns, lines))
            # No key is pressed: the app must lay out again by itself, promptly.
            terminal.wait(lambda lines=lines: terminal.footer_row() == lines - 1, 5,
                          f"after resizing to {columns}x{lines} the footer is not on row {lines}")
            width = max(len(row.rstrip()) for row in terminal.rows())
            assert width <= columns
    finally:
        terminal.close()
