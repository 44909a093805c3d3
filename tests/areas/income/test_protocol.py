"""The pre-action record and the possession gate on SQLite and PostgreSQL (docs/INCOME_PROTOCOL.md):
protocol steps with day and evidence, benefit claims, UC managed payments, and recording "apply for
possession" refused until the law engine's gate opens."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from builders import NOW, seed_office
from sqlalchemy import text

from duty_tui.areas.income.db.models import ArrearsNotice
from duty_tui.areas.income.domain.arrears_input import STEPS
from duty_tui.areas.income.domain.policy import load_recovery_policy
from duty_tui.areas.income.domain.protocol import APPLY_FOR_POSSESSION, load_protocol, load_protocol_file
from duty_tui.areas.income.services.actions import record_action
from duty_tui.areas.income.services.protocol import (
    decide_benefit_claim,
    protocol_state,
    record_benefit_claim,
    record_step,
    request_managed_payment,
    set_managed_payment_state,
)
from duty_tui.core.config.settings import Settings
from duty_tui.core.db.engine import session_scope
from duty_tui.core.db.models import LedgerEntry
from duty_tui.core.domain.errors import ConflictError, EnvironmentProblem, InputError, PermissionDenied
from duty_tui.core.services.auth import find_actor
from duty_tui.core.services.context import ServiceContext

TODAY = date(2026, 3, 10)  # NOW's day
ENGLAND = STEPS["england"]
SCOTLAND = STEPS["scotland"]


def ctx_for(engine, username: str = "income") -> ServiceContext:
    ctx = ServiceContext.create(engine, Settings(db_url=str(engine.url)), terminal="test-terminal", clock=lambda: NOW)
    return ctx.as_actor(find_actor(ctx, username))


def at(ctx: ServiceContext, day: date) -> ServiceContext:
    moment = datetime(day.year, day.month, day.day, 10, 30, tzinfo=UTC)
    return replace(ctx, clock=lambda: moment)


def _seed(engine, *, tenancy_type: str | None = None) -> int:
    """The builders' office with RNT000003 owing £500 (4 weeks of its £125 rent); its account id."""
    seed_office(engine)
    with session_scope(engine, write=True) as s:
        account_id, tenancy_id = s.execute(text("SELECT id, tenancy_id FROM account WHERE ref = 'RNT000003'")).one()
        s.add(LedgerEntry(account_id=account_id, effective_date=date(2026, 1, 5), posted_at=NOW - timedelta(days=60),
                          kind="rent_debit", amount_pence=50000))
        if tenancy_type is not None:
            s.execute(text("UPDATE tenancy SET tenancy_type = :t WHERE id = :i"), {"t": tenancy_type, "i": tenancy_id})
    return int(account_id)


def _notice(engine, account_id: int, *, kind: str = "nosp", served: date = date(2026, 1, 12),
            proceedings_from: date = date(2026, 2, 15), la_notified: date | None = None) -> None:
    with session_scope(engine, write=True) as s:
        s.add(ArrearsNotice(account_id=account_id, kind=kind, served_on=served, method="by_hand",
                            proceedings_from=proceedings_from, lapses_on=date(2027, 2, 15), arrears_pence=40000,
                            weekly_rent_pence=12500, tenants="Ms A Khan", la_notified_on=la_notified,
                            created_at=NOW - timedelta(days=57)))


def _all_steps(ctx, steps, day: date = date(2026, 2, 20)) -> None:
    for step in steps:
        record_step(ctx, "RNT000003", step=step, done_on=day, evidence=f"{step} - see letter ref L{day:%m%d}")


def _events(engine, action: str) -> list[dict]:
    with engine.connect() as c:
        return [json.loads(d) if isinstance(d, str) else d for (d,) in c.execute(text(
            "SELECT detail FROM audit_event WHERE action = :a ORDER BY id"), {"a": action}).all()]


def test_the_shipped_files_name_every_step_and_the_policy_s_apply_step():
    rules = load_protocol(Settings().data_dir)
    assert [s.code for s in rules.of("england")] == list(ENGLAND)
    assert [s.code for s in rules.of("scotland")] == list(SCOTLAND)
    assert all(s.evidence and s.source for s in rules.steps)
    assert rules.step("s14a_information").source == "Housing (Scotland) Act 2001 s14A(2)"
    # the gate guards the recovery policy's own step
    assert load_recovery_policy(Settings().data_dir).stage_named(APPLY_FOR_POSSESSION) is not None
    # statements count for 92 days from 6 April 2026 (council policy); before that date, for ever
    assert rules.stale_from("statements_provided", date(2026, 4, 6), date(2026, 7, 7)) == date(2026, 7, 7)
    assert rules.stale_from("statements_provided", date(2026, 4, 6), date(2026, 7, 6)) is None
    assert rules.stale_from("statements_provided", date(2025, 1, 1), date(2026, 4, 5)) is None
    assert rules.stale_from("contact_made", date(2020, 1, 1), date(2026, 7, 7)) is None


