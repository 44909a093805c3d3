"""LiveRefresh: a screen mixin that reloads when another terminal changes what it shows.

A daemon thread (not a Textual worker, so ``wait_for_complete`` never waits on it) holds a
``services.changes`` feed and posts each change as a ``LiveChanged`` message to the screen,
which hands the channels to ``on_live_change`` on the UI thread.
PostgreSQL delivers NOTIFY at once; SQLite is polled (PRAGMA data_version) every 0.25 s.
"""

from __future__ import annotations

import contextlib
import contextvars
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from textual.message import Message

if TYPE_CHECKING:
    from duty_tui.core.tui.screens.base import DutyScreen as _Host  # the checker sees the screen it joins
else:
    _Host = object


@dataclass
class LiveChanged(Message, bubble=False):
    """Another terminal changed these channels (posted by the listening thread to its own screen)."""

    channels: set[str]


class LiveRefresh(_Host):
    """Mixin for a DutyScreen: set LIVE_CHANNELS, call start_live() on mount, override on_live_change."""

    LIVE_CHANNELS: ClassVar[frozenset[str]] = frozenset()
    _live_stop: threading.Event | None = None

    def start_live(self) -> None:
        """Start listening (once)."""
        if self._live_stop is not None:
            return
        stop = threading.Event()
        self._live_stop = stop
        ctx = self.duty_app.ctx
        # The thread runs in a copy of this context, so posting to the screen finds the app.
        thread = threading.Thread(target=contextvars.copy_context().run, args=(self._live_loop, ctx, stop),
                                  daemon=True, name=f"live-{type(self).__name__}")
        thread.start()

    def stop_live(self) -> None:
        """Stop listening."""
        if self._live_stop is not None:
            self._live_stop.set()
            self._live_stop = None

    def on_unmount(self) -> None:
        self.stop_live()

    def _live_loop(self, ctx, stop: threading.Event) -> None:
        from duty_tui.core.services.changes import open_feed

        try:
            feed = open_feed(ctx, self.LIVE_CHANNELS)
        except Exception:
            return  # no live updates; the screen still refreshes on its own key
        try:
            while not stop.is_set():
                changed = feed.wait(0.5)
                if changed and not stop.is_set():
                    try:
                        self.post_message(LiveChanged(changed))
                    except Exception:
                        break  # the app is closing
        finally:
            with contextlib.suppress(Exception):
                feed.close()

    def on_live_changed(self, message: LiveChanged) -> None:
        # A conventional handler name, not @on: this is a plain mixin (see kit/workers.py).
        if self._live_stop is not None and self.is_attached:
            self.on_live_change(message.channels)

    def on_live_change(self, channels: set[str]) -> None:
        """Override: reload what changed (runs on the UI thread)."""
