"""Payment-file import (docs/CLI.md `payments import`) and the suspense account.

The whole file is checked first; any problem and nothing is posted. Then every new
row is posted in ONE transaction (all-or-nothing). A row whose ``external_id`` is
already in the ledger is skipped when it repeats what was imported (same date,
account ref, amount and method); one that differs is a problem line and nothing is
posted. Rows for unknown (or closed) accounts go to the suspense account, to be
reallocated later.

Two imports at the same moment (two schedulers, a re-run while the first is still
going) take turns: on PostgreSQL each import's transaction first takes one advisory
lock, so the second waits for the first to commit and then finds its rows imported
(SQLite's write transaction already serialises them). The UNIQUE ``external_id``
stays the guarantee: a row posted by anything else meanwhile fails the whole
transaction, which is rolled back and run again, finding it imported.

On PostgreSQL the rows go in as one ``INSERT ... SELECT FROM unnest(arrays)``
statement per part, never a driver ``executemany``: psycopg runs executemany in
pipeline mode, and an error arriving while the pipeline was still sending (the
second of two imports hitting the first's rows, a connection cut) made psycopg log
"error ignored terminating <psycopg.Pipeline ...>" onto the user's stderr. One
statement fails as one statement. (It is also faster than the pipeline.) SQLite's
driver has no pipeline; there executemany stays.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import exists, insert, text
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from duty_tui.areas.payments.db.models import ImportBatch, SuspenseAllocation
from duty_tui.areas.payments.domain.reference import CONTRACT_METHODS
from duty_tui.areas.payments.domain.rules import (
    MAX_REPORTED_PROBLEMS,
    FileProblems,
    ImportedBefore,
    changed_row_problem,
    clean_free_text,
    parse_payment_file,
)
from duty_tui.areas.payments.services.common import (
    account_by_ref,
    by_whom,
    chunks,
    is_postgres,
    lock_account,
    lock_office,
    office_for,
    policy,
    require_open,
)
from duty_tui.core.db.engine import session_scope
from duty_tui.core.db.models import Account, LedgerEntry, table_of
from duty_tui.core.domain.errors import ConflictError, EnvironmentProblem, InputError, NotFound
from duty_tui.core.domain.money import format_pence
from duty_tui.core.services import audit
from duty_tui.core.services.changes import record_account
from duty_tui.core.services.context import ServiceContext

INSERT_BATCH = 5000
"""Rows per INSERT statement (PostgreSQL: 15 array parameters of this many elements each)."""
ATTEMPTS = 5
IMPORT_LOCK = 0x6475747970617969
"""PostgreSQL advisory lock key (pg_advisory_xact_lock) that one payments import holds at a time."""


@dataclass(frozen=True)
class ImportSummary:
    """What an import did. ``posted``, ``skipped`` and ``suspense`` count disjoint rows of the file."""

    posted: int
    skipped: int
    suspense: int
    total_pence: int
    rows_in_file: int
    batch_id: int | None

    def line(self) -> str:
        """The contract's summary line."""
        return (f"posted {self.posted}, skipped {self.skipped} (already imported), to suspense {self.suspense}, "
                f"total {format_pence(self.total_pence)}")

    def as_json(self) -> dict:
        """The contract's --json keys."""
        return {"posted": self.posted, "skipped": self.skipped, "suspense": self.suspense,
                "total_pence": self.total_pence}


def _short(problem: str, limit: int = 300) -> str:
    """A problem line that quotes a 5,000-character cell: its start and its end (what to fix)."""
    return problem if len(problem) <= limit else f"{problem[:limit // 2]} … {problem[-(limit // 2):]}"


def suspense_account(session, ctx: ServiceContext, today: date) -> Account:
    """The suspense account (created the first time money needs it)."""
    rules = policy(ctx)
    account = session.exec(select(Account).where(Account.ref == rules.suspense_ref)).first()
    if account is None:
        account = session.exec(select(Account).where(Account.account_type == "suspense")
                               .order_by(col(Account.id))).first()
    if account is None:
        account = Account(ref=rules.suspense_ref, account_type="suspense", holder_name=rules.suspense_holder,
                          opened_on=today)
        session.add(account)
        session.flush()
    return account


