"""Homelessness casework rules: stages, review deadlines, s193B preconditions, plan reviews, clocks.

Pure: no database, no Textual, no clock reads (dates are arguments). The duty engine
(`duty_tui.areas.housing_options.domain.homelessness`) says what is owed; this module says how a case moves and
which dates it must meet. Sources are named beside each rule:

- Housing Act 1996 Part 7 (as amended by the Homelessness Reduction Act 2017).
- The Homelessness (Review Procedure etc.) Regulations 2018, SI 2018/223 ("the 2018
  Regulations"): reg 3 (who may authorise a s193B notice), reg 9 (review decision periods).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from duty_tui.core.domain.clocks import WorkingCalendar, last_day_of_period_beginning_with

# --- stages ----------------------------------------------------------------------------

STAGES = ("triage", "prevention", "relief", "main_duty", "intentional", "closed")
OPEN_STAGES = frozenset(STAGES) - {"closed"}

STAGE_WORDS = {
    "triage": "triage",
    "prevention": "prevention",
    "relief": "relief",
    "main_duty": "main duty",
    "intentional": "s190 accom",
    "closed": "closed",
}

STAGE_SECTIONS = {
    "prevention": "s195",
    "relief": "s189B",
    "main_duty": "s193(2)",
    "intentional": "s190(2)",
}

# Which stage may follow which. A case never skips relief on its way to a main duty
# (s193(1) applies only where the relief duty has come to an end), and a closed case stays
# closed: a new approach opens a new case (s183 - a fresh application).
ALLOWED_MOVES: dict[str, frozenset[str]] = {
    "triage": frozenset({"prevention", "relief", "closed"}),
    "prevention": frozenset({"relief", "closed"}),
    "relief": frozenset({"main_duty", "intentional", "closed"}),
    "main_duty": frozenset({"closed"}),
    "intentional": frozenset({"closed"}),
    "closed": frozenset(),
}

DAYS_56 = timedelta(days=56)  # s189B(7)(b), s195(8)(b)


def check_move(from_stage: str, to_stage: str) -> str | None:
    """None when the move is allowed, else a plain-English reason it is not."""
    if from_stage not in ALLOWED_MOVES:
        return f"unknown stage {from_stage!r}"
    if to_stage not in ALLOWED_MOVES:
        return f"unknown stage {to_stage!r}"
    if to_stage in ALLOWED_MOVES[from_stage]:
        return None
    if from_stage == "closed":
        return "the case is closed; a new approach opens a new case"
    if to_stage in ("main_duty", "intentional"):
        return "a main duty decision (s193/s190) comes only when the relief duty ends; move the case to relief first"
    return f"a case at {STAGE_WORDS[from_stage]} cannot move to {STAGE_WORDS[to_stage]}"


# --- reviews (s202, SI 2018/223 reg 9) ---------------------------------------------------

# Review kinds and the weeks the reviewer has, each period "beginning with the day on which
# the request for the review is made" (reg 9(1)).
REVIEW_WEEKS: dict[str, int] = {
    "steps": 3,  # reg 9(1)(a)(i): steps the authority are to take (s189B(2) / s195(2) steps)
    "s193b_prevention": 3,  # reg 9(1)(a)(ii): s193B notice ending the prevention duty
    "standard": 8,  # reg 9(1)(b): everything else, incl. s184 decisions and s193B relief endings
    "joint_referral": 10,  # reg 9(1)(c): s198 referral reviewed jointly by both authorities
    "appointed_person": 12,  # reg 9(1)(d): a case decided by an appointed person (reg 6)
}

REVIEW_KIND_WORDS = {
    "steps": "steps in the plan (3 weeks)",
    "s193b_prevention": "s193B notice ending prevention (3 weeks)",
    "standard": "decision (8 weeks)",
    "joint_referral": "joint local connection referral review (10 weeks)",
    "appointed_person": "decided by an appointed person (12 weeks)",
}

REVIEW_REQUEST_DAYS = 21  # s202(3): "21 days beginning with the day on which he is notified"


def review_request_last_day(notified_on: date) -> date:
    """The last day to ask for a s202 review: 21 days beginning with the day of notification."""
    return last_day_of_period_beginning_with(notified_on, REVIEW_REQUEST_DAYS)


def review_decision_due(requested_on: date, kind: str, representations_on: date | None = None,
                        agreed_until: date | None = None) -> date:
    """The last day to notify the review decision (reg 9(1)); a longer agreed period wins.

    For the 3-week kinds the period begins with the day representations were received,
    where the applicant made them (reg 9(1)(a), reg 7).
    """
    if kind not in REVIEW_WEEKS:
        raise ValueError(f"review kind {kind!r} is not one of {', '.join(REVIEW_WEEKS)}")
    start = requested_on
    if REVIEW_WEEKS[kind] == 3 and representations_on is not None and representations_on > requested_on:
        start = representations_on
    due = last_day_of_period_beginning_with(start, REVIEW_WEEKS[kind] * 7)
    # "or within such longer period as A and the reviewer may agree in writing"
    if agreed_until is not None and agreed_until > due:
        return agreed_until
    return due


def check_review_request(notified_on: date, requested_on: date, *, late_allowed: bool) -> str | None:
    """None when a review request is in time (or late but allowed in writing), else why not."""
    if requested_on < notified_on:
        return "the review request cannot be before the decision was notified"
    last = review_request_last_day(notified_on)
    if requested_on > last and not late_allowed:
        return (f"the request is late: the 21 days ended on {last:%d/%m/%Y} (s202(3)); record that the "
                "council allows a longer period in writing, or refuse the request")
    return None


# --- s193B non-cooperation ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NonCooperationFacts:
    """What a s193B notice needs on record (s193B(4)-(5), SI 2018/223 reg 3)."""

    duty_stage: str  # the stage the case is at now: prevention or relief
    warning_issued_on: date | None  # the relevant warning (s193B(5)), if one was given
    warning_issued_by: int | None
    proposed_by: int  # the officer who made the decision to give notice (reg 3(1)(a))
    proposed_role: str
    authoriser: int  # the officer authorising it (reg 3(1)(b))
    authoriser_role: str
    authoriser_can_decide: bool
    on: date  # the date the notice would be given
    min_days_after_warning: int  # the council's "reasonable period" (s193B(4)(b))
    seniority: Mapping[str, int]


def non_cooperation_problems(f: NonCooperationFacts) -> list[str]:
    """Every reason a s193B notice may not be given now (empty = it may)."""
    problems: list[str] = []
    if f.duty_stage not in ("prevention", "relief"):
        problems.append("a s193B notice ends the prevention or relief duty; this case is not at either stage")
    if f.warning_issued_on is None:
        problems.append("no relevant warning is on record: give the s193B(5) warning letter first (s193B(4)(a))")
    else:
        earliest = f.warning_issued_on + timedelta(days=f.min_days_after_warning)
        if f.on < earliest:
            problems.append(
                f"a reasonable period has not yet passed since the warning of {f.warning_issued_on:%d/%m/%Y} "
                f"(s193B(4)(b); council policy: {f.min_days_after_warning} days, so not before {earliest:%d/%m/%Y})"
            )
    if f.authoriser == f.proposed_by:
        problems.append("the notice must be authorised by a second, different officer (SI 2018/223 reg 3): "
                        "you proposed it, so someone else must sign it off")
    elif f.warning_issued_by is not None and f.authoriser == f.warning_issued_by:
        problems.append("the authorising officer gave the warning, so was involved in the decision "
                        "(SI 2018/223 reg 3(2)(a)(iii)); ask another officer")
    if not f.authoriser_can_decide:
        problems.append("the authorising officer's role may not sign off s193B notices (homelessness.decide)")
    proposer_rank = f.seniority.get(f.proposed_role)
    authoriser_rank = f.seniority.get(f.authoriser_role)
    if authoriser_rank is None or (proposer_rank is not None and authoriser_rank < proposer_rank):
        problems.append("the authorising officer must be at least as senior as the officer who made the "
                        "decision (SI 2018/223 reg 3(2)(a)(i))")
    return problems


# --- personalised housing plan (s189A) ---------------------------------------------------


def next_plan_review(reviewed_on: date, every_weeks: int) -> date:
    """The next plan review: s189A(9) requires review; the interval is local policy."""
    if every_weeks < 1:
        raise ValueError("the plan review interval must be at least one week")
    return reviewed_on + timedelta(weeks=every_weeks)


# --- clocks ------------------------------------------------------------------------------

CLOCK_WORDS = {
    "relief_ends": "relief ends",
    "prevention_56": "prevention 56 days",
    "decision_due": "decision due",
    "review_due": "review due",
    "plan_review": "plan review",
    "bnb_limit": "B&B 6-week limit",
    "urgent": "see today",
}


@dataclass(frozen=True, slots=True)
class Clock:
    """One dated obligation on a case."""

    name: str  # a key of CLOCK_WORDS
    due: date
    detail: str = ""

    @property
    def label(self) -> str:
        """The clock in staff's words."""
        return CLOCK_WORDS.get(self.name, self.name)


