"""The options caseload: every open homelessness case, its most urgent clock named in words.

Cases owed interim accommodation (s188) with no placement recorded come first, marked
"IA!" and said in words below the list; then the rest, soonest clock first. The clock
column says which clock and how late: "relief ends 12/11/2026 (overdue 5 days)". "!!"
marks a case with a clock overdue (text, not colour alone), "!" one due today. Wider
terminals add the officer, the stage and a column for each clock.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Static

from duty_tui.areas.housing_options.domain.casework import STAGE_WORDS, Clock
from duty_tui.core.tui.kit.list_screen import ListPage, ListScreen, Sort
from duty_tui.core.tui.kit.list_table import Column
from duty_tui.core.tui.text import plain

if TYPE_CHECKING:
    from duty_tui.areas.housing_options.services.caseload import CaselineView

NOTICE_ONLY = {"prevention_56"}
"""Clocks whose passing ends nothing: the prevention duty continues until ended by notice (s195(8))."""


def clock_cell(due: date | None, today: date) -> Text:
    """A date as dd/mm/yyyy, marked in words when today or past."""
    if due is None:
        return Text("")
    label = f"{due:%d/%m/%Y}"
    if due < today:
        return Text(f"{label} !!", style="bold red")
    if due == today:
        return Text(f"{label} !", style="bold yellow")
    return Text(label)


def days(n: int) -> str:
    """'1 day', '5 days'."""
    return f"{n} day{'s' if n != 1 else ''}"


WEIGHT = {"relief_ends": 0, "decision_due": 1, "bnb_limit": 1, "review_due": 2, "plan_review": 3}
"""Which overdue clock to name first: the statutory ones before the plan's own review date."""


def urgent_clock(line: CaselineView, today: date) -> Clock | None:
    """The clock to show: an overdue one that ends something (statutory first), else the soonest."""
    overdue = [c for c in line.clocks if c.due < today and c.name not in NOTICE_ONLY]
    if overdue:
        return min(overdue, key=lambda c: (WEIGHT.get(c.name, 2), c.due, c.name))
    return min(line.clocks, key=lambda c: (c.due, c.name), default=None)


def clock_words(clock: Clock | None, today: date) -> str:
    """'relief ends 12/11/2026 (overdue 5 days)', 'decision due 10/03/2026 (today)'."""
    if clock is None:
        return "no clock running"
    when = f"{clock.due:%d/%m/%Y}"
    late = (today - clock.due).days
    if clock.name in NOTICE_ONLY and late > 0:
        return f"56 days passed {when} (until notice)"
    if late > 0:
        return f"{clock.label} {when} (overdue {days(late)})"
    if late == 0:
        return f"{clock.label} {when} (today)"
    return f"{clock.label} {when} (in {days(-late)})"


def mark_of(line: CaselineView, today: date) -> Text:
    """IA! (interim accommodation owed, no placement), !! (a clock overdue, or nowhere tonight), ! (today)."""
    if line.interim_unplaced:
        return Text("IA!", style="bold red")
    clocks = [c for c in line.clocks if c.name not in NOTICE_ONLY]
    if line.nowhere_tonight or any(c.due < today for c in clocks):
        return Text("!!", style="bold red")
    if any(c.due == today for c in line.clocks):
        return Text("!", style="bold yellow")
    return Text("")


