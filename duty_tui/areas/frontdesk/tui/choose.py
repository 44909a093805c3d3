"""Choose one item from a list (e.g. which queue to open): returns its value, or None on Esc."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from duty_tui.core.tui.screens.base import DutyModal
from duty_tui.core.tui.text import plain


class ChooseDialog(DutyModal[str | None]):
    """A list to pick from with the arrow keys and Enter."""

    SCOPE_NAME = "frontdesk-choose"
    DEFAULT_CSS = """
    ChooseDialog { align: center middle; }
    ChooseDialog > Vertical { width: 64; max-width: 100%; height: auto; max-height: 20; border: thick $primary;
                              background: $surface; padding: 0 1; }
    ChooseDialog #choose-title { text-style: bold; }
    ChooseDialog OptionList { height: auto; max-height: 15; }
    ChooseDialog #choose-keys { color: $text-muted; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="frontdesk-choose-cancel", tooltip="Close without choosing")]

    def __init__(self, title: str, options: list[tuple[str, str]], current: str | None = None) -> None:
        super().__init__()
        self.choose_title = title
        self.options = options
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(plain(self.choose_title), id="choose-title")
            yield OptionList(*[Option(plain(label), id=value) for value, label in self.options], id="choose-list")
            yield Static("↑↓ move · Enter choose · Esc cancel", id="choose-keys")

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        values = [v for v, _ in self.options]
        if self.current in values:
            options.highlighted = values.index(self.current)
        options.focus()

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        """Close without choosing."""
        self.dismiss(None)
