"""Bacs returns applied: ARUDD unpaid items and ADDACS amendments and cancellations (docs/RENTS_DIRECT_DEBIT.md).

A file is checked whole first (the format, then that every reference and collection is known); any
problem and nothing is applied, every problem named by line. Each row is applied once
(``dd_return.return_key``); a row already applied is skipped, so the same file may be run again.

ARUDD: the collection's ledger row is reversed ("direct debit unpaid", reason code and name), the
collection marked unpaid and the mandate's history says why. Code 0 (refer to payer) may be
re-presented once, within a month of the original collection, after a new advance notice: a
re-presentation notice is owed for the first date that notice can reach, if that is within the month.
Codes 1, 2, 3, 5, 6 end the mandate; 4 suspends it until the dispute is resolved; 7 and 8 leave it
for staff to check. ADDACS: 0, 1, 2, B cancel; 3 and D suspend; C and E take the new bank details
(checked) and continue. Each must be acted on within 3 Bacs working days (``act_by``), which is kept.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from duty_tui.areas.payments.db.dd_models import (
    DirectDebitCollection,
    DirectDebitMandate,
    DirectDebitMandateEvent,
    DirectDebitReturn,
)
from duty_tui.areas.payments.domain.bacs_calendar import ADVANCE_NOTICE_WORKING_DAYS, act_by, bacs_calendar
from duty_tui.areas.payments.domain.bacs_files import ReturnRow, parse_returns
from duty_tui.areas.payments.domain.mandate import ADDACS_REASONS, ARUDD_REASONS
from duty_tui.areas.payments.domain.modulus import WeightTable, check_account, load_weight_table
from duty_tui.areas.payments.services.common import office_for, stored_id
from duty_tui.areas.payments.services.direct_debit import MANAGE, owe_notice
from duty_tui.core.db.engine import session_scope
from duty_tui.core.db.models import LedgerEntry
from duty_tui.core.domain.clocks import add_months
from duty_tui.core.domain.errors import ConflictError, InputError
from duty_tui.core.services import audit
from duty_tui.core.services.changes import record_account_id
from duty_tui.core.services.context import ServiceContext

_ARUDD_STATUS = {"1": "cancelled", "2": "cancelled", "3": "cancelled", "5": "cancelled", "6": "cancelled",
                 "4": "suspended"}
_ADDACS_STATUS = {"0": "cancelled", "1": "cancelled", "2": "cancelled", "B": "cancelled", "3": "suspended",
                  "D": "suspended"}


@dataclass
class ReturnsSummary:
    """What a returns file did."""

    report: str
    applied: list[str] = field(default_factory=list)  # one line per row applied
    skipped: int = 0
    late: int = 0

    def as_json(self) -> dict[str, object]:
        """`dd returns --json`."""
        return {"report": self.report, "applied": len(self.applied), "skipped": self.skipped, "late": self.late,
                "actions": self.applied}


def _known(session: Session, report: str, rows: list[ReturnRow], table: WeightTable) -> tuple[dict, list[str]]:
    """Each row's mandate and (ARUDD) collection; a problem for each unknown one."""
    found, problems = {}, []
    for row in rows:
        m = session.exec(select(DirectDebitMandate).where(DirectDebitMandate.reference == row.reference)).first()
        if m is None:
            problems.append(f"line {row.line}: reference {row.reference!r} is not one of our mandates")
            continue
        c = None
        if report == "arudd":
            c = session.exec(select(DirectDebitCollection).where(
                DirectDebitCollection.mandate_id == m.id,
                DirectDebitCollection.collection_date == row.collection_date)).first()
            if c is None:
                problems.append(f"line {row.line}: no collection from {row.reference} on {row.collection_date}")
                continue
            if c.amount_pence != row.amount_pence:
                problems.append(f"line {row.line}: the collection was {c.amount_pence} pence, the file says "
                                f"{row.amount_pence}; check the file is ours")
                continue
        elif row.sort_code and row.account_number:
            result = check_account(table, row.sort_code, row.account_number)
            if not result.valid:
                problems.append(f"line {row.line}: new details: {result.message}")
                continue
        found[row.return_id] = (m, c)
    return found, problems


def _event(session: Session, ctx: ServiceContext, m: DirectDebitMandate, event: str, note: str) -> None:
    session.add(DirectDebitMandateEvent(mandate_id=stored_id(m), event=event, status=m.status,
                                        amount_pence=m.amount_pence + m.top_up_pence, collection_day=m.collection_day,
                                        at=ctx.now(), by=ctx.actor.id if ctx.actor else None, note=note[:200]))


