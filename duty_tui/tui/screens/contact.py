"""Log a contact (F4): who, why, what happened — in a dozen keys for a routine call.

The flow, keyboard only: type a name, ref or phone in Caller and press Enter (the highlighted
match is chosen and their cautionary alerts show at the top before anything else); type a
few letters of the reason and press Enter (several reasons allowed); Tab to the notes; F9
saves. Outcome defaults to "resolved at first contact". Reasons that need an identity check
before disclosure open the check; reasons with a team and clock route themselves.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Footer, Header, Input, Label, OptionList, Select, Static, TextArea
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

from duty_tui.domain.frontdesk import parse_when
from duty_tui.domain.local_time import display_date
from duty_tui.domain.money import format_balance
from duty_tui.services.contacts import (
    CallerBrief, ContactDraft, ContactForm, ContactSaved, IdentityResult, NewPerson, ThirdParty,
)
from duty_tui.services.search import PersonHit
from duty_tui.tui.screens.frontdesk_live import WorkerFailures
from duty_tui.tui.drafts import DraftForm, apply_values, collect_values
from duty_tui.tui.screens.base import DutyScreen
from duty_tui.tui.text import plain
from duty_tui.tui.widgets.table import DutyTable

DEBOUNCE_SECONDS = 0.12
CALLER_KINDS = [("person", "Known person"), ("third_party", "Someone on their behalf"),
                ("anonymous", "Anonymous caller"), ("new", "New person (quick add)")]


def _value(select: Select) -> str:
    value = select.value
    return value if isinstance(value, str) else ""


class ComboInput(Input):
    """An input that steers a list below it: ↑/↓ move the highlight, Backspace on empty removes the last pick."""

    class Move(Message):
        """Move the list's highlight."""

        def __init__(self, combo: ComboInput, delta: int) -> None:
            super().__init__()
            self.combo = combo
            self.delta = delta

        @property
        def control(self) -> ComboInput:
            """The input the key was pressed in."""
            return self.combo

    class RemoveLast(Message):
        """Backspace in an empty box: remove the last thing chosen."""

        def __init__(self, combo: ComboInput) -> None:
            super().__init__()
            self.combo = combo

        @property
        def control(self) -> ComboInput:
            """The input the key was pressed in."""
            return self.combo

    BINDINGS = [
        Binding("down", "move(1)", "Next match", show=False, id="contact-combo-next", tooltip="Highlight the next match"),
        Binding("up", "move(-1)", "Previous match", show=False, id="contact-combo-previous",
                tooltip="Highlight the previous match"),
    ]

    def action_move(self, delta: int) -> None:
        """Tell the screen to move the list's highlight."""
        self.post_message(self.Move(self, delta))

    def action_delete_left(self) -> None:
        if not self.value:
            self.post_message(self.RemoveLast(self))
            return
        super().action_delete_left()


