"""Arrears statistics (docs/INCOME_REPORTS.md, "The screen"): a bar chart of current arrears by recovery
stage beside the figures, the rent roll, former tenants and a period's events under them.

The period (From, To) opens as the rent year so far and is edited in place: Enter in a date, or F9,
reads again. x saves the four CSV files in the user's own documents folder; s sends the figures as a
document (printer, email, file). Reads run in a thread worker (``arrears_statistics``, audited).
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import DataTable, Header, Static
from textual_plotext import PlotextPlot

from duty_tui.core.domain.errors import DutyError, InputError, PermissionDenied
from duty_tui.core.domain.money import format_pence
from duty_tui.core.tui.kit.footer import DutyFooter
from duty_tui.core.tui.kit.period import PeriodFields
from duty_tui.core.tui.kit.workers import Done, Loaded
from duty_tui.core.tui.screens.base import DutyScreen
from duty_tui.core.tui.text import plain

if TYPE_CHECKING:
    from duty_tui.areas.income.services.statistics import ArrearsStatistics

CHART_LABEL = 10
"""The chart's labels are the step's code, cut to this many characters (the table names each in full)."""
KEYS_LINE = "Tab the dates · Enter or F9 read · x save CSV files · s send · Esc back"


EVENT_ROWS = {("notice_served", "nosp"): "NOSPs served", ("notice_served", "s128"): "s128 notices served",
              ("notice_served", "s14"): "s14 notices served", ("claim_issued", "possession_claim"): "Claims issued",
              ("possession_order", "suspended_order"): "Suspended orders",
              ("possession_order", "outright_order"): "Outright orders", ("eviction", "evicted"): "Evictions"}


def short_label(code: str) -> str:
    """A stage's code for the chart's axis: 'court_warning' -> 'court warn', 'update_court_outcome' -> 'court outc'."""
    return code.removeprefix("update_").replace("_", " ")[:CHART_LABEL]


def summary_lines(stats: ArrearsStatistics) -> list[str]:
    """Three short lines under the chart (the table holds every figure; the printed document says more)."""
    from duty_tui.areas.income.services.statistics import percent_words

    roll = stats.rent_roll
    return [f"Rent roll {format_pence(roll.annual_pence)} a year: arrears {percent_words(roll.current_tenths)}, "
            f"{percent_words(roll.total_tenths)} with former tenants",
            f"Former tenants {format_pence(roll.former_arrears_pence)} ({stats.former_accounts:,} accounts) · "
            f"{roll.live_tenancies:,} live tenancies",
            f"{stats.date_from:%d/%m/%Y}–{stats.date_to:%d/%m/%Y}: {stats.count('notice_served')} notices · "
            f"{stats.count('claim_issued')} claims · {stats.count('possession_order')} orders · "
            f"{stats.count('eviction')} evictions"]


class ArrearsStatisticsScreen(PeriodFields, DutyScreen):  # type: ignore[misc]  # core's WatchesRecords._on_show vs Widget's
    """Current arrears by recovery stage as a bar chart and a table, with the rent roll and a period's events."""

    PERIOD_ID = "as"  # the fields #as-from and #as-to

    SCOPE_NAME = "arrears-statistics"
    TITLE = "Arrears statistics"
    DEFAULT_CSS = """
    ArrearsStatisticsScreen #as-period { height: 1; padding: 0 1; }
    ArrearsStatisticsScreen #as-period Label { width: auto; padding: 0 1 0 0; }
    ArrearsStatisticsScreen #as-period Input { width: 14; height: 1; border: none; padding: 0; margin: 0 2 0 0; }
    ArrearsStatisticsScreen #as-period Input.-invalid { border: none; text-style: underline; }
    ArrearsStatisticsScreen #as-main { height: 1fr; }
    ArrearsStatisticsScreen #as-chart { width: 1fr; height: 1fr; }
    ArrearsStatisticsScreen #as-table { width: 46; height: 1fr; }
    ArrearsStatisticsScreen #as-summary { height: auto; max-height: 5; padding: 0 1; border-top: solid $panel; }
    ArrearsStatisticsScreen #as-message { height: auto; max-height: 3; padding: 0 1; }
    """
    BINDINGS = [
        Binding("escape", "back", "Back", id="arrears-statistics-back", show=False,
                tooltip="Back to the previous screen"),
        Binding("f9", "read", "Read", id="arrears-statistics-read",
                tooltip="Read the figures again for the period in From and To"),
        Binding("x", "export", "Save CSV", id="arrears-statistics-export",
                tooltip="Save the four CSV files (arrears_by_stage, rent_roll, former_tenants, period_events) "
                        "in a new folder in your own documents"),
        Binding("s", "send", "Send", id="arrears-statistics-send",
                tooltip="Send the figures as a document: a printer, email, or a file"),
    ]

    def __init__(self, date_from: date | None = None, date_to: date | None = None) -> None:
        super().__init__()
        self._asked = (date_from, date_to)
        self.stats: ArrearsStatistics | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="as-period"):
            yield from self.period_inputs()
            yield Static("", id="as-as-of")
        with Horizontal(id="as-main"):
            yield PlotextPlot(id="as-chart")
            yield DataTable(id="as-table", cursor_type="row", zebra_stripes=True)
        yield Static("", id="as-summary")
        yield Static(plain(KEYS_LINE), id="as-message")
        yield DutyFooter()

    def on_mount(self) -> None:
        from duty_tui.areas.income.services.statistics import rent_year_start

        today = self.duty_app.ctx.today()
        start, end = self._asked[0] or rent_year_start(today), self._asked[1] or today
        self.show_period(start, end)
        table = self.query_one("#as-table", DataTable)
        table.add_column("Latest step", key="stage", width=20)
        table.add_column(Text("Accts", justify="right"), key="accounts", width=6)
        table.add_column(Text("Owes £", justify="right"), key="owes", width=11)
        table.focus()
        self.action_read()

    # -- reading -----------------------------------------------------------------------------------

    def say(self, text: str) -> None:
        self._say(text)

    def read_period_figures(self, date_from: date, date_to: date) -> None:
        self.read(date_from, date_to)

    @work(thread=True, exclusive=True, exit_on_error=False, group="arrears-statistics-read")
    def read(self, date_from: date, date_to: date) -> None:
        from duty_tui.areas.income.services.statistics import arrears_statistics

        self.post_message(Loaded(arrears_statistics(self.duty_app.ctx, date_from=date_from, date_to=date_to)))

    @on(Loaded)
    def _loaded_view(self, message: Loaded) -> None:
        stats: ArrearsStatistics = message.view
        self.stats = stats
        self._fill_table(stats)
        self._draw_chart(stats)
        self.query_one("#as-as-of", Static).update(plain(f"arrears at {stats.as_of:%d/%m/%Y}"))
        self.query_one("#as-summary", Static).update(plain("\n".join(summary_lines(stats))))
        self._say(KEYS_LINE)

    def _fill_table(self, stats: ArrearsStatistics) -> None:
        from duty_tui.areas.income.services.statistics import percent_words

        def money(pence: int) -> str:
            return format_pence(pence).lstrip("£")

        roll = stats.rent_roll
        rows: list[tuple[str, str, str, str | None]] = [
            *((s.label, f"{s.accounts:,}", money(s.arrears_pence), s.code) for s in stats.by_stage),
            ("All in arrears", f"{stats.current_accounts:,}", money(stats.current_pence), "total"),
            ("Rent roll a year", f"{roll.live_tenancies:,}", money(roll.annual_pence), None),
            ("Arrears % of roll", "", percent_words(roll.current_tenths), None),
            ("With former tenants", "", percent_words(roll.total_tenths), None),
            *((f.label, f"{f.accounts:,}", money(f.arrears_pence), None) for f in stats.former),
            *((EVENT_ROWS.get((e.event, e.kind), e.label), f"{e.count:,}", "", None) for e in stats.events)]
        table = self.query_one("#as-table", DataTable)
        table.clear()
        for label, count, amount, key in rows:
            table.add_row(label, Text(count, justify="right"), Text(amount, justify="right"), key=key)

    def _draw_chart(self, stats: ArrearsStatistics) -> None:
        """Horizontal bars of £ owed, one row each, for the stages that have accounts, in policy order."""
        chart = self.query_one("#as-chart", PlotextPlot)
        plt = chart.plt
        plt.clear_data()
        plt.clear_figure()
        shown = [s for s in stats.by_stage if s.accounts]
        if shown:
            # plotext draws the first bar at the bottom: reversed, the ladder reads downwards as the table does
            plt.bar([short_label(s.code) for s in reversed(shown)], [s.arrears_pence / 100 for s in reversed(shown)],
                    orientation="horizontal", width=0.5)
            plt.xticks([])
            plt.title("£ owed by latest step")
        else:
            plt.title("No rent account is in arrears")
        chart.styles.max_height = len(shown) + 3  # a row a bar: title, frame and one row per stage
        chart.refresh()

    # -- keys --------------------------------------------------------------------------------------

    def action_back(self) -> None:
        """Back."""
        self.app.pop_screen()

    def action_export(self) -> None:
        """Save the CSV files for the period typed in a new folder in the user's own documents."""
        period = self.typed_period()
        if period is None:
            return
        self._say("Saving the CSV files…")
        self.export(*period)

    @work(thread=True, exclusive=True, exit_on_error=False, group="arrears-statistics-export")
    def export(self, date_from: date, date_to: date) -> None:
        from duty_tui.areas.income.services.statistics import private_report_folder, write_arrears_report

        ctx = self.duty_app.ctx
        try:
            folder = private_report_folder(ctx, date_from, date_to)
            _, files = write_arrears_report(ctx, date_from=date_from, date_to=date_to, out_dir=folder)
        except DutyError as exc:
            self.post_message(Done(exc.message, reload=False))
            return
        self.post_message(Done(f"Saved {len(files)} CSV files in {folder}", reload=False))

    @on(Done)
    def _done_said(self, message: Done) -> None:
        self._say(message.text)

    def action_send(self) -> None:
        """Send the figures shown as a document (printer, email, file)."""
        if self.stats is None:
            self._say("Nothing to send yet: the figures are still being read.")
            return
        from duty_tui.areas.income.services.statistics import statistics_document
        from duty_tui.core.tui.dialogs.send_document import SendDocumentDialog

        stats = self.stats

        def sent(outcome: Any) -> None:
            if outcome is not None:
                self._say(getattr(outcome, "message", "") or "Sent.")

        self.app.push_screen(SendDocumentDialog(f"arrears statistics at {stats.as_of:%d/%m/%Y}",
                                                lambda: statistics_document(stats)), sent)

    def _say(self, text: str) -> None:
        self.query_one("#as-message", Static).update(plain(text))

    def on_worker_error(self, error: BaseException | None) -> None:
        if isinstance(error, InputError | PermissionDenied):  # said where the keys are; nothing typed is lost
            self._say(error.message)
            return
        self._say(KEYS_LINE)
        super().on_worker_error(error)
