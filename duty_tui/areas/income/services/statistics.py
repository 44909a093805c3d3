"""Arrears statistics (docs/INCOME_REPORTS.md): current arrears by recovery stage, as a share of the rent
roll, former-tenant arrears, and the notices, claims, orders and evictions of a period.

Everything is read with SQL aggregates (counts and sums; never a row object per account), in one read
transaction, then audited as a report read (``arrears.statistics_viewed``) or, for the CSV files, as
the report written (``arrears.report_written``) before any file is written. Money is integer pence;
percentages are worked out from integers and rounded half up to one decimal place.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import func, or_, select

from duty_tui.areas.income.db.models import ArrearsNotice, CourtHearing, Eviction, PossessionClaim, RecoveryAction
from duty_tui.areas.income.domain.policy import UPDATE_COURT_OUTCOME, UPDATE_EVICTION_OUTCOME, load_recovery_policy
from duty_tui.core.db.engine import session_scope
from duty_tui.core.db.models import Account, AccountBalance, Tenancy, table_of
from duty_tui.core.domain.errors import InputError
from duty_tui.core.domain.money import format_pence
from duty_tui.core.domain.period import check_period
from duty_tui.core.services import audit
from duty_tui.core.services.context import ServiceContext

PERMISSION = "statistics.view"
WEEKS_A_YEAR = 52
"""The annual rent roll is the weekly rent roll × 52 (a 53-week rent year is not counted: docs/INCOME_REPORTS.md)."""
NO_STEP = "none"
COURT_STAGES = {UPDATE_COURT_OUTCOME: "Court outcome recorded", UPDATE_EVICTION_OUTCOME: "Eviction outcome recorded"}
NOTICE_KINDS = {"nosp": "Notice seeking possession (HA 1985 s83)", "s128": "Notice of proceedings (HA 1996 s128)",
                "s14": "Section 14 notice (H(S)A 2001 s14)"}
ORDER_OUTCOMES = {"suspended_order": "Suspended possession order", "outright_order": "Outright possession order"}
CSV_FILES = ("arrears_by_stage.csv", "rent_roll.csv", "former_tenants.csv", "period_events.csv")

ACCOUNT, BALANCE, TENANCY = table_of(Account), table_of(AccountBalance), table_of(Tenancy)
ACTION, NOTICE, CLAIM = table_of(RecoveryAction), table_of(ArrearsNotice), table_of(PossessionClaim)
HEARING, EVICTION = table_of(CourtHearing), table_of(Eviction)


def percent_tenths(part_pence: int, whole_pence: int) -> int | None:
    """``part`` as a percentage of ``whole`` in tenths of a per cent, half up, from integers (None: no whole)."""
    if whole_pence <= 0:
        return None
    return (part_pence * 2000 + whole_pence) // (2 * whole_pence)


def percent_words(tenths: int | None) -> str:
    """Tenths of a per cent as people read them: 12.3%; "n/a" when there is no rent roll."""
    if tenths is None:
        return "n/a"
    sign = "-" if tenths < 0 else ""
    return f"{sign}{abs(tenths) // 10}.{abs(tenths) % 10}%"


@dataclass(frozen=True)
class StageFigure:
    """Open rent accounts in arrears whose latest recovery step is ``code`` (``none``: no step yet)."""

    code: str
    label: str
    accounts: int
    arrears_pence: int


@dataclass(frozen=True)
class RentRoll:
    """The annual rent roll of live tenancies (weekly × 52) and arrears as a share of it."""

    live_tenancies: int
    weekly_pence: int
    current_arrears_pence: int
    former_arrears_pence: int

    @property
    def annual_pence(self) -> int:
        return self.weekly_pence * WEEKS_A_YEAR

    @property
    def total_arrears_pence(self) -> int:
        return self.current_arrears_pence + self.former_arrears_pence

    @property
    def current_tenths(self) -> int | None:
        return percent_tenths(self.current_arrears_pence, self.annual_pence)

    @property
    def former_tenths(self) -> int | None:
        return percent_tenths(self.former_arrears_pence, self.annual_pence)

    @property
    def total_tenths(self) -> int | None:
        return percent_tenths(self.total_arrears_pence, self.annual_pence)


@dataclass(frozen=True)
class FormerFigure:
    """Debts of tenancies that have ended: ``former_tenant`` accounts, or rent accounts closed owing."""

    group: str
    label: str
    accounts: int
    arrears_pence: int


@dataclass(frozen=True)
class PeriodEvent:
    """How many of one event happened in the period (a notice served, a claim issued, an order, an eviction)."""

    event: str
    kind: str
    label: str
    count: int


@dataclass(frozen=True)
class ArrearsStatistics:
    """The arrears figures today (``as_of``) and the events of the period ``date_from``–``date_to``, inclusive."""

    as_of: date
    date_from: date
    date_to: date
    by_stage: tuple[StageFigure, ...]
    rent_roll: RentRoll
    former: tuple[FormerFigure, ...]
    events: tuple[PeriodEvent, ...]

    @property
    def current_accounts(self) -> int:
        return sum(s.accounts for s in self.by_stage)

    @property
    def current_pence(self) -> int:
        return sum(s.arrears_pence for s in self.by_stage)

    @property
    def former_accounts(self) -> int:
        return sum(f.accounts for f in self.former)

    def count(self, event: str) -> int:
        """How many events of one kind of event (``notice_served``, ``possession_order`` …) in the period."""
        return sum(e.count for e in self.events if e.event == event)

    def csv_tables(self) -> list[tuple[str, tuple[str, ...], list[tuple[Any, ...]]]]:
        """The four CSV files: (name, header, rows), as docs/INCOME_REPORTS.md describes them."""
        roll = self.rent_roll
        stage_rows: list[tuple[Any, ...]] = [(s.code, s.label, s.accounts, s.arrears_pence) for s in self.by_stage]
        stage_rows.append(("total", "All open rent accounts in arrears", self.current_accounts, self.current_pence))
        roll_rows: list[tuple[Any, ...]] = [
            ("as_of", self.as_of.isoformat()), ("live_tenancies", roll.live_tenancies),
            ("weekly_rent_roll_pence", roll.weekly_pence), ("weeks_a_year", WEEKS_A_YEAR),
            ("annual_rent_roll_pence", roll.annual_pence),
            ("current_arrears_pence", roll.current_arrears_pence),
            ("current_arrears_percent", _csv_percent(roll.current_tenths)),
            ("former_tenant_arrears_pence", roll.former_arrears_pence),
            ("former_tenant_arrears_percent", _csv_percent(roll.former_tenths)),
            ("total_arrears_pence", roll.total_arrears_pence),
            ("total_arrears_percent", _csv_percent(roll.total_tenths))]
        former_rows: list[tuple[Any, ...]] = [(f.group, f.label, f.accounts, f.arrears_pence) for f in self.former]
        former_rows.append(("total", "All former-tenant arrears", self.former_accounts, roll.former_arrears_pence))
        frm, to = self.date_from.isoformat(), self.date_to.isoformat()
        event_rows: list[tuple[Any, ...]] = [(e.event, e.kind, e.label, e.count, frm, to) for e in self.events]
        return [
            (CSV_FILES[0], ("stage", "name", "accounts", "arrears_pence"), stage_rows),
            (CSV_FILES[1], ("measure", "value"), roll_rows),
            (CSV_FILES[2], ("group", "name", "accounts", "arrears_pence"), former_rows),
            (CSV_FILES[3], ("event", "kind", "name", "count", "date_from", "date_to"), event_rows),
        ]


def _csv_percent(tenths: int | None) -> str:
    return "" if tenths is None else percent_words(tenths).rstrip("%")


# --- SQL -----------------------------------------------------------------------------------------

def _open_in_arrears(today: date) -> list[Any]:
    """Open rent accounts in arrears today (the worklist's accounts)."""
    return [BALANCE.c.balance_pence > 0, ACCOUNT.c.account_type == "rent",
            or_(ACCOUNT.c.closed_on.is_(None), ACCOUNT.c.closed_on > today)]


def _stage_totals(session: Any, today: date) -> dict[str | None, tuple[int, int]]:
    """{latest step code (None: no step): (accounts, pence)} — grouped in SQL over the latest step of each."""
    ra = ACTION.alias("ra_latest")
    latest = (select(ra.c.action).where(ra.c.account_id == ACCOUNT.c.id, ra.c.taken_on <= today)
              .order_by(ra.c.taken_on.desc(), ra.c.id.desc()).limit(1).scalar_subquery())
    inner = (select(latest.label("stage"), BALANCE.c.balance_pence.label("owed")).select_from(BALANCE)
             .join(ACCOUNT, ACCOUNT.c.id == BALANCE.c.account_id).where(*_open_in_arrears(today)).subquery())
    rows = session.execute(select(inner.c.stage, func.count(), func.coalesce(func.sum(inner.c.owed), 0))
                           .group_by(inner.c.stage)).all()
    return {stage: (int(n), int(pence)) for stage, n, pence in rows}


def _stage_figures(ctx: ServiceContext, totals: dict[str | None, tuple[int, int]]) -> tuple[StageFigure, ...]:
    """Every stage in policy order (none first, the court's last), with any other code found after them."""
    labels: dict[str, str] = {NO_STEP: "No recovery step yet"}
    for stage in load_recovery_policy(ctx.settings.data_dir).stages:
        name = stage.name.removeprefix("the ")
        labels.setdefault(stage.code, name[:1].upper() + name[1:])
    labels.update(COURT_STAGES)
    found = {(code if code is not None else NO_STEP): figure for code, figure in totals.items()}
    for code in sorted(set(found) - set(labels)):  # a code an older policy had
        labels[code] = code.replace("_", " ").capitalize() + " (no longer in the policy)"
    return tuple(StageFigure(code, label, *found.get(code, (0, 0))) for code, label in labels.items())


def _sum(session: Any, *where: Any) -> tuple[int, int]:
    """(accounts, pence) of the accounts with a balance matching ``where``."""
    n, pence = session.execute(select(func.count(), func.coalesce(func.sum(BALANCE.c.balance_pence), 0))
                               .select_from(BALANCE).join(ACCOUNT, ACCOUNT.c.id == BALANCE.c.account_id)
                               .where(*where)).one()
    return int(n), int(pence)


def _former(session: Any, today: date) -> tuple[FormerFigure, ...]:
    fta = _sum(session, BALANCE.c.balance_pence > 0, ACCOUNT.c.account_type == "former_tenant")
    closed = _sum(session, BALANCE.c.balance_pence > 0, ACCOUNT.c.account_type == "rent",
                  ACCOUNT.c.closed_on.is_not(None), ACCOUNT.c.closed_on <= today)
    return (FormerFigure("former_tenant_accounts", "Former tenant arrears accounts", *fta),
            FormerFigure("closed_rent_accounts", "Rent accounts closed owing", *closed))


def _rent_roll(session: Any, today: date, current_pence: int, former_pence: int) -> RentRoll:
    n, weekly = session.execute(
        select(func.count(), func.coalesce(func.sum(TENANCY.c.weekly_rent_pence), 0))
        .where(TENANCY.c.status == "current", TENANCY.c.start_date <= today,
               or_(TENANCY.c.end_date.is_(None), TENANCY.c.end_date > today))).one()
    return RentRoll(int(n), int(weekly), current_pence, former_pence)


def _events(session: Any, start: date, end: date) -> tuple[PeriodEvent, ...]:
    def grouped(column: Any, day: Any, *where: Any) -> dict[str, int]:
        query = select(column, func.count()).where(day >= start, day <= end, *where).group_by(column)
        return {kind: int(n) for kind, n in session.execute(query).all()}

    def counted(table: Any, day: Any, *where: Any) -> int:
        return int(session.execute(select(func.count()).select_from(table)
                                   .where(day >= start, day <= end, *where)).scalar() or 0)

    notices = grouped(NOTICE.c.kind, NOTICE.c.served_on)
    orders = grouped(HEARING.c.outcome, HEARING.c.outcome_on, HEARING.c.outcome.in_(ORDER_OUTCOMES))
    kinds = {**NOTICE_KINDS, **{k: k.replace("_", " ") for k in sorted(set(notices) - set(NOTICE_KINDS))}}
    return (*(PeriodEvent("notice_served", kind, label, notices.get(kind, 0)) for kind, label in kinds.items()),
            PeriodEvent("claim_issued", "possession_claim", "Possession claim issued",
                        counted(CLAIM, CLAIM.c.issued_on)),
            *(PeriodEvent("possession_order", kind, label, orders.get(kind, 0)) for kind, label in ORDER_OUTCOMES.items()),
            PeriodEvent("eviction", "evicted", "Eviction carried out",
                        counted(EVICTION, EVICTION.c.outcome_on, EVICTION.c.outcome == "evicted")))


# --- the use cases -------------------------------------------------------------------------------

def _compute(ctx: ServiceContext, date_from: date | None, date_to: date | None) -> ArrearsStatistics:
    ctx.require(PERMISSION)
    start, end = check_period(date_from, date_to)
    today = ctx.today()
    with session_scope(ctx.engine) as session:  # one read; the audit event after it (docs/AUDIT.md)
        totals = _stage_totals(session, today)
        former = _former(session, today)
        current_pence = sum(pence for _, pence in totals.values())
        roll = _rent_roll(session, today, current_pence, sum(f.arrears_pence for f in former))
        events = _events(session, start, end)
    return ArrearsStatistics(today, start, end, _stage_figures(ctx, totals), roll, former, events)


def _detail(stats: ArrearsStatistics) -> dict[str, Any]:
    return {"from": stats.date_from.isoformat(), "to": stats.date_to.isoformat(), "as_of": stats.as_of.isoformat(),
            "accounts_in_arrears": stats.current_accounts, "arrears_pence": stats.current_pence}


def arrears_statistics(ctx: ServiceContext, *, date_from: date | None, date_to: date | None) -> ArrearsStatistics:
    """The arrears figures today and the period's events (statistics.view); audited as a report read."""
    stats = _compute(ctx, date_from, date_to)
    audit.record_read(ctx, "arrears.statistics_viewed", "statistics", "arrears", _detail(stats))
    return stats


def write_arrears_report(ctx: ServiceContext, *, date_from: date | None, date_to: date | None,
                         out_dir: Path) -> tuple[ArrearsStatistics, list[Path]]:
    """Write the four CSV files (CSV_FILES) into ``out_dir``, a new or empty folder (made 0700; files 0600).

    Audited (``arrears.report_written``) once the figures are read and before any file is written;
    a failure part-way removes what was written."""
    from duty_tui.core.services.outputs import OutputFolder

    ctx.require(PERMISSION)
    check_period(date_from, date_to)
    try:
        with OutputFolder(Path(out_dir)) as folder:  # checked and opened first: a bad folder reads nothing
            stats = _compute(ctx, date_from, date_to)
            tables = stats.csv_tables()
            audit.record_read(ctx, "arrears.report_written", "statistics", "arrears",
                              {**_detail(stats), "files": [name for name, _, _ in tables]})
            for name, header, rows in tables:
                _write_csv(folder, name, header, rows)
            return stats, list(folder.files)
    except OSError as exc:
        raise InputError(f"--out {out_dir}: cannot write there ({exc.strerror or exc}); choose a folder you "
                         "may write to") from None


def _cell(value: Any) -> Any:
    """A cell a spreadsheet will not run: text starting = + - @ is quoted with a leading apostrophe."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _write_csv(folder: Any, name: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    with folder.create(name) as handle:
        writer = csv.writer(handle)
        writer.writerow(list(header))
        for row in rows:
            writer.writerow([_cell(v) for v in row])


def rent_year_start(day: date) -> date:
    """The first day of the rent year ``day`` falls in: the first Monday of April (DOMAIN.md, "Rent year")."""
    def first_monday(year: int) -> date:
        april = date(year, 4, 1)
        return date.fromordinal(april.toordinal() + (7 - april.weekday()) % 7)

    start = first_monday(day.year)
    return start if day >= start else first_monday(day.year - 1)


def statistics_lines(stats: ArrearsStatistics) -> list[str]:
    """The figures as lines of text: the screen's summary and the printable document's body."""
    roll = stats.rent_roll
    fta, closed = stats.former
    notices = ", ".join(f"{e.kind.upper() if e.kind == 'nosp' else e.kind} {e.count}" for e in stats.events
                        if e.event == "notice_served")
    orders = ", ".join(f"{e.kind.split('_')[0]} {e.count}" for e in stats.events if e.event == "possession_order")
    return [
        f"Rent roll {format_pence(roll.annual_pence)} a year ({roll.live_tenancies:,} live tenancies × {WEEKS_A_YEAR} "
        f"weeks): current arrears {percent_words(roll.current_tenths)}, with former tenants "
        f"{percent_words(roll.total_tenths)}",
        f"Former tenants: {format_pence(roll.former_arrears_pence)} on {stats.former_accounts:,} accounts "
        f"({fta.accounts:,} former tenant accounts {format_pence(fta.arrears_pence)}, {closed.accounts:,} rent "
        f"accounts closed owing {format_pence(closed.arrears_pence)})",
        f"{stats.date_from:%d/%m/%Y}–{stats.date_to:%d/%m/%Y}: notices served {stats.count('notice_served')} "
        f"({notices}), claims issued {stats.count('claim_issued')}, possession orders "
        f"{stats.count('possession_order')} ({orders}), evictions {stats.count('eviction')}",
    ]


def statistics_document(stats: ArrearsStatistics) -> Any:
    """The figures as a printable ``Document`` (text and PDF) for the send dialog: aggregates only, no names."""
    from duty_tui.core.services.printable import make_document

    title = f"Arrears statistics at {stats.as_of:%d/%m/%Y}"
    lines = [title, "", "Open rent accounts in arrears by their latest recovery step:"]
    lines += [f"  {s.label:<40} {s.accounts:>7,} {format_pence(s.arrears_pence):>14}" for s in stats.by_stage]
    lines += [f"  {'All':<40} {stats.current_accounts:>7,} {format_pence(stats.current_pence):>14}", ""]
    lines += statistics_lines(stats)
    return make_document("reports", f"arrears_statistics_{stats.date_from:%Y%m%d}_{stats.date_to:%Y%m%d}", title,
                         lines, about=("statistics", "arrears"))


def private_report_folder(ctx: ServiceContext, date_from: date, date_to: date) -> Path:
    """A new folder for the screen's export, under the user's own documents (0700): reports/arrears_FROM_TO_HHMMSS."""
    from duty_tui.core.services.printable import documents_dir

    stamp = ctx.now().strftime("%Y%m%d-%H%M%S")
    return documents_dir("reports") / f"arrears_{date_from:%Y%m%d}_{date_to:%Y%m%d}_{stamp}"


__all__ = ["CSV_FILES", "ArrearsStatistics", "FormerFigure", "PeriodEvent", "RentRoll", "StageFigure",
           "arrears_statistics", "check_period", "percent_tenths", "percent_words", "private_report_folder",
           "rent_year_start", "statistics_document", "statistics_lines", "write_arrears_report"]
