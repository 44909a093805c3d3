"""A tenancy's end at its account (docs/RENTS_TENANCY_END.md; docs/CLI.md `duty-tui rent end-tenancy`).

``preview_end`` works out the final balance and writes nothing but a read audit event; ``end_tenancy``
does it in one write transaction: the ``rent_tenancy_end`` row first (UNIQUE tenancy_id: a second end,
another terminal or a re-run, is refused by the database and the first is read back), the tenancy's end
date, the rent weeks not yet posted up to the end (the debit run's own code, the final week by the day),
days after the end of a week already posted credited back (kind ``adjustment``, external_id
``end-credit:<tenancy>:<week>:<code>``), housing benefit dated after the end reversed (kind ``reversal``,
one per row by ``ux_ledger_reverses``) and the account closed. A tenant's own payment after the end stays
as credit towards the final balance. Then the final balance goes: a debt to the former-tenant account
(hook ``account.close_to_former_tenant``, income); a credit to a refund request (hook
``account.request_refund``, payments), a credit transfer (``rent_credit_transfer``, in the same
transaction; services/transfers.py) or held.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from duty_tui.areas.rents.db.models import RentTenancyEnd
from duty_tui.areas.rents.domain.calendar import week_containing
from duty_tui.areas.rents.domain.final_balance import (
    CreditChoice,
    credit_back,
    outcome_for,
    parse_credit_choice,
    reversed_after_end,
)
from duty_tui.areas.rents.domain.reference import load_calendar, load_charge_types
from duty_tui.areas.rents.services import debit
from duty_tui.core.db.engine import session_scope
from duty_tui.core.db.models import Account, LedgerEntry, Tenancy, table_of
from duty_tui.core.domain.errors import DutyError, InputError, NotFound
from duty_tui.core.domain.money import format_pence
from duty_tui.core.domain.validators import one_line_reason
from duty_tui.core.registry import hook
from duty_tui.core.services import audit
from duty_tui.core.services.context import ServiceContext

PERMISSION = "rents.manage"
LEDGER, ACCOUNT, TENANCY, END = table_of(LedgerEntry), table_of(Account), table_of(Tenancy), table_of(RentTenancyEnd)
REASON_MAX = 160


@dataclass(frozen=True)
class FinalBalance:
    """A tenancy's end worked out (previewed) or done."""

    tenancy_ref: str
    account_ref: str
    ended_on: date
    balance_before_pence: int
    charged_pence: int
    credited_back_pence: int
    reversed_pence: int
    kept_credits_pence: int
    final_balance_pence: int
    outcome: str
    outcome_ref: str | None = None
    message: str = ""
    preview: bool = False
    already: bool = False

    def as_json(self) -> dict[str, Any]:
        return {"tenancy": self.tenancy_ref, "account": self.account_ref, "ended_on": self.ended_on.isoformat(),
                "charged_pence": self.charged_pence, "credited_back_pence": self.credited_back_pence,
                "reversed_pence": self.reversed_pence, "kept_credits_pence": self.kept_credits_pence,
                "final_balance_pence": self.final_balance_pence, "outcome": self.outcome,
                "outcome_ref": self.outcome_ref, "preview": self.preview, "already": self.already,
                "message": self.message}


@dataclass
class _Work:
    ledger: list[dict[str, Any]]
    claims: list[dict[str, Any]]
    plan: debit.DebitPlan
    reversals: list[dict[str, Any]]
    kept: int


def _clean_reason(reason: str) -> str:
    try:
        return one_line_reason(reason, limit=REASON_MAX,
                               missing="say why the tenancy ended (e.g. notice given, abandoned, evicted, died)")
    except ValueError as exc:
        raise InputError(f"reason: {exc}") from None


def _tenancy(session: Any, ref: str) -> tuple[Tenancy, Account]:
    tenancy = session.execute(select(Tenancy).where(TENANCY.c.ref == ref.strip().upper())).scalar()
    if tenancy is None:
        raise NotFound(f"no tenancy with ref {ref!r}; check the ref on the person's record")
    account = session.execute(select(Account).where(ACCOUNT.c.tenancy_id == tenancy.id,
                                                    ACCOUNT.c.account_type == "rent").order_by(ACCOUNT.c.id)).scalar()
    if account is None:
        raise InputError(f"tenancy {tenancy.ref} has no rent account, so there is no balance to work out; "
                         "open its rent account first")
    return tenancy, account


def _check_date(tenancy: Tenancy, on: date, today: date) -> None:
    if on < tenancy.start_date:
        raise InputError(f"end date {on:%d/%m/%Y} is before tenancy {tenancy.ref} began "
                         f"({tenancy.start_date:%d/%m/%Y}); give a date on or after its start")
    if on > today + timedelta(days=366):
        raise InputError(f"end date {on:%d/%m/%Y} is more than a year ahead; give the date the tenancy ends")
    if tenancy.end_date is not None and tenancy.end_date < on:
        raise InputError(f"tenancy {tenancy.ref} is recorded as ending on {tenancy.end_date:%d/%m/%Y}, before "
                         f"{on:%d/%m/%Y}; give {tenancy.end_date:%d/%m/%Y} or earlier")


