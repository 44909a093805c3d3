"""Correct a logged contact: notes, reasons, outcome, channel — and why (kept with the change).

``push_screen(ContactAmendDialog(detail), callback)``: the callback gets the corrected
``ContactDetail``, or None when the correction was abandoned. It is the kit's form: it saves
in a worker and stays open until saved; a refusal (the time has run out, someone else
corrected it first, a field to fix) is said beside the field or under the form, and
everything typed stays. Reasons are ticked in text (``[x]`` / ``[ ]``), not by colour alone.
"""

from __future__ import annotations

from typing import Any

from duty_tui.areas.frontdesk.services.contact_history import ContactAmendment, ContactDetail
from duty_tui.core.domain.errors import InputError
from duty_tui.core.tui.kit.fields import FormField
from duty_tui.core.tui.kit.form_screen import FormDialog


class ContactAmendDialog(FormDialog[ContactDetail]):
    """The correction form for one contact; F9 saves, Esc leaves (asking when something was changed)."""

    def __init__(self, detail: ContactDetail) -> None:
        self.detail = detail
        d = detail
        chosen = set(d.reasons)
        # The contact's own reasons first, ticked; then every other reason, in the file's order.
        ordered = [c for c in d.reason_choices if c[0] in chosen] + [c for c in d.reason_choices if c[0] not in chosen]
        fields = [
            FormField("notes", "Notes", "lines", value=d.notes or "", max_length=4000),
            FormField("reasons", "Reasons", "many", options=tuple(ordered), value=tuple(d.reasons), required=True),
            FormField("outcome", "Outcome", "choice", options=tuple(d.outcomes), value=d.outcome or None,
                      required=True),
            FormField("channel", "Channel", "choice", options=tuple(d.channels), value=d.channel, required=True),
            FormField("why", "Why is it being corrected?", placeholder="e.g. wrong reason chosen; notes finished "
                      "after the call", max_length=500, required=True),
        ]
        super().__init__(f"Correct contact #{d.id} — the original is kept, with who, when and why", fields,
                         submit="Save", labels="above", save=self._save)

    def _save(self, ctx: Any, values: dict[str, Any]) -> ContactDetail:
        """Check with the service's rules, then save the correction (in the form's worker)."""
        from duty_tui.areas.frontdesk.services.contact_history import amend_contact, amendment_problems

        d = self.detail
        change = ContactAmendment(d.id, d.version, values["notes"] or "", values["outcome"] or "",
                                  values["channel"] or "", tuple(values["reasons"] or ()), values["why"] or "")
        problems = amendment_problems(ctx, change)
        if problems:
            raise InputError("fix the correction", problems)
        return amend_contact(ctx, change)
