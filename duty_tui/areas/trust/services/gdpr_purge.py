"""Retention: anonymise (never delete) what is past the periods in data/trust/retention.toml.

What is kept: ids, refs, dates, coded fields (reasons, outcomes, H-CLIC codes, stages,
channels), counts and every ledger row untouched, so balances, ledger totals and the
homelessness and front-desk statistics are the same before and after. What goes: names
(become "Anonymised"), dates of birth, NI numbers, phone numbers, email, notes and other
free text. A record already anonymised is not found again, so a second run changes nothing.

One transaction; rows are found with set-based queries and updated in batches of
``CHUNK`` ids (no per-row round trips). Each batch writes one "gdpr.anonymise" audit event
listing its refs, and the run one "gdpr.purge" event with the counts.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import and_, case, func, not_, or_, select, update

from duty_tui.areas.trust.services.gdpr import ANONYMISED, GdprPolicy, policy
from duty_tui.areas.trust.services.gdpr_gather import chunks, tables
from duty_tui.core.db.engine import session_scope
from duty_tui.core.domain.local_time import start_of_local_day
from duty_tui.core.domain.search_keys import fold, sound
from duty_tui.core.services import audit
from duty_tui.core.services.context import ServiceContext

CHUNK = 500
PURGED_TYPES = ("person", "contact", "follow_up", "case", "homelessness_case", "reception_visit")
HOMELESSNESS = "homelessness"


@dataclass(frozen=True)
class PurgeResult:
    """What was (or, with dry_run, would be) anonymised: record type -> refs, in id order."""

    as_of: date
    dry_run: bool
    found: dict[str, list[str]]
    kept: dict[str, int] = field(default_factory=dict)
    stale_drafts: int = 0  # unfinished forms untouched for DRAFT_MAX_AGE_DAYS: removed (not anonymised)


def years_before(day: date, years: int) -> date:
    """The same calendar day ``years`` earlier (29 February becomes the 28th)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def purge(ctx: ServiceContext, *, dry_run: bool = False) -> PurgeResult:
    """Anonymise everything past retention as of ``ctx.today()`` (gdpr.export); ``dry_run`` only lists it."""
    ctx.require("gdpr.export")
    rules = policy(ctx)
    today = ctx.today()
    with session_scope(ctx.engine, write=not dry_run) as session:
        connection = session.connection()
        plan = _Plan(connection, rules, today)
        plan.find()
        found = {kind: [plan.refs[kind][i] for i in sorted(plan.ids[kind])] for kind in PURGED_TYPES}
        stale_drafts = _stale_drafts(session, ctx, remove=not dry_run)
        if not dry_run:
            plan.apply()
            for kind in PURGED_TYPES:
                for batch in chunks(found[kind]):
                    audit.record(session, ctx, "gdpr.anonymise", kind, None, {"as_of": today.isoformat(), "refs": batch})
            audit.record(session, ctx, "gdpr.purge", None, None,
                         {"as_of": today.isoformat(), "counts": {k: len(v) for k, v in found.items()},
                          "stale_drafts_removed": stale_drafts})
    return PurgeResult(today, dry_run, found, {"audit_event": plan.audit_past}, stale_drafts)


def _stale_drafts(session, ctx: ServiceContext, *, remove: bool) -> int:
    """Drafts nobody has touched for DRAFT_MAX_AGE_DAYS (their owner may never sign in again)."""
    from datetime import timedelta

    from sqlalchemy import delete as sql_delete

    from duty_tui.core.db.models_drafts import Draft
    from duty_tui.core.services.drafts import DRAFT_MAX_AGE_DAYS

    old = Draft.updated_at < ctx.now() - timedelta(days=DRAFT_MAX_AGE_DAYS)
    count = session.execute(select(func.count()).select_from(Draft).where(old)).scalar_one()
    if remove and count:
        session.execute(sql_delete(Draft).where(old))
    return int(count)


