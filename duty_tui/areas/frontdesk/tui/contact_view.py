"""One past contact, opened from the person's history (Enter): notes, reasons, outcome, who, follow-ups.

Within the time set in data/frontdesk/frontdesk.toml ([contact_edits] hours), its author or a team leader
can correct it (e): the correction asks why, keeps the original, and is audited. After that the
contact can only be read; the screen says why and until when.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import Header, Static

from duty_tui.areas.frontdesk.services.contact_history import ContactDetail
from duty_tui.core.domain.local_time import format_local
from duty_tui.core.tui.kit.footer import DutyFooter
from duty_tui.core.tui.screens.base import DutyScreen
from duty_tui.core.tui.text import plain


class ContactViewScreen(DutyScreen):
    """A logged contact in full, with every correction made to it."""

    SCOPE_NAME = "contact_view"
    TITLE = "Contact"
    DEFAULT_CSS = """
    ContactViewScreen #contact-view-body { height: 1fr; padding: 0 1; }
    ContactViewScreen #contact-view-state { height: auto; padding: 0 1; background: $panel; }
    """
    BINDINGS = [
        Binding("escape", "back", "Back", id="contact-view-back", tooltip="Back to the person's history"),
        Binding("e", "amend", "Correct", id="contact-view-amend",
                tooltip="Correct the notes, reasons, outcome or channel (author or team leader, within the set time)"),
        Binding("r", "reload", "Reload", id="contact-view-reload", tooltip="Load the contact again"),
    ]

    @dataclass
    class Loaded(Message):
        """The worker read the contact."""

        detail: ContactDetail

    def __init__(self, contact_id: int) -> None:
        super().__init__()
        self.contact_id = contact_id
        self.detail: ContactDetail | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(plain("Loading the contact…"), id="contact-view-state")
        with VerticalScroll(id="contact-view-body"):
            yield Static("", id="contact-view-text")
        yield DutyFooter()

    def on_mount(self) -> None:
        self.query_one("#contact-view-body").focus()
        self.load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="contact-view")
    def load(self) -> None:
        """Read the contact (audited as opened)."""
        from duty_tui.areas.frontdesk.services.contact_history import contact_detail

        self.post_message(self.Loaded(contact_detail(self.duty_app.ctx, self.contact_id)))

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        self.show(message.detail)

    def show(self, detail: ContactDetail) -> None:
        """Put the contact on the screen."""
        self.detail = detail
        who = f"{detail.person_name} ({detail.person_ref})" if detail.person_ref else "no person linked"
        self.title = plain(f"Contact #{detail.id}: {who}").plain
        self.sub_title = plain(format_local(detail.at, "%d/%m/%Y %H:%M")).plain
        body = Text()

        def row(label: str, value: str | None) -> None:
            body.append(f"{label:<13}", style="bold")
            body.append(plain(value or "—"))
            body.append("\n")

        row("When", format_local(detail.at, "%a %d/%m/%Y %H:%M")
            + (f" (logged {format_local(detail.logged_at, '%d/%m/%Y %H:%M')})"
               if detail.logged_at and abs((detail.logged_at - detail.at).total_seconds()) > 300 else ""))
        row("Logged by", detail.staff)
        row("Channel", detail.channel_name)
        row("Caller", detail.caller)
        row("About", who)
        row("Reasons", "; ".join(detail.reason_names))
        row("Outcome", detail.outcome_name)
        if detail.agency:
            row("Signposted", detail.agency)
        if detail.identity_check:
            row("ID check", detail.identity_check)
        row("Case", f"{detail.case_ref}" + (f" ({detail.team})" if detail.team else "") if detail.case_ref
            else detail.team)
        body.append("\nNotes\n", style="bold")
        body.append(plain(detail.notes or "(no notes were written)"))
        body.append("\n")
        if detail.follow_ups:
            body.append("\nCallbacks and appointments\n", style="bold")
            for f in detail.follow_ups:
                body.append(plain(f" • {f.kind} {format_local(f.due_at, '%d/%m/%Y %H:%M')} · {f.status}"
                                  + (f" · {f.team}" if f.team else "") + (f" · {f.assignee}" if f.assignee else "")
                                  + (f" · {f.where}" if f.where else "") + "\n"))
        if detail.revisions:
            body.append(f"\nCorrected {len(detail.revisions)} time{'s' if len(detail.revisions) > 1 else ''} "
                        "(the original is kept)\n", style="bold")
            for r in detail.revisions:
                body.append(plain(f" • {format_local(r.at, '%d/%m/%Y %H:%M')} by {r.by or 'unknown'}: {r.why}\n"))
                for words, before, after in r.changes:
                    body.append(plain(f"     {words} was: {before}\n"))
                    body.append(plain(f"     {words} now: {after}\n"))
        self.query_one("#contact-view-text", Static).update(body)
        self.query_one("#contact-view-state", Static).update(plain(detail.amend_note))
        self.refresh_bindings()

    def action_back(self) -> None:
        """Back to the person."""
        self.app.pop_screen()

    def action_reload(self) -> None:
        """Read it again."""
        self.load()

    def action_amend(self) -> None:
        """Correct the contact in a form that asks why (the original is kept)."""
        if self.detail is None:
            return
        if not self.detail.can_amend:
            self.notify(self.detail.amend_note, severity="warning", timeout=8)
            return
        from duty_tui.areas.frontdesk.tui.contact_amend import ContactAmendDialog

        def done(detail: ContactDetail | None) -> None:
            if detail is not None:
                self.show(detail)
                self.notify(f"Contact #{detail.id} corrected; the earlier version is kept below.", timeout=6)

        self.app.push_screen(ContactAmendDialog(self.detail), done)

    def on_worker_error(self, error: BaseException | None) -> None:
        self.query_one("#contact-view-state", Static).update(plain(f"Could not open contact #{self.contact_id}. "
                                                                   "Esc to go back."))
        super().on_worker_error(error)
