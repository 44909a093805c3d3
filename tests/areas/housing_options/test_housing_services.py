"""Housing options services on SQLite and PostgreSQL: approaches, duties, letters, s193B, reviews, TA,
the caseload's clocks, statistics that add up, and `report homelessness`."""

from __future__ import annotations

import csv
from datetime import date, timedelta

import pytest
from builders import NOW, seed_office
from sqlalchemy import text
from sqlmodel import select

from duty_tui.areas.housing_options.services.approach import save_approach
from duty_tui.areas.housing_options.services.case_view import get_housing_case
from duty_tui.areas.housing_options.services.caseload import options_caseload
from duty_tui.areas.housing_options.services.letters import issue_letter, notice_pdf, preview_letter
from duty_tui.areas.housing_options.services.moves import record_move
from duty_tui.areas.housing_options.services.non_cooperation import propose_non_cooperation, sign_off_non_cooperation
from duty_tui.areas.housing_options.services.placements import end_ta, place_in_ta
from duty_tui.areas.housing_options.services.plan import add_plan_step, complete_plan_step, record_plan_review
from duty_tui.areas.housing_options.services.reviews import decide_review, request_review
from duty_tui.areas.housing_options.services.statistics import quarter_statistics
from duty_tui.areas.housing_options.services.summary import homelessness_summary
from duty_tui.areas.housing_options.services.urgent import open_urgent_approach
from duty_tui.core.cli import run
from duty_tui.core.config.settings import Settings
from duty_tui.core.db.engine import session_scope
from duty_tui.core.db.models import Case
from duty_tui.core.domain.errors import ConflictError, InputError, PermissionDenied
from duty_tui.core.services.auth import find_actor
from duty_tui.core.services.context import ServiceContext

TODAY = date(2026, 3, 10)


def contexts(engine, clock=lambda: NOW):
    base = ServiceContext.create(engine, Settings(db_url=str(engine.url)), terminal="test", clock=clock)
    return {name: base.as_actor(find_actor(base, name)) for name in ("options", "leader", "reception", "income")}


ROUGH_SLEEPER = {"approach_date": "10/03/2026", "eligible": "yes", "rough_sleeping": True,
                 "priority_state": "grounds", "priority_grounds": ["vulnerable"], "support_needs": ["mental_health"],
                 "loss_reason": "family_friends", "current_accommodation": "rough_sleeping",
                 "last_settled_accommodation": "living_with_family"}
FAMILY_S21 = {"approach_date": "10/03/2026", "eligible": "yes", "homeless": "no", "s21_expiry": "20/04/2026",
              "priority_state": "grounds", "priority_grounds": ["dependent_children"], "household": "partner 35, child 6, child 2",
              "loss_reason": "end_ast", "current_accommodation": "private_rented",
              "last_settled_accommodation": "private_rented"}
INELIGIBLE = {"approach_date": "10/03/2026", "eligible": "no", "homeless": "yes",
              "eligibility_notes": "no recourse to public funds", "current_accommodation": "living_with_friends"}


def test_three_pilot_cases_record_their_duties(engine) -> None:
    seed_office(engine)
    ctx = contexts(engine)["options"]
    rough = save_approach(ctx, ROUGH_SLEEPER, person_ref="P0000003")
    assert rough.stage == "relief" and "05/05/2026" in rough.message
    view = get_housing_case(ctx, rough.case_ref)
    assert view.relief_ends == date(2026, 5, 5)
    duties = {d.duty: (d.start, d.until) for d in view.assessment.duties}
    assert duties["relief"] == (TODAY, date(2026, 5, 5))
    assert duties["interim_accommodation"] == (TODAY, None)
    assert "intentional" in view.changes

    family = save_approach(ctx, FAMILY_S21, person_ref="P0000004")
    assert family.stage == "prevention"
    fview = get_housing_case(ctx, family.case_ref)
    assert not fview.assessment.owes("interim_accommodation")
    assert {c.name for c in fview.clocks} >= {"prevention_56", "plan_review"}

    no = save_approach(ctx, INELIGIBLE, person_ref="P0000002")
    assert no.stage == "closed"
    nview = get_housing_case(ctx, no.case_ref)
    assert [d.duty for d in nview.assessment.duties] == ["advice"]
    assert nview.assessment_duty == "ineligible" and nview.status == "closed"

    # The queue carries the relief-end date; the dashboard's work_case has the nearest clock.
    lines = {line.case_ref: line for line in options_caseload(ctx)}
    assert lines[rough.case_ref].relief_ends == date(2026, 5, 5)
    assert no.case_ref not in lines
    with session_scope(engine) as session:
        case = session.exec(select(Case).where(Case.ref == rough.case_ref)).one()
        assert case.case_type == "homelessness" and case.status == "open" and case.due_at is not None
        assert "relief ends 05/05/26" in case.summary


