"""Direct debit runs: advance notices sent, the collection run (a Bacs Standard 18 file and its AUDDIS
lodgements, each collection posted once), and the ARUDD/ADDACS returns applied (docs/RENTS_DIRECT_DEBIT.md).

A collection is posted to the ledger when it is submitted, dated the collection date: Bacs sends no
confirmation of a collection that was paid, only the ARUDD report of those that were not, so a
collection stands as paid unless a return says otherwise; an unpaid item is then reversed ("direct
debit unpaid"), naming the row it reverses. ``ledger_entry.external_id`` ("dd:REF:DATE") and
``uq_dd_collection`` make a collection once however many runs meet; ``dd_return.return_key`` applies a
returns row once.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from duty_tui.areas.payments.db.dd_models import DirectDebitCollection, DirectDebitMandate, DirectDebitNotice
from duty_tui.areas.payments.domain.bacs_calendar import is_bacs_working_day, notice_by
from duty_tui.areas.payments.domain.bacs_files import Originator, Record, standard18_file
from duty_tui.areas.payments.domain.mandate import collections_on, transaction_code
from duty_tui.areas.payments.services.common import office_for, stored_id
from duty_tui.areas.payments.services.direct_debit import MANAGE, next_collection_with_notice
from duty_tui.core.config.reference import area_file, data_problem, read_toml
from duty_tui.core.db.engine import session_scope
from duty_tui.core.db.models import Account, LedgerEntry
from duty_tui.core.domain.errors import ConflictError, InputError
from duty_tui.core.domain.money import format_pence
from duty_tui.core.services import audit
from duty_tui.core.services.changes import record_account_id
from duty_tui.core.services.context import ServiceContext
from duty_tui.core.services.printable import Document, make_document


@functools.cache
def originator(data_dir: Path) -> Originator:
    """The council's Bacs service user details (data/payments/direct_debit.toml)."""
    path = area_file(data_dir, "payments", "direct_debit.toml")
    raw = read_toml(path).get("originator")
    if not isinstance(raw, dict):
        raise data_problem(path, "[originator]", "needs an [originator] table", fix_there=True)
    values = {k: str(raw.get(k, "")) for k in ("sun", "sort_code", "account_number", "name")}
    for key, size in (("sun", 6), ("sort_code", 6), ("account_number", 8)):
        if len(values[key]) != size or not values[key].isdigit():
            raise data_problem(path, key, f"{key} must be {size} digits", fix_there=True)
    if not 1 <= len(values["name"]) <= 18:
        raise data_problem(path, "name", "name must be 1 to 18 characters", fix_there=True)
    return Originator(values["sun"], values["sort_code"], values["account_number"], values["name"].upper())


# ------------------------------------------------------------------------------------------- notices


@dataclass(frozen=True)
class NoticeDue:
    """An advance notice not yet sent."""

    notice_id: int
    reference: str
    account_ref: str
    kind: str
    collection_date: date
    amount_pence: int
    notice_by: date


def notices_due(ctx: ServiceContext) -> list[NoticeDue]:
    """Advance notices owed and not yet sent, the most urgent first."""
    ctx.require(MANAGE)
    with session_scope(ctx.engine) as session:
        rows = session.exec(select(DirectDebitNotice, DirectDebitMandate, Account)
                            .join(DirectDebitMandate, col(DirectDebitMandate.id) == DirectDebitNotice.mandate_id)
                            .join(Account, col(Account.id) == DirectDebitMandate.account_id)
                            .where(col(DirectDebitNotice.sent_at).is_(None), DirectDebitMandate.status != "cancelled")
                            .order_by(col(DirectDebitNotice.notice_by), col(DirectDebitNotice.id))).all()
        return [NoticeDue(stored_id(n), m.reference, a.ref, n.kind, n.collection_date, n.amount_pence, n.notice_by)
                for n, m, a in rows]


