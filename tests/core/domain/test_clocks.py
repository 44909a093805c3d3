"""Working-day, calendar and hour clocks (duty_tui.core.domain.clocks).

Expected bank-holiday dates below were written out by hand from the published
UK lists (gov.uk "UK bank holidays" and the proclamations), not generated
from the ``holidays`` package, so these tests catch a package change as well
as a bug of ours.
"""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import holidays
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from duty_tui.core.domain.clocks import (
    JURISDICTIONS,
    MARKER_OVERDUE,
    MARKER_TODAY,
    Deadline,
    DueStatus,
    Holiday,
    WorkingCalendar,
    add_hours,
    add_months,
    add_weeks,
    calendar_days_after,
    describe_due,
    last_day_of_period_beginning_with,
)

LONDON = ZoneInfo("Europe/London")

# One calendar per jurisdiction for the whole module: hypothesis examples
# share them, which also exercises the lazily grown tables.
CAL = {j: WorkingCalendar(j) for j in JURISDICTIONS}
ENG, WLS, SCT, NIR = CAL["england"], CAL["wales"], CAL["scotland"], CAL["northern_ireland"]


def d(text: str) -> date:
    return date.fromisoformat(text)


def ds(*texts: str) -> set[date]:
    return {d(t) for t in texts}


# Weekday bank holidays (the days a working-day clock skips), by hand.
EXPECTED_WEEKDAY_HOLIDAYS: dict[tuple[str, int], set[date]] = {
    ("england", 2020): ds(
        "2020-01-01", "2020-04-10", "2020-04-13",
        "2020-05-08",  # early May holiday moved to Friday for VE Day 75
        "2020-05-25", "2020-08-31", "2020-12-25",
        "2020-12-28",  # Boxing Day (Sat) substitute
    ),
    ("england", 2022): ds(
        "2022-01-03",  # New Year's Day (Sat) substitute
        "2022-04-15", "2022-04-18", "2022-05-02",
        "2022-06-02", "2022-06-03",  # spring holiday moved + Platinum Jubilee
        "2022-08-29",
        "2022-09-19",  # State Funeral of Queen Elizabeth II
        "2022-12-26",
        "2022-12-27",  # Christmas Day (Sun) substitute
    ),
    ("england", 2023): ds(
        "2023-01-02", "2023-04-07", "2023-04-10", "2023-05-01",
        "2023-05-08",  # Coronation of King Charles III
        "2023-05-29", "2023-08-28", "2023-12-25", "2023-12-26",
    ),
    ("england", 2026): ds(
        "2026-01-01",
        "2026-04-03",  # Good Friday
        "2026-04-06",  # Easter Monday
        "2026-05-04", "2026-05-25",
        "2026-08-31",  # summer (late August) bank holiday
        "2026-12-25",  # Christmas, a Friday
        "2026-12-28",  # Boxing Day falls on Saturday 26th: Monday substitute
    ),
    ("england", 2027): ds(
        "2027-01-01", "2027-03-26", "2027-03-29", "2027-05-03", "2027-05-31", "2027-08-30",
        "2027-12-27",  # Christmas (Sat) substitute
        "2027-12-28",  # Boxing Day (Sun) substitute
    ),
    ("scotland", 2022): ds(
        "2022-01-03", "2022-01-04",  # 1 Jan (Sat) and 2 Jan (Sun) substitutes
        "2022-04-15", "2022-05-02", "2022-06-02", "2022-06-03",
        "2022-08-01", "2022-09-19", "2022-11-30", "2022-12-26", "2022-12-27",
    ),
    ("scotland", 2023): ds(
        "2023-01-02", "2023-01-03", "2023-04-07", "2023-05-01", "2023-05-08",
        "2023-05-29", "2023-08-07", "2023-11-30", "2023-12-25", "2023-12-26",
    ),
    ("scotland", 2026): ds(
        "2026-01-01",
        "2026-01-02",  # 2 January, Scotland only
        "2026-04-03",  # Good Friday; no Easter Monday in Scotland
        "2026-05-04", "2026-05-25",
        "2026-06-15",  # one-off: Scotland at the FIFA World Cup (see test below)
        "2026-08-03",  # first Monday in August; not the late-August one
        "2026-11-30",  # St Andrew's Day, a Monday
        "2026-12-25", "2026-12-28",
    ),
    ("scotland", 2027): ds(
        "2027-01-01",
        "2027-01-04",  # 2 January (Sat) substitute
        "2027-03-26", "2027-05-03", "2027-05-31", "2027-08-02",
        "2027-11-30",  # St Andrew's Day, a Tuesday
        "2027-12-27", "2027-12-28",
    ),
    ("northern_ireland", 2023): ds(
        "2023-01-02", "2023-03-17", "2023-04-07", "2023-04-10", "2023-05-01", "2023-05-08",
        "2023-05-29", "2023-07-12", "2023-08-28", "2023-12-25", "2023-12-26",
    ),
    ("northern_ireland", 2026): ds(
        "2026-01-01",
        "2026-03-17",  # St Patrick's Day, a Tuesday
        "2026-04-03", "2026-04-06", "2026-05-04", "2026-05-25",
        "2026-07-13",  # Battle of the Boyne: 12 July is a Sunday
        "2026-08-31", "2026-12-25", "2026-12-28",
    ),
    ("northern_ireland", 2027): ds(
        "2027-01-01", "2027-03-17", "2027-03-26", "2027-03-29", "2027-05-03", "2027-05-31",
        "2027-07-12",  # Boyne, a Monday: no substitute needed
        "2027-08-30", "2027-12-27", "2027-12-28",
    ),
}


