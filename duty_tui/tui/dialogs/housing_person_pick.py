"""Choose the applicant for a homelessness approach: quick-find, or add someone new.

``push_screen(PersonPickDialog(), callback)``: the callback gets the person's ref, or None.
"""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Input, Static
from textual.worker import get_current_worker

from duty_tui.tui.screens.base import DutyModal
from duty_tui.tui.text import plain
from duty_tui.tui.widgets.table import DutyTable


class PersonPickDialog(DutyModal):  # dismisses with a person ref | None
    """Find the applicant by name, ref, postcode or phone; F9 to add someone not yet on the system."""

    SCOPE_NAME = "pick-applicant"
    DEFAULT_CSS = """
    PersonPickDialog { align: center middle; }
    PersonPickDialog > Vertical { width: 76; height: 20; border: thick $primary; background: $surface; padding: 0 1; }
    PersonPickDialog #pick-results { height: 1fr; }
    PersonPickDialog Input { width: 1fr; }
    PersonPickDialog #pick-status { height: auto; color: $text-muted; }
    """
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="housing-pick-cancel", tooltip="Close without choosing"),
        Binding("down", "to_results", "Results", id="housing-pick-results", show=False,
                tooltip="Move from the search box to the results"),
        Binding("f9", "new_applicant", "New applicant", id="housing-pick-new", priority=True,
                tooltip="Add someone who is not on the system yet (name, address, household)"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._timer = None
        self._last = ""

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("Who is the applicant?", classes="pick-title")
            yield Input(placeholder="name, P ref, postcode or phone", id="pick-query", max_length=100, compact=True)
            yield Static("Type at least two letters. F9 adds someone new.", id="pick-status")
            yield DutyTable(id="pick-results", cursor_type="row")

    def on_mount(self) -> None:
        table = self.query_one("#pick-results", DutyTable)
        table.add_column("Ref", width=8)
        table.add_column("Name", width=22)
        table.add_column("Born", width=4)
        table.add_column("Address")
        self.query_one("#pick-query", Input).focus()

    def action_cancel(self) -> None:
        """Close without choosing."""
        self.dismiss(None)

    def action_to_results(self) -> None:
        """Into the results."""
        table = self.query_one("#pick-results", DutyTable)
        if table.row_count:
            table.focus()

    @on(Input.Changed, "#pick-query")
    def _typed(self) -> None:
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(0.12, self._search_now)

    @on(Input.Submitted, "#pick-query")
    def _submitted(self) -> None:
        table = self.query_one("#pick-results", DutyTable)
        if self.query_one("#pick-query", Input).value.strip() != self._last:
            self._search_now()
        elif table.row_count == 1:
            self.dismiss(str(table.coordinate_to_cell_key((0, 0)).row_key.value))
        elif table.row_count:
            table.focus()

    def _search_now(self) -> None:
        query = self.query_one("#pick-query", Input).value.strip()
        self._last = query
        if len(query) < 2:
            self.query_one("#pick-results", DutyTable).clear()
            return
        self.search(query)

    @work(thread=True, exclusive=True, exit_on_error=False, group="pick-search")
    def search(self, query: str) -> None:
        from duty_tui.services.search import find_people

        hits = find_people(self.app.ctx, query, limit=30)  # type: ignore[attr-defined]
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._show, query, hits)

    def _show(self, query: str, hits) -> None:
        if query != self._last:
            return
        table = self.query_one("#pick-results", DutyTable)
        table.clear()
        for hit in hits:
            table.add_row(plain(hit.ref), plain(hit.name), plain(hit.born or ""), plain(hit.address or "—"),
                          key=hit.ref)
        self.query_one("#pick-status", Static).update(plain(
            f"{len(hits)} found: ↓ then Enter to choose. F9 adds someone new." if hits
            else f"No one found for {query!r}. F9 adds them as a new applicant."))

    @on(DataTable.RowSelected, "#pick-results")
    def _chosen(self, event: DataTable.RowSelected) -> None:
        self.dismiss(str(event.row_key.value))

    def action_new_applicant(self) -> None:
        """Add someone new: name, date of birth, postal address and household, in a form of its own."""
        from duty_tui.tui.dialogs.housing_new_applicant import NewApplicantDialog

        query = self.query_one("#pick-query", Input).value.split()
        names = ("", "")
        if len(query) >= 2 and not any(c.isdigit() for c in "".join(query)):
            names = (query[0].title(), " ".join(query[1:]).title())

        def added(ref: str | None) -> None:
            if ref:
                self.dismiss(ref)

        self.app.push_screen(NewApplicantDialog(*names), added)

    def on_worker_error(self, error: BaseException | None) -> None:
        from duty_tui.errors import InputError

        if isinstance(error, InputError):
            self.query_one("#pick-status", Static).update(plain("✗ " + "; ".join(error.problems)))
        super().on_worker_error(error)
