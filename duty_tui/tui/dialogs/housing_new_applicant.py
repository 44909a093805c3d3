"""Add a new homelessness applicant: name, date of birth, phone, postal address and household.

``push_screen(NewApplicantDialog(forename, surname), callback)``: the callback gets the new
person's ref, or None. The postal address is where decision letters go (none: they wait at the
office to be collected, s184(6)); the household is entered one person at a time
(``HouseholdMembers``) and each becomes a person in the applicant's household — the approach
then reads their relationships and ages from those records, never from a line of free text.
F9 saves (a person half-typed in the household boxes is added first); the dialog stays open
until the applicant is saved, with every problem beside the form and nothing typed lost.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Input, Label, Static

from duty_tui.domain.homelessness_intake import postal_address
from duty_tui.tui.screens.base import DutyModal
from duty_tui.tui.text import plain
from duty_tui.tui.widgets.household_members import HouseholdMembers

FIELDS = ("forename", "surname", "born", "phone", "line1", "line2", "town", "postcode")
PROBLEM_FIELDS = {"forename": "na-forename", "surname": "na-surname", "date_of_birth": "na-born", "phone": "na-phone",
                  "address_line1": "na-line1", "address_town": "na-town", "address_postcode": "na-postcode"}


class NewApplicantDialog(DutyModal[str | None]):
    """Register someone not yet on the system, with where to write to them and who lives with them."""

    SCOPE_NAME = "new_applicant"
    DEFAULT_CSS = """
    NewApplicantDialog { align: center middle; }
    NewApplicantDialog > Vertical { width: 78; max-width: 100%; height: auto; max-height: 100%;
                                    border: thick $primary; background: $surface; padding: 0 1; }
    NewApplicantDialog VerticalScroll { height: auto; max-height: 17; }
    NewApplicantDialog .na-row { height: 1; }
    NewApplicantDialog .na-label { width: 11; color: $text-muted; }  /* "First name" and a space */
    NewApplicantDialog .na-section { text-style: bold; margin-top: 1; }
    NewApplicantDialog Input { width: 1fr; }
    NewApplicantDialog #na-problems { color: $error; text-style: bold; height: auto; }
    NewApplicantDialog #na-keys { color: $text-muted; }
    """
    BINDINGS = [
        Binding("f9", "save", "Add applicant", id="new-applicant-save", priority=True,
                tooltip="Add the applicant (and their household) and choose them for the approach"),
        Binding("escape", "cancel", "Cancel", id="new-applicant-cancel",
                tooltip="Leave without adding them (asks first when something was typed)"),
    ]

    @dataclass
    class Saved(Message):
        """The worker registered the applicant."""

        ref: str

    def __init__(self, forename: str = "", surname: str = "") -> None:
        super().__init__()
        self.start = {"forename": forename, "surname": surname}
        self._saving = False

    def _row(self, *pairs: tuple[str, str, str]) -> ComposeResult:
        with Horizontal(classes="na-row"):
            for label, key, hint in pairs:
                yield Label(label, classes="na-label")
                yield Input(self.start.get(key, ""), placeholder=hint, id=f"na-{key}", compact=True,
                            max_length=10 if key == "born" else 120)

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("New applicant", classes="na-section")
            with VerticalScroll():
                yield from self._row(("First name", "forename", "required"), ("Surname", "surname", "required"))
                yield from self._row(("Born", "born", "DD/MM/YYYY"), ("Phone", "phone", "optional"))
                yield Static("Postal address (where letters go; blank: collected from the office)",
                             classes="na-section")
                yield from self._row(("Address", "line1", "house number and street, or c/o"))
                yield from self._row(("", "line2", "second line (optional)"))
                yield from self._row(("Town", "town", ""), ("Postcode", "postcode", "e.g. SN1 2AB"))
                yield Static("Who lives with them", classes="na-section")
                yield HouseholdMembers(today=self.app.ctx.today(), id="na-household")  # type: ignore[attr-defined]
            yield Static("", id="na-problems")
            yield Static("F9 add the applicant · Tab next box · Esc leave", id="na-keys")

    def on_mount(self) -> None:
        self._initial = self.values()
        self.query_one("#na-forename", Input).focus()

    def values(self) -> dict[str, str]:
        """What is typed in the applicant's own boxes."""
        return {key: self.query_one(f"#na-{key}", Input).value for key in FIELDS}

    @on(Input.Changed, "#na-surname")
    def _surname(self, event: Input.Changed) -> None:
        self.query_one(HouseholdMembers).set_applicant_surname(event.value)

    @on(Input.Submitted, "#na-forename, #na-surname, #na-born, #na-phone, #na-line1, #na-line2, #na-town, "
                         "#na-postcode")
    def _next(self, event: Input.Submitted) -> None:
        event.stop()
        self.focus_next()

    def _problems(self, lines: list[str]) -> None:
        self.query_one("#na-problems", Static).update(plain("\n".join(lines)))

    def action_save(self) -> None:
        """Check, then add the applicant in a worker (the dialog stays open until they are saved)."""
        if self._saving:
            return
        household = self.query_one(HouseholdMembers)
        if household.pending and not household.add_typed():
            self._problems(["Finish the person in the household boxes (or clear them), then F9."])
            return
        v = self.values()
        address, problems = postal_address(v["line1"], v["line2"], v["town"], v["postcode"])
        if problems:
            self._problems([f"{key.replace('address_', 'address ')}: {text}" for key, text in problems.items()])
            self.query_one(f"#{PROBLEM_FIELDS[next(iter(problems))]}").focus()
            return
        self._saving = True
        self._problems(["Adding…"])
        self.register(v, address, household.members)

    @work(thread=True, exclusive=True, exit_on_error=False, group="new-applicant")
    def register(self, v: dict[str, str], address, members) -> None:
        """Save the applicant, their address and household."""
        from duty_tui.services.housing import register_applicant

        ref = register_applicant(self.app.ctx, v["forename"], v["surname"], v["born"],  # type: ignore[attr-defined]
                                 v["phone"] or None, address=address, members=members)
        self.post_message(self.Saved(ref))

    @on(Saved)
    def _saved(self, message: Saved) -> None:
        self._saving = False
        self.dismiss(message.ref)

    def on_worker_error(self, error: BaseException | None) -> None:
        from duty_tui.errors import DutyError

        self._saving = False
        if isinstance(error, DutyError):
            lines = list(getattr(error, "problems", None) or [error.message])
            self._problems([*lines, "Not added yet: what you typed is still here."])
            key = lines[0].partition(":")[0] if lines else ""
            if key in PROBLEM_FIELDS:
                self.query_one(f"#{PROBLEM_FIELDS[key]}").focus()
            return
        self._problems(["Not added: something went wrong (the details are in the log); what you typed is still here."])
        super().on_worker_error(error)

    def action_cancel(self) -> None:
        """Leave; asks first when something was typed."""
        household = self.query_one(HouseholdMembers)
        if self.values() == self._initial and not household.members and not household.pending:
            self.dismiss(None)
            return
        from duty_tui.tui.dialogs.confirm import ConfirmDialog

        def answered(discard: bool | None) -> None:
            if discard:
                self.dismiss(None)

        self.app.push_screen(ConfirmDialog("Leave without adding this applicant?", yes="Leave"), answered)
