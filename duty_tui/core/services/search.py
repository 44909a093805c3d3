"""Global search: people by name (fuzzy, typo-tolerant), address, postcode, phone and refs.

Candidates come from ordinary indexes that SQLite and PostgreSQL both have
(folded-name prefix ranges, sound keys, postcode/phone/ref equality); the few
hundred candidates are then ranked in Python with rapidfuzz. A query of several
words ("smtih sn1 3sn", "smtih brook", "12 mill lane") matches name, street and
postcode together: every word must match something (a fuzzy name, a street word,
a postcode or its outward or inward part, a house number). People at one address
are listed by house number as a number (4, 8A, 9, 10, 21B). Each search is
audited as a search (the query text and how many it found, never the results).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz import fuzz
from sqlalchemy import and_, func, or_
from sqlmodel import Session, col, select

from duty_tui.core.db.engine import session_scope
from duty_tui.core.db.models import Account, Case, Household, HouseholdMember, Person, Property, Tenancy
from duty_tui.core.domain.search_keys import (
    address_order,
    fold,
    house_number,
    phone_key,
    postcode_key,
    sound,
    street_key,
    street_words,
)
from duty_tui.core.services import audit
from duty_tui.core.services.context import ServiceContext

CANDIDATE_CAP = 250
MAX_QUERY = 100

_REF_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^P\d{4,}$"), "person"),
    (re.compile(r"^T\d{3,}$"), "tenancy"),
    (re.compile(r"^(RNT|FTA|RCH|CCT|SVC|SUS)\d{3,}$"), "account"),
    (re.compile(r"^C\d{4,}$"), "case"),
    (re.compile(r"^H\d{4,}$"), "household"),
    (re.compile(r"^PR\d{3,}$"), "property"),
]
_POSTCODE_FULL = re.compile(r"^[A-Z]{1,2}\d[A-Z\d]?\d[A-Z]{2}$")
_POSTCODE_OUTWARD = re.compile(r"^[A-Z]{1,2}\d[A-Z\d]?$")


@dataclass(frozen=True)
class PersonHit:
    """One search result: enough to tell two 'J Smith's apart."""

    ref: str
    name: str
    born: int | None
    address: str | None
    postcode: str | None
    tenancy_ref: str | None
    alerts: int
    matched_on: str
    score: float


@dataclass(frozen=True)
class PeopleFound:
    """A search's hits (best first, at most the limit) and how many matched in all."""

    hits: list[PersonHit]
    total: int
    """How many matched (at least the hits); a lower bound when ``more_than``."""
    more_than: bool
    """Some candidate query stopped at CANDIDATE_CAP: there may be more than ``total``."""
    kind: str
    """What the query looked like (classify()), for a hint on narrowing it."""

    @property
    def capped(self) -> bool:
        """More matched than are shown."""
        return self.more_than or self.total > len(self.hits)

    def narrow_hint(self) -> str:
        """How to narrow a capped search, in the words a desk uses."""
        if self.kind == "postcode":
            return "type the whole postcode, or add a name, to narrow"
        if self.kind == "address":
            return "add the house number, postcode or a name to narrow"
        return "add a postcode or forename to narrow"


def classify(query: str) -> str:
    """What a query looks like: a ref kind, 'phone', 'postcode', 'address' or 'name'."""
    compact = re.sub(r"\s+", "", query).upper()
    for pattern, kind in _REF_PATTERNS:
        if pattern.match(compact):
            return kind
    digits = re.sub(r"\D", "", query)
    if len(digits) >= 6 and len(digits) >= len(compact) - 3:
        return "phone"
    if _POSTCODE_FULL.match(compact) or (_POSTCODE_OUTWARD.match(compact) and any(c.isdigit() for c in compact)):
        return "postcode"
    if any(c.isdigit() for c in query) and any(c.isalpha() for c in query):
        return "address"
    return "name"


# The next character within the keys' own alphabets (folded names: a-z; postcodes: 0-9 then A-Z).
_NEXT_KEY_CHAR = {**{a: b for a, b in zip("abcdefghijklmnopqrstuvwxy", "bcdefghijklmnopqrstuvwxyz", strict=True)},
                  **{a: b for a, b in zip("ABCDEFGHIJKLMNOPQRSTUVWXY", "BCDEFGHIJKLMNOPQRSTUVWXYZ", strict=True)},
                  **{a: b for a, b in zip("0123456789", "123456789A", strict=True)}}


