"""`duty-tui rent export`: transactions out to an existing rents system (docs/CLI.md, docs/RENTS_RECONCILIATION.md).

One CSV row per ledger row dated in the period, oldest first, streamed from the database a few thousand at a
time (a council's ledger is millions of rows: never all in memory). Audited (``rents.transactions_exported``)
before the first row is written. The file, when one is named, is created new with mode 0600 and never
written over or through a link; a failure part-way removes it.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import IO, Any

from sqlalchemy import and_, select

from duty_tui.areas.rents.services.reconciliation import (
    ACCOUNT,
    LEDGER,
    OFFICE,
    PROPERTY,
    TENANCY,
    check_period,
    require_view,
)
from duty_tui.areas.rents.services.rent_report import STREAM, write_csv
from duty_tui.core.db.engine import session_scope
from duty_tui.core.domain.errors import InputError
from duty_tui.core.services import audit
from duty_tui.core.services.context import ServiceContext

EXPORT_HEADER = ("ledger_id", "effective_date", "posted_at", "account_ref", "account_type", "tenancy_ref",
                 "property_ref", "kind", "method", "amount_pence", "reference", "office", "receipt_no",
                 "external_id", "reversal_of")
"""The export's columns, in order (docs/CLI.md `rent export` says what each holds)."""

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


def export_rows(ctx: ServiceContext, start: date, end: date) -> Iterable[tuple[Any, ...]]:
    """The export's rows, streamed in one read transaction: ledger rows dated ``start``–``end``, by date then id."""
    receipt_office = OFFICE.alias("receipt_office")
    query = (select(LEDGER.c.id, LEDGER.c.effective_date, LEDGER.c.posted_at, ACCOUNT.c.ref, ACCOUNT.c.account_type,
                    TENANCY.c.ref, PROPERTY.c.ref, LEDGER.c.kind, LEDGER.c.method, LEDGER.c.amount_pence,
                    LEDGER.c.reference, receipt_office.c.code, LEDGER.c.receipt_no, LEDGER.c.external_id,
                    LEDGER.c.reverses_id)
             .select_from(LEDGER.join(ACCOUNT, ACCOUNT.c.id == LEDGER.c.account_id)
                          .outerjoin(TENANCY, TENANCY.c.id == ACCOUNT.c.tenancy_id)
                          .outerjoin(PROPERTY, PROPERTY.c.id == TENANCY.c.property_id)
                          .outerjoin(receipt_office, receipt_office.c.id == LEDGER.c.office_id))
             .where(and_(LEDGER.c.effective_date >= start, LEDGER.c.effective_date <= end))
             .order_by(LEDGER.c.effective_date, LEDGER.c.id))
    with session_scope(ctx.engine) as session:
        for row in session.execute(query.execution_options(yield_per=STREAM)):
            posted = row[2]
            yield (row[0], row[1].isoformat(), posted.isoformat() if posted else "", *row[3:])


def _new_private_file(path: Path) -> IO[str]:
    """``path`` created new, 0600, not through a link; InputError naming the fix otherwise."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW, 0o600)
    except FileExistsError:
        raise InputError(f"--out {path}: a file is already there; give a new file name (an export never "
                         "overwrites)") from None
    except OSError as exc:
        raise InputError(f"--out {path}: cannot write there ({exc.strerror or exc}); give a file you may "
                         "create") from None
    return os.fdopen(fd, "w", encoding="utf-8", newline="")


def export_transactions(ctx: ServiceContext, *, date_from: date | None, date_to: date | None,
                        out: Path | None = None, stream: IO[str] | None = None) -> int:
    """Write the period's ledger rows as CSV to a new file ``out`` (0600) or to ``stream``; returns the row count.

    statistics.view or rents.manage; audited before the first row is written."""
    require_view(ctx)
    start, end = check_period(date_from, date_to)
    if out is None and stream is None:
        raise InputError("out: give a file to write, or a stream")
    handle = _new_private_file(Path(out)) if out is not None else stream
    assert handle is not None
    try:
        audit.record_read(ctx, "rents.transactions_exported", "report", "rents",
                          {"from": start.isoformat(), "to": end.isoformat(), "out": str(out) if out else "stdout"})
        count = write_csv(handle, EXPORT_HEADER, export_rows(ctx, start, end))
    except BaseException:
        if out is not None:
            handle.close()
            Path(out).unlink(missing_ok=True)
        raise
    if out is not None:
        handle.close()
    return count


__all__ = ["EXPORT_HEADER", "export_rows", "export_transactions"]
