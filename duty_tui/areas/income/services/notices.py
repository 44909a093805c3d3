"""Notices for rent arrears: preview one with its legal dates, serve it, print it, list an account's notices
(docs/INCOME_NOTICES.md). Recording a review, the s11 notification and a withdrawal: ``notice_changes.py``.

The kind follows the tenancy (secure, flexible: a NOSP, HA 1985 s83; introductory: a notice of
proceedings, HA 1996 s128; Scottish secure: an s14 notice, H(S)A 2001 s14). Every date comes from the
law engine behind `duty-tui arrears assess` (``domain/notices.legal_dates``), from the tenancy's weekly
rent and the rent week in ``data/income/notices.toml``. Serving is one write transaction: everything is
checked again inside it, the ``arrears_notice`` row and the recovery policy's notice step
(``recovery_action``) are inserted, and the audit event is written. Reads of the tenants' names are
audited as views.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select

from duty_tui.areas.income.db.models import ArrearsNotice, ProtocolStep, RecoveryAction
from duty_tui.areas.income.domain.law import weeks_in_arrears
from duty_tui.areas.income.domain.law_table import load_law
from duty_tui.areas.income.domain.notices import (
    S14A_STEPS,
    STATES,
    NoticeKind,
    NoticeRules,
    legal_dates,
    load_notice_rules,
    long_date,
    notice_state,
    render_letter,
    too_early,
)
from duty_tui.areas.income.domain.policy import TENANCY_TYPES, load_recovery_policy
from duty_tui.areas.income.services.actions import _rent_account
from duty_tui.areas.income.services.notice_changes import (
    load_notice,
    record_la_notified,
    record_review,
    withdraw_notice,
)
from duty_tui.core.db.engine import session_scope
from duty_tui.core.db.models import (
    Account,
    AccountBalance,
    HouseholdMember,
    Office,
    Person,
    Property,
    StaffUser,
    Tenancy,
    table_of,
)
from duty_tui.core.domain.errors import EnvironmentProblem, InputError, NotFound
from duty_tui.core.domain.money import format_pence
from duty_tui.core.services import audit
from duty_tui.core.services.context import ServiceContext
from duty_tui.core.services.printable import Document, make_document

PARTICULARS_MAX = 2000
NOTICE, STEP, MEMBER, PERSON = table_of(ArrearsNotice), table_of(ProtocolStep), table_of(HouseholdMember), \
    table_of(Person)


@dataclass(frozen=True)
class NoticeDraft:
    """A notice as it would be served: its kind, the law's dates, the tenants, the money and the letter."""

    account_ref: str
    kind: str
    title: str
    legal_basis: str
    tenancy_type: str
    jurisdiction: str
    tenants: tuple[str, ...]
    address: tuple[str, ...]
    arrears_pence: int
    weekly_rent_pence: int
    weeks_in_arrears: float
    served_on: date
    earliest_proceedings: date
    proceedings_from: date
    lapses_on: date | None
    review_by: date | None
    source: str
    text: str
    methods: dict[str, str]


@dataclass(frozen=True)
class ServedNotice:
    """A notice as recorded when served."""

    id: int
    account_ref: str
    kind: str
    title: str
    served_on: date
    method: str
    proceedings_from: date
    lapses_on: date | None
    review_by: date | None
    tenants: tuple[str, ...]
    recovery_step: str


@dataclass(frozen=True)
class NoticeRow:
    """A notice served on an account, with its state today."""

    id: int
    account_ref: str
    kind: str
    title: str
    served_on: date
    method: str
    served_by: str | None
    proceedings_from: date
    lapses_on: date | None
    review_by: date | None
    review_requested_on: date | None
    review_decided_on: date | None
    review_outcome: str | None
    la_notified_on: date | None
    withdrawn_on: date | None
    arrears_pence: int
    weekly_rent_pence: int
    tenants: tuple[str, ...]
    particulars: str | None
    state: str
    version: int

    @property
    def state_words(self) -> str:
        """The state as staff read it."""
        return STATES[self.state]


@dataclass(frozen=True)
class _Facts:
    """What serving a notice on an account on a day rests on, read in one session."""

    account: Account
    tenancy: Tenancy
    kind: NoticeKind
    tenants: tuple[str, ...]
    address: tuple[str, ...]
    arrears_pence: int
    office_name: str


