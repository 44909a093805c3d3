"""End-of-day cash-up per user and till: expected by method from the ledger against counted
(cash by denomination), the variance with a reason, a second person's sign-off, the report.

Once a till is cashed up for a day it takes no more counter payments that day
(take_payment checks, under the same office lock, so nothing slips in between).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from duty_tui.areas.payments.db.models import CashUp, CashUpDenomination
from duty_tui.areas.payments.db.models import CashUpLine as CashUpLineRow
from duty_tui.areas.payments.domain.rules import CashUpLine, cashup_lines, check_variance_reason, count_cash
from duty_tui.areas.payments.services.common import (
    assign_ref,
    by_whom,
    lock_office,
    office_for,
    pending_ref,
    policy,
    staff_names,
)
from duty_tui.core.db.engine import session_scope
from duty_tui.core.db.models import LedgerEntry, Office
from duty_tui.core.domain.errors import ConflictError, InputError, NotFound, PermissionDenied
from duty_tui.core.domain.local_time import format_local
from duty_tui.core.services import audit
from duty_tui.core.services.context import ServiceContext


def counter_closed(session: Session, office_id: int, till_code: str, day: date) -> CashUp | None:
    """The first cash-up of this till on this day, if it has been cashed up (no more counter payments)."""
    return session.exec(select(CashUp).where(CashUp.office_id == office_id, CashUp.till_code == till_code,
                                             CashUp.business_date == day).order_by(col(CashUp.id))).first()


@dataclass(frozen=True)
class TillTakings:
    """What the ledger says one user took on one till on one day, and whether it is cashed up."""

    till_code: str
    business_date: date
    user_id: int
    user_name: str
    lines: tuple[CashUpLine, ...]
    cashup_ref: str | None

    @property
    def expected_pence(self) -> int:
        """Total expected in the till."""
        return sum(line.expected_pence for line in self.lines)


@dataclass(frozen=True)
class CashUpView:
    """A cash-up as its report shows it."""

    ref: str
    office_name: str
    till_code: str
    business_date: date
    user_id: int
    user_name: str
    status: str
    counted_at: datetime
    lines: tuple[CashUpLine, ...]
    denominations: tuple[tuple[int, int], ...]  # (pence, quantity)
    expected_pence: int
    counted_pence: int
    variance_pence: int
    variance_reason: str | None
    signed_off_by: str | None
    signed_off_at: datetime | None
    version: int


def _counter_methods(ctx: ServiceContext) -> list[str]:
    return [code for code, m in policy(ctx).methods.items() if "counter" in m.channels]


def _expected(session, office_id: int, till_code: str, day: date, user_id: int) -> dict[str, tuple[int, int]]:
    """method -> (lines, pence) taken by ``user_id`` on the till, net of same-day reversals of them."""
    original = aliased(LedgerEntry)
    taker = func.coalesce(original.created_by, LedgerEntry.created_by)
    rows = session.exec(
        select(LedgerEntry.method, func.count(col(LedgerEntry.id)).filter(col(LedgerEntry.reverses_id).is_(None)),
               func.coalesce(func.sum(LedgerEntry.amount_pence), 0))
        .join(original, original.id == LedgerEntry.reverses_id, isouter=True)
        .where(LedgerEntry.office_id == office_id, LedgerEntry.till_code == till_code,
               LedgerEntry.effective_date == day, taker == user_id)
        .group_by(LedgerEntry.method)
    ).all()
    return {method or "unknown": (int(count or 0), -int(total or 0)) for method, count, total in rows}


def till_takings(ctx: ServiceContext, till_code: str, business_date: date | None = None) -> TillTakings:
    """The signed-in user's takings on a till for a day (default today), from the ledger."""
    actor = ctx.require("payment.take")
    rules = policy(ctx)
    day = business_date or ctx.today()
    till = (till_code or "").strip().upper()
    if till not in rules.tills:
        raise InputError(f"till {till_code!r} is not one of {', '.join(rules.tills)}")
    with session_scope(ctx.engine) as session:
        office = office_for(session, ctx)
        expected = _expected(session, office.id, till, day, actor.id)
        done = session.exec(select(CashUp).where(CashUp.office_id == office.id, CashUp.till_code == till,
                                                 CashUp.user_id == actor.id, CashUp.business_date == day)).first()
        lines = cashup_lines(expected, {}, _counter_methods(ctx))
        return TillTakings(till, day, actor.id, actor.display_name, tuple(lines), done.ref if done else None)