def test_bad_answers_are_refused_with_every_problem_and_nothing_saved(engine) -> None:
    seed_office(engine)
    ctx = contexts(engine)["options"]
    with pytest.raises(InputError) as caught:
        save_approach(ctx, {**FAMILY_S21, "loss_date": "01/03/2026", "homeless": "no", "rough_sleeping": True},
                        person_ref="P0000004")
    assert any(p.startswith("loss_date:") for p in caught.value.problems)
    assert any(p.startswith("homeless:") for p in caught.value.problems)
    with pytest.raises(InputError, match="choose the applicant"):
        save_approach(ctx, FAMILY_S21, person_ref=None)
    with pytest.raises(InputError, match="not a known"):
        save_approach(ctx, {**FAMILY_S21, "loss_reason": "bored"}, person_ref="P0000004")
    assert options_caseload(ctx) == []


def test_permissions_and_optimistic_locking(engine) -> None:
    seed_office(engine)
    people = contexts(engine)
    with pytest.raises(PermissionDenied):
        save_approach(people["income"], FAMILY_S21, person_ref="P0000004")
    saved = save_approach(people["options"], {**FAMILY_S21, "eligible": "unknown"}, person_ref="P0000004")
    assert saved.stage == "triage"
    again = save_approach(people["options"], {**FAMILY_S21, "eligible": "unknown", "notes": "first"},
                            person_ref="P0000004", case_ref=saved.case_ref, version=saved.version)
    with pytest.raises(ConflictError, match="someone else changed"):
        save_approach(people["leader"], {**FAMILY_S21, "notes": "stale"}, person_ref="P0000004",
                        case_ref=saved.case_ref, version=saved.version)
    moved = save_approach(people["leader"], FAMILY_S21, person_ref="P0000004", case_ref=saved.case_ref,
                            version=again.version)
    assert moved.stage == "prevention"
    with pytest.raises(InputError, match="already has an open homelessness case"):
        save_approach(people["options"], FAMILY_S21, person_ref="P0000004")


def test_nowhere_to_stay_tonight_opens_an_urgent_same_day_case(engine) -> None:
    seed_office(engine)
    people = contexts(engine)
    ref = open_urgent_approach(people["reception"], "P0000001", "sleeping in his car")
    line = next(c for c in options_caseload(people["options"]) if c.case_ref == ref)
    assert line.nowhere_tonight and line.priority == "emergency"
    assert line.due_at == NOW + timedelta(hours=2)
    # A second report for the same person does not open a second case.
    assert open_urgent_approach(people["reception"], "P0000001", "still nowhere") == ref
    anonymous = open_urgent_approach(people["reception"], None, "man at the desk, would not give a name")
    view = get_housing_case(people["options"], anonymous)
    assert view.person_ref is None and any("would not give" in t.text for t in view.timeline)
    # The officer triages it: the applicant is linked and the duty recorded.
    saved = save_approach(people["options"], {**ROUGH_SLEEPER, "nowhere_tonight": True}, person_ref="P0000003",
                            case_ref=anonymous, version=view.version)
    assert saved.stage == "relief"


def test_letters_render_record_and_print(engine) -> None:
    seed_office(engine)
    ctx = contexts(engine)["options"]
    saved = save_approach(ctx, ROUGH_SLEEPER, person_ref="P0000003")
    preview = preview_letter(ctx, saved.case_ref, "s184_decision")
    assert "{" not in preview.text and "Jon Smyth" in preview.text
    assert "30 March 2026" in preview.text and "21 days" in preview.text  # review rights
    assert "section 189B" in preview.text and "5 May 2026" in preview.text  # reasons with dates, sections in full
    assert get_housing_case(ctx, saved.case_ref).notices == ()
    notice = issue_letter(ctx, saved.case_ref, "s184_decision")
    assert notice.review_last_day == date(2026, 3, 30) and notice.review_kind == "standard"
    name, pdf = notice_pdf(ctx, notice.id)
    assert name.endswith(".pdf") and pdf.startswith(b"%PDF")
    with pytest.raises(InputError, match="is for a case at"):
        issue_letter(ctx, saved.case_ref, "main_duty")
    with pytest.raises(PermissionDenied):
        issue_letter(contexts(engine)["reception"], saved.case_ref, "s184_decision")


