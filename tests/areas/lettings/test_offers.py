"""Offers, refusals, viewings and sign-up on SQLite and PostgreSQL (docs/LETTINGS_LETTING.md): one live
offer per home, the unreasonable-refusal consequence, the s202 review right on a final offer, re-offer to
the next on the shortlist, and sign-up creating the tenancy and account and closing the void."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from areas.lettings.homes_builders import add_application, ctx_for, rows, seeded

from duty_tui.areas.lettings.services.bids import place_bid, run_shortlist
from duty_tui.areas.lettings.services.homes import create_advert, record_void
from duty_tui.areas.lettings.services.offers import (
    accept_offer,
    book_viewing,
    make_offer,
    offer_letter_lines,
    offers_for,
    refuse_offer,
)
from duty_tui.areas.lettings.services.signup import book_signup, complete_signup, tenancy_pack_lines, tenancy_pack_pdf
from duty_tui.core.domain.errors import InputError


def _shortlisted(engine):
    ctx, advert = seeded(engine)
    add_application(engine, "LA000001", band="A", band_on=date(2025, 1, 1))
    add_application(engine, "LA000002", band="A", band_on=date(2025, 6, 1))
    add_application(engine, "LA000003", band="B", homeless="main")
    for ref in ("LA000001", "LA000002", "LA000003"):
        place_bid(ctx, advert, ref)
    run_shortlist(ctx, advert)
    return ctx, advert


def test_offer_goes_to_the_top_eligible_bidder_and_a_second_live_offer_is_refused(engine):
    ctx, advert = _shortlisted(engine)
    first = make_offer(ctx, advert)
    assert rows(engine, "SELECT l.ref, o.status, o.respond_by FROM lettings_offer o JOIN lettings_application l "
                        "ON l.id = o.application_id") == [("LA000001", "live", "2026-03-13")]
    with pytest.raises(InputError, match=f"already has a live offer \\({first}\\); one live offer per home"):
        make_offer(ctx, advert, "LA000002")
    assert rows(engine, "SELECT count(*) FROM lettings_offer") == [(1,)]


def test_unreasonable_refusals_suspend_at_the_policy_limit_and_reoffer_goes_to_the_next(engine):
    ctx, advert = _shortlisted(engine)
    with engine.begin() as c:
        c.exec_driver_sql("UPDATE lettings_application SET unreasonable_refusals = 1 WHERE ref = 'LA000001'")
    offer = make_offer(ctx, advert)
    refusal = refuse_offer(ctx, offer, "too far from work", reasonable=False)
    assert refusal.suspended and refusal.unreasonable_refusals == 2
    assert rows(engine, "SELECT status FROM lettings_application WHERE ref = 'LA000001'") == [("suspended",)]
    again = make_offer(ctx, advert)
    assert [(o.ref, o.application_ref, o.status) for o in offers_for(ctx, advert)] == [
        (again, "LA000002", "live"), (offer, "LA000001", "refused")]
    reasonable = refuse_offer(ctx, again, "stairs: medical need for ground floor", reasonable=True)
    assert not reasonable.suspended and reasonable.unreasonable_refusals == 0
    with pytest.raises(InputError, match="reason for refusing"):
        refuse_offer(ctx, make_offer(ctx, advert), "  ", reasonable=True)


def test_final_offer_to_a_homeless_applicant_carries_the_s202_review_right(engine):
    ctx, advert = _shortlisted(engine)
    offer = make_offer(ctx, advert, "LA000003", is_final=True)
    (row,) = offers_for(ctx, advert)
    assert row.ref == offer and row.is_final and row.review_by == date(2026, 3, 31)   # + 21 days
    letter = "\n".join(offer_letter_lines(ctx, offer))
    assert "REVIEW OF SUITABILITY (Housing Act 1996 s202)" in letter and "by 31/03/2026" in letter


def test_an_offer_letter_that_is_not_a_final_homeless_offer_has_no_s202_paragraph(engine):
    ctx, advert = _shortlisted(engine)
    letter = "\n".join(offer_letter_lines(ctx, make_offer(ctx, advert)))
    assert "s202" not in letter and "by 13/03/2026" in letter and "£95.00" in letter


def test_signup_creates_tenancy_and_account_closes_the_void_and_records_relet_days(engine):
    ctx, advert = _shortlisted(engine)
    offer = make_offer(ctx, advert)
    book_viewing(ctx, offer, datetime(2026, 3, 11, 14, 0, tzinfo=UTC))
    with pytest.raises(InputError, match="record the acceptance"):
        complete_signup(ctx, offer, date(2026, 3, 16))
    accept_offer(ctx, offer)
    book_signup(ctx, offer, datetime(2026, 3, 13, 10, 0, tzinfo=UTC))
    done = complete_signup(ctx, offer, date(2026, 3, 16))
    assert done.relet_days == 42                       # 02/02/2026 → 16/03/2026
    assert rows(engine, "SELECT t.ref, t.start_date, t.weekly_rent_pence, a.ref, a.account_type FROM tenancy t "
                        "JOIN account a ON a.tenancy_id = t.id WHERE t.ref = :r", r=done.tenancy_ref) == [
        (done.tenancy_ref, "2026-03-16", 9500, done.account_ref, "rent")]
    assert rows(engine, "SELECT v.let_on, t.ref FROM lettings_void v JOIN tenancy t ON t.id = v.new_tenancy_id") == [
        ("2026-03-16", done.tenancy_ref)]
    assert rows(engine, "SELECT status FROM lettings_application WHERE ref = 'LA000001'") == [("housed",)]
    assert rows(engine, "SELECT status FROM lettings_advert WHERE ref = :r", r=advert) == [("let",)]
    lines = tenancy_pack_lines(ctx, offer)
    assert any("£95.00" in line for line in lines) and any("DIRECT DEBIT" in line for line in lines)
    assert tenancy_pack_pdf(ctx, offer).startswith(b"%PDF")
    with pytest.raises(InputError):
        complete_signup(ctx, offer, date(2026, 3, 16))


def test_relet_days_are_not_recorded_for_an_excluded_void_type(engine):
    ctx, _ = seeded(engine)
    add_application(engine, "LA000009")
    void_id = record_void(ctx, "PR000003", date(2026, 1, 5), void_type="major_works")
    advert = create_advert(ctx, void_id, cycle_code=None, min_bedrooms=1, max_bedrooms=2, direct_match="LA000009")
    offer = make_offer(ctx, advert)
    accept_offer(ctx, offer)
    assert complete_signup(ctx, offer, date(2026, 3, 16)).relet_days is None


def test_offers_need_lettings_manage(engine):
    _ctx, advert = _shortlisted(engine)
    from duty_tui.core.domain.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        make_offer(ctx_for(engine, "reception"), advert)
