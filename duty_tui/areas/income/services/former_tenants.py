"""Former tenants' arrears (docs/INCOME_FORMER_TENANTS.md): a rent account's final balance moved to the
person's former-tenant account when the tenancy ends, the accounts that owe, and the letter of claim
under the Pre-Action Protocol for Debt Claims (made from the templates and recorded here).

The move is one write transaction, ``arrears.manage`` first, its audit event in it. It posts two
ledger rows — the rent account brought to zero, the same amount on the former-tenant account — each
with an ``external_id`` naming the rent account (``former-tenant:<ref>:out`` / ``:in``). That column is
UNIQUE, so a balance is moved once, whatever happens: a second call, or two terminals at the same
moment, finds the first move and says so. The rent account's row is locked first (PostgreSQL: FOR NO
KEY UPDATE; SQLite's write transaction serialises anyway), and the rent balance is read again after
the row is posted: a payment that slipped in between is caught and the move tried again. A credit
balance is never moved: it stays on the closed rent account for a refund (payments' two-person
refund request). The ledger is append-only; kept balances follow through their triggers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from duty_tui.areas.income.db.models import RecoveryAction
from duty_tui.areas.income.domain.debt_claim import (
    TEMPLATES,
    load_debt_protocol,
    load_templates,
    long_date,
    render_template,
)
from duty_tui.areas.income.services.former_tenant_view import (
    FORMER,
    LETTER,
    MOVE_IN_KIND,
    FormerTenantDetail,
    FormerTenantRow,
    account_by_ref,
    balance_of,
    clean_ref,
    former_tenant_account,
    former_tenant_accounts,
    read_detail,
    stored_id,
)
from duty_tui.core.db.engine import session_scope
from duty_tui.core.db.models import Account, LedgerEntry, Office, Person, Tenancy, table_of
from duty_tui.core.domain.errors import ConflictError, InputError
from duty_tui.core.domain.money import format_pence
from duty_tui.core.domain.validators import one_line_reason
from duty_tui.core.services import audit
from duty_tui.core.services.changes import record_account
from duty_tui.core.services.context import ServiceContext
from duty_tui.core.services.holders import holder_person
from duty_tui.core.services.pdf import pages_pdf
from duty_tui.core.services.printable import Document, document_text, file_stem

ACCOUNT, LEDGER, TENANCY = table_of(Account), table_of(LedgerEntry), table_of(Tenancy)
MOVE_OUT_KIND = "adjustment"
REASON_MAX = 160
ATTEMPTS = 3
METHODS = {"first_class_post": "first class post", "by_hand": "by hand", "email": "email", "other": "other"}
"""How a letter of claim may be sent."""


def move_key(rent_ref: str, side: str) -> str:
    """The ledger ``external_id`` of one side (``out``: the rent account, ``in``: the former-tenant account)."""
    return f"former-tenant:{rent_ref}:{side}"


@dataclass(frozen=True)
class FormerTenantMove:
    """What closing a rent account did: the balance moved (or the credit left for a refund)."""

    rent_account_ref: str
    former_account_ref: str | None
    moved_pence: int
    credit_pence: int
    ended_on: date
    closed_on: date
    tenancy_end_set: bool
    former_account_created: bool
    already: bool
    message: str


@dataclass(frozen=True)
class MovePreview:
    """A rent account before its final balance is moved: what would happen."""

    rent_account_ref: str
    holder: str
    balance_pence: int
    tenancy_ref: str | None
    tenancy_end: date | None
    closed_on: date | None
    former_account_ref: str | None  # the account it would go to; None: a new one is opened
    moved_before: bool




def _clean_reason(reason: str) -> str:
    try:
        return one_line_reason(reason, limit=REASON_MAX,
                               missing="say why the tenancy ended (e.g. notice given, abandoned, evicted, died)")
    except ValueError as exc:
        raise InputError(f"reason: {exc}") from None



def _rent(session: Any, ref: str, *, lock: bool = False) -> Account:
    account = account_by_ref(session, ref, lock=lock)
    if account.account_type != "rent":
        raise InputError(f"{account.ref} is a {account.account_type.replace('_', ' ')} account: a final balance is "
                         "moved from a rent account")
    return account


def _former_account(session: Any, rent: Account, person: Person | None) -> Account | None:
    """The former-tenant account this rent account's balance goes to: one opened for the same tenancy, else the
    holder's open one (the oldest); None when there is none yet."""
    base = select(Account).where(ACCOUNT.c.account_type == FORMER, ACCOUNT.c.closed_on.is_(None))
    for where in ((ACCOUNT.c.tenancy_id == rent.tenancy_id) if rent.tenancy_id else None,
                  (ACCOUNT.c.person_id == person.id) if person is not None else None):
        if where is not None:
            found = session.execute(base.where(where).order_by(ACCOUNT.c.id).limit(1)).scalar()
            if found is not None:
                return found
    return None


