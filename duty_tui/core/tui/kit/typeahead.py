"""Type-ahead: keys typed faster than the screen reacts go where the person meant them to go.

A terminal delivers a burst of keys (``leader⏎secret⏎``) in one read, and the app hands every
key to the widget focused *at that moment*. The screen moves focus on Enter only when it gets
round to the ``Submitted`` message — by then the rest of the burst is already queued on the
first box, and the password would land in the username box, in clear.

``HandOffInput`` is an Input that, once Enter submits it, holds the keys that follow and hands
them on (through the app, so bindings apply) as soon as focus has moved — to the field that
now has focus, in the order typed. If focus does not move (the screen kept it there, say to
show an error), the keys go back into the same box after ``HOLD_SECONDS``. Nothing is lost.

Screens loading hold keys (``KeysWait`` on the app, ``HoldKeysUntilFocused`` mixed into
DutyScreen): every key — letters, Tab, Enter, F-keys — typed while the screen on top is loading
(nothing on it has focus yet; or, with ``HOLD_KEYS_UNTIL_LOADED``, until it calls
``keys_ready()``) is held and replayed in order once it is ready. A widget whose key starts work
(Enter in the person picker's box: ``holds_keys_after``) holds the keys behind it until it calls
``screen.stop_waiting()``; a screen can hold a key itself (``holds_key``: the sign-in screen holds
F-keys typed behind the password for the dashboard). Nothing is held longer than
``MAX_HOLD_SECONDS`` (``KEYS_WAIT_SECONDS`` on a screen); nothing is lost.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import events
from textual.message import Message
from textual.widgets import Input

from duty_tui.core.tui.kit.hosts import AppHost, ScreenHost

if TYPE_CHECKING:
    from textual.dom import DOMNode

HOLD_SECONDS = 0.5
"""The longest a key is held when focus never moves."""


def replay(app, held: list[tuple[str, str | None]]) -> None:
    """Send held keys through the app again, in order (bindings and focus apply as if just typed)."""
    for key, character in held:
        app.post_message(typed_key(app, key, character))


def typed_key(app, key: str, character: str | None) -> events.Key:
    """A key event as the driver makes one: sent by the app. A message remembers the pump that was
    running when it was made, and Textual stops a message bubbling at its sender's child; a key
    made while a screen's callback runs would stop just below that screen, before its bindings."""
    return events.Key(key, character).set_sender(app)


class HandOffInput(Input):
    """An Input that hands keys typed after its Enter to the next field (see the module docstring)."""

    _held: list[tuple[str, str | None]] | None = None

    async def _on_key(self, event: events.Key) -> None:
        if self._held is not None:
            self._held.append((event.key, event.character))
            event.stop()
            event.prevent_default()
            return
        if event.key == "enter":
            # The Enter binding (submit) runs only once this key has bubbled up to the app — after
            # the keys queued behind it have reached this box. Hold those from now on.
            self._held = []
            self.set_timer(HOLD_SECONDS, self._release)
        # Textual calls each class's _on_key in turn (Input's comes next): no super() call here.

    def _on_blur(self, event: events.Blur) -> None:  # Input's _on_blur runs after this one
        self._release()

    def _release(self) -> None:
        held, self._held = self._held, None
        if held:
            replay(self.app, held)


MAX_HOLD_SECONDS = 5.0
"""The longest the app holds keys for a screen that is loading: then they go to whatever has focus."""