class LogContactScreen(DraftForm, WorkerFailures, DutyScreen):
    """Log a contact: channel, caller, reasons, identity check, notes, outcome."""

    SCOPE_NAME = "contact"
    DRAFT_KIND = "contact"
    TITLE = "Log a contact"
    DEFAULT_CSS = """
    LogContactScreen #contact-alerts { height: auto; max-height: 5; background: $error 30%; border-left: thick $error;
                                       padding: 0 1; }
    LogContactScreen #contact-problems { height: auto; color: $error; text-style: bold; padding: 0 1;
                                         border-left: thick $error; }
    LogContactScreen #contact-body { height: 1fr; padding: 0 1; }
    LogContactScreen .row { height: auto; }
    LogContactScreen .row Label { width: 9; padding: 0 1 0 0; color: $text-muted; }
    LogContactScreen .row .short { width: 22; }
    LogContactScreen #channel { width: 30; }
    LogContactScreen #when { width: 24; }
    LogContactScreen #caller-kind { width: 30; }
    LogContactScreen #who-results { height: auto; max-height: 5; }
    LogContactScreen #reason-options { height: auto; max-height: 5; }
    LogContactScreen #caller, LogContactScreen #reasons-chosen, LogContactScreen #id-result,
    LogContactScreen #agency-info { height: auto; }
    LogContactScreen #notes { height: 4; }
    LogContactScreen .section { height: auto; }
    LogContactScreen #id-answer { width: 1fr; }
    """
    BINDINGS = [
        Binding("f9", "save", "Save", id="contact-save", tooltip="Save the contact and everything it starts"),
        Binding("escape", "cancel", "Cancel", id="contact-cancel",
                tooltip="Close the form (asks before discarding anything typed)"),
    ]

    def __init__(self, person_ref: str | None = None, *, visit_id: int | None = None, channel: str | None = None,
                 reason: str | None = None) -> None:
        super().__init__()
        self.person_ref = person_ref
        self.visit_id = visit_id
        self.initial_channel = channel
        self.initial_reason = reason
        self.form: ContactForm | None = None
        self.caller: CallerBrief | None = None
        self.reasons: list[str] = []
        self.identity: IdentityResult | None = None
        self.hits: list[PersonHit] = []
        self.staff: list = []
        self._timer = None
        self._saving = False
        self._last_query = ""
        import uuid

        self.save_key = uuid.uuid4().hex  # a retried save (database back, Enter twice) posts once
        self._last_save_attempt: ContactDraft | None = None  # what F9 last tried to save

    # -- layout ------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        from duty_tui.services.contacts import contact_form

        form = self.form = contact_form(self.duty_app.ctx)  # data/ only: no database wait
        channel = self.initial_channel or getattr(self.app, "_frontdesk_channel", None) or "phone"
        if channel not in {c for c, _ in form.channels}:
            channel = form.channels[0][0]
        yield Header()
        yield Static("", id="contact-alerts")
        yield Static("", id="contact-problems")
        with VerticalScroll(id="contact-body"):
            with Horizontal(classes="row"):
                yield Label("Channel")
                yield Select([(plain(name), code) for code, name in form.channels], value=channel, id="channel",
                             allow_blank=False, compact=True)
                yield Label("When")
                yield Input(placeholder="now (or 09:15, 12/03/2026 14:30)", id="when", compact=True)
            with Horizontal(classes="row"):
                yield Label("Caller")
                yield Select([(plain(n), c) for c, n in CALLER_KINDS], value="person", allow_blank=False,
                             id="caller-kind", compact=True)
            yield ComboInput(placeholder="name, address, postcode, phone or ref — Enter picks the highlighted",
                             id="who", max_length=100, compact=True)
            yield DutyTable(id="who-results", cursor_type="row", show_header=False)
            yield Static("", id="caller")
            yield ComboInput(placeholder="Reason: type to filter, ↑↓, Enter to add (more than one is fine)",
                             id="reason-filter", max_length=60, compact=True)
            yield OptionList(id="reason-options", compact=True)
            yield Static("", id="reasons-chosen")
            yield TextArea(id="notes", placeholder="Notes (what was said and done)")
            with Horizontal(classes="row"):
                yield Label("Outcome")
                yield Select([(plain(name), code) for code, name in form.outcomes], value="resolved", id="outcome",
                             allow_blank=False, compact=True)
        yield Footer()

    # Sections used by some contacts only are built the first time they are needed: a form
    # that opens with fewer widgets opens faster.
    def _build(self, name: str):
        form = self.form
        assert form is not None
        if name == "third-party":
            return Horizontal(
                Input(placeholder="their name *", id="tp-name", classes="short", max_length=120, compact=True),
                Input(placeholder="organisation", id="tp-org", classes="short", max_length=120, compact=True),
                Input(placeholder="relationship", id="tp-rel", classes="short", max_length=40, compact=True),
                Input(placeholder="phone", id="tp-phone", max_length=32, compact=True),
                id=name, classes="section row"), "#reason-filter"
        if name == "new-person":
            return Horizontal(
                Input(placeholder="first name *", id="np-forename", classes="short", max_length=80, compact=True),
                Input(placeholder="surname *", id="np-surname", classes="short", max_length=80, compact=True),
                Input(placeholder="born DD/MM/YYYY", id="np-dob", classes="short", max_length=10, compact=True),
                Input(placeholder="phone", id="np-phone", max_length=32, compact=True),
                id=name, classes="section row"), "#reason-filter"
        if name == "identity":
            return Vertical(
                Horizontal(Label("Check ID"),
                           Select([(plain(n), c) for c, n in form.identity_methods], value="tenancy_ref",
                                  id="id-method", allow_blank=False, compact=True),
                           Input(placeholder="what the caller says — Enter checks", id="id-answer", max_length=80,
                                 compact=True),
                           classes="row"),
                Static("Confirm identity before giving account details.", id="id-result"),
                id=name, classes="section"), "#notes"
        if name == "repair":
            return Horizontal(
                Label("Priority"),
                Select([(plain(n), c) for c, n in form.repair_priorities], id="repair-priority", allow_blank=True,
                       compact=True, prompt="default for reason"),
                Input(placeholder="where in the home", id="repair-location", max_length=120, compact=True),
                id=name, classes="section row"), "#notes"
        if name == "safeguarding-subject":
            return Input(placeholder="Safeguarding: who is at risk (name or description) *", id=name,
                         max_length=120, compact=True, classes="section"), "#notes"
        if name == "signposted":
            return Vertical(
                Select([(plain(a.name), a.code) for a in form.agencies], id="agency", compact=True,
                       prompt="Agency signposted to"),
                Static("", id="agency-info"), id=name, classes="section"), None
        if name == "routed":
            staff = [(plain(f"{s.name} ({s.team or 'no team'})"), s.username) for s in self.staff]
            cases = [(plain(f"{c.ref} {c.case_type}: {c.summary}"[:60]), c.ref)
                     for c in (self.caller.open_cases if self.caller else [])]
            team = next((r.team for r in (self._reason(c) for c in self.reasons) if r is not None), None)
            return Horizontal(
                Select([(plain(n), c) for c, n in form.teams], id="route-team", compact=True, prompt="Team",
                       value=team if team else Select.NULL),
                Select(staff, id="route-officer", compact=True, prompt="Officer (or the team)"),
                Select(cases, id="add-to-case", compact=True, prompt="New case"),
                id=name, classes="section row"), None
        if name == "callback":
            return Horizontal(
                Input(placeholder="call back on (phone) *", id="callback-phone", classes="short", max_length=32,
                      compact=True),
                Input(placeholder="by when (blank: next working day)", id="callback-when", compact=True),
                id=name, classes="section row"), None
        return Horizontal(
            Input(placeholder="when * e.g. tomorrow 10:00", id="appt-when", classes="short", compact=True),
            Input(placeholder="where", id="appt-place", max_length=80, compact=True),
            id=name, classes="section row"), None

    def _show_section(self, name: str, show: bool) -> None:
        """Show (building it the first time) or hide an optional section."""
        found = self.query(f"#{name}")
        if found:
            found.first().display = show
            return
        if not show:
            return
        widget, before = self._build(name)
        body = self.query_one("#contact-body")
        if before:
            body.mount(widget, before=self.query_one(before))
        else:
            body.mount(widget)

    def _widget(self, selector: str):
        """The widget if its section has been built, else None."""
        found = self.query(selector)
        return found.first() if found else None

    def _text(self, selector: str) -> str:
        widget = self._widget(selector)
        if widget is None:
            return ""
        return _value(widget) if isinstance(widget, Select) else widget.value

    def on_mount(self) -> None:
        for selector in ("#contact-alerts", "#contact-problems", "#who-results"):
            self.query_one(selector).display = False
        results = self.query_one("#who-results", DutyTable)
        results.can_focus = False
        results.add_column("Ref", width=8)
        results.add_column("Name", width=20)
        results.add_column("Born", width=4)
        results.add_column("!", width=1)
        results.add_column("Address")
        self.query_one("#reason-options", OptionList).can_focus = False
        if self.person_ref:
            self.query_one("#who", Input).value = self.person_ref
            self.load_caller(self.person_ref)
            self.query_one("#reason-filter", Input).focus()
        else:
            self.query_one("#who", Input).focus()
        if self.initial_reason and self.initial_reason in {r.code for r in self.form.reasons}:
            self._add_reason(self.initial_reason)
        self._show_reason_options()
        self.load_staff()

    # -- loading -----------------------------------------------------------------------------

    @work(thread=True, exclusive=True, exit_on_error=False, group="contact-form")
    def load_staff(self) -> None:
        """Staff work can be routed to (a database read)."""
        from duty_tui.services.routing import list_staff

        staff = list_staff(self.duty_app.ctx)
        self.app.call_from_thread(self._staff_ready, staff)

    def _staff_ready(self, staff) -> None:
        self.staff = staff
        officer = self._widget("#route-officer")
        if officer is not None:
            officer.set_options([(plain(f"{s.name} ({s.team or 'no team'})"), s.username) for s in staff])

    # -- caller --------------------------------------------------------------------------------

    @on(Select.Changed, "#caller-kind")
    def _caller_kind(self, event: Select.Changed) -> None:
        kind = _value(event.select)
        self.query_one("#who").display = kind in ("person", "third_party")
        self._show_section("third-party", kind == "third_party")
        self._show_section("new-person", kind == "new")
        if kind in ("anonymous", "new"):
            self._set_caller(None)
            self.query_one("#who-results").display = False
        caller = self.query_one("#caller", Static)
        if kind == "anonymous":
            caller.update(plain("Anonymous caller: nothing about anyone's account may be disclosed."))
        elif kind == "new":
            caller.update(plain("A new person is created when the contact is saved (search first to avoid a duplicate)."))
        self._refresh_sections()

    @on(Input.Changed, "#who")
    def _who_typed(self) -> None:
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(DEBOUNCE_SECONDS, self._search_now)

    def _search_now(self) -> None:
        query = self.query_one("#who", Input).value.strip()
        self._last_query = query
        if len(query) < 2 or (self.caller is not None and query in (self.caller.ref, self.caller.name)):
            self.query_one("#who-results").display = False
            return
        self.run_search(query)

    @work(thread=True, exclusive=True, exit_on_error=False, group="contact-search")
    def run_search(self, query: str) -> None:
        """The global search, as you type."""
        from duty_tui.services.search import find_people

        hits = find_people(self.duty_app.ctx, query, limit=8)
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._show_hits, query, hits)

    def _show_hits(self, query: str, hits: list[PersonHit]) -> None:
        if query != self._last_query:
            return
        self.hits = hits
        table = self.query_one("#who-results", DutyTable)
        table.clear()
        for hit in hits:
            table.add_row(plain(hit.ref), plain(hit.name), plain(hit.born or ""), plain("⚠" if hit.alerts else ""),
                          plain(hit.address or "no current address"), key=hit.ref)
        table.display = bool(hits)
        if not hits:
            self._problems([f"No one found for {query!r}: try a postcode or phone number, or choose New person."])
        else:
            self._problems([])

    @on(ComboInput.Move)
    def _move(self, event: ComboInput.Move) -> None:
        event.stop()
        if event.combo.id == "who":
            table = self.query_one("#who-results", DutyTable)
            if table.display and table.row_count:
                table.move_cursor(row=max(0, min(table.row_count - 1, table.cursor_row + event.delta)))
        elif event.combo.id == "reason-filter":
            options = self.query_one("#reason-options", OptionList)
            if options.option_count:
                current = options.highlighted if options.highlighted is not None else -1
                options.highlighted = max(0, min(options.option_count - 1, current + event.delta))

    @on(Input.Submitted, "#who")
    def _who_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if self._timer is not None:
            self._timer.stop()  # Enter decides now; a late search must not overwrite its message
        table = self.query_one("#who-results", DutyTable)
        query = event.value.strip()
        if table.display and table.row_count:
            ref = str(table.coordinate_to_cell_key((table.cursor_row, 0)).row_key.value)
            self.load_caller(ref)
        elif self.caller is not None and query in (self.caller.ref, self.caller.name):
            self.query_one("#reason-filter", Input).focus()
        elif query:
            self.load_caller(query)  # a ref typed in full
        else:
            self._problems(["Caller: type a name, address, phone or ref, or choose Anonymous in Caller."])

    @work(thread=True, exclusive=True, exit_on_error=False, group="contact-caller")
    def load_caller(self, ref: str) -> None:
        """The chosen caller, alerts first."""
        from duty_tui.services.contacts import caller_brief

        brief = caller_brief(self.duty_app.ctx, ref)
        self.app.call_from_thread(self._caller_ready, brief)

    def _caller_ready(self, brief: CallerBrief) -> None:
        self._set_caller(brief)
        self.query_one("#who-results").display = False
        self._problems([])
        if self.focused is None or self.focused.id in ("who", None):
            self.query_one("#reason-filter", Input).focus()

    def _set_caller(self, brief: CallerBrief | None) -> None:
        self.caller = brief
        self.identity = None
        alerts = self.query_one("#contact-alerts", Static)
        if brief is None or not brief.alerts:
            alerts.display = False
        else:
            text = Text()
            text.append(f" ⚠ {len(brief.alerts)} ALERT{'S' if len(brief.alerts) > 1 else ''} ", style="bold reverse")
            for alert in brief.alerts:
                text.append("\n ▲ ")
                text.append(plain(alert.category_name, style="bold"))
                text.append(": ")
                text.append(plain(alert.summary))
                if alert.detail and alert.detail != alert.summary:
                    text.append(" — ")
                    text.append(plain(alert.detail, style="italic"))
            alerts.update(text)
            alerts.display = True  # before anything else: the top of the form
        caller = self.query_one("#caller", Static)
        if brief is not None:
            line = Text()
            line.append(plain(f"{brief.ref} {brief.name}", style="bold"))
            line.append(plain(f" · born {brief.born or '—'} · {brief.address or 'no current address'}"
                              + (f" · {brief.tenancy_ref}" if brief.tenancy_ref else "")))
            if brief.interpreter_needed:
                line.append(plain(f" · INTERPRETER: {brief.language or 'yes'}", style="bold"))
            if brief.open_cases:
                line.append(plain("\nOpen cases: " + "; ".join(f"{c.ref} {c.case_type}" for c in brief.open_cases[:4])))
            if brief.last_contact:
                line.append(plain(f"\nLast contact: {brief.last_contact}"))
            caller.update(line)
            self.query_one("#who", Input).value = brief.ref
            add_to = self._widget("#add-to-case")
            if add_to is not None:
                add_to.set_options([(plain(f"{c.ref} {c.case_type}: {c.summary}"[:60]), c.ref)
                                    for c in brief.open_cases])
        elif _value(self.query_one("#caller-kind", Select)) in ("person", "third_party"):
            caller.update("")
        result = self._widget("#id-result")
        if result is not None:
            result.update(plain("Confirm identity before giving account details."))
        self._refresh_sections()

    # -- reasons ---------------------------------------------------------------------------------

    @on(Input.Changed, "#reason-filter")
    def _reason_typed(self) -> None:
        self._show_reason_options()

    def on_descendant_focus(self, event) -> None:
        # The reasons list is shown while choosing reasons, and folds away after, to keep 80x24 calm.
        self.query_one("#reason-options").display = getattr(event.widget, "id", None) == "reason-filter"


    def _show_reason_options(self) -> None:
        if self.form is None:
            return
        from duty_tui.services.contacts import match_reasons

        query = self.query_one("#reason-filter", Input).value
        matches = [r for r in match_reasons(self.form, query) if r.code not in self.reasons]
        options = self.query_one("#reason-options", OptionList)
        options.set_options([Option(plain(r.label + ("  (ID check)" if r.needs_identity_check else "")), id=r.code)
                             for r in matches[:12]])
        if matches:
            options.highlighted = 0

    @on(Input.Submitted, "#reason-filter")
    def _reason_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        options = self.query_one("#reason-options", OptionList)
        if event.value.strip() and options.highlighted is not None and options.option_count:
            code = options.get_option_at_index(options.highlighted).id
            self._add_reason(str(code))
            event.input.value = ""
        elif not event.value.strip() and self.reasons:
            self.focus_next()
        elif not event.value.strip():
            self._problems(["Reason: type a few letters (e.g. bal, repair, damp) and press Enter."])

    @on(ComboInput.RemoveLast, "#reason-filter")
    def _remove_last_reason(self, event: ComboInput.RemoveLast) -> None:
        event.stop()
        if self.reasons:
            self.reasons.pop()
            self._reasons_changed()

    def _add_reason(self, code: str) -> None:
        if code in self.reasons:
            return
        self.reasons.append(code)
        self._reasons_changed()
        reason = self._reason(code)
        if reason and reason.routes:
            self.query_one("#outcome", Select).value = "routed"
        team = self._widget("#route-team")
        if reason and team is not None and team.value is Select.NULL:
            team.value = reason.team

    def _reason(self, code: str):
        if self.form is None:
            return None
        return next((r for r in self.form.reasons if r.code == code), None)

    def _reasons_changed(self) -> None:
        chosen = self.query_one("#reasons-chosen", Static)
        if self.reasons:
            labels = [self._reason(c).label if self._reason(c) else c for c in self.reasons]
            chosen.update(plain("Reasons: " + " · ".join(labels) + "   (Backspace in the box removes the last)"))
        else:
            chosen.update("")
        self._show_reason_options()
        self._refresh_sections()

    # -- sections that depend on the caller, reasons and outcome --------------------------------

    def _refresh_sections(self) -> None:
        reasons = [r for r in (self._reason(c) for c in self.reasons) if r is not None]
        needs_id = any(r.needs_identity_check for r in reasons) and self.caller is not None
        self._show_section("identity", needs_id)
        self._show_section("repair", any(r.intake in ("repair", "damp_mould", "emergency_hazard") for r in reasons))
        self._show_section("safeguarding-subject", any(r.intake.startswith("safeguarding") for r in reasons))
        outcome = _value(self.query_one("#outcome", Select))
        for name in ("signposted", "routed", "callback", "appointment"):
            self._show_section(name, outcome == name)

    @on(Select.Changed, "#outcome")
    def _outcome_changed(self) -> None:
        self._refresh_sections()

    @on(Select.Changed, "#agency")
    def _agency_changed(self, event: Select.Changed) -> None:
        if self.form is None:
            return
        agency = next((a for a in self.form.agencies if a.code == _value(event.select)), None)
        self.query_one("#agency-info", Static).update(
            plain(f"{agency.phone or 'no phone'} · {agency.web} · {agency.helps_with}") if agency else "")

    @on(Select.Changed, "#channel")
    def _channel_changed(self, event: Select.Changed) -> None:
        if _value(event.select):
            setattr(self.app, "_frontdesk_channel", _value(event.select))

    # -- identity check ----------------------------------------------------------------------------

    @on(Input.Submitted, "#id-answer")
    def _check_identity(self, event: Input.Submitted) -> None:
        event.stop()
        if self.caller is None:
            return
        self.check_identity(self.caller.ref, self._text("#id-method"), event.value)

    @work(thread=True, exclusive=True, exit_on_error=False, group="contact-identity")
    def check_identity(self, ref: str, method: str, answer: str) -> None:
        """The yes/no identity check (the service compares; we never see the record)."""
        from duty_tui.services.contacts import check_identity

        result = check_identity(self.duty_app.ctx, ref, method, answer)
        self.app.call_from_thread(self._identity_checked, result)

    def _identity_checked(self, result: IdentityResult) -> None:
        self.identity = result
        text = Text()
        text.append(("✔ " if result.passed else "✘ ") + result.message, style="bold")
        for account in result.accounts:
            text.append(plain(f"\n  {account.ref} {account.account_type.replace('_', ' ')}: "
                              f"{format_balance(account.balance_pence)}"))
        self.query_one("#id-result", Static).update(text)
        self.query_one("#id-answer", Input).value = ""
        if result.passed:
            self.query_one("#notes", TextArea).focus()

    # -- saving ---------------------------------------------------------------------------------------

    def _problems(self, problems: list[str]) -> None:
        box = self.query_one("#contact-problems", Static)
        box.update(plain("\n".join(problems)))
        box.display = bool(problems)

    def _draft(self) -> tuple[ContactDraft | None, list[str]]:
        """The contact as typed, and any problems the form itself can see (dates that are not dates)."""
        problems: list[str] = []
        now = self.duty_app.ctx.now()

        def when(selector: str, label: str):
            try:
                return parse_when(self._text(selector), now)
            except ValueError as exc:
                problems.append(f"{label}: {exc}")
                return None

        kind = _value(self.query_one("#caller-kind", Select))
        value = self._text
        third = None
        if kind == "third_party":
            third = ThirdParty(value("#tp-name"), value("#tp-org"), value("#tp-rel"), value("#tp-phone"))
        new = None
        if kind == "new":
            new = NewPerson(value("#np-forename"), value("#np-surname"), value("#np-dob"), value("#np-phone"))
        if kind in ("person", "third_party") and self.caller is None and value("#who").strip() and kind == "person":
            problems.append("caller: choose the person from the matches (Enter), or choose Anonymous or New person")
        outcome = _value(self.query_one("#outcome", Select))
        identity = self.identity
        draft = ContactDraft(
            channel=_value(self.query_one("#channel", Select)), reasons=tuple(self.reasons), outcome=outcome,
            notes=self.query_one("#notes", TextArea).text, at=when("#when", "when"),
            person_ref=self.caller.ref if self.caller and kind in ("person", "third_party") else None,
            anonymous=kind == "anonymous", third_party=third, new_person=new,
            id_check_method=identity.method if identity else None,
            id_check_result=("passed" if identity.passed else "failed") if identity else None,
            agency=value("#agency") if outcome == "signposted" else "",
            route_team=value("#route-team") if outcome == "routed" else "",
            route_officer=value("#route-officer") if outcome == "routed" else "",
            add_to_case=value("#add-to-case") if outcome == "routed" else "",
            callback_phone=value("#callback-phone") if outcome == "callback" else "",
            callback_due=when("#callback-when", "callback by") if outcome == "callback" else None,
            appointment_at=when("#appt-when", "appointment") if outcome == "appointment" else None,
            appointment_place=value("#appt-place") if outcome == "appointment" else "",
            repair_priority=value("#repair-priority"),
            repair_location=value("#repair-location"),
            safeguarding_subject=value("#safeguarding-subject"),
            visit_id=self.visit_id, save_key=self.save_key,
        )
        return draft, problems

    def action_save(self) -> None:
        """Check, then save in a worker; problems show at the top and the form stays filled."""
        from duty_tui.services.contacts import contact_problems

        if self._saving or self.form is None:
            return
        draft, problems = self._draft()
        if draft is not None:
            problems += contact_problems(self.duty_app.ctx, draft)
        if problems:
            self._problems(problems)
            return
        self._problems([])
        self._saving = True
        self._last_save_attempt = draft
        self.save(draft)

    def _database_back(self) -> None:
        """The database answers again: save what is in the form now (the same save key: once only)."""
        if self.is_mounted and self._last_save_attempt is not None:
            self.action_save()

    @work(thread=True, exclusive=True, exit_on_error=False, group="contact-save")
    def save(self, draft: ContactDraft) -> None:
        """Save the contact (one transaction)."""
        from duty_tui.services.contacts import log_contact

        saved = log_contact(self.duty_app.ctx, draft)
        self.app.call_from_thread(self._saved, saved)

    def _saved(self, saved: ContactSaved) -> None:
        self._saving = False
        parts = [f"Contact saved{' for ' + saved.person_ref if saved.person_ref else ''}"
                 + (" (new person)" if saved.person_created else "") + "."]
        for case in saved.cases:
            due = ""
            if case.due_at is not None:
                when = display_date(case.due_at, weekday=True, hours=case.clock_kind == "hours")
                due = f", {case.clock_name or 'due'} by {when}"
            parts.append(f"Case {case.ref} {'opened for' if case.opened else 'updated:'} {case.team}{due}.")
        if saved.follow_up:
            parts.append(saved.follow_up + ".")
        parts.extend(saved.messages)
        self.app.notify(" ".join(parts), title="Contact logged", timeout=12,
                        severity="warning" if saved.messages else "information")
        self.dismiss() if self.is_modal else self.app.pop_screen()

    def on_worker_error(self, error: BaseException | None) -> None:
        from duty_tui.errors import DatabaseUnavailable, DutyError

        self._saving = False
        if isinstance(error, DatabaseUnavailable) and self._last_save_attempt is not None:
            # Keep the form; save it (once: same save key) when the database answers again.
            self._problems([f"{error.message}", "Your contact is kept and will be saved as soon as the database "
                            "answers; you can keep typing (F9 saves what is there then)."])
            self.duty_app.retry_when_database_back(error.message, self._database_back)
            return
        if isinstance(error, DutyError):
            problems = getattr(error, "problems", None) or [error.message]
            self._problems(list(problems))
            return  # shown inline; everything typed stays
        super().on_worker_error(error)

    # -- leaving -------------------------------------------------------------------------------------

    def dirty(self) -> bool:
        """True once anything has been typed or chosen."""
        if self.reasons or self.query_one("#notes", TextArea).text.strip():
            return True
        if self.caller is not None and self.caller.ref != (self.person_ref or "").upper():
            return True
        for widget in self.query(Input):
            if widget.id not in ("who",) and widget.value.strip():
                return True
        return bool(self.query_one("#who", Input).value.strip()) and not self.person_ref

    def action_cancel(self) -> None:
        """Close; asks first if anything was typed."""
        from duty_tui.tui.dialogs.confirm import ConfirmDialog

        if not self.dirty():
            self.app.pop_screen()
            return

        def answered(discard: bool | None) -> None:
            if discard:
                self.app.pop_screen()

        self.app.push_screen(ConfirmDialog("Discard this contact? What you typed will be lost.", yes="Discard",
                                           no="No, keep typing"), answered)

    # -- drafts ------------------------------------------------------------------------------------------

    def draft_person_ref(self) -> str | None:
        return self.caller.ref if self.caller is not None else self.person_ref

    def draft_title(self) -> str:
        who = f"{self.caller.ref} {self.caller.name}" if self.caller is not None else "no caller chosen yet"
        return f"Contact: {who}"

    def draft_args(self) -> dict[str, Any]:
        return {"person_ref": self.draft_person_ref(), "visit_id": self.visit_id}

    def draft_values(self) -> dict[str, Any]:
        values = collect_values(self)
        values["_reasons"] = list(self.reasons)
        values["_save_key"] = self.save_key
        return values

    def restore_draft(self, values: dict[str, Any]) -> None:
        """Put a kept contact back: caller kind and reasons first (they build sections), then the rest."""
        values = dict(values)
        self.save_key = values.pop("_save_key", None) or self.save_key
        reasons = values.pop("_reasons", [])
        for key in ("caller-kind", "channel"):
            if values.get(key):
                self.query_one(f"#{key}", Select).value = values.pop(key)
        for code in reasons:
            if code in {r.code for r in self.form.reasons}:
                self._add_reason(code)
        if values.get("outcome"):
            self.query_one("#outcome", Select).value = values.pop("outcome")
        self._refresh_sections()
        values.pop("who", None)  # the caller is reloaded from the draft's person
        self.call_after_refresh(lambda: self._restore_rest(values))

    def _restore_rest(self, values: dict[str, Any]) -> None:
        self._refresh_sections()
        apply_values(self, {k: v for k, v in values.items() if v not in (None, "")})
        self._problems(["This contact was kept as a draft; check it (identity checks must be asked again) "
                        "and press F9 to save."])
        self.query_one("#notes", TextArea).focus()

    def field_values(self) -> dict[str, Any]:
        """Everything typed (for tests and for re-trying after a failed save)."""
        values: dict[str, Any] = {w.id: w.value for w in self.query(Input) if w.id}
        values["notes"] = self.query_one("#notes", TextArea).text
        values["reasons"] = list(self.reasons)
        return values