def _new_former_account(session: Any, rent: Account, person: Person | None, on: date) -> Account:
    from duty_tui.core.services.refs import insert_with_ref

    return insert_with_ref(session, lambda ref: Account(
        ref=ref, account_type=FORMER, tenancy_id=rent.tenancy_id, person_id=person.id if person else None,
        holder_name=rent.holder_name, opened_on=on), Account.ref, "FTA", 6)


def _checked(today: date, ended_on: date, reason: str) -> str:
    """The reason, cleaned; every problem with the date and the reason named at once."""
    problems, text = [], ""
    if ended_on > today:
        problems.append(f"ended on: {ended_on:%d/%m/%Y} is in the future; move the balance once the tenancy has "
                        f"ended (today is {today:%d/%m/%Y})")
    try:
        text = _clean_reason(reason)
    except InputError as exc:
        problems.append(exc.message)
    if problems:
        raise InputError(problems[0], problems=problems)
    return text


def move_preview(ctx: ServiceContext, account_ref: str, *, ended_on: date | None = None,
                 reason: str | None = None) -> MovePreview:
    """What moving this rent account's final balance would do, checking the end date and reason when given
    (the screen asks before it moves); audited as a view of the account."""
    ctx.require("account.view")
    ref = clean_ref(account_ref)
    if ended_on is not None:
        _checked(ctx.today(), ended_on, reason or "")
    with session_scope(ctx.engine) as session:
        rent = _rent(session, ref)
        tenancy = session.get(Tenancy, rent.tenancy_id) if rent.tenancy_id else None
        if ended_on is not None and tenancy is not None and tenancy.end_date and tenancy.end_date > ended_on:
            raise InputError(f"ended on: tenancy {tenancy.ref} is recorded as ending on {tenancy.end_date:%d/%m/%Y}, "
                             f"after {ended_on:%d/%m/%Y}; give {tenancy.end_date:%d/%m/%Y} or later")
        moved = session.execute(select(LEDGER.c.id).where(LEDGER.c.external_id == move_key(ref, "out"))).scalar()
        former = _former_account(session, rent, holder_person(session, rent))
        preview = MovePreview(rent.ref, rent.holder_name, balance_of(session, stored_id(rent)),
                              tenancy.ref if tenancy else None, tenancy.end_date if tenancy else None, rent.closed_on,
                              former.ref if former else None, moved is not None)
    audit.record_read(ctx, "arrears.former_tenant_previewed", "account", preview.rent_account_ref,
                      {"balance_pence": preview.balance_pence})
    return preview


class _PaidMeanwhile(Exception):
    """A payment reached the rent account between reading its balance and posting the move."""


class _DoneBefore(Exception):
    """The account was moved (or closed) before: nothing to do, the earlier move is read back."""


