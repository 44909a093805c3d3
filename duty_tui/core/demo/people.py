"""People, households and tenancies for the demo office.

Tenancies come first and everything hangs off them: a tenancy's home decides
how many bedrooms the household can fill; the lead tenant's age decides
whether the children are still children. About 5% of tenancies have ended
within the ledger window: their household has left (``left_on`` set) and most
of their homes were relet after a void of a few weeks; the rest stand void.
Some people have no household at all: housing-register applicants, people
approaching as homeless, callers.

The deliberate look-alikes (``LOOKALIKES``) are made first so their refs are
stable: P0000001 to P0000008, each the lead tenant of one of the first eight
tenancies.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from duty_tui.core.demo.places import Home, build_homes
from duty_tui.core.demo.vocab import (
    FEMALE_ONLY_SURNAMES,
    FEMALE_SURNAME_FORMS,
    FORENAME_WEIGHTS,
    MALE_ONLY_SURNAMES,
    ORIGIN_MIX,
    ORIGINS,
    Area,
)
from duty_tui.core.domain.search_keys import fold, phone_key, sound

PERSON_COLUMNS = (
    "id", "ref", "title", "forename", "middle_names", "surname", "preferred_name", "date_of_birth", "ni_number",
    "phone_main", "phone_alt", "phone_main_key", "phone_alt_key", "email", "preferred_contact", "language",
    "interpreter_needed", "surname_key", "forename_key", "surname_sound", "forename_sound", "created_at", "version",
)
HOUSEHOLD_COLUMNS = ("id", "ref", "property_id", "version")
MEMBER_COLUMNS = ("id", "household_id", "person_id", "relationship", "is_lead", "joined_on", "left_on", "version")
TENANCY_COLUMNS = ("id", "ref", "property_id", "household_id", "tenancy_type", "start_date", "end_date",
                   "weekly_rent_pence", "status", "version")

# (ref, forename, surname, birth year): people a receptionist must tell apart.
LOOKALIKES: list[tuple[str, str, str, int]] = [
    ("P0000001", "John", "Smith", 1961),
    ("P0000002", "John", "Smith", 1987),
    ("P0000003", "Jon", "Smyth", 1975),
    ("P0000004", "Joan", "Smith", 1958),
    ("P0000005", "Aisha", "Khan", 1987),
    ("P0000006", "Ayesha", "Khan", 1990),
    ("P0000007", "Mohammed", "Ali", 1979),
    ("P0000008", "Muhammad", "Ali", 1983),
]
_LOOKALIKE_DETAIL = {  # sex, origin, month, day
    "P0000001": ("M", "british", 4, 2), "P0000002": ("M", "british", 9, 14), "P0000003": ("M", "british", 1, 23),
    "P0000004": ("F", "british", 11, 30), "P0000005": ("F", "south_asian", 6, 5),
    "P0000006": ("F", "south_asian", 2, 17), "P0000007": ("M", "south_asian", 8, 8),
    "P0000008": ("M", "south_asian", 12, 1),
}

SYSTEM_START = date(2008, 4, 1)
"""Records older than this were migrated into the system on this day."""

NICKNAMES = {"Robert": "Bob", "William": "Bill", "Elizabeth": "Liz", "Margaret": "Maggie", "Mohammed": "Mo",
             "Katarzyna": "Kasia", "Alexander": "Alex", "Christopher": "Chris", "Jennifer": "Jen", "Oluwaseun": "Seun",
             "Michael": "Mike", "Anthony": "Tony", "Susan": "Sue", "Patricia": "Pat", "Funmilayo": "Funmi"}

_NI_FIRST = "ABCEGHJKLMNOPRSTWXYZ"
_NI_SECOND = "ABCEGHJKLMNPRSTWXYZ"
_NI_BANNED = frozenset({"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"})


@dataclass(slots=True)
class Person:
    """One person's record (search keys are derived when the row is written)."""

    id: int
    sex: str
    origin: str
    title: str | None
    forename: str
    surname: str
    dob: date
    middle: str | None = None
    preferred: str | None = None
    ni: str | None = None
    phone_main: str | None = None
    phone_alt: str | None = None
    email: str | None = None
    contact: str | None = None
    language: str | None = None
    interpreter: bool = False
    created_on: date = SYSTEM_START
    created_secs: int = 36_000

    @property
    def ref(self) -> str:
        return f"P{self.id:07d}"

    @property
    def name(self) -> str:
        return f"{self.forename} {self.surname}"

    def age_on(self, day: date) -> int:
        return day.year - self.dob.year - ((day.month, day.day) < (self.dob.month, self.dob.day))

    def styled(self) -> str:
        """'Ms A Khan', as an account holder is written."""
        return f"{self.title + ' ' if self.title else ''}{self.forename[0]} {self.surname}"

    def row(self, loader) -> tuple:
        return (
            self.id, self.ref, self.title, self.forename, self.middle, self.surname, self.preferred,
            loader.day(self.dob), self.ni, self.phone_main, self.phone_alt,
            phone_key(self.phone_main) if self.phone_main else None,
            phone_key(self.phone_alt) if self.phone_alt else None,
            self.email, self.contact, self.language, self.interpreter, fold(self.surname), fold(self.forename),
            sound(self.surname), sound(self.forename), loader.at(self.created_on, self.created_secs), 1,
        )


