"""The recovery policy (data/income/recovery.toml) and the next recommended action (issue 14 item 3)."""

from __future__ import annotations

import shutil
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from duty_tui.areas.income.domain.policy import (
    PAUSE_REASONS,
    TENANCY_TYPES,
    AccountState,
    Action,
    Pause,
    RecoveryPolicy,
    load_recovery_policy,
    load_recovery_policy_file,
    recommend,
    weeks_owed,
)
from duty_tui.core.domain.errors import EnvironmentProblem

DATA = Path(__file__).resolve().parents[3] / "data"
POLICY = load_recovery_policy(DATA)
D = date(2026, 5, 4)  # day 0 of every walk
WEEK = 10_000  # £100.00 a week


def day(n: int) -> date:
    return D + timedelta(days=n)


def account(as_of: int = 0, owed_weeks: float = 0, *, taken: tuple[tuple[str, int], ...] = (), **more) -> AccountState:
    """A secure tenancy at £100 a week on day ``as_of``, owing ``owed_weeks`` weeks, with steps taken."""
    values = {"as_of": day(as_of), "balance_pence": round(owed_weeks * WEEK), "weekly_rent_pence": WEEK,
              "tenancy_type": "secure", "history": tuple(Action(code, day(n)) for code, n in taken)}
    values.update(more)
    return AccountState(**values)


# --- the default policy file ---------------------------------------------------------------------

def test_the_default_policy_is_the_councils_with_its_date_and_the_issue_s_ladder() -> None:
    text = (DATA / "income" / "recovery.toml").read_text(encoding="utf-8")
    assert "THIS IS THE COUNCIL'S POLICY, NOT THE LAW" in text and 'basis = "council policy"' in text
    assert POLICY.effective_from == date(2026, 4, 6)
    secure = POLICY.ladder("arrears", "secure")
    assert [s.code for s in secure] == ["reminder", "letter_1", "letter_2", "nosp", "court_warning",
                                        "apply_for_possession"]
    gaps = {s.code: s.gap_days for s in secure}
    assert gaps["letter_2"] == 14 and gaps["nosp"] == 7 and gaps["court_warning"] == 28
    assert gaps["apply_for_possession"] == 14
    assert [s.code for s in POLICY.ladder("arrears", "introductory")][3] == "notice_of_proceedings"
    assert [s.code for s in POLICY.ladder("arrears", "scottish_secure")][3] == "s14_notice"


# --- the ladder, walked day by day ----------------------------------------------------------------

# (day, weeks owed, expected action, the day it is due or None, take it that day?)
SECURE_WALK = [
    (0, 0.5, "none", None, False),  # under the reminder's 1 week
    (7, 1, "reminder", 7, True),
    (10, 2, "letter_1", 14, False),  # 2 weeks owed, but a week after the reminder
    (13, 2, "letter_1", 14, False),
    (14, 2, "letter_1", 14, True),
    (20, 2.5, "letter_2", 28, False),  # 14 days after the first letter
    (28, 2.5, "letter_2", 28, True),
    (31, 3, "none", None, False),  # the notice waits for 4 weeks owed
    (33, 4, "nosp", 35, False),  # 7 days after the second letter
    (35, 4.2, "nosp", 35, True),
    (50, 4.5, "court_warning", 63, False),  # the policy's 28 days after the notice
    (63, 4.5, "court_warning", 63, True),
    (70, 5, "apply_for_possession", 77, False),  # 14 days after the warning
    (80, 5, "apply_for_possession", 80, True),
    (90, 5, "none", None, False),  # nothing further before court
]


def test_the_default_ladder_walked_step_by_step_each_step_due_only_after_its_gap() -> None:
    taken: list[tuple[str, int]] = []
    for n, owed, action, due, take in SECURE_WALK:
        advice = recommend(POLICY, account(n, owed, taken=tuple(taken)))
        assert (advice.action, advice.due) == (action, None if due is None else day(due)), (n, advice)
        if action != "none":
            assert advice.due is not None and advice.due >= day(n) and advice.words and not advice.blocked_by
        if take:
            taken.append((action, n))
    after = recommend(POLICY, account(90, 5, taken=tuple(taken)))  # the last step: the court's turn now
    assert after.blocked_by == ("awaiting_claim",) and "Record it, and the hearing date" in after.why