def close_to_former_tenant(ctx: ServiceContext, account_ref: str, *, ended_on: date, reason: str,
                           permission: str = "arrears.manage") -> FormerTenantMove:
    """Close a rent account whose tenancy has ended, moving a debit balance to the former-tenant account once."""
    actor = ctx.require(permission)
    today = ctx.today()
    ref = clean_ref(account_ref)
    text = _checked(today, ended_on, reason)
    for _attempt in range(ATTEMPTS):
        try:
            return _move(ctx, actor.id, ref, ended_on, text)
        except _PaidMeanwhile:
            continue
        except (_DoneBefore, IntegrityError):  # IntegrityError: the UNIQUE external_id refused a second move
            return _already(ctx, ref)
    raise ConflictError(f"money kept reaching {ref} while its balance was being moved; try again in a moment")


def _already(ctx: ServiceContext, ref: str) -> FormerTenantMove:
    """The move made before (the UNIQUE external_id refused a second): read it back."""
    with session_scope(ctx.engine) as session:
        rent = _rent(session, ref)
        row = session.execute(select(LEDGER.c.amount_pence, LEDGER.c.reference, LEDGER.c.effective_date)
                              .where(LEDGER.c.external_id == move_key(ref, "out"))).first()
        closed = rent.closed_on or ctx.today()
        if row is None:
            credit = max(0, -balance_of(session, stored_id(rent)))
            return FormerTenantMove(ref, None, 0, credit, closed, closed, False, False, True,
                                    f"{ref} was already closed on {closed:%d/%m/%Y}; nothing was moved")
        moved = -int(row[0])
        return FormerTenantMove(ref, row[1], moved, 0, row[2], closed, False, False, True,
                                f"{ref}'s balance of {format_pence(moved)} was already moved to {row[1]} on "
                                f"{row[2]:%d/%m/%Y}; nothing more was done")


def _end_tenancy(session: Any, rent: Account, ended_on: date) -> tuple[Tenancy, bool]:
    """The tenancy, its end date set to ``ended_on`` if nothing had set one (optimistic lock on its version)."""
    tenancy = session.get(Tenancy, rent.tenancy_id) if rent.tenancy_id else None
    if tenancy is None:
        raise InputError(f"{rent.ref} has no tenancy recorded, so it cannot be closed as a former tenancy; "
                         "correct the account first")
    if tenancy.end_date is not None:
        if tenancy.end_date > ended_on:
            raise InputError(f"ended on: tenancy {tenancy.ref} is recorded as ending on {tenancy.end_date:%d/%m/%Y}, "
                             f"after {ended_on:%d/%m/%Y}; give {tenancy.end_date:%d/%m/%Y} or later")
        return tenancy, False
    done = session.execute(update(TENANCY).where(TENANCY.c.id == tenancy.id, TENANCY.c.version == tenancy.version,
                                                 TENANCY.c.end_date.is_(None))
                           .values(end_date=ended_on, status="ended", version=tenancy.version + 1))
    if done.rowcount != 1:
        raise ConflictError(f"tenancy {tenancy.ref} was changed by someone else a moment ago; try again",
                            record=tenancy.ref)
    return tenancy, True


