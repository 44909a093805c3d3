"""Serve a notice for rent arrears on one account (docs/INCOME_NOTICES.md, "The screen").

Shows the notice the tenancy gets (NOSP, s128 or s14) and its legal basis, every tenant it names, the
arrears and the weekly rent; asks when and how it was served, the date specified (the earliest the law
allows, from the engine behind `duty-tui arrears assess`, unless a later one is typed) and any further
particulars. F9 (or Ctrl+S) serves it through ``services/notices.serve_notice`` and then offers the
letter through the send-document dialog; Escape leaves (asking first when something was typed).
The screen dismisses with the ``ServedNotice``, or None.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import Header, Input, Static

from duty_tui.areas.income.services.notices import NoticeDraft, ServedNotice
from duty_tui.core.domain.errors import DutyError
from duty_tui.core.domain.money import format_pence
from duty_tui.core.tui.kit.fields import FormField
from duty_tui.core.tui.kit.footer import DutyFooter
from duty_tui.core.tui.kit.form import Form
from duty_tui.core.tui.kit.form_screen import FormScreen
from duty_tui.core.tui.screens.base import DutyScreen
from duty_tui.core.tui.text import plain

FIELDS = ("served_on", "method", "proceedings_from", "particulars")
"""Field ids: the same names the service's messages start with, so a refusal lands beside its field."""


def _d(day: date | None) -> str:
    return f"{day:%d/%m/%Y}" if day else "—"


