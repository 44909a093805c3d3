"""Front-desk services on SQLite and PostgreSQL: contacts, identity checks, routing, complaints,
repairs, safeguarding, callbacks, queues and statistics."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from builders import NOW, seed_office
from fd_helpers import add_staff, ctx_for
from sqlalchemy import text
from sqlmodel import select

from duty_tui.areas.frontdesk.db.models import ContactReason, RepairDetail, SafeguardingConcern
from duty_tui.areas.frontdesk.services import complaints, contacts, repairs, routing
from duty_tui.areas.frontdesk.services import stats as frontdesk_stats
from duty_tui.areas.frontdesk.services.caller_brief import caller_brief
from duty_tui.areas.frontdesk.services.contact_draft import ContactDraft, NewPerson, ThirdParty
from duty_tui.areas.frontdesk.services.identity import check_identity
from duty_tui.core.db.engine import session_scope
from duty_tui.core.db.models import AuditEvent, Case, Contact, Person
from duty_tui.core.domain.errors import ConflictError, InputError, PermissionDenied
from duty_tui.core.domain.local_time import local_date


def draft(**changes) -> ContactDraft:
    base = dict(channel="phone", reasons=("rent.payment",), outcome="resolved", person_ref="P0000001",
                notes="explained how to pay")
    base.update(changes)
    return ContactDraft(**base)


def contact_row(engine, contact_id: int) -> Contact:
    with session_scope(engine) as s:
        return s.get(Contact, contact_id)


# --- contacts and the identity check --------------------------------------------------------


def test_balance_enquiry_after_a_passed_identity_check(engine):
    seed_office(engine)
    ctx = ctx_for(engine)
    result = check_identity(ctx, "P0000001", "date_of_birth", "02/04/1961")
    assert result.passed and [(a.ref, a.balance_pence) for a in result.accounts] == [("RNT000001", 15250)]
    saved = contacts.log_contact(ctx, draft(reasons=("rent.balance",), id_check_method="date_of_birth",
                                            id_check_result="passed", notes="gave balance £152.50"))
    row = contact_row(engine, saved.contact_id)
    assert (row.reason, row.outcome, row.id_check_result, row.channel) == ("rent.balance", "resolved", "passed", "phone")
    assert row.logged_at is not None and row.staff_id is not None
    with session_scope(engine) as s:
        events = s.exec(select(AuditEvent).where(AuditEvent.action == "contact.identity_check")).all()
    detail = json.loads(events[0].detail)
    assert detail["passed"] is True and detail["method"] == "date_of_birth"
    assert "1961" not in events[0].detail  # the answer itself is never stored


def test_a_failed_identity_check_discloses_nothing_and_repeated_failures_are_refused(engine):
    seed_office(engine)
    ctx = ctx_for(engine)
    for _ in range(3):
        result = check_identity(ctx, "P0000001", "date_of_birth", "01/01/1970")
        assert not result.passed and result.accounts == [] and "NOT match" in result.message
    refused = check_identity(ctx, "P0000001", "date_of_birth", "02/04/1961")
    assert not refused.passed and "Too many failed checks" in refused.message
    with pytest.raises(InputError, match="not a date"):
        check_identity(ctx, "P0000002", "date_of_birth", "soon")


def test_caller_brief_shows_alerts_first_with_restricted_detail_hidden_from_reception(engine):
    seed_office(engine)
    brief = caller_brief(ctx_for(engine), "P0000001")
    assert brief.alerts and brief.alerts[0].category == "violent_aggressive"
    assert "knife" not in (brief.alerts[0].detail or "")
    assert brief.tenancy_ref == "T00001" and brief.born == 1961
    assert [c.ref for c in brief.open_cases] == ["C0000002"]
    leader = caller_brief(ctx_for(engine, "leader"), "P0000001")
    assert "knife" in (leader.alerts[0].detail or "")


def test_several_reasons_are_kept_in_order(engine):
    seed_office(engine)
    saved = contacts.log_contact(ctx_for(engine), draft(reasons=("rent.payment", "general.directions")))
    with session_scope(engine) as s:
        rows = s.exec(select(ContactReason).where(ContactReason.contact_id == saved.contact_id)
                      .order_by(ContactReason.position)).all()
    assert [r.reason_code for r in rows] == ["rent.payment", "general.directions"]


def test_anonymous_caller_signposted_to_citizens_advice(engine):
    seed_office(engine)
    saved = contacts.log_contact(ctx_for(engine), draft(person_ref=None, anonymous=True, reasons=("general.other",),
                                                        outcome="signposted", agency="citizens_advice"))
    row = contact_row(engine, saved.contact_id)
    assert row.anonymous and row.person_id is None and row.agency_code == "citizens_advice"
    assert row.team_id is not None  # counted against the reason's team


def test_third_party_on_someones_behalf(engine):
    seed_office(engine)
    saved = contacts.log_contact(ctx_for(engine), draft(
        person_ref="P0000004", third_party=ThirdParty("Cllr Patel", "Ward councillor", "councillor", "01793 555000"),
        channel="councillor_mp", reasons=("repairs.chase",)))
    row = contact_row(engine, saved.contact_id)
    assert (row.third_party_name, row.third_party_org, row.third_party_phone) == (
        "Cllr Patel", "Ward councillor", "01793 555000")


def test_quick_created_person_is_findable_by_the_global_search(engine):
    from duty_tui.core.services.search import find_people

    seed_office(engine)
    saved = contacts.log_contact(ctx_for(engine), draft(person_ref=None, new_person=NewPerson(
        "Bartholomew", "Quince", "03/05/1990", "07700 900777")))
    assert saved.person_created and saved.person_ref == "P0000006"
    with session_scope(engine) as s:
        person = s.exec(select(Person).where(Person.ref == "P0000006")).one()
    assert person.surname_key == "quince" and person.phone_main_key == "07700900777"
    hits = find_people(ctx_for(engine), "quinse bartholomew")
    assert hits and hits[0].ref == "P0000006"


@pytest.mark.parametrize("changes, fragment", [
    ({"reasons": ()}, "choose at least one reason"),
    ({"at": NOW + timedelta(days=1)}, "in the future"),
    ({"notes": "n" * 4001}, "over the limit"),
    ({"person_ref": "P9999999"}, "no person with ref"),
    ({"new_person": NewPerson("", "Smith"), "person_ref": None}, "first name and a surname"),
    ({"outcome": "signposted"}, "choose the agency"),
])
def test_bad_contacts_are_refused_saying_what_to_fix_and_nothing_is_saved(engine, changes, fragment):
    seed_office(engine)
    with pytest.raises(InputError) as caught:
        contacts.log_contact(ctx_for(engine), draft(**changes))
    assert any(fragment in p for p in caught.value.problems), caught.value.problems
    with session_scope(engine) as s:
        assert s.exec(text("SELECT count(*) FROM contact")).one()[0] == 1  # only seed_office's


def test_logging_needs_the_permission(engine):
    seed_office(engine)
    ctx = ctx_for(engine).batch_actor("cron")
    with pytest.raises(PermissionDenied):
        contacts.log_contact(ctx, draft())


# --- routing, queues, repairs and Awaab's Law -------------------------------------------------


def test_damp_and_mould_opens_a_repairs_case_with_awaabs_law_dates(engine):
    seed_office(engine)
    saved = contacts.log_contact(ctx_for(engine), draft(person_ref="P0000004", reasons=("repairs.damp_mould",),
                                                        outcome="routed", notes="black mould in the back bedroom"))
    (case,) = saved.cases
    assert case.opened and case.team == "Repairs" and case.clock_name == "Awaab's Law: investigate"
    assert local_date(case.due_at) == date(2026, 3, 24)  # 10 working days from Tue 10 Mar
    page = routing.queue_page(ctx_for(engine, "leader"), "team", "repairs")
    assert case.ref in [r.ref for r in page.rows]
    detail = routing.case_detail(ctx_for(engine, "leader"), case.ref)
    names = [c.name for c in detail.clocks]
    assert "Awaab's Law: Investigate" in names and "Awaab's Law: Written summary" in names
    assert detail.awaab and detail.hazard == "damp_mould"
    # The investigation finds a significant hazard: the later clocks start from it.
    friday = ctx_for(engine, "leader", now=datetime(2026, 3, 13, 15, 0, tzinfo=UTC))
    repairs.record_repair_step(friday, case.ref, detail.row.version, "investigated", date(2026, 3, 13),
                               significant=True)
    after = routing.case_detail(friday, case.ref)
    dates = {c.name: c.due for c in after.clocks}
    assert dates["Awaab's Law: Written summary"] == date(2026, 3, 18)
    assert dates["Awaab's Law: Safety work"] == date(2026, 3, 20)
    assert dates["Awaab's Law: Further work: begun"] == date(2026, 6, 5)
    assert after.row.clock_name == "Awaab's Law: written summary"


def test_emergency_hazard_runs_a_24_hour_clock(engine):
    seed_office(engine)
    saved = contacts.log_contact(ctx_for(engine), draft(person_ref="P0000002", reasons=("repairs.emergency_hazard",),
                                                        outcome="routed", notes="smell of gas"))
    (case,) = saved.cases
    assert case.clock_kind == "hours" and case.due_at == NOW + timedelta(hours=24)
    assert case.clock_name == "Awaab's Law: make safe (24 h)"
    with session_scope(engine) as s:
        assert s.exec(select(Case.priority).where(Case.ref == case.ref)).one() == "emergency"


def test_awaab_does_not_run_in_scotland_but_right_to_repair_does(engine):
    seed_office(engine)
    ctx = ctx_for(engine, jurisdiction="scotland")
    saved = contacts.log_contact(ctx, draft(reasons=("repairs.report",), outcome="routed", repair_priority="rtr_1"))
    (case,) = saved.cases
    assert local_date(case.due_at) == date(2026, 3, 11)
    with pytest.raises(InputError, match="not offered here"):
        contacts.log_contact(ctx, draft(reasons=("repairs.report",), outcome="routed", repair_priority="urgent"))
    damp = contacts.log_contact(ctx, draft(reasons=("repairs.damp_mould",), outcome="routed"))
    with session_scope(engine) as s:
        detail = s.exec(select(RepairDetail).join(Case, Case.id == RepairDetail.case_id)
                        .where(Case.ref == damp.cases[0].ref)).one()
    assert not detail.awaab and detail.investigate_due is None


def test_routed_contact_opens_a_case_for_the_chosen_officer_or_adds_to_an_open_one(engine):
    seed_office(engine)
    ctx = ctx_for(engine)
    saved = contacts.log_contact(ctx, draft(reasons=("rent.arrears",), outcome="routed", route_officer="income"))
    (case,) = saved.cases
    assert case.team == "Income" and case.opened
    page = routing.queue_page(ctx_for(engine, "income"), "officer", "income")
    assert [r.ref for r in page.rows] == [case.ref] and page.rows[0].status == "in_progress"
    added = contacts.log_contact(ctx, draft(reasons=("rent.arrears",), outcome="routed", add_to_case="C0000002"))
    assert [(c.ref, c.opened) for c in added.cases] == [("C0000002", False)]
    timeline = routing.case_detail(ctx_for(engine, "leader"), "C0000002").timeline
    assert any(line.kind == "contact" and "Arrears" in line.summary for line in timeline)


def test_queue_actions_take_reassign_escalate_close_with_optimistic_locking(engine):
    seed_office(engine)
    leader = ctx_for(engine, "leader")
    row = routing.queue_page(leader, "team", "repairs").rows[0]
    assert row.ref == "C0000001"
    routing.take_case(leader, row.ref, row.version)
    with pytest.raises(ConflictError, match="your text is kept"):
        routing.escalate_case(leader, row.ref, row.version, "tenant chasing")  # stale version
    fresh = routing.case_detail(leader, row.ref).row
    assert fresh.assignee_username == "leader" and fresh.status == "in_progress"
    routing.escalate_case(leader, row.ref, fresh.version, "tenant chasing")
    fresh = routing.case_detail(leader, row.ref).row
    assert fresh.escalated and fresh.priority == "urgent"
    routing.reassign_case(leader, row.ref, fresh.version, "repairs", "income", "income has the contractor")
    fresh = routing.case_detail(leader, row.ref).row
    assert fresh.assignee_username == "income"
    with pytest.raises(InputError, match="outcome"):
        routing.close_case(leader, row.ref, fresh.version, "made up")
    routing.close_case(leader, row.ref, fresh.version, "completed", "fixed")
    detail = routing.case_detail(leader, row.ref)
    assert detail.outcome == "completed" and detail.closed_at is not None
    assert [step.kind for step in detail.timeline if step.kind != "opened"][-4:] == ["assigned", "escalated", "assigned", "closed"]
    assert row.ref not in [r.ref for r in routing.queue_page(leader, "team", "repairs").rows]
    with pytest.raises(PermissionDenied):
        routing.take_case(ctx_for(engine), "C0000002", 1)  # reception may not manage cases


def test_queue_pages_are_sorted_by_due_with_counts(engine):
    seed_office(engine)
    ctx = ctx_for(engine)
    for notes in ("a", "b", "c"):
        contacts.log_contact(ctx, draft(reasons=("repairs.report",), outcome="routed", notes=notes))
    contacts.log_contact(ctx, draft(reasons=("repairs.emergency_hazard",), outcome="routed", notes="gas"))
    leader = ctx_for(engine, "leader")
    page = routing.queue_page(leader, "team", "repairs", limit=2)
    assert page.total == 5 and page.overdue == 1 and len(page.rows) == 2
    assert page.rows[0].ref == "C0000001"  # overdue first
    rest = routing.queue_page(leader, "team", "repairs", offset=2, limit=10).rows
    dues = [r.due_at for r in page.rows + rest]
    assert dues == sorted(dues)


# --- complaints ---------------------------------------------------------------------------


def test_stage1_complaint_acknowledgement_skips_the_easter_bank_holidays(engine):
    seed_office(engine)
    add_staff(engine, "handler2", "Hana Handler", "team_leader", "complaints")
    when = datetime(2026, 4, 2, 11, 0, tzinfo=UTC)  # Thursday before Good Friday
    desk = ctx_for(engine, now=when)
    saved = contacts.log_contact(desk, draft(reasons=("complaint.new",), outcome="routed", notes="repair not done"))
    (case,) = saved.cases
    assert case.team == "Complaints & feedback" and case.clock_name == "Stage 1 acknowledgement"
    assert local_date(case.due_at) == date(2026, 4, 13)
    later = datetime(2026, 4, 7, 9, 0, tzinfo=UTC)
    leader = ctx_for(engine, "leader", now=later)
    version = routing.case_detail(leader, case.ref).row.version
    complaints.acknowledge_complaint(leader, case.ref, version)
    detail = routing.case_detail(leader, case.ref)
    assert detail.row.clock_name == "Stage 1 response" and local_date(detail.row.due_at) == date(2026, 4, 21)
    with pytest.raises(InputError, match="at most 10"):
        complaints.extend_complaint(leader, case.ref, detail.row.version, 15, "contractor report")
    complaints.extend_complaint(leader, case.ref, detail.row.version, 5, "waiting for the contractor's report")
    detail = routing.case_detail(leader, case.ref)
    assert local_date(detail.row.due_at) == date(2026, 4, 28)
    with pytest.raises(InputError, match="only one extension"):
        complaints.extend_complaint(leader, case.ref, detail.row.version, 2, "again")
    with pytest.raises(InputError, match="respond to the stage 1"):
        routing.close_case(leader, case.ref, detail.row.version, "resolved")
    complaints.respond_complaint(leader, case.ref, detail.row.version, "partly_upheld", "apology and repair booked")
    detail = routing.case_detail(leader, case.ref)
    assert detail.row.due_at is None
    # The complainant escalates: the stage 1 handler (leader) may not handle stage 2.
    with pytest.raises(InputError, match="someone other"):
        complaints.escalate_complaint(leader, case.ref, detail.row.version, "leader")
    complaints.escalate_complaint(leader, case.ref, detail.row.version, "handler2")
    detail = routing.case_detail(leader, case.ref)
    assert detail.complaint_stage == 2 and detail.row.assignee_username == "handler2"
    assert local_date(detail.row.due_at) == date(2026, 4, 14)  # ack within 5 working days of 7 Apr
    assert [c.name for c in detail.clocks] == ["Stage 1 acknowledge", "Stage 1 respond", "Stage 2 acknowledge",
                                               "Stage 2 respond"]


def test_a_service_request_is_not_a_complaint(engine):
    seed_office(engine)
    saved = contacts.log_contact(ctx_for(engine), draft(reasons=("service.request",), outcome="routed"))
    with session_scope(engine) as s:
        assert s.exec(select(Case.case_type).where(Case.ref == saved.cases[0].ref)).one() == "service_request"
        assert s.exec(text("SELECT count(*) FROM complaint_stage")).one()[0] == 0


# --- safeguarding, homelessness, follow-ups -------------------------------------------------


def test_safeguarding_concern_opens_an_urgent_case_for_the_lead_due_today(engine):
    seed_office(engine)
    add_staff(engine, "safeguarding.lead", "Sam Safeguard", "team_leader", "safeguarding")
    saved = contacts.log_contact(ctx_for(engine), draft(person_ref="P0000004", reasons=("rent.payment",
                                                                                        "safeguarding.child"),
                                                        safeguarding_subject="Zara Khan (8)",
                                                        notes="child left alone overnight"))
    (case,) = saved.cases
    assert case.team == "Safeguarding" and local_date(case.due_at) == date(2026, 3, 10)
    detail = routing.case_detail(ctx_for(engine, "leader"), case.ref)
    assert detail.row.priority == "urgent" and detail.row.assignee_username == "safeguarding.lead"
    with session_scope(engine) as s:
        concern = s.exec(select(SafeguardingConcern)).one()
    assert concern.kind == "child" and concern.subject_name == "Zara Khan (8)"


def test_nowhere_to_stay_tonight_opens_an_urgent_options_case(engine):
    seed_office(engine)
    saved = contacts.log_contact(ctx_for(engine), draft(person_ref="P0000003", reasons=("homelessness.tonight",),
                                                        outcome="routed", notes="evicted by friend today"))
    assert saved.cases and saved.cases[0].team in ("Options", "Housing options (homelessness)")
    row = contact_row(engine, saved.contact_id)
    assert row.case_id is not None
    with session_scope(engine) as s:
        case = s.get(Case, row.case_id)
    assert case.case_type == "homelessness" and case.priority in ("urgent", "emergency")
    assert local_date(case.due_at) == date(2026, 3, 10)


def test_callback_and_appointment_show_on_the_day(engine):
    seed_office(engine)
    ctx = ctx_for(engine)
    contacts.log_contact(ctx, draft(reasons=("rent.arrears",), outcome="callback", callback_phone="01793 100001",
                                    callback_due=NOW + timedelta(hours=3)))
    contacts.log_contact(ctx, draft(reasons=("lettings.offer",), outcome="appointment",
                                    appointment_at=NOW + timedelta(hours=4), appointment_place="Interview room A"))
    today = routing.follow_ups_for_day(ctx)
    assert [f.kind for f in today] == ["callback", "appointment"]
    assert today[1].place == "Interview room A" and today[0].phone == "01793100001"
    routing.complete_follow_up(ctx, today[0].id, today[0].version, "done")
    assert [f.kind for f in routing.follow_ups_for_day(ctx)] == ["appointment"]
    with pytest.raises(InputError, match="passed"):
        contacts.log_contact(ctx, draft(outcome="appointment", appointment_at=NOW - timedelta(hours=1)))


# --- statistics and the report --------------------------------------------------------------


def test_duty_statistics_and_the_contacts_report(engine, capsys):
    from duty_tui.areas.frontdesk.services import callers as queue_callers
    from duty_tui.core.cli import run

    seed_office(engine)
    ctx = ctx_for(engine)
    contacts.log_contact(ctx, draft())
    contacts.log_contact(ctx, draft(person_ref=None, anonymous=True, outcome="signposted", agency="shelter",
                                    reasons=("homelessness.advice",), channel="face_to_face"))
    contacts.log_contact(ctx, draft(reasons=("rent.arrears",), outcome="routed"))
    for minutes in (5, 10, 40):
        arrived = ctx_for(engine, now=NOW - timedelta(minutes=minutes))
        visit = queue_callers.add_arrival(arrived, name=f"Caller {minutes}")
        queue_callers.call_next(ctx, "Desk 1", visit.id)
    stats = frontdesk_stats.duty_statistics(ctx_for(engine, "leader"), date(2026, 3, 10), date(2026, 3, 10))
    assert stats.contacts == 3
    assert {c.code: c.count for c in stats.by_channel} == {"phone": 2, "face_to_face": 1}
    assert stats.first_contact_resolved == 2 and round(stats.first_contact_rate, 3) == 0.667
    assert stats.wait_median_minutes == 10 and stats.wait_p95_minutes == 40
    assert stats.by_day == [(date(2026, 3, 10), 3)]
    income = next(t for t in stats.work_by_team if t.code == "income")
    assert income.open == 2
    with pytest.raises(PermissionDenied):
        frontdesk_stats.duty_statistics(ctx, date(2026, 3, 10), date(2026, 3, 10))  # reception

    capsys.readouterr()
    code = run(["--db", str(engine.url.render_as_string(hide_password=False)), "report", "contacts",
                "--from", "2026-03-01", "--to", "2026-03-31", "--csv", "--as", "leader"])
    out = capsys.readouterr()
    assert code == 0, out.err
    lines = out.out.strip().splitlines()
    header = lines[0].split(",")
    assert header[:6] == ["date", "time", "channel", "reason", "outcome", "team"]
    assert len(lines) == 1 + 4  # seed_office's contact on 7 March and today's three
    assert lines[-1].startswith("2026-03-10,") and ",rent.arrears,routed,income," in lines[-1]
    bad = run(["--db", str(engine.url.render_as_string(hide_password=False)), "report", "contacts",
               "--from", "2026-03-31", "--to", "yesterday"])
    assert bad == 2 and "--to" in capsys.readouterr().err


# --- one save, one transaction -----------------------------------------------------------------

_SAVED_TABLES = ("person", "contact", "contact_reason", "work_case", "case_event", "case_note", "safeguarding_concern",
                 "repair_detail", "follow_up", "homeless_case", "audit_event")


def _saved_counts(engine) -> dict[str, int]:
    """How many rows each table a contact save writes holds."""
    with engine.connect() as c:
        return {name: c.execute(text(f"SELECT count(*) FROM {name}")).scalar_one() for name in _SAVED_TABLES}


def test_a_save_refused_part_way_leaves_nothing_half_saved(engine):
    # A new person, a safeguarding concern (case and concern written first), then a repair whose priority
    # is not offered: start_repair refuses it after the contact, its reasons, the person and the
    # safeguarding case are in the transaction. None of it may stay, and nothing is audited as logged.
    seed_office(engine)
    ctx = ctx_for(engine)
    before = _saved_counts(engine)
    bad = draft(person_ref=None, new_person=NewPerson("Nina", "Newcomer"),
                reasons=("safeguarding.adult", "repairs.report"), repair_priority="whenever",
                safeguarding_subject="Nina Newcomer", notes="ceiling down; lives alone and not coping")
    with pytest.raises(InputError, match="repair priority"):
        contacts.log_contact(ctx, bad)
    assert _saved_counts(engine) == before
    saved = contacts.log_contact(ctx, replace(bad, repair_priority=""))
    assert saved.person_created and len(saved.cases) == 2
    after = _saved_counts(engine)
    assert (after["contact"], after["person"], after["safeguarding_concern"], after["repair_detail"]) == (
        before["contact"] + 1, before["person"] + 1, before["safeguarding_concern"] + 1, before["repair_detail"] + 1)


def test_nowhere_tonight_is_saved_with_its_urgent_case_or_not_at_all(engine, monkeypatch):
    # The urgent homelessness case is opened in the contact's own transaction: when the database fails
    # while it is being opened, the contact is not left saved without it (the desk saves again).
    from sqlalchemy.exc import OperationalError

    from duty_tui.areas.housing_options.services import urgent
    from duty_tui.core.domain.errors import EnvironmentProblem

    seed_office(engine)
    ctx = ctx_for(engine)
    before = _saved_counts(engine)

    def database_went_away(*_args, **_kwargs):
        raise OperationalError("UPDATE work_case", {}, Exception("server closed the connection unexpectedly"))

    monkeypatch.setattr(urgent, "case_summary", database_went_away)
    tonight = draft(person_ref="P0000003", reasons=("homelessness.tonight",), outcome="routed",
                    notes="evicted by friend today")
    with pytest.raises((EnvironmentProblem, OperationalError)):
        contacts.log_contact(ctx, tonight)
    assert _saved_counts(engine) == before
    monkeypatch.undo()
    saved = contacts.log_contact(ctx, tonight)
    assert not saved.messages and [c.opened for c in saved.cases] == [True]
    with session_scope(engine) as s:
        actions = [e.action for e in s.exec(select(AuditEvent).order_by(AuditEvent.id)).all()][-2:]
        case = s.exec(select(Case).where(Case.ref == saved.cases[0].ref)).one()
    assert actions == ["housing.urgent_approach", "contact.log"]
    assert contact_row(engine, saved.contact_id).case_id == case.id and case.priority == "emergency"
