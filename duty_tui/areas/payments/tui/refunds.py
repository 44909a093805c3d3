"""Refund requests waiting for a decision: a second person authorises (posting the refund row) or rejects."""

from __future__ import annotations

from dataclasses import dataclass

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import Static

from duty_tui.areas.payments.services.refunds import RefundView
from duty_tui.core.domain.errors import ConflictError, DutyError
from duty_tui.core.domain.local_time import format_local
from duty_tui.core.domain.money import format_pence
from duty_tui.core.tui.kit.dialogs import ConfirmDialog
from duty_tui.core.tui.kit.form_screen import text_dialog
from duty_tui.core.tui.kit.list_screen import ListPage, ListScreen
from duty_tui.core.tui.kit.list_table import Column
from duty_tui.core.tui.kit.validators import NoCardDataValidator
from duty_tui.core.tui.kit.workers import Done
from duty_tui.core.tui.text import plain


class RefundsScreen(ListScreen):
    """Refunds requested and not yet decided; the requester cannot decide their own."""

    watches = {"account": None}  # kit/changes.py

    SCOPE_NAME = "refunds"
    TITLE = "Refunds to authorise"
    LIST_ID = "refunds-table"
    COUNT_ID = "refunds-count"
    NOUN = ("refund waiting", "refunds waiting")
    EMPTY = "No refunds waiting."
    COLUMNS = (
        Column("ref", "Refund", priority=0, never_cut=True),
        Column("account", "Account", priority=0, never_cut=True),
        Column("amount", "Amount", priority=0, never_cut=True, justify="right"),
        Column("method", "By", min=6, ideal=13, priority=2),
        Column("who", "Asked by", min=6, ideal=14, priority=3),
        Column("when", "When", priority=1, never_cut=True),
    )
    DEFAULT_CSS = """
    RefundsScreen #refunds-detail { height: auto; margin: 0 1; }
    RefundsScreen #refunds-message { height: auto; margin: 0 1; }
    """
    BINDINGS = [
        Binding("escape", "back", "Back", id="refunds-back", tooltip="Back to the previous screen"),
        Binding("a", "authorise", "Authorise", id="refunds-authorise",
                tooltip="Authorise the highlighted refund (not your own request): posts the refund row"),
        Binding("j", "reject", "Reject", id="refunds-reject", tooltip="Reject the highlighted refund, saying why"),
        Binding("f9", "reload", "Reload", id="refunds-reload", tooltip="Load the list again"),
    ]

    def compose_below(self) -> ComposeResult:
        yield Static("", id="refunds-detail")
        yield Static("a authorise · j reject · Esc back", id="refunds-message")

    @property
    def refunds(self) -> list[RefundView]:
        """The refunds shown."""
        return self.items

    def _message(self, text: str) -> None:
        self.query_one("#refunds-message", Static).update(plain(text))

    def fetch(self) -> ListPage:
        from duty_tui.areas.payments.services.refunds import pending_refunds

        return ListPage(pending_refunds(self.duty_app.ctx))

    def row_key(self, item: RefundView) -> str:
        return item.ref

    def row_cells(self, r: RefundView) -> dict:
        return {"ref": r.ref, "account": r.account_ref, "amount": format_pence(r.amount_pence), "method": r.method_name,
                "who": r.requested_by, "when": format_local(r.requested_at)}

    def after_load(self, page: ListPage) -> None:
        self._detail()

    def load(self) -> None:
        """Load the list again (the cursor stays on its refund)."""
        self.reload()

    def on_data_table_row_highlighted(self) -> None:
        self._detail()

    def _detail(self) -> None:
        refund = self.highlighted()
        self.query_one("#refunds-detail", Static).update(plain(
            f"{refund.ref}: {format_pence(refund.amount_pence)} from {refund.account_ref} ({refund.holder}) "
            f"to {refund.payee} by {refund.method_name}\nWhy: {refund.reason}" if refund is not None else ""))

    def action_back(self) -> None:
        """Back."""
        self.app.pop_screen()

    def action_reload(self) -> None:
        """Load again."""
        self.load()

    def action_authorise(self) -> None:
        """Authorise the highlighted refund after a confirmation."""
        refund = self.highlighted()
        if refund is None:
            return
        if refund.requested_by_id == (self.duty_app.ctx.actor.id if self.duty_app.ctx.actor else None):
            self._message(f"You requested {refund.ref}; another person must authorise it.")
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self._message("Authorising…")
                self.decide(refund, True, None)

        self.app.push_screen(ConfirmDialog(f"Authorise {refund.ref}: pay {format_pence(refund.amount_pence)} to "
                                           f"{refund.payee} by {refund.method_name}?", yes="Yes, authorise"), answered)

    def action_reject(self) -> None:
        """Reject the highlighted refund with a reason."""
        refund = self.highlighted()
        if refund is None:
            return

        self._ask_reject(refund, "")

    def _ask_reject(self, refund: RefundView, typed: str) -> None:
        """The reason dialog (``typed``: the reason kept from a save someone else beat)."""
        def answered(reason: str | None) -> None:
            if reason:
                self.decide(refund, False, reason)

        self.app.push_screen(text_dialog(f"Reject {refund.ref}", "Reason", placeholder="why it is rejected", value=typed,
                                         validators=[NoCardDataValidator("reason")]), answered)

    def _decide_conflict(self, error, refund: RefundView, authorise: bool, note: str | None) -> None:
        """Both versions; a rejection's reason goes back into its dialog (r: over the newer version)."""
        from dataclasses import replace

        from duty_tui.core.tui.dialogs.conflict import show_conflict

        self._message(error.message)

        def reload() -> None:
            self.load()
            if not authorise and note and error.version is not None and error.theirs.get("Status") == "requested":
                self._ask_reject(replace(refund, version=error.version), note)

        show_conflict(self, error, None, on_reload=reload,
                      on_back=(lambda: self._ask_reject(refund, note)) if not authorise and note else self.load)

    @work(thread=True, exclusive=True, exit_on_error=False, group="refunds-change")
    def decide(self, refund: RefundView, authorise: bool, note: str | None) -> None:
        from duty_tui.areas.payments.services.refunds import authorise_refund, reject_refund

        try:
            if authorise:
                done = authorise_refund(self.duty_app.ctx, refund.ref, refund.version)
            else:
                done = reject_refund(self.duty_app.ctx, refund.ref, refund.version, note or "")
        except ConflictError as exc:
            self.post_message(self.DecideConflict(exc, refund, authorise, note))
            return
        except DutyError as exc:
            self.post_message(Done(exc.message, reload=False))
            return
        self.post_message(Done(f"{done.ref} {done.status}."))

    @dataclass
    class DecideConflict(Message):
        """Someone else decided the refund first: both versions, the note kept."""

        error: ConflictError
        refund: RefundView
        authorise: bool
        note: str | None

    @on(DecideConflict)
    def _decide_beaten(self, message: DecideConflict) -> None:
        self._decide_conflict(message.error, message.refund, message.authorise, message.note)

    @on(Done)
    def _done_said(self, message: Done) -> None:
        self._message(message.text)
        if message.reload:
            self.load()
