"""The quarter's homelessness statistics on screen (the same figures `report homelessness` writes)."""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Header, Input, Label, Static

from duty_tui.areas.housing_options.domain.stats import quarter_of
from duty_tui.core.tui.kit.footer import DutyFooter
from duty_tui.core.tui.kit.workers import Loaded
from duty_tui.core.tui.screens.base import DutyScreen
from duty_tui.core.tui.text import plain


class HomelessnessStatsScreen(DutyScreen):
    """Live-table figures for a quarter: type the quarter, Enter."""

    SCOPE_NAME = "options-stats"
    TITLE = "Homelessness statistics"
    BINDINGS = [
        Binding("escape", "back", "Back", id="housing-stats-back", tooltip="Back to the previous screen"),
        Binding("f9", "count", "Count", id="housing-stats-count", priority=True, tooltip="Count the quarter's figures"),
        Binding("pagedown", "scroll_stats(10)", "Page down", id="housing-stats-page-down", show=False,
                tooltip="Scroll the figures down"),
        Binding("pageup", "scroll_stats(-10)", "Page up", id="housing-stats-page-up", show=False,
                tooltip="Scroll the figures up"),
    ]
    DEFAULT_CSS = """
    HomelessnessStatsScreen #stats-bar { height: 1; padding: 0 1; }
    HomelessnessStatsScreen #stats-bar Label { width: 9; }
    HomelessnessStatsScreen #stats-quarter { width: 10; }
    HomelessnessStatsScreen #stats-scroll { height: 1fr; padding: 0 1; }
    """

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="stats-bar"):
            yield Label("Quarter")
            yield Input(quarter_of(self.duty_app.ctx.today()).label, id="stats-quarter", compact=True, max_length=6)
            yield Static("  Enter / F9 to count · PgUp/PgDn scroll · CSV: duty-tui report homelessness")
        with VerticalScroll(id="stats-scroll"):
            yield Static("", id="stats-body")
        yield DutyFooter()

    def on_mount(self) -> None:
        self.query_one("#stats-quarter", Input).focus()
        self.action_count()

    def action_back(self) -> None:
        """Back."""
        self.app.pop_screen()

    def action_scroll_stats(self, lines: int) -> None:
        """Scroll the figures."""
        self.query_one("#stats-scroll", VerticalScroll).scroll_relative(y=lines, animate=False)

    @on(Input.Submitted, "#stats-quarter")
    def action_count(self) -> None:
        """Count the quarter typed."""
        self.query_one("#stats-body", Static).update("Counting…")
        self.count(self.query_one("#stats-quarter", Input).value.strip())

    @work(thread=True, exclusive=True, exit_on_error=False, group="stats")
    def count(self, quarter: str) -> None:
        from duty_tui.areas.housing_options.services.statistics import quarter_statistics

        stats = quarter_statistics(self.duty_app.ctx, quarter)
        self.post_message(Loaded(stats))

    def on_worker_error(self, error: BaseException | None) -> None:
        self.query_one("#stats-body", Static).update(plain(str(getattr(error, "message", error))))
        super().on_worker_error(error)

    @on(Loaded)
    def _loaded_view(self, message: Loaded) -> None:
        self._show(message.view)

    def _show(self, stats) -> None:
        out = Text()
        out.append(plain(f"{stats.quarter.label}: {stats.quarter.words}\n", style="bold"))
        for table in stats.tables:
            out.append(plain(f"\n{table.code}  {table.title}\n", style="bold"))
            out.append(plain(f"    ({table.population})\n", style="italic"))
            for row in table.rows:
                label, *counts = row
                out.append(plain(f"  {' / '.join(counts):>9}  {label}\n"))
        self.query_one("#stats-body", Static).update(out)
