"""An account's statement for any period: its rows with a running balance, which may still be reversed,
and the opening and closing balances; audited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlmodel import col, select

from duty_tui.areas.payments.domain.reference import PaymentsPolicy
from duty_tui.areas.payments.services.common import (
    account_by_ref,
    balance_of,
    holder_person,
    office_for,
    policy,
    stored_id,
)
from duty_tui.areas.payments.services.reversals import NOT_REVERSIBLE
from duty_tui.areas.payments.services.words import account_type_name, kind_name, receipt_label
from duty_tui.core.db.engine import session_scope
from duty_tui.core.db.models import LedgerEntry, Office
from duty_tui.core.domain.errors import InputError
from duty_tui.core.services import audit
from duty_tui.core.services.context import ServiceContext


@dataclass(frozen=True)
class StatementRow:
    """One ledger row on a statement, with the running balance."""

    entry_id: int
    effective_date: date
    posted_at: datetime
    kind: str
    method: str | None
    description: str
    amount_pence: int
    balance_pence: int
    receipt: str | None
    reversed_by: int | None
    reverses_id: int | None

    @property
    def can_reverse(self) -> bool:
        """True when this row may still be reversed."""
        return self.reversed_by is None and self.kind not in NOT_REVERSIBLE


@dataclass(frozen=True)
class StatementView:
    """An account's statement for a period."""

    account_ref: str
    account_type: str
    holder: str
    person_ref: str | None
    closed_on: date | None
    start: date
    end: date
    opening_pence: int
    closing_pence: int
    balance_now_pence: int
    rows: tuple[StatementRow, ...]
    office_name: str
    produced_at: datetime
    notes: tuple[str, ...] = ()
    """Notes about the period (a rent account's 53-week rent year: the rents area's hook
    ``statement.rent_year_notes``; none without it)."""

    @property
    def type_name(self) -> str:
        """The account type as staff say it."""
        return account_type_name(self.account_type)


_ROW_COLUMNS = tuple(col(c) for c in (
    LedgerEntry.id, LedgerEntry.effective_date, LedgerEntry.posted_at, LedgerEntry.kind, LedgerEntry.method,
    LedgerEntry.amount_pence, LedgerEntry.receipt_no, LedgerEntry.office_id, LedgerEntry.reverses_id,
    LedgerEntry.reason, LedgerEntry.reference, LedgerEntry.external_id))
"""What a statement line needs of a ledger row (read as plain rows, named as the model's fields)."""


def _describe(rules: PaymentsPolicy, entry: Any, office_codes: dict[int | None, str]) -> str:
    """A statement line's words; ``entry`` is a LedgerEntry or a row of _ROW_COLUMNS."""
    parts = [kind_name(entry.kind)]
    if entry.method and entry.kind not in ("rent_debit",):
        parts.append(rules.method_name(entry.method))
    if entry.reverses_id:
        parts.append(f"of #{entry.reverses_id}")
    if entry.reason:
        parts.append(entry.reason)
    elif entry.reference and entry.kind != "payment":
        parts.append(entry.reference)
    if entry.external_id:
        parts.append(f"ref {entry.external_id}")
    return " · ".join(parts)


def _rent_year_notes(ctx: ServiceContext, account_type: str, start: date, end: date) -> tuple[str, ...]:
    """A rent account's notes about its period's rent years (the rents area's hook; none without it)."""
    from duty_tui.core import registry

    notes = registry.hook("statement.rent_year_notes") if account_type == "rent" else None
    return tuple(notes(ctx.settings.data_dir, start, end)) if notes else ()


def account_statement(ctx: ServiceContext, account_ref: str, start: date | None = None,
                      end: date | None = None) -> StatementView:
    """The statement of an account for any period (default: the last 13 weeks); audited."""
    ctx.require("account.view")
    rules = policy(ctx)
    today = ctx.today()
    end = end or today
    start = start or end - timedelta(weeks=13)
    if start > end:
        raise InputError(f"the period starts ({start:%d/%m/%Y}) after it ends ({end:%d/%m/%Y}); swap the dates")
    with session_scope(ctx.engine) as session:  # a read; the audit event after it (docs/AUDIT.md)
        account = account_by_ref(session, account_ref)
        opening = int(session.exec(select(func.coalesce(func.sum(LedgerEntry.amount_pence), 0)).where(
            LedgerEntry.account_id == account.id, LedgerEntry.effective_date < start)).one() or 0)
        # Rows, not ORM objects: a long statement spent most of its time building LedgerEntry instances.
        entries = session.connection().execute(sa_select(*_ROW_COLUMNS).where(
            col(LedgerEntry.account_id) == account.id, col(LedgerEntry.effective_date) >= start,
            col(LedgerEntry.effective_date) <= end).order_by(col(LedgerEntry.effective_date), col(LedgerEntry.id))).all()
        ids = [e.id for e in entries]
        reversed_by: dict[int | None, int | None] = {}
        for part in [ids[i:i + 500] for i in range(0, len(ids), 500)]:
            for rid, orig in session.exec(select(LedgerEntry.id, LedgerEntry.reverses_id).where(
                    col(LedgerEntry.reverses_id).in_(part))).all():
                reversed_by[orig] = rid
        office_codes = {o.id: o.code for o in session.exec(select(Office)).all()}
        rows = []
        running = opening
        for e in entries:
            running += e.amount_pence
            receipt = (receipt_label(office_codes.get(e.office_id, "?"), e.receipt_no)
                       if e.receipt_no is not None and e.office_id else None)
            rows.append(StatementRow(e.id, e.effective_date, e.posted_at, e.kind, e.method,
                                     _describe(rules, e, office_codes), e.amount_pence, running, receipt,
                                     reversed_by.get(e.id), e.reverses_id))
        now_balance = balance_of(session, stored_id(account))
        person = holder_person(session, account)
        office = office_for(session, ctx)
        view = StatementView(account.ref, account.account_type, account.holder_name, person.ref if person else None,
                             account.closed_on, start, end, opening, running, now_balance, tuple(rows), office.name,
                             ctx.now(), _rent_year_notes(ctx, account.account_type, start, end))
    audit.record_read(ctx, "account.statement", "account", view.account_ref,
                      {"from": start.isoformat(), "to": end.isoformat()})
    return view


__all__ = ["StatementRow", "StatementView", "account_statement"]