def weekdays_in_year(year: int) -> int:
    day, count = date(year, 1, 1), 0
    while day.year == year:
        count += day.weekday() < 5
        day += timedelta(days=1)
    return count


# -- the calendar against hand-written bank holidays ------------------------


@pytest.mark.parametrize(("jurisdiction", "year"), sorted(EXPECTED_WEEKDAY_HOLIDAYS))
def test_weekday_bank_holidays_match_published_list(jurisdiction: str, year: int) -> None:
    cal = CAL[jurisdiction]
    expected = EXPECTED_WEEKDAY_HOLIDAYS[(jurisdiction, year)]
    listed = {h.date for h in cal.holidays_between(date(year, 1, 1), date(year, 12, 31))}
    assert listed == expected
    for day in expected:
        assert not cal.is_working_day(day), day
    # Every other weekday of the year is a working day: nothing extra is closed.
    assert cal.working_days_between(date(year - 1, 12, 31), date(year, 12, 31)) == (
        weekdays_in_year(year) - len(expected)
    )


@pytest.mark.parametrize("year", range(2018, 2031))
def test_wales_keeps_the_england_and_wales_calendar(year: int) -> None:
    start, end = date(year, 1, 1), date(year, 12, 31)
    assert WLS.holidays_between(start, end) == ENG.holidays_between(start, end)
    day = start
    while day <= end:
        assert WLS.is_working_day(day) == ENG.is_working_day(day)
        day += timedelta(days=1)


def test_weekends_are_not_working_days() -> None:
    for cal in CAL.values():
        assert not cal.is_working_day(d("2026-06-13"))  # Saturday
        assert not cal.is_working_day(d("2026-06-14"))  # Sunday
        assert cal.is_working_day(d("2026-06-16"))  # ordinary Tuesday


def test_scotland_differs_from_england_where_it_should() -> None:
    assert ENG.is_working_day(d("2026-08-03")) and not SCT.is_working_day(d("2026-08-03"))
    assert SCT.is_working_day(d("2026-08-31")) and not ENG.is_working_day(d("2026-08-31"))
    assert SCT.is_working_day(d("2026-04-06"))  # Easter Monday is not a Scottish bank holiday
    assert not SCT.is_working_day(d("2026-04-03"))  # Good Friday is
    assert not SCT.is_working_day(d("2026-01-02")) and ENG.is_working_day(d("2026-01-02"))
    assert not SCT.is_working_day(d("2026-11-30")) and ENG.is_working_day(d("2026-11-30"))


def test_northern_ireland_only_holidays() -> None:
    assert not NIR.is_working_day(d("2026-03-17"))
    assert ENG.is_working_day(d("2026-03-17")) and SCT.is_working_day(d("2026-03-17"))
    assert not NIR.is_working_day(d("2026-07-13"))
    assert ENG.is_working_day(d("2026-07-13"))