def _id(row: Any) -> int:
    """A stored row's id."""
    assert row.id is not None
    return int(row.id)


def _balance(session: Any, account_id: int) -> int:
    return int(session.execute(select(func.coalesce(func.sum(LEDGER.c.amount_pence), 0))
                               .where(LEDGER.c.account_id == account_id)).scalar() or 0)


def _work_out(ctx: ServiceContext, session: Any, tenancy: Tenancy, account: Account, on: date) -> _Work:
    """The rows ending the tenancy on ``on`` would post (nothing is written here)."""
    connection = session.connection()
    rules, types = load_calendar(ctx.settings.data_dir), load_charge_types(ctx.settings.data_dir)
    actor, now = ctx.actor, ctx.now()
    actor_id = actor.id if actor else None
    plan = debit.plan_debit(connection, rules, types, on, now=now, actor_id=actor_id, terminal=ctx.terminal,
                            ends={_id(tenancy): on}, only_property=tenancy.property_id)
    ledger = [row for rows in plan.ledger.values() for row in rows]
    # weeks already posted that run past the end: what the week should have been, credited back
    posted: dict[str, int] = defaultdict(int)
    for external_id, amount in connection.execute(
            select(LEDGER.c.external_id, LEDGER.c.amount_pence)
            .where(LEDGER.c.account_id == account.id, LEDGER.c.external_id.like(f"debit:{tenancy.ref}:%"))):
        posted[external_id] += int(amount)
    final_week = week_containing(rules, on).start
    rightful: dict[str, int] = {}
    redo = debit.DebitPlan()
    by_property, by_tenancy = debit._charges(connection, on)
    row = debit._TenancyRow(_id(tenancy), tenancy.ref, tenancy.property_id, tenancy.start_date, on, account.id)
    debit._plan_week(redo, tenancy.property_id, final_week, by_property.get(tenancy.property_id, []), [row],
                     by_tenancy, {"now": now, "actor_id": actor_id, "terminal": ctx.terminal,
                                  "words": {c: t.words for c, t in types.items()}})
    for rows in redo.ledger.values():
        rightful.update({r["external_id"]: r["amount_pence"] for r in rows})
    for external_id, amount in sorted(posted.items()):
        week = date.fromisoformat(external_id.split(":")[2])
        if week + timedelta(days=6) <= on:
            continue
        back = credit_back(amount, rightful.get(external_id, 0) if week == final_week else 0)
        if back:
            code = external_id.split(":")[3]
            ledger.append({"account_id": account.id, "effective_date": max(on, week), "posted_at": now,
                           "kind": "adjustment", "method": None, "amount_pence": -back,
                           "reference": f"Charged past the end w/c {week:%d/%m/%Y}",
                           "external_id": f"end-credit:{tenancy.ref}:{week.isoformat()}:{code}"[:64],
                           "created_by": actor_id, "terminal": ctx.terminal,
                           "reason": f"Tenancy {tenancy.ref} ended {on:%d/%m/%Y}: days after the end credited back"})
    reversals, kept = [], 0
    reversed_ids = select(LEDGER.c.reverses_id).where(LEDGER.c.reverses_id.is_not(None))
    for entry_id, kind, amount in connection.execute(
            select(LEDGER.c.id, LEDGER.c.kind, LEDGER.c.amount_pence)
            .where(LEDGER.c.account_id == account.id, LEDGER.c.effective_date > on, LEDGER.c.amount_pence < 0,
                   LEDGER.c.id.not_in(reversed_ids), LEDGER.c.reverses_id.is_(None))):
        if reversed_after_end(kind, amount):
            reversals.append({"account_id": account.id, "effective_date": on, "posted_at": now, "kind": "reversal",
                              "method": None, "amount_pence": -int(amount), "reverses_id": entry_id,
                              "reference": "HB after tenancy end", "external_id": f"end-hb:{entry_id}",
                              "created_by": actor_id, "terminal": ctx.terminal,
                              "reason": f"Housing benefit after tenancy {tenancy.ref} ended: an overpayment "
                                        "for the benefit service"})
        elif kind not in ("reversal", "adjustment"):
            kept += -int(amount)
    return _Work(ledger, plan.claims, plan, reversals, kept)


