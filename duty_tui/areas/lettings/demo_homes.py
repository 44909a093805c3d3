"""The homes side of the lettings demo (duty_tui.areas.lettings.demo; docs/LETTINGS_DEMO.md): property
details, voids, this week's bidding cycle with its adverts and bids, last week's cycle shortlisted by the
ranking rule (bids skipped with their reasons) with live offers and a viewing, and the past year's lets.

A let is recorded against a tenancy the base office started in the past year: its void ends with
``let_on`` = the tenancy's start and ``new_tenancy_id`` = the tenancy; the tenancy end is the home's
previous tenancy's end where there is one (else two to eight weeks before). Lets through the register
have an advert, a bid (or a direct match) and an accepted offer with its sign-up, so the statistics
show lets by band and route.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import insert

from duty_tui.areas.lettings.db.models import (
    LettingsAdvert,
    LettingsBid,
    LettingsCycle,
    LettingsOffer,
    LettingsProperty,
    LettingsSignup,
    LettingsViewing,
    LettingsVoid,
)
from duty_tui.areas.lettings.demo import Applicant, Office
from duty_tui.areas.lettings.domain.rank import Advert, Bid, rank
from duty_tui.areas.lettings.domain.reference import in_force, load_bands, load_rank_rules
from duty_tui.core.config.preview import packaged_folder
from duty_tui.core.db.models import table_of
from duty_tui.core.domain.local_time import UK

BID_LIMIT = 3
ADVERTS = {"small": 4, "office": 10, "council": 60}
SHORTLISTED = {"small": 2, "office": 4, "council": 12}
"""Last week's adverts, shortlisted; all but one have a live offer (at least two)."""
BIDS_PER_ADVERT = {"small": (2, 4), "office": (4, 9), "council": (15, 40)}
ADAPTED = ("wheelchair", "step_free", "ground_floor")
FLATS = ("flat", "maisonette", "bedsit")


@dataclass
class Let:
    tenancy_id: int
    property_id: int
    household_id: int
    let_on: date
    ended_on: date
    previous_id: int | None
    void_type: str
    weekly: int
    applicant: Applicant | None = None


@dataclass
class Void:
    property_id: int
    previous_id: int | None
    ended_on: date
    keys_back: date
    ready: date | None
    weekly: int
    id: int = 0


def _moment(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UK).astimezone(UTC)


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def plan_lets(rng: random.Random, office: Office, today: date, most: int) -> list[Let]:
    """Tenancies started in the past year (``most`` of them, drawn), each a let of its home."""
    started = [t for t in office.tenancies if today - timedelta(days=365) < t[3] <= today]
    started = sorted(rng.sample(started, min(most, len(started))), key=lambda t: (t[3], t[0]), reverse=True)
    by_home: dict[int, list[tuple]] = {}
    for t in office.tenancies:
        by_home.setdefault(t[1], []).append(t)
    lets = []
    for tid, pid, hid, start, _, weekly in started:
        before = [t for t in by_home[pid] if t[0] != tid and t[4] is not None and t[4] <= start]
        previous = max(before, key=lambda t: (t[4], t[0])) if before else None
        if previous is not None and previous[4] >= start:
            previous = None  # no day between the tenancies: not a void the register saw
        draw = rng.random()
        if draw < 0.08:
            kind = "mutual_exchange"
        elif previous is None and draw < 0.16:
            kind = "first_let"
        else:
            kind = "relet"
        ended = previous[4] if previous else start - timedelta(days=rng.randint(14, 56))
        if kind == "relet" and (start - ended).days > 150:
            kind = "major_works"  # a long void: the home was out for works (not counted in the re-let time)
        lets.append(Let(tid, pid, hid, start, ended, previous[0] if previous and kind != "first_let" else None,
                        kind, weekly))
    return lets


def plan_voids(rng: random.Random, office: Office, today: date) -> list[Void]:
    """Each empty home (property status void) as a void: keys back, and ready to let for most."""
    latest: dict[int, tuple] = {}
    for t in office.tenancies:
        if t[4] is not None and (t[1] not in latest or (t[4], t[0]) > (latest[t[1]][4], latest[t[1]][0])):
            latest[t[1]] = t
    voids = []
    for pid, (_, _, status) in sorted(office.properties.items()):
        if status != "void":
            continue
        last = latest.get(pid)
        ended = min(today, last[4]) if last else today - timedelta(days=rng.randint(7, 60))
        keys = min(today, ended + timedelta(days=rng.randint(0, 5)))
        ready = keys + timedelta(days=rng.randint(5, 20))
        voids.append(Void(pid, last[0] if last else None, ended, keys,
                          ready if ready <= today and rng.random() < 0.8 else None, last[5] if last else 9_500))
    return voids


