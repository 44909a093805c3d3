"""`duty-tui report rents`: the rent reconciliation and the rent roll as CSV files (docs/RENTS_RECONCILIATION.md).

Files in a new or empty folder (0700; each file 0600): ``reconciliation.csv`` (every figure by group, with
the opening and both closing balances and the difference explained), ``rent_roll.csv`` (live tenancies on
the period's last day, one row each, streamed) and, with ``rows=True``, ``reconciliation_rows.csv`` (every
ledger row dated in the period with its group and line: the rows behind each figure, streamed). Audited
(``rents.report_written``) before any file is written; a failure part-way removes what was written.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import and_, or_, select

from duty_tui.areas.rents.domain.recon import (
    LINE_NAMES,
    VOID_LOSS_LABEL,
    GroupReconciliation,
    explain_difference,
    line_of,
    load_rent_groups,
)
from duty_tui.areas.rents.services.reconciliation import (
    ACCOUNT,
    LEDGER,
    OFFICE,
    PROPERTY,
    TENANCY,
    Reconciliation,
    audit_detail,
    check_period,
    compute_reconciliation,
    joined,
    require_view,
)
from duty_tui.core.db.engine import session_scope
from duty_tui.core.domain.errors import InputError
from duty_tui.core.services import audit
from duty_tui.core.services.context import ServiceContext

RECON_CSV, ROLL_CSV, ROWS_CSV = "reconciliation.csv", "rent_roll.csv", "reconciliation_rows.csv"
RECON_HEADER = ("group", "group_name", "item", "line", "line_name", "kind", "method", "rows", "pence", "note")
ROLL_HEADER = ("tenancy_ref", "tenancy_type", "start_date", "end_date", "property_ref", "property_type", "office",
               "rent_group", "account_ref", "weekly_rent_pence", "weekly_charges_pence")
ROWS_HEADER = ("group", "line", "ledger_id", "effective_date", "account_ref", "kind", "method", "amount_pence",
               "reverses_id")
STREAM = 5000
"""Rows fetched at a time when a file is streamed (never the whole ledger in memory)."""


def recon_rows(recon: Reconciliation) -> list[tuple[Any, ...]]:
    """reconciliation.csv's rows: per group (and ``all``) opening, each figure, each line's total, closing,
    the kept balances' closing, the difference with its explanation, and void loss."""
    out: list[tuple[Any, ...]] = []
    for group in (*recon.groups, recon.total):
        out.extend(_group_rows(group))
    return out


def _group_rows(g: GroupReconciliation) -> list[tuple[Any, ...]]:
    head = (g.code, g.label)
    rows: list[tuple[Any, ...]] = [(*head, "opening", "", "Opening balance", "", "", g.opening_rows,
                                    g.opening_pence, "rows dated before the period")]
    for f in g.figures:
        rows.append((*head, "figure", f.line, LINE_NAMES[f.line], f.kind, f.method or "", f.rows, f.pence, ""))
    for line in dict.fromkeys(f.line for f in g.figures):
        rows.append((*head, "line_total", line, LINE_NAMES[line], "", "", g.line_rows(line), g.line_pence(line), ""))
    rows.append((*head, "closing", "", "Closing balance", "", "", "", g.closing_pence, "opening + every line"))
    rows.append((*head, "closing_kept", "", "Closing balance (kept balances)", "", "", "", g.kept_pence,
                 "account_balance less rows dated after the period"))
    rows.append((*head, "difference", "", "Difference", "", "", "", g.difference_pence, explain_difference(g)))
    rows.append((*head, "void_loss", "", VOID_LOSS_LABEL, "", "", g.void_rows,
                 "" if g.void_loss_pence is None else g.void_loss_pence,
                 "rent_void_loss rows of weeks starting in the period; beside the balance identity, not in it"))
    return rows


def _cell(value: Any) -> Any:
    """A cell a spreadsheet will not run: text starting = + - @ is quoted with a leading apostrophe."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def write_csv(handle: Any, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Write a header and rows to an open text file; returns how many rows."""
    writer = csv.writer(handle)
    writer.writerow(list(header))
    count = 0
    for row in rows:
        writer.writerow([_cell("" if v is None else v) for v in row])
        count += 1
    return count


def _stream(ctx: ServiceContext, query: Any) -> Iterable[Any]:
    with session_scope(ctx.engine) as session:
        yield from session.execute(query.execution_options(yield_per=STREAM))