@dataclass(frozen=True, slots=True)
class CaseClockFacts:
    """What the clocks of one case depend on."""

    stage: str
    approach_date: date
    relief_start: date | None = None
    prevention_start: date | None = None
    assessed_on: date | None = None
    plan_review_on: date | None = None
    open_review_due: tuple[date, ...] = ()
    family_bnb_since: tuple[date, ...] = ()  # start dates of open B&B placements of families
    bnb_limit_days: int = 42


def initial_decision_due(approach_date: date, working_days: int, calendar: WorkingCalendar) -> date:
    """The council's target date for the initial assessment decision (local policy)."""
    return calendar.add_working_days(approach_date, working_days)


def case_clocks(f: CaseClockFacts, *, decision_working_days: int, calendar: WorkingCalendar) -> list[Clock]:
    """Every clock running on the case, soonest first."""
    clocks: list[Clock] = []
    if f.stage == "closed":
        # A closed case can still have a review to decide (s202): that clock keeps running.
        return sorted((Clock("review_due", due, "s202 review decision (SI 2018/223 reg 9)")
                       for due in f.open_review_due), key=lambda c: c.due)
    if f.stage == "triage":
        clocks.append(Clock("decision_due", initial_decision_due(f.approach_date, decision_working_days, calendar),
                            "initial assessment decision (council target)"))
    if f.stage == "relief":
        start = f.relief_start or f.approach_date
        ends = start + DAYS_56
        clocks.append(Clock("relief_ends", ends, "s189B: 56 days of relief end"))
        # s188(1ZA)/s193: the main duty decision must be ready to notify when relief ends.
        clocks.append(Clock("decision_due", ends, "main duty decision when relief ends"))
    if f.stage == "prevention":
        start = f.prevention_start or f.approach_date
        clocks.append(Clock("prevention_56", start + DAYS_56,
                            "s195(8)(b): 56 days; the duty ends only by notice"))
    if f.stage in ("prevention", "relief") and f.plan_review_on is not None:
        clocks.append(Clock("plan_review", f.plan_review_on, "s189A(9): keep the plan under review"))
    for due in f.open_review_due:
        clocks.append(Clock("review_due", due, "s202 review decision (SI 2018/223 reg 9)"))
    for since in f.family_bnb_since:
        clocks.append(Clock("bnb_limit", since + timedelta(days=f.bnb_limit_days),
                            "family in B&B: no more than 6 weeks (SI 2003/3326 art. 4)"))
    clocks.sort(key=lambda c: (c.due, c.name))
    return clocks