def import_payment_file(ctx: ServiceContext, data: bytes, file_name: str) -> ImportSummary:
    """Check the whole file, then post every new row at once (or nothing)."""
    actor = ctx.require("payments.import")
    rules = policy(ctx)
    today = ctx.today()
    methods = [m for m in CONTRACT_METHODS if m in rules.file_methods()]
    methods += [m for m in rules.file_methods() if m not in methods]
    try:
        rows = parse_payment_file(data, methods=methods, row_limit_pence=rules.import_row_limit_pence, today=today)
    except FileProblems as exc:
        problems = [_short(problem) for problem in exc.problems]
        raise InputError(problems[0], problems=problems) from None
    digest = hashlib.sha256(data).hexdigest()
    rows.sort(key=lambda r: r.external_id)  # one lock order for every import: no deadlocks between them
    for _attempt in range(ATTEMPTS):
        try:
            return _post(ctx, rows, file_name, digest, actor.id, today)
        except IntegrityError:
            # Another import posted some of these external ids (or made the suspense account) first;
            # this whole transaction was rolled back, so run it again: those rows are now skipped.
            continue
    raise EnvironmentProblem("other imports kept posting the same transactions at the same time; "
                             "run this import again when they have finished")


def _post(ctx: ServiceContext, rows, file_name: str, digest: str, actor_id: int | None, today: date) -> ImportSummary:
    rules = policy(ctx)
    now: datetime = ctx.now()
    with session_scope(ctx.engine, write=True) as session:
        if is_postgres(session):
            # Right after a big import the table's statistics are stale and the planner may choose
            # to scan the whole ledger for every look-up below; the unique indexes are always right.
            session.execute(text("SET LOCAL enable_seqscan = off"))
            # One import at a time, taken before anything is read: a second import of the same file waits
            # here, then finds every row imported (instead of colliding with the first on external_id).
            session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": IMPORT_LOCK})
        office = office_for(session, ctx)
        before: dict[str, ImportedBefore] = {}
        for part in chunks([r.external_id for r in rows]):
            for external_id, day, given_ref, amount, method in session.exec(
                    select(LedgerEntry.external_id, LedgerEntry.effective_date, LedgerEntry.reference,
                           LedgerEntry.amount_pence, LedgerEntry.method)
                    .where(col(LedgerEntry.external_id).in_(part))).all():
                before[external_id] = ImportedBefore(external_id, day, given_ref or "", -amount, method)
        problems = [problem for problem in (changed_row_problem(r, before[r.external_id])
                                            for r in sorted(rows, key=lambda r: r.line) if r.external_id in before)
                    if problem]
        if problems:
            shown = [_short(p) for p in problems[:MAX_REPORTED_PROBLEMS]]
            if len(problems) > MAX_REPORTED_PROBLEMS:
                shown.append(f"… and {len(problems) - MAX_REPORTED_PROBLEMS} more rows like these; nothing was posted")
            raise InputError(shown[0], problems=shown)
        fresh = [r for r in rows if r.external_id not in before]
        refs = sorted({r.account_ref for r in fresh if r.account_ref})
        known: dict[str, tuple[int, date | None, str]] = {}
        for part in chunks(refs):
            for account_id, ref, closed_on, kind in session.exec(
                    select(Account.id, Account.ref, Account.closed_on, Account.account_type)
                    .where(col(Account.ref).in_(part))).all():
                known[ref] = (account_id, closed_on, kind)
        suspense_id: int | None = None
        values = []
        posted = to_suspense = total = 0
        for row in fresh:
            target = known.get(row.account_ref)
            reason = None
            if not row.account_ref:
                reason = "no account ref in the file"
            elif target is None:
                reason = f"unknown account ref {row.account_ref}"
            elif target[2] == "suspense":
                reason = "paid to the suspense ref"
            elif target[1] is not None and target[1] <= row.date:
                reason = f"account {row.account_ref} closed on {target[1]:%d/%m/%Y}"
            if reason is None:
                account_id = target[0]
                posted += 1
            else:
                if suspense_id is None:
                    suspense_id = suspense_account(session, ctx, today).id
                account_id = suspense_id
                to_suspense += 1
            total += row.amount_pence
            values.append({
                "account_id": account_id, "effective_date": row.date, "posted_at": now,
                "kind": rules.methods[row.method].ledger_kind, "method": row.method, "amount_pence": -row.amount_pence,
                "reference": row.account_ref[:64] or None, "receipt_no": None, "office_id": office.id,
                "external_id": row.external_id, "reverses_id": None, "created_by": actor_id,
                "terminal": ctx.terminal[:64], "till_code": None, "reason": reason,
            })
        # A row another import posts meanwhile fails the UNIQUE external_id: the whole transaction
        # rolls back and import_payment_file runs it again (it is then skipped).
        _insert_ledger_rows(session, values)
        skipped = len(rows) - len(fresh)
        batch = ImportBatch(file_name=file_name[:255], file_sha256=digest, imported_at=now, imported_by=actor_id,
                            rows_in_file=len(rows), posted=posted, skipped=skipped, suspense=to_suspense,
                            total_pence=total)
        session.add(batch)
        session.flush()
        audit.record(session, ctx, "payments.import", "payment_import", batch.id, {
            "file": file_name[:255], "sha256": digest, "rows": len(rows), "posted": posted,
            "skipped": skipped, "suspense": to_suspense, "total_pence": total})
        return ImportSummary(posted, skipped, to_suspense, total, len(rows), batch.id)


