"""The income demo's accounts at every stage of recovery: notices served (some lapsed), the pre-action protocol
part done, claims with hearings to come, orders on terms kept and broken, outright orders, adjournments,
warrants, evictions booked and one carried out (docs/INCOME_DEMO.md).

``choose_stages`` picks accounts owing at least four weeks' rent on a tenancy the law engine dates and
gives each a stage and a skeleton of dates; ``tell`` writes each one's story against its ledger: the
recovery steps in the policy's order and gaps, the notice dated by the law engine (``domain/law``), the
protocol steps, the claim (heard at least 28 days after issue, CPR 55.5(3)), the outcome, the breach, the
warrant and the eviction. Deterministic: everything is drawn from the random generator passed in.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta

from duty_tui.areas.income.demo_ledger import Ledger, Owing
from duty_tui.areas.income.domain.arrears_input import STEPS, AccountFacts, Notice, Rent
from duty_tui.areas.income.domain.court import COURT_OUTCOME_WORDS
from duty_tui.areas.income.domain.law import COVERED, assess_account
from duty_tui.areas.income.domain.law_table import LawTable

STAGES = ("lapsed", "protocol", "hearing_soon", "kept", "broken", "outright", "adjourned", "eviction_booked")
WEIGHTS = (10, 22, 12, 14, 12, 6, 8, 6)
COURT_SHARE = 0.25
"""The share of accounts owing four weeks' rent or more (on a tenancy the law engine dates) given a court stage."""
ISSUED = {"hearing_soon": (55, 7), "kept": (300, 90), "broken": (300, 90), "outright": (120, 45),
          "adjourned": (300, 40), "eviction_booked": (300, 110)}
"""Claim stages: the claim issued between this many days ago (oldest, newest)."""
HEARD_AGO = {"kept": 35, "broken": 35, "outright": 10, "adjourned": 7, "eviction_booked": 54}
"""Past hearings: heard at least this many days ago (so a breach, or a warrant, has had time to show)."""
NOTICE_CODE = {"secure": "nosp", "flexible": "nosp", "introductory": "notice_of_proceedings",
               "scottish_secure": "s14_notice"}
NOTICE_KIND = {"secure": "nosp", "flexible": "nosp", "introductory": "s128", "scottish_secure": "s14"}
RENT_MONDAY = date(2024, 4, 1)
"""Weekly rental periods begin on Mondays, the demo ledger's rent day (any Monday dates them)."""
ISSUE_FEE = 35_500
"""A claim's court fee and costs, posted on issue: the figure the base demo charges on its court costs accounts
(illustrative)."""
OUTCOME_WORDS = COURT_OUTCOME_WORDS
"""The note on an update_court_outcome step, worded as the court service words it."""
TERMS = (300, 380, 500, 500, 750, 1000, 1500)
"""Weekly sums a court orders on top of the rent (pence, illustrative)."""
SETTLED = timedelta(days=45)
"""No notice in a tenancy's first weeks: the reminder and letters before it fall after the tenancy began."""
DAY = timedelta(days=1)


def _days(rng: random.Random, low: int, high: int) -> timedelta:
    return timedelta(days=rng.randint(low, high))


@dataclass
class Plan:
    """An account's stage and its skeleton: where the notice may fall, and the claim's issue day."""

    owing: Owing
    stage: str
    notice_from: date
    notice_to: date
    issued: date | None = None
    fee_charged: bool = False  # the base demo already charged the issue fee on a court costs account


@dataclass
class Story:
    """What happened on one account, ready to be written as rows."""

    owing: Owing
    stage: str
    steps: list[tuple[str, date]] = field(default_factory=list)
    notice: dict | None = None
    protocol: list[tuple[str, date]] = field(default_factory=list)
    claim: dict | None = None
    hearing: dict | None = None
    eviction: dict | None = None
    post_costs: bool = False  # the claim's costs to be posted on issue (not yet charged by the base demo)
    notes: dict[tuple[str, date], str] = field(default_factory=dict)  # a note on a step
    paid: list[tuple[date, int]] = field(default_factory=list)  # payments to the order's terms
    benefit: dict | None = None


def jurisdiction_of(kind: str) -> str:
    return "scotland" if kind == "scottish_secure" else "england"