def _letter(ctx: ServiceContext, n: DirectDebitNotice, m: DirectDebitMandate, account: Account, regular: bool) -> Document:
    template = area_file(ctx.settings.data_dir, "payments", "letters", "dd_advance_notice.txt").read_text(encoding="utf-8")
    kinds = {"first": "first collection", "change": "a change of amount or date", "represent": "re-presentation"}
    later = (f"After that we will collect {format_pence(m.amount_pence + m.top_up_pence)} on day {m.collection_day} "
             "of each month until we tell you otherwise.\n" if regular else "")
    values = {"office_name": ctx.settings.office_name, "date": ctx.today().strftime("%d %B %Y"),
              "payer_name": m.payer_name.title(), "account_ref": account.ref, "reference": m.reference,
              "kind": kinds.get(n.kind, n.kind), "amount": format_pence(n.amount_pence),
              "sort_code": f"{m.sort_code[:2]}-{m.sort_code[2:4]}-{m.sort_code[4:]}",
              "account_last4": m.account_number[-4:], "collection_date": n.collection_date.strftime("%d %B %Y"),
              "later": later}
    lines = template.format_map(values).splitlines()
    return make_document("letters", f"dd_notice_{m.reference}_{n.collection_date.isoformat()}",
                         f"Direct debit advance notice {m.reference}", lines, about=("account", account.ref))


def send_notices(ctx: ServiceContext, notice_ids: list[int]) -> list[Document]:
    """Produce the notices (text and PDF) and record them sent. A notice whose last day has passed is moved
    first to the next collection date it can still reach, so a payer is never told too late."""
    ctx.require(MANAGE)
    today = ctx.today()
    with session_scope(ctx.engine, write=True) as session:
        documents = []
        for notice_id in notice_ids:
            n = session.get(DirectDebitNotice, notice_id)
            if n is None or n.sent_at is not None:
                raise InputError(f"advance notice #{notice_id} is not waiting to be sent; refresh the list")
            m = session.get(DirectDebitMandate, n.mandate_id)
            account = session.get(Account, m.account_id) if m else None
            assert m is not None and account is not None
            if n.notice_by < today:
                if n.kind == "represent":
                    raise InputError(f"the re-presentation for {m.reference} can no longer be noticed in time; "
                                     "ask the payer to pay another way")
                moved = next_collection_with_notice(m.collection_day, today, today)
                dates = notice_by(moved)
                same = session.exec(select(DirectDebitNotice).where(
                    DirectDebitNotice.mandate_id == m.id, DirectDebitNotice.collection_date == dates.collection,
                    DirectDebitNotice.amount_pence == n.amount_pence)).first()
                if n.kind == "first":
                    m.first_collection = moved
                if same is not None:  # the date it moves to is already noticed: that notice stands for both
                    session.delete(n)
                    if same.sent_at is not None:
                        continue
                    n = same
                else:
                    n.collection_date, n.notice_by = dates.collection, dates.notice_by
            n.sent_at, n.sent_by = ctx.now(), ctx.actor.id if ctx.actor else None
            session.flush()
            documents.append(_letter(ctx, n, m, account, regular=n.kind != "represent"))
            audit.record(session, ctx, "dd.notice_sent", "dd_mandate", m.id,
                         {"reference": m.reference, "account": account.ref, "kind": n.kind,
                          "collection_date": n.collection_date.isoformat(), "amount_pence": n.amount_pence})
        return documents


# ---------------------------------------------------------------------------------------- collections


@dataclass
class CollectionRun:
    """What a run did: the files to submit, what was collected, what was skipped and why."""

    on: date
    collection_file: str
    auddis_file: str
    collected: list[tuple[str, str, int]] = field(default_factory=list)  # reference, code, pence
    lodged: list[tuple[str, str]] = field(default_factory=list)  # reference, 0N/0C/0S
    skipped: list[tuple[str, str]] = field(default_factory=list)  # reference, why

    @property
    def total_pence(self) -> int:
        """The run's total."""
        return sum(p for _, _, p in self.collected)

    def as_json(self) -> dict[str, object]:
        """`dd collect --json`."""
        return {"date": self.on.isoformat(), "collected": len(self.collected), "total_pence": self.total_pence,
                "lodged": len(self.lodged), "skipped": [{"reference": r, "reason": why} for r, why in self.skipped]}


def _noticed_amount(session: Session, m: DirectDebitMandate, on: date) -> int | None:
    """The amount of the latest advance notice sent for a collection on or before ``on`` (None: no notice)."""
    return session.exec(select(DirectDebitNotice.amount_pence).where(
        DirectDebitNotice.mandate_id == m.id, col(DirectDebitNotice.sent_at).is_not(None),
        DirectDebitNotice.kind != "represent", DirectDebitNotice.collection_date <= on)
        .order_by(col(DirectDebitNotice.collection_date).desc(), col(DirectDebitNotice.id).desc())).first()


