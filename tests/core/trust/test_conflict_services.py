"""Concurrent edits: two sessions save the same record — a conflict showing both versions, never a lost update.

Runs on SQLite and PostgreSQL (the ``engine`` fixture). Each test: A and B load the same
record, A saves, B saves with the version it loaded → ConflictError carrying who saved
first, when, A's values ("theirs") and B's ("yours"); the stored record is still A's; with
the version the conflict carries, B can then save on purpose.
"""

from __future__ import annotations

import pytest
from builders import NOW, seed_office

from duty_tui.areas.frontdesk.services import complaints, routing
from duty_tui.areas.housing_options.services.approach import save_approach
from duty_tui.areas.housing_options.services.case_view import get_housing_case
from duty_tui.areas.housing_options.services.caseload import take_case
from duty_tui.areas.housing_options.services.common import housing_reference
from duty_tui.areas.housing_options.services.moves import record_move
from duty_tui.areas.housing_options.services.plan import add_plan_step, complete_plan_step
from duty_tui.core.config.settings import Settings
from duty_tui.core.domain.errors import ConflictError
from duty_tui.core.services.auth import find_actor
from duty_tui.core.services.conflicts import BLANK, as_text, differing
from duty_tui.core.services.context import ServiceContext

FAMILY = {"approach_date": "10/03/2026", "eligible": "unknown", "homeless": "no", "s21_expiry": "20/04/2026",
          "priority_state": "grounds", "priority_grounds": ["dependent_children"],
          "household": "partner 35, child 6, child 2", "loss_reason": "end_ast",
          "current_accommodation": "private_rented", "last_settled_accommodation": "private_rented"}


def ctx_for(engine, username: str, terminal: str) -> ServiceContext:
    base = ServiceContext.create(engine, Settings(db_url=str(engine.url)), terminal=terminal, clock=lambda: NOW)
    return base.as_actor(find_actor(base, username))


def test_two_sessions_saving_the_same_case_conflict_not_lost_update(engine) -> None:
    seed_office(engine)
    a, b = ctx_for(engine, "leader", "desk-a"), ctx_for(engine, "income", "desk-b")
    seen_a = routing.case_detail(a, "C0000001").row.version
    seen_b = routing.case_detail(b, "C0000001").row.version
    assert seen_a == seen_b
    routing.escalate_case(a, "C0000001", seen_a, "tenant chased three times")
    with pytest.raises(ConflictError) as caught:
        routing.close_case(b, "C0000001", seen_b, "resolved", "fixed by the contractor, tenant happy")
    error = caught.value
    assert "someone else changed this case C0000001" in error.message and "your text is kept" in error.message
    assert error.record == "case C0000001"
    assert error.changed_by == "Lee Leader" and error.changed_at == NOW
    assert error.theirs["Escalated"] == "yes" and error.theirs["Priority"] == "urgent"
    assert error.theirs["Change"] == "Escalated" and error.theirs["Note"] == "tenant chased three times"
    assert error.yours["Status"] == "closed" and error.yours["Note"] == "fixed by the contractor, tenant happy"
    assert error.version == seen_a + 1
    stored = routing.case_detail(a, "C0000001")
    assert stored.row.status != "closed" and stored.row.escalated  # A's save stands, B's did not land
    # B reloads (the version the conflict carried) and re-applies on purpose.
    routing.close_case(b, "C0000001", error.version, "resolved", "fixed by the contractor, tenant happy")
    closed = routing.case_detail(a, "C0000001")
    assert closed.row.status == "closed" and closed.row.escalated
    assert any(line.detail == "fixed by the contractor, tenant happy" for line in closed.timeline)


