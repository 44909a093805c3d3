"""The arrears recovery policy (``data/income/recovery.toml``) and the next recommended action.

Pure: the policy is read by ``load_recovery_policy_file`` (one path, checked on load; a mistake stops
with the file, line and key), and ``recommend`` turns an account's state into one recommendation
with its date and the reasons in plain words. Policy is the council's choice, not the law: the legal
dates (notice periods, the protocol, the court window) are the income area's law module's business.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

from duty_tui.core.config.reference import area_file, data_problem, read_toml
from duty_tui.core.domain.errors import EnvironmentProblem
from duty_tui.core.domain.money import format_balance, format_pence, parse_pounds

FILE_NAME = "recovery.toml"
BASIS = "council policy"
# Each tenancy type and the jurisdiction it belongs to (docs/CLI.md, `duty-tui arrears assess`).
TENANCY_TYPES = {"secure": "england", "flexible": "england", "introductory": "england", "assured": "england",
                 "starter": "england", "scottish_secure": "scotland", "short_scottish_secure": "scotland"}
JURISDICTIONS = ("england", "scotland")
PAUSE_REASONS = {"court_date_set": "a court date is set", "eviction_date_set": "an eviction date is set",
                 "benefit_claim_pending": "a benefit claim is pending", "promise_to_pay": "a promise to pay",
                 "deceased": "the tenant has died", "missing_data": "data is missing", "other": "another reason"}
AGREEMENT_STATES = ("none", "kept", "breached")
TRACKS = ("arrears", "order_breached", "outright_order")
ORDERS_ON_TERMS = ("suspended_order", "adjourned_on_terms")
NO_ORDER = ("adjourned_generally", "struck_out", "withdrawn", "dismissed")
COURT_OUTCOMES = (*ORDERS_ON_TERMS, "outright_order", *NO_ORDER)
NONE = "none"
UPDATE_COURT_OUTCOME = "update_court_outcome"
UPDATE_EVICTION_OUTCOME = "update_eviction_outcome"
APPLIED = "apply_for_possession"  # the arrears track's last step: after it, the court's turn
STAGE_KEYS = ("track", "code", "name", "words", "weeks_owed", "pounds_owed", "gap_days", "needs_previous",
              "tenancy_types")
POLICY_KEYS = ("title", "basis", "effective_from")


# --- the policy ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Stage:
    """One step of recovery: when it may be recommended and what the officer is asked to do."""

    track: str
    code: str
    name: str
    words: str
    weeks_owed: Fraction | None
    pounds_owed_pence: int | None
    gap_days: int
    needs_previous: bool
    tenancy_types: frozenset[str]

    def threshold_met(self, balance_pence: int, weekly_rent_pence: int) -> bool:
        """True when the arrears reach every threshold the step has (any arrears when it has none)."""
        if balance_pence <= 0:
            return False
        if self.weeks_owed is not None and balance_pence < self.weeks_owed * weekly_rent_pence:
            return False
        return self.pounds_owed_pence is None or balance_pence >= self.pounds_owed_pence

    def threshold_words(self) -> str:
        """The threshold as a sentence says it: "4 weeks' rent and £250.00", or "any arrears"."""
        parts = []
        if self.weeks_owed is not None:
            parts.append(_weeks_rent(_number(self.weeks_owed), self.weeks_owed == 1))
        if self.pounds_owed_pence is not None:
            parts.append(format_pence(self.pounds_owed_pence))
        return " and ".join(parts) or "any arrears"


@dataclass(frozen=True)
class RecoveryPolicy:
    """The council's recovery policy: its steps in order, and the date it takes effect."""

    title: str
    effective_from: date
    stages: tuple[Stage, ...]

    def ladder(self, track: str, tenancy_type: str) -> tuple[Stage, ...]:
        """The steps of one track that apply to a tenancy type, in policy order."""
        return tuple(s for s in self.stages if s.track == track and tenancy_type in s.tenancy_types)

    def stage_named(self, code: str) -> Stage | None:
        """The first step with this code (any track), or None."""
        return next((s for s in self.stages if s.code == code), None)


def _weeks_rent(number: str, one: bool) -> str:
    """"1 week's rent", "4.2 weeks' rent"."""
    return f"{number} week's rent" if one else f"{number} weeks' rent"


