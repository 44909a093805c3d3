"""Acting on the worklist: record a recovery step taken, pause recovery until a date, lift a pause.

Each is one write transaction, permission ``arrears.manage`` checked first, the audit event written in
it. Codes come from the recovery policy (``data/income/recovery.toml``): a step's code, or
``update_court_outcome`` / ``update_eviction_outcome``; a pause's reason from the policy's pause
reasons. An account has at most one active pause — the database's partial UNIQUE index
``ux_recovery_pause_active`` refuses a second, even from two terminals at the same moment.

Recording the policy's "apply for possession" step is refused unless the possession gate
(``services/gate.py``: the law engine on the account's recorded facts) allows it on the day it was
taken, judged inside the same write transaction, with one message naming every missing step and reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from duty_tui.areas.income.db.models import RecoveryAction, RecoveryPause
from duty_tui.areas.income.domain.policy import (
    PAUSE_REASONS,
    UPDATE_COURT_OUTCOME,
    UPDATE_EVICTION_OUTCOME,
    load_recovery_policy,
)
from duty_tui.areas.income.domain.protocol import APPLY_FOR_POSSESSION
from duty_tui.areas.income.services.gate import possession_gate
from duty_tui.core.db.engine import session_scope
from duty_tui.core.db.models import Account, StaffUser, table_of
from duty_tui.core.domain.errors import ConflictError, InputError, NotFound
from duty_tui.core.services import audit
from duty_tui.core.services.context import ServiceContext

NOTE_MAX = 2000
PAUSE, STAFF = table_of(RecoveryPause), table_of(StaffUser)


@dataclass(frozen=True)
class RecordedAction:
    """A recovery step as recorded."""

    account_ref: str
    action: str
    taken_on: date
    note: str | None


@dataclass(frozen=True)
class PauseState:
    """A pause as set or lifted."""

    account_ref: str
    reason: str
    until: date
    note: str | None
    lifted: bool = False


def action_codes(ctx: ServiceContext) -> tuple[str, ...]:
    """Every code a recovery step may be recorded with, in policy order."""
    policy = load_recovery_policy(ctx.settings.data_dir)
    codes = dict.fromkeys(stage.code for stage in policy.stages)
    return (*codes, UPDATE_COURT_OUTCOME, UPDATE_EVICTION_OUTCOME)


def rent_account(session, ref: str, today: date) -> Account:
    """The open rent account a ref names (spaces and case forgiven); InputError / NotFound saying what to fix."""
    wanted = re.sub(r"\s+", "", ref or "").upper()
    if not wanted:
        raise InputError("enter an account ref, e.g. RNT000123")
    found = session.execute(select(table_of(Account).c.id).where(table_of(Account).c.ref == wanted)).scalar()
    account = session.get(Account, found) if found is not None else None
    if account is None:
        raise NotFound(f"no account with ref {wanted!r}; check the ref or search for the person")
    if account.account_type != "rent":
        raise InputError(f"{wanted} is a {account.account_type.replace('_', ' ')} account: arrears recovery is "
                         "recorded on rent accounts")
    if account.closed_on is not None and account.closed_on <= today:
        raise InputError(f"{wanted} was closed on {account.closed_on:%d/%m/%Y}: recovery on a closed account "
                         "is former-tenant arrears, not recorded here")
    return account


_rent_account = rent_account


def _id(account: Account) -> int:
    assert account.id is not None  # a stored row
    return account.id


def _note(note: str | None) -> str | None:
    text = (note or "").strip()
    if len(text) > NOTE_MAX:
        raise InputError(f"note: at most {NOTE_MAX} characters (this one has {len(text)}); shorten it")
    return text or None


def record_action(ctx: ServiceContext, ref: str, action: str, note: str | None = None, *,
                  taken_on: date | None = None) -> RecordedAction:
    """Record a recovery step taken on a rent account (today unless ``taken_on``, never in the future)."""
    actor = ctx.require("arrears.manage")
    today = ctx.today()
    codes = action_codes(ctx)
    code = (action or "").strip().lower()
    if code not in codes:
        raise InputError(f"action: {action!r} is not a recovery step; choose one of {', '.join(codes)}")
    day = taken_on or today
    if day > today:
        raise InputError(f"taken on: {day:%d/%m/%Y} is in the future; record a step on the day it was taken "
                         f"(today, {today:%d/%m/%Y}, or earlier)")
    text = _note(note)
    with session_scope(ctx.engine, write=True) as session:
        account = _rent_account(session, ref, today)
        if code == APPLY_FOR_POSSESSION:
            gate = possession_gate(ctx, session, account, day)
            if not gate.may_apply:
                raise InputError(gate.message)
        session.add(RecoveryAction(account_id=_id(account), action=code, taken_on=day, taken_by=actor.id, note=text,
                                   created_at=ctx.now()))
        audit.record(session, ctx, "arrears.action_recorded", "account", account.ref,
                     {"action": code, "taken_on": day.isoformat(), "note": bool(text)})
        account_ref = account.ref
    return RecordedAction(account_ref, code, day, text)


def _active_pause(session, account_id: int | None) -> RecoveryPause | None:
    found = session.execute(select(PAUSE.c.id).where(PAUSE.c.account_id == account_id,
                                                     PAUSE.c.lifted_at.is_(None))).scalar()
    return None if found is None else session.get(RecoveryPause, found)


def _by(session, staff_id: int | None) -> str:
    name = session.execute(select(STAFF.c.display_name).where(STAFF.c.id == staff_id)).scalar() if staff_id else None
    return f" by {name}" if name else ""


def pause(ctx: ServiceContext, ref: str, reason: str, until: date, note: str | None = None) -> PauseState:
    """Pause recovery on a rent account until a date after today; a second pause in force is refused."""
    actor = ctx.require("arrears.manage")
    today = ctx.today()
    code = (reason or "").strip().lower()
    if code not in PAUSE_REASONS:
        raise InputError(f"reason: {reason!r} is not a pause reason; choose one of {', '.join(PAUSE_REASONS)}")
    if until <= today:
        raise InputError(f"until: {until:%d/%m/%Y} is not after today ({today:%d/%m/%Y}); give the day recovery "
                         "should resume")
    text = _note(note)
    try:
        with session_scope(ctx.engine, write=True) as session:
            account = _rent_account(session, ref, today)
            current = _active_pause(session, account.id)
            if current is not None and current.until > today:
                raise ConflictError(f"{account.ref} is already paused until {current.until:%d/%m/%Y} "
                                    f"({PAUSE_REASONS.get(current.reason, current.reason)}){_by(session, current.set_by)};"
                                    " lift that pause first")
            if current is not None:  # its day has come: recovery resumed then, so the pause is over
                session.execute(update(PAUSE).where(PAUSE.c.id == current.id).values(lifted_at=ctx.now(), lifted_by=actor.id, version=current.version + 1))
            session.add(RecoveryPause(account_id=_id(account), reason=code, until=until, note=text, set_by=actor.id,
                                      set_at=ctx.now()))
            session.flush()
            audit.record(session, ctx, "arrears.paused", "account", account.ref,
                         {"reason": code, "until": until.isoformat(), "note": bool(text),
                          "ended_expired_pause": current is not None})
            account_ref = account.ref
    except IntegrityError:  # another terminal paused it between our read and our insert
        raise ConflictError(f"{ref.strip().upper()} was paused by someone else a moment ago; reopen the worklist "
                            "to see their pause") from None
    return PauseState(account_ref, code, until, text)


def lift_pause(ctx: ServiceContext, ref: str) -> PauseState:
    """Lift the account's active pause, so recovery resumes today."""
    actor = ctx.require("arrears.manage")
    today = ctx.today()
    with session_scope(ctx.engine, write=True) as session:
        account = _rent_account(session, ref, today)
        current = _active_pause(session, account.id)
        if current is None:
            raise InputError(f"{account.ref} is not paused; there is nothing to lift")
        done = session.execute(update(PAUSE).where(PAUSE.c.id == current.id, PAUSE.c.lifted_at.is_(None)).values(lifted_at=ctx.now(), lifted_by=actor.id, version=current.version + 1))
        if done.rowcount != 1:  # type: ignore[attr-defined]
            raise ConflictError(f"{account.ref}'s pause was lifted by someone else a moment ago")
        audit.record(session, ctx, "arrears.pause_lifted", "account", account.ref,
                     {"reason": current.reason, "until": current.until.isoformat()})
        state = PauseState(account.ref, current.reason, current.until, current.note, lifted=True)
    return state


__all__ = ["PauseState", "RecordedAction", "action_codes", "lift_pause", "pause", "record_action", "rent_account"]
