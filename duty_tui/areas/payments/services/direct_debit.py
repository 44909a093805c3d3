"""Direct debit mandates: add, change, pause, resume, cancel, view (docs/RENTS_DIRECT_DEBIT.md).

Each change is one write transaction with its audit event; the mandate row is updated under its
``version`` (optimistic locking) and every change adds a history row. The sort code and account
number pass the UK modulus check first. The account number is personal data: shown in full only to
rents.manage, masked to its last four digits otherwise, and every view is audited.

A first collection, and any change of amount or collection day, owes the payer an advance notice
(``dd_notice``, at least 10 Bacs working days before: services/dd_runs.py sends them).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from duty_tui.areas.payments.db.dd_models import DirectDebitMandate, DirectDebitMandateEvent, DirectDebitNotice
from duty_tui.areas.payments.domain.bacs_calendar import ADVANCE_NOTICE_WORKING_DAYS, bacs_calendar, notice_by
from duty_tui.areas.payments.domain.mandate import MandateInput, check_mandate, wanted_dates
from duty_tui.areas.payments.domain.modulus import check_account, load_weight_table
from duty_tui.areas.payments.services.common import account_by_ref, stored_id
from duty_tui.core.db.engine import session_scope
from duty_tui.core.db.models import Account
from duty_tui.core.domain.clocks import add_months
from duty_tui.core.domain.errors import ConflictError, InputError, NotFound
from duty_tui.core.services import audit
from duty_tui.core.services.context import ServiceContext

MANAGE = "rents.manage"


@dataclass(frozen=True)
class MandateEvent:
    """One row of a mandate's history."""

    at: datetime
    event: str
    status: str
    amount_pence: int
    collection_day: int
    note: str | None


@dataclass(frozen=True)
class MandateView:
    """A mandate as staff see it: the account number masked unless they may manage direct debits."""

    reference: str
    account_ref: str
    payer_name: str
    sort_code: str
    account_number: str
    collection_day: int
    basis: str
    amount_pence: int
    top_up_pence: int
    status: str
    lodgement: str | None
    first_collection: date
    version: int
    history: tuple[MandateEvent, ...] = ()

    def as_json(self) -> dict[str, object]:
        """The mandate for `dd mandates --json`."""
        return {"reference": self.reference, "account": self.account_ref, "payer": self.payer_name,
                "sort_code": self.sort_code, "account_number": self.account_number,
                "collection_day": self.collection_day, "basis": self.basis, "amount_pence": self.amount_pence,
                "top_up_pence": self.top_up_pence, "status": self.status, "lodgement": self.lodgement,
                "first_collection": self.first_collection.isoformat(), "version": self.version}


def mask_account_number(number: str) -> str:
    """'12345678' -> '****5678'."""
    return "*" * max(len(number) - 4, 0) + number[-4:]


def _view(session: Session, ctx: ServiceContext, m: DirectDebitMandate, *, history: bool = False) -> MandateView:
    account = session.get(Account, m.account_id)
    events: tuple[MandateEvent, ...] = ()
    if history:
        rows = session.exec(select(DirectDebitMandateEvent).where(DirectDebitMandateEvent.mandate_id == m.id)
                            .order_by(col(DirectDebitMandateEvent.id))).all()
        events = tuple(MandateEvent(r.at, r.event, r.status, r.amount_pence, r.collection_day, r.note) for r in rows)
    number = m.account_number if ctx.can(MANAGE) else mask_account_number(m.account_number)
    return MandateView(m.reference, account.ref if account else "?", m.payer_name,
                       f"{m.sort_code[:2]}-{m.sort_code[2:4]}-{m.sort_code[4:]}", number, m.collection_day, m.basis,
                       m.amount_pence, m.top_up_pence, m.status, m.lodgement, m.first_collection, m.version, events)


