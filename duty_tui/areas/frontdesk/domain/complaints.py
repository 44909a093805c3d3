"""Complaint handling clocks: stages, acknowledgement and response, one bounded extension.

Pure rules; the figures are policy data (``data/frontdesk/complaints.toml``) following the
Housing Ombudsman Complaint Handling Code (England) or the SPSO model complaints
handling procedure (Scotland):

* CHC stage 1: acknowledge within 5 working days of receipt; respond within 10
  working days of the acknowledgement; one extension of at most 10 working days,
  with a reason.
* CHC stage 2: acknowledge within 5 working days of the escalation request;
  respond within 20 working days of the acknowledgement; the stage 2 handler is
  not the person who handled stage 1.
* SPSO frontline: respond within 5 working days; investigation: acknowledge
  within 3 and respond within 20 working days.

The clock starts when the landlord becomes aware (the moment the desk logs the
complaint). Day 0 is that day (``WorkingCalendar.add_working_days``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from duty_tui.core.domain.clocks import WorkingCalendar


@dataclass(frozen=True)
class StagePolicy:
    """One stage's clocks (working days)."""

    number: int
    name: str
    ack_days: int
    respond_days: int
    respond_from: str  # "ack" or "start"
    extension_days: int  # the longest single extension; 0 = none allowed
    handler_must_differ: bool = False
    verified: bool = True


@dataclass(frozen=True)
class ComplaintScheme:
    """A complaint handling code: its stages by number."""

    code: str
    name: str
    stages: dict[int, StagePolicy]

    def stage(self, number: int) -> StagePolicy:
        """The policy for stage ``number`` (ValueError if the scheme has no such stage)."""
        try:
            return self.stages[number]
        except KeyError:
            raise ValueError(f"{self.name} has no stage {number}") from None

    @property
    def last_stage(self) -> int:
        """The final stage (after it: the ombudsman)."""
        return max(self.stages)


@dataclass(frozen=True)
class StageClock:
    """When a stage's acknowledgement and response are due.

    ``response_provisional`` is True while the response date hangs on an
    acknowledgement not yet sent (it is then counted from the acknowledgement's
    due date, the latest it may lawfully be).
    """

    ack_due: date
    response_due: date
    response_provisional: bool
    extension_days: int


def stage_clock(policy: StagePolicy, started: date, calendar: WorkingCalendar, *,
                acknowledged: date | None = None, extension_days: int = 0) -> StageClock:
    """The stage's due dates, given when it started, any acknowledgement and any extension."""
    if extension_days < 0:
        raise ValueError("an extension cannot be negative")
    ack_due = calendar.add_working_days(started, policy.ack_days)
    provisional = False
    if policy.respond_from == "ack":
        base = acknowledged if acknowledged is not None else ack_due
        provisional = acknowledged is None
    else:
        base = started
    response_due = calendar.add_working_days(base, policy.respond_days + extension_days)
    return StageClock(ack_due, response_due, provisional, extension_days)


def check_extension(policy: StagePolicy, days: int, reason: str, *, already_extended: bool) -> None:
    """Raise ValueError saying what is wrong with a proposed extension; None when allowed."""
    if already_extended:
        raise ValueError(f"{policy.name} has already been extended once; only one extension is allowed")
    if policy.extension_days <= 0:
        raise ValueError(f"{policy.name} responses cannot be extended under this code")
    if days < 1:
        raise ValueError("give the extension in working days (1 or more)")
    if days > policy.extension_days:
        raise ValueError(f"an extension at {policy.name} is at most {policy.extension_days} working days")
    if not (reason or "").strip():
        raise ValueError("give the reason for the extension (it is sent to the complainant)")


def check_handler(policy: StagePolicy, previous_handler: int | None, handler: int | None) -> None:
    """Raise ValueError when the code requires a different handler and this one handled the last stage."""
    if policy.handler_must_differ and handler is not None and handler == previous_handler:
        raise ValueError(f"the {policy.name} handler must be someone other than the previous stage's handler")


@dataclass(frozen=True)
class Milestone:
    """The next thing due on a stage."""

    name: str
    due: date


def next_milestone(policy: StagePolicy, clock: StageClock, *, acknowledged: bool,
                   responded: bool) -> Milestone | None:
    """The next step due: acknowledgement, then response; None once responded."""
    if responded:
        return None
    if not acknowledged and clock.ack_due < clock.response_due:
        return Milestone(f"{policy.name} acknowledgement", clock.ack_due)
    return Milestone(f"{policy.name} response", clock.response_due)