def test_substitute_days_are_named_as_observed() -> None:
    names = {h.date: h.name for h in ENG.holidays_between(d("2026-12-24"), d("2026-12-31"))}
    assert names == {d("2026-12-25"): "Christmas Day", d("2026-12-28"): "Boxing Day (observed)"}
    boyne = NIR.holidays_between(d("2026-07-01"), d("2026-07-31"))
    assert boyne == [Holiday(d("2026-07-13"), "Battle of the Boyne (observed)")]


def test_holidays_between_can_include_weekend_holidays_and_takes_either_order() -> None:
    with_weekends = ENG.holidays_between(d("2026-12-31"), d("2026-12-20"), include_weekends=True)
    assert [h.date for h in with_weekends] == [d("2026-12-25"), d("2026-12-26"), d("2026-12-28")]
    assert ENG.holidays_between(d("2026-06-01"), d("2026-06-30")) == []


def test_one_off_holidays_are_included() -> None:
    for cal in CAL.values():
        assert not cal.is_working_day(d("2022-09-19"))  # State Funeral of Queen Elizabeth II
        assert not cal.is_working_day(d("2023-05-08"))  # Coronation of King Charles III
        assert not cal.is_working_day(d("2022-06-03"))  # Platinum Jubilee


def test_scottish_world_cup_holiday_is_scotland_only() -> None:
    # holidays 0.109 adds 15 June 2026 for Scotland alone, citing a Privy
    # Council proclamation of February 2026; we could not check the
    # proclamation itself, so this pins what the package says.
    assert SCT.holidays_between(d("2026-06-15"), d("2026-06-15"))[0].name.startswith(
        "Scotland's participation in the FIFA World Cup"
    )
    for cal in (ENG, WLS, NIR):
        assert cal.is_working_day(d("2026-06-15"))


def test_unknown_jurisdiction_is_refused_plainly() -> None:
    with pytest.raises(ValueError, match="not one of england, wales, scotland, northern_ireland"):
        WorkingCalendar("uk")  # type: ignore[arg-type]


def test_years_beyond_the_package_have_only_weekends() -> None:
    # The holidays package covers 1872-2100; past that only weekends close
    # the office. Pinned so a change is noticed, not relied on.
    assert ENG.is_working_day(d("2101-12-26"))  # a Monday
    assert not ENG.is_working_day(d("2101-12-25"))  # a Sunday


# -- add_working_days: the complaint scenarios -------------------------------


def test_friday_before_bank_holiday_monday_skips_the_holiday() -> None:
    # Logged Fri 28 Aug 2026; Mon 31 Aug is a bank holiday in England.
    assert ENG.add_working_days(d("2026-08-28"), 5) == d("2026-09-07")
    # Same Friday in Scotland: 31 Aug is an ordinary day there.
    assert SCT.add_working_days(d("2026-08-28"), 5) == d("2026-09-04")


def test_logged_on_a_saturday_counts_from_monday() -> None:
    assert ENG.add_working_days(d("2026-06-13"), 5) == d("2026-06-22")
    assert ENG.add_working_days(d("2026-06-13"), 0) == d("2026-06-15")


def test_logged_on_saturday_before_a_bank_holiday_counts_from_tuesday() -> None:
    assert ENG.add_working_days(d("2026-08-29"), 5) == d("2026-09-08")
    assert ENG.add_working_days(d("2026-08-29"), 0) == d("2026-09-01")


def test_logged_on_the_bank_holiday_itself() -> None:
    assert ENG.add_working_days(d("2026-08-31"), 0) == d("2026-09-01")
    assert ENG.add_working_days(d("2026-08-31"), 5) == d("2026-09-08")
    assert NIR.add_working_days(d("2026-07-13"), 1) == d("2026-07-15")


def test_easter_in_each_jurisdiction() -> None:
    logged = d("2026-04-02")  # Maundy Thursday
    assert ENG.add_working_days(logged, 5) == d("2026-04-13")
    assert WLS.add_working_days(logged, 5) == d("2026-04-13")
    assert NIR.add_working_days(logged, 5) == d("2026-04-13")
    assert SCT.add_working_days(logged, 5) == d("2026-04-10")  # no Easter Monday


def test_christmas_and_new_year() -> None:
    logged = d("2026-12-24")
    assert ENG.add_working_days(logged, 5) == d("2027-01-05")
    # Scotland also loses Mon 4 Jan 2027 (2 January falls on a Saturday).
    assert SCT.add_working_days(logged, 5) == d("2027-01-06")


