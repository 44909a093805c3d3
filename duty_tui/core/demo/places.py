"""Homes for the demo office: estates of streets and blocks, sharing postcodes as real ones do.

Properties come in clusters. An estate sits in one postcode sector and has a
handful of streets named on a theme ("Keats Close", "Shelley Way") and perhaps
a block of flats ("Attlee House"). Council-owned houses skip numbers where
tenants bought under the right to buy. Every 8-25 neighbouring addresses share
a unit postcode, so a postcode search finds a few neighbours and a district
search ("SN2") finds hundreds.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from duty_tui.core.demo.vocab import (
    AREAS,
    BLOCK_SUFFIX_WEIGHTS,
    BLOCK_SUFFIXES,
    HOUSE_SUFFIX_WEIGHTS,
    HOUSE_SUFFIXES,
    STREET_THEMES,
    UNIT_LETTERS,
    Area,
)
from duty_tui.core.domain.search_keys import postcode_key, street_key

COLUMNS = ("id", "ref", "uprn", "address_line1", "address_line2", "town", "postcode", "postcode_key", "street_key",
           "property_type", "bedrooms", "status", "office_id", "version")

# Main roads every town has, often in more than one district.
COMMON_STREETS = ("Station Road", "High Street", "Church Lane", "Mill Lane", "Victoria Road", "Park Road",
                  "London Road", "School Lane", "Queens Road", "Manor Road")


@dataclass(slots=True)
class Home:
    """One dwelling; ``status`` (let, void, leasehold) is settled when households move in."""

    id: int
    ref: str
    uprn: str
    line1: str
    line2: str | None
    town: str
    postcode: str
    property_type: str
    bedrooms: int
    status: str = "let"
    in_block: bool = False

    @property
    def address(self) -> str:
        """One-line address, as letters and notes quote it."""
        parts = [self.line1] + ([self.line2] if self.line2 else []) + [f"{self.town} {self.postcode}"]
        return ", ".join(parts)

    def row(self, office_id: int) -> tuple:
        """The property row, keys filled as the services would."""
        return (self.id, self.ref, self.uprn, self.line1, self.line2, self.town, self.postcode,
                postcode_key(self.postcode), street_key(self.line1), self.property_type, self.bedrooms,
                self.status, office_id, 1)


class _Sector:
    """A postcode sector ("SN2 5") handing out unused unit postcodes ("SN2 5AB")."""

    def __init__(self, district: str, sector: int, town: str, rng: random.Random) -> None:
        self.district = district
        self.sector = sector
        self.town = town
        units = [a + b for a in UNIT_LETTERS for b in UNIT_LETTERS]
        rng.shuffle(units)
        self._units = units

    def next_postcode(self) -> str | None:
        if not self._units:
            return None
        return f"{self.district} {self.sector}{self._units.pop()}"


def _bedrooms(rng: random.Random, property_type: str) -> int:
    if property_type == "bedsit":
        return 0
    if property_type == "flat":
        return rng.choices((1, 2, 3), (45, 45, 10))[0]
    if property_type == "maisonette":
        return rng.choice((2, 2, 3))
    if property_type == "bungalow":
        return rng.choice((1, 1, 2))
    return rng.choices((1, 2, 3, 4), (3, 35, 50, 12))[0]


class HomeBuilder:
    """Makes ``count`` homes, estate by estate, with ids 1..count."""

    def __init__(self, rng: random.Random, jurisdiction: str) -> None:
        self.rng = rng
        self.area: Area = AREAS.get(jurisdiction, AREAS["england"])
        self.sectors = [_Sector(d, s, town, rng) for d, sectors, town in self.area.districts for s in sectors]
        self.homes: list[Home] = []
        self._uprn = 100_120_000_000 + rng.randrange(0, 5_000_000)
        self._names_used: set[tuple[str, str]] = set()

    def build(self, count: int) -> list[Home]:
        while len(self.homes) < count:
            self._estate(count)
        return self.homes[:count]

    # -- naming --------------------------------------------------------------------

    def _street_name(self, district: str, stems: tuple[str, ...], suffixes=HOUSE_SUFFIXES,
                     weights=HOUSE_SUFFIX_WEIGHTS) -> str:
        rng = self.rng
        for _attempt in range(40):
            if suffixes is HOUSE_SUFFIXES and rng.random() < 0.06:
                name = rng.choice(COMMON_STREETS)
            else:
                name = f"{rng.choice(stems)} {rng.choices(suffixes, weights)[0]}"
            if (district, name) not in self._names_used:
                self._names_used.add((district, name))
                return name
        # A crowded district: fall back to a stem from any theme.
        while True:
            theme = rng.choice(sorted(STREET_THEMES))
            name = f"{rng.choice(STREET_THEMES[theme])} {rng.choices(suffixes, weights)[0]}"
            if (district, name) not in self._names_used:
                self._names_used.add((district, name))
                return name

    # -- building --------------------------------------------------------------------

    def _sector(self) -> _Sector:
        while True:
            sector = self.rng.choice(self.sectors)
            if sector._units:
                return sector

    def _add(self, line1: str, line2: str | None, town: str, postcode: str, property_type: str,
             in_block: bool) -> None:
        number = len(self.homes) + 1
        self._uprn += self.rng.randint(1, 40)
        self.homes.append(Home(
            id=number, ref=f"PR{number:06d}", uprn=str(self._uprn), line1=line1, line2=line2, town=town,
            postcode=postcode, property_type=property_type, bedrooms=_bedrooms(self.rng, property_type),
            in_block=in_block,
        ))

    def _estate(self, count: int) -> None:
        rng = self.rng
        sector = self._sector()
        theme = rng.choice(sorted(STREET_THEMES))
        stems = STREET_THEMES[theme]
        streets = rng.randint(2, 8)
        first_road: str | None = None
        for _ in range(streets):
            if len(self.homes) >= count:
                return
            if first_road is not None and rng.random() < 0.25:
                self._block(sector, stems, first_road)
            else:
                road = self._street_name(sector.district, stems)
                first_road = first_road or road
                self._houses(sector, road)

    def _postcodes(self, sector: _Sector, addresses: int) -> list[str]:
        """One postcode per 8-25 consecutive addresses (a new sector when this one is full)."""
        codes: list[str] = []
        while len(codes) < addresses:
            code = sector.next_postcode()
            if code is None:
                sector = self._sector()
                continue
            codes.extend([code] * self.rng.randint(8, 25))
        return codes[:addresses]

    def _houses(self, sector: _Sector, road: str) -> None:
        rng = self.rng
        length = rng.randint(12, 90)
        kept = rng.uniform(0.45, 0.85)  # the rest were bought under the right to buy
        numbers = [n for n in range(1, length + 1) if rng.random() < kept] or [1]
        postcodes = self._postcodes(sector, len(numbers))
        kinds = rng.choices(("house", "bungalow", "maisonette", "flat"), (66, 12, 8, 14), k=len(numbers))
        for number, postcode, kind in zip(numbers, postcodes, kinds, strict=True):
            if kind == "flat":
                # A house converted into flats: 12A, 12B.
                for letter in "AB"[: rng.randint(1, 2)]:
                    self._add(f"{number}{letter} {road}", None, sector.town, postcode, "flat", False)
            else:
                self._add(f"{number} {road}", None, sector.town, postcode, kind, False)

    def _block(self, sector: _Sector, stems: tuple[str, ...], road: str) -> None:
        rng = self.rng
        name = self._street_name(sector.district, stems + tuple(STREET_THEMES["statesmen"]), BLOCK_SUFFIXES,
                                 BLOCK_SUFFIX_WEIGHTS)
        flats = rng.randint(12, 60)
        postcodes = self._postcodes(sector, flats)
        for number, postcode in zip(range(1, flats + 1), postcodes, strict=True):
            kind = "bedsit" if rng.random() < 0.12 else "flat"
            self._add(f"{number} {name}", road, sector.town, postcode, kind, True)


def build_homes(rng: random.Random, jurisdiction: str, count: int) -> tuple[list[Home], Area]:
    """``count`` homes in the office's area, ids 1..count in street order."""
    builder = HomeBuilder(rng, jurisdiction)
    return builder.build(count), builder.area
