"""The law of arrears recovery as pure functions: rental periods, a notice's legal dates, the court gate,
the claim's dates (docs/INCOME.md; `duty-tui arrears assess` in docs/CLI.md).

Sources: Housing Act 1985 s83 (notice seeking possession, secure and flexible tenancies); Housing Act
1996 ss128-129 (introductory tenancies); Protection from Eviction Act 1977 s5 (four weeks); Housing
(Scotland) Act 2001 ss14, 14A; Homelessness etc. (Scotland) Act 2003 s11; the Pre-Action Protocol for
Possession Claims by Social Landlords; CPR 55.5(3). The lengths that regulation changes (notice
periods, lapse, review window, hearing window) come from the dated table in ``law_table`` — this
module holds only the shape of the rules. No database, no files, no clock: ``as_of`` is given.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from duty_tui.areas.income.domain.arrears_input import STEPS, AccountFacts, ArrearsInputError, Rent
from duty_tui.areas.income.domain.law_table import LawNotHeld, LawTable, Period, add_months

DAY = timedelta(days=1)
FIXED_PERIOD_DAYS = {"weekly": 7, "fortnightly": 14, "four_weekly": 28}
COVERED = ("secure", "flexible", "introductory", "scottish_secure")
"""Tenancy types whose notices this engine dates; assured, starter (HA 1988) and short Scottish secure
(2001 Act s36) tenancies end by other notices, not covered here."""
LAPSING = ("secure", "flexible", "scottish_secure")
"""An introductory tenancy's notice of proceedings (HA 1996 s128) has no lapse date."""

PROTOCOL = "the Pre-Action Protocol for Possession Claims by Social Landlords"
S14A = "Housing (Scotland) Act 2001 s14A"
STEP_WORDS = {
    "contact_made": "contact the tenant and discuss the arrears",
    "statements_provided": "provide rent statements",
    "payment_plan_offered": "try to agree an affordable payment plan",
    "benefits_help_offered": "help with housing benefit or universal credit",
    "vulnerability_considered": "consider vulnerability and capacity",
    "advice_signposted": "point to independent debt advice",
    "s14a_information": "clear information on the tenancy and the arrears (s14A(2))",
    "s14a_benefits_help": "help with housing benefit and other financial help (s14A(3))",
    "s14a_debt_advice": "information on debt advice (s14A(4))",
    "s14a_payment_plan": "reasonable efforts to agree a payment plan (s14A(5))",
}
EARLIEST_SECTION = {
    "secure": "HA 1985 s83(5)", "flexible": "HA 1985 s83(5)", "introductory": "HA 1996 s128(4)",
    "scottish_secure": "Housing (Scotland) Act 2001 s14(4)(b)",
}
"""Where each covered type's earliest date comes from; the minimum's length and source are in the table."""
NOT_COVERED_WHY = {
    "assured": "an assured tenancy ends by a Housing Act 1988 s8 notice",
    "starter": "a starter (assured shorthold) tenancy ends by a Housing Act 1988 s8 or s21 notice",
    "short_scottish_secure": "a short Scottish secure tenancy ends by a Housing (Scotland) Act 2001 s36 notice",
}


# --- rental periods --------------------------------------------------------------------------

@dataclass(frozen=True)
class RentalPeriod:
    """One rental period, first and last day inclusive."""

    start: date
    end: date


def _month_start(year: int, month: int, day_of_month: int) -> date:
    return date(year, month, min(day_of_month, calendar.monthrange(year, month)[1]))