def _prefix_range(column, prefix: str):
    """An index-friendly prefix test: column >= 'smi' AND column < 'smj'.

    The upper bound stays inside the key alphabet ('lopez' -> 'lopf', 'SN9' -> 'SNA'): a bound
    such as 'lope{' or 'SN:' sorts before the letters under a locale collation (en_GB on most
    PostgreSQL servers), which would leave the range empty.
    """
    stem = prefix
    while stem:
        following = _NEXT_KEY_CHAR.get(stem[-1])
        if following is None and stem[-1] not in "zZ":
            following = chr(ord(stem[-1]) + 1)
        if following is not None:
            return and_(column >= prefix, column < stem[:-1] + following)
        stem = stem[:-1]
    return column >= prefix


def _name_candidates(session: Session, tokens: list[str], capped: list[bool] | None = None) -> list[tuple[int, str, str]]:
    """People whose names could be meant, from several small index-friendly queries.

    Each query filters on one indexed key (a folded-name prefix range or a sound
    key); SQLite and PostgreSQL both plan those as index range scans, where one
    big OR of ANDs would scan the whole table.
    """
    cols = (Person.id, Person.forename_key, Person.surname_key)
    keys = [fold(t) for t in tokens if fold(t)]
    if not keys:
        return []
    if len(keys) == 1:
        key = keys[0]
        conditions = [_prefix_range(Person.surname_key, key), Person.surname_sound == sound(key)]
        if len(key) >= 3:
            conditions.append(_prefix_range(Person.forename_key, key))
    else:
        # "john smith", "smith john", "j smith": both orders; an initial is a prefix.
        first, last = keys[0], keys[-1]
        conditions = []
        for fore, sur in ((first, last), (last, first)):
            fore_cond = _prefix_range(Person.forename_key, fore)
            if len(fore) > 1:
                fore_cond = or_(fore_cond, Person.forename_sound == sound(fore))
            conditions.append(and_(_prefix_range(Person.surname_key, sur), fore_cond))
            conditions.append(and_(Person.surname_sound == sound(sur), fore_cond))
    found: dict[int, tuple[int, str, str]] = {}
    for condition in conditions:
        rows = session.exec(select(*cols).where(condition).limit(CANDIDATE_CAP)).all()
        if capped is not None and len(rows) >= CANDIDATE_CAP:
            capped.append(True)
        for row in rows:
            found.setdefault(row[0], tuple(row))
    return list(found.values())


def _score_name(keys: list[str], forename_key: str, surname_key: str) -> float:
    """0-100: how well folded query words match a person's folded forename and surname."""
    query = " ".join(keys)
    best = max(fuzz.ratio(query, f"{forename_key} {surname_key}"), fuzz.ratio(query, f"{surname_key} {forename_key}"),
               fuzz.ratio(query, surname_key))
    if len(keys) == 1:
        key = keys[0]
        if surname_key.startswith(key):
            best = max(best, 90 + 10 * len(key) / max(len(surname_key), 1))
        elif forename_key.startswith(key):
            best = max(best, 70.0)
    elif surname_key.startswith(keys[-1]) and forename_key.startswith(keys[0]):
        best = max(best, 95.0)
    return float(best)


def _ids_for_kind(session: Session, kind: str, query: str, capped: list[bool]) -> tuple[list[int], str]:
    compact = re.sub(r"\s+", "", query).upper()
    if kind == "person":
        return list(session.exec(select(Person.id).where(Person.ref == compact)).all()), "person ref"
    if kind in ("tenancy", "household", "property"):
        if kind == "tenancy":
            hh = select(Tenancy.household_id).where(Tenancy.ref == compact)
        elif kind == "household":
            hh = select(Household.id).where(Household.ref == compact)
        else:
            hh = select(Household.id).join(Property, Property.id == Household.property_id).where(Property.ref == compact)
        ids = session.exec(
            select(HouseholdMember.person_id).where(col(HouseholdMember.household_id).in_(hh))
            .order_by(col(HouseholdMember.is_lead).desc(), col(HouseholdMember.id))
        ).all()
        return list(ids), f"{kind} ref"
    if kind == "account":
        account = session.exec(select(Account).where(Account.ref == compact)).first()
        if account is None:
            return [], "account ref"
        if account.person_id:
            return [account.person_id], "account ref"
        if account.tenancy_id:
            tenancy = session.get(Tenancy, account.tenancy_id)
            if tenancy:
                ids = session.exec(select(HouseholdMember.person_id)
                                   .where(HouseholdMember.household_id == tenancy.household_id)
                                   .order_by(col(HouseholdMember.is_lead).desc())).all()
                return list(ids), "account ref"
        return [], "account ref"
    if kind == "case":
        ids = session.exec(select(Case.person_id).where(Case.ref == compact, col(Case.person_id).is_not(None))).all()
        return list(ids), "case ref"
    if kind == "phone":
        key = phone_key(query)
        ids = session.exec(select(Person.id).where(or_(Person.phone_main_key == key, Person.phone_alt_key == key))
                           .limit(CANDIDATE_CAP)).all()
        return list(ids), "phone"
    if kind == "postcode":
        key = postcode_key(query)
        if _POSTCODE_FULL.match(key):
            cond = Property.postcode_key == key
        else:
            # A district ("SN1", or "SN1 2" part-typed): the inward code is always three characters, so
            # SN1's postcodes are six long and SN10's seven; a bare prefix would mix the two districts.
            parts = query.split()
            outward = postcode_key(parts[0]) if len(parts) > 1 else key
            cond = and_(_prefix_range(Property.postcode_key, key),
                        func.length(Property.postcode_key) == len(outward) + 3)
        return _people_at(session, cond, capped), "postcode"
    return [], kind