def test_s193b_needs_a_warning_a_period_and_a_second_officer(engine) -> None:
    seed_office(engine)
    later = NOW + timedelta(days=20)
    now = {"t": NOW}
    people = contexts(engine, clock=lambda: now["t"])
    officer, leader = people["options"], people["leader"]
    saved = save_approach(officer, ROUGH_SLEEPER, person_ref="P0000003")
    with pytest.raises(InputError) as caught:
        propose_non_cooperation(officer, saved.case_ref, "did not attend viewings")
    assert "no relevant warning" in " ".join(caught.value.problems)
    with pytest.raises(InputError, match="s193B notice"):
        record_move(officer, saved.case_ref, None, "closed", "non_cooperation")
    issue_letter(officer, saved.case_ref, "s193b_warning", {"reasons": "- attend the viewing on 12 March"})
    with pytest.raises(InputError) as caught:
        propose_non_cooperation(officer, saved.case_ref, "did not attend viewings")
    assert "reasonable period" in " ".join(caught.value.problems)
    now["t"] = later
    proposal = propose_non_cooperation(officer, saved.case_ref, "did not attend two viewings")
    with pytest.raises(InputError) as caught:
        sign_off_non_cooperation(officer, saved.case_ref, proposal)
    assert "second, different officer" in " ".join(caught.value.problems)
    notice = sign_off_non_cooperation(leader, saved.case_ref, proposal)
    assert "Lee Leader" in notice.body and "193B" in notice.body
    view = get_housing_case(leader, saved.case_ref)
    assert view.stage == "closed" and notice.review_kind == "standard"  # ending relief: 8 weeks


def test_reviews_ta_plan_and_moves(engine) -> None:
    seed_office(engine)
    now = {"t": NOW}
    ctx = contexts(engine, clock=lambda: now["t"])["options"]
    saved = save_approach(ctx, FAMILY_S21, person_ref="P0000004")
    step = add_plan_step(ctx, saved.case_ref, "applicant", "Send the s21 notice", date(2026, 3, 17))
    complete_plan_step(ctx, saved.case_ref, step)
    assert record_plan_review(ctx, saved.case_ref) == date(2026, 4, 7)
    with pytest.raises(InputError, match="interim accommodation"):
        place_in_ta(ctx, saved.case_ref, "Room 1, Station Hotel", "bed_and_breakfast")
    notice = issue_letter(ctx, saved.case_ref, "prevention_duty")
    now["t"] = NOW + timedelta(days=2)
    review = request_review(ctx, saved.case_ref, notice.id, date(2026, 3, 12))
    assert review.decision_due == date(2026, 5, 6)
    line = next(c for c in options_caseload(ctx) if c.case_ref == saved.case_ref)
    assert line.review_due == date(2026, 5, 6) and line.plan_review == date(2026, 4, 7)
    now["t"] = NOW + timedelta(days=30)
    with pytest.raises(InputError, match="late"):
        request_review(ctx, saved.case_ref, notice.id)
    decide_review(ctx, saved.case_ref, review.id, "upheld")
    # Became homeless: prevention -> relief; a family in B&B gets the 6-week clock.
    version = get_housing_case(ctx, saved.case_ref).version
    with pytest.raises(InputError, match="relief first"):
        record_move(ctx, saved.case_ref, version, "main_duty", "homeless")
    record_move(ctx, saved.case_ref, version, "relief", "homeless", date(2026, 4, 8), "bailiffs")
    placement = place_in_ta(ctx, saved.case_ref, "Room 1, Station Hotel", "bed_and_breakfast", date(2026, 4, 8))
    view = get_housing_case(ctx, saved.case_ref)
    assert view.relief_ends == date(2026, 6, 3)
    assert {c.name: c.due for c in view.clocks}["bnb_limit"] == date(2026, 5, 20)
    assert [d.start for d in view.assessment.duties if d.duty == "relief"] == [date(2026, 4, 8)]
    with pytest.raises(InputError, match="already placed"):
        place_in_ta(ctx, saved.case_ref, "Elsewhere", "hostel")
    end_ta(ctx, saved.case_ref, placement, date(2026, 4, 9))
    with pytest.raises(InputError, match="56 days"):
        record_move(ctx, saved.case_ref, None, "main_duty", "days_56_elapsed", date(2026, 4, 9),
                      final_decision="main_duty")


