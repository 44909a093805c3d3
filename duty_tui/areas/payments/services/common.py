"""Helpers shared by the payments services: policy, offices, accounts, balances, refs."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Protocol

from sqlalchemy import update
from sqlmodel import Session, col, select

from duty_tui.areas.payments.domain.reference import PaymentsPolicy, load_policy
from duty_tui.core.db.models import (
    Account,
    AccountBalance,
    HouseholdMember,
    Office,
    Person,
    StaffUser,
    Tenancy,
    table_of,
)
from duty_tui.core.domain.errors import InputError, NotFound
from duty_tui.core.domain.local_time import format_local
from duty_tui.core.services import audit
from duty_tui.core.services.context import ServiceContext
from duty_tui.core.services.holders import holder_person, office_for  # noqa: F401  (re-exported to the payment services)

CHUNK = 500
"""Rows per IN (...) list: well inside SQLite's and PostgreSQL's parameter limits."""



class _Stored(Protocol):
    id: int | None


def stored_id(row: _Stored) -> int:
    """The id of a row read from the database (or flushed to it), where it is never None."""
    assert row.id is not None, f"{type(row).__name__} has no id: it was never flushed"
    return row.id

def policy(ctx: ServiceContext) -> PaymentsPolicy:
    """The payments policy (data/payments/payments.toml) of this context's data folder."""
    return load_policy(ctx.settings.data_dir)


def is_postgres(session: Session) -> bool:
    """True when the session talks to PostgreSQL."""
    return session.get_bind().dialect.name == "postgresql"


def chunks(items: Sequence, size: int = CHUNK) -> Iterable[Sequence]:
    """``items`` in slices of ``size``."""
    for start in range(0, len(items), size):
        yield items[start:start + size]


def lock_office(session: Session, office_id: int) -> Office:
    """Lock the office row until commit, serialising receipt numbers and cash-ups.

    PostgreSQL: ``SELECT ... FOR UPDATE``. SQLite: the write transaction (BEGIN IMMEDIATE)
    already serialises every writer, so a plain read is enough.
    """
    query = select(Office).where(Office.id == office_id).execution_options(populate_existing=True)
    if is_postgres(session):
        query = query.with_for_update()
    audit.holds_a_queue(session)
    return session.exec(query).one()


def take_receipt_number(session: Session, office_id: int) -> int:
    """The office's next receipt number, gap-free: one ``UPDATE … RETURNING`` that also locks the office
    row until the commit (on SQLite the write transaction already holds the database). Take it as late
    as the payment allows: everything after it, to the commit, holds up this office's other payments."""
    offices = table_of(Office)
    audit.holds_a_queue(session)
    taken = session.connection().execute(
        update(offices).where(offices.c.id == office_id)
        .values(next_receipt_no=offices.c.next_receipt_no + 1)
        .returning(offices.c.next_receipt_no)
    ).scalar_one()
    return int(taken) - 1


def lock_account(session: Session, account_id: int) -> Account:
    """Lock one account row until commit and return it as now stored.

    For money rules that span offices (the office lock only serialises one office): a
    reversal, a move out of suspense, a refund. Whoever comes second waits for the first
    to commit, then reads what the first wrote. PostgreSQL: ``SELECT ... FOR NO KEY
    UPDATE``, which does not wait for payments and imports merely posting rows to the
    account (their foreign keys take only a key-share lock). SQLite: the write
    transaction (BEGIN IMMEDIATE) already serialises every writer.
    """
    query = select(Account).where(Account.id == account_id).execution_options(populate_existing=True)
    if is_postgres(session):
        query = query.with_for_update(key_share=True)
    return session.exec(query).one()


def by_whom(session: Session, user_id: int | None, at: datetime | None) -> str:
    """'Lee Leader at 10:30 on 10/03/2026' (UK time): who did something first, for the loser's message."""
    name = None
    if user_id:
        name = session.exec(select(StaffUser.display_name).where(StaffUser.id == user_id)).first()
    who = name or "someone else"
    return f"{who} at {format_local(at, '%H:%M on %d/%m/%Y')}" if at else who