def _people_at(session: Session, property_condition, capped: list[bool] | None = None) -> list[int]:
    """People currently living at properties matching the condition, in address order, lead tenants first.

    Address order sorts house numbers as numbers (4, 8A, 9, 10, 21B), which SQL text order does not.
    """
    # The homes first (an index on the property's key), then their members by household: written so,
    # the plan starts from the property's index whatever the database knows of the tables' sizes.
    homes = select(Household.id).join(Property, col(Property.id) == Household.property_id).where(property_condition)
    rows = session.exec(
        select(HouseholdMember.person_id, Property.postcode, Property.address_line1, HouseholdMember.is_lead)
        .join(Household, Household.id == HouseholdMember.household_id)
        .join(Property, Property.id == Household.property_id)
        .where(col(HouseholdMember.household_id).in_(homes), col(HouseholdMember.left_on).is_(None))
        .order_by(Property.postcode_key, Property.address_line1, col(HouseholdMember.is_lead).desc())
        .limit(CANDIDATE_CAP)
    ).all()
    if capped is not None and len(rows) >= CANDIDATE_CAP:
        capped.append(True)
    ordered = sorted(rows, key=lambda r: (address_order(r[1], r[2]), not r[3]))
    return list(dict.fromkeys(r[0] for r in ordered))


# --- several words: name, street and postcode together --------------------------------------

_INWARD = re.compile(r"^\d[A-Z]{2}$")
_NUMBER = re.compile(r"^\d+[A-Z]?$")
PAIR_WORDS = 4
"""At most this many words are tried pairwise as (name, street): 12 small queries."""


@dataclass
class _Words:
    """A query of several words, sorted into what each could be."""

    words: list[str]  # folded letters: a name or a street word
    numbers: list[str]  # house numbers, upper case: "12", "21B"
    postcodes: list[str]  # whole postcodes (keys): "SN13SN"
    outwards: list[str]  # districts: "SN1"
    inwards: list[str]  # inward codes: "3SN"

    @property
    def count(self) -> int:
        return len(self.words) + len(self.numbers) + len(self.postcodes) + len(self.outwards) + len(self.inwards)


def _split_words(query: str) -> _Words:
    """Sort the words: 'smtih sn1 3sn' -> words ['smtih'], postcodes ['SN13SN']."""
    tokens = [re.sub(r"[^A-Z0-9]", "", t.upper()) for t in re.split(r"[\s,]+", query)]
    tokens = [t for t in tokens if t]
    out = _Words([], [], [], [], [])
    i = 0
    while i < len(tokens):
        token = tokens[i]
        following = tokens[i + 1] if i + 1 < len(tokens) else ""
        if _POSTCODE_FULL.match(token):
            out.postcodes.append(token)
        elif _POSTCODE_OUTWARD.match(token) and any(c.isdigit() for c in token) and token[0].isalpha():
            if _INWARD.match(following):
                out.postcodes.append(token + following)
                i += 1
            else:
                out.outwards.append(token)
        elif _INWARD.match(token):
            out.inwards.append(token)
        elif _NUMBER.match(token):
            out.numbers.append(token)
        elif fold(token):
            out.words.append(fold(token))
        i += 1
    # An outward code and an inward code apart ("sn1 smith 3sn") are one postcode.
    if len(out.outwards) == 1 and len(out.inwards) == 1 and not out.postcodes:
        out.postcodes.append(out.outwards.pop() + out.inwards.pop())
    return out


