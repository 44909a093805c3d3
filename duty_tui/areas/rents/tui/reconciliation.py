"""The rent reconciliation screen (docs/RENTS_RECONCILIATION.md, "The screen"): a period typed in From and
To, then for each rent group the opening balance, every figure (by kind and payment method), the closing
balance, the kept balances' closing and the difference. Enter on a figure lists the ledger rows behind it,
a page at a time (n and p). Reads run in thread workers (audited by the services); 80x24, keyboard only.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import DataTable, Header, Static

from duty_tui.core.domain.errors import InputError, PermissionDenied
from duty_tui.core.domain.money import format_pence
from duty_tui.core.tui.kit.footer import DutyFooter
from duty_tui.core.tui.kit.period import PeriodFields
from duty_tui.core.tui.kit.workers import Loaded
from duty_tui.core.tui.screens.base import DutyScreen
from duty_tui.core.tui.text import plain

if TYPE_CHECKING:
    from duty_tui.areas.rents.domain.recon import GroupReconciliation
    from duty_tui.areas.rents.services.reconciliation import Reconciliation, RowsPage

KEYS_LINE = "Tab the dates · Enter or F9 read · Enter on a figure: its ledger rows · Esc back"
FigureKey = tuple[str, str, str | None, str | None]
"""(group, line, kind, method) — what ``figure_rows`` needs to list a figure's rows."""


def last_week(today: date) -> tuple[date, date]:
    """The last whole rent week (Monday to Sunday) before ``today``."""
    monday = today - timedelta(days=today.weekday() + 7)
    return monday, monday + timedelta(days=6)


def money(pence: int) -> Text:
    """Pence as pounds, right-aligned, without the £ (the column says it)."""
    return Text(format_pence(pence).replace("£", ""), justify="right")


def group_lines(group: GroupReconciliation) -> list[tuple[str, int | None, int, FigureKey | None]]:
    """(label, rows, pence, figure key) for one group's table rows, in reading order; void loss last, beside the
    balances (not in the identity), Enter lists its rent_void_loss rows."""
    from duty_tui.areas.rents.domain.recon import LINE_NAMES, VOID_LOSS

    out: list[tuple[str, int | None, int, FigureKey | None]] = [
        (f"Opening balance · {group.label}", group.opening_rows, group.opening_pence,
         (group.code, "opening", None, None))]
    for f in group.figures:
        short = LINE_NAMES[f.line].split(" (")[0]
        out.append((f"  {short}: {f.label}", f.rows, f.pence, (group.code, f.line, f.kind, f.method)))
    out.append(("Closing balance", None, group.closing_pence, None))
    out.append(("Closing (kept balances)", None, group.kept_pence, None))
    out.append(("Difference" + ("" if group.difference_pence == 0 else " — see below"), None,
                group.difference_pence, None))
    if group.void_loss_pence is not None:
        out.append(("Void rent loss (not charged)", group.void_rows, group.void_loss_pence,
                    (group.code, VOID_LOSS, None, None) if group.void_rows else None))
    return out


class RentReconciliationScreen(PeriodFields, DutyScreen):  # type: ignore[misc]  # core's WatchesRecords._on_show vs Widget's
    """A period's reconciliation by rent group; Enter on a figure lists its ledger rows."""

    PERIOD_ID = "rr"  # the fields #rr-from and #rr-to

    SCOPE_NAME = "rent-reconciliation"
    TITLE = "Rent reconciliation"
    DEFAULT_CSS = """
    RentReconciliationScreen #rr-period { height: 1; padding: 0 1; }
    RentReconciliationScreen #rr-period Label { width: auto; padding: 0 1 0 0; }
    RentReconciliationScreen #rr-period Input { width: 14; height: 1; border: none; padding: 0; margin: 0 2 0 0; }
    RentReconciliationScreen #rr-period Input.-invalid { border: none; text-style: underline; }
    RentReconciliationScreen #rr-table { height: 1fr; }
    RentReconciliationScreen #rr-message { height: auto; max-height: 3; padding: 0 1; }
    """
    BINDINGS = [
        Binding("escape", "back", "Back", id="rent-reconciliation-back", show=False,
                tooltip="Back to the previous screen"),
        Binding("f9", "read", "Read", id="rent-reconciliation-read",
                tooltip="Read the reconciliation again for the period in From and To"),
    ]

    def __init__(self, date_from: date | None = None, date_to: date | None = None) -> None:
        super().__init__()
        self._asked = (date_from, date_to)
        self.recon: Reconciliation | None = None
        self.figures: dict[str, FigureKey] = {}

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="rr-period"):
            yield from self.period_inputs()
        yield DataTable(id="rr-table", cursor_type="row", zebra_stripes=True)
        yield Static(plain(KEYS_LINE), id="rr-message")
        yield DutyFooter()

    def on_mount(self) -> None:
        start, end = last_week(self.duty_app.ctx.today())
        start, end = self._asked[0] or start, self._asked[1] or end
        self.show_period(start, end)
        table = self.query_one("#rr-table", DataTable)
        table.add_column("Figure", key="figure", width=50)
        table.add_column(Text("Rows", justify="right"), key="rows", width=8)
        table.add_column(Text("£", justify="right"), key="pence", width=14)
        table.focus()
        self.action_read()

    def say(self, text: str) -> None:
        self._say(text)

    def read_period_figures(self, date_from: date, date_to: date) -> None:
        self.read(date_from, date_to)

    @work(thread=True, exclusive=True, exit_on_error=False, group="rent-reconciliation-read")
    def read(self, date_from: date, date_to: date) -> None:
        from duty_tui.areas.rents.services.reconciliation import rent_reconciliation

        self.post_message(Loaded(rent_reconciliation(self.duty_app.ctx, date_from=date_from, date_to=date_to)))

    @on(Loaded)
    def _loaded_view(self, message: Loaded) -> None:
        from duty_tui.areas.rents.domain.recon import explain_difference

        recon: Reconciliation = message.view
        self.recon = recon
        table = self.query_one("#rr-table", DataTable)
        table.clear()
        self.figures = {}
        for group in (*recon.groups, recon.total):
            for n, (label, rows, pence, key) in enumerate(group_lines(group)):
                row_key = f"{group.code}:{n}"
                if key is not None:
                    self.figures[row_key] = key
                table.add_row(label, Text("" if rows is None else f"{rows:,}", justify="right"), money(pence),
                              key=row_key)
        odd = [g for g in recon.groups if g.difference_pence]
        self._say(explain_difference(odd[0]) if odd else
                  f"{recon.date_from:%d/%m/%Y}–{recon.date_to:%d/%m/%Y} by {recon.group_by.replace('_', ' ')}: "
                  f"closing {format_pence(recon.total.closing_pence)}, no difference · {KEYS_LINE}")

    @on(DataTable.RowSelected, "#rr-table")
    def _figure_chosen(self, event: DataTable.RowSelected) -> None:
        key = self.figures.get(str(event.row_key.value))
        if key is None or self.recon is None:
            self._say("That line is worked out from the figures above it; Enter on a figure lists its rows.")
            return
        self.app.push_screen(FigureRowsScreen(self.recon.date_from, self.recon.date_to, key))

    def action_back(self) -> None:
        """Back."""
        self.app.pop_screen()

    def _say(self, text: str) -> None:
        self.query_one("#rr-message", Static).update(plain(text))

    def on_worker_error(self, error: BaseException | None) -> None:
        if isinstance(error, InputError | PermissionDenied):  # said where the keys are; nothing typed is lost
            self._say(error.message)
            return
        self._say(KEYS_LINE)
        super().on_worker_error(error)


