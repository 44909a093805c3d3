"""The one confirm dialog: a yes/no question with a safe default.

``self.app.push_screen(ConfirmDialog("Discard this contact?", yes="Discard"), answered)`` — the
callback gets True or False (or ``await self.app.push_screen_wait(...)`` in a worker). ``y`` says
yes, ``n`` and Escape say no; Enter gives the default answer, which is "no" unless the caller
says otherwise (``default=True`` for questions where going ahead is the safe choice). The
default is written on the dialog, so nobody has to guess what Enter will do.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Static

from duty_tui.core.tui.screens.base import DutyModal
from duty_tui.core.tui.text import plain

__all__ = ["ConfirmDialog"]


class ConfirmDialog(DutyModal[bool]):
    """Ask before something that cannot be undone (posting money, discarding typing, opening an urgent case)."""

    SCOPE_NAME = "confirm"
    DEFAULT_CSS = """
    ConfirmDialog { align: center middle; }
    ConfirmDialog > Vertical { width: 64; max-width: 100%; height: auto; max-height: 100%; border: thick $warning;
                               background: $surface; padding: 0 1; }
    ConfirmDialog #confirm-question { height: auto; padding: 1 0 0 0; }
    ConfirmDialog #confirm-keys { color: $text-muted; padding: 1 0 0 0; height: auto; }
    """
    BINDINGS = [
        Binding("y", "answer(True)", "Yes", id="confirm-yes", tooltip="Yes, go ahead"),
        Binding("n,escape", "answer(False)", "No", id="confirm-no", tooltip="No, go back to what I was doing"),
        Binding("enter", "default", "Default", id="confirm-default", show=False,
                tooltip="The answer written as the default on the dialog (no, unless it says otherwise)"),
    ]

    def __init__(self, question: str, yes: str = "Yes", no: str = "No, keep it", *, default: bool = False) -> None:
        super().__init__()
        self.question = question
        self.yes_label = yes
        self.no_label = no
        self.default = default

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(plain(self.question), id="confirm-question")
            # The Enter key is named beside the answer it gives, so the line stays short and never splits a label.
            yes_keys, no_keys = ("y / Enter", "n / Esc") if self.default else ("y", "n / Esc / Enter")
            yield Static(plain(f"{yes_keys}  {self.yes_label}     {no_keys}  {self.no_label}"), id="confirm-keys")

    def action_answer(self, answer: bool) -> None:
        """Close with the answer."""
        self.dismiss(answer)

    def action_default(self) -> None:
        """Close with the safe default."""
        self.dismiss(self.default)
