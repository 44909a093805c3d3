"""Navigation: where a screen goes on the stack, decided in one place for the whole app.

The rules (docs/KEYS.md, "Moving around"):

* The dashboard is the floor. An F-key opens its area's home **on the dashboard**, replacing
  whatever was open (a form with typing in it is kept as a draft, and the toast says so).
  F4/F5/F6 still start with the person who was on screen.
* Escape goes back one level.
* A screen never appears twice: opening one that is already open (the same kind of screen
  for the same record) goes back to it.
* At most ``MAX_DEPTH`` full screens stand on the dashboard, so from anywhere at most three
  Escapes reach it (two screens and a dialog). A screen opened at the limit takes the place
  of the one it was opened from. A screen with ``NAV_TRANSIENT = True`` (search) is a step on
  the way: what it opens takes its place.

Screens need not do anything: ``App.push_screen`` applies these rules to every full screen
pushed on the dashboard. A screen's identity is its class and the keys it ``watches``
(``PersonScreen`` for ``P0000001``); override ``nav_key`` for anything else.
"""

from __future__ import annotations

from typing import Any

from textual.await_complete import AwaitComplete
from textual.screen import Screen

from duty_tui.core.tui.kit.hosts import AppHost

MAX_DEPTH = 2
"""Full screens on top of the dashboard (a dialog on the top one makes three Escapes)."""


def nav_key(screen: Screen) -> tuple[Any, ...]:
    """What makes two screens "the same screen": class and the record keys it shows."""
    custom = getattr(screen, "nav_key", None)
    if callable(custom):
        return tuple(custom())
    keys = []
    for attribute in (getattr(screen, "watches", None) or {}).values():
        if attribute is not None:
            keys.append(str(getattr(screen, attribute, None)))
    return (type(screen).__qualname__, *keys)


def _is_floor(screen: Screen) -> bool:
    from duty_tui.core.tui.screens.home import HomeScreen

    return isinstance(screen, HomeScreen)


def _outside_navigation(screen: Screen) -> bool:
    """Screens that are not places: sign-in and the lock cover everything and manage themselves."""
    from duty_tui.core.tui.screens.base import DutyScreen
    from duty_tui.core.tui.screens.lock import LockScreen
    from duty_tui.core.tui.screens.login import LoginScreen

    return (screen.is_modal or not isinstance(screen, DutyScreen) or isinstance(screen, (LockScreen, LoginScreen))
            or getattr(screen, "NAV_EXEMPT", False))


class Navigation(AppHost):
    """App mixin: ``push_screen`` for full screens follows the rules above; ``open_area`` is the F-keys' way."""

    def _floor_index(self) -> int | None:
        stack = self.screen_stack
        for index, screen in enumerate(stack):
            if _is_floor(screen):
                return index
        return None

    def _pop_to(self, index: int) -> None:
        """Pop every screen above ``index`` (forms with typing keep it as a draft)."""
        stack = self.screen_stack
        leaving = stack[index + 1:]
        self._keep_typing(leaving)
        for _ in leaving:
            super().pop_screen()

    def _keep_typing(self, leaving: list[Screen]) -> None:
        from duty_tui.core.tui.drafts import DraftForm

        kept = []
        for screen in leaving:
            if isinstance(screen, DraftForm) and screen.is_mounted and screen.draft_dirty_safe():
                screen.__dict__["_keep_draft"] = True
                kept.append(screen)
        if kept:
            self.drafts.flush_in_background()
            titles = "; ".join(screen.draft_title() for screen in kept)
            self.notify(f"Kept as a draft: {titles}. Ctrl+P → Unfinished forms to carry on.",
                        title="Draft kept", timeout=8)

    def push_screen(self, screen, callback=None, wait_for_dismiss: bool = False, *, mode: str | None = None):
        if isinstance(screen, Screen) and screen.is_modal and self._pushed_by_a_closed_screen():
            # A screen already closed (an F-key replaced it) asked for a dialog as its work finished:
            # the dialog would float over whatever is open now. Nothing to show.
            return AwaitComplete.nothing()
        if isinstance(screen, Screen) and not _outside_navigation(screen) and not _is_floor(screen):
            floor = self._floor_index()
            if floor is not None:
                stack = self.screen_stack
                key = nav_key(screen)
                for index in range(floor + 1, len(stack)):
                    if not stack[index].is_modal and nav_key(stack[index]) == key:
                        # Already open: go back to it rather than open it twice.
                        self._pop_to(index)
                        return AwaitComplete.nothing()
                # A transient screen (search) gives its place to what it opens.
                while len(self.screen_stack) > floor + 1 and getattr(self.screen, "NAV_TRANSIENT", False):
                    self._pop_to(len(self.screen_stack) - 2)
                full = [s for s in self.screen_stack[floor + 1:] if not s.is_modal]
                if len(full) >= MAX_DEPTH:
                    # At the limit: the new screen takes the place of the one it was opened from.
                    stack = self.screen_stack
                    keep = [i for i, s in enumerate(stack) if i > floor and not s.is_modal][MAX_DEPTH - 2] \
                        if MAX_DEPTH >= 2 else floor
                    self._pop_to(keep)
        return super().push_screen(screen, callback, wait_for_dismiss, mode=mode)  # type: ignore[call-overload]  # passes its caller's arguments on; App's overloads need a literal wait_for_dismiss

    def _pushed_by_a_closed_screen(self) -> bool:
        from textual._context import active_message_pump

        try:
            pump = active_message_pump.get()
        except LookupError:
            return False
        owner = pump if isinstance(pump, Screen) else getattr(pump, "screen", None) if hasattr(pump, "parent") else None
        if not isinstance(owner, Screen):
            return False
        return owner not in self.screen_stack and not owner.is_modal

    def open_area(self, screen: Screen) -> None:
        """An F-key: the area's home on the dashboard, replacing whatever was open (or back to it)."""
        floor = self._floor_index()
        if floor is not None:
            key = nav_key(screen)
            stack = self.screen_stack
            if len(stack) > floor + 1 and nav_key(stack[floor + 1]) == key and len(stack) == floor + 2:
                return  # already there
            self._pop_to(floor)
        self.push_screen(screen)

    def go_home(self) -> None:
        """Back to the dashboard (F3)."""
        floor = self._floor_index()
        if floor is not None:
            self._pop_to(floor)
