"""Correct a logged contact: notes, reasons, outcome, channel — and why (kept with the change).

``push_screen(ContactAmendDialog(detail), callback)``: the callback gets the corrected
``ContactDetail``, or None when the correction was abandoned. The save runs in a worker and
the dialog stays open until it is saved: a refusal (the time has run out, someone else
corrected it first, a field to fix) is said in the dialog and everything typed stays.
Reasons are ticked in text (``[x]`` / ``[ ]``), not by colour alone.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from rich.segment import Segment
from textual.message import Message
from textual.strip import Strip
from textual.widgets import Input, Label, OptionList, Select, SelectionList, Static, TextArea
from textual.widgets.option_list import OptionDoesNotExist

from duty_tui.services.contact_history import ContactAmendment, ContactDetail
from duty_tui.tui.screens.base import DutyModal
from duty_tui.tui.text import plain


class TickList(SelectionList[str]):
    """A SelectionList whose ticks are text — ``[x]`` chosen, ``[ ]`` not — so they read without colour."""

    def render_line(self, y: int) -> Strip:
        line = OptionList.render_line(self, y)  # the prompt, without SelectionList's coloured button
        try:
            selection = self.get_option_at_index(self.scroll_offset.y + y)
        except OptionDoesNotExist:
            return line
        style = next(iter(line)).style if line.cell_length else self.rich_style
        mark = "[x] " if selection.value in self.selected else "[ ] "
        return Strip([Segment(mark, style=style), *line])


class ContactAmendDialog(DutyModal[ContactDetail | None]):
    """The correction form for one contact; F9 saves, Esc leaves (asking when something was changed)."""

    SCOPE_NAME = "contact_amend"
    DEFAULT_CSS = """
    ContactAmendDialog { align: center middle; }
    ContactAmendDialog > Vertical { width: 78; max-width: 100%; height: auto; max-height: 100%;
                                    border: thick $primary; background: $surface; padding: 0 1; }
    ContactAmendDialog VerticalScroll { height: auto; max-height: 15; }
    ContactAmendDialog Label { color: $text-muted; }
    ContactAmendDialog #amend-notes { height: 4; }
    ContactAmendDialog #amend-reasons { height: 5; }
    ContactAmendDialog #amend-problems { color: $error; text-style: bold; height: auto; }
    ContactAmendDialog #amend-keys { color: $text-muted; }
    """
    BINDINGS = [
        Binding("f9", "save", "Save", id="contact-amend-save", tooltip="Save the correction (the original is kept)"),
        Binding("escape", "cancel", "Cancel", id="contact-amend-cancel",
                tooltip="Leave without correcting (asks first when something was changed)"),
    ]

    @dataclass
    class Saved(Message):
        """The worker saved the correction."""

        detail: ContactDetail

    def __init__(self, detail: ContactDetail) -> None:
        super().__init__()
        self.detail = detail
        self._saving = False

    def compose(self) -> ComposeResult:
        d = self.detail
        chosen = set(d.reasons)
        # The contact's own reasons first, ticked; then every other reason, in the file's order.
        ordered = [c for c in d.reason_choices if c[0] in chosen] + [c for c in d.reason_choices if c[0] not in chosen]
        with Vertical():
            yield Static(plain(f"Correct contact #{d.id} — the original is kept, with who, when and why"),
                         id="amend-title")
            with VerticalScroll():
                yield Label("Notes")
                yield TextArea(d.notes or "", id="amend-notes")
                yield Label(plain("Reasons (space ticks or unticks: [x] kept, [ ] not)"))
                yield TickList(*[(plain(label), code, code in chosen) for code, label in ordered],
                               id="amend-reasons", compact=True)
                yield Label("Outcome")
                yield Select([(plain(n), c) for c, n in d.outcomes], value=d.outcome or Select.NULL,
                             allow_blank=False, id="amend-outcome", compact=True)
                yield Label("Channel")
                yield Select([(plain(n), c) for c, n in d.channels], value=d.channel, allow_blank=False,
                             id="amend-channel", compact=True)
                yield Label("Why is it being corrected? *")
                yield Input(placeholder="e.g. wrong reason chosen; notes finished after the call", id="amend-why",
                            max_length=500, compact=True)
            yield Static("", id="amend-problems")
            yield Static("F9 save · Tab next · Esc leave without correcting", id="amend-keys")

    def on_mount(self) -> None:
        self._initial = self.values()
        self.query_one("#amend-notes", TextArea).focus()

    def values(self) -> dict:
        """The form as typed."""
        outcome = self.query_one("#amend-outcome", Select).value
        channel = self.query_one("#amend-channel", Select).value
        return {"notes": self.query_one("#amend-notes", TextArea).text,
                "reasons": tuple(self.query_one("#amend-reasons", SelectionList).selected),
                "outcome": outcome if isinstance(outcome, str) else "",
                "channel": channel if isinstance(channel, str) else "",
                "why": self.query_one("#amend-why", Input).value}

    def _problems(self, lines: list[str]) -> None:
        self.query_one("#amend-problems", Static).update(plain("\n".join(lines)))

    def action_save(self) -> None:
        """Check, then save in a worker (the dialog stays open until it is saved)."""
        if self._saving:
            return
        v = self.values()
        change = ContactAmendment(self.detail.id, self.detail.version, v["notes"], v["outcome"], v["channel"],
                                  v["reasons"], v["why"])
        from duty_tui.services.contact_history import amendment_problems

        problems = amendment_problems(self.app.ctx, change)  # type: ignore[attr-defined]
        if problems:
            self._problems(problems)
            if any(p.startswith("why:") for p in problems):
                self.query_one("#amend-why", Input).focus()
            return
        self._saving = True
        self._problems(["Saving…"])
        self.save(change)

    @work(thread=True, exclusive=True, exit_on_error=False, group="contact-amend")
    def save(self, change: ContactAmendment) -> None:
        """Save the correction."""
        from duty_tui.services.contact_history import amend_contact

        self.post_message(self.Saved(amend_contact(self.app.ctx, change)))  # type: ignore[attr-defined]

    @on(Saved)
    def _saved(self, message: Saved) -> None:
        self._saving = False
        self.dismiss(message.detail)

    def on_worker_error(self, error: BaseException | None) -> None:
        from duty_tui.errors import DutyError

        self._saving = False
        if isinstance(error, DutyError):
            lines = list(getattr(error, "problems", None) or [error.message])
            self._problems([*lines, "Not saved: what you typed is still here."])
            return
        self._problems(["Not saved: something went wrong (the details are in the log); what you typed is still "
                        "here."])
        super().on_worker_error(error)

    def action_cancel(self) -> None:
        """Leave; asks first when something was changed."""
        if self.values() == self._initial:
            self.dismiss(None)
            return
        from duty_tui.tui.dialogs.confirm import ConfirmDialog

        def answered(discard: bool | None) -> None:
            if discard:
                self.dismiss(None)

        self.app.push_screen(ConfirmDialog("Leave without saving the correction?", yes="Leave"), answered)
