"""Global search: people by name (fuzzy, typo-tolerant), address, postcode, phone and refs.

Candidates come from ordinary indexes that SQLite and PostgreSQL both have
(folded-name prefix ranges, sound keys, postcode/phone/ref equality); the few
hundred candidates are then ranked in Python with rapidfuzz. Each search is
audited as a search (the query text and how many it found, never the results).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz import fuzz
from sqlalchemy import and_, func, or_
from sqlmodel import Session, select

from duty_tui.db.engine import session_scope
from duty_tui.db.models import Account, Case, Household, HouseholdMember, Person, Property, Tenancy
from duty_tui.domain.search_keys import fold, phone_key, postcode_key, sound, street_key
from duty_tui.services import audit
from duty_tui.services.context import ServiceContext

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


def _name_candidates(session: Session, tokens: list[str]) -> list[tuple[int, str, str]]:
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
        rows = session.exec(select(*cols).where(condition).limit(CANDIDATE_CAP)).all()  # type: ignore[type-var]
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


def _ids_for_kind(session: Session, kind: str, query: str) -> tuple[list[int], str]:
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
            select(HouseholdMember.person_id).where(HouseholdMember.household_id.in_(hh))  # type: ignore[attr-defined]
            .order_by(HouseholdMember.is_lead.desc(), HouseholdMember.id)  # type: ignore[arg-type, attr-defined]
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
                                   .order_by(HouseholdMember.is_lead.desc())).all()  # type: ignore[attr-defined]
                return list(ids), "account ref"
        return [], "account ref"
    if kind == "case":
        ids = session.exec(select(Case.person_id).where(Case.ref == compact, Case.person_id.is_not(None))).all()  # type: ignore[union-attr]
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
        return _people_at(session, cond), "postcode"
    if kind == "address":
        number = re.findall(r"\d+[A-Za-z]?", query)
        street = street_key(query)
        if not street:
            return [], "address"
        cond = _prefix_range(Property.street_key, street)
        if number:
            cond = and_(cond, Property.address_line1.like(f"{number[0]} %"))  # type: ignore[assignment, attr-defined]
        return _people_at(session, cond), "address"
    return [], kind


def _people_at(session: Session, property_condition) -> list[int]:
    """People currently living at properties matching the condition, lead tenants first."""
    rows = session.exec(
        select(HouseholdMember.person_id)
        .join(Household, Household.id == HouseholdMember.household_id)
        .join(Property, Property.id == Household.property_id)
        .where(property_condition, HouseholdMember.left_on.is_(None))  # type: ignore[union-attr]
        .order_by(Property.postcode_key, Property.address_line1, HouseholdMember.is_lead.desc())  # type: ignore[attr-defined]
        .limit(CANDIDATE_CAP)
    ).all()
    return list(dict.fromkeys(rows))


def _details(session: Session, person_ids: list[int]) -> dict[int, dict]:
    """Display details (name, birth year, current address, tenancy, alert count) for a few people."""
    if not person_ids:
        return {}
    from duty_tui.db.models import Alert

    people = session.exec(select(Person).where(Person.id.in_(person_ids))).all()  # type: ignore[union-attr]
    out = {p.id: {"ref": p.ref, "name": f"{p.forename} {p.surname}", "born": p.date_of_birth.year if p.date_of_birth else None,
                  "address": None, "postcode": None, "tenancy_ref": None, "alerts": 0} for p in people}
    homes = session.exec(
        select(HouseholdMember.person_id, Household.id, Property.address_line1, Property.town, Property.postcode)
        .join(Household, Household.id == HouseholdMember.household_id)
        .join(Property, Property.id == Household.property_id, isouter=True)
        .where(HouseholdMember.person_id.in_(person_ids), HouseholdMember.left_on.is_(None))  # type: ignore[union-attr]
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
            .where(Tenancy.household_id.in_(set(household_of.values())))  # type: ignore[attr-defined]
            .order_by(Tenancy.start_date)
        ).all()
        by_household: dict[int, str] = {}
        for household_id, ref, status in tenancies:
            if status == "current" or household_id not in by_household:
                by_household[household_id] = ref
        for person_id, household_id in household_of.items():
            out[person_id]["tenancy_ref"] = by_household.get(household_id)
    counts = session.exec(
        select(Alert.person_id, func.count()).where(Alert.person_id.in_(person_ids), Alert.active.is_(True))  # type: ignore[union-attr]
        .group_by(Alert.person_id)
    ).all()
    for person_id, count in counts:
        out[person_id]["alerts"] = count
    return out


def find_people(ctx: ServiceContext, query: str, limit: int = 20, *, audit_search: bool = True) -> list[PersonHit]:
    """People matching ``query``, best first. Audited as a search."""
    ctx.require("person.search")
    query = (query or "").strip()[:MAX_QUERY]
    limit = max(1, min(limit, 200))
    if len(fold(query)) < 2 and len(re.sub(r"\D", "", query)) < 2:
        # Too little to search on ("%%", "*", "a"): nothing is read, but the attempt is audited like any search.
        if audit_search:
            with session_scope(ctx.engine, write=True) as session:
                audit.record(session, ctx, "person.search", None, None, {"query": query, "kind": "too_short", "found": 0})
        return []
    kind = classify(query)
    with session_scope(ctx.engine, write=audit_search) as session:
        scores: dict[int, float] = {}
        if kind == "name":
            tokens = query.replace(",", " ").split()
            keys = [k for k in (fold(t) for t in tokens) if k]
            for pid, forename_key, surname_key in _name_candidates(session, tokens):
                scores[pid] = _score_name(keys, forename_key, surname_key)
            matched_on = "name"
            street = street_key(query)
            if len(scores) < limit and len(street) >= 4:
                # "mill lane": people living on a street of that name, after the name matches.
                for pid in _people_at(session, _prefix_range(Property.street_key, street))[:limit]:
                    scores.setdefault(pid, 50.0)
                if scores and max(scores.values()) <= 50.0:
                    matched_on = "address"
            ranked = sorted(scores, key=lambda i: (-scores[i], i))[:limit]
        else:
            ids, matched_on = _ids_for_kind(session, kind, query)
            if not ids and kind in ("address", "postcode"):
                tokens = query.split()
                keys = [k for k in (fold(t) for t in tokens) if k]
                for pid, forename_key, surname_key in _name_candidates(session, tokens):
                    scores[pid] = _score_name(keys, forename_key, surname_key)
                ids, matched_on = sorted(scores, key=lambda i: (-scores[i], i)), "name"
            ranked = list(dict.fromkeys(ids))[:limit]
            scores = {pid: scores.get(pid, 100.0) for pid in ranked}
        details = _details(session, ranked)
        hits = [PersonHit(matched_on=matched_on, score=round(scores[pid], 1), **details[pid])
                for pid in ranked if pid in details]
        if audit_search:
            audit.record(session, ctx, "person.search", None, None, {"query": query, "kind": kind, "found": len(hits)})
    return hits
