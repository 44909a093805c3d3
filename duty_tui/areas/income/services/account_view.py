"""One rent account's recovery, as an income officer opens it from the worklist (docs/INCOME.md).

``recovery_account`` reads, in one read transaction: the account and its holder, the policy's next
recommended action with why (the worklist's own evaluation, for this one account — so the account
screen and the worklist never disagree), and the account's recovery story as one timeline, newest
first: the steps recorded, the notices served (with the dates the law gave them), the pre-action
protocol steps done, benefit claims, Universal Credit managed payments, possession claims, hearings
and their outcomes, warrants and evictions. The read is audited before anything is returned
(``arrears.account_viewed``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select

from duty_tui.areas.income.db.models import (
    ArrearsNotice,
    BenefitClaim,
    CourtHearing,
    Eviction,
    ManagedPayment,
    PossessionClaim,
    ProtocolStep,
    RecoveryAction,
)
from duty_tui.areas.income.domain.policy import COURT_OUTCOMES
from duty_tui.areas.income.services import worklist as wl
from duty_tui.core.db.engine import session_scope
from duty_tui.core.db.models import Account, StaffUser, table_of
from duty_tui.core.domain.errors import InputError, NotFound
from duty_tui.core.services import audit
from duty_tui.core.services.context import ServiceContext

NOTICE_NAMES = {"nosp": "NOSP (HA 1985 s83)", "s128": "Notice (HA 1996 s128)", "s14": "Notice (H(S)A 2001 s14)"}
"""Short enough for the account screen's "What" column at 80 columns."""
ACTION, NOTICE, STEP = table_of(RecoveryAction), table_of(ArrearsNotice), table_of(ProtocolStep)
CLAIM, HEARING, EVICTION = table_of(PossessionClaim), table_of(CourtHearing), table_of(Eviction)
BENEFIT, MANAGED, STAFF = table_of(BenefitClaim), table_of(ManagedPayment), table_of(StaffUser)


@dataclass(frozen=True)
class Event:
    """One line of an account's recovery story."""

    on: date
    kind: str  # step, notice, protocol, benefit, managed_payment, claim, hearing, eviction
    what: str
    detail: str = ""
    by: str = ""


@dataclass(frozen=True)
class RecoveryAccount:
    """An account's recovery: the worklist's row for it (None when it is not in arrears) and its story."""

    ref: str
    holder: str
    account_type: str
    tenancy_type: str | None
    balance_pence: int
    weekly_rent_pence: int
    row: wl.WorklistRow | None
    events: tuple[Event, ...]


def _name(d: date | None) -> str:
    return f"{d:%d/%m/%Y}" if d is not None else "—"


def _words(code: str | None) -> str:
    return (code or "").replace("_", " ")


def _steps(session: Any, account_id: int, names: dict[int, str]) -> list[Event]:
    rows = session.execute(select(ACTION.c.taken_on, ACTION.c.action, ACTION.c.note, ACTION.c.taken_by)
                           .where(ACTION.c.account_id == account_id)).all()
    return [Event(r[0], "step", f"Step: {_words(r[1])}", r[2] or "", names.get(r[3], "")) for r in rows]


def _notices(session: Any, account_id: int, names: dict[int, str]) -> list[Event]:
    found = []
    for r in session.execute(select(NOTICE).where(NOTICE.c.account_id == account_id)).mappings():
        detail = f"proceedings from {_name(r['proceedings_from'])}"
        if r["lapses_on"] is not None:
            detail += f", in force until {_name(r['lapses_on'])}"
        if r["withdrawn_on"] is not None:
            detail += f"; withdrawn {_name(r['withdrawn_on'])}"
        found.append(Event(r["served_on"], "notice", NOTICE_NAMES.get(r["kind"], r["kind"]) + " served",
                           f"{detail} ({_words(r['method'])})", names.get(r["served_by"], "")))
    return found


def _protocol(session: Any, account_id: int, names: dict[int, str]) -> list[Event]:
    rows = session.execute(select(STEP.c.done_on, STEP.c.step, STEP.c.evidence, STEP.c.recorded_by)
                           .where(STEP.c.account_id == account_id)).all()
    return [Event(r[0], "protocol", f"Protocol: {_words(r[1])}", r[2], names.get(r[3], "")) for r in rows]


