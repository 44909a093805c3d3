"""The arrears worklist: every rent account in arrears with its next recommended action (docs/INCOME.md).

How a page is read (one read transaction, then the audit event):

1. **SQL** finds the accounts — driven from the kept balances' index (``account_balance.balance_pence
   > 0``), joined to the account (open rent accounts only), its tenancy (weekly rent, type), its latest
   recovery action (``ix_recovery_action_account_taken``) and its active pause — filters them (team,
   officer, tab) and, for the columns SQL holds, sorts them and cuts the page (LIMIT/OFFSET).
2. **Python** evaluates the recovery policy (``domain/policy.recommend``) for the page's accounts only,
   with each one's history of steps (one query for the page) and its arrangement's state (the payments
   area's hook ``account.agreement_states``, for the page; none when the build has no payments area).

Each account's latest hearing (day, outcome), latest eviction date (and whether its outcome is recorded),
pending benefit claim and, for an order on terms, whether its terms are kept (from the ledger) are read
for the same accounts (``services/worklist_feed.py``) and given to the engine (``domain/feed.py``).

The *immediate* tab, and any tab sorted by the next action's due date, is read in batches of the SQL
order, each batch evaluated, until the page holds enough accounts due today (``_read_batched`` says
why that is the full evaluation's page): the first page costs a batch or two, not every account in
arrears. The immediate tab's total is then a lower bound (``Worklist.more_than``) unless every
account was reached; ``worklist_total`` (or ``exact_total``) evaluates every account to count it
exactly (docs/INCOME_WORKLIST_FEED.md).

Teams and officers: accounts have no patch or officer of their own. An account belongs to a team or an
officer through its tenancy's open *arrears case* (``work_case``, type ``arrears``, not closed): its
team, and the officer it is assigned to. An account in arrears with no open arrears case is in neither
filter (it is in the unfiltered list).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Float, and_, cast, exists, func, or_, select
from sqlalchemy.sql import ColumnElement

from duty_tui.areas.income.db.models import RecoveryAction, RecoveryPause
from duty_tui.areas.income.domain.feed import CourtFacts, engine_inputs, load_terms
from duty_tui.areas.income.domain.law import weeks_in_arrears
from duty_tui.areas.income.domain.policy import (
    NONE,
    PAUSE_REASONS,
    TENANCY_TYPES,
    AccountState,
    Action,
    Pause,
    Recommendation,
    load_recovery_policy,
    recommend,
)
from duty_tui.core import registry
from duty_tui.core.db.engine import session_scope
from duty_tui.core.db.models import Account, AccountBalance, Case, StaffUser, Team, Tenancy, table_of
from duty_tui.core.domain.errors import InputError
from duty_tui.core.domain.money import format_pence
from duty_tui.core.services import audit
from duty_tui.core.services.context import ServiceContext

from . import worklist_feed as feed

TABS = {"immediate": "next action due today or earlier",
        "paused": "recovery paused, or held by a benefit claim awaiting decision",
        "kept": "agreements (or a court order's terms) being kept", "court": "upcoming court dates", "evictions": "upcoming evictions",
        "all": "every account in arrears"}
SORTS = {"balance": "largest balance first", "weeks": "most weeks of rent owed first",
         "last_payment": "longest since the last payment first (never paid first)",
         "last_action": "oldest last action first (no action first)",
         "next_due": "next action due soonest first (nothing due last)", "ref": "by account ref"}
UC_WORDS = ("Universal Credit is recorded and {months} months' rent is owed with no managed payment asked "
            "for: ask the DWP for one (an alternative payment arrangement, form UC47).")
UC_PAYMENT_DAYS = 365  # a universal credit payment this recent shows UC is recorded
NO_FACTS = CourtFacts()
BATCH = 500  # above this many accounts, their facts are read for every account in arrears, not by id
MIN_BATCH = 100  # the fewest accounts a batch of the immediate tab (or next due) evaluates
AGREEMENT_HOOK = "account.agreement_states"
MAX_LIMIT = 1000


@dataclass(frozen=True)
class WorklistRow:
    """One account in arrears and its next recommended action."""

    ref: str
    holder: str
    balance_pence: int
    weekly_rent_pence: int
    tenancy_type: str | None
    weeks_in_arrears: float
    days_since_last_payment: int | None
    last_action: str | None
    last_action_date: date | None
    agreement: str  # none, kept, breached
    next_action: str  # a step's code, or "none"
    next_action_due: date | None
    why: str
    words: str
    blocked_by: tuple[str, ...]
    paused_until: date | None
    pause_reason: str | None
    court_date: date | None = None  # the latest hearing's day
    court_outcome: str | None = None
    eviction_date: date | None = None  # the latest eviction date still holding recovery
    benefit_claim: str | None = None  # the kind of a benefit claim awaiting decision
    uc_managed_payment: bool = False  # UC recorded, the threshold owed, no managed payment asked for

    def as_json(self) -> dict[str, Any]:
        """Exactly the contract's keys (docs/CLI.md, ``arrears worklist``)."""
        return {"ref": self.ref, "holder": self.holder, "balance_pence": self.balance_pence,
                "weeks_in_arrears": self.weeks_in_arrears, "days_since_last_payment": self.days_since_last_payment,
                "last_action": self.last_action,
                "last_action_date": self.last_action_date.isoformat() if self.last_action_date else None,
                "next_action": self.next_action,
                "next_action_due": self.next_action_due.isoformat() if self.next_action_due else None,
                "paused_until": self.paused_until.isoformat() if self.paused_until else None}


