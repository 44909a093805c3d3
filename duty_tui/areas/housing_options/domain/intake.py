"""Approach intake: turn what an officer has answered into the duty engine's facts, and say,
field by field, what cannot be right.

Pure. The triage screen calls `check_answers` on every change (it is fast: no I/O) and shows
each problem beside its field; the save service calls it again so the database only ever
holds facts that passed the same checks.

Answers are plain values as a form holds them: dates as text (YYYY-MM-DD or DD/MM/YYYY),
yes/no/unknown questions as "yes", "no" or "unknown", ticks as booleans.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from duty_tui.areas.housing_options.domain.casework import age_on
from duty_tui.areas.housing_options.domain.homelessness import (
    PRIORITY_NEED_GROUNDS,
    Approach,
    ApproachInputError,
    parse_approach,
)
from duty_tui.core.domain.validators import clean_postcode

TRISTATE = ("unknown", "yes", "no")
LOCAL_CONNECTION_ANSWERS = ("unknown", "here", "elsewhere", "none")
PRIORITY_STATES = ("unknown", "none", "grounds")
ROUTES = ("self", "duty_to_refer", "partner_agency")
RELATIONSHIPS = ("partner", "child", "parent", "sibling", "other_adult", "other_child")
_RELATIONSHIP_WORDS = {
    "partner": "partner", "wife": "partner", "husband": "partner", "spouse": "partner",
    "child": "child", "son": "child", "daughter": "child", "baby": "child",
    "parent": "parent", "mother": "parent", "father": "parent", "mum": "parent", "dad": "parent",
    "sibling": "sibling", "brother": "sibling", "sister": "sibling",
    "other": "other_adult", "adult": "other_adult", "friend": "other_adult", "lodger": "other_adult",
}
MAX_AGE = 120
DEPENDENT_CHILD_MAX_AGE = 18  # under 16, or 16-18 in education or training (Code of Guidance 8.9)

# The answers the engine reads, in the contract's key names.
ENGINE_FIELDS = ("approach_date", "eligible", "homeless", "rough_sleeping", "domestic_abuse_risk_at_home",
                 "loss_date", "s21_expiry", "priority_need", "intentional", "local_connection",
                 "da_risk_in_connected_area", "relief_start")


@dataclass(frozen=True, slots=True)
class Member:
    """Someone else in the applicant's household, as typed at intake."""

    relationship: str
    age: int | None
    pregnant: bool = False


@dataclass(frozen=True)
class IntakeCheck:
    """The outcome of checking the answers: the engine's facts (when they can be built),
    hard problems (block saving) and warnings (shown, do not block), each keyed by field."""

    approach: Approach | None
    facts: dict[str, Any]
    members: tuple[Member, ...]
    problems: dict[str, str] = field(default_factory=dict)
    warnings: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """True when nothing blocks saving."""
        return not self.problems


def parse_form_date(text: str | None) -> date | None:
    """A date typed as YYYY-MM-DD or DD/MM/YYYY; None when blank; ValueError with what to type."""
    if text is not None and not isinstance(text, str):
        raise ValueError("type a date as DD/MM/YYYY or YYYY-MM-DD")
    value = (text or "").strip()
    if not value:
        return None
    match = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", value)
    if match:
        y, m, d = (int(g) for g in match.groups())
    else:
        match = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", value)
        if not match:
            raise ValueError("type a date as DD/MM/YYYY or YYYY-MM-DD")
        d, m, y = (int(g) for g in match.groups())
    try:
        return date(y, m, d)
    except ValueError:
        raise ValueError(f"{value} is not a real date") from None


def tristate(value: Any) -> bool | None:
    """'yes' -> True, 'no' -> False, anything else (unknown, blank) -> None."""
    if value is True or value == "yes":
        return True
    if value is False or value == "no":
        return False
    return None


def answer_of(value: bool | None) -> str:
    """The form's answer for a stored tri-state fact."""
    return "unknown" if value is None else "yes" if value else "no"


def _entry(raw: str, limit: int = 40) -> str:
    """One household entry as quoted in a message: trimmed and cut to ``limit`` characters."""
    value = raw.strip()
    return value[:limit] + "…" if len(value) > limit else value