def _view(session, ctx: ServiceContext, cashup: CashUp) -> CashUpView:
    lines = session.exec(select(CashUpLineRow).where(CashUpLineRow.cashup_id == cashup.id)).all()
    order = _counter_methods(ctx)
    lines = sorted(lines, key=lambda r: (order.index(r.method) if r.method in order else len(order), r.method))
    denominations = session.exec(select(CashUpDenomination).where(CashUpDenomination.cashup_id == cashup.id)
                                 .order_by(col(CashUpDenomination.denomination_pence).desc())).all()
    names = staff_names(session, [cashup.user_id, cashup.signed_off_by])
    office = session.get(Office, cashup.office_id)
    return CashUpView(
        cashup.ref, office.name if office else "", cashup.till_code, cashup.business_date, cashup.user_id,
        names.get(cashup.user_id, "—"), cashup.status, cashup.counted_at,
        tuple(CashUpLine(r.method, r.payments, r.expected_pence, r.counted_pence) for r in lines),
        tuple((d.denomination_pence, d.quantity) for d in denominations), cashup.expected_pence,
        cashup.counted_pence, cashup.variance_pence, cashup.variance_reason,
        names.get(cashup.signed_off_by) if cashup.signed_off_by else None, cashup.signed_off_at, cashup.version)


def submit_cashup(ctx: ServiceContext, till_code: str, cash_counts: dict[int, int], counted_totals: dict[str, int],
                  variance_reason: str | None = None, *, business_date: date | None = None) -> CashUpView:
    """Count the signed-in user's till: expected (ledger) against counted; closes the till for the day."""
    actor = ctx.require("payment.take")
    rules = policy(ctx)
    today = ctx.today()
    day = business_date or today
    till = (till_code or "").strip().upper()
    problems: list[str] = []
    if till not in rules.tills:
        problems.append(f"till {till_code!r} is not one of {', '.join(rules.tills)}")
    if day > today:
        problems.append("a till cannot be cashed up for a day that has not come yet")
    cash = 0
    try:
        cash = count_cash(cash_counts, [d.pence for d in rules.denominations])
    except ValueError as exc:
        problems.append(str(exc))
    methods = _counter_methods(ctx)
    counted: dict[str, int] = {}
    for method in methods:
        how = rules.methods[method].cashup
        if how == "denominations":
            counted[method] = cash
        else:
            value = counted_totals.get(method, 0)
            if value < 0:
                problems.append(f"the counted {rules.method_name(method).lower()} total cannot be negative")
            counted[method] = value
    unknown = sorted(set(counted_totals) - set(methods))
    if unknown:
        problems.append(f"{', '.join(unknown)} is not taken at the counter, so it is not counted in a cash-up")
    if problems:
        raise InputError(problems[0], problems=problems)
    try:
        with session_scope(ctx.engine, write=True) as session:
            office = lock_office(session, office_for(session, ctx).id)  # no counter payment slips in meanwhile
            done = session.exec(select(CashUp).where(CashUp.office_id == office.id, CashUp.till_code == till,
                                                     CashUp.user_id == actor.id, CashUp.business_date == day)).first()
            if done is not None:
                raise _already_counted(session, till, day, done)
            expected = _expected(session, office.id, till, day, actor.id)
            lines = cashup_lines(expected, counted, methods)
            try:
                reason = check_variance_reason(lines, variance_reason)
            except ValueError as exc:
                raise InputError(str(exc)) from None
            expected_total = sum(line.expected_pence for line in lines)
            counted_total = sum(line.counted_pence for line in lines)
            cashup = CashUp(ref=pending_ref("CU"), office_id=office.id, till_code=till, user_id=actor.id,
                            business_date=day, counted_at=ctx.now(), expected_pence=expected_total,
                            counted_pence=counted_total, variance_pence=counted_total - expected_total,
                            variance_reason=reason)
            session.add(cashup)
            ref = assign_ref(session, cashup, "CU")
            session.add_all(CashUpLineRow(cashup_id=cashup.id, method=line.method, payments=line.payments,
                                          expected_pence=line.expected_pence, counted_pence=line.counted_pence)
                            for line in lines)
            session.add_all(CashUpDenomination(cashup_id=cashup.id, denomination_pence=pence, quantity=quantity)
                            for pence, quantity in sorted(cash_counts.items(), reverse=True) if quantity)
            session.flush()
            audit.record(session, ctx, "cashup.submit", "cashup", ref, {
                "till": till, "date": day.isoformat(), "expected_pence": expected_total,
                "counted_pence": counted_total, "variance_pence": counted_total - expected_total,
                "reason": reason})
            return _view(session, ctx, cashup)
    except IntegrityError:
        # uq_cashup_till_user_day: the same count was submitted from another terminal just now.
        with session_scope(ctx.engine) as session:
            done = session.exec(select(CashUp).where(CashUp.office_id == office_for(session, ctx).id,
                                                     CashUp.till_code == till, CashUp.user_id == actor.id,
                                                     CashUp.business_date == day)).first()
            if done is None:
                raise
            raise _already_counted(session, till, day, done) from None


