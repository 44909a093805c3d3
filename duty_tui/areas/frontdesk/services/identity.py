"""The identity check before disclosure: what a caller says is compared with the record (a yes/no,
audited, never the answer), and only a passed check discloses account balances."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import func
from sqlmodel import col, select

from duty_tui.areas.frontdesk.domain import rules
from duty_tui.areas.frontdesk.domain.rules import IdentityRecord
from duty_tui.areas.frontdesk.services.caller_brief import current_home
from duty_tui.areas.frontdesk.services.common import person_by_ref
from duty_tui.core.db.engine import session_scope
from duty_tui.core.db.models import Account, AuditEvent, Tenancy
from duty_tui.core.db.models import AccountBalance as KeptBalance
from duty_tui.core.domain.errors import InputError
from duty_tui.core.services import audit
from duty_tui.core.services.context import ServiceContext

MAX_FAILED_CHECKS = 3
"""Failed identity checks on one person by one member of staff within FAILED_CHECK_WINDOW before refusing more."""
FAILED_CHECK_WINDOW = timedelta(minutes=15)


@dataclass(frozen=True)
class AccountBalance:
    """An account balance, disclosed only after a passed identity check."""

    ref: str
    account_type: str
    balance_pence: int


@dataclass(frozen=True)
class IdentityResult:
    """The yes/no of an identity check and, when passed, what may now be disclosed."""

    passed: bool
    method: str
    message: str
    accounts: list[AccountBalance] = field(default_factory=list)


def check_identity(ctx: ServiceContext, person_ref: str, method: str, answer: str) -> IdentityResult:
    """Compare what the caller says with the record; audited (method and result, never the answer).

    The record itself is never returned: reception cannot see a full date of birth. After
    three failures in 15 minutes the check refuses further tries for that person.
    """
    actor = ctx.require("contact.log")
    problem = rules.identity_check_problem(method, answer)
    if problem:
        raise InputError(f"identity check: {problem}")
    now = ctx.now()
    with session_scope(ctx.engine, write=True) as session:
        person = person_by_ref(session, person_ref)
        assert person is not None
        failures = session.exec(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "contact.identity_check", AuditEvent.entity_id == person.ref,
            AuditEvent.actor == actor.username, AuditEvent.at >= now - FAILED_CHECK_WINDOW,
            col(AuditEvent.detail).like('%"passed": false%'))).one()
        if failures >= MAX_FAILED_CHECKS:
            audit.record(session, ctx, "contact.identity_check", "person", person.ref,
                         {"method": method, "passed": False, "refused": True})
            return IdentityResult(False, method, "Too many failed checks for this person in the last 15 minutes: "
                                  "do not disclose anything; offer a call back or a visit with ID.")
        tenancy, prop, household_id = current_home(session, person.id)
        tenancy_ids = []
        tenancy_refs: list[str] = []
        if household_id is not None:
            for t in session.exec(select(Tenancy).where(Tenancy.household_id == household_id)).all():
                tenancy_ids.append(t.id)
                tenancy_refs.append(t.ref)
        account_filter = col(Account.person_id) == person.id
        if tenancy_ids:
            account_filter = account_filter | col(Account.tenancy_id).in_(tenancy_ids)
        accounts = session.exec(select(Account).where(account_filter).order_by(Account.ref)).all()
        record = IdentityRecord(tuple(tenancy_refs), tuple(a.ref for a in accounts), person.date_of_birth,
                                prop.address_line1 if prop else None, prop.postcode if prop else None)
        passed = rules.identity_matches(method, answer, record)
        balances: list[AccountBalance] = []
        if passed and ctx.can("account.view") and accounts:
            sums: dict[int | None, int] = dict(session.exec(select(KeptBalance.account_id, KeptBalance.balance_pence)
                                     .where(col(KeptBalance.account_id).in_([a.id for a in accounts]))).all())
            balances = [AccountBalance(a.ref, a.account_type, int(sums.get(a.id, 0))) for a in accounts
                        if a.closed_on is None or sums.get(a.id, 0)]
        audit.record(session, ctx, "contact.identity_check", "person", person.ref,
                     {"method": method, "passed": passed, "disclosed": [b.ref for b in balances]})
    label = rules.IDENTITY_METHODS[method].lower()
    if passed:
        return IdentityResult(True, method, f"Identity confirmed by {label}: account details may be given.", balances)
    return IdentityResult(False, method, f"The {label} given does NOT match: do not disclose account details. "
                          "Try another check, or offer a call back.")


__all__ = ["AccountBalance", "IdentityResult", "check_identity"]
