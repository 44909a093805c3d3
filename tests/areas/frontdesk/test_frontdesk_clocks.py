"""Clock rules of the front desk across bank holidays in each jurisdiction (pure: no database)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from duty_tui.areas.frontdesk.domain import hazards
from duty_tui.areas.frontdesk.domain.complaints import check_extension, check_handler, next_milestone, stage_clock
from duty_tui.areas.frontdesk.domain.reference import load_frontdesk_reference
from duty_tui.areas.frontdesk.domain.rules import deadline_at, end_of_day_utc
from duty_tui.core.domain.clocks import WorkingCalendar
from duty_tui.core.domain.local_time import to_local

DATA = Path(__file__).resolve().parents[3] / "data"


@pytest.fixture(scope="module")
def ref():
    return load_frontdesk_reference(DATA)


def cal(jurisdiction: str) -> WorkingCalendar:
    return WorkingCalendar(jurisdiction)  # type: ignore[arg-type]


# --- Complaint Handling Code (England) -----------------------------------------------------


def test_stage1_ack_skips_good_friday_and_easter_monday_in_england(ref):
    stage1 = ref.complaint_scheme("england").stage(1)
    clock = stage_clock(stage1, date(2026, 4, 2), cal("england"))  # Thursday before Easter
    assert clock.ack_due == date(2026, 4, 13)  # not Thu 9 Apr: Fri 3 and Mon 6 are bank holidays
    assert clock.response_provisional
    assert clock.response_due == date(2026, 4, 27)  # 10 working days from the latest acknowledgement


def test_stage1_response_counts_from_the_actual_acknowledgement(ref):
    stage1 = ref.complaint_scheme("england").stage(1)
    clock = stage_clock(stage1, date(2026, 4, 2), cal("england"), acknowledged=date(2026, 4, 7))
    assert not clock.response_provisional
    assert clock.response_due == date(2026, 4, 21)


def test_stage1_extension_is_one_of_at_most_ten_working_days_with_a_reason(ref):
    stage1 = ref.complaint_scheme("england").stage(1)
    check_extension(stage1, 10, "waiting for a contractor's report", already_extended=False)
    with pytest.raises(ValueError, match="at most 10 working days"):
        check_extension(stage1, 11, "too long", already_extended=False)
    with pytest.raises(ValueError, match="reason"):
        check_extension(stage1, 5, "  ", already_extended=False)
    with pytest.raises(ValueError, match="only one extension"):
        check_extension(stage1, 5, "again", already_extended=True)
    extended = stage_clock(stage1, date(2026, 4, 2), cal("england"), acknowledged=date(2026, 4, 7), extension_days=10)
    assert extended.response_due == date(2026, 5, 6)  # 20 working days after Tue 7 Apr, skipping Mon 4 May


def test_stage2_clocks_and_a_different_handler(ref):
    stage2 = ref.complaint_scheme("england").stage(2)
    clock = stage_clock(stage2, date(2026, 12, 21), cal("england"), acknowledged=date(2026, 12, 22))
    assert clock.ack_due == date(2026, 12, 30)  # Christmas Day and Boxing Day (observed Mon 28) skipped
    assert clock.response_due == date(2027, 1, 22)  # 20 working days: 25 and 28 Dec and 1 Jan skipped
    with pytest.raises(ValueError, match="someone other"):
        check_handler(stage2, 7, 7)
    check_handler(stage2, 7, 8)
    assert not stage2.verified  # the stage 2 extension limit is policy data, not verified


def test_next_milestone_moves_from_acknowledgement_to_response(ref):
    stage1 = ref.complaint_scheme("england").stage(1)
    clock = stage_clock(stage1, date(2026, 4, 2), cal("england"))
    assert next_milestone(stage1, clock, acknowledged=False, responded=False).due == date(2026, 4, 13)
    assert "response" in next_milestone(stage1, clock, acknowledged=True, responded=False).name
    assert next_milestone(stage1, clock, acknowledged=True, responded=True) is None


def test_wales_follows_england_bank_holidays(ref):
    stage1 = ref.complaint_scheme("wales").stage(1)
    assert stage_clock(stage1, date(2026, 4, 2), cal("wales")).ack_due == date(2026, 4, 13)


def test_northern_ireland_skips_st_patricks_day(ref):
    stage1 = ref.complaint_scheme("northern_ireland").stage(1)
    assert stage_clock(stage1, date(2026, 3, 13), cal("northern_ireland")).ack_due == date(2026, 3, 23)
    assert stage_clock(stage1, date(2026, 3, 13), cal("england")).ack_due == date(2026, 3, 20)
    # The Twelfth (Sunday 12 July 2026, observed Monday 13 July)
    assert stage_clock(stage1, date(2026, 7, 10), cal("northern_ireland")).ack_due == date(2026, 7, 20)


# --- SPSO (Scotland) ------------------------------------------------------------------------


def test_spso_frontline_five_days_skips_good_friday_but_not_easter_monday(ref):
    scheme = ref.complaint_scheme("scotland")
    assert scheme.code == "spso"
    frontline = scheme.stage(1)
    clock = stage_clock(frontline, date(2026, 4, 2), cal("scotland"))
    assert clock.response_due == date(2026, 4, 10)  # Easter Monday is not a Scottish bank holiday
    assert stage_clock(frontline, date(2026, 4, 2), cal("england")).response_due == date(2026, 4, 13)


def test_spso_investigation_ack_3_respond_20_across_st_andrews_day(ref):
    investigation = ref.complaint_scheme("scotland").stage(2)
    clock = stage_clock(investigation, date(2026, 11, 26), cal("scotland"))
    assert clock.ack_due == date(2026, 12, 2)  # Mon 30 Nov (St Andrew's Day) skipped
    assert clock.response_due == cal("scotland").add_working_days(date(2026, 11, 26), 20)
    assert not clock.response_provisional  # counted from the start of the stage


# --- Awaab's Law ----------------------------------------------------------------------------


def test_emergency_hazard_24_hours_straight_through_the_clock_change():
    aware = datetime(2026, 3, 28, 12, 0, tzinfo=UTC)  # Saturday before the clocks go forward
    due = hazards.emergency_due(aware)
    assert due == datetime(2026, 3, 29, 12, 0, tzinfo=UTC)
    assert to_local(due).hour == 13  # 13:00 BST on Sunday: a whole 24 hours


def test_damp_and_mould_clocks_skip_easter_and_early_may_bank_holidays():
    england = cal("england")
    first = hazards.damp_mould_clock(date(2026, 4, 2), england)
    assert first.investigate_due == date(2026, 4, 20)
    assert first.summary_due is None  # waits on the investigation
    done = hazards.damp_mould_clock(date(2026, 4, 2), england, investigated_on=date(2026, 5, 1))
    assert done.summary_due == date(2026, 5, 7)  # Mon 4 May skipped
    assert done.safety_works_due == date(2026, 5, 11)
    assert done.further_works_start_due == date(2026, 5, 11)
    assert done.further_works_begun_by == date(2026, 7, 24)  # 12 weeks
    not_significant = hazards.damp_mould_clock(date(2026, 4, 2), england, investigated_on=date(2026, 5, 1),
                                               significant=False)
    assert not_significant.safety_works_due is None


def test_awaab_applies_in_england_only():
    assert hazards.applies_in("england")
    assert not any(hazards.applies_in(j) for j in ("scotland", "wales", "northern_ireland"))


def test_next_hazard_step_is_the_earliest_undone():
    clock = hazards.damp_mould_clock(date(2026, 4, 2), cal("england"), investigated_on=date(2026, 5, 1))
    steps = hazards.damp_mould_steps(clock)
    assert hazards.next_step(steps).name == "Written summary"
    steps = hazards.damp_mould_steps(clock, summary_sent=date(2026, 5, 5))
    assert hazards.next_step(steps).name == "Safety work"


# --- repair priorities and plain clocks -----------------------------------------------------


def test_scotland_right_to_repair_one_day_skips_new_year_holidays(ref):
    one_day = ref.repair_priorities["rtr_1"]
    assert one_day.offered_in("scotland") and not one_day.offered_in("england")
    start = datetime(2026, 12, 31, 10, 0, tzinfo=UTC)
    due = deadline_at(one_day.kind, one_day.amount, start, cal("scotland"))
    assert to_local(due).date() == date(2027, 1, 5)  # 1 Jan and the 2 Jan holiday (Mon 4) skipped
    assert to_local(deadline_at("working_days", 1, start, cal("england"))).date() == date(2027, 1, 4)


def test_working_day_deadline_is_the_end_of_the_uk_day_in_summer_time():
    due = deadline_at("working_days", 5, datetime(2026, 7, 10, 9, 0, tzinfo=UTC), cal("england"))
    assert due == end_of_day_utc(date(2026, 7, 17))
    assert to_local(due).strftime("%H:%M") == "23:59" and due.hour == 22  # BST


def test_same_day_clock_is_that_day_even_at_a_weekend():
    saturday = datetime(2026, 3, 14, 11, 0, tzinfo=UTC)
    assert to_local(deadline_at("same_day", 0, saturday, cal("england"))).date() == date(2026, 3, 14)


def test_hours_clock_and_no_clock():
    start = datetime(2026, 12, 24, 16, 0, tzinfo=UTC)
    assert deadline_at("hours", 24, start, cal("england")) == datetime(2026, 12, 25, 16, 0, tzinfo=UTC)
    assert deadline_at("none", 0, start, cal("england")) is None
    with pytest.raises(ValueError):
        deadline_at("working_days", 1, datetime(2026, 1, 1, 9, 0), cal("england"))
