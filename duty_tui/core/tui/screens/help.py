"""F1: the keys in force on the screen you were on, as actually bound (keymap included).

The screen's own actions come first with their full descriptions, then the keys that work
everywhere, then Textual's own keys. Descriptions wrap: nothing is cut at 80x24.
"""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Static

from duty_tui.core.tui.screens.base import DutyModal
from duty_tui.core.tui.text import visible

SECTION_TITLES = {"screen": "On this screen", "global": "Everywhere", "framework": "Moving around (Textual)"}


class HelpScreen(DutyModal):
    """A dialog listing the keys in force."""

    SCOPE_NAME = "help"
    BINDINGS = [
        Binding("escape", "close", "Close", id="help-close", tooltip="Close the key list"),
    ]

    def __init__(self, sections: dict[str, list[tuple[str, str, str, bool]]] | list[tuple[str, str, str, bool]],
                 screen_title: str) -> None:
        super().__init__()
        self.sections = sections if isinstance(sections, dict) else {"screen": sections}
        self.screen_title = screen_title

    @property
    def rows(self) -> list[tuple[str, str, str, bool]]:
        """Every row, in the order shown."""
        return [row for name in SECTION_TITLES for row in self.sections.get(name, [])]

    def compose(self) -> ComposeResult:
        with Vertical(id="help-box"):
            yield Static(Text(visible(f"Keys on {self.screen_title} — Esc or F1 closes; ↑↓ PgUp PgDn scroll.")),
                         id="help-title")
            with VerticalScroll(id="help-keys"):
                for name, title in SECTION_TITLES.items():
                    rows = self.sections.get(name) or []
                    if rows:
                        yield Static(self._table(title, rows), classes="help-section")

    @staticmethod
    def _table(title: str, rows: list[tuple[str, str, str, bool]]) -> Table:
        table = Table(title=title, title_justify="left", title_style="bold", show_header=False, box=None,
                      expand=True, padding=(0, 1), pad_edge=False)
        table.add_column("Key", no_wrap=True, width=11)
        table.add_column("What it does", ratio=1, overflow="fold")
        for key, description, tooltip, enabled in rows:
            what = Text(visible(description), style="bold")
            if tooltip and tooltip != description:
                what.append(Text(": " + visible(tooltip), style=""))
            if not enabled:
                what.append(" (not now)")
            table.add_row(Text(visible(key)), what)
        return table

    def on_mount(self) -> None:
        self.query_one("#help-keys", VerticalScroll).focus()

    def action_close(self) -> None:
        """Close."""
        self.dismiss()