def test_boyne_week_in_northern_ireland() -> None:
    assert NIR.add_working_days(d("2026-07-10"), 5) == d("2026-07-20")
    assert ENG.add_working_days(d("2026-07-10"), 5) == d("2026-07-17")


def test_stage_one_acknowledge_then_respond_chain() -> None:
    logged = d("2026-12-23")
    acknowledge_by = ENG.add_working_days(logged, 5)
    assert acknowledge_by == d("2027-01-04")
    assert ENG.add_working_days(acknowledge_by, 10) == d("2027-01-18")


def test_add_zero_to_a_working_day_is_that_day() -> None:
    assert ENG.add_working_days(d("2026-09-01"), 0) == d("2026-09-01")


def test_negative_working_days_are_refused() -> None:
    with pytest.raises(ValueError, match="n >= 0"):
        ENG.add_working_days(d("2026-09-01"), -1)


def test_next_working_day_is_strictly_after() -> None:
    assert ENG.next_working_day(d("2026-09-01")) == d("2026-09-02")
    assert ENG.next_working_day(d("2026-08-28")) == d("2026-09-01")
    assert SCT.next_working_day(d("2026-12-31")) == d("2027-01-05")


def test_long_spans_cross_many_years_and_agree_with_a_fresh_calendar() -> None:
    cal = WorkingCalendar("england")
    far = cal.add_working_days(d("2026-01-01"), 2_500)  # forces the table to grow
    assert far == naive_add_working_days("ENG", d("2026-01-01"), 2_500)
    # Growing backwards after forwards gives the same answers.
    assert cal.add_working_days(d("1990-06-01"), 10) == WorkingCalendar("england").add_working_days(
        d("1990-06-01"), 10
    )
    assert cal.working_days_between(d("1990-06-01"), far) == WorkingCalendar(
        "england"
    ).working_days_between(d("1990-06-01"), far)


def test_calendar_is_safe_to_share_between_worker_threads() -> None:
    cal = WorkingCalendar("scotland")
    starts = [date(1950 + i * 7, 3, 1) for i in range(20)]
    results: dict[date, date] = {}

    def work(start: date) -> None:
        results[start] = cal.add_working_days(start, 40)

    threads = [threading.Thread(target=work, args=(s,)) for s in starts]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    fresh = WorkingCalendar("scotland")
    assert results == {s: fresh.add_working_days(s, 40) for s in starts}


# -- working_days_between ----------------------------------------------------


def test_working_days_between_counts_after_a_up_to_and_including_b() -> None:
    assert ENG.working_days_between(d("2026-08-28"), d("2026-09-07")) == 5
    assert ENG.working_days_between(d("2026-08-29"), d("2026-09-08")) == 6
    assert ENG.working_days_between(d("2026-09-01"), d("2026-09-01")) == 0
    assert ENG.working_days_between(d("2026-08-28"), d("2026-08-31")) == 0  # only the holiday between
    assert ENG.working_days_between(d("2026-09-07"), d("2026-08-28")) == -5


def test_working_days_between_is_antisymmetric() -> None:
    a, b = d("2026-12-20"), d("2027-01-10")
    for cal in CAL.values():
        assert cal.working_days_between(a, b) == -cal.working_days_between(b, a)


# -- property tests ---------------------------------------------------------------

dates = st.dates(min_value=date(1990, 1, 1), max_value=date(2090, 12, 31))
jurisdictions = st.sampled_from(JURISDICTIONS)
counts = st.integers(min_value=0, max_value=600)


@settings(max_examples=300, deadline=None)
@given(jurisdictions, dates, counts)
def test_add_working_days_always_lands_on_a_working_day(j: str, start: date, n: int) -> None:
    assert CAL[j].is_working_day(CAL[j].add_working_days(start, n))


@settings(max_examples=300, deadline=None)
@given(jurisdictions, dates, counts)
def test_working_days_between_inverts_add_working_days(j: str, start: date, n: int) -> None:
    cal = CAL[j]
    effective_start = cal.add_working_days(start, 0)
    assert cal.working_days_between(effective_start, cal.add_working_days(start, n)) == n


@settings(max_examples=300, deadline=None)
@given(jurisdictions, dates, counts)
def test_add_working_days_is_strictly_monotonic_in_n(j: str, start: date, n: int) -> None:
    cal = CAL[j]
    here, after = cal.add_working_days(start, n), cal.add_working_days(start, n + 1)
    assert here < after
    assert after == cal.next_working_day(here)
    assert here >= start


