"""Refund requests waiting for a decision: a second person authorises (posting the refund row) or rejects."""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Footer, Header, Static

from duty_tui.domain.local_time import format_local
from duty_tui.domain.money import format_pence
from duty_tui.errors import ConflictError, DutyError
from duty_tui.services.payments_refunds import RefundView
from duty_tui.tui.dialogs.confirm import ConfirmDialog
from duty_tui.tui.dialogs.payments_forms import ReasonDialog
from duty_tui.tui.screens.base import DutyScreen
from duty_tui.tui.text import plain
from duty_tui.tui.widgets.table import DutyTable


class RefundsScreen(DutyScreen):
    """Refunds requested and not yet decided; the requester cannot decide their own."""

    watches = {"account": None}  # kit/changes.py

    SCOPE_NAME = "refunds"
    TITLE = "Refunds to authorise"
    DEFAULT_CSS = """
    RefundsScreen #refunds-table { height: 1fr; margin: 0 1; }
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

    def __init__(self) -> None:
        super().__init__()
        self.refunds: list[RefundView] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield DutyTable(id="refunds-table", cursor_type="row", zebra_stripes=True)
        yield Static("", id="refunds-detail")
        yield Static("a authorise · j reject · Esc back", id="refunds-message")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#refunds-table", DutyTable)
        table.add_column("Refund", key="ref", width=8)
        table.add_column("Account", key="account", width=10)
        table.add_column("Amount", key="amount", width=10)
        table.add_column("By", key="method", width=13)
        table.add_column("Asked by", key="who", width=14)
        table.add_column("When", key="when", width=16)
        table.focus()
        self.load()

    def _message(self, text: str) -> None:
        self.query_one("#refunds-message", Static).update(plain(text))

    @work(thread=True, exclusive=True, exit_on_error=False, group="refunds")
    def load(self) -> None:
        from duty_tui.services.payments_refunds import pending_refunds

        refunds = pending_refunds(self.duty_app.ctx)
        self.app.call_from_thread(self._show, refunds)

    def _show(self, refunds: list[RefundView]) -> None:
        self.refunds = refunds
        table = self.query_one("#refunds-table", DutyTable)
        table.clear()
        for r in refunds:
            table.add_row(plain(r.ref), plain(r.account_ref), plain(format_pence(r.amount_pence)),
                          plain(r.method_name), plain(r.requested_by), plain(format_local(r.requested_at)), key=r.ref)
        self.query_one("#refunds-detail", Static).update(
            plain("No refunds waiting." if not refunds else f"{len(refunds)} waiting. The highlighted one:"))
        self._detail()

    def on_data_table_row_highlighted(self) -> None:
        self._detail()

    def _detail(self) -> None:
        refund = self.highlighted()
        if refund is not None:
            self.query_one("#refunds-detail", Static).update(plain(
                f"{refund.ref}: {format_pence(refund.amount_pence)} from {refund.account_ref} ({refund.holder}) "
                f"to {refund.payee} by {refund.method_name}\nWhy: {refund.reason}"))

    def highlighted(self) -> RefundView | None:
        """The refund under the cursor."""
        table = self.query_one("#refunds-table", DutyTable)
        if not self.refunds or table.cursor_row is None:
            return None
        ref = str(table.coordinate_to_cell_key((table.cursor_row, 0)).row_key.value)
        return next((r for r in self.refunds if r.ref == ref), None)

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

        dialog = ReasonDialog(f"Reject {refund.ref}", "why it is rejected")
        self.app.push_screen(dialog, answered)
        if typed:
            from textual.widgets import Input

            dialog.call_after_refresh(lambda: setattr(dialog.query_one("#reason-text", Input), "value", typed))

    def _decide_conflict(self, error, refund: RefundView, authorise: bool, note: str | None) -> None:
        """Both versions; a rejection's reason goes back into its dialog (r: over the newer version)."""
        from dataclasses import replace

        from duty_tui.tui.dialogs.conflict import show_conflict

        self._message(error.message)

        def reload() -> None:
            self.load()
            if not authorise and note and error.version is not None and error.theirs.get("Status") == "requested":
                self._ask_reject(replace(refund, version=error.version), note)

        show_conflict(self, error, None, on_reload=reload,
                      on_back=(lambda: self._ask_reject(refund, note)) if not authorise and note else self.load)

    @work(thread=True, exclusive=True, exit_on_error=False, group="refunds-change")
    def decide(self, refund: RefundView, authorise: bool, note: str | None) -> None:
        from duty_tui.services.payments_refunds import authorise_refund, reject_refund

        try:
            if authorise:
                done = authorise_refund(self.duty_app.ctx, refund.ref, refund.version)
            else:
                done = reject_refund(self.duty_app.ctx, refund.ref, refund.version, note or "")
        except ConflictError as exc:
            self.app.call_from_thread(self._decide_conflict, exc, refund, authorise, note)
            return
        except DutyError as exc:
            self.app.call_from_thread(self._message, exc.message)
            return
        self.app.call_from_thread(self._message, f"{done.ref} {done.status}.")
        self.app.call_from_thread(self.load)