def parse_household(text: str | None) -> tuple[list[Member], str | None]:
    """'partner 34 pregnant, child 7; son 3' -> members; or a message saying what to fix."""
    members: list[Member] = []
    if text is not None and not isinstance(text, str):
        return [], "write each person as who and age, e.g. 'partner 34, child 7'"
    for raw in re.split(r"[,;\n]", text or ""):
        item = raw.strip().lower()
        if not item:
            continue
        words = item.split()
        pregnant = "pregnant" in words
        words = [w for w in words if w != "pregnant"]
        numbers = [w for w in words if re.fullmatch(r"-?\d+", w)]
        names = [w for w in words if not re.fullmatch(r"-?\d+", w)]
        if len(names) != 1 or len(numbers) > 1:
            return [], (f"'{_entry(raw)}': write each person as who and age, e.g. 'partner 34, child 7' "
                        "(add 'pregnant' where it applies)")
        relationship = _RELATIONSHIP_WORDS.get(names[0])
        if relationship is None:
            return [], (f"'{_entry(names[0])}' is not a relationship duty-tui knows; use partner, child, parent, "
                        "sibling or other")
        # More than three digits is no age (and int() refuses thousands of them with a bare ValueError).
        age = (int(numbers[0]) if len(numbers[0].lstrip("-")) <= 3 else MAX_AGE + 1) if numbers else None
        if age is not None and not 0 <= age <= MAX_AGE:
            return [], f"'{_entry(raw)}': an age must be between 0 and {MAX_AGE}"
        if relationship == "child" and age is not None and age > 25:
            relationship = "other_adult"  # an adult son or daughter
        if relationship == "other_adult" and age is not None and age < 18:
            relationship = "other_child"
        if pregnant and age is not None and age < 10:
            return [], f"'{_entry(raw)}': a child of {age} cannot be pregnant; check the entry"
        members.append(Member(relationship, age, pregnant))
    return members, None


# --- the new applicant's household and postal address (records, not free text) -------------

HOUSEHOLD_RELATIONSHIPS: tuple[tuple[str, str], ...] = (
    ("partner", "Partner"), ("child", "Child"), ("parent", "Parent"), ("sibling", "Brother or sister"),
    ("other_adult", "Other adult"), ("other_child", "Other child"),
)
"""Who someone is to the applicant (stored on the household membership; ages come from dates of birth)."""


@dataclass(frozen=True, slots=True)
class HouseholdEntry:
    """Someone who lives with the applicant, as the new-applicant form records them (a person of their own)."""

    forename: str
    surname: str
    relationship: str
    date_of_birth: date | None

    def describe(self, today: date) -> str:
        """'Sam Khan · Child · born 01/02/2019 (7)'."""
        words = dict(HOUSEHOLD_RELATIONSHIPS).get(self.relationship, self.relationship)
        born = ""
        if self.date_of_birth is not None:
            born = f" · born {self.date_of_birth:%d/%m/%Y} ({age_on(self.date_of_birth, today)})"
        return f"{self.forename} {self.surname} · {words}{born}"


def household_entry(forename: str, surname: str, relationship: str, born: str, *, today: date,
                    applicant_surname: str = "") -> tuple[HouseholdEntry | None, dict[str, str]]:
    """One household member from the form's fields, or the problems keyed by field (forename, surname, …)."""
    problems: dict[str, str] = {}
    forename, surname = (forename or "").strip(), (surname or "").strip() or (applicant_surname or "").strip()
    if not forename:
        problems["forename"] = "type their first name"
    elif len(forename) > 80:
        problems["forename"] = "at most 80 characters"
    if not surname:
        problems["surname"] = "type their surname"
    elif len(surname) > 80:
        problems["surname"] = "at most 80 characters"
    if relationship not in dict(HOUSEHOLD_RELATIONSHIPS):
        problems["relationship"] = "choose who they are to the applicant"
    date_of_birth = None
    try:
        date_of_birth = parse_form_date(born)
    except ValueError as exc:
        problems["born"] = str(exc)
    if date_of_birth is None and "born" not in problems:
        problems["born"] = "their date of birth (DD/MM/YYYY): it tells who is a dependent child"
    elif date_of_birth is not None:
        if date_of_birth > today:
            problems["born"] = "a date of birth cannot be in the future"
        elif age_on(date_of_birth, today) > MAX_AGE:
            problems["born"] = f"that would make them over {MAX_AGE}; check the year"
        elif relationship == "child" and age_on(date_of_birth, today) > 25:
            problems["relationship"] = "over 25: choose Other adult (a grown-up son or daughter)"
    if problems:
        return None, problems
    return HouseholdEntry(forename, surname, relationship, date_of_birth), {}


