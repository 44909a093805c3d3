"""Global search: results as you type; enough shown to tell two 'J Smith's apart."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Footer, Header, Input, Static
from textual.worker import get_current_worker

from duty_tui.tui.widgets.table import DutyTable
from duty_tui.tui.screens.base import DutyScreen
from duty_tui.tui.text import plain

if TYPE_CHECKING:
    from duty_tui.services.search import PersonHit

DEBOUNCE_SECONDS = 0.12


class SearchScreen(DutyScreen):
    """Find a person by name (fuzzy), address, postcode, phone or any ref."""

    SCOPE_NAME = "search"
    TITLE = "Search"
    NAV_TRANSIENT = True  # kit/navigation.py: the person it opens takes its place (Escape goes to the dashboard)
    BINDINGS = [
        Binding("escape", "close", "Back", id="search-close", tooltip="Close the search"),
        Binding("down", "to_results", "Results", id="search-results", show=False,
                tooltip="Move from the search box to the results"),
    ]

    def __init__(self, initial: str = "") -> None:
        super().__init__()
        self._initial = initial
        self._timer = None
        self._last_query = ""

    def compose(self) -> ComposeResult:
        yield Header()
        yield Input(value=self._initial, placeholder="name, address, postcode, phone, P/T/RNT/C ref…", id="query",
                    max_length=100)
        yield Static("Type at least two letters. Misspellings are fine: 'smyth' finds Smith.", id="search-status")
        yield DutyTable(id="results", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#results", DutyTable)
        table.add_column("Ref", key="ref", width=8)
        table.add_column("Name", key="name", width=20)
        table.add_column("Born", key="born", width=4)
        table.add_column("!", key="alerts", width=2)
        table.add_column("Tenancy", key="tenancy", width=7)
        table.add_column("Address", key="address")
        self.focus_query()
        if self._initial:
            self._search_now()

    def focus_query(self) -> None:
        """Put the cursor in the search box, text selected for retyping."""
        query = self.query_one("#query", Input)
        query.focus()

    def action_close(self) -> None:
        """Close the search."""
        self.dismiss() if self.is_modal else self.app.pop_screen()

    def action_to_results(self) -> None:
        """Move to the results table."""
        table = self.query_one("#results", DutyTable)
        if table.row_count:
            table.focus()

    @on(Input.Changed, "#query")
    def _typed(self) -> None:
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(DEBOUNCE_SECONDS, self._search_now)

    @on(Input.Submitted, "#query")
    def _submitted(self) -> None:
        table = self.query_one("#results", DutyTable)
        if self.query_one("#query", Input).value.strip() != self._last_query:
            self._search_now()
        elif table.row_count == 1:
            self._open(str(table.coordinate_to_cell_key((0, 0)).row_key.value))
        elif table.row_count:
            table.focus()

    def _search_now(self) -> None:
        query = self.query_one("#query", Input).value.strip()
        self._last_query = query
        if len(query) < 2:
            self.query_one("#results", DutyTable).clear()
            self.query_one("#search-status", Static).update("Type at least two letters.")
            return
        self.run_search(query)

    @work(thread=True, exclusive=True, exit_on_error=False, group="search")
    def run_search(self, query: str) -> None:
        from duty_tui.services.search import find_people

        hits = find_people(self.duty_app.ctx, query, limit=50)
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._show, query, hits)

    def _show(self, query: str, hits: list[PersonHit]) -> None:
        if query != self._last_query:
            return  # an older search finished after a newer one started
        table = self.query_one("#results", DutyTable)
        table.clear()
        for hit in hits:
            table.add_row(plain(hit.ref), plain(hit.name), plain(hit.born or ""),
                          plain("⚠" if hit.alerts else ""), plain(hit.tenancy_ref or "—"),
                          plain(hit.address or "no current address"), key=hit.ref)
        status = self.query_one("#search-status", Static)
        if hits:
            kind = hits[0].matched_on
            status.update(plain(f"{len(hits)} found by {kind}{' (best first)' if kind == 'name' else ''}. "
                                "↓ to choose, Enter to open. ⚠ = cautionary alert."))
        else:
            status.update(plain(f"No one found for {query!r}. Try a postcode, a phone number or part of the surname."))

    @on(DataTable.RowSelected, "#results")
    def _selected(self, event: DataTable.RowSelected) -> None:
        self._open(str(event.row_key.value))

    def _open(self, ref: str) -> None:
        from duty_tui.tui.screens.person import PersonScreen

        self.app.push_screen(PersonScreen(ref))
