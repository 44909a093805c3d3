"""A report screen's period: From and To date fields along the top, read and checked as one.

``PeriodFields`` is a mixin for a screen that shows figures for a period (the arrears statistics, the
rent reconciliation). The screen yields ``period_inputs()`` inside its own row, fills them with
``show_period`` on mount, and on Enter in either field (or its read key) calls ``typed_period``: the
two dates, or None with what to fix said through the screen's ``say`` and the cursor put in the field
to mend — nothing typed is lost. The screen's ``read_period_figures(start, end)`` does the reading.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from textual.widget import Widget
from textual.widgets import Input, Label

from duty_tui.core.tui.kit.validators import DateValidator

__all__ = ["PeriodFields"]


class PeriodFields:
    """Mixin: From/To fields with the ids ``<PERIOD_ID>-from`` and ``<PERIOD_ID>-to``."""

    PERIOD_ID = "period"

    def period_inputs(self) -> Iterator[Widget]:
        """The labels and the two date fields, for the screen's period row."""
        for word, end in (("From", "from"), ("To", "to")):
            yield Label(word)
            yield Input(id=f"{self.PERIOD_ID}-{end}", placeholder="DD/MM/YYYY", max_length=10,
                        validators=[DateValidator(False)])

    def _period_input(self, end: str) -> Input:
        return self.query_one(f"#{self.PERIOD_ID}-{end}", Input)  # type: ignore[attr-defined]  # a Screen's

    def show_period(self, start: date, end: date) -> None:
        """Put a period in the fields."""
        self._period_input("from").value = f"{start:%d/%m/%Y}"
        self._period_input("to").value = f"{end:%d/%m/%Y}"

    def say(self, text: str) -> None:
        """Say something on the screen's message line (the screen says how)."""
        raise NotImplementedError

    def typed_period(self) -> tuple[date, date] | None:
        """The typed period, or None with what to fix said and the cursor in the field to mend."""
        from duty_tui.core.domain.period import read_period

        problems: list[str] = []
        start, end = read_period(self._period_input("from").value, self._period_input("to").value, problems,
                                 ("From", "To"))
        if problems or start is None or end is None:
            self.say(problems[0])
            self._period_input("from" if problems[0].startswith("From") else "to").focus()
            return None
        return start, end

    def read_period_figures(self, date_from: date, date_to: date) -> None:
        """Read the figures for the period (the screen's worker)."""
        raise NotImplementedError

    def action_read(self) -> None:
        """Read the figures for the period typed."""
        period = self.typed_period()
        if period is None:
            return
        self.say("Reading…")
        self.read_period_figures(*period)

    def on_input_submitted(self, _event: Input.Submitted) -> None:
        """Enter in either field reads (a named handler: a mixin's @on would not be seen by Textual)."""
        self.action_read()