def eligible(owing: Owing) -> bool:
    """Owes at least four weeks' rent on a tenancy whose notices the law engine dates."""
    return owing.kind in COVERED and owing.weekly > 0 and owing.balance >= 4 * owing.weekly


def _plan(rng: random.Random, owing: Owing, stage: str, today: date, first_day: date,
          issued: date | None = None) -> Plan | None:
    """The skeleton for ``stage``, or None when the tenancy (or the ledger) is too young for it."""
    earliest = max(owing.start + SETTLED, first_day)
    if stage == "lapsed":
        newest = 230 if owing.kind == "scottish_secure" else 400
        low, high = max(earliest, today - timedelta(days=600)), today - timedelta(days=newest)
    elif stage == "protocol":
        low, high = max(earliest, today - timedelta(days=150)), today - timedelta(days=40)
    else:
        old, new = ISSUED[stage]
        if issued is None:
            issued = today - _days(rng, new, old)
        elif issued > today - timedelta(days=new) or (stage in ("hearing_soon", "outright")
                                                        and issued < today - timedelta(days=old)):
            return None  # a day fixed by a court costs charge: any age will do for a hearing long past
        low, high = max(earliest, issued - timedelta(days=100)), issued - timedelta(days=50)
    if low > high:
        return None
    return Plan(owing, stage, low, high, issued)


def choose_stages(rng: random.Random, candidates: list[Owing], fee_days: dict[int, date], today: date,
                  first_day: date) -> list[Plan]:
    """Court stages for some of the accounts in ``candidates``; those with a court costs account (``fee_days``:
    tenancy -> the day its issue fee was charged) first, their claim issued that day; then one account for
    every stage, then the rest by weight, about COURT_SHARE of the candidates in all."""
    pool = [o for o in candidates if eligible(o)]
    rng.shuffle(pool)
    wanted = min(len(pool), max(len(STAGES), round(len(pool) * COURT_SHARE)))
    plans: list[Plan] = []
    for owing in pool:
        fee_day = fee_days.get(owing.tenancy_id)
        if fee_day is None:
            continue
        stages = [s for s in STAGES if s in ISSUED]
        rng.shuffle(stages)
        plan = next((p for s in stages if (p := _plan(rng, owing, s, today, first_day, fee_day)) is not None), None)
        if plan is not None:
            plan.fee_charged = True
            plans.append(plan)
    taken = {p.owing.account_id for p in plans}
    rest = [o for o in pool if o.account_id not in taken]
    have = Counter(p.stage for p in plans)
    for stage in STAGES:
        for owing in list(rest) if not have[stage] else ():
            plan = _plan(rng, owing, stage, today, first_day)
            if plan is not None:
                plans.append(plan)
                rest.remove(owing)
                break
    while len(plans) < wanted and rest:
        owing = rest.pop()
        stage = rng.choices(STAGES, WEIGHTS)[0]
        plan = _plan(rng, owing, stage, today, first_day) or _plan(rng, owing, "protocol", today, first_day)
        if plan is not None:
            plans.append(plan)
    return plans


# --- the stories ---------------------------------------------------------------------------------------

def notice_for(law: LawTable, owing: Owing, served: date, ledger: Ledger, rng: random.Random) -> dict:
    """The notice served on ``served``: its date for proceedings, lapse and review dates from the law engine."""
    weekly = ledger.rent_on(served, owing.weekly)
    rent = Rent(weekly, "weekly", RENT_MONDAY)
    jurisdiction = jurisdiction_of(owing.kind)
    facts = AccountFacts(as_of=served, jurisdiction=jurisdiction, tenancy_type=owing.kind, rent=rent)
    earliest = assess_account(facts, law).earliest_if_served_today
    assert earliest is not None  # a covered tenancy type
    dated = assess_account(AccountFacts(as_of=served, jurisdiction=jurisdiction, tenancy_type=owing.kind, rent=rent,
                                        notice=Notice(served, earliest)), law).notice
    assert dated is not None
    arrears = max(ledger.balance_on(served), 0)
    return {"kind": NOTICE_KIND[owing.kind], "served_on": served, "proceedings_from": earliest,
            "lapses_on": dated.lapses, "review_by": dated.review_request_by, "la_notified_on": None,
            "method": rng.choice(("by_hand", "by_hand", "first_class_post", "letterbox")),
            "arrears_pence": arrears, "weekly_rent_pence": weekly, "particulars": _particulars(owing.kind, arrears,
                                                                                               weekly)}