def _rules(ctx: ServiceContext) -> NoticeRules:
    return load_notice_rules(ctx.settings.data_dir)


def _name(person: Person) -> str:
    return " ".join(p for p in (person.title, person.forename, person.surname) if p)


def _tenants(session: Any, rules: NoticeRules, account: Account, tenancy: Tenancy, on: date) -> tuple[str, ...]:
    """Every tenant living there on ``on`` (household members whose relationship is a tenant's), lead first."""
    rows = session.execute(
        select(PERSON.c.id, MEMBER.c.relationship, MEMBER.c.joined_on, MEMBER.c.left_on)
        .join(PERSON, PERSON.c.id == MEMBER.c.person_id)
        .where(MEMBER.c.household_id == tenancy.household_id)
        .order_by(MEMBER.c.is_lead.desc(), MEMBER.c.id)).all()
    ids = [pid for pid, rel, joined, left in rows if (rel or "").strip().lower() in rules.relationships
           and (joined is None or joined <= on) and (left is None or left > on)]
    if not ids and account.person_id is not None:
        ids = [account.person_id]
    names = tuple(_name(p) for p in (session.get(Person, i) for i in ids) if p is not None)
    if not names:
        raise InputError(f"{account.ref}: no tenant is recorded for tenancy {tenancy.ref} on {on:%d/%m/%Y} (a "
                         f"household member as {' or '.join(rules.relationships)}); record the tenants first: "
                         "a notice must name every joint tenant")
    return names


def _address(session: Any, tenancy: Tenancy) -> tuple[str, ...]:
    prop = session.get(Property, tenancy.property_id)
    if prop is None:
        return ()
    return tuple(p for p in (prop.address_line1, prop.address_line2, prop.town, prop.postcode) if p)


def _office_name(session: Any, ctx: ServiceContext) -> str:
    office = session.execute(select(table_of(Office).c.name).where(
        table_of(Office).c.code == ctx.settings.office_code)).scalar()
    return office or ctx.settings.office_name


def _facts(session: Any, ctx: ServiceContext, account_ref: str, served_on: date) -> _Facts:
    """The account, its tenancy and notice kind, tenants, address and arrears; InputError naming what is wrong."""
    rules = _rules(ctx)
    account = _rent_account(session, account_ref, ctx.today())
    tenancy = session.get(Tenancy, account.tenancy_id) if account.tenancy_id is not None else None
    if tenancy is None:
        raise InputError(f"{account.ref} has no tenancy recorded: a notice is served on a tenancy's tenants")
    kind = rules.kind_for(tenancy.tenancy_type)
    if kind is None:
        why = {"assured": "an assured tenancy ends by a Housing Act 1988 s8 notice",
               "starter": "a starter (assured shorthold) tenancy ends by a Housing Act 1988 s8 or s21 notice",
               "short_scottish_secure": "a short Scottish secure tenancy ends by a Housing (Scotland) Act 2001 "
                                        "s36 notice"}.get(tenancy.tenancy_type, "no notice is set for it in "
                                                                               f"{rules.path.name}")
        raise InputError(f"{account.ref} is a {tenancy.tenancy_type.replace('_', ' ')} tenancy: {why}; refer to a "
                         "team leader")
    if tenancy.weekly_rent_pence <= 0:
        raise InputError(f"{account.ref}: tenancy {tenancy.ref} has no weekly rent recorded, so the notice's "
                         "dates and particulars cannot be worked out; record the rent first")
    if served_on < tenancy.start_date:
        raise InputError(f"served_on: {served_on:%d/%m/%Y} is before tenancy {tenancy.ref} began "
                         f"({tenancy.start_date:%d/%m/%Y}); give the day the notice was served")
    balance = session.execute(select(table_of(AccountBalance).c.balance_pence).where(
        table_of(AccountBalance).c.account_id == account.id)).scalar() or 0
    if balance <= 0:
        raise InputError(f"{account.ref} is not in arrears ({format_pence(int(balance))}): a notice for rent "
                         "arrears needs rent unpaid")
    if TENANCY_TYPES[tenancy.tenancy_type] == "scotland":
        _check_s14a(session, account, served_on)
    return _Facts(account, tenancy, kind, _tenants(session, rules, account, tenancy, served_on),
                  _address(session, tenancy), int(balance), _office_name(session, ctx))


