"""Direct debit working in the demo's past weeks, through the payments services (docs/RENTS_DEMO.md).

The core simulation hands over a few monthly direct debit payers (duty_tui.core.demo.dd_handover):
from ``dd_cutover`` it writes none of their direct debit rows, and this step (the registry hook
``demo.collect_direct_debits``, called by the core generator after the rent) collects the same pence
on the same days with the services, each at its own moment on a stopped clock, as the rents
assistant: the mandates converted from paper (AUDDIS 0S) with their first collection's advance
notice, the lodgement run, a change notice before any collection of another amount, the collection
runs (Bacs Standard 18), and for some accounts an ARUDD return (0, refer to payer: "direct debit
unpaid" posted, the mandate's history says why) whose re-presentation is noticed and collected
(code 18) before today. Every unpaid item is re-presented and paid, so each balance ends as the
simulation's.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import Engine, delete, func, select

from duty_tui.areas.payments.db.dd_models import (
    DirectDebitCollection,
    DirectDebitMandate,
    DirectDebitNotice,
    DirectDebitReturn,
)
from duty_tui.areas.payments.dd_demo import BANKS
from duty_tui.areas.payments.domain.bacs_calendar import (
    ADVANCE_NOTICE_WORKING_DAYS,
    bacs_calendar,
    notice_by,
    working_days_before,
)
from duty_tui.areas.payments.domain.mandate import MandateInput
from duty_tui.areas.payments.services.dd_returns import apply_returns
from duty_tui.areas.payments.services.dd_runs import notices_due, run_collections, send_notices
from duty_tui.areas.payments.services.direct_debit import add_mandate, change_mandate
from duty_tui.core.config.settings import Settings
from duty_tui.core.db.models import ChangeSignal, LedgerEntry, StaffUser, table_of
from duty_tui.core.demo.dd_handover import HandedOver
from duty_tui.core.domain.clocks import add_months
from duty_tui.core.domain.local_time import UK
from duty_tui.core.services.context import Actor, ServiceContext

RUNS_BY = "rents"
"""The demo's rents assistant runs direct debits (rents.manage); the admin when a build has no such user."""
RETURN_WORKING_DAYS = 3
"""An ARUDD item arrives this many Bacs working days after its collection date."""
UNPAID_EVERY = 3
"""Every third handed-over account has one collection returned unpaid (and re-presented)."""


@dataclass(frozen=True, order=True)
class Step:
    """One thing done at one moment: (what, the mandate reference or date it concerns, detail)."""

    at: datetime
    seq: int
    what: str  # add, lodge, change, collect, arudd
    on: date
    reference: str = ""
    pence: int = 0


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=UK).astimezone(UTC)


def reference_of(account_ref: str) -> str:
    """The mandate reference the demo gives an account's handed-over direct debit."""
    return f"{account_ref}DM"


def unpaid_collection(collections: tuple[tuple[date, int], ...], today: date) -> tuple[date, date, date] | None:
    """(collection, its return, its re-presentation) for the first collection that can be returned and
    re-presented (once, within a month, after 10 Bacs working days' notice) before ``today``."""
    bacs = bacs_calendar()
    taken = {d for d, _ in collections}
    for day, _ in collections:
        returned = bacs.add_working_days(day, RETURN_WORKING_DAYS)
        again = bacs.add_working_days(returned, ADVANCE_NOTICE_WORKING_DAYS)
        if again < today and again <= add_months(day, 1) and again not in taken:
            return day, returned, again
    return None


def plan(handed: Sequence[HandedOver], today: date) -> list[Step]:
    """Every step, in the order of its moment (pure: the tests read it)."""
    steps: list[Step] = []
    if not handed:
        return steps
    first_notice = min(notice_by(h.collections[0][0]).notice_by for h in handed)
    start = first_notice - timedelta(days=2)
    for h in handed:
        steps.append(Step(_at(start, 10), len(steps), "add", h.collections[0][0], reference_of(h.account_ref),
                          h.collections[0][1]))
    lodge = bacs_calendar().add_working_days(start + timedelta(days=1), 0)
    steps.append(Step(_at(lodge, 16), len(steps), "lodge", lodge))
    dates: set[date] = set()
    for index, h in enumerate(handed):
        reference = reference_of(h.account_ref)
        for (before, old), (day, pence) in zip(h.collections, h.collections[1:], strict=False):
            if pence != old:
                steps.append(Step(_at(before + timedelta(days=1), 10), len(steps), "change", day, reference, pence))
        dates.update(d for d, _ in h.collections)
        unpaid = unpaid_collection(h.collections, today) if index % UNPAID_EVERY == 0 else None
        if unpaid is not None:
            day, returned, again = unpaid
            steps.append(Step(_at(returned, 8), len(steps), "arudd", day, reference, dict(h.collections)[day]))
            dates.add(again)
    for day in sorted(dates):
        steps.append(Step(_at(working_days_before(day, 2), 16), len(steps), "collect", day))
    return sorted(steps)


