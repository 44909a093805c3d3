"""Front-desk rules: deadlines from clock definitions, contact checks, identity matching, statistics.

Pure: no database, no Textual, no clock reads (``now`` is an argument).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from duty_tui.core.domain.clocks import WorkingCalendar, add_hours
from duty_tui.core.domain.local_time import end_of_local_day, local_date
from duty_tui.core.domain.search_keys import fold, postcode_key

# -- deadlines ---------------------------------------------------------------------


def end_of_day_utc(day: date) -> datetime:
    """The last moment of UK ``day``, as aware UTC: a working-day deadline is met any time that day."""
    return end_of_local_day(day).astimezone(UTC)


def deadline_at(kind: str, amount: int, start: datetime, calendar: WorkingCalendar) -> datetime | None:
    """When a clock of ``kind`` and ``amount`` started at ``start`` runs out (aware UTC); None for no clock.

    ``working_days``: the end of the UK day ``amount`` working days on (day 0 is
    the day it starts, or the next working day when it starts on a closed day);
    ``same_day``: the end of the (calendar) day it starts — urgent work such as a
    safeguarding concern is due that day even at a weekend; ``hours``: exactly ``amount``
    hours later; ``calendar_days``: the end of the day ``amount`` days on.
    """
    if start.tzinfo is None:
        raise ValueError("a clock needs a timezone-aware start")
    if kind in ("none", ""):
        return None
    if kind == "hours":
        return add_hours(start, amount).astimezone(UTC)
    day = local_date(start)
    if kind == "same_day":
        return end_of_day_utc(day)
    if kind == "working_days":
        return end_of_day_utc(calendar.add_working_days(day, amount))
    if kind == "calendar_days":
        return end_of_day_utc(day + timedelta(days=amount))
    raise ValueError(f"clock kind {kind!r} is not one of none, hours, same_day, working_days, calendar_days")


def clock_kind_for_display(kind: str) -> str:
    """The Deadline kind a stored clock is described with: hours, or working days for the rest."""
    return "hours" if kind == "hours" else "working_days"


# -- checking a contact ---------------------------------------------------------------


@dataclass(frozen=True)
class ContactFacts:
    """What the desk typed, for the checks that need no database."""

    channel: str
    at: datetime
    reasons: Sequence[str]
    notes: str
    outcome: str
    person_chosen: bool
    anonymous: bool
    third_party_name: str = ""
    new_person_surname: str = ""
    agency: str = ""
    route_team: str = ""
    callback_phone: str = ""
    appointment_at: datetime | None = None


def contact_problems(facts: ContactFacts, *, now: datetime, notes_max: int, backdate_max_days: int,
                     channels: Iterable[str], outcomes: Iterable[str]) -> list[str]:
    """Every problem with a contact, each saying what to fix; empty when it can be saved."""
    problems: list[str] = []
    if facts.channel not in set(channels):
        problems.append("channel: choose how the contact came in (face to face, phone, email, ...)")
    if not facts.reasons:
        problems.append("reason: choose at least one reason (type in Reason and press Enter)")
    if len(set(facts.reasons)) != len(facts.reasons):
        problems.append("reason: a reason is chosen twice; remove the repeat")
    if facts.at.tzinfo is None:
        problems.append("when: the time has no timezone (a program error); please report it")
    else:
        if facts.at > now + timedelta(minutes=1):
            problems.append("when: the date and time are in the future; use now or an earlier time")
        elif facts.at < now - timedelta(days=backdate_max_days):
            problems.append(f"when: more than {backdate_max_days} days ago; contacts can be backdated at most "
                            f"{backdate_max_days} days")
    if len(facts.notes) > notes_max:
        problems.append(f"notes: {len(facts.notes):,} characters is over the limit of {notes_max:,}; "
                        f"shorten by {len(facts.notes) - notes_max:,}")
    if not (facts.person_chosen or facts.anonymous or facts.new_person_surname.strip()
            or facts.third_party_name.strip()):
        problems.append("caller: choose the person (search and Enter), or mark the caller anonymous, "
                        "or add them as a new person")
    if facts.anonymous and facts.person_chosen:
        problems.append("caller: an anonymous caller cannot also be a known person; clear one of them")
    if facts.outcome not in set(outcomes):
        problems.append("outcome: choose how the contact ended")
    elif facts.outcome == "signposted" and not facts.agency:
        problems.append("outcome: choose the agency the caller was signposted to")
    elif facts.outcome == "callback" and not facts.callback_phone.strip():
        problems.append("callback: give the number to call back on")
    elif facts.outcome == "appointment":
        if facts.appointment_at is None:
            problems.append("appointment: give the date and time, e.g. 12/03/2026 14:30")
        elif facts.appointment_at < now:
            problems.append("appointment: the date and time have passed; choose a later time")
    return problems


# -- identity check before disclosure --------------------------------------------------

IDENTITY_METHODS = {
    "tenancy_ref": "Tenancy reference",
    "date_of_birth": "Date of birth",
    "address": "Address (house number and postcode)",
}


@dataclass(frozen=True)
class IdentityRecord:
    """What we hold to check a caller against (never shown to reception)."""

    tenancy_refs: tuple[str, ...]
    account_refs: tuple[str, ...]
    date_of_birth: date | None
    address_line1: str | None
    postcode: str | None


_REF_CHARS = re.compile(r"[^A-Z0-9]")
_HOUSE_NUMBER = re.compile(r"\b(\d+[A-Za-z]?)\b")
# Four-digit years only: "01/01/65" could be 1965 or 2065.
_DATE_FORMS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%d %m %Y", "%d%m%Y")


def _ref_key(text: str) -> str:
    return _REF_CHARS.sub("", (text or "").upper())


def _parse_any_date(text: str) -> date | None:
    value = " ".join((text or "").split())
    for fmt in _DATE_FORMS:
        try:
            return datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    return None


def identity_matches(method: str, answer: str, record: IdentityRecord) -> bool:
    """Does what the caller said match the record? A yes/no only: the record is never revealed.

    * tenancy_ref: the tenancy or rent account reference, ignoring spaces and case;
    * date_of_birth: the full date, in any common UK form (09/03/1961, 1961-03-09);
    * address: the house number (when the address has one) and the full postcode.
    """
    if method not in IDENTITY_METHODS:
        raise ValueError(f"identity check {method!r} is not one of {', '.join(IDENTITY_METHODS)}")
    answer = (answer or "").strip()
    if not answer:
        return False
    if method == "tenancy_ref":
        key = _ref_key(answer)
        return bool(key) and key in {_ref_key(r) for r in (*record.tenancy_refs, *record.account_refs)}
    if method == "date_of_birth":
        said = _parse_any_date(answer)
        return said is not None and record.date_of_birth is not None and said == record.date_of_birth
    if not record.postcode:
        return False
    if postcode_key(record.postcode) not in postcode_key(answer):
        return False
    number = _HOUSE_NUMBER.search(record.address_line1 or "")
    if number is None:
        # No number on the record (e.g. "Rose Cottage"): the first word of the name must be given.
        first_word = fold((record.address_line1 or "").split(" ")[0]) if record.address_line1 else ""
        return not first_word or first_word in fold(answer)
    said_numbers = {m.upper() for m in _HOUSE_NUMBER.findall(answer.upper().replace(postcode_key(record.postcode), " "))}
    return number.group(1).upper() in said_numbers


def identity_check_problem(method: str, answer: str) -> str | None:
    """What to fix before checking (empty answer, unknown method); None when ready."""
    if method not in IDENTITY_METHODS:
        return "choose how to check identity: tenancy reference, date of birth or address"
    if not (answer or "").strip():
        return f"type what the caller gives as their {IDENTITY_METHODS[method].lower()}"
    if method == "date_of_birth" and _parse_any_date(answer) is None:
        return "the date of birth is not a date; type it as DD/MM/YYYY"
    return None


# -- statistics --------------------------------------------------------------------------


def median(values: Sequence[float]) -> float | None:
    """The median, or None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    mid = len(ordered) // 2
    if len(ordered) % 2:
        return float(ordered[mid])
    return (ordered[mid - 1] + ordered[mid]) / 2