def _number(value: Fraction) -> str:
    """A policy number for people: 4, 1.5."""
    return str(int(value)) if value.denominator == 1 else str(float(value))


def _problem(path: Path, needle: str, message: str) -> EnvironmentProblem:
    return data_problem(path, needle, message, fix_there=True)


def _read_header(path: Path, raw: dict[str, Any]) -> tuple[str, date]:
    for key in raw:
        if key not in ("policy", "stage"):
            raise _problem(path, key, f"{key}: unknown key (expected [policy] and [[stage]] entries)")
    header = raw.get("policy")
    if not isinstance(header, dict):
        raise EnvironmentProblem(f"{path}:1: policy: a [policy] table is required; fix it there")
    for key in header:
        if key not in POLICY_KEYS:
            raise _problem(path, key, f"policy.{key}: unknown key (expected {', '.join(POLICY_KEYS)})")
    if header.get("basis") != BASIS:
        raise _problem(path, "basis", f'policy.basis: must be "{BASIS}" (this file is the council\'s policy, '
                                      "not the law)")
    effective = header.get("effective_from")
    if not isinstance(effective, date) or hasattr(effective, "hour"):
        raise _problem(path, "effective_from", "policy.effective_from: must be the date the policy takes effect, "
                                               "written 2026-04-06 without quotes")
    title = header.get("title", "Arrears recovery policy")
    if not isinstance(title, str) or not title.strip():
        raise _problem(path, "title", "policy.title: must be words in quotes")
    return title.strip(), effective


def _read_stage(path: Path, entry: dict[str, Any], number: int) -> Stage:
    """One [[stage]] entry, checked; ``number`` counts from 1 for messages."""
    where = f"stage {number}" + (f" ({entry['code']})" if isinstance(entry.get("code"), str) else "")
    needle = f'"{entry["code"]}"' if isinstance(entry.get("code"), str) else "[[stage]]"
    for key in entry:
        if key not in STAGE_KEYS:
            raise _problem(path, key, f"{where}: {key}: unknown key (expected {', '.join(STAGE_KEYS)})")
    for key in ("track", "code", "name", "words"):
        if not isinstance(entry.get(key), str) or not entry[key].strip():
            raise _problem(path, needle, f"{where}: {key}: required, as words in quotes")
    if entry["track"] not in TRACKS:
        raise _problem(path, needle, f"{where}: track: {entry['track']!r} is not one of {', '.join(TRACKS)}")
    gap = entry.get("gap_days")
    if not isinstance(gap, int) or isinstance(gap, bool) or not 0 <= gap <= 3660:
        raise _problem(path, needle, f"{where}: gap_days: must be a whole number of days from 0 to 3660, "
                                     f"not {gap!r}")
    weeks = entry.get("weeks_owed")
    if weeks is not None and (isinstance(weeks, bool) or not isinstance(weeks, int | float) or not 0 < weeks <= 520):
        raise _problem(path, needle, f"{where}: weeks_owed: must be a number of weeks over 0 and at most 520, "
                                     f"not {weeks!r}")
    pounds = entry.get("pounds_owed")
    pounds_pence = None
    if pounds is not None:
        try:
            pounds_pence = parse_pounds(pounds if isinstance(pounds, str) else "")
        except ValueError as exc:
            raise _problem(path, needle, f"{where}: pounds_owed: {exc} (an amount in quotes, e.g. \"250.00\")") from None
    needs_previous = entry.get("needs_previous", False)
    if not isinstance(needs_previous, bool):
        raise _problem(path, needle, f"{where}: needs_previous: must be true or false")
    types = entry.get("tenancy_types")
    if not isinstance(types, list) or not types or not all(isinstance(t, str) for t in types):
        raise _problem(path, needle, f"{where}: tenancy_types: must be a list of one or more tenancy types")
    for kind in types:
        if kind not in TENANCY_TYPES:
            raise _problem(path, f'"{kind}"', f"{where}: tenancy_types: {kind!r} is not a tenancy type "
                                              f"({', '.join(TENANCY_TYPES)})")
    return Stage(entry["track"], entry["code"].strip(), entry["name"].strip(), entry["words"].strip(),
                 Fraction(str(weeks)) if weeks is not None else None, pounds_pence, gap, needs_previous,
                 frozenset(types))