@dataclass(slots=True)
class Member:
    person: Person
    relationship: str
    is_lead: bool
    joined: date
    left: date | None = None


@dataclass(slots=True)
class Household:
    id: int
    home: Home | None
    members: list[Member] = field(default_factory=list)

    @property
    def ref(self) -> str:
        return f"H{self.id:07d}"

    @property
    def lead(self) -> Person:
        return next(m.person for m in self.members if m.is_lead)


@dataclass(slots=True)
class Tenancy:
    id: int
    home: Home
    household: Household
    tenancy_type: str
    start: date
    rent: int
    end: date | None = None
    joint: Person | None = None

    @property
    def ref(self) -> str:
        return f"T{self.id:05d}"

    @property
    def status(self) -> str:
        return "ended" if self.end else "current"

    @property
    def lead(self) -> Person:
        return self.household.lead

    @property
    def holder_name(self) -> str:
        lead, joint = self.lead, self.joint
        if joint is None:
            return lead.styled()
        if joint.surname == lead.surname:
            return f"{lead.title} {lead.forename[0]} & {joint.title} {joint.forename[0]} {lead.surname}"
        return f"{lead.styled()} & {joint.styled()}"

    def row(self, loader) -> tuple:
        return (self.id, self.ref, self.home.id, self.household.id, self.tenancy_type, loader.day(self.start),
                loader.day(self.end), self.rent, self.status, 1)


@dataclass
class Population:
    """Everything people.py made, for the money and work modules."""

    homes: list[Home]
    area: Area
    people: list[Person]
    households: list[Household]
    tenancies: list[Tenancy]
    leaseholds: list[Household]
    applicants: list[Person]

    def member_rows(self, loader):
        number = 0
        for household in self.households:
            for m in household.members:
                number += 1
                yield (number, household.id, m.person.id, m.relationship, m.is_lead, loader.day(m.joined),
                       loader.day(m.left), 1)


def _years_ago(today: date, years: float) -> date:
    return date.fromordinal(today.toordinal() - int(years * 365.25))