def test_take_and_complaint_conflicts_then_a_case_closed_meanwhile(engine) -> None:
    seed_office(engine)
    a, b = ctx_for(engine, "leader", "desk-a"), ctx_for(engine, "income", "desk-b")
    seen = routing.case_detail(a, "C0000001").row.version
    routing.take_case(a, "C0000001", seen)
    with pytest.raises(ConflictError) as caught:
        routing.take_case(b, "C0000001", seen)
    assert caught.value.theirs["Officer"] == "Lee Leader" and caught.value.yours["Officer"] == "Ian Income"
    with pytest.raises(ConflictError) as caught:  # the version is checked before anything else
        complaints.respond_complaint(ctx_for(engine, "admin", "desk-c"), "C0000001", seen, "upheld", "we are sorry")
    assert caught.value.yours["Note"] == "we are sorry" and caught.value.changed_by == "Lee Leader"
    seen = routing.case_detail(a, "C0000001").row.version
    routing.close_case(a, "C0000001", seen, "resolved", "done by A")
    with pytest.raises(ConflictError) as caught:  # closed meanwhile: both versions, not only "it is closed"
        routing.reassign_case(b, "C0000001", seen, "income", "income", "income has the contractor")
    theirs, yours = caught.value.theirs, caught.value.yours
    assert theirs["Status"] == "closed" and theirs["Note"] == "done by A"
    assert yours["Team"] == "Income" and yours["Officer"] == "Ian Income"
    assert yours["Note"] == "income has the contractor"


def test_ending_the_same_arrangement_twice_shows_who_ended_it(engine) -> None:
    from duty_tui.areas.payments.services.arrangements import create_arrangement, end_arrangement

    seed_office(engine)
    a, b = ctx_for(engine, "income", "desk-a"), ctx_for(engine, "leader", "desk-b")
    made = create_arrangement(a, "RNT000001", 2000, "weekly", NOW.date())
    end_arrangement(a, made.ref, "cleared by a lump sum", made.version)
    with pytest.raises(ConflictError) as caught:
        end_arrangement(b, made.ref, "replaced by a monthly plan", made.version)
    error = caught.value
    assert error.changed_by == "Ian Income" and error.theirs["Reason"] == "cleared by a lump sum"
    assert error.yours["Reason"] == "replaced by a monthly plan" and error.version == made.version + 1


def test_two_sessions_saving_the_same_approach_conflict_not_lost_update(engine) -> None:
    seed_office(engine)
    a, b = ctx_for(engine, "options", "desk-a"), ctx_for(engine, "leader", "desk-b")
    saved = save_approach(a, FAMILY, person_ref="P0000004")
    loaded_a = get_housing_case(a, saved.case_ref)
    loaded_b = get_housing_case(b, saved.case_ref)
    assert loaded_a.version == loaded_b.version
    save_approach(a, {**loaded_a.answers, "notes": "landlord rang: notice withdrawn?", "household": "partner 35"},
                    person_ref="P0000004", case_ref=saved.case_ref, version=loaded_a.version)
    mine = {**loaded_b.answers, "notes": "tenant says bailiffs booked for May"}
    with pytest.raises(ConflictError) as caught:
        save_approach(b, mine, person_ref="P0000004", case_ref=saved.case_ref, version=loaded_b.version)
    error = caught.value
    assert "someone else changed this case" in error.message and "your answers are kept" in error.message
    assert error.changed_by == "Olu Options" and error.changed_at == NOW
    assert error.theirs == {"Others": "partner 35", "Notes": "landlord rang: notice withdrawn?"}
    assert error.yours == {"Others": "partner 35, child 6, child 2", "Notes": "tenant says bailiffs booked for May"}
    stored = get_housing_case(a, saved.case_ref)
    assert stored.answers["notes"] == "landlord rang: notice withdrawn?" and stored.version == error.version
    # B re-applies deliberately over the newer version.
    save_approach(b, mine, person_ref="P0000004", case_ref=saved.case_ref, version=error.version)
    assert get_housing_case(a, saved.case_ref).answers["notes"] == "tenant says bailiffs booked for May"