@settings(max_examples=200, deadline=None)
@given(jurisdictions, dates, counts, counts)
def test_add_working_days_composes(j: str, start: date, m: int, n: int) -> None:
    cal = CAL[j]
    assert cal.add_working_days(cal.add_working_days(start, m), n) == cal.add_working_days(start, m + n)


@settings(max_examples=300, deadline=None)
@given(jurisdictions, dates, dates, dates)
def test_working_days_between_is_antisymmetric_and_additive(j: str, a: date, b: date, c: date) -> None:
    cal = CAL[j]
    assert cal.working_days_between(a, b) == -cal.working_days_between(b, a)
    assert cal.working_days_between(a, b) + cal.working_days_between(b, c) == cal.working_days_between(a, c)


def naive_add_working_days(subdiv: str, start: date, n: int) -> date:
    """Oracle: step a day at a time, asking the holidays package directly."""
    table = holidays.country_holidays("GB", subdiv=subdiv)

    def working(day: date) -> bool:
        return day.weekday() < 5 and day not in table

    day = start
    while not working(day):
        day += timedelta(days=1)
    for _ in range(n):
        day += timedelta(days=1)
        while not working(day):
            day += timedelta(days=1)
    return day


SUBDIV = {"england": "ENG", "wales": "WLS", "scotland": "SCT", "northern_ireland": "NIR"}


@settings(max_examples=200, deadline=None)
@given(jurisdictions, dates, st.integers(min_value=0, max_value=40))
def test_add_working_days_agrees_with_a_day_by_day_oracle(j: str, start: date, n: int) -> None:
    assert CAL[j].add_working_days(start, n) == naive_add_working_days(SUBDIV[j], start, n)


# -- calendar arithmetic -------------------------------------------------------


def test_calendar_days_after_and_periods_beginning_with_a_day() -> None:
    assert calendar_days_after(d("2026-01-10"), 56) == d("2026-03-07")
    assert calendar_days_after(d("2026-12-20"), 21) == d("2027-01-10")  # holidays count
    # s202(3): "the period of 21 days beginning with the day" of notification.
    assert last_day_of_period_beginning_with(d("2026-01-10"), 21) == d("2026-01-30")
    assert last_day_of_period_beginning_with(d("2026-01-10"), 1) == d("2026-01-10")
    with pytest.raises(ValueError):
        last_day_of_period_beginning_with(d("2026-01-10"), 0)


def test_add_weeks() -> None:
    assert add_weeks(d("2026-08-28"), 12) == d("2026-11-20")
    assert add_weeks(d("2026-08-28"), 0) == d("2026-08-28")


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        ("2026-01-31", 1, "2026-02-28"),
        ("2028-01-31", 1, "2028-02-29"),  # leap year
        ("2026-03-31", 1, "2026-04-30"),
        ("2026-11-30", 3, "2027-02-28"),
        ("2026-12-15", 2, "2027-02-15"),
        ("2026-10-31", 2, "2026-12-31"),
        ("2026-03-31", -1, "2026-02-28"),
        ("2026-01-15", -1, "2025-12-15"),
        ("2026-05-20", 0, "2026-05-20"),
        ("2026-08-31", 24, "2028-08-31"),
    ],
)
def test_add_months_clamps_to_month_end(start: str, months: int, expected: str) -> None:
    assert add_months(d(start), months) == d(expected)


def test_add_months_keeps_the_time_of_a_datetime() -> None:
    assert add_months(datetime(2026, 1, 31, 9, 30), 1) == datetime(2026, 2, 28, 9, 30)


def test_subject_access_request_due_on_a_weekend_rolls_to_next_working_day() -> None:
    due = add_months(d("2026-01-31"), 1)
    assert due == d("2026-02-28")  # a Saturday
    assert ENG.add_working_days(due, 0) == d("2026-03-02")


@settings(max_examples=300, deadline=None)
@given(dates, st.integers(min_value=-120, max_value=120))
def test_add_months_property(start: date, months: int) -> None:
    got = add_months(start, months)
    assert (got.year * 12 + got.month) - (start.year * 12 + start.month) == months
    assert got.day == start.day or (got.day < start.day and (got + timedelta(days=1)).day == 1)


# -- hour clocks ---------------------------------------------------------------


