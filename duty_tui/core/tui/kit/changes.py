"""Change notices on screen: a save anywhere reloads every open screen showing that record.

A service says what it changed (``services.changes.record_changed``). This terminal hears
its own saves at once (an in-process subscription, called as the transaction commits); other
terminals hear them through the database (PostgreSQL LISTEN/NOTIFY, SQLite ``PRAGMA
data_version``), within a second or two. Either way the app gets a ``ChangesHeard`` message
and hands it to every screen on the stack.

A screen declares what it shows, and that is all it has to do::

    class PersonScreen(DutyScreen):
        watches = {"person": "ref"}            # reload when the person in self.ref changes

    class QueuesScreen(DutyScreen):
        watches = {"case": None}               # any case

The value names the attribute holding the key shown (a string, or a collection of keys), or
None for "any record of this kind". The screen on top (or under a dialog) reloads at once;
a screen further down the stack reloads when it is shown again. The reload is
``on_record_changed(changes)``: by default the screen's own ``action_reload`` /
``action_refresh`` / ``refresh_data`` (whichever it has); override it to do less.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Collection, Mapping
from typing import TYPE_CHECKING, ClassVar

from textual.message import Message

from duty_tui.core.tui.kit.hosts import AppHost

if TYPE_CHECKING:
    from duty_tui.core.services.changes import Change

WATCH_SECONDS = 0.5
"""How long the watcher thread waits on the database between checks that the app is still running."""

ECHO_SECONDS = 5.0
"""A change this terminal made is heard again from the database: ignored for this long."""


class ChangesHeard(Message):
    """Records changed: on this terminal (``local``) or on another one."""

    def __init__(self, changes: frozenset[Change], *, local: bool) -> None:
        super().__init__()
        self.changes = changes
        self.local = local


class ChangeNotices(AppHost):
    """App mixin: hear record changes (this terminal's at once, others' through the database)."""

    _change_stop: threading.Event | None = None
    _change_unsubscribe = None
    _recent_local: dict = {}

    def start_change_notices(self) -> None:
        """Start listening (once the service context exists); safe to call twice."""
        if self._change_stop is not None or getattr(self, "ctx", None) is None:
            return
        from duty_tui.core.services.changes import KINDS, subscribe

        app = self
        stop = threading.Event()
        self._change_stop = stop
        self._recent_local = {}
        engine = self.ctx.engine

        def heard_here(changes: frozenset[Change]) -> None:
            if not stop.is_set():
                app.post_message(ChangesHeard(changes, local=True))

        self._change_unsubscribe = subscribe(engine, heard_here)
        thread = threading.Thread(target=_watch, args=(app, engine, KINDS, stop), daemon=True, name="change-notices")
        thread.start()

    def stop_change_notices(self) -> None:
        """Stop listening."""
        if self._change_stop is not None:
            self._change_stop.set()
            self._change_stop = None
        if self._change_unsubscribe is not None:
            self._change_unsubscribe()
            self._change_unsubscribe = None

    def on_changes_heard(self, message: ChangesHeard) -> None:
        now = time.monotonic()
        recent = self._recent_local
        if message.local:
            for change in message.changes:
                recent[change] = now
            changes = message.changes
        else:  # our own saves come back from the database too: they were handled already
            for change, at in list(recent.items()):
                if now - at > ECHO_SECONDS:
                    del recent[change]
            changes = frozenset(change for change in message.changes if change not in recent)
        if not changes:
            return
        for screen in list(self.screen_stack):
            handler = getattr(screen, "records_changed", None)
            if handler is not None:
                handler(changes)


def _watch(app, engine, kinds, stop: threading.Event) -> None:
    """The watcher thread: other terminals' saves, heard through the database."""
    from duty_tui.core.services.changes import ChangeFeed, parse_channel

    try:
        feed = ChangeFeed(engine, kinds)
    except Exception:
        return  # no notices from other terminals; screens still reload on their own key
    try:
        while not stop.is_set() and not getattr(app, "_exit", False):
            try:
                channels = feed.wait(WATCH_SECONDS)
            except Exception:
                stop.wait(1.0)
                continue
            changes = frozenset(c for c in (parse_channel(channel) for channel in channels) if c is not None)
            if changes and not stop.is_set():
                app.post_message(ChangesHeard(changes, local=False))
    finally:
        with contextlib.suppress(Exception):
            feed.close()


class WatchesRecords:
    """Screen mixin: ``watches`` says what the screen shows; ``on_record_changed`` reloads it."""

    watches: ClassVar[Mapping[str, str | None]] = {}
    _stale_changes: frozenset | None = None

    def shows_change(self, change: Change) -> bool:
        """True when this screen shows the changed record."""
        if change.kind not in self.watches:
            return False
        attribute = self.watches[change.kind]
        if attribute is None or change.key is None:
            return True
        value = getattr(self, attribute, None)
        if value is None:
            return False
        if isinstance(value, str):
            return value == change.key
        if isinstance(value, Collection):
            return change.key in {str(v) for v in value}
        return str(value) == change.key

    def records_changed(self, changes: frozenset[Change]) -> None:
        """Called by the app with every change heard: reload now when on show, else when shown again."""
        relevant = frozenset(change for change in changes if self.shows_change(change))
        if not relevant or not getattr(self, "is_attached", False):
            return
        if self._on_show():
            self.on_record_changed(relevant)
        else:
            self._stale_changes = (self._stale_changes or frozenset()) | relevant

    def _on_show(self) -> bool:
        app = self.app  # type: ignore[attr-defined]  # a mixin (a Screen base would clash with Widget._on_show)
        top = app.screen
        if top is self:
            return True
        # Under a dialog: still on show.
        for screen in reversed(app.screen_stack):
            if screen is self:
                return True
            if not getattr(screen, "is_modal", False):
                return False
        return False

    def reload_if_stale(self) -> None:
        """Shown again: reload if a record it shows changed meanwhile."""
        stale, self._stale_changes = self._stale_changes, None
        if stale:
            self.on_record_changed(stale)

    def on_record_changed(self, changes: frozenset[Change]) -> None:
        """Reload what is shown. By default the screen's own reload action."""
        for name in ("action_reload", "action_refresh", "refresh_data"):
            method = getattr(self, name, None)
            if callable(method):
                method()
                return
