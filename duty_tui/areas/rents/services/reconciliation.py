"""The rent reconciliation (docs/RENTS_RECONCILIATION.md): for a period and by rent group, opening balance
+ charges − payments − housing benefit − other credits ± adjustments = closing balance, each figure a SQL
sum of ledger rows by kind and method, and the rows behind any figure, paged.

Read-only over the ledger: one aggregate query over ``ledger_entry`` (opening, period and after-period sums
in one pass) and one over the kept balances, grouped by the raw office and property type, mapped to rent
groups in Python (there are only a handful). Audited as a report read (``rents.reconciliation_viewed``)
before anything is shown. Money is integer pence.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import and_, case, func, literal, not_, select

from duty_tui.areas.rents.db.models import RentVoidLoss
from duty_tui.areas.rents.domain.recon import (
    KIND_LINES,
    LINE_NAMES,
    NO_PROPERTY,
    UNCLASSIFIED,
    VOID_LOSS,
    Figure,
    GroupReconciliation,
    RentGroupRule,
    combine,
    figure_order,
    kinds_of,
    line_of,
    load_rent_groups,
)
from duty_tui.core.db.engine import session_scope
from duty_tui.core.db.models import Account, AccountBalance, LedgerEntry, Office, Property, Tenancy, table_of
from duty_tui.core.domain.errors import InputError, PermissionDenied
from duty_tui.core.domain.period import check_period
from duty_tui.core.services import audit
from duty_tui.core.services.context import ServiceContext

PERMISSIONS = ("statistics.view", "rents.manage")
"""Either lets a user see the reconciliation: it is aggregates and account references, no names."""
ALL = "all"
ALL_LABEL = "All rent groups"
PAGE = 50

LEDGER, ACCOUNT, TENANCY = table_of(LedgerEntry), table_of(Account), table_of(Tenancy)
PROPERTY, OFFICE, BALANCE = table_of(Property), table_of(Office), table_of(AccountBalance)
VOID = table_of(RentVoidLoss)


def require_view(ctx: ServiceContext) -> None:
    """statistics.view or rents.manage, else PermissionDenied naming both."""
    if any(ctx.can(p) for p in PERMISSIONS):
        return
    if ctx.actor is None:
        raise PermissionDenied("sign in first")
    raise PermissionDenied(f"your role ({ctx.actor.role_name}) may not see the rent reconciliation (it needs "
                           "statistics.view or rents.manage); ask a team leader or a rents assistant")


@dataclass(frozen=True)
class Reconciliation:
    """A period's reconciliation: one entry per rent group (in order) and the ``all`` total."""

    date_from: date
    date_to: date
    group_by: str
    groups: tuple[GroupReconciliation, ...]
    total: GroupReconciliation

    def group(self, code: str) -> GroupReconciliation:
        """One group by code (``all``: the total); InputError when there is none."""
        if code == ALL:
            return self.total
        for group in self.groups:
            if group.code == code:
                return group
        raise InputError(f"group: no rent group {code!r} in this reconciliation; choose one it lists")


# --- SQL -----------------------------------------------------------------------------------------

def joined(base: Any) -> Any:
    """``base`` (the ledger or the kept balances) joined to its account's tenancy, property and office."""
    return (base.join(ACCOUNT, ACCOUNT.c.id == base.c.account_id)
            .outerjoin(TENANCY, TENANCY.c.id == ACCOUNT.c.tenancy_id)
            .outerjoin(PROPERTY, PROPERTY.c.id == TENANCY.c.property_id)
            .outerjoin(OFFICE, OFFICE.c.id == PROPERTY.c.office_id))


_GROUP_COLUMNS = (OFFICE.c.code, OFFICE.c.name, PROPERTY.c.property_type, PROPERTY.c.id.is_not(None))


def _group_key(rule: RentGroupRule, row: Any) -> tuple[str, str]:
    return rule.group_of(row[0], row[1], row[2], bool(row[3]))


def _sum_when(condition: Any, value: Any) -> Any:
    return func.coalesce(func.sum(case((condition, value), else_=0)), 0)


def _ledger_sums(session: Any, start: date, end: date) -> list[Any]:
    """(office code, office name, type, has property, kind, method, opening, opening rows, period, period rows,
    after) — one pass over the ledger, summed per account first (no join per row), then by rent group."""
    day, amount = LEDGER.c.effective_date, LEDGER.c.amount_pence
    before, within, after = day < start, and_(day >= start, day <= end), day > end
    per_account = (select(LEDGER.c.account_id, LEDGER.c.kind, LEDGER.c.method,
                          _sum_when(before, amount).label("opening"), _sum_when(before, literal(1)).label("opening_n"),
                          _sum_when(within, amount).label("period"), _sum_when(within, literal(1)).label("period_n"),
                          _sum_when(after, amount).label("after"))
                   .group_by(LEDGER.c.account_id, LEDGER.c.kind, LEDGER.c.method).subquery("per_account"))
    sums = per_account.c
    query = (select(*_GROUP_COLUMNS, sums.kind, sums.method, func.sum(sums.opening), func.sum(sums.opening_n),
                    func.sum(sums.period), func.sum(sums.period_n), func.sum(sums.after))
             .select_from(joined(per_account)).group_by(*_GROUP_COLUMNS, sums.kind, sums.method))
    return list(session.execute(query).all())


