"""What every duty-tui screen shares: failed workers become messages, not crashes."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual.screen import ModalScreen, Screen, ScreenResultType
from textual.worker import Worker, WorkerState

from duty_tui.tui.kit.changes import WatchesRecords
from duty_tui.tui.kit.screen_keys import ScreenKeysWin
from duty_tui.tui.kit.typeahead import HoldKeysUntilFocused

if TYPE_CHECKING:
    from duty_tui.tui.app import DutyApp


class WorkerErrors:
    """Mixin: a worker that fails reports through the app's report_error."""

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        # A plain method name, not @on: Textual registers @on handlers only on its own
        # message-pump classes, so a decorated handler on this mixin would never run.
        if event.state == WorkerState.ERROR:
            event.stop()
            self.on_worker_error(event.worker.error)  # type: ignore[attr-defined]

    def on_worker_error(self, error: BaseException | None) -> None:
        """Override to restore the screen's state; always report the error."""
        self.app.report_error(error)  # type: ignore[attr-defined]

    def notify(self, message: str, *, title: str = "", severity="information", timeout=None,
               markup: bool = False) -> None:
        """A toast; messages quote stored and typed text, so they are never read as markup."""
        self.app.notify(message, title=title, severity=severity, timeout=timeout,  # type: ignore[attr-defined]
                        markup=markup)


class DutyScreen(ScreenKeysWin, HoldKeysUntilFocused, WatchesRecords, WorkerErrors, Screen):
    """A full screen. SCOPE_NAME names it in docs/KEYS.md; ``watches`` what it shows (kit/changes.py)."""

    SCOPE_NAME: ClassVar[str] = "screen"

    @property
    def duty_app(self) -> DutyApp:
        """The app, typed."""
        return self.app  # type: ignore[return-value]

    def on_screen_resume(self) -> None:
        self.reload_if_stale()  # a record it shows changed while it was under another screen
        # The "database unreachable" banner follows the user from screen to screen.
        sync = getattr(self.app, "sync_banner", None)
        if sync is not None and (getattr(self.app, "db_down", False) or self.query("#db-banner")):
            sync(self)


class DutyModal(ScreenKeysWin, WatchesRecords, WorkerErrors, ModalScreen[ScreenResultType]):
    """A modal dialog screen; ``DutyModal[bool]`` dismisses with a bool."""

    SCOPE_NAME: ClassVar[str] = "dialog"