def _check_s14a(session: Any, account: Account, served_on: date) -> None:
    """H(S)A 2001 s14(2A): the s14A pre-action requirements done, each recorded, before the notice."""
    done = set(session.execute(select(STEP.c.step).where(STEP.c.account_id == account.id,
                                                         STEP.c.step.in_(S14A_STEPS),
                                                         STEP.c.done_on <= served_on)).scalars())
    missing = [s for s in S14A_STEPS if s not in done]
    if missing:
        raise InputError(f"{account.ref}: the pre-action requirements of Housing (Scotland) Act 2001 s14A come "
                         f"before an s14 notice (s14(2A)); not recorded by {served_on:%d/%m/%Y}: "
                         f"{', '.join(missing)}. Record them in the pre-action protocol first")


def _check_served_on(ctx: ServiceContext, served_on: date) -> None:
    today = ctx.today()
    if served_on > today:
        raise InputError(f"served_on: {served_on:%d/%m/%Y} is in the future; record a notice on the day it was "
                         f"served (today, {today:%d/%m/%Y}, or earlier)")


def _draft(ctx: ServiceContext, facts: _Facts, served_on: date, proceedings_from: date | None,
           particulars: str | None, method: str | None = None, officer: str | None = None) -> NoticeDraft:
    rules = _rules(ctx)
    tenancy, kind = facts.tenancy, facts.kind
    dates = legal_dates(load_law(ctx.settings.data_dir), tenancy.tenancy_type,
                        rules.rent(tenancy.weekly_rent_pence, tenancy.start_date), served_on, proceedings_from)
    problem = too_early(dates)
    if problem:
        raise InputError(problem)
    weekly = tenancy.weekly_rent_pence
    values = {
        "office_name": facts.office_name, "date": long_date(served_on), "tenants": "\n".join(facts.tenants),
        "tenant_names": " and ".join(facts.tenants), "address": "\n".join(facts.address),
        "account_ref": facts.account.ref, "tenancy_ref": tenancy.ref, "served_on": long_date(served_on),
        "method": rules.methods.get(method or "", "served"), "proceedings_from": long_date(dates.proceedings_from),
        "lapses_on": long_date(dates.lapses_on), "review_by": long_date(dates.review_by),
        "arrears": format_pence(facts.arrears_pence), "arrears_on": long_date(served_on),
        "weekly_rent": format_pence(weekly), "weeks": f"{weeks_in_arrears(facts.arrears_pence, weekly):.2f}",
        "particulars": particulars or "", "legal_basis": kind.legal_basis,
        "officer_name": officer or (ctx.actor.display_name if ctx.actor else "Income team"),
    }
    return NoticeDraft(facts.account.ref, kind.code, kind.title, kind.legal_basis, tenancy.tenancy_type,
                       TENANCY_TYPES[tenancy.tenancy_type], facts.tenants, facts.address, facts.arrears_pence, weekly,
                       weeks_in_arrears(facts.arrears_pence, weekly), served_on, dates.earliest, dates.proceedings_from,
                       dates.lapses_on, dates.review_by, dates.source, render_letter(rules.template(kind), values),
                       dict(rules.methods))


def notice_methods(ctx: ServiceContext) -> dict[str, str]:
    """The ways a notice may be served (code: words), from data/income/notices.toml."""
    return dict(_rules(ctx).methods)


def _particulars(text: str | None) -> str | None:
    cleaned = (text or "").strip()
    if len(cleaned) > PARTICULARS_MAX:
        raise InputError(f"particulars: at most {PARTICULARS_MAX} characters (these have {len(cleaned)}); shorten them")
    return cleaned or None


def notice_preview(ctx: ServiceContext, account_ref: str, *, served_on: date,
                   proceedings_from: date | None = None, particulars: str | None = None) -> NoticeDraft:
    """The notice the account's tenancy gets if served on ``served_on``: the law's dates, tenants, letter.

    ``proceedings_from`` None gives the earliest date the law allows; an earlier one is refused naming it."""
    ctx.require("account.view")
    _check_served_on(ctx, served_on)
    text = _particulars(particulars)
    with session_scope(ctx.engine) as session:
        draft = _draft(ctx, _facts(session, ctx, account_ref, served_on), served_on, proceedings_from, text)
    audit.record_read(ctx, "arrears.notice_previewed", "account", draft.account_ref,
                      {"kind": draft.kind, "served_on": served_on.isoformat()})
    return draft