def load_recovery_policy_file(path: Path) -> RecoveryPolicy:
    """Read and check one recovery.toml: every problem names the file, line and key."""
    raw = read_toml(path)
    title, effective = _read_header(path, raw)
    entries = raw.get("stage")
    if not isinstance(entries, list) or not entries or not all(isinstance(e, dict) for e in entries):
        raise EnvironmentProblem(f"{path}:1: stage: expected one or more [[stage]] entries; fix it there")
    stages = tuple(_read_stage(path, entry, number) for number, entry in enumerate(entries, start=1))
    seen: set[tuple[str, str]] = set()
    for stage in stages:
        if (stage.track, stage.code) in seen:
            raise _problem(path, f'"{stage.code}"', f"stage {stage.code}: code appears twice in track {stage.track}")
        seen.add((stage.track, stage.code))
    if not any(s.track == "arrears" for s in stages):
        raise EnvironmentProblem(f"{path}:1: stage: the arrears track needs at least one step; fix it there")
    return RecoveryPolicy(title, effective, stages)


@functools.cache
def load_recovery_policy(data_dir: Path) -> RecoveryPolicy:
    """The recovery policy of a data folder (cached per folder)."""
    return load_recovery_policy_file(area_file(Path(data_dir), "income", FILE_NAME))


# --- an account's state, and the recommendation --------------------------------------------------

@dataclass(frozen=True)
class Action:
    """A recovery step taken on an account: its code and the day it was taken."""

    code: str
    on: date


@dataclass(frozen=True)
class Pause:
    """Recovery paused until a date (it resumes on that day), with a reason from PAUSE_REASONS."""

    until: date
    reason: str

    def __post_init__(self) -> None:
        if self.reason not in PAUSE_REASONS:
            raise ValueError(f"pause reason {self.reason!r} is not one of {', '.join(PAUSE_REASONS)}")


@dataclass(frozen=True)
class AccountState:
    """What the engine needs to know about one rent account on one day. Money in pence."""

    as_of: date
    balance_pence: int
    weekly_rent_pence: int
    tenancy_type: str
    jurisdiction: str = "england"
    last_action: str | None = None
    last_action_date: date | None = None
    history: tuple[Action, ...] = ()
    pause: Pause | None = None
    agreement: str = "none"  # none / kept / breached: the latest arrangement, or an order's terms
    court_date: date | None = None
    court_outcome: str | None = None  # COURT_OUTCOMES; None: no hearing yet, or its outcome not recorded
    eviction_date: date | None = None
    benefit_claim_pending: bool = False
    days_since_last_payment: int | None = None
    cleared_on: date | None = None  # the last day the account was clear; earlier steps belong to old arrears

    def __post_init__(self) -> None:
        problems = []
        if self.tenancy_type not in TENANCY_TYPES:
            problems.append(f"tenancy type {self.tenancy_type!r} is not one of {', '.join(TENANCY_TYPES)}")
        elif TENANCY_TYPES[self.tenancy_type] != self.jurisdiction:
            problems.append(f"a {self.tenancy_type} tenancy is not in {self.jurisdiction}")
        if self.jurisdiction not in JURISDICTIONS:
            problems.append(f"jurisdiction {self.jurisdiction!r} is not england or scotland")
        if self.agreement not in AGREEMENT_STATES:
            problems.append(f"agreement {self.agreement!r} is not one of {', '.join(AGREEMENT_STATES)}")
        if self.court_outcome is not None and self.court_outcome not in COURT_OUTCOMES:
            problems.append(f"court outcome {self.court_outcome!r} is not one of {', '.join(COURT_OUTCOMES)}")
        if self.court_outcome is not None and self.court_date is None:
            problems.append("a court outcome needs the hearing's court date")
        if (self.last_action is None) != (self.last_action_date is None):
            problems.append("the last action and its date go together")
        if self.weekly_rent_pence < 0:
            problems.append("the weekly rent is negative")
        if problems:
            raise ValueError("; ".join(problems))

    def actions(self) -> tuple[Action, ...]:
        """Every step taken (the history and the last action), oldest first."""
        taken = set(self.history)
        if self.last_action is not None and self.last_action_date is not None:
            taken.add(Action(self.last_action, self.last_action_date))
        return tuple(sorted(taken, key=lambda a: (a.on, a.code)))