class _Writer:
    """Writes the homes rows, keeping the refs and ids it hands out."""

    def __init__(self, connection: Any, rng: random.Random, office: Office, today: date, size: str) -> None:
        self.c, self.rng, self.office, self.today, self.size = connection, rng, office, today, size
        self.cycles: dict[date, int] = {}
        self.adverts = self.offers = 0
        self.counts: dict[str, int] = {}
        self.bands = tuple(b.code for b in load_bands(packaged_folder("data")))
        self.rule = in_force(load_rank_rules(packaged_folder("data")), today)
        self.slots: dict[tuple[int, int], int] = {}
        self.offered: set[str] = set()

    def officer(self) -> int | None:
        return self.rng.choice(self.office.officers) if self.office.officers else None

    def add(self, model: Any, rows: list[dict]) -> list[int]:
        """Insert ``rows`` one statement each (ids back, in order); counted under the table's name."""
        table = table_of(model)
        ids = [self.c.execute(insert(table).values(**row).returning(table.c.id)).scalar_one() for row in rows]
        self.counts[table.name] = self.counts.get(table.name, 0) + len(rows)
        return ids

    def cycle(self, monday: date) -> int:
        if monday not in self.cycles:
            iso = monday.isocalendar()
            self.cycles[monday] = self.add(LettingsCycle, [{
                "code": f"{iso.year}-W{iso.week:02d}", "opens_on": monday, "closes_on": monday + timedelta(days=6),
                "bid_limit": BID_LIMIT}])[0]
        return self.cycles[monday]

    def details(self, property_ids: set[int], adapted: set[int]) -> None:
        rows = []
        for pid in sorted(property_ids):
            ptype, bedrooms, _ = self.office.properties.get(pid, ("", 1, ""))
            flat = any(word in ptype.lower() for word in FLATS)
            floor = self.rng.randint(0, 4) if flat and pid not in adapted else 0
            rows.append({"property_id": pid, "floor": floor, "has_lift": floor >= 3 and self.rng.random() < 0.7,
                         "adapted": self.rng.choice(ADAPTED) if pid in adapted else None,
                         "max_occupants": bedrooms * 2, "notes": None})
        self.c.execute(insert(table_of(LettingsProperty)), rows)
        self.counts["lettings_property"] = len(rows)

    def advert(self, void_id: int, pid: int, weekly: int, *, cycle_id: int | None, status: str, on: date,
               direct: int | None = None, adapted: str | None = None, min_age: int | None = None) -> int:
        bedrooms = self.office.properties.get(pid, ("", 1, ""))[1]
        self.adverts += 1
        return self.add(LettingsAdvert, [{
            "ref": f"AD{self.adverts:06d}", "cycle_id": cycle_id, "void_id": void_id, "property_id": pid,
            "min_bedrooms": max(1, bedrooms - 1) if bedrooms > 2 else bedrooms, "max_bedrooms": bedrooms,
            "min_age": min_age, "accessible_need": adapted,
            "local_policy": "Local lettings policy: half of lets to working households" if bedrooms >= 3 and
            self.rng.random() < 0.3 else None, "direct_match_application_id": direct, "weekly_rent_pence": weekly,
            "status": status, "created_by": self.officer(), "created_at": _moment(on, 9), "version": 1}])[0]

    def offer(self, advert_id: int, a: Applicant, bid_id: int | None, status: str, on: date, **more: Any) -> int:
        self.offers += 1
        row = {"ref": f"OF{self.offers:06d}", "advert_id": advert_id, "application_id": a.id, "bid_id": bid_id,
               "status": status, "offered_on": on, "respond_by": on + timedelta(days=3), "is_final": False,
               "review_by": None, "affordability_note": "Rent and charges checked against income: affordable",
               "refusal_reason": None, "refusal_reasonable": None, "decided_by": None, "decided_at": None,
               "created_by": self.officer(), "created_at": _moment(on, 11), "version": 1}
        row.update(more)
        return self.add(LettingsOffer, [row])[0]