def _already_counted(session, till: str, day: date, done: CashUp) -> ConflictError:
    return ConflictError(f"you already cashed up {till} for {day:%d/%m/%Y} ({done.ref}, counted at "
                         f"{format_local(done.counted_at, '%H:%M on %d/%m/%Y')}); nothing was changed",
                         record=f"cash-up {done.ref}", changed_at=done.counted_at)


def cashups_to_sign_off(ctx: ServiceContext) -> list[CashUpView]:
    """Cash-ups counted but not yet signed off, oldest first."""
    if not (ctx.can("cashup.signoff") or ctx.can("payment.take")):
        ctx.require("cashup.signoff")
    with session_scope(ctx.engine) as session:
        rows = session.exec(select(CashUp).where(CashUp.status == "counted")
                            .order_by(col(CashUp.business_date), col(CashUp.id))).all()
        return [_view(session, ctx, c) for c in rows]


def recent_cashups(ctx: ServiceContext, days: int = 7) -> list[CashUpView]:
    """Cash-ups of the last few days, newest first (for the report)."""
    if not (ctx.can("cashup.signoff") or ctx.can("payment.take")):
        ctx.require("cashup.signoff")
    from datetime import timedelta

    since = ctx.today() - timedelta(days=days)
    with session_scope(ctx.engine) as session:
        rows = session.exec(select(CashUp).where(CashUp.business_date >= since)
                            .order_by(col(CashUp.business_date).desc(), col(CashUp.id).desc())).all()
        return [_view(session, ctx, c) for c in rows]


def get_cashup(ctx: ServiceContext, ref: str) -> CashUpView:
    """One cash-up by ref."""
    if not (ctx.can("cashup.signoff") or ctx.can("payment.take")):
        ctx.require("cashup.signoff")
    with session_scope(ctx.engine) as session:
        cashup = session.exec(select(CashUp).where(CashUp.ref == ref.strip().upper())).first()
        if cashup is None:
            raise NotFound(f"no cash-up {ref!r}")
        return _view(session, ctx, cashup)


def sign_off_cashup(ctx: ServiceContext, ref: str, seen_version: int) -> CashUpView:
    """A second person checks and signs off someone else's cash-up."""
    actor = ctx.require("cashup.signoff")
    with session_scope(ctx.engine, write=True) as session:
        cashup = session.exec(select(CashUp).where(CashUp.ref == ref.strip().upper())).first()
        if cashup is None:
            raise NotFound(f"no cash-up {ref!r}")
        if cashup.user_id == actor.id:
            raise PermissionDenied(f"you counted {cashup.ref}; a second person must sign it off")

        def already() -> ConflictError:
            session.refresh(cashup)
            return ConflictError(f"{cashup.ref} was already signed off by "
                                 f"{by_whom(session, cashup.signed_off_by, cashup.signed_off_at)}; nothing was changed",
                                 record=f"cash-up {cashup.ref}", changed_at=cashup.signed_off_at,
                                 version=cashup.version)

        if cashup.status != "counted":
            raise already()
        # Signed off once: a conditional UPDATE of the cash-up's own row (still counted, at the version
        # seen). On PostgreSQL a second signer from any office waits on the row, then matches nothing;
        # SQLite's write transaction serialises them.
        changed = session.exec(update(CashUp).where(
            CashUp.id == cashup.id, CashUp.status == "counted", CashUp.version == seen_version).values(
            status="signed_off", signed_off_by=actor.id, signed_off_at=ctx.now(), version=CashUp.version + 1))
        if changed.rowcount != 1:
            session.refresh(cashup)
            if cashup.status != "counted":
                raise already()
            raise ConflictError(f"someone else changed {cashup.ref} just now; nothing was changed — reload and check")
        session.refresh(cashup)
        audit.record(session, ctx, "cashup.signoff", "cashup", cashup.ref, {
            "variance_pence": cashup.variance_pence, "counted_by": cashup.user_id})
        return _view(session, ctx, cashup)


__all__ = ["CashUpView", "TillTakings", "cashups_to_sign_off", "get_cashup", "recent_cashups", "sign_off_cashup",
           "submit_cashup", "till_takings"]
