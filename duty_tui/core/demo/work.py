"""The work in the demo office: cautionary alerts, cases with clocks, case notes and contacts.

Cases are spread over the teams (repairs the biggest queue), each with a
clock that makes about 15% overdue on ``today`` and a few due today. About a
third are assigned to a named officer, every demo user among them, so that
"My work" is never empty. Contacts fill the last 30 days, with several
today, so that the dashboard's counts are alive. When the housing options
tables are present, each homelessness case gets its detail row too, so the
options screens can open it.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from duty_tui.core.demo.money import AccountRec
from duty_tui.core.demo.people import Household, Person, Population, Tenancy
from duty_tui.core.demo.staff import DEMO_USERS, LATE_USERS, Office, StaffRec
from duty_tui.core.demo.vocab import (
    ALERT_TEXT,
    CASE_NOTES_FIRST,
    CASE_NOTES_LATER,
    CASE_OUTCOMES,
    CASE_SUMMARIES,
    CASE_TEAMS,
    CONTACT_CHANNEL_WEIGHTS,
    CONTACT_CHANNELS,
    CONTACT_NOTES,
    CONTACT_REASONS,
    RANDOM_CONTACTS,
)
from duty_tui.core.domain.clocks import WorkingCalendar
from duty_tui.core.domain.local_time import UK

ALERT_COLUMNS = ("id", "person_id", "property_id", "category", "summary", "detail", "restricted", "raised_on",
                 "review_on", "active", "raised_by", "version")
CASE_COLUMNS = ("id", "ref", "case_type", "status", "team_id", "assignee_id", "person_id", "household_id",
                "tenancy_id", "summary", "priority", "opened_at", "due_at", "closed_at", "outcome", "version")
CASE_CLOCK_COLUMNS = ("clock_kind", "clock_name", "clock_started_at", "created_by")
NOTE_COLUMNS = ("id", "case_id", "at", "author_id", "text", "version")
CONTACT_COLUMNS = ("id", "at", "channel", "person_id", "staff_id", "reason", "outcome", "team_id", "case_id", "notes",
                   "version")

# Open cases by team (repairs is the biggest queue: ~5,000 of 12,000 at council size).
TEAM_WEIGHTS = (("repairs", 42), ("income", 13), ("options", 10), ("tenancy", 9), ("complaints", 8), ("asb", 6),
                ("lettings", 5), ("reception", 4), ("safeguarding", 3))
CASE_TYPE_OF_TEAM = {team: case_type for case_type, team in CASE_TEAMS.items()} | {"reception": "tenancy"}

# Homelessness summaries -> (route, referral body, current accommodation, loss reason, rough sleeping, DA risk).
HOMELESS_FACTS = {
    "Approach: asked to leave by family": ("self", None, "living_with_family", "family_friends", False, False),
    "Approach: section 21 notice expires in 6 weeks": ("self", None, "private_rented", "end_ast", False, False),
    "Approach: fleeing domestic abuse": ("self", None, "living_with_friends", "domestic_abuse", False, True),
    "Approach: rough sleeping — referred by outreach": ("partner_agency", "partner_agency", "no_fixed_abode", "other",
                                                        True, False),
    "Duty to refer from hospital discharge team": ("duty_to_refer", "hospital_inpatient", "institution", "other",
                                                   False, False),
    "Approach: relationship breakdown": ("self", None, "living_with_friends", "relationship_breakdown", False, False),
    "Approach: private landlord selling the property": ("self", None, "private_rented", "end_ast", False, False),
    "Duty to refer from probation": ("duty_to_refer", "probation", "living_with_friends", "left_institution", False,
                                     False),
    "Approach: sofa surfing with friends": ("self", None, "living_with_friends", "family_friends", False, False),
    "Approach: leaving care at 18": ("self", None, "supported_housing", "other", False, False),
}


@dataclass(slots=True)
class CaseRec:
    id: int
    case_type: str
    team: str
    status: str
    priority: str
    summary: str
    person: Person | None
    household: Household | None
    tenancy: Tenancy | None
    opened: datetime
    due: datetime | None
    assignee: StaffRec | None
    creator: StaffRec
    clock_kind: str | None
    clock_name: str | None
    closed: datetime | None = None
    outcome: str | None = None

    @property
    def ref(self) -> str:
        return f"C{self.id:07d}"


def _local(day: date, seconds: int) -> datetime:
    hours, rest = divmod(seconds, 3600)
    return datetime(day.year, day.month, day.day, hours, rest // 60, rest % 60, tzinfo=UK)


class WorkBuilder:
    """Builds alerts, cases, notes and contacts for a population."""

    def __init__(self, rng: random.Random, pop: Population, office: Office, accounts: list[AccountRec], *,
                 today: date, jurisdiction: str, alert_categories: dict[str, bool]) -> None:
        self.rng = rng
        self.pop = pop
        self.office = office
        self.today = today
        self.jurisdiction = jurisdiction
        self.calendar = WorkingCalendar(jurisdiction if jurisdiction in
                                        ("england", "wales", "scotland", "northern_ireland") else "england")
        self.categories = alert_categories
        self.current = [t for t in pop.tenancies if t.end is None]
        self.ended = [t for t in pop.tenancies if t.end is not None]
        in_arrears = [a for a in accounts if a.account_type == "rent" and a.closed is None and a.balance >= 25_000]
        self.arrears_tenancies = [a.tenancy for a in sorted(in_arrears, key=lambda a: -a.balance)]
        self.cases: list[CaseRec] = []
        self.notes: list[tuple] = []  # (case, at, author, text)
        self.contacts: list[tuple] = []  # (at, channel, person, staff, reason, outcome, team, case, notes)

    # -- alerts ----------------------------------------------------------------------------

    def alert_rows(self, loader) -> list[tuple]:
        rng, today = self.rng, self.today
        staff = [s.id for s in self.office.staff]
        rows: list[tuple] = []

        def add(person: Person | None, property_id: int | None, category: str, summary: str, detail: str | None,
                raised: date | None = None, active: bool = True) -> None:
            if category not in self.categories:
                return
            raised = raised or today - timedelta(days=rng.randint(20, 6 * 365))
            review = raised + timedelta(days=365)
            while review < today - timedelta(days=60) and rng.random() < 0.85:
                review += timedelta(days=365)
            rows.append((len(rows) + 1, person.id if person else None, property_id, category, summary[:200], detail,
                         self.categories[category], loader.day(raised), loader.day(review), active, rng.choice(staff),
                         1))

        people = self.pop.people
        john, aisha = people[0], people[4]
        add(john, None, "violent_aggressive", ALERT_TEXT["violent_aggressive"][0],
            "Threatened a housing officer at the front door over arrears letters and followed her to her car "
            "(synthetic record). Two officers for any visit; see him at the office with a colleague present.",
            raised=today - timedelta(days=400))
        add(aisha, None, "interpreter", f"Needs an {aisha.language or 'Urdu'} interpreter",
            "Speaks some English but needs an interpreter for anything about money or legal notices. "
            "Book through the language line.", raised=today - timedelta(days=900))

        adults = [p for p in people[8:] if p.age_on(today) >= 18]
        with_children = {m.person.id for h in self.pop.households for m in h.members if m.is_lead
                         and any(x.relationship == "child" and x.left is None for x in h.members)}
        target = max(4, round(len(people) * 0.02))
        chosen = rng.sample(adults, min(len(adults), target))
        for person in sorted(chosen, key=lambda p: p.id):
            if person.interpreter and rng.random() < 0.5:
                language = person.language or "community language"
                if language == "British Sign Language":
                    add(person, None, "hearing_impaired", ALERT_TEXT["hearing_impaired"][0],
                        ALERT_TEXT["hearing_impaired"][1][0])
                else:
                    article = "an" if language[0] in "AEIOU" else "a"
                    add(person, None, "interpreter", f"Needs {article} {language} interpreter", None)
                continue
            category = rng.choices(("violent_aggressive", "vulnerable_adult", "domestic_abuse", "safeguarding_child"),
                                   (28, 40, 14, 18 if person.id in with_children else 0))[0]
            summary, details = ALERT_TEXT[category]
            add(person, None, category, summary, rng.choice(details), active=rng.random() < 0.95)
        let_homes = [h for h in self.pop.homes if h.status == "let"]
        for home in rng.sample(let_homes, max(2, round(len(let_homes) * 0.004))):
            summary, details = ALERT_TEXT["no_lone_visits"]
            add(None, home.id, "no_lone_visits", summary, rng.choice(details))
        return rows

    # -- clocks ----------------------------------------------------------------------------

    def _sla(self, case_type: str, priority: str, summary: str) -> tuple[str, int, str]:
        """(kind, amount, name) of the case's clock."""
        if priority == "emergency":
            return "hours", 24, "Emergency: make safe within 24 hours"
        if case_type == "repair":
            if "Damp" in summary or "Mould" in summary or "mould" in summary:
                return "working_days", 10, "Damp and mould: investigate within 10 working days"
            return ("working_days", 3, "Urgent repair: 3 working days") if priority == "urgent" else \
                ("working_days", 20, "Routine repair: 20 working days")
        if case_type == "complaint":
            return ("working_days", 20, "Stage 2 response: 20 working days") if "Stage 2" in summary else \
                ("working_days", 10, "Stage 1 response: 10 working days")
        if case_type in ("asb", "safeguarding"):
            return ("working_days", 1, "Urgent: next working day") if priority == "urgent" else \
                ("working_days", 5, "Respond within 5 working days")
        if case_type == "homelessness":
            return "working_days", (2 if priority == "urgent" else 10), "Assessment interview"
        if case_type == "lettings":
            return "working_days", 15, "Register decision: 15 working days"
        if summary.startswith("Callback"):
            return "working_days", 2, "Callback: 2 working days"
        return "working_days", 10, "Respond within 10 working days"

    def _working_back(self, d: date, n: int) -> date:
        """The working day ``n`` working days before ``d`` (``d`` counts from its own working day)."""
        day = self.calendar.add_working_days(d, 0)
        while n > 0:
            day -= timedelta(days=1)
            if self.calendar.is_working_day(day):
                n -= 1
        return day

    def _clock(self, kind: str, amount: int) -> tuple[datetime, datetime]:
        """(opened, due): ~15% overdue, ~6% due today, the rest due later; opened in the last 60 days."""
        rng, today = self.rng, self.today
        state = rng.choices(("overdue", "today", "later"), (15, 6, 79))[0]
        if kind == "hours":
            hours_ago = {"overdue": rng.randint(25, 24 * 10), "today": rng.randint(8, 16),
                         "later": rng.randint(0, 7)}[state]
            opened = _local(today, 8 * 3600) - timedelta(hours=hours_ago, minutes=rng.randint(0, 59))
            if state == "later":
                opened = _local(today, rng.randint(7 * 3600, 9 * 3600))
            return opened, opened + timedelta(hours=amount)
        cal = self.calendar
        if state == "today" and cal.is_working_day(today):
            opened_day = self._working_back(today, amount)
        elif state == "overdue":
            latest = self._working_back(today, amount + 1)
            earliest = max(today - timedelta(days=60), latest - timedelta(days=30))
            opened_day = date.fromordinal(rng.randint(min(earliest, latest).toordinal(), latest.toordinal()))
        else:
            earliest = max(self._working_back(today, amount - 1), today - timedelta(days=59))
            opened_day = date.fromordinal(rng.randint(min(earliest, today).toordinal(), today.toordinal()))
        opened_day = min(opened_day, today)
        if opened_day < today - timedelta(days=60):
            opened_day = today - timedelta(days=60)
        while not cal.is_working_day(opened_day) and opened_day > today - timedelta(days=60):
            opened_day -= timedelta(days=1)  # the office is shut: reported on the last working day
        start = opened_day if cal.is_working_day(opened_day) else cal.add_working_days(opened_day, 0)
        due_day = cal.add_working_days(start, amount)
        seconds = rng.randint(9 * 3600, 16 * 3600 + 1800) if opened_day < today else rng.randint(8 * 3600, 9 * 3600)
        return _local(opened_day, seconds), _local(due_day, 17 * 3600)

    # -- cases -------------------------------------------------------------------------------

    def _subject(self, case_type: str, summary: str) -> tuple[Person | None, Household | None, Tenancy | None]:
        rng = self.rng
        if case_type == "arrears":
            if summary.startswith("Former tenant") and self.ended:
                tenancy = rng.choice(self.ended)
            elif self.arrears_tenancies and rng.random() < 0.9:
                tenancy = rng.choice(self.arrears_tenancies[: max(20, len(self.arrears_tenancies) // 2)])
            else:
                tenancy = rng.choice(self.current)
            return tenancy.lead, tenancy.household, tenancy
        if case_type in ("homelessness", "lettings") and self.pop.applicants and rng.random() < 0.75:
            return rng.choice(self.pop.applicants), None, None
        tenancy = rng.choice(self.current)
        household = tenancy.household
        adults = [m.person for m in household.members if m.left is None and m.relationship != "child"]
        person = tenancy.lead if rng.random() < 0.8 or len(adults) < 2 else rng.choice(adults)
        return person, household, tenancy

    def _assignee(self, team: str) -> StaffRec | None:
        staff = self.office.in_team(team)
        return self.rng.choice(staff) if staff else None

    def build_cases(self, open_count: int, closed_count: int) -> None:
        """Open cases (a few of them first for each demo user), then closed ones from the past year."""
        rng = self.rng
        teams, weights = zip(*[(t, w) for t, w in TEAM_WEIGHTS if t in self.office.teams], strict=True)
        quota = max(3, min(12, open_count // 40))
        for user in (u for u in DEMO_USERS if u.username not in LATE_USERS):  # the rents user's work is the rent
            me = self.office.by_username(user.username)
            for number in range(quota):
                team = user.team or ("complaints", "safeguarding")[number % 2]
                if team in self.office.teams:
                    self._case(team, closed=False, assignee=me)
        while len(self.cases) < open_count:
            self._case(rng.choices(teams, weights)[0], closed=False)
        for _ in range(closed_count):
            self._case(rng.choices(teams, weights)[0], closed=True)
        self._john_smiths_arrears_case()
        for case in self.cases:
            self._notes(case)

    def _case(self, team: str, *, closed: bool, assignee: StaffRec | None = None) -> CaseRec:
        rng, today = self.rng, self.today
        case_type = CASE_TYPE_OF_TEAM.get(team, "tenancy")
        priority = rng.choices(("normal", "urgent", "emergency"),
                               {"repair": (74, 20, 6), "safeguarding": (40, 50, 10), "asb": (80, 20, 0),
                                "homelessness": (70, 25, 5)}.get(case_type, (85, 15, 0)))[0]
        key = "reception" if team == "reception" else "repair_emergency" if (
            case_type == "repair" and priority == "emergency") else case_type
        summary = rng.choice(CASE_SUMMARIES[key])
        person, household, tenancy = self._subject(case_type, summary)
        kind, amount, clock_name = self._sla(case_type, priority, summary)
        if closed:
            opened = _local(today - timedelta(days=rng.randint(20, 365)), rng.randint(9 * 3600, 16 * 3600))
            due = opened + (timedelta(hours=amount) if kind == "hours" else timedelta(days=amount * 7 // 5 + 1))
            closed_at = opened + timedelta(days=rng.randint(0, 40), hours=rng.randint(1, 6))
            closed_at = min(closed_at, _local(today, 8 * 3600) - timedelta(days=1))
        else:
            opened, due = self._clock(kind, amount)
            closed_at = None
        if assignee is None and (closed or rng.random() < 0.34):
            assignee = self._assignee(team)
        status = "closed" if closed else (
            rng.choices(("in_progress", "awaiting"), (70, 30))[0] if assignee
            else rng.choices(("open", "awaiting"), (85, 15))[0])
        reception = self.office.in_team("reception") or self.office.staff
        creator = rng.choice(reception) if rng.random() < 0.6 else (assignee or rng.choice(self.office.staff))
        case = CaseRec(id=len(self.cases) + 1, case_type=case_type, team=team, status=status, priority=priority,
                       summary=summary, person=person, household=household, tenancy=tenancy, opened=opened, due=due,
                       assignee=assignee, creator=creator, clock_kind=kind, clock_name=clock_name, closed=closed_at,
                       outcome=rng.choice(CASE_OUTCOMES) if closed else None)
        self.cases.append(case)
        return case

    def _john_smiths_arrears_case(self) -> None:
        """John Smith (born 1961) has the income officer's arrears case about his possession notice."""
        income = self.office.by_username("income")
        case = next((c for c in self.cases if c.closed is None and c.case_type == "arrears" and c.assignee is income),
                    None)
        if case is None:
            return
        tenancy = next(t for t in self.pop.tenancies if t.id == 1)
        case.person, case.household, case.tenancy = tenancy.lead, tenancy.household, tenancy
        case.summary = "Notice of seeking possession served — monitor"

    def _notes(self, case: CaseRec) -> None:
        rng = self.rng
        end = case.closed or max(case.opened, _local(self.today, 9 * 3600))
        first = rng.choice(CASE_NOTES_FIRST).format(summary=case.summary)
        self.notes.append((case, case.opened + timedelta(minutes=rng.randint(1, 20)), case.creator, first))
        later = rng.choices((0, 1, 2), (35, 40, 25))[0]
        span = max(60, int((end - case.opened).total_seconds()))
        moments = sorted(case.opened + timedelta(seconds=rng.randint(1800, max(1801, span))) for _ in range(later))
        for moment in moments:
            author = case.assignee or rng.choice(self.office.in_team(case.team) or self.office.staff)
            self.notes.append((case, moment, author, rng.choice(CASE_NOTES_LATER)))
        if case.closed:
            self.notes.append((case, case.closed, case.assignee or case.creator,
                               f"Closed: {(case.outcome or 'resolved').replace('_', ' ')}."))

    def case_rows(self, loader, with_clock: bool) -> list[tuple]:
        teams = self.office.teams
        rows = []
        for c in self.cases:
            row = (c.id, c.ref, c.case_type, c.status, teams.get(c.team), c.assignee.id if c.assignee else None,
                   c.person.id if c.person else None, c.household.id if c.household else None,
                   c.tenancy.id if c.tenancy else None, c.summary[:200], c.priority, loader.moment(c.opened),
                   loader.moment(c.due), loader.moment(c.closed), c.outcome, 1)
            if with_clock:
                row += (c.clock_kind, c.clock_name, loader.moment(c.opened), c.creator.id)
            rows.append(row)
        return rows

    def note_rows(self, loader) -> list[tuple]:
        ordered = sorted(self.notes, key=lambda n: (n[0].id, n[1]))
        return [(number, case.id, loader.moment(at), author.id, text, 1)
                for number, (case, at, author, text) in enumerate(ordered, start=1)]

    # -- contacts ---------------------------------------------------------------------------

    def build_contacts(self, random_count: int) -> None:
        rng, today = self.rng, self.today
        teams = self.office.teams
        front = (self.office.in_team("reception") or self.office.staff)
        since = _local(today - timedelta(days=30), 0)
        for case in self.cases:
            if case.closed or case.opened < since:
                continue
            key = "repair_emergency" if case.priority == "emergency" and case.case_type == "repair" else \
                "damp" if "mould" in case.summary.lower() else \
                "reception" if case.team == "reception" else case.case_type
            reason, _team = CONTACT_REASONS.get(key, ("general.other", "reception"))
            channel = rng.choices(("face_to_face", "phone", "email"), (40, 45, 15))[0]
            if channel == "face_to_face" and not self.calendar.is_working_day(case.opened.date()):
                channel = "phone"
            self.contacts.append((case.opened, channel, case.person, case.creator, reason, "routed", teams.get(case.team),
                                  case, case.summary))
            if rng.random() < 0.3:
                at = case.opened + timedelta(days=rng.randint(1, 10), minutes=rng.randint(0, 300))
                if at < _local(today, 12 * 3600):
                    self.contacts.append((at, "phone", case.person, rng.choice(front), "general.other",
                                          rng.choice(("resolved", "callback")), teams.get(case.team), case,
                                          "Customer chased progress; updated them."))
        reasons, teams_of, reason_weights = zip(*RANDOM_CONTACTS, strict=True)
        tenants = self.current
        today_count = max(8, min(60, random_count // 30))
        for number in range(random_count + today_count):
            if number < random_count:
                day = today - timedelta(days=rng.randint(1, 30))
                seconds = rng.randint(8 * 3600 + 1800, 17 * 3600)
            else:
                day, seconds = today, rng.randint(8 * 3600 + 1800, 11 * 3600 + 1800)
            channel = rng.choices(CONTACT_CHANNELS, CONTACT_CHANNEL_WEIGHTS)[0]
            if channel == "face_to_face" and not self.calendar.is_working_day(day):
                channel = "phone"
            index = rng.choices(range(len(reasons)), reason_weights)[0]
            reason, team = reasons[index], teams_of[index]
            r = rng.random()
            person = rng.choice(tenants).lead if r < 0.72 else \
                rng.choice(self.pop.applicants) if r < 0.9 and self.pop.applicants else None
            outcome = rng.choices(("resolved", "signposted", "callback", "routed"), (55, 15, 15, 15))[0]
            staff = rng.choice(front) if rng.random() < 0.7 else rng.choice(self.office.in_team(team) or front)
            notes = rng.choice(CONTACT_NOTES.get(reason, ("Enquiry answered.",)))
            self.contacts.append((_local(day, seconds), channel, person, staff, reason, outcome, teams.get(team), None,
                                  notes))

    def contact_rows(self, loader, extra: tuple[str, ...]) -> list[tuple]:
        ordered = sorted(self.contacts, key=lambda c: (c[0], c[2].id if c[2] else 0, c[4]))
        rows = []
        for number, (at, channel, person, staff, reason, outcome, team_id, case, notes) in enumerate(ordered, 1):
            row = (number, loader.moment(at), channel, person.id if person else None, staff.id, reason, outcome,
                   team_id, case.id if case else None, notes, 1)
            for column in extra:
                if column == "logged_at":
                    row += (loader.moment(at + timedelta(minutes=self.rng.randint(0, 5))),)
                elif column == "anonymous":
                    row += (person is None,)
            rows.append(row)
        return rows

    # -- housing options detail (only when that module's tables exist) ----------------------------

    def homeless_rows(self, loader, columns: set[str]) -> tuple[tuple[str, ...], list[tuple]] | None:
        """Rows for ``homeless_case`` behind each homelessness case, or None if the table is not known here."""
        if not columns or not {"case_id", "approach_date", "stage"} <= columns:
            return None
        cols = tuple(c for c in ("id", "case_id", "person_id", "household_id", "jurisdiction", "stage",
                                 "approach_date", "route", "referral_body", "referral_consent", "referral_received_on",
                                 "current_accommodation", "loss_reason", "s21_expiry", "nowhere_tonight",
                                 "rough_sleeping", "domestic_abuse_risk", "da_risk_in_connected_area", "safeguarding",
                                 "adults", "children", "pregnant", "support_needs_assessed", "closed_on", "version")
                     if c in columns)
        rows = []
        jurisdiction = "scotland" if self.jurisdiction == "scotland" else "england"
        for case in self.cases:
            if case.case_type != "homelessness":
                continue
            route, body, accommodation, loss, rough, abuse = HOMELESS_FACTS.get(
                case.summary, ("self", None, "living_with_friends", "other", False, False))
            approach = case.opened.astimezone(UK).date()
            children = 0
            adults = 1
            if case.household is not None:
                present = [m for m in case.household.members if m.left is None]
                children = sum(1 for m in present if m.relationship == "child")
                adults = max(1, len(present) - children)
            values = {
                "id": len(rows) + 1, "case_id": case.id, "person_id": case.person.id if case.person else None,
                "household_id": case.household.id if case.household else None, "jurisdiction": jurisdiction,
                "stage": "closed" if case.closed else "triage", "approach_date": loader.day(approach), "route": route,
                "referral_body": body, "referral_consent": True if route != "self" else None,
                "referral_received_on": loader.day(approach) if route != "self" else None,
                "current_accommodation": accommodation, "loss_reason": loss,
                "s21_expiry": loader.day(approach + timedelta(days=42)) if loss == "end_ast" else None,
                "nowhere_tonight": rough, "rough_sleeping": rough, "domestic_abuse_risk": abuse,
                "da_risk_in_connected_area": False, "safeguarding": False, "adults": adults, "children": children,
                "pregnant": False, "support_needs_assessed": False,
                "closed_on": loader.day(case.closed.astimezone(UK).date()) if case.closed else None, "version": 1,
            }
            rows.append(tuple(values[c] for c in cols))
        return cols, rows

