"""A shortlist: the bids on one advert ranked under the ranking rule in data
(``data/lettings/rank.toml``), with who was skipped and why.

A bid is skipped, in its input order, for the first reason in the rule's ``skip`` list that applies:
``not_qualifying`` (the applicant does not qualify), ``bedroom_need`` (outside the advert's range),
``age`` (under the advert's ``min_age``), ``accessible_only`` (the home is kept for those who need
it). The rest are ranked by the rule's ``order``: by default band (in the advert's band order), then
band date, then application date, earliest first, then the reference.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from duty_tui.areas.lettings.domain.reference import RankRule
from duty_tui.core.domain.json_input import ProblemsError, flag, strict_date

YEARS = (1900, 2200)


@dataclass(frozen=True)
class Advert:
    bedrooms: int
    need_min: int
    need_max: int
    min_age: int | None
    accessible_only: bool
    bands: tuple[str, ...]


@dataclass(frozen=True)
class Bid:
    ref: str
    band: str
    band_date: date
    application_date: date
    bedroom_need: int
    age: int
    needs_accessible: bool
    qualifies: bool


@dataclass(frozen=True)
class Shortlist:
    shortlist: tuple[str, ...]
    skipped: tuple[tuple[str, str], ...]
    """(ref, reason), in the bids' input order."""

    def as_json(self) -> dict:
        return {"shortlist": list(self.shortlist),
                "skipped": [{"ref": ref, "reason": reason} for ref, reason in self.skipped]}


def skip_reason(bid: Bid, advert: Advert, rule: RankRule) -> str | None:
    """The first reason in the rule's order that keeps this bid off the shortlist, or None."""
    tests = {
        "not_qualifying": not bid.qualifies,
        "bedroom_need": not advert.need_min <= bid.bedroom_need <= advert.need_max,
        "age": advert.min_age is not None and bid.age < advert.min_age,
        "accessible_only": advert.accessible_only and not bid.needs_accessible,
    }
    return next((reason for reason in rule.skip if tests[reason]), None)


def rank(advert: Advert, bids: list[Bid], rule: RankRule) -> Shortlist:
    """The shortlist for the advert: skipped bids with their reason, the rest in rank order."""
    skipped: list[tuple[str, str]] = []
    eligible: list[Bid] = []
    for bid in bids:
        reason = skip_reason(bid, advert, rule)
        if reason is None:
            eligible.append(bid)
        else:
            skipped.append((bid.ref, reason))
    band_place = {band: place for place, band in enumerate(advert.bands)}

    def key(bid: Bid) -> tuple:
        parts = {"band": band_place[bid.band], "band_date": bid.band_date,
                 "application_date": bid.application_date, "ref": bid.ref}
        return tuple(parts[name] for name in rule.order)

    return Shortlist(tuple(bid.ref for bid in sorted(eligible, key=key)), tuple(skipped))


def _count(value: object, key: str, problems: list[str], *, low: int = 0, high: int = 20) -> int:
    if type(value) is not int or not low <= value <= high:
        problems.append(f"{key}: {value!r} must be a whole number from {low} to {high}")
        return low
    return value


def parse_advert(raw: object, default_bands: tuple[str, ...], problems: list[str]) -> Advert:
    """The advert from the command's JSON (bands default to the scheme's bands, in order)."""
    if type(raw) is not dict:
        problems.append("advert: must be an object with bedrooms")
        return Advert(0, 0, 0, None, False, default_bands)
    bedrooms = _count(raw.get("bedrooms"), "advert.bedrooms", problems, low=0)
    need = raw.get("bedroom_need", [bedrooms, bedrooms])
    if type(need) is not list or len(need) != 2 or any(type(n) is not int or not 0 <= n <= 20 for n in need) \
            or need[0] > need[1]:
        problems.append("advert.bedroom_need: must be [MIN, MAX], whole numbers 0-20 with MIN ≤ MAX")
        need = [bedrooms, bedrooms]
    min_age = raw.get("min_age")
    if min_age is not None:
        min_age = _count(min_age, "advert.min_age", problems, low=0, high=120)
    bands = raw.get("bands", list(default_bands))
    if type(bands) is not list or not bands or any(type(b) is not str or not b for b in bands) \
            or len(set(bands)) != len(bands):
        problems.append("advert.bands: must be a non-empty list of band codes, each once, highest first")
        bands = list(default_bands)
    return Advert(bedrooms, need[0], need[1], min_age, flag(raw, "accessible_only", problems), tuple(bands))


def parse_bid(raw: object, index: int, advert: Advert, problems: list[str]) -> Bid | None:
    """One bid from the command's JSON; its problems are named ``bids[i].key``."""
    where = f"bids[{index}]"
    if type(raw) is not dict:
        problems.append(f"{where}: must be an object")
        return None
    before = len(problems)
    ref = raw.get("ref")
    if type(ref) is not str or not ref.strip():
        problems.append(f"{where}.ref: must be the application's reference (text)")
    band = raw.get("band")
    if band not in advert.bands:
        problems.append(f"{where}.band: {band!r} is not one of the advert's bands ({', '.join(advert.bands)})")
    band_date = strict_date(raw.get("band_date"), f"{where}.band_date", problems, years=YEARS)
    applied = strict_date(raw.get("application_date"), f"{where}.application_date", problems, years=YEARS)
    if band_date and applied and band_date < applied:
        problems.append(f"{where}.band_date: {band_date} is before the application date {applied}; a band "
                        "starts on or after the application")
    need = _count(raw.get("bedroom_need"), f"{where}.bedroom_need", problems)
    age = _count(raw.get("age"), f"{where}.age", problems, low=16, high=120)
    accessible = flag(raw, "needs_accessible", problems)
    qualifies = raw.get("qualifies")
    if type(qualifies) is not bool:
        problems.append(f"{where}.qualifies: must be true or false")
    if len(problems) > before:
        return None
    assert band_date is not None and applied is not None and isinstance(ref, str) and isinstance(band, str)
    return Bid(ref, band, band_date, applied, need, age, accessible, bool(qualifies))


def parse_rank_input(document: object, default_bands: tuple[str, ...]) -> tuple[Advert, list[Bid]]:
    """The advert and its bids; every problem found is a line of ProblemsError."""
    if type(document) is not dict:
        raise ProblemsError(["input: must be a JSON object with advert and bids"])
    problems: list[str] = []
    problems += [f"{key}: not a known key (expected advert, bids)" for key in document if key not in ("advert", "bids")]
    advert = parse_advert(document.get("advert"), default_bands, problems)
    raw_bids = document.get("bids")
    if type(raw_bids) is not list:
        problems.append("bids: must be a list of bids (it may be empty)")
        raw_bids = []
    bids = [bid for index, raw in enumerate(raw_bids) if (bid := parse_bid(raw, index, advert, problems))]
    seen: set[str] = set()
    for bid in bids:
        if bid.ref in seen:
            problems.append(f"bids: ref {bid.ref!r} appears twice; one bid per application on an advert")
        seen.add(bid.ref)
    if problems:
        raise ProblemsError(problems)
    return advert, bids


__all__ = ["Advert", "Bid", "Shortlist", "parse_rank_input", "rank", "skip_reason"]