def serve_notice(ctx: ServiceContext, account_ref: str, *, served_on: date, method: str,
                 proceedings_from: date | None = None, particulars: str | None = None) -> ServedNotice:
    """Record a notice served: the ``arrears_notice`` row and the policy's notice step, one audited transaction."""
    actor = ctx.require("arrears.manage")
    rules = _rules(ctx)
    code = (method or "").strip().lower()
    if code not in rules.methods:
        raise InputError(f"method: {method!r} is not a way of serving; choose one of {', '.join(rules.methods)}")
    _check_served_on(ctx, served_on)
    text = _particulars(particulars)
    with session_scope(ctx.engine, write=True) as session:
        facts = _facts(session, ctx, account_ref, served_on)
        draft = _draft(ctx, facts, served_on, proceedings_from, text, code)
        step = _policy_step(ctx, rules, facts.kind)
        account_id = facts.account.id
        assert account_id is not None
        _no_notice_in_force(session, ctx, facts.account)
        notice = ArrearsNotice(
            account_id=account_id, kind=draft.kind, served_on=served_on, method=code, served_by=actor.id,
            proceedings_from=draft.proceedings_from, lapses_on=draft.lapses_on, review_by=draft.review_by,
            arrears_pence=draft.arrears_pence, weekly_rent_pence=draft.weekly_rent_pence,
            tenants="\n".join(draft.tenants), particulars=text, created_at=ctx.now())
        session.add(notice)
        session.flush()
        assert notice.id is not None
        session.add(RecoveryAction(account_id=account_id, action=step, taken_on=served_on, taken_by=actor.id,
                                   note=f"{draft.title} (notice {notice.id}) {rules.methods[code]}; proceedings "
                                        f"from {draft.proceedings_from:%d/%m/%Y}", created_at=ctx.now()))
        audit.record(session, ctx, "arrears.notice_served", "account", draft.account_ref, {
            "notice": notice.id, "kind": draft.kind, "served_on": served_on.isoformat(), "method": code,
            "proceedings_from": draft.proceedings_from.isoformat(), "earliest": draft.earliest_proceedings.isoformat(),
            "tenants": len(draft.tenants), "recovery_step": step, "particulars": bool(text)})
        served = ServedNotice(notice.id, draft.account_ref, draft.kind, draft.title, served_on, code,
                              draft.proceedings_from, draft.lapses_on, draft.review_by, draft.tenants, step)
    return served


def _policy_step(ctx: ServiceContext, rules: NoticeRules, kind: NoticeKind) -> str:
    """The recovery policy's step for this notice (so the worklist moves on); a file mistake if it has none."""
    if load_recovery_policy(ctx.settings.data_dir).stage_named(kind.policy_step) is None:
        raise EnvironmentProblem(f"{rules.path}: kind {kind.code} records the recovery step {kind.policy_step!r}, "
                                 "which recovery.toml does not have; fix policy_step there")
    return kind.policy_step


def _no_notice_in_force(session: Any, ctx: ServiceContext, account: Account) -> None:
    """One live notice at a time: a second while one is in force (or not yet) is refused, naming it.

    The account row is locked first on PostgreSQL (``FOR UPDATE``), so two terminals serving on one account
    at once are taken in turn and the second sees the first's notice; SQLite's write transaction already
    serialises writers. (A partial UNIQUE index cannot say "live": that depends on today.)"""
    if session.get_bind().dialect.name == "postgresql":
        accounts = table_of(Account)
        session.execute(select(accounts.c.id).where(accounts.c.id == account.id).with_for_update())
        audit.holds_a_queue(session)
    today = ctx.today()
    for notice in session.execute(select(ArrearsNotice).where(NOTICE.c.account_id == account.id)
                                  .order_by(NOTICE.c.served_on.desc(), NOTICE.c.id.desc())).scalars():
        state = notice_state(today, proceedings_from=notice.proceedings_from, lapses_on=notice.lapses_on,
                             withdrawn_on=notice.withdrawn_on, review_outcome=notice.review_outcome)
        if state in ("in_force", "not_yet_in_force"):
            raise InputError(f"{account.ref} already has a notice served on {notice.served_on:%d/%m/%Y} "
                             f"({STATES[state]}); withdraw it first if a new notice is to replace it")


