"""Applying a rent review and its notices of variation (docs/RENTS_REVIEW.md).

``apply_review`` is all-or-nothing in one transaction: it refuses notices that could not reach every
tenant in time (domain/review.py, data/rents/review.toml), marks the review applied (the partial
UNIQUE ``ux_rent_review_applied``: one applied review per rent year, so of two applies at once one
wins and the other is refused), ends each changed property charge the day before the first week and
starts the new amount (each end guarded by the row's version), and records one notice per live
tenancy (UNIQUE review+tenancy). After the commit every ``dd.charges_changed`` hook is called for
each rent account whose charges changed (payments: its "charges" mandates take the new amount and owe
an advance notice); the hook works in its own transaction and skips mandates already at the amount.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import Connection, or_, select, update
from sqlalchemy.exc import IntegrityError

from duty_tui.areas.rents.db.models import RentVariationNotice
from duty_tui.areas.rents.domain.charges import monthly_collection
from duty_tui.areas.rents.domain.review import latest_notice_day
from duty_tui.areas.rents.domain.review_data import notice_rule_for
from duty_tui.areas.rents.services.charges import charges_in_force
from duty_tui.areas.rents.services.review import CHARGE, LINE, OFFICE, PROPERTY, REVIEW, in_force, review_row
from duty_tui.core.db.engine import session_scope
from duty_tui.core.db.models import Account, Tenancy, table_of
from duty_tui.core.domain.clocks import WorkingCalendar, is_jurisdiction
from duty_tui.core.domain.errors import ConflictError, InputError, NotFound
from duty_tui.core.registry import hooks
from duty_tui.core.services import audit
from duty_tui.core.services.context import ServiceContext

PERMISSION = "rents.manage"
NOTICE, TENANCY, ACCOUNT = table_of(RentVariationNotice), table_of(Tenancy), table_of(Account)


@dataclass(frozen=True)
class Applied:
    """What applying did: charges restarted, notices made, DD mandates told, hooks that failed."""

    ref: str
    effective_from: date
    notices_on: date
    latest_notice_day: date
    charges: int
    notices: int
    mandates_changed: int = 0
    hook_problems: tuple[str, ...] = field(default_factory=tuple)

    def as_json(self) -> dict:
        return {"ref": self.ref, "effective_from": self.effective_from.isoformat(),
                "notices_on": self.notices_on.isoformat(), "latest_notice_day": self.latest_notice_day.isoformat(),
                "charges": self.charges, "notices": self.notices, "mandates_changed": self.mandates_changed,
                "hook_problems": list(self.hook_problems)}


def _live_tenancies(connection: Connection, first_week: date, property_ids: set[int]) -> list:
    """Tenancies live on the first week on the review's properties: id, ref, property, nation, rent account."""
    rows = connection.execute(
        select(TENANCY.c.id, TENANCY.c.ref, TENANCY.c.property_id, OFFICE.c.jurisdiction, ACCOUNT.c.id, ACCOUNT.c.ref)
        .join(PROPERTY, PROPERTY.c.id == TENANCY.c.property_id).outerjoin(OFFICE, OFFICE.c.id == PROPERTY.c.office_id)
        .outerjoin(ACCOUNT, (ACCOUNT.c.tenancy_id == TENANCY.c.id) & (ACCOUNT.c.account_type == "rent"))
        .where(TENANCY.c.start_date <= first_week,
               or_(TENANCY.c.end_date.is_(None), TENANCY.c.end_date >= first_week))
        .order_by(TENANCY.c.ref)).all()
    return [r for r in rows if r[2] in property_ids]


def _frequencies(connection: Connection, review_id: int) -> dict[int, str]:
    """Each property's rental period: the frequency of its basic rent (else its first line's)."""
    found: dict[int, str] = {}
    for prop, code, frequency in connection.execute(select(LINE.c.property_id, LINE.c.charge_code, LINE.c.frequency)
                                                    .where(LINE.c.review_id == review_id)):
        if code == "basic_rent" or prop not in found:
            found[prop] = frequency
    return found