def _due(session: Session, on: date, run: CollectionRun) -> list[tuple[DirectDebitMandate, int, str, int | None]]:
    """(mandate, pence, transaction code, collection re-presented) for each collection due on ``on``."""
    due = []
    done = set(session.exec(select(DirectDebitCollection.mandate_id).where(
        DirectDebitCollection.collection_date == on)).all())
    # One read for the day's re-presentations; the per-mandate reads below are for mandates due today only.
    represents = {n.mandate_id: n for n in session.exec(select(DirectDebitNotice).where(
        DirectDebitNotice.kind == "represent", DirectDebitNotice.collection_date == on,
        col(DirectDebitNotice.sent_at).is_not(None))).all()}
    for m in session.exec(select(DirectDebitMandate).where(DirectDebitMandate.status == "active")
                          .order_by(col(DirectDebitMandate.id))).all():
        if m.id in done:
            continue
        represent = represents.get(stored_id(m))
        if represent is not None:
            unpaid = session.exec(select(DirectDebitCollection.id).where(
                DirectDebitCollection.mandate_id == m.id, DirectDebitCollection.status == "unpaid")
                .order_by(col(DirectDebitCollection.id).desc())).first()
            due.append((m, represent.amount_pence, "18", unpaid))
            continue
        if collections_on(m.collection_day, m.first_collection, on) is None:
            continue
        if m.lodgement in ("0N", "0S"):
            run.skipped.append((m.reference, "its AUDDIS lodgement goes in this run: collected from the next date"))
            continue
        amount = _noticed_amount(session, m, on)
        if amount is None:
            run.skipped.append((m.reference, "no advance notice was sent for this collection: send it "
                                "(dd notices) and it is collected on the next date it reaches"))
            continue
        due.append((m, amount, transaction_code(collected_before=m.collected_once, represented=False,
                                                final=False), None))
    return due


def run_collections(ctx: ServiceContext, on: date) -> CollectionRun:
    """Collect every direct debit due on Bacs day ``on``: one transaction posting each once (method
    direct_debit), the Standard 18 file, and the AUDDIS file of the lodgements waiting."""
    ctx.require(MANAGE)
    if not is_bacs_working_day(on):
        raise InputError(f"{on.isoformat()} is not a Bacs working day (a weekend or an England and Wales bank "
                         "holiday); collections wanted then are taken on the next working day: run that date")
    origin = originator(ctx.settings.data_dir)
    run = CollectionRun(on, "", "")
    with session_scope(ctx.engine, write=True) as session:
        office = office_for(session, ctx)
        lodgements = session.exec(select(DirectDebitMandate).where(col(DirectDebitMandate.lodgement).is_not(None))
                                  .order_by(col(DirectDebitMandate.id))).all()
        due = _due(session, on, run)
        records, auddis = [], []
        for m in lodgements:
            auddis.append(Record(m.sort_code, m.account_number, m.lodgement or "", 0, m.reference, m.payer_name))
            run.lodged.append((m.reference, m.lodgement or ""))
            m.lodgement = None
        try:
            for m, pence, code, represents in due:
                entry = LedgerEntry(account_id=m.account_id, effective_date=on, posted_at=ctx.now(), kind="payment",
                                    method="direct_debit", amount_pence=-pence, reference=m.reference,
                                    office_id=office.id, external_id=f"dd:{m.reference}:{on.isoformat()}",
                                    created_by=ctx.actor.id if ctx.actor else None, terminal=ctx.terminal[:64])
                session.add(entry)
                session.flush()
                session.add(DirectDebitCollection(mandate_id=stored_id(m), collection_date=on, amount_pence=pence,
                                                  transaction_code=code, ledger_entry_id=entry.id,
                                                  represents_id=represents, submitted_at=ctx.now()))
                m.collected_once = True
                record_account_id(session, m.account_id)
                records.append(Record(m.sort_code, m.account_number, code, pence, m.reference, m.payer_name))
                run.collected.append((m.reference, code, pence))
            session.flush()
        except IntegrityError:
            raise ConflictError(f"another collection run for {on.isoformat()} was saved first; nothing from this "
                                "one was posted: run it again (what is collected is skipped)") from None
        run.collection_file = standard18_file(origin, on, records)
        run.auddis_file = standard18_file(origin, on, auddis, contra=False)
        audit.record(session, ctx, "dd.collection_run", "dd_collection", on.isoformat(),
                     {"date": on.isoformat(), "collected": len(run.collected), "total_pence": run.total_pence,
                      "lodged": len(run.lodged), "skipped": len(run.skipped)})
    return run


__all__ = ["CollectionRun", "NoticeDue", "notices_due", "originator", "run_collections", "send_notices"]