@dataclass(frozen=True)
class Worklist:
    """A page of the worklist: its rows, how many accounts the tab holds, and a note when it cannot be filled."""

    rows: list[WorklistRow]
    tab: str
    sort: str
    total: int
    offset: int
    evaluated: int  # accounts the policy was evaluated for (the page, or every match: see the module doc)
    note: str | None = None
    filters: dict[str, str] = field(default_factory=dict)
    more_than: bool = False  # ``total`` is a lower bound (the immediate tab stopped once the page was full)


@dataclass(frozen=True)
class _Found:
    """An account as SQL found it, before the policy is evaluated."""

    account_id: int
    ref: str
    holder: str
    balance_pence: int
    last_payment_on: date | None
    weekly_rent_pence: int
    tenancy_type: str | None
    last_action: str | None
    last_action_date: date | None
    paused_until: date | None
    pause_reason: str | None


# --- SQL -----------------------------------------------------------------------------------------

ACCOUNT, BALANCE, TENANCY = table_of(Account), table_of(AccountBalance), table_of(Tenancy)
ACTION, PAUSE, CASE = table_of(RecoveryAction), table_of(RecoveryPause), table_of(Case)
TEAM, STAFF = table_of(Team), table_of(StaffUser)


def _latest_action_id() -> Any:
    """The id of the account's latest recovery action (by day taken, then id): read from its index."""
    ra = ACTION.alias("ra_latest")
    return (select(ra.c.id).where(ra.c.account_id == ACCOUNT.c.id)
            .order_by(ra.c.taken_on.desc(), ra.c.id.desc()).limit(1).scalar_subquery())


def _filters(today: date, team_id: int | None, officer_id: int | None) -> list[ColumnElement[bool]]:
    """Open rent accounts in arrears, and the team's or officer's open arrears cases when asked."""
    where: list[ColumnElement[bool]] = [
        BALANCE.c.balance_pence > 0, ACCOUNT.c.account_type == "rent",
        or_(ACCOUNT.c.closed_on.is_(None), ACCOUNT.c.closed_on > today),
    ]
    for column, wanted in ((CASE.c.team_id, team_id), (CASE.c.assignee_id, officer_id)):
        if wanted is not None:
            where.append(exists().where(CASE.c.tenancy_id == ACCOUNT.c.tenancy_id, CASE.c.case_type == "arrears",
                                        CASE.c.closed_at.is_(None), column == wanted))
    return where


def _order(sort: str) -> list[Any]:
    """ORDER BY for the columns SQL holds (``next_due`` is sorted in Python)."""
    balance, ref = BALANCE.c.balance_pence, ACCOUNT.c.ref
    weeks = cast(balance, Float) / func.nullif(TENANCY.c.weekly_rent_pence, 0)
    paid, acted = BALANCE.c.last_payment_on, ACTION.c.taken_on
    orders: dict[str, list[Any]] = {
        "balance": [balance.desc(), ref],
        "weeks": [func.coalesce(weeks, 1e12).desc(), balance.desc(), ref],
        "last_payment": [paid.is_(None).desc(), paid, balance.desc(), ref],
        "last_action": [acted.is_(None).desc(), acted, balance.desc(), ref],
        "ref": [ref],
    }
    return orders.get(sort, orders["balance"])