def _district(outward: str):
    """Every postcode in a district: SN1's are six long, SN10's seven (a bare prefix would mix them)."""
    return and_(_prefix_range(Property.postcode_key, outward), func.length(Property.postcode_key) == len(outward) + 3)


def _name_condition(word: str):
    """A person whose surname or forename could be this word (prefix, or sounds like it)."""
    conditions = [_prefix_range(Person.surname_key, word), Person.surname_sound == sound(word)]
    if len(word) >= 3:
        conditions.append(_prefix_range(Person.forename_key, word))
    return or_(*conditions)


def _word_candidates(session: Session, found: _Words, capped: list[bool]) -> list[int]:
    """People who might be meant, from small index-friendly queries; _word_scores decides.

    A postcode (or district) anchors the search: everyone living there. Otherwise: the
    words as a name (forename and surname, either order); all the words as a street
    ("mill lane", "12 mill lane"); and each word as the start of a street joined with
    each other word as a loose name (its first letter, or its sound) in one query, so a
    misspelt name on a named street is found ("talyor stour") and a common surname is
    not cut short by a cap.
    """
    if found.postcodes or found.outwards:
        condition = or_(*[Property.postcode_key == p for p in found.postcodes],
                        *[_district(o) for o in found.outwards])
        return _people_at(session, condition, capped)
    words = found.words
    ids: list[int] = [row[0] for row in _name_candidates(session, words, capped)] if words else []
    numbered = or_(*[Property.address_line1.like(f"{n} %") for n in found.numbers]) if found.numbers else None
    street = "".join(words)
    if len(street) >= 4:
        condition = _prefix_range(Property.street_key, street)
        ids += _people_at(session, condition if numbered is None else and_(condition, numbered), capped)
    tried = [w for w in words if len(w) >= 2][:PAIR_WORDS]
    for street_word in tried:
        if len(street_word) < 3:
            continue
        on_street = _prefix_range(Property.street_key, street_word)
        if numbered is not None:
            on_street = and_(on_street, numbered)
        for name in tried:
            if name == street_word:
                continue
            loose = or_(_prefix_range(Person.surname_key, name[0]), _prefix_range(Person.forename_key, name[0]),
                        Person.surname_sound == sound(name))
            rows = session.exec(
                select(HouseholdMember.person_id)
                .join(Household, Household.id == HouseholdMember.household_id)
                .join(Property, Property.id == Household.property_id)
                .join(Person, Person.id == HouseholdMember.person_id)
                .where(on_street, loose, col(HouseholdMember.left_on).is_(None))
                .limit(CANDIDATE_CAP)).all()
            if len(rows) >= CANDIDATE_CAP:
                capped.append(True)
            ids += list(rows)
    return list(dict.fromkeys(ids))


def _name_word_score(word: str, word_sound: str, forename_key: str, surname_key: str, forename_sound: str,
                     surname_sound: str) -> float:
    """0-100: how well one folded word (and its sound key) matches the person's name (0: it does not)."""
    best = 0.0
    for key, key_sound, weight in ((surname_key, surname_sound, 1.0), (forename_key, forename_sound, 0.9)):
        if not key:
            continue
        if key == word:
            score = 100.0
        elif key.startswith(word):
            score = 80 + 15 * len(word) / len(key)
        elif len(word) >= 2 and word_sound == key_sound:
            score = max(70.0, float(fuzz.ratio(word, key)))
        elif len(word) >= 4 and fuzz.ratio(word, key) >= 75:
            score = float(fuzz.ratio(word, key))
        else:
            score = 0.0
        best = max(best, score * weight)
    return best


_STREET_SHORT = {"st": "street", "rd": "road", "ave": "avenue", "av": "avenue", "ln": "lane", "cl": "close",
                 "dr": "drive", "ct": "court", "pl": "place", "sq": "square", "gdns": "gardens", "cres": "crescent",
                 "tce": "terrace", "ter": "terrace", "gr": "grove", "wy": "way", "hse": "house"}
"""How streets are shortened on envelopes and in notes: 'brook st' is Brook Street."""