def _figures(tenancy: Tenancy, account: Account, on: date, before: int, work: _Work, choice: CreditChoice,
             *, claimed: set | None = None) -> FinalBalance:
    rows = work.ledger if claimed is None else [
        r for r in work.ledger if r["kind"] != debit.RENT_KIND
        or (tenancy.property_id, _week(r["external_id"])) in claimed]
    charged = sum(r["amount_pence"] for r in rows if r["kind"] == debit.RENT_KIND)
    back = -sum(r["amount_pence"] for r in rows if r["kind"] == "adjustment")
    reversed_ = sum(r["amount_pence"] for r in work.reversals)
    final = before + charged - back + reversed_
    return FinalBalance(tenancy.ref, account.ref, on, before, charged, back, reversed_, work.kept, final,
                        outcome_for(final, choice))


def _week(external_id: str) -> date:
    return date.fromisoformat(external_id.split(":")[2])


def preview_end(ctx: ServiceContext, tenancy_ref: str, on: date, *, credit: str | None = None) -> FinalBalance:
    """What ending the tenancy on ``on`` would post and where the final balance would go; writes nothing."""
    ctx.require(PERMISSION)
    choice = _choice(credit)
    with session_scope(ctx.engine) as session:
        tenancy, account = _tenancy(session, tenancy_ref)
        done = session.execute(select(RentTenancyEnd).where(END.c.tenancy_id == tenancy.id)).scalar()
        if done is not None:
            result = _read_back(session, done, tenancy, account)
        else:
            _check_date(tenancy, on, ctx.today())
            work = _work_out(ctx, session, tenancy, account, on)
            result = replace(_figures(tenancy, account, on, _balance(session, _id(account)), work, choice),
                             preview=True)
            result = replace(result, message=_said(result, None))
    audit.record_read(ctx, "rent.tenancy_end_previewed", "tenancy", result.tenancy_ref, result.as_json())
    return result


def _choice(credit: str | None) -> CreditChoice:
    try:
        return parse_credit_choice(credit)
    except ValueError as exc:
        raise InputError(str(exc)) from None


def _read_back(session: Any, done: RentTenancyEnd, tenancy: Tenancy, account: Account) -> FinalBalance:
    return FinalBalance(tenancy.ref, account.ref, done.ended_on, done.final_balance_pence - done.charged_pence,
                        done.charged_pence, 0, done.reversed_pence, 0, done.final_balance_pence, done.outcome,
                        done.outcome_ref, already=True,
                        message=f"tenancy {tenancy.ref} was already ended on {done.ended_on:%d/%m/%Y} with a final "
                                f"balance of {format_pence(done.final_balance_pence)} ({done.outcome.replace('_', ' ')}"
                                f"{' ' + done.outcome_ref if done.outcome_ref else ''}); nothing more was done")


def end_tenancy(ctx: ServiceContext, tenancy_ref: str, on: date, reason: str, *,
                credit: str | None = None) -> FinalBalance:
    """End a tenancy at its account on ``on`` (once), then move its final balance where it goes."""
    actor = ctx.require(PERMISSION)
    choice, text = _choice(credit), _clean_reason(reason)
    try:
        result = _end(ctx, actor.id, tenancy_ref, on, text, choice)
    except IntegrityError:  # the UNIQUE tenancy_id: another end got there first
        with session_scope(ctx.engine) as session:
            tenancy, account = _tenancy(session, tenancy_ref)
            done = session.execute(select(RentTenancyEnd).where(END.c.tenancy_id == tenancy.id)).scalar_one()
            return _read_back(session, done, tenancy, account)
    if result.already or result.outcome not in ("former_tenant", "refund"):
        return result
    return _settle(ctx, result, text)


def _end(ctx: ServiceContext, actor_id: int | None, ref: str, on: date, text: str,
         choice: CreditChoice) -> FinalBalance:
    with session_scope(ctx.engine, write=True) as session:
        tenancy, account = _tenancy(session, ref)
        done = session.execute(select(RentTenancyEnd).where(END.c.tenancy_id == tenancy.id)).scalar()
        if done is not None:
            return _read_back(session, done, tenancy, account)
        _check_date(tenancy, on, ctx.today())
        end = RentTenancyEnd(tenancy_id=_id(tenancy), account_id=_id(account), ended_on=on, final_balance_pence=0,
                             outcome="nil", reason=text, created_by=actor_id, created_at=ctx.now())
        session.add(end)
        session.flush()  # the UNIQUE tenancy_id refuses a second end here
        before = _balance(session, _id(account))
        session.execute(update(TENANCY).where(TENANCY.c.id == tenancy.id)
                        .values(end_date=on, status="ended", version=tenancy.version + 1))
        work = _work_out(ctx, session, tenancy, account, on)
        connection = session.connection()
        claimed = debit.claim_weeks(connection, work.claims)
        result = _figures(tenancy, account, on, before, work, choice, claimed=claimed)
        rows = [r for r in work.ledger if r["kind"] != debit.RENT_KIND
                or (tenancy.property_id, _week(r["external_id"])) in claimed]
        if rows:
            connection.execute(LEDGER.insert(), [{"reason": None, **r} for r in rows])
        void = [r for key in claimed for r in work.plan.void.get(key, ())]
        if void:
            connection.execute(debit.VOID.insert(), void)
        if work.reversals:
            connection.execute(LEDGER.insert(), work.reversals)
        final = _balance(session, _id(account))
        result = replace(result, final_balance_pence=final, outcome=outcome_for(final, choice))
        outcome_ref = None
        if result.outcome == "transfer":
            outcome_ref = _request_transfer(ctx, session, account, choice.account_ref or "", -final, tenancy.ref)
        session.execute(update(ACCOUNT).where(ACCOUNT.c.id == account.id, ACCOUNT.c.closed_on.is_(None))
                        .values(closed_on=on))
        session.execute(update(END).where(END.c.id == end.id).values(
            charged_pence=result.charged_pence, reversed_pence=result.reversed_pence, final_balance_pence=final,
            outcome=result.outcome, outcome_ref=outcome_ref))
        result = replace(result, outcome_ref=outcome_ref)
        result = replace(result, message=_said(result, None))
        audit.record(session, ctx, "rent.tenancy_ended", "tenancy", tenancy.ref, result.as_json())
    return result


