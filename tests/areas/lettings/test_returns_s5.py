"""Scotland: section 5 referrals (docs/LETTINGS_RETURNS.md), SQLite and PostgreSQL — the six-week target
from policy data, overdue shown, an outcome recorded once, and refused outside Scotland."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import text

from duty_tui.areas.lettings.services.returns_s5 import list_s5, record_s5, record_s5_outcome
from duty_tui.core.db.engine import session_scope
from duty_tui.core.domain.errors import InputError

from .returns_rows import ctx_for, seed_lets


def _scot(engine):
    return ctx_for(engine, jurisdiction="scotland")


def test_s5_target_is_six_weeks_from_the_referral_by_policy_data(engine):
    seed_lets(engine)
    line = record_s5(_scot(engine), application_ref="LA0000001", association="Kingdom HA", referred_on=date(2026, 1, 20))
    assert line.target_on == date(2026, 3, 3)  # 42 days (data/lettings/s5.toml)


def test_s5_list_shows_overdue_past_the_target_without_an_outcome(engine):
    seed_lets(engine)
    ctx = _scot(engine)  # today is 10/03/2026
    late = record_s5(ctx, application_ref="LA0000001", association="Kingdom HA", referred_on=date(2026, 1, 20))
    fresh = record_s5(ctx, application_ref="LA0000002", association="Link Group", referred_on=date(2026, 3, 1))
    states = {line.id: line.as_json(ctx.today()) for line in list_s5(ctx)}
    assert (states[late.id]["state"], states[late.id]["days_over"]) == ("overdue", 7)
    assert states[fresh.id]["state"] == "open" and states[fresh.id]["target_on"] == "2026-04-12"
    assert [line.id for line in list_s5(ctx, open_only=True)] == [late.id, fresh.id]


def test_s5_outcome_is_recorded_once_and_met_when_housed_by_the_target(engine):
    seed_lets(engine)
    ctx = _scot(engine)
    line = record_s5(ctx, application_ref="LA0000002", association="Link Group", referred_on=date(2026, 1, 20))
    record_s5_outcome(ctx, referral_id=line.id, outcome="housed", on=date(2026, 3, 2))
    with pytest.raises(InputError, match="already has its outcome"):
        record_s5_outcome(ctx, referral_id=line.id, outcome="withdrawn", on=date(2026, 3, 3))
    (found,) = list_s5(ctx)
    assert (found.outcome, found.state(ctx.today())) == ("housed", "met")
    assert list_s5(ctx, open_only=True) == []


def test_s5_is_refused_outside_scotland_and_saves_nothing(engine):
    seed_lets(engine)
    with pytest.raises(InputError, match="Scottish law"):
        record_s5(ctx_for(engine), application_ref="LA0000001", association="Kingdom HA", referred_on=date(2026, 1, 20))
    with pytest.raises(InputError, match="not on the register"):
        record_s5(_scot(engine), application_ref="LA9999999", association="Kingdom HA", referred_on=date(2026, 1, 20))
    with session_scope(engine) as s:
        assert s.execute(text("SELECT count(*) FROM lettings_s5_referral")).scalar() == 0


def test_s5_housed_after_the_target_is_missed_and_another_outcome_is_closed(engine):
    seed_lets(engine)
    ctx = _scot(engine)
    late = record_s5(ctx, application_ref="LA0000001", association="Kingdom HA", referred_on=date(2026, 1, 1))
    gone = record_s5(ctx, application_ref="LA0000002", association="Link Group", referred_on=date(2026, 1, 1))
    record_s5_outcome(ctx, referral_id=late.id, outcome="housed", on=date(2026, 2, 13))  # target was 12/02
    record_s5_outcome(ctx, referral_id=gone.id, outcome="withdrawn", on=date(2026, 1, 5))
    states = {line.id: line.state(ctx.today()) for line in list_s5(ctx)}
    assert states == {late.id: "missed", gone.id: "closed"}