def _street_word_score(word: str, words: tuple[str, ...]) -> float:
    """0-100: how well one folded word matches a word of the street (0: it does not)."""
    best = 0.0
    word = _STREET_SHORT.get(word, word)
    for street in words:
        if street == word:
            best = max(best, 90.0)
        elif len(word) >= 3 and street.startswith(word):
            best = max(best, 80.0)
        elif len(word) >= 4 and fuzz.ratio(word, street) >= 80:
            best = max(best, float(fuzz.ratio(word, street)) - 10)
    return best


def _word_scores(session: Session, found: _Words,
                 person_ids: list[int]) -> tuple[dict[int, float], dict[int, tuple], dict[int, str]]:
    """Score each candidate; a candidate any word fails to match is left out. Also each one's address
    order and what matched ("name", "address", "postcode", "name and address", "name and postcode")."""
    if not person_ids:
        return {}, {}, {}
    people = {row[0]: row[1:] for row in session.exec(
        select(Person.id, Person.forename_key, Person.surname_key, Person.forename_sound, Person.surname_sound)
        .where(col(Person.id).in_(person_ids))).all()}
    homes: dict[int, tuple[str, str, bool]] = {}
    for person_id, line1, postcode, lead in session.exec(
            select(HouseholdMember.person_id, Property.address_line1, Property.postcode, HouseholdMember.is_lead)
            .join(Household, Household.id == HouseholdMember.household_id)
            .join(Property, Property.id == Household.property_id)
            .where(col(HouseholdMember.person_id).in_(person_ids), col(HouseholdMember.left_on).is_(None))).all():
        homes[person_id] = (line1, postcode, lead)
    scores: dict[int, float] = {}
    order: dict[int, tuple] = {}
    how: dict[int, str] = {}
    sounds = {word: sound(word) for word in found.words}
    for person_id in person_ids:
        if person_id not in people:
            continue
        forename_key, surname_key, forename_sound, surname_sound = people[person_id]
        line1, postcode, lead = homes.get(person_id, ("", "", False))
        code = postcode_key(postcode)
        streets = street_words(line1)
        number = house_number(line1)
        parts: list[float] = []
        name_words: list[str] = []
        street_matched = bool(found.numbers)
        for word in found.words:
            by_name = _name_word_score(word, sounds[word], forename_key or "", surname_key or "",
                                       forename_sound or "", surname_sound or "")
            by_street = _street_word_score(word, streets)
            if by_name >= by_street and by_name > 0:
                name_words.append(word)
            elif by_street > 0:
                street_matched = True
            parts.append(max(by_name, by_street))
        for wanted in found.numbers:
            parts.append(100.0 if line1 and (str(number[0]) + number[1].upper()) == wanted else 0.0)
        for wanted in found.postcodes:
            parts.append(100.0 if code == wanted else 0.0)
        for wanted in found.outwards:
            parts.append(100.0 if code[:-3] == wanted else 0.0)
        for wanted in found.inwards:
            parts.append(100.0 if code[-3:] == wanted else 0.0)
        if not parts or min(parts) <= 0:
            continue  # every word must match something
        place = "postcode" if (found.postcodes or found.outwards or found.inwards) else (
            "address" if street_matched else "")
        how[person_id] = " and ".join(x for x in ("name" if name_words else "", place) if x) or "name"
        score = sum(parts) / len(parts)
        if len(name_words) >= 2:
            score = max(score, _score_name(name_words, forename_key or "", surname_key or ""))
        scores[person_id] = round(score, 1)
        order[person_id] = ((0, address_order(postcode, line1)) if line1 else (1,), not lead)
    return scores, order, how


def _details(session: Session, person_ids: list[int]) -> dict[int, dict]:
    """Display details (name, birth year, current address, tenancy, alert count) for a few people."""
    if not person_ids:
        return {}
    from duty_tui.core.db.models import Alert

    people = session.exec(select(Person).where(col(Person.id).in_(person_ids))).all()
    out = {p.id: {"ref": p.ref, "name": f"{p.forename} {p.surname}", "born": p.date_of_birth.year if p.date_of_birth else None,
                  "address": None, "postcode": None, "tenancy_ref": None, "alerts": 0} for p in people}
    homes = session.exec(
        select(HouseholdMember.person_id, Household.id, Property.address_line1, Property.town, Property.postcode)
        .join(Household, Household.id == HouseholdMember.household_id)
        .join(Property, Property.id == Household.property_id, isouter=True)
        .where(col(HouseholdMember.person_id).in_(person_ids), col(HouseholdMember.left_on).is_(None))
    ).all()
    household_of: dict[int, int] = {}
    for person_id, household_id, line1, town, postcode in homes:
        household_of[person_id] = household_id
        if line1:
            out[person_id]["address"] = f"{line1}, {town} {postcode}"
            out[person_id]["postcode"] = postcode
    if household_of:
        tenancies = session.exec(
            select(Tenancy.household_id, Tenancy.ref, Tenancy.status)
            .where(col(Tenancy.household_id).in_(set(household_of.values())))
            .order_by(col(Tenancy.start_date))
        ).all()
        by_household: dict[int, str] = {}
        for household_id, ref, status in tenancies:
            if status == "current" or household_id not in by_household:
                by_household[household_id] = ref
        for person_id, household_id in household_of.items():
            out[person_id]["tenancy_ref"] = by_household.get(household_id)
    counts = session.exec(
        select(Alert.person_id, func.count()).where(col(Alert.person_id).in_(person_ids), col(Alert.active).is_(True))
        .group_by(Alert.person_id)
    ).all()
    for person_id, count in counts:
        out[person_id]["alerts"] = count
    return out