def notice_deadline(ctx: ServiceContext, nation: str | None, first_week: date, frequency: str):
    """(the latest day to give notice, the rule) for a tenancy in ``nation`` paying by ``frequency``."""
    nation = nation or ctx.settings.jurisdiction
    rule = notice_rule_for(ctx.settings.data_dir, nation, first_week)
    calendar = WorkingCalendar(nation if is_jurisdiction(nation) else "england")
    return latest_notice_day(first_week, rule, frequency, calendar.add_working_days), rule


def _restart_charges(connection: Connection, ctx: ServiceContext, review_id: int, first_week: date, reason: str) -> int:
    """End each changed property charge the day before ``first_week`` and start the new amount from it."""
    lines = connection.execute(select(LINE.c.property_id, LINE.c.charge_code, LINE.c.new_pence, LINE.c.frequency)
                               .where(LINE.c.review_id == review_id, LINE.c.new_pence != LINE.c.old_pence)).all()
    now, actor = ctx.now(), ctx.actor.id if ctx.actor else None
    for prop, code, new_pence, frequency in lines:
        current = connection.execute(select(CHARGE.c.id, CHARGE.c.version, CHARGE.c.effective_from).where(
            CHARGE.c.property_id == prop, CHARGE.c.charge_code == code, in_force(first_week))).all()
        if len(current) != 1 or current[0][2] >= first_week:
            raise ConflictError(f"a {code} charge changed since the review was modelled (it starts on or after "
                                f"{first_week:%d/%m/%Y}); model the review again")
        charge_id, version, _ = current[0]
        done = connection.execute(update(CHARGE).where(CHARGE.c.id == charge_id, CHARGE.c.version == version).values(
            effective_to=first_week - timedelta(days=1), ended_by=actor, ended_at=now, ended_reason=reason,
            version=version + 1))
        if done.rowcount != 1:
            raise ConflictError("a charge was changed from another terminal meanwhile; nothing applied, try again")
        connection.execute(CHARGE.insert().values(
            property_id=prop, tenancy_id=None, charge_code=code, amount_pence=new_pence, frequency=frequency,
            effective_from=first_week, effective_to=None, reason=reason, created_by=actor, created_at=now, version=1))
    return len(lines)


def apply_review(ctx: ServiceContext, ref: str, notices_on: date | None = None) -> Applied:
    """Apply a modelled review from its rent year's first week, with a notice of variation per live tenancy."""
    ctx.require(PERMISSION)
    try:
        with session_scope(ctx.engine, write=True) as session:
            connection = session.connection()
            row = review_row(connection, ref)
            if row["status"] != "modelled":
                raise InputError(f"review {row['ref']} is {row['status']}; only a modelled review can be applied")
            first_week, review_id = row["effective_from"], row["id"]
            given = notices_on or row["notices_on"] or ctx.today()
            frequencies = _frequencies(connection, review_id)
            tenancies = _live_tenancies(connection, first_week, set(frequencies))
            latest, binding, letters = date.max, None, {}
            for tid, tref, prop, nation, _, _ in tenancies:
                day, rule = notice_deadline(ctx, nation, first_week, frequencies[prop])
                letters[tid] = rule.letter
                if day < latest:
                    latest, binding = day, (tref, rule, frequencies[prop])
            if binding is not None and given > latest:
                tref, rule, frequency = binding
                raise InputError(
                    f"notices given on {given:%d/%m/%Y} are too late for rent from {first_week:%d/%m/%Y}: "
                    f"{rule.section} needs notice received {rule.min_days // 7} weeks"
                    f"{' or one rental period (' + frequency + '), whichever is longer,' if rule.at_least_one_period else ''}"
                    f" before the new rent, so tenancy {tref}'s notice must be posted by {latest:%d/%m/%Y} "
                    f"({rule.post_working_days} working days for post); give --notices-on {latest:%Y-%m-%d} or "
                    "earlier, or model the increase for a later rent year")
            done = connection.execute(update(REVIEW).where(
                REVIEW.c.id == review_id, REVIEW.c.version == row["version"], REVIEW.c.status == "modelled").values(
                status="applied", notices_on=given, applied_by=ctx.actor.id if ctx.actor else None,
                applied_at=ctx.now(), version=row["version"] + 1))
            if done.rowcount != 1:
                raise ConflictError(f"review {row['ref']} was changed from another terminal; look at it again")
            charges = _restart_charges(connection, ctx, review_id, first_week, f"Rent review {row['ref']}")
            notices, accounts = _notices(connection, ctx, review_id, first_week, given, tenancies, letters)
            audit.record(session, ctx, "rent.review_applied", "rent_review", row["ref"], {
                "from": first_week.isoformat(), "notices_on": given.isoformat(), "charges": charges,
                "notices": notices})
    except IntegrityError:
        raise ConflictError(f"a rent review for the rent year from {first_week:%d/%m/%Y} is already applied; "
                            "only one review is applied per rent year — model and apply the next year's") from None
    changed, problems = _tell_direct_debits(ctx, accounts, first_week, row["ref"])
    return Applied(row["ref"], first_week, given, latest if binding else given, charges, notices, changed,
                   tuple(problems))