def _row(notice: ArrearsNotice, ref: str, served_by: str | None, rules: NoticeRules, today: date) -> NoticeRow:
    assert notice.id is not None
    return NoticeRow(
        notice.id, ref, notice.kind, rules.kind(notice.kind).title, notice.served_on, notice.method, served_by,
        notice.proceedings_from, notice.lapses_on, notice.review_by, notice.review_requested_on,
        notice.review_decided_on, notice.review_outcome, notice.la_notified_on, notice.withdrawn_on,
        notice.arrears_pence, notice.weekly_rent_pence, tuple(notice.tenants.splitlines()), notice.particulars,
        notice_state(today, proceedings_from=notice.proceedings_from, lapses_on=notice.lapses_on,
                     withdrawn_on=notice.withdrawn_on, review_outcome=notice.review_outcome), notice.version)


def _staff_names(session: Any, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    staff = table_of(StaffUser)
    return dict(session.execute(select(staff.c.id, staff.c.display_name).where(staff.c.id.in_(sorted(ids)))).all())


def notices_for(ctx: ServiceContext, account_ref: str) -> list[NoticeRow]:
    """Every notice served on a rent account, newest first, each with its state today; audited as a view."""
    ctx.require("account.view")
    rules, today = _rules(ctx), ctx.today()
    with session_scope(ctx.engine) as session:
        account = _find_account(session, account_ref)
        notices = list(session.execute(select(ArrearsNotice).where(NOTICE.c.account_id == account.id)
                                       .order_by(NOTICE.c.served_on.desc(), NOTICE.c.id.desc())).scalars())
        names = _staff_names(session, {n.served_by for n in notices if n.served_by is not None})
        rows = [_row(n, account.ref, names.get(n.served_by) if n.served_by else None, rules, today) for n in notices]
    audit.record_read(ctx, "arrears.notices_viewed", "account", account.ref, {"notices": [r.id for r in rows]})
    return rows


def _find_account(session: Any, account_ref: str) -> Account:
    wanted = "".join((account_ref or "").split()).upper()
    found = session.execute(select(table_of(Account).c.id).where(table_of(Account).c.ref == wanted)).scalar()
    account = session.get(Account, found) if found is not None else None
    if account is None:
        raise NotFound(f"no account with ref {wanted!r}; check the ref or search for the person")
    return account


def notice_document(ctx: ServiceContext, notice_id: int) -> Document:
    """The served notice as a letter (text and PDF), from its template and what was recorded at service."""
    ctx.require("account.view")
    rules = _rules(ctx)
    with session_scope(ctx.engine) as session:
        notice, account = load_notice(session, notice_id)
        kind = rules.kind(notice.kind)
        tenancy = session.get(Tenancy, account.tenancy_id) if account.tenancy_id is not None else None
        officer = _staff_names(session, {notice.served_by} if notice.served_by else set()).get(notice.served_by or 0)
        tenants = notice.tenants.splitlines()
        values = {
            "office_name": _office_name(session, ctx), "date": long_date(notice.served_on),
            "tenants": "\n".join(tenants), "tenant_names": " and ".join(tenants),
            "address": "\n".join(_address(session, tenancy)) if tenancy else "", "account_ref": account.ref,
            "tenancy_ref": tenancy.ref if tenancy else "", "served_on": long_date(notice.served_on),
            "method": rules.methods.get(notice.method, notice.method), "lapses_on": long_date(notice.lapses_on),
            "proceedings_from": long_date(notice.proceedings_from), "review_by": long_date(notice.review_by),
            "arrears": format_pence(notice.arrears_pence), "arrears_on": long_date(notice.served_on),
            "weekly_rent": format_pence(notice.weekly_rent_pence),
            "weeks": f"{weeks_in_arrears(notice.arrears_pence, notice.weekly_rent_pence):.2f}",
            "particulars": notice.particulars or "", "legal_basis": kind.legal_basis,
            "officer_name": officer or "Income team",
        }
        ref = account.ref
    text = render_letter(rules.template(kind), values)
    audit.record_read(ctx, "arrears.notice_printed", "account", ref, {"notice": notice_id, "kind": kind.code})
    return make_document("letters", f"{ref}-{kind.code}-{notice_id}", f"{kind.title} ({ref})",
                         text.rstrip("\n").split("\n"), font_size=9, about=("account", ref))

__all__ = ["NoticeDraft", "NoticeRow", "ServedNotice", "load_notice", "notice_document", "notice_methods",
           "notice_preview", "notices_for", "record_la_notified", "record_review", "serve_notice", "withdraw_notice"]
