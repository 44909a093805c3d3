"""An arrangement's state history: the ledger's movements it is checked against, the states recorded,
and recording the changes a read finds (once, however many terminals find them at the same moment).

Changes are found when arrangements are read (``arrangements.py``) and recorded after the read in a
small write transaction of their own, with one audit event, like the audit of a read: INSERT … ON
CONFLICT DO NOTHING over ``uq_arrangement_state``, so a change found by two terminals at once is
stored once and audited once (by the terminal whose insert landed).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import col, select

from duty_tui.areas.payments.db.models import ArrangementState
from duty_tui.areas.payments.domain.agreement import STATE_NAMES, Movement
from duty_tui.areas.payments.services.common import chunks
from duty_tui.core.db.engine import session_scope
from duty_tui.core.db.models import LedgerEntry, table_of
from duty_tui.core.domain.local_time import format_local
from duty_tui.core.services import audit
from duty_tui.core.services.context import ServiceContext


@dataclass(frozen=True)
class StateChange:
    """One entry of an arrangement's history: what it became, from which day, when it was seen."""

    state: str
    since: date
    detected_at: datetime
    note: str | None = None

    @property
    def line(self) -> str:
        """'23/03/2026 breached (seen 24/03/2026 09:12): £20.00 behind the expected balance'."""
        text = f"{self.since:%d/%m/%Y} {STATE_NAMES.get(self.state, self.state)}"
        text += f" (seen {format_local(self.detected_at, '%d/%m/%Y %H:%M')})"
        return text + (f": {self.note}" if self.note else "")


@dataclass(frozen=True)
class FoundChange:
    """A change of state a read found, to be recorded after it."""

    arrangement_id: int
    ref: str
    state: str
    since: date
    note: str | None


def movements_by_account(session, account_ids: Sequence[int], since: date,
                         rent_kinds: Sequence[str]) -> dict[int, list[Movement]]:
    """Each account's ledger since a day, summed per day into rent charged and everything else."""
    sums: dict[tuple[int, date, bool], int] = defaultdict(int)
    rent = set(rent_kinds)
    for part in chunks(list(account_ids)):
        for account_id, day, kind, amount in session.exec(
            select(col(LedgerEntry.account_id), col(LedgerEntry.effective_date), col(LedgerEntry.kind),
                   func.sum(LedgerEntry.amount_pence))
            .where(col(LedgerEntry.account_id).in_(part), LedgerEntry.effective_date >= since)
            .group_by(col(LedgerEntry.account_id), col(LedgerEntry.effective_date), col(LedgerEntry.kind))
        ).all():
            sums[(account_id, day, kind in rent)] += int(amount or 0)
    found: dict[int, list[Movement]] = defaultdict(list)
    for (account_id, day, is_rent), amount in sorted(sums.items()):
        if amount:
            found[account_id].append(Movement(day, amount, is_rent))
    return found


def latest_states(session, arrangement_ids: Sequence[int]) -> dict[int, tuple[str, date]]:
    """Each arrangement's latest recorded state and its day (the latest day; the latest row that day)."""
    latest: dict[int, tuple[date, int, str]] = {}
    for part in chunks(list(arrangement_ids)):
        for arrangement_id, row_id, state, since in session.exec(
            select(col(ArrangementState.arrangement_id), col(ArrangementState.id), col(ArrangementState.state),
                   col(ArrangementState.since)).where(col(ArrangementState.arrangement_id).in_(part))
        ).all():
            key = (since, row_id, state)
            if arrangement_id not in latest or key[:2] > latest[arrangement_id][:2]:
                latest[arrangement_id] = key
    return {k: (v[2], v[0]) for k, v in latest.items()}


def histories(session, arrangement_ids: Sequence[int]) -> dict[int, tuple[StateChange, ...]]:
    """Each arrangement's history, newest first."""
    found: dict[int, list[StateChange]] = defaultdict(list)
    for part in chunks(list(arrangement_ids)):
        for row in session.exec(select(ArrangementState).where(col(ArrangementState.arrangement_id).in_(part))
                                .order_by(col(ArrangementState.since).desc(), col(ArrangementState.id).desc())):
            found[row.arrangement_id].append(StateChange(row.state, row.since, row.detected_at, row.note))
    return {k: tuple(v) for k, v in found.items()}


def add_state(session, ctx: ServiceContext, arrangement_id: int, state: str, since: date,
              note: str | None = None) -> bool:
    """Record one change in the caller's transaction; False when it was recorded already (a no-op)."""
    values = {"arrangement_id": arrangement_id, "state": state, "since": since, "detected_at": ctx.now(),
              "note": (note or None) and note[:200]}
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    table = table_of(ArrangementState)  # Core, not the ORM's bulk insert: RETURNING says whether the row landed
    statement = insert(table).values(**values).on_conflict_do_nothing(
        index_elements=["arrangement_id", "since", "state"]).returning(table.c.id)
    return session.execute(statement).first() is not None


def record_found(ctx: ServiceContext, found: Sequence[FoundChange]) -> int:
    """Record the changes a read found, in a write transaction of their own; how many were new."""
    if not found:
        return 0
    with session_scope(ctx.engine, write=True) as session:
        recorded = [f for f in found if add_state(session, ctx, f.arrangement_id, f.state, f.since, f.note)]
        if recorded:
            audit.record(session, ctx, "arrangement.state", "arrangement",
                         recorded[0].ref if len({f.ref for f in recorded}) == 1 else None,
                         {"count": len(recorded), "changes": [
                             f"{f.ref} {f.state} from {f.since.isoformat()}" for f in recorded[:50]]})
        return len(recorded)
