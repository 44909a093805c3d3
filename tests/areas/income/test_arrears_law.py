"""The law of arrears recovery (duty_tui/areas/income/domain/law.py) as worked examples, one rule each, with the
statute in the test's name, and property tests of the earliest-date rule and the court gate (docs/INCOME.md)."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from duty_tui.areas.income.domain.arrears_input import (
    ENGLAND_STEPS,
    SCOTLAND_STEPS,
    ArrearsInputError,
    Rent,
    parse_account,
)
from duty_tui.areas.income.domain.law import (
    assess_account,
    earliest_proceedings,
    period_containing,
    weekly_rent_pence,
    weeks_in_arrears,
)
from duty_tui.areas.income.domain.law_table import load_law

DATA = Path(__file__).resolve().parents[3] / "data"
LAW = load_law(DATA)
D = date.fromisoformat
WEEKLY = {"amount_pence": 9500, "period": "weekly", "period_start": "2026-01-05"}  # Mondays
ALL_ENGLAND = list(ENGLAND_STEPS)


def _assess(**given_facts) -> dict:
    facts = {"as_of": "2026-10-14", "tenancy_type": "secure", "rent": WEEKLY, "balance_pence": 42750} | given_facts
    return assess_account(parse_account(facts), LAW).as_json()


def _earliest(period: str, start: str, served: str) -> date:
    rent = Rent(9500, period, D(start))
    return earliest_proceedings(rent, D(served), LAW.on("notice_minimum", "england", D(served)))


# --- rental periods ---------------------------------------------------------------------------

@pytest.mark.parametrize(("period", "start", "day", "first", "last"), [
    ("weekly", "2026-01-05", "2026-10-14", "2026-10-12", "2026-10-18"),
    ("weekly", "2026-01-05", "2025-12-31", "2025-12-29", "2026-01-04"),  # periods repeat backwards too
    ("fortnightly", "2026-01-05", "2026-03-04", "2026-03-02", "2026-03-15"),
    ("four_weekly", "2026-01-05", "2026-03-04", "2026-03-02", "2026-03-29"),
    ("monthly", "2026-01-01", "2026-03-10", "2026-03-01", "2026-03-31"),
    ("monthly", "2026-01-31", "2026-02-10", "2026-01-31", "2026-02-27"),  # 31st: February's period starts on the 28th
    ("monthly", "2026-01-31", "2026-02-28", "2026-02-28", "2026-03-30"),
    ("monthly", "2026-01-31", "2026-04-15", "2026-03-31", "2026-04-29"),  # April's on the 30th
    ("monthly", "2026-01-30", "2028-02-29", "2028-02-29", "2028-03-29"),  # a leap year's February
    ("monthly", "2026-03-31", "2026-02-15", "2026-01-31", "2026-02-27"),  # before period_start
])
def test_rental_periods_repeat_from_period_start_and_clamp_to_month_end(period, start, day, first, last):
    found = period_containing(Rent(100, period, D(start)), D(day))
    assert (found.start, found.end) == (D(first), D(last))


# --- the earliest date proceedings may begin: HA 1985 s83(5), HA 1996 s128(4) --------------------

@pytest.mark.parametrize(("period", "start", "served", "earliest"), [
    # weekly (Monday periods): served mid-period, S+28 is a Wednesday: the Sunday that ends its week
    ("weekly", "2026-01-05", "2026-10-14", "2026-11-15"),
    # served on a Monday: S+28 is the first day of a period, so it stands
    ("weekly", "2026-01-05", "2027-03-01", "2027-03-29"),
    # served on a Sunday: S+28 is the last day of a period, so it stands
    ("weekly", "2026-01-05", "2026-10-18", "2026-11-15"),
    # fortnightly: S+28 (1 Apr) falls inside the fortnight 30 Mar - 12 Apr
    ("fortnightly", "2026-01-05", "2026-03-04", "2026-04-12"),
    # four-weekly: the first full period after service (30 Mar - 26 Apr) ends after S+28
    ("four_weekly", "2026-01-05", "2026-03-04", "2026-04-26"),
    # monthly on the 1st: the whole of April must pass
    ("monthly", "2026-01-01", "2026-03-10", "2026-04-30"),
    # monthly on the 31st: the period from 28 Feb ends on 30 Mar
    ("monthly", "2026-01-31", "2026-02-10", "2026-03-30"),
    # monthly on the 30th, served on 28 Feb (a period start): that period, to 29 Mar, is the full one
    ("monthly", "2026-01-30", "2026-02-28", "2026-03-29"),
])
def test_ha1985_s83_5_earliest_date_is_a_notice_to_quit_date(period, start, served, earliest):
    assert _earliest(period, start, served) == D(earliest)


def test_protection_from_eviction_act_s5_never_less_than_28_days():
    # Served on a Sunday, the day before a period starts: S+28 governs, and is a period's last day.
    assert _earliest("weekly", "2026-01-05", "2026-10-11") == D("2026-11-08")


# --- money ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("period", "amount", "weekly"), [
    ("weekly", 9500, 9500), ("fortnightly", 19001, 9501), ("four_weekly", 38002, 9501),
    ("four_weekly", 38001, 9500), ("monthly", 41167, 9500), ("monthly", 50000, 11538),
])
def test_weekly_equivalent_rounds_half_up_to_the_penny(period, amount, weekly):
    assert weekly_rent_pence(Rent(amount, period, D("2026-01-05"))) == weekly


def test_weeks_in_arrears_two_places_half_up():
    assert weeks_in_arrears(201, 200) == 1.01  # 1.005: half up, not to even
    assert weeks_in_arrears(15250, 9500) == 1.61
    assert weeks_in_arrears(0, 9500) == 0.0
    assert _assess(balance_pence=-500)["arrears_pence"] == 0


# --- the notice -------------------------------------------------------------------------------

def test_ha1985_s83_valid_notice_lapses_12_months_after_its_date():
    out = _assess(notice={"served": "2026-10-14", "date_specified": "2026-11-15"})
    assert out["notice"] == {"earliest_proceedings": "2026-11-15", "valid": True, "lapses": "2027-11-15",
                             "in_force": True, "review_request_by": None}


def test_ha1985_s83_5_a_date_before_the_earliest_is_invalid_and_not_in_force():
    out = _assess(as_of="2026-12-01", notice={"served": "2026-10-14", "date_specified": "2026-11-11"},
                  protocol=ALL_ENGLAND)
    assert out["notice"]["valid"] is False and out["notice"]["in_force"] is False
    assert out["court"] == {"may_apply": False, "blocked_by": ["notice_invalid"]}
    assert any("15/11/2026" in line and "not valid" in line for line in out["reasons"])


def test_ha1985_s83_4_b_notice_lapsed_on_its_anniversary():
    notice = {"served": "2026-10-14", "date_specified": "2026-11-15"}
    assert _assess(as_of="2027-11-14", notice=notice, protocol=ALL_ENGLAND)["court"]["may_apply"] is True
    out = _assess(as_of="2027-11-15", notice=notice, protocol=ALL_ENGLAND)
    assert out["notice"]["in_force"] is False
    assert out["court"]["blocked_by"] == ["notice_lapsed"]


def test_flexible_tenancy_takes_the_secure_rules():
    out = _assess(tenancy_type="flexible", notice={"served": "2026-10-14", "date_specified": "2026-11-15"})
    assert out["notice"]["lapses"] == "2027-11-15"


def test_ha1996_s128_s129_introductory_no_lapse_review_within_14_days():
    out = _assess(tenancy_type="introductory", notice={"served": "2026-10-14", "date_specified": "2026-11-15"})
    assert out["notice"] == {"earliest_proceedings": "2026-11-15", "valid": True, "lapses": None,
                             "in_force": True, "review_request_by": "2026-10-27"}
    assert any("HA 1996 s129(1)" in line for line in out["reasons"])


def test_ha1996_s129_review_pending_blocks_until_decided():
    notice = {"served": "2026-10-14", "date_specified": "2026-11-15"}
    base = {"tenancy_type": "introductory", "as_of": "2026-12-01", "notice": notice, "protocol": ALL_ENGLAND}
    assert _assess(**base, review={"requested": "2026-10-20", "decided": None})["court"]["blocked_by"] == [
        "review_pending"]
    assert _assess(**base, review={"requested": "2026-10-20", "decided": "2026-11-10"})["court"]["may_apply"]


def test_housing_scotland_act_2001_s14_notice_lapses_after_6_months_and_s11_notification_gates():
    base = {"jurisdiction": "scotland", "tenancy_type": "scottish_secure", "as_of": "2026-12-01",
            "notice": {"served": "2026-10-14", "date_specified": "2026-11-15"}, "protocol": list(SCOTLAND_STEPS)}
    out = _assess(**base)
    assert out["notice"] == {"earliest_proceedings": "2026-11-15", "valid": True, "lapses": "2027-05-15",
                             "in_force": True, "review_request_by": None}
    assert out["court"]["blocked_by"] == ["council_not_notified"]
    assert any("Homelessness etc. (Scotland) Act 2003 s11" in line for line in out["reasons"])
    assert _assess(**base, council_notified=True)["court"] == {"may_apply": True, "blocked_by": []}
    assert _assess(**(base | {"as_of": "2027-05-15"}), council_notified=True)["court"]["blocked_by"] == ["notice_lapsed"]


def test_housing_scotland_act_2001_s14a_steps_outstanding_in_order():
    out = _assess(jurisdiction="scotland", tenancy_type="scottish_secure", protocol=["s14a_payment_plan"],
                  council_notified=True)
    assert out["outstanding_protocol"] == ["s14a_information", "s14a_benefits_help", "s14a_debt_advice"]
    assert out["court"]["blocked_by"] == ["no_notice", "protocol:s14a_information", "protocol:s14a_benefits_help",
                                          "protocol:s14a_debt_advice"]


# --- the court gate: every code, in docs/CLI.md's order ---------------------------------------

def test_court_gate_codes_in_order():
    out = _assess(tenancy_type="introductory", balance_pence=0, as_of="2026-10-20",
                  notice={"served": "2026-10-14", "date_specified": "2026-11-01"},
                  review={"requested": "2026-10-20", "decided": None},
                  benefit_claim_pending=True, agreement_being_kept=True)
    assert out["court"] == {"may_apply": False, "blocked_by": [
        "no_arrears", "notice_invalid", "notice_not_yet_expired", "review_pending",
        *[f"protocol:{step}" for step in ENGLAND_STEPS], "benefit_claim_pending", "agreement_being_kept"]}


@pytest.mark.parametrize("kind", ["assured", "starter"])
def test_types_not_covered_have_no_notice_dates(kind):
    out = _assess(tenancy_type=kind, notice={"served": "2026-10-14", "date_specified": "2026-11-15"},
                  protocol=ALL_ENGLAND)
    assert out["notice_if_served_today"] is None and out["notice"] is None
    assert out["court"]["blocked_by"] == ["tenancy_type_not_covered"]


def test_short_scottish_secure_not_covered_and_no_notice():
    out = _assess(jurisdiction="scotland", tenancy_type="short_scottish_secure", council_notified=True,
                  protocol=list(SCOTLAND_STEPS))
    assert out["notice_if_served_today"] is None
    assert out["court"]["blocked_by"] == ["tenancy_type_not_covered", "no_notice"]


def test_pre_action_protocol_benefit_claim_and_kept_agreement_block():
    notice = {"served": "2026-10-14", "date_specified": "2026-11-15"}
    out = _assess(as_of="2026-12-01", notice=notice, protocol=ALL_ENGLAND, benefit_claim_pending=True)
    assert out["court"]["blocked_by"] == ["benefit_claim_pending"]
    out = _assess(as_of="2026-12-01", notice=notice, protocol=ALL_ENGLAND, agreement_being_kept=True)
    assert out["court"]["blocked_by"] == ["agreement_being_kept"]


# --- CPR 55.5(3) --------------------------------------------------------------------------------

def test_cpr_55_5_3_claim_dates_and_window():
    inside = _assess(claim={"issued": "2027-03-01", "hearing": "2027-03-29"})["claim"]
    assert inside == {"hearing_not_before": "2027-03-29", "hearing_standard_by": "2027-04-26",
                      "serve_by": "2027-03-08", "hearing_in_window": True}
    late = _assess(claim={"issued": "2027-03-01", "hearing": "2027-04-27"})["claim"]
    assert late["hearing_in_window"] is False and late["serve_by"] == "2027-04-06"
    early = _assess(claim={"issued": "2027-03-01", "hearing": "2027-03-28"})["claim"]
    assert early["hearing_in_window"] is False
    unset = _assess(claim={"issued": "2027-03-01", "hearing": None})["claim"]
    assert unset["serve_by"] is None and unset["hearing_in_window"] is None


def test_cpr_does_not_apply_in_scotland():
    out = _assess(jurisdiction="scotland", tenancy_type="scottish_secure", claim={"issued": "2027-03-01"})
    assert out["claim"] is None
    assert any("CPR 55.5(3) does not apply in Scotland" in line for line in out["reasons"])


# --- reasons ----------------------------------------------------------------------------------

SOURCES = ("HA 1985", "HA 1996", "Act", "CPR", "Protocol", "given")


def test_every_reason_names_its_source():
    out = _assess(tenancy_type="introductory", notice={"served": "2026-10-14", "date_specified": "2026-11-15"},
                  review={"requested": "2026-10-20", "decided": None}, benefit_claim_pending=True,
                  claim={"issued": "2027-03-01", "hearing": "2027-04-12"})
    assert len(out["reasons"]) >= 8
    assert all(any(source in line for source in SOURCES) for line in out["reasons"]), out["reasons"]


# --- the table's dates ------------------------------------------------------------------------

def test_a_notice_served_before_the_table_begins_is_refused_by_name():
    with pytest.raises(ArrearsInputError) as caught:
        _assess(as_of="2022-01-10", notice={"served": "2021-09-30", "date_specified": "2021-11-15"})
    assert caught.value.problems == [
        f"notice.served: 2021-09-30 is too early: {LAW.path} holds England's notice_minimum only from 2021-10-01; "
        "assess this by hand, or add the period in force then (docs/INCOME.md)"]


# --- properties ---------------------------------------------------------------------------------

rents = st.builds(lambda period, start, amount: Rent(amount, period, start),
                  st.sampled_from(["weekly", "fortnightly", "four_weekly", "monthly"]),
                  st.dates(D("2022-04-01"), D("2030-12-31")), st.integers(1, 200_000))
served_days = st.dates(D("2022-04-01"), D("2034-12-31"))


def _boundary(rent: Rent, day: date) -> bool:
    around = period_containing(rent, day)
    return day in (around.start, around.end)


@settings(max_examples=200, deadline=None)
@given(rents, served_days)
def test_property_earliest_is_a_boundary_at_least_28_days_on_covering_a_full_period(rent, served):
    minimum = LAW.on("notice_minimum", "england", served)
    earliest = earliest_proceedings(rent, served, minimum)
    assert earliest >= served + timedelta(days=28)
    assert _boundary(rent, earliest)
    first_full = period_containing(rent, served)
    if first_full.start != served:
        first_full = period_containing(rent, first_full.end + timedelta(days=1))
    assert first_full.start >= served and earliest >= first_full.end
    # and it is the first such day: nothing between the lower bound and it is a boundary
    lower = max(served + timedelta(days=28), first_full.end)
    assert not any(_boundary(rent, lower + timedelta(days=n)) for n in range((earliest - lower).days))


@settings(max_examples=200, deadline=None)
@given(kind=st.sampled_from(["secure", "flexible", "introductory", "assured"]),
       balance=st.integers(-5000, 500_000), days_after=st.integers(0, 120), shift=st.integers(0, 500),
       steps=st.sets(st.sampled_from(ENGLAND_STEPS)), benefit=st.booleans(), kept=st.booleans(),
       with_notice=st.booleans())
def test_property_blocked_by_empty_iff_may_apply(kind, balance, days_after, shift, steps, benefit, kept, with_notice):
    served = D("2026-10-14")
    notice = ({"served": served.isoformat(), "date_specified": (served + timedelta(days=days_after)).isoformat()}
              if with_notice else None)
    out = _assess(tenancy_type=kind, balance_pence=balance, as_of=(served + timedelta(days=shift)).isoformat(),
                  notice=notice, protocol=sorted(steps), benefit_claim_pending=benefit, agreement_being_kept=kept)
    court = out["court"]
    assert court["may_apply"] == (court["blocked_by"] == [])
    if out["notice"] is not None:
        assert out["notice"]["valid"] == (notice["date_specified"] >= out["notice"]["earliest_proceedings"])
    order = ["no_arrears", "tenancy_type_not_covered", "no_notice", "notice_invalid", "notice_not_yet_expired",
             "notice_lapsed", "review_pending", *[f"protocol:{s}" for s in ENGLAND_STEPS], "benefit_claim_pending",
             "agreement_being_kept"]
    assert court["blocked_by"] == [code for code in order if code in court["blocked_by"]]