def _notices(connection: Connection, ctx: ServiceContext, review_id: int, first_week: date, given: date,
             tenancies: list, letters: dict[int, str]) -> tuple[int, dict[str, int]]:
    """One notice per live tenancy (old and new weekly totals); the rent accounts whose total changed."""
    rows, accounts = [], {}
    for tid, _, prop, _, account_id, account_ref in tenancies:
        old = sum(c.weekly_pence for c in charges_in_force(connection, ctx.settings.data_dir, tid, prop,
                                                            first_week - timedelta(days=1)))
        new = sum(c.weekly_pence for c in charges_in_force(connection, ctx.settings.data_dir, tid, prop, first_week))
        rows.append({"review_id": review_id, "tenancy_id": tid, "account_id": account_id, "given_on": given,
                     "effective_from": first_week, "old_weekly_pence": old, "new_weekly_pence": new,
                     "letter_code": letters[tid], "created_at": ctx.now()})
        if account_ref and new != old:
            accounts[account_ref] = new
    if rows:
        connection.execute(NOTICE.insert(), rows)
    return len(rows), accounts


def _tell_direct_debits(ctx: ServiceContext, accounts: dict[str, int], first_week: date,
                        ref: str) -> tuple[int, list[str]]:
    """Call every ``dd.charges_changed`` hook for each account whose charges changed (after the commit)."""
    changed, problems = 0, []
    for account_ref, weekly in sorted(accounts.items()):
        for hook in hooks("dd.charges_changed"):
            try:
                monthly = monthly_collection(weekly)  # a mandate collects monthly: the weekly total × 52 ÷ 12
                changed += len(hook(ctx, account_ref, monthly, first_week, f"rent review {ref}") or [])
            except (InputError, ConflictError, NotFound) as exc:
                problems.append(f"{account_ref}: {exc}")
    return changed, problems


def list_notices(ctx: ServiceContext, ref: str) -> list[dict]:
    """An applied review's notices: tenancy, account, old and new weekly totals."""
    ctx.require(PERMISSION)
    with session_scope(ctx.engine) as session:
        connection = session.connection()
        row = review_row(connection, ref)
        rows = connection.execute(
            select(TENANCY.c.ref, ACCOUNT.c.ref, NOTICE.c.given_on, NOTICE.c.old_weekly_pence, NOTICE.c.new_weekly_pence)
            .join(TENANCY, TENANCY.c.id == NOTICE.c.tenancy_id).outerjoin(ACCOUNT, ACCOUNT.c.id == NOTICE.c.account_id)
            .where(NOTICE.c.review_id == row["id"]).order_by(TENANCY.c.ref)).all()
    return [{"tenancy": r[0], "account": r[1], "given_on": r[2].isoformat(), "old_weekly_pence": r[3],
             "new_weekly_pence": r[4]} for r in rows]


__all__ = ["Applied", "apply_review", "list_notices", "notice_deadline"]
