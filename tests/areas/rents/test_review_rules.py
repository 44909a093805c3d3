"""The rent review's pure rules (docs/RENTS_REVIEW.md): rounding to the penny, caps, and the latest day
notices of variation may be posted (HA 1985 s102-103 in England, H(S)A 2001 s25 in Scotland)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from duty_tui.areas.rents.domain.review import (
    LineChange,
    ReviewPolicy,
    capped,
    group_totals,
    increased,
    largest_changes,
    latest_notice_day,
    notice_in_time,
    receive_by,
)
from duty_tui.areas.rents.domain.review_data import notice_rule_for, policy_for
from duty_tui.core.domain.clocks import WorkingCalendar
from duty_tui.core.domain.errors import InputError

DATA = Path(__file__).resolve().parents[3] / "data"
FIRST_WEEK = date(2026, 4, 6)  # the first Monday on or after 1 April 2026
ENGLAND, SCOTLAND = WorkingCalendar("england"), WorkingCalendar("scotland")


def test_a_percentage_increase_rounds_the_increase_half_up_to_the_penny():
    assert increased(10000, 480) == 10480
    assert increased(11050, 480) == 11580      # 530.4p -> 530p
    assert increased(9531, 480) == 9988        # 457.488p -> 457p
    assert increased(12500, 270) == 12838      # 337.5p -> 338p (a half goes up)
    assert increased(0, 480) == 0


def test_caps_hold_an_increase_to_the_percentage_limit_and_the_weekly_pounds_cap():
    policy = ReviewPolicy("p", date(2026, 4, 1), "test", limit_bp=480, max_weekly_increase_pence=500)
    assert capped(10000, 10400, "weekly", policy) == (10400, False)
    assert capped(10000, 11000, "weekly", policy) == (10480, True)       # CPI + 1% limit
    assert capped(20000, 20960, "weekly", policy) == (20500, True)       # no more than 5.00 a week more
    assert capped(80000, 84000, "monthly", policy) == (82166, True)      # 5.00 x 52 / 12 = 21.66 a month


def test_the_2026_rent_standard_limit_is_cpi_plus_one_percent_from_data():
    policy = policy_for(DATA, "rent_standard", FIRST_WEEK)
    assert policy.limit_bp == 480 and "CPI" in policy.source
    assert policy_for(DATA, "rent_standard", date(2025, 4, 7)).limit_bp == 270
    with pytest.raises(InputError, match="no review policy 'nope'"):
        policy_for(DATA, "nope", FIRST_WEEK)


def test_england_weekly_tenancy_needs_four_weeks_received_two_working_days_after_posting():
    rule = notice_rule_for(DATA, "england", FIRST_WEEK)
    assert rule.section == "Housing Act 1985 s102-103"
    assert receive_by(FIRST_WEEK, rule, "weekly") == date(2026, 3, 9)
    latest = latest_notice_day(FIRST_WEEK, rule, "weekly", ENGLAND.add_working_days)
    assert latest == date(2026, 3, 5)  # Thu 5 March, deemed received Mon 9 March
    assert notice_in_time(date(2026, 3, 5), FIRST_WEEK, rule, "weekly", ENGLAND.add_working_days)
    assert not notice_in_time(date(2026, 3, 6), FIRST_WEEK, rule, "weekly", ENGLAND.add_working_days)


def test_england_monthly_tenancy_needs_one_rental_period_when_longer_than_four_weeks():
    rule = notice_rule_for(DATA, "england", FIRST_WEEK)
    assert receive_by(FIRST_WEEK, rule, "monthly") == date(2026, 3, 6)   # one month before, not 28 days
    assert latest_notice_day(FIRST_WEEK, rule, "monthly", ENGLAND.add_working_days) == date(2026, 3, 4)
    assert receive_by(date(2026, 3, 31), rule, "monthly") == date(2026, 2, 28)  # no 31 February


def test_england_notice_across_a_bank_holiday_is_posted_earlier():
    rule = notice_rule_for(DATA, "england", FIRST_WEEK)
    # New rent from Monday 1 June 2026: received by 4 May, the Early May bank holiday; posted by Wed 29 April.
    assert latest_notice_day(date(2026, 6, 1), rule, "weekly", ENGLAND.add_working_days) == date(2026, 4, 29)


def test_scotland_needs_four_weeks_and_has_no_rental_period_rule():
    rule = notice_rule_for(DATA, "scotland", FIRST_WEEK)
    assert rule.section.startswith("Housing (Scotland) Act 2001 s25") and not rule.at_least_one_period
    assert receive_by(FIRST_WEEK, rule, "monthly") == date(2026, 3, 9)
    assert latest_notice_day(FIRST_WEEK, rule, "monthly", SCOTLAND.add_working_days) == date(2026, 3, 5)
    with pytest.raises(InputError, match="no notice-of-variation rule for wales"):
        notice_rule_for(DATA, "wales", FIRST_WEEK)


def test_effect_totals_by_group_and_the_largest_changes():
    lines = [LineChange("P1", "basic_rent", "weekly", 10000, 10480, False, "North"),
             LineChange("P2", "basic_rent", "weekly", 20000, 20500, True, "North"),
             LineChange("P3", "basic_rent", "monthly", 52000, 52000, False, "South")]
    totals = group_totals(lines)
    assert [(g.group, g.lines, g.old_weekly_pence, g.new_weekly_pence) for g in totals] == [
        ("North", 2, 30000, 30980), ("South", 1, 12000, 12000)]
    assert [c.property_ref for c in largest_changes(lines, 2)] == ["P2", "P1"]
