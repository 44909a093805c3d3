"""Cash-ups counted and waiting for a second person's sign-off (and the last week's, for the report)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from duty_tui.areas.payments.services.cashup import CashUpView
from duty_tui.core.domain.money import format_pence
from duty_tui.core.tui.kit.list_screen import ListPage, ListScreen
from duty_tui.core.tui.kit.list_table import Column


class CashUpSignOffScreen(ListScreen):
    """The week's cash-ups, those awaiting sign-off first; Enter opens one's report."""

    SCOPE_NAME = "cashup-list"
    TITLE = "Cash-ups"
    LIST_ID = "cul-table"
    COUNT_ID = "cul-count"
    NOUN = ("cash-up", "cash-ups")
    EMPTY = "No cash-ups this week."
    RELOAD_ON_RESUME = True  # a sign-off on the report changes its row
    COLUMNS = (
        Column("ref", "Cash-up", priority=0, never_cut=True),
        Column("day", "Day", priority=0, never_cut=True),
        Column("till", "Till", priority=1, never_cut=True),
        Column("who", "Counted by", min=8, ideal=16, priority=2),
        Column("variance", "Variance", priority=0, never_cut=True, justify="right"),
        Column("state", "State", min=12, ideal=24, priority=1),
    )
    DEFAULT_CSS = """
    CashUpSignOffScreen #cul-message { height: auto; margin: 0 1; }
    """
    BINDINGS = [
        Binding("escape", "back", "Back", id="cashup-list-back", tooltip="Back to the previous screen"),
        Binding("f9", "reload", "Reload", id="cashup-list-reload", tooltip="Load the list again"),
    ]

    def compose_below(self) -> ComposeResult:
        yield Static("Enter open the report (s there signs it off) · Esc back", id="cul-message")

    @property
    def cashups(self) -> list[CashUpView]:
        """The cash-ups shown."""
        return self.items

    def fetch(self) -> ListPage:
        from duty_tui.areas.payments.services.cashup import recent_cashups

        rows = recent_cashups(self.duty_app.ctx)
        rows.sort(key=lambda c: (c.status != "counted", c.business_date, c.ref))
        return ListPage(rows)

    def row_key(self, item: CashUpView) -> str:
        return item.ref

    def row_cells(self, c: CashUpView) -> dict:
        state = "!! to sign off" if c.status == "counted" else f"signed off by {c.signed_off_by}"
        return {"ref": c.ref, "day": f"{c.business_date:%d/%m/%Y}", "till": c.till_code, "who": c.user_name,
                "variance": format_pence(c.variance_pence), "state": state}

    def describe_count(self, page: ListPage, shown: int) -> str:
        waiting = sum(1 for c in page.items if c.status == "counted")
        return f"{super().describe_count(page, shown)} · {waiting} to sign off (!!)" if shown else self.EMPTY

    def load(self) -> None:
        """Load the list again (the cursor stays on its cash-up)."""
        self.reload()

    def action_back(self) -> None:
        """Back."""
        self.app.pop_screen()

    def action_reload(self) -> None:
        """Load again."""
        self.reload()

    def open_item(self, item: CashUpView) -> None:
        from duty_tui.areas.payments.tui.cashup_report import CashUpReportScreen

        self.app.push_screen(CashUpReportScreen(item))