def _insert_ledger_rows(session, values: list[dict]) -> None:
    """Insert import rows: PostgreSQL one statement per part (see the module docstring), SQLite executemany."""
    if not values:
        return
    connection = session.connection()
    if not is_postgres(session):
        for part in chunks(values, INSERT_BATCH):
            connection.execute(insert(table_of(LedgerEntry)), list(part))
        return
    columns = list(values[0])
    table = table_of(LedgerEntry)
    dialect = connection.dialect
    arrays = ", ".join(f"CAST(:{name} AS {table.c[name].type.compile(dialect=dialect)}[])" for name in columns)
    statement = text(f"INSERT INTO {table.name} ({', '.join(columns)}) SELECT * FROM unnest({arrays})")
    for part in chunks(values, INSERT_BATCH):
        connection.execute(statement, {name: [row[name] for row in part] for name in columns})


# =========================================================================== suspense


@dataclass(frozen=True)
class SuspenseItem:
    """Money waiting in suspense."""

    entry_id: int
    effective_date: date
    posted_at: datetime
    amount_pence: int  # money received (positive)
    method: str | None
    given_ref: str | None
    external_id: str | None
    reason: str | None


@dataclass(frozen=True)
class ReallocationView:
    """Money moved from suspense to an account."""

    suspense_entry_id: int
    account_ref: str
    amount_pence: int
    out_entry_id: int
    in_entry_id: int
    balance_after_pence: int


def suspense_items(ctx: ServiceContext) -> list[SuspenseItem]:
    """Unallocated money in suspense, oldest first."""
    ctx.require("account.view")
    with session_scope(ctx.engine) as session:
        suspense_ids = list(session.exec(select(Account.id).where(Account.account_type == "suspense")).all())
        if not suspense_ids:
            return []
        allocated = exists().where(SuspenseAllocation.suspense_entry_id == LedgerEntry.id)
        rows = session.exec(select(LedgerEntry).where(
            col(LedgerEntry.account_id).in_(suspense_ids), LedgerEntry.amount_pence < 0,
            LedgerEntry.kind != "suspense_transfer", col(LedgerEntry.reverses_id).is_(None), ~allocated)
            .order_by(col(LedgerEntry.effective_date), col(LedgerEntry.id))).all()
        reversed_ids: set[int] = set()
        for part in chunks([r.id for r in rows]):
            reversed_ids.update(session.exec(select(LedgerEntry.reverses_id).where(
                col(LedgerEntry.reverses_id).in_(part))).all())
        return [SuspenseItem(r.id, r.effective_date, r.posted_at, -r.amount_pence, r.method, r.reference,
                             r.external_id, r.reason) for r in rows if r.id not in reversed_ids]


