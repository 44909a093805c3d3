"""The contact screen's caller (F4): who is calling, their alerts first, and the identity check before disclosure."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.message import Message
from textual.widgets import Input, Static

from duty_tui.areas.frontdesk.services.caller_brief import CallerBrief
from duty_tui.areas.frontdesk.services.identity import IdentityResult
from duty_tui.areas.frontdesk.tui.contact_base import chosen
from duty_tui.areas.frontdesk.tui.contact_sections import ContactSections
from duty_tui.core.domain.money import format_balance
from duty_tui.core.tui.kit.choices import Choice
from duty_tui.core.tui.kit.fields import LinesInput
from duty_tui.core.tui.kit.person_picker import PersonPicker
from duty_tui.core.tui.text import alert_banner, plain

__all__ = ["CallerPanel"]


class CallerPanel(ContactSections):
    """The caller kind, the person chosen (alerts at the top), and the yes/no identity check."""

    SCREEN_PART: ClassVar[bool] = True

    # -- caller --------------------------------------------------------------------------------

    @on(Choice.Changed, "#caller-kind")
    def _caller_kind(self, event: Choice.Changed) -> None:
        kind = chosen(event.control)
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
            alerts.update(alert_banner(brief.alerts))
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
        elif chosen(self.query_one("#caller-kind", Choice)) in ("person", "third_party"):
            caller.update("")
        result = self._widget("#id-result")
        if result is not None:
            result.update(plain("Confirm identity before giving account details."))
        self._refresh_sections()

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
