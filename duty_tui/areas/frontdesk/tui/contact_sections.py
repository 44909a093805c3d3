"""The contact screen's optional sections (F4): built the first time a caller, reason or outcome needs them.

Third party, new person, identity check, repair, safeguarding, and one per outcome (signposted,
routed, callback, appointment); plus the repair priority the words of the notes suggest.
"""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.widgets import Input, Static

from duty_tui.areas.frontdesk.tui.contact_base import ContactBase, chosen
from duty_tui.core.tui.kit.choices import Choice
from duty_tui.core.tui.kit.fields import FormField, LinesInput
from duty_tui.core.tui.text import plain

__all__ = ["ContactSections"]


class ContactSections(ContactBase):
    """Shows and hides the sections a contact needs; proposes the repair priority."""

    SCREEN_PART: ClassVar[bool] = True

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
        outcome = chosen(self.query_one("#outcome", Choice))
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
        agency = next((a for a in self.form.agencies if a.code == chosen(event.control)), None)
        self.query_one("#agency-info", Static).update(
            plain(f"{agency.phone or 'no phone'} · {agency.web} · {agency.helps_with}") if agency else "")
