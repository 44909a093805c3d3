"""Add an arrival at reception (F8 ``a``): the form stays open until the arrival is saved.

``push_screen(ArrivalDialog(person_ref), callback)``: the callback gets the saved
``VisitView``, or None when the desk cancelled. The save runs in a worker; when it is
refused (a ticket number already taken today, a reason no longer in the list) the problem
shows in the form and everything typed stays, so the receptionist fixes one field and
presses F9 again — nothing is said to be saved or kept that was not.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textual import on, work
from textual.message import Message

from duty_tui.services.queue_callers import VisitView
from duty_tui.tui.dialogs.frontdesk_form import FormDialog, FormField


def arrival_fields(reasons: tuple[tuple[str, str], ...]) -> list[FormField]:
    """The arrival form's fields: name or ticket, reason, access needs, interpreter."""
    return [
        FormField("name", "Name (or leave blank and give a ticket)", placeholder="e.g. Ms Khan", max_length=120),
        FormField("ticket", "Ticket number (blank: the next free number is given)", placeholder="e.g. A17",
                  max_length=16),
        FormField("reason", "Reason", kind="select", options=reasons),
        FormField("needs", "Access needs", placeholder="e.g. wheelchair user, hearing loop", max_length=200),
        FormField("interpreter", "Interpreter (language)", placeholder="e.g. Urdu", max_length=40),
    ]


class ArrivalDialog(FormDialog):
    """The arrival form; F9 saves it and the dialog closes only once the arrival is on the queue."""

    SCOPE_NAME = "frontdesk-form"

    @dataclass
    class Saved(Message):
        """The worker saved the arrival."""

        visit: VisitView

    def __init__(self, person_ref: str | None = None, reasons: tuple[tuple[str, str], ...] = ()) -> None:
        super().__init__("Add an arrival", arrival_fields(reasons), submit="Add")
        self.person_ref = person_ref
        self._saving = False

    def action_save(self) -> None:
        """Check the form, then save it in a worker (the dialog stays open until it is saved)."""
        if self._saving:
            return  # F9 twice: one arrival
        values = self.values()
        problems = self.problems(values)
        if problems:
            self.show_problems(problems)
            return
        self._saving = True
        self.show_problems(["Adding…"])
        self.save(values)

    @work(thread=True, exclusive=True, exit_on_error=False, group="arrival-save")
    def save(self, values: dict[str, Any]) -> None:
        """Save the arrival (the ticket is allocated by the database)."""
        from duty_tui.services.queue_callers import add_arrival

        visit = add_arrival(self.app.ctx, name=values["name"], ticket=values["ticket"],  # type: ignore[attr-defined]
                            reason_code=values["reason"], needs=values["needs"], interpreter=values["interpreter"],
                            person_ref=self.person_ref if not values["name"] and not values["ticket"] else None)
        self.post_message(self.Saved(visit))

    @on(Saved)
    def _saved(self, message: Saved) -> None:
        self._saving = False
        self.dismiss(message.visit)

    def on_worker_error(self, error: BaseException | None) -> None:
        from duty_tui.errors import DutyError, PermissionDenied

        self._saving = False
        if isinstance(error, PermissionDenied):  # nothing in the form can fix it
            self.show_problems([f"Not added: {error.message}.", "Esc leaves the form."])
            return
        if isinstance(error, DutyError):
            problems = getattr(error, "problems", None) or [error.message]
            self.show_problems([*problems, "Not added yet: fix it and press F9 again (what you typed is still here)."])
            if any(p.startswith("ticket:") for p in problems):
                self.query_one("#f-ticket").focus()
            return
        self.show_problems(["Not added: something went wrong (the details are in the log). "
                            "What you typed is still here; press F9 to try again."])
        self.app.report_error(error)  # type: ignore[attr-defined]