def reallocate_suspense(ctx: ServiceContext, entry_id: int, account_ref: str, note: str | None = None
                        ) -> ReallocationView:
    """Move one suspense item to the right account: two ledger rows, an allocation record, an audit event."""
    actor = ctx.require("suspense.allocate")
    try:
        clean_note = clean_free_text("note", note, max_length=200)
    except ValueError as exc:
        raise InputError(str(exc)) from None
    today = ctx.today()
    try:
        with session_scope(ctx.engine, write=True) as session:
            office = lock_office(session, office_for(session, ctx).id)
            item = session.get(LedgerEntry, entry_id)
            source = session.get(Account, item.account_id) if item else None
            if item is None or source is None or source.account_type != "suspense" or item.amount_pence >= 0 \
                    or item.kind == "suspense_transfer":
                raise NotFound(f"row #{entry_id} is not money waiting in suspense")
            # A reversal of this item from another office locks the same account row: one of the two
            # waits for the other, then finds the item gone (the office lock covers one office only).
            lock_account(session, source.id)
            moved = session.exec(select(SuspenseAllocation).where(
                SuspenseAllocation.suspense_entry_id == entry_id)).first()
            if moved is not None:
                raise _already_moved(session, entry_id, moved)
            reversal = session.exec(select(LedgerEntry).where(LedgerEntry.reverses_id == entry_id)).first()
            if reversal is not None:
                raise ConflictError(f"row #{entry_id} was reversed by "
                                    f"{by_whom(session, reversal.created_by, reversal.posted_at)}; there is "
                                    "nothing to move")
            target = account_by_ref(session, account_ref)
            if target.account_type == "suspense":
                raise InputError("choose the payer's account, not the suspense account")
            require_open(target, today, doing="move the money")
            now = ctx.now()
            amount = -item.amount_pence
            out_row = LedgerEntry(account_id=source.id, effective_date=today, posted_at=now, kind="suspense_transfer",
                                  method=item.method, amount_pence=amount, reference=target.ref, office_id=office.id,
                                  created_by=actor.id, terminal=ctx.terminal[:64],
                                  reason=f"moved to {target.ref}" + (f": {clean_note}" if clean_note else ""))
            in_row = LedgerEntry(account_id=target.id, effective_date=item.effective_date, posted_at=now,
                                 kind=item.kind, method=item.method, amount_pence=-amount,
                                 reference=(item.external_id or item.reference), office_id=office.id,
                                 created_by=actor.id, terminal=ctx.terminal[:64],
                                 reason=f"from suspense (paid as {item.reference or 'no ref'})"[:200])
            session.add(out_row)
            session.add(in_row)
            session.flush()
            session.add(SuspenseAllocation(suspense_entry_id=item.id, target_account_id=target.id,
                                           out_entry_id=out_row.id, in_entry_id=in_row.id, allocated_by=actor.id,
                                           allocated_at=now, note=clean_note))
            session.flush()
            balance = sum(session.exec(select(LedgerEntry.amount_pence).where(
                LedgerEntry.account_id == target.id)).all())
            record_account(session, target)
            audit.record(session, ctx, "suspense.allocate", "ledger_entry", item.id, {
                "to": target.ref, "amount_pence": amount, "given_ref": item.reference,
                "external_id": item.external_id, "note": clean_note, "in_entry_id": in_row.id})
            return ReallocationView(item.id, target.ref, amount, out_row.id, in_row.id, int(balance))
    except IntegrityError:
        # UNIQUE suspense_entry_id: another move of this item was committed first.
        with session_scope(ctx.engine) as session:
            moved = session.exec(select(SuspenseAllocation).where(
                SuspenseAllocation.suspense_entry_id == entry_id)).first()
            if moved is None:
                raise
            raise _already_moved(session, entry_id, moved) from None


def _already_moved(session, entry_id: int, moved: SuspenseAllocation) -> ConflictError:
    target = session.get(Account, moved.target_account_id)
    return ConflictError(f"row #{entry_id} was already moved to {target.ref if target else 'another account'} by "
                         f"{by_whom(session, moved.allocated_by, moved.allocated_at)}; nothing was changed",
                         record=f"suspense row #{entry_id}", changed_at=moved.allocated_at)


__all__ = ["ImportSummary", "ReallocationView", "SuspenseItem", "import_payment_file", "reallocate_suspense",
           "suspense_account", "suspense_items"]
