"""Arrangements to pay: agree a plan, check each due instalment against the ledger, flag broken ones.

``arrangement_status_for_person`` (person view) and ``broken_arrangements`` (income
team's queue) are the lead's integration points; both are read-only.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from duty_tui.areas.payments.db.models import Arrangement, ArrangementInstalment
from duty_tui.areas.payments.domain.agreement import (
    KIND_NAMES,
    KINDS,
    AgreementCheck,
    Expected,
    check_agreement,
    lump_sum_problems,
    state_changes,
)
from duty_tui.areas.payments.domain.rules import FREQUENCY_NAMES, InstalmentCheck, build_schedule, clean_free_text
from duty_tui.areas.payments.services.agreement_history import (
    FoundChange,
    StateChange,
    add_state,
    histories,
    latest_states,
    movements_by_account,
    record_found,
)
from duty_tui.areas.payments.services.common import (
    account_by_ref,
    accounts_of_person,
    assign_ref,
    balance_of,
    by_whom,
    chunks,
    holder_person,
    pending_ref,
    person_by_ref,
    policy,
    require_open,
    staff_names,
    stored_id,
)
from duty_tui.core.db.engine import session_scope
from duty_tui.core.db.models import Account
from duty_tui.core.domain.errors import ConflictError, InputError, NotFound
from duty_tui.core.domain.local_time import format_local
from duty_tui.core.domain.money import format_pence
from duty_tui.core.services import audit
from duty_tui.core.services.changes import record_account, record_account_id
from duty_tui.core.services.context import ServiceContext


@dataclass(frozen=True)
class ArrangementStatus:
    """An arrangement and where it stands today (checked against the ledger)."""

    ref: str
    account_ref: str
    person_ref: str | None
    person_name: str | None
    amount_pence: int
    frequency: str
    start_date: date
    total_pence: int
    active: bool
    status: str  # kept, broken, completed, not_started, ended
    label: str
    shortfall_pence: int
    missed: int
    next_due: date | None
    paid_to_date_pence: int
    due_to_date_pence: int
    version: int
    note: str | None = None
    created_by: str | None = None
    instalments: tuple[InstalmentCheck, ...] = field(default=())
    kind: str = "informal"
    court_hearing_id: int | None = None
    lump_sum_pence: int | None = None
    lump_sum_due: date | None = None
    history: tuple[StateChange, ...] = field(default=())
    """The state history, newest first (detail reads only)."""

    @property
    def broken(self) -> bool:
        """True when the payer is behind (an instalment missed and not caught up)."""
        return self.status == "broken"

    @property
    def plan(self) -> str:
        """'£20.00 weekly from 02/03/2026'."""
        text = f"{format_pence(self.amount_pence)} {FREQUENCY_NAMES.get(self.frequency, self.frequency)} " \
               f"from {self.start_date:%d/%m/%Y}"
        if self.lump_sum_pence is not None and self.lump_sum_due is not None:
            text += f" + {format_pence(self.lump_sum_pence)} lump sum by {self.lump_sum_due:%d/%m/%Y}"
        return text

    @property
    def kind_name(self) -> str:
        """'informal' or 'court-ordered (hearing #12)'."""
        name = KIND_NAMES.get(self.kind, self.kind)
        return f"{name} (hearing #{self.court_hearing_id})" if self.court_hearing_id is not None else name


def _window_start(arrangement: Arrangement) -> date:
    """The plan is checked from its first instalment, or its lump sum if that is due first."""
    if arrangement.lump_sum_due is not None and arrangement.lump_sum_due < arrangement.start_date:
        return arrangement.lump_sum_due
    return arrangement.start_date


def _statuses(ctx: ServiceContext, session, arrangements: list[Arrangement], *, detail: bool = False,
              people: bool = True) -> list[ArrangementStatus]:
    return _checked(ctx, session, arrangements, detail=detail, people=people)[0]


def _checked(ctx: ServiceContext, session, arrangements: list[Arrangement], *, detail: bool = False,
             people: bool = True) -> tuple[list[ArrangementStatus], list[FoundChange]]:
    """Each arrangement checked against its expected balance, and the changes of state to record."""
    if not arrangements:
        return [], []
    rules = policy(ctx)
    today = ctx.today()
    schedules: dict[int, list[Expected]] = defaultdict(list)
    horizon = today + timedelta(days=62)  # enough to judge today and show the next instalment
    for part in chunks([a.id for a in arrangements]):
        # Plain columns, not ORM objects: a council's active plans hold a quarter of a million instalments,
        # and a status needs only those due by now and the next (the plan's total is on the arrangement).
        query = (select(ArrangementInstalment.arrangement_id, ArrangementInstalment.seq,
                        ArrangementInstalment.due_date, ArrangementInstalment.amount_pence)
                 .where(col(ArrangementInstalment.arrangement_id).in_(part))
                 .order_by(ArrangementInstalment.arrangement_id, ArrangementInstalment.seq))
        if not detail:
            query = query.where(ArrangementInstalment.due_date <= horizon)
        for arrangement_id, seq, due_date, amount in session.exec(query).all():
            schedules[arrangement_id].append(Expected(seq, due_date, amount))
    for arrangement in arrangements:
        if arrangement.lump_sum_pence is not None and arrangement.lump_sum_due is not None:
            schedules[stored_id(arrangement)].append(Expected(0, arrangement.lump_sum_due, arrangement.lump_sum_pence))
    accounts = {a.id: a for a in session.exec(select(Account).where(
        col(Account.id).in_({a.account_id for a in arrangements}))).all()}
    moved = movements_by_account(session, list(accounts), min(_window_start(a) for a in arrangements),
                                 rules.rent_kinds)
    ids = [stored_id(a) for a in arrangements]
    recorded = latest_states(session, ids)
    creators = staff_names(session, [a.created_by for a in arrangements]) if detail else {}
    history = histories(session, ids) if detail else {}
    out, found = [], []
    for arrangement in arrangements:
        account = accounts[arrangement.account_id]
        person = holder_person(session, account) if people else None
        start = _window_start(arrangement)
        movements = [m for m in moved.get(account.id, []) if m.day >= start]
        arrangement_id = stored_id(arrangement)
        check = check_agreement(schedules[arrangement_id], movements, today, rules.arrangement_grace_days,
                                total_pence=arrangement.total_pence, start=start)
        active = arrangement.status == "active"
        if active:
            found += _changes(arrangement, check, schedules[arrangement_id], movements, today,
                              rules.arrangement_grace_days, recorded.get(arrangement_id))
        out.append(_status(arrangement, account, person, check, creators, history, detail=detail))
    return out, found


def _changes(arrangement: Arrangement, check: AgreementCheck, expected: list[Expected], movements, today: date,
             tolerance: int, last: tuple[str, date] | None) -> list[FoundChange]:
    """The changes of state since the last one recorded (none unless the state seen now differs from it)."""
    if last is None:  # made before its history was kept: from the day it was made
        state, since = "made", date.fromisoformat(format_local(arrangement.created_at, "%Y-%m-%d"))
    else:
        state, since = last
    differs = {"broken": state != "breached", "completed": state != "completed",
               "kept": state == "breached" or (state == "made" and check.assessed)}.get(check.status, False)
    if not differs:
        return []
    changes = state_changes(expected, movements, today, tolerance, total_pence=arrangement.total_pence,
                            start=_window_start(arrangement), last_state=state, last_since=since)
    note = f"{format_pence(check.behind_pence)} behind the expected balance" if check.status == "broken" else None
    return [FoundChange(stored_id(arrangement), arrangement.ref, new, day, note if new == "breached" and n == len(changes) - 1
                        else None) for n, (day, new) in enumerate(changes)]


def _status(arrangement: Arrangement, account: Account, person, check: AgreementCheck, creators: dict,
            history: dict, *, detail: bool) -> ArrangementStatus:
    active = arrangement.status == "active"
    status = check.status if active else "ended"
    label = check.label if active else f"ended {format_local(arrangement.ended_at, '%d/%m/%Y')}: " \
                                       f"{arrangement.end_reason or ''}".rstrip(": ")
    if active and arrangement.kind == "court_ordered" and check.status == "broken":
        label = f"{label}; the court order's terms are broken: see the income worklist for the next legal step"
    return ArrangementStatus(
        ref=arrangement.ref, account_ref=account.ref, person_ref=person.ref if person else None,
        person_name=f"{person.forename} {person.surname}" if person else None,
        amount_pence=arrangement.amount_pence, frequency=arrangement.frequency, start_date=arrangement.start_date,
        total_pence=arrangement.total_pence, active=active, status=status, label=label,
        shortfall_pence=check.behind_pence, missed=check.missed, next_due=check.next_due,
        paid_to_date_pence=check.paid_to_date_pence, due_to_date_pence=check.due_to_date_pence,
        version=arrangement.version, note=arrangement.note, created_by=creators.get(arrangement.created_by),
        instalments=tuple(InstalmentCheck(i.seq, i.due_date, i.amount_pence, i.state) for i in check.items)
        if detail else (),
        kind=arrangement.kind, court_hearing_id=arrangement.court_hearing_id,
        lump_sum_pence=arrangement.lump_sum_pence, lump_sum_due=arrangement.lump_sum_due,
        history=history.get(stored_id(arrangement), ()),
    )


@dataclass(frozen=True)
class AgreementTerms:
    """What kind of arrangement, and its optional lump sum (part of the total)."""

    kind: str = "informal"
    court_hearing_id: int | None = None
    lump_sum_pence: int | None = None
    lump_sum_due: date | None = None


def _problems(ctx: ServiceContext, frequency: str, start_date: date, note: str | None,
              terms: AgreementTerms) -> tuple[list[str], str | None]:
    """What is wrong with a new arrangement's form (before the account is read), and the cleaned note."""
    rules = policy(ctx)
    today = ctx.today()
    problems: list[str] = []
    if frequency not in rules.frequencies:
        problems.append(f"frequency {frequency!r}: choose {', '.join(rules.frequencies)}")
    if start_date < today:
        problems.append(f"the first instalment ({start_date:%d/%m/%Y}) is in the past; start today or later")
    elif (start_date - today).days > 62:
        problems.append("the first instalment is more than two months away; start sooner")
    if terms.kind not in KINDS:
        problems.append(f"kind {terms.kind!r}: choose {' or '.join(KINDS)}")
    elif terms.court_hearing_id is not None and terms.kind != "court_ordered":
        problems.append("only a court-ordered arrangement names a court hearing; choose court_ordered or leave "
                        "the hearing blank")
    if terms.court_hearing_id is not None and terms.court_hearing_id <= 0:
        problems.append(f"court hearing #{terms.court_hearing_id}: give the hearing's number (1 or more)")
    problems += lump_sum_problems(terms.lump_sum_pence, terms.lump_sum_due, None, today)
    try:
        clean_note = clean_free_text("note", note, max_length=200)
    except ValueError as exc:
        problems.append(str(exc))
        clean_note = None
    return problems, clean_note


