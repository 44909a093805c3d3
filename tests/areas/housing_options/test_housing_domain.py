"""Casework rules, intake checks, letters and statistics counting: pure, no database."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from duty_tui.areas.housing_options.domain.casework import (
    ALLOWED_MOVES,
    STAGES,
    CaseClockFacts,
    NonCooperationFacts,
    case_clocks,
    case_summary,
    check_move,
    check_review_request,
    nearest,
    next_plan_review,
    non_cooperation_problems,
    review_decision_due,
    review_request_last_day,
)
from duty_tui.areas.housing_options.domain.homelessness import assess
from duty_tui.areas.housing_options.domain.intake import (
    check_answers,
    household_counts,
    parse_form_date,
    parse_household,
)
from duty_tui.areas.housing_options.domain.letters import readable_dates, render, unknown_placeholders
from duty_tui.areas.housing_options.domain.stats import (
    CaseRow,
    MoveRow,
    Quarter,
    TaRow,
    parse_quarter,
    quarter_statistics,
)
from duty_tui.core.domain.clocks import WorkingCalendar

CAL = WorkingCalendar("england")
TODAY = date(2026, 3, 10)


# --- s202 review clocks ----------------------------------------------------------------------


def test_review_request_window_is_21_days_beginning_with_notification() -> None:
    # s202(3): "21 days beginning with the day on which he is notified" - day 1 is the notification day.
    assert review_request_last_day(date(2026, 3, 10)) == date(2026, 3, 30)
    assert review_request_last_day(date(2026, 2, 20)) == date(2026, 3, 12)  # across a short February


@pytest.mark.parametrize(("kind", "weeks"), [("standard", 8), ("steps", 3), ("s193b_prevention", 3),
                                             ("joint_referral", 10), ("appointed_person", 12)])
def test_review_decision_periods_begin_with_the_request_day(kind: str, weeks: int) -> None:
    # SI 2018/223 reg 9(1): "N weeks beginning with the day on which the request for the review is made".
    requested = date(2026, 3, 10)
    assert review_decision_due(requested, kind) == requested + timedelta(weeks=weeks) - timedelta(days=1)


def test_three_week_reviews_run_from_representations_and_agreed_longer_periods_win() -> None:
    requested = date(2026, 3, 10)
    assert review_decision_due(requested, "steps", representations_on=date(2026, 3, 17)) == date(2026, 4, 6)
    # Representations do not move the 8-week period (reg 9(1)(b) has no such rule).
    assert review_decision_due(requested, "standard", representations_on=date(2026, 3, 17)) == date(2026, 5, 4)
    assert review_decision_due(requested, "standard", agreed_until=date(2026, 6, 1)) == date(2026, 6, 1)
    assert review_decision_due(requested, "standard", agreed_until=date(2026, 4, 1)) == date(2026, 5, 4)
    with pytest.raises(ValueError):
        review_decision_due(requested, "weekly")


def test_late_review_requests_need_the_councils_written_allowance() -> None:
    notified = date(2026, 3, 10)
    assert check_review_request(notified, date(2026, 3, 30), late_allowed=False) is None
    late = check_review_request(notified, date(2026, 3, 31), late_allowed=False)
    assert late and "30/03/2026" in late and "s202(3)" in late
    assert check_review_request(notified, date(2026, 3, 31), late_allowed=True) is None
    assert "before" in check_review_request(notified, date(2026, 3, 9), late_allowed=True)


@given(st.dates(min_value=date(2019, 1, 1), max_value=date(2035, 12, 31)), st.sampled_from(
    ["standard", "steps", "s193b_prevention", "joint_referral", "appointed_person"]))
def test_review_deadline_is_never_before_the_request_and_longer_kinds_never_earlier(requested, kind) -> None:
    due = review_decision_due(requested, kind)
    assert due >= requested
    assert review_decision_due(requested, "appointed_person") >= review_decision_due(requested, "joint_referral") \
        >= review_decision_due(requested, "standard") >= review_decision_due(requested, "steps")


# --- stages --------------------------------------------------------------------------------------


def test_moves_follow_the_statute_order() -> None:
    assert check_move("triage", "relief") is None
    assert check_move("prevention", "relief") is None
    assert check_move("relief", "main_duty") is None
    assert "relief first" in check_move("prevention", "main_duty")
    assert "relief first" in check_move("triage", "main_duty")
    assert "new approach" in check_move("closed", "relief")


@given(st.lists(st.sampled_from(STAGES), max_size=12))
def test_a_case_never_reaches_a_main_duty_without_passing_relief(path) -> None:
    stage, seen = "triage", ["triage"]
    for target in path:
        if check_move(stage, target) is None:
            stage = target
            seen.append(stage)
    if "main_duty" in seen or "intentional" in seen:
        first = min(i for i, s in enumerate(seen) if s in ("main_duty", "intentional"))
        assert "relief" in seen[:first]
    assert all(check_move("closed", s) for s in STAGES)
    assert ALLOWED_MOVES["closed"] == frozenset()


# --- s193B ---------------------------------------------------------------------------------------

SENIORITY = {"options_officer": 1, "team_leader": 2}


def facts(**changes) -> NonCooperationFacts:
    base = dict(duty_stage="relief", warning_issued_on=date(2026, 2, 1), warning_issued_by=10, proposed_by=10,
                proposed_role="options_officer", authoriser=20, authoriser_role="team_leader",
                authoriser_can_decide=True, on=date(2026, 3, 1), min_days_after_warning=14, seniority=SENIORITY)
    base.update(changes)
    return NonCooperationFacts(**base)


def test_s193b_allowed_with_warning_period_and_a_second_senior_officer() -> None:
    assert non_cooperation_problems(facts()) == []
    assert non_cooperation_problems(facts(authoriser_role="options_officer")) == []  # as senior is enough


@pytest.mark.parametrize(("changes", "words"), [
    ({"warning_issued_on": None}, "no relevant warning"),
    ({"on": date(2026, 2, 10)}, "reasonable period"),
    ({"authoriser": 10}, "second, different officer"),
    ({"warning_issued_by": 20}, "gave the warning"),
    ({"authoriser_role": "reception"}, "at least as senior"),
    ({"proposed_role": "team_leader", "authoriser_role": "options_officer"}, "at least as senior"),
    ({"authoriser_can_decide": False}, "homelessness.decide"),
    ({"duty_stage": "main_duty"}, "prevention or relief"),
])
def test_s193b_refused_with_a_clear_reason(changes, words) -> None:
    problems = non_cooperation_problems(facts(**changes))
    assert any(words in p for p in problems), problems


@given(st.integers(1, 5), st.integers(1, 5), st.booleans())
def test_s193b_never_signed_off_by_the_officer_who_proposed_it(proposer, authoriser, warned) -> None:
    f = facts(proposed_by=proposer, authoriser=authoriser, warning_issued_by=99,
              warning_issued_on=date(2026, 1, 1) if warned else None)
    ok = not non_cooperation_problems(f)
    assert not ok or (proposer != authoriser and warned)


# --- clocks --------------------------------------------------------------------------------------


def test_relief_clock_plan_review_and_family_bnb_limit() -> None:
    f = CaseClockFacts(stage="relief", approach_date=date(2026, 3, 9), relief_start=date(2026, 3, 9),
                       plan_review_on=date(2026, 4, 6), open_review_due=(date(2026, 5, 1),),
                       family_bnb_since=(date(2026, 3, 9),))
    clocks = {c.name: c.due for c in case_clocks(f, decision_working_days=10, calendar=CAL)}
    assert clocks["relief_ends"] == date(2026, 5, 4)  # the contract's relief `until`
    assert clocks["decision_due"] == date(2026, 5, 4)
    assert clocks["plan_review"] == date(2026, 4, 6)
    assert clocks["review_due"] == date(2026, 5, 1)
    assert clocks["bnb_limit"] == date(2026, 4, 20)  # 6 weeks
    assert nearest(case_clocks(f, decision_working_days=10, calendar=CAL)).name == "plan_review"
    summary = case_summary("relief", case_clocks(f, decision_working_days=10, calendar=CAL), in_ta=True)
    assert "relief ends 04/05/26" in summary and "in TA" in summary and len(summary) <= 200


def test_triage_decision_due_counts_working_days_and_closed_cases_have_no_clocks() -> None:
    f = CaseClockFacts(stage="triage", approach_date=date(2026, 3, 27))  # Friday before Easter 2026
    due = case_clocks(f, decision_working_days=10, calendar=CAL)[0].due
    assert due == CAL.add_working_days(date(2026, 3, 27), 10) and due > date(2026, 4, 10)
    assert case_clocks(CaseClockFacts(stage="closed", approach_date=TODAY), decision_working_days=10,
                       calendar=CAL) == []
    assert next_plan_review(date(2026, 3, 9), 4) == date(2026, 4, 6)


# --- intake --------------------------------------------------------------------------------------


def answers(**changes):
    base = {"approach_date": "10/03/2026", "eligible": "unknown", "homeless": "unknown", "priority_state": "unknown",
            "intentional": "unknown", "local_connection": "unknown"}
    base.update(changes)
    return base


def test_dates_out_of_order_are_refused_at_their_field() -> None:
    check = check_answers(answers(loss_date="01/03/2026"), today=TODAY)
    assert "loss_date" in check.problems and "after the approach date" in check.problems["loss_date"]
    check = check_answers(answers(approach_date="11/03/2026"), today=TODAY)
    assert "cannot be after today" in check.problems["approach_date"]
    check = check_answers(answers(relief_start="12/03/2026"), today=TODAY)
    assert "relief_start" in check.problems
    check = check_answers(answers(loss_date="31/02/2026"), today=TODAY)
    assert "not a real date" in check.problems["loss_date"]


def test_contradictions_are_named() -> None:
    check = check_answers(answers(homeless="no", rough_sleeping=True), today=TODAY)
    assert "sleeping rough" in check.problems["homeless"]
    check = check_answers(answers(homeless="no", domestic_abuse_risk_at_home=True), today=TODAY)
    assert "s177" in check.problems["homeless"]
    check = check_answers(answers(route="duty_to_refer", referral_consent="no"), today=TODAY)
    assert "referral_body" in check.problems and "consent" in check.problems["referral_consent"]


def test_ages_that_cannot_be() -> None:
    check = check_answers(answers(priority_state="grounds", priority_grounds=["aged_16_17"]), today=TODAY,
                          applicant_born=date(1990, 1, 1))
    assert "was 36" in check.problems["priority_grounds"]
    check = check_answers(answers(), today=TODAY, applicant_born=date(2015, 1, 1))
    assert "under-16s" in check.problems["applicant"]
    check = check_answers(answers(household="child 200"), today=TODAY)
    assert "between 0 and 120" in check.problems["household"]
    check = check_answers(answers(household="child 5 pregnant"), today=TODAY)
    assert "cannot be pregnant" in check.problems["household"]
    check = check_answers(answers(priority_state="grounds", priority_grounds=["dependent_children"]), today=TODAY)
    assert "add the children" in check.warnings["priority_grounds"]


def test_household_text_and_counts() -> None:
    members, problem = parse_household("Partner 34 pregnant; child 7, son 3, daughter 30")
    assert problem is None
    assert [m.relationship for m in members] == ["partner", "child", "child", "other_adult"]
    assert members[0].pregnant
    assert household_counts(members) == (3, 2)
    assert parse_household("aunt 40")[1] and "relationship" in parse_household("aunt 40")[1]
    assert parse_form_date("2026-03-09") == parse_form_date("9/3/2026") == date(2026, 3, 9)


def test_a_field_with_a_problem_counts_as_unknown_for_the_live_assessment() -> None:
    check = check_answers(answers(eligible="yes", homeless="no", rough_sleeping=True), today=TODAY)
    # Homeless is contradictory, so it is unknown; rough sleeping still makes them homeless.
    assert check.approach is not None and check.approach.homeless is None
    assert assess(check.approach).status == "homeless"


TRI = st.sampled_from(["yes", "no", "unknown", "", None])
DATES = st.one_of(st.none(), st.just(""), st.dates(date(2024, 1, 1), date(2027, 1, 1)).map(lambda d: d.strftime("%d/%m/%Y")),
                  st.text(max_size=12))


@settings(max_examples=300, deadline=None)
@given(st.fixed_dictionaries({
    "approach_date": DATES, "eligible": TRI, "homeless": TRI, "intentional": TRI,
    "rough_sleeping": st.booleans(), "nowhere_tonight": st.booleans(), "domestic_abuse_risk_at_home": st.booleans(),
    "loss_date": DATES, "s21_expiry": DATES, "relief_start": DATES,
    "priority_state": st.sampled_from(["unknown", "none", "grounds"]),
    "priority_grounds": st.lists(st.sampled_from(["vulnerable", "pregnant", "aged_16_17", "dependent_children"])),
    "local_connection": st.sampled_from(["here", "elsewhere", "none", "unknown"]),
    "household": st.text(max_size=30),
}), st.one_of(st.none(), st.dates(date(1900, 1, 1), date(2026, 3, 10))))
def test_intake_never_crashes_and_the_law_invariants_hold(raw, born) -> None:
    check = check_answers(raw, today=TODAY, applicant_born=born)
    if check.approach is None:
        assert check.problems  # something says why there is nothing to assess
        return
    result = assess(check.approach)
    if check.approach.eligible is False:
        assert [d.duty for d in result.duties] == ["advice"]  # ineligible: advice only
    if result.status == "threatened":
        assert not result.owes("interim_accommodation")  # threatened: never interim accommodation
    if raw["rough_sleeping"] or raw["nowhere_tonight"]:
        assert result.status in ("homeless", "ineligible")


# --- letters -------------------------------------------------------------------------------------


def test_letters_refuse_unknown_and_missing_placeholders_and_do_not_reinterpret_values() -> None:
    assert unknown_placeholders("Dear {applicant_name},\n{colour}") == [(2, "colour")]
    with pytest.raises(KeyError):
        render("Dear {applicant_name}", {})
    text = render("Dear {applicant_name}\n\n{interim}\n\nBye", {"applicant_name": "{case_ref} Jo", "interim": ""})
    assert text == "Dear {case_ref} Jo\n\nBye\n"  # typed braces stay text; a blank paragraph leaves no hole
    assert readable_dates("from 2026-03-09 to 2026-05-04") == "from 9 March 2026 to 4 May 2026"


# --- statistics ----------------------------------------------------------------------------------


def test_quarters() -> None:
    q = parse_quarter("2026Q3")
    assert (q.start, q.end, q.words) == (date(2026, 7, 1), date(2026, 9, 30), "July to September 2026")
    assert parse_quarter("2026q1").end == date(2026, 3, 31)
    for bad in ("2026Q5", "2026-Q3", "Q3 2026", "", "1999Q1"):
        with pytest.raises(ValueError):
            parse_quarter(bad)


LABELS = dict(loss_reasons={"end_ast": "End of AST", "family_friends": "Family or friends"},
              support_needs={"mental_health": "Mental health", "offending": "Offending"},
              prevention_labels={"secured_existing": "Secured", "secured_alternative": "Secured",
                                 "homeless": "Homeless"},
              relief_labels={"secured": "Secured", "days_56_elapsed": "56 days"},
              final_decisions={"main_duty": "Main duty"}, ta_types={"hostel": "Hostel", "nightly_paid": "Nightly"})

case_rows = st.builds(
    CaseRow, case_ref=st.text("ABC", min_size=1, max_size=3),
    assessed_on=st.one_of(st.none(), st.dates(date(2026, 5, 1), date(2026, 11, 30))),
    assessment_duty=st.sampled_from(["prevention", "relief", "not_owed", "ineligible"]),
    loss_reason=st.sampled_from([None, "end_ast", "family_friends", "other"]),
    support_needs=st.lists(st.sampled_from(["mental_health", "offending"]), max_size=2).map(tuple),
    children=st.integers(0, 3))
move_rows = st.builds(MoveRow, case_ref=st.text("ABC", min_size=1, max_size=3),
                      on_date=st.dates(date(2026, 5, 1), date(2026, 11, 30)),
                      from_stage=st.sampled_from(["prevention", "relief"]), to_stage=st.just("closed"),
                      reason=st.sampled_from(["secured_existing", "secured_alternative", "homeless", "secured",
                                              "days_56_elapsed"]),
                      final_decision=st.sampled_from([None, "main_duty"]))
ta_rows = st.builds(TaRow, case_ref=st.text("ABCD", min_size=1, max_size=2),
                    start_on=st.dates(date(2026, 1, 1), date(2026, 12, 31)),
                    end_on=st.one_of(st.none(), st.dates(date(2026, 1, 1), date(2026, 12, 31))),
                    ta_type=st.sampled_from(["hostel", "nightly_paid"]), children=st.integers(0, 2))


@settings(max_examples=150, deadline=None)
@given(st.lists(case_rows, max_size=30), st.lists(move_rows, max_size=30), st.lists(ta_rows, max_size=20))
def test_statistics_add_up_against_the_rows(cases, moves, placements) -> None:
    q = Quarter(2026, 3)
    stats = quarter_statistics(q, cases, moves, placements, **LABELS)
    assessed = [c for c in cases if q.contains(c.assessed_on)]
    assert stats.table("A1").total() == len(assessed)
    owed = [c for c in assessed if c.assessment_duty in ("prevention", "relief")]
    a2 = stats.table("A2")
    assert a2.total(3) == len(owed) == a2.total(1) + a2.total(2)
    a3 = dict((r[0], int(r[1])) for r in stats.table("A3").rows)
    assert a3["Households owed a prevention or relief duty"] == len(owed)
    assert a3["Households with one or more support needs"] + a3["Households with no support needs recorded"] == len(owed)
    in_q = [m for m in moves if q.contains(m.on_date)]
    assert stats.table("P1").total() == sum(1 for m in in_q if m.from_stage == "prevention")
    assert stats.table("R1").total() == sum(1 for m in in_q if m.from_stage == "relief")
    live = {p.case_ref for p in placements if p.start_on <= q.end and (p.end_on is None or p.end_on > q.end)}
    assert stats.table("TA1").total() == len(live)