@pytest.mark.parametrize(("change", "says"), [
    (("code = \"contact_made\"", "code = \"s14a_information\"\ncode2 = 1"), "code2: unknown key"),
    (("code = \"advice_signposted\"", "code = \"s14a_debt_advice\""), "it is a step in Scotland"),
    (("evidence = \"Which advice service", "evidence = \"\" # \"Which advice service"), "evidence: required"),
    (("days = 92", "days = -1"), "days: must be a whole number"),
    (("basis = \"council policy\"\nwhy = \"the protocol", "basis = \"law\"\nwhy = \"the protocol"),
     "basis: must be \"council policy\""),
    (("effective_from = 2026-04-06", "effective_from = \"2026-04-06\""), "effective_from: must be the date"),
])
def test_protocol_file_mistakes_name_the_file_line_key_and_what_is_wrong(tmp_path: Path, change, says):
    shipped = (Settings().data_dir / "income" / "protocol.toml").read_text(encoding="utf-8")
    assert change[0] in shipped
    path = tmp_path / "protocol.toml"
    path.write_text(shipped.replace(change[0], change[1], 1), encoding="utf-8")
    with pytest.raises(EnvironmentProblem) as caught:
        load_protocol_file(path)
    assert str(path) in caught.value.message and says in caught.value.message
    assert caught.value.message.split(":")[1].isdigit()  # the line


def test_protocol_a_step_with_no_date_or_evidence_is_refused_saying_what_to_fix(engine):
    _seed(engine)
    ctx = ctx_for(engine)
    with pytest.raises(InputError) as caught:
        record_step(ctx, "RNT000003", step="statements_provided", done_on=None, evidence="   ")
    assert caught.value.problems == [
        "done_on: give the day the step was done (DD/MM/YYYY)",
        "evidence: say what shows the step was done — Which statement was sent or handed over (period covered), "
        "on what day and how"]
    with pytest.raises(InputError, match=r"done_on: 11/03/2026 is in the future; .* \(today, 10/03/2026, or earlier\)"):
        record_step(ctx, "RNT000003", step="contact_made", done_on=TODAY + timedelta(days=1), evidence="visit")
    with pytest.raises(InputError, match="step: 's14a_information' is a step in Scotland; RNT000003 is a secure "
                                         "tenancy in England, whose steps are contact_made, statements_provided"):
        record_step(ctx, "RNT000003", step="s14a_information", done_on=TODAY, evidence="letter")
    with pytest.raises(InputError, match="'phoned' is not a pre-action step"):
        record_step(ctx, "RNT000003", step="phoned", done_on=TODAY, evidence="call")
    with pytest.raises(InputError, match="former tenant account"):
        record_step(ctx, "FTA000001", step="contact_made", done_on=TODAY, evidence="call")
    with pytest.raises(PermissionDenied):
        record_step(ctx_for(engine, "reception"), "RNT000003", step="contact_made", done_on=TODAY, evidence="call")
    assert _events(engine, "arrears.protocol_step_recorded") == []
    done = record_step(ctx, "rnt 000003", step="contact_made", done_on=TODAY, evidence="  Home visit, both tenants ")
    assert (done.account_ref, done.name, done.evidence) == ("RNT000003", "contact made", "Home visit, both tenants")
    assert _events(engine, "arrears.protocol_step_recorded") == [{"done_on": "2026-03-10", "step": "contact_made"}]


def test_protocol_apply_for_possession_refused_names_every_missing_step_and_the_pending_claim(engine):
    account_id = _seed(engine)
    ctx = ctx_for(engine)
    _notice(engine, account_id)
    _all_steps(ctx, [s for s in ENGLAND if s not in ("statements_provided", "vulnerability_considered")])
    record_benefit_claim(ctx, "RNT000003", kind="housing_benefit", made_on=date(2026, 3, 1), evidence="form HB1")
    with pytest.raises(InputError) as caught:
        record_action(ctx, "RNT000003", APPLY_FOR_POSSESSION)
    assert caught.value.message == (
        "Cannot apply for possession yet: record these protocol steps first: rent statements provided, "
        "vulnerability considered; a housing benefit claim made 01/03/2026 is awaiting decision")
    assert _events(engine, "arrears.action_recorded") == []
    state = protocol_state(ctx, "RNT000003")
    assert state.outstanding == ("statements_provided", "vulnerability_considered")
    assert state.gate.blocked_by == ("protocol:statements_provided", "protocol:vulnerability_considered",
                                     "benefit_claim_pending")
    assert any("Pre-Action Protocol" in line for line in state.gate.reasons)  # the law engine's own lines