def test_stage_move_over_a_newer_save_is_a_conflict(engine) -> None:
    seed_office(engine)
    a, b = ctx_for(engine, "options", "desk-a"), ctx_for(engine, "leader", "desk-b")
    saved = save_approach(a, {**FAMILY, "eligible": "yes"}, person_ref="P0000004")
    view = get_housing_case(b, saved.case_ref)
    save_approach(a, {**view.answers, "notes": "changed by A"}, person_ref="P0000004", case_ref=saved.case_ref,
                    version=view.version)
    exits = housing_reference(b).exits[view.stage]
    reason = next(code for code, e in exits.items() if not e.s193b)
    to_stage = exits[reason].leads_to[0]
    with pytest.raises(ConflictError) as caught:
        record_move(b, saved.case_ref, view.version, to_stage, reason, note="my move note")
    assert caught.value.theirs["Stage"] == view.stage.replace("_", " ")
    assert caught.value.yours["Stage"] == to_stage.replace("_", " ")
    assert caught.value.yours["Note"] == "my move note" and caught.value.changed_by == "Olu Options"
    assert get_housing_case(a, saved.case_ref).stage == view.stage


def test_comparison_helpers_and_the_dialog_rendering() -> None:
    from rich.console import Console

    from duty_tui.core.tui.dialogs.conflict import UNCHANGED, ConflictDialog, comparison_rows

    assert as_text(None) == BLANK and as_text(True) == "yes" and as_text(["a", "b"]) == "a, b"
    theirs, yours = differing({"A": "1", "B": "2", "N": "x"}, {"A": "1", "B": "3", "N": "x", "C": "4"}, keep=["N"])
    assert list(theirs) == ["B", "N", "C"] and theirs["C"] == BLANK and yours["B"] == "3"
    rows = comparison_rows({"Status": "open", "Note": "theirs"}, {"Note": "[bold]mine\x1b[2J"})
    assert rows[0] == ("Status", "open", UNCHANGED, False) and rows[1][3] is True
    for narrow, width in ((False, 80), (True, 40)):
        console = Console(width=width, record=True, color_system=None)
        console.print(ConflictDialog.render_comparison(rows, narrow=narrow))
        out = console.export_text()
        assert "≠" in out and "[bold]mine" in out and "\x1b" not in out  # marked in text; markup inert
        assert ("Theirs (now saved)" in out) is not narrow and ("theirs (now saved): theirs" in out) is narrow


def test_a_plan_step_ticked_by_someone_else_is_a_conflict_not_a_toggle_back(engine):
    """Two officers press 'done' on the same step: the second is told, instead of un-ticking it."""
    seed_office(engine)
    a, b = ctx_for(engine, "options", "desk-a"), ctx_for(engine, "leader", "desk-b")
    case_ref = save_approach(a, FAMILY, person_ref="P0000004").case_ref
    add_plan_step(a, case_ref, "applicant", "Bring payslips", None, False)
    step = get_housing_case(b, case_ref).steps[0]  # both screens show the step, not done
    complete_plan_step(a, case_ref, step.id, seen_version=step.version)
    with pytest.raises(ConflictError) as refused:
        complete_plan_step(b, case_ref, step.id, seen_version=step.version)
    assert "done on" in refused.value.theirs["Now"] and refused.value.changed_by == "Olu Options"
    assert get_housing_case(a, case_ref).steps[0].done_on is not None  # still done


def test_taking_a_case_someone_else_took_meanwhile_is_a_conflict(engine):
    """An officer presses 'take' on a screen that still shows the old officer: told who has it now."""
    seed_office(engine)
    a, b = ctx_for(engine, "options", "desk-a"), ctx_for(engine, "leader", "desk-b")
    case_ref = save_approach(a, FAMILY, person_ref="P0000004").case_ref
    seen_by_a = get_housing_case(a, case_ref).assignee  # a's screen: the case is a's
    take_case(b, case_ref, get_housing_case(b, case_ref).assignee)  # the leader takes it, having seen that
    leader = get_housing_case(b, case_ref).assignee
    assert leader != seen_by_a
    with pytest.raises(ConflictError) as refused:
        take_case(a, case_ref, seen_by_a)  # a's screen still says the case is a's: not a silent take-back
    assert refused.value.theirs == {"Officer": leader} and refused.value.yours == {"Officer": seen_by_a}
    assert get_housing_case(a, case_ref).assignee == leader
    take_case(a, case_ref, leader)  # having seen who has it, a takes it deliberately
    assert get_housing_case(a, case_ref).assignee == seen_by_a