def create_arrangement(ctx: ServiceContext, account_ref: str, amount_pence: int, frequency: str, start_date: date,
                       *, total_pence: int | None = None, note: str | None = None,
                       terms: AgreementTerms | None = None) -> ArrangementStatus:
    """Agree an arrangement on an account; the total defaults to the arrears owed now.

    ``terms``: informal (the default) or court-ordered (with its hearing, optional), and an optional
    lump sum: part of the total, due on its own day; the instalments pay the rest."""
    actor = ctx.require("arrangement.manage")
    terms = terms or AgreementTerms()
    today = ctx.today()
    problems, clean_note = _problems(ctx, frequency, start_date, note, terms)
    if problems:
        raise InputError(problems[0], problems=problems)
    with session_scope(ctx.engine, write=True) as session:
        account = account_by_ref(session, account_ref)
        require_open(account, today, doing="agree the arrangement")
        live = session.exec(select(Arrangement).where(Arrangement.account_id == account.id,
                                                      Arrangement.status == "active")).first()
        if live is not None:
            raise _already_agreed(session, account, live)
        owed = balance_of(session, account.id)
        total = total_pence if total_pence is not None else owed
        if total <= 0:
            raise InputError(f"{account.ref} owes nothing ({format_pence(owed)}); an arrangement needs arrears")
        lump = terms.lump_sum_pence or 0
        problems = lump_sum_problems(terms.lump_sum_pence, terms.lump_sum_due, total, today)
        if problems:
            raise InputError(problems[0], problems=problems)
        try:
            schedule = build_schedule(start_date, frequency, amount_pence, total - lump)
        except ValueError as exc:
            raise InputError(str(exc) + (" (after the lump sum)" if lump else "")) from None
        arrangement = Arrangement(ref=pending_ref("AR"), account_id=account.id, amount_pence=amount_pence,
                                  frequency=frequency, start_date=start_date, total_pence=total, note=clean_note,
                                  created_by=actor.id, created_at=ctx.now(), kind=terms.kind,
                                  court_hearing_id=terms.court_hearing_id, lump_sum_pence=terms.lump_sum_pence,
                                  lump_sum_due=terms.lump_sum_due)
        _insert_once(session, account, arrangement)
        ref = assign_ref(session, arrangement, "AR")
        session.add_all(ArrangementInstalment(arrangement_id=arrangement.id, seq=i.seq, due_date=i.due_date,
                                              amount_pence=i.amount_pence) for i in schedule)
        session.flush()
        add_state(session, ctx, stored_id(arrangement), "made", today, KIND_NAMES[terms.kind])
        record_account(session, account)
        audit.record(session, ctx, "arrangement.create", "arrangement", ref, {
            "account": account.ref, "amount_pence": amount_pence, "frequency": frequency,
            "start": start_date.isoformat(), "total_pence": total, "instalments": len(schedule),
            "kind": terms.kind, "court_hearing_id": terms.court_hearing_id, "lump_sum_pence": terms.lump_sum_pence,
            "lump_sum_due": terms.lump_sum_due.isoformat() if terms.lump_sum_due else None})
        return _statuses(ctx, session, [arrangement], detail=True)[0]


