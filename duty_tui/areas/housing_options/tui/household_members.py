"""HouseholdMembers: who lives with the applicant, one person at a time — records, not free text.

A self-contained widget any form can host (``yield HouseholdMembers(today=...)``; read
``.members``). Each person is typed in a row of boxes — first name, surname (blank: the
applicant's), who they are, date of birth — and Enter in the date-of-birth box adds them to the
list above; a problem shows beside the boxes (which box, and what to fix) and nothing typed is
lost. In the list, Delete or Backspace removes the highlighted person. The saved form gives the
list to the service (``register_applicant(..., members=...)``), which makes each one a person
in the applicant's household.
"""

from __future__ import annotations

from datetime import date

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Input, OptionList, Select, Static

from duty_tui.areas.housing_options.domain.intake import HOUSEHOLD_RELATIONSHIPS, HouseholdEntry, household_entry
from duty_tui.core.tui.text import plain

FIELD_WORDS = {"forename": "First name", "surname": "Surname", "relationship": "Who", "born": "Born"}


class MemberList(OptionList):
    """The people added so far; Delete removes the highlighted one."""

    BINDINGS = [
        Binding("delete,backspace", "remove", "Remove", id="household-member-remove",
                tooltip="Remove the highlighted person from the household"),
    ]

    class Remove(Message):
        """Remove the highlighted person."""

        def __init__(self, index: int) -> None:
            super().__init__()
            self.index = index

    def action_remove(self) -> None:
        """Ask the widget to remove the highlighted person."""
        if self.highlighted is not None:
            self.post_message(self.Remove(self.highlighted))


class HouseholdMembers(Vertical):
    """Enter the household one person at a time: a list of people, not a line of text."""

    DEFAULT_CSS = """
    HouseholdMembers { height: auto; }
    HouseholdMembers MemberList { height: auto; max-height: 4; }
    HouseholdMembers .hm-row { height: 1; }
    HouseholdMembers #hm-forename, HouseholdMembers #hm-surname { width: 16; }
    HouseholdMembers #hm-relationship { width: 20; }
    HouseholdMembers #hm-born { width: 1fr; }
    HouseholdMembers #hm-message { height: auto; color: $text-muted; }
    HouseholdMembers #hm-message.problem { color: $error; text-style: bold; }
    """

    class Changed(Message):
        """The list of people changed."""

        def __init__(self, members: tuple[HouseholdEntry, ...]) -> None:
            super().__init__()
            self.members = members

    FORM_VALUE = True  # a kit form field (kind="widget"): its value is the people added

    def __init__(self, *, today: date | None = None, applicant_surname: str = "", id: str | None = None) -> None:
        super().__init__(id=id)
        self.today: date = today  # type: ignore[assignment]  # None until mounted: then the app's today
        self.applicant_surname = applicant_surname
        self._members: list[HouseholdEntry] = []

    @property
    def members(self) -> tuple[HouseholdEntry, ...]:
        """Everyone added, in the order they were added."""
        return tuple(self._members)

    @property
    def value(self) -> tuple[HouseholdEntry, ...]:
        """The kit form's view of this field: everyone added."""
        return self.members

    @value.setter
    def value(self, members) -> None:
        self._members = list(members or ())
        if self.is_mounted:
            self._refresh_list()

    @property
    def pending(self) -> bool:
        """True when someone is half-typed in the boxes (not yet added with Enter)."""
        return any(self.query_one(f"#hm-{k}", Input).value.strip() for k in ("forename", "surname", "born"))

    def compose(self) -> ComposeResult:
        yield MemberList(id="hm-list", compact=True)
        with Horizontal(classes="hm-row"):
            yield Input(placeholder="first name", id="hm-forename", max_length=80, compact=True)
            yield Input(placeholder="surname", id="hm-surname", max_length=80, compact=True)
            yield Select([(label, code) for code, label in HOUSEHOLD_RELATIONSHIPS], id="hm-relationship",
                         prompt="who they are", compact=True)
            yield Input(placeholder="born DD/MM/YYYY, Enter adds", id="hm-born", max_length=10, compact=True)
        yield Static("No one else yet. Type a person and press Enter in Born to add them.", id="hm-message")

    def on_mount(self) -> None:
        if self.today is None:
            self.today = self.app.ctx.today()
        self._refresh_list()

    def set_applicant_surname(self, surname: str) -> None:
        """The surname used when a person's own is left blank."""
        self.applicant_surname = surname

    def _say(self, text: str, *, problem: bool = False) -> None:
        message = self.query_one("#hm-message", Static)
        message.update(plain(text))
        message.set_class(problem, "problem")

    @on(Input.Submitted, "#hm-forename, #hm-surname, #hm-born")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.input.id != "hm-born":
            self.screen.focus_next()  # Enter moves through the person's boxes; in Born it adds them
            return
        self.add_typed()

    def add_typed(self) -> bool:
        """Add the person typed in the boxes; False (and what to fix, beside them) when something is missing."""
        relationship = self.query_one("#hm-relationship", Select).value
        entry, problems = household_entry(
            self.query_one("#hm-forename", Input).value, self.query_one("#hm-surname", Input).value,
            relationship if isinstance(relationship, str) else "", self.query_one("#hm-born", Input).value,
            today=self.today, applicant_surname=self.applicant_surname)
        if entry is None:
            first = next(iter(problems))
            self._say("✗ " + "; ".join(f"{FIELD_WORDS[k]}: {v}" for k, v in problems.items()), problem=True)
            self.query_one(f"#hm-{first}").focus()
            return False
        self._members.append(entry)
        for key in ("forename", "surname", "born"):
            self.query_one(f"#hm-{key}", Input).value = ""
        self.query_one("#hm-relationship", Select).clear()
        self._refresh_list()
        self._say(f"Added {entry.forename} {entry.surname}. Next person, or Tab on (Delete in the list removes).")
        self.query_one("#hm-forename", Input).focus()
        self.post_message(self.Changed(self.members))
        return True

    @on(MemberList.Remove)
    def _remove(self, message: MemberList.Remove) -> None:
        message.stop()
        if 0 <= message.index < len(self._members):
            gone = self._members.pop(message.index)
            self._refresh_list()
            self._say(f"Removed {gone.forename} {gone.surname}.")
            self.post_message(self.Changed(self.members))

    def _refresh_list(self) -> None:
        listing = self.query_one(MemberList)
        listing.clear_options()
        listing.add_options([plain(f"{i}. {m.describe(self.today)}") for i, m in enumerate(self._members, 1)])
        listing.display = bool(self._members)
