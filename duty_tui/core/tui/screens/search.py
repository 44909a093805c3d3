"""Global search (F2): the kit's person picker on a whole screen; enough shown to tell two 'J Smith's apart."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Header

from duty_tui.core.tui.kit.footer import DutyFooter
from duty_tui.core.tui.kit.person_picker import PersonPicker
from duty_tui.core.tui.screens.base import DutyScreen


class SearchScreen(DutyScreen):
    """Find a person by name (fuzzy), address, postcode, phone or any ref — or several at once."""

    SCOPE_NAME = "search"
    TITLE = "Search"
    DEFAULT_CSS = """
    SearchScreen PersonPicker { padding: 0 1; }
    """
    NAV_TRANSIENT = True  # kit/navigation.py: the person it opens takes its place (Escape goes to the dashboard)
    BINDINGS = [
        Binding("escape", "close", "Back", id="search-close", tooltip="Close the search"),
    ]

    def __init__(self, initial: str = "") -> None:
        super().__init__()
        self._initial = initial

    def compose(self) -> ComposeResult:
        yield Header()
        yield PersonPicker(query_id="query", results_id="results", status_id="search-status", limit=50,
                           value=self._initial, compact=False, classes="fill",
                           placeholder="name, street, postcode, phone, P/T/RNT/C ref — or several: smith sn1 3sn")
        yield DutyFooter()

    def on_mount(self) -> None:
        self.focus_query()

    @property
    def picker(self) -> PersonPicker:
        """The search box and its results."""
        return self.query_one(PersonPicker)

    def focus_query(self) -> None:
        """Put the cursor in the search box."""
        self.picker.focus_query()

    def action_close(self) -> None:
        """Close the search."""
        self.dismiss() if self.is_modal else self.app.pop_screen()

    @on(PersonPicker.Chosen)
    def _chosen(self, event: PersonPicker.Chosen) -> None:
        from duty_tui.core.tui.screens.person import PersonScreen

        self.app.push_screen(PersonScreen(event.ref))