def percentile(values: Sequence[float], pct: float) -> float | None:
    """The nearest-rank percentile (the smallest value at or above ``pct``% of the values); None for none."""
    if not values:
        return None
    if not 0 < pct <= 100:
        raise ValueError("percentile must be in (0, 100]")
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return float(ordered[rank - 1])


def rate(part: int, whole: int) -> float | None:
    """part / whole as a fraction, or None when whole is 0."""
    return None if whole == 0 else part / whole


def format_minutes(minutes: float | None) -> str:
    """'—', '4 min', '1 h 05 min'."""
    if minutes is None:
        return "—"
    whole = int(round(minutes))
    if whole < 60:
        return f"{whole} min"
    return f"{whole // 60} h {whole % 60:02d} min"


def bar(value: float, maximum: float, width: int) -> str:
    """A horizontal bar of Unicode blocks, eighths for the remainder (text, not colour)."""
    if maximum <= 0 or value <= 0 or width <= 0:
        return ""
    eighths = round(value / maximum * width * 8)
    full, rest = divmod(eighths, 8)
    return "█" * full + ("" if rest == 0 else " ▏▎▍▌▋▊▉"[rest])


def waited_minutes(arrived: datetime, until: datetime) -> float:
    """Minutes between arrival and being called (or now)."""
    return max(0.0, (until - arrived).total_seconds() / 60)


# -- choosing reasons quickly ----------------------------------------------------------------


