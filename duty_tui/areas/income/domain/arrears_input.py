"""One account's facts as `duty-tui arrears assess` takes them (docs/CLI.md), checked with every problem named.

``parse_account`` turns one JSON object into an ``AccountFacts`` or raises ``ArrearsInputError`` with
one plain-English line per problem (``notice.date_specified: must not be before notice.served``);
law.py applies the law to the checked facts. Validation is hand-written, like the triage input's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from duty_tui.core.domain.json_input import ProblemsError, flag, strict_date

ENGLAND_TYPES = ("secure", "flexible", "introductory", "assured", "starter")
SCOTLAND_TYPES = ("scottish_secure", "short_scottish_secure")
PERIODS = ("weekly", "fortnightly", "four_weekly", "monthly")
ENGLAND_STEPS = ("contact_made", "statements_provided", "payment_plan_offered", "benefits_help_offered",
                 "vulnerability_considered", "advice_signposted")
"""The Pre-Action Protocol for Possession Claims by Social Landlords, in the order the protocol takes them."""
SCOTLAND_STEPS = ("s14a_information", "s14a_benefits_help", "s14a_debt_advice", "s14a_payment_plan")
"""Housing (Scotland) Act 2001 s14A(2) to (5), in the Act's order."""
STEPS = {"england": ENGLAND_STEPS, "scotland": SCOTLAND_STEPS}
TYPES = {"england": ENGLAND_TYPES, "scotland": SCOTLAND_TYPES}

INPUT_KEYS = ("as_of", "jurisdiction", "tenancy_type", "rent", "balance_pence", "notice", "protocol",
              "benefit_claim_pending", "agreement_being_kept", "council_notified", "review", "claim")
_MAX_PENCE = 10**12
"""£10bn: any larger figure is a mistake, and would only make the arithmetic slow."""


_FIRST_YEAR, _LAST_YEAR = 1900, 2200


class ArrearsInputError(ProblemsError):
    """An account that cannot be assessed: one plain-English line per problem."""


@dataclass(frozen=True, slots=True)
class Rent:
    """The rent charge: an amount for each period, and one day on which a period begins."""

    amount_pence: int
    period: str
    period_start: date


@dataclass(frozen=True, slots=True)
class Notice:
    """A notice seeking possession, notice of proceedings or s14 notice: when served, and the date it gives."""

    served: date
    date_specified: date


@dataclass(frozen=True, slots=True)
class Review:
    """An introductory tenant's request for a review (HA 1996 s129)."""

    requested: date
    decided: date | None


@dataclass(frozen=True, slots=True)
class Claim:
    """A possession claim: issued, and the hearing date if one is set."""

    issued: date
    hearing: date | None


@dataclass(frozen=True, slots=True)
class AccountFacts:
    """What `arrears assess` knows of one rent account on ``as_of``."""

    as_of: date
    jurisdiction: str
    tenancy_type: str
    rent: Rent
    balance_pence: int = 0
    notice: Notice | None = None
    protocol: tuple[str, ...] = ()
    benefit_claim_pending: bool = False
    agreement_being_kept: bool = False
    council_notified: bool = False
    review: Review | None = None
    claim: Claim | None = None


def _short(value: object) -> str:
    """A quoted input value kept short: a 5,000-character key shows its start and its end."""
    text = repr(value) if not isinstance(value, str) else value
    return text if len(text) <= 80 else f"{text[:50]}…{text[-20:]}"


def parse_date(value: object, key: str, problems: list[str]) -> date | None:
    """A strict YYYY-MM-DD date in the years the date arithmetic can take; a line in ``problems`` and
    None when it is not one."""
    return strict_date(value, key, problems, years=(_FIRST_YEAR, _LAST_YEAR))


def _required_date(obj: dict, key: str, where: str, problems: list[str]) -> date | None:
    if obj.get(key) is None:
        problems.append(f"{where}{key}: required")
        return None
    return parse_date(obj[key], f"{where}{key}", problems)


def _object(obj: dict, key: str, keys: tuple[str, ...], problems: list[str]) -> dict | None:
    """A nested object (or None when absent or null), its unknown keys reported."""
    value = obj.get(key)
    if value is None:
        return None
    if type(value) is not dict:
        problems.append(f"{key}: must be an object or null")
        return None
    problems.extend(f"{key}.{_short(k)}: unknown key" for k in value if k not in keys)
    return value


def _pence(value: object, key: str, problems: list[str], *, minimum: int) -> int | None:
    if type(value) is not int or not minimum <= value <= _MAX_PENCE:
        above = "above 0" if minimum > 0 else "(negative when in credit)"
        problems.append(f"{key}: must be a whole number of pence {above}, at most {_MAX_PENCE:,}")
        return None
    return value


def _parse_rent(obj: dict, problems: list[str]) -> Rent | None:
    if obj.get("rent") is None:
        problems.append("rent: required: {\"amount_pence\": N, \"period\": \"weekly\", \"period_start\": \"YYYY-MM-DD\"}")
        return None
    raw = _object(obj, "rent", ("amount_pence", "period", "period_start"), problems)
    if raw is None:
        return None
    amount = _pence(raw.get("amount_pence"), "rent.amount_pence", problems, minimum=1)
    period = raw.get("period")
    if type(period) is not str or period not in PERIODS:
        problems.append(f"rent.period: must be one of {', '.join(PERIODS)}")
        period = None
    start = _required_date(raw, "period_start", "rent.", problems)
    if amount is None or period is None or start is None:
        return None
    if period == "monthly" and amount * 12 * 2 < 52:  # the weekly equivalent would round to 0p
        problems.append(f"rent.amount_pence: {amount}p a month is less than half a penny a week; give the real rent")
        return None
    return Rent(amount, period, start)


