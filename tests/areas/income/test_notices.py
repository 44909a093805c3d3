"""Notices for rent arrears on SQLite and PostgreSQL (docs/INCOME_NOTICES.md): the NOSP (HA 1985 s83), the
introductory notice of proceedings (HA 1996 s128, review s129) and the Scottish s14 notice (H(S)A 2001 s14,
s14A first; Homelessness etc. (Scotland) Act 2003 s11), their legal dates from the law engine, service,
letters and states."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from builders import NOW, person, seed_office
from sqlalchemy import select, text

from duty_tui.areas.income.db.models import ArrearsNotice, RecoveryAction
from duty_tui.areas.income.services.notices import (
    notice_document,
    notice_preview,
    notices_for,
    record_la_notified,
    record_review,
    serve_notice,
    withdraw_notice,
)
from duty_tui.areas.income.services.worklist import arrears_worklist
from duty_tui.core.config.settings import Settings
from duty_tui.core.db.engine import session_scope
from duty_tui.core.db.models import HouseholdMember, LedgerEntry
from duty_tui.core.domain.errors import ConflictError, InputError, PermissionDenied
from duty_tui.core.services.auth import find_actor
from duty_tui.core.services.context import ServiceContext

TODAY = date(2026, 3, 10)  # NOW's day, a Tuesday
EARLIEST = date(2026, 4, 12)  # served 10/03: 28 days is Tue 07/04; the rent week (Mon-Sun) ends Sun 12/04


def ctx_for(engine, username: str = "income") -> ServiceContext:
    ctx = ServiceContext.create(engine, Settings(db_url=str(engine.url)), terminal="test-terminal", clock=lambda: NOW)
    return ctx.as_actor(find_actor(ctx, username))


def at(ctx: ServiceContext, day: date) -> ServiceContext:
    moment = datetime(day.year, day.month, day.day, 10, 30, tzinfo=UTC)
    return replace(ctx, clock=lambda: moment)


def _seed(engine) -> None:
    """The builders' office; RNT000003 (Aisha Khan, secure, £125 a week) owes £500 and Omar Khan is her joint
    tenant; RNT000002 (John Smith, introductory, £95 a week) owes £260."""
    seed_office(engine)
    with session_scope(engine, write=True) as s:
        ids = dict(s.execute(text("SELECT ref, id FROM account")).all())
        for ref, pence in (("RNT000003", 50000), ("RNT000002", 28000)):
            s.add(LedgerEntry(account_id=ids[ref], effective_date=date(2026, 3, 6), posted_at=NOW - timedelta(days=4),
                              kind="rent_debit", amount_pence=pence))
        omar = person("P0000006", "Omar", "Khan", date(1985, 2, 3), title="Mr")
        s.add(omar)
        s.flush()
        household = s.execute(text("SELECT id FROM household WHERE ref = 'H0000003'")).scalar()
        s.add(HouseholdMember(household_id=household, person_id=omar.id, relationship="joint tenant", is_lead=False))
        s.execute(text("UPDATE person SET title = 'Ms' WHERE ref = 'P0000004'"))


def _events(engine, action: str) -> list[dict]:
    with engine.connect() as c:
        return [json.loads(d) if isinstance(d, str) else d for (d,) in c.execute(text(
            "SELECT detail FROM audit_event WHERE action = :a ORDER BY id"), {"a": action}).all()]


def _scottish(engine, steps: tuple[str, ...]) -> None:
    """RNT000001's tenancy made Scottish secure, with these s14A steps recorded on 01/03/2026."""
    with session_scope(engine, write=True) as s:
        s.execute(text("UPDATE tenancy SET tenancy_type = 'scottish_secure' WHERE ref = 'T00001'"))
        account = s.execute(text("SELECT id FROM account WHERE ref = 'RNT000001'")).scalar()
        for step in steps:
            s.execute(text("INSERT INTO protocol_step (account_id, step, done_on, evidence, created_at) "
                           "VALUES (:a, :s, :d, 'letter on file', :c)"),
                      {"a": account, "s": step, "d": date(2026, 3, 1), "c": NOW})


