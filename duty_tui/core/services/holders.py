"""Whose is it: the office a user works in, the person an account belongs to (shared by every area)."""

from __future__ import annotations

from sqlmodel import Session, col, select

from duty_tui.core.db.models import Account, HouseholdMember, Office, Person, StaffUser, Tenancy
from duty_tui.core.domain.errors import InputError
from duty_tui.core.services.context import ServiceContext


def office_for(session: Session, ctx: ServiceContext) -> Office:
    """The office the acting user works in (else the configured office, else the only one)."""
    office: Office | None = None
    if ctx.actor is not None and ctx.actor.id:
        user = session.get(StaffUser, ctx.actor.id)
        if user is not None and user.office_id is not None:
            office = session.get(Office, user.office_id)
    if office is None:
        office = session.exec(select(Office).where(Office.code == ctx.settings.office_code)).first()
    if office is None:
        office = session.exec(select(Office).order_by(col(Office.id))).first()
    if office is None:
        raise InputError("no office is set up in this database; run duty-tui demo or add an office first")
    return office


def holder_person(session: Session, account: Account) -> Person | None:
    """The person an account belongs to: its named person, else the lead of its tenancy's household."""
    if account.person_id is not None:
        return session.get(Person, account.person_id)
    if account.tenancy_id is None:
        return None
    tenancy = session.get(Tenancy, account.tenancy_id)
    if tenancy is None:
        return None
    member = session.exec(select(HouseholdMember).where(HouseholdMember.household_id == tenancy.household_id)
                          .order_by(col(HouseholdMember.is_lead).desc(), col(HouseholdMember.id))).first()
    return session.get(Person, member.person_id) if member else None
