"""The homelessness duty engine against the law (HA 1996 Part 7; H(S)A 1987) and docs/CLI.md.

Each case names the section or Code of Guidance chapter it comes from. Dates: approaches on
2026-03-09, so 56 days later is 2026-05-04 and two calendar months later is 2026-05-09.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from duty_tui.areas.housing_options.domain.homelessness import (
    INPUT_KEYS,
    PRIORITY_NEED_GROUNDS,
    Approach,
    ApproachInputError,
    Assessment,
    add_months,
    assess,
    assessment_to_json,
    parse_approach,
    what_would_change,
)
from duty_tui.core.domain.errors import InputError

# The worked examples from shared/examples/triage, copied into the repo (tests/examples/triage) so a
# clean clone always runs them; the shared folder beside the repo wins when present (it is the source).
_SHARED_EXAMPLES = Path(__file__).resolve().parents[4] / "shared" / "examples" / "triage"
EXAMPLES = _SHARED_EXAMPLES if _SHARED_EXAMPLES.is_dir() else Path(__file__).resolve().parents[2] / "examples" / "triage"
A = "2026-03-09"  # approach date used throughout
END = "2026-05-04"  # A + 56 days


def D(spec: str) -> dict:
    """'relief s189B 2026-03-09 2026-05-04' -> a contract duty object ('-' = null)."""
    duty, section, start, until = spec.split()
    return {"duty": duty, "section": section, "from": start, "until": None if until == "-" else until}


ADVICE = f"advice s179 {A} -"
ASSESSMENT = f"assessment s189A {A} -"
RELIEF = f"relief s189B {A} {END}"
PREVENTION = f"prevention s195 {A} {END}"
INTERIM = f"interim_accommodation s188 {A} -"
MAIN = f"main s193 {END} -"
INTENT = f"intentional_accommodation s190(2) {END} -"
S_ADVICE = f"advice 2001_Act_s2 {A} -"  # spaces in the section are written as underscores
S_TEMP = f"temporary_accommodation s29 {A} -"
S_SETTLED = f"settled_accommodation s31(2) {A} -"
S_INTENT = f"intentional_accommodation s31(3) {A} -"
S_PREVENT = f"prevention s32(2) {A} -"


def duties(*specs: str) -> list[dict]:
    out = []
    for spec in specs:
        d = D(spec)
        d["section"] = d["section"].replace("_", " ")
        out.append(d)
    return out


def run(facts: dict) -> dict:
    return assessment_to_json(assess(parse_approach({"approach_date": A, **facts})))


# (id, facts beyond approach_date, status, duties, outstanding, referral_possible)
CASES = [
    # --- eligibility: s185; advice s179 to everyone (Code of Guidance ch. 3, ch. 7) ---
    ("ineligible-homeless", {"eligible": False, "homeless": True}, "ineligible", [ADVICE], [], False),
    # s185: ineligible whatever else is true - even a priority-need rough sleeper at risk of abuse.
    ("ineligible-everything", {"eligible": False, "rough_sleeping": True, "domestic_abuse_risk_at_home": True,
                               "priority_need": ["pregnant"], "local_connection": "elsewhere"},
     "ineligible", [ADVICE], [], False),
    # s185: nothing else known, still ineligible; nothing outstanding for an ineligible applicant.
    ("ineligible-alone", {"eligible": False}, "ineligible", [ADVICE], [], False),
    # s185 + s195: ineligible and threatened: no prevention (needs eligibility).
    ("ineligible-threatened", {"eligible": False, "homeless": False, "loss_date": "2026-04-01"},
     "ineligible", [ADVICE], [], False),
    # --- undetermined: s184 inquiries continue ---
    # s184: nothing known - status undetermined, whether homeless is what a decision waits on.
    ("nothing-known", {}, "undetermined", [ADVICE], ["homeless"], False),
    # s184: eligibility alone decides nothing about homelessness.
    ("eligible-only", {"eligible": True}, "undetermined", [ADVICE], ["homeless"], False),
    # s175(4): a loss 90 days off does not make the applicant threatened, nor show they are not homeless now.
    ("homeless-unknown-far-loss", {"eligible": True, "loss_date": "2026-06-07"}, "undetermined", [ADVICE], ["homeless"], False),
    # s184: priority need and intentionality are not asked for until the applicant is homeless.
    ("undetermined-pn-null", {"priority_need": None, "intentional": None}, "undetermined", [ADVICE], ["homeless"], False),
    # --- not threatened: s175(4) ---
    ("not-threatened-no-dates", {"eligible": True, "homeless": False}, "not_threatened", [ADVICE], [], False),
    # s175(4): 57 days is outside the 56-day window.
    ("not-threatened-57-days", {"eligible": True, "homeless": False, "loss_date": "2026-05-05"}, "not_threatened", [ADVICE], [], False),
    # s175(5): an s21 notice expiring after the window does not (yet) threaten.
    ("not-threatened-s21-far", {"eligible": True, "homeless": False, "s21_expiry": "2026-05-05"}, "not_threatened", [ADVICE], [], False),
    # s185: eligibility is outstanding only for the homeless or threatened.
    ("not-threatened-eligible-null", {"homeless": False}, "not_threatened", [ADVICE], [], False),
    # --- threatened: s175(4)-(5); prevention s195; assessment s189A (Code ch. 11-12) ---
    # s175(4): day 56 is "within 56 days".
    ("threatened-day-56", {"eligible": True, "homeless": False, "loss_date": END}, "threatened",
     [ADVICE, ASSESSMENT, PREVENTION], [], False),
    ("threatened-day-1", {"eligible": True, "homeless": False, "loss_date": "2026-03-10"}, "threatened",
     [ADVICE, ASSESSMENT, PREVENTION], [], False),
    # s175(4): a near loss date means the home is still there, so homeless: null still threatened.
    ("threatened-homeless-null", {"eligible": True, "loss_date": "2026-04-01"}, "threatened",
     [ADVICE, ASSESSMENT, PREVENTION], [], False),
    # s175(5): valid s21 notice expiring within 56 days.
    ("threatened-s21", {"eligible": True, "homeless": False, "s21_expiry": "2026-04-13", "priority_need": []},
     "threatened", [ADVICE, ASSESSMENT, PREVENTION], [], False),
    # s175(5) as the contract reads it: an s21 notice already expired still threatens.
    ("threatened-s21-past", {"eligible": True, "homeless": False, "s21_expiry": "2026-01-01"}, "threatened",
     [ADVICE, ASSESSMENT, PREVENTION], [], False),
    ("threatened-s21-day-56", {"eligible": True, "homeless": False, "s21_expiry": END}, "threatened",
     [ADVICE, ASSESSMENT, PREVENTION], [], False),
    # s175(4)/(5): either date in the window is enough.
    ("threatened-loss-far-s21-near", {"eligible": True, "homeless": False, "loss_date": "2026-08-01", "s21_expiry": "2026-04-01"},
     "threatened", [ADVICE, ASSESSMENT, PREVENTION], [], False),
    # s195 needs eligibility; s185 outstanding.
    ("threatened-eligible-null", {"homeless": False, "loss_date": "2026-04-01"}, "threatened", [ADVICE], ["eligible"], False),
    # s195: prevention ends only by notice (s195(5)): still listed after 56 days.
    ("threatened-after-56-days", {"eligible": True, "homeless": False, "loss_date": "2026-04-01", "as_of": "2026-08-01"},
     "threatened", [ADVICE, ASSESSMENT, PREVENTION], [], False),
    # s188 is for the homeless: no interim accommodation when only threatened, whatever the need.
    ("threatened-priority-need-no-interim", {"eligible": True, "homeless": False, "loss_date": "2026-04-01",
                                             "priority_need": ["dependent_children"], "intentional": None},
     "threatened", [ADVICE, ASSESSMENT, PREVENTION], [], False),
    # s198(A1): referral only at relief stage, never at prevention.
    ("threatened-no-referral", {"eligible": True, "homeless": False, "loss_date": "2026-04-01", "local_connection": "elsewhere"},
     "threatened", [ADVICE, ASSESSMENT, PREVENTION], [], False),
    # s175(4): priority need is not outstanding for the threatened (Code ch. 8 - decided at relief end).
    ("threatened-pn-not-outstanding", {"eligible": True, "homeless": False, "loss_date": "2026-04-01", "priority_need": None},
     "threatened", [ADVICE, ASSESSMENT, PREVENTION], [], False),
    # --- homeless: s175-177; relief s189B; interim s188 (Code ch. 6, 13, 15) ---
    ("homeless-pn-unknown", {"eligible": True, "homeless": True}, "homeless", [ADVICE, ASSESSMENT, RELIEF], ["priority_need"], False),
    # s189B: relief is owed whatever the priority need (none here): nothing outstanding.
    ("homeless-no-pn", {"eligible": True, "homeless": True, "priority_need": []}, "homeless", [ADVICE, ASSESSMENT, RELIEF], [], False),
    # s188(1): reason to believe priority need -> interim accommodation; s191 pending.
    ("homeless-pn-interim", {"eligible": True, "homeless": True, "priority_need": ["vulnerable"]}, "homeless",
     [ADVICE, ASSESSMENT, RELIEF, INTERIM], ["intentional"], False),
    # s188(1): reason to believe - eligibility need not be settled; relief waits on s185.
    ("homeless-eligible-null-interim", {"homeless": True, "priority_need": ["pregnant"]}, "homeless",
     [ADVICE, INTERIM], ["eligible", "intentional"], False),
    ("homeless-eligible-null-pn-null", {"homeless": True}, "homeless", [ADVICE], ["eligible", "priority_need"], False),
    ("homeless-eligible-null-no-pn", {"homeless": True, "priority_need": []}, "homeless", [ADVICE], ["eligible"], False),
    # s175(1) / Code ch. 6: rough sleeping is homeless.
    ("rough-sleeper", {"eligible": True, "rough_sleeping": True, "priority_need": ["vulnerable"]}, "homeless",
     [ADVICE, ASSESSMENT, RELIEF, INTERIM], ["intentional"], False),
    # Contract: rough sleeping counts as homeless even if `homeless` was recorded false.
    ("rough-sleeper-homeless-false", {"eligible": True, "homeless": False, "rough_sleeping": True, "priority_need": []},
     "homeless", [ADVICE, ASSESSMENT, RELIEF], [], False),
    # s188: intentionality is not part of the reason-to-believe test.
    ("relief-intentional-true-interim", {"eligible": True, "homeless": True, "priority_need": ["vulnerable"], "intentional": True},
     "homeless", [ADVICE, ASSESSMENT, RELIEF, INTERIM], [], False),
    # s193 starts only when relief ends: during relief, not yet.
    ("relief-intentional-false-no-main-yet", {"eligible": True, "homeless": True, "priority_need": ["vulnerable"], "intentional": False},
     "homeless", [ADVICE, ASSESSMENT, RELIEF, INTERIM], [], False),
    # s189B(7): day 55 of relief, still owed.
    ("relief-day-55", {"eligible": True, "homeless": True, "priority_need": [], "as_of": "2026-05-03"}, "homeless",
     [ADVICE, ASSESSMENT, RELIEF], [], False),
    # s177 (DA Act 2021): risk of domestic abuse at home -> homeless, and the s189(1)(e) ground.
    ("da-at-home", {"eligible": True, "domestic_abuse_risk_at_home": True}, "homeless",
     [ADVICE, ASSESSMENT, RELIEF, INTERIM], ["intentional"], False),
    # s177: overrides a recorded homeless: false and a loss date.
    ("da-at-home-overrides", {"eligible": True, "homeless": False, "loss_date": "2026-04-01",
                              "domestic_abuse_risk_at_home": True, "priority_need": [], "intentional": False},
     "homeless", [ADVICE, ASSESSMENT, RELIEF, INTERIM], [], False),
    # s189(1)(e): the DA ground means priority need is no longer waited on, even at relief end.
    ("da-at-home-relief-end", {"eligible": True, "domestic_abuse_risk_at_home": True, "intentional": False, "as_of": END},
     "homeless", [ADVICE, MAIN], [], False),
    # s175(1): homeless now; a future loss date is irrelevant.
    ("homeless-with-loss-date", {"eligible": True, "homeless": True, "loss_date": "2026-04-01", "priority_need": []},
     "homeless", [ADVICE, ASSESSMENT, RELIEF], [], False),
    # --- when relief ends: s193(2), s190(2), s190(3)/s189 (Code ch. 14-15) ---
    # s193(2): priority need, not intentional -> main duty from the day relief ends.
    ("main-duty", {"eligible": True, "homeless": True, "priority_need": ["dependent_children"], "intentional": False, "as_of": END},
     "homeless", [ADVICE, MAIN], [], False),
    ("main-duty-later", {"eligible": True, "homeless": True, "priority_need": ["aged_16_17"], "intentional": False, "as_of": "2027-01-01"},
     "homeless", [ADVICE, MAIN], [], False),
    # s190(2): priority need, intentional -> accommodation for a reasonable period.
    ("intentional-accommodation", {"eligible": True, "homeless": True, "priority_need": ["vulnerable"], "intentional": True, "as_of": END},
     "homeless", [ADVICE, INTENT], [], False),
    # s188(1ZA): interim continues past relief until the main-duty decision (intentionality open).
    ("interim-after-relief", {"eligible": True, "homeless": True, "priority_need": ["vulnerable"], "as_of": END},
     "homeless", [ADVICE, INTERIM], ["intentional"], False),
    # s189/s190(3): no priority need -> no accommodation duty after relief; advice only.
    ("no-pn-after-relief", {"eligible": True, "homeless": True, "priority_need": [], "intentional": True, "as_of": END},
     "homeless", [ADVICE], [], False),
    # s189: priority need undecided at relief end: nothing more listed; it is outstanding.
    ("pn-unknown-after-relief", {"eligible": True, "homeless": True, "as_of": END}, "homeless", [ADVICE], ["priority_need"], False),
    # s188(1ZA)/s185: a main-duty decision cannot be made while eligibility is unknown: interim stays.
    ("interim-eligible-null-late", {"homeless": True, "priority_need": ["emergency"], "intentional": False, "as_of": "2026-07-01"},
     "homeless", [ADVICE, INTERIM], ["eligible"], False),
    # --- relief_start: relief runs from when it began (s189B(7)) ---
    ("relief-start-earlier", {"eligible": True, "homeless": True, "priority_need": [], "relief_start": "2026-03-01"}, "homeless",
     [ADVICE, "assessment s189A 2026-03-01 -", "relief s189B 2026-03-01 2026-04-26"], [], False),
    ("relief-start-already-over", {"eligible": True, "homeless": True, "priority_need": ["vulnerable"], "intentional": False,
                                   "relief_start": "2026-01-01"},
     "homeless", [ADVICE, "main s193 2026-02-26 -"], [], False),
    ("relief-start-same-day", {"eligible": True, "homeless": True, "priority_need": [], "relief_start": A}, "homeless",
     [ADVICE, ASSESSMENT, RELIEF], [], False),
    # relief_start means nothing unless the applicant is homeless.
    ("relief-start-threatened", {"eligible": True, "homeless": False, "loss_date": "2026-04-01", "relief_start": "2026-03-01"},
     "threatened", [ADVICE, ASSESSMENT, PREVENTION], [], False),
    # --- local connection referral: s198(A1), s199; never into domestic abuse s198(2)(c) (Code ch. 10) ---
    ("referral", {"eligible": True, "homeless": True, "priority_need": [], "local_connection": "elsewhere"}, "homeless",
     [ADVICE, ASSESSMENT, RELIEF], [], True),
    ("referral-da-risk", {"eligible": True, "homeless": True, "priority_need": [], "local_connection": "elsewhere",
                          "da_risk_in_connected_area": True}, "homeless", [ADVICE, ASSESSMENT, RELIEF], [], False),
    ("referral-connection-here", {"eligible": True, "homeless": True, "priority_need": [], "local_connection": "here"},
     "homeless", [ADVICE, ASSESSMENT, RELIEF], [], False),
    # s198(A1): no connection anywhere - nowhere to refer to.
    ("referral-connection-none", {"eligible": True, "homeless": True, "priority_need": [], "local_connection": "none"},
     "homeless", [ADVICE, ASSESSMENT, RELIEF], [], False),
    ("referral-connection-unknown", {"eligible": True, "homeless": True, "priority_need": [], "local_connection": None},
     "homeless", [ADVICE, ASSESSMENT, RELIEF], [], False),
    # s198(A1): relief stage only - not once relief has ended.
    ("referral-after-relief", {"eligible": True, "homeless": True, "priority_need": ["vulnerable"], "intentional": False,
                               "local_connection": "elsewhere", "as_of": END}, "homeless", [ADVICE, MAIN], [], False),
    # s198(A1): the relief duty must be owed, so eligibility must be settled.
    ("referral-eligible-null", {"homeless": True, "priority_need": [], "local_connection": "elsewhere"}, "homeless",
     [ADVICE], ["eligible"], False),
    ("referral-with-interim", {"eligible": True, "rough_sleeping": True, "priority_need": ["vulnerable_former_forces"],
                               "intentional": False, "local_connection": "elsewhere"},
     "homeless", [ADVICE, ASSESSMENT, RELIEF, INTERIM], [], True),
    # the default jurisdiction is England.
    ("england-explicit", {"jurisdiction": "england", "eligible": True, "homeless": True, "priority_need": []}, "homeless",
     [ADVICE, ASSESSMENT, RELIEF], [], False),
    # defaults: null for a flag is read as false.
    ("flags-null", {"eligible": True, "homeless": False, "rough_sleeping": None, "domestic_abuse_risk_at_home": None,
                    "da_risk_in_connected_area": None}, "not_threatened", [ADVICE], [], False),
    # --- Scotland: Housing (Scotland) Act 1987 (Scottish Code of Guidance ch. 5-9) ---
    # s29 temporary, s31(2) settled; intentionality null counts as not intentional; no priority-need test.
    ("scot-homeless", {"jurisdiction": "scotland", "eligible": True, "homeless": True}, "homeless",
     [S_ADVICE, S_TEMP, S_SETTLED], [], False),
    ("scot-intentional", {"jurisdiction": "scotland", "eligible": True, "homeless": True, "intentional": True}, "homeless",
     [S_ADVICE, S_TEMP, S_INTENT], [], False),
    ("scot-not-intentional", {"jurisdiction": "scotland", "eligible": True, "homeless": True, "intentional": False,
                              "priority_need": []}, "homeless", [S_ADVICE, S_TEMP, S_SETTLED], [], False),
    # s29: reason to believe homeless is enough; settled accommodation waits on eligibility.
    ("scot-eligible-null", {"jurisdiction": "scotland", "homeless": True}, "homeless", [S_ADVICE, S_TEMP], ["eligible"], False),
    ("scot-ineligible", {"jurisdiction": "scotland", "eligible": False, "homeless": True}, "ineligible", [S_ADVICE], [], False),
    # s24(4): two calendar months: 2026-05-09 is in, although England's 56 days ended 2026-05-04.
    ("scot-threatened-2-months", {"jurisdiction": "scotland", "eligible": True, "homeless": False, "loss_date": "2026-05-09"},
     "threatened", [S_ADVICE, S_PREVENT], [], False),
    ("eng-same-date-not-threatened", {"eligible": True, "homeless": False, "loss_date": "2026-05-09"}, "not_threatened",
     [ADVICE], [], False),
    ("scot-not-threatened", {"jurisdiction": "scotland", "eligible": True, "homeless": False, "loss_date": "2026-05-10"},
     "not_threatened", [S_ADVICE], [], False),
    ("scot-threatened-eligible-null", {"jurisdiction": "scotland", "homeless": False, "loss_date": "2026-04-01"},
     "threatened", [S_ADVICE], ["eligible"], False),
    # Priority need abolished (2012 Order): never outstanding; no local connection referral (suspended 2022).
    ("scot-no-pn-no-referral", {"jurisdiction": "scotland", "eligible": True, "homeless": True, "priority_need": None,
                                "local_connection": "elsewhere"}, "homeless", [S_ADVICE, S_TEMP, S_SETTLED], [], False),
    ("scot-undetermined", {"jurisdiction": "scotland"}, "undetermined", [S_ADVICE], ["homeless"], False),
    # s24(3)(b): probable abuse makes the home unreasonable to occupy.
    ("scot-da-at-home", {"jurisdiction": "scotland", "eligible": True, "domestic_abuse_risk_at_home": True}, "homeless",
     [S_ADVICE, S_TEMP, S_SETTLED], [], False),
    ("scot-rough-sleeping", {"jurisdiction": "scotland", "rough_sleeping": True}, "homeless", [S_ADVICE, S_TEMP], ["eligible"], False),
    # No 56-day relief in Scotland: time passing changes nothing.
    ("scot-as-of-later", {"jurisdiction": "scotland", "eligible": True, "homeless": True, "as_of": "2027-03-09"}, "homeless",
     [S_ADVICE, S_TEMP, S_SETTLED], [], False),
    # The contract gives prevention to every eligible threatened applicant (s32(2)), intentional or not.
    ("scot-threatened-intentional", {"jurisdiction": "scotland", "eligible": True, "homeless": False,
                                     "s21_expiry": "2026-03-01", "intentional": True},
     "threatened", [S_ADVICE, S_PREVENT], [], False),
]


@pytest.mark.parametrize(
    ("facts", "status", "expected_duties", "outstanding", "referral"),
    [pytest.param(*c[1:], id=c[0]) for c in CASES],
)
def test_case_table(facts, status, expected_duties, outstanding, referral):
    out = run(facts)
    assert out["status"] == status
    assert out["duties"] == duties(*expected_duties)
    assert out["outstanding"] == outstanding
    assert out["referral_possible"] is referral
    assert out["reasons"], "every assessment explains itself"


def test_case_table_is_large_and_ids_unique():
    ids = [c[0] for c in CASES]
    assert len(ids) == len(set(ids))
    assert len(ids) >= 60


# s189(1) and the 2002 Order: every ground, alone, is reason to believe priority need (s188).
@pytest.mark.parametrize("ground", PRIORITY_NEED_GROUNDS)
def test_every_ground_gives_interim_accommodation(ground):
    out = run({"eligible": True, "homeless": True, "priority_need": [ground]})
    assert [d["duty"] for d in out["duties"]] == ["advice", "assessment", "relief", "interim_accommodation"]


def test_duplicate_grounds_collapse_in_statute_order():
    a = parse_approach({"approach_date": A, "priority_need": ["vulnerable", "pregnant", "vulnerable"]})
    assert a.priority_need == ("pregnant", "vulnerable")


def test_month_end_scottish_window():
    # 1987 Act s24(4): two calendar months from 31 December is the end of February.
    assert add_months(date(2025, 12, 31), 2) == date(2026, 2, 28)
    assert add_months(date(2027, 12, 31), 2) == date(2028, 2, 29)
    assert add_months(date(2026, 11, 15), 2) == date(2027, 1, 15)
    base = {"approach_date": "2025-12-31", "jurisdiction": "scotland", "eligible": True, "homeless": False}
    assert assess(parse_approach({**base, "loss_date": "2026-02-28"})).status == "threatened"
    assert assess(parse_approach({**base, "loss_date": "2026-03-01"})).status == "not_threatened"


def test_reasons_name_sections_and_dates():
    out = run({"eligible": True, "rough_sleeping": True, "priority_need": ["vulnerable"]})
    assert "s189B: eligible and homeless, so the relief duty runs 56 days from 2026-03-09 to 2026-05-04" in out["reasons"]
    for line in out["reasons"]:
        assert line.startswith("s") or line.startswith("1987 Act") or line.startswith("Housing"), line
    scot = run({"jurisdiction": "scotland", "eligible": True, "homeless": True})
    assert any(line.startswith("1987 Act s31(2)") for line in scot["reasons"])


def test_approach_built_directly_defaults_as_of_to_approach_date():
    # The TUI builds Approach objects without going through JSON.
    a = Approach(date(2026, 3, 9), eligible=True, homeless=True, priority_need=())
    assert assessment_to_json(assess(a)) == run({"eligible": True, "homeless": True, "priority_need": []})


# --- the shared worked examples -------------------------------------------------------------


def _examples():
    if not EXAMPLES.is_dir():
        return []
    return sorted(EXAMPLES.glob("*.json"))


@pytest.mark.skipif(not EXAMPLES.is_dir(), reason=f"shared examples not found at {EXAMPLES}")
def test_all_four_examples_present():
    assert {p.stem for p in _examples()} >= {"ineligible", "main-duty", "prevention-s21", "relief-interim"}


@pytest.mark.skipif(not EXAMPLES.is_dir(), reason=f"shared examples not found at {EXAMPLES}")
@pytest.mark.parametrize("path", _examples(), ids=lambda p: p.stem)
def test_shared_example(path):
    example = json.loads(path.read_text())
    out = assessment_to_json(assess(parse_approach(example["input"])))
    out.pop("reasons")
    assert out == example["output"]
    assert list(out) == list(example["output"]), "keys in the contract's order"


# --- input problems: one line each, all collected --------------------------------------------

ERRORS = [
    ("missing-approach-date", {}, ["approach_date: required"]),
    ("null-approach-date", {"approach_date": None}, ["approach_date: required"]),
    ("impossible-date", {"approach_date": "2026-02-30"}, ["approach_date: 2026-02-30 is not a real date"]),
    ("month-13", {"approach_date": A, "as_of": "2026-13-01"}, ["as_of: 2026-13-01 is not a real date"]),
    ("year-zero", {"approach_date": "0000-01-01"}, ["approach_date: 0000-01-01 is not a real date"]),
    ("uk-format", {"approach_date": "09/03/2026"}, ["approach_date: must be a date YYYY-MM-DD"]),
    ("compact-iso", {"approach_date": A, "as_of": "20260309"}, ["as_of: must be a date YYYY-MM-DD"]),
    ("week-date", {"approach_date": A, "as_of": "2026-W11"}, ["as_of: must be a date YYYY-MM-DD"]),
    ("number-date", {"approach_date": 20260309}, ["approach_date: must be a date YYYY-MM-DD"]),
    ("datetime", {"approach_date": "2026-03-09T10:00"}, ["approach_date: must be a date YYYY-MM-DD"]),
    ("fullwidth-digits", {"approach_date": "\uff12\uff10\uff12\uff16-03-09"}, ["approach_date: must be a date YYYY-MM-DD"]),
    ("as-of-before", {"approach_date": A, "as_of": "2026-03-08"}, ["as_of: must not be before approach_date"]),
    ("loss-same-day", {"approach_date": A, "loss_date": A}, ["loss_date: must be after approach_date"]),
    ("loss-before", {"approach_date": A, "loss_date": "2026-01-01"}, ["loss_date: must be after approach_date"]),
    ("relief-start-after", {"approach_date": A, "relief_start": "2026-03-10"}, ["relief_start: must not be after approach_date"]),
    ("unknown-key", {"approach_date": A, "colour": "red"}, ["colour: unknown key"]),
    ("eligible-string", {"approach_date": A, "eligible": "yes"}, ["eligible: must be true, false or null"]),
    ("eligible-int", {"approach_date": A, "eligible": 1}, ["eligible: must be true, false or null"]),
    ("homeless-string", {"approach_date": A, "homeless": "true"}, ["homeless: must be true, false or null"]),
    ("flag-string", {"approach_date": A, "rough_sleeping": "no"}, ["rough_sleeping: must be true or false"]),
    ("pn-string", {"approach_date": A, "priority_need": "vulnerable"}, ["priority_need: must be a list of grounds or null"]),
    ("pn-unknown", {"approach_date": A, "priority_need": ["foo"]}, ["priority_need: unknown ground 'foo'"]),
    ("wales", {"approach_date": A, "jurisdiction": "wales"},
     ['jurisdiction: must be "england" or "scotland" (Wales and Northern Ireland are not covered)']),
    ("england-capital", {"approach_date": A, "jurisdiction": "England"},
     ['jurisdiction: must be "england" or "scotland" (Wales and Northern Ireland are not covered)']),
    ("local-connection", {"approach_date": A, "local_connection": "nowhere"},
     ['local_connection: must be "here", "elsewhere", "none" or null']),
    ("all-at-once", {"approach_date": A, "as_of": "2026-03-01", "loss_date": "2026-02-30", "eligible": "?",
                     "priority_need": ["foo", "vulnerable", 7], "colour": 1, "relief_start": "2026-04-01"},
     ["eligible: must be true, false or null", "loss_date: 2026-02-30 is not a real date",
      "priority_need: unknown ground 'foo'", "priority_need: unknown ground 7",
      "as_of: must not be before approach_date", "relief_start: must not be after approach_date",
      "colour: unknown key"]),
]


@pytest.mark.parametrize(("obj", "problems"), [pytest.param(*e[1:], id=e[0]) for e in ERRORS])
def test_input_problems(obj, problems):
    with pytest.raises(ApproachInputError) as caught:
        parse_approach(obj)
    assert caught.value.problems == problems
    assert isinstance(caught.value, InputError) and caught.value.exit_code == 2


@pytest.mark.parametrize("obj", [None, [], "2026-03-09", 3])
def test_not_an_object(obj):
    with pytest.raises(ApproachInputError) as caught:
        parse_approach(obj)
    assert caught.value.problems == ["approach: must be a JSON object"]


def test_unsupported_jurisdiction_on_a_hand_built_approach():
    with pytest.raises(ApproachInputError):
        assess(Approach(date(2026, 3, 9), jurisdiction="wales"))


# --- what would change ------------------------------------------------------------------------


def test_what_would_change_intentionality_during_relief():
    a = parse_approach({"approach_date": A, "eligible": True, "rough_sleeping": True, "priority_need": ["vulnerable"]})
    assert what_would_change(a) == {
        "intentional": "if not intentional: main housing duty (s193) from 2026-05-04; "
        "if intentional: accommodation for a reasonable period (s190(2)) from 2026-05-04"
    }


def test_what_would_change_covers_every_outstanding_fact():
    a = parse_approach({"approach_date": A, "homeless": True})
    changes = what_would_change(a)
    assert set(changes) == set(assess(a).outstanding) == {"eligible", "priority_need"}
    assert changes["eligible"].startswith("if eligible: assessment and personalised housing plan (s189A)")
    assert "if not eligible: advice only" in changes["eligible"]
    assert "interim accommodation (s188)" in changes["priority_need"]


def test_what_would_change_homelessness_unknown():
    a = parse_approach({"approach_date": A, "eligible": True, "loss_date": "2026-06-07"})
    text = what_would_change(a)["homeless"]
    assert text.startswith("if homeless: homeless, assessment and personalised housing plan (s189A)")
    assert "if not homeless: not threatened, advice only" in text


def test_what_would_change_nothing_outstanding():
    a = parse_approach({"approach_date": A, "eligible": False})
    assert what_would_change(a) == {}


# --- properties (hypothesis) -----------------------------------------------------------------

BASE = date(2026, 3, 9)
tristate = st.sampled_from([True, False, None])
offsets = st.integers(min_value=0, max_value=400)


@st.composite
def approach_dicts(draw):
    """Valid approach objects: every key optional, dates consistent with the contract."""
    start = BASE + timedelta(days=draw(st.integers(-800, 800)))
    obj: dict = {"approach_date": start.isoformat()}

    def maybe(key, strategy):
        if draw(st.booleans()):
            obj[key] = draw(strategy)

    maybe("as_of", offsets.map(lambda n: (start + timedelta(days=n)).isoformat()))
    maybe("jurisdiction", st.sampled_from(["england", "scotland", None]))
    maybe("eligible", tristate)
    maybe("homeless", tristate)
    maybe("rough_sleeping", st.booleans())
    maybe("domestic_abuse_risk_at_home", st.booleans())
    maybe("loss_date", st.one_of(st.none(), st.integers(1, 200).map(lambda n: (start + timedelta(days=n)).isoformat())))
    maybe("s21_expiry", st.one_of(st.none(), st.integers(-100, 200).map(lambda n: (start + timedelta(days=n)).isoformat())))
    maybe("priority_need", st.one_of(st.none(), st.lists(st.sampled_from(PRIORITY_NEED_GROUNDS), max_size=3)))
    maybe("intentional", tristate)
    maybe("local_connection", st.sampled_from(["here", "elsewhere", "none", None]))
    maybe("da_risk_in_connected_area", st.booleans())
    maybe("relief_start", st.one_of(st.none(), st.integers(0, 120).map(lambda n: (start - timedelta(days=n)).isoformat())))
    return obj


ELIGIBLE_ONLY = {"assessment", "prevention", "relief", "main", "intentional_accommodation", "settled_accommodation"}


@given(approach_dicts())
@settings(max_examples=300, deadline=None)
def test_invariants(obj):
    approach = parse_approach(obj)
    result = assess(approach)
    out = assessment_to_json(result)
    names = [d["duty"] for d in out["duties"]]

    # s179 / 2001 Act s2: advice always, first, from the approach date.
    assert names[0] == "advice" and out["duties"][0]["from"] == obj["approach_date"]
    assert names.count("advice") == 1
    assert len(names) == len(set(names))
    # s185: the ineligible are owed advice and nothing else, with nothing outstanding.
    if obj.get("eligible") is False:
        assert out["status"] == "ineligible" and names == ["advice"] and out["outstanding"] == []
    # s188 / 1987 s29: no interim accommodation for someone only threatened.
    if out["status"] == "threatened":
        assert "interim_accommodation" not in names and "temporary_accommodation" not in names
    if out["status"] != "homeless":
        assert not {"relief", "interim_accommodation", "main", "intentional_accommodation",
                    "temporary_accommodation", "settled_accommodation"} & set(names)
    # s189A/s189B/s195/s193: only with eligibility established.
    if ELIGIBLE_ONLY & set(names):
        assert obj.get("eligible") is True
    # A fact given is never outstanding.
    for fact in out["outstanding"]:
        assert obj.get(fact) is None, fact
    assert out["outstanding"] == [f for f in ("eligible", "homeless", "priority_need", "intentional") if f in out["outstanding"]]
    # s193 and s190(2) exclude each other; both follow relief, never beside it.
    assert not {"main", "intentional_accommodation"} <= set(names)
    if "relief" in names:
        assert "main" not in names and "assessment" in names
        relief = out["duties"][names.index("relief")]
        assert date.fromisoformat(relief["until"]) - date.fromisoformat(relief["from"]) == timedelta(days=56)
        assert date.fromisoformat(relief["until"]) > approach.as_of
    # s198(A1): referral only at relief stage, England only.
    if out["referral_possible"]:
        assert "relief" in names and approach.jurisdiction == "england"
        assert obj.get("local_connection") == "elsewhere" and not obj.get("da_risk_in_connected_area")
    # s189A: assessment listed exactly while prevention or relief is (England; Scotland has no s189A).
    if approach.jurisdiction == "england":
        assert ("assessment" in names) == bool({"prevention", "relief"} & set(names))
    if approach.jurisdiction == "scotland":
        assert not {"priority_need", "intentional"} & set(out["outstanding"])
        assert out["referral_possible"] is False
    # Deterministic, and the same through a JSON round trip.
    assert assess(parse_approach(obj)) == result
    assert assessment_to_json(assess(parse_approach(json.loads(json.dumps(obj))))) == out
    assert all(isinstance(r, str) and r for r in out["reasons"])


@given(approach_dicts())
@settings(max_examples=200, deadline=None)
def test_what_would_change_keys_are_the_outstanding_facts(obj):
    approach = parse_approach(obj)
    changes = what_would_change(approach)
    assert list(changes) == list(assess(approach).outstanding)
    assert all(text.startswith("if ") for text in changes.values())


@given(approach_dicts(), st.integers(0, 400))
@settings(max_examples=300, deadline=None)
def test_time_only_moves_relief_forward(obj, days):
    # s189B: relief ends after 56 days; what follows starts that day - moving as_of on never
    # brings relief back once it has gone, and never changes the status.
    approach = parse_approach(obj)
    later = replace(approach, as_of=approach.as_of + timedelta(days=days))
    now, then = assess(approach), assess(later)
    assert now.status == then.status
    if not now.owes("relief"):
        assert not then.owes("relief")
    if now.owes("main"):
        assert then.owes("main")


json_scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), st.text(max_size=12),
                         st.sampled_from(["2026-03-09", "2026-02-30", "2026-13-01", "england", "scotland", "elsewhere",
                                          "vulnerable", "", "0000-00-00", "9999-12-31"]))
json_values = st.recursive(json_scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                                 st.dictionaries(st.text(max_size=8), inner, max_size=4)),
                           max_leaves=12)
fuzz_keys = st.one_of(st.sampled_from(INPUT_KEYS), st.text(max_size=10))


@given(st.one_of(st.dictionaries(fuzz_keys, json_values, max_size=16), json_values))
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_fuzz_parse_raises_only_input_errors(obj):
    try:
        approach = parse_approach(obj)
    except ApproachInputError as exc:
        assert exc.problems and all(isinstance(p, str) and ": " in p for p in exc.problems)
        return
    result = assess(approach)
    assert isinstance(result, Assessment)
    json.dumps(assessment_to_json(result))