def test_s83_nosp_preview_gives_the_law_engine_s_dates_every_joint_tenant_and_the_letter(engine):
    _seed(engine)
    draft = notice_preview(ctx_for(engine), "rnt000003", served_on=TODAY)
    assert (draft.kind, draft.tenancy_type, draft.jurisdiction) == ("nosp", "secure", "england")
    assert (draft.earliest_proceedings, draft.proceedings_from) == (EARLIEST, EARLIEST)
    assert draft.lapses_on == date(2027, 4, 12) and draft.review_by is None  # s83(4)(b): 12 months after
    assert draft.tenants == ("Ms Aisha Khan", "Mr Omar Khan")  # the child is not a tenant
    assert (draft.arrears_pence, draft.weekly_rent_pence, draft.weeks_in_arrears) == (50000, 12500, 4.0)
    assert draft.address == ("9 Mill Lane", "Swindon", "SN1 2AD")
    letter = draft.text
    flat = " ".join(letter.split())
    assert "Ms Aisha Khan\nMr Omar Khan" in letter and not any(line.startswith("#") for line in letter.splitlines())  # the source note is stripped
    for words in ("9 Mill Lane", "Ground 1 of Schedule 2 to the Housing Act 1985",
                  "£500.00", "£125.00 a week", "4.00 weeks", "will not begin until after 12 April 2026",
                  "lapses on 12 April 2027", "Citizens Advice", "Shelter", "0345 345 4345"):
        assert words in flat
    assert "{" not in letter and all(len(line) <= 88 for line in letter.splitlines())
    assert _events(engine, "arrears.notice_previewed") == [{"kind": "nosp", "served_on": "2026-03-10"}]


def test_s83_nosp_date_refused_before_earliest_names_it(engine):
    _seed(engine)
    ctx = ctx_for(engine)
    with pytest.raises(InputError, match=r"proceedings_from: 11/04/2026 is earlier than the law allows \(HA 1985 "
                                         r"s83\(5\); 28 days: Protection from Eviction Act 1977 s5\(1\)\); the earliest "
                                         r"valid date is 12/04/2026"):
        serve_notice(ctx, "RNT000003", served_on=TODAY, method="by_hand", proceedings_from=EARLIEST - timedelta(days=1))
    with pytest.raises(InputError, match="earliest valid date is 12/04/2026"):
        notice_preview(ctx, "RNT000003", served_on=TODAY, proceedings_from=TODAY + timedelta(days=28))
    later = notice_preview(ctx, "RNT000003", served_on=TODAY, proceedings_from=date(2026, 4, 20))
    assert (later.proceedings_from, later.lapses_on) == (date(2026, 4, 20), date(2027, 4, 20))
    with engine.connect() as c:
        assert c.execute(text("SELECT count(*) FROM arrears_notice")).scalar() == 0


def test_serving_a_s83_nosp_records_it_and_the_policy_s_notice_step_so_the_worklist_moves_on(engine):
    _seed(engine)
    ctx = ctx_for(engine)
    served = serve_notice(ctx, "RNT000003", served_on=TODAY - timedelta(days=2), method="first_class_post",
                          particulars="Nothing paid since January.")
    # served on Sunday 08/03: 28 days is Sun 05/04, the last day of a rent week
    assert (served.kind, served.proceedings_from, served.lapses_on) == ("nosp", date(2026, 4, 5), date(2027, 4, 5))
    assert served.tenants == ("Ms Aisha Khan", "Mr Omar Khan") and served.recovery_step == "nosp"
    with session_scope(engine) as s:
        notice = s.execute(select(ArrearsNotice)).scalar_one()
        row = (notice.kind, notice.served_on, notice.method, notice.proceedings_from, notice.arrears_pence,
               notice.weekly_rent_pence, notice.tenants, notice.particulars, notice.version)
        steps = s.execute(select(RecoveryAction.action, RecoveryAction.taken_on)).all()
    assert row == ("nosp", date(2026, 3, 8), "first_class_post", date(2026, 4, 5), 50000, 12500,
                   "Ms Aisha Khan\nMr Omar Khan", "Nothing paid since January.", 1)
    assert [tuple(s) for s in steps] == [("nosp", date(2026, 3, 8))]
    khan = next(r for r in arrears_worklist(ctx).rows if r.ref == "RNT000003")
    assert (khan.last_action, khan.last_action_date, khan.next_action) == ("nosp", date(2026, 3, 8), "court_warning")
    event = _events(engine, "arrears.notice_served")[0]
    assert (event["kind"], event["proceedings_from"], event["tenants"], event["recovery_step"]) == \
        ("nosp", "2026-04-05", 2, "nosp")
    with pytest.raises(InputError, match="already has a notice served on 08/03/2026"):
        serve_notice(ctx, "RNT000003", served_on=TODAY, method="by_hand")
    withdraw_notice(ctx, served.id, TODAY)
    again = serve_notice(ctx, "RNT000003", served_on=TODAY, method="by_hand")
    assert [n.id for n in notices_for(ctx, "RNT000003")] == [again.id, served.id]