def _insert_once(session, account: Account, arrangement: Arrangement) -> None:
    try:
        with session.begin_nested():  # a savepoint: if the database refuses the row, say whose it is
            session.add(arrangement)
            session.flush()
    except IntegrityError:
        # ux_arrangement_active: one active arrangement per account. Another officer's (from any
        # office) was committed while this one was being agreed; say whose.
        live = session.exec(select(Arrangement).where(Arrangement.account_id == account.id,
                                                      Arrangement.status == "active")).first()
        if live is None:
            raise
        raise _already_agreed(session, account, live) from None


def _already_agreed(session, account: Account, live: Arrangement) -> ConflictError:
    return ConflictError(f"{account.ref} already has arrangement {live.ref}, agreed by "
                         f"{by_whom(session, live.created_by, live.created_at)}; end it before agreeing a new one",
                         record=f"arrangement {live.ref}", changed_at=live.created_at, version=live.version)


def end_arrangement(ctx: ServiceContext, ref: str, reason: str, seen_version: int) -> ArrangementStatus:
    """End an arrangement (cleared, replaced, broken and cancelled) with a reason."""
    actor = ctx.require("arrangement.manage")
    try:
        text = clean_free_text("reason", reason, max_length=200)
    except ValueError as exc:
        raise InputError(str(exc)) from None
    if not text:
        raise InputError("say why the arrangement ends")
    with session_scope(ctx.engine, write=True) as session:
        arrangement = session.exec(select(Arrangement).where(Arrangement.ref == ref.strip().upper())).first()
        if arrangement is None:
            raise NotFound(f"no arrangement {ref!r}")
        def refused() -> ConflictError:
            from duty_tui.core.db.models import StaffUser
            from duty_tui.core.services.conflicts import as_text, last_change

            session.refresh(arrangement)
            who, at = last_change(session, "arrangement", arrangement.ref)
            by = session.get(StaffUser, arrangement.ended_by) if arrangement.ended_by else None
            message = "someone else changed this arrangement just now; nothing was changed — reload and try again"
            if arrangement.status != "active":
                message = (f"arrangement {arrangement.ref} was already ended by "
                           f"{by_whom(session, arrangement.ended_by, arrangement.ended_at)}"
                           + (f" ({arrangement.end_reason})" if arrangement.end_reason else "")
                           + "; nothing was changed")
            return ConflictError(
                message, record=f"arrangement {arrangement.ref}", changed_by=who, changed_at=at,
                version=arrangement.version,
                theirs={"Status": arrangement.status, "Ended by": as_text(by.display_name if by else None),
                        "Reason": as_text(arrangement.end_reason)},
                yours={"Status": "ended", "Ended by": actor.display_name, "Reason": text})

        if arrangement.version != seen_version or arrangement.status != "active":
            raise refused()
        now = ctx.now()
        # Ended once: a conditional UPDATE of the arrangement's own row (still active, at the version
        # the user saw). On PostgreSQL a second one from any office waits on the row, then matches
        # nothing; SQLite's write transaction serialises them.
        changed = session.exec(update(Arrangement).where(
            Arrangement.id == arrangement.id, Arrangement.status == "active",
            Arrangement.version == seen_version).values(
            status="ended", ended_by=actor.id, ended_at=now, end_reason=text, version=Arrangement.version + 1))
        if changed.rowcount != 1:
            raise refused()
        session.refresh(arrangement)
        add_state(session, ctx, stored_id(arrangement), "ended", ctx.today())  # the reason stays on the arrangement
        record_account_id(session, arrangement.account_id)
        audit.record(session, ctx, "arrangement.end", "arrangement", arrangement.ref, {"reason": text})
        return _statuses(ctx, session, [arrangement], detail=True)[0]


