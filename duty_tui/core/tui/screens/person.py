"""The person / household view: alerts first, then identity, tenancy, money, history."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import Header, Static, TabbedContent, TabPane

from duty_tui.core import registry
from duty_tui.core.domain.local_time import format_local
from duty_tui.core.domain.money import format_balance, format_pence
from duty_tui.core.tui.cases import open_case
from duty_tui.core.tui.kit.footer import DutyFooter
from duty_tui.core.tui.kit.list_table import Column, ListRow, ListTable
from duty_tui.core.tui.screens.base import DutyScreen
from duty_tui.core.tui.text import alert_banner, due_cells, plain

if TYPE_CHECKING:
    from duty_tui.core.services.people import PersonView

ACCOUNT_NAMES = {
    "rent": "Rent", "former_tenant": "Former tenant arrears", "rechargeable_repairs": "Rechargeable repairs",
    "court_costs": "Court costs", "service_charge": "Service charge", "suspense": "Suspense",
}
TABS = ("overview", "household", "accounts", "history", "cases", "details")
MEMBER_COLUMNS = (
    Column("ref", "Ref", priority=0, never_cut=True),
    Column("name", "Name", min=12, priority=0),
    Column("relationship", "Relationship", min=8, ideal=16, priority=1),
    Column("age", "Age", priority=1, never_cut=True),
)
ACCOUNT_COLUMNS = (
    Column("ref", "Account", priority=0, never_cut=True),
    Column("type", "Type", min=8, ideal=22, priority=1),
    Column("balance", "Balance", priority=0, never_cut=True, justify="right"),
    Column("paid", "Last paid", priority=1, never_cut=True),
)
HISTORY_COLUMNS = (
    Column("when", "When", priority=0, never_cut=True),
    Column("channel", "Channel", min=6, ideal=14, priority=2),
    Column("reason", "Reason", min=12, ideal=30, priority=0),
    Column("outcome", "Outcome", min=8, ideal=20, priority=1),
    Column("by", "By", min=8, ideal=16, priority=3),
)
CASE_COLUMNS = (
    Column("mark", "!", priority=0, never_cut=True),
    Column("due", "Due", priority=0, never_cut=True),
    Column("ref", "Case", priority=0, never_cut=True),
    Column("type", "Type", min=6, ideal=14, priority=1),
    Column("team", "Team", min=8, ideal=20, priority=3),
    Column("summary", "Summary", min=12, ideal=40, priority=2),
)


class PersonScreen(DutyScreen):
    """One person, their household, tenancy, balances, alerts and history."""

    watches = {"person": "ref"}  # kit/changes.py: reloads when this person (their cases, contacts, accounts) changes

    SCOPE_NAME = "person"
    TITLE = "Person"
    HOLD_KEYS_UNTIL_LOADED = True  # kit/typeahead.py: a tab key (3) typed while the person loads waits for them
    BINDINGS = [
        Binding("escape", "back", "Back", id="person-back", tooltip="Back to the previous screen"),
        Binding("1", "tab('overview')", "Overview", id="person-overview", show=False,
                tooltip="Tenancy, balances and open cases"),
        Binding("2", "tab('household')", "Household", id="person-household", show=False,
                tooltip="Who lives in the household"),
        Binding("3", "tab('accounts')", "Accounts", id="person-accounts", show=False, tooltip="Every account and its balance"),
        Binding("4", "tab('history')", "History", id="person-history", show=False, tooltip="Recent contacts"),
        Binding("5", "tab('cases')", "Cases", id="person-cases", show=False, tooltip="Open cases"),
        Binding("6", "tab('details')", "Details", id="person-details", show=False,
                tooltip="Identity and contact details (masked for some roles)"),
        Binding("r", "reload", "Reload", id="person-reload", tooltip="Load this person again"),
        Binding("o", "open_options_case", "Options case", id="person-options-case",
                tooltip="Open this person's homelessness case"),
        Binding("l", "register_application", "Application", id="person-register-application",
                tooltip="Their housing register application: band, place on the list, bids"),
        Binding("w", "who_viewed", "Who viewed", id="person-who-viewed",
                tooltip="Who has looked at or changed this person's records (team leaders)"),
    ]

    def __init__(self, ref: str) -> None:
        super().__init__()
        self.ref = ref
        self.view: PersonView | None = None
        self.options_case_ref: str | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="alerts")
        yield Static(plain(f"Loading {self.ref}…"), id="identity")
        with TabbedContent(initial="overview"):
            with TabPane("1 Overview", id="overview"):
                yield VerticalScroll(Static("", id="overview-body"))
            with TabPane("2 Household", id="household"):
                yield ListTable(MEMBER_COLUMNS, id="members", zebra_stripes=False)
            with TabPane("3 Accounts", id="accounts"):
                yield ListTable(ACCOUNT_COLUMNS, id="accounts-table", zebra_stripes=False)
            with TabPane("4 History", id="history"):
                yield ListTable(HISTORY_COLUMNS, id="contacts", zebra_stripes=False)
            with TabPane("5 Cases", id="cases"):
                yield ListTable(CASE_COLUMNS, id="cases-table", zebra_stripes=False)
            with TabPane("6 Details", id="details"):
                yield VerticalScroll(Static("", id="details-body"))
        yield DutyFooter()

    def on_mount(self) -> None:
        self.query_one("#alerts").display = False
        self.load()

    def action_back(self) -> None:
        """Back to where we came from."""
        self.app.pop_screen()

    def action_reload(self) -> None:
        """Load again (another terminal may have changed something)."""
        self.load()

    def action_tab(self, tab: str) -> None:
        """Switch to a tab by number key."""
        self.query_one(TabbedContent).active = tab
        pane = self.query_one(f"#{tab}", TabPane)
        for table in pane.query(ListTable):
            table.focus()
            break

    @work(thread=True, exclusive=True, exit_on_error=False, group="person")
    def load(self) -> None:
        from duty_tui.core.services.people import get_person

        ctx = self.duty_app.ctx
        view = get_person(ctx, self.ref)
        summary = None
        if ctx.can("case.view"):
            homelessness_summary = registry.hook("person.summary")  # housing options, when this build has it
            if homelessness_summary is not None:
                summary = homelessness_summary(ctx, self.ref)
        self.post_message(self.PersonLoaded(view, summary))

    @dataclass
    class PersonLoaded(Message):
        """The person, and their homelessness summary when this role may see cases."""

        view: PersonView
        homelessness: Any = None

    @on(PersonLoaded)
    def _person_loaded(self, message: PersonLoaded) -> None:
        self._show(message.view, message.homelessness)

    def on_worker_error(self, error: BaseException | None) -> None:
        self.query_one("#identity", Static).update(plain(f"Could not open {self.ref}. Esc to go back."))
        self.keys_ready()
        super().on_worker_error(error)

    def on_data_table_row_selected(self, event) -> None:
        """Enter opens the row: an account's statement, a case, a household member, a past contact
        (and, within the set time, its correction)."""
        key = event.row_key.value
        if key is None:
            return
        if event.data_table.id == "contacts":
            contact_screen = registry.hook("person.contact_screen")  # the front desk's
            if str(key).isdigit() and contact_screen is not None:
                self.app.push_screen(contact_screen(int(str(key))))
            return
        if event.data_table.id == "accounts-table":
            account_screen = registry.hook("person.account_screen")  # the payments area's statement
            if account_screen is not None:
                self.app.push_screen(account_screen(str(key)))
        elif event.data_table.id == "cases-table" and self.view is not None:
            case = next((c for c in self.view.cases if c.ref == key), None)
            if case is not None:
                open_case(self.app, case.ref, case.case_type, person_ref=self.ref)
        elif event.data_table.id == "members" and key != self.ref:
            self.app.push_screen(PersonScreen(str(key)))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "open_options_case":
            return self.options_case_ref is not None
        if action == "who_viewed":
            return self.duty_app.ctx.can("audit.view")
        if action == "register_application":
            ctx = self.duty_app.ctx
            return registry.hook("person.register_screen") is not None and (
                ctx.can("lettings.view") or ctx.can("lettings.manage"))
        return True

    def action_register_application(self) -> None:
        """Open the person's housing register application (the lettings area's screen)."""
        register_screen = registry.hook("person.register_screen")  # lettings, when this build has it
        if register_screen is not None:
            self.app.push_screen(register_screen(self.ref))

    def action_open_options_case(self) -> None:
        """Open the person's homelessness case."""
        if self.options_case_ref:
            open_case(self.app, self.options_case_ref, "homelessness", person_ref=self.ref)

    def action_who_viewed(self) -> None:
        """Who has looked at or changed this person's records (audit.view)."""
        if self.duty_app.ctx.can("audit.view"):
            from duty_tui.core.tui.screens.person_access import PersonAccessScreen

            self.app.push_screen(PersonAccessScreen(person_ref=self.ref))

    def _show(self, view: PersonView, homelessness=None) -> None:
        self.view = view
        self.title = plain(f"{view.name} ({view.ref})").plain  # the header shows ESC raw otherwise
        self.options_case_ref = homelessness.case_ref if homelessness else None
        self.refresh_bindings()
        self._show_alerts(view)
        self._show_identity(view, homelessness.line if homelessness else None)
        self._show_overview(view)
        self._show_tables(view)
        self.keys_ready()  # what was typed while loading (a tab key) now applies

    def _show_alerts(self, view: PersonView) -> None:
        banner = self.query_one("#alerts", Static)
        if not view.alerts:
            banner.display = False
            return
        banner.update(alert_banner(view.alerts))
        banner.display = True

    def _show_identity(self, view: PersonView, homelessness_line: str | None = None) -> None:
        line = Text()
        line.append(plain(f"{view.title + ' ' if view.title else ''}{view.name}", style="bold"))
        line.append(plain(f"  {view.ref}  born {view.date_of_birth}"))
        if view.age is not None:
            line.append(plain(f" (age {view.age})"))
        if view.interpreter_needed:
            line.append(plain(f"  INTERPRETER: {view.language or 'yes'}", style="bold"))
        if homelessness_line:
            line.append("\n")
            line.append(plain(f"{homelessness_line} (o to open)", style="bold"))
        self.query_one("#identity", Static).update(line)

    def _show_overview(self, view: PersonView) -> None:
        body = Text()
        tenancy = view.tenancy
        if tenancy:
            body.append("Tenancy ", style="bold")
            body.append(plain(f"{tenancy.ref} · {tenancy.tenancy_type.replace('_', ' ')} · {tenancy.status} "
                              f"since {tenancy.start_date:%d/%m/%Y}"
                              + (f" ended {tenancy.end_date:%d/%m/%Y}" if tenancy.end_date else "")))
            body.append("\nHome    ", style="bold")
            body.append(plain(f"{tenancy.address} {tenancy.postcode}"))
            body.append(plain(f"\n        {tenancy.bedrooms}-bed {tenancy.property_type} · rent "
                              f"{format_pence(tenancy.weekly_rent_pence)}/week · {tenancy.property_ref}"))
        else:
            body.append("No tenancy held.", style="bold")
        if view.household_ref:
            body.append(plain(f"\nHousehold {view.household_ref}: {len(view.members)} "
                              f"{'person' if len(view.members) == 1 else 'people'} (2 for details)"))
        body.append("\n")
        if view.accounts:
            for account in view.accounts:
                style = "bold" if account.balance_pence > 0 and not account.closed else ""
                body.append("\n")
                body.append(plain(f"{ACCOUNT_NAMES.get(account.account_type, account.account_type):<22} "
                                  f"{account.ref:<10} {format_balance(account.balance_pence):>22}"
                                  + (" (closed)" if account.closed else "")
                                  + (f" · {format_pence(account.weekly_charges_pence)}/wk"
                                     if account.weekly_charges_pence and not account.closed else ""), style=style))
        else:
            body.append("\nNo accounts.")
        body.append("\n\n")
        body.append(plain(f"Open cases: {len(view.cases)} (5)   Recent contacts: {len(view.contacts)} (4)"))
        if view.contacts:
            last = view.contacts[0]
            body.append(plain(f"\nLast contact {format_local(last.at)} {last.channel}: {last.reason}"
                              f" — {last.outcome or 'no outcome'}"))
        self.query_one("#overview-body", Static).update(body)

    def _show_tables(self, view: PersonView) -> None:
        now = self.duty_app.ctx.now()
        # Each list keeps its cursor on the same row (by key) when the person is loaded again.
        self.query_one("#members", ListTable).set_rows([ListRow(m.ref, {
            "ref": m.ref, "name": m.name + (" (lead)" if m.is_lead else ""), "relationship": m.relationship,
            "age": "" if m.age is None else str(m.age)}) for m in view.members])
        self.query_one("#accounts-table", ListTable).set_rows([ListRow(a.ref, {
            "ref": a.ref, "type": ACCOUNT_NAMES.get(a.account_type, a.account_type),
            "balance": format_balance(a.balance_pence) + (" (closed)" if a.closed else ""),
            "paid": a.last_payment_on.strftime("%d/%m/%Y") if a.last_payment_on else "never"}) for a in view.accounts])
        self.query_one("#contacts", ListTable).set_rows([ListRow(str(c.id) if c.id is not None else f"i{index}", {
            "when": format_local(c.at), "channel": c.channel, "reason": c.reason, "outcome": c.outcome or "—",
            "by": c.staff or "—"}) for index, c in enumerate(view.contacts)])
        cases = []
        for case in view.cases:
            mark, due = due_cells(case.due_at, now, self.duty_app.calendar, hours=case.priority == "emergency")
            cases.append(ListRow(case.ref, {"mark": mark, "due": due, "ref": case.ref,
                                            "type": case.case_type.replace("_", " "), "team": case.team or "—",
                                            "summary": case.summary}))
        self.query_one("#cases-table", ListTable).set_rows(cases)
        details = Text()
        rows = [
            ("Name", view.name), ("Preferred name", view.preferred_name or "—"), ("Date of birth", view.date_of_birth),
            ("NI number", view.ni_number), ("Phone", view.phone_main), ("Other phone", view.phone_alt),
            ("Email", view.email), ("Contact by", view.preferred_contact or "—"),
            ("Language", view.language or "English"), ("Interpreter", "needed" if view.interpreter_needed else "no"),
        ]
        for label, value in rows:
            details.append(f"{label:<16}", style="bold")
            details.append(plain(value))
            details.append("\n")
        if not view.sensitive_visible:
            details.append("\nSome details are masked for your role.", style="italic")
        self.query_one("#details-body", Static).update(details)
