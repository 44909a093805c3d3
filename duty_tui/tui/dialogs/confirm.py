"""A yes/no question: ``await self.app.push_screen_wait(ConfirmDialog(...))`` or a callback gets a bool."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Static

from duty_tui.tui.screens.base import DutyModal
from duty_tui.tui.text import plain


class ConfirmDialog(DutyModal[bool]):
    """Ask before something that cannot be undone (e.g. discarding a half-typed form)."""

    SCOPE_NAME = "confirm"
    DEFAULT_CSS = """
    ConfirmDialog { align: center middle; }
    ConfirmDialog > Vertical { width: 60; height: auto; border: thick $warning; background: $surface; padding: 1 2; }
    ConfirmDialog #confirm-keys { color: $text-muted; padding-top: 1; }
    """
    BINDINGS = [
        Binding("y", "answer(True)", "Yes", id="confirm-yes", tooltip="Yes, go ahead"),
        Binding("n,escape", "answer(False)", "No", id="confirm-no", tooltip="No, go back to what I was doing"),
    ]

    def __init__(self, question: str, yes: str = "Yes", no: str = "No, keep it") -> None:
        super().__init__()
        self.question = question
        self.yes_label = yes
        self.no_label = no

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(plain(self.question), id="confirm-question")
            yield Static(plain(f"y  {self.yes_label}     n / Esc  {self.no_label}"), id="confirm-keys")

    def action_answer(self, answer: bool) -> None:
        """Close with the answer."""
        self.dismiss(answer)
