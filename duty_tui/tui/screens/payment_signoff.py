"""Cash-ups counted and waiting for a second person's sign-off (and the last week's, for the report)."""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Footer, Header, Static

from duty_tui.domain.money import format_pence
from duty_tui.services.payments_cashup import CashUpView
from duty_tui.tui.screens.base import DutyScreen
from duty_tui.tui.text import plain
from duty_tui.tui.widgets.table import DutyTable


class CashUpSignOffScreen(DutyScreen):
    """The week's cash-ups, those awaiting sign-off first; Enter opens one's report."""

    SCOPE_NAME = "cashup-list"
    TITLE = "Cash-ups"
    DEFAULT_CSS = """
    CashUpSignOffScreen #cul-table { height: 1fr; margin: 0 1; }
    CashUpSignOffScreen #cul-message { height: auto; margin: 0 1; }
    """
    BINDINGS = [
        Binding("escape", "back", "Back", id="cashup-list-back", tooltip="Back to the previous screen"),
        Binding("f9", "reload", "Reload", id="cashup-list-reload", tooltip="Load the list again"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.cashups: list[CashUpView] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield DutyTable(id="cul-table", cursor_type="row", zebra_stripes=True)
        yield Static("Enter open the report (s there signs it off) · Esc back", id="cul-message")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#cul-table", DutyTable)
        table.add_column("Cash-up", key="ref", width=9)
        table.add_column("Day", key="day", width=10)
        table.add_column("Till", key="till", width=6)
        table.add_column("Counted by", key="who", width=16)
        table.add_column("Variance", key="variance", width=10)
        table.add_column("State", key="state")
        table.focus()
        self.load()

    def on_screen_resume(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="cashup-list")
    def load(self) -> None:
        from duty_tui.services.payments_cashup import recent_cashups

        rows = recent_cashups(self.duty_app.ctx)
        rows.sort(key=lambda c: (c.status != "counted", c.business_date, c.ref))
        self.app.call_from_thread(self._show, rows)

    def _show(self, rows: list[CashUpView]) -> None:
        self.cashups = rows
        table = self.query_one("#cul-table", DutyTable)
        table.clear()
        for c in rows:
            state = "!! to sign off" if c.status == "counted" else f"signed off by {c.signed_off_by}"
            table.add_row(plain(c.ref), plain(f"{c.business_date:%d/%m/%Y}"), plain(c.till_code), plain(c.user_name),
                          plain(format_pence(c.variance_pence)), plain(state), key=c.ref)

    def action_back(self) -> None:
        """Back."""
        self.app.pop_screen()

    def action_reload(self) -> None:
        """Load again."""
        self.load()

    @on(DataTable.RowSelected, "#cul-table")
    def _open(self, event: DataTable.RowSelected) -> None:
        from duty_tui.tui.screens.payment_cashup_report import CashUpReportScreen

        ref = str(event.row_key.value)
        view = next((c for c in self.cashups if c.ref == ref), None)
        if view is not None:
            self.app.push_screen(CashUpReportScreen(view))