class PeopleBuilder:
    """Makes people one at a time with unique NI numbers, phones and emails."""

    def __init__(self, rng: random.Random, jurisdiction: str, today: date, area: Area) -> None:
        self.rng = rng
        self.today = today
        self.area = area
        self.people: list[Person] = []
        mix = ORIGIN_MIX.get(jurisdiction, ORIGIN_MIX["england"])
        self._origins = tuple(mix)
        self._origin_weights = tuple(mix.values())
        self._used: set[str] = set()

    # -- names --------------------------------------------------------------------------

    def origin(self) -> str:
        return self.rng.choices(self._origins, self._origin_weights)[0]

    def forename(self, origin: str, sex: str) -> str:
        o = ORIGINS[origin]
        male_w, female_w = FORENAME_WEIGHTS[origin]
        if sex == "M":
            return self.rng.choices(o.male, male_w)[0]
        return self.rng.choices(o.female, female_w)[0]

    def surname(self, origin: str, sex: str) -> str:
        o = ORIGINS[origin]
        while True:
            name = self.rng.choices(o.surnames, o.surname_weights)[0] if o.surname_weights else \
                self.rng.choice(o.surnames)
            if name not in (FEMALE_ONLY_SURNAMES if sex == "M" else MALE_ONLY_SURNAMES):
                break
        return self.gendered(name, sex)

    @staticmethod
    def gendered(name: str, sex: str) -> str:
        """A family surname as this person carries it (Kowalski -> Kowalska; Begum is not a man's)."""
        if sex == "F":
            for ending, female in FEMALE_SURNAME_FORMS.items():
                if name.endswith(ending):
                    return name[: -len(ending)] + female
        elif name.endswith(("ska", "cka")):
            return name[:-1] + "i"
        return name

    def title(self, sex: str, age: int, partnered: bool) -> str | None:
        r = self.rng.random()
        if age < 16:
            return None
        if r < 0.01:
            return "Dr"
        if r < 0.02:
            return "Mx"
        if sex == "M":
            return "Mr"
        if partnered:
            return "Mrs" if r < 0.6 else "Ms"
        return "Miss" if age < 30 and r < 0.5 else "Ms" if r < 0.75 else "Mrs"

    # -- identifiers ----------------------------------------------------------------------

    def _unique(self, make) -> str:
        while True:
            value = make()
            if value not in self._used:
                self._used.add(value)
                return value

    def ni_number(self) -> str:
        rng = self.rng

        def make() -> str:
            while True:
                prefix = rng.choice(_NI_FIRST) + rng.choice(_NI_SECOND)
                if prefix not in _NI_BANNED:
                    break
            return f"{prefix}{rng.randrange(1_000_000):06d}{rng.choice('ABCD')}"

        return self._unique(make)

    def mobile(self) -> str:
        rng = self.rng
        return self._unique(lambda: f"07{rng.randint(4, 9)}{rng.randrange(100):02d} {rng.randrange(1_000_000):06d}")

    def landline(self) -> str:
        rng = self.rng
        code = self.area.dialling_code
        if code.startswith("028"):
            return self._unique(lambda: f"{code}{rng.randrange(100):02d} {rng.randrange(10_000):04d}")
        return self._unique(lambda: f"{code} {rng.randint(2, 8)}{rng.randrange(100_000):05d}")

    def email(self, person: Person) -> str:
        rng = self.rng
        base = f"{fold(person.forename)}.{fold(person.surname)}" if rng.random() < 0.7 else \
            f"{fold(person.forename)[:1]}{fold(person.surname)}"
        domain = rng.choice(("example.com", "example.org", "example.net"))

        def make() -> str:
            return f"{base}{rng.randrange(100) if rng.random() < 0.6 else ''}@{domain}"

        return self._unique(make)

    # -- people ----------------------------------------------------------------------------

    def dob_for_age(self, age: int) -> date:
        birthday_this_year = self.today.toordinal() - self.rng.randrange(365)
        return date.fromordinal(birthday_this_year - int(age * 365.25))

    def add(self, *, sex: str, origin: str, age: int, surname: str | None = None, partnered: bool = False,
            landline: str | None = None, created_on: date | None = None) -> Person:
        """A new person with contact details fitting their age."""
        person = Person(id=len(self.people) + 1, sex=sex, origin=origin, title=self.title(sex, age, partnered),
                        forename=self.forename(origin, sex), surname=surname or self.surname(origin, sex),
                        dob=self.dob_for_age(age))
        self._details(person, age, landline)
        self._created(person, created_on)
        self.people.append(person)
        return person

    def add_fixed(self, *, forename: str, surname: str, sex: str, origin: str, dob: date, title: str,
                  created_on: date) -> Person:
        """A person whose name and birth date are given (the look-alikes)."""
        person = Person(id=len(self.people) + 1, sex=sex, origin=origin, title=title, forename=forename,
                        surname=surname, dob=dob)
        self._details(person, person.age_on(self.today), None)
        self._created(person, created_on)
        self.people.append(person)
        return person

    def _created(self, person: Person, created_on: date | None) -> None:
        on = max(created_on or self.today, SYSTEM_START, person.dob)
        person.created_on = min(on, self.today)
        person.created_secs = 2 * 3600 if person.created_on == SYSTEM_START else self.rng.randint(9 * 3600, 17 * 3600)

    def _details(self, person: Person, age: int, landline: str | None) -> None:
        rng = self.rng
        origin = ORIGINS[person.origin]
        if rng.random() < 0.3:
            person.middle = self.forename(person.origin, person.sex)
            if person.middle == person.forename:
                person.middle = None
        if person.forename in NICKNAMES and rng.random() < 0.3:
            person.preferred = NICKNAMES[person.forename]
        if age >= 18 and rng.random() < 0.8:
            person.ni = self.ni_number()
        if age >= 18:
            if rng.random() < 0.9:
                person.phone_main = self.mobile() if rng.random() < 0.75 or landline is None else landline
                if rng.random() < 0.2:
                    person.phone_alt = landline if landline and person.phone_main != landline else self.mobile()
            if age <= 75 and rng.random() < 0.45:
                person.email = self.email(person)
            person.contact = rng.choices(
                ("phone", "text", "email", "letter"),
                (5 if person.phone_main else 0, 3 if person.phone_main else 0, 3 if person.email else 0, 1))[0]
        elif age >= 13 and rng.random() < 0.5:
            person.phone_main = self.mobile()
        if origin.languages and age >= 18 and rng.random() < 0.22:
            person.language = rng.choices(origin.languages, [1 / (i + 1) for i in range(len(origin.languages))])[0]
            person.interpreter = rng.random() < 0.6
        elif age >= 18 and rng.random() < 0.003:
            person.language = "British Sign Language"
            person.interpreter = True


