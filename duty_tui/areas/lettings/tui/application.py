"""The Application screen (docs/LETTINGS_REGISTER.md): "where am I on the list" for the desk, in one
key (l) from the person view — status, band and its date, bedroom need, the place among active
applications in the same band and need, recent bids, the checklist and the decisions with their
review dates. A register officer (lettings.manage) makes an application here (n) and records a
qualification (q) or a band decision (b) in a form; Esc goes back to the person.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import Header, Static

from duty_tui.core.domain.local_time import format_local
from duty_tui.core.tui.kit.footer import DutyFooter
from duty_tui.core.tui.kit.form_screen import FormDialog
from duty_tui.core.tui.screens.base import DutyScreen
from duty_tui.core.tui.text import plain


def _d(day: date | None) -> str:
    return f"{day:%d/%m/%Y}" if day else "—"


def view_text(view: Any) -> Text:
    """The application as lines that fit 80 columns: the answer first, then bids, checks, decisions."""
    body = Text()
    body.append(plain(f"{view.ref}  {view.status.replace('_', ' ').upper()}", style="bold"))
    if view.status_reason:
        body.append(plain(f" ({view.status_reason})"))
    body.append(plain(f"  applied {_d(view.applied_on)}\n"))
    body.append("Band      ", style="bold")
    body.append(plain(f"{view.band or 'not banded yet'}" + (f" from {_d(view.band_effective_on)}"
                                                           if view.band_effective_on else "")))
    if view.band_words:
        words = view.band_words if len(view.band_words) <= 44 else view.band_words[:43] + "…"
        body.append(plain(f" · {words}"))
    body.append("\nNeeds     ", style="bold")
    body.append(plain(f"{view.bedroom_need} bedroom(s)" + (
        f" · {view.bedrooms_short} short where they live" if view.bedrooms_short else "")))
    body.append("\nOn list   ", style="bold")
    body.append(plain(view.place_words, style="bold"))
    body.append("\n\nRecent bids\n", style="bold underline")
    for bid in view.bids or ():
        body.append(plain(f"  {bid.advert_ref:<10} {format_local(bid.placed_at)}  {bid.status}"
                          + (" (assisted)" if bid.assisted else "") + "\n"))
    if not view.bids:
        body.append("  none yet\n")
    body.append("\nChecklist\n", style="bold underline")
    for check in view.checks:
        state = (f"verified by {check.verified_by}" if check.verified_at else
                 f"received {_d(check.received_on)}" if check.received_on else
                 f"requested {_d(check.requested_on)}" if check.requested_on else "not asked for")
        body.append(plain(f"  {check.item:<19} {state}\n"))
    body.append("\nDecisions\n", style="bold underline")
    for d in view.decisions:
        body.append(plain(f"  {d.id:>4} {d.kind:<13} {d.outcome.replace('_', ' '):<17} review by {_d(d.review_by)}"
                          + (f" · {d.review}" if d.review else "") + "\n"))
        body.append(plain(f"       {d.reasons.splitlines()[0][:70]}\n", style="dim"))
    if not view.decisions:
        body.append("  none yet\n")
    return body


class ApplicationScreen(DutyScreen):
    """A person's register application: where they are on the list, bids, checklist, decisions."""

    NAV_EXEMPT = True  # pushed over the person view: Esc goes back to it
    SCOPE_NAME = "application"
    TITLE = "Register application"
    DEFAULT_CSS = """
    ApplicationScreen #la-body { height: 1fr; padding: 0 1; }
    ApplicationScreen #la-message { height: auto; max-height: 3; padding: 0 1; }
    """
    BINDINGS = [
        Binding("escape", "back", "Back", id="application-back", tooltip="Back to the person"),
        Binding("n", "new_application", "New application", id="application-new",
                tooltip="Make a register application for this person's household (lettings.manage)"),
        Binding("q", "qualify", "Qualify", id="application-qualify",
                tooltip="Decide qualification by the rules in data (lettings.manage)"),
        Binding("b", "band", "Band", id="application-band",
                tooltip="Record a band decision with its date and reasons (lettings.manage)"),
        Binding("r", "reload", "Reload", id="application-reload", tooltip="Load the application again"),
    ]

    @dataclass
    class Shown(Message, bubble=False):
        """The application (``view``), or None when the person has none."""

        view: Any

    def __init__(self, person_ref: str | None = None, ref: str | None = None) -> None:
        super().__init__()
        self.person_ref = person_ref
        self.ref = ref
        self.view: Any = None

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="la-scroll"):
            yield Static(plain("Loading…"), id="la-body")
        yield Static("", id="la-message")
        yield DutyFooter()

    def on_mount(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="application")
    def load(self) -> None:
        from duty_tui.areas.lettings.services.register import application_ref_for
        from duty_tui.areas.lettings.services.register_view import application_view

        ctx = self.duty_app.ctx
        ref = self.ref or (application_ref_for(ctx, self.person_ref) if self.person_ref else None)
        self.post_message(self.Shown(application_view(ctx, ref) if ref else None))

    @on(Shown)
    def _shown(self, message: Shown) -> None:
        self.view = message.view
        body = self.query_one("#la-body", Static)
        if message.view is None:
            body.update(plain(f"{self.person_ref} has no register application."
                              + (" n makes one." if self.duty_app.ctx.can("lettings.manage") else "")))
        else:
            self.ref = message.view.ref
            self.title = plain(f"Application {message.view.ref}: {message.view.name}").plain
            body.update(view_text(message.view))
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        manage = self.duty_app.ctx.can("lettings.manage")
        if action == "new_application":
            return manage and self.view is None and self.person_ref is not None
        if action in ("qualify", "band"):
            return manage and self.view is not None
        return True

    def say(self, text: str) -> None:
        self.query_one("#la-message", Static).update(plain(text))

    def action_back(self) -> None:
        """Back to the person."""
        self.app.pop_screen()

    def action_reload(self) -> None:
        """Load again."""
        self.load()

    def _after(self, what: str):
        def done(result: Any) -> None:
            if result is not None:
                self.say(what.format(result=result))
                self.load()
        return done

    def action_new_application(self) -> None:
        """The new-application form (for the person's household)."""
        from duty_tui.areas.lettings.tui.application_forms import new_application_dialog

        if self.person_ref:
            self.app.push_screen(new_application_dialog(self.person_ref), self._after("Application {result} made."))

    def action_qualify(self) -> None:
        """The qualification form."""
        from duty_tui.areas.lettings.tui.application_forms import qualify_dialog

        if self.view is not None:
            self.app.push_screen(qualify_dialog(self.view.ref), self._after("Decided: {result}."))

    def action_band(self) -> None:
        """The band decision form."""
        from duty_tui.areas.lettings.tui.application_forms import band_dialog

        if self.view is not None:
            self.app.push_screen(band_dialog(self.view.ref, self.duty_app.ctx), self._after("Banded: {result}."))


def application_screen_for(person_ref: str) -> ApplicationScreen:
    """The hook ``person.register_screen``: the person's application screen."""
    return ApplicationScreen(person_ref=person_ref)


__all__ = ["ApplicationScreen", "FormDialog", "application_screen_for", "view_text"]