def _particulars(kind: str, arrears: int, weekly: int) -> str:
    owed = f"£{arrears / 100:,.2f}, {arrears / weekly:.1f} weeks' rent at £{weekly / 100:,.2f} a week"
    if kind == "introductory":
        return (f"Reasons (Housing Act 1996 s128(3)): rent lawfully due has not been paid. Arrears {owed}. "
                "You may ask for a review of the decision within 14 days of service.")
    if kind == "scottish_secure":
        return (f"Ground 1 (Housing (Scotland) Act 2001 sch 2 para 1): rent lawfully due has not been paid. "
                f"Arrears {owed}. The pre-action requirements (s14A) have been met.")
    return (f"Ground 1 (Housing Act 1985 sch 2): rent lawfully due from the tenant has not been paid. "
            f"Arrears {owed}, with the rent statement attached.")


def _before_notice(rng: random.Random, served: date) -> list[tuple[str, date]]:
    """The reminder and letters, each after the last by at least the policy's gap."""
    letter_2 = served - _days(rng, 7, 12)
    letter_1 = letter_2 - _days(rng, 14, 18)
    return [("reminder", letter_1 - _days(rng, 7, 10)), ("letter_1", letter_1), ("letter_2", letter_2)]


def _protocol(rng: random.Random, owing: Owing, low: date, high: date, missing: int) -> list[tuple[str, date]]:
    steps = list(STEPS[jurisdiction_of(owing.kind)])
    for _ in range(missing):
        steps.remove(rng.choice(steps))
    span = max(0, (high - low).days)
    return sorted(((s, low + timedelta(days=rng.randint(0, span))) for s in steps), key=lambda x: x[1])


def tell(rng: random.Random, plan: Plan, ledger: Ledger, law: LawTable, today: date) -> Story:
    """One account's story for its plan (see the module docstring)."""
    owing = plan.owing
    story = Story(owing, plan.stage)
    served = ledger.owing_day(rng, plan.notice_from, plan.notice_to, 4 * owing.weekly)
    story.notice = notice_for(law, owing, served, ledger, rng)
    story.steps = [*_before_notice(rng, served), (NOTICE_CODE[owing.kind], served)]
    warning = served + _days(rng, 28, 33)
    scotland = owing.kind == "scottish_secure"
    first_letter = story.steps[1][1]
    if plan.stage == "lapsed":
        if rng.random() < 0.6:
            story.steps.append(("court_warning", warning))
        high = served - DAY if scotland else served + _days(rng, 20, 60)
        story.protocol = _protocol(rng, owing, first_letter, high, rng.choice((1, 2, 3)))
        return story
    if warning < today:
        story.steps.append(("court_warning", warning))
    if plan.stage == "protocol":
        missing = rng.choice((0, 0, 1, 1, 2))
        high = served - DAY if scotland else today - DAY
        story.protocol = _protocol(rng, owing, first_letter, high, missing)
        if not scotland:  # statements count for three months (data/income/protocol.toml): a recent one
            story.protocol = sorted(((step, max(on, today - _days(rng, 7, 60)) if step == "statements_provided"
                                      else on) for step, on in story.protocol), key=lambda x: x[1])
        if rng.random() < 0.25:
            story.benefit = _benefit(rng, ledger, today - _days(rng, 7, 40), None)
        return story
    issued = plan.issued
    assert issued is not None
    story.steps.append(("apply_for_possession", issued))
    story.protocol = _protocol(rng, owing, first_letter, (served if scotland else issued) - DAY, 0)
    if rng.random() < 0.35:
        made = first_letter + _days(rng, 0, max(0, (served - first_letter).days))
        story.benefit = _benefit(rng, ledger, made, min(made + _days(rng, 14, 42), issued - DAY))
    if scotland:
        story.notice["la_notified_on"] = issued
    story.claim = {"issued_on": issued, "costs_pence": ISSUE_FEE, "claim_number": claim_number(rng)}
    story.post_costs = not plan.fee_charged
    _court(rng, story, ledger, today)
    return story


