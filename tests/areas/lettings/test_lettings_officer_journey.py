"""A lettings officer's journey, keyboard only at 80x24, on SQLite and PostgreSQL (issue 16, "Done when";
docs/LETTINGS_LETTING.md): open this cycle's advert, run its shortlist, offer to the top eligible bidder,
record a refusal and re-offer, book the viewing, record the acceptance and complete the sign-up — and the
re-let time appears in the lettings statistics.

Signed in as a lettings officer (role ``lettings_officer``: ``lettings.manage``, no rents or arrears work)."""

from __future__ import annotations

from datetime import date

from areas.lettings.homes_builders import add_application, rows, seeded
from builders import _hash
from pilot import SIZE, build_app, keys, quick_sign_in, screen_text, settle, type_text, wait_for
from sqlalchemy import text

from duty_tui.areas.lettings.services.bids import place_bid
from duty_tui.areas.lettings.tui.adverts import AdvertsScreen
from duty_tui.areas.lettings.tui.returns_statistics import LettingsStatisticsScreen
from duty_tui.areas.lettings.tui.shortlist import ShortlistScreen


def _flat(app) -> str:
    return " ".join(screen_text(app).split())


def _seed(engine) -> str:
    """The builders' office, a void (the last tenancy ended 02/02/2026) advertised in cycle C1 for one
    bedroom, three band-A bidders: LA000001 banded first, LA000002 next, LA000003 needing three bedrooms."""
    ctx, advert = seeded(engine)
    add_application(engine, "LA000001", band="A", band_on=date(2025, 1, 1))
    add_application(engine, "LA000002", band="A", band_on=date(2025, 6, 1))
    add_application(engine, "LA000003", band="A", need=3)
    for ref in ("LA000002", "LA000001", "LA000003"):
        place_bid(ctx, advert, ref)
    with engine.begin() as c:
        c.execute(text("INSERT INTO staff_user (username, display_name, role, password_hash, active, "
                       "failed_logins, version) VALUES ('lettings', 'Lena Lettings', 'lettings_officer', :h, :a, 0, 1)"),
                  {"h": _hash(), "a": True})
    return advert


async def _palette(app, pilot, name: str) -> None:
    await pilot.press("ctrl+p")
    await settle(app, pilot)
    await pilot.press(*keys(name))
    await settle(app, pilot)
    await pilot.press("enter")
    await settle(app, pilot, 3)


async def _until(app, pilot, words: str) -> None:
    assert await wait_for(app, pilot, lambda: words in _flat(app)), (words, _flat(app))


async def _shortlist_offer_refuse_reoffer(app, pilot, advert: str) -> None:
    await _palette(app, pilot, "adverts")
    assert await wait_for(app, pilot, lambda: isinstance(app.screen, AdvertsScreen) and advert in _flat(app))
    await pilot.press("enter")
    assert await wait_for(app, pilot, lambda: isinstance(app.screen, ShortlistScreen) and "LA000003" in _flat(app))
    await pilot.press("r")
    await _until(app, pilot, "Shortlist run: 2 eligible, 1 skipped")
    assert "bedroom need outside the range" in _flat(app)  # who was skipped, and why
    await pilot.press("c")  # the top bidder's pre-tenancy and affordability checks before the offer
    await _until(app, pilot, "LA000001: ok application active")
    await pilot.press("m")
    await _until(app, pilot, "to LA000001: live")
    await pilot.press("x")
    await settle(app, pilot)
    await type_text(app, pilot, "too far from school")
    await pilot.press("f9")
    await _until(app, pilot, "refused (unreasonable)")
    await pilot.press("m")  # re-offer: the next eligible bidder
    await _until(app, pilot, "to LA000002: live")


async def _viewing_and_sign_up(app, pilot) -> None:
    await pilot.press("v")
    await settle(app, pilot)
    await type_text(app, pilot, "10/03/2026")
    await pilot.press("tab")
    await type_text(app, pilot, "11:30")
    await pilot.press("f9")
    await _until(app, pilot, "Viewings: 10/03 11:30")
    await pilot.press("a")
    await _until(app, pilot, "to LA000002: accepted")
    await pilot.press("s")
    await settle(app, pilot)
    await type_text(app, pilot, "10/03/2026")
    await pilot.press("f9")
    await _until(app, pilot, "Signed up: tenancy")
    assert "re-let in 36 days" in _flat(app)  # 02/02/2026 to 10/03/2026, calendar days


async def test_a_lettings_officer_lets_a_home_from_shortlist_to_sign_up_and_sees_the_relet_time(engine):
    advert = _seed(engine)
    app = build_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        await quick_sign_in(app, pilot, "lettings")
        await _shortlist_offer_refuse_reoffer(app, pilot, advert)
        await _viewing_and_sign_up(app, pilot)
        await pilot.press("escape")
        await settle(app, pilot)
        await pilot.press("escape")
        await settle(app, pilot, 3)
        await _palette(app, pilot, "lettings statistics")
        screen = app.screen
        assert isinstance(screen, LettingsStatisticsScreen)
        assert await wait_for(app, pilot, lambda: screen.measures is not None)
        await _until(app, pilot, "Average re-let days")
        assert screen.measures.counted == [36] and screen.measures.average_days == 36
    assert rows(engine, "SELECT l.ref, l.status FROM lettings_application l ORDER BY l.ref") == [
        ("LA000001", "active"), ("LA000002", "housed"), ("LA000003", "active")]
    assert rows(engine, "SELECT let_on FROM lettings_void WHERE new_tenancy_id IS NOT NULL") == [("2026-03-10",)]
    actions = {a for (a,) in rows(engine, "SELECT action FROM audit_event")}
    assert {"lettings.shortlist_run", "lettings.offer_refused", "lettings.signed_up"} <= actions