def test_the_why_names_the_balance_weeks_last_step_gap_and_date() -> None:
    advice = recommend(POLICY, account(9, 4.125, taken=(("letter_1", -14), ("letter_2", 0)),
                                       days_since_last_payment=19))
    assert advice.action == "nosp" and advice.due == day(9)
    assert advice.why == ("Owes £412.50, 4.1 weeks' rent; last paid 19 days ago; the last step was the second "
                          "letter, 9 days ago; the notice seeking possession may follow 7 days after it, "
                          "from 11/05/2026: due now.")
    waiting = recommend(POLICY, account(3, 4.125, taken=(("letter_1", -14), ("letter_2", 0))))
    assert waiting.due == day(7) and waiting.why.endswith("may follow 7 days after it, from 11/05/2026.")


def test_below_a_threshold_says_what_the_next_step_waits_for() -> None:
    advice = recommend(POLICY, account(0, 0.5))
    assert advice.action == "none" and advice.blocked_by == ("below_threshold",)
    assert "the reminder waits until 1 week's rent is owed" in advice.why
    advice = recommend(POLICY, account(40, 3.9, taken=(("letter_1", 0), ("letter_2", 20))))
    assert "the notice seeking possession waits until 4 weeks' rent is owed" in advice.why


def test_a_step_may_be_skipped_unless_the_next_needs_it() -> None:
    """Straight to the first letter when 3 weeks are owed and nothing was sent; never straight to a notice."""
    assert recommend(POLICY, account(0, 3)).action == "letter_1"
    assert recommend(POLICY, account(0, 9)).action == "letter_1"
    assert recommend(POLICY, account(30, 9, taken=(("letter_1", 0),))).action == "letter_2"


def test_thresholds_are_exact_in_pence() -> None:
    rent = 9_999
    near = account(30, taken=(("letter_1", 0), ("letter_2", 14)), weekly_rent_pence=rent, balance_pence=4 * rent - 1)
    assert recommend(POLICY, near).blocked_by == ("below_threshold",)
    at = account(30, taken=(("letter_1", 0), ("letter_2", 14)), weekly_rent_pence=rent, balance_pence=4 * rent)
    assert recommend(POLICY, at).action == "nosp"
    assert weeks_owed(41_250, 9_800) == weeks_owed(41_160, 9_800) and str(weeks_owed(41_250, 9_800)) == "4.2"


def test_cleared_account_gets_no_action_and_says_so() -> None:
    advice = recommend(POLICY, account(0, 0, taken=(("letter_1", -3),)))
    assert (advice.action, advice.due, advice.blocked_by) == ("none", None, ())
    assert advice.why == "Not in arrears (£0.00): no action."
    credit = recommend(POLICY, account(0, balance_pence=-2_000, court_date=day(-5), court_outcome="outright_order"))
    assert credit.action == "none" and credit.why == "Not in arrears (£20.00 in credit): no action."


def test_steps_before_the_account_was_last_clear_start_the_ladder_again() -> None:
    old = (("letter_1", 0), ("letter_2", 14), ("nosp", 21))
    assert recommend(POLICY, account(200, 1, taken=old)).blocked_by == ("below_threshold",)
    assert recommend(POLICY, account(200, 1, taken=old, cleared_on=day(150))).action == "reminder"


def test_no_weekly_rent_is_missing_data_not_a_crash() -> None:
    advice = recommend(POLICY, account(0, weekly_rent_pence=0, balance_pence=50_000))
    assert (advice.action, advice.blocked_by) == ("none", ("missing_data",))
    assert "no weekly rent recorded" in advice.why and weeks_owed(50_000, 0) is None


# --- pauses, agreements, benefit claims -----------------------------------------------------------

@pytest.mark.parametrize("reason", list(PAUSE_REASONS))
def test_nothing_is_recommended_while_paused_and_recovery_resumes_on_the_date(reason: str) -> None:
    pause = Pause(day(10), reason)
    advice = recommend(POLICY, account(5, 6, pause=pause))
    assert (advice.action, advice.due, advice.blocked_by) == ("none", None, (f"paused:{reason}",))
    assert "Paused until 14/05/2026" in advice.why and PAUSE_REASONS[reason] in advice.why
    assert recommend(POLICY, account(10, 6, pause=pause)).action == "letter_1"


def test_a_pause_reason_must_be_one_of_the_list() -> None:
    with pytest.raises(ValueError, match="pause reason 'holiday' is not one of court_date_set"):
        Pause(day(1), "holiday")


