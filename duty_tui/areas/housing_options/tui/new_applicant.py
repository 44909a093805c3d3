"""Add a new homelessness applicant: name, date of birth, phone, postal address and household.

``push_screen(NewApplicantDialog(forename, surname), callback)``: the callback gets the new
person's ref, or None. The postal address is where decision letters go (none: they wait at the
office to be collected, s184(6)); the household is entered one person at a time
(``HouseholdMembers``, a field of the kit's form) and each becomes a person in the applicant's
household — the approach then reads their relationships and ages from those records, never
from a line of free text. F9 saves (a person half-typed in the household boxes is added
first); it is the kit's form, so the dialog stays open until the applicant is saved, with
every problem beside its field and nothing typed lost.
"""

from __future__ import annotations

from typing import Any

from textual import on

from duty_tui.areas.housing_options.domain.intake import postal_address
from duty_tui.areas.housing_options.tui.household_members import HouseholdMembers
from duty_tui.core.domain.errors import InputError
from duty_tui.core.tui.kit.fields import FormField, TextInput
from duty_tui.core.tui.kit.form_screen import FormDialog

SERVICE_FIELDS = {"date_of_birth": "born", "address_line1": "line1", "address_line2": "line2",
                  "address_town": "town", "address_postcode": "postcode", "household": "household"}
"""The service's and the address rule's names for a problem → this form's field."""


def _address_problems(values: dict[str, Any]) -> dict[str, str]:
    _, problems = postal_address(values["line1"] or "", values["line2"] or "", values["town"] or "",
                                 values["postcode"] or "")
    return {SERVICE_FIELDS.get(key, key): text for key, text in problems.items()}


class NewApplicantDialog(FormDialog[str]):
    """Register someone not yet on the system, with where to write to them and who lives with them."""

    def __init__(self, forename: str = "", surname: str = "") -> None:
        address = "Postal address (where letters go; blank: collected from the office)"
        fields = [
            FormField("forename", "First name", value=forename, max_length=80, required=True, row="name"),
            FormField("surname", "Surname", value=surname, max_length=80, required=True, row="name"),
            FormField("born", "Born", "date", placeholder="DD/MM/YYYY", row="born"),
            FormField("phone", "Phone", placeholder="optional", max_length=40, row="born"),
            FormField("line1", "Address", placeholder="house number and street, or c/o", max_length=120,
                      section=address),
            FormField("line2", "", placeholder="second line (optional)", max_length=120, section=address),
            FormField("town", "Town", max_length=80, row="town", section=address),
            FormField("postcode", "Postcode", placeholder="e.g. SN1 2AB", max_length=10, row="town",
                      section=address),
            FormField("household", "", "widget", widget=HouseholdMembers(applicant_surname=surname),
                      enter="own", section="Who lives with them"),
        ]
        super().__init__("New applicant", fields, submit="Add the applicant", save=self._register,
                         check=_address_problems, saving="Adding…", not_saved="Not added yet", label_width=11)

    @on(TextInput.Changed, "#f-surname")
    def _surname(self, event: TextInput.Changed) -> None:
        self.query_one(HouseholdMembers).set_applicant_surname(event.value)

    def action_save(self) -> None:
        """Add a person half-typed in the household boxes first, then check and save."""
        household = self.query_one(HouseholdMembers)
        if household.pending and not household.add_typed():
            self.say("Finish the person in the household boxes (or clear them), then F9.")
            return
        super().action_save()

    def _register(self, ctx: Any, values: dict[str, Any]) -> str:
        """Save the applicant, their address and household (in the form's worker)."""
        from duty_tui.areas.housing_options.services.applicant import register_applicant

        address, _ = postal_address(values["line1"] or "", values["line2"] or "", values["town"] or "",
                                    values["postcode"] or "")
        born = values["born"].strftime("%d/%m/%Y") if values["born"] else ""
        try:
            return register_applicant(ctx, values["forename"], values["surname"], born, values["phone"] or None,
                                      address=address, members=tuple(values["household"] or ()))
        except InputError as exc:
            problems = []
            for problem in exc.problems:
                name, sep, text = problem.partition(": ")
                problems.append(f"{SERVICE_FIELDS.get(name, name)}: {text}" if sep else problem)
            raise InputError(exc.message, problems) from None
