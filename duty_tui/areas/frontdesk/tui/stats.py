"""Duty statistics: today or any period — contacts by channel, reason and outcome, first-contact
resolution, waiting times, overdue work by team. Bars are Unicode blocks with the number beside
them (readable without colour); contacts per day are a sparkline."""

from __future__ import annotations

from datetime import date, timedelta

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Header, Sparkline, Static

from duty_tui.areas.frontdesk.domain.rules import bar, format_minutes
from duty_tui.areas.frontdesk.services.stats import Count, DutyStats
from duty_tui.core.domain.local_time import display_date
from duty_tui.core.tui.kit.footer import DutyFooter
from duty_tui.core.tui.kit.workers import Loaded
from duty_tui.core.tui.screens.base import DutyScreen
from duty_tui.core.tui.text import plain

BAR_WIDTH = 22
LABEL_WIDTH = 30


def bar_chart(title: str, counts: list[Count], *, limit: int = 8) -> Text:
    """A titled horizontal bar chart: label, bar, number (and share)."""
    text = Text()
    text.append(title + "\n", style="bold")
    shown = counts[:limit]
    if not shown:
        text.append("  none\n")
        return text
    total = sum(c.count for c in counts) or 1
    top = max(c.count for c in shown)
    for count in shown:
        label = count.name if len(count.name) <= LABEL_WIDTH else count.name[:LABEL_WIDTH - 1] + "…"
        text.append(plain(f"  {label:<{LABEL_WIDTH}} "))
        text.append(bar(count.count, top, BAR_WIDTH).ljust(BAR_WIDTH))
        text.append(f" {count.count:>6,} {count.count / total:>4.0%}\n")
    if len(counts) > limit:
        rest = sum(c.count for c in counts[limit:])
        text.append(plain(f"  … and {len(counts) - limit} more ({rest:,})\n"))
    return text


