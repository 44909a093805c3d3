"""The options caseload: every open homelessness case with every clock.

Relief ends, decision due, review due and plan review due each have a column; "!!" marks a
case with any clock past (text, not colour alone), "!" one due today.
"""

from __future__ import annotations

from datetime import date

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Footer, Header, Static

from duty_tui.domain.homelessness_casework import STAGE_WORDS
from duty_tui.tui.screens.base import DutyScreen
from duty_tui.tui.text import plain
from duty_tui.tui.widgets.table import DutyTable


def clock_cell(due: date | None, today: date) -> Text:
    """A date as 'dd Mon', bold when today, marked when past."""
    if due is None:
        return Text("")
    label = f"{due.day:02d} {due:%b}"
    if due < today:
        return Text(label, style="bold red")
    if due == today:
        return Text(label, style="bold yellow")
    return Text(label)


class OptionsCasesScreen(DutyScreen):
    """My (or my team's) open homelessness cases, soonest clock first."""

    watches = {"case": None}  # kit/changes.py: any case

    SCOPE_NAME = "options-cases"
    TITLE = "Options caseload"
    BINDINGS = [
        Binding("m", "scope('mine')", "Mine", id="housing-caseload-mine", tooltip="Only cases assigned to me"),
        Binding("t", "scope('team')", "Team", id="housing-caseload-team", tooltip="Every open homelessness case"),
        Binding("r", "refresh", "Refresh", id="housing-caseload-refresh", tooltip="Load the caseload again"),
        Binding("n", "new_approach", "New approach", id="housing-caseload-new", tooltip="Triage a new approach (F6)"),
        Binding("s", "statistics", "Statistics", id="housing-caseload-statistics",
                tooltip="The quarter's homelessness statistics"),
        Binding("escape", "back", "Back", id="housing-caseload-back", tooltip="Back to the previous screen"),
    ]
    DEFAULT_CSS = """
    OptionsCasesScreen #caseload-status { height: 1; padding: 0 1; }
    OptionsCasesScreen #caseload { height: 1fr; }
    """

    def __init__(self, scope: str = "team") -> None:
        super().__init__()
        self.scope = scope

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Loading…", id="caseload-status")
        yield DutyTable(id="caseload", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#caseload", DutyTable)
        table.add_column("!", key="mark", width=2)
        table.add_column("Case", key="case", width=8)
        table.add_column("Person", key="person", width=14)
        table.add_column("Stage", key="stage", width=10)
        table.add_column("Relief end", key="relief", width=10)
        table.add_column("Decide", key="decision", width=6)
        table.add_column("Review", key="review", width=6)
        table.add_column("Plan", key="plan", width=6)
        table.focus()
        self.load()

    def action_scope(self, scope: str) -> None:
        """Mine or the team's."""
        self.scope = scope
        self.load()

    def action_refresh(self) -> None:
        """Reload."""
        self.load()

    def action_back(self) -> None:
        """Back."""
        self.app.pop_screen()

    def action_new_approach(self) -> None:
        """Triage a new approach."""
        from duty_tui.tui.screens.approach import ApproachScreen

        self.app.push_screen(ApproachScreen())

    def action_statistics(self) -> None:
        """The quarter's statistics."""
        from duty_tui.tui.screens.options_stats import HomelessnessStatsScreen

        self.app.push_screen(HomelessnessStatsScreen())

    def on_screen_resume(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="caseload")
    def load(self) -> None:
        from duty_tui.services.housing import options_caseload

        rows = options_caseload(self.duty_app.ctx, self.scope)
        self.app.call_from_thread(self._show, rows)

    def _show(self, rows) -> None:
        today = self.duty_app.ctx.today()
        table = self.query_one("#caseload", DutyTable)
        table.clear()
        overdue = 0
        for row in rows:
            clocks = [d for d in (row.relief_ends, row.decision_due, row.review_due, row.plan_review) if d]
            clocks += [c.due for c in row.other]
            mark = ""
            if row.nowhere_tonight:
                mark = "!!"
            if any(d < today for d in clocks):
                mark, overdue = "!!", overdue + 1
            elif not mark and any(d == today for d in clocks):
                mark = "!"
            stage = STAGE_WORDS.get(row.stage, row.stage) + (" TA" if row.in_ta else "")
            table.add_row(Text(mark, style="bold red" if mark == "!!" else "bold yellow"), plain(row.case_ref),
                          plain(row.person_name or "— no applicant —"), plain(stage),
                          clock_cell(row.relief_ends, today), clock_cell(row.decision_due, today),
                          clock_cell(row.review_due, today), clock_cell(row.plan_review, today), key=row.case_ref)
        who = "my cases" if self.scope == "mine" else "team"
        self.query_one("#caseload-status", Static).update(plain(
            f"{len(rows)} open ({who}) · {overdue} with a clock past · Enter open · n new · m/t mine/team · s stats"))

    @on(DataTable.RowSelected, "#caseload")
    def _open(self, event: DataTable.RowSelected) -> None:
        from duty_tui.tui.screens.options_case import OptionsCaseScreen

        self.app.push_screen(OptionsCaseScreen(str(event.row_key.value)))
