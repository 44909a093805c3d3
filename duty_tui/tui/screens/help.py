"""F1: the keys in force on the screen you were on, as actually bound (keymap included)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Static

from duty_tui.tui.widgets.table import DutyTable
from duty_tui.tui.screens.base import DutyModal
from duty_tui.tui.text import plain


class HelpScreen(DutyModal):
    """A dialog listing the keys in force."""

    SCOPE_NAME = "help"
    BINDINGS = [
        Binding("escape", "close", "Close", id="help-close", tooltip="Close the key list"),
    ]

    def __init__(self, rows: list[tuple[str, str, str, bool]], screen_title: str) -> None:
        super().__init__()
        self.rows = rows
        self.screen_title = screen_title

    def compose(self) -> ComposeResult:
        with Vertical(id="help-box"):
            yield Static(plain(f"Keys on {self.screen_title} — ctrl+p finds any action by name. Esc or F1 closes."),
                         id="help-title")
            yield DutyTable(id="help-keys", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("Key", "Action", "What it does")
        for key, description, tooltip, enabled in self.rows:
            table.add_row(plain(key), plain(description + ("" if enabled else " (not now)")), plain(tooltip))
        table.focus()

    def action_close(self) -> None:
        """Close."""
        self.dismiss()