def test_protocol_gate_opens_when_every_step_is_done_and_the_claim_decided_and_the_step_is_recorded(engine):
    account_id = _seed(engine)
    ctx = ctx_for(engine)
    _notice(engine, account_id)
    _all_steps(ctx, ENGLAND)
    claim = record_benefit_claim(ctx, "RNT000003", kind="universal_credit", made_on=date(2026, 3, 1))
    assert "a universal credit (housing costs) claim made 01/03/2026 is awaiting decision" in \
        protocol_state(ctx, "RNT000003").gate.message
    decided = decide_benefit_claim(ctx, claim.id, decided_on=TODAY, outcome="awarded", version=claim.version)
    state = protocol_state(ctx, "RNT000003")
    assert state.gate.may_apply and state.gate.message == "" and state.outstanding == ()
    assert all(s.done and s.evidence for s in state.steps)
    done = record_action(ctx, "RNT000003", APPLY_FOR_POSSESSION, "N5 and N119 filed")
    assert done.action == APPLY_FOR_POSSESSION
    # the decision was made once: a second, on the old version, is refused saying what is stored now
    with pytest.raises(ConflictError, match="changed by someone else \\(now decided 10/03/2026: awarded\\)"):
        decide_benefit_claim(ctx, claim.id, decided_on=TODAY, outcome="refused", version=claim.version)
    assert decided.version == claim.version + 1
    assert [e["outcome"] for e in _events(engine, "arrears.benefit_claim_decided")] == ["awarded"]
    assert _events(engine, "arrears.protocol_viewed")[-1] == {"blocked_by": [], "may_apply": True}


def test_protocol_gate_names_the_notice_and_the_law_engine_s_other_reasons(engine):
    account_id = _seed(engine)
    ctx = ctx_for(engine)
    _all_steps(ctx, ENGLAND)
    with pytest.raises(InputError, match="^Cannot apply for possession yet: no notice has been served: serve one first$"):
        record_action(ctx, "RNT000003", APPLY_FOR_POSSESSION)
    _notice(engine, account_id, served=date(2026, 3, 2), proceedings_from=date(2026, 4, 5))
    with pytest.raises(InputError, match="the notice seeking possession served on 02/03/2026 allows proceedings "
                                         "only from 05/04/2026"):
        record_action(ctx, "RNT000003", APPLY_FOR_POSSESSION)
    # judged on the day the step is recorded as taken: steps done after it do not count
    with pytest.raises(InputError, match="record these protocol steps first: contact made, rent statements"):
        record_action(at(ctx, date(2026, 4, 20)), "RNT000003", APPLY_FOR_POSSESSION, taken_on=date(2026, 2, 19))


def test_protocol_statements_older_than_the_council_s_three_months_no_longer_count(engine):
    account_id = _seed(engine)
    ctx = ctx_for(engine)
    _notice(engine, account_id)
    _all_steps(ctx, ENGLAND, day=date(2026, 2, 20))
    later = at(ctx, date(2026, 7, 1))  # the 92-day currency is in force from 6 April 2026
    state = protocol_state(later, "RNT000003")
    assert state.outstanding == ("statements_provided",)
    line = next(s for s in state.steps if s.rule.code == "statements_provided")
    assert (line.done_on, line.stale_from, line.done) == (date(2026, 2, 20), date(2026, 5, 23), False)
    assert state.gate.message == ("Cannot apply for possession yet: record these protocol steps first: rent "
                                  "statements provided (last recorded 20/02/2026, no longer counts from 23/05/2026)")
    record_step(later, "RNT000003", step="statements_provided", done_on=date(2026, 6, 30), evidence="Q1 statement")
    assert protocol_state(later, "RNT000003").gate.may_apply


def test_s14a_the_four_requirements_and_the_s11_notification_gate_a_scottish_secure_tenancy(engine):
    account_id = _seed(engine, tenancy_type="scottish_secure")
    ctx = ctx_for(engine)
    with pytest.raises(InputError, match="'contact_made' is a step in England; RNT000003 is a scottish secure "
                                         "tenancy in Scotland, whose steps are s14a_information"):
        record_step(ctx, "RNT000003", step="contact_made", done_on=TODAY, evidence="visit")
    _notice(engine, account_id, kind="s14")
    _all_steps(ctx, SCOTLAND[:3])
    state = protocol_state(ctx, "RNT000003")
    assert [s.rule.code for s in state.steps] == list(SCOTLAND) and state.jurisdiction == "scotland"
    assert state.gate.message == (
        "Cannot apply for possession yet: record these protocol steps first: efforts to agree a payment "
        "plan; the local authority has not been told of the proceedings (Homelessness etc. (Scotland) Act 2003 "
        "s11): record the notification on the notice")
    _all_steps(ctx, SCOTLAND[3:])
    with session_scope(engine, write=True) as s:
        s.execute(text("UPDATE arrears_notice SET la_notified_on = :d"), {"d": date(2026, 3, 1)})
    assert protocol_state(ctx, "RNT000003").gate.may_apply
    record_action(ctx, "RNT000003", APPLY_FOR_POSSESSION)


