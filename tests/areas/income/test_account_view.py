"""One account's recovery as the account screen reads it, on SQLite and PostgreSQL (docs/INCOME.md,
"The account screen"): the worklist's own recommendation for it, and its story from every table."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import text
from test_worklist import NOW, TODAY, _events, _seed, ctx_for

from duty_tui.areas.income.db.models import ArrearsNotice, BenefitClaim, CourtHearing, PossessionClaim, ProtocolStep
from duty_tui.areas.income.services.account_view import recovery_account
from duty_tui.areas.income.services.actions import record_action
from duty_tui.areas.income.services.worklist import arrears_worklist
from duty_tui.core.db.engine import session_scope
from duty_tui.core.db.models import LedgerEntry
from duty_tui.core.domain.errors import InputError, NotFound


def _story(engine, account_id: int) -> None:
    with session_scope(engine, write=True) as s:
        notice = ArrearsNotice(account_id=account_id, kind="nosp", served_on=date(2026, 1, 5), method="by_hand",
                               proceedings_from=date(2026, 2, 8), lapses_on=date(2027, 2, 8), arrears_pence=40000,
                               weekly_rent_pence=12500, tenants="Aisha Khan", created_at=NOW)
        s.add(notice)
        s.flush()
        s.add(ProtocolStep(account_id=account_id, step="contact_made", done_on=date(2026, 1, 2),
                           evidence="Phoned; discussed the cause", created_at=NOW))
        s.add(BenefitClaim(account_id=account_id, kind="universal_credit", made_on=date(2026, 2, 1), created_at=NOW))
        claim = PossessionClaim(account_id=account_id, notice_id=notice.id, issued_on=date(2026, 2, 20),
                                claim_number="K00AB123", created_at=NOW)
        s.add(claim)
        s.flush()
        assert claim.id is not None
        s.add(CourtHearing(claim_id=claim.id, account_id=account_id, hearing_on=date(2026, 3, 30), created_at=NOW))


def test_the_account_shows_the_worklist_s_recommendation_and_every_table_s_story_newest_first(engine):
    _seed(engine)
    ctx = ctx_for(engine)
    with engine.connect() as c:
        account_id = c.execute(text("SELECT id FROM account WHERE ref = 'RNT000003'")).scalar()
    record_action(ctx, "RNT000003", "reminder", "texted", taken_on=date(2026, 1, 1))
    _story(engine, account_id)
    acc = recovery_account(ctx, " rnt 000003 ")
    listed = next(r for r in arrears_worklist(ctx, tab="all").rows if r.ref == "RNT000003")
    assert acc.row == listed  # the screen and the worklist never disagree
    assert (acc.ref, acc.balance_pence, acc.weekly_rent_pence, acc.tenancy_type) == ("RNT000003", 50000, 12500,
                                                                                       "secure")
    assert [e.kind for e in acc.events] == ["hearing", "claim", "benefit", "notice", "protocol", "step"]
    notice = next(e for e in acc.events if e.kind == "notice")
    assert "s83" in notice.what and "proceedings from 08/02/2026" in notice.detail and "08/02/2027" in notice.detail
    assert "outcome not recorded" in acc.events[0].detail
    assert "awaiting a decision" in next(e for e in acc.events if e.kind == "benefit").detail
    step = acc.events[-1]
    assert (step.on, step.what, step.detail) == (date(2026, 1, 1), "Step: reminder", "texted") and step.by
    assert _events(engine, "arrears.account_viewed")[-1] == {"events": 6}
    assert acc.events[0].on > TODAY  # the hearing is still to come


def test_an_account_not_in_arrears_has_no_recommendation_and_bad_refs_are_named(engine):
    _seed(engine)
    ctx = ctx_for(engine)
    with session_scope(engine, write=True) as s:  # RNT000001's £152.50 paid off
        account_id = s.execute(text("SELECT id FROM account WHERE ref = 'RNT000001'")).scalar()
        s.add(LedgerEntry(account_id=account_id, effective_date=TODAY, posted_at=NOW, kind="payment",
                          amount_pence=-15250))
    acc = recovery_account(ctx, "RNT000001")
    assert acc.row is None and acc.events == ()
    with pytest.raises(InputError, match="enter an account ref"):
        recovery_account(ctx, "  ")
    with pytest.raises(NotFound, match="RNT999999"):
        recovery_account(ctx, "RNT999999")

