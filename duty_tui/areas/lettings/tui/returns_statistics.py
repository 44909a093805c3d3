"""Lettings statistics (docs/LETTINGS_RETURNS.md, "The screen"): a period's re-let times, void rent loss
and lets by band and route — a bar chart of lets by band beside the figures.

The period (From, To) opens as the financial year so far (from 1 April) and is edited in place: Enter in
a date, or F9, reads again. Reads run in a thread worker (``lettings_statistics``, audited).
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import DataTable, Header, Static
from textual_plotext import PlotextPlot

from duty_tui.core.domain.errors import InputError, PermissionDenied
from duty_tui.core.domain.money import format_pence
from duty_tui.core.tui.kit.footer import DutyFooter
from duty_tui.core.tui.kit.period import PeriodFields
from duty_tui.core.tui.kit.workers import Loaded
from duty_tui.core.tui.screens.base import DutyScreen
from duty_tui.core.tui.text import plain

if TYPE_CHECKING:
    from duty_tui.areas.lettings.domain.relet import Measures

KEYS_LINE = "Tab the dates · Enter or F9 read · Esc back"


def year_start(today: date) -> date:
    """1 April of the financial year ``today`` is in (returns are by financial year)."""
    return date(today.year if today.month >= 4 else today.year - 1, 4, 1)


def figure_rows(m: Measures) -> list[tuple[str, str]]:
    """The table's rows: the headline figures, the exclusions, void loss, and lets by route."""
    def days(value: float | int | None) -> str:
        return "–" if value is None else f"{value:g}"

    return [("Lets", f"{len(m.lets):,}"), ("Counted in re-let time", f"{len(m.counted):,}"),
            ("Average re-let days", days(m.average_days)), ("Median re-let days", days(m.median_days)),
            ("Longest re-let days", days(m.longest_days)),
            *((f"Excluded: {kind.replace('_', ' ')}", f"{n:,}") for kind, n in m.excluded_by_type),
            ("Void loss, these lets", format_pence(m.lets_void_loss_pence)),
            ("Void loss, period weeks", format_pence(m.period_void_loss_pence)),
            *((f"Route: {route.replace('_', ' ')}", f"{n:,}") for route, n in m.by_route)]


class LettingsStatisticsScreen(PeriodFields, DutyScreen):  # type: ignore[misc]  # as the arrears statistics
    """Re-let times, void loss and lets by band and route for a period."""

    PERIOD_ID = "ls"

    SCOPE_NAME = "lettings-statistics"
    TITLE = "Lettings statistics"
    DEFAULT_CSS = """
    LettingsStatisticsScreen #ls-period { height: 1; padding: 0 1; }
    LettingsStatisticsScreen #ls-period Label { width: auto; padding: 0 1 0 0; }
    LettingsStatisticsScreen #ls-period Input { width: 14; height: 1; border: none; padding: 0; margin: 0 2 0 0; }
    LettingsStatisticsScreen #ls-period Input.-invalid { border: none; text-style: underline; }
    LettingsStatisticsScreen #ls-main { height: 1fr; }
    LettingsStatisticsScreen #ls-chart { width: 1fr; height: 1fr; }
    LettingsStatisticsScreen #ls-table { width: 42; height: 1fr; }
    LettingsStatisticsScreen #ls-summary { height: auto; max-height: 3; padding: 0 1; border-top: solid $panel; }
    LettingsStatisticsScreen #ls-message { height: auto; max-height: 3; padding: 0 1; }
    """
    BINDINGS = [
        Binding("escape", "back", "Back", id="lettings-statistics-back", show=False,
                tooltip="Back to the previous screen"),
        Binding("f9", "read", "Read", id="lettings-statistics-read",
                tooltip="Read the figures again for the period in From and To"),
    ]

    def __init__(self, date_from: date | None = None, date_to: date | None = None) -> None:
        super().__init__()
        self._asked = (date_from, date_to)
        self.measures: Measures | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="ls-period"):
            yield from self.period_inputs()
        with Horizontal(id="ls-main"):
            yield PlotextPlot(id="ls-chart")
            yield DataTable(id="ls-table", cursor_type="row", zebra_stripes=True)
        yield Static("", id="ls-summary")
        yield Static(plain(KEYS_LINE), id="ls-message")
        yield DutyFooter()

    def on_mount(self) -> None:
        today = self.duty_app.ctx.today()
        self.show_period(self._asked[0] or year_start(today), self._asked[1] or today)
        table = self.query_one("#ls-table", DataTable)
        table.add_column("Measure", key="measure", width=26)
        table.add_column(Text("Value", justify="right"), key="value", width=12)
        table.focus()
        self.action_read()

    def say(self, text: str) -> None:
        self.query_one("#ls-message", Static).update(plain(text))

    def read_period_figures(self, date_from: date, date_to: date) -> None:
        self.read(date_from, date_to)

    @work(thread=True, exclusive=True, exit_on_error=False, group="lettings-statistics-read")
    def read(self, date_from: date, date_to: date) -> None:
        from duty_tui.areas.lettings.services.returns import lettings_statistics

        self.post_message(Loaded(lettings_statistics(self.duty_app.ctx, date_from, date_to)))

    @on(Loaded)
    def _loaded_view(self, message: Loaded) -> None:
        found: Measures = message.view
        self.measures = found
        table = self.query_one("#ls-table", DataTable)
        table.clear()
        for label, value in figure_rows(found):
            table.add_row(label, Text(value, justify="right"))
        self._draw_chart(found)
        excluded = ", ".join(k.replace("_", " ") for k in found.rule.excluded) or "none"
        self.query_one("#ls-summary", Static).update(plain(
            f"{found.date_from:%d/%m/%Y}–{found.date_to:%d/%m/%Y}: re-let time in calendar days, tenancy end to "
            f"new start; not counted: {excluded}"))
        self.say(KEYS_LINE)

    def _draw_chart(self, found: Measures) -> None:
        chart = self.query_one("#ls-chart", PlotextPlot)
        plt = chart.plt
        plt.clear_data()
        plt.clear_figure()
        if found.by_band:
            shown = list(reversed(found.by_band))  # plotext draws the first bar at the bottom
            plt.bar([band for band, _ in shown], [n for _, n in shown], orientation="horizontal", width=0.5)
            plt.xticks([])
            plt.title("Lets by band")
        else:
            plt.title("No lets in the period")
        chart.styles.max_height = len(found.by_band) + 3
        chart.refresh()

    def action_back(self) -> None:
        """Back."""
        self.app.pop_screen()

    def on_worker_error(self, error: BaseException | None) -> None:
        if isinstance(error, InputError | PermissionDenied):  # said where the keys are; nothing typed is lost
            self.say(error.message)
            return
        self.say(KEYS_LINE)
        super().on_worker_error(error)