def test_an_agreement_being_kept_holds_recovery_and_a_broken_one_lets_it_go_on() -> None:
    kept = recommend(POLICY, account(40, 5, taken=(("letter_1", 0),), agreement="kept"))
    assert (kept.action, kept.blocked_by) == ("none", ("agreement_being_kept",))
    assert "an agreement is being kept" in kept.why
    broken = recommend(POLICY, account(40, 5, taken=(("letter_1", 0),), agreement="breached"))
    assert broken.action == "letter_2" and broken.due == day(40)


def test_a_pending_benefit_claim_holds_recovery_with_every_reason_named() -> None:
    advice = recommend(POLICY, account(0, 5, benefit_claim_pending=True, agreement="kept", weekly_rent_pence=0))
    assert advice.blocked_by == ("missing_data", "benefit_claim_pending", "agreement_being_kept")
    assert "housing benefit or universal credit claim is pending" in advice.why


# --- court and eviction ---------------------------------------------------------------------------

BEFORE_COURT = (("letter_1", 0), ("letter_2", 14), ("nosp", 21), ("court_warning", 50), ("apply_for_possession", 64))


def test_a_court_date_holds_everything_until_the_hearing_then_asks_for_the_outcome() -> None:
    for n in (90, 120):
        advice = recommend(POLICY, account(n, 6, taken=BEFORE_COURT, court_date=day(120)))
        assert (advice.action, advice.blocked_by) == ("none", ("court_date_set",))
        assert "Court hearing on 01/09/2026" in advice.why
    after = recommend(POLICY, account(123, 6, taken=BEFORE_COURT, court_date=day(120), benefit_claim_pending=True))
    assert (after.action, after.due) == ("update_court_outcome", day(123))
    assert "3 days ago" in after.why and "not recorded" in after.why


def test_a_suspended_order_kept_holds_and_broken_walks_letter_visit_warrant() -> None:
    court = {"court_date": day(120), "court_outcome": "suspended_order"}
    kept = recommend(POLICY, account(150, 6, taken=BEFORE_COURT, agreement="kept", **court))
    assert kept.blocked_by == ("agreement_being_kept",)
    unrecorded = recommend(POLICY, account(150, 6, taken=BEFORE_COURT, **court))
    assert unrecorded.blocked_by == ("missing_data",) and "terms are not recorded" in unrecorded.why
    steps = BEFORE_COURT
    for n, action, due in ((150, "breach_letter", 150), (152, "breach_visit", 157), (157, "breach_visit", 157),
                           (160, "apply_for_warrant", 171), (171, "apply_for_warrant", 171)):
        advice = recommend(POLICY, account(n, 6, taken=steps, agreement="breached", **court))
        assert (advice.action, advice.due) == (action, day(due)), (n, advice)
        if due == n:
            steps = (*steps, (action, n))
    assert "the breach letter" in recommend(POLICY, account(152, 6, taken=BEFORE_COURT + (("breach_letter", 150),),
                                                            agreement="breached", **court)).why


def test_an_outright_order_recommends_a_warrant_after_the_policy_gap_from_the_hearing() -> None:
    advice = recommend(POLICY, account(125, 6, taken=BEFORE_COURT, court_date=day(120), court_outcome="outright_order"))
    assert (advice.action, advice.due) == ("apply_for_warrant", day(148))
    assert "may follow 28 days after the hearing, from 29/09/2026." in advice.why


def test_a_claim_ended_without_an_order_starts_the_ladder_again_after_the_hearing() -> None:
    advice = recommend(POLICY, account(130, 6, taken=BEFORE_COURT, court_date=day(120), court_outcome="struck_out"))
    assert advice.action == "letter_1" and "no recovery step taken yet" in advice.why


def test_an_eviction_date_holds_everything_then_asks_what_happened() -> None:
    evict = {"court_date": day(120), "court_outcome": "outright_order", "eviction_date": day(200)}
    steps = (*BEFORE_COURT, ("apply_for_warrant", 150))
    booked = recommend(POLICY, account(200, 6, taken=steps, **evict))
    assert (booked.action, booked.blocked_by) == ("none", ("eviction_date_set",))
    passed = recommend(POLICY, account(201, 6, taken=steps, **evict))
    assert (passed.action, passed.due) == ("update_eviction_outcome", day(201))
    done = recommend(POLICY, account(205, 6, taken=(*steps, ("update_eviction_outcome", 202)), **evict))
    assert done.blocked_by == ("no_further_step",)


# --- Scotland and introductory tenancies ----------------------------------------------------------

