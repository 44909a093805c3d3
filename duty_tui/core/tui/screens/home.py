"""Home: the duty dashboard — my work, my team's queue, today's counts."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Header, Static, TabbedContent, TabPane

from duty_tui.core.tui.cases import open_case
from duty_tui.core.tui.kit.footer import DutyFooter
from duty_tui.core.tui.kit.list_table import Column, ListRow, ListTable
from duty_tui.core.tui.kit.workers import Loaded
from duty_tui.core.tui.screens.base import DutyScreen
from duty_tui.core.tui.text import due_cells, plain

if TYPE_CHECKING:
    from duty_tui.core.services.dashboard import Dashboard

CASE_COLUMNS = (
    Column("mark", "!", priority=0, never_cut=True),
    Column("due", "Due", priority=0, never_cut=True),
    Column("person", "Person", min=12, priority=0),  # ideal 0: the whole name before anything less important
    Column("ref", "Case", priority=1, never_cut=True),
    Column("summary", "Type: summary", min=12, ideal=40, priority=2),
)
"""The dashboard's case lists: the due date and the person's whole name are never cut at 80 columns."""


class HomeScreen(DutyScreen):
    """The duty dashboard."""

    watches = {"case": None, "contact": None}  # kit/changes.py: my work, team queue, today's counts

    SCOPE_NAME = "home"
    TITLE = "Duty dashboard"
    BINDINGS = [
        Binding("r", "refresh", "Refresh", id="home-refresh", tooltip="Reload my work and my team's queue"),
        Binding("m", "show_tab('mine')", "My work", id="home-my-work", tooltip="Show cases assigned to me"),
        Binding("t", "show_tab('team')", "Team", id="home-team", tooltip="Show my team's queue"),
        Binding("w", "worktray", "Worklist", id="home-worktray",
                tooltip="Open my worklist (an income officer's: the arrears worklist)"),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Loading…", id="stats")
        with TabbedContent(initial="mine"):
            with TabPane("My work", id="mine"):
                yield ListTable(CASE_COLUMNS, id="mine-table")
            with TabPane("Team queue", id="team"):
                yield ListTable(CASE_COLUMNS, id="team-table")
        yield Static("F2 search a person · Enter open the person on a case · F1 keys", id="home-hint")
        yield DutyFooter()

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._shown = False

    def on_mount(self) -> None:
        self.refresh_data()

    def refresh_data(self) -> None:
        """Reload the dashboard in a worker."""
        self.load()

    def action_refresh(self) -> None:
        """Reload."""
        self.refresh_data()

    def _worktray(self):  # -> registry.Worktray | None
        from duty_tui.core import registry

        ctx = self.duty_app.ctx
        return next((area.worktray for area in registry.areas()
                     if area.worktray is not None and ctx.can(area.worktray.permission)), None)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "worktray":
            return self._worktray() is not None  # a role with no worklist is not offered w
        return super().check_action(action, parameters)

    def action_worktray(self) -> None:
        """Open the first worklist this role may work (the arrears worklist for income officers)."""
        tray = self._worktray()
        if tray is None:
            self.notify("Your role has no worklist here.", timeout=4)
            return
        from duty_tui.core import registry

        self.app.push_screen(registry.load(tray.screen)())

    def action_show_tab(self, tab: str) -> None:
        """Switch between my work and my team's queue."""
        self.query_one(TabbedContent).active = tab
        self.query_one(f"#{tab}-table", ListTable).focus()

    @work(thread=True, exclusive=True, exit_on_error=False, group="dashboard")
    def load(self) -> None:
        from duty_tui.core.services.dashboard import load_dashboard

        board = load_dashboard(self.duty_app.ctx)
        self.post_message(Loaded(board))

    @on(Loaded)
    def _loaded_view(self, message: Loaded) -> None:
        self._show(message.view)

    def _show(self, board: Dashboard) -> None:
        now = self.duty_app.ctx.now()
        team = board.team_name or "no team"
        capped = (f" │ showing the first {len(board.team_cases)} of {board.team_open}: F7 for the whole queue"
                  if len(board.team_cases) < board.team_open else "")
        self.query_one("#stats", Static).update(plain(
            f"Contacts today {board.contacts_today} │ My overdue {board.my_overdue} │ "
            f"{team}: {board.team_open} open, {board.team_overdue} overdue, {board.due_today} due today{capped}"
        ))
        self.query_one(TabbedContent).get_tab("mine").label = f"My work ({len(board.my_cases)})"
        self.query_one(TabbedContent).get_tab("team").label = f"Team queue ({board.team_open})"
        for table_id, cases in (("#mine-table", board.my_cases), ("#team-table", board.team_cases)):
            rows = []
            for case in cases:
                mark, due = due_cells(case.due_at, now, self.duty_app.calendar, hours=case.priority == "emergency")
                rows.append(ListRow(f"{case.ref}|{case.person_ref or ''}|{case.case_type}", {
                    "mark": mark, "due": due, "ref": case.ref, "person": case.person_name or "—",
                    "summary": f"{case.case_type.replace('_', ' ')}: {case.summary}"}))
            self.query_one(table_id, ListTable).set_rows(rows)  # the cursor stays on its case
        if self._shown:
            return  # a reload: the tab and the row the person was on stay as they were
        self._shown = True
        if not board.my_cases and board.team_cases:
            self.query_one(TabbedContent).active = "team"
            self.query_one("#team-table", ListTable).focus()
        else:
            self.query_one("#mine-table", ListTable).focus()

    @on(DataTable.RowSelected)
    def _open_person(self, event: DataTable.RowSelected) -> None:
        case_ref, person_ref, case_type = (str(event.row_key.value).split("|") + ["", ""])[:3]
        if case_type == "homelessness" and open_case(self.app, case_ref, case_type, person_ref=person_ref or None):
            return
        if person_ref:
            from duty_tui.core.tui.screens.person import PersonScreen

            self.app.push_screen(PersonScreen(person_ref))
        else:
            self.notify("This case is not linked to a person.", severity="warning")