def _benefits(session: Any, account_id: int) -> list[Event]:
    found = []
    for r in session.execute(select(BENEFIT).where(BENEFIT.c.account_id == account_id)).mappings():
        state = (f"decided {_name(r['decided_on'])}: {_words(r['outcome'])}" if r["decided_on"]
                 else "awaiting a decision")
        found.append(Event(r["made_on"], "benefit", f"{_words(r['kind']).capitalize()} claim made", state))
    for r in session.execute(select(MANAGED).where(MANAGED.c.account_id == account_id)).mappings():
        found.append(Event(r["requested_on"], "managed_payment", "UC managed payment requested",
                           f"{_words(r['state'])} since {_name(r['state_on'])}"))
    return found


def _court(session: Any, account_id: int) -> list[Event]:
    found = []
    for r in session.execute(select(CLAIM).where(CLAIM.c.account_id == account_id)).mappings():
        found.append(Event(r["issued_on"], "claim", "Possession claim issued",
                           " ".join(x for x in (r["claim_number"] or "", r["court_name"] or "") if x)))
    for r in session.execute(select(HEARING).where(HEARING.c.account_id == account_id)).mappings():
        outcome = r["outcome"]
        detail = (f"outcome: {_words(outcome)}" if outcome in COURT_OUTCOMES else "outcome not recorded")
        if r["terms_weekly_pence"]:
            detail += f", terms £{r['terms_weekly_pence'] / 100:.2f} a week on top of the rent"
        if r["possession_on"]:
            detail += f", possession on {_name(r['possession_on'])}"
        found.append(Event(r["hearing_on"], "hearing", "Court hearing", detail))
    for r in session.execute(select(EVICTION).where(EVICTION.c.account_id == account_id)).mappings():
        detail = f"eviction booked for {_name(r['eviction_on'])}" if r["eviction_on"] else "no eviction date yet"
        if r["outcome"]:
            detail += f"; {_words(r['outcome'])}"
        found.append(Event(r["warrant_applied_on"], "eviction", "Warrant applied for", detail))
    return found


def _row(ctx: ServiceContext, session: Any, account_id: int) -> wl.WorklistRow | None:
    """The worklist's row for this account, evaluated as the worklist does (None: not in arrears)."""
    return wl.evaluate_account(ctx, session, account_id)


def recovery_account(ctx: ServiceContext, account_ref: str) -> RecoveryAccount:
    """An account's next action and recovery story, newest first; audited as a view of the account."""
    ctx.require("account.view")
    ref = "".join((account_ref or "").split()).upper()
    if not ref:
        raise InputError("enter an account ref, e.g. RNT000123")
    with session_scope(ctx.engine) as session:
        found = session.execute(select(wl.ACCOUNT.c.id).where(wl.ACCOUNT.c.ref == ref)).scalar()
        account = session.get(Account, found) if found is not None else None
        if account is None or account.id is None:
            raise NotFound(f"no account with ref {ref!r}; check the ref or search for the person")
        names = dict(session.execute(select(STAFF.c.id, STAFF.c.display_name)).all())
        events = [*_steps(session, account.id, names), *_notices(session, account.id, names),
                  *_protocol(session, account.id, names), *_benefits(session, account.id), *_court(session, account.id)]
        tenancy = session.execute(select(wl.TENANCY.c.tenancy_type, wl.TENANCY.c.weekly_rent_pence)
                                  .where(wl.TENANCY.c.id == account.tenancy_id)).first()
        balance = session.execute(select(wl.BALANCE.c.balance_pence)
                                  .where(wl.BALANCE.c.account_id == account.id)).scalar()
        row = _row(ctx, session, account.id) if account.account_type == "rent" else None
        result = RecoveryAccount(account.ref, account.holder_name or "", account.account_type,
                                 tenancy[0] if tenancy else None, int(balance or 0),
                                 int(tenancy[1] or 0) if tenancy else 0, row,
                                 tuple(sorted(events, key=lambda e: (e.on, e.kind), reverse=True)))
    audit.record_read(ctx, "arrears.account_viewed", "account", result.ref, {"events": len(result.events)})
    return result


__all__ = ["Event", "RecoveryAccount", "recovery_account"]