def period_containing(rent: Rent, day: date) -> RentalPeriod:
    """The rental period ``day`` falls in: every 7, 14 or 28 days from ``period_start`` both ways, or
    monthly on its day of the month (the month's last day when the month is shorter)."""
    length = FIXED_PERIOD_DAYS.get(rent.period)
    if length is not None:
        start = rent.period_start + timedelta(days=(day - rent.period_start).days // length * length)
        return RentalPeriod(start, start + timedelta(days=length - 1))
    on = rent.period_start.day
    start = _month_start(day.year, day.month, on)
    if start > day:
        start = _month_start(*_shift_month(day.year, day.month, -1), on)
    following = _month_start(*_shift_month(start.year, start.month, 1), on)
    return RentalPeriod(start, following - DAY)


def _shift_month(year: int, month: int, by: int) -> tuple[int, int]:
    index = year * 12 + month - 1 + by
    return index // 12, index % 12 + 1


def first_period_from(rent: Rent, day: date) -> RentalPeriod:
    """The first rental period that begins on or after ``day``."""
    current = period_containing(rent, day)
    return current if current.start == day else period_containing(rent, current.end + DAY)


def earliest_proceedings(rent: Rent, served: date, minimum: Period) -> date:
    """The earliest date a notice served on ``served`` may give for proceedings.

    Not earlier than a landlord's notice to quit served the same day could end the tenancy (HA 1985
    s83(5), HA 1996 s128(4); in Scotland the later of that and 4 weeks, 2001 Act s14(4)(b)): E0 is the
    later of service + the minimum and the last day of the first full period that begins on or after
    service; E0 itself when it is the first or last day of a period, else that period's last day.
    """
    e0 = max(minimum.after(served), first_period_from(rent, served).end)
    around = period_containing(rent, e0)
    return e0 if e0 in (around.start, around.end) else around.end


# --- money -----------------------------------------------------------------------------------

def _half_up(numerator: int, denominator: int) -> int:
    """numerator ÷ denominator rounded half up (both non-negative, denominator above 0)."""
    return (2 * numerator + denominator) // (2 * denominator)


def weekly_rent_pence(rent: Rent) -> int:
    """The weekly equivalent: fortnightly ÷ 2, four-weekly ÷ 4, monthly × 12 ÷ 52, to the penny half up."""
    numerator, denominator = {"weekly": (1, 1), "fortnightly": (1, 2), "four_weekly": (1, 4),
                              "monthly": (12, 52)}[rent.period]
    return _half_up(rent.amount_pence * numerator, denominator)


def weeks_in_arrears(arrears_pence: int, weekly_pence: int) -> float:
    """Arrears as weeks of rent, to 2 decimal places half up (0 when there is no weekly rent)."""
    if weekly_pence <= 0:
        return 0.0
    return _half_up(arrears_pence * 100, weekly_pence) / 100


def pounds(pence: int) -> str:
    """'£1,234.50'."""
    return f"{'-' if pence < 0 else ''}£{abs(pence) // 100:,}.{abs(pence) % 100:02d}"


def _d(day: date) -> str:
    return f"{day:%d/%m/%Y}"


# --- the answer ------------------------------------------------------------------------------

@dataclass(frozen=True)
class NoticeDates:
    """A served notice's legal dates on ``as_of``."""

    earliest_proceedings: date
    valid: bool
    lapses: date | None
    in_force: bool
    review_request_by: date | None


@dataclass(frozen=True)
class ClaimDates:
    """A claim's hearing window and service date (CPR 55.5(3))."""

    hearing_not_before: date
    hearing_standard_by: date
    serve_by: date | None
    hearing_in_window: bool | None


@dataclass(frozen=True)
class LawAssessment:
    """What the law says of one account on ``as_of``."""

    arrears_pence: int
    weekly_rent_pence: int
    weeks_in_arrears: float
    earliest_if_served_today: date | None
    notice: NoticeDates | None
    blocked_by: tuple[str, ...]
    outstanding_protocol: tuple[str, ...]
    claim: ClaimDates | None
    reasons: tuple[str, ...]

    @property
    def may_apply(self) -> bool:
        """Nothing blocks an application to court."""
        return not self.blocked_by

    def as_json(self) -> dict[str, Any]:
        """The output object docs/CLI.md gives for `arrears assess`."""
        notice = self.notice
        claim = self.claim
        return {
            "arrears_pence": self.arrears_pence,
            "weekly_rent_pence": self.weekly_rent_pence,
            "weeks_in_arrears": self.weeks_in_arrears,
            "notice_if_served_today": (None if self.earliest_if_served_today is None
                                       else {"earliest_proceedings": self.earliest_if_served_today.isoformat()}),
            "notice": None if notice is None else {
                "earliest_proceedings": notice.earliest_proceedings.isoformat(), "valid": notice.valid,
                "lapses": _iso(notice.lapses), "in_force": notice.in_force,
                "review_request_by": _iso(notice.review_request_by)},
            "court": {"may_apply": self.may_apply, "blocked_by": list(self.blocked_by)},
            "outstanding_protocol": list(self.outstanding_protocol),
            "claim": None if claim is None else {
                "hearing_not_before": claim.hearing_not_before.isoformat(),
                "hearing_standard_by": claim.hearing_standard_by.isoformat(),
                "serve_by": _iso(claim.serve_by), "hearing_in_window": claim.hearing_in_window},
            "reasons": list(self.reasons),
        }


def _iso(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


# --- the periods an account needs ------------------------------------------------------------

def _periods(facts: AccountFacts, law: LawTable) -> dict[str, Period]:
    """Every period the assessment uses, from the entry in force on the day that decides it.

    A day before the table's first entry is an input the table cannot answer: ArrearsInputError naming
    the key and the table, with every such key listed at once.
    """
    j, kind, notice, claim = facts.jurisdiction, facts.tenancy_type, facts.notice, facts.claim
    wanted: list[tuple[str, str, str, date]] = []  # (name, rule, key, day)
    if kind in COVERED:
        wanted.append(("today", "notice_minimum", "as_of", facts.as_of))
        if notice is not None:
            wanted.append(("minimum", "notice_minimum", "notice.served", notice.served))
            if kind in LAPSING:
                wanted.append(("lapse", "notice_lapse", "notice.served", notice.served))
            if kind == "introductory":
                wanted.append(("review", "review_window", "notice.served", notice.served))
    if claim is not None and law.holds("hearing_not_before", j):
        wanted += [("not_before", "hearing_not_before", "claim.issued", claim.issued),
                   ("standard_by", "hearing_standard_by", "claim.issued", claim.issued),
                   ("serve", "serve_before_hearing", "claim.issued", claim.issued)]
    found: dict[str, Period] = {}
    problems: list[str] = []
    failed: set[str] = set()
    for name, rule, key, day in wanted:
        try:
            found[name] = law.on(rule, j, day)
        except LawNotHeld as exc:
            if key not in failed:  # one line per key: the first period missing says what to do
                failed.add(key)
                problems.append(f"{key}: {exc}")
    if problems:
        raise ArrearsInputError(problems)
    return found


# --- the assessment --------------------------------------------------------------------------

def assess_account(facts: AccountFacts, law: LawTable) -> LawAssessment:
    """The legal dates and the court gate for one account (docs/CLI.md `arrears assess`)."""
    periods = _periods(facts, law)
    reasons: list[str] = []
    arrears = max(facts.balance_pence, 0)
    weekly = weekly_rent_pence(facts.rent)
    weeks = weeks_in_arrears(arrears, weekly)
    reasons.append(f"Arrears {pounds(arrears)} are {weeks:.2f} weeks of rent at {pounds(weekly)} a week "
                   f"({pounds(facts.rent.amount_pence)} {facts.rent.period.replace('_', '-')}; "
                   "from the balance and rent given)")
    today = None
    if "today" in periods:
        today = earliest_proceedings(facts.rent, facts.as_of, periods["today"])
        reasons.append(f"A notice served on {_d(facts.as_of)} could give {_d(today)} at the earliest: at least "
                       f"{periods['today'].words} on, on the first or last day of a rental period "
                       f"({_earliest_source(facts.tenancy_type, periods['today'])})")
    else:
        reasons.append(f"No notice dates: {NOT_COVERED_WHY[facts.tenancy_type]}, which this command does not date")
    notice = _notice_dates(facts, periods, reasons)
    outstanding = tuple(step for step in STEPS[facts.jurisdiction] if step not in facts.protocol)
    blocked = _gate(facts, arrears, notice, outstanding, reasons)
    claim = _claim_dates(facts, periods, reasons)
    return LawAssessment(arrears, weekly, weeks, today, notice, blocked, outstanding, claim, tuple(reasons))


def _earliest_source(kind: str, minimum: Period) -> str:
    return f"{EARLIEST_SECTION[kind]}; {minimum.words}: {minimum.source}"


def _notice_dates(facts: AccountFacts, periods: dict[str, Period], reasons: list[str]) -> NoticeDates | None:
    notice = facts.notice
    if notice is None or "minimum" not in periods:
        return None
    minimum = periods["minimum"]
    earliest = earliest_proceedings(facts.rent, notice.served, minimum)
    valid = notice.date_specified >= earliest
    verdict = "valid" if valid else f"not valid: it may not be earlier than {_d(earliest)}; serve a new notice"
    reasons.append(f"The notice served on {_d(notice.served)} gives {_d(notice.date_specified)}; the earliest it "
                   f"could give was {_d(earliest)}, so it is {verdict} "
                   f"({_earliest_source(facts.tenancy_type, minimum)})")
    lapses = None
    if "lapse" in periods:
        lapse = periods["lapse"]
        lapses = lapse.after(notice.date_specified)
        tense = "lapsed" if facts.as_of >= lapses else "lapses"
        reasons.append(f"It {tense} on {_d(lapses)}, {lapse.words} after the date it gives ({lapse.source})")
    review_by = None
    if "review" in periods:
        window = periods["review"]
        review_by = window.after(notice.served) - DAY
        reasons.append(f"The tenant may ask for a review until {_d(review_by)}, {window.words} beginning with the "
                       f"day of service ({window.source})")
    in_force = valid and (lapses is None or facts.as_of < lapses)
    return NoticeDates(earliest, valid, lapses, in_force, review_by)


def _gate(facts: AccountFacts, arrears: int, notice: NoticeDates | None, outstanding: tuple[str, ...],
          reasons: list[str]) -> tuple[str, ...]:
    """court.blocked_by, in docs/CLI.md's order, with a reason for each code."""
    blocked: list[str] = []
    scotland = facts.jurisdiction == "scotland"

    def block(code: str, why: str) -> None:
        blocked.append(code)
        reasons.append(why)

    if arrears == 0:
        block("no_arrears", "Nothing is owed, so there is no rent-arrears claim to make (the balance given)")
    if facts.tenancy_type not in COVERED:
        block("tenancy_type_not_covered", f"The court gate is not worked out here: "
                                          f"{NOT_COVERED_WHY[facts.tenancy_type]}")
    given = facts.notice
    if given is None:
        block("no_notice", "No notice has been served, and proceedings need one first "
                           f"({'Housing (Scotland) Act 2001 s14(2)' if scotland else 'HA 1985 s83(1), HA 1996 s128(1)'})")
    elif notice is not None:
        if not notice.valid:
            blocked.append("notice_invalid")  # its reason is the notice's own line
        if facts.as_of < given.date_specified:
            block("notice_not_yet_expired", f"Proceedings may not begin before {_d(given.date_specified)}, the date "
                                            "the notice gives (" + ("Housing (Scotland) Act 2001 s14(2)(b)" if scotland
                                                                    else "HA 1985 s83(4)(a), HA 1996 s128(4)") + ")")
        if notice.lapses is not None and facts.as_of >= notice.lapses:
            blocked.append("notice_lapsed")  # its reason is the notice's own line
        review = facts.review
        if facts.tenancy_type == "introductory" and review is not None and review.decided is None:
            block("review_pending", f"The tenant asked for a review on {_d(review.requested)} and it is not yet "
                                    "decided: it must be decided first (HA 1996 s129)")
    if outstanding:
        blocked.extend(f"protocol:{step}" for step in outstanding)
        source = f"{S14A} and s14(2A)" if scotland else PROTOCOL
        reasons.append(f"Still to do before going to court: {'; '.join(STEP_WORDS[s] for s in outstanding)} ({source})")
    if facts.benefit_claim_pending:
        block("benefit_claim_pending", "A housing benefit or universal credit claim is awaiting decision: wait for it "
                                       f"({S14A if scotland else PROTOCOL})")
    if facts.agreement_being_kept:
        block("agreement_being_kept", "An agreement to pay is being kept: postpone proceedings while it is "
                                      f"({S14A if scotland else PROTOCOL})")
    if scotland and not facts.council_notified:
        block("council_not_notified", "The local authority has not been told of the proceedings "
                                      "(Homelessness etc. (Scotland) Act 2003 s11)")
    if not blocked:
        reasons.append(f"Nothing recorded blocks an application for possession on {_d(facts.as_of)}; court is the "
                       f"last resort ({S14A if scotland else PROTOCOL})")
    return tuple(blocked)


def _claim_dates(facts: AccountFacts, periods: dict[str, Period], reasons: list[str]) -> ClaimDates | None:
    claim = facts.claim
    if claim is None:
        return None
    if "not_before" not in periods:
        reasons.append("No claim dates: CPR 55.5(3) does not apply in Scotland, where possession is sought by "
                       "summary cause in the sheriff court")
        return None
    not_before, standard, serve = periods["not_before"], periods["standard_by"], periods["serve"]
    first, last = not_before.after(claim.issued), standard.after(claim.issued)
    reasons.append(f"A claim issued on {_d(claim.issued)} is heard not before {_d(first)} ({not_before.words}, "
                   f"{not_before.source}) and, as standard, by {_d(last)} ({standard.words}, {standard.source})")
    if claim.hearing is None:
        return ClaimDates(first, last, None, None)
    serve_by = serve.before(claim.hearing)
    in_window = first <= claim.hearing <= last
    place = "within" if in_window else "outside"
    reasons.append(f"The hearing on {_d(claim.hearing)} is {place} that window; serve the claim by {_d(serve_by)}, "
                   f"{serve.words} before it ({serve.source})")
    return ClaimDates(first, last, serve_by, in_window)


__all__ = ["COVERED", "ClaimDates", "LawAssessment", "NoticeDates", "RentalPeriod", "add_months",
           "assess_account", "earliest_proceedings", "first_period_from", "period_containing", "weekly_rent_pence",
           "weeks_in_arrears"]