def clean_ref(ref: str) -> str:
    """A ref as stored: trimmed, upper case, inner spaces removed."""
    return re.sub(r"\s+", "", ref or "").upper()


def account_by_ref(session: Session, ref: str) -> Account:
    """The account with this ref, or NotFound saying what to do."""
    wanted = clean_ref(ref)
    if not wanted:
        raise InputError("enter an account ref, e.g. RNT000123")
    account = session.exec(select(Account).where(Account.ref == wanted)).first()
    if account is None:
        raise NotFound(f"no account with ref {wanted!r}; check the ref or search for the person")
    return account


def balance_of(session: Session, account_id: int) -> int:
    """The account's balance in pence (positive = owed): kept by the database as rows are posted
    (duty_tui.core.db.kept_balance; ``account reconcile`` proves it is the sum of the rows)."""
    total = session.exec(select(AccountBalance.balance_pence).where(AccountBalance.account_id == account_id)).first()
    return int(total or 0)


def balances(session: Session, account_ids: Sequence[int]) -> dict[int, int]:
    """Kept balances of many accounts at once (0 for an account with no rows)."""
    result: dict[int, int] = {}
    for part in chunks(list(account_ids)):
        rows = session.exec(select(AccountBalance.account_id, AccountBalance.balance_pence)
                            .where(col(AccountBalance.account_id).in_(part))).all()
        result.update({account_id: int(total or 0) for account_id, total in rows})
    return {account_id: result.get(account_id, 0) for account_id in account_ids}


def person_by_ref(session: Session, ref: str) -> Person:
    """The person with this ref, or NotFound."""
    person = session.exec(select(Person).where(Person.ref == clean_ref(ref))).first()
    if person is None:
        raise NotFound(f"no person with ref {ref!r}; search by name, address or phone instead")
    return person


def accounts_of_person(session: Session, person: Person) -> list[Account]:
    """Every account the person holds: their own, and those of their household's tenancies."""
    household_ids = [m.household_id for m in session.exec(
        select(HouseholdMember).where(HouseholdMember.person_id == person.id,
                                      col(HouseholdMember.left_on).is_(None))).all()]
    condition = col(Account.person_id) == person.id
    if household_ids:
        tenancy_ids = list(session.exec(select(Tenancy.id).where(col(Tenancy.household_id).in_(household_ids))).all())
        if tenancy_ids:
            condition = condition | col(Account.tenancy_id).in_(tenancy_ids)
    return list(session.exec(select(Account).where(condition).order_by(Account.ref)).all())


def staff_names(session: Session, ids: Iterable[int | None]) -> dict[int, str]:
    """Display names of staff users by id."""
    wanted = sorted({i for i in ids if i})
    if not wanted:
        return {}
    return {u.id: u.display_name for u in session.exec(select(StaffUser).where(col(StaffUser.id).in_(wanted))).all()}  # type: ignore[misc]  # a stored row's id is never None; SQLModel types it int | None


def assign_ref(session: Session, row, prefix: str) -> str:
    """Give a freshly added row a ref made from its id (unique because ids are), e.g. RF000012."""
    session.flush()
    row.ref = f"{prefix}{row.id:06d}"
    session.add(row)
    return row.ref


def pending_ref(prefix: str) -> str:
    """A placeholder ref until the row has an id (never committed)."""
    import uuid

    return f"~{prefix}{uuid.uuid4().hex[:12]}"


def require_open(account: Account, today: date, *, doing: str) -> None:
    """Refuse to post to a closed account or to suspense."""
    if account.account_type == "suspense":
        raise InputError(f"{account.ref} is the suspense account; {doing} on the payer's own account")
    if account.closed_on is not None and account.closed_on <= today:
        raise InputError(f"account {account.ref} closed on {account.closed_on:%d/%m/%Y}; {doing} on an open "
                         "account (the person's current or former-tenant account)")
