"""One format for dates people read (issue 11, B16): UK day/month/year, 03/12/2026."""

from __future__ import annotations

from datetime import UTC, date, datetime

from duty_tui.core.domain.local_time import display_date


def test_dates_read_day_month_year():
    assert display_date(date(2026, 12, 3)) == "03/12/2026"
    assert display_date(date(2026, 12, 3), weekday=True) == "Thu 03/12/2026"
    assert display_date(None) == "—"


def test_moments_are_shown_in_uk_time_on_the_uk_day():
    late_summer_evening = datetime(2026, 7, 3, 23, 30, tzinfo=UTC)  # 00:30 on the 4th in London (BST)
    assert display_date(late_summer_evening) == "04/07/2026"
    assert display_date(late_summer_evening, weekday=True, hours=True) == "Sat 04/07/2026 00:30"
