"""The demo office's front-desk history: a year of contacts, visits, complaints and repairs at every stage."""

from __future__ import annotations

from datetime import date, timedelta

from fd_helpers import ctx_for
from sqlalchemy import text

from duty_tui.areas.frontdesk.demo import generate_frontdesk
from duty_tui.areas.frontdesk.services import routing
from duty_tui.areas.frontdesk.services import stats as frontdesk_stats
from duty_tui.core.db.engine import session_scope
from duty_tui.core.demo import generator

TODAY = date(2026, 3, 10)


def test_demo_front_desk_history_on_top_of_the_base_office(engine):
    generator.generate(engine, size="small", seed=3, today=TODAY, office_name="Demo", jurisdiction="england")
    counts = generate_frontdesk(engine, seed=3, today=TODAY, size="small", jurisdiction="england")
    assert counts["contact"] > 1000 and counts["reception_visit"] > 500 and counts["complaint_stage"] >= 20
    again = None
    with session_scope(engine) as s:
        first_day = s.execute(text("SELECT min(at) FROM contact")).scalar()
        channels = {r[0] for r in s.execute(text("SELECT DISTINCT channel FROM contact"))}
        statuses = {r[0] for r in s.execute(text("SELECT DISTINCT status FROM reception_visit"))}
        hazards = {r[0] for r in s.execute(text("SELECT DISTINCT hazard FROM repair_detail"))}
        stages = {tuple(r) for r in s.execute(text(
            "SELECT stage, responded_at IS NULL FROM complaint_stage"))}
        bare = s.execute(text("SELECT count(*) FROM contact c WHERE NOT EXISTS "
                              "(SELECT 1 FROM contact_reason r WHERE r.contact_id = c.id)")).scalar()
        latest = s.execute(text("SELECT max(at) FROM contact")).scalar()
        if engine.dialect.name == "sqlite":
            again = s.execute(text("PRAGMA foreign_key_check")).all()
    assert str(first_day)[:4] == "2025"  # a year of history
    assert {"phone", "face_to_face", "email", "web_form", "letter"} <= channels
    assert {"seen", "left"} <= statuses and {"none", "damp_mould", "emergency"} <= hazards
    assert {(1, True), (1, False), (2, True), (2, False)} <= stages  # every stage, open and answered
    assert bare == 0
    assert str(latest)[:10] <= TODAY.isoformat()
    assert not again

    ctx = ctx_for(engine, "leader")
    queues = {q.code: q for q in routing.list_queues(ctx)}
    assert queues["repairs"].open > 10 and queues["repairs"].overdue > 0
    assert queues["complaints"].open > 0 and queues["complaints"].overdue > 0
    page = routing.queue_page(ctx, "team", "repairs")
    awaab = [r for r in page.rows if (r.clock_name or "").startswith("Awaab")]
    assert awaab
    detail = routing.case_detail(ctx, awaab[0].ref)
    assert any(c.name.startswith("Awaab's Law") for c in detail.clocks) and detail.timeline
    stats = frontdesk_stats.duty_statistics(ctx, TODAY - timedelta(days=364), TODAY)
    assert stats.contacts > 1000 and 0.4 < stats.first_contact_rate < 0.9
    assert 3 < stats.wait_median_minutes < 20 and stats.wait_p95_minutes > stats.wait_median_minutes
    # Deterministic: the same seed and day give the same rows (checked on the queue's order and refs).
    assert [r.ref for r in page.rows][:5] == [r.ref for r in routing.queue_page(ctx, "team", "repairs").rows][:5]