def _move(ctx: ServiceContext, actor_id: int | None, ref: str, ended_on: date, reason: str) -> FormerTenantMove:
    today = ctx.today()
    with session_scope(ctx.engine, write=True) as session:
        rent = _rent(session, ref, lock=True)
        if session.execute(select(LEDGER.c.id).where(LEDGER.c.external_id == move_key(ref, "out"))).scalar():
            raise _DoneBefore
        balance = balance_of(session, stored_id(rent))
        if rent.closed_on is not None and rent.closed_on <= today and balance <= 0:
            raise _DoneBefore
        tenancy, end_set = _end_tenancy(session, rent, ended_on)
        closed_on = rent.closed_on or tenancy.end_date or ended_on
        person = holder_person(session, rent)
        former, created = None, False
        if balance > 0:
            former = _former_account(session, rent, person)
            if former is None:
                former, created = _new_former_account(session, rent, person, ended_on), True
            _post_move(ctx, session, actor_id, rent, former, balance, ended_on, reason)
        session.execute(update(ACCOUNT).where(ACCOUNT.c.id == rent.id)
                        .values(closed_on=closed_on, version=rent.version + 1))
        record_account(session, rent)
        if former is not None:
            record_account(session, former)
        moved, credit = max(balance, 0), max(-balance, 0)
        audit.record(session, ctx, "arrears.former_tenant_moved", "account", ref, {
            "moved_pence": moved, "credit_pence": credit, "to": former.ref if former else None,
            "ended_on": ended_on.isoformat(), "tenancy_end_set": end_set, "account_opened": created})
        result = FormerTenantMove(ref, former.ref if former else None, moved, credit, tenancy.end_date or ended_on,
                                  closed_on, end_set, created, False, _said(ref, former, moved, credit))
    return result


def _post_move(ctx: ServiceContext, session: Any, actor_id: int | None, rent: Account, former: Account,
               balance: int, on: date, reason: str) -> None:
    """The two ledger rows, the rent side first and its balance checked to be zero after it."""
    now, terminal = ctx.now(), ctx.terminal[:64]
    session.add(LedgerEntry(account_id=stored_id(rent), effective_date=on, posted_at=now, kind=MOVE_OUT_KIND,
                            amount_pence=-balance, reference=former.ref, external_id=move_key(rent.ref, "out"),
                            created_by=actor_id, terminal=terminal,
                            reason=f"Final balance moved to former tenant account {former.ref}: {reason}"[:200]))
    session.flush()
    if balance_of(session, stored_id(rent)) != 0:
        raise _PaidMeanwhile
    session.add(LedgerEntry(account_id=stored_id(former), effective_date=on, posted_at=now, kind=MOVE_IN_KIND,
                            amount_pence=balance, reference=rent.ref, external_id=move_key(rent.ref, "in"),
                            created_by=actor_id, terminal=terminal,
                            reason=f"Final balance of rent account {rent.ref}: {reason}"[:200]))
    session.flush()


def _said(ref: str, former: Account | None, moved: int, credit: int) -> str:
    if former is not None:
        return f"{ref} closed; its final balance of {format_pence(moved)} moved to former tenant account {former.ref}."
    if credit:
        return (f"{ref} closed with {format_pence(credit)} in credit: nothing was moved; the credit stays on {ref} "
                "for a refund (payments: request a refund; a second person authorises it).")
    return f"{ref} closed with a nil balance: nothing to move."


# --- the letter of claim (Pre-Action Protocol for Debt Claims) -------------------------------------

KIND_WORDS = {"former_tenant_debt": "Arrears moved in", "payment": "Payment", "reversal": "Reversal",
              "refund": "Refund", "adjustment": "Adjustment", "write_off": "Write-off",
              "housing_benefit": "Housing Benefit", "universal_credit": "Universal Credit",
              "court_costs": "Court costs", "suspense_transfer": "Payment (from suspense)"}
PROTOCOL_NAME = "Pre-Action Protocol for Debt Claims"


@dataclass(frozen=True)
class RecordedLetter:
    """A letter of claim as recorded on the former-tenant account."""

    account_ref: str
    sent_on: date
    method: str
    reply_by: date


def _history_text(detail: FormerTenantDetail) -> str:
    lines = [f"  {'Date':<10}  {'What':<30} {'Amount':>11} {'Balance':>11}"]
    if detail.earlier_lines:
        lines.append(f"  ({detail.earlier_lines} earlier entries not shown)")
    for line in detail.lines:
        what = KIND_WORDS.get(line.kind, line.kind.replace("_", " ").capitalize())
        lines.append(f"  {line.on:%d/%m/%Y}  {what[:30]:<30} {format_pence(line.amount_pence):>11} "
                     f"{format_pence(line.balance_pence):>11}")
    return "\n".join(lines)


