"""A small, exactly-known office for service and TUI tests (both databases).

Unlike the demo generator this builds through the ORM, row by row, so each
test can see precisely what it is asserting against.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from argon2 import PasswordHasher

from duty_tui.core.db.engine import session_scope
from duty_tui.core.db.models import (
    Account,
    Alert,
    Case,
    Contact,
    Household,
    HouseholdMember,
    LedgerEntry,
    Office,
    Person,
    Property,
    StaffUser,
    Team,
    Tenancy,
)
from duty_tui.core.domain.search_keys import fold, phone_key, postcode_key, sound, street_key

NOW = datetime(2026, 3, 10, 10, 30, tzinfo=UTC)  # a Tuesday
PASSWORD = "correct horse"
_HASH: str | None = None

TEST_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
"""argon2id with the cheapest parameters, for the seeded staff only.

An argon2 hash carries its own parameters and the app verifies against those, so
sign-ins in tests still go through the real argon2id check, in ~1 ms instead of the
0.1-0.5 s the production parameters cost (the suite signs in a few hundred times).
"""


def _hash() -> str:
    global _HASH
    if _HASH is None:
        _HASH = TEST_HASHER.hash(PASSWORD)
    return _HASH


@dataclass
class Office1:
    """Refs of what seed_office made."""

    smith_1961: str = "P0000001"
    smith_1987: str = "P0000002"
    smyth_1975: str = "P0000003"
    khan: str = "P0000004"
    child: str = "P0000005"


def person(ref: str, forename: str, surname: str, born: date, phone: str | None = None, **extra) -> Person:
    """A Person with its search keys filled as the services would."""
    return Person(ref=ref, forename=forename, surname=surname, date_of_birth=born, phone_main=phone,
                  phone_main_key=phone_key(phone) if phone else None, surname_key=fold(surname),
                  forename_key=fold(forename), surname_sound=sound(surname), forename_sound=sound(forename),
                  created_at=NOW, **extra)


def prop(ref: str, line1: str, town: str, postcode: str, **extra) -> Property:
    """A Property with its keys filled."""
    return Property(ref=ref, address_line1=line1, town=town, postcode=postcode, postcode_key=postcode_key(postcode),
                    street_key=street_key(line1), property_type=extra.pop("property_type", "house"),
                    bedrooms=extra.pop("bedrooms", 2), **extra)


def seed_office(engine) -> Office1:
    """Two John Smiths, a Jon Smyth, Aisha Khan with a child; tenancies, balances, alerts, cases, contacts."""
    with session_scope(engine, write=True) as s:
        office = Office(code="MAIN", name="Test Office", jurisdiction="england")
        s.add(office)
        s.flush()
        teams = {code: Team(code=code, name=name, office_id=office.id) for code, name in
                 (("reception", "Reception"), ("income", "Income"), ("repairs", "Repairs"), ("options", "Options"))}
        s.add_all(teams.values())
        s.flush()
        for username, name, role, team in (
            ("reception", "Rita Reception", "reception", "reception"),
            ("leader", "Lee Leader", "team_leader", "income"),
            ("options", "Olu Options", "options_officer", "options"),
            ("income", "Ian Income", "income_officer", "income"),
            ("admin", "Ada Admin", "admin", None),
        ):
            s.add(StaffUser(username=username, display_name=name, role=role,
                            team_id=teams[team].id if team else None, office_id=office.id, password_hash=_hash(),
                            os_user=f"os-{username}"))
        people = [
            person("P0000001", "John", "Smith", date(1961, 4, 2), "01793 100001", ni_number="AB123456C"),
            person("P0000002", "John", "Smith", date(1987, 9, 14), "07700 900002"),
            person("P0000003", "Jon", "Smyth", date(1975, 1, 30)),
            person("P0000004", "Aisha", "Khan", date(1987, 6, 5), "07700 900123", language="Urdu",
                   interpreter_needed=True),
            person("P0000005", "Zara", "Khan", date(2015, 2, 1)),
        ]
        s.add_all(people)
        props = [prop("PR000001", "12 Mill Lane", "Swindon", "SN1 2AB"),
                 prop("PR000002", "4 Station Road", "Swindon", "SN2 5CD", property_type="flat", bedrooms=1),
                 prop("PR000003", "9 Mill Lane", "Swindon", "SN1 2AD")]
        s.add_all(props)
        s.flush()
        households = [Household(ref=f"H000000{i}", property_id=props[i - 1].id) for i in (1, 2, 3)]
        s.add_all(households)
        s.flush()
        by_ref = {p.ref: p for p in people}
        members = [("H0000001", "P0000001", "lead tenant", True), ("H0000002", "P0000002", "lead tenant", True),
                   ("H0000003", "P0000004", "lead tenant", True), ("H0000003", "P0000005", "child", False)]
        hh_by_ref = {h.ref: h for h in households}
        for hh, pref, rel, lead in members:
            s.add(HouseholdMember(household_id=hh_by_ref[hh].id, person_id=by_ref[pref].id, relationship=rel,
                                  is_lead=lead))
        tenancies = [Tenancy(ref=f"T0000{i}", property_id=props[i - 1].id, household_id=households[i - 1].id,
                             tenancy_type=t, start_date=date(2010 + i, 1, 4), weekly_rent_pence=rent)
                     for i, t, rent in ((1, "secure", 11050), (2, "introductory", 9500), (3, "secure", 12500))]
        s.add_all(tenancies)
        s.flush()
        accounts = [Account(ref=f"RNT00000{i}", account_type="rent", tenancy_id=tenancies[i - 1].id,
                            holder_name=h, opened_on=tenancies[i - 1].start_date)
                    for i, h in ((1, "Mr J Smith"), (2, "Mr J Smith"), (3, "Ms A Khan"))]
        accounts.append(Account(ref="FTA000001", account_type="former_tenant", person_id=by_ref["P0000003"].id,
                                holder_name="Mr J Smyth", opened_on=date(2019, 5, 1)))
        s.add_all(accounts)
        s.flush()
        ledger = [
            # Smith 1961: £152.50 in arrears
            (accounts[0], 11050, "rent_debit", None), (accounts[0], 11050, "rent_debit", None),
            (accounts[0], -6850, "payment", "cash"),
            # Smith 1987: £20 in credit
            (accounts[1], 9500, "rent_debit", None), (accounts[1], -11500, "payment", "direct_debit"),
            # Khan: £0
            (accounts[2], 12500, "rent_debit", None), (accounts[2], -12500, "housing_benefit", None),
            # Smyth former tenant arrears £640
            (accounts[3], 64000, "former_tenant_debt", None),
        ]
        for i, (account, amount, kind, method) in enumerate(ledger):
            s.add(LedgerEntry(account_id=account.id, effective_date=date(2026, 3, 2) + timedelta(days=i % 3),
                              posted_at=NOW - timedelta(days=7), kind=kind, method=method, amount_pence=amount))
        s.add(Alert(person_id=by_ref["P0000001"].id, category="violent_aggressive",
                    summary="Risk to staff: see restricted detail", detail="Threatened an officer with a knife, 2024",
                    restricted=True, raised_on=date(2024, 5, 1)))
        s.add(Alert(person_id=by_ref["P0000004"].id, category="interpreter", summary="Urdu interpreter needed",
                    restricted=False, raised_on=date(2023, 1, 1)))
        s.add(Case(ref="C0000001", case_type="repair", status="open", team_id=teams["repairs"].id,
                   person_id=by_ref["P0000004"].id, household_id=households[2].id, summary="Damp in bedroom",
                   priority="urgent", opened_at=NOW - timedelta(days=10), due_at=NOW - timedelta(days=2)))
        leader_id = s.exec(__import__("sqlmodel").select(StaffUser.id).where(StaffUser.username == "leader")).one()
        s.add(Case(ref="C0000002", case_type="arrears", status="open", team_id=teams["income"].id,
                   assignee_id=leader_id, person_id=by_ref["P0000001"].id, summary="Arrears over 4 weeks",
                   priority="normal", opened_at=NOW - timedelta(days=1), due_at=NOW + timedelta(days=3)))
        s.add(Contact(at=NOW - timedelta(days=3), channel="phone", person_id=by_ref["P0000001"].id,
                      staff_id=leader_id, reason="rent.balance", outcome="resolved", notes="Asked balance"))
    return Office1()