class KeysWait(AppHost):
    """App mixin: every key that arrives while the screen on top is loading is held, then replayed
    in the order typed once it is ready (the rule in docs/KEYS.md, "Typing ahead").

    Every key: letters, Tab, Enter and the F-keys (whose priority bindings would otherwise run at
    once, against a screen that is not there yet or before anyone has signed in). A screen is
    loading while its ``keys_wait()`` says so (``HoldKeysUntilFocused``, mixed into DutyScreen);
    it calls ``app.release_keys()`` when it is ready. Replayed keys go through the app again, so
    bindings and focus apply as if just typed, and a replayed key that opens another loading
    screen (F2 then ``P0000004⏎``) is held again for that one, still in order. Keys typed while
    replayed keys are on their way queue behind them. Nothing is held for longer than
    ``MAX_HOLD_SECONDS``.
    """

    _held_app_keys: list[events.Key] | None = None
    _keys_in_flight: int = 0
    _hold_timer = None

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key) and not event.is_forwarded:
            held = self._held_app_keys if self._held_app_keys is not None else []
            self._held_app_keys = held
            replayed = getattr(event, "_duty_replayed", False)
            if replayed:
                self._keys_in_flight -= 1
            if held or self._screen_keys_wait() or self._screen_holds(event):
                self._hold_key(event)
                return
            if not replayed and self._keys_in_flight > 0:
                self._send_again(event)  # behind the held keys already on their way
                return
            self._screen_sees(event)
        await super().on_event(event)

    def _screen_sees(self, event: events.Key) -> None:
        """Tell the screen a key is on its way to its focused widget (it may hold the keys behind it)."""
        try:
            screen = self.screen
        except Exception:
            return
        hook = getattr(screen, "keys_wait_after", None)
        if hook is not None:
            hook(event)

    def _screen_holds(self, event: events.Key) -> bool:
        try:
            screen = self.screen
        except Exception:
            return False
        holds = getattr(screen, "holds_key", None)
        return bool(holds is not None and holds(event))

    def _screen_keys_wait(self) -> bool:
        try:
            screen = self.screen
        except Exception:
            return False
        wait = getattr(screen, "keys_wait", None)
        return bool(wait is not None and wait())

    def _hold_key(self, event: events.Key) -> None:
        assert self._held_app_keys is not None
        self._held_app_keys.append(event)
        if self._hold_timer is None:
            seconds = getattr(self.screen, "KEYS_WAIT_SECONDS", MAX_HOLD_SECONDS)
            self._hold_timer = self.set_timer(seconds, self._hold_expired)

    def _hold_expired(self) -> None:
        self._hold_timer = None
        self.release_keys(force=True)

    def _send_again(self, event: events.Key) -> None:
        again = typed_key(self, event.key, event.character)
        again._duty_replayed = True  # type: ignore[attr-defined]  # our mark on the event we post again
        self._keys_in_flight += 1
        self.post_message(again)

    def release_keys(self, force: bool = False) -> None:
        """The screen on top is ready: replay the held keys, in order (``force``: even if it is not)."""
        if not force and self._screen_keys_wait():
            return
        if self._hold_timer is not None:
            self._hold_timer.stop()
            self._hold_timer = None
        held, self._held_app_keys = self._held_app_keys or [], []
        for event in held:
            self._send_again(event)
        if force:
            # Waited long enough: the screen on top takes keys from now on (they are never held for ever).
            try:
                screen = self.screen
            except Exception:
                return
            if hasattr(screen, "keys_wait"):
                screen._keys_ready = True  # type: ignore[attr-defined]  # it has keys_wait: a HoldKeysUntilFocused


class KeysAnswered(Message):
    """Posted (it bubbles) by a widget whose key started work, after what that work posted: the
    screen handles it after the host has acted (opened the person), then replays the held keys."""


class HoldKeysUntilFocused(ScreenHost):
    """Screen mixin: the screen is loading (keys typed now are held by the app, ``KeysWait``) until
    something on it takes focus — or, with ``HOLD_KEYS_UNTIL_LOADED``, until it calls
    ``keys_ready()`` (a screen whose keys mean something only once its record is shown: the person
    view's tab keys). A screen with nothing to focus is ready once it is on show.
    """

    HOLD_KEYS_UNTIL_LOADED = False
    KEYS_WAIT_SECONDS = MAX_HOLD_SECONDS
    _keys_ready = False
    _waiting_on = None

    def keys_wait(self) -> bool:
        """True while keys typed now must wait for this screen."""
        if self._waiting_on is not None:
            return True
        if self._keys_ready:
            return False
        if self.HOLD_KEYS_UNTIL_LOADED:
            return True
        return self.focused is None

    def keys_wait_after(self, event: events.Key) -> None:
        """The app is handing ``event`` to this screen: a focused widget whose key starts work (Enter
        in a search box: ``holds_keys_after(event) -> bool``) makes the keys behind it wait, until
        it calls ``stop_waiting()`` (or another screen opens and takes them)."""
        focused = self.focused
        node: DOMNode | None = focused
        while node is not None and node is not self:
            hook = getattr(node, "holds_keys_after", None)
            if hook is not None:
                if hook(focused, event):
                    self._waiting_on = node
                return
            node = node.parent

    def on_keys_answered(self, message: KeysAnswered) -> None:
        message.stop()
        self.stop_waiting()

    def stop_waiting(self) -> None:
        """The work a key started has answered: replay the keys held behind it."""
        if self._waiting_on is None:
            return
        self._waiting_on = None
        release = getattr(self.app, "release_keys", None)
        if release is not None:
            release()

    def keys_ready(self) -> None:
        """This screen is ready for keys: the app replays what was typed while it loaded."""
        if self._keys_ready:
            return
        self._keys_ready = True
        release = getattr(self.app, "release_keys", None)
        if release is not None:
            self.call_after_refresh(release)  # once it has been drawn

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        if not self.HOLD_KEYS_UNTIL_LOADED:
            self.keys_ready()

    def on_screen_resume(self) -> None:
        self.call_after_refresh(self._shown_for_keys)

    def _shown_for_keys(self) -> None:
        if not self.HOLD_KEYS_UNTIL_LOADED and self.focused is None and not self.focus_chain:
            self.keys_ready()  # nothing here takes focus: keys go to the screen's bindings
        elif self._keys_ready:
            release = getattr(self.app, "release_keys", None)
            if release is not None:
                release()  # back on top: keys held while another screen was loading
