"""Hook ``rents.void_loss_weeks`` (docs/ARCHITECTURE.md): the rent void loss the weekly debit recorded
(``rent_void_loss``), read-only, for another area's measures (the lettings returns' void rent loss)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Connection, func, select

from duty_tui.areas.rents.db.models import RentVoidLoss

VOID = RentVoidLoss.__table__  # type: ignore[attr-defined]


def void_loss_weeks(connection: Connection, first_week: date, last_week: date) -> list[tuple[int, date, int]]:
    """(property id, week start, pence over every charge) for each week starting from ``first_week`` to
    ``last_week`` that has void loss, in property and week order."""
    rows = connection.execute(
        select(VOID.c.property_id, VOID.c.week_start, func.sum(VOID.c.amount_pence))
        .where(VOID.c.week_start >= first_week, VOID.c.week_start <= last_week)
        .group_by(VOID.c.property_id, VOID.c.week_start)
        .order_by(VOID.c.property_id, VOID.c.week_start)).all()
    return [(int(pid), week, int(pence)) for pid, week, pence in rows]