def check_bank_details(ctx: ServiceContext, sort_code: str, account_number: str) -> tuple[str, str]:
    """The six-digit sort code and eight-digit account number, or InputError naming the modulus rule and fix."""
    result = check_account(load_weight_table(ctx.settings.data_dir), sort_code, account_number)
    if not result.valid:
        raise InputError(result.message)
    code = "".join(ch for ch in sort_code if ch.isdigit())
    number = "".join(ch for ch in account_number if ch.isdigit())
    if len(number) < 8:
        number = number.zfill(8)
    elif len(number) > 8:
        raise InputError("account number: Bacs collects from 8-digit account numbers; ask the payer's bank for the "
                         "8-digit form of a 9- or 10-digit number")
    return code, number


def _history(session: Session, ctx: ServiceContext, m: DirectDebitMandate, event: str, note: str | None) -> None:
    session.add(DirectDebitMandateEvent(mandate_id=stored_id(m), event=event, status=m.status,
                                        amount_pence=m.amount_pence + m.top_up_pence, collection_day=m.collection_day,
                                        at=ctx.now(), by=ctx.actor.id if ctx.actor else None,
                                        note=(note or None) and note[:200]))


def next_collection_with_notice(collection_day: int, earliest: date, today: date) -> date:
    """The first wanted collection on ``collection_day`` on or after ``earliest`` whose notice can still go today."""
    start = earliest
    while True:
        for wanted in wanted_dates(collection_day, start, add_months(start, 2)):
            if notice_by(wanted).notice_by >= today:
                return wanted
        start = add_months(start, 2)


def owe_notice(session: Session, m: DirectDebitMandate, kind: str, collected: date, amount_pence: int) -> None:
    """Record the advance notice a collection owes (once per mandate, date and amount: ``uq_dd_notice``)."""
    dates = notice_by(collected)
    exists = session.exec(select(DirectDebitNotice.id).where(
        DirectDebitNotice.mandate_id == m.id, DirectDebitNotice.collection_date == dates.collection,
        DirectDebitNotice.amount_pence == amount_pence)).first()
    if exists is None:
        session.add(DirectDebitNotice(mandate_id=stored_id(m), kind=kind, collection_date=dates.collection,
                                      amount_pence=amount_pence, notice_by=dates.notice_by))


def add_mandate(ctx: ServiceContext, account_ref: str, form: MandateInput, sort_code: str, account_number: str,
                first_collection: date, *, convert: bool = False) -> MandateView:
    """A new mandate: checked whole (modulus, reference, day, amount), lodged 0N (0S when ``convert``), its
    first collection's advance notice owed."""
    ctx.require(MANAGE)
    clean, problems = check_mandate(form)
    try:
        code, number = check_bank_details(ctx, sort_code, account_number)
    except InputError as exc:
        problems.append(exc.message)
    today = ctx.today()
    earliest = bacs_calendar().add_working_days(today, ADVANCE_NOTICE_WORKING_DAYS)
    if first_collection < earliest:
        problems.append(f"first collection: {first_collection.isoformat()} is too soon — the payer must have "
                        f"{ADVANCE_NOTICE_WORKING_DAYS} Bacs working days' notice; choose {earliest.isoformat()} or later")
    if problems:
        raise InputError(problems[0], problems=problems)
    with session_scope(ctx.engine, write=True) as session:
        account = account_by_ref(session, account_ref)
        m = DirectDebitMandate(account_id=stored_id(account), reference=clean.reference, payer_name=clean.payer_name,
                               sort_code=code, account_number=number, collection_day=clean.collection_day,
                               basis=clean.basis, amount_pence=clean.amount_pence, top_up_pence=clean.top_up_pence,
                               status="active", lodgement="0S" if convert else "0N", first_collection=first_collection,
                               created_at=ctx.now(), created_by=ctx.actor.id if ctx.actor else None)
        try:
            with session.begin_nested():
                session.add(m)
                session.flush()
        except IntegrityError:
            raise InputError(f"reference: {clean.reference} is already another mandate's; choose another") from None
        _history(session, ctx, m, "added", "converted from a paper mandate (AUDDIS 0S)" if convert else None)
        owe_notice(session, m, "first", first_collection, m.amount_pence + m.top_up_pence)
        audit.record(session, ctx, "dd.mandate_added", "dd_mandate", m.id,
                     {"account": account.ref, "reference": m.reference, "amount_pence": m.amount_pence,
                      "top_up_pence": m.top_up_pence, "collection_day": m.collection_day})
        return _view(session, ctx, m, history=True)


