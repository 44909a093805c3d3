"""Scotland: section 5 referrals (Housing (Scotland) Act 2001 s5; docs/LETTINGS_RETURNS.md) — the council
refers a homeless household on its register to a housing association, which should house them within
the target in ``data/lettings/s5.toml`` (six weeks by default, from the referral day).

Recorded only where the office's jurisdiction (settings ``jurisdiction``) is Scotland: section 5 is
Scottish law. A referral's outcome is recorded once (``outcome`` from null, checked in the UPDATE itself).
Listing shows each referral's target day, days left or overdue on the day asked.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select, update

from duty_tui.areas.lettings.db.models import LettingsApplication, LettingsS5Referral
from duty_tui.areas.lettings.domain.relet import load_s5_rules, rule_on
from duty_tui.core.db.engine import session_scope
from duty_tui.core.domain.errors import InputError
from duty_tui.core.services import audit
from duty_tui.core.services.context import ServiceContext

S5 = LettingsS5Referral.__table__  # type: ignore[attr-defined]
APP = LettingsApplication.__table__  # type: ignore[attr-defined]
OUTCOMES = ("housed", "refused_by_association", "withdrawn", "not_housed")


@dataclass(frozen=True)
class S5Line:
    id: int
    application_ref: str
    association: str
    referred_on: date
    target_on: date
    outcome: str | None
    outcome_on: date | None

    def state(self, today: date) -> str:
        """``open`` / ``overdue`` (past the target) with no outcome; ``met`` / ``missed`` once housed by the
        target or after it; ``closed`` for any other outcome."""
        if self.outcome is None:
            return "overdue" if today > self.target_on else "open"
        if self.outcome != "housed":
            return "closed"
        return "met" if self.outcome_on is not None and self.outcome_on <= self.target_on else "missed"

    def as_json(self, today: date) -> dict:
        return {"id": self.id, "application_ref": self.application_ref, "association": self.association,
                "referred_on": self.referred_on.isoformat(), "target_on": self.target_on.isoformat(),
                "outcome": self.outcome, "outcome_on": self.outcome_on.isoformat() if self.outcome_on else None,
                "state": self.state(today), "days_over": max(0, (today - self.target_on).days)
                if self.outcome is None else None}


def target_for(ctx: ServiceContext, referred_on: date) -> date:
    """The day a referral made on ``referred_on`` should be housed by (the target in force that day)."""
    return referred_on + timedelta(days=rule_on(load_s5_rules(ctx.settings.data_dir), referred_on).target_days)


def _scotland_only(ctx: ServiceContext) -> None:
    if ctx.settings.jurisdiction != "scotland":
        raise InputError(f"section 5 referrals are Scottish law (Housing (Scotland) Act 2001 s5) and this office's "
                         f"jurisdiction is {ctx.settings.jurisdiction}; set jurisdiction = \"scotland\" if it is in Scotland")


def record_s5(ctx: ServiceContext, *, application_ref: str, association: str, referred_on: date) -> S5Line:
    """Record a section 5 referral of an application's household to an association, with its target day."""
    ctx.require("lettings.manage")
    _scotland_only(ctx)
    name = " ".join(association.split())
    if not name or len(name) > 120:
        raise InputError("--association: give the housing association's name (1 to 120 characters)")
    if referred_on > ctx.today():
        raise InputError("--on is in the future: a referral is recorded on or after the day it was made")
    target = target_for(ctx, referred_on)
    with session_scope(ctx.engine, write=True) as session:
        app_id = session.execute(select(APP.c.id).where(APP.c.ref == application_ref)).scalar()
        if app_id is None:
            raise InputError(f"application {application_ref!r} is not on the register; give an application reference")
        new_id = session.execute(S5.insert().values(application_id=app_id, association=name, referred_on=referred_on,
                                                    target_on=target, version=1).returning(S5.c.id)).scalar_one()
        audit.record(session, ctx, "lettings.s5_referred", "lettings_application", app_id,
                     {"referral": new_id, "association": name, "referred_on": referred_on.isoformat(),
                      "target_on": target.isoformat()})
    return S5Line(new_id, application_ref, name, referred_on, target, None, None)


def record_s5_outcome(ctx: ServiceContext, *, referral_id: int, outcome: str, on: date) -> None:
    """Record a referral's outcome once (a second outcome is refused by the UPDATE's condition)."""
    ctx.require("lettings.manage")
    _scotland_only(ctx)
    if outcome not in OUTCOMES:
        raise InputError(f"--outcome must be one of {', '.join(OUTCOMES)}")
    with session_scope(ctx.engine, write=True) as session:
        row = session.execute(select(S5.c.application_id, S5.c.referred_on).where(S5.c.id == referral_id)).first()
        if row is None:
            raise InputError(f"section 5 referral {referral_id} does not exist; list them with `lettings s5 list`")
        if on < row.referred_on:
            raise InputError("--on is before the referral was made; give the day of the outcome")
        done = session.connection().execute(update(S5).where(S5.c.id == referral_id, S5.c.outcome.is_(None))
                               .values(outcome=outcome, outcome_on=on, version=S5.c.version + 1)).rowcount
        if not done:
            raise InputError(f"section 5 referral {referral_id} already has its outcome; it is recorded once")
        audit.record(session, ctx, "lettings.s5_outcome", "lettings_application", row.application_id,
                     {"referral": referral_id, "outcome": outcome, "on": on.isoformat()})


def list_s5(ctx: ServiceContext, *, open_only: bool = False) -> list[S5Line]:
    """Every referral (or only those without an outcome), oldest target first; audited as a read."""
    ctx.require("lettings.manage")
    query = (select(S5.c.id, APP.c.ref, S5.c.association, S5.c.referred_on, S5.c.target_on, S5.c.outcome,
                    S5.c.outcome_on).join(APP, APP.c.id == S5.c.application_id).order_by(S5.c.target_on, S5.c.id))
    if open_only:
        query = query.where(S5.c.outcome.is_(None))
    with session_scope(ctx.engine) as session:
        lines = [S5Line(*row) for row in session.execute(query).all()]
    audit.record_read(ctx, "lettings.s5_listed", "report", "lettings", {"referrals": len(lines)})
    return lines