def arrangements_for_account(ctx: ServiceContext, account_ref: str) -> list[ArrangementStatus]:
    """Every arrangement on an account, newest first, with each instalment checked."""
    ctx.require("account.view")
    with session_scope(ctx.engine) as session:
        account = account_by_ref(session, account_ref)
        rows = list(session.exec(select(Arrangement).where(Arrangement.account_id == account.id)
                                 .order_by(col(Arrangement.id).desc())).all())
        out, found = _checked(ctx, session, rows, detail=True)
        ids = [stored_id(r) for r in rows]
    if record_found(ctx, found):  # after the read, in its own small write (the history it shows gains them)
        with session_scope(ctx.engine) as session:
            new = histories(session, ids)
        out = [replace(status, history=new.get(i, ())) for status, i in zip(out, ids, strict=True)]
    return out


def arrangement_status_for_person(ctx: ServiceContext, person_ref: str) -> list[ArrangementStatus]:
    """The person's active arrangements and whether each is kept or broken (for the person view)."""
    ctx.require("account.view")
    with session_scope(ctx.engine) as session:
        person = person_by_ref(session, person_ref)
        account_ids = [a.id for a in accounts_of_person(session, person)]
        if not account_ids:
            return []
        rows = list(session.exec(select(Arrangement).where(col(Arrangement.account_id).in_(account_ids),
                                                           Arrangement.status == "active")
                                 .order_by(Arrangement.id)).all())
        out, found = _checked(ctx, session, rows)
    record_found(ctx, found)
    return out