def _mandate(session: Session, reference: str) -> DirectDebitMandate:
    wanted = " ".join((reference or "").upper().split())
    m = session.exec(select(DirectDebitMandate).where(DirectDebitMandate.reference == wanted)).first()
    if m is None:
        raise NotFound(f"no direct debit mandate with reference {wanted!r}; check it on the account's mandates")
    return m


def _save(session: Session, m: DirectDebitMandate, version: int, values: dict[str, object]) -> None:
    """Update the mandate under its version: a change saved by someone else first is refused."""
    done = session.connection().execute(
        update(DirectDebitMandate.__table__).where(  # type: ignore[attr-defined]
            DirectDebitMandate.__table__.c.id == m.id, DirectDebitMandate.__table__.c.version == version)  # type: ignore[attr-defined]
        .values(**values, version=version + 1))
    if done.rowcount != 1:
        raise ConflictError(f"mandate {m.reference} was changed by someone else since you opened it; nothing was "
                            "saved: open it again and make your change", record=f"mandate {m.reference}")
    session.expire(m)


def change_mandate(ctx: ServiceContext, reference: str, version: int, *, amount_pence: int | None = None,
                   top_up_pence: int | None = None, collection_day: int | None = None,
                   bank: tuple[str, str] | None = None, note: str | None = None) -> MandateView:
    """Change a mandate's amount, arrears top-up, collection day or bank details; a change of amount or day
    owes the payer a notice before the first collection it affects."""
    ctx.require(MANAGE)
    values: dict[str, object] = {}
    if bank is not None:
        values["sort_code"], values["account_number"] = check_bank_details(ctx, *bank)
    with session_scope(ctx.engine, write=True) as session:
        m = _mandate(session, reference)
        if m.status == "cancelled":
            raise InputError(f"mandate {m.reference} is cancelled; set up a new mandate instead")
        form = MandateInput(m.reference, m.payer_name, collection_day or m.collection_day, m.basis,
                            m.amount_pence if amount_pence is None else amount_pence,
                            m.top_up_pence if top_up_pence is None else top_up_pence)
        _, problems = check_mandate(form)
        if problems:
            raise InputError(problems[0], problems=problems)
        values.update(amount_pence=form.amount_pence, top_up_pence=form.top_up_pence,
                      collection_day=form.collection_day)
        moved = (form.amount_pence + form.top_up_pence != m.amount_pence + m.top_up_pence
                 or form.collection_day != m.collection_day)
        _save(session, m, version, values)
        _history(session, ctx, m, "changed", note)
        if moved:
            when = next_collection_with_notice(m.collection_day, max(ctx.today(), m.first_collection), ctx.today())
            owe_notice(session, m, "change", when, m.amount_pence + m.top_up_pence)
        audit.record(session, ctx, "dd.mandate_changed", "dd_mandate", m.id,
                     {"reference": m.reference, "amount_pence": m.amount_pence, "top_up_pence": m.top_up_pence,
                      "collection_day": m.collection_day, "bank_details_changed": bank is not None})
        return _view(session, ctx, m, history=True)


_MOVES = {"pause": ("active", "paused", None), "resume": ("paused", "active", None),
          "cancel": (None, "cancelled", "0C")}