def test_add_hours_runs_through_nights_weekends_and_holidays() -> None:
    friday_evening = datetime(2026, 8, 28, 17, 0)
    assert add_hours(friday_evening, 24) == datetime(2026, 8, 29, 17, 0)
    assert add_hours(friday_evening, 72) == datetime(2026, 8, 31, 17, 0)  # bank holiday Monday


def test_add_hours_counts_real_hours_across_the_clocks_changing() -> None:
    # BST starts 01:00 UTC on Sun 29 March 2026: 24 real hours from noon
    # Saturday is 13:00 on Sunday by the wall clock.
    start = datetime(2026, 3, 28, 12, 0, tzinfo=LONDON)
    due = add_hours(start, 24)
    assert due == datetime(2026, 3, 29, 13, 0, tzinfo=LONDON)
    assert (due.hour, due.tzinfo) == (13, LONDON)
    # BST ends Sun 25 October 2026: the day is 25 hours long.
    assert add_hours(datetime(2026, 10, 24, 12, 0, tzinfo=LONDON), 24).hour == 11


def test_add_hours_keeps_a_fixed_offset_or_naive_value_as_given() -> None:
    utc = datetime(2026, 1, 1, 23, 0, tzinfo=UTC)
    assert add_hours(utc, 2) == datetime(2026, 1, 2, 1, 0, tzinfo=UTC)
    assert add_hours(utc, 2).tzinfo is UTC
    assert add_hours(datetime(2026, 1, 1, 23, 0), 2).tzinfo is None


# -- Deadline and describe_due ---------------------------------------------------

ACK = Deadline(d("2026-09-07"), "working_days")  # 5 working days from Fri 28 Aug 2026


@pytest.mark.parametrize(
    ("today", "state", "label", "marker"),
    [
        ("2026-09-02", "ok", "due in 3 working days", ""),
        ("2026-09-03", "due_soon", "due in 2 working days", ""),
        ("2026-09-04", "due_soon", "due next working day (Mon 07/09/2026)", ""),
        ("2026-09-06", "due_soon", "due tomorrow", ""),  # a Sunday
        ("2026-09-07", "due_today", "due today", MARKER_TODAY),
        ("2026-09-08", "overdue", "overdue by 1 working day", MARKER_OVERDUE),
        ("2026-09-10", "overdue", "overdue by 3 working days", MARKER_OVERDUE),
    ],
)
def test_describe_working_day_deadline(today: str, state: str, label: str, marker: str) -> None:
    assert describe_due(ACK, d(today), ENG) == DueStatus(state, label, marker)  # type: ignore[arg-type]


def test_describe_due_before_a_bank_holiday() -> None:
    due = Deadline(d("2026-09-01"), "working_days")
    status = describe_due(due, d("2026-08-28"), ENG)
    assert status.label == "due next working day (Tue 01/09/2026)"
    # In Scotland the Monday is a working day, so two remain.
    assert describe_due(due, d("2026-08-28"), SCT).label == "due in 2 working days"


def test_describe_due_when_the_office_is_open_on_a_saturday() -> None:
    due = Deadline(d("2026-09-11"), "working_days")  # a Friday
    status = describe_due(due, d("2026-09-12"), ENG)
    assert status == DueStatus("overdue", "overdue since Fri 11/09/2026", MARKER_OVERDUE)
    assert describe_due(due, d("2026-09-14"), ENG).label == "overdue by 1 working day"


def test_working_day_due_date_on_a_closed_day_means_the_last_open_day_before() -> None:
    typed_in = Deadline(d("2026-08-31"), "working_days")  # bank holiday Monday
    assert describe_due(typed_in, d("2026-08-28"), ENG).state == "due_today"
    assert describe_due(typed_in, d("2026-08-27"), ENG).label == "due tomorrow"
    assert describe_due(typed_in, d("2026-09-01"), ENG).label == "overdue by 1 working day"


def test_describe_due_accepts_a_datetime_now_for_day_clocks() -> None:
    now = datetime(2026, 9, 7, 16, 45, tzinfo=LONDON)
    assert describe_due(ACK, now, ENG).state == "due_today"


def test_soon_window_is_adjustable() -> None:
    assert describe_due(ACK, d("2026-09-02"), ENG, soon_within=5).state == "due_soon"
    assert describe_due(ACK, d("2026-09-03"), ENG, soon_within=0).state == "ok"