LETTERS = (("letter_1", 0), ("letter_2", 14))


def test_scotland_serves_the_s14_notice() -> None:
    advice = recommend(POLICY, account(30, 5, taken=LETTERS, tenancy_type="scottish_secure", jurisdiction="scotland"))
    assert advice.action == "s14_notice" and "Housing (Scotland) Act 2001 s14" in advice.words
    then = recommend(POLICY, account(40, 5, taken=(*LETTERS, ("s14_notice", 30)), tenancy_type="scottish_secure",
                                     jurisdiction="scotland"))
    assert (then.action, then.due) == ("court_warning", day(58))


def test_an_introductory_tenancy_gets_a_notice_of_proceedings() -> None:
    advice = recommend(POLICY, account(30, 5, taken=LETTERS, tenancy_type="introductory"))
    assert advice.action == "notice_of_proceedings" and "Housing Act 1996 s128" in advice.words


@pytest.mark.parametrize(("kind", "where"), [("assured", "england"), ("short_scottish_secure", "scotland")])
def test_types_with_no_notice_in_the_policy_stop_after_the_letters(kind: str, where: str) -> None:
    advice = recommend(POLICY, account(30, 5, taken=LETTERS, tenancy_type=kind, jurisdiction=where))
    assert advice.blocked_by == ("no_further_step",) and "refer to a team leader" in advice.why


def test_a_tenancy_type_from_the_other_jurisdiction_is_refused() -> None:
    with pytest.raises(ValueError, match="a scottish_secure tenancy is not in england"):
        account(0, 1, tenancy_type="scottish_secure")
    with pytest.raises(ValueError, match="court outcome 'won' is not one of"):
        account(0, 1, court_date=day(0), court_outcome="won")


# --- policy files ---------------------------------------------------------------------------------

CUSTOM = '''[policy]
title = "Small landlord"
basis = "council policy"
effective_from = 2027-04-05

[[stage]]
track = "arrears"
code = "phone_call"
name = "the phone call"
words = "Ring the tenant"
pounds_owed = "50.00"
gap_days = 0
tenancy_types = ["secure"]

[[stage]]
track = "arrears"
code = "final_letter"
name = "the final letter"
words = "Send the final letter"
weeks_owed = 1.5
pounds_owed = "300.00"
gap_days = 10
needs_previous = true
tenancy_types = ["secure"]
'''


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "recovery.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_custom_policy_with_pound_thresholds(tmp_path: Path) -> None:
    policy = load_recovery_policy_file(_write(tmp_path, CUSTOM))
    assert isinstance(policy, RecoveryPolicy) and policy.effective_from == date(2027, 4, 5)
    assert recommend(policy, account(0, balance_pence=4_999)).blocked_by == ("below_threshold",)
    assert recommend(policy, account(0, balance_pence=5_000)).action == "phone_call"
    rang = (("phone_call", 0),)
    # 1.5 weeks (£150) but not £300: both thresholds must be met.
    assert "waits until 1.5 weeks' rent and £300.00 is owed" in recommend(policy, account(20, 2.9, taken=rang)).why
    advice = recommend(policy, account(5, 3, taken=rang))
    assert (advice.action, advice.due) == ("final_letter", day(10))


def test_the_default_file_is_found_in_a_councils_own_data_folder(tmp_path: Path) -> None:
    data = tmp_path / "data"
    (data / "income").mkdir(parents=True)
    (data / "income" / "recovery.toml").write_text(CUSTOM, encoding="utf-8")
    assert load_recovery_policy(data).title == "Small landlord"


def _line(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), start=1) if needle in line)