def _parse_jurisdiction_and_type(obj: dict, problems: list[str]) -> tuple[str, str | None]:
    jurisdiction = obj.get("jurisdiction", "england")
    if jurisdiction is None:
        jurisdiction = "england"
    if type(jurisdiction) is not str or jurisdiction not in TYPES:
        problems.append('jurisdiction: must be "england" or "scotland" (Wales and Northern Ireland are not covered)')
        jurisdiction = "england"
        known = False
    else:
        known = True
    kind = obj.get("tenancy_type")
    if kind is None:
        problems.append(f"tenancy_type: required: one of {', '.join(TYPES[jurisdiction])}")
        return jurisdiction, None
    if type(kind) is not str or kind not in ENGLAND_TYPES + SCOTLAND_TYPES:
        problems.append(f"tenancy_type: must be one of {', '.join(ENGLAND_TYPES + SCOTLAND_TYPES)}")
        return jurisdiction, None
    if known and kind not in TYPES[jurisdiction]:
        other = "scotland" if jurisdiction == "england" else "england"
        problems.append(f"tenancy_type: {kind} is a tenancy in {other.title()}, not {jurisdiction.title()}; "
                        f"{jurisdiction.title()}'s are {', '.join(TYPES[jurisdiction])}")
        return jurisdiction, None
    return jurisdiction, kind


def _parse_protocol(obj: dict, jurisdiction: str, problems: list[str]) -> tuple[str, ...]:
    raw = obj.get("protocol")
    if raw is None:
        return ()
    if type(raw) is not list:
        problems.append("protocol: must be a list of steps done")
        return ()
    other = "scotland" if jurisdiction == "england" else "england"
    done = set()
    for step in raw:
        if type(step) is str and step in STEPS[jurisdiction]:
            done.add(step)
        elif type(step) is str and step in STEPS[other]:
            problems.append(f"protocol: {step} is a step in {other.title()}, not {jurisdiction.title()}; "
                            f"{jurisdiction.title()}'s are {', '.join(STEPS[jurisdiction])}")
        else:
            problems.append(f"protocol: unknown step {_short(repr(step))}; the steps are {', '.join(STEPS[jurisdiction])}")
    return tuple(step for step in STEPS[jurisdiction] if step in done)


def _parse_notice(obj: dict, problems: list[str]) -> Notice | None:
    raw = _object(obj, "notice", ("served", "date_specified"), problems)
    if raw is None:
        return None
    served = _required_date(raw, "served", "notice.", problems)
    specified = _required_date(raw, "date_specified", "notice.", problems)
    if served is None or specified is None:
        return None
    if specified < served:
        problems.append("notice.date_specified: must not be before notice.served")
        return None
    return Notice(served, specified)


def _date_pair(obj: dict, key: str, first: str, second: str, problems: list[str]) -> tuple[date, date | None] | None:
    """A nested object of a required date and an optional later one (``review``: requested, decided;
    ``claim``: issued, hearing); None when absent or unusable."""
    raw = _object(obj, key, (first, second), problems)
    if raw is None:
        return None
    start = _required_date(raw, first, f"{key}.", problems)
    end = None if raw.get(second) is None else parse_date(raw[second], f"{key}.{second}", problems)
    if start is None:
        return None
    if end is not None and end < start:
        problems.append(f"{key}.{second}: must not be before {key}.{first}")
    return start, end


def _parse_review(obj: dict, problems: list[str]) -> Review | None:
    pair = _date_pair(obj, "review", "requested", "decided", problems)
    return Review(*pair) if pair else None


def _parse_claim(obj: dict, problems: list[str]) -> Claim | None:
    pair = _date_pair(obj, "claim", "issued", "hearing", problems)
    return Claim(*pair) if pair else None


def parse_account(obj: object) -> AccountFacts:
    """Check one account given as a JSON object; raises ArrearsInputError listing every problem."""
    if type(obj) is not dict:
        raise ArrearsInputError(["account: must be a JSON object"])
    problems: list[str] = []
    as_of = _required_date(obj, "as_of", "", problems)
    jurisdiction, kind = _parse_jurisdiction_and_type(obj, problems)
    rent = _parse_rent(obj, problems)
    balance = obj.get("balance_pence", 0)
    balance = 0 if balance is None else _pence(balance, "balance_pence", problems, minimum=-_MAX_PENCE)
    notice = _parse_notice(obj, problems)
    protocol = _parse_protocol(obj, jurisdiction, problems)
    flags = {key: flag(obj, key, problems)
             for key in ("benefit_claim_pending", "agreement_being_kept", "council_notified")}
    review, claim = _parse_review(obj, problems), _parse_claim(obj, problems)
    problems.extend(f"{_short(key)}: unknown key" for key in obj if key not in INPUT_KEYS)
    if problems or as_of is None or kind is None or rent is None or balance is None:
        raise ArrearsInputError(problems)
    return AccountFacts(as_of, jurisdiction, kind, rent, balance, notice, protocol, review=review, claim=claim,
                        **flags)
