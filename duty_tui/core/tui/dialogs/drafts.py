"""Offered at sign-in: the forms this person started and did not save (hang-up, switch user, quit)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Static

from duty_tui.core.domain.local_time import display_date
from duty_tui.core.tui.kit.list_table import Column, ListRow, ListTable
from duty_tui.core.tui.screens.base import DutyModal
from duty_tui.core.tui.text import plain

COLUMNS = (
    Column("form", "Form", min=12, ideal=36, priority=0),
    Column("kept", "Kept", priority=0, never_cut=True),
    Column("where", "Where", min=6, ideal=16, priority=1),
)
"""Which form, when it was kept (never cut), on which terminal."""


class DraftsDialog(DutyModal[tuple[str, object] | None]):
    """Unfinished forms: Enter reopens one with everything typed; d discards it; Esc leaves them for later."""

    SCOPE_NAME = "drafts"
    DEFAULT_CSS = """
    DraftsDialog { align: center middle; }
    DraftsDialog > Vertical { width: 76; height: auto; max-height: 20; border: thick $warning; background: $surface;
                              padding: 0 1; }
    DraftsDialog #drafts-list { height: auto; max-height: 10; overflow-x: hidden; }
    DraftsDialog #drafts-keys { color: $text-muted; }
    """
    BINDINGS = [
        Binding("enter", "open", "Reopen", id="drafts-open", priority=True,
                tooltip="Reopen the highlighted form with everything that was typed"),
        Binding("d", "discard", "Discard", id="drafts-discard", tooltip="Throw the highlighted draft away"),
        Binding("escape", "later", "Later", id="drafts-later",
                tooltip="Keep the drafts for later (command palette: Unfinished forms)"),
    ]

    def __init__(self, drafts: list) -> None:
        super().__init__()
        self.found = list(drafts)
        self._confirming: str | None = None

    def compose(self) -> ComposeResult:
        with Vertical():
            count = len(self.found)
            yield Static(plain(f"You have {count} unfinished form{'s' if count != 1 else ''}, kept from before:"),
                         id="drafts-title")
            yield ListTable(COLUMNS, id="drafts-list")
            yield Static(plain("Enter  reopen     d  discard     Esc  later"), id="drafts-keys")

    def on_mount(self) -> None:
        table = self.query_one("#drafts-list", ListTable)
        table.set_rows(ListRow(str(index), {"form": draft.title,
                                            "kept": display_date(draft.updated_at, weekday=True, hours=True),
                                            "where": draft.terminal or ""})
                       for index, draft in enumerate(self.found))
        table.styles.height = min(len(self.found), 9) + 1  # the header and the rows: no empty space
        table.focus()

    def _current(self):
        row = self.query_one("#drafts-list", ListTable).cursor_row
        return self.found[row] if 0 <= row < len(self.found) else None

    def action_open(self) -> None:
        """Reopen the highlighted draft."""
        draft = self._current()
        if draft is not None:
            self.dismiss(("open", draft))

    def action_discard(self) -> None:
        """Discard the highlighted draft (press d twice: it cannot be undone)."""
        draft = self._current()
        if draft is None:
            return
        if self._confirming != draft.key:
            self._confirming = draft.key
            self.query_one("#drafts-keys", Static).update(
                plain(f"Press d again to throw away “{draft.title}” for good; anything else keeps it."))
            return
        self.dismiss(("discard", draft))

    def action_later(self) -> None:
        """Leave them for later."""
        self.dismiss(None)