class OptionsCasesScreen(ListScreen):
    """My (or my team's) open homelessness cases: interim accommodation owed first, then soonest clock."""

    watches = {"case": None}  # kit/changes.py: any case

    SCOPE_NAME = "options-cases"
    TITLE = "Options caseload"
    LIST_ID = "caseload"
    COUNT_ID = "caseload-status"
    NOUN = ("open case", "open cases")
    RELOAD_ON_RESUME = True  # what was done on a case changes its clocks
    COLUMNS = (
        Column("mark", "!", priority=0, never_cut=True),
        Column("case", "Case", priority=2, never_cut=True),
        Column("person", "Person", min=12, ideal=26, priority=0),
        Column("clock", "Most urgent clock", priority=0, never_cut=True),
        Column("stage", "Stage", min=6, ideal=10, priority=3),
        Column("officer", "Officer", min=8, ideal=18, priority=4),
        Column("relief", "Relief ends", priority=5, never_cut=True),
        Column("decision", "Decision", priority=5, never_cut=True),
        Column("review", "Review", priority=6, never_cut=True),
        Column("plan", "Plan review", priority=6, never_cut=True),
    )
    SORTS = (
        Sort("by name", key=lambda line: ((line.person_name or "~").split()[-1:], line.person_name or "")),
        Sort("by case", key=lambda line: line.case_ref),
    )
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
    OptionsCasesScreen #caseload-detail { height: auto; max-height: 3; padding: 0 1; border-top: solid $panel; }
    """

    def __init__(self, scope: str = "team") -> None:
        super().__init__()
        self.scope = scope

    def compose_below(self) -> ComposeResult:
        yield Static("", id="caseload-detail")

    def fetch(self) -> ListPage:
        from duty_tui.areas.housing_options.services.caseload import options_caseload

        return ListPage(options_caseload(self.duty_app.ctx, self.scope))

    def row_key(self, line: CaselineView) -> str:
        return line.case_ref

    def row_cells(self, line: CaselineView) -> dict:
        today = self.duty_app.ctx.today()
        stage = STAGE_WORDS.get(line.stage, line.stage) + (" TA" if line.in_ta else "")
        if line.nowhere_tonight:
            clock = "nowhere to stay tonight: see today"
        elif line.clocks:
            clock = clock_words(urgent_clock(line, today), today)
        else:
            clock = f"no clock running ({STAGE_WORDS.get(line.stage, line.stage)})"
        return {"mark": mark_of(line, today), "case": line.case_ref, "person": line.person_name or "— no applicant —",
                "clock": clock, "stage": stage,
                "officer": line.assignee or "unassigned", "relief": clock_cell(line.relief_ends, today),
                "decision": clock_cell(line.decision_due, today), "review": clock_cell(line.review_due, today),
                "plan": clock_cell(line.plan_review, today)}

    def describe_count(self, page: ListPage, shown: int) -> str:
        today = self.duty_app.ctx.today()
        who = "my cases" if self.scope == "mine" else "team"
        lines: list[CaselineView] = list(page.items)
        interim = sum(1 for line in lines if line.interim_unplaced)
        overdue = sum(1 for line in lines if any(c.due < today and c.name not in NOTICE_ONLY for c in line.clocks))
        parts = [f"{shown} open ({who})"]
        if interim:
            parts.append(f"{interim} owed interim accommodation, no placement (IA!, first)")
        parts.append(f"{overdue} with a clock overdue (!!)")
        return " · ".join(parts)

    def after_load(self, page: ListPage) -> None:
        self._detail()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._detail()

    def _detail(self) -> None:
        line: CaselineView | None = self.highlighted()
        detail = self.query_one("#caseload-detail", Static)
        if line is None:
            detail.update(plain("No open cases. n starts a new approach." if not self.items else ""))
            return
        today = self.duty_app.ctx.today()
        text = Text()
        text.append(plain(f"{line.case_ref} {line.person_name or 'no applicant'}", style="bold"))
        text.append(plain(f" · {STAGE_WORDS.get(line.stage, line.stage)} · {line.assignee or 'unassigned'}"
                          + (" · in TA" if line.in_ta else "")))
        if line.interim_unplaced:
            text.append(plain("\nINTERIM ACCOMMODATION OWED (s188): no placement recorded", style="bold"))
        elif line.nowhere_tonight:
            text.append(plain("\nNOWHERE TO STAY TONIGHT: see today", style="bold"))
        if line.clocks:
            text.append(plain("\n" + " · ".join(clock_words(c, today) for c in line.clocks)))
        detail.update(text)

    def action_scope(self, scope: str) -> None:
        """Mine or the team's."""
        self.scope = scope
        self.reload()

    def action_refresh(self) -> None:
        """Reload."""
        self.reload()

    def load(self) -> None:
        """Load again (the cursor stays on its case)."""
        self.reload()

    def action_back(self) -> None:
        """Back."""
        self.app.pop_screen()

    def action_new_approach(self) -> None:
        """Triage a new approach."""
        from duty_tui.areas.housing_options.tui.approach import ApproachScreen

        self.app.push_screen(ApproachScreen())

    def action_statistics(self) -> None:
        """The quarter's statistics."""
        from duty_tui.areas.housing_options.tui.stats import HomelessnessStatsScreen

        self.app.push_screen(HomelessnessStatsScreen())

    def open_item(self, line: CaselineView) -> None:
        from duty_tui.areas.housing_options.tui.case import OptionsCaseScreen

        self.app.push_screen(OptionsCaseScreen(line.case_ref))