def _kept_sums(session: Any) -> list[Any]:
    query = (select(*_GROUP_COLUMNS, func.coalesce(func.sum(BALANCE.c.balance_pence), 0))
             .select_from(joined(BALANCE)).group_by(*_GROUP_COLUMNS))
    return list(session.execute(query).all())


def _void_joined() -> Any:
    """rent_void_loss joined to its property and office: a property's rent group by the accounts' rule."""
    return VOID.join(PROPERTY, PROPERTY.c.id == VOID.c.property_id).outerjoin(OFFICE, OFFICE.c.id == PROPERTY.c.office_id)


def _void_sums(session: Any, start: date, end: date) -> list[Any]:
    """(office code, office name, type, True, void pence, rows) for the void loss of weeks starting in the period."""
    query = (select(*_GROUP_COLUMNS, func.coalesce(func.sum(VOID.c.amount_pence), 0), func.count())
             .select_from(_void_joined()).where(VOID.c.week_start >= start, VOID.c.week_start <= end)
             .group_by(*_GROUP_COLUMNS))
    return list(session.execute(query).all())


def _build(rule: RentGroupRule, ledger: list[Any], kept: list[Any],
           voids: list[Any]) -> tuple[GroupReconciliation, ...]:
    labels: dict[str, str] = {}
    void_by: dict[str, list[int]] = {}
    for row in voids:
        code, label = _group_key(rule, row)
        labels.setdefault(code, label)
        slot = void_by.setdefault(code, [0, 0])
        slot[0] += int(row[4])
        slot[1] += int(row[5])
    opening: dict[str, list[int]] = {}
    figures: dict[str, dict[tuple[str, str, str | None], list[int]]] = {}
    kept_by: dict[str, int] = {}
    for row in ledger:
        code, label = _group_key(rule, row)
        labels.setdefault(code, label)
        kind, method = row[4], row[5]
        open_pence, open_rows, pence, rows, after = (int(v) for v in row[6:11])
        slot = opening.setdefault(code, [0, 0])
        slot[0] += open_pence
        slot[1] += open_rows
        kept_by[code] = kept_by.get(code, 0) - after  # the kept balance includes rows dated after the period
        if rows:
            fig = figures.setdefault(code, {}).setdefault((line_of(kind), kind, method), [0, 0])
            fig[0] += rows
            fig[1] += pence
    for row in kept:
        code, label = _group_key(rule, row)
        labels.setdefault(code, label)
        kept_by[code] = kept_by.get(code, 0) + int(row[4])
    order = sorted(labels, key=lambda c: (c == NO_PROPERTY, c in ('no_office', 'no_type'), labels[c].lower(), c))
    return tuple(GroupReconciliation(
        code, labels[code], opening.get(code, [0, 0])[0], opening.get(code, [0, 0])[1],
        tuple(Figure(line, kind, method, n, p) for (line, kind, method), (n, p)
              in sorted(figures.get(code, {}).items(), key=lambda item: figure_order(item[0]))),
        kept_by.get(code, 0), void_by.get(code, [0, 0])[0], void_by.get(code, [0, 0])[1]) for code in order)


# --- the use cases -------------------------------------------------------------------------------

def compute_reconciliation(ctx: ServiceContext, date_from: date | None, date_to: date | None) -> Reconciliation:
    """The reconciliation, read but not audited (the callers audit what they show or write)."""
    require_view(ctx)
    start, end = check_period(date_from, date_to)
    rule = load_rent_groups(ctx.settings.data_dir).in_force(end)
    with session_scope(ctx.engine) as session:  # one read transaction: the ledger and the kept balances agree
        ledger = _ledger_sums(session, start, end)
        kept = _kept_sums(session)
        voids = _void_sums(session, start, end)
    groups = _build(rule, ledger, kept, voids)
    return Reconciliation(start, end, rule.group_by, groups, combine(ALL, ALL_LABEL, groups))


def audit_detail(recon: Reconciliation) -> dict[str, Any]:
    return {"from": recon.date_from.isoformat(), "to": recon.date_to.isoformat(), "group_by": recon.group_by,
            "groups": len(recon.groups), "closing_pence": recon.total.closing_pence,
            "difference_pence": recon.total.difference_pence}


def rent_reconciliation(ctx: ServiceContext, *, date_from: date | None, date_to: date | None) -> Reconciliation:
    """The period's reconciliation by rent group (statistics.view or rents.manage); audited as a report read."""
    recon = compute_reconciliation(ctx, date_from, date_to)
    audit.record_read(ctx, "rents.reconciliation_viewed", "report", "rents", audit_detail(recon))
    return recon


@dataclass(frozen=True)
class LedgerRow:
    """One ledger row behind a figure, as the screen and the CSV list it."""

    id: int
    effective_date: date
    posted_at: datetime
    account_ref: str
    kind: str
    method: str | None
    amount_pence: int
    reference: str | None
    reverses_id: int | None