class StatsScreen(DutyScreen):
    """Duty statistics for today, the last 7 or 30 days, the last year, or a chosen period."""

    SCOPE_NAME = "duty-statistics"
    TITLE = "Duty statistics"
    DEFAULT_CSS = """
    StatsScreen #stats-period { height: 1; padding: 0 1; background: $panel; }
    StatsScreen #stats-body { height: 1fr; padding: 0 1; }
    StatsScreen #stats-spark { height: 3; margin: 0 1; }
    StatsScreen .chart { height: auto; }
    """
    BINDINGS = [
        Binding("escape", "back", "Back", id="stats-back", show=False, tooltip="Back to the previous screen"),
        Binding("t", "period(0)", "Today", id="stats-today", tooltip="Today's figures"),
        Binding("w", "period(6)", "7 days", id="stats-week", tooltip="The last 7 days"),
        Binding("m", "period(29)", "30 days", id="stats-month", tooltip="The last 30 days"),
        Binding("y", "period(364)", "Year", id="stats-year", tooltip="The last 12 months"),
        Binding("p", "choose_period", "Period", id="stats-choose", tooltip="Choose the first and last day"),
        Binding("r", "reload", "Reload", id="stats-reload", show=False, tooltip="Count again"),
    ]

    def __init__(self, person_ref: str | None = None) -> None:
        super().__init__()
        self.start: date | None = None
        self.end: date | None = None
        self.stats: DutyStats | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="stats-period")
        with VerticalScroll(id="stats-body"):
            yield Static("Counting…", id="stats-headline", classes="chart")
            yield Sparkline([], id="stats-spark")
            yield Static("", id="stats-days", classes="chart")
            yield Static("", id="stats-channels", classes="chart")
            yield Static("", id="stats-outcomes", classes="chart")
            yield Static("", id="stats-reasons", classes="chart")
            yield Static("", id="stats-teams", classes="chart")
        yield DutyFooter()

    def on_mount(self) -> None:
        self.query_one("#stats-body").focus()
        self.action_period(0)

    def action_back(self) -> None:
        """Back."""
        self.app.pop_screen()

    def action_period(self, days_back: int) -> None:
        """A period ending today."""
        today = self.duty_app.ctx.today()
        self.start, self.end = today - timedelta(days=int(days_back)), today
        self.load()

    def action_reload(self) -> None:
        """Count again."""
        self.load()

    def action_choose_period(self) -> None:
        """Choose a period."""
        from duty_tui.core.tui.kit.fields import FormField
        from duty_tui.core.tui.kit.form_screen import FormDialog

        def done(values) -> None:
            if values:
                start, end = values["from"], values["to"]
                self.start, self.end = min(start, end), max(start, end)
                self.load()

        self.app.push_screen(FormDialog("Statistics for a period", [
            FormField("from", "First day", "date", required=True, value=self.start),
            FormField("to", "Last day", "date", required=True, value=self.end),
        ], submit="Show"), done)

    @work(thread=True, exclusive=True, exit_on_error=False, group="stats")
    def load(self) -> None:
        """Count in a worker."""
        from duty_tui.areas.frontdesk.services.stats import duty_statistics

        assert self.start is not None and self.end is not None
        stats = duty_statistics(self.duty_app.ctx, self.start, self.end)
        self.post_message(Loaded(stats))

    def on_worker_error(self, error: BaseException | None) -> None:
        from duty_tui.core.domain.errors import DutyError

        if isinstance(error, DutyError):
            self.query_one("#stats-headline", Static).update(plain(error.message))
            return
        super().on_worker_error(error)

    @on(Loaded)
    def _loaded_view(self, message: Loaded) -> None:
        self._show(message.view)

    def _show(self, stats: DutyStats) -> None:
        self.stats = stats
        same = stats.start == stats.end
        period = (display_date(stats.start, weekday=True) if same
                  else f"{display_date(stats.start)} to {display_date(stats.end)}")
        self.query_one("#stats-period", Static).update(plain(
            f"{period} · t today · w 7 days · m 30 days · y year · p choose"))
        headline = Text()
        rate = "—" if stats.first_contact_rate is None else f"{stats.first_contact_rate:.0%}"
        headline.append(f"Contacts {stats.contacts:,}", style="bold")
        headline.append(f" · resolved at first contact {stats.first_contact_resolved:,} ({rate})\n")
        headline.append(f"Reception: {stats.visits:,} arrivals · seen {stats.seen:,} · left without being seen "
                        f"{stats.left_without_being_seen:,} · wait median {format_minutes(stats.wait_median_minutes)}, "
                        f"95th percentile {format_minutes(stats.wait_p95_minutes)}\n")
        self.query_one("#stats-headline", Static).update(headline)
        spark = self.query_one("#stats-spark", Sparkline)
        values = [float(n) for _d, n in stats.by_day]
        spark.data = values if len(values) > 1 else values * 2
        spark.display = len(values) > 1
        busiest = max(stats.by_day, key=lambda d: d[1]) if stats.by_day else None
        days = ""
        if len(values) > 1 and busiest is not None:
            days = (f"Contacts per day (sparkline above): {min(values):.0f}–{max(values):.0f} a day, "
                    f"busiest {display_date(busiest[0], weekday=True)} ({busiest[1]:,})\n")
        self.query_one("#stats-days", Static).update(plain(days))
        self.query_one("#stats-channels", Static).update(bar_chart("By channel", stats.by_channel))
        self.query_one("#stats-outcomes", Static).update(bar_chart("By outcome", stats.by_outcome))
        self.query_one("#stats-reasons", Static).update(bar_chart("By reason (top 8)", stats.by_reason))
        teams = Text()
        teams.append("Open work by team now (overdue marked !!)\n", style="bold")
        top = max((t.open for t in stats.work_by_team), default=0)
        for team in stats.work_by_team:
            if not team.open:
                continue
            name = team.name if len(team.name) <= 24 else team.name[:23] + "…"
            teams.append(plain(f"  {name:<24} "))
            teams.append(bar(team.open, top, 20).ljust(20))
            teams.append(f" {team.open:>6,} open  ")
            teams.append(f"!! {team.overdue:,} overdue" if team.overdue else "   0 overdue",
                         style="bold" if team.overdue else "")
            teams.append(f"  ! {team.due_today:,} today\n" if team.due_today else "\n")
        self.query_one("#stats-teams", Static).update(teams)
