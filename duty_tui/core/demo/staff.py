"""The demo office itself: its row, its teams (data/teams.toml) and its staff.

``DEMO_USERS`` are the people a visitor signs in as, one per role (the login
screen lists them). The rest of the staff are generated names spread over
the teams so that queues and "assigned to" columns look lived-in. Every demo
account has the password ``demo``; it is hashed once (argon2 is slow on purpose).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from faker import Faker

from duty_tui.core.config.reference import Reference
from duty_tui.core.domain.search_keys import fold
from duty_tui.core.services.passwords import hash_password

DEMO_PASSWORD = "demo"

OFFICE_COLUMNS = ("id", "code", "name", "jurisdiction", "next_receipt_no", "version")
TEAM_COLUMNS = ("id", "code", "name", "office_id", "version")
STAFF_COLUMNS = ("id", "username", "display_name", "role", "team_id", "office_id", "password_hash", "os_user",
                 "active", "failed_logins", "last_failed_at", "version")


@dataclass(frozen=True)
class DemoUser:
    """A demo sign-in: username, the name shown, the role (data/roles.toml) and the password."""

    username: str
    display_name: str
    role: str
    password: str
    team: str | None = None


DEMO_USERS: list[DemoUser] = [
    DemoUser("reception", "Sarah Collins", "reception", DEMO_PASSWORD, "reception"),
    DemoUser("options", "Daniel Okafor", "options_officer", DEMO_PASSWORD, "options"),
    DemoUser("income", "Priya Sharma", "income_officer", DEMO_PASSWORD, "income"),
    DemoUser("leader", "Karen Whitfield", "team_leader", DEMO_PASSWORD, "income"),
    DemoUser("admin", "Tom Bradley", "admin", DEMO_PASSWORD, None),
    DemoUser("rents", "Helen Marsh", "rents_assistant", DEMO_PASSWORD, None),
]

LATE_USERS = frozenset({"rents"})
"""Demo users added after every generated member of staff, with no team: adding one earlier shifts the ids
and team lists the other demo steps draw from (one more staff user once reshuffled the whole demo)."""

# The role most of a team's officers have (there is no generic "housing officer" role).
TEAM_ROLE = {"reception": "reception", "income": "income_officer"}
TEAM_SHARE = {"repairs": 5, "reception": 4, "income": 4, "options": 4, "tenancy": 3, "asb": 2, "lettings": 2,
              "complaints": 2, "safeguarding": 1}


@dataclass(slots=True)
class StaffRec:
    id: int
    username: str
    display_name: str
    role: str
    team: str | None
    active: bool = True


@dataclass
class Office:
    """What staff.py made: team ids by code and the staff."""

    office_id: int
    teams: dict[str, int]
    team_names: dict[str, str]
    staff: list[StaffRec]
    late: list[StaffRec] = field(default_factory=list)
    """The late demo users (LATE_USERS): written with the staff, never among those the demo draws from."""

    @property
    def everyone(self) -> list[StaffRec]:
        return self.staff + self.late

    def in_team(self, code: str, *, active: bool = True) -> list[StaffRec]:
        return [s for s in self.staff if s.team == code and (s.active or not active)]

    def by_username(self, username: str) -> StaffRec:
        return next(s for s in self.everyone if s.username == username)


def build_office(rng: random.Random, faker: Faker, reference: Reference, extra_staff: int) -> Office:
    """Teams from the reference data, the demo users, then ``extra_staff`` more across the teams."""
    team_codes = list(reference.teams)
    teams = {code: number for number, code in enumerate(team_codes, start=1)}
    staff: list[StaffRec] = []
    taken: set[str] = set()
    for user in (u for u in DEMO_USERS if u.username not in LATE_USERS):
        staff.append(StaffRec(len(staff) + 1, user.username, user.display_name, user.role,
                              user.team if user.team in teams else None))
        taken.add(user.username)
    # A team leader for each team that has none yet, then officers by team size.
    wanted: list[tuple[str, str]] = [(code, "team_leader") for code in team_codes if code != "income"]
    shares = [(code, TEAM_SHARE.get(code, 1)) for code in team_codes]
    while len(wanted) < extra_staff:
        code = rng.choices([c for c, _ in shares], [w for _, w in shares])[0]
        wanted.append((code, TEAM_ROLE.get(code, "options_officer")))
    for code, role in wanted[:max(extra_staff, 0)]:
        while True:
            first, last = faker.first_name(), faker.last_name()
            username = f"{fold(first)}.{fold(last)}"
            if username not in taken:
                taken.add(username)
                break
        staff.append(StaffRec(len(staff) + 1, username, f"{first} {last}", role, code))
    # Someone who has left: still named on old cases, cannot sign in.
    if len(staff) > len(DEMO_USERS) - len(LATE_USERS) + 3:
        staff[-1].active = False
    late = [StaffRec(len(staff) + number, user.username, user.display_name, user.role, None)
            for number, user in enumerate((u for u in DEMO_USERS if u.username in LATE_USERS), start=1)]
    return Office(office_id=1, teams=teams, team_names={c: reference.teams[c].name for c in team_codes}, staff=staff,
                  late=late)


def office_rows(office: Office, *, name: str, jurisdiction: str) -> list[tuple]:
    return [(office.office_id, "MAIN", name[:120], jurisdiction, 1, 1)]


def team_rows(office: Office) -> list[tuple]:
    return [(number, code, office.team_names[code][:120], office.office_id, 1) for code, number in office.teams.items()]


def staff_rows(office: Office) -> list[tuple]:
    password_hash = hash_password(DEMO_PASSWORD)
    return [(s.id, s.username, s.display_name, s.role, office.teams.get(s.team) if s.team else None,
             office.office_id, password_hash, None, s.active, 0, None, 1) for s in office.everyone]
