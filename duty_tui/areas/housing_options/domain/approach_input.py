"""A homelessness approach as input: the facts' names and values, and `parse_approach`, which checks
one JSON object (docs/CLI.md "duty-tui triage assess") and lists every problem in plain English.

homelessness.py assesses the checked Approach; the two stay apart because reading the input and
applying the Act change for different reasons. Validation is hand-written rather than
model-driven because the batch face pushes 100,000 approaches a run through `parse_approach`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from duty_tui.core.domain.json_input import ProblemsError, flag, strict_date

# s189(1) HA 1996, Homelessness (Priority Need for Accommodation) (England) Order 2002,
# Domestic Abuse Act 2021 s78 (inserting s189(1)(e)). Order is the contract's order and is
# the order grounds are reported in.
PRIORITY_NEED_GROUNDS: tuple[str, ...] = (
    "pregnant",
    "dependent_children",
    "vulnerable",
    "emergency",
    "domestic_abuse",
    "aged_16_17",
    "care_leaver_18_20",
    "vulnerable_former_care",
    "vulnerable_former_forces",
    "vulnerable_former_custody",
    "vulnerable_fleeing_violence",
)
_GROUND_SET = frozenset(PRIORITY_NEED_GROUNDS)

JURISDICTIONS = ("england", "scotland")
LOCAL_CONNECTIONS = ("here", "elsewhere", "none")

INPUT_KEYS = (
    "approach_date",
    "as_of",
    "jurisdiction",
    "eligible",
    "homeless",
    "rough_sleeping",
    "domestic_abuse_risk_at_home",
    "loss_date",
    "s21_expiry",
    "priority_need",
    "intentional",
    "local_connection",
    "da_risk_in_connected_area",
    "relief_start",
)
_INPUT_KEY_SET = frozenset(INPUT_KEYS)


class ApproachInputError(ProblemsError):
    """An approach that cannot be assessed: one plain-English line per problem."""


@dataclass(frozen=True, slots=True)
class Approach:
    """The facts of one homelessness approach as known on `as_of` (None = not yet known)."""

    approach_date: date
    as_of: date | None = None  # None: assess on approach_date
    jurisdiction: str = "england"
    eligible: bool | None = None
    homeless: bool | None = None
    rough_sleeping: bool = False
    domestic_abuse_risk_at_home: bool = False
    loss_date: date | None = None
    s21_expiry: date | None = None
    priority_need: tuple[str, ...] | None = None  # () = assessed, no ground; None = not known
    intentional: bool | None = None
    local_connection: str | None = None
    da_risk_in_connected_area: bool = False
    relief_start: date | None = None


def _parse_date(obj: dict, key: str, problems: list[str]) -> date | None:
    """A strict YYYY-MM-DD date, or None when absent or null; problems get a line if bad."""
    value = obj.get(key)
    return None if value is None else strict_date(value, key, problems)


def _parse_tristate(obj: dict, key: str, problems: list[str]) -> bool | None:
    value = obj.get(key)
    if value is None or value is True or value is False:
        return value
    problems.append(f"{key}: must be true, false or null")
    return None


def parse_approach(obj: dict) -> Approach:
    """Check one approach given as a JSON object; raises ApproachInputError listing every problem."""
    if type(obj) is not dict:
        raise ApproachInputError(["approach: must be a JSON object"])
    problems: list[str] = []
    if obj.get("approach_date") is None:
        problems.append("approach_date: required")
        approach_date = None
    else:
        approach_date = _parse_date(obj, "approach_date", problems)
    as_of = _parse_date(obj, "as_of", problems)
    jurisdiction = _parse_jurisdiction(obj, problems)
    eligible = _parse_tristate(obj, "eligible", problems)
    homeless = _parse_tristate(obj, "homeless", problems)
    rough_sleeping = flag(obj, "rough_sleeping", problems)
    da_at_home = flag(obj, "domestic_abuse_risk_at_home", problems)
    loss_date = _parse_date(obj, "loss_date", problems)
    s21_expiry = _parse_date(obj, "s21_expiry", problems)
    priority_need = _parse_priority_need(obj, problems)
    intentional = _parse_tristate(obj, "intentional", problems)
    local_connection = _parse_local_connection(obj, problems)
    da_elsewhere = flag(obj, "da_risk_in_connected_area", problems)
    relief_start = _parse_date(obj, "relief_start", problems)
    if approach_date is not None:
        _check_date_order(approach_date, as_of, loss_date, relief_start, problems)
    problems.extend(f"{key}: unknown key" for key in obj if key not in _INPUT_KEY_SET)
    if problems or approach_date is None:  # approach_date is None only with a problem listed for it
        raise ApproachInputError(problems)
    return Approach(
        approach_date,
        as_of if as_of is not None else approach_date,
        jurisdiction,
        eligible,
        homeless,
        rough_sleeping,
        da_at_home,
        loss_date,
        s21_expiry,
        priority_need,
        intentional,
        local_connection,
        da_elsewhere,
        relief_start,
    )


def _parse_jurisdiction(obj: dict, problems: list[str]) -> str:
    jurisdiction = obj.get("jurisdiction")
    if jurisdiction is None:
        return "england"
    if type(jurisdiction) is not str or jurisdiction not in JURISDICTIONS:
        # Wales (Housing (Wales) Act 2014) and Northern Ireland are not modelled.
        problems.append('jurisdiction: must be "england" or "scotland" (Wales and Northern Ireland are not covered)')
    return jurisdiction


def _parse_priority_need(obj: dict, problems: list[str]) -> tuple[str, ...] | None:
    raw_grounds = obj.get("priority_need")
    if raw_grounds is None:
        return None
    if type(raw_grounds) is not list:
        problems.append("priority_need: must be a list of grounds or null")
        return None
    given = set()
    for ground in raw_grounds:
        if type(ground) is str and ground in _GROUND_SET:
            given.add(ground)
        else:
            problems.append(f"priority_need: unknown ground {ground!r}")
    # Duplicates collapse; the order is the statute's, so equal facts compare equal.
    return tuple(g for g in PRIORITY_NEED_GROUNDS if g in given) if given else ()


def _parse_local_connection(obj: dict, problems: list[str]) -> str | None:
    local_connection = obj.get("local_connection")
    if local_connection is not None and (
        type(local_connection) is not str or local_connection not in LOCAL_CONNECTIONS
    ):
        problems.append('local_connection: must be "here", "elsewhere", "none" or null')
        return None
    return local_connection


def _check_date_order(approach_date: date, as_of: date | None, loss_date: date | None,
                      relief_start: date | None, problems: list[str]) -> None:
    if as_of is not None and as_of < approach_date:
        problems.append("as_of: must not be before approach_date")
    # docs/CLI.md: loss_date must be after approach_date; a home already lost means
    # the applicant is homeless now (s175(1)), which `homeless` records.
    if loss_date is not None and loss_date <= approach_date:
        problems.append("loss_date: must be after approach_date")
    # relief_start exists to record a relief duty that began *before* this approach;
    # a later start cannot be checked against the facts here, so it is refused.
    if relief_start is not None and relief_start > approach_date:
        problems.append("relief_start: must not be after approach_date")
