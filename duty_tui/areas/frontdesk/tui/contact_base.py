"""What the parts of the contact screen (F4, contact.py) share: the form, the caller and reasons chosen, where problems are said.

The screen is built from parts, each in its own module: the optional sections
(contact_sections.py), the reason picker (contact_reasons.py), the caller and identity check
(contact_caller.py) and saving (contact_save.py). Each part is a screen class so that its
``@on`` handlers are registered (Textual registers decorated handlers only on its own classes);
``LogContactScreen`` (contact.py) joins them and is the only one ever shown: each part says so
in its own ``SCREEN_PART = True`` (tests that walk every screen leave the parts out).
"""

from __future__ import annotations

from typing import ClassVar

from textual.widget import Widget
from textual.widgets import Static

from duty_tui.areas.frontdesk.domain.rules import parse_when
from duty_tui.areas.frontdesk.services.caller_brief import CallerBrief
from duty_tui.areas.frontdesk.services.contact_draft import ContactDraft
from duty_tui.areas.frontdesk.services.contact_form import ContactForm
from duty_tui.areas.frontdesk.services.identity import IdentityResult
from duty_tui.core.tui.kit.choices import Choice
from duty_tui.core.tui.kit.form import Form
from duty_tui.core.tui.kit.values import field_value
from duty_tui.core.tui.screens.base import DutyScreen
from duty_tui.core.tui.text import plain

__all__ = ["PROBLEM_FIELDS", "ContactBase", "chosen"]

PROBLEM_FIELDS = {"when": "when", "notes": "notes", "reason": "reason-filter", "caller": "who", "callback": "callback-phone", "appointment": "appt-when",
                  "safeguarding": "safeguarding-subject", "third party": "tp-name", "new person": "np-surname"}
"""Where a problem the service finds is said: its prefix ("when: ...") names the field."""


def chosen(choice: Widget) -> str:
    """A choice's value, "" when nothing is chosen."""
    return field_value(choice) or ""


class ContactBase(DutyScreen):
    """The contact screen's state (set by ``LogContactScreen.__init__``) and the look-ups every part uses."""

    SCREEN_PART: ClassVar[bool] = True

    person_ref: str | None
    visit_id: int | None
    caller_name: str | None
    form: ContactForm | None
    caller: CallerBrief | None
    reasons: list[str]
    identity: IdentityResult | None
    staff: list
    save_key: str
    _saving: bool
    _last_save_attempt: ContactDraft | None
    _notes_guard: bool
    _priority_by_hand: bool

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

    def _widget(self, selector: str):
        """The widget if its section has been built, else None."""
        found = self.query(selector)
        return found.first() if found else None

    def _text(self, selector: str) -> str:
        widget = self._widget(selector)
        if widget is None:
            return ""
        return chosen(widget) if isinstance(widget, Choice) else widget.value

    def _reason(self, code: str):
        if self.form is None:
            return None
        return next((r for r in self.form.reasons if r.code == code), None)

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