def test_serving_refuses_what_the_law_or_the_record_does_not_allow(engine):
    _seed(engine)
    ctx = ctx_for(engine)
    with pytest.raises(InputError, match="served_on: 11/03/2026 is in the future"):
        serve_notice(ctx, "RNT000003", served_on=TODAY + timedelta(days=1), method="by_hand")
    with pytest.raises(InputError, match=r"before tenancy T00003 began \(04/01/2013\)"):
        serve_notice(ctx, "RNT000003", served_on=date(2012, 12, 1), method="by_hand")
    with pytest.raises(InputError, match="method: 'email' is not a way of serving; choose one of by_hand, "
                                         "first_class_post, letterbox, other"):
        serve_notice(ctx, "RNT000003", served_on=TODAY, method="email")
    with pytest.raises(InputError, match="former tenant account"):
        serve_notice(ctx, "FTA000001", served_on=TODAY, method="by_hand")
    with pytest.raises(PermissionDenied):
        serve_notice(ctx_for(engine, "reception"), "RNT000003", served_on=TODAY, method="by_hand")
    with pytest.raises(InputError, match=r"assured tenancy: an assured tenancy ends by a Housing Act 1988 s8 notice"):
        with session_scope(engine, write=True) as s:
            s.execute(text("UPDATE tenancy SET tenancy_type = 'assured' WHERE ref = 'T00001'"))
        notice_preview(ctx, "RNT000001", served_on=TODAY)
    with pytest.raises(InputError, match="too early"):  # before the law table's first entry: refused by name
        serve_notice(ctx, "RNT000003", served_on=date(2021, 9, 30), method="by_hand")
    with engine.connect() as c:
        assert c.execute(text("SELECT count(*) FROM arrears_notice")).scalar() == 0
        assert c.execute(text("SELECT count(*) FROM recovery_action")).scalar() == 0


def test_s128_notice_has_a_s129_review_window_and_the_review_is_decided_before_its_date(engine):
    _seed(engine)
    ctx = ctx_for(engine)
    served = serve_notice(ctx, "RNT000002", served_on=TODAY, method="by_hand")
    assert (served.kind, served.recovery_step, served.proceedings_from) == ("s128", "notice_of_proceedings", EARLIEST)
    assert served.review_by == date(2026, 3, 23) and served.lapses_on is None  # 14 days beginning with service
    text_ = notice_document(ctx, served.id).text or ""
    assert "within 14 days beginning with the day this notice was served on you: by 23 March 2026" in \
        " ".join(text_.split())
    later = at(ctx, date(2026, 4, 1))
    with pytest.raises(InputError, match=r"24/03/2026 is after 23/03/2026, the last day of the 14 days"):
        record_review(later, served.id, requested_on=date(2026, 3, 24))
    with pytest.raises(InputError, match="outcome: choose one of upheld, overturned"):
        record_review(later, served.id, requested_on=date(2026, 3, 20), decided_on=date(2026, 3, 30))
    record_review(later, served.id, requested_on=date(2026, 3, 20))
    with pytest.raises(InputError, match=r"must be decided before 12/04/2026, the date in the notice \(HA 1996 "
                                         r"s129\(6\)\)"):
        record_review(at(ctx, EARLIEST), served.id, requested_on=date(2026, 3, 20), decided_on=EARLIEST,
                      outcome="upheld")
    with pytest.raises(ConflictError, match="changed by someone else"):
        record_review(later, served.id, requested_on=date(2026, 3, 20), decided_on=date(2026, 3, 31),
                      outcome="upheld", version=1)
    done = record_review(later, served.id, requested_on=date(2026, 3, 20), decided_on=date(2026, 3, 31),
                         outcome="upheld")
    assert (done.what, done.version) == ("review_decided", 3)
    row = notices_for(later, "RNT000002")[0]
    assert (row.review_requested_on, row.review_decided_on, row.review_outcome) == \
        (date(2026, 3, 20), date(2026, 3, 31), "upheld")
    with pytest.raises(InputError, match="it is recorded once"):
        record_review(later, served.id, requested_on=date(2026, 3, 20), decided_on=date(2026, 4, 1), outcome="upheld")
    nosp = serve_notice(ctx, "RNT000003", served_on=TODAY, method="by_hand")
    with pytest.raises(InputError, match="only a notice of proceedings for an introductory tenancy has a review"):
        record_review(later, nosp.id, requested_on=TODAY)
    assert [e["outcome"] for e in _events(engine, "arrears.notice_review_recorded")] == [None, "upheld"]