def set_mandate_status(ctx: ServiceContext, reference: str, version: int, move: str, note: str | None = None) -> MandateView:
    """Pause, resume or cancel a mandate (a cancel is lodged with AUDDIS 0C); recorded in its history."""
    ctx.require(MANAGE)
    if move not in _MOVES:
        raise InputError(f"choose pause, resume or cancel, not {move!r}")
    source, target, lodgement = _MOVES[move]
    with session_scope(ctx.engine, write=True) as session:
        m = _mandate(session, reference)
        if m.status == "cancelled" or (source is not None and m.status != source):
            raise InputError(f"mandate {m.reference} is {m.status}: it cannot be {target} from there")
        values: dict[str, object] = {"status": target}
        if lodgement:
            # A mandate never lodged (its 0N still waiting) needs no 0C: the bank never knew of it.
            values["lodgement"] = None if m.lodgement in ("0N", "0S") else lodgement
        _save(session, m, version, values)
        _history(session, ctx, m, {"pause": "paused", "resume": "resumed", "cancel": "cancelled"}[move], note)
        audit.record(session, ctx, "dd.mandate_changed", "dd_mandate", m.id,
                     {"reference": m.reference, "status": target, "note": note})
        return _view(session, ctx, m, history=True)


def account_mandates(ctx: ServiceContext, account_ref: str) -> list[MandateView]:
    """An account's mandates with their history (the view is audited; account numbers masked without rents.manage)."""
    ctx.require("account.view")
    with session_scope(ctx.engine, write=True) as session:
        account = account_by_ref(session, account_ref)
        rows = session.exec(select(DirectDebitMandate).where(DirectDebitMandate.account_id == account.id)
                            .order_by(col(DirectDebitMandate.id))).all()
        audit.record(session, ctx, "dd.mandates_viewed", "account", account.ref,
                     {"account": account.ref, "mandates": len(rows), "full_account_numbers": ctx.can(MANAGE)})
        return [_view(session, ctx, m, history=True) for m in rows]


def list_mandates(ctx: ServiceContext, account_ref: str | None = None) -> list[MandateView]:
    """Every mandate (or one account's), newest first, for the Direct debits screen; the view is audited."""
    ctx.require("account.view")
    with session_scope(ctx.engine, write=True) as session:
        query = select(DirectDebitMandate).order_by(col(DirectDebitMandate.id).desc())
        account = account_by_ref(session, account_ref) if account_ref else None
        if account is not None:
            query = query.where(DirectDebitMandate.account_id == account.id)
        rows = session.exec(query).all()
        audit.record(session, ctx, "dd.mandates_viewed", "account", account.ref if account else None,
                     {"account": account.ref if account else "all", "mandates": len(rows),
                      "full_account_numbers": ctx.can(MANAGE)})
        return [_view(session, ctx, m, history=True) for m in rows]


def mandate_amount_changed(ctx: ServiceContext, account_ref: str, amount_pence: int, effective: date,
                           note: str = "rent review") -> list[MandateView]:
    """For the rents area (a rent review, a change of charges): set the collection amount of the account's
    active 'charges' mandates from ``effective``, each owing its payer a change notice (registry hook
    ``dd.charges_changed``). Fixed-amount mandates are left alone."""
    ctx.require(MANAGE)
    with session_scope(ctx.engine, write=True) as session:
        account = account_by_ref(session, account_ref)
        rows = session.exec(select(DirectDebitMandate).where(
            DirectDebitMandate.account_id == account.id, DirectDebitMandate.basis == "charges",
            col(DirectDebitMandate.status).in_(("active", "paused")))).all()
        changed = []
        for m in rows:
            if m.amount_pence == amount_pence:
                continue
            _save(session, m, m.version, {"amount_pence": amount_pence})
            _history(session, ctx, m, "charges_changed", note)
            when = next_collection_with_notice(m.collection_day, max(effective, m.first_collection), ctx.today())
            owe_notice(session, m, "change", when, m.amount_pence + m.top_up_pence)
            audit.record(session, ctx, "dd.mandate_changed", "dd_mandate", m.id,
                         {"reference": m.reference, "amount_pence": amount_pence, "from": effective.isoformat(),
                          "note": note})
            changed.append(_view(session, ctx, m))
        return changed


__all__ = ["MANAGE", "MandateEvent", "MandateView", "account_mandates", "add_mandate", "change_mandate",
           "check_bank_details", "list_mandates", "mandate_amount_changed", "mask_account_number", "next_collection_with_notice",
           "owe_notice", "set_mandate_status"]