def test_statistics_add_up_against_the_cases_and_the_report_writes_every_file(engine, tmp_path, capsys) -> None:
    seed_office(engine)
    ctx = contexts(engine)["options"]
    rough = save_approach(ctx, ROUGH_SLEEPER, person_ref="P0000003")
    save_approach(ctx, FAMILY_S21, person_ref="P0000004")
    save_approach(ctx, INELIGIBLE, person_ref="P0000002")
    # Not threatened: the home will be lost, but not within 56 days. (A blank loss date is "not yet known" and
    # leaves the case open at triage — issue 11 B13 — so the date is given.)
    save_approach(ctx, {"approach_date": "10/03/2026", "eligible": "yes", "homeless": "no",
                          "loss_date": "30/06/2026"}, person_ref="P0000001")
    place_in_ta(ctx, rough.case_ref, "Flat 2, Kingsway Court", "nightly_paid")
    stats = quarter_statistics(ctx, "2026Q1")
    a1 = {row[0]: int(row[1]) for row in stats.table("A1").rows}
    assert list(a1.values()) == [1, 1, 1, 1]  # prevention, relief, not owed, ineligible
    assert stats.table("A2").total(3) == 2
    assert stats.table("TA1").total() == 1
    a3 = {row[0]: int(row[1]) for row in stats.table("A3").rows}
    assert a3["History of mental health problems"] == 1
    assert quarter_statistics(ctx, "2026Q2").table("A1").total() == 0
    with pytest.raises(InputError, match="YYYYQn"):
        quarter_statistics(ctx, "2026-3")

    out = tmp_path / "out"
    assert run(["--db", str(engine.url.render_as_string(hide_password=False)), "report", "homelessness",
                "--quarter", "2026Q1", "--out", str(out), "--as", "options"]) == 0
    files = {p.name for p in out.iterdir()}
    assert "homelessness_2026Q1_A1_duty_owed_at_initial_assessment.csv" in files
    assert {"2026Q1_hclic_main.csv", "2026Q1_hclic_people.csv", "2026Q1_hclic_data_quality.csv"} <= files
    with (out / "homelessness_2026Q1_A1_duty_owed_at_initial_assessment.csv").open() as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["Duty owed", "Households"] and sum(int(r[1]) for r in rows[1:]) == 4
    with (out / "2026Q1_hclic_main.csv").open() as handle:
        main = list(csv.DictReader(handle))
    assert len(main) == 4 and "ASSESS_DATE" in main[0] and "REASONLOSS" in main[0]
    with (out / "2026Q1_hclic_data_quality.csv").open() as handle:
        problems = list(csv.DictReader(handle))
    # The not-threatened case has no current accommodation recorded: a missing mandatory field.
    missing = [p for p in problems if p["field"] == "current_accommodation"]
    assert [p["case_ref"] for p in missing] and all(p["case_ref"] for p in missing)
    assert any(p["section"] == "code mapping" and "COUNCIL TO COMPLETE" in p["problem"] for p in problems)
    capsys.readouterr()


