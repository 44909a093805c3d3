"""Choose the applicant for a homelessness approach: the kit's person picker, or add someone new.

``push_screen(PersonPickDialog(), callback)``: the callback gets the person's ref, or None.
Keys pressed before the dialog is on screen (F6 then F9 at once) are held and acted on
when it is: nothing is queried before the dialog is mounted.
"""

from __future__ import annotations

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Static

from duty_tui.core.tui.kit.person_picker import PersonPicker, names_from_query
from duty_tui.core.tui.screens.base import DutyModal


class PersonPickDialog(DutyModal):  # dismisses with a person ref | None
    """Find the applicant by name, ref, postcode or phone; F9 (or n, or + New applicant) adds someone new."""

    SCOPE_NAME = "pick-applicant"
    DEFAULT_CSS = """
    PersonPickDialog { align: center middle; }
    PersonPickDialog > Vertical { width: 100%; max-width: 100; height: 100%; max-height: 22;
                                  border: thick $primary; background: $surface; padding: 0 1; }
    PersonPickDialog PersonPicker { height: 1fr; }
    PersonPickDialog PersonPicker PickerResults { height: 1fr; max-height: 100%; }
    """
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="housing-pick-cancel", tooltip="Close without choosing"),
        Binding("f9", "new_applicant", "New applicant", id="housing-pick-new", priority=True,
                tooltip="Add someone who is not on the system yet (name, address, household)"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._ready = False
        self._held_actions: list[str] = []
        self._held_text = ""

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("Who is the applicant?", classes="pick-title")
            yield PersonPicker(query_id="pick-query", results_id="pick-results", status_id="pick-status",
                               limit=30, allow_new=True, new_label="+ New applicant",
                               placeholder="name, P ref, postcode or phone",
                               hint="Type at least two letters. F9 adds someone new.")

    def on_mount(self) -> None:
        picker = self.query_one(PersonPicker)
        picker.focus_query()
        self._ready = True
        if self._held_text:
            picker.input.insert_text_at_cursor(self._held_text)
        for action in self._held_actions:
            self.call_after_refresh(self.run_action, action)
        self._held_actions.clear()

    def on_key(self, event: events.Key) -> None:
        # Typed before the dialog was on screen: held for the search box, not lost.
        if not (event.is_printable and event.character):
            return
        if not self._ready:
            self._held_text += event.character
            event.stop()
            return
        box = self.query_one(PersonPicker).input
        if self.focused is box:
            # Sent to the dialog itself before it was mounted, handled after: the box has focus now, and a
            # letter the box had seen would not have reached here.
            box.insert_text_at_cursor(event.character)
            event.stop()

    def action_cancel(self) -> None:
        """Close without choosing."""
        self.dismiss(None)

    @on(PersonPicker.Chosen)
    def _chosen(self, event: PersonPicker.Chosen) -> None:
        self.dismiss(event.ref)

    @on(PersonPicker.NewRequested)
    def _new_requested(self) -> None:
        self.action_new_applicant()

    def action_new_applicant(self) -> None:
        """Add someone new: name, date of birth, postal address and household, in a form of its own."""
        if not self._ready:
            self._held_actions.append("new_applicant")  # F9 straight after F6: acted on once the dialog is up
            return
        from duty_tui.areas.housing_options.tui.new_applicant import NewApplicantDialog

        names = names_from_query(self.query_one(PersonPicker).text)

        def added(ref: str | None) -> None:
            if ref:
                self.dismiss(ref)

        self.app.push_screen(NewApplicantDialog(*names), added)

    def on_worker_error(self, error: BaseException | None) -> None:
        from duty_tui.core.domain.errors import InputError

        if isinstance(error, InputError):
            self.query_one(PersonPicker).say("✗ " + "; ".join(error.problems))
            return
        super().on_worker_error(error)
