"""The "Adverts" screen and an advert's shortlist (docs/LETTINGS_LETTING.md) through the real app at
80x24, keyboard only: open the advert, run its shortlist, offer to the top eligible bidder, record a
refusal, re-offer to the next, book the viewing, record the acceptance and complete the sign-up."""

from __future__ import annotations

from datetime import date

import pytest
from areas.lettings.homes_builders import add_application, rows, seeded
from pilot import SIZE, build_app, keys, quick_sign_in, screen_text, settle, type_text, wait_for

from duty_tui.areas.lettings.services.bids import place_bid
from duty_tui.areas.lettings.tui.adverts import AdvertsScreen
from duty_tui.areas.lettings.tui.shortlist import ShortlistScreen


def _flat(app) -> str:
    return " ".join(screen_text(app).split())


@pytest.mark.sqlite_only  # the screens, not the data (test_offers.py runs both databases)
async def test_open_advert_shortlist_offer_refuse_reoffer_viewing_and_sign_up_by_keyboard(engine):
    ctx, advert = seeded(engine)
    add_application(engine, "LA000001", band="A", band_on=date(2025, 1, 1))
    add_application(engine, "LA000002", band="A", band_on=date(2025, 6, 1))
    add_application(engine, "LA000003", band="A", need=3)
    for ref in ("LA000002", "LA000001", "LA000003"):
        place_bid(ctx, advert, ref)
    app = build_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        await quick_sign_in(app, pilot, "leader")
        await pilot.press("ctrl+p")
        await settle(app, pilot)
        await pilot.press(*keys("adverts"))
        await settle(app, pilot)
        await pilot.press("enter")
        await wait_for(app, pilot, lambda: isinstance(app.screen, AdvertsScreen) and advert in _flat(app))
        await pilot.press("enter")
        await wait_for(app, pilot, lambda: isinstance(app.screen, ShortlistScreen) and "LA000003" in _flat(app))
        await pilot.press("r")
        await wait_for(app, pilot, lambda: "Shortlist run: 2 eligible, 1 skipped" in _flat(app))
        assert "bedroom need outside the range" in _flat(app)
        await pilot.press("c")   # the highlighted bidder (top of the list) before the offer
        await wait_for(app, pilot, lambda: "LA000001: ok application active" in _flat(app))
        assert "within the 35% threshold" in _flat(app)
        await pilot.press("m")
        await wait_for(app, pilot, lambda: "to LA000001: live" in _flat(app))
        await pilot.press("x")
        await settle(app, pilot)
        await type_text(app, pilot, "too far from school")
        await pilot.press("f9")
        await wait_for(app, pilot, lambda: "refused (unreasonable)" in _flat(app))
        await pilot.press("m")
        await wait_for(app, pilot, lambda: "to LA000002: live" in _flat(app))
        await pilot.press("v")
        await settle(app, pilot)
        await type_text(app, pilot, "11/03/2026")
        await pilot.press("tab")
        await type_text(app, pilot, "14:00")
        await pilot.press("f9")
        await wait_for(app, pilot, lambda: "Viewings: 11/03 14:00" in _flat(app))
        await pilot.press("a")
        await wait_for(app, pilot, lambda: "to LA000002: accepted" in _flat(app))
        await pilot.press("s")
        await settle(app, pilot)
        await type_text(app, pilot, "16/03/2026")
        await pilot.press("f9")
        await wait_for(app, pilot, lambda: "Signed up: tenancy" in _flat(app))
        assert "re-let in 42 days" in _flat(app)
    assert rows(engine, "SELECT l.ref, l.status FROM lettings_application l ORDER BY l.ref") == [
        ("LA000001", "active"), ("LA000002", "housed"), ("LA000003", "active")]
    assert rows(engine, "SELECT let_on FROM lettings_void WHERE new_tenancy_id IS NOT NULL") == [("2026-03-16",)]


@pytest.mark.sqlite_only
async def test_a_sign_up_before_the_last_tenancy_ended_is_refused_in_the_dialog_with_the_date_kept(engine):
    """Bad input is refused with the rule named and nothing typed lost (issue 16, "Bad input")."""
    from duty_tui.areas.lettings.services.offers import accept_offer, make_offer

    ctx, advert = seeded(engine)
    add_application(engine, "LA000001")
    place_bid(ctx, advert, "LA000001")
    accept_offer(ctx, make_offer(ctx, advert))
    app = build_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        await quick_sign_in(app, pilot, "leader")
        app.push_screen(ShortlistScreen(advert))
        await wait_for(app, pilot, lambda: "to LA000001: accepted" in _flat(app))
        await pilot.press("s")
        await settle(app, pilot)
        dialog = app.screen
        await type_text(app, pilot, "01/01/2026")
        await pilot.press("f9")
        await wait_for(app, pilot, lambda: "before the last one ended 02/02/2026" in _flat(app))
        assert app.screen is dialog and "01/01/2026" in _flat(app)
    assert rows(engine, "SELECT count(*) FROM lettings_signup") == [(0,)]
