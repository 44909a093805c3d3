"""Human refs (P0000123, C0000456 …): the next free number, allocated inside the caller's transaction."""

from __future__ import annotations

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from duty_tui.core.domain.errors import InputError

REF_RETRIES = 8


def next_ref(session: Session, column, prefix: str, digits: int = 7) -> str:
    """The next free ref of the form PREFIX + digits (refs of other shapes are ignored)."""
    low, high = prefix + "0" * digits, prefix + "9" * digits
    top = session.exec(
        select(column).where(column >= low, column <= high, func.length(column) == len(low))
        .order_by(column.desc()).limit(1)
    ).first()
    number = int(top[len(prefix):]) + 1 if top else 1
    return f"{prefix}{number:0{digits}d}"


def insert_with_ref(session: Session, make, column, prefix: str, digits: int = 7):
    """Insert ``make(ref)`` with the next free ref, retrying (in a savepoint) if another terminal took it."""
    for _attempt in range(REF_RETRIES):
        row = make(next_ref(session, column, prefix, digits))
        nested = session.begin_nested()
        try:
            session.add(row)
            session.flush()
        except IntegrityError:
            nested.rollback()
            continue
        nested.commit()
        return row
    raise InputError("could not allocate a new reference (another terminal was busy); try again")
