"""Type-ahead: keys typed faster than the screen reacts go where the person meant them to go.

A terminal delivers a burst of keys (``leader⏎secret⏎``) in one read, and the app hands every
key to the widget focused *at that moment*. The screen moves focus on Enter only when it gets
round to the ``Submitted`` message — by then the rest of the burst is already queued on the
first box, and the password would land in the username box, in clear.

``HandOffInput`` is an Input that, once Enter submits it, holds the keys that follow and hands
them on (through the app, so bindings apply) as soon as focus has moved — to the field that
now has focus, in the order typed. If focus does not move (the screen kept it there, say to
show an error), the keys go back into the same box after ``HOLD_SECONDS``. Nothing is lost.

Screens being pushed hold keys the same way (``HoldKeysUntilFocused``, mixed into
DutyScreen): keys that arrive before any widget has focus are replayed to the first one that
takes it.
"""

from __future__ import annotations

from textual import events
from textual.widgets import Input

HOLD_SECONDS = 0.5
"""The longest a key is held when focus never moves."""


def replay(app, held: list[tuple[str, str | None]]) -> None:
    """Send held keys through the app again, in order (bindings and focus apply as if just typed)."""
    for key, character in held:
        app.post_message(events.Key(key, character))


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


class HoldKeysUntilFocused:
    """Screen mixin: keys that reach the screen before anything on it has focus are replayed once
    something takes focus (a screen still loading gets every key, in order)."""

    _held_keys: list[tuple[str, str | None]] | None = None

    def on_key(self, event: events.Key) -> None:
        if self.focused is None and event.is_printable and not getattr(self, "_keys_released", False):  # type: ignore[attr-defined]
            if self._held_keys is None:
                self._held_keys = []
                self.set_timer(HOLD_SECONDS * 4, self._release_keys)  # type: ignore[attr-defined]
            self._held_keys.append((event.key, event.character))
            event.stop()
            event.prevent_default()

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        self._release_keys()

    def _release_keys(self) -> None:
        self._keys_released = True
        held, self._held_keys = self._held_keys, None
        if held:
            replay(self.app, held)  # type: ignore[attr-defined]