def roll_rows(ctx: ServiceContext, on: date) -> Iterable[tuple[Any, ...]]:
    """rent_roll.csv's rows, streamed: tenancies live on ``on`` (started, not ended before it), with their
    rent account and rent group. ``weekly_charges_pence`` is blank until the rents area keeps charges."""
    rule = load_rent_groups(ctx.settings.data_dir).in_force(on)
    account = (select(ACCOUNT.c.ref).where(ACCOUNT.c.tenancy_id == TENANCY.c.id, ACCOUNT.c.account_type == "rent")
               .order_by(ACCOUNT.c.id).limit(1).scalar_subquery())
    query = (select(TENANCY.c.ref, TENANCY.c.tenancy_type, TENANCY.c.start_date, TENANCY.c.end_date, PROPERTY.c.ref,
                    PROPERTY.c.property_type, OFFICE.c.code, OFFICE.c.name, account, TENANCY.c.weekly_rent_pence)
             .select_from(TENANCY.join(PROPERTY, PROPERTY.c.id == TENANCY.c.property_id)
                          .outerjoin(OFFICE, OFFICE.c.id == PROPERTY.c.office_id))
             .where(TENANCY.c.start_date <= on, or_(TENANCY.c.end_date.is_(None), TENANCY.c.end_date >= on))
             .order_by(TENANCY.c.ref))
    for t_ref, t_type, start, end, p_ref, p_type, o_code, o_name, a_ref, weekly in _stream(ctx, query):
        group, _ = rule.group_of(o_code, o_name, p_type, True)
        yield (t_ref, t_type, start.isoformat(), end.isoformat() if end else "", p_ref, p_type, o_code or "",
               group, a_ref or "", weekly, "")


def period_rows(ctx: ServiceContext, start: date, end: date) -> Iterable[tuple[Any, ...]]:
    """reconciliation_rows.csv's rows, streamed: every ledger row dated in the period with its group and line."""
    rule = load_rent_groups(ctx.settings.data_dir).in_force(end)
    query = (select(OFFICE.c.code, OFFICE.c.name, PROPERTY.c.property_type, PROPERTY.c.id.is_not(None), LEDGER.c.id,
                    LEDGER.c.effective_date, ACCOUNT.c.ref, LEDGER.c.kind, LEDGER.c.method, LEDGER.c.amount_pence,
                    LEDGER.c.reverses_id)
             .select_from(joined(LEDGER))
             .where(and_(LEDGER.c.effective_date >= start, LEDGER.c.effective_date <= end))
             .order_by(LEDGER.c.effective_date, LEDGER.c.id))
    for o_code, o_name, p_type, has_property, *rest in _stream(ctx, query):
        group, _ = rule.group_of(o_code, o_name, p_type, bool(has_property))
        row_id, day, ref, kind, method, pence, reverses = rest
        yield group, line_of(kind), row_id, day.isoformat(), ref, kind, method or "", pence, reverses


def write_rents_report(ctx: ServiceContext, *, date_from: date | None, date_to: date | None, out_dir: Path,
                       rows: bool = False) -> tuple[Reconciliation, list[Path]]:
    """Write reconciliation.csv and rent_roll.csv (and with ``rows`` reconciliation_rows.csv) into ``out_dir``."""
    from duty_tui.core.services.outputs import OutputFolder

    require_view(ctx)
    check_period(date_from, date_to)
    try:
        with OutputFolder(Path(out_dir)) as folder:  # checked and opened first: a bad folder reads nothing
            recon = compute_reconciliation(ctx, date_from, date_to)
            names = [RECON_CSV, ROLL_CSV] + ([ROWS_CSV] if rows else [])
            audit.record_read(ctx, "rents.report_written", "report", "rents", {**audit_detail(recon), "files": names})
            with folder.create(RECON_CSV) as handle:
                write_csv(handle, RECON_HEADER, recon_rows(recon))
            with folder.create(ROLL_CSV) as handle:
                write_csv(handle, ROLL_HEADER, roll_rows(ctx, recon.date_to))
            if rows:
                with folder.create(ROWS_CSV) as handle:
                    write_csv(handle, ROWS_HEADER, period_rows(ctx, recon.date_from, recon.date_to))
            return recon, list(folder.files)
    except OSError as exc:
        raise InputError(f"--out {out_dir}: cannot write there ({exc.strerror or exc}); choose a folder you "
                         "may write to") from None


__all__ = ["RECON_CSV", "RECON_HEADER", "ROLL_CSV", "ROLL_HEADER", "ROWS_CSV", "ROWS_HEADER", "period_rows",
           "recon_rows", "roll_rows", "write_csv", "write_rents_report"]