def test_s14a_no_proceedings_while_a_benefit_claim_is_pending_in_scotland(engine):
    account_id = _seed(engine, tenancy_type="scottish_secure")
    ctx = ctx_for(engine)
    _notice(engine, account_id, kind="s14", la_notified=date(2026, 3, 1))
    _all_steps(ctx, SCOTLAND)
    record_benefit_claim(ctx, "RNT000003", kind="housing_benefit", made_on=date(2026, 3, 5))
    with pytest.raises(InputError, match="^Cannot apply for possession yet: a housing benefit claim made 05/03/2026 "
                                         "is awaiting decision$"):
        record_action(ctx, "RNT000003", APPLY_FOR_POSSESSION)


def test_benefit_claims_refuse_bad_kinds_and_days(engine):
    _seed(engine)
    ctx = ctx_for(engine)
    with pytest.raises(InputError) as caught:
        record_benefit_claim(ctx, "RNT000003", kind="pip", made_on=None)
    assert caught.value.problems == ["kind: 'pip' is not a benefit claim; choose one of housing_benefit, "
                                     "universal_credit", "made_on: give the day the claim was made (DD/MM/YYYY)"]
    claim = record_benefit_claim(ctx, "RNT000003", kind="housing_benefit", made_on=date(2026, 3, 1))
    with pytest.raises(InputError, match="decided_on: 28/02/2026 is before the claim was made \\(01/03/2026\\)"):
        decide_benefit_claim(ctx, claim.id, decided_on=date(2026, 2, 28), outcome="awarded", version=claim.version)
    with pytest.raises(InputError, match="outcome: 'maybe' is not a decision"):
        decide_benefit_claim(ctx, claim.id, decided_on=TODAY, outcome="maybe", version=claim.version)
    assert protocol_state(ctx, "RNT000003").pending_claims[0].id == claim.id
    assert _events(engine, "arrears.benefit_claim_recorded") == [
        {"evidence": False, "kind": "housing_benefit", "made_on": "2026-03-01"}]


def test_uc_managed_payment_requested_approved_ended_with_optimistic_locking(engine):
    _seed(engine)
    ctx = ctx_for(engine)
    asked = request_managed_payment(ctx, "RNT000003", requested_on=date(2026, 3, 2), note="APA form sent to DWP")
    assert (asked.state, asked.state_on) == ("requested", date(2026, 3, 2))
    with pytest.raises(InputError, match="already has a managed payment requested on 02/03/2026 \\(requested since "
                                         "02/03/2026\\); update that one instead"):
        request_managed_payment(ctx, "RNT000003", requested_on=TODAY)
    approved = set_managed_payment_state(ctx, asked.id, state="approved", on=date(2026, 3, 9), version=asked.version)
    with pytest.raises(ConflictError, match="changed by someone else \\(now approved since 09/03/2026\\)"):
        set_managed_payment_state(ctx, asked.id, state="refused", on=TODAY, version=asked.version)
    with pytest.raises(InputError, match="state: it is approved since 09/03/2026 and cannot become refused; "
                                         "choose ended"):
        set_managed_payment_state(ctx, asked.id, state="refused", on=TODAY, version=approved.version)
    with pytest.raises(InputError, match="on: 08/03/2026 is before it became approved"):
        set_managed_payment_state(ctx, asked.id, state="ended", on=date(2026, 3, 8), version=approved.version)
    ended = set_managed_payment_state(ctx, asked.id, state="ended", on=TODAY, version=approved.version)
    with pytest.raises(InputError, match="cannot become approved; it is final"):
        set_managed_payment_state(ctx, asked.id, state="approved", on=TODAY, version=ended.version)
    again = request_managed_payment(ctx, "RNT000003", requested_on=TODAY)  # the old one has ended
    shown = protocol_state(ctx, "RNT000003").managed_payments
    assert [(m.id, m.state) for m in shown] == [(again.id, "requested"), (asked.id, "ended")]
    assert [(e["from"], e["state"]) for e in _events(engine, "arrears.managed_payment_updated")] == [
        ("requested", "approved"), ("approved", "ended")]
    with pytest.raises(PermissionDenied):
        request_managed_payment(ctx_for(engine, "reception"), "RNT000003", requested_on=TODAY)
