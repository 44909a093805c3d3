"""The rent review's rules (docs/RENTS_REVIEW.md): the increase, its caps, and when notices must be given. Pure.

Rounding: a percentage increase is worked out on each charge's own amount (weekly, monthly …) and the
increase is rounded half up to the penny (0.5p goes up): new = old + half_up(old × bp, 10,000). A cap
is applied after rounding and rounds down in the tenant's favour (never above the limit).

Notice timing: the tenant must *receive* the notice at least ``min_days`` (four weeks) before the
first week of the new rent, or a whole rental period when that is longer (England, HA 1985 s103;
Scotland, H(S)A 2001 s25 has no rental-period rule). A posted notice is taken to arrive
``post_working_days`` working days after posting (first class). So the latest day to post is the
latest working day whose deemed arrival is on or before the first week less that time.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from duty_tui.areas.rents.domain.charges import half_up, weekly_equivalent

PERIOD_DAYS = {"weekly": 7, "fortnightly": 14, "four_weekly": 28}
"""A rental period's length in days; monthly is one calendar month (see ``period_before``)."""


@dataclass(frozen=True)
class ReviewPolicy:
    """One ``[[policy]]`` of data/rents/review.toml: the limits an increase is held to."""

    code: str
    effective_from: date
    source: str
    limit_bp: int
    max_weekly_increase_pence: int = 0
    formula_ceiling: bool = False

    @property
    def limit_words(self) -> str:
        return f"{self.limit_bp / 100:g}%"


@dataclass(frozen=True)
class NoticeRule:
    """One ``[[notice]]`` of data/rents/review.toml: how long before the new rent a tenant must have notice."""

    nation: str
    effective_from: date
    source: str
    min_days: int
    at_least_one_period: bool
    post_working_days: int
    letter: str

    @property
    def section(self) -> str:
        """The law's short name, from the source (e.g. 'Housing Act 1985 s102-103')."""
        return self.source.split(":", 1)[0]


def increased(old_pence: int, percent_bp: int) -> int:
    """``old_pence`` raised by ``percent_bp`` basis points, the increase rounded half up to the penny."""
    return old_pence + half_up(old_pence * percent_bp, 10_000)


def _weeks_in(frequency: str) -> tuple[int, int]:
    """How many weeks one payment of ``frequency`` covers, as (numerator, denominator)."""
    return {"weekly": (1, 1), "fortnightly": (2, 1), "four_weekly": (4, 1), "monthly": (52, 12)}[frequency]


def capped(old_pence: int, proposed_pence: int, frequency: str, policy: ReviewPolicy) -> tuple[int, bool]:
    """(the amount allowed, whether a cap bit): at most the policy's percentage limit and, when set, at
    most ``max_weekly_increase_pence`` more a week (scaled to the charge's frequency, rounded down)."""
    allowed = old_pence + (old_pence * policy.limit_bp) // 10_000
    if policy.max_weekly_increase_pence:
        num, den = _weeks_in(frequency)
        allowed = min(allowed, old_pence + policy.max_weekly_increase_pence * num // den)
    if proposed_pence > allowed:
        return allowed, True
    return proposed_pence, False


def period_before(first_week: date, frequency: str) -> date:
    """The day one rental period before ``first_week`` (monthly: the same day of the month before)."""
    if frequency == "monthly":
        year, month = (first_week.year, first_week.month - 1) if first_week.month > 1 else (first_week.year - 1, 12)
        for day in range(first_week.day, 0, -1):
            try:
                return date(year, month, day)
            except ValueError:
                continue
    return first_week - timedelta(days=PERIOD_DAYS.get(frequency, 7))


def receive_by(first_week: date, rule: NoticeRule, frequency: str) -> date:
    """The latest day a tenant may receive the notice for a new rent from ``first_week``."""
    latest = first_week - timedelta(days=rule.min_days)
    if rule.at_least_one_period:
        latest = min(latest, period_before(first_week, frequency))
    return latest


def latest_notice_day(first_week: date, rule: NoticeRule, frequency: str,
                      add_working_days: Callable[[date, int], date]) -> date:
    """The latest day the notice may be posted so that it is deemed received in time.

    ``add_working_days`` is the jurisdiction's working calendar (``WorkingCalendar.add_working_days``)."""
    deadline = receive_by(first_week, rule, frequency)
    day = deadline
    while add_working_days(day, rule.post_working_days) > deadline:
        day -= timedelta(days=1)
    return day


def notice_in_time(notices_on: date, first_week: date, rule: NoticeRule, frequency: str,
                   add_working_days: Callable[[date, int], date]) -> bool:
    """Whether notices posted on ``notices_on`` reach the tenant in time for ``first_week``."""
    return notices_on <= latest_notice_day(first_week, rule, frequency, add_working_days)


@dataclass(frozen=True)
class LineChange:
    """One property charge under a review: the amount now and new, and their weekly equivalents."""

    property_ref: str
    charge_code: str
    frequency: str
    old_pence: int
    new_pence: int
    capped: bool
    group: str = ""

    @property
    def old_weekly(self) -> int:
        return weekly_equivalent(self.old_pence, self.frequency)

    @property
    def new_weekly(self) -> int:
        return weekly_equivalent(self.new_pence, self.frequency)

    @property
    def weekly_change(self) -> int:
        return self.new_weekly - self.old_weekly

    def as_json(self) -> dict:
        return {"property": self.property_ref, "charge_code": self.charge_code, "frequency": self.frequency,
                "old_pence": self.old_pence, "new_pence": self.new_pence, "capped": self.capped,
                "weekly_change_pence": self.weekly_change, "group": self.group}


@dataclass(frozen=True)
class GroupTotal:
    """A rent group's weekly totals before and after a review."""

    group: str
    lines: int
    old_weekly_pence: int
    new_weekly_pence: int

    def as_json(self) -> dict:
        return {"group": self.group, "lines": self.lines, "old_weekly_pence": self.old_weekly_pence,
                "new_weekly_pence": self.new_weekly_pence}


def group_totals(lines: list[LineChange]) -> list[GroupTotal]:
    """Weekly totals old/new by rent group, in group order."""
    sums: dict[str, list[int]] = {}
    for line in lines:
        entry = sums.setdefault(line.group, [0, 0, 0])
        entry[0] += 1
        entry[1] += line.old_weekly
        entry[2] += line.new_weekly
    return [GroupTotal(g, n, old, new) for g, (n, old, new) in sorted(sums.items())]


def largest_changes(lines: list[LineChange], count: int) -> list[LineChange]:
    """The ``count`` largest weekly changes (by size, then property)."""
    return sorted(lines, key=lambda line: (-abs(line.weekly_change), line.property_ref, line.charge_code))[:count]


__all__ = ["GroupTotal", "LineChange", "NoticeRule", "ReviewPolicy", "capped", "group_totals", "increased",
           "largest_changes", "latest_notice_day", "notice_in_time", "period_before", "receive_by"]