def match_reasons(query: str, reasons: Sequence[tuple[str, str, Sequence[str]]]) -> list[str]:
    """Codes of the reasons matching ``query``, best first: (code, label, keywords) in file order.

    Every word typed must start a word of the label or a keyword ("dam mou" finds
    "Repairs › Damp and mould"). A word typed whole ranks before the start of a longer word
    ("roof" finds a repair about a roof before "roofless"), and a label before a keyword; an
    exact start of the reason's own name ranks first. An empty query keeps file order.
    """
    words = [w for w in re.split(r"[\s›>/]+", (query or "").lower()) if w]
    if not words:
        return [code for code, _label, _kw in reasons]
    scored: list[tuple[int, int, str]] = []
    for index, (code, label, keywords) in enumerate(reasons):
        label_words = [w for w in re.split(r"[^a-z0-9]+", label.lower()) if w]
        keyword_words = [w for k in keywords for w in re.split(r"[^a-z0-9]+", k.lower()) if w]
        name = label.lower().split("›")[-1].strip()
        score = 0
        for word in words:
            if word in label_words:
                score += 8  # the whole word, in the label
            elif word in keyword_words:
                score += 6  # the whole word, as a keyword
            elif any(lw.startswith(word) for lw in label_words):
                score += 2  # the start of a longer word in the label
            elif any(kw.startswith(word) for kw in keyword_words) or code.lower().startswith(word):
                score += 1  # the start of a longer keyword
            else:
                score = -1
                break
        if score < 0:
            continue
        if name.startswith(" ".join(words)):
            score += 3
        scored.append((-score, index, code))
    return [code for _s, _i, code in sorted(scored)]


def confirm_before_choosing(case_type: str, priority: str, routes: bool, label: str, team: str = "") -> str | None:
    """The question to ask before a reason is added, or None when it is added at once.

    A reason that always opens an urgent homelessness case (nowhere to stay tonight) sends an
    options officer out the same day; chosen by a slip of the reason filter it costs a case
    officer's day and hides the real reason, so the desk confirms it first.
    """
    if routes and case_type.startswith("homeless") and priority in ("urgent", "emergency"):
        who = f" for the {team} team" if team else ""
        return (f"“{label}” opens an URGENT homelessness case{who}, to be seen today. "
                "Is the caller homeless tonight?")
    return None


def notes_needed(reasons: Sequence[tuple[str, str, bool]], outcome: str) -> str | None:
    """Why this contact needs notes, or None when it may be saved without them.

    ``reasons``: (label, intake, routes) of each reason chosen. Notes are needed when someone
    else acts on the contact: it opens or joins a case (routes, or an intake: a repair, a
    complaint, safeguarding, homelessness), or it ends in a callback, an appointment or a
    referral to a team. A question answered at first contact (how to pay, a balance) is not.
    """
    for label, intake, routes in reasons:
        if intake or routes:
            return f"{label} goes to a team"
    if outcome in ("routed", "callback", "appointment"):
        return {"routed": "the contact goes to a team", "callback": "someone will call back",
                "appointment": "an appointment is made"}[outcome]
    return None


# -- typed dates and times ---------------------------------------------------------------------

_TIME = re.compile(r"^(\d{1,2})[:.](\d{2})$")


def parse_when(text: str, now: datetime, *, default_hour: int = 9) -> datetime | None:
    """A date and/or time typed at the desk, as an aware UTC moment (UK wall-clock time); None when blank.

    Accepts "14:30" (today), "tomorrow 10:00", "12/03/2026 14:30", "2026-03-12 14:30" and a date
    alone (``default_hour`` o'clock). Raises ValueError saying what to type.
    """
    from duty_tui.core.domain.local_time import UK

    value = " ".join((text or "").strip().lower().split())
    if not value:
        return None
    today = local_date(now)
    day: date | None = None
    clock: tuple[int, int] | None = None
    parts = value.split(" ")
    if parts[0] in ("today", "tomorrow"):
        day = today + timedelta(days=1 if parts[0] == "tomorrow" else 0)
        parts = parts[1:]
    elif _TIME.match(parts[0]) and len(parts) == 1:
        day = today
    else:
        for fmt in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y"):
            try:
                day = datetime.strptime(parts[0], fmt).date()
                break
            except ValueError:
                continue
        if day is None:
            raise ValueError(f"{text.strip()!r} is not a date or time; type e.g. 14:30, tomorrow 10:00 or "
                             "12/03/2026 14:30")
        parts = parts[1:]
    if parts:
        match = _TIME.match(parts[0]) if len(parts) == 1 else None
        if match is None:
            raise ValueError(f"{text.strip()!r}: the time should look like 14:30")
        clock = (int(match.group(1)), int(match.group(2)))
    elif (match := _TIME.match(value)) is not None:
        clock = (int(match.group(1)), int(match.group(2)))
    hour, minute = clock or (default_hour, 0)
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        raise ValueError(f"{text.strip()!r}: the time should be between 00:00 and 23:59")
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UK).astimezone(UTC)