@dataclass(frozen=True, slots=True)
class PostalAddress:
    """A postal address as letters print it."""

    line1: str
    line2: str
    town: str
    postcode: str

    def lines(self) -> list[str]:
        """The address a line each (an empty second line left out)."""
        return [line for line in (self.line1, self.line2, self.town, self.postcode) if line]


def postal_address(line1: str, line2: str, town: str, postcode: str) -> tuple[PostalAddress | None, dict[str, str]]:
    """The address from the form (None when left blank: letters then wait to be collected), or the problems."""
    line1, line2, town, postcode = ((v or "").strip() for v in (line1, line2, town, postcode))
    if not any((line1, line2, town, postcode)):
        return None, {}
    problems: dict[str, str] = {}
    if not line1:
        problems["address_line1"] = "the first line of the address (house number and street, or a c/o)"
    if not town:
        problems["address_town"] = "the town"
    for key, value, limit in (("address_line1", line1, 120), ("address_line2", line2, 120), ("address_town", town, 80)):
        if len(value) > limit:
            problems[key] = f"at most {limit} characters"
    cleaned = ""
    try:
        cleaned = clean_postcode(postcode)
    except ValueError as exc:
        problems["address_postcode"] = str(exc)
    if problems:
        return None, problems
    return PostalAddress(line1, line2, town, cleaned), {}


def check_answers(answers: dict[str, Any], *, today: date, applicant_born: date | None = None,
                  jurisdiction: str = "england") -> IntakeCheck:
    """Check every answer; build the engine's facts from those that pass.

    A field with a problem counts as not yet known for the live assessment, so the officer
    still sees what the other answers mean while fixing it. The steps run in the form's order
    and each adds its problems and warnings keyed by field (a later step may replace a key's text).
    """
    problems: dict[str, str] = {}
    warnings: dict[str, str] = {}
    approach_date = _approach_date(answers, today, problems)
    loss_date = _date_field(answers, "loss_date", problems)
    s21_expiry = _date_field(answers, "s21_expiry", problems)
    relief_start = _date_field(answers, "relief_start", problems)
    eligible = tristate(answers.get("eligible"))
    homeless = tristate(answers.get("homeless"))
    intentional = tristate(answers.get("intentional"))
    rough = bool(answers.get("rough_sleeping"))
    da_home = bool(answers.get("domestic_abuse_risk_at_home"))
    da_elsewhere = bool(answers.get("da_risk_in_connected_area"))
    nowhere_tonight = bool(answers.get("nowhere_tonight"))
    local = answers.get("local_connection") or "unknown"
    if local not in LOCAL_CONNECTION_ANSWERS:
        problems["local_connection"] = "choose here, elsewhere, none or not yet known"
        local = "unknown"
    if approach_date is not None:
        loss_date, relief_start = _dates_in_order(approach_date, loss_date, s21_expiry, relief_start,
                                                  problems, warnings)
    if s21_expiry is not None and jurisdiction == "scotland":
        warnings["s21_expiry"] = "section 21 notices are English; in Scotland record the notice to leave's date here"
    _contradictions(homeless, rough=rough, da_home=da_home, nowhere_tonight=nowhere_tonight, loss_date=loss_date,
                    da_elsewhere=da_elsewhere, local=local, problems=problems, warnings=warnings)
    members, household_problem = parse_household(answers.get("household"))
    if household_problem:
        problems["household"] = household_problem
    age = _applicant_age(applicant_born, approach_date or today, problems)
    priority_need = _priority_need(answers, age, members, problems, warnings)
    _route(answers, problems, warnings)
    facts: dict[str, Any] = {
        "approach_date": approach_date.isoformat() if approach_date else None,
        "jurisdiction": jurisdiction if jurisdiction in ("england", "scotland") else "england",
        "eligible": eligible,
        "homeless": True if nowhere_tonight and homeless is None else homeless,
        "rough_sleeping": rough,
        "domestic_abuse_risk_at_home": da_home,
        "loss_date": loss_date.isoformat() if loss_date else None,
        "s21_expiry": s21_expiry.isoformat() if s21_expiry else None,
        "priority_need": priority_need,
        "intentional": intentional,
        "local_connection": None if local == "unknown" else local,
        "da_risk_in_connected_area": da_elsewhere,
        "relief_start": relief_start.isoformat() if relief_start else None,
    }
    if "homeless" in problems:  # contradictory: unknown, unless nowhere to stay tonight says it anyway
        facts["homeless"] = True if nowhere_tonight else None
    approach = _engine_approach(facts, answers, problems) if approach_date is not None else None
    return IntakeCheck(approach, facts, tuple(members), problems, warnings)