@dataclass(frozen=True)
class Recommendation:
    """The next recommended action: its code (or "none"), the earliest day it may be taken, why."""

    action: str
    due: date | None
    why: str
    words: str = ""  # what the officer is asked to do
    blocked_by: tuple[str, ...] = field(default=())


def _day(when: date) -> str:
    return when.strftime("%d/%m/%Y")


def _ago(state: AccountState, when: date) -> str:
    days = (state.as_of - when).days
    return {0: "today", 1: "yesterday"}.get(days, f"{days} days ago" if days > 0 else f"on {_day(when)}")


def weeks_owed(balance_pence: int, weekly_rent_pence: int) -> Decimal | None:
    """Weeks of rent owed to one decimal place (half up); None when no weekly rent is recorded."""
    if weekly_rent_pence <= 0:
        return None
    return (Decimal(balance_pence) / Decimal(weekly_rent_pence)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def _owes(state: AccountState) -> str:
    """'Owes £412.50, 4.2 weeks' rent; last paid 19 days ago'."""
    text = f"Owes {format_pence(state.balance_pence)}"
    weeks = weeks_owed(state.balance_pence, state.weekly_rent_pence)
    if weeks is None:
        text += ", no weekly rent recorded"
    else:
        text += ", " + _weeks_rent(str(weeks), weeks == 1)
    if state.days_since_last_payment is not None:
        text += f"; last paid {state.days_since_last_payment} days ago"
    return text


def _none(why: str, *blocked_by: str) -> Recommendation:
    return Recommendation(NONE, None, why, "", tuple(blocked_by))


def recommend(policy: RecoveryPolicy, state: AccountState) -> Recommendation:
    """The one next recommended action for an account on ``state.as_of``, with its date and reasons."""
    held = _held_by_dates(state)
    if held is not None:
        return held
    if state.balance_pence <= 0:
        return _none(f"Not in arrears ({format_balance(state.balance_pence)}): no action.")
    blocks = []
    if state.weekly_rent_pence <= 0:
        blocks.append(("missing_data", "no weekly rent recorded, so weeks of rent owed cannot be worked out"))
    if state.benefit_claim_pending:
        blocks.append(("benefit_claim_pending", "a housing benefit or universal credit claim is pending"))
    if state.agreement == "kept":
        blocks.append(("agreement_being_kept", "an agreement is being kept"))
    if blocks:
        return _none(f"{_owes(state)}; nothing while " + " and ".join(w for _, w in blocks) + ".",
                     *(code for code, _ in blocks))
    track = _track(state)
    if track is None:
        return _none(f"{_owes(state)}; the court order's terms are not recorded as an agreement, "
                     "so a breach cannot be seen: record them.", "missing_data")
    return _next_on_track(policy, state, track)


def _held_by_dates(state: AccountState) -> Recommendation | None:
    """A pause, an eviction date or a court date: nothing, or the outcome to record; None when clear."""
    today = state.as_of
    if state.pause is not None and today < state.pause.until:
        return _none(f"Paused until {_day(state.pause.until)}: {PAUSE_REASONS[state.pause.reason]}; "
                     f"recovery resumes on {_day(state.pause.until)}.", f"paused:{state.pause.reason}")
    if state.eviction_date is not None:
        if today <= state.eviction_date:
            return _none(f"Eviction booked for {_day(state.eviction_date)}: nothing until it has happened; "
                         "then record what happened.", "eviction_date_set")
        if not any(a.code == UPDATE_EVICTION_OUTCOME and a.on >= state.eviction_date for a in state.actions()):
            return Recommendation(UPDATE_EVICTION_OUTCOME, today,
                                  f"The eviction booked for {_day(state.eviction_date)} has passed "
                                  f"({_ago(state, state.eviction_date)}) and what happened is not recorded.",
                                  "Record the eviction outcome (or clear the date if it was cancelled)")
        return _none(f"The eviction on {_day(state.eviction_date)} is recorded: the policy has no further step.",
                     "no_further_step")
    if state.court_date is not None and state.court_outcome is None:
        if today <= state.court_date:
            return _none(f"Court hearing on {_day(state.court_date)}: nothing until it has been heard; "
                         "then record the outcome.", "court_date_set")
        return Recommendation(UPDATE_COURT_OUTCOME, today,
                              f"The court hearing on {_day(state.court_date)} has passed "
                              f"({_ago(state, state.court_date)}) and its outcome is not recorded.",
                              "Record the court outcome")
    return None


def _track(state: AccountState) -> str | None:
    """Which ladder the account is on; None when an order on terms has no agreement recorded."""
    if state.court_outcome in ORDERS_ON_TERMS:
        return "order_breached" if state.agreement == "breached" else None
    if state.court_outcome == "outright_order":
        return "outright_order"
    return "arrears"


def _counted(state: AccountState, track: str) -> tuple[Action, ...]:
    """The steps that count on this track: not before the account was last clear, and for an outcome
    after a hearing (an order, or the claim ended without one) only steps after the hearing."""
    start = state.cleared_on
    if state.court_outcome is not None and state.court_date is not None:
        start = max(start or state.court_date, state.court_date)
    return tuple(a for a in state.actions() if start is None or a.on > start)


def _next_on_track(policy: RecoveryPolicy, state: AccountState, track: str) -> Recommendation:
    ladder = policy.ladder(track, state.tenancy_type)
    counted = _counted(state, track)
    taken = {a.code for a in counted}
    position = max((i for i, s in enumerate(ladder) if s.code in taken), default=-1)
    reachable = []
    for index in range(position + 1, len(ladder)):
        if index > position + 1 and ladder[index].needs_previous:
            break  # the step before it has not been taken
        reachable.append(ladder[index])
    last = counted[-1] if counted else None
    last_words = _last_words(policy, state, last)
    if not reachable:
        if last is not None and last.code == APPLIED and track == "arrears":
            return _none(f"{_owes(state)}; {last_words}: the claim is with the court. Record it, and the "
                         "hearing date, when the court issues it.", "awaiting_claim")
        kind = state.tenancy_type.replace("_", " ")
        article = "an" if kind[:1] in "aeiou" else "a"
        return _none(f"{_owes(state)}; {last_words}; the policy has no further step for {article} {kind} tenancy "
                     "on this track: refer to a team leader.", "no_further_step")
    met = [s for s in reachable if s.threshold_met(state.balance_pence, state.weekly_rent_pence)]
    if not met:
        waiting = reachable[0]
        return _none(f"{_owes(state)}; {last_words}; {waiting.name} waits until "
                     f"{waiting.threshold_words()} is owed.", "below_threshold")
    stage = met[-1]
    since = last.on if last is not None else None
    if track != "arrears" and state.court_date is not None:
        since = max(since or state.court_date, state.court_date)
    earliest = since + timedelta(days=stage.gap_days) if since is not None else state.as_of
    due = max(earliest, state.as_of)
    return Recommendation(stage.code, due, _why(state, stage, last_words, since, earliest), stage.words)


def _last_words(policy: RecoveryPolicy, state: AccountState, last: Action | None) -> str:
    if last is None:
        return "no recovery step taken yet"
    known = policy.stage_named(last.code)
    name = known.name if known is not None else last.code.replace("_", " ")
    return f"the last step was {name}, {_ago(state, last.on)}"


def _why(state: AccountState, stage: Stage, last_words: str, since: date | None, earliest: date) -> str:
    """'Owes £412.50, 4.2 weeks' rent; the last step was the second letter, 9 days ago; the notice
    seeking possession may follow 7 days after it, from 12/12/2026'."""
    text = f"{_owes(state)}; {last_words}"
    if since is None or stage.gap_days == 0:
        threshold = stage.threshold_words()
        at = "while in arrears" if threshold == "any arrears" else f"at {threshold} owed"
        return f"{text}; {stage.name} ({at}) is due now."
    after = "after the hearing" if stage.track != "arrears" and since == state.court_date else "after it"
    now = ": due now" if earliest <= state.as_of else ""
    return f"{text}; {stage.name} may follow {stage.gap_days} days {after}, from {_day(earliest)}{now}."