def _unpaid(session: Session, ctx: ServiceContext, row: ReturnRow, m: DirectDebitMandate,
            c: DirectDebitCollection) -> str:
    reason = f"direct debit unpaid: ARUDD {row.reason} {ARUDD_REASONS[row.reason]}"
    original = session.get(LedgerEntry, c.ledger_entry_id)
    assert original is not None
    session.add(LedgerEntry(account_id=original.account_id, effective_date=ctx.today(), posted_at=ctx.now(),
                            kind="reversal", method="direct_debit", amount_pence=-original.amount_pence,
                            reference="dd_unpaid", office_id=office_for(session, ctx).id, reverses_id=original.id,
                            created_by=ctx.actor.id if ctx.actor else None, terminal=ctx.terminal[:64],
                            reason=reason))
    record_account_id(session, original.account_id)
    c.status = "unpaid"
    action = reason
    if row.reason in _ARUDD_STATUS and m.status != "cancelled":
        m.status = _ARUDD_STATUS[row.reason]
        m.version += 1  # a screen holding the mandate open must reload before changing it
        action += f"; mandate {m.status}"
    elif row.reason == "0" and c.represents_id is None:
        earliest = bacs_calendar().add_working_days(ctx.today(), ADVANCE_NOTICE_WORKING_DAYS)
        if earliest <= add_months(c.collection_date, 1):
            owe_notice(session, m, "represent", earliest, c.amount_pence)
            action += f"; re-presentation on {earliest.isoformat()} once its notice is sent"
        else:
            action += "; too late to re-present within a month: ask the payer to pay another way"
    elif row.reason == "0":
        action += "; already re-presented once: ask the payer to pay another way"
    else:
        action += "; check the amount with the payer"
    _event(session, ctx, m, "unpaid", action)
    return action


def _amend(session: Session, ctx: ServiceContext, row: ReturnRow, m: DirectDebitMandate) -> str:
    action = f"ADDACS {row.reason} {ADDACS_REASONS[row.reason]}"
    if row.reason in _ADDACS_STATUS:
        m.status = _ADDACS_STATUS[row.reason]
        action += f"; mandate {m.status}"
    if row.sort_code and row.account_number:
        m.sort_code, m.account_number = row.sort_code, row.account_number.zfill(8)
        action += "; bank details updated"
    m.version += 1
    _event(session, ctx, m, "addacs", action)
    return action


def apply_returns(ctx: ServiceContext, report: str, data: bytes) -> ReturnsSummary:
    """Apply an ARUDD or ADDACS CSV: all rows or none, each row once, problems named by line."""
    ctx.require(MANAGE)
    if report not in ("arudd", "addacs"):
        raise InputError(f"report: choose arudd or addacs, not {report!r}")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError("the file is not UTF-8 text; export it from the Bacs reports as CSV") from None
    rows, problems = parse_returns(report, text)
    if problems:
        raise InputError(problems[0], problems=problems)
    summary = ReturnsSummary(report)
    with session_scope(ctx.engine, write=True) as session:
        keys = {f"{report}:{row.return_id}": row for row in rows}
        done = set(session.exec(select(DirectDebitReturn.return_key).where(
            DirectDebitReturn.return_key.in_(list(keys)))).all())  # type: ignore[attr-defined]
        fresh = [row for key, row in keys.items() if key not in done]
        summary.skipped = len(rows) - len(fresh)
        found, problems = _known(session, report, fresh, load_weight_table(ctx.settings.data_dir))
        if problems:
            raise InputError(problems[0], problems=problems)
        try:
            for row in fresh:
                m, c = found[row.return_id]
                action = _unpaid(session, ctx, row, m, c) if c is not None else _amend(session, ctx, row, m)
                due = act_by(row.received)
                summary.late += ctx.today() > due
                session.add(DirectDebitReturn(return_key=f"{report}:{row.return_id}", report=report,
                                              reason_code=row.reason, mandate_id=stored_id(m),
                                              collection_id=c.id if c else None, received_on=row.received,
                                              act_by=due, applied_at=ctx.now(),
                                              applied_by=ctx.actor.id if ctx.actor else None, action=action[:200]))
                summary.applied.append(f"{m.reference}: {action}")
            session.flush()
        except IntegrityError:
            raise ConflictError("these returns were applied by another run at the same moment; nothing from this "
                                "one was saved: run it again (rows already applied are skipped)") from None
        audit.record(session, ctx, "dd.returns_applied", "dd_return", report,
                     {"report": report, "applied": len(summary.applied), "skipped": summary.skipped,
                      "late": summary.late})
    return summary


__all__ = ["ReturnsSummary", "apply_returns"]
