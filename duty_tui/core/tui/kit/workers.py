"""Workers post typed messages; one worker-error path for the whole app.

The convention (harlequin's, STYLE.md habits 3 and 11):

- Database work runs in a thread worker,
  ``@work(thread=True, exclusive=True, exit_on_error=False, group=...)``.
- The worker ends by posting a ``Message`` dataclass (``self.post_message(Saved(...))``;
  ``post_message`` is safe from a thread), and the screen handles it with ``on_…`` or
  ``@on(Saved)``. It never calls back into the screen through a closure.
- A worker that raises ends in ``Worker.StateChanged`` with ``WorkerState.ERROR``. The
  ``WorkerErrors`` mixin (on every ``DutyScreen`` and ``DutyModal``) turns that into one
  call of ``on_worker_error(error)``: the one hook where a screen restores its state (a
  "Saving…" line, a disabled box, an inline message for an ``InputError``). The default
  hook hands the error to the app's ``report_error``, which shows the user-facing message
  (never a traceback). A screen that overrides the hook calls ``super().on_worker_error``
  for anything it did not say itself.

Example::

    @dataclass
    class Saved(Message):
        receipt: ReceiptView

    @work(thread=True, exclusive=True, exit_on_error=False, group="payment-post")
    def post(self, request) -> None:
        self.post_message(self.Saved(take_payment(self.duty_app.ctx, request)))

    def on_take_payment_screen_saved(self, message: Saved) -> None: ...

    def on_worker_error(self, error) -> None:
        self._posting = False                 # restore the screen
        super().on_worker_error(error)        # and say what went wrong
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textual.message import Message
from textual.worker import Worker, WorkerState

__all__ = ["Done", "Loaded", "WorkerErrors"]


@dataclass
class Loaded(Message, bubble=False):
    """A screen's read finished: ``view`` is what the screen shows (posted by its own worker).

    For the many screens whose worker fetches one view and shows it::

        self.post_message(Loaded(fetch(ctx)))          # in the thread worker

        @on(Loaded)
        def _loaded_view(self, message: Loaded) -> None:   # never name it after an attribute
            self._show(message.view)

    It does not bubble: a screen hears only its own worker. A screen whose worker posts
    a different shape declares its own ``@dataclass`` message instead.
    """

    view: Any


@dataclass
class Done(Message, bubble=False):
    """A worker's action finished: the screen says ``text`` and, when ``reload``, reads itself again."""

    text: str
    reload: bool = True


@dataclass
class PasswordRefused(Message):
    """A password check (sign-in, lock, switch user) said no, or the database did: ``text`` says why."""

    text: str


@dataclass
class PasswordAccepted(Message):
    """A password check passed: ``actor`` is who is signed in now."""

    actor: Any


class WorkerErrors:
    """Mixin: a failed worker becomes one call of ``on_worker_error`` (the restore hook), then a message.

    A conventional handler name (not ``@on``): Textual registers decorated handlers only on
    message-pump classes, and this is a plain mixin.
    """

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR:
            event.prevent_default()
            event.stop()
            self.on_worker_error(event.worker.error)

    def on_worker_error(self, error: BaseException | None) -> None:
        """The one hook: override to restore the screen's state; call super() to report the error."""
        self.app.report_error(error)  # type: ignore[attr-defined]  # a mixin; report_error is DutyApp's
