"""What may change on a served notice (docs/INCOME_NOTICES.md): an introductory tenant's review (HA 1996
s129), the local authority told of proceedings (Homelessness etc. (Scotland) Act 2003 s11), a withdrawal.

A notice is never otherwise changed after service. Each change is one write transaction, permission
``arrears.manage`` first, the audit event in it, and optimistic locking on the notice's ``version``: a
change over someone else's newer one is refused, naming it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import update

from duty_tui.areas.income.db.models import ArrearsNotice
from duty_tui.core.db.engine import session_scope
from duty_tui.core.db.models import Account, table_of
from duty_tui.core.domain.errors import ConflictError, InputError, NotFound
from duty_tui.core.services import audit
from duty_tui.core.services.context import ServiceContext

REVIEW_OUTCOMES = {"upheld": "the decision to seek possession is confirmed",
                   "overturned": "the decision is reversed: no proceedings on this notice"}
KIND_WORDS = {"nosp": "a notice seeking possession", "s128": "a notice of proceedings (introductory tenancy)",
              "s14": "an s14 notice"}
NOTICE = table_of(ArrearsNotice)


@dataclass(frozen=True)
class NoticeChanged:
    """A notice after a change: what changed, and its version now."""

    notice_id: int
    account_ref: str
    what: str  # review_requested, review_decided, la_notified, withdrawn
    on: date
    version: int


def load_notice(session: Any, notice_id: int) -> tuple[ArrearsNotice, Account]:
    """A stored notice and its account; NotFound naming the number."""
    notice = session.get(ArrearsNotice, notice_id)
    account = session.get(Account, notice.account_id) if notice is not None else None
    if notice is None or account is None:
        raise NotFound(f"no notice {notice_id}; choose one from the account's notices")
    return notice, account


def _day(ctx: ServiceContext, key: str, on: date, notice: ArrearsNotice) -> None:
    """A day recorded on a notice: not before its service, not after today."""
    today = ctx.today()
    if on > today:
        raise InputError(f"{key}: {on:%d/%m/%Y} is in the future; record it on or after the day it happened "
                         f"(today, {today:%d/%m/%Y}, or earlier)")
    if on < notice.served_on:
        raise InputError(f"{key}: {on:%d/%m/%Y} is before the notice was served ({notice.served_on:%d/%m/%Y})")


def _live(notice: ArrearsNotice, account: Account) -> None:
    if notice.withdrawn_on is not None:
        raise InputError(f"notice {notice.id} on {account.ref} was withdrawn on {notice.withdrawn_on:%d/%m/%Y}; "
                         "nothing more is recorded on it")


def _save(session: Any, ctx: ServiceContext, notice: ArrearsNotice, account: Account, version: int | None,
          values: dict[str, Any], action: str, detail: dict[str, Any]) -> int:
    """UPDATE the notice where its version is still the one read (or given); ConflictError otherwise."""
    expected = notice.version if version is None else version
    done = session.execute(update(NOTICE).where(NOTICE.c.id == notice.id, NOTICE.c.version == expected)
                           .values(**values, version=expected + 1))
    if done.rowcount != 1:
        raise ConflictError(f"notice {notice.id} on {account.ref} was changed by someone else a moment ago; "
                            "reopen it to see their change", record=f"notice {notice.id}", version=notice.version)
    audit.record(session, ctx, action, "account", account.ref, {"notice": notice.id, **detail})
    return expected + 1


def record_review(ctx: ServiceContext, notice_id: int, *, requested_on: date, decided_on: date | None = None,
                  outcome: str | None = None, version: int | None = None) -> NoticeChanged:
    """Record an introductory tenant's request for a review (HA 1996 s129) and, when made, its decision."""
    ctx.require("arrears.manage")
    code = (outcome or "").strip().lower() or None
    if decided_on is not None and code not in REVIEW_OUTCOMES:
        raise InputError(f"outcome: choose one of {', '.join(REVIEW_OUTCOMES)} for the review decided on "
                         f"{decided_on:%d/%m/%Y}")
    if decided_on is None and code is not None:
        raise InputError("decided_on: give the day the review was decided along with its outcome")
    with session_scope(ctx.engine, write=True) as session:
        notice, account = load_notice(session, notice_id)
        if notice.kind != "s128":
            raise InputError(f"notice {notice.id} is {KIND_WORDS.get(notice.kind, notice.kind)}: only a notice of "
                             "proceedings for an introductory tenancy has a review (HA 1996 s129)")
        _live(notice, account)
        if notice.review_decided_on is not None:
            raise InputError(f"the review of notice {notice.id} was decided on {notice.review_decided_on:%d/%m/%Y} "
                             f"({notice.review_outcome}); it is recorded once")
        _day(ctx, "requested_on", requested_on, notice)
        if notice.review_by is not None and requested_on > notice.review_by:
            raise InputError(f"requested_on: {requested_on:%d/%m/%Y} is after {notice.review_by:%d/%m/%Y}, the last "
                             "day of the 14 days beginning with the day of service (HA 1996 s129(1)); a late request "
                             "need not be reviewed")
        values: dict[str, Any] = {"review_requested_on": requested_on}
        if decided_on is not None:
            _day(ctx, "decided_on", decided_on, notice)
            if decided_on < requested_on:
                raise InputError(f"decided_on: {decided_on:%d/%m/%Y} is before the request ({requested_on:%d/%m/%Y})")
            if decided_on >= notice.proceedings_from:
                raise InputError(f"decided_on: the review must be decided before {notice.proceedings_from:%d/%m/%Y}, "
                                 "the date in the notice (HA 1996 s129(6)); decided later, the notice cannot be relied "
                                 "on: withdraw it and serve a new one")
            values.update(review_decided_on=decided_on, review_outcome=code)
        what = "review_decided" if decided_on is not None else "review_requested"
        now = _save(session, ctx, notice, account, version, values, "arrears.notice_review_recorded",
                    {"requested_on": requested_on.isoformat(),
                     "decided_on": decided_on.isoformat() if decided_on else None, "outcome": code})
        return NoticeChanged(notice_id, account.ref, what, decided_on or requested_on, now)