ROWS_KEYS = "n next page · p previous page · Esc back to the reconciliation"


class FigureRowsScreen(DutyScreen):
    """The ledger rows behind one reconciliation figure, a page at a time."""

    SCOPE_NAME = "rent-reconciliation-rows"
    TITLE = "Rows behind a figure"
    DEFAULT_CSS = """
    FigureRowsScreen #rf-title { height: 1; padding: 0 1; }
    FigureRowsScreen #rf-table { height: 1fr; }
    FigureRowsScreen #rf-message { height: auto; max-height: 2; padding: 0 1; }
    """
    BINDINGS = [
        Binding("escape", "back", "Back", id="rent-reconciliation-rows-back", tooltip="Back to the reconciliation"),
        Binding("n", "page(1)", "Next page", id="rent-reconciliation-rows-next", tooltip="The next page of rows"),
        Binding("p", "page(-1)", "Previous", id="rent-reconciliation-rows-previous",
                tooltip="The previous page of rows"),
    ]

    def __init__(self, date_from: date, date_to: date, key: FigureKey) -> None:
        super().__init__()
        self.period = (date_from, date_to)
        self.figure_key = key
        self.rows_page: RowsPage | None = None

    def compose(self) -> ComposeResult:
        group, line, kind, method = self.figure_key
        what = kind.replace("_", " ") + (f" ({method.replace('_', ' ')})" if method else "") if kind else line
        yield Header()
        yield Static(plain(f"{what} · group {group} · {self.period[0]:%d/%m/%Y}–{self.period[1]:%d/%m/%Y}"),
                     id="rf-title")
        yield DataTable(id="rf-table", cursor_type="row", zebra_stripes=True)
        yield Static(plain(ROWS_KEYS), id="rf-message")
        yield DutyFooter()

    def on_mount(self) -> None:
        table = self.query_one("#rf-table", DataTable)
        for label, width in (("Date", 10), ("Account", 10), ("Kind", 20), ("Method", 14)):
            table.add_column(label, width=width)
        table.add_column(Text("£", justify="right"), width=12)
        table.focus()
        self.read(0)

    @work(thread=True, exclusive=True, exit_on_error=False, group="rent-reconciliation-rows")
    def read(self, offset: int) -> None:
        from duty_tui.areas.rents.services.reconciliation import figure_rows

        group, line, kind, method = self.figure_key
        self.post_message(Loaded(figure_rows(self.duty_app.ctx, date_from=self.period[0], date_to=self.period[1],
                                             group=group, line=line, kind=kind, method=method, offset=offset)))

    @on(Loaded)
    def _loaded_view(self, message: Loaded) -> None:
        page: RowsPage = message.view
        self.rows_page = page
        table = self.query_one("#rf-table", DataTable)
        table.clear()
        for row in page.rows:
            table.add_row(f"{row.effective_date:%d/%m/%Y}", plain(row.account_ref), row.kind.replace("_", " "),
                          (row.method or "").replace("_", " "), money(row.amount_pence))
        last = page.offset + len(page.rows)
        self._say(f"Rows {page.offset + 1 if page.rows else 0}–{last} of {page.total:,} · {ROWS_KEYS}")

    def action_page(self, step: int) -> None:
        """Another page of rows."""
        from duty_tui.areas.rents.services.reconciliation import PAGE

        if self.rows_page is None:
            return
        offset = self.rows_page.offset + step * PAGE
        if offset < 0 or offset >= self.rows_page.total:
            self._say(f"No more rows that way · {ROWS_KEYS}")
            return
        self.read(offset)

    def action_back(self) -> None:
        """Back to the reconciliation."""
        self.app.pop_screen()

    def _say(self, text: str) -> None:
        self.query_one("#rf-message", Static).update(plain(text))
