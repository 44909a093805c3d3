"""Add an arrival at reception (F8 ``a``): the form stays open until the arrival is saved.

``push_screen(ArrivalDialog(person_ref, reasons), callback)``: the callback gets the saved
``VisitView``, or None when the desk cancelled. The kit's form saves it in a worker; when it
is refused (a ticket number already taken today, a reason no longer in the list) the problem
shows beside the field and everything typed stays, so the receptionist fixes one field and
presses F9 again — nothing is said to be saved or kept that was not.
"""

from __future__ import annotations

from typing import Any

from duty_tui.areas.frontdesk.services.callers import VisitView
from duty_tui.core.tui.kit.fields import FormField
from duty_tui.core.tui.kit.form_screen import FormDialog


def arrival_fields(reasons: tuple[tuple[str, str], ...]) -> list[FormField]:
    """The arrival form's fields: name or ticket, reason, access needs, interpreter."""
    return [
        FormField("name", "Name (or leave blank and give a ticket)", placeholder="e.g. Ms Khan", max_length=120),
        FormField("ticket", "Ticket number (blank: the next free number is given)", placeholder="e.g. A17",
                  max_length=16),
        FormField("reason", "Reason", kind="choice", options=reasons, prompt="(not said)"),
        FormField("needs", "Access needs", placeholder="e.g. wheelchair user, hearing loop", max_length=200),
        FormField("interpreter", "Interpreter (language)", placeholder="e.g. Urdu", max_length=40),
    ]


class ArrivalDialog(FormDialog[VisitView]):
    """The arrival form; F9 saves it and the dialog closes only once the arrival is on the queue."""

    def __init__(self, person_ref: str | None = None, reasons: tuple[tuple[str, str], ...] = ()) -> None:
        self.person_ref = person_ref
        super().__init__("Add an arrival", arrival_fields(reasons), submit="Add", save=self._add, saving="Adding…",
                         not_saved="Not added yet")

    def _add(self, ctx: Any, values: dict[str, Any]) -> VisitView:
        """Save the arrival (in the form's worker; the ticket is allocated by the database)."""
        from duty_tui.areas.frontdesk.services.callers import add_arrival

        name, ticket = values["name"] or "", values["ticket"] or ""
        return add_arrival(ctx, name=name, ticket=ticket, reason_code=values["reason"] or "",
                           needs=values["needs"] or "", interpreter=values["interpreter"] or "",
                           person_ref=self.person_ref if not name and not ticket else None)
