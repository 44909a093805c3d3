"""Log a contact (F4): who, why, what happened — in a dozen keys for a routine call.

The flow, keyboard only: type a name, ref or phone in Caller and press Enter (the highlighted
match is chosen and their cautionary alerts show at the top before anything else); type a
few letters of the reason and press Enter (several reasons allowed); Tab to the notes; F9
saves. Outcome defaults to "resolved at first contact". Reasons that need an identity check
before disclosure open the check; reasons with a team and clock route themselves.

The screen joins its parts (contact_base.py says how): the caller and identity check
(contact_caller.py), the reason picker (contact_reasons.py), the optional sections
(contact_sections.py) and saving (contact_save.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import Header, Input, OptionList, Static

from duty_tui.areas.frontdesk.services.caller_brief import CallerBrief
from duty_tui.areas.frontdesk.services.contact_draft import ContactDraft
from duty_tui.areas.frontdesk.services.contact_form import ContactForm
from duty_tui.areas.frontdesk.services.identity import IdentityResult
from duty_tui.areas.frontdesk.tui.contact_base import chosen
from duty_tui.areas.frontdesk.tui.contact_caller import CallerPanel
from duty_tui.areas.frontdesk.tui.contact_reasons import ComboInput, ReasonPicker
from duty_tui.areas.frontdesk.tui.contact_save import ContactSaving
from duty_tui.core.tui.drafts import DraftForm, apply_values, collect_values
from duty_tui.core.tui.kit.choices import Choice
from duty_tui.core.tui.kit.fields import FormField, LinesInput
from duty_tui.core.tui.kit.footer import DutyFooter
from duty_tui.core.tui.kit.form import Form
from duty_tui.core.tui.kit.form_screen import FormScreen
from duty_tui.core.tui.kit.person_picker import PersonPicker

CALLER_KINDS = [("person", "Known person"), ("third_party", "Someone on their behalf"),
                ("anonymous", "Anonymous caller"), ("new", "New person (quick add)")]


class LogContactScreen(DraftForm, FormScreen, CallerPanel, ReasonPicker, ContactSaving):
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

    @on(Choice.Changed, "#channel")
    def _channel_changed(self, event: Choice.Changed) -> None:
        if chosen(event.control):
            self.duty_app.remembered["frontdesk.channel"] = chosen(event.control)

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