@pytest.mark.parametrize(
    ("today", "state", "label"),
    [
        ("2026-03-01", "ok", "due in 6 days"),
        ("2026-03-05", "due_soon", "due in 2 days"),
        ("2026-03-06", "due_soon", "due tomorrow"),
        ("2026-03-07", "due_today", "due today"),  # a Saturday: calendar days ignore weekends
        ("2026-03-08", "overdue", "overdue by 1 day"),
        ("2026-03-17", "overdue", "overdue by 10 days"),
    ],
)
def test_describe_calendar_day_deadline(today: str, state: str, label: str) -> None:
    relief_ends = Deadline(calendar_days_after(d("2026-01-10"), 56), "calendar_days")
    status = describe_due(relief_ends, d(today), ENG)
    assert (status.state, status.label) == (state, label)


def test_describe_hour_deadline_through_the_clocks_changing() -> None:
    start = datetime(2026, 3, 28, 12, 0, tzinfo=LONDON)
    hazard = Deadline(add_hours(start, 24), "hours")
    assert describe_due(hazard, start, ENG) == DueStatus("due_soon", "due in 24 h", "")
    assert describe_due(hazard, datetime(2026, 3, 29, 10, 30, tzinfo=LONDON), ENG) == DueStatus(
        "due_today", "due in 2 h 30 min", MARKER_TODAY
    )
    assert describe_due(hazard, datetime(2026, 3, 29, 15, 30, tzinfo=LONDON), ENG) == DueStatus(
        "overdue", "overdue by 2 h 30 min", MARKER_OVERDUE
    )
    # The same instant written in UTC reads the same.
    now_utc = datetime(2026, 3, 29, 9, 30, tzinfo=UTC)
    assert describe_due(hazard, now_utc, ENG).label == "due in 2 h 30 min"


def test_hour_labels_round_towards_urgency() -> None:
    due = Deadline(datetime(2026, 5, 1, 9, 0), "hours")
    assert describe_due(due, datetime(2026, 5, 1, 4, 0), ENG) == DueStatus("due_today", "due in 5 h", MARKER_TODAY)
    assert describe_due(due, datetime(2026, 5, 1, 8, 59, 30), ENG).label == "due in under 1 min"
    assert describe_due(due, datetime(2026, 5, 1, 8, 15, 59), ENG).label == "due in 44 min"
    assert describe_due(due, datetime(2026, 5, 1, 9, 0), ENG) == DueStatus("due_today", "due now", MARKER_TODAY)
    assert describe_due(due, datetime(2026, 5, 1, 9, 0, 10), ENG).label == "overdue by 1 min"
    assert describe_due(due, datetime(2026, 4, 29, 9, 0), ENG) == DueStatus("ok", "due in 48 h", "")
    assert describe_due(due, datetime(2026, 4, 30, 10, 0), ENG).state == "due_soon"


def test_hour_deadline_refuses_mixing_naive_and_aware_times() -> None:
    due = Deadline(datetime(2026, 5, 1, 9, 0), "hours")
    with pytest.raises(ValueError, match="naive"):
        describe_due(due, datetime(2026, 5, 1, 4, 0, tzinfo=LONDON), ENG)
    with pytest.raises(ValueError, match="date and time"):
        describe_due(due, d("2026-05-01"), ENG)


def test_deadline_checks_its_due_value_matches_its_kind() -> None:
    with pytest.raises(ValueError, match="needs a date and time"):
        Deadline(d("2026-05-01"), "hours")
    with pytest.raises(ValueError, match="without a time"):
        Deadline(datetime(2026, 5, 1, 9, 0), "working_days")
    with pytest.raises(ValueError, match="not one of"):
        Deadline(d("2026-05-01"), "weeks")  # type: ignore[arg-type]


@settings(max_examples=200, deadline=None)
@given(jurisdictions, dates, st.integers(min_value=0, max_value=30), st.integers(min_value=-40, max_value=40))
def test_describe_due_marker_always_matches_state(j: str, start: date, n: int, offset: int) -> None:
    cal = CAL[j]
    due = Deadline(cal.add_working_days(start, n), "working_days")
    status = describe_due(due, due.due + timedelta(days=offset), cal)  # type: ignore[operator]
    assert status.marker == {"overdue": MARKER_OVERDUE, "due_today": MARKER_TODAY}.get(status.state, "")
    assert (status.state == "overdue") == (offset > 0)
    assert (status.state == "due_today") == (offset == 0)
