"""One application as the desk and the register officer see it (docs/LETTINGS_REGISTER.md): status,
band and its effective date, bedroom need and overcrowding, the place on the list among active
applications in the same band and bedroom need (ranked by the shortlist's order in ``rank.toml``),
recent bids (``lettings_bid``, read only), the checklist, decisions and reviews. Every read audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import col, select

from duty_tui.areas.lettings.db.models import (
    LettingsAdvert,
    LettingsApplication,
    LettingsAssessment,
    LettingsBid,
    LettingsCheck,
    LettingsReviewRequest,
)
from duty_tui.areas.lettings.domain.bedroom_need import bedrooms_short
from duty_tui.areas.lettings.domain.reference import in_force, load_bands, load_rank_rules
from duty_tui.areas.lettings.domain.register import Waiting, load_checklist, place_on_list
from duty_tui.core.db.engine import session_scope
from duty_tui.core.db.models import Household, Person
from duty_tui.core.domain.errors import NotFound
from duty_tui.core.services import audit
from duty_tui.core.services.context import ServiceContext

RECENT_BIDS = 5


@dataclass(frozen=True)
class BidLine:
    advert_ref: str
    placed_at: datetime
    status: str
    assisted: bool


@dataclass(frozen=True)
class CheckLine:
    item: str
    words: str
    requested_on: date | None
    received_on: date | None
    verified_by: str | None
    verified_at: datetime | None
    note: str | None


@dataclass(frozen=True)
class DecisionLine:
    id: int
    kind: str
    outcome: str
    band: str | None
    effective_on: date
    reasons: str
    notified_on: date | None
    review_by: date | None
    review: str | None
    """The review asked for, if any: "asked 03/03/2026, decide by …" or its outcome."""


@dataclass(frozen=True)
class ApplicationView:
    ref: str
    person_ref: str
    name: str
    household_ref: str
    status: str
    status_reason: str | None
    applied_on: date
    band: str | None
    band_words: str | None
    band_effective_on: date | None
    bedroom_need: int | None
    current_home: str | None
    current_bedrooms: int | None
    bedrooms_short: int | None
    position: int | None
    of: int | None
    bids: tuple[BidLine, ...]
    checks: tuple[CheckLine, ...]
    decisions: tuple[DecisionLine, ...]

    @property
    def place_words(self) -> str:
        """"3rd of 41 in band B needing 2 bedrooms", or why there is no place."""
        if self.position is None or self.of is None:
            return "no place on the list: " + ("no band yet" if self.status == "active" else f"status {self.status}")
        return f"{ordinal(self.position)} of {self.of} in band {self.band} needing {self.bedroom_need} bedroom(s)"


def ordinal(number: int) -> str:
    suffix = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


def _position(session, app: LettingsApplication, ctx: ServiceContext) -> tuple[int | None, int | None]:
    if app.status != "active" or app.band is None or app.band_effective_on is None:
        return None, None
    rows = session.exec(select(col(LettingsApplication.ref), col(LettingsApplication.band_effective_on),
                               col(LettingsApplication.applied_on)).where(
        LettingsApplication.status == "active", LettingsApplication.band == app.band,
        LettingsApplication.bedroom_need == app.bedroom_need)).all()
    waiting = [Waiting(ref, band_on, applied) for ref, band_on, applied in rows if band_on is not None]
    return place_on_list(app.ref, waiting, in_force(load_rank_rules(ctx.settings.data_dir), ctx.today()))


def _decisions(session, app_id: int) -> tuple[DecisionLine, ...]:
    reviews = {r.assessment_id: r for r in session.exec(select(LettingsReviewRequest).where(
        LettingsReviewRequest.application_id == app_id))}
    lines = []
    for a in session.exec(select(LettingsAssessment).where(LettingsAssessment.application_id == app_id)
                          .order_by(col(LettingsAssessment.decided_at).desc(), col(LettingsAssessment.id).desc())):
        r = reviews.get(a.id)
        review = None if r is None else (
            f"review {r.outcome} {r.decided_on:%d/%m/%Y}" if r.decided_on else
            f"review asked {r.requested_on:%d/%m/%Y}, decide by {r.decide_by:%d/%m/%Y}")
        assert a.id is not None
        lines.append(DecisionLine(a.id, a.kind, a.outcome, a.band, a.effective_on, a.reasons, a.notified_on,
                                  a.review_by, review))
    return tuple(lines)


def _checks(session, app_id: int, ctx: ServiceContext) -> tuple[CheckLine, ...]:
    from duty_tui.core.db.models import StaffUser

    words = {item.code: item.words for item in load_checklist(ctx.settings.data_dir)}
    rows = session.exec(select(LettingsCheck, StaffUser.display_name).outerjoin(
        StaffUser, col(StaffUser.id) == col(LettingsCheck.verified_by)).where(
        LettingsCheck.application_id == app_id).order_by(col(LettingsCheck.id))).all()
    return tuple(CheckLine(c.item, words.get(c.item, c.item), c.requested_on, c.received_on, who, c.verified_at, c.note)
                 for c, who in rows)


def application_view(ctx: ServiceContext, ref: str) -> ApplicationView:
    """The application with its place on the list, bids, checks and decisions (audited read)."""
    if not ctx.can("lettings.manage"):
        ctx.require("lettings.view")
    with session_scope(ctx.engine) as session:
        app = session.exec(select(LettingsApplication).where(
            LettingsApplication.ref == ref.strip().upper())).first()
        if app is None or app.id is None:
            raise NotFound(f"no register application {ref!r}; find it from the person (l on the person view)")
        person = session.get(Person, app.person_id)
        household = session.get(Household, app.household_id)
        assert person is not None and household is not None
        position, of = _position(session, app, ctx)
        bids = tuple(BidLine(advert, b.placed_at, b.status, b.assisted) for b, advert in session.exec(
            select(LettingsBid, LettingsAdvert.ref).join(LettingsAdvert, col(LettingsAdvert.id) == col(
                LettingsBid.advert_id)).where(LettingsBid.application_id == app.id)
            .order_by(col(LettingsBid.placed_at).desc()).limit(RECENT_BIDS)).all())
        band_words = next((b.words for b in load_bands(ctx.settings.data_dir) if b.code == app.band), None)
        short = None if app.bedroom_need is None or app.current_bedrooms is None else \
            bedrooms_short(app.bedroom_need, app.current_bedrooms)
        view = ApplicationView(
            app.ref, person.ref, f"{person.forename} {person.surname}", household.ref, app.status, app.status_reason,
            app.applied_on, app.band, band_words, app.band_effective_on, app.bedroom_need, app.current_home,
            app.current_bedrooms, short, position, of, bids, _checks(session, app.id, ctx),
            _decisions(session, app.id))
    audit.record_read(ctx, "lettings.application_viewed", "person", view.person_ref, {"application": view.ref})
    return view


__all__ = ["ApplicationView", "application_view", "ordinal"]