def _date_field(answers: dict[str, Any], key: str, problems: dict[str, str]) -> date | None:
    try:
        return parse_form_date(answers.get(key))
    except ValueError as exc:
        problems[key] = str(exc)
        return None


def _approach_date(answers: dict[str, Any], today: date, problems: dict[str, str]) -> date | None:
    approach_date = _date_field(answers, "approach_date", problems)
    if approach_date is None and "approach_date" not in problems:
        problems["approach_date"] = "the approach date is needed: the day they asked for help"
    if approach_date is not None and approach_date > today:
        problems["approach_date"] = f"the approach date cannot be after today ({today:%d/%m/%Y})"
        return None
    return approach_date


def _dates_in_order(approach_date: date, loss_date: date | None, s21_expiry: date | None,
                    relief_start: date | None, problems: dict[str, str],
                    warnings: dict[str, str]) -> tuple[date | None, date | None]:
    """Dates out of order: (loss_date, relief_start), each None when it cannot be right."""
    if loss_date is not None and loss_date <= approach_date:
        problems["loss_date"] = ("the loss date must be after the approach date; if the home is already "
                                 "lost, answer Homeless now: yes and clear this date")
        loss_date = None
    if relief_start is not None and relief_start > approach_date:
        problems["relief_start"] = "relief cannot have begun after the approach; leave blank if it began then"
        relief_start = None
    if s21_expiry is not None and (approach_date - s21_expiry).days > 730:
        warnings["s21_expiry"] = "a section 21 notice that expired over two years ago is unlikely to be valid"
    return loss_date, relief_start


def _contradictions(homeless: bool | None, *, rough: bool, da_home: bool, nowhere_tonight: bool,
                    loss_date: date | None, da_elsewhere: bool, local: str, problems: dict[str, str],
                    warnings: dict[str, str]) -> None:
    """Answers that contradict each other: a problem on `homeless`, or a warning on what no longer matters."""
    if homeless is False and rough:
        problems["homeless"] = "someone sleeping rough is homeless (s175): answer yes, or untick rough sleeping"
    if homeless is False and da_home:
        problems["homeless"] = ("if staying at home would probably lead to domestic abuse, the home is not "
                                "reasonable to occupy (s177): answer yes, or untick the abuse risk")
    if homeless is False and nowhere_tonight:
        problems["homeless"] = "nowhere to stay tonight means homeless now: answer yes, or untick it"
    if (homeless is True or rough or da_home) and loss_date is not None:
        warnings["loss_date"] = "already homeless: the date the home will be lost no longer matters"
    if da_elsewhere and local != "elsewhere":
        warnings["da_risk_in_connected_area"] = "this matters only when the local connection is elsewhere"


