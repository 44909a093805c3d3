"""LiveRefresh: a screen mixin that reloads when another terminal changes what it shows.

A daemon thread (not a Textual worker, so ``wait_for_complete`` never waits on it) holds a
``services.changes`` feed and hands changed channels to ``on_live_change`` on the UI thread.
PostgreSQL delivers NOTIFY at once; SQLite is polled (PRAGMA data_version) every 0.25 s.
"""

from __future__ import annotations

import contextlib
import threading
from typing import ClassVar


class LiveRefresh:
    """Mixin for a DutyScreen: set LIVE_CHANNELS, call start_live() on mount, override on_live_change."""

    LIVE_CHANNELS: ClassVar[frozenset[str]] = frozenset()
    _live_stop: threading.Event | None = None

    def start_live(self) -> None:
        """Start listening (once)."""
        if self._live_stop is not None:
            return
        stop = threading.Event()
        self._live_stop = stop
        app = self.app  # type: ignore[attr-defined]
        ctx = app.ctx
        thread = threading.Thread(target=self._live_loop, args=(app, ctx, stop), daemon=True,
                                  name=f"live-{type(self).__name__}")
        thread.start()

    def stop_live(self) -> None:
        """Stop listening."""
        if self._live_stop is not None:
            self._live_stop.set()
            self._live_stop = None

    def on_unmount(self) -> None:
        self.stop_live()

    def _live_loop(self, app, ctx, stop: threading.Event) -> None:
        from duty_tui.services.changes import open_feed

        try:
            feed = open_feed(ctx, self.LIVE_CHANNELS)
        except Exception:
            return  # no live updates; the screen still refreshes on its own key
        try:
            while not stop.is_set():
                changed = feed.wait(0.5)
                if changed and not stop.is_set():
                    try:
                        app.call_from_thread(self._live_changed, changed)
                    except Exception:
                        break  # the app is closing
        finally:
            with contextlib.suppress(Exception):
                feed.close()

    def _live_changed(self, channels: set[str]) -> None:
        if self._live_stop is not None and self.is_attached:  # type: ignore[attr-defined]
            self.on_live_change(channels)

    def on_live_change(self, channels: set[str]) -> None:
        """Override: reload what changed (runs on the UI thread)."""