def record_la_notified(ctx: ServiceContext, notice_id: int, on: date, *, version: int | None = None) -> NoticeChanged:
    """Record the local authority told of proceedings on an s14 notice (Homelessness etc. (Scotland) Act 2003 s11)."""
    ctx.require("arrears.manage")
    with session_scope(ctx.engine, write=True) as session:
        notice, account = load_notice(session, notice_id)
        if notice.kind != "s14":
            raise InputError(f"notice {notice.id} is {KIND_WORDS.get(notice.kind, notice.kind)}: the local authority "
                             "is told under s11 of the Homelessness etc. (Scotland) Act 2003 for s14 notices only")
        _live(notice, account)
        if notice.la_notified_on is not None:
            raise InputError(f"the local authority was recorded as told on {notice.la_notified_on:%d/%m/%Y}; it is "
                             "recorded once")
        _day(ctx, "on", on, notice)
        now = _save(session, ctx, notice, account, version, {"la_notified_on": on}, "arrears.notice_la_notified",
                    {"on": on.isoformat()})
        return NoticeChanged(notice_id, account.ref, "la_notified", on, now)


def withdraw_notice(ctx: ServiceContext, notice_id: int, on: date, *, version: int | None = None) -> NoticeChanged:
    """Withdraw a served notice from ``on`` (it is kept, marked withdrawn; a new one may then be served)."""
    ctx.require("arrears.manage")
    with session_scope(ctx.engine, write=True) as session:
        notice, account = load_notice(session, notice_id)
        _live(notice, account)
        _day(ctx, "on", on, notice)
        now = _save(session, ctx, notice, account, version, {"withdrawn_on": on}, "arrears.notice_withdrawn",
                    {"on": on.isoformat(), "kind": notice.kind})
        return NoticeChanged(notice_id, account.ref, "withdrawn", on, now)


__all__ = ["REVIEW_OUTCOMES", "NoticeChanged", "load_notice", "record_la_notified", "record_review",
           "withdraw_notice"]