def _query(where: list[ColumnElement[bool]]) -> Any:
    """The worklist's columns from the balance index outwards: account, tenancy, latest action, active pause."""
    return (select(ACCOUNT.c.id, ACCOUNT.c.ref, ACCOUNT.c.holder_name, BALANCE.c.balance_pence,
                   BALANCE.c.last_payment_on, TENANCY.c.weekly_rent_pence, TENANCY.c.tenancy_type,
                   ACTION.c.action, ACTION.c.taken_on, PAUSE.c.until, PAUSE.c.reason)
            .select_from(BALANCE)
            .join(ACCOUNT, ACCOUNT.c.id == BALANCE.c.account_id)
            .outerjoin(TENANCY, TENANCY.c.id == ACCOUNT.c.tenancy_id)
            .outerjoin(ACTION, ACTION.c.id == _latest_action_id())
            .outerjoin(PAUSE, and_(PAUSE.c.account_id == ACCOUNT.c.id, PAUSE.c.lifted_at.is_(None)))
            .where(*where))


def _found(rows: Sequence[Any]) -> list[_Found]:
    return [_Found(r[0], r[1], r[2], int(r[3]), r[4], int(r[5] or 0), r[6], r[7], r[8], r[9], r[10]) for r in rows]


def _history(session: Any, account_ids: Sequence[int] | None) -> dict[int, tuple[Action, ...]]:
    """Every recovery step of these accounts (None: of every account in arrears), oldest first."""
    query = select(ACTION.c.account_id, ACTION.c.action, ACTION.c.taken_on)
    if account_ids is None:
        query = query.where(ACTION.c.account_id.in_(
            select(BALANCE.c.account_id).where(BALANCE.c.balance_pence > 0)))
    else:
        if not account_ids:
            return {}
        query = query.where(ACTION.c.account_id.in_(list(account_ids)))
    found: dict[int, list[Action]] = defaultdict(list)
    for account_id, code, on in session.execute(query.order_by(ACTION.c.taken_on, ACTION.c.id)).all():
        found[account_id].append(Action(code, on))
    return {k: tuple(v) for k, v in found.items()}


def agreement_states(ctx: ServiceContext, session: Any, account_ids: Sequence[int] | None) -> dict[int, str]:
    """Each account's arrangement state ("kept" / "breached"; absent: none), from the payments area's hook.

    ``None`` asks for every account with an active arrangement. A build without the payments area
    offers no hook: every account's state is then "none"."""
    hook = registry.hook(AGREEMENT_HOOK)
    if hook is None:
        return {}
    return dict(hook(ctx, session, None if account_ids is None else list(account_ids)))


# --- the policy ----------------------------------------------------------------------------------

def _evaluate(ctx: ServiceContext, found: list[_Found], history: dict[int, tuple[Action, ...]],
              agreements: dict[int, str], facts: dict[int, CourtFacts] | None = None) -> list[WorklistRow]:
    """The engine's row for each account; without ``facts`` no court, eviction or claim is known (callers
    outside this module: use ``evaluate_account``, which reads them)."""
    facts = facts or {}
    policy = load_recovery_policy(ctx.settings.data_dir)
    tolerance = load_terms(ctx.settings.data_dir).breach_tolerance_days
    today = ctx.today()
    rows = []
    for f in found:
        pause = None
        if f.paused_until is not None:
            pause = Pause(f.paused_until, f.pause_reason if f.pause_reason in PAUSE_REASONS else "other")
        days = (today - f.last_payment_on).days if f.last_payment_on is not None else None
        kind = f.tenancy_type or ""
        if kind not in TENANCY_TYPES:
            rows.append(_not_covered(f, days))
            continue
        known = facts.get(f.account_id, NO_FACTS)
        inputs = engine_inputs(known, arrangement=agreements.get(f.account_id, "none"),
                               history=history.get(f.account_id, ()), today=today,
                               weekly_rent_pence=f.weekly_rent_pence, tolerance_days=tolerance)
        state = AccountState(as_of=today, balance_pence=f.balance_pence, weekly_rent_pence=f.weekly_rent_pence,
                             tenancy_type=kind, jurisdiction=TENANCY_TYPES.get(kind, "england"),
                             last_action=f.last_action, last_action_date=f.last_action_date,
                             history=inputs.history, pause=pause, agreement=inputs.agreement,
                             court_date=inputs.court_date, court_outcome=inputs.court_outcome,
                             eviction_date=inputs.eviction_date, benefit_claim_pending=inputs.benefit_claim_pending,
                             days_since_last_payment=days)
        advice: Recommendation = recommend(policy, state)
        in_force = f.paused_until is not None and today < f.paused_until
        rows.append(WorklistRow(
            f.ref, f.holder, f.balance_pence, f.weekly_rent_pence, f.tenancy_type,
            weeks_in_arrears(f.balance_pence, f.weekly_rent_pence), days, f.last_action, f.last_action_date,
            state.agreement, advice.action, advice.due, " ".join((advice.why, *inputs.notes)), advice.words,
            advice.blocked_by, f.paused_until if in_force else None, f.pause_reason if in_force else None,
            inputs.court_date, inputs.court_outcome, inputs.eviction_date, known.pending_claim))
    return rows