# -- tenancies ------------------------------------------------------------------------------


def weekly_rent(rng: random.Random, home: Home) -> int:
    """Pence a week, £85-£160 by size."""
    low, high = {0: (85, 95), 1: (90, 110), 2: (105, 125), 3: (120, 145), 4: (138, 160)}[min(home.bedrooms, 4)]
    if home.property_type == "bungalow":
        low, high = low + 4, high + 4
    return min(16_000, rng.randint(low * 100, high * 100) // 5 * 5)


def tenancy_type(rng: random.Random, jurisdiction: str, start: date, today: date, home: Home) -> str:
    age_days = (today - start).days
    temporary = home.property_type in ("flat", "bedsit") and age_days < 3 * 365 and rng.random() < 0.04
    if temporary:
        return "temporary_accommodation"
    if jurisdiction == "scotland":
        return "scottish_secure"
    housing_association = rng.random() < 0.2
    if housing_association:
        return "starter" if age_days < 365 and rng.random() < 0.85 else "assured"
    if age_days < 365:
        return "introductory" if rng.random() < 0.9 else "secure"
    if jurisdiction == "england" and start >= date(2012, 4, 1) and rng.random() < 0.12:
        return "flexible"  # fixed-term council tenancies: Localism Act 2011, England only
    return "secure"


def _household_size(rng: random.Random, bedrooms: int, lead_age: int) -> int:
    if bedrooms == 0:
        return 1
    weights = {1: (75, 25), 2: (26, 30, 28, 16), 3: (12, 22, 25, 24, 12, 5), 4: (3, 8, 17, 25, 24, 15, 8)}[
        min(bedrooms, 4)]
    size = rng.choices(range(1, len(weights) + 1), weights)[0]
    if lead_age >= 65:
        size = min(size, rng.choice((1, 1, 2, 2, 3)))
    return size


class TenancyBuilder:
    """Fills homes with households and tenancies."""

    def __init__(self, rng: random.Random, people: PeopleBuilder, jurisdiction: str, today: date) -> None:
        self.rng = rng
        self.people = people
        self.jurisdiction = jurisdiction
        self.today = today
        self.households: list[Household] = []

    def household(self, home: Home | None, lead: Person, start: date, *, size: int,
                  lead_relationship: str = "lead tenant", end: date | None = None) -> tuple[Household, Person | None]:
        """A household led by ``lead`` at ``home``; returns it and the partner, if any."""
        rng, pb = self.rng, self.people
        household = Household(id=len(self.households) + 1, home=home)
        self.households.append(household)
        household.members.append(Member(lead, lead_relationship, True, max(start, lead.dob), end))
        landline = pb.landline() if rng.random() < 0.3 else None
        if landline and lead.phone_main and rng.random() < 0.5:
            lead.phone_alt = landline
        lead_age = lead.age_on(self.today)
        partner: Person | None = None
        remaining = size - 1
        if remaining and lead_age >= 19 and rng.random() < (0.62 if remaining >= 2 else 0.5):
            sex = ("F" if lead.sex == "M" else "M") if rng.random() < 0.92 else lead.sex
            origin = lead.origin if rng.random() < 0.85 else pb.origin()
            age = max(18, min(95, lead_age + rng.randint(-8, 8)))
            surname = lead.surname if rng.random() < 0.6 and sex != lead.sex else None
            if surname is not None:
                surname = PeopleBuilder.gendered(surname, sex)
                if surname in (FEMALE_ONLY_SURNAMES if sex == "M" else MALE_ONLY_SURNAMES):
                    surname = None
            partner = pb.add(sex=sex, origin=origin, age=age, surname=surname, partnered=True, landline=landline,
                             created_on=start)
            joined = start if rng.random() < 0.7 else _between(rng, start, self.today)
            household.members.append(Member(partner, "partner", False, max(joined, partner.dob), end))
            remaining -= 1
        family_name = lead.surname if partner is None or rng.random() < 0.75 else partner.surname
        for _ in range(remaining):
            if lead_age < 62 and rng.random() < 0.85:
                age = rng.randint(0, min(17, max(0, lead_age - 17)))
                relationship = "child" if age < 18 else "other adult"
            else:
                age = rng.randint(18, max(18, min(45, lead_age - 18))) if rng.random() < 0.7 else \
                    rng.randint(18, 90)
                relationship = "other adult"
            sex = rng.choice("MF")
            surname = family_name if relationship == "child" or rng.random() < 0.6 else None
            if surname is not None:
                surname = PeopleBuilder.gendered(surname, sex)
                if surname in (FEMALE_ONLY_SURNAMES if sex == "M" else MALE_ONLY_SURNAMES):
                    surname = None
            member = pb.add(sex=sex, origin=lead.origin, age=age, surname=surname, landline=landline,
                            created_on=max(start, self.today - timedelta(days=int(age * 365.25))))
            joined = max(start, member.dob)
            left = end
            if left is None and age >= 19 and rng.random() < 0.05:
                left = _between(rng, max(joined, self.today - timedelta(days=900)), self.today - timedelta(days=1))
            household.members.append(Member(member, relationship, False, joined, left))
        return household, partner


def _between(rng: random.Random, low: date, high: date) -> date:
    if high <= low:
        return low
    return date.fromordinal(rng.randint(low.toordinal(), high.toordinal()))


def build_population(rng: random.Random, *, jurisdiction: str, today: date, tenancies: int, people: int,
                     leaseholders: int, ledger_weeks: int) -> Population:
    """Homes, people, households and tenancies for one office."""
    window_start = today - timedelta(weeks=ledger_weeks)
    ended_count = max(1, round(tenancies * 0.05))
    current_count = tenancies - ended_count
    # Ended tenancies end inside the ledger window; most homes are relet after a void.
    ends = sorted(_between(rng, window_start + timedelta(days=28), today - timedelta(days=14))
                  for _ in range(ended_count))
    relets: list[tuple[int, date]] = []  # (ended index, new start)
    for index, end in enumerate(ends):
        new_start = end + timedelta(days=rng.randint(7, 63))
        if new_start < today and rng.random() < 0.65:
            relets.append((index, new_start))
    extra_voids = max(1, round(tenancies * 0.012))
    home_count = (current_count - len(relets)) + ended_count + extra_voids + leaseholders
    homes, area = build_homes(random.Random(f"{rng.random()}/homes"), jurisdiction, home_count)
    leasehold_homes, ended_homes, fresh_homes, relet_of = _share_homes(rng, homes, leaseholders, ended_count,
                                                                       current_count, relets)
    pb = PeopleBuilder(rng, jurisdiction, today, area)
    tb = TenancyBuilder(rng, pb, jurisdiction, today)
    result: list[Tenancy] = []

    def make_tenancy(home: Home, start: date, end: date | None, lead: Person | None = None) -> Tenancy:
        years = (today - start).days / 365.25
        if lead is None:
            max_age_at_start = int(max(18, min(75, 92 - years)))
            age_now = int(rng.triangular(18, max_age_at_start, min(30, max_age_at_start)) + years)
            sex = "F" if rng.random() < 0.58 else "M"
            lead = pb.add(sex=sex, origin=pb.origin(), age=age_now, created_on=start)
        size = _household_size(rng, home.bedrooms, lead.age_on(today))
        household, partner = tb.household(home, lead, start, size=size, end=end)
        tenancy = Tenancy(id=len(result) + 1, home=home, household=household,
                          tenancy_type=tenancy_type(rng, jurisdiction, start, today, home), start=start,
                          rent=weekly_rent(rng, home), end=end)
        if partner is not None and tenancy.tenancy_type != "temporary_accommodation" and rng.random() < 0.4:
            tenancy.joint = partner
        result.append(tenancy)
        return tenancy

    # 1. The look-alikes: lead tenants of the first eight tenancies, at eight different addresses.
    for (lead, start), home in zip(_lookalike_leads(rng, pb, today), fresh_homes, strict=False):
        make_tenancy(home, start, None, lead)
    lookalikes_done = len(result)

    # 2. Other current tenancies that did not follow an ended one.
    for home in fresh_homes[lookalikes_done:]:
        start = _years_ago(today, 30 * rng.random() ** 1.8)
        make_tenancy(home, max(start, today - timedelta(days=30 * 365)), None)

    # 3. Ended tenancies, each followed (often) by a relet of the same home.
    for index, (home, end) in enumerate(zip(ended_homes, ends, strict=True)):
        start = end - timedelta(days=int(365.25 * rng.uniform(1, 20)))
        make_tenancy(home, start, end)
        if index in relet_of:
            make_tenancy(home, relet_of[index], None)

    leaseholds = _leaseholds(rng, pb, tb, today, leasehold_homes)  # 4. leaseholders
    # 5. People with no household: register applicants, homeless approaches, callers.
    applicants: list[Person] = []
    while len(pb.people) < people:
        age = int(rng.triangular(17, 80, 28))
        person = pb.add(sex=rng.choice("MF"), origin=pb.origin(), age=max(16, age),
                        created_on=today - timedelta(days=rng.randint(0, 3 * 365)))
        applicants.append(person)
    return Population(homes=homes, area=area, people=pb.people, households=tb.households, tenancies=result,
                      leaseholds=leaseholds, applicants=applicants)


def _share_homes(rng: random.Random, homes: list[Home], leaseholders: int, ended_count: int, current_count: int,
                 relets: list[tuple[int, date]]) -> tuple[list[Home], list[Home], list[Home], dict[int, date]]:
    """(leasehold, ended, fresh homes, relet start by ended index), statuses set; leasehold: right-to-buy flats."""
    block_flats = [h for h in homes if h.in_block and h.property_type == "flat"]
    leasehold_homes = rng.sample(block_flats, min(leaseholders, len(block_flats)))
    taken = {h.id for h in leasehold_homes}
    rest = [h for h in homes if h.id not in taken]
    rng.shuffle(rest)
    ended_homes = rest[:ended_count]
    fresh_homes = rest[ended_count: ended_count + current_count - len(relets)]
    void_homes = rest[ended_count + current_count - len(relets):]
    for home in leasehold_homes:
        home.status = "leasehold"
    for home in void_homes:
        home.status = "void"
    relet_of = {index: start for index, start in relets}
    for index, home in enumerate(ended_homes):
        if index not in relet_of:
            home.status = "void"
    return leasehold_homes, ended_homes, fresh_homes, relet_of


def _lookalike_leads(rng: random.Random, pb: PeopleBuilder, today: date) -> list[tuple[Person, date]]:
    """The look-alike people (LOOKALIKES), each with the start of the tenancy they lead."""
    leads: list[tuple[Person, date]] = []
    for ref, forename, surname, year in LOOKALIKES:
        sex, origin, month, day = _LOOKALIKE_DETAIL[ref]
        start = _years_ago(today, rng.uniform(2, 20))
        title = {"M": "Mr", "F": "Ms"}[sex] if ref != "P0000004" else "Mrs"
        lead = pb.add_fixed(forename=forename, surname=surname, sex=sex, origin=origin, dob=date(year, month, day),
                            title=title, created_on=start)
        assert lead.ref == ref
        if ref == "P0000005":
            lead.language, lead.interpreter = "Urdu", True
        leads.append((lead, start))
    return leads


def _leaseholds(rng: random.Random, pb: PeopleBuilder, tb: TenancyBuilder, today: date,
                leasehold_homes: list[Home]) -> list[Household]:
    """Leaseholders: a household, no tenancy (their account is the service charge)."""
    leaseholds: list[Household] = []
    for home in leasehold_homes:
        age = rng.randint(30, 85)
        lead = pb.add(sex=rng.choice("MF"), origin=pb.origin(), age=age,
                      created_on=_years_ago(today, rng.uniform(1, 25)))
        bought = max(lead.created_on, lead.dob + timedelta(days=365 * 21))
        household, _partner = tb.household(home, lead, bought, size=rng.choice((1, 1, 2, 2, 3)),
                                           lead_relationship="leaseholder")
        leaseholds.append(household)
    return leaseholds
