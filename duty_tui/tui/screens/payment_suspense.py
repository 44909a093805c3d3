"""Money in suspense (it matched no account): move each item to the right account, audited."""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Footer, Header, Static

from duty_tui.domain.money import format_balance, format_pence
from duty_tui.errors import DutyError
from duty_tui.services.payments_import import SuspenseItem
from duty_tui.tui.dialogs.payments_forms import ReallocateDialog
from duty_tui.tui.screens.base import DutyScreen
from duty_tui.tui.text import plain
from duty_tui.tui.widgets.table import DutyTable


class SuspenseScreen(DutyScreen):
    """Unallocated suspense items, oldest first; Enter (or m) moves the highlighted one to an account."""

    watches = {"account": None}  # kit/changes.py

    SCOPE_NAME = "suspense"
    TITLE = "Suspense: unmatched money"
    DEFAULT_CSS = """
    SuspenseScreen #sus-table { height: 1fr; margin: 0 1; }
    SuspenseScreen #sus-message { height: auto; margin: 0 1; }
    SuspenseScreen #sus-status { height: 1; margin: 0 1; text-style: bold; }
    """
    BINDINGS = [
        Binding("escape", "back", "Back", id="suspense-back", tooltip="Back to the previous screen"),
        Binding("m", "move", "Move", id="suspense-move",
                tooltip="Move the highlighted item to the right account (needs suspense.allocate)"),
        Binding("f9", "reload", "Reload", id="suspense-reload", tooltip="Load the list again"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.items: list[SuspenseItem] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="sus-status")
        yield DutyTable(id="sus-table", cursor_type="row", zebra_stripes=True)
        yield Static("Enter or m move to an account · Esc back", id="sus-message")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#sus-table", DutyTable)
        table.add_column("Row", key="row", width=7)
        table.add_column("Date", key="date", width=10)
        table.add_column("Amount", key="amount", width=10)
        table.add_column("Method", key="method", width=13)
        table.add_column("Paid as", key="given", width=11)
        table.add_column("Why here", key="why")
        table.focus()
        self.load()

    def _message(self, text: str) -> None:
        self.query_one("#sus-message", Static).update(plain(text))

    @work(thread=True, exclusive=True, exit_on_error=False, group="suspense")
    def load(self) -> None:
        from duty_tui.services.payments_import import suspense_items

        items = suspense_items(self.duty_app.ctx)
        self.app.call_from_thread(self._show, items)

    def _show(self, items: list[SuspenseItem]) -> None:
        self.items = items
        table = self.query_one("#sus-table", DutyTable)
        table.clear()
        for item in items:
            table.add_row(plain(f"#{item.entry_id}"), plain(f"{item.effective_date:%d/%m/%Y}"),
                          plain(format_pence(item.amount_pence)), plain(item.method or "—"),
                          plain(item.given_ref or "—"), plain(item.reason or "—"), key=str(item.entry_id))
        total = sum(i.amount_pence for i in items)
        self.query_one("#sus-status", Static).update(plain(
            f"{len(items)} item{'s' if len(items) != 1 else ''} in suspense, {format_pence(total)}" if items
            else "Nothing in suspense."))

    def highlighted(self) -> SuspenseItem | None:
        """The item under the cursor."""
        table = self.query_one("#sus-table", DutyTable)
        if not self.items or table.cursor_row is None:
            return None
        entry_id = int(str(table.coordinate_to_cell_key((table.cursor_row, 0)).row_key.value))
        return next((i for i in self.items if i.entry_id == entry_id), None)

    @on(DataTable.RowSelected, "#sus-table")
    def _selected(self) -> None:
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

        def answered(result: tuple[str, str] | None) -> None:
            if result is not None:
                self._message("Moving…")
                self.move(item, result[0], result[1])

        self.app.push_screen(ReallocateDialog(description), answered)

    @work(thread=True, exclusive=True, exit_on_error=False, group="suspense-change")
    def move(self, item: SuspenseItem, account_ref: str, note: str) -> None:
        from duty_tui.services.payments_import import reallocate_suspense

        try:
            done = reallocate_suspense(self.duty_app.ctx, item.entry_id, account_ref, note or None)
        except DutyError as exc:
            self.app.call_from_thread(self._message, exc.message)
            return
        self.app.call_from_thread(self._message, f"Moved {format_pence(done.amount_pence)} to {done.account_ref}; "
                                                 f"its balance is now {format_balance(done.balance_after_pence)}.")
        self.app.call_from_thread(self.load)