def _evaluate_found(ctx: ServiceContext, session: Any, found: list[_Found], *, every: bool = False) -> list[WorklistRow]:
    """The policy for these accounts, their steps, arrangements and court facts read for them alone
    (``every``: read for every account in arrears at once, cheaper than long IN lists)."""
    if not found:
        return []
    ids = None if every else [f.account_id for f in found]
    return _evaluate(ctx, found, _history(session, ids), agreement_states(ctx, session, ids),
                     feed.court_facts(session, ids, ctx.today()))


def evaluate_account(ctx: ServiceContext, session: Any, account_id: int) -> WorklistRow | None:
    """One account's worklist row, evaluated exactly as the worklist does it (its court facts and UC flag
    too), inside the caller's read transaction; None when it is not an open rent account in arrears.
    The caller has checked the permission and audits its own view (the account screen)."""
    found = _found(session.execute(_query([ACCOUNT.c.id == account_id, *_filters(ctx.today(), None, None)])).all())
    if not found:
        return None
    return _with_uc_flags(ctx, session, _evaluate_found(ctx, session, found), {found[0].ref: account_id})[0]


def _with_uc_flags(ctx: ServiceContext, session: Any, rows: list[WorklistRow],
                   ids: dict[str, int]) -> list[WorklistRow]:
    """The page's rows with the Universal Credit managed-payment flag (and its words in the why)."""
    months = load_terms(ctx.settings.data_dir).managed_payment_months_owed
    flagged = feed.uc_managed_payment_flags(
        session, [(ids[r.ref], r.balance_pence, r.weekly_rent_pence) for r in rows], months,
        ctx.today() - timedelta(days=UC_PAYMENT_DAYS))
    if not flagged:
        return rows
    words = UC_WORDS.format(months=f"{float(months):g}")
    return [replace(r, uc_managed_payment=True, why=f"{r.why} {words}") if ids[r.ref] in flagged else r for r in rows]


def _not_covered(f: _Found, days: int | None) -> WorklistRow:
    """A rent account whose tenancy (if any) is of a type the recovery policy has no steps for."""
    what = f"a {f.tenancy_type.replace('_', ' ')} tenancy" if f.tenancy_type else "a rent account with no tenancy"
    why = (f"Owes {format_pence(f.balance_pence)}; the recovery policy has no steps for {what}: "
           "refer to a team leader.")
    return WorklistRow(f.ref, f.holder, f.balance_pence, f.weekly_rent_pence, f.tenancy_type,
                       weeks_in_arrears(f.balance_pence, f.weekly_rent_pence), days, f.last_action, f.last_action_date,
                       "none", NONE, None, why, "", ("tenancy_type_not_covered",), None, None)


def _due_key(row: WorklistRow) -> tuple[Any, ...]:
    return (row.next_action_due is None, row.next_action_due or date.max, -row.balance_pence, row.ref)


# --- the use case --------------------------------------------------------------------------------

def _team_and_officer(session: Any, team: str | None, officer: str | None) -> tuple[int | None, int | None]:
    """The ids of --team and --officer; an unknown one is an InputError naming what exists."""
    team_id = officer_id = None
    if team is not None:
        code = team.strip().lower()
        team_id = session.execute(select(TEAM.c.id).where(TEAM.c.code == code)).scalar()
        if team_id is None:
            known = session.execute(select(TEAM.c.code).order_by(TEAM.c.code)).scalars().all()
            raise InputError(f"--team: no team {code!r}; teams are {', '.join(known) or 'none yet'}")
    if officer is not None:
        name = officer.strip()
        officer_id = session.execute(select(STAFF.c.id).where(STAFF.c.username == name)).scalar()
        if officer_id is None:
            raise InputError(f"--officer: no staff user {name!r}; give a username (duty-tui staff list)")
    return team_id, officer_id


