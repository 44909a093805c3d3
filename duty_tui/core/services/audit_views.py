"""Reading the audit trail: "who has looked at this person" (team leaders, admins).

An event concerns a person when its entity is the person, or a record that
carries them: their contacts, cases (their own, their households', and
homelessness cases listing them), accounts (their own and their households'
tenancies'), ledger rows, receipts, refunds and arrangements on those accounts,
their visits to reception and follow-ups, and drafts kept about them. Household
links use every membership, past and present (a former joint tenancy's account
still concerns them). Searches name no person, so a view that followed the
same member of staff's search is shown as "searched … and opened".

Looking at the log is itself audited ("audit.person_access"), in the same
transaction, before the log is read, so it shows at the top.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path

from sqlalchemy import String, and_, cast, or_
from sqlmodel import Session, col, select

from duty_tui.core.config.reference import line_of, read_toml
from duty_tui.core.db.engine import session_scope
from duty_tui.core.db.models import (
    Account,
    AuditEvent,
    Case,
    Contact,
    HouseholdMember,
    LedgerEntry,
    Office,
    Person,
    StaffUser,
    Tenancy,
)
from duty_tui.core.domain.errors import EnvironmentProblem, InputError, NotFound
from duty_tui.core.services import audit
from duty_tui.core.services.context import ServiceContext

ACTIONS_FILE = "audit_actions.toml"
MAX_LIMIT = 1000
SEARCH_THEN_OPEN = timedelta(minutes=10)
"""A view this soon after the same person's search, with nothing between, was opened from that search."""
_LOOKBACK_EVENTS = 500


@dataclass(frozen=True)
class AccessEntry:
    """One event about the person: who, when, from where, what."""

    event_id: int
    at: datetime
    username: str
    display_name: str
    role: str | None
    """The member of staff's role now (events do not record the role they had then)."""
    terminal: str
    action: str
    what: str
    record: str


@dataclass(frozen=True)
class AccessLog:
    """Newest first; ``more`` when older events were left out by ``limit``."""

    person_ref: str
    person_name: str
    entries: tuple[AccessEntry, ...]
    more: bool


# --- the words for each action -----------------------------------------------------------------


@lru_cache(maxsize=8)
def _action_words(path: Path) -> dict[str, str]:
    raw = read_toml(path)
    actions = raw.get("actions")
    if not isinstance(actions, dict):
        raise EnvironmentProblem(f"{path}:1: needs an [actions] table of action = \"words\"")
    words: dict[str, str] = {}
    for code, value in actions.items():
        if not isinstance(value, str) or not value.strip() or len(value) > 60:
            raise EnvironmentProblem(f"{path}:{line_of(path, code)}: {code!r} needs words (1 to 60 characters)")
        words[code] = value.strip()
    return words


def action_words(ctx: ServiceContext) -> dict[str, str]:
    """data/audit_actions.toml: action code → words staff read."""
    return _action_words(Path(ctx.settings.data_dir) / ACTIONS_FILE)


def describe_action(words: dict[str, str], action: str) -> str:
    """The words for ``action``, or its code made readable."""
    if action in words:
        return words[action]
    area, _, verb = action.partition(".")
    return f"{area}: {verb.replace('_', ' ')}" if verb else action.replace("_", " ")


_RECORD_NAMES = {"person": "person", "case": "case", "contact": "contact #", "account": "account",
                 "ledger_entry": "ledger row #", "payment": "receipt", "refund_request": "refund",
                 "arrangement": "arrangement", "visit": "reception visit #", "follow_up": "follow-up #",
                 "draft": "draft", "queue": "queue", "callers": "callers on", "statistics": "homelessness return",
                 "contacts": "contacts report"}

LIST_ENTITIES = ("queue", "callers", "statistics")
"""Entities of events that list many records: their detail names each person and case shown (JSON strings)."""


def _record(entity: str | None, entity_id: str | None) -> str:
    if not entity:
        return "—"
    name = _RECORD_NAMES.get(entity, entity.replace("_", " "))
    if entity_id is None:
        return name.rstrip(" #")
    return f"{name}{entity_id}" if name.endswith("#") else f"{name} {entity_id}"


# --- which records carry the person ------------------------------------------------------------


def _area_records(session: Session, person: Person, account_ids: list[int]) -> dict[str, list]:
    """What each area holds about the person, by audit entity (duty_tui.core.registry hook
    "audit.person_records": f(session, person_id, account_ids) -> {entity: [ids]}; "case_ids" are
    cases the person is part of other than as their applicant)."""
    from duty_tui.core import registry

    found: dict[str, list] = {}
    for records in registry.hooks("audit.person_records"):
        for entity, ids in records(session, person.id, account_ids).items():
            found.setdefault(entity, []).extend(ids)
    return found


