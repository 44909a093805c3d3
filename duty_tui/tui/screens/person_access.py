"""Who has looked at this person: the audit trail about one person, newest first (team leaders)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Footer, Header, Static

from duty_tui.domain.local_time import format_local
from duty_tui.tui.screens.base import DutyScreen
from duty_tui.tui.text import plain
from duty_tui.tui.widgets.table import DutyTable

if TYPE_CHECKING:
    from duty_tui.services.audit_views import AccessEntry, AccessLog

LIMIT = 500


class PersonAccessScreen(DutyScreen):
    """Every view and change of a person's records: when, who, what, which record, from which terminal."""

    SCOPE_NAME = "person_access"
    TITLE = "Who has looked at this person"
    DEFAULT_CSS = """
    PersonAccessScreen #access-heading { height: auto; margin: 0 1; }
    PersonAccessScreen #access-table { height: 1fr; margin: 0 1; }
    PersonAccessScreen #access-detail { height: 3; margin: 0 1; }
    """
    BINDINGS = [
        Binding("escape", "back", "Back", id="person-access-back", tooltip="Back to the person"),
        Binding("r", "reload", "Reload", id="person-access-reload",
                tooltip="Load the log again (this look is audited too)"),
    ]

    def __init__(self, person_ref: str | None = None) -> None:
        super().__init__()
        self.person_ref = person_ref
        self.entries: list[AccessEntry] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(plain(f"Loading {self.person_ref or ''}…"), id="access-heading")
        yield DutyTable(id="access-table", cursor_type="row", zebra_stripes=True)
        yield Static("", id="access-detail")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#access-table", DutyTable)
        table.add_column("When", key="when", width=16)
        table.add_column("Staff", key="who", width=10)
        table.add_column("What", key="what", width=26)
        table.add_column("Record", key="record", width=16)
        table.add_column("Terminal", key="terminal", width=18)
        table.add_column("Role", key="role", width=18)
        table.focus()
        if self.person_ref is None:
            self.query_one("#access-heading", Static).update(plain("Open a person first (F2 to search). Esc back."))
            return
        self.load()

    def action_back(self) -> None:
        """Back to the person."""
        self.app.pop_screen()

    def action_reload(self) -> None:
        """Load again."""
        if self.person_ref is not None:
            self.load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="person-access")
    def load(self) -> None:
        from duty_tui.services.audit_views import person_access_log

        assert self.person_ref is not None
        log = person_access_log(self.duty_app.ctx, self.person_ref, limit=LIMIT)
        self.app.call_from_thread(self._show, log)

    def on_worker_error(self, error: BaseException | None) -> None:
        self.query_one("#access-heading", Static).update(
            plain(f"Could not load who has looked at {self.person_ref}. Esc to go back."))
        super().on_worker_error(error)

    def _show(self, log: AccessLog) -> None:
        self.entries = list(log.entries)
        self.title = f"Who has looked at {log.person_name} ({log.person_ref})"
        heading = Text()
        heading.append(plain(f"{log.person_name} ({log.person_ref})", style="bold"))
        count = len(log.entries)
        heading.append(plain(f" — {count} event{'s' if count != 1 else ''}, newest first"
                             + (f"; older ones not shown (the last {LIMIT})" if log.more else "")))
        self.query_one("#access-heading", Static).update(heading)
        table = self.query_one("#access-table", DutyTable)
        table.clear()
        for entry in log.entries:
            table.add_row(plain(format_local(entry.at)), plain(entry.username), plain(entry.what),
                          plain(entry.record), plain(entry.terminal), plain(entry.role or "—"),
                          key=str(entry.event_id))
        self._show_detail(0)

    def on_data_table_row_highlighted(self, event: DutyTable.RowHighlighted) -> None:
        self._show_detail(event.cursor_row)

    def _show_detail(self, row: int) -> None:
        detail = self.query_one("#access-detail", Static)
        if not 0 <= row < len(self.entries):
            detail.update("")
            return
        entry = self.entries[row]
        text = Text()
        text.append(plain(f"{format_local(entry.at, '%d/%m/%Y %H:%M:%S')} ", style="bold"))
        text.append(plain(f"{entry.display_name} ({entry.username}, {entry.role or 'no role'}) {entry.what}: "
                          f"{entry.record}, from {entry.terminal} · event #{entry.event_id}"))
        detail.update(text)