class ServeNoticeScreen(FormScreen, DutyScreen):  # type: ignore[misc]  # core's WatchesRecords._on_show vs Widget's
    """Serve a NOSP, an s128 notice or an s14 notice on a rent account, with the date the law allows."""

    NAV_EXEMPT = True  # a part of the account screen: pushed over it, Escape goes back to it

    SCOPE_NAME = "notice"
    TITLE = "Serve a notice"
    DEFAULT_CSS = """
    ServeNoticeScreen #nt-head { height: auto; padding: 0 1; border-bottom: solid $panel; }
    ServeNoticeScreen #nt-body { height: 1fr; padding: 0 1; }
    ServeNoticeScreen #nt-form LinesInput { height: 3; }
    ServeNoticeScreen #nt-message { height: auto; padding: 0 1; }
    """
    BINDINGS = [
        Binding("f9", "serve", "Serve", id="notice-serve", priority=True,
                tooltip="Serve the notice: record it (and the recovery step), then send the letter"),
        Binding("ctrl+s", "serve", "Serve", id="notice-serve-ctrl", show=False,
                tooltip="Serve the notice (same as F9)"),
        Binding("escape", "back", "Back", id="notice-back",
                tooltip="Leave without serving (asks first when something was typed)"),
    ]
    DISCARD_QUESTION = "Leave without serving the notice? What you typed will be lost."
    DISCARD_YES = "Yes, leave"
    DISCARD_NO = "No, stay"

    @dataclass
    class Previewed(Message, bubble=False):
        """The notice as it would be served on ``served_on`` (``draft``), or why it cannot be (``problem``)."""

        served_on: date
        draft: NoticeDraft | None
        problem: str = ""

    @dataclass
    class Finished(Message, bubble=False):
        """Serving finished: the notice, or the problems that refused it."""

        served: ServedNotice | None
        problems: list[str] = field(default_factory=list)

    def __init__(self, account_ref: str) -> None:
        super().__init__()
        self.account_ref = account_ref.strip().upper()
        self.draft: NoticeDraft | None = None
        self._previewed_for: date | None = None
        self._busy = False

    def compose(self) -> ComposeResult:
        from duty_tui.areas.income.services.notices import notice_methods

        today = self.duty_app.ctx.today()
        methods = notice_methods(self.duty_app.ctx)
        yield Header()
        yield Static(plain(f"{self.account_ref}: reading the account…"), id="nt-head")
        with VerticalScroll(id="nt-body", can_focus=False):
            yield Form([
                FormField("served_on", "Served on", "date", value=today, required=True,
                          hint="the day the notice was (or is being) served: today or earlier"),
                FormField("method", "How served", "choice", tuple(methods.items()), value=next(iter(methods)),
                          required=True),
                FormField("proceedings_from", "Date specified", "date",
                          hint="proceedings may begin after it: the earliest date the law allows (blank), or later"),
                FormField("particulars", "Particulars", "lines", max_length=2000,
                          hint="optional: more particulars of the arrears (the arrears and rent are given already)"),
            ], prefix="nt-", id="nt-form", label_width=16)
        yield Static("", id="nt-message")
        yield DutyFooter()

    @property
    def form(self) -> Form:
        """The notice's form."""
        return self.query_one("#nt-form", Form)

    def on_mount(self) -> None:
        self.form.input("served_on").focus()
        self.preview(self.duty_app.ctx.today())

    def _message(self, text: str) -> None:
        self.query_one("#nt-message", Static).update(plain(text))

    # -- the preview -----------------------------------------------------------------------------

    @work(thread=True, exclusive=True, exit_on_error=False, group="notice-preview")
    def preview(self, served_on: date) -> None:
        from duty_tui.areas.income.services.notices import notice_preview

        try:
            draft = notice_preview(self.duty_app.ctx, self.account_ref, served_on=served_on)
        except DutyError as exc:
            self.post_message(self.Previewed(served_on, None, exc.message))
            return
        self.post_message(self.Previewed(served_on, draft))

    def _typed_served_on(self) -> date | None:
        """The day in Served on, when it holds a whole date (not a year still being typed)."""
        from duty_tui.core.domain.validators import parse_date

        try:
            day = parse_date(self.form.value("served_on"))
        except ValueError:
            return None
        return day if day.year >= 1900 else None

    @on(Previewed)
    def _previewed(self, message: Previewed) -> None:
        if message.served_on != self._typed_served_on():
            return  # an older read, for a day no longer typed
        old = self.draft
        self._previewed_for = message.served_on
        self.draft = message.draft
        head = self.query_one("#nt-head", Static)
        if message.draft is None:
            head.update(plain(f"{self.account_ref}: no notice can be served on {_d(message.served_on)}.\n"
                              f"{message.problem}"))
            return
        draft = message.draft
        lapse = f"; lapses {_d(draft.lapses_on)}" if draft.lapses_on else ""
        review = f"; review asked by {_d(draft.review_by)}" if draft.review_by else ""
        head.update(plain("\n".join([
            f"{draft.account_ref} · {draft.title}",
            f"Basis: {draft.legal_basis}",
            f"Tenants: {', '.join(draft.tenants)}",
            f"Owes {format_pence(draft.arrears_pence)} · rent {format_pence(draft.weekly_rent_pence)} a week · "
            f"{draft.weeks_in_arrears:.2f} weeks",
            f"Served {_d(draft.served_on)}: earliest date {_d(draft.earliest_proceedings)} ({draft.source}){lapse}"
            f"{review}",
        ])))
        form = self.form
        typed = form.value("proceedings_from").strip()
        if not typed or (old is not None and typed == _d(old.earliest_proceedings)):
            form.set_value("proceedings_from", _d(draft.earliest_proceedings))  # still the default: follow it
            if old is None:
                form.mark_clean()

    @on(Input.Changed, "#nt-served_on")
    def _served_on_changed(self, event: Input.Changed) -> None:
        day = self._typed_served_on()
        if day is not None and day != self._previewed_for and day <= self.duty_app.ctx.today():
            self.preview(day)

    # -- serving ---------------------------------------------------------------------------------

    @on(Form.Submitted, "#nt-form")
    def _enter_in_the_last_field(self, event: Form.Submitted) -> None:
        event.stop()
        self.action_serve()

    def action_serve(self) -> None:
        """Check the form and serve the notice (the service checks everything again)."""
        if self._busy:
            return
        form = self.form
        if form.validate():
            return
        values = form.parsed()
        self._busy = True
        self._message("Serving…")
        self.serve(values["served_on"], values["method"], values["proceedings_from"], values["particulars"])

    @work(thread=True, exclusive=True, exit_on_error=False, group="notice-serve")
    def serve(self, served_on: date, method: str, proceedings_from: date | None, particulars: str | None) -> None:
        from duty_tui.areas.income.services.notices import serve_notice

        try:
            served = serve_notice(self.duty_app.ctx, self.account_ref, served_on=served_on, method=method,
                                  proceedings_from=proceedings_from, particulars=particulars)
        except DutyError as exc:
            self.post_message(self.Finished(None, list(getattr(exc, "problems", None) or [exc.message])))
            return
        self.post_message(self.Finished(served))

    @on(Finished)
    def _finished(self, message: Finished) -> None:
        self._busy = False
        if message.served is None:
            by_field: dict[str, str] = {}
            elsewhere: list[str] = []
            for problem in message.problems:
                name, _, text = problem.partition(": ")
                if name in FIELDS and text:
                    by_field[name] = text
                else:
                    elsewhere.append(problem)
            unplaced = self.form.show_problems(by_field)
            self._message("\n".join([*unplaced, *elsewhere, "Not served: fix it and press F9 again "
                                                            "(what you typed is still here)."]))
            return
        served = message.served
        self._message(f"Served: {served.title}, proceedings after {_d(served.proceedings_from)}.")
        self.offer_letter(served)

    def offer_letter(self, served: ServedNotice) -> None:
        """The letter through the send-document dialog; then the screen closes with the notice."""
        from duty_tui.core.tui.dialogs.send_document import SendDocumentDialog

        ctx, notice_id = self.duty_app.ctx, served.id

        def make():
            from duty_tui.areas.income.services.notices import notice_document

            return notice_document(ctx, notice_id)

        def closed(outcome) -> None:
            if outcome is not None:
                self.notify(f"{outcome.message}.", title="Notice")
            self.dismiss(served)

        self.app.push_screen(SendDocumentDialog(f"notice: {served.title} ({served.account_ref})", make), closed)

    def on_worker_error(self, error: BaseException | None) -> None:
        self._busy = False
        super().on_worker_error(error)

    # -- leaving ---------------------------------------------------------------------------------

    def close_form(self) -> None:
        """Leave without serving: the screen dismisses with None."""
        self.dismiss(None)

    def action_back(self) -> None:
        """Leave, asking first when something was typed."""
        self.leave_form()