def _check_options(tab: str, sort: str, limit: int, offset: int) -> None:
    problems = []
    if tab not in TABS:
        problems.append(f"tab: {tab!r} is not one of {', '.join(TABS)}")
    if sort not in SORTS:
        problems.append(f"sort: {sort!r} is not one of {', '.join(SORTS)}")
    if not 1 <= limit <= MAX_LIMIT:
        problems.append(f"--limit: must be a whole number from 1 to {MAX_LIMIT}, not {limit}")
    if offset < 0:
        problems.append(f"offset: must be 0 or more, not {offset}")
    if problems:
        raise InputError("; ".join(problems))


def arrears_worklist(ctx: ServiceContext, *, team: str | None = None, officer: str | None = None,
                     tab: str = "all", sort: str = "balance", limit: int = 50, offset: int = 0,
                     exact_total: bool = False) -> Worklist:
    """A page of rent accounts in arrears with their next recommended action; audited as a view.

    The immediate tab stops evaluating once the page is full (``more_than``: the total is a lower
    bound); ``exact_total`` evaluates every account to count it exactly."""
    ctx.require("account.view")
    _check_options(tab, sort, limit, offset)
    filters = {k: v for k, v in (("team", team), ("officer", officer)) if v is not None}
    with session_scope(ctx.engine) as session:  # a read; the audit event after it (docs/AUDIT.md)
        team_id, officer_id = _team_and_officer(session, team, officer)
        result = _read(ctx, session, tab, sort, limit, offset, _filters(ctx.today(), team_id, officer_id),
                       exact_total)
        rows = _with_uc_flags(ctx, session, result.rows, result.ids) if result.rows else []
    page = Worklist(rows, tab, sort, result.total, offset, result.evaluated, result.note, filters, result.more_than)
    audit.record_read(ctx, "arrears.worklist", "account", None, {
        "tab": tab, "sort": sort, **filters, "offset": offset, "total": page.total,
        "shown": [row.ref for row in page.rows]})
    return page


def _read(ctx: ServiceContext, session: Any, tab: str, sort: str, limit: int, offset: int,
          where: list[ColumnElement[bool]], exact: bool) -> _Read:
    """One tab's page: its rows, total, how many were evaluated, a note."""
    today = ctx.today()
    if tab == "court":
        where = [*where, feed.upcoming_hearing(today)]
    elif tab == "evictions":
        where = [*where, feed.upcoming_eviction(today)]
    elif tab == "paused":
        where = [*where, or_(PAUSE.c.until > today, feed.benefit_claim_pending())]
    elif tab == "kept":
        kept = _kept_ids(ctx, session)
        if not kept:
            note = None if registry.hook(AGREEMENT_HOOK) else "This build has no arrangements to pay (no payments area)."
            return _Read([], 0, 0, note)
        where = [*where, ACCOUNT.c.id.in_(kept)]
    if exact and (tab == "immediate" or sort == "next_due"):
        return _read_all(ctx, session, tab, sort, limit, offset, where)
    if tab == "immediate" or sort == "next_due":
        return _read_batched(ctx, session, tab, sort, limit, offset, where)
    total = session.execute(_count(where, paused=tab == "paused")).scalar() or 0
    found = _found(session.execute(_query(where).order_by(*_order(sort)).limit(limit).offset(offset)).all())
    rows = _evaluate_found(ctx, session, found)
    return _Read(rows, int(total), len(found), None, ids={f.ref: f.account_id for f in found})


@dataclass(frozen=True)
class _Read:
    rows: list[WorklistRow]
    total: int
    evaluated: int
    note: str | None
    more_than: bool = False
    ids: dict[str, int] = field(default_factory=dict)  # the rows' account ids, by ref


def _kept_ids(ctx: ServiceContext, session: Any) -> list[int]:
    """Accounts whose agreement is kept: an arrangement kept (unless an order on terms decides instead),
    or an order's terms kept."""
    states = {i: s for i, s in agreement_states(ctx, session, None).items() if s == "kept"}
    ordered = feed.orders_on_terms(session)
    if ordered:
        found = _found(session.execute(_query([ACCOUNT.c.id.in_(ordered)])).all())
        for row, f in zip(_evaluate_found(ctx, session, found), found, strict=True):
            states[f.account_id] = row.agreement
    return sorted(i for i, s in states.items() if s == "kept")