def _request_transfer(ctx: ServiceContext, session: Any, account: Account, to_ref: str, amount: int,
                      tenancy_ref: str) -> str:
    from duty_tui.areas.rents.services.transfers import new_transfer

    return new_transfer(ctx, session, account, to_ref, amount, f"Credit at the end of tenancy {tenancy_ref}")


def _settle(ctx: ServiceContext, result: FinalBalance, reason: str) -> FinalBalance:
    """Move the final balance by the other areas' hooks (each its own transaction and audit event)."""
    outcome, ref, note = result.outcome, None, ""
    try:
        if outcome == "former_tenant":
            move = hook("account.close_to_former_tenant")
            if move is None:
                note = "this build has no former-tenant accounts: the debt stays on the closed rent account"
            else:
                ref = move(ctx, result.account_ref, ended_on=result.ended_on, reason=reason).former_account_ref
        else:
            ask = hook("account.request_refund")
            if ask is None:
                outcome, note = "credit_held", "this build has no refunds: the credit is held on the closed account"
            else:
                with session_scope(ctx.engine) as session:
                    account = session.execute(select(Account).where(ACCOUNT.c.ref == result.account_ref)).scalar_one()
                    payee = account.holder_name
                ref = ask(ctx, result.account_ref, -result.final_balance_pence, payee,
                          f"Credit at the end of tenancy {result.tenancy_ref}: {reason}"[:200],
                          idempotency_key=f"tenancy-end:{result.tenancy_ref}").ref
    except DutyError as exc:
        if outcome != "former_tenant":
            outcome = "credit_held"
        note = f"not moved yet: {exc}"
    with session_scope(ctx.engine, write=True) as session:
        tenancy_id = session.execute(select(TENANCY.c.id).where(TENANCY.c.ref == result.tenancy_ref)).scalar_one()
        session.execute(update(END).where(END.c.tenancy_id == tenancy_id).values(outcome=outcome, outcome_ref=ref))
        audit.record(session, ctx, "rent.final_balance_moved", "tenancy", result.tenancy_ref,
                     {"outcome": outcome, "to": ref, "note": note or None})
    result = replace(result, outcome=outcome, outcome_ref=ref)
    return replace(result, message=_said(result, note))


def _said(result: FinalBalance, note: str | None) -> str:
    amount = format_pence(abs(result.final_balance_pence))
    where = {"former_tenant": f"debt of {amount} moved to former tenant account {result.outcome_ref}",
             "refund": f"credit of {amount} to refund request {result.outcome_ref} (a second person authorises it)",
             "transfer": f"credit of {amount} to credit transfer {result.outcome_ref} (a second person authorises it)",
             "credit_held": f"credit of {amount} held on {result.account_ref}",
             "nil": "nil balance: nothing to move"}[result.outcome]
    if result.outcome in ("former_tenant", "refund") and result.outcome_ref is None:
        where = (f"{'debt' if result.final_balance_pence > 0 else 'credit'} of {amount} "
                 f"{'would move' if result.preview else 'stays on ' + result.account_ref}")
    head = "would end" if result.preview else "ended"
    text = (f"tenancy {result.tenancy_ref} {head} on {result.ended_on:%d/%m/%Y}: charged "
            f"{format_pence(result.charged_pence)}, credited back {format_pence(result.credited_back_pence)}, "
            f"housing benefit reversed {format_pence(result.reversed_pence)}; final balance "
            f"{format_pence(result.final_balance_pence)}: {where}")
    return f"{text} ({note})" if note else text