@dataclass(frozen=True)
class RowsPage:
    """A page of the rows behind a figure: ``total`` rows in all, these from ``offset``."""

    rows: tuple[LedgerRow, ...]
    total: int
    offset: int


def _group_condition(rule: RentGroupRule, code: str) -> Any:
    if code == ALL:
        return literal(True)
    if code == NO_PROPERTY:
        return PROPERTY.c.id.is_(None)
    if rule.group_by == "office":
        if code == "no_office":
            return and_(PROPERTY.c.id.is_not(None), OFFICE.c.code.is_(None))
        return OFFICE.c.code == code
    if code == "no_type":
        return and_(PROPERTY.c.id.is_not(None), PROPERTY.c.property_type.is_(None))
    return PROPERTY.c.property_type == code


def _kind_condition(line: str, kind: str | None, method: str | None) -> Any:
    if kind is not None:
        return and_(LEDGER.c.kind == kind, LEDGER.c.method.is_(None) if method is None else LEDGER.c.method == method)
    if line == UNCLASSIFIED:
        return not_(LEDGER.c.kind.in_(list(KIND_LINES)))
    if line == "opening":
        return literal(True)
    return LEDGER.c.kind.in_(kinds_of(line))


def figure_conditions(ctx: ServiceContext, start: date, end: date, group: str, line: str,
                      kind: str | None = None, method: str | None = None) -> list[Any]:
    """The SQL conditions that pick a figure's rows: ``line`` a line code or ``opening`` (rows before the period)."""
    rule = load_rent_groups(ctx.settings.data_dir).in_force(end)
    day = LEDGER.c.effective_date
    when = day < start if line == "opening" else and_(day >= start, day <= end)
    return [when, _group_condition(rule, group), _kind_condition(line, kind, method)]


def figure_rows(ctx: ServiceContext, *, date_from: date | None, date_to: date | None, group: str, line: str,
                kind: str | None = None, method: str | None = None, offset: int = 0,
                limit: int = PAGE) -> RowsPage:
    """The ledger rows behind one figure, oldest first, a page at a time; audited (they name accounts)."""
    require_view(ctx)
    start, end = check_period(date_from, date_to)
    if line not in ("opening", VOID_LOSS) and line not in LINE_NAMES:
        raise InputError(f"line: {line!r} is not a line of the reconciliation; choose opening, {VOID_LOSS} or one "
                         f"of {', '.join(LINE_NAMES)}")
    page = max(1, min(limit, 500))
    with session_scope(ctx.engine) as session:
        if line == VOID_LOSS:
            total, rows = _void_rows(session, ctx, start, end, group, max(offset, 0), page)
        else:
            where = figure_conditions(ctx, start, end, group, line, kind, method)
            total = int(session.execute(select(func.count()).select_from(joined(LEDGER)).where(*where)).scalar() or 0)
            found = session.execute(
                select(LEDGER.c.id, LEDGER.c.effective_date, LEDGER.c.posted_at, ACCOUNT.c.ref, LEDGER.c.kind,
                       LEDGER.c.method, LEDGER.c.amount_pence, LEDGER.c.reference, LEDGER.c.reverses_id)
                .select_from(joined(LEDGER)).where(*where)
                .order_by(LEDGER.c.effective_date, LEDGER.c.id).offset(max(offset, 0)).limit(page)).all()
            rows = tuple(LedgerRow(*r) for r in found)
    audit.record_read(ctx, "rents.reconciliation_rows_viewed", "report", "rents",
                      {"from": start.isoformat(), "to": end.isoformat(), "group": group, "line": line, "kind": kind,
                       "method": method, "offset": offset, "shown": [r.id for r in rows]})
    return RowsPage(rows, total, offset)


def _void_rows(session: Any, ctx: ServiceContext, start: date, end: date, group: str, offset: int,
               limit: int) -> tuple[int, tuple[LedgerRow, ...]]:
    """The rent_void_loss rows behind a group's void loss, shaped as rows: the week's first day as the date, the
    property's ref as the account, kind ``void_loss``, the charge type as the method, the days as reference."""
    rule = load_rent_groups(ctx.settings.data_dir).in_force(end)
    where = (VOID.c.week_start >= start, VOID.c.week_start <= end, _group_condition(rule, group))
    total = int(session.execute(select(func.count()).select_from(_void_joined()).where(*where)).scalar() or 0)
    found = session.execute(
        select(VOID.c.id, VOID.c.week_start, PROPERTY.c.ref, VOID.c.charge_code, VOID.c.amount_pence, VOID.c.days)
        .select_from(_void_joined()).where(*where)
        .order_by(VOID.c.week_start, VOID.c.id).offset(offset).limit(limit)).all()
    return total, tuple(LedgerRow(r[0], r[1], datetime.combine(r[1], time()), r[2], VOID_LOSS, r[3], r[4],
                                  f"{r[5]} void day(s)", None) for r in found)


__all__ = ["ALL", "PERMISSIONS", "LedgerRow", "Reconciliation", "RowsPage", "check_period",
           "audit_detail", "compute_reconciliation", "figure_conditions", "joined", "figure_rows", "rent_reconciliation", "require_view"]