def _rent_summary(session: Any, ref: str) -> str:
    """'Rent account RNT000001 (4 January 2011 to 10 March 2026): £X charged, £Y paid or credited.'"""
    rent = session.execute(select(Account).where(ACCOUNT.c.ref == ref)).scalar()
    if rent is None:
        return ""
    rows = session.execute(select(LEDGER.c.amount_pence, LEDGER.c.effective_date).where(
        LEDGER.c.account_id == rent.id, LEDGER.c.external_id.is_(None) | (LEDGER.c.external_id != move_key(ref, "out"))
    )).all()
    charged = sum(int(a) for a, _d in rows if a > 0)
    paid = -sum(int(a) for a, _d in rows if a < 0)
    last = max((d for _a, d in rows), default=None)
    span = f" ({long_date(rent.opened_on)} to {long_date(rent.closed_on or last)})" if last else ""
    return f"Rent account {ref}{span}: {format_pence(charged)} charged, {format_pence(paid)} paid or credited."


def _arose(session: Any, detail: FormerTenantDetail) -> str:
    home = ", ".join(detail.former_address) or "your former home"
    parts = []
    for day, amount, source in detail.moved:
        if source.startswith("RNT"):
            ended = f" ended on {long_date(detail.ended_on)}" if detail.ended_on else " ended"
            parts.append(f"When your tenancy of {home}{ended}, {format_pence(amount)} of rent and charges was "
                         f"unpaid on rent account {source}; it was moved to this account on {long_date(day)}.")
            parts.append(_rent_summary(session, source))
    if not parts:
        first = detail.lines[0].on if detail.lines else None
        parts.append(f"The debt is rent and charges left unpaid when your tenancy of {home} ended"
                     + (f", recorded on this account from {long_date(first)}." if first else "."))
    return "\n\n".join(p for p in parts if p)


def _office_name(session: Any, ctx: ServiceContext) -> str:
    office = session.execute(select(Office).where(table_of(Office).c.code == ctx.settings.office_code)).scalar()
    return office.name if office is not None else ctx.settings.office_name


def letter_values(ctx: ServiceContext, session: Any, detail: FormerTenantDetail, sent_on: date) -> dict[str, str]:
    """What the templates fill in (docs/INCOME_FORMER_TENANTS.md lists each placeholder)."""
    rules = load_debt_protocol(ctx.settings.data_dir).on(sent_on)
    office = _office_name(session, ctx)
    return {
        "office_name": office, "date": long_date(sent_on), "debtor_name": detail.debtor_name,
        "debtor_address": "\n".join(detail.address) or f"(no address recorded: to be collected from {office})",
        "account_ref": detail.ref, "amount": format_pence(detail.balance_pence),
        "reply_by": long_date(rules.reply_by(sent_on)), "reply_days": str(rules.reply_days),
        "how_it_arose": _arose(session, detail), "history": _history_text(detail),
        "rent_account_ref": ", ".join(detail.rent_refs) or "—", "tenancy_ref": detail.tenancy_ref or "—",
        "former_address": ", ".join(detail.former_address) or "your former home",
        "ended_on": long_date(detail.ended_on) or "the day it ended",
        "officer_name": ctx.actor.display_name if ctx.actor else "Income team", "protocol_source": PROTOCOL_NAME,
    }