def test_s14_notice_needs_every_s14a_step_first_then_the_council_is_told_under_s11(engine):
    _seed(engine)
    ctx = ctx_for(engine)
    _scottish(engine, ())
    with pytest.raises(InputError, match=r"s14A come before an s14 notice \(s14\(2A\)\); not recorded by "
                                         r"10/03/2026: s14a_information, s14a_benefits_help, s14a_debt_advice, "
                                         r"s14a_payment_plan"):
        notice_preview(ctx, "RNT000001", served_on=TODAY)
    _scottish(engine, ("s14a_information", "s14a_benefits_help", "s14a_debt_advice"))
    with pytest.raises(InputError, match="not recorded by 10/03/2026: s14a_payment_plan\\."):
        serve_notice(ctx, "RNT000001", served_on=TODAY, method="by_hand")
    _scottish(engine, ("s14a_payment_plan",))
    served = serve_notice(ctx, "RNT000001", served_on=TODAY, method="letterbox")
    # s14(4)(b): the later of 4 weeks and the notice-to-quit date; in force 6 months after it (s14(5))
    assert (served.kind, served.proceedings_from, served.lapses_on) == ("s14", EARLIEST, date(2026, 10, 12))
    assert served.recovery_step == "s14_notice" and served.tenants == ("John Smith",)
    letter = notice_document(ctx, served.id).text or ""
    assert "section 11 of the Homelessness etc. (Scotland) Act 2003" in " ".join(letter.split())
    with pytest.raises(InputError, match="is in the future"):
        record_la_notified(ctx, served.id, TODAY + timedelta(days=1))
    record_la_notified(ctx, served.id, TODAY)
    assert notices_for(ctx, "RNT000001")[0].la_notified_on == TODAY
    with pytest.raises(InputError, match="recorded once"):
        record_la_notified(ctx, served.id, TODAY)
    nosp = serve_notice(ctx, "RNT000003", served_on=TODAY, method="by_hand")
    with pytest.raises(InputError, match="for s14 notices only"):
        record_la_notified(ctx, nosp.id, TODAY)


def test_a_notice_s_state_moves_from_not_yet_in_force_to_in_force_to_lapsed_or_withdrawn(engine):
    _seed(engine)
    ctx = ctx_for(engine)
    served = serve_notice(ctx, "RNT000003", served_on=TODAY, method="by_hand")
    states = {day: notices_for(at(ctx, day), "RNT000003")[0].state
              for day in (TODAY, EARLIEST - timedelta(days=1), EARLIEST, date(2027, 4, 11), date(2027, 4, 12))}
    assert states == {TODAY: "not_yet_in_force", EARLIEST - timedelta(days=1): "not_yet_in_force",
                      EARLIEST: "in_force", date(2027, 4, 11): "in_force", date(2027, 4, 12): "lapsed"}
    row = notices_for(ctx, "RNT000003")[0]
    assert (row.served_by, row.method, row.state_words) == ("Ian Income", "by_hand",
                                                           "not yet in force: proceedings may not begin yet")
    with pytest.raises(InputError, match="before the notice was served"):
        withdraw_notice(ctx, served.id, TODAY - timedelta(days=1))
    with pytest.raises(PermissionDenied):
        withdraw_notice(ctx_for(engine, "reception"), served.id, TODAY)
    withdraw_notice(ctx, served.id, TODAY)
    assert notices_for(ctx, "RNT000003")[0].state == "withdrawn"
    with pytest.raises(InputError, match="was withdrawn on 10/03/2026"):
        withdraw_notice(ctx, served.id, TODAY)
    assert len(_events(engine, "arrears.notice_withdrawn")) == 1
    assert _events(engine, "arrears.notices_viewed")[-1] == {"notices": [served.id]}


def test_the_served_notice_prints_as_text_and_pdf_naming_every_joint_tenant(engine):
    _seed(engine)
    ctx = ctx_for(engine)
    served = serve_notice(ctx, "RNT000003", served_on=TODAY, method="by_hand", particulars="Promised £20 a week.")
    document = notice_document(ctx, served.id)
    assert document.pdf.startswith(b"%PDF") and document.name == f"RNT000003-nosp-{served.id}"
    assert (document.entity, document.entity_id) == ("account", "RNT000003")
    body = document.text or ""
    assert "Ms Aisha Khan\nMr Omar Khan" in body and "Promised £20 a week." in body
    assert "handed to the tenant in person on 10 March 2026" in body and "Signed: Ian Income" in body
    assert _events(engine, "arrears.notice_printed") == [{"notice": served.id, "kind": "nosp"}]


def test_two_terminals_serving_on_one_account_at_once_serve_one_notice(engine):
    import threading

    _seed(engine)
    ctx = ctx_for(engine)
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def serve(method: str) -> None:
        start.wait()
        try:
            serve_notice(ctx, "RNT000003", served_on=TODAY, method=method)
            outcomes.append("served")
        except InputError as exc:
            outcomes.append(exc.message)

    threads = [threading.Thread(target=serve, args=(m,)) for m in ("by_hand", "letterbox")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes)[1] == "served" and "already has a notice served on 10/03/2026" in sorted(outcomes)[0]
    with engine.connect() as c:
        assert c.execute(text("SELECT count(*) FROM arrears_notice")).scalar() == 1
        assert c.execute(text("SELECT count(*) FROM recovery_action")).scalar() == 1