@pytest.mark.parametrize(("old", "new", "needle", "message"), [
    ('needs_previous = true', 'needs_previous = true\ncolour = "red"', "colour",
     "stage 2 (final_letter): colour: unknown key"),
    ('tenancy_types = ["secure"]\n\n', 'tenancy_types = ["secure", "secure_ish"]\n\n', '"secure_ish"',
     "stage 1 (phone_call): tenancy_types: 'secure_ish' is not a tenancy type"),
    ("gap_days = 10", "gap_days = -10", '"final_letter"',
     "stage 2 (final_letter): gap_days: must be a whole number of days from 0 to 3660, not -10"),
    ('basis = "council policy"', 'basis = "law"', "basis", 'policy.basis: must be "council policy"'),
    ("effective_from = 2027-04-05", 'effective_from = "April"', "effective_from",
     "policy.effective_from: must be the date the policy takes effect"),
    ('track = "arrears"\ncode = "phone_call"', 'track = "court"\ncode = "phone_call"', '"phone_call"',
     "stage 1 (phone_call): track: 'court' is not one of arrears, order_breached, outright_order"),
    ('code = "final_letter"', 'code = "phone_call"', '"phone_call"', "stage phone_call: code appears twice"),
    ('pounds_owed = "50.00"', 'pounds_owed = "-5"', '"phone_call"', "stage 1 (phone_call): pounds_owed:"),
    ("weeks_owed = 1.5", "weeks_owed = 0", '"final_letter"', "stage 2 (final_letter): weeks_owed: must be"),
    ('title = "Small landlord"', 'title = "Small landlord"\nowner = "me"', "owner", "policy.owner: unknown key"),
])
def test_policy_file_mistakes_name_the_file_line_key_and_what_is_wrong(
        tmp_path: Path, old: str, new: str, needle: str, message: str) -> None:
    assert old in CUSTOM
    text = CUSTOM.replace(old, new, 1)
    path = _write(tmp_path, text)
    with pytest.raises(EnvironmentProblem) as problem:
        load_recovery_policy_file(path)
    assert problem.value.message.startswith(f"{path}:{_line(text, needle)}: ")
    assert message in problem.value.message and problem.value.message.endswith("; fix it there")


def test_a_broken_copy_of_the_shipped_file_is_refused(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(DATA / "income", data / "income")
    path = data / "income" / "recovery.toml"
    path.write_text(path.read_text(encoding="utf-8").replace('"flexible"]', '"flexible", "licence"]', 1))
    with pytest.raises(EnvironmentProblem, match="'licence' is not a tenancy type"):
        load_recovery_policy(data)


# --- properties -----------------------------------------------------------------------------------

CODES = [s.code for s in POLICY.stages] + ["visit", "update_court_outcome"]
KINDS = sorted(TENANCY_TYPES)


@st.composite
def states(draw: st.DrawFn, *, court: bool = True) -> AccountState:
    """Any account state the worklist could hand the engine."""
    kind = draw(st.sampled_from(KINDS))
    as_of = day(draw(st.integers(0, 400)))
    history = tuple(Action(draw(st.sampled_from(CODES)), as_of - timedelta(days=draw(st.integers(0, 300))))
                    for _ in range(draw(st.integers(0, 6))))
    values = {"as_of": as_of, "balance_pence": draw(st.integers(-50_000, 500_000)),
              "weekly_rent_pence": draw(st.sampled_from([0, 5_000, 9_999, 12_345])), "tenancy_type": kind,
              "jurisdiction": TENANCY_TYPES[kind], "history": history,
              "agreement": draw(st.sampled_from(["none", "kept", "breached"])),
              "benefit_claim_pending": draw(st.booleans())}
    if draw(st.booleans()):
        values["pause"] = Pause(as_of + timedelta(days=draw(st.integers(-30, 30))),
                                draw(st.sampled_from(list(PAUSE_REASONS))))
    if court and draw(st.booleans()):
        values["court_date"] = as_of + timedelta(days=draw(st.integers(-120, 60)))
        values["court_outcome"] = draw(st.sampled_from([None, "suspended_order", "outright_order", "struck_out"]))
    return AccountState(**values)


@settings(max_examples=200, deadline=None)
@given(states())
def test_property_never_recommends_while_paused(state: AccountState) -> None:
    advice = recommend(POLICY, state)
    if state.pause is not None and state.as_of < state.pause.until:
        assert advice.action == "none" and advice.blocked_by == (f"paused:{state.pause.reason}",)
    if advice.action == "none":
        assert advice.due is None and advice.why
    else:
        assert advice.due is not None and advice.due >= state.as_of and not advice.blocked_by


@settings(max_examples=200, deadline=None)
@given(states(court=False))
def test_property_due_is_never_before_the_last_step_plus_its_gap(state: AccountState) -> None:
    advice = recommend(POLICY, state)
    stage = next((s for s in POLICY.ladder("arrears", state.tenancy_type) if s.code == advice.action), None)
    if advice.action != "none":
        assert stage is not None and state.balance_pence > 0 and state.weekly_rent_pence > 0
        assert not state.benefit_claim_pending and state.agreement != "kept"
        assert advice.due is not None
        if state.actions():
            assert advice.due >= state.actions()[-1].on + timedelta(days=stage.gap_days)