def _applicant_age(applicant_born: date | None, on: date, problems: dict[str, str]) -> int | None:
    age = age_on(applicant_born, on) if applicant_born else None
    if age is not None and age < 16:
        problems["applicant"] = (f"the applicant would be {age}: under-16s cannot apply as homeless; "
                                 "refer to children's services")
    elif age is not None and age > MAX_AGE:
        problems["applicant"] = f"the applicant's date of birth gives an age of {age}; check it on the person record"
    return age


def _priority_need(answers: dict[str, Any], age: int | None, members: list[Member], problems: dict[str, str],
                   warnings: dict[str, str]) -> list[str] | None:
    """The priority need grounds for the engine ([] assessed as none, None not yet known), checked
    against the applicant's age and household."""
    state = answers.get("priority_state") or "unknown"
    raw_grounds = answers.get("priority_grounds") or []
    if isinstance(raw_grounds, str) or not isinstance(raw_grounds, (list, tuple, set, frozenset)):
        raw_grounds = [raw_grounds]  # one ground given on its own (or something that is not a list)
    grounds_given = [g for g in raw_grounds if g]
    unknown_grounds = [g for g in grounds_given if not isinstance(g, str) or g not in PRIORITY_NEED_GROUNDS]
    if unknown_grounds:
        shown = repr(unknown_grounds[0])
        problems["priority_grounds"] = f"unknown priority need ground {shown[:40] + '…' if len(shown) > 40 else shown}"
    grounds = [g for g in PRIORITY_NEED_GROUNDS if g in grounds_given]
    priority_need: list[str] | None
    if grounds:
        priority_need = grounds
    elif state == "none":
        priority_need = []
    else:
        priority_need = None
    if age is not None:
        if "aged_16_17" in grounds and age not in (16, 17):
            problems["priority_grounds"] = f"aged 16-17: the applicant was {age} on the approach date"
        if "care_leaver_18_20" in grounds and not 18 <= age <= 20:
            problems["priority_grounds"] = f"care leaver 18-20: the applicant was {age} on the approach date"
    if "dependent_children" in grounds and not any(
            m.relationship in ("child", "other_child") and (m.age is None or m.age <= DEPENDENT_CHILD_MAX_AGE)
            for m in members):
        warnings["priority_grounds"] = "dependent children: add the children to the household (e.g. 'child 7')"
    if "pregnant" in grounds and not (answers.get("pregnant") or any(m.pregnant for m in members)):
        warnings["priority_grounds"] = "pregnant: tick 'someone is pregnant' or add 'pregnant' to the household"
    if "priority_grounds" in problems:
        return None
    return priority_need


def _route(answers: dict[str, Any], problems: dict[str, str], warnings: dict[str, str]) -> None:
    """How they came: a duty-to-refer referral needs a named body and consent (s213B(2)-(3))."""
    route = answers.get("route") or "self"
    if route not in ROUTES:
        problems["route"] = "choose self, duty to refer or partner agency"
    elif route == "duty_to_refer":
        if not answers.get("referral_body"):
            problems["referral_body"] = "name the public body that referred them (s213B)"
        consent = tristate(answers.get("referral_consent"))
        if consent is False:
            problems["referral_consent"] = ("a duty-to-refer referral needs the person's consent (s213B(3)); "
                                            "without it, record them as a self-referral")
        elif consent is None:
            warnings["referral_consent"] = "record whether the person consented to the referral"


def _engine_approach(facts: dict[str, Any], answers: dict[str, Any], problems: dict[str, str]) -> Approach | None:
    """The engine's Approach from the facts; a problem the checks above missed is shown at its field."""
    try:
        return parse_approach(facts)
    except ApproachInputError as exc:
        for line in exc.problems:
            key, _, message = line.partition(": ")
            problems.setdefault(key if key in answers or key in ENGINE_FIELDS else "approach_date", message)
        return None


def household_counts(members: tuple[Member, ...] | list[Member], *, applicant_pregnant: bool = False) -> tuple[int, int]:
    """(adults, children) including the applicant as an adult."""
    children = sum(1 for m in members if m.relationship in ("child", "other_child")
                   or (m.age is not None and m.age < 18))
    adults = 1 + len(members) - children
    return adults, children
