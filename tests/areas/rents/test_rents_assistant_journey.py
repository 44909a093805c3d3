"""A rents assistant's journey, keyboard only at 80x24, on SQLite and PostgreSQL (issue 15, "Done when";
docs/RENTS.md): early in March they model next year's increase, apply it with the notices given in time
and open one tenant's notice; in April they preview and run the week's debit, see a tenant's new weekly
charges, and end a tenancy, seeing its final balance moved to the former-tenant account.

Each sitting is a fresh app at a later day, as a person comes back to the desk; the person signed in holds
``rents.manage`` and not ``arrears.manage`` (the role the issue is for)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from builders import _hash, seed_office
from pilot import SIZE, build_app, keys, quick_sign_in, screen_text, settle, wait_for
from sqlalchemy import text

from duty_tui.areas.rents.services.charges import seed_basic_rent
from duty_tui.areas.rents.tui.charges import RentChargesScreen
from duty_tui.areas.rents.tui.debit import RentDebitScreen
from duty_tui.areas.rents.tui.review import RentNoticeScreen, RentReviewScreen
from duty_tui.areas.rents.tui.tenancy_end import TenancyEndScreen
from duty_tui.core.config.settings import Settings
from duty_tui.core.services.auth import find_actor
from duty_tui.core.services.context import ServiceContext
from duty_tui.core.tui.kit.dialogs import ConfirmDialog

REVIEW_DAY = date(2026, 3, 3)   # a Tuesday: notices posted on the 4th reach tenants four weeks before 6 April
DEBIT_DAY = date(2026, 4, 7)    # the Tuesday of the new rent year's first week


def _at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 9, 15, tzinfo=UTC)


def _flat(app) -> str:
    return " ".join(screen_text(app).split())


def _rows(engine, sql: str) -> list[tuple]:
    with engine.connect() as c:
        return [tuple(r) for r in c.execute(text(sql)).all()]


def _seed(engine) -> None:
    """The builders' office (three tenancies; T00001 at £110.50 a week), basic rent charged from 2 March,
    and a rents assistant."""
    seed_office(engine)
    with engine.begin() as c:
        c.execute(text("INSERT INTO staff_user (username, display_name, role, password_hash, active, "
                       "failed_logins, version) VALUES ('rents', 'Rhea Rents', 'rents_assistant', :h, :a, 0, 1)"),
                  {"h": _hash(), "a": True})
    ctx = ServiceContext.create(engine, Settings(db_url=str(engine.url)), terminal="seed",
                                clock=lambda: _at(date(2026, 3, 2)))
    assert seed_basic_rent(ctx.as_actor(find_actor(ctx, "leader")), date(2026, 3, 2)) == 3


async def _open(app, pilot, name: str) -> None:
    await pilot.press("ctrl+p")
    await settle(app, pilot)
    await pilot.press(*keys(name))
    await settle(app, pilot)
    await pilot.press("enter")
    await settle(app, pilot, 3)


async def _review(engine) -> None:
    app = build_app(engine, now=_at(REVIEW_DAY))
    async with app.run_test(size=SIZE) as pilot:
        await quick_sign_in(app, pilot, "rents")
        await _open(app, pilot, "rent review")
        review = app.screen
        assert isinstance(review, RentReviewScreen)
        await pilot.press(*keys("2026"), "tab", *keys("4.8"), "tab", *keys("04/03/2026"), "f12")
        await wait_for(app, pilot, lambda: review.ref is not None)
        assert "3 of 3 charges change" in _flat(app) and "£115.80" in _flat(app)  # £110.50 + 4.8%
        await pilot.press("f9")
        await settle(app, pilot)
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("y")
        await wait_for(app, pilot, lambda: review.applied)
        assert "3 notices" in _flat(app) and "T00001" in _flat(app)
        await pilot.press("enter")
        await wait_for(app, pilot, lambda: isinstance(app.screen, RentNoticeScreen))
        assert await wait_for(app, pilot, lambda: "Rent account: RNT000001" in _flat(app)), _flat(app)
        await pilot.press("escape")
        await settle(app, pilot, 3)
        assert app.screen is review
    [(status, notices_on)] = _rows(engine, "SELECT status, notices_on FROM rent_review")
    assert status == "applied" and str(notices_on) == "2026-03-04"
    assert len(_rows(engine, "SELECT id FROM rent_variation_notice")) == 3


async def _debit_charges_and_end(engine) -> None:
    app = build_app(engine, now=_at(DEBIT_DAY))
    async with app.run_test(size=SIZE) as pilot:
        await quick_sign_in(app, pilot, "rents")
        await _open(app, pilot, "rent debit run")
        debit = app.screen
        assert isinstance(debit, RentDebitScreen)
        # six weeks (2 March to 6 April) for three tenancies, nothing posted by the preview
        assert await wait_for(app, pilot, lambda: "To post 18 charges" in _flat(app)), _flat(app)
        assert _rows(engine, "SELECT COUNT(*) FROM ledger_entry WHERE external_id LIKE 'debit:%'") == [(0,)]
        await pilot.press("f9")
        await settle(app, pilot)
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("y")
        await wait_for(app, pilot, lambda: "To post 0 charges" in _flat(app) or app.screen is not debit)
        assert _rows(engine, "SELECT COUNT(*) FROM ledger_entry WHERE external_id LIKE 'debit:%'") == [(18,)]
        await pilot.press("escape")
        await settle(app, pilot, 3)
        # the tenant's new weekly charges, from the review
        await _open(app, pilot, "rent charges")
        assert isinstance(app.screen, RentChargesScreen)
        await pilot.press(*keys("T00001"), "enter")
        assert await wait_for(app, pilot, lambda: "Weekly total £115.80" in _flat(app)), _flat(app)
        await pilot.press("escape")
        await settle(app, pilot, 3)
        # the tenancy ends today; the preview posts nothing, F9 asks, the final balance moves
        await _open(app, pilot, "end a tenancy")
        ending = app.screen
        assert isinstance(ending, TenancyEndScreen)
        await pilot.press(*keys("T00001"), "tab", "tab", *keys("moved to a care home"), "enter")
        assert await wait_for(app, pilot, lambda: "former tenant account" in _flat(app)), _flat(app)
        await pilot.press("f9")
        await settle(app, pilot)
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("y")
        assert await wait_for(app, pilot, lambda: "moved to former tenant" in _flat(app)), _flat(app)
        moved_to = ending.done.outcome_ref
        assert moved_to and moved_to.startswith("FTA") and moved_to in _flat(app)
    balances = dict(_rows(engine, "SELECT a.ref, COALESCE(SUM(l.amount_pence), 0) FROM account a "
                                  "LEFT JOIN ledger_entry l ON l.account_id = a.id GROUP BY a.ref"))
    assert balances["RNT000001"] == 0 and balances[moved_to] > 0
    [(ended_on, outcome)] = _rows(engine, "SELECT ended_on, outcome FROM rent_tenancy_end")
    assert str(ended_on) == "2026-04-07" and outcome == "former_tenant"


async def test_a_rents_assistant_reviews_the_rent_runs_the_debit_and_ends_a_tenancy(engine):
    _seed(engine)
    await _review(engine)
    await _debit_charges_and_end(engine)
    actions = {a for (a,) in _rows(engine, "SELECT action FROM audit_event")}
    assert {"rent.review_applied", "rent.notice_viewed", "rent.debit_run", "rent.tenancy_ended"} <= actions