def write_homes(connection: Any, rng: random.Random, office: Office, live: list[Applicant], lets: list[Let],
                today: date, size: str = "office") -> dict[str, int]:
    """Property details, voids, cycles, adverts, bids, offers, a viewing, sign-ups and lets."""
    w = _Writer(connection, rng, office, today, size)
    voids = plan_voids(rng, office, today)
    ready = [v for v in voids if v.ready is not None]
    adapted = {v.property_id for v in ready[:len(ready) // 6 or 1]}
    w.details({v.property_id for v in voids} | {let.property_id for let in lets}, adapted)
    void_ids = w.add(LettingsVoid, [{
        "property_id": v.property_id, "previous_tenancy_id": v.previous_id,
        "void_type": "major_works" if v.ready is None and rng.random() < 0.2 else "relet",
        "tenancy_ended_on": v.ended_on, "keys_back_on": v.keys_back, "ready_on": v.ready, "let_on": None,
        "new_tenancy_id": None, "version": 1} for v in voids])
    for v, vid in zip(voids, void_ids, strict=True):
        v.id = vid
    bidders = [a for a in live if a.status == "active" and a.band is not None]
    # Last week's shortlisted adverts are the homes most bidders fit, so their shortlists have someone at the top.
    needs: dict[int, int] = {}
    for a in bidders:
        needs[a.need] = needs.get(a.need, 0) + 1
    fit = sorted(ready, key=lambda v: (-sum(n for need, n in needs.items() if _range(office, v)[0] <= need
                                            <= _range(office, v)[1]), v.property_id))
    shortlisted = fit[:SHORTLISTED.get(size, 4)]
    this_week = sorted(fit[len(shortlisted):len(shortlisted) + ADVERTS.get(size, 10)], key=lambda v: v.property_id)
    _bidding(w, this_week, bidders, _monday(today), adapted, shortlist=False)
    _bidding(w, shortlisted, bidders, _monday(today) - timedelta(days=7), adapted, shortlist=True)
    _lets(w, lets, [a for a in live if a.status == "active"])
    return {NAMES.get(table, table): n for table, n in w.counts.items()}


NAMES = {"lettings_property": "home details", "lettings_void": "voids", "lettings_cycle": "cycles",
         "lettings_advert": "adverts", "lettings_bid": "bids", "lettings_offer": "offers",
         "lettings_viewing": "viewings", "lettings_signup": "sign-ups"}


def _range(office: Office, v: Void) -> tuple[int, int]:
    """The bedroom need an advert of this home takes: its bedrooms, or one fewer for 3+ bedrooms."""
    bedrooms = office.properties.get(v.property_id, ("", 1, ""))[1]
    return (max(1, bedrooms - 1) if bedrooms > 2 else bedrooms), bedrooms


def _age_now(w: _Writer, a: Applicant) -> int:
    born = next((dob for pid, dob, _, _ in w.office.members.get(a.household_id, []) if pid == a.person_id), None)
    if born is None:
        return a.lead_age
    return w.today.year - born.year - ((w.today.month, w.today.day) < (born.month, born.day))


def _bidding(w: _Writer, voids: list[Void], bidders: list[Applicant], monday: date, adapted: set[int], *,
             shortlist: bool) -> None:
    """A cycle's adverts with bids: bidders who fit and some who do not (bedroom need, age, an adapted
    home); a shortlisted advert's bids are ranked (domain/rank.py): skipped ones keep their reason, the
    top eligible bidder has the live offer on all but the last shortlisted advert."""
    if not voids:
        return
    cycle_id = w.cycle(monday)
    low, high = BIDS_PER_ADVERT.get(w.size, (4, 9))
    for n, v in enumerate(voids):
        bedrooms = w.office.properties.get(v.property_id, ("", 1, ""))[1]
        offering = shortlist and n < max(2, len(voids) - 1)  # an advert to offer: no age or adapted restriction
        older = not offering and (n % 3 == 1 or shortlist) and bedrooms <= 2
        need = w.rng.choice(ADAPTED) if v.property_id in adapted and not offering else None
        advert_id = w.advert(v.id, v.property_id, v.weekly, cycle_id=cycle_id, on=monday,
                             status="open" if not shortlist else "closed", adapted=need, min_age=55 if older else None)
        spec = Advert(bedrooms, *_range(w.office, v), 55 if older else None, need is not None, w.bands)
        fits = [a for a in bidders if spec.need_min <= a.need <= spec.need_max]
        others = [a for a in bidders if not spec.need_min <= a.need <= spec.need_max]
        chosen = w.rng.sample(fits, min(len(fits), w.rng.randint(low, high))) + \
            w.rng.sample(others, min(len(others), w.rng.randint(1, 2)))
        placed = [(a, slot) for a in chosen if (slot := w.slots.get((cycle_id, a.id), 0) + 1) <= BID_LIMIT]
        for a, slot in placed:
            w.slots[(cycle_id, a.id)] = slot
        by_ref = {a.ref: a for a, _ in placed}
        ranked = rank(spec, [Bid(a.ref, a.band or "D", a.band_on or a.applied_on, a.applied_on, a.need, _age_now(w, a),
                                 a.accessible is not None, True) for a, _ in placed], w.rule) if shortlist else None
        skipped = dict(ranked.skipped) if ranked else {}
        top = next((ref for ref in ranked.shortlist if ref not in w.offered), None) if ranked and offering else None
        bid_ids = w.add(LettingsBid, [{
            "advert_id": advert_id, "application_id": a.id, "cycle_id": cycle_id, "slot": slot,
            "cycle_limit": BID_LIMIT,
            "status": "skipped" if a.ref in skipped else "offered" if a.ref == top else "placed",
            "assisted": (assisted := w.rng.random() < 0.2), "placed_by": w.officer() if assisted else None,
            "placed_at": _moment(monday + timedelta(days=w.rng.randint(0, 4)), w.rng.randint(8, 16 if assisted else 20)),
            "skip_reason": skipped.get(a.ref)} for a, slot in placed])
        if top is not None:
            offered = min(w.today, monday + timedelta(days=7 + w.rng.randint(0, 2)))
            bid_id = bid_ids[[a.ref for a, _ in placed].index(top)]
            offer_id = w.offer(advert_id, by_ref[top], bid_id, "live", offered)
            w.offered.add(top)
            w.c.execute(table_of(LettingsAdvert).update().where(table_of(LettingsAdvert).c.id == advert_id)
                        .values(status="offered"))
            if n == 0:
                w.add(LettingsViewing, [{"offer_id": offer_id, "starts_at": _moment(w.today + timedelta(days=1), 11),
                                         "officer_id": w.officer(), "outcome": None,
                                         "note": "Meet at the front door; keys from the estate office"}])


def _lets(w: _Writer, lets: list[Let], refusers: list[Applicant]) -> None:
    """The past year's lets: the void closed by the new tenancy; through the register, an advert with the
    housed applicant's bid (or a direct match), sometimes an earlier refusal, the accepted offer, sign-up."""
    for let in sorted(lets, key=lambda x: (x.let_on, x.tenancy_id)):
        keys = min(let.let_on, let.ended_on + timedelta(days=w.rng.randint(0, 4)))
        ready = min(let.let_on, keys + timedelta(days=w.rng.randint(3, 14)))
        void_id = w.add(LettingsVoid, [{
            "property_id": let.property_id, "previous_tenancy_id": let.previous_id, "void_type": let.void_type,
            "tenancy_ended_on": let.ended_on, "keys_back_on": keys, "ready_on": ready, "let_on": let.let_on,
            "new_tenancy_id": let.tenancy_id, "version": 1}])[0]
        a = let.applicant
        if a is None:
            continue
        offered = max(ready, let.let_on - timedelta(days=w.rng.randint(5, 10)))
        direct = w.rng.random() < 0.15
        cycle_id = None if direct else w.cycle(_monday(offered) - timedelta(days=7))
        advert_id = w.advert(void_id, let.property_id, let.weekly, cycle_id=cycle_id, status="let",
                             on=offered - timedelta(days=7), direct=a.id if direct else None)
        bid_id = None
        if cycle_id is not None:
            bid_id = w.add(LettingsBid, [{
                "advert_id": advert_id, "application_id": a.id, "cycle_id": cycle_id, "slot": 1,
                "cycle_limit": BID_LIMIT, "status": "housed", "assisted": False, "placed_by": None,
                "placed_at": _moment(_monday(offered) - timedelta(days=5), 19), "skip_reason": None}])[0]
        if refusers and w.rng.random() < 0.12:
            w.offer(advert_id, w.rng.choice(refusers), None, "refused", offered - timedelta(days=4),
                    refusal_reason="Too far from the children's school", refusal_reasonable=True,
                    decided_by=w.officer(), decided_at=_moment(offered - timedelta(days=2), 15))
        officer = w.officer()
        offer_id = w.offer(advert_id, a, bid_id, "accepted", offered, decided_by=officer,
                           decided_at=_moment(offered + timedelta(days=1), 15))
        w.add(LettingsSignup, [{
            "offer_id": offer_id, "appointment_at": _moment(let.let_on, 10), "tenancy_id": let.tenancy_id,
            "tenancy_start": let.let_on, "signed_by": officer, "countersigned_by": w.officer(),
            "signed_at": _moment(let.let_on, 11), "version": 1}])


__all__ = ["Let", "plan_lets", "write_homes"]