def broken_arrangements(ctx: ServiceContext, limit: int | None = None) -> list[ArrangementStatus]:
    """Active arrangements that are broken today, furthest behind first (for the income team's queue)."""
    ctx.require("account.view")
    with session_scope(ctx.engine) as session:
        rows = list(session.exec(select(Arrangement).where(Arrangement.status == "active")
                                 .order_by(Arrangement.id)).all())
        checked, changes = _checked(ctx, session, rows, people=False)
        found = [s for s in checked if s.broken]
        found.sort(key=lambda s: (-s.shortfall_pence, s.ref))
        if limit is not None:
            found = found[:limit]
        # People only for the rows shown (holder lookups are the slow part at council size).
        accounts = {a.ref: a for a in session.exec(select(Account).where(
            col(Account.ref).in_({s.account_ref for s in found}))).all()} if found else {}
        out = []
        for status in found:
            person = holder_person(session, accounts[status.account_ref])
            out.append(replace(status, person_ref=person.ref if person else None,
                               person_name=f"{person.forename} {person.surname}" if person else None))
    record_found(ctx, changes)
    return out


@dataclass(frozen=True)
class ArrangementsChecked:
    """What ``check_arrangements`` found: active arrangements, how many broken, changes newly recorded."""

    active: int
    broken: int
    recorded: int

    def as_json(self) -> dict[str, int]:
        """{"active", "broken", "recorded"} for ``duty-tui arrangements check --json``."""
        return {"active": self.active, "broken": self.broken, "recorded": self.recorded}


def check_arrangements(ctx: ServiceContext) -> ArrangementsChecked:
    """Check every active arrangement and record the changes of state found (``duty-tui arrangements check``).

    Reads record what they find too; this catches the arrangements nobody has opened (a nightly job)."""
    ctx.require("account.view")
    with session_scope(ctx.engine) as session:
        rows = list(session.exec(select(Arrangement).where(Arrangement.status == "active")
                                 .order_by(col(Arrangement.id))).all())
        checked, changes = _checked(ctx, session, rows, people=False)
    return ArrangementsChecked(len(checked), sum(1 for s in checked if s.broken), record_found(ctx, changes))


AGREEMENT_STATES = {"kept": "kept", "not_started": "kept", "broken": "breached"}
"""An active arrangement's status, as the income area's recovery policy names an agreement's state."""


def agreement_states(ctx: ServiceContext, session, account_ids: list[int] | None) -> dict[int, str]:
    """Hook "account.agreement_states": each account's active arrangement as "kept" or "breached".

    For the income area's worklist, in its read transaction (its caller has checked its permission and
    audits the view). ``None``: every account with an active arrangement. Accounts without one, or
    whose plan is completed, are left out (their state is "none"). Not started yet counts as kept."""
    query = select(Arrangement).where(Arrangement.status == "active")
    if account_ids is not None:
        if not account_ids:
            return {}
        rows = [r for part in chunks(account_ids)
                for r in session.exec(query.where(col(Arrangement.account_id).in_(part))).all()]
    else:
        rows = list(session.exec(query).all())
    by_ref = {s.ref: s.status for s in _statuses(ctx, session, rows, people=False)}
    return {r.account_id: AGREEMENT_STATES[by_ref[r.ref]] for r in rows if by_ref.get(r.ref) in AGREEMENT_STATES}