def search_people(ctx: ServiceContext, query: str, limit: int = 20, *, audit_search: bool = True) -> PeopleFound:
    """People matching ``query``, best first, and how many matched in all. Audited as a search."""
    ctx.require("person.search")
    query = (query or "").strip()[:MAX_QUERY]
    limit = max(1, min(limit, 200))
    if len(fold(query)) < 2 and len(re.sub(r"\D", "", query)) < 2:
        # Too little to search on ("%%", "*", "a"): nothing is read, but the attempt is audited like any search.
        if audit_search:
            audit.record_read(ctx, "person.search", None, None, {"query": query, "kind": "too_short", "found": 0})
        return PeopleFound([], 0, False, "too_short")
    kind = classify(query)
    capped: list[bool] = []
    with session_scope(ctx.engine) as session:  # a read: the write lock only for the audit event below
        scores: dict[int, float] = {}
        how: dict[int, str] = {}
        words = _split_words(query)
        if kind == "name" and len(query.replace(",", " ").split()) == 1:
            tokens = query.replace(",", " ").split()
            keys = [k for k in (fold(t) for t in tokens) if k]
            for pid, forename_key, surname_key in _name_candidates(session, tokens, capped):
                scores[pid] = _score_name(keys, forename_key, surname_key)
            matched_on = "name"
            street = street_key(query)
            if len(scores) < limit and len(street) >= 4:
                # "brookside": people living on a street of that name, after the name matches.
                for pid in _people_at(session, _prefix_range(Property.street_key, street), capped)[:limit]:
                    scores.setdefault(pid, 50.0)
                if scores and max(scores.values()) <= 50.0:
                    matched_on = "address"
            ranked_all = sorted(scores, key=lambda i: (-scores[i], i))
        elif kind in ("name", "address") and words.count >= 2:
            candidates = _word_candidates(session, words, capped)
            scores, order, how = _word_scores(session, words, candidates)
            matched_on = ""
            ranked_all = sorted(scores, key=lambda i: (-scores[i], order[i], i))
        elif kind in ("name", "address"):
            ranked_all, matched_on = [], kind  # a lone house number, or letters that fold to nothing
        else:
            ids, matched_on = _ids_for_kind(session, kind, query, capped)
            if not ids and kind == "postcode":
                # Not a postcode after all ("li1"?): try it as a name.
                keys = [k for k in (fold(t) for t in query.split()) if k]
                for pid, forename_key, surname_key in _name_candidates(session, query.split(), capped):
                    scores[pid] = _score_name(keys, forename_key, surname_key)
                ids, matched_on = sorted(scores, key=lambda i: (-scores[i], i)), "name"
            ranked_all = list(dict.fromkeys(ids))
            scores = {pid: scores.get(pid, 100.0) for pid in ranked_all}
        ranked = ranked_all[:limit]
        details = _details(session, ranked)
        hits = [PersonHit(matched_on=how.get(pid) or matched_on, score=round(scores[pid], 1), **details[pid])
                for pid in ranked if pid in details]
    if audit_search:  # before anything found is shown
        audit.record_read(ctx, "person.search", None, None, {"query": query, "kind": kind, "found": len(hits)})
    return PeopleFound(hits, max(len(ranked_all), len(hits)), bool(capped), kind)


def find_people(ctx: ServiceContext, query: str, limit: int = 20, *, audit_search: bool = True) -> list[PersonHit]:
    """People matching ``query``, best first. Audited as a search (``person find``'s contract)."""
    return search_people(ctx, query, limit, audit_search=audit_search).hits