def claim_number(rng: random.Random) -> str:
    """A county court claim number in the PCOL style, e.g. K00QZ123."""
    letters = "ABCDEFGHJKLMNPQRSTUVWXYZ"
    return (f"{rng.choice('FGHJK')}{rng.randint(0, 9)}{rng.randint(0, 9)}{rng.choice(letters)}{rng.choice(letters)}"
            f"{rng.randint(0, 999):03d}")


def _benefit(rng: random.Random, ledger: Ledger, made: date, decided: date | None) -> dict:
    kind = ("universal_credit" if ledger.first_uc or "housing_benefit" not in ledger.kinds and rng.random() < 0.7
            else "housing_benefit")
    outcome = None if decided is None else rng.choice(("awarded", "awarded", "refused"))
    return {"kind": kind, "made_on": made, "decided_on": decided, "outcome": outcome}


def _court(rng: random.Random, story: Story, ledger: Ledger, today: date) -> None:
    """The hearing and what followed it, for a claim stage."""
    issued = story.claim["issued_on"]  # type: ignore[index]  # a claim stage has its claim
    stage = story.stage
    if stage == "hearing_soon":
        first = max(issued + timedelta(days=28), today + DAY)
        story.hearing = {"hearing_on": first + _days(rng, 0, max(0, (issued + timedelta(days=56) - first).days))}
        return
    latest = today - timedelta(days=HEARD_AGO[stage])
    heard = min(issued + _days(rng, 28, 56), latest)
    story.steps.append(("update_court_outcome", heard))
    _court_outcome(rng, story, ledger, heard, today)
    outcome = story.hearing["outcome"]  # type: ignore[index]  # just recorded
    story.notes[("update_court_outcome", heard)] = OUTCOME_WORDS[outcome]


def _court_outcome(rng: random.Random, story: Story, ledger: Ledger, heard: date, today: date) -> None:
    """What the court decided at a hearing past, and what followed."""
    stage = story.stage
    if stage == "adjourned":
        story.hearing = _outcome(heard, "adjourned_generally", text="Adjourned generally with liberty to restore")
        return
    if stage in ("outright", "eviction_booked") and (stage == "outright" or heard > today - timedelta(days=100)
                                                      or rng.random() < 0.5):
        story.hearing = _outcome(heard, "outright_order", possession_on=heard + timedelta(days=28),
                                 text="Outright order: possession in 28 days")
        warrant = heard + _days(rng, 29, 40)  # after the day the order gives for possession
        if warrant < today - DAY and (stage == "eviction_booked" or rng.random() < 0.5):
            _warrant(rng, story, warrant, today, booked=stage == "eviction_booked")
        return
    _terms(rng, story, ledger, heard, today)


def _outcome(heard: date, outcome: str, *, text: str, terms: int | None = None,
             possession_on: date | None = None) -> dict:
    return {"hearing_on": heard, "outcome": outcome, "outcome_on": heard, "terms_weekly_pence": terms,
            "terms_text": text, "possession_on": possession_on}


def _warrant(rng: random.Random, story: Story, applied: date, today: date, *, booked: bool,
             breach: str | None = None) -> None:
    """A warrant applied for (in Scotland: the decree given to sheriff officers, not a step of the policy)."""
    if story.owing.kind != "scottish_secure":
        story.steps.append(("apply_for_warrant", applied))
        if breach:
            story.notes[("apply_for_warrant", applied)] = f"Breach: {breach}"
    story.eviction = {"warrant_applied_on": applied, "eviction_on": today + _days(rng, 5, 35) if booked else None}


