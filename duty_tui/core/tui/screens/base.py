"""What every duty-tui screen shares: failed workers become messages, not crashes (kit/workers.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, cast

from textual.screen import ModalScreen, Screen, ScreenResultType

from duty_tui.core.tui.kit.changes import WatchesRecords
from duty_tui.core.tui.kit.screen_keys import ScreenKeysWin
from duty_tui.core.tui.kit.typeahead import HoldKeysUntilFocused
from duty_tui.core.tui.kit.workers import WorkerErrors

if TYPE_CHECKING:
    from duty_tui.core.tui.app import DutyApp


class PlainNotify:
    """Mixin: a toast; messages quote stored and typed text, so they are never read as markup."""

    def notify(self, message: str, *, title: str = "", severity="information", timeout=None,
               markup: bool = False) -> None:
        """A toast (markup off unless asked for)."""
        self.app.notify(message, title=title, severity=severity, timeout=timeout,  # type: ignore[attr-defined]  # a mixin (a Screen[Any] base would untype DutyModal's dismiss)
                        markup=markup)


class DutyScreen(ScreenKeysWin, HoldKeysUntilFocused, WatchesRecords, WorkerErrors, PlainNotify, Screen):
    """A full screen. SCOPE_NAME names it in docs/KEYS.md; ``watches`` what it shows (kit/changes.py)."""

    SCOPE_NAME: ClassVar[str] = "screen"

    @property
    def duty_app(self) -> DutyApp:
        """The app, typed."""
        return cast("DutyApp", self.app)  # the one app class these screens are pushed on

    def on_screen_resume(self) -> None:
        self.reload_if_stale()  # a record it shows changed while it was under another screen
        # The "database unreachable" banner follows the user from screen to screen.
        sync = getattr(self.app, "sync_banner", None)
        if sync is not None and (getattr(self.app, "db_down", False) or self.query("#db-banner")):
            sync(self)


class DutyModal(ScreenKeysWin, WatchesRecords, WorkerErrors, PlainNotify, ModalScreen[ScreenResultType]):
    """A modal dialog screen; ``DutyModal[bool]`` dismisses with a bool."""

    SCOPE_NAME: ClassVar[str] = "dialog"

    @property
    def duty_app(self) -> DutyApp:
        """The app, typed."""
        return cast("DutyApp", self.app)  # the one app class these screens are pushed on