def _count(where: list[ColumnElement[bool]], *, paused: bool) -> Any:
    """How many accounts the tab holds (the same filters, without the page's joins)."""
    query = select(func.count()).select_from(BALANCE).join(ACCOUNT, ACCOUNT.c.id == BALANCE.c.account_id)
    if paused:
        query = query.outerjoin(PAUSE, and_(PAUSE.c.account_id == ACCOUNT.c.id, PAUSE.c.lifted_at.is_(None)))
    return query.where(*where)


def _immediate(rows: list[WorklistRow], today: date) -> list[WorklistRow]:
    return [r for r in rows if r.next_action != NONE and r.next_action_due is not None and r.next_action_due <= today]


def _read_batched(ctx: ServiceContext, session: Any, tab: str, sort: str, limit: int, offset: int,
                  where: list[ColumnElement[bool]]) -> _Read:
    """The immediate tab, or any tab by next due, in batches of the SQL order (balance, for next due),
    each evaluated, until the page holds enough accounts due today.

    A step is never due before today (``due`` is at least today), so "due today or earlier" is "due
    today", and sorted by next due the accounts due today come first, largest balance first — the SQL
    balance order. So once ``offset + limit`` accounts due today are found the page is the full
    evaluation's page (a test says so); when every account is reached first, they are all sorted."""
    today, wanted, start = ctx.today(), offset + limit, 0
    size = max(MIN_BATCH, wanted + wanted // 2)  # most accounts in arrears have a step due: one batch, usually
    evaluated: list[WorklistRow] = []
    due: list[WorklistRow] = []
    ids: dict[str, int] = {}
    order = _order("balance" if sort == "next_due" else sort)
    while True:
        found = _found(session.execute(_query(where).order_by(*order).limit(size).offset(start)).all())
        ids.update((f.ref, f.account_id) for f in found)
        rows = _evaluate_found(ctx, session, found)
        evaluated.extend(rows)
        due.extend(_immediate(rows, today))
        start += len(found)
        exhausted = len(found) < size
        if exhausted or len(due) >= wanted:
            break
        size = max(MIN_BATCH, 2 * (wanted - len(due)))
    if tab == "immediate":
        return _Read(due[offset:wanted], len(due), start, None, more_than=not exhausted, ids=ids)
    if exhausted:
        evaluated.sort(key=_due_key)
        return _Read(evaluated[offset:wanted], len(evaluated), start, None, ids=ids)
    total = session.execute(_count(where, paused=tab == "paused")).scalar() or 0
    return _Read(due[offset:wanted], int(total), start, None, ids=ids)


def _read_all(ctx: ServiceContext, session: Any, tab: str, sort: str, limit: int, offset: int,
              where: list[ColumnElement[bool]]) -> _Read:
    """Every matching account evaluated, then filtered (immediate) and sorted before the page is cut."""
    found = _found(session.execute(_query(where).order_by(*_order("balance" if sort == "next_due" else sort))).all())
    rows = _evaluate_found(ctx, session, found, every=len(found) > BATCH)
    if tab == "immediate":
        rows = _immediate(rows, ctx.today())
    if sort == "next_due":
        rows.sort(key=_due_key)
    return _Read(rows[offset:offset + limit], len(rows), len(found), None, ids={f.ref: f.account_id for f in found})


def worklist_total(ctx: ServiceContext, *, tab: str = "immediate", team: str | None = None,
                   officer: str | None = None) -> int:
    """How many accounts a tab holds, counted exactly (the immediate tab evaluates every account: seconds at
    council scale). Shows no personal data, so it is not audited as a view."""
    ctx.require("account.view")
    _check_options(tab, "balance", 1, 0)
    with session_scope(ctx.engine) as session:
        team_id, officer_id = _team_and_officer(session, team, officer)
        return _read(ctx, session, tab, "balance", 1, 0, _filters(ctx.today(), team_id, officer_id), True).total


def holder_ref(ctx: ServiceContext, account_ref: str) -> str | None:
    """The ref of the person a worklist account belongs to (its named person, else its household's lead),
    for the screen's Enter; None when the account has no person. The person view audits its own read."""
    from duty_tui.core.services.holders import holder_person

    ctx.require("account.view")
    with session_scope(ctx.engine) as session:
        found = session.execute(select(ACCOUNT.c.id).where(ACCOUNT.c.ref == account_ref.strip().upper())).scalar()
        account = session.get(Account, found) if found is not None else None
        person = holder_person(session, account) if account is not None else None
        return person.ref if person is not None else None


__all__ = ["SORTS", "TABS", "Worklist", "WorklistRow", "agreement_states", "arrears_worklist", "evaluate_account",
           "holder_ref", "worklist_total"]