def test_report_command_exit_codes(engine, tmp_path, capsys) -> None:
    url = engine.url.render_as_string(hide_password=False)
    assert run(["--db", url, "report", "homelessness", "--quarter", "2026Q5", "--out", str(tmp_path)]) == 2
    assert "YYYYQn" in capsys.readouterr().err
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert run(["--db", url, "report", "homelessness", "--quarter", "2026Q3", "--out", str(blocker)]) == 2
    assert run(["--db", "sqlite:///" + str(tmp_path / "nothing" / "x.db"), "report", "homelessness",
                "--quarter", "2026Q3", "--out", str(tmp_path / "o")]) == 3
    assert "duty-tui db upgrade" in capsys.readouterr().err
    # The extract holds dates of birth and support needs: the batch role (no --as) is refused (issue 10 item 17;
    # tests/core/trust/test_cli_reads_audited.py), a role that may see them produces it.
    seed_office(engine)
    assert run(["--db", url, "report", "homelessness", "--quarter", "2026Q3", "--out", str(tmp_path / "no")]) == 2
    assert "special-category" in capsys.readouterr().err and not (tmp_path / "no").exists()
    assert run(["--db", url, "report", "homelessness", "--quarter", "2026Q3", "--out", str(tmp_path / "ok"),
                "--as", "options"]) == 0
    assert "0 missing mandatory" in capsys.readouterr().err


def test_demo_generator_gives_every_stage_and_true_statistics(engine) -> None:
    from duty_tui.areas.housing_options.demo import generate_housing

    seed_office(engine)
    counts = generate_housing(engine, seed=3, today=TODAY, size="small", jurisdiction="england")
    assert counts["homelessness cases"] == 120
    with session_scope(engine) as session:
        stages = dict(session.connection().execute(text(
            "SELECT stage, count(*) FROM homeless_case GROUP BY stage")).all())
        outcomes = {r[0] for r in session.connection().execute(text(
            "SELECT DISTINCT reason FROM homeless_move WHERE to_stage = 'closed'"))}
    assert {"prevention", "relief", "closed"} <= set(stages)
    assert len(outcomes) >= 5
    ctx = contexts(engine)["options"]
    lines = options_caseload(ctx)
    assert any(line.relief_ends for line in lines)
    # Statistics are counted from the cases: A1 equals the assessed cases in the quarter.
    stats = quarter_statistics(ctx, "2025Q4")
    with session_scope(engine) as session:
        assessed = session.connection().execute(text(
            "SELECT count(*) FROM homeless_case WHERE assessed_on BETWEEN '2025-10-01' AND '2025-12-31'")).scalar()
    assert stats.table("A1").total() == assessed


def test_demo_generator_is_deterministic_per_seed(sqlite_template_path, tmp_path) -> None:
    import shutil

    from duty_tui.areas.housing_options.demo import generate_housing
    from duty_tui.core.db.engine import make_engine

    dumps = []
    for name in ("a.db", "b.db"):
        shutil.copyfile(sqlite_template_path, tmp_path / name)
        eng = make_engine(f"sqlite:///{tmp_path / name}")
        seed_office(eng)
        generate_housing(eng, seed=5, today=TODAY, size="small", jurisdiction="england")
        with session_scope(eng) as session:
            dumps.append(session.connection().execute(text(
                "SELECT c.ref, h.stage, h.approach_date, h.relief_end, h.loss_reason FROM homeless_case h "
                "JOIN work_case c ON c.id = h.case_id ORDER BY c.ref")).all())
        eng.dispose()
    assert dumps[0] == dumps[1] and len(dumps[0]) == 120


def test_a_review_keeps_a_closed_case_on_the_queue_until_decided(engine) -> None:
    seed_office(engine)
    ctx = contexts(engine)["options"]
    saved = save_approach(ctx, INELIGIBLE, person_ref="P0000002")
    notice = issue_letter(ctx, saved.case_ref, "s184_decision")
    assert saved.case_ref not in {c.case_ref for c in options_caseload(ctx)}
    review = request_review(ctx, saved.case_ref, notice.id)
    line = next(c for c in options_caseload(ctx) if c.case_ref == saved.case_ref)
    assert line.review_due == date(2026, 5, 4) and line.stage == "closed"
    decide_review(ctx, saved.case_ref, review.id, "upheld")
    assert saved.case_ref not in {c.case_ref for c in options_caseload(ctx)}


def test_person_view_summary_line(engine) -> None:
    seed_office(engine)
    ctx = contexts(engine)["options"]
    assert homelessness_summary(ctx, "P0000003") is None
    saved = save_approach(ctx, ROUGH_SLEEPER, person_ref="P0000003")
    summary = homelessness_summary(ctx, "P0000003")
    assert summary.case_ref == saved.case_ref and summary.relief_ends == date(2026, 5, 5)
    assert summary.line.startswith(f"Homelessness {saved.case_ref}: relief, ends 05/05/2026 · next: plan review")