def _about_person(session: Session, person: Person):
    """The WHERE clause matching every audit event that concerns ``person``."""
    pid = person.id
    households = select(HouseholdMember.household_id).where(HouseholdMember.person_id == pid)
    tenancies = select(Tenancy.id).where(col(Tenancy.household_id).in_(households))
    account_ids = list(session.exec(select(Account.id).where(
        or_(Account.person_id == pid, col(Account.tenancy_id).in_(tenancies)))).all())
    account_refs = list(session.exec(select(Account.ref).where(col(Account.id).in_(account_ids))).all()) if account_ids else []

    areas = _area_records(session, person, [i for i in account_ids if i is not None])
    case_terms = [col(Case.person_id) == pid, col(Case.household_id).in_(households)]
    if areas.get("case_ids"):
        case_terms.append(col(Case.id).in_(areas["case_ids"]))
    case_refs = list(session.exec(select(Case.ref).where(or_(*case_terms))).all())
    contact_ids = [str(i) for i in session.exec(select(Contact.id).where(Contact.person_id == pid)).all()]
    paid = set()
    if account_ids:
        paid = {tuple(row) for row in session.exec(select(LedgerEntry.office_id, LedgerEntry.receipt_no).where(
            col(LedgerEntry.account_id).in_(account_ids), col(LedgerEntry.receipt_no).is_not(None)).distinct()).all()}
    offices = {o.id: o.code for o in session.exec(select(Office)).all()} if paid else {}
    receipts = sorted({f"{offices.get(o, '?')}-{n:06d}" for o, n in paid if n is not None} | set(areas.get("payment", [])))

    def entity_in(entity: str, ids: list[str]):
        return and_(AuditEvent.entity == entity, col(AuditEvent.entity_id).in_(ids))

    terms = [and_(AuditEvent.entity == "person", AuditEvent.entity_id == person.ref),
             # Drafts name the person in their detail ("person": "P0000001"; JSON with sort_keys).
             and_(AuditEvent.entity == "draft",
                  col(AuditEvent.detail).like(f'%"person": {json.dumps(person.ref)}%'))]
    # A list event concerns everyone it showed: its detail holds their refs, or their cases' refs, as JSON strings.
    shown_as = [person.ref, *case_refs]
    terms.append(and_(col(AuditEvent.entity).in_(LIST_ENTITIES),
                      or_(*[col(AuditEvent.detail).like(f"%{json.dumps(ref)}%") for ref in shown_as])))
    others = [(entity, [str(i) for i in ids]) for entity, ids in areas.items() if entity not in ("case_ids", "payment")]
    for entity, ids in (("case", case_refs), ("contact", contact_ids), ("account", account_refs),
                        ("payment", receipts), *others):
        if ids:
            terms.append(entity_in(entity, ids))
    if account_ids:
        ledger_ids = select(cast(LedgerEntry.id, String)).where(col(LedgerEntry.account_id).in_(account_ids))
        terms.append(and_(AuditEvent.entity == "ledger_entry", col(AuditEvent.entity_id).in_(ledger_ids)))
    return or_(*terms)


# --- the service -------------------------------------------------------------------------------


def person_access_log(ctx: ServiceContext, person_ref: str, limit: int = 200) -> AccessLog:
    """Who has viewed or changed this person's records, newest first (needs audit.view; audited)."""
    ctx.require("audit.view")
    if not 1 <= limit <= MAX_LIMIT:
        raise InputError(f"limit {limit} is out of range; use 1 to {MAX_LIMIT}")
    words = action_words(ctx)
    ref = (person_ref or "").strip().upper()
    with session_scope(ctx.engine) as session:
        if session.exec(select(Person.id).where(Person.ref == ref)).first() is None:
            raise NotFound(f"no person with ref {person_ref!r}; search by name, address or phone instead")
    # Audited first, in its own short write transaction, so the log read next shows this look too.
    audit.record_read(ctx, "audit.person_access", "person", ref, {"limit": limit})
    with session_scope(ctx.engine) as session:
        person = session.exec(select(Person).where(Person.ref == ref)).one()
        rows = list(session.exec(select(AuditEvent).where(_about_person(session, person))
                                 .order_by(col(AuditEvent.id).desc()).limit(limit + 1)).all())
        more = len(rows) > limit
        rows = rows[:limit]
        staff_ids = {r.actor_id for r in rows if r.actor_id is not None}
        staff = ({u.id: u for u in session.exec(select(StaffUser).where(col(StaffUser.id).in_(staff_ids))).all()}
                 if staff_ids else {})
        searches = _searches_before(session, [r for r in rows if r.action == "person.view"])
        entries = []
        for row in rows:
            user = staff.get(row.actor_id) if row.actor_id is not None else None
            role = ctx.reference.roles.get(user.role) if user else None
            what = describe_action(words, row.action)
            if row.id in searches:
                what = f"searched {searches[row.id]!r} and opened the record"
            entries.append(AccessEntry(
                event_id=row.id, at=row.at, username=row.actor,
                display_name=user.display_name if user else ("Batch job" if row.actor.startswith("os:") else "—"),
                role=role.name if role else (user.role if user else None), terminal=row.terminal,
                action=row.action, what=what, record=_record(row.entity, row.entity_id)))
        name = " ".join(p for p in (person.forename, person.surname) if p)
    return AccessLog(person.ref, name, tuple(entries), more)


def _searches_before(session: Session, views: list[AuditEvent]) -> dict[int, str]:
    """event id → search text, for views that came straight after the same member of staff's search."""
    found: dict[int, str] = {}
    for view in views:
        previous = session.exec(
            select(AuditEvent).where(AuditEvent.actor == view.actor, AuditEvent.id < view.id,
                                     AuditEvent.id >= view.id - _LOOKBACK_EVENTS)
            .order_by(col(AuditEvent.id).desc()).limit(1)
        ).first()
        if previous is None or previous.action != "person.search" or previous.terminal != view.terminal:
            continue
        if _aware(view.at) - _aware(previous.at) > SEARCH_THEN_OPEN:
            continue
        try:
            query = json.loads(previous.detail or "{}").get("query")
        except (ValueError, AttributeError):
            query = None
        if isinstance(query, str) and query.strip():
            found[view.id] = query.strip()[:60]
    return found


def _aware(value: datetime) -> datetime:
    from datetime import UTC

    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


__all__ = ["AccessEntry", "AccessLog", "action_words", "describe_action", "person_access_log"]
