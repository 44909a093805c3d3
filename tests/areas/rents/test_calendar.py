"""The rent calendar and charge arithmetic (docs/RENTS_DEBIT.md; docs/CLI.md `duty-tui rent calendar`)."""

from __future__ import annotations

import json
from datetime import date

import pytest

from duty_tui.areas.rents.domain.calendar import CalendarRule, rent_year, rent_year_of, week_containing, weeks_between
from duty_tui.areas.rents.domain.charges import charge_for_days, days_overlapping, half_up, weekly_equivalent
from duty_tui.core.cli import run

RULES = (CalendarRule(effective_from=date(2000, 4, 1), source="test"),)


def test_the_year_starts_on_the_first_monday_on_or_after_1_april_and_ends_the_day_before_the_next():
    year = rent_year(RULES, 2025)
    assert (year.starts, year.ends, year.weeks) == (date(2025, 4, 7), date(2026, 4, 5), 52)
    assert rent_year(RULES, 2026).starts == date(2026, 4, 6)


@pytest.mark.parametrize("begins", [2024, 2030])
def test_53_week_years_2024_25_and_2030_31(begins):
    year = rent_year(RULES, begins)
    assert year.weeks == 53 and year.charged_weeks == 53 and year.starts == date(begins, 4, 1)


def test_free_weeks_come_from_the_data_by_year_and_are_not_charged():
    rules = (CalendarRule(effective_from=date(2000, 4, 1), source="test", free_weeks={2025: (38, 39, 99)}),)
    year = rent_year(rules, 2025)
    assert year.free_weeks == (38, 39) and year.charged_weeks == 50  # week 99 does not exist: ignored
    weeks = list(weeks_between(rules, year.week_start(37), year.week_start(40)))
    assert [(w.number, w.free) for w in weeks] == [(37, False), (38, True), (39, True), (40, False)]


def test_weeks_run_on_across_the_year_end():
    weeks = list(weeks_between(RULES, date(2025, 3, 30), date(2025, 4, 8)))
    assert [(w.start, w.year, w.number) for w in weeks] == [
        (date(2025, 3, 24), "2024/25", 52), (date(2025, 3, 31), "2024/25", 53), (date(2025, 4, 7), "2025/26", 1)]
    assert rent_year_of(RULES, date(2025, 4, 6)).label == "2024/25"
    assert week_containing(RULES, date(2026, 3, 11)).start == date(2026, 3, 9)


def test_weekly_equivalent_rounds_half_up():
    assert weekly_equivalent(52000, "monthly") == 12000            # × 12 ÷ 52
    assert weekly_equivalent(43333, "monthly") == 10000            # 9,999.92p
    assert weekly_equivalent(10002, "four_weekly") == 2501         # 2,500.5p: half up
    assert weekly_equivalent(3, "fortnightly") == 2                # 1.5p: half up
    assert weekly_equivalent(11050, "weekly") == 11050
    assert half_up(-3, 2) == -2


def test_a_part_week_is_charged_by_the_day():
    assert charge_for_days(10000, 3) == 4286                       # 10,000 ÷ 7 × 3 = 4,285.71
    assert charge_for_days(10000, 7) == 10000
    assert days_overlapping(date(2026, 3, 9), date(2026, 3, 11), None) == 5
    assert days_overlapping(date(2026, 3, 9), None, date(2026, 3, 9)) == 1
    assert days_overlapping(date(2026, 3, 9), date(2026, 3, 16), None) == 0


def test_cli_calendar_2024_matches_the_contract_byte_for_byte(capsys):
    assert run(["rent", "calendar", "--year", "2024", "--json"]) == 0
    out = capsys.readouterr().out
    assert out == ('{"year": "2024/25", "starts": "2024-04-01", "ends": "2025-04-06", "weeks": 53, '
                   '"charged_weeks": 53, "free_weeks": []}\n')
    assert run(["rent", "calendar", "--year", "2030"]) == 0
    assert "53 weeks" in capsys.readouterr().out
    assert run(["rent", "calendar", "--year", "2025", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["weeks"] == 52


def test_cli_calendar_bad_year_exits_2(capsys):
    assert run(["rent", "calendar", "--year", "99"]) == 2
    assert "four-digit year" in capsys.readouterr().err