def _terms(rng: random.Random, story: Story, ledger: Ledger, heard: date, today: date) -> None:
    """A suspended order (in Scotland, an adjournment on terms): kept by the ledger, or broken and followed up
    (for an eviction booked: the breach letter, the visit, the warrant and the bailiffs' date)."""
    owing = story.owing
    keep = story.stage == "kept"
    arrears = max(ledger.balance_on(heard), 0)
    terms = rng.choice(TERMS)
    weeks = (today - heard).days // 7
    charged, received = ledger.charged_received(heard, today)
    over = received - charged  # paid beyond the rent since the hearing
    if keep and over < terms * weeks:
        shortfall = terms * weeks - over
        each, extra = divmod(shortfall, weeks)
        story.paid = [(heard + timedelta(days=7 * k - 2), each + (extra if k == 1 else 0)) for k in range(1, weeks + 1)]
    elif not keep and over >= terms * weeks:
        needed = (over // weeks + 100) // 50 * 50
        if needed <= 3_000:
            terms = max(terms, needed)
        else:
            keep = True  # paying well beyond any terms the court would set: the order is kept
    outcome = "adjourned_on_terms" if owing.kind == "scottish_secure" else "suspended_order"
    first = heard + timedelta(days=7)
    story.hearing = _outcome(heard, outcome, terms=terms, text=(
        f"Possession suspended on terms: the current rent and £{terms / 100:.2f} a week towards the arrears of "
        f"£{arrears / 100:,.2f}, the first payment by {first:%d/%m/%Y}"))
    booking = story.stage == "eviction_booked"
    if not booking or keep:
        story.stage = "kept" if keep else "broken"
    if keep:
        return
    breach = heard + _days(rng, 28, 42)
    if breach >= today:
        return
    story.steps.append(("breach_letter", breach))
    visit = breach + _days(rng, 7, 10)
    if visit < today and (booking or rng.random() < 0.8):
        story.steps.append(("breach_visit", visit))
        warrant = visit + _days(rng, 14, 20)
        if warrant < today - DAY and (booking or rng.random() < 0.4):
            _warrant(rng, story, warrant, today, booked=booking,
                     breach=f"nothing paid towards the terms since the hearing on {heard:%d/%m/%Y}")


def evicted(rng: random.Random, owing: Owing, ledger: Ledger, law: LawTable, first_day: date) -> Story | None:
    """A tenancy that ended in an eviction on its last day, after an outright order and a warrant."""
    ended = owing.end
    assert ended is not None
    warrant = ended - _days(rng, 28, 49)
    heard = warrant - _days(rng, 35, 60)
    issued = heard - _days(rng, 28, 56)
    served = issued - _days(rng, 50, 100)
    if served < max(owing.start + SETTLED, first_day) or ledger.balance_on(ended - DAY) < 4 * owing.weekly:
        return None
    story = Story(owing, "evicted")
    story.notice = notice_for(law, owing, served, ledger, rng)
    story.steps = [*_before_notice(rng, served), (NOTICE_CODE[owing.kind], served),
                   ("court_warning", served + _days(rng, 28, 33)), ("apply_for_possession", issued),
                   ("update_court_outcome", heard), ("apply_for_warrant", warrant), ("update_eviction_outcome", ended)]
    if owing.kind == "scottish_secure":  # the policy has no warrant step in Scotland (sheriff officers' charge)
        story.steps.remove(("apply_for_warrant", warrant))
    story.protocol = _protocol(rng, owing, story.steps[1][1], issued - DAY, 0)
    story.claim = {"issued_on": issued, "costs_pence": ISSUE_FEE, "claim_number": claim_number(rng),
                   "closed_on": ended, "closed_reason": "possession_obtained"}
    story.hearing = _outcome(heard, "outright_order", possession_on=heard + timedelta(days=28),
                             text="Outright order: possession in 28 days")
    story.eviction = {"warrant_applied_on": warrant, "eviction_on": ended, "outcome": "evicted", "outcome_on": ended}
    story.post_costs = True
    story.notes[("update_court_outcome", heard)] = OUTCOME_WORDS["outright_order"]
    if owing.kind == "scottish_secure":
        story.notice["la_notified_on"] = issued
    return story


def walk_story(rng: random.Random, owing: Owing, served: date, warned: bool, ledger: Ledger, law: LawTable,
               today: date) -> Story:
    """The notice behind a notice step the policy walk took, and the protocol steps begun since."""
    story = Story(owing, "notice")
    story.notice = notice_for(law, owing, served, ledger, rng)
    scotland = owing.kind == "scottish_secure"
    low = max(served - _days(rng, 20, 40), owing.start)
    high = served - DAY if scotland else today - DAY
    missing = rng.choice((0, 1, 1, 2)) if warned else len(STEPS[jurisdiction_of(owing.kind)]) - 2
    story.protocol = _protocol(rng, owing, low, high, missing)
    return story