class _Plan:
    """Finds the ids past retention per record type, then anonymises them in batches."""

    def __init__(self, connection, rules: GdprPolicy, today: date) -> None:
        self.c = connection
        self.rules = rules
        self.today = today
        self.t = tables()
        self.ids: dict[str, set[int]] = {kind: set() for kind in PURGED_TYPES}
        self.refs: dict[str, dict[int, str]] = {kind: {} for kind in PURGED_TYPES}
        self.audit_past = 0

    def cut(self, kind: str, years: int | None = None) -> date:
        return years_before(self.today, years or self.rules.retention[kind].years)

    def cut_at(self, kind: str, years: int | None = None):
        return start_of_local_day(self.cut(kind, years))

    def _add(self, kind: str, rows: Iterable) -> None:
        for row in rows:
            self.ids[kind].add(row[0])
            self.refs[kind][row[0]] = str(row[1])

    def _in(self, column, ids: set[int]):
        """Rows whose ``column`` is one of ``ids``, queried in batches: yields conditions."""
        for batch in chunks(sorted(ids), CHUNK):
            yield column.in_(batch)

    # ------------------------------------------------------------------ finding

    def find(self) -> None:
        t, c = self.t, self.c
        self._find_people()
        people = self.ids["person"]

        contact = t["contact"]
        pending = or_(contact.c.notes.is_not(None), contact.c.third_party_phone.is_not(None),
                      and_(contact.c.third_party_name.is_not(None), contact.c.third_party_name != ANONYMISED))
        self._add("contact", c.execute(select(contact.c.id, contact.c.id).where(
            contact.c.at < self.cut_at("contact"), pending)))
        for cond in self._in(contact.c.person_id, people):
            self._add("contact", c.execute(select(contact.c.id, contact.c.id).where(cond, pending)))

        work = t["work_case"]
        by_type = self.rules.retention["case"].by_case_type
        closed_long_ago = or_(
            and_(work.c.case_type.not_in([*by_type, HOMELESSNESS]), work.c.closed_at < self.cut_at("case")),
            *(and_(work.c.case_type == kind, work.c.closed_at < self.cut_at("case", years))
              for kind, years in by_type.items()))
        not_done = work.c.summary != ANONYMISED
        self._add("case", c.execute(select(work.c.id, work.c.ref).where(closed_long_ago, not_done)))
        for cond in self._in(work.c.person_id, people):
            self._add("case", c.execute(select(work.c.id, work.c.ref).where(
                cond, not_done, work.c.case_type != HOMELESSNESS, work.c.closed_at.is_not(None))))

        if "homeless_case" in t:
            hc = t["homeless_case"]
            base = select(work.c.id, work.c.ref).join(hc, hc.c.case_id == work.c.id).where(not_done)
            self._add("homelessness_case", c.execute(base.where(hc.c.closed_on < self.cut("homelessness_case"))))
            for cond in self._in(hc.c.person_id, people):
                self._add("homelessness_case", c.execute(base.where(cond, hc.c.closed_on.is_not(None))))

        if "follow_up" in t:
            fu = t["follow_up"]
            pending = or_(fu.c.phone.is_not(None), fu.c.place.is_not(None), fu.c.notes.is_not(None))
            self._add("follow_up", c.execute(select(fu.c.id, fu.c.id).where(
                fu.c.due_at < self.cut_at("follow_up"), pending)))
            for column, ids in ((fu.c.person_id, people), (fu.c.contact_id, self.ids["contact"]),
                                (fu.c.case_id, self.ids["case"] | self.ids["homelessness_case"])):
                for cond in self._in(column, ids):
                    self._add("follow_up", c.execute(select(fu.c.id, fu.c.id).where(cond, pending)))

            rv = t["reception_visit"]
            pending = or_(and_(rv.c.caller_name.is_not(None), rv.c.caller_name != ANONYMISED),
                          rv.c.needs.is_not(None), rv.c.interpreter_language.is_not(None))
            label = select(rv.c.id, rv.c.ticket, rv.c.visit_date)
            rows = list(c.execute(label.where(rv.c.visit_date < self.cut("reception_visit"), pending)))
            for cond in self._in(rv.c.person_id, people):
                rows += list(c.execute(label.where(cond, pending)))
            self._add("reception_visit", ((r.id, f"{r.visit_date.isoformat() if hasattr(r.visit_date, 'isoformat') else r.visit_date}/{r.ticket}")
                                          for r in rows))

        ev = t["audit_event"]
        self.audit_past = int(c.execute(select(func.count()).select_from(ev).where(
            ev.c.at < self.cut_at("audit_event"))).scalar() or 0)

    def _find_people(self) -> None:
        """People past retention: no live or recent tenancy, open or recent case, non-zero balance, recent activity."""
        t, c = self.t, self.c
        cut, cut_at = self.cut("person"), self.cut_at("person")
        person = t["person"]
        candidates = {r.id: r.ref for r in c.execute(select(person.c.id, person.c.ref).where(
            not_(and_(person.c.forename == ANONYMISED, person.c.surname == ANONYMISED)),
            person.c.created_at < cut_at))}
        if not candidates:
            return
        blocked: set[int] = set()

        def block(query) -> None:
            blocked.update(r[0] for r in c.execute(query) if r[0] is not None)

        hm, ten, work, contact, acc, led = (t["household_member"], t["tenancy"], t["work_case"], t["contact"],
                                           t["account"], t["ledger_entry"])
        block(select(hm.c.person_id).join(ten, ten.c.household_id == hm.c.household_id).where(or_(
            and_(hm.c.left_on.is_(None), or_(ten.c.end_date.is_(None), ten.c.end_date >= cut)),
            hm.c.left_on >= cut)).distinct())
        block(select(work.c.person_id).where(or_(work.c.closed_at.is_(None), work.c.closed_at >= cut_at)).distinct())
        block(select(contact.c.person_id).where(contact.c.at >= cut_at).distinct())
        # One pass over the ledger: accounts with a balance or a recent transaction.
        live = {r[0] for r in c.execute(
            select(led.c.account_id).group_by(led.c.account_id)
            .having(or_(func.sum(led.c.amount_pence) != 0, func.max(led.c.effective_date) >= cut)))}
        blocked.update(pid for aid, pid in c.execute(select(acc.c.id, acc.c.person_id).where(
            acc.c.person_id.is_not(None))) if aid in live)
        blocked.update(pid for aid, pid in c.execute(
            select(acc.c.id, hm.c.person_id).join(ten, ten.c.id == acc.c.tenancy_id)
            .join(hm, hm.c.household_id == ten.c.household_id)) if aid in live)
        if "homeless_case" in t:
            hc, member = t["homeless_case"], t["homeless_member"]
            recent = or_(hc.c.closed_on.is_(None), hc.c.closed_on >= cut)
            block(select(hc.c.person_id).where(recent).distinct())
            block(select(member.c.person_id).join(hc, hc.c.id == member.c.homeless_case_id).where(recent).distinct())
        if "reception_visit" in t:
            rv, fu, sg = t["reception_visit"], t["follow_up"], t["safeguarding_concern"]
            block(select(rv.c.person_id).where(rv.c.visit_date >= cut).distinct())
            block(select(fu.c.person_id).where(or_(fu.c.status == "open", fu.c.due_at >= cut_at)).distinct())
            block(select(sg.c.subject_person_id).join(work, work.c.id == sg.c.case_id).where(
                or_(work.c.closed_at.is_(None), work.c.closed_at >= cut_at)).distinct())
        if "payment" in t:
            pay = t["payment"]
            block(select(pay.c.person_id).where(pay.c.business_date >= cut).distinct())
        self._add("person", ((pid, ref) for pid, ref in candidates.items() if pid not in blocked))

    # ------------------------------------------------------------------ anonymising

    def _update(self, table, column, ids: set[int], values: dict, *extra) -> None:
        for batch in chunks(sorted(ids), CHUNK):
            self.c.execute(update(table).where(column.in_(batch), *extra).values(**values))

    def apply(self) -> None:
        t = self.t
        blank_name = {"forename": ANONYMISED, "surname": ANONYMISED, "title": None, "middle_names": None,
                      "preferred_name": None, "date_of_birth": None, "ni_number": None, "phone_main": None,
                      "phone_alt": None, "phone_main_key": None, "phone_alt_key": None, "email": None,
                      "preferred_contact": None, "language": None, "interpreter_needed": False,
                      "surname_key": fold(ANONYMISED), "forename_key": fold(ANONYMISED),
                      "surname_sound": sound(ANONYMISED), "forename_sound": sound(ANONYMISED)}
        people = self.ids["person"]
        person = t["person"]
        self._update(person, person.c.id, people, {**blank_name, "version": person.c.version + 1})
        alert = t["alert"]
        self._update(alert, alert.c.person_id, people,
                     {"summary": ANONYMISED, "detail": None, "active": False, "version": alert.c.version + 1})
        self._anonymise_accounts(people)
        if "person_address" in t:
            # A postal address is the person's own: past retention it goes with their name.
            postal = t["person_address"]
            self._update(postal, postal.c.person_id, people,
                         {"line1": ANONYMISED, "line2": None, "town": ANONYMISED, "postcode": "", "postcode_key": "",
                          "version": postal.c.version + 1})
        if "homeless_member" in t:
            member = t["homeless_member"]
            self._update(member, member.c.person_id, people, {"date_of_birth": None})
        if "safeguarding_concern" in t:
            sg = t["safeguarding_concern"]
            self._update(sg, sg.c.subject_person_id, people, self._concern_values(sg))

        contact = t["contact"]
        self._update(contact, contact.c.id, self.ids["contact"], {
            "notes": None, "third_party_phone": None, "version": contact.c.version + 1,
            # The name becomes "Anonymised", not null: reports still count a third-party caller.
            "third_party_name": case((contact.c.third_party_name.is_(None), None), else_=ANONYMISED)})
        if "contact_revision" in t:
            # A correction keeps what the contact said before: past retention, that goes with the notes.
            revision = t["contact_revision"]
            gone = json.dumps({"anonymised": True})
            self._update(revision, revision.c.contact_id, self.ids["contact"],
                         {"why": ANONYMISED, "before": gone, "after": gone})

        for kind in ("case", "homelessness_case"):
            self._anonymise_cases(self.ids[kind])
        if "homeless_case" in t:
            self._anonymise_homelessness(self.ids["homelessness_case"])

        if "follow_up" in t:
            fu = t["follow_up"]
            self._update(fu, fu.c.id, self.ids["follow_up"],
                         {"phone": None, "place": None, "notes": None, "version": fu.c.version + 1})
            rv = t["reception_visit"]
            self._update(rv, rv.c.id, self.ids["reception_visit"], {
                "caller_name": case((rv.c.caller_name.is_(None), None), else_=ANONYMISED), "needs": None,
                "interpreter_language": None, "version": rv.c.version + 1})

    @staticmethod
    def _concern_values(sg) -> dict:
        return {"subject_name": case((sg.c.subject_name.is_(None), None), else_=ANONYMISED), "details": None,
                "version": sg.c.version + 1}

    def _anonymise_accounts(self, people: set[int]) -> None:
        """Holder names on the people's own accounts and on tenancies whose whole household is anonymised."""
        t, c = self.t, self.c
        acc, hm, ten = t["account"], t["household_member"], t["tenancy"]
        account_ids: set[int] = set()
        for cond in self._in(acc.c.person_id, people):
            account_ids.update(r[0] for r in c.execute(select(acc.c.id).where(cond)))
        households: set[int] = set()
        for cond in self._in(hm.c.person_id, people):
            households.update(r[0] for r in c.execute(select(hm.c.household_id).where(cond)))
        person = t["person"]
        for cond in self._in(hm.c.household_id, households):
            # A household still holding anyone not anonymised (nor being anonymised now) keeps its names.
            for hid, pid, forename, surname in c.execute(
                    select(hm.c.household_id, hm.c.person_id, person.c.forename, person.c.surname)
                    .join(person, person.c.id == hm.c.person_id).where(cond)):
                if pid not in people and not (forename == ANONYMISED and surname == ANONYMISED):
                    households.discard(hid)
        for cond in self._in(ten.c.household_id, households):
            account_ids.update(r[0] for r in c.execute(
                select(acc.c.id).join(ten, ten.c.id == acc.c.tenancy_id).where(cond)))
        self._update(acc, acc.c.id, account_ids, {"holder_name": ANONYMISED, "version": acc.c.version + 1},
                     acc.c.holder_name != ANONYMISED)
        if "payment" not in t:
            return
        pay, led = t["payment"], t["ledger_entry"]
        named = and_(pay.c.paid_by.is_not(None), pay.c.paid_by != ANONYMISED)
        self._update(pay, pay.c.person_id, people, {"paid_by": ANONYMISED}, named)
        for batch in chunks(sorted(account_ids), CHUNK):
            lines = select(led.c.id).where(led.c.office_id == pay.c.office_id, led.c.receipt_no == pay.c.receipt_no,
                                           led.c.account_id.in_(batch)).exists()
            c.execute(update(pay).where(named, lines).values(paid_by=ANONYMISED))
        refund, arrangement = t["refund_request"], t["arrangement"]
        self._update(refund, refund.c.account_id, account_ids, {"payee": ANONYMISED, "version": refund.c.version + 1},
                     refund.c.payee != ANONYMISED)
        self._update(arrangement, arrangement.c.account_id, account_ids,
                     {"note": None, "version": arrangement.c.version + 1}, arrangement.c.note.is_not(None))

    def _anonymise_cases(self, ids: set[int]) -> None:
        t = self.t
        work, note = t["work_case"], t["case_note"]
        self._update(work, work.c.id, ids, {"summary": ANONYMISED, "version": work.c.version + 1})
        self._update(note, note.c.case_id, ids, {"text": ANONYMISED, "version": note.c.version + 1})
        if "case_event" not in t:
            return
        event, stage, sg, fu = t["case_event"], t["complaint_stage"], t["safeguarding_concern"], t["follow_up"]
        self._update(event, event.c.case_id, ids, {"summary": ANONYMISED, "detail": None})
        self._update(stage, stage.c.case_id, ids,
                     {"extension_reason": None, "response_summary": None, "version": stage.c.version + 1})
        self._update(sg, sg.c.case_id, ids, self._concern_values(sg))
        self._update(fu, fu.c.case_id, ids, {"phone": None, "place": None, "notes": None, "version": fu.c.version + 1})

    def _anonymise_homelessness(self, case_ids: set[int]) -> None:
        t, c = self.t, self.c
        hc = t["homeless_case"]
        hc_ids: set[int] = set()
        for cond in self._in(hc.c.case_id, case_ids):
            hc_ids.update(r[0] for r in c.execute(select(hc.c.id).where(cond)))
        self._update(hc, hc.c.id, hc_ids, {
            "referral_details": None, "safeguarding_notes": None, "eligibility_notes": None, "household_text": None,
            "notes": None, "version": hc.c.version + 1})
        key = "homeless_case_id"
        for table, values in (
                ("homeless_member", {"date_of_birth": None}),  # age kept: the H-CLIC People return needs it
                ("homeless_move", {"note": None}),
                ("homeless_plan_step", {"text": ANONYMISED}),
                ("homeless_notice", {"body": ANONYMISED}),
                ("homeless_noncoop", {"reasons": ANONYMISED}),
                ("homeless_review", {"notes": None}),
                ("homeless_placement", {"address": ANONYMISED})):
            self._update(t[table], t[table].c[key], hc_ids, values)
