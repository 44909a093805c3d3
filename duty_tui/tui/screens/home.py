"""Home: the duty dashboard — my work, my team's queue, today's counts."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Footer, Header, Static, TabbedContent, TabPane

from duty_tui.tui.widgets.table import DutyTable
from duty_tui.tui.screens.base import DutyScreen
from duty_tui.tui.text import due_cells, plain

if TYPE_CHECKING:
    from duty_tui.services.dashboard import Dashboard


class HomeScreen(DutyScreen):
    """The duty dashboard."""

    watches = {"case": None, "contact": None}  # kit/changes.py: my work, team queue, today's counts

    SCOPE_NAME = "home"
    TITLE = "Duty dashboard"
    BINDINGS = [
        Binding("r", "refresh", "Refresh", id="home-refresh", tooltip="Reload my work and my team's queue"),
        Binding("m", "show_tab('mine')", "My work", id="home-my-work", tooltip="Show cases assigned to me"),
        Binding("t", "show_tab('team')", "Team", id="home-team", tooltip="Show my team's queue"),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Loading…", id="stats")
        with TabbedContent(initial="mine"):
            with TabPane("My work", id="mine"):
                yield DutyTable(id="mine-table", cursor_type="row", zebra_stripes=True)
            with TabPane("Team queue", id="team"):
                yield DutyTable(id="team-table", cursor_type="row", zebra_stripes=True)
        yield Static("F2 search a person · Enter open the person on a case · F1 keys", id="home-hint")
        yield Footer()

    def on_mount(self) -> None:
        for table_id in ("#mine-table", "#team-table"):
            table = self.query_one(table_id, DutyTable)
            table.add_column("!", key="mark", width=2)
            table.add_column("Due", key="due", width=25)
            table.add_column("Case", key="ref", width=8)
            table.add_column("Person", key="person", width=14)
            table.add_column("Type: summary", key="summary")
        self.refresh_data()

    def refresh_data(self) -> None:
        """Reload the dashboard in a worker."""
        self.load()

    def action_refresh(self) -> None:
        """Reload."""
        self.refresh_data()

    def action_show_tab(self, tab: str) -> None:
        """Switch between my work and my team's queue."""
        self.query_one(TabbedContent).active = tab
        self.query_one(f"#{tab}-table", DutyTable).focus()

    @work(thread=True, exclusive=True, exit_on_error=False, group="dashboard")
    def load(self) -> None:
        from duty_tui.services.dashboard import load_dashboard

        board = load_dashboard(self.duty_app.ctx)
        self.app.call_from_thread(self._show, board)

    def _show(self, board: Dashboard) -> None:
        now = self.duty_app.ctx.now()
        team = board.team_name or "no team"
        self.query_one("#stats", Static).update(plain(
            f"Contacts today {board.contacts_today} │ My overdue {board.my_overdue} │ "
            f"{team}: {board.team_open} open, {board.team_overdue} overdue, {board.due_today} due today"
        ))
        self.query_one(TabbedContent).get_tab("mine").label = f"My work ({len(board.my_cases)})"
        self.query_one(TabbedContent).get_tab("team").label = f"Team queue ({board.team_open})"
        for table_id, cases in (("#mine-table", board.my_cases), ("#team-table", board.team_cases)):
            table = self.query_one(table_id, DutyTable)
            table.clear()
            for case in cases:
                mark, due = due_cells(case.due_at, now, self.duty_app.calendar, hours=case.priority == "emergency")
                table.add_row(mark, due, plain(case.ref), plain(case.person_name or "—"),
                              plain(f"{case.case_type}: {case.summary}"), key=f"{case.ref}|{case.person_ref or ''}|{case.case_type}")
        if not board.my_cases and board.team_cases:
            self.query_one(TabbedContent).active = "team"
            self.query_one("#team-table", DutyTable).focus()
        else:
            self.query_one("#mine-table", DutyTable).focus()

    @on(DataTable.RowSelected)
    def _open_person(self, event: DataTable.RowSelected) -> None:
        case_ref, person_ref, case_type = (str(event.row_key.value).split("|") + ["", ""])[:3]
        if case_type == "homelessness":
            try:
                from duty_tui.tui.screens.options_case import OptionsCaseScreen
            except ModuleNotFoundError:  # a build without the housing options area
                OptionsCaseScreen = None
            if OptionsCaseScreen is not None:
                self.app.push_screen(OptionsCaseScreen(case_ref, person_ref=person_ref or None))
                return
        if person_ref:
            from duty_tui.tui.screens.person import PersonScreen

            self.app.push_screen(PersonScreen(person_ref))
        else:
            self.notify("This case is not linked to a person.", severity="warning")
