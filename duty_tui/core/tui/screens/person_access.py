"""Who has looked at this person: the audit trail about one person, newest first (team leaders)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from duty_tui.core.domain.local_time import format_local
from duty_tui.core.tui.kit.list_screen import ListPage, ListScreen
from duty_tui.core.tui.kit.list_table import Column, DutyTable
from duty_tui.core.tui.screens.base import DutyScreen
from duty_tui.core.tui.text import plain

if TYPE_CHECKING:
    from duty_tui.core.services.audit_views import AccessEntry, AccessLog

LIMIT = 500


class PersonAccessScreen(ListScreen):
    """Every view and change of a person's records: when, who, what, which record, from which terminal."""

    SCOPE_NAME = "person_access"
    TITLE = "Who has looked at this person"
    LIST_ID = "access-table"
    COUNT_ID = "access-heading"
    NOUN = ("event", "events")
    COLUMNS = (
        Column("when", "When", priority=0, never_cut=True),
        Column("who", "Staff", priority=0, never_cut=True),
        Column("what", "What", min=14, ideal=30, priority=1),
        Column("record", "Record", priority=2, never_cut=True),
        Column("terminal", "Terminal", min=8, ideal=18, priority=3),
        Column("role", "Role", min=8, ideal=18, priority=4),
    )
    DEFAULT_CSS = """
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

    @property
    def entries(self) -> list[AccessEntry]:
        """The events shown, newest first."""
        return self.items

    def compose_below(self) -> ComposeResult:
        yield Static("", id="access-detail")

    def load_on_mount(self) -> bool:
        if self.person_ref is None:
            self.say_count("Open a person first (F2 to search). Esc back.")
            return False
        return True

    def action_back(self) -> None:
        """Back to the person."""
        self.app.pop_screen()

    def action_reload(self) -> None:
        """Load again."""
        if self.person_ref is not None:
            self.reload()

    def fetch(self) -> ListPage:
        from duty_tui.core.services.audit_views import person_access_log

        assert self.person_ref is not None
        log = person_access_log(self.duty_app.ctx, self.person_ref, limit=LIMIT)
        return ListPage(list(log.entries), total=len(log.entries), more_than=log.more, extra=log,
                        narrow=f"older ones not shown (the last {LIMIT})")

    def row_key(self, entry: AccessEntry) -> str:
        return str(entry.event_id)

    def row_cells(self, entry: AccessEntry) -> dict:
        return {"when": format_local(entry.at), "who": entry.username, "what": entry.what, "record": entry.record,
                "terminal": entry.terminal, "role": entry.role or "—"}

    def on_worker_error(self, error: BaseException | None) -> None:
        self.say_count(f"Could not load who has looked at {self.person_ref}. Esc to go back.")
        DutyScreen.on_worker_error(self, error)

    def describe_count(self, page: ListPage, shown: int) -> str:
        log: AccessLog = page.extra
        more = f"; older ones not shown (the last {LIMIT})" if log.more else ""
        return f"{log.person_name} ({log.person_ref}) — {shown} event{'s' if shown != 1 else ''}, newest first{more}"

    def after_load(self, page: ListPage) -> None:
        log: AccessLog = page.extra
        self.title = f"Who has looked at {log.person_name} ({log.person_ref})"
        self._show_detail()

    def on_data_table_row_highlighted(self, event: DutyTable.RowHighlighted) -> None:
        self._show_detail()

    def _show_detail(self) -> None:
        detail = self.query_one("#access-detail", Static)
        entry = self.highlighted()
        if entry is None:
            detail.update("")
            return
        text = Text()
        text.append(plain(f"{format_local(entry.at, '%d/%m/%Y %H:%M:%S')} ", style="bold"))
        text.append(plain(f"{entry.display_name} ({entry.username}, {entry.role or 'no role'}) {entry.what}: "
                          f"{entry.record}, from {entry.terminal} · event #{entry.event_id}"))
        detail.update(text)