def _context(engine: Engine) -> ServiceContext:
    settings = Settings(db_url=engine.url.render_as_string(hide_password=False))
    ctx = ServiceContext.create(engine, settings, terminal="demo")
    staff = table_of(StaffUser)
    with engine.connect() as connection:
        user = connection.execute(select(staff).where(staff.c.username == RUNS_BY)).first()
        if user is None:
            user = connection.execute(select(staff).where(staff.c.role == "admin").order_by(staff.c.id)).first()
    assert user is not None, "the demo office has no one who may run direct debits"
    role = ctx.reference.roles[user.role]
    return ctx.as_actor(Actor(id=user.id, username=user.username, display_name=user.display_name, role=user.role,
                              role_name=role.name, permissions=role.permissions, team_id=user.team_id))


def _clock(moment: datetime) -> Callable[[], datetime]:
    return lambda: moment


def _payer(holder: str) -> str:
    return "".join(ch for ch in holder.upper() if ch.isalnum() or ch in " .&/-")[:18].strip() or "PAYER"


def _send_all(ctx: ServiceContext, reference: str | None = None) -> None:
    due = [n.notice_id for n in notices_due(ctx) if reference is None or n.reference == reference]
    if due:
        send_notices(ctx, due)


def _do(ctx: ServiceContext, step: Step, by_ref: dict[str, HandedOver]) -> None:
    if step.what == "add":
        h = by_ref[step.reference]
        sort_code, number = BANKS[h.account_id % len(BANKS)]
        add_mandate(ctx, h.account_ref, MandateInput(step.reference, _payer(h.holder), h.collection_day, "fixed",
                                                     step.pence), sort_code, number, step.on, convert=True)
        _send_all(ctx, step.reference)
    elif step.what in ("lodge", "collect"):
        run_collections(ctx, step.on)
    elif step.what == "change":
        table = table_of(DirectDebitMandate)
        with ctx.engine.connect() as connection:
            version = connection.execute(select(table.c.version).where(table.c.reference == step.reference)).scalar_one()
        change_mandate(ctx, step.reference, version, amount_pence=step.pence, note="payer asked: rent less benefit")
        _send_all(ctx, step.reference)
    elif step.what == "arudd":
        day = ctx.today()
        data = ("return_id,date,reference,collection_date,amount_pence,reason_code\n"
                f"D{day:%Y%m%d}{step.reference},{day.isoformat()},{step.reference},{step.on.isoformat()},"
                f"{step.pence},0\n")
        apply_returns(ctx, "arudd", data.encode())
        _send_all(ctx, step.reference)  # the re-presentation's notice, sent the day the return is read


TABLES = (DirectDebitMandate, DirectDebitNotice, DirectDebitCollection, DirectDebitReturn, LedgerEntry)


def collect_history(engine: Engine, *, today: date, handed: Sequence[HandedOver]) -> dict[str, int]:
    """Run every step at its moment; the rows now in the tables it wrote to (the ledger among them)."""
    steps = plan(handed, today)
    if steps:
        ctx = _context(engine)
        by_ref = {reference_of(h.account_ref): h for h in handed}
        signals = table_of(ChangeSignal)
        with engine.connect() as connection:
            before = set(connection.execute(select(signals.c.channel)).scalars())
        for step in steps:
            _do(replace(ctx, clock=_clock(step.at)), step, by_ref)
        with engine.begin() as connection:  # the services' change signals (SQLite) carry the wall clock: no
            # terminal is open on a demo being built, so they go, and the same seed and day give the same rows
            connection.execute(delete(signals).where(signals.c.channel.not_in(sorted(before))))
    with engine.connect() as connection:
        return {model.__tablename__: connection.execute(select(func.count()).select_from(model)).scalar_one()
                for model in TABLES}