def nearest(clocks: Iterable[Clock]) -> Clock | None:
    """The soonest clock, or None."""
    return min(clocks, key=lambda c: (c.due, c.name), default=None)


# --- plain summary for queues ----------------------------------------------------------------


def case_summary(stage: str, clocks: list[Clock], *, rough_sleeping_tonight: bool = False,
                 in_ta: bool = False) -> str:
    """The work_case summary the dashboard shows: stage and its key dates (max 200 chars)."""
    parts = [f"Homelessness {STAGE_WORDS.get(stage, stage)}"]
    if rough_sleeping_tonight and stage == "triage":
        parts.append("NOWHERE TO STAY TONIGHT")
    by_name: dict[str, Clock] = {}
    for clock in clocks:
        by_name.setdefault(clock.name, clock)
    for name in ("relief_ends", "prevention_56", "decision_due", "review_due", "plan_review", "bnb_limit"):
        clock = by_name.get(name)
        if clock is not None and not (name == "decision_due" and "relief_ends" in by_name):
            parts.append(f"{clock.label} {clock.due:%d/%m/%y}")
    if in_ta:
        parts.append("in TA")
    return " · ".join(parts)[:200]


# --- household ------------------------------------------------------------------------


def age_on(born: date, on: date) -> int:
    """Whole years of age on a date."""
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))
