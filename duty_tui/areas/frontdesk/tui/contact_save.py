"""Saving a contact (F4): the contact as typed, the checks, one save in a worker, and what the officer is told."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual import on, work
from textual.message import Message

from duty_tui.areas.frontdesk.domain.rules import parse_when
from duty_tui.areas.frontdesk.services.contact_draft import ContactDraft, ContactSaved, NewPerson, ThirdParty
from duty_tui.areas.frontdesk.tui.contact_base import ContactBase, chosen
from duty_tui.core.domain.local_time import display_date
from duty_tui.core.tui.kit.choices import Choice
from duty_tui.core.tui.kit.fields import LinesInput

__all__ = ["ContactSaving"]


class ContactSaving(ContactBase):
    """F9: check, save once (the save key), and say what was saved and started; a refusal keeps the typing."""

    SCREEN_PART: ClassVar[bool] = True

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

        kind = chosen(self.query_one("#caller-kind", Choice))
        value = self._text
        third = None
        if kind == "third_party":
            third = ThirdParty(value("#tp-name"), value("#tp-org"), value("#tp-rel"), value("#tp-phone"))
        new = None
        if kind == "new":
            new = NewPerson(value("#np-forename"), value("#np-surname"), value("#np-dob"), value("#np-phone"))
        if kind in ("person", "third_party") and self.caller is None and value("#who").strip() and kind == "person":
            problems.append("caller: choose the person from the matches (Enter), or choose Anonymous or New person")
        outcome = chosen(self.query_one("#outcome", Choice))
        identity = self.identity
        draft = ContactDraft(
            channel=chosen(self.query_one("#channel", Choice)), reasons=tuple(self.reasons), outcome=outcome,
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
