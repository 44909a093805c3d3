"""Money in suspense (it matched no account): move each item to the right account, audited."""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from duty_tui.areas.payments.services.importing import SuspenseItem
from duty_tui.core.domain.errors import DutyError
from duty_tui.core.domain.money import format_balance, format_pence
from duty_tui.core.tui.kit.fields import FormField
from duty_tui.core.tui.kit.form_screen import FormDialog
from duty_tui.core.tui.kit.list_screen import ListPage, ListScreen
from duty_tui.core.tui.kit.list_table import Column
from duty_tui.core.tui.kit.validators import NoCardDataValidator
from duty_tui.core.tui.kit.workers import Done
from duty_tui.core.tui.text import plain


class SuspenseScreen(ListScreen):
    """Unallocated suspense items, oldest first; Enter (or m) moves the highlighted one to an account."""

    watches = {"account": None}  # kit/changes.py

    SCOPE_NAME = "suspense"
    TITLE = "Suspense: unmatched money"
    LIST_ID = "sus-table"
    COUNT_ID = "sus-status"
    NOUN = ("item in suspense", "items in suspense")
    EMPTY = "Nothing in suspense."
    COLUMNS = (
        Column("row", "Row", priority=0, never_cut=True),
        Column("date", "Date", priority=0, never_cut=True),
        Column("amount", "Amount", priority=0, never_cut=True, justify="right"),
        Column("method", "Method", min=6, ideal=13, priority=2),
        Column("given", "Paid as", priority=1, never_cut=True),
        Column("why", "Why here", min=10, ideal=30, priority=3),
    )
    DEFAULT_CSS = """
    SuspenseScreen #sus-message { height: auto; margin: 0 1; }
    """
    BINDINGS = [
        Binding("escape", "back", "Back", id="suspense-back", tooltip="Back to the previous screen"),
        Binding("m", "move", "Move", id="suspense-move",
                tooltip="Move the highlighted item to the right account (needs suspense.allocate)"),
        Binding("f9", "reload", "Reload", id="suspense-reload", tooltip="Load the list again"),
    ]

    def compose_below(self) -> ComposeResult:
        yield Static("Enter or m move to an account · Esc back", id="sus-message")

    def _message(self, text: str) -> None:
        self.query_one("#sus-message", Static).update(plain(text))

    @on(Done)
    def _done_said(self, message: Done) -> None:
        self._message(message.text)
        if message.reload:
            self.load()

    def fetch(self) -> ListPage:
        from duty_tui.areas.payments.services.importing import suspense_items

        return ListPage(suspense_items(self.duty_app.ctx))

    def row_key(self, item: SuspenseItem) -> str:
        return str(item.entry_id)

    def row_cells(self, item: SuspenseItem) -> dict:
        return {"row": f"#{item.entry_id}", "date": f"{item.effective_date:%d/%m/%Y}",
                "amount": format_pence(item.amount_pence), "method": item.method or "—",
                "given": item.given_ref or "—", "why": item.reason or "—"}

    def describe_count(self, page: ListPage, shown: int) -> str:
        if not shown:
            return self.EMPTY
        return f"{super().describe_count(page, shown)}, {format_pence(sum(i.amount_pence for i in page.items))}"

    def load(self) -> None:
        """Load the list again (the cursor stays on its item)."""
        self.reload()

    def open_item(self, item: SuspenseItem) -> None:
        self.action_move()

    def action_back(self) -> None:
        """Back."""
        self.app.pop_screen()

    def action_reload(self) -> None:
        """Load again."""
        self.load()

    def action_move(self) -> None:
        """Ask which account the highlighted item belongs to."""
        item = self.highlighted()
        if item is None:
            return
        if not self.duty_app.ctx.can("suspense.allocate"):
            self._message("Your role may not move money out of suspense (suspense.allocate).")
            return
        description = (f"#{item.entry_id}: {format_pence(item.amount_pence)} {item.method or ''} on "
                       f"{item.effective_date:%d/%m/%Y}, paid as {item.given_ref or 'no ref'}"
                       + (f", transaction {item.external_id}" if item.external_id else ""))

        def answered(result: dict | None) -> None:
            if result is not None:
                self._message("Moving…")
                self.move(item, result["ref"], result["note"])

        self.app.push_screen(FormDialog("Move money out of suspense", [
            FormField("ref", "To account", placeholder="e.g. RNT000123", max_length=16, required=True),
            FormField("note", "Note", placeholder="how you matched it", max_length=200,
                      validators=(NoCardDataValidator("note"),)),
        ], intro=description, submit="Move"), answered)

    @work(thread=True, exclusive=True, exit_on_error=False, group="suspense-change")
    def move(self, item: SuspenseItem, account_ref: str, note: str) -> None:
        from duty_tui.areas.payments.services.importing import reallocate_suspense

        try:
            done = reallocate_suspense(self.duty_app.ctx, item.entry_id, account_ref, note or None)
        except DutyError as exc:
            self.post_message(Done(exc.message, reload=False))
            return
        self.post_message(Done(f"Moved {format_pence(done.amount_pence)} to {done.account_ref}; "
                               f"its balance is now {format_balance(done.balance_after_pence)}."))
