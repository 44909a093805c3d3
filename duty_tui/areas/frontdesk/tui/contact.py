"""Log a contact (F4): who, why, what happened — in a dozen keys for a routine call.

The flow, keyboard only: type a name, ref or phone in Caller and press Enter (the highlighted
match is chosen and their cautionary alerts show at the top before anything else); type a
few letters of the reason and press Enter (several reasons allowed); Tab to the notes; F9
saves. Outcome defaults to "resolved at first contact". Reasons that need an identity check
before disclosure open the check; reasons with a team and clock route themselves.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import Header, Input, OptionList, Static
from textual.widgets.option_list import Option

from duty_tui.areas.frontdesk.domain.rules import parse_when
from duty_tui.areas.frontdesk.services.caller_brief import CallerBrief
from duty_tui.areas.frontdesk.services.contact_draft import ContactDraft, ContactSaved, NewPerson, ThirdParty
from duty_tui.areas.frontdesk.services.contact_form import ContactForm
from duty_tui.areas.frontdesk.services.identity import IdentityResult
from duty_tui.core.domain.local_time import display_date
from duty_tui.core.domain.money import format_balance
from duty_tui.core.tui.drafts import DraftForm, apply_values, collect_values
from duty_tui.core.tui.kit.choices import Choice
from duty_tui.core.tui.kit.fields import FormField, LinesInput, TextInput
from duty_tui.core.tui.kit.footer import DutyFooter
from duty_tui.core.tui.kit.form import Form
from duty_tui.core.tui.kit.form_screen import FormScreen
from duty_tui.core.tui.kit.person_picker import PersonPicker
from duty_tui.core.tui.screens.base import DutyScreen
from duty_tui.core.tui.text import plain

CALLER_KINDS = [("person", "Known person"), ("third_party", "Someone on their behalf"),
                ("anonymous", "Anonymous caller"), ("new", "New person (quick add)")]


PROBLEM_FIELDS = {"when": "when", "notes": "notes", "reason": "reason-filter", "caller": "who", "callback": "callback-phone", "appointment": "appt-when",
                  "safeguarding": "safeguarding-subject", "third party": "tp-name", "new person": "np-surname"}
"""Where a problem the service finds is said: its prefix ("when: ...") names the field."""


def _value(choice: Choice) -> str:
    return choice.value or ""


class ComboInput(TextInput):
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


class LogContactScreen(DraftForm, FormScreen, DutyScreen):
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
    LogContactScreen #channel { width: 30; }
    LogContactScreen #caller-kind { width: 1fr; }
    LogContactScreen #who-results { height: auto; max-height: 5; }
    LogContactScreen #reason-options { height: auto; max-height: 5; }
    LogContactScreen #caller, LogContactScreen #reasons-chosen, LogContactScreen #id-result,
    LogContactScreen #agency-info, LogContactScreen #repair-proposal { height: auto; }
    LogContactScreen #repair-proposal { color: $warning; padding-left: 9; }
    LogContactScreen #notes { height: 4; }
    LogContactScreen #id-method { width: 24; }
    """
    BINDINGS = [
        Binding("f9", "save", "Save", id="contact-save", tooltip="Save the contact and everything it starts"),
        Binding("escape", "cancel", "Cancel", id="contact-cancel",
                tooltip="Close the form (asks before discarding anything typed)"),
    ]
    DISCARD_QUESTION = "Discard this contact? What you typed will be lost."
    DISCARD_NO = "No, keep typing"

    def __init__(self, person_ref: str | None = None, *, visit_id: int | None = None, channel: str | None = None,
                 reason: str | None = None, caller_name: str | None = None, visit_label: str | None = None) -> None:
        super().__init__()
        self.person_ref = person_ref
        self.visit_id = visit_id
        self.caller_name = caller_name  # a reception arrival's name: put in the caller box to search on
        self.visit_label = visit_label  # "002 Mr Ali at Desk 1": whose visit this contact is for
        self.initial_channel = channel
        self.initial_reason = reason
        self.form: ContactForm | None = None
        self.caller: CallerBrief | None = None
        self.reasons: list[str] = []
        self.identity: IdentityResult | None = None
        self.staff: list = []
        self._saving = False
        import uuid

        self.save_key = uuid.uuid4().hex  # a retried save (database back, Enter twice) posts once
        self._last_save_attempt: ContactDraft | None = None  # what F9 last tried to save
        self._notes_guard = False  # the identity check just put the cursor in Notes: an extra Tab stays there
        self._priority_by_hand = False  # the officer chose the repair priority: no more proposals over it
        self._proposing = False

    # -- layout ------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        from duty_tui.areas.frontdesk.services.contact_form import contact_form

        form = self.form = contact_form(self.duty_app.ctx)  # data/ only: no database wait
        channel = self.initial_channel or self.duty_app.remembered.get("frontdesk.channel") or "phone"
        if channel not in {c for c, _ in form.channels}:
            channel = form.channels[0][0]
        yield Header()
        yield Static("", id="contact-alerts")
        yield Static("", id="contact-problems")
        with VerticalScroll(id="contact-body"):
            yield Form([
                FormField("channel", "Channel", "choice", tuple(form.channels), value=channel, required=True,
                          row="head"),
                FormField("when", "When", placeholder="now (or 09:15, 12/03/2026 14:30)", row="head",
                          check=self._when_check),
                FormField("caller-kind", "Caller", "choice", tuple(CALLER_KINDS), value="person", required=True),
                # The person picker's seam: any widget with a value; Enter chooses the highlighted match.
                FormField("who", "", "widget", enter="own", widget=PersonPicker(
                    id="caller-picker", query_id="who", results_id="who-results", status_id="who-status", limit=8,
                    show_header=False, hide_empty=True,
                    placeholder="name, street, postcode, phone or ref — ↓ or Enter to the matches",
                    hint="Type two letters of a name, or a street, postcode, phone or ref.")),
                Static("", id="caller"),
                FormField("reason-filter", "", "widget", enter="own", widget=ComboInput(
                    placeholder="Reason: type to filter, ↑↓, Enter to add (more than one is fine)",
                    id="reason-filter", max_length=60, compact=True)),
                OptionList(id="reason-options", compact=True),
                Static("", id="reasons-chosen"),
                FormField("notes", "", "lines", placeholder="Notes (what was said and done)"),
                FormField("outcome", "Outcome", "choice", tuple(form.outcomes), value="resolved", required=True),
            ], label_width=9, id="contact-form")
        yield DutyFooter()

    @property
    def contact_form(self) -> Form:
        """The contact's fields."""
        return self.query_one("#contact-form", Form)

    def _when_check(self, text: str) -> str | None:
        try:
            parse_when(text, self.duty_app.ctx.now())
        except ValueError as exc:
            return str(exc)
        return None

    # Sections used by some contacts only are built the first time they are needed: a form
    # that opens with fewer widgets opens faster.
    def _build(self, name: str) -> tuple[list, str | None]:
        form = self.form
        assert form is not None
        if name == "third-party":
            return [FormField("tp-name", "", placeholder="their name *", max_length=120, row=name),
                    FormField("tp-org", "", placeholder="organisation", max_length=120, row=name),
                    FormField("tp-rel", "", placeholder="relationship", max_length=40, row=name),
                    FormField("tp-phone", "", placeholder="phone", max_length=32, row=name)], "#reason-filter"
        if name == "new-person":
            return [FormField("np-forename", "", placeholder="first name *", max_length=80, row=name),
                    FormField("np-surname", "", placeholder="surname *", max_length=80, row=name),
                    FormField("np-dob", "", placeholder="born DD/MM/YYYY", max_length=10, row=name),
                    FormField("np-phone", "", placeholder="phone", max_length=32, row=name)], "#reason-filter"
        if name == "identity":
            return [FormField("id-method", "Check ID", "choice", tuple(form.identity_methods), value="tenancy_ref",
                              required=True, row=name),
                    FormField("id-answer", "", placeholder="what the caller says — Enter checks", max_length=80,
                              enter="own", row=name),
                    Static("Confirm identity before giving account details.", id="id-result")], "#notes"
        if name == "repair":
            return [FormField("repair-priority", "Priority", "choice", tuple(form.repair_priorities),
                              prompt="default for the reason", row=name),
                    FormField("repair-location", "Where", placeholder="where in the home", max_length=120, row=name),
                    Static("", id="repair-proposal")], "#notes"
        if name == "safeguarding":
            return [FormField("safeguarding-subject", "", placeholder="Safeguarding: who is at risk (name or "
                              "description) *", max_length=120)], "#notes"
        if name == "signposted":
            return [FormField("agency", "Agency", "choice", tuple((a.code, a.name) for a in form.agencies),
                              prompt="the agency signposted to"),
                    Static("", id="agency-info")], None
        if name == "routed":
            staff = tuple((s.username, f"{s.name} ({s.team or 'no team'})") for s in self.staff)
            cases = tuple((c.ref, f"{c.ref} {c.case_type}: {c.summary}"[:60])
                          for c in (self.caller.open_cases if self.caller else []))
            team = next((r.team for r in (self._reason(c) for c in self.reasons) if r is not None), None)
            return [FormField("route-team", "Team", "choice", tuple(form.teams), value=team, prompt="the team",
                              row=name),
                    FormField("route-officer", "Officer", "choice", staff, prompt="(the team)", row=name),
                    FormField("add-to-case", "Case", "choice", cases, prompt="new case", row=name)], None
        if name == "callback":
            return [FormField("callback-phone", "Call on", placeholder="phone *", max_length=32, row=name),
                    FormField("callback-when", "By", placeholder="blank: next working day", row=name,
                              check=self._when_check)], None
        return [FormField("appt-when", "When", placeholder="* e.g. tomorrow 10:00", row=name, check=self._when_check),
                FormField("appt-place", "Where", max_length=80, row=name)], None

    def _show_section(self, name: str, show: bool) -> None:
        """Show (building it the first time) or hide an optional section."""
        form = self.contact_form
        if form.show_section(name, show) or not show:
            return
        items, before = self._build(name)
        form.add_section(name, items, before=self.query_one(before) if before else None)

    def _widget(self, selector: str):
        """The widget if its section has been built, else None."""
        found = self.query(selector)
        return found.first() if found else None

    def _text(self, selector: str) -> str:
        widget = self._widget(selector)
        if widget is None:
            return ""
        return _value(widget) if isinstance(widget, Choice) else widget.value

    def on_mount(self) -> None:
        for selector in ("#contact-alerts", "#contact-problems"):
            self.query_one(selector).display = False
        self.query_one("#reason-options", OptionList).can_focus = False
        if self.visit_label:
            self.sub_title = f"visit of {self.visit_label}"
        if self.person_ref:
            self.query_one(PersonPicker).set_query(self.person_ref, search=False)
            self.load_caller(self.person_ref)
            self.query_one("#reason-filter", Input).focus()
        else:
            if self.caller_name:
                self.query_one(PersonPicker).set_query(self.caller_name)  # searched as if typed: Enter picks
            self.query_one("#who", Input).focus()
        if self.initial_reason and self.initial_reason in {r.code for r in self.form.reasons}:
            self._add_reason(self.initial_reason)
        self._show_reason_options()
        self.load_staff()

    # -- loading -----------------------------------------------------------------------------

    @work(thread=True, exclusive=True, exit_on_error=False, group="contact-form")
    def load_staff(self) -> None:
        """Staff work can be routed to (a database read)."""
        from duty_tui.areas.frontdesk.services.routing import list_staff

        self.post_message(self.StaffLoaded(list_staff(self.duty_app.ctx)))

    @dataclass
    class StaffLoaded(Message):
        """Who work can be routed to."""

        staff: list

    @on(StaffLoaded)
    def _staff_ready(self, message: StaffLoaded) -> None:
        self.staff = message.staff
        officer = self._widget("#route-officer")
        if officer is not None:
            officer.set_options([(s.username, f"{s.name} ({s.team or 'no team'})") for s in self.staff])

    # -- caller --------------------------------------------------------------------------------

    @on(Choice.Changed, "#caller-kind")
    def _caller_kind(self, event: Choice.Changed) -> None:
        kind = _value(event.control)
        self.query_one(PersonPicker).display = kind in ("person", "third_party")
        self._show_section("third-party", kind == "third_party")
        self._show_section("new-person", kind == "new")
        if kind in ("anonymous", "new"):
            self._set_caller(None)
            self.query_one(PersonPicker).clear_results()
        caller = self.query_one("#caller", Static)
        if kind == "anonymous":
            caller.update(plain("Anonymous caller: nothing about anyone's account may be disclosed."))
        elif kind == "new":
            caller.update(plain("A new person is created when the contact is saved (search first to avoid a duplicate)."))
        self._refresh_sections()

    @on(PersonPicker.Chosen, "#caller-picker")
    def _caller_chosen(self, event: PersonPicker.Chosen) -> None:
        event.stop()
        self.load_caller(event.ref)

    @on(ComboInput.Move)
    def _move(self, event: ComboInput.Move) -> None:
        event.stop()
        if event.combo.id == "reason-filter":
            options = self.query_one("#reason-options", OptionList)
            if options.option_count:
                current = options.highlighted if options.highlighted is not None else -1
                options.highlighted = max(0, min(options.option_count - 1, current + event.delta))

    @work(thread=True, exclusive=True, exit_on_error=False, group="contact-caller")
    def load_caller(self, ref: str) -> None:
        """The chosen caller, alerts first."""
        from duty_tui.areas.frontdesk.services.caller_brief import caller_brief

        self.post_message(self.CallerLoaded(caller_brief(self.duty_app.ctx, ref)))

    @dataclass
    class CallerLoaded(Message):
        """The chosen caller, alerts first."""

        brief: CallerBrief

    @on(CallerLoaded)
    def _caller_ready(self, message: CallerLoaded) -> None:
        self._set_caller(message.brief)
        self.query_one(PersonPicker).clear_results()
        self._problems([])
        if self.focused is None or self.focused.id in ("who", "who-results", None):
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
            self.query_one(PersonPicker).set_query(brief.ref, search=False)
            add_to = self._widget("#add-to-case")
            if add_to is not None:
                add_to.set_options([(c.ref, f"{c.ref} {c.case_type}: {c.summary}"[:60]) for c in brief.open_cases])
        elif _value(self.query_one("#caller-kind", Choice)) in ("person", "third_party"):
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
        from duty_tui.areas.frontdesk.services.contact_form import match_reasons

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
            code = str(options.get_option_at_index(options.highlighted).id)
            self._choose_reason(code, event.input)
        elif not event.value.strip() and self.reasons:
            self.focus_next()
        elif not event.value.strip():
            self._problems(["reason: type a few letters (e.g. bal, repair, damp) and press Enter"])

    def _choose_reason(self, code: str, box: Input) -> None:
        """Add the reason; one that opens an urgent homelessness case is confirmed first (default: no)."""
        from duty_tui.areas.frontdesk.domain.rules import confirm_before_choosing
        from duty_tui.core.tui.kit.dialogs import ConfirmDialog

        reason = self._reason(code)
        question = confirm_before_choosing(reason.case_type, reason.priority, reason.routes, reason.label,
                                           reason.team) if reason else None
        if question is None:
            self._add_reason(code)
            box.value = ""
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self._add_reason(code)
                box.value = ""
            box.focus()

        self.app.push_screen(ConfirmDialog(question, yes="Yes, homeless tonight", no="No, choose another reason"),
                             answered)

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
            self.query_one("#outcome", Choice).value = "routed"
        team = self._widget("#route-team")
        if reason and team is not None and team.value is None:
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
        repair = any(r.intake in ("repair", "damp_mould", "emergency_hazard") for r in reasons)
        self._show_section("repair", repair)
        if repair:
            self._propose_priority()
        self._show_section("safeguarding", any(r.intake.startswith("safeguarding") for r in reasons))
        outcome = _value(self.query_one("#outcome", Choice))
        for name in ("signposted", "routed", "callback", "appointment"):
            self._show_section(name, outcome == name)

    @on(Choice.Changed, "#outcome")
    def _outcome_changed(self) -> None:
        self._refresh_sections()

    # -- the repair priority the words suggest ----------------------------------------------------

    _proposed: str | None = None  # the priority the form itself set last (its Changed is not the officer's)

    @on(Input.Changed, "#repair-location")
    def _location_typed(self) -> None:
        self._propose_priority()

    @on(Choice.Changed, "#repair-priority")
    def _priority_chosen(self, event: Choice.Changed) -> None:
        if event.value == self._proposed:
            self._proposed = None
            return
        self._priority_by_hand = True
        self._propose_priority()

    def _propose_priority(self) -> None:
        """Propose the priority the notes and location suggest (data/frontdesk/repair_priorities.toml); the officer decides."""
        from duty_tui.areas.frontdesk.domain.repair_danger import propose_priority

        choice, line = self._widget("#repair-priority"), self._widget("#repair-proposal")
        if choice is None or line is None or self.form is None:
            return
        text = f"{self.query_one('#notes', LinesInput).text} {self._text('#repair-location')}"
        proposal = propose_priority(text, self.form.repair_danger, self.form.jurisdiction, self.duty_app.ctx.today())
        if proposal is None or proposal.priority not in {v for v, _l in choice.options}:
            self._show_proposal(line, "")
            return
        label = choice.label_of(proposal.priority)
        if self._priority_by_hand and choice.value != proposal.priority:
            words = (f"△ The words suggest {label} ({proposal.because()}); you chose "
                     f"{choice.label_of(choice.value)}. Change it with ↑↓ in Priority if that is wrong.")
        else:
            if choice.value != proposal.priority:
                self._proposed = proposal.priority
                choice.value = proposal.priority
            words = f"△ Proposed {label}: {proposal.because()}. ↑↓ in Priority to change it."
        self._show_proposal(line, words)

    _proposal_shown: str | None = None

    def _show_proposal(self, line: Static, words: str) -> None:
        """Draw the proposal line only when its words change (it is checked on every key typed in the notes)."""
        if words == self._proposal_shown and line.display == bool(words):
            return
        self._proposal_shown = words
        line.update(plain(words) if words else "")
        line.display = bool(words)

    @on(Choice.Changed, "#agency")
    def _agency_changed(self, event: Choice.Changed) -> None:
        if self.form is None:
            return
        agency = next((a for a in self.form.agencies if a.code == _value(event.control)), None)
        self.query_one("#agency-info", Static).update(
            plain(f"{agency.phone or 'no phone'} · {agency.web} · {agency.helps_with}") if agency else "")

    @on(Choice.Changed, "#channel")
    def _channel_changed(self, event: Choice.Changed) -> None:
        if _value(event.control):
            self.duty_app.remembered["frontdesk.channel"] = _value(event.control)

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
        from duty_tui.areas.frontdesk.services.identity import check_identity

        self.post_message(self.IdentityChecked(check_identity(self.duty_app.ctx, ref, method, answer)))

    @dataclass
    class IdentityChecked(Message):
        """The identity check's answer."""

        result: IdentityResult

    @on(IdentityChecked)
    def _identity_checked(self, message: IdentityChecked) -> None:
        result = message.result
        self.identity = result
        text = Text()
        text.append(("✔ " if result.passed else "✘ ") + result.message, style="bold")
        for account in result.accounts:
            text.append(plain(f"\n  {account.ref} {account.account_type.replace('_', ' ')}: "
                              f"{format_balance(account.balance_pence)}"))
        self.query_one("#id-result", Static).update(text)
        self.query_one("#id-answer", Input).value = ""
        notes = self.query_one("#notes", LinesInput)
        if result.passed and self.focused is not None and self.focused.id == "id-answer":
            # The check moves the cursor to Notes; the Tab many officers press next (out of habit,
            # to get to Notes) must not carry it on past Notes, where typed notes would be lost.
            notes.focus()
            self._notes_guard = not notes.text.strip()

    def tab_from(self, widget, delta: int) -> bool:
        """The kit's Tab hook: the first Tab in an empty Notes just after the identity check put the cursor there
        stays in Notes (out of habit officers press Tab to reach Notes; typed notes must not go past it)."""
        guard, self._notes_guard = self._notes_guard, False
        if guard and delta > 0 and isinstance(widget, LinesInput) and widget.id == "notes" and not widget.text.strip():
            self.contact_form.say("notes", "the cursor is in Notes: type what was said (Tab again moves on)",
                                  hint=True)
            return True
        return False

    @on(LinesInput.Changed, "#notes")
    def _notes_typed(self) -> None:
        self._notes_guard = False
        self._propose_priority()

        # -- saving ---------------------------------------------------------------------------------------

    def _problems(self, problems: list[str]) -> None:
        """Each problem beside its field when it names one ("when: ..."); the rest at the top."""
        placed: dict[str, str] = {}
        rest: list[str] = []
        form = self.contact_form
        for problem in problems:
            label, _, text = problem.partition(": ")
            field_id = PROBLEM_FIELDS.get(label)
            if text and field_id and form.has(field_id) and field_id not in placed:
                placed[field_id] = text
            else:
                rest.append(problem)
        if placed:
            form.show_problems(placed, focus=False)
        box = self.query_one("#contact-problems", Static)
        box.update(plain("\n".join(rest)))
        box.display = bool(rest)

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

        kind = _value(self.query_one("#caller-kind", Choice))
        value = self._text
        third = None
        if kind == "third_party":
            third = ThirdParty(value("#tp-name"), value("#tp-org"), value("#tp-rel"), value("#tp-phone"))
        new = None
        if kind == "new":
            new = NewPerson(value("#np-forename"), value("#np-surname"), value("#np-dob"), value("#np-phone"))
        if kind in ("person", "third_party") and self.caller is None and value("#who").strip() and kind == "person":
            problems.append("caller: choose the person from the matches (Enter), or choose Anonymous or New person")
        outcome = _value(self.query_one("#outcome", Choice))
        identity = self.identity
        draft = ContactDraft(
            channel=_value(self.query_one("#channel", Choice)), reasons=tuple(self.reasons), outcome=outcome,
            notes=self.query_one("#notes", LinesInput).text, at=when("#when", "when"),
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
        """Check, then save in a worker; problems show beside their fields and the form stays filled."""
        from duty_tui.areas.frontdesk.domain.rules import notes_needed
        from duty_tui.areas.frontdesk.services.contact_draft import contact_problems

        if self._saving or self.form is None:
            return
        form = self.contact_form
        if form.validate():
            self._problems([])
            return
        draft, problems = self._draft()
        if draft is not None:
            problems += contact_problems(self.duty_app.ctx, draft)
        if problems:
            self._problems(problems)
            return
        self._problems([])
        assert draft is not None
        self._without_notes = None
        if not draft.notes.strip():
            chosen = [r for r in (self._reason(c) for c in self.reasons) if r is not None]
            why = notes_needed([(r.label, r.intake, r.routes) for r in chosen], draft.outcome)
            if why:
                form.show_problems({"notes": f"notes are needed ({why}): say what was said and what happens next"})
                return
            self._without_notes = ", ".join(r.label for r in chosen)
        self._saving = True
        self._last_save_attempt = draft
        self.save(draft)

    _without_notes: str | None = None

    def _database_back(self) -> None:
        """The database answers again: save what is in the form now (the same save key: once only)."""
        if self.is_mounted and self._last_save_attempt is not None:
            self.action_save()

    @work(thread=True, exclusive=True, exit_on_error=False, group="contact-save")
    def save(self, draft: ContactDraft) -> None:
        """Save the contact (one transaction)."""
        from duty_tui.areas.frontdesk.services.contacts import log_contact

        self.post_message(self.Saved(log_contact(self.duty_app.ctx, draft)))

    @dataclass
    class Saved(Message):
        """The contact is saved."""

        saved: ContactSaved

    @on(Saved)
    def _saved(self, message: Saved) -> None:
        saved = message.saved
        self._saving = False
        parts = [f"Contact saved{' for ' + saved.person_ref if saved.person_ref else ''}"
                 + (" (new person)" if saved.person_created else "") + "."]
        if self._without_notes:
            parts.append(f"Saved without notes ({self._without_notes} needs none).")
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
        from duty_tui.core.domain.errors import DatabaseUnavailable, DutyError

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
        if self.reasons or self.query_one("#notes", LinesInput).text.strip():
            return True
        if self.caller is not None and self.caller.ref != (self.person_ref or "").upper():
            return True
        for widget in self.query(Input):
            if widget.id not in ("who",) and widget.value.strip():
                return True
        who = self.query_one("#who", Input).value.strip()
        # The arrival's name put in the caller box by reception is not something typed here.
        return bool(who) and not self.person_ref and who != (self.caller_name or "").strip()

    def form_dirty(self) -> bool:
        return self.dirty()

    def action_cancel(self) -> None:
        """Close; asks first if anything was typed."""
        self.leave_form()

    # -- drafts ------------------------------------------------------------------------------------------

    def draft_person_ref(self) -> str | None:
        return self.caller.ref if self.caller is not None else self.person_ref

    def draft_title(self) -> str:
        who = f"{self.caller.ref} {self.caller.name}" if self.caller is not None else "no caller chosen yet"
        return f"Contact: {who}"

    def draft_args(self) -> dict[str, Any]:
        return {"person_ref": self.draft_person_ref(), "visit_id": self.visit_id, "caller_name": self.caller_name,
                "visit_label": self.visit_label}

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
                self.query_one(f"#{key}", Choice).value = values.pop(key)
        for code in reasons:
            if code in {r.code for r in self.form.reasons}:
                self._add_reason(code)
        if values.get("outcome"):
            self.query_one("#outcome", Choice).value = values.pop("outcome")
        self._refresh_sections()
        values.pop("who", None)  # the caller is reloaded from the draft's person
        self.call_after_refresh(lambda: self._restore_rest(values))

    def _restore_rest(self, values: dict[str, Any]) -> None:
        self._refresh_sections()
        apply_values(self, {k: v for k, v in values.items() if v not in (None, "")})
        self._problems(["This contact was kept as a draft; check it (identity checks must be asked again) "
                        "and press F9 to save."])
        self.query_one("#notes", LinesInput).focus()

    def field_values(self) -> dict[str, Any]:
        """Everything typed (for tests and for re-trying after a failed save)."""
        values: dict[str, Any] = {w.id: w.value for w in self.query(Input) if w.id}
        values["notes"] = self.query_one("#notes", LinesInput).text
        values["reasons"] = list(self.reasons)
        return values