def letter_of_claim(ctx: ServiceContext, account_ref: str, *, sent_on: date | None = None) -> Document:
    """The letter of claim with its information sheet, reply form and financial statement, as one document
    (a page each in the PDF); audited as a view. Recording it as sent is ``record_letter_of_claim``."""
    ctx.require("account.view")
    ref = clean_ref(account_ref)
    day = sent_on or ctx.today()
    templates = load_templates(ctx.settings.data_dir)
    with session_scope(ctx.engine) as session:
        detail = read_detail(ctx, session, ref)
        if detail.balance_pence <= 0:
            raise InputError(f"{ref} owes nothing ({format_pence(detail.balance_pence)}): there is no debt to claim")
        values = letter_values(ctx, session, detail, day)
    pages = [render_template(templates[name], values) for name in TEMPLATES]
    title = f"Letter of claim {ref}: {values['amount']}"
    text_lines = [line for number, page in enumerate(pages) for line in ((["", "-" * 78, ""] if number else []) + page)]
    audit.record_read(ctx, "arrears.letter_of_claim_made", "account", ref,
                      {"amount_pence": detail.balance_pence, "dated": day.isoformat()})
    return Document("letters", file_stem(f"letter_of_claim_{ref}_{day.isoformat()}"), document_text(text_lines),
                    pages_pdf(title, pages), title, "account", ref)


def record_letter_of_claim(ctx: ServiceContext, account_ref: str, *, sent_on: date, method: str) -> RecordedLetter:
    """Record a letter of claim sent on a former-tenant account (a ``recovery_action``, code ``letter_of_claim``),
    with the reply date the protocol gives; audited."""
    actor = ctx.require("arrears.manage")
    today = ctx.today()
    ref = clean_ref(account_ref)
    problems = []
    if method not in METHODS:
        problems.append(f"method: {method!r} is not a way of sending; choose one of {', '.join(METHODS)}")
    if sent_on > today:
        problems.append(f"sent on: {sent_on:%d/%m/%Y} is in the future; record the letter on the day it was sent "
                        f"(today, {today:%d/%m/%Y}, or earlier)")
    if problems:
        raise InputError(problems[0], problems=problems)
    reply_by = load_debt_protocol(ctx.settings.data_dir).on(sent_on).reply_by(sent_on)
    with session_scope(ctx.engine, write=True) as session:
        account = account_by_ref(session, ref)
        if account.account_type != FORMER:
            raise InputError(f"{ref} is a {account.account_type.replace('_', ' ')} account: a letter of claim is "
                             "recorded on a former tenant account")
        owed = balance_of(session, stored_id(account))
        if owed <= 0:
            raise InputError(f"{ref} owes nothing ({format_pence(owed)}): there is no debt to claim")
        session.add(RecoveryAction(account_id=stored_id(account), action=LETTER, taken_on=sent_on, taken_by=actor.id,
                                   note=f"sent {METHODS[method]}; {format_pence(owed)}; reply by {reply_by:%d/%m/%Y}",
                                   created_at=ctx.now()))
        record_account(session, account)
        audit.record(session, ctx, "arrears.letter_of_claim_sent", "account", ref, {
            "sent_on": sent_on.isoformat(), "method": method, "amount_pence": owed, "reply_by": reply_by.isoformat()})
    return RecordedLetter(ref, sent_on, method, reply_by)


__all__ = ["LETTER", "METHODS", "FormerTenantDetail", "FormerTenantMove", "FormerTenantRow", "MovePreview",
           "RecordedLetter", "close_to_former_tenant", "former_tenant_account", "former_tenant_accounts",
           "letter_of_claim", "letter_values", "move_key", "move_preview", "record_letter_of_claim"]



def close_to_former_tenant_hook(ctx: ServiceContext, account_ref: str, *, ended_on: date,
                                reason: str) -> FormerTenantMove:
    """Hook ``account.close_to_former_tenant`` (docs/ARCHITECTURE.md): the rents area's tenancy end moves a
    final debt through here, under the same rules (once per rent account). The rents assistant ending the
    tenancy holds ``rents.manage``, not ``arrears.manage``: working out a final balance is their job
    (DOMAIN.md, Rent accounting), so either permission moves it here."""
    permission = "arrears.manage" if ctx.can("arrears.manage") else "rents.manage"
    return close_to_former_tenant(ctx, account_ref, ended_on=ended_on, reason=reason, permission=permission)
