"""A cash-up report: expected against counted by method, the cash by denomination, the variance
and its reason, and the sign-off — p sends it (printer, email, file); s signs it off (a second person)."""

from __future__ import annotations

from dataclasses import dataclass

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import Header, Static

from duty_tui.areas.payments.domain.reference import load_policy
from duty_tui.areas.payments.services.cashup import CashUpView
from duty_tui.core.domain.errors import DutyError
from duty_tui.core.tui.kit.dialogs import ConfirmDialog
from duty_tui.core.tui.kit.footer import DutyFooter
from duty_tui.core.tui.kit.workers import Done
from duty_tui.core.tui.screens.base import DutyScreen
from duty_tui.core.tui.text import plain


class CashUpReportScreen(DutyScreen):
    """One cash-up's report."""

    SCOPE_NAME = "cashup-report"
    TITLE = "Cash-up report"
    DEFAULT_CSS = """
    CashUpReportScreen #cur-body { height: auto; margin: 0 1; }
    CashUpReportScreen #cur-message { height: auto; margin: 0 1; }
    """
    BINDINGS = [
        Binding("escape", "back", "Back", id="cashup-report-back", tooltip="Back to the previous screen"),
        Binding("s", "sign_off", "Sign off", id="cashup-report-sign-off",
                tooltip="Sign off this cash-up as the second person (not the one who counted)"),
        Binding("p", "print", "Print/send", id="cashup-report-print",
                tooltip="Send the report: a printer, email, or a file (a download in a browser)"),
    ]

    def __init__(self, view: CashUpView) -> None:
        super().__init__()
        self.view = view

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll():
            yield Static("", id="cur-body")
            yield Static("p print · s sign off (second person) · Esc back", id="cur-message")
        yield DutyFooter()

    def on_mount(self) -> None:
        self._show(self.view)

    def _lines(self, view: CashUpView) -> list[str]:
        from duty_tui.areas.payments.services.printing import cashup_lines

        rules = load_policy(self.duty_app.settings.data_dir)
        return cashup_lines(view, rules.method_name)

    def _show(self, view: CashUpView) -> None:
        self.view = view
        self.title = f"Cash-up {view.ref}"
        self.query_one("#cur-body", Static).update(plain("\n".join(self._lines(view))))

    def _message(self, text: str) -> None:
        self.query_one("#cur-message", Static).update(plain(text))

    def action_back(self) -> None:
        """Back."""
        self.app.pop_screen()

    def action_print(self) -> None:
        """Send the report: a printer, email, a download in a browser, or a file (one dialog)."""
        from duty_tui.areas.payments.services.printing import cashup_document
        from duty_tui.core.tui.dialogs.send_document import SendDocumentDialog

        view = self.view
        rules = load_policy(self.duty_app.settings.data_dir)

        def sent(outcome) -> None:
            self._message(outcome.message if outcome is not None else "Report not sent; p sends it.")

        self.app.push_screen(SendDocumentDialog(f"cash-up {view.ref}", lambda: cashup_document(view, rules.method_name)),
                             sent)

    def action_sign_off(self) -> None:
        """Sign off, after a confirmation."""
        ctx = self.duty_app.ctx
        if not ctx.can("cashup.signoff"):
            self._message("Your role may not sign off cash-ups (cashup.signoff).")
            return
        if ctx.actor is not None and ctx.actor.id == self.view.user_id:
            self._message(f"You counted {self.view.ref}; a second person must sign it off.")
            return
        if self.view.status != "counted":
            self._message(f"{self.view.ref} is already signed off.")
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.sign_off(self.view)

        self.app.push_screen(ConfirmDialog(f"Sign off {self.view.ref} ({self.view.till_code}, "
                                           f"{self.view.user_name})? You confirm you checked the count.",
                                           yes="Yes, sign off"), answered)

    @work(thread=True, exclusive=True, exit_on_error=False, group="cashup-sign")
    def sign_off(self, view: CashUpView) -> None:
        from duty_tui.areas.payments.services.cashup import sign_off_cashup

        try:
            done = sign_off_cashup(self.duty_app.ctx, view.ref, view.version)
        except DutyError as exc:
            self.post_message(Done(exc.message, reload=False))
            return
        self.post_message(self.SignedOff(done))

    @dataclass
    class SignedOff(Message):
        """The cash-up was signed off: show it as it is now."""

        view: CashUpView

    @on(SignedOff)
    def _signed_off(self, message: SignedOff) -> None:
        self._show(message.view)
        self._message(f"{message.view.ref} signed off.")

    @on(Done)
    def _done_said(self, message: Done) -> None:
        self._message(message.text)
